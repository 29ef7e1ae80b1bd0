//! The first-run story in Chromium, Firefox and WebKit: set up Intake, sign
//! in, switch to Dutch, sign out, and mistype the password.
//!
//! Each engine is its own test; one that cannot run fails, it is not skipped.

#[macro_use]
mod support;

use anyhow::{ensure, Context};
use support::{Browser, Intake, EMAIL, PASSWORD};

async fn story(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    let client = &browser.client;

    // A fresh installation opens on the setup page.
    client.goto(&intake.url("/")).await?;
    browser.wait_for_path("/setup").await?;
    browser.wait_for_hydration().await?;
    browser.screenshot("1-setup").await?;
    browser.fill("#account_name", "Acme Support").await?;
    browser.fill("#email", EMAIL).await?;
    browser.fill("#password", PASSWORD).await?;
    browser
        .click("form[data-test=setup-form] button[type=submit]")
        .await?;

    // Setup leads to sign-in with the email filled in.
    browser.wait_for_path("/login").await?;
    let notice = browser.text_of("[data-test=form-notice]").await?;
    ensure!(notice.contains("Your account is ready"), "notice: {notice}");
    let email = browser
        .find("#email")
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(email == EMAIL, "the email field holds {email:?}");
    browser.fill("#password", PASSWORD).await?;
    browser.screenshot("2-login").await?;
    browser
        .click("form[data-test=login-form] button[type=submit]")
        .await?;

    // The console: Account › Integrations, still empty.
    browser.wait_for_path("/account/integrations").await?;
    browser.wait_for_hydration().await?;
    let heading = browser.text_of("main h1").await?;
    ensure!(heading == "Integrations", "heading: {heading}");
    browser.find("[data-test=integrations-empty]").await?;
    browser.screenshot("3-integrations").await?;

    // Switch to Dutch through the language menu.
    browser
        .click("[data-test=language-switcher] summary")
        .await?;
    browser
        .click("[data-test=language-switcher] button[value=nl]")
        .await?;
    browser
        .client
        .wait()
        .at_most(support::PATIENCE)
        .for_element(fantoccini::Locator::XPath(
            "//main//h1[normalize-space()='Integraties']",
        ))
        .await
        .context("the page did not switch to Dutch")?;
    let lang = browser.find("html").await?.attr("lang").await?;
    ensure!(lang.as_deref() == Some("nl"), "html lang is {lang:?}");
    browser.screenshot("4-integrations-nl").await?;

    // Sign out from the user menu.
    browser.click("[data-test=user-menu] summary").await?;
    browser.click("[data-test=sign-out]").await?;
    browser.wait_for_path("/login").await?;
    let notice = browser.text_of("[data-test=form-notice]").await?;
    ensure!(notice.contains("U bent afgemeld"), "notice: {notice}");

    // A wrong password gets the one generic message, in the chosen language.
    browser.fill("#email", EMAIL).await?;
    browser.fill("#password", "not my password").await?;
    browser
        .click("form[data-test=login-form] button[type=submit]")
        .await?;
    let error = browser.text_of("[data-test=form-error]").await?;
    ensure!(
        error == "Onjuist e-mailadres of wachtwoord.",
        "error: {error}"
    );
    browser.screenshot("5-wrong-password").await?;
    Ok(())
}

in_every_browser!(first_run, "first-run", story);
