//! Workloads in Chromium, Firefox and WebKit (and Chromium without
//! JavaScript): create one, add a queue from the picker (a deleted
//! integration's queue is listed but cannot be chosen), and read the
//! combined intervals as the chart and its table.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, token, Browser, Intake};

/// An API integration with one queue that has a contact today; its id.
async fn integration_with_queue(
    intake: &Intake,
    token: &str,
    name: &str,
    queue: &str,
) -> anyhow::Result<i64> {
    let client = reqwest::Client::new();
    let created: Value = client
        .post(intake.url("/api/v1/integrations"))
        .bearer_auth(token)
        .json(&json!({"name": name, "kind": "api", "dataTypes": ["contacts"]}))
        .send()
        .await?
        .json()
        .await?;
    let id = created["integration"]["id"].as_i64().context("an id")?;
    let key: Value = client
        .post(intake.url(&format!("/api/v1/integrations/{id}/api-key")))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    let key = key["apiKey"].as_str().context("a key")?;
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let sent = client
        .post(intake.url("/external-systems/contact-events"))
        .bearer_auth(key)
        .json(&json!({"data": [{"properties": {"offered": true, "handled": true, "duration": 90},
                                "queueName": queue, "queueIdentifier": queue, "timestamp": at, "channel": "calls"}],
                      "meta": {"integrationConfigurationId": id}}))
        .send()
        .await?
        .status();
    ensure!(sent.as_u16() == 202, "the push answered {sent}");
    Ok(id)
}

async fn workloads_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let token = token(intake)?;
    integration_with_queue(intake, &token, "Main ACD", "Sales").await?;
    let old = integration_with_queue(intake, &token, "Old ACD", "Legacy").await?;
    let deleted = reqwest::Client::new()
        .delete(intake.url(&format!("/api/v1/integrations/{old}")))
        .bearer_auth(&token)
        .send()
        .await?
        .status();
    ensure!(deleted.is_success(), "deleting answered {deleted}");

    browser.click("a[data-test=nav-workloads]").await?;
    browser.wait_for_path("/account/workloads").await?;
    browser.find("[data-test=workloads-empty]").await?;
    browser
        .fill("[data-test=create-workload] input[name=name]", "Inbound")
        .await?;
    browser
        .click("[data-test=create-workload] button[type=submit]")
        .await?;
    let heading = browser.text_of("[data-test=workload-name]").await?;
    ensure!(
        heading == "Inbound",
        "the new workload's page, got {heading:?}"
    );

    let legacy = browser
        .find("[data-test=add-queue] option[disabled]:not([value=''])")
        .await?
        .text()
        .await?;
    ensure!(
        legacy.contains("Legacy") && legacy.contains("integration deleted"),
        "the deleted integration's queue is listed, disabled, with why: {legacy:?}"
    );
    let sales = browser
        .client
        .find_all(fantoccini::Locator::Css("[data-test=add-queue] option"))
        .await?;
    let mut sales_value = None;
    for option in sales {
        if option.text().await?.contains("Sales") {
            sales_value = option.attr("value").await?;
        }
    }
    let sales_value = sales_value.context("the Sales queue is offered")?;
    browser
        .find("[data-test=add-queue] select")
        .await?
        .select_by_value(&sales_value)
        .await?;
    browser
        .click("[data-test=add-queue] button[type=submit]")
        .await?;
    let queue = browser.text_of("[data-test=workload-queue]").await?;
    ensure!(
        queue.contains("Sales"),
        "the queue is on the workload: {queue:?}"
    );
    browser.find("svg[data-test=interval-chart] rect").await?;
    let table = browser.text_of("[data-test=interval-table]").await?;
    ensure!(
        table.contains('1'),
        "the table lists today's contact: {table:?}"
    );
    browser.screenshot("workload").await?;
    Ok(())
}

in_every_browser!(
    workloads,
    "workloads",
    workloads_story,
    in_chromium_without_javascript
);
