//! The intraday board in Chromium, Firefox and WebKit: an agent is mapped
//! with the mapping page's picker, a status arrives through the ingestion
//! API, and the open board shows it without being reloaded — over a
//! WebSocket, and over server-sent events where WebSockets are off.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, token, Browser, Intake, PATIENCE};

/// How the board should hear about changes.
const OVER_WEBSOCKET: &str = "websocket";
const OVER_EVENTS: &str = "events";

/// Sends `activity` for agent `bob`, open, started a minute ago.
async fn send_status(intake: &Intake, id: i64, key: &str, activity: &str) -> anyhow::Result<()> {
    let started = chrono::Utc::now() - chrono::Duration::minutes(1);
    let status = reqwest::Client::new()
        .post(intake.url("/external-systems/agent-statuses"))
        .bearer_auth(key)
        .json(&json!({"data": [{"agentIdentifier": "bob", "activityIdentifier": activity,
                                "startTime": started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}],
                      "meta": {"integrationConfigurationId": id, "externalSystem": "ACD"}}))
        .send()
        .await?
        .status();
    ensure!(status.as_u16() == 202, "the status push answered {status}");
    Ok(())
}

async fn intraday_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    board_story(intake, browser, OVER_WEBSOCKET).await
}

async fn intraday_without_websockets_story(_: &Intake, browser: &Browser) -> anyhow::Result<()> {
    let intake = Intake::start_with(&[("INTAKE_LIVE_WEBSOCKETS", "off")])?;
    board_story(&intake, browser, OVER_EVENTS).await
}

async fn board_story(intake: &Intake, browser: &Browser, mode: &str) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let token = token(intake)?;
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client
            .request(method, intake.url(path))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let created: Value = call(
        reqwest::Method::POST,
        "/api/v1/integrations",
        json!({"name": "Main ACD", "kind": "api", "dataTypes": ["agent_statuses"]}),
    )
    .await?
    .json()
    .await?;
    let id = created["integration"]["id"].as_i64().context("an id")?;
    let key: Value = call(
        reqwest::Method::POST,
        &format!("/api/v1/integrations/{id}/api-key"),
        json!({}),
    )
    .await?
    .json()
    .await?;
    let key = key["apiKey"].as_str().context("a key")?.to_owned();
    let employee: Value = call(
        reqwest::Method::POST,
        "/api/v1/employees",
        json!({"name": "Bob Jones", "email": "bob@example.com"}),
    )
    .await?
    .json()
    .await?;
    let employee = employee["employee"]["id"].as_i64().context("an id")?;
    send_status(intake, id, &key, "AUX 1").await?;

    // Mapped on the integration's page, with the searchable picker: the
    // choice reads "name · address · #id".
    browser
        .client
        .goto(&intake.url(&format!("/account/integrations/{id}/mapping")))
        .await?;
    browser
        .fill(
            "[data-test=employee-picker]",
            &format!("Bob Jones · bob@example.com · #{employee}"),
        )
        .await?;
    browser.click("[data-test=map]").await?;
    let mapped = browser.text_of("[data-test=mapped-employee]").await?;
    ensure!(mapped == "Bob Jones", "the agent is mapped: {mapped:?}");

    browser.click("a[data-test=nav-intraday]").await?;
    browser.wait_for_path("/intraday").await?;
    if browser.javascript {
        browser.wait_for_hydration().await?;
        browser
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(fantoccini::Locator::Css(&format!(
                "[data-test=intraday-mode][data-mode={mode}]"
            )))
            .await
            .with_context(|| format!("the board connects over {mode}"))?;
    }
    let row = browser.find("tr[data-test=agent-row]").await?;
    ensure!(
        row.text().await?.contains("AUX 1"),
        "the status sent before the mapping shows"
    );
    let shot = if browser.javascript {
        format!("intraday-{mode}")
    } else {
        "intraday-no-js".to_owned()
    };
    browser.screenshot(&shot).await?;

    send_status(intake, id, &key, "AUX 2").await?;
    if browser.javascript {
        // No reload: the board hears of the change.
        browser
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(fantoccini::Locator::XPath(
                "//tr[@data-test='agent-row'][contains(., 'AUX 2')]",
            ))
            .await
            .context("the new status reaches the open board")?;
    } else {
        browser.click("[data-test=intraday-updated] a").await?;
        browser
            .find("tr[data-test=agent-row]")
            .await?
            .text()
            .await?
            .contains("AUX 2")
            .then_some(())
            .context("Refresh shows the new status")?;
    }
    Ok(())
}

in_every_browser!(
    intraday,
    "intraday",
    intraday_story,
    in_chromium_without_javascript
);

in_every_browser!(
    intraday_without_websockets,
    "intraday-without-websockets",
    intraday_without_websockets_story
);
