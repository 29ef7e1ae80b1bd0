//! Managing an API integration in Chromium, Firefox and WebKit: create it,
//! generate its key (shown once), copy the configuration id, pause, resume,
//! delete. And pause/resume once more in Chromium without JavaScript.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use fantoccini::Locator;
use support::{run_story, set_up_and_sign_in, Browser, Intake, Launch, PATIENCE};

async fn wait_for_xpath(browser: &Browser, xpath: &str) -> anyhow::Result<()> {
    browser
        .client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::XPath(xpath))
        .await
        .with_context(|| format!("nothing matches {xpath}"))?;
    Ok(())
}

async fn dialog_is_open(browser: &Browser, test_id: &str) -> anyhow::Result<bool> {
    let open = browser
        .client
        .execute(
            &format!("return document.querySelector('dialog[data-test={test_id}]').open;"),
            vec![],
        )
        .await?;
    Ok(open.as_bool().unwrap_or(false))
}

/// The copy button says so once the clipboard took the text. Where the
/// engine lets a page read the clipboard back, the text is checked too.
async fn copied(browser: &Browser, button: &str, expected: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if browser.text_of(button).await? == "Copied" {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{button} never said Copied"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let read = browser
        .client
        .execute_async(
            "const done = arguments[0]; navigator.clipboard.readText().then(done, () => done(null));",
            vec![],
        )
        .await;
    if let Ok(serde_json::Value::String(text)) = read {
        ensure!(text == expected, "the clipboard holds {text:?}");
    }
    Ok(())
}

async fn wait_until_closed(browser: &Browser, test_id: &str) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + PATIENCE;
    while dialog_is_open(browser, test_id).await? {
        ensure!(
            std::time::Instant::now() < deadline,
            "{test_id} stayed open"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn create_api_integration(
    intake: &Intake,
    browser: &Browser,
    name: &str,
) -> anyhow::Result<String> {
    browser.click("[data-test=add-integration]").await?;
    browser.click("[data-test=tile-universal]").await?;
    browser.click("[data-test=model-api]").await?;
    browser.fill("#name", name).await?;
    browser.screenshot("integration-1-name").await?;
    browser
        .click("form[data-test=create-form] [data-test=save]")
        .await?;
    wait_for_xpath(
        browser,
        &format!("//h1[@data-test='integration-title' and normalize-space()='{name}']"),
    )
    .await?;
    let url = browser.client.current_url().await?;
    let id = url.path().rsplit('/').next().unwrap_or_default().to_owned();
    ensure!(id.parse::<i64>().is_ok(), "landed on {url} after saving");
    let _ = intake;
    Ok(id)
}

async fn api_integration_story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    browser.wait_for_hydration().await?;
    let id = create_api_integration(intake, browser, "My ACD").await?;
    browser.wait_for_hydration().await?;

    // Generate: the dialog shows the key once.
    browser.click("[data-test=generate-key]").await?;
    browser.find("dialog[data-test=key-dialog][open]").await?;
    let key = browser
        .find("[data-test=new-key]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(key.starts_with("itk_"), "the dialog shows {key:?}");
    browser.screenshot("integration-2-key-dialog").await?;
    browser.click("[data-test=copy-key]").await?;
    copied(browser, "[data-test=copy-key]", &key).await?;
    browser.click("[data-test=close-key]").await?;
    ensure!(
        !dialog_is_open(browser, "key-dialog").await?,
        "the dialog closes"
    );

    // Reloading never shows the key again.
    browser.client.refresh().await?;
    browser.wait_for_hydration().await?;
    browser.find("[data-test=key-info]").await?;
    let source = browser.client.source().await?;
    ensure!(!source.contains(&key), "the key is gone after a reload");
    ensure!(
        !dialog_is_open(browser, "key-dialog").await?,
        "no dialog after a reload"
    );

    // The configuration id is shown with its own copy button.
    let shown = browser.text_of("[data-test=config-id]").await?;
    ensure!(shown == id, "configuration id {shown} for integration {id}");
    browser.click("[data-test=copy-config-id]").await?;
    copied(browser, "[data-test=copy-config-id]", &id).await?;

    // A second key needs confirmation first; Escape backs out of it.
    browser.click("[data-test=generate-key]").await?;
    browser
        .find("dialog[data-test=regenerate-dialog][open]")
        .await?
        .send_keys("\u{e00c}")
        .await?;
    wait_until_closed(browser, "regenerate-dialog").await?;
    browser.click("[data-test=generate-key]").await?;
    browser
        .find("dialog[data-test=regenerate-dialog][open]")
        .await?;
    browser.click("[data-test=confirm-regenerate]").await?;
    browser.find("dialog[data-test=key-dialog][open]").await?;
    let second = browser
        .find("[data-test=new-key]")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        second.starts_with("itk_") && second != key,
        "a new key replaces the old one"
    );
    browser.click("[data-test=close-key]").await?;

    // Pause and resume from the overview.
    browser
        .client
        .goto(&intake.url("/account/integrations"))
        .await?;
    browser.wait_for_hydration().await?;
    browser.click("[data-test=pause]").await?;
    browser.find("[data-status=paused]").await?;
    browser
        .find("[data-test=resume][aria-label='Resume importing']")
        .await?;
    browser.screenshot("integration-3-paused").await?;
    browser.click("[data-test=resume]").await?;
    browser.find("[data-status=active]").await?;
    browser
        .find("[data-test=pause][aria-label='Suspend importing']")
        .await?;

    // Delete from the edit page, after a confirmation naming it.
    browser.click("[data-test=edit]").await?;
    browser
        .wait_for_path(&format!("/account/integrations/{id}"))
        .await?;
    browser.wait_for_hydration().await?;
    browser.click("[data-test=delete]").await?;
    browser
        .find("dialog[data-test=delete-dialog][open]")
        .await?;
    let title = browser
        .text_of("dialog[data-test=delete-dialog] h2")
        .await?;
    ensure!(
        title.contains("My ACD"),
        "the confirmation names the integration: {title}"
    );
    browser.screenshot("integration-4-delete").await?;
    browser.click("[data-test=confirm-delete]").await?;
    browser.wait_for_path("/account/integrations").await?;
    browser.find("[data-test=integrations-empty]").await?;
    browser.click("[data-test=deleted-filter]").await?;
    browser
        .find("[data-test=integration-row] [data-status=deleted]")
        .await?;
    browser.screenshot("integration-5-deleted").await?;
    Ok(())
}

async fn pause_and_resume_without_javascript(
    intake: &Intake,
    browser: &Browser,
) -> anyhow::Result<()> {
    set_up_and_sign_in(intake, browser).await?;
    let id = create_api_integration(intake, browser, "Plain ACD").await?;
    browser
        .client
        .goto(&intake.url("/account/integrations"))
        .await?;
    browser.click("[data-test=pause]").await?;
    browser.find("[data-status=paused]").await?;
    browser.screenshot("nojs-paused").await?;
    browser.click("[data-test=resume]").await?;
    browser.find("[data-status=active]").await?;
    let hydrated = browser
        .client
        .find(Locator::Css("html[data-hydrated]"))
        .await
        .is_ok();
    ensure!(!hydrated, "JavaScript was off, yet the page hydrated");
    let _ = id;
    Ok(())
}

in_every_browser!(api_integration, "integration", api_integration_story);

#[tokio::test]
async fn pause_and_resume_in_chromium_without_javascript() -> anyhow::Result<()> {
    run_story(
        Launch::WithoutJavaScript,
        "nojs",
        pause_and_resume_without_javascript,
    )
    .await
}
