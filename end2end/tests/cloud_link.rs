//! Pairing a real Cloud Link client from the integration page, in
//! Chromium, Firefox and WebKit, and without JavaScript: the admin
//! downloads the client from the page and starts it as it comes, the
//! client prints its PIN in its log, the admin types it in, the page shows
//! the client's host, the files it uploads from its import folder, and
//! disconnecting it makes it show a new PIN.

#[macro_use]
mod support;

use std::{path::PathBuf, process::Stdio, time::Duration};

use anyhow::{bail, ensure, Context};
use serde_json::{json, Value};
use support::{set_up_and_sign_in, Browser, Intake, EMAIL, PATIENCE};

/// Downloads the Linux client the way the page offers it (with the
/// browser's session), checks it against the SHA-256 the page shows, and
/// unpacks it into `folder`: the executable, its licences and a
/// `cloud-link.toml` that already names this console.
async fn download_client(
    intake: &Intake,
    browser: &Browser,
    folder: &std::path::Path,
) -> anyhow::Result<PathBuf> {
    let link = browser.find("[data-test=download-linux] a").await?;
    let href = link
        .attr("href")
        .await?
        .context("the download has an address")?;
    let shown = browser
        .text_of("[data-test=download-linux] [data-test=sha256]")
        .await?;
    let session = browser
        .client
        .get_all_cookies()
        .await?
        .into_iter()
        .map(|cookie| format!("{}={}", cookie.name(), cookie.value()))
        .collect::<Vec<_>>()
        .join("; ");
    // Some engines give the attribute as written, others resolved.
    let address = if href.starts_with("http") {
        href
    } else {
        intake.url(&href)
    };
    let archive = reqwest::Client::new()
        .get(address)
        .header(reqwest::header::COOKIE, session)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    use sha2::Digest;
    let sha256 = hex::encode(sha2::Sha256::digest(&archive));
    ensure!(
        shown.trim() == sha256,
        "the page's SHA-256 {shown:?} is the download's {sha256}"
    );
    tar::Archive::new(flate2::read::MultiGzDecoder::new(&archive[..])).unpack(folder)?;
    let unpacked = folder.join("cloud-link");
    let config = std::fs::read_to_string(unpacked.join("cloud-link.toml"))?;
    ensure!(
        config.contains(&format!("url = \"{}\"", intake.base)),
        "the download names this console: {config}"
    );
    ensure!(
        unpacked.join("licenses/licenses.html").exists(),
        "the download lists its licences"
    );
    Ok(unpacked)
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

    let download =
        std::env::temp_dir().join(format!("cloud-link-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&download)?;
    browser
        .client
        .goto(&intake.url(&format!("/account/integrations/{id}")))
        .await?;
    let folder = download_client(intake, browser, &download).await?;
    let file = folder.join("import").join("calls-2026-11-26.csv");
    std::fs::write(&file, "queue;offered\nSales;10\n")?;
    // Settled: written a minute ago, not still being written.
    std::fs::File::options()
        .write(true)
        .open(&file)?
        .set_modified(std::time::SystemTime::now() - Duration::from_secs(60))?;
    // As the customer starts it: from its folder, configured by the download.
    let _client = tokio::process::Command::new(folder.join("cloud-link"))
        .arg("run")
        .current_dir(&folder)
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
    let _ = std::fs::remove_dir_all(&download);
    Ok(())
}

in_every_browser!(
    pairing,
    "cloud-link",
    pairing_story,
    in_chromium_without_javascript
);
