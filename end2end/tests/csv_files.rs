//! A CSV integration as an admin builds it in Chromium, Firefox and
//! WebKit, and without JavaScript (issue 13): a schema designed against a
//! sample `;` file with `dd/mm/yyyy` dates from the proposals, the same
//! file uploaded by hand, previewed and applied, and its queue's chart.

#[macro_use]
mod support;

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, token, Browser, Intake, PATIENCE};

const EXPORT: &[u8] = b"Daily report\r\n\
    Queue;Date;Time;Offered;Answered;AHT\r\n\
    Caf\xE9 Hotline;02/11/2026;08:00;10;8;90,5\r\n\
    Caf\xE9 Hotline;02/11/2026;08:30;4;4;60\r\n\
    Caf\xE9 Hotline;02/11/2026;09:00;7;6;75\r\n";

/// The export's rows by an SQLite query instead of columns (on one line:
/// WebKit's driver types no line breaks).
const QUERY: &str = "SELECT queue AS queueidentifier, queue AS queuename, \
    substr(date, 7, 4) || '-' || substr(date, 4, 2) || '-' || substr(date, 1, 2) \
    || ' ' || time || ':00' AS timestamp, offered, answered, \
    answered * CAST(replace(aht, ',', '.') AS REAL) AS handlingtime FROM uploaded_file";

async fn csv_integration(intake: &Intake) -> anyhow::Result<i64> {
    let created: Value = reqwest::Client::new()
        .post(intake.url("/api/v1/integrations"))
        .bearer_auth(token(intake)?)
        .json(
            &json!({"name": "ACD export", "kind": "csv", "intervalMinutes": 30,
            "dataTypes": ["contacts"]}),
        )
        .send()
        .await?
        .json()
        .await?;
    created["integration"]["id"].as_i64().context("an id")
}

/// Waits until the address's query holds `part`.
async fn wait_for_query(browser: &Browser, part: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let url = browser.client.current_url().await?;
        if url.query().is_some_and(|query| query.contains(part)) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the address never held {part}: {url}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Chooses `file` in the file field of `form` and sends it.
async fn upload(browser: &Browser, form: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let field = browser
        .find(&format!("form[data-test={form}] input[type=file]"))
        .await?;
    field.send_keys(&file.display().to_string()).await?;
    browser
        .click(&format!("form[data-test={form}] button[data-test=upload]"))
        .await
}

async fn csv_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let id = csv_integration(intake).await?;
    let dir = tempfile_path(browser)?;
    let export = dir.join("export.csv");
    std::fs::write(&export, EXPORT)?;

    let page = format!("/account/integrations/{id}");
    browser.client.goto(&intake.url(&page)).await?;
    browser.find("[data-test=csv-no-schema]").await?;
    browser.click("a[data-test=design-schema]").await?;
    browser.wait_for_path(&format!("{page}/csv")).await?;

    // The sample: proposals, offered and not applied.
    upload(browser, "sample-form", &export).await?;
    browser.find("[data-test=proposals]").await?;
    browser.click("a[data-test=use-proposals]").await?;
    wait_for_query(browser, "layout=").await?;
    browser.find("[data-test=rows-summary]").await?;
    browser.find("[data-test=table-preview]").await?;
    ensure!(
        browser
            .text_of("[data-test=rows-preview]")
            .await?
            .contains("Café Hotline"),
        "the rows read with the proposals"
    );

    // Skip the report title, the file's times are Berlin's.
    browser.fill("#skip_first", "1").await?;
    browser.fill("#time_zone", "Europe/Berlin").await?;
    browser.click("button[data-test=preview]").await?;
    wait_for_query(browser, "Europe%2FBerlin").await?;
    browser.find("[data-test=rows-summary]").await?;
    browser.screenshot("csv-designer").await?;
    browser.click("button[data-test=save-schema]").await?;
    browser.find("[data-test=csv-notice]").await?;
    browser.find("[data-test=csv-schema]").await?;

    // The file by hand: previewed, applied.
    upload(browser, "upload-form", &export).await?;
    browser
        .find("[data-test=upload-preview] [data-test=rows-summary]")
        .await?;
    browser.screenshot("csv-upload-preview").await?;
    browser.click("button[data-test=apply]").await?;
    browser.find("[data-test=csv-notice]").await?;
    browser.find("[data-test=import-file]").await?;

    // The queue and its chart.
    browser.click("a[data-test=nav-queues]").await?;
    browser.wait_for_path("/account/queues").await?;
    let row = browser.find("tr[data-test=queue-row] a").await?;
    ensure!(row.text().await? == "Café Hotline", "the queue is listed");
    row.click().await?;
    browser.find("svg[data-test=interval-chart]").await?;
    browser.screenshot("csv-queue").await?;

    // The other method: a query, previewed, with the warning that saving
    // it replaces the saved column mapping.
    browser
        .client
        .goto(&intake.url(&format!("{page}/csv")))
        .await?;
    if browser.javascript {
        browser.wait_for_hydration().await?;
    }
    browser
        .find("select#method")
        .await?
        .select_by_value("query")
        .await?;
    if !browser.javascript {
        browser.click("button[data-test=preview]").await?;
    }
    wait_for_query(browser, "method=query").await?;
    browser.fill("textarea#query", QUERY).await?;
    browser.click("button[data-test=preview]").await?;
    wait_for_query(browser, "queueidentifier").await?;
    browser.find("[data-test=method-replaces]").await?;
    ensure!(
        browser
            .text_of("[data-test=rows-preview]")
            .await?
            .contains("Café Hotline"),
        "the rows read by the query"
    );
    browser
        .client
        .execute(
            "document.querySelector('[data-test=query-help]').scrollIntoView({block: 'center'})",
            Vec::new(),
        )
        .await?;
    browser.screenshot("csv-query").await?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}

/// A folder for the story's files, one per engine and run.
fn tempfile_path(browser: &Browser) -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "intake-csv-{}-{}",
        browser.engine.name(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

in_every_browser!(
    csv_files,
    "csv-files",
    csv_story,
    in_chromium_without_javascript
);
