//! The integration pages as a browser without JavaScript uses them: plain
//! form posts, redirects, server-rendered HTML.

mod common;

use common::{location, Engine, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};
use reqwest::{header, Method, StatusCode};
use serde_json::json;

on_both_engines!(
    the_overview_lists_integrations_with_their_status_and_escapes_names,
    pausing_and_resuming_work_as_plain_form_posts,
    a_planner_sees_integrations_read_only_and_cannot_pause,
    the_pause_button_is_named_in_the_users_language,
    another_accounts_integration_page_reveals_nothing,
    the_deleted_filter_shows_deleted_integrations,
);

async fn with_integration(engine: Engine, name: &str) -> (TestApp, i64, String) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let created = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&token),
            Some(json!({"name": name, "kind": "api"})),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: serde_json::Value = created.json().await.expect("JSON");
    let id = body["integration"]["id"].as_i64().expect("an id");
    (app, id, token)
}

/// Posts a server function's form the way a browser without JavaScript does.
async fn post_without_js(
    app: &TestApp,
    function: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/_fn/integrations/{function}")))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, app.url("/account/integrations"))
        .form(form)
        .send()
        .await
        .expect("answered")
}

async fn the_overview_lists_integrations_with_their_status_and_escapes_names(engine: Engine) {
    let (app, _, _) = with_integration(engine, "<img src=x onerror=alert(1)>").await;
    app.sign_in_as_admin().await;

    let (status, page) = app.page("/account/integrations").await;

    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the name is escaped"
    );
    assert!(
        !page.contains("<img src=x"),
        "no markup from a name reaches the page"
    );
    assert!(page.contains(r#"data-status="active""#));
    assert!(page.contains(r#"aria-label="Suspend importing""#));
}

async fn pausing_and_resuming_work_as_plain_form_posts(engine: Engine) {
    let (app, id, _) = with_integration(engine, "My ACD").await;
    app.sign_in_as_admin().await;
    let id = id.to_string();

    let paused = post_without_js(&app, "pause", &[("id", &id)]).await;
    assert_eq!(paused.status(), StatusCode::FOUND);
    assert!(
        location(&paused).starts_with(&app.url("/account/integrations")),
        "back to the overview"
    );
    let (_, page) = app.page("/account/integrations").await;
    assert!(page.contains(r#"data-status="paused""#));
    assert!(
        !page.contains("<template"),
        "the page arrives whole, not as streamed fragments only JavaScript can place"
    );
    assert!(page.contains(r#"aria-label="Resume importing""#));

    post_without_js(&app, "resume", &[("id", &id)]).await;
    let (_, page) = app.page("/account/integrations").await;
    assert!(page.contains(r#"data-status="active""#));
}

async fn a_planner_sees_integrations_read_only_and_cannot_pause(engine: Engine) {
    let (app, id, token) = with_integration(engine, "My ACD").await;
    app.add_planner("planner@example.com").await;
    let planner = app.with_client(common::client());
    let signed_in = planner.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    assert_eq!(location(&signed_in), "/account/integrations");

    let (_, page) = planner.page("/account/integrations").await;
    assert!(page.contains("only admins can change them"));
    assert!(!page.contains(r#"data-test="pause""#));
    assert!(!page.contains(r#"data-test="add-integration""#));

    post_without_js(&planner, "pause", &[("id", &id.to_string())]).await;
    let still = planner
        .api(
            Method::GET,
            &format!("/api/v1/integrations/{id}"),
            Some(&token),
            None,
        )
        .await
        .json::<serde_json::Value>()
        .await
        .expect("JSON");
    assert_eq!(
        still["integration"]["status"], "active",
        "a planner's pause changes nothing"
    );
}

async fn the_pause_button_is_named_in_the_users_language(engine: Engine) {
    let (app, _, _) = with_integration(engine, "My ACD").await;
    app.sign_in_as_admin().await;
    app.post_form("/language", &[("language", "nl")]).await;

    let (_, page) = app.page("/account/integrations").await;

    assert!(page.contains(r#"aria-label="Importeren onderbreken""#));
}

async fn another_accounts_integration_page_reveals_nothing(engine: Engine) {
    let (app, id, _) = with_integration(engine, "Secret ACD").await;
    app.another_account("Other Corp", "boss@other.example")
        .await;
    let stranger = app.with_client(common::client());
    // The other account's admin has the decoy password hash: set a real one.
    stranger
        .execute(&format!(
            "UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE email = '{ADMIN_EMAIL}') \
             WHERE email = 'boss@other.example'"
        ))
        .await;
    let signed_in = stranger.sign_in("boss@other.example", ADMIN_PASSWORD).await;
    assert_eq!(location(&signed_in), "/account/integrations");

    let (_, page) = stranger.page(&format!("/account/integrations/{id}")).await;
    assert!(!page.contains("Secret ACD"));
    assert!(page.contains("This integration does not exist."));
    let (_, overview) = stranger.page("/account/integrations").await;
    assert!(!overview.contains("Secret ACD"));
}

async fn the_deleted_filter_shows_deleted_integrations(engine: Engine) {
    let (app, id, token) = with_integration(engine, "Old ACD").await;
    app.api(
        Method::DELETE,
        &format!("/api/v1/integrations/{id}"),
        Some(&token),
        None,
    )
    .await;
    app.sign_in_as_admin().await;

    let (_, overview) = app.page("/account/integrations").await;
    let (_, with_deleted) = app.page("/account/integrations?show=deleted").await;

    assert!(!overview.contains("Old ACD"));
    assert!(with_deleted.contains("Old ACD"));
    assert!(with_deleted.contains(r#"data-status="deleted""#));
}
