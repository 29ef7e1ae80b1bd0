//! Catching up after a pause: held data is applied a bounded step at a
//! time, in arrival order, exactly once, also across a restart, and the
//! integration is active only once nothing is held.

mod common;

use std::time::Duration;

use common::{Engine, TestApp, ADMIN_EMAIL};
use domain::{
    ingest::replay::{Budget, Step},
    integration::IntegrationId,
    store::Store,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_engines!(
    a_backlog_is_applied_in_bounded_steps_in_order_and_once_across_a_restart,
    data_pushed_while_catching_up_waits_behind_the_backlog,
);

const HELD: usize = 40;

async fn push_status(app: &TestApp, key: &str, id: i64, n: usize) -> Value {
    let response = app
        .client
        .post(app.url("/external-systems/agent-statuses"))
        .bearer_auth(key)
        .json(&json!({"data": [{"agentIdentifier": "bob", "activityIdentifier": format!("activity {n}"),
                                "startTime": "2021-12-06T10:00:00Z"}],
                      "meta": {"integrationConfigurationId": id, "externalSystem": "ACD"}}))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    response.json().await.expect("JSON")
}

async fn bobs_activity(app: &TestApp, token: &str, id: i64) -> String {
    let body = app
        .read_json(
            &format!("/api/v1/integrations/{id}/agent-statuses?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z"),
            token,
        )
        .await;
    body["agentStatuses"][0]["activityIdentifier"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn held_count(app: &TestApp, id: i64) -> i64 {
    app.database
        .scalars::<i64>(&format!(
            "SELECT COUNT(*) FROM imports WHERE integration_id = {id} AND outcome = 'held'"
        ))
        .await[0]
}

/// An integration paused with `HELD` requests held, then marked resuming
/// the way a resume does before it applies anything.
async fn paused_with_backlog(app: TestApp) -> (TestApp, String, i64, String) {
    let app = app.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, key) = app.api_integration(&token, "My ACD", 15).await;
    let paused = app.integration_action(&token, id, "pause").await;
    assert_eq!(paused.status(), StatusCode::OK);
    for n in 0..HELD {
        assert_eq!(push_status(&app, &key, id, n).await["status"], "held");
    }
    (app, token, id, key)
}

/// Starts the server without background catching up, so a test steps it.
async fn spawn_stepping(engine: Engine) -> TestApp {
    let database = common::TestDatabase::create(engine).await;
    TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            catch_up_every: None,
            ..settings
        }
    })
    .await
}

/// Marks the integration resuming, as a resume does before applying.
async fn mark_resuming(app: &TestApp, id: i64) {
    app.execute(&format!(
        "UPDATE integrations SET status = 'resuming' WHERE id = {id}"
    ))
    .await;
}

async fn a_backlog_is_applied_in_bounded_steps_in_order_and_once_across_a_restart(engine: Engine) {
    let (app, token, id, _) = paused_with_backlog(spawn_stepping(engine).await).await;
    mark_resuming(&app, id).await;
    let store = app.store().await;
    let small = Budget {
        imports: 7,
        items: 1_000,
        ..Budget::default()
    };
    let first = store
        .replay_held(IntegrationId(id), small)
        .await
        .expect("a step");
    assert_eq!(
        first,
        Step::Applied {
            imports: 7,
            remaining: (HELD - 7) as u64
        }
    );
    assert_eq!(
        bobs_activity(&app, &token, id).await,
        "activity 6",
        "in arrival order"
    );
    assert_eq!(app.integration_status(&token, id).await, "resuming");
    let by_items = store
        .replay_held(
            IntegrationId(id),
            Budget {
                imports: 50,
                items: 3,
                ..Budget::default()
            },
        )
        .await
        .expect("a step");
    assert_eq!(
        by_items,
        Step::Applied {
            imports: 3,
            remaining: (HELD - 10) as u64
        },
        "the item budget bounds a step too"
    );

    // A restart in the middle: the server picks the work up by itself.
    let (database, client) = app.stop().await;
    let app = TestApp::spawn_with(database, client, |settings| settings).await;
    wait_until_active(&app, &token, id).await;
    assert_eq!(held_count(&app, id).await, 0);
    assert_eq!(
        bobs_activity(&app, &token, id).await,
        format!("activity {}", HELD - 1),
        "the last one sent wins"
    );
    let applied = app
        .database
        .scalars::<i64>(&format!(
            "SELECT COUNT(*) FROM imports WHERE integration_id = {id} AND outcome = 'applied'"
        ))
        .await[0];
    assert_eq!(applied, HELD as i64, "each applied once");
    assert_eq!(
        store
            .replay_held(IntegrationId(id), small)
            .await
            .expect("a step"),
        Step::NotResuming
    );
}

async fn wait_until_active(app: &TestApp, token: &str, id: i64) {
    let mut waited = 0;
    while app.integration_status(token, id).await != "active" {
        assert!(waited < 200, "caught up within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
}

async fn data_pushed_while_catching_up_waits_behind_the_backlog(engine: Engine) {
    let (app, token, id, key) = paused_with_backlog(spawn_stepping(engine).await).await;
    mark_resuming(&app, id).await;
    // Arrives while the backlog is still there: held, behind it.
    let late = push_status(&app, &key, id, 999).await;
    assert_eq!(late["status"], "held");
    let resumed = app.integration_action(&token, id, "resume").await;
    assert_eq!(resumed.status(), StatusCode::CONFLICT, "already resuming");
    let (_, page) = {
        app.sign_in_as_admin().await;
        app.page(&format!("/account/integrations/{id}")).await
    };
    assert!(
        page.contains(r#"data-test="held""#),
        "the page shows the backlog"
    );
    let store = app.store().await;
    let mut steps = 0;
    while store
        .replay_held(IntegrationId(id), Budget::default())
        .await
        .expect("a step")
        != Step::CaughtUp
    {
        steps += 1;
        assert!(steps < 10, "catches up");
    }
    assert_eq!(app.integration_status(&token, id).await, "active");
    assert_eq!(bobs_activity(&app, &token, id).await, "activity 999");
    assert_eq!(
        push_status(&app, &key, id, 1000).await["status"],
        "applied",
        "once caught up, data is applied at once"
    );
}
