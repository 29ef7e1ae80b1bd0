//! Data pushed through the ingestion API, as a user then sees it in
//! Chromium, Firefox and WebKit: the queue it created, the queue's chart
//! and figures, and the integration's import history.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, token, Browser, Intake, PATIENCE};

/// An API integration with a key, two accepted contacts and one refused
/// request; returns the integration id.
async fn push_data(intake: &Intake) -> anyhow::Result<i64> {
    let token = token(intake)?;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(intake.url("/api/v1/integrations"))
        .bearer_auth(&token)
        .json(&json!({"name": "Main ACD", "kind": "api"}))
        .send()
        .await?
        .json()
        .await?;
    let id = created["integration"]["id"].as_i64().context("an id")?;
    let key: Value = client
        .post(intake.url(&format!("/api/v1/integrations/{id}/api-key")))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let key = key["apiKey"].as_str().context("a key")?;
    let event = |timestamp: &str, handled: bool| {
        json!({"properties": {"offered": true, "handled": handled, "duration": 90},
               "queueName": "Level 1 support", "queueIdentifier": "1337_99",
               "timestamp": timestamp, "channel": "calls"})
    };
    let good = json!({"data": [event("2021-12-06T10:34:22Z", true), event("2021-12-06T11:02:00Z", false)],
                      "meta": {"integrationConfigurationId": id}});
    let bad = json!({"data": [{"queueName": "x"}], "meta": {"integrationConfigurationId": id}});
    for (body, expected) in [(good, 202), (bad, 422)] {
        let status = client
            .post(intake.url("/external-systems/contact-events"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await?
            .status();
        ensure!(status.as_u16() == expected, "the push answered {status}");
    }
    Ok(id)
}

async fn count(browser: &Browser, css: &str) -> anyhow::Result<usize> {
    Ok(browser
        .client
        .find_all(fantoccini::Locator::Css(css))
        .await?
        .len())
}

async fn pushed_data_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let id = push_data(intake).await?;

    browser.click("a[data-test=nav-queues]").await?;
    browser.wait_for_path("/account/queues").await?;
    let row = browser.find("tr[data-test=queue-row] a").await?;
    ensure!(
        row.text().await? == "Level 1 support",
        "the queue is listed"
    );
    row.click().await?;
    browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(fantoccini::Locator::Css("svg[data-test=interval-chart]"))
        .await?;
    ensure!(
        browser.text_of("[data-test=queue-name]").await? == "Level 1 support",
        "the queue page names the queue"
    );
    ensure!(
        count(browser, "tr[data-test=interval-row]").await? == 2,
        "the table lists the two intervals with data"
    );

    browser
        .client
        .goto(&intake.url(&format!("/account/integrations/{id}")))
        .await?;
    browser
        .find("tr[data-test=import-row][data-outcome=rejected]")
        .await?;
    ensure!(
        count(browser, "tr[data-test=import-row]").await? == 2,
        "both requests are in the history"
    );
    Ok(())
}

in_every_browser!(
    pushed_data,
    "pushed-data",
    pushed_data_story,
    in_chromium_without_javascript
);
