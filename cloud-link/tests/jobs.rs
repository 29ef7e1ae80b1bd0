//! A real `cloud-link run` works for a CSV integration on both engines: it
//! uploads the files of its import folder once each (new content under an
//! old name again, the same content under a new name as a duplicate), and
//! when its integration is deleted it logs a new PIN that pairs it with
//! another integration.

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::{process::Stdio, time::Duration};

use common::{Engine, TestApp, ADMIN_EMAIL};
use reqwest::Method;
use serde_json::Value;
use support::{client_folder, drop_file, files_once, link, pin_in_log};

on_both_engines!(a_running_client_uploads_new_files_once_and_pairs_again_when_deleted);

async fn a_running_client_uploads_new_files_once_and_pairs_again_when_deleted(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls from the ACD export", "csv")
        .await;

    let (folder, config) = client_folder(&format!("http://{}", app.addr));
    let import = folder.path().join("import");
    drop_file(&import, "calls-1.csv", "queue;offered\nSales;10\n");
    let _client = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-link"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("cloud-link starts");
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
