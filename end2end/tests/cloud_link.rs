//! Pairing a real Cloud Link client from the integration page, in
//! Chromium, Firefox and WebKit, and without JavaScript: the client prints
//! its PIN in its log, the admin types it in, the page shows the client's
//! host, the files it uploads from its import folder, and disconnecting
//! it makes it show a new PIN.

mod support;

use std::{path::PathBuf, process::Stdio, time::Duration};

use anyhow::{bail, ensure, Context};
use serde_json::{json, Value};
use support::{run_story, set_up_and_sign_in, Browser, Engine, Intake, EMAIL, PATIENCE};

/// The client cargo built (`INTAKE_E2E_CLOUD_LINK`, set by `make end2end`).
fn cloud_link_binary() -> anyhow::Result<PathBuf> {
    let binary = std::env::var_os("INTAKE_E2E_CLOUD_LINK")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../target/debug/cloud-link"));
    if !binary.exists() {
        bail!(
            "{} is missing: `make end2end` builds it (cargo build -p cloud-link)",
            binary.display()
        );
    }
    Ok(binary)
}

/// A CSV integration made through the management API.
async fn csv_integration(intake: &Intake) -> anyhow::Result<i64> {
    let output = std::process::Command::new(&intake.binary)
        .args(["token", "create", "--email", EMAIL, "--name", "e2e"])
        .env("INTAKE_DATABASE_URL", &intake.database_url)
        .output()?;
    let token = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .find(|word| word.starts_with("itp_"))
        .map(str::to_owned)
        .context("intake token create printed a token")?;
    let created: Value = reqwest::Client::new()
        .post(intake.url("/api/v1/integrations"))
        .bearer_auth(&token)
        .json(&json!({"name": "Calls from the ACD export", "kind": "csv"}))
        .send()
        .await?
        .json()
        .await?;
    created["integration"]["id"].as_i64().context("an id")
}

/// The `nth` PIN (from 1) in the client's log.
async fn pin_in_log(log: &std::path::Path, nth: usize) -> anyhow::Result<String> {
    for _ in 0..300 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("Enter your pin: ").nth(nth) {
            return Ok(rest.chars().take(6).collect());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("no PIN number {nth} in {} after 30 s", log.display())
}

async fn pairing_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let id = csv_integration(intake).await?;

    let folder =
        std::env::temp_dir().join(format!("cloud-link-e2e-{}", uuid::Uuid::new_v4().simple()));
    let import = folder.join("import");
    std::fs::create_dir_all(&import)?;
    let file = import.join("calls-2026-11-26.csv");
    std::fs::write(&file, "queue;offered\nSales;10\n")?;
    // Settled: written a minute ago, not still being written.
    std::fs::File::options()
        .write(true)
        .open(&file)?
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(60))?;
    let config = folder.join("cloud-link.toml");
    std::fs::write(
        &config,
        format!(
            "[app]\nname = \"com.example.cloud-link\"\nimportDirectory = \"import\"\n\n\
             [server]\nurl = \"{}\"\n",
            intake.base
        ),
    )?;
    let _client = tokio::process::Command::new(cloud_link_binary()?)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let log = folder.join("cloud-link.log");
    let pin = pin_in_log(&log, 1).await?;

    browser
        .client
        .goto(&intake.url(&format!("/account/integrations/{id}")))
        .await?;
    // Before or after hydration, the form works: as a plain post, or in
    // place.
    browser.find("section[data-test=cloud-link]").await?;
    browser.fill("input[data-test=pin]", &pin).await?;
    browser.click("button[data-test=connect]").await?;
    let host = browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(fantoccini::Locator::Css("[data-test=link-host]"))
        .await?
        .text()
        .await?;
    ensure!(!host.is_empty(), "the page names the client's host");

    // The file in its import folder arrives and is listed on the page.
    let page = intake.url(&format!("/account/integrations/{id}"));
    let mut listed = String::new();
    for _ in 0..30 {
        browser.client.goto(&page).await?;
        browser.find("section[data-test=received-files]").await?;
        if let Ok(name) = browser.text_of("[data-test=file-name]").await {
            listed = name;
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    ensure!(
        listed == "calls-2026-11-26.csv",
        "the uploaded file is listed (found {listed:?})"
    );
    ensure!(
        folder.join("cloud-link.state").exists(),
        "the client keeps its credential"
    );
    // Best effort: a page without JavaScript still scrolls for WebDriver.
    let _ = browser
        .client
        .execute(
            "document.querySelector('[data-test=cloud-link]').scrollIntoView()",
            vec![],
        )
        .await;
    browser.screenshot("cloud-link-paired").await?;

    // Disconnecting stops the client's credential: it shows a new PIN.
    browser.click("button[data-test=disconnect]").await?;
    browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(fantoccini::Locator::Css("[data-test=link-body]"))
        .await?;
    pin_in_log(&log, 2).await?;
    let _ = std::fs::remove_dir_all(&folder);
    Ok(())
}

#[tokio::test]
async fn pairing_in_chromium() -> anyhow::Result<()> {
    run_story(
        Browser::launch(Engine::Chromium).await,
        "cloud-link",
        pairing_story,
    )
    .await
}

#[tokio::test]
async fn pairing_in_firefox() -> anyhow::Result<()> {
    run_story(
        Browser::launch(Engine::Firefox).await,
        "cloud-link",
        pairing_story,
    )
    .await
}

#[tokio::test]
async fn pairing_in_webkit() -> anyhow::Result<()> {
    run_story(
        Browser::launch(Engine::WebKit).await,
        "cloud-link",
        pairing_story,
    )
    .await
}

#[tokio::test]
async fn pairing_in_chromium_without_javascript() -> anyhow::Result<()> {
    run_story(
        Browser::launch_without_javascript().await,
        "cloud-link-no-js",
        pairing_story,
    )
    .await
}
