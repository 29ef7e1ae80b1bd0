//! A query job end to end on both engines: an admin asks a database
//! integration's real client to run a probe over ODBC against this
//! machine's PostgreSQL (Debian's psqlODBC driver), and reads back the row
//! count and the first rows; a failing query reports why, and the
//! connection string is not kept once the job has ended.

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use common::{error_code, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{client_folder, link, pin_in_log, start_client};

on_both_engines!(a_database_integrations_client_runs_a_probe_over_odbc);

/// Where the ODBC driver finds this machine's PostgreSQL.
fn connection() -> String {
    std::env::var("INTAKE_TEST_ODBC_CONNECTION").unwrap_or_else(|_| {
        "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=postgres;Uid=postgres;"
            .to_owned()
    })
}

async fn probe(app: &TestApp, token: &str, id: i64, sql: &str) -> reqwest::Response {
    app.api(
        Method::POST,
        &format!("/api/v1/integrations/{id}/link/probe"),
        Some(token),
        Some(json!({"connection": connection(), "sql": sql})),
    )
    .await
}

/// The job once it has ended.
async fn ended(app: &TestApp, token: &str, id: i64, job: i64) -> Value {
    for _ in 0..600 {
        let shown = app
            .read_json(&format!("/api/v1/integrations/{id}/jobs/{job}"), token)
            .await;
        if matches!(shown["job"]["state"].as_str(), Some("succeeded" | "failed")) {
            return shown["job"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {job} did not end within a minute");
}

async fn a_database_integrations_client_runs_a_probe_over_odbc(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Call records", "database")
        .await;
    assert_eq!(
        error_code(probe(&app, &token, id, "SELECT 1").await)
            .await
            .1,
        "not_connected"
    );

    let (folder, config) = client_folder(&format!("http://{}", app.addr));
    let text = std::fs::read_to_string(&config).expect("a configuration");
    std::fs::write(&config, text.replace("[app]\n", "[app]\nverbose = true\n")).expect("written");
    let _client = start_client(&config, "run");
    let log = folder.path().join("cloud-link.log");
    link(&app, &token, id, &pin_in_log(&log, 1).await).await;
    for _ in 0..100 {
        let shown = app
            .read_json(&format!("/api/v1/integrations/{id}/link"), &token)
            .await;
        if shown["link"]["connected"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let queued = probe(
        &app,
        &token,
        id,
        "SELECT 1 AS one, 'Sales' AS queue, NULL AS nothing UNION ALL SELECT 2, 'Support', NULL",
    )
    .await;
    assert_eq!(queued.status(), StatusCode::ACCEPTED);
    let queued: Value = queued.json().await.expect("JSON");
    assert_eq!(queued["job"]["task"], "runQuery");
    let job = queued["job"]["id"].as_i64().expect("a job id");
    let done = ended(&app, &token, id, job).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(
        done["result"]["columns"],
        json!(["one", "queue", "nothing"])
    );
    assert_eq!(done["result"]["rowCount"], 2);
    assert_eq!(done["result"]["rows"][0], json!(["1", "Sales", null]));
    let logged = std::fs::read_to_string(&log).expect("a log");
    assert!(
        logged.contains("2 row(s); columns: one, queue, nothing"),
        "{logged}"
    );
    assert!(
        logged.contains("2\tSupport\tNULL"),
        "verbose logs the rows: {logged}"
    );

    // What the client needed to connect is not kept after the job.
    let kept: Vec<String> = app
        .database
        .scalars(&format!(
            "SELECT task FROM cloud_link_jobs WHERE id = {job}"
        ))
        .await;
    assert!(!kept[0].contains("Driver="), "{kept:?}");

    let queued: Value = probe(&app, &token, id, "SELECT FROM nowhere at all")
        .await
        .json()
        .await
        .expect("JSON");
    let failed = ended(
        &app,
        &token,
        id,
        queued["job"]["id"].as_i64().expect("an id"),
    )
    .await;
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("the query failed")),
        "{failed}"
    );
}
