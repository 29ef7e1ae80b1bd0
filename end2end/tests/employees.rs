//! An employee's page in Chromium, Firefox and WebKit (and Chromium without
//! JavaScript): from the employees list, give them a team, note the user id
//! an integration sends for them with their own id there (and see the near
//! miss the integration has sent), then add an activity on the activities
//! page.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, token, Browser, Intake};

/// An API integration for agent statuses that has sent one for `agent`;
/// its id.
async fn integration_with_agent(intake: &Intake, token: &str, agent: &str) -> anyhow::Result<i64> {
    let client = reqwest::Client::new();
    let created: Value = client
        .post(intake.url("/api/v1/integrations"))
        .bearer_auth(token)
        .json(&json!({"name": "Main ACD", "kind": "api", "dataTypes": ["agent_statuses"]}))
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
        .post(intake.url("/external-systems/agent-statuses"))
        .bearer_auth(key)
        .json(&json!({"data": [{"agentIdentifier": agent, "activityIdentifier": "Available", "startTime": at}],
                      "meta": {"integrationConfigurationId": id, "externalSystem": "Main ACD"}}))
        .send()
        .await?
        .status();
    ensure!(sent.as_u16() == 202, "the push answered {sent}");
    Ok(id)
}

async fn employees_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let token = token(intake)?;
    let integration = integration_with_agent(intake, &token, "BJones").await?;
    let created = reqwest::Client::new()
        .post(intake.url("/api/v1/employees"))
        .bearer_auth(&token)
        .json(&json!({"name": "Bob Jones", "email": "bob@example.com"}))
        .send()
        .await?
        .status();
    ensure!(created.as_u16() == 201, "creating answered {created}");

    browser.click("a[data-test=nav-employees]").await?;
    browser.wait_for_path("/account/employees").await?;
    browser.click("a[data-test=employee-link]").await?;
    let heading = browser.text_of("[data-test=employee-name]").await?;
    ensure!(
        heading == "Bob Jones",
        "the employee's page, got {heading:?}"
    );

    browser
        .fill("[data-test=employee-edit] input[name=team]", "Blue")
        .await?;
    browser.click("[data-test=save-employee]").await?;
    browser.find("[data-test=form-notice]").await?;
    let team = browser
        .find("[data-test=employee-edit] input[name=team]")
        .await?
        .prop("value")
        .await?;
    ensure!(
        team.as_deref() == Some("Blue"),
        "the team is saved: {team:?}"
    );

    browser
        .find("[data-test=system-integration]")
        .await?
        .select_by_value(&integration.to_string())
        .await?;
    browser
        .fill("[data-test=system-external-input]", "bjones")
        .await?;
    browser
        .fill(
            "[data-test=add-system] input[name=system_employee_id]",
            "U-7",
        )
        .await?;
    browser.click("[data-test=add-system-button]").await?;
    let near = browser.text_of("[data-test=near-misses]").await?;
    ensure!(
        near.contains("BJones"),
        "the id the integration sent in another case is named: {near:?}"
    );
    let entry = browser.text_of("[data-test=system-external-id]").await?;
    ensure!(entry.contains("bjones"), "the entry is listed: {entry:?}");
    let noted = browser
        .find("[data-test=system-id-input]")
        .await?
        .prop("value")
        .await?;
    ensure!(noted.as_deref() == Some("U-7"), "the id there: {noted:?}");
    browser.screenshot("employee").await?;

    browser.click("a[data-test=nav-employees]").await?;
    browser.wait_for_path("/account/employees").await?;
    browser.click("[data-test=activities-link]").await?;
    browser.wait_for_path("/account/activities").await?;
    browser
        .fill("[data-test=create-activity] input[name=name]", "Lunch")
        .await?;
    browser
        .click("[data-test=create-activity] button[type=submit]")
        .await?;
    // Each activity is listed in its own form, its name in a field.
    browser
        .find("[data-test=activity-row] input[name=name][value=Lunch]")
        .await
        .context("the new activity is listed")?;
    browser.screenshot("activities").await?;
    Ok(())
}

in_every_browser!(
    employees,
    "employees",
    employees_story,
    in_chromium_without_javascript
);
