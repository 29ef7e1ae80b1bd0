//! Concurrent changes of one integration: every write is a compare and
//! set, so a delete is final, a resume is never undone by a racing edit,
//! and a stale write is told so with a 409.

mod common;

use common::{Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    a_racing_pause_or_edit_never_brings_a_deleted_integration_back,
    an_edit_racing_a_resume_never_pauses_it_again,
);

async fn app_with_integration(engine: Engine) -> (TestApp, String, i64) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, _) = app.api_integration(&token, "My ACD", 15).await;
    (app, token, id)
}

/// Sends `requests` at once and returns their statuses in the same order.
async fn at_once(
    app: &TestApp,
    token: &str,
    requests: Vec<(Method, String, Option<Value>)>,
) -> Vec<StatusCode> {
    let sent: Vec<_> = requests
        .into_iter()
        .map(|(method, path, body)| {
            let mut request = app
                .client
                .request(method, app.url(&path))
                .bearer_auth(token);
            if let Some(body) = body {
                request = request.json(&body);
            }
            tokio::spawn(request.send())
        })
        .collect();
    let mut statuses = Vec::new();
    for request in sent {
        statuses.push(request.await.expect("joins").expect("answered").status());
    }
    statuses
}

async fn a_racing_pause_or_edit_never_brings_a_deleted_integration_back(engine: Engine) {
    let (app, token, _) = app_with_integration(engine).await;
    for round in 0..8 {
        let (id, _) = app
            .api_integration(&token, &format!("Round {round}"), 15)
            .await;
        let path = format!("/api/v1/integrations/{id}");
        let statuses = at_once(
            &app,
            &token,
            vec![
                (
                    Method::PATCH,
                    path.clone(),
                    Some(json!({"name": format!("Renamed {round}")})),
                ),
                (Method::POST, format!("{path}/pause"), None),
                (Method::DELETE, path.clone(), None),
                (
                    Method::PATCH,
                    path.clone(),
                    Some(json!({"intervalMinutes": 30})),
                ),
                (Method::POST, format!("{path}/api-key"), None),
            ],
        )
        .await;
        for status in &statuses {
            assert!(
                status.is_success() || *status == StatusCode::CONFLICT,
                "round {round}: {statuses:?}"
            );
        }
        assert!(statuses[2].is_success(), "the delete: {statuses:?}");
        assert_eq!(
            app.integration_status(&token, id).await,
            "deleted",
            "round {round}"
        );
    }
}

async fn an_edit_racing_a_resume_never_pauses_it_again(engine: Engine) {
    let (app, token, id) = app_with_integration(engine).await;
    let path = format!("/api/v1/integrations/{id}");
    for round in 0..10 {
        let paused = app.integration_action(&token, id, "pause").await;
        assert_eq!(paused.status(), StatusCode::OK, "round {round}");
        let statuses = at_once(
            &app,
            &token,
            vec![
                (
                    Method::PATCH,
                    path.clone(),
                    Some(json!({"name": format!("Name {round}")})),
                ),
                (Method::POST, format!("{path}/resume"), None),
            ],
        )
        .await;
        assert!(
            statuses[0].is_success() || statuses[0] == StatusCode::CONFLICT,
            "{statuses:?}"
        );
        assert!(statuses[1].is_success(), "the resume: {statuses:?}");
        assert_eq!(
            app.integration_status(&token, id).await,
            "active",
            "round {round}"
        );
    }
}
