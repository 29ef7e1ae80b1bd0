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
    server_functions_answer_with_the_status_their_refusal_means,
    hostile_names_stay_inert_on_every_page_and_in_the_head,
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

/// Calls a server function the way the hydrated page does (no redirect).
async fn call(app: &TestApp, function: &str, form: &[(&str, &str)]) -> StatusCode {
    app.client
        .post(app.url(&format!("/_fn/integrations/{function}")))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .form(form)
        .send()
        .await
        .expect("answered")
        .status()
}

async fn server_functions_answer_with_the_status_their_refusal_means(engine: Engine) {
    let (app, id, _) = with_integration(engine, "My ACD").await;
    let id = id.to_string();
    assert_eq!(
        call(&app, "pause", &[("id", &id)]).await,
        StatusCode::UNAUTHORIZED,
        "not signed in"
    );
    app.add_planner("planner@example.com").await;
    let planner = app.with_client(common::client());
    planner.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    assert_eq!(
        call(&planner, "pause", &[("id", &id)]).await,
        StatusCode::FORBIDDEN,
        "a planner"
    );
    let admin = planner.with_client(common::client());
    admin.sign_in_as_admin().await;
    assert_eq!(
        call(&admin, "pause", &[("id", "999999")]).await,
        StatusCode::NOT_FOUND,
        "no such integration"
    );
    assert_eq!(
        call(&admin, "resume", &[("id", &id)]).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        call(
            &admin,
            "create",
            &[
                ("model", "api"),
                ("name", "  "),
                ("interval", "15"),
                ("contacts", "on")
            ]
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a blank name"
    );
    assert_eq!(call(&admin, "pause", &[("id", &id)]).await, StatusCode::OK);
}

const HOSTILE: &str = "</title><script>alert(1)</script><img src=x onerror=alert(2)>";

async fn hostile_names_stay_inert_on_every_page_and_in_the_head(engine: Engine) {
    let (app, id, token) = with_integration(engine, HOSTILE).await;
    let key: serde_json::Value = app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{id}/api-key"),
            Some(&token),
            None,
        )
        .await
        .json()
        .await
        .expect("JSON");
    let pushed = app
        .client
        .post(app.url("/external-systems/contact-events"))
        .bearer_auth(key["apiKey"].as_str().expect("a key"))
        .json(&serde_json::json!({"data": [{"properties": {"offered": true, "handled": true, "duration": 1.0},
            "queueName": HOSTILE, "queueIdentifier": HOSTILE, "timestamp": "2021-12-06T10:00:00Z"}],
            "meta": {"integrationConfigurationId": id}}))
        .send()
        .await
        .expect("answered");
    assert_eq!(pushed.status(), StatusCode::ACCEPTED);
    let queues: serde_json::Value = app
        .api(Method::GET, "/api/v1/queues", Some(&token), None)
        .await
        .json()
        .await
        .expect("JSON");
    let queue = queues["queues"][0]["id"].as_i64().expect("a queue");
    app.sign_in_as_admin().await;
    app.post_form(
        "/_fn/tokens/create",
        &[("name", HOSTILE), ("expires_in_days", "")],
    )
    .await;
    for path in [
        "/account/integrations".to_owned(),
        format!("/account/integrations/{id}"),
        "/account/queues".to_owned(),
        format!("/account/queues/{queue}"),
        "/account/audit".to_owned(),
        "/profile/tokens".to_owned(),
    ] {
        let (status, page) = app.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        if let Some(at) = page.find("<script>alert(1)") {
            let from = at.saturating_sub(300);
            panic!(
                "{path}: a live script: {}",
                &page[from..(at + 80).min(page.len())]
            );
        }
        assert!(!page.contains("<img src=x"), "{path}: a live image");
        let head = page.split("</head>").next().unwrap_or_default();
        assert_eq!(
            head.matches("</title>").count(),
            head.matches("<title").count(),
            "{path}: the title closes only where it should"
        );
    }
}
