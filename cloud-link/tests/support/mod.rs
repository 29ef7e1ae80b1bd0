//! What the client tests share: a client folder with its configuration and
//! an import folder, files dropped into it, the PINs in its log, and the
//! server's view of what arrived.

#![allow(dead_code, reason = "each test crate uses the part it needs")]

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::TestApp;

/// The `nth` PIN (from 1) the client's log shows, within a minute.
pub async fn pin_in_log(log: &Path, nth: usize) -> String {
    for _ in 0..600 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("Enter your pin: ").nth(nth) {
            return rest.chars().take(6).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no PIN number {nth} in {} after 60 s", log.display());
}

/// Writes a file as if it had been there a while (settled, not being
/// written any more).
pub fn drop_file(folder: &Path, name: &str, content: &str) {
    let path = folder.join(name);
    std::fs::write(&path, content).expect("written");
    std::fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|file| file.set_modified(SystemTime::now() - Duration::from_secs(60)))
        .expect("dated back");
}

/// A client folder for `server_url` with an empty `import` folder; the
/// folder (deleted when dropped) and the configuration's path.
pub fn client_folder(server_url: &str) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("a folder");
    std::fs::create_dir(folder.path().join("import")).expect("an import folder");
    let config = folder.path().join("cloud-link.toml");
    std::fs::write(
        &config,
        format!(
            "[app]\nname = \"com.example.cloud-link\"\nimportDirectory = \"import\"\n\n\
             [server]\nurl = \"{server_url}\"\n"
        ),
    )
    .expect("written");
    (folder, config)
}

/// `cloud-link --config <config> <command>`, its output dropped, killed
/// when the test ends.
pub fn start_client(config: &Path, command: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-link"))
        .arg("--config")
        .arg(config)
        .arg(command)
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("cloud-link starts")
}

/// An admin enters `pin` on the integration through the management API.
pub async fn link(app: &TestApp, token: &str, id: i64, pin: &str) -> Value {
    let linked = app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{id}/link"),
            Some(token),
            Some(json!({"pin": pin})),
        )
        .await;
    assert_eq!(linked.status(), StatusCode::OK);
    linked.json().await.expect("JSON")
}

/// The integration's received files once `count` are there, oldest first;
/// the client's log when they do not come within a minute.
pub async fn files_once(
    app: &TestApp,
    token: &str,
    id: i64,
    count: usize,
    log: &Path,
) -> Vec<Value> {
    for _ in 0..600 {
        let listed = app
            .read_json(&format!("/api/v1/integrations/{id}/files"), token)
            .await;
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
