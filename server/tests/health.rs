//! `/healthz` and `/readyz` as a load balancer sees them.

mod common;

use common::{Engine, TestApp};
use reqwest::StatusCode;

on_both_engines!(
    healthz_says_the_process_is_alive,
    readyz_fails_when_the_database_is_gone,
);

async fn healthz_says_the_process_is_alive(engine: Engine) {
    let app = TestApp::spawn(engine).await;

    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
}

async fn readyz_fails_when_the_database_is_gone(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: serde_json::Value = ready.json().await.expect("JSON");
    assert_eq!(body["checks"]["database"], "ok");

    app.database.destroy().await;

    let gone = app.get("/readyz").await;
    assert_eq!(gone.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = gone.json().await.expect("JSON");
    assert_eq!(body["status"], "unavailable");
    // The process itself is still alive.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
