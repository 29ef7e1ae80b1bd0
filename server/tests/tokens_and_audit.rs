//! Personal access tokens made in the profile, and the audit log.

mod common;

use common::{Engine, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    a_token_made_in_the_profile_works_until_revoked,
    the_audit_log_lists_who_did_what_newest_first,
    only_admins_read_the_audit_log,
);

/// Calls a server function as the page's JavaScript does, and reads its JSON.
async fn call(app: &TestApp, function: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url(&format!("/_fn/{function}")))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .form(form)
        .send()
        .await
        .expect("answered");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_token_made_in_the_profile_works_until_revoked(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    app.sign_in_as_admin().await;

    let (status, created) = call(
        &app,
        "tokens/create",
        &[("name", "nightly export"), ("expires_in_days", "30")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let secret = created["secret"]
        .as_str()
        .expect("the secret, once")
        .to_owned();
    assert!(secret.starts_with("itp_"));
    assert!(created["token"]["expires_at"].is_string());

    let (_, listed) = call(&app, "tokens/list", &[]).await;
    assert_eq!(listed[0]["name"], "nightly export");
    assert!(
        !listed.to_string().contains(&secret),
        "the list never shows the secret"
    );
    let (_, page) = app.page("/profile/tokens").await;
    assert!(page.contains("nightly export"));
    assert!(!page.contains(&secret));

    let works = app
        .api(Method::GET, "/api/v1/integrations", Some(&secret), None)
        .await;
    assert_eq!(works.status(), StatusCode::OK);

    let id = listed[0]["id"].as_i64().expect("an id").to_string();
    let (status, _) = call(&app, "tokens/revoke", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::OK);
    let refused = app
        .api(Method::GET, "/api/v1/integrations", Some(&secret), None)
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let (status, _) = call(
        &app,
        "tokens/create",
        &[("name", "  "), ("expires_in_days", "30")],
    )
    .await;
    assert!(
        status.is_server_error() || status.is_client_error(),
        "a blank name is refused"
    );
}

async fn the_audit_log_lists_who_did_what_newest_first(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let created = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&token),
            Some(json!({"name": "My ACD", "kind": "api"})),
        )
        .await
        .json::<Value>()
        .await
        .expect("JSON");
    let path = format!("/api/v1/integrations/{}", created["integration"]["id"]);
    for step in ["/pause", "/resume", "/api-key", "/api-key"] {
        app.api(Method::POST, &format!("{path}{step}"), Some(&token), None)
            .await;
    }
    app.api(Method::DELETE, &path, Some(&token), None).await;
    app.sign_in_as_admin().await;

    let (status, page) = app.page("/account/audit").await;

    assert_eq!(status, StatusCode::OK);
    let order: Vec<&str> = [
        "integration_deleted",
        "api_key_generated",
        "api_key_revoked",
        "api_key_generated",
        "integration_resumed",
        "integration_paused",
        "integration_created",
        "token_created",
    ]
    .into_iter()
    .collect();
    let mut at = 0;
    for action in &order {
        let found = page[at..].find(&format!(r#"data-action="{action}""#));
        assert!(found.is_some(), "{action} appears after the newer entries");
        at += found.unwrap_or_default() + 1;
    }
    assert!(page.contains(ADMIN_EMAIL));
    assert!(page.contains("My ACD"));
}

async fn only_admins_read_the_audit_log(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    app.add_planner("planner@example.com").await;
    let signed_in = app.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    assert_eq!(common::location(&signed_in), "/account/integrations");

    let (_, page) = app.page("/account/audit").await;

    assert!(page.contains("Only admins can change integrations."));
    assert!(!page.contains(r#"data-test="audit-row""#));
}
