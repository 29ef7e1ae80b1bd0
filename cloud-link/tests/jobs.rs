//! A real `cloud-link run` works for a CSV integration on both engines: it
//! uploads the files of its import folder once each (new content under an
//! old name again, the same content under a new name as a duplicate), and
//! when its integration is deleted it logs a new PIN that pairs it with
//! another integration. A job its previous run died in is finished once
//! by its restart.

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::time::Duration;

use common::{Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{client_folder, drop_file, files_once, link, pin_in_log, start_client};

on_both_engines!(
    a_running_client_uploads_new_files_once_and_pairs_again_when_deleted,
    a_job_the_client_died_in_is_finished_once_after_its_restart,
);

async fn a_running_client_uploads_new_files_once_and_pairs_again_when_deleted(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls from the ACD export", "csv")
        .await;

    let (folder, config) = client_folder(&format!("http://{}", app.addr));
    let import = folder.path().join("import");
    drop_file(&import, "calls-1.csv", "queue;offered\nSales;10\n");
    let _client = start_client(&config, "run");
    let log = folder.path().join("cloud-link.log");
    link(&app, &token, id, &pin_in_log(&log, 1).await).await;

    // The history: what is already in the folder arrives once paired.
    let files = files_once(&app, &token, id, 1, &log).await;
    assert_eq!(files[0]["name"], "calls-1.csv");
    assert_eq!(files[0]["outcome"], "received");
    assert_eq!(files[0]["size"], 23);
    assert_eq!(
        files[0]["sha256"].as_str().map(str::len),
        Some(64),
        "{files:?}"
    );

    // Later scans send only what is new: a copy under another name is a
    // duplicate, new content under an old name is received.
    drop_file(&import, "calls-1 (copy).csv", "queue;offered\nSales;10\n");
    drop_file(&import, "calls-2.csv", "queue;offered\nSales;12\n");
    // A name the console refuses (a control character) is reported once,
    // not sent again at every scan.
    drop_file(&import, "calls\u{7}.csv", "queue;offered\nSales;1\n");
    let files = files_once(&app, &token, id, 3, &log).await;
    let outcomes: Vec<(&str, &str)> = files
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default(),
                f["outcome"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("calls-1.csv", "received"),
            ("calls-1 (copy).csv", "duplicate"),
            ("calls-2.csv", "received"),
        ]
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        files_once(&app, &token, id, 3, &log).await.len(),
        3,
        "nothing is sent twice"
    );
    let text = std::fs::read_to_string(&log).expect("a log");
    assert_eq!(
        text.matches("invalid_file_name").count(),
        1,
        "a refused name is reported once: {text}"
    );
    let shown: Value = app
        .read_json(&format!("/api/v1/integrations/{id}/link"), &token)
        .await;
    assert_eq!(shown["link"]["connected"], true);

    // Deleting the integration revokes the client: it logs a new PIN,
    // which pairs it with another integration (the documented FAQ).
    let deleted = app
        .api(
            Method::DELETE,
            &format!("/api/v1/integrations/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let second = pin_in_log(&log, 2).await;
    let text = std::fs::read_to_string(&log).expect("a log");
    assert!(
        text.contains("no longer accepts this installation"),
        "{text}"
    );
    let next = app
        .linkable_integration(&token, "Calls, the new integration", "csv")
        .await;
    link(&app, &token, next, &second).await;
    let files = files_once(&app, &token, next, 3, &log).await;
    assert!(
        files
            .iter()
            .all(|f| f["outcome"] == "received" || f["outcome"] == "duplicate"),
        "the new integration gets the folder's files as its history: {files:?}"
    );
}

async fn a_job_the_client_died_in_is_finished_once_after_its_restart(engine: Engine) {
    let app = TestApp::spawn_with_short_leases(engine).await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls export", "csv")
        .await;
    let client_info = json!({"host": "file-server", "version": "0.1.0", "os": "linux x86_64"});

    // The first run: paired, it claims the scan, uploads one of the two
    // files, and dies.
    let started: Value = app
        .api(
            Method::POST,
            "/cloud-link/v1/pairings",
            None,
            Some(client_info.clone()),
        )
        .await
        .json()
        .await
        .expect("JSON");
    link(&app, &token, id, started["pin"].as_str().expect("a PIN")).await;
    let granted: Value = app
        .api(
            Method::POST,
            "/cloud-link/v1/token",
            None,
            Some(json!({"deviceCode": started["deviceCode"]})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let credential = granted["credential"].as_str().expect("a credential");
    let offer: Value = app
        .api(
            Method::POST,
            "/cloud-link/v1/jobs/claim?wait=25",
            Some(credential),
            Some(client_info),
        )
        .await
        .json()
        .await
        .expect("a job");
    let job = offer["id"].as_i64().expect("a job id");
    let (folder, config) = client_folder(&format!("http://{}", app.addr));
    let import = folder.path().join("import");
    drop_file(&import, "a.csv", "queue;offered\nSales;10\n");
    drop_file(&import, "b.csv", "queue;offered\nSales;12\n");
    let first = std::fs::read(import.join("a.csv")).expect("a file");
    let sha: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&first)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let uploaded = app
        .client
        .put(app.url(&format!("/cloud-link/v1/jobs/{job}/files/{sha}")))
        .query(&[("name", "a.csv")])
        .bearer_auth(credential)
        .body(first)
        .send()
        .await
        .expect("answered");
    assert_eq!(uploaded.status(), StatusCode::OK);

    // Its restart, with the credential it had kept.
    std::fs::write(
        folder.path().join("cloud-link.state"),
        json!({"serverUrl": format!("http://{}", app.addr), "integrationId": id, "credential": credential})
            .to_string(),
    )
    .expect("written");
    let _client = start_client(&config, "run");
    let log = folder.path().join("cloud-link.log");
    let files = files_once(&app, &token, id, 2, &log).await;
    let names: Vec<&str> = files.iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names, ["a.csv", "b.csv"], "a.csv kept once");

    // The job is ended once, by the restart's attempt.
    let mut ended = Vec::new();
    for _ in 0..300 {
        ended = app
            .database
            .scalars::<String>(&format!(
                "SELECT report_key FROM cloud_link_jobs WHERE id = {job} AND ended_at IS NOT NULL"
            ))
            .await;
        if !ended.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ended, [format!("job-{job}-2")]);
    let listed = app
        .read_json(&format!("/api/v1/integrations/{id}/files"), &token)
        .await;
    assert_eq!(listed["total"], 2);
}
