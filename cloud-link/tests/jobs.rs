//! A real `cloud-link run` works for a CSV integration on both engines: it
//! uploads the files of its import folder once each (new content under an
//! old name again, the same content under a new name as a duplicate), and
//! when its integration is deleted it logs a new PIN that pairs it with
//! another integration.

#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::{
    path::Path,
    process::Stdio,
    time::{Duration, SystemTime},
};

use common::{Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(a_running_client_uploads_new_files_once_and_pairs_again_when_deleted);

/// The `nth` PIN (from 1) the client's log shows.
async fn nth_pin_in_log(log: &Path, nth: usize) -> String {
    for _ in 0..600 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("Enter your pin: ").nth(nth) {
            return rest.chars().take(6).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no PIN number {nth} in {} after 60 s", log.display());
}

/// Writes a file as if it had been there a while (settled).
fn drop_file(folder: &Path, name: &str, content: &str) {
    let path = folder.join(name);
    std::fs::write(&path, content).expect("written");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|file| file.set_modified(SystemTime::now() - Duration::from_secs(60)))
        .expect("dated back");
}

/// The integration's received files once `count` are there, oldest first.
async fn files_once(app: &TestApp, token: &str, id: i64, count: usize, log: &Path) -> Vec<Value> {
    for _ in 0..600 {
        let listed: Value = app
            .api(
                Method::GET,
                &format!("/api/v1/integrations/{id}/files"),
                Some(token),
                None,
            )
            .await
            .json()
            .await
            .expect("JSON");
        let files = listed["files"].as_array().cloned().unwrap_or_default();
        if files.len() >= count {
            return files.into_iter().rev().collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "fewer than {count} files after 60 s; the client's log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

async fn link(app: &TestApp, token: &str, id: i64, pin: &str) {
    let linked = app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{id}/link"),
            Some(token),
            Some(json!({"pin": pin})),
        )
        .await;
    assert_eq!(linked.status(), StatusCode::OK);
}

async fn a_running_client_uploads_new_files_once_and_pairs_again_when_deleted(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls from the ACD export", "csv")
        .await;

    let folder = tempfile::tempdir().expect("a folder");
    let import = folder.path().join("import");
    std::fs::create_dir(&import).expect("an import folder");
    drop_file(&import, "calls-1.csv", "queue;offered\nSales;10\n");
    let server_url = format!("http://{}", app.addr);
    let config = folder.path().join("cloud-link.toml");
    std::fs::write(
        &config,
        format!(
            "[app]\nname = \"com.example.cloud-link\"\nimportDirectory = \"import\"\n\n\
             [server]\nurl = \"{server_url}\"\n"
        ),
    )
    .expect("written");
    let _client = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-link"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("cloud-link starts");
    let log = folder.path().join("cloud-link.log");
    link(&app, &token, id, &nth_pin_in_log(&log, 1).await).await;

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
        .api(
            Method::GET,
            &format!("/api/v1/integrations/{id}/link"),
            Some(&token),
            None,
        )
        .await
        .json()
        .await
        .expect("JSON");
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
    let second = nth_pin_in_log(&log, 2).await;
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
