//! A database integration's settings as an admin enters them in Chromium,
//! Firefox and WebKit, and without JavaScript (issue 13): the fields of
//! the chosen database type and the columns of the chosen data type show
//! by themselves; a query without its window is refused with the draft
//! kept and the password asked for again; saved, the integration page
//! summarises them. And a paused one resumed from the overview, after a
//! dialog that says what a resume imports.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, token, Browser, Intake};

/// On one line: WebKit's driver types no line breaks.
const QUERY: &str = "SELECT queue AS queueidentifier, queue AS queuename, started AS timestamp, \
    answered, talk_seconds AS duration FROM calls WHERE started >= {from} AND started < {to}";

async fn database_integration(intake: &Intake) -> anyhow::Result<i64> {
    let created: Value = reqwest::Client::new()
        .post(intake.url("/api/v1/integrations"))
        .bearer_auth(token(intake)?)
        .json(&json!({"name": "Call records", "kind": "database", "dataTypes": ["contacts"]}))
        .send()
        .await?
        .json()
        .await?;
    created["integration"]["id"].as_i64().context("an id")
}

async fn shown(browser: &Browser, css: &str) -> anyhow::Result<bool> {
    Ok(browser
        .client
        .find(fantoccini::Locator::Css(css))
        .await?
        .is_displayed()
        .await?)
}

/// Scrolls the first element `css` matches to the middle of the window.
async fn scroll_to(browser: &Browser, css: &str) -> anyhow::Result<()> {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
            vec![json!(css)],
        )
        .await?;
    Ok(())
}

async fn choose(browser: &Browser, select: &str, value: &str) -> anyhow::Result<()> {
    browser
        .find(&format!("select#{select}"))
        .await?
        .select_by_value(value)
        .await?;
    Ok(())
}

async fn database_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let id = database_integration(intake).await?;
    let page = format!("/account/integrations/{id}");
    browser.client.goto(&intake.url(&page)).await?;
    browser.find("[data-test=database-none]").await?;
    browser.click("a[data-test=edit-database]").await?;
    browser.wait_for_path(&format!("{page}/database")).await?;
    if browser.javascript {
        browser.wait_for_hydration().await?;
    }

    // The fields follow the database type, with or without JavaScript.
    ensure!(shown(browser, "input#host").await?, "a server's host");
    ensure!(
        !shown(browser, "input#connection").await?,
        "no connection string"
    );
    ensure!(
        !shown(browser, "input#instance").await?,
        "no instance for PostgreSQL"
    );
    choose(browser, "database_type", "odbc").await?;
    ensure!(
        shown(browser, "input#connection").await?,
        "ODBC's connection string"
    );
    ensure!(!shown(browser, "input#host").await?, "no host with ODBC");
    choose(browser, "database_type", "sqlServer").await?;
    ensure!(
        shown(browser, "input#instance").await?,
        "SQL Server's named instance"
    );
    choose(browser, "database_type", "postgreSql").await?;
    // … and the columns beside the query follow the data type.
    choose(browser, "import", "contacts").await?;
    ensure!(
        shown(browser, "[data-columns=contacts]").await?,
        "the contact columns"
    );
    ensure!(
        !shown(browser, "[data-columns=intervals15]").await?,
        "not the interval columns"
    );

    browser.fill("input#host", "acd-db.corp.example").await?;
    browser.fill("input#database", "reporting").await?;
    browser.fill("input#user", "intake_reader").await?;
    browser.fill("input#password", "Corr3ct;Horse").await?;
    browser.fill("input#time_zone", "Europe/Berlin").await?;
    browser
        .fill("textarea#query", "SELECT * FROM calls")
        .await?;
    scroll_to(browser, "h1").await?;
    browser.screenshot("database-where").await?;
    scroll_to(browser, "[data-test=query-columns]").await?;
    browser.screenshot("database-form").await?;
    browser.click("button[data-test=save-database]").await?;

    // Refused: the draft is back, the password is asked for again.
    browser.find("[data-test=database-error]").await?;
    ensure!(
        browser
            .text_of("[data-test=field-problem]")
            .await?
            .contains("marks no window"),
        "the query's problem"
    );
    browser.find("[data-test=password-hint]").await?;
    let url = browser.client.current_url().await?;
    ensure!(!url.as_str().contains("Horse"), "no password in {url}");
    ensure!(
        browser
            .find("input#host")
            .await?
            .prop("value")
            .await?
            .as_deref()
            == Some("acd-db.corp.example"),
        "the draft kept"
    );
    scroll_to(browser, "[data-test=field-problem]").await?;
    browser.screenshot("database-refused").await?;

    if browser.javascript {
        browser.wait_for_hydration().await?;
    }
    browser.fill("input#password", "Corr3ct;Horse").await?;
    browser.fill("textarea#query", QUERY).await?;
    browser.click("button[data-test=save-database]").await?;
    browser
        .wait_for_path(&format!("{page}?notice=database_saved"))
        .await?;
    let summary = browser.text_of("[data-test=database-summary]").await?;
    ensure!(
        summary.contains("PostgreSQL") && summary.contains("acd-db.corp.example · reporting"),
        "the summary: {summary}"
    );
    scroll_to(browser, "[data-test=database]").await?;
    browser.screenshot("database-saved").await?;

    Ok(())
}

in_every_browser!(
    database_settings,
    "database",
    database_story,
    in_chromium_without_javascript
);

/// Pairs a client with integration `id` as the client would: it starts a
/// pairing, the admin enters its PIN, it collects its credential.
async fn paired(intake: &Intake, id: i64) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let started: Value = http
        .post(intake.url("/cloud-link/v1/pairings"))
        .json(&json!({"host": "acd-reporting", "version": "1.0.0", "os": "linux x86_64"}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    http.post(intake.url(&format!("/api/v1/integrations/{id}/link")))
        .bearer_auth(token(intake)?)
        .json(&json!({"pin": started["pin"]}))
        .send()
        .await?
        .error_for_status()?;
    http.post(intake.url("/cloud-link/v1/token"))
        .json(&json!({"deviceCode": started["deviceCode"]}))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// A paused database integration is resumed from the overview: with
/// JavaScript a dialog first says what a resume imports, and cancelling it
/// resumes nothing; without, the integration's page says so and the
/// button resumes at once.
async fn resume_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let id = database_integration(intake).await?;
    paired(intake, id).await?;
    reqwest::Client::new()
        .post(intake.url(&format!("/api/v1/integrations/{id}/pause")))
        .bearer_auth(token(intake)?)
        .send()
        .await?
        .error_for_status()?;

    browser
        .client
        .goto(&intake.url(&format!("/account/integrations/{id}")))
        .await?;
    let note = browser.text_of("[data-test=resume-note]").await?;
    ensure!(note.contains("24 hours"), "the page's note: {note}");

    browser
        .client
        .goto(&intake.url("/account/integrations"))
        .await?;
    let row = format!("[data-test=integration-row][data-id='{id}']");
    browser.find(&format!("{row} [data-status=paused]")).await?;
    if browser.javascript {
        browser.wait_for_hydration().await?;
        browser.click(&format!("{row} [data-test=resume]")).await?;
        browser
            .find("dialog[data-test=resume-dialog][open]")
            .await?;
        let said = browser.text_of("dialog[data-test=resume-dialog]").await?;
        ensure!(
            said.contains("Call records")
                && said.contains("Paused since")
                && said.contains("only the last 24 hours"),
            "the dialog says: {said}"
        );
        browser.screenshot("database-resume-dialog").await?;
        browser.click("[data-test=cancel-resume]").await?;
        browser
            .find("dialog[data-test=resume-dialog]:not([open])")
            .await?;
        browser.find(&format!("{row} [data-status=paused]")).await?;
        browser.click(&format!("{row} [data-test=resume]")).await?;
        browser.click("[data-test=confirm-resume]").await?;
    } else {
        browser.click(&format!("{row} [data-test=resume]")).await?;
    }
    browser
        .find(&format!(
            "{row} [data-status=active], {row} [data-status=resuming]"
        ))
        .await?;
    browser.screenshot("database-resumed").await?;
    Ok(())
}

in_every_browser!(
    database_resume,
    "database-resume",
    resume_story,
    in_chromium_without_javascript
);
