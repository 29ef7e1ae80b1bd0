//! A kill -9 loses nothing acknowledged and keeps nothing half-received:
//! the real `intake` binary is killed with SIGKILL while a Cloud Link
//! client's upload is half sent, then started again on the same database;
//! the client's retry is kept exactly once. On both engines.

mod common;

use std::{path::Path, time::Duration};

use bench::server::{provision, Server};
use common::{Engine, TestDatabase};
use serde_json::{json, Value};
use sha2::Digest;
use tokio::io::AsyncWriteExt;

on_both_engines!(a_server_killed_mid_upload_keeps_the_retried_file_once);

const SETTINGS: &[(&str, &str)] = &[("INTAKE_CLOUD_LINK_SCAN_SECONDS", "1")];

/// The JSON answer to `request`.
async fn json(request: reqwest::RequestBuilder) -> Value {
    request
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON")
}

/// Pairs a client with a new CSV integration through the protocol and the
/// management API; the integration and the client's credential.
async fn paired_csv(server: &Server) -> (i64, String) {
    let http = reqwest::Client::new();
    let created = json(
        http.post(server.url("/api/v1/integrations"))
            .bearer_auth(&server.token)
            .json(&json!({"name": "Calls export", "kind": "csv"})),
    )
    .await;
    let id = created["integration"]["id"].as_i64().expect("an id");
    let started = json(
        http.post(server.url("/cloud-link/v1/pairings"))
            .json(&json!({"host": "file-server", "version": "0.1.0", "os": "linux x86_64"})),
    )
    .await;
    let linked = http
        .post(server.url(&format!("/api/v1/integrations/{id}/link")))
        .bearer_auth(&server.token)
        .json(&json!({"pin": started["pin"]}))
        .send()
        .await
        .expect("answered");
    assert!(linked.status().is_success(), "{}", linked.status());
    let granted = json(
        http.post(server.url("/cloud-link/v1/token"))
            .json(&json!({"deviceCode": started["deviceCode"]})),
    )
    .await;
    let credential = granted["credential"].as_str().expect("a credential");
    (id, credential.to_owned())
}

async fn claim(server: &Server, credential: &str) -> i64 {
    let offer = json(
        reqwest::Client::new()
            .post(server.url("/cloud-link/v1/jobs/claim?wait=25"))
            .bearer_auth(credential)
            .json(&json!({"host": "file-server", "version": "0.1.0", "os": "linux x86_64"})),
    )
    .await;
    offer["id"].as_i64().expect("a job id")
}

async fn files(server: &Server, id: i64) -> Value {
    json(
        reqwest::Client::new()
            .get(server.url(&format!("/api/v1/integrations/{id}/files")))
            .bearer_auth(&server.token),
    )
    .await
}

async fn a_server_killed_mid_upload_keeps_the_retried_file_once(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let binary = Path::new(env!("CARGO_BIN_EXE_intake"));
    let token = provision(binary, &database.url).await.expect("provisioned");
    let server = Server::serve(binary, &database.url, SETTINGS, token.clone())
        .await
        .expect("serving");
    let (id, credential) = paired_csv(&server).await;
    let job = claim(&server, &credential).await;

    // A 2 MiB file, half sent when the power goes.
    let content: Vec<u8> = (0..2 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let sha: String = sha2::Sha256::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let path = format!("/cloud-link/v1/jobs/{job}/files/{sha}?name=calls.csv");
    let mut socket = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connected");
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {credential}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        content.len()
    );
    socket.write_all(head.as_bytes()).await.expect("sent");
    socket
        .write_all(&content[..content.len() / 2])
        .await
        .expect("sent");
    socket.flush().await.expect("sent");
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill().await.expect("killed");
    drop(socket);

    let server = Server::serve(binary, &database.url, SETTINGS, token)
        .await
        .expect("serving again");
    assert_eq!(files(&server, id).await["total"], 0, "nothing half-kept");

    // The client sends it again, and once more as if the answer was lost.
    for _ in 0..2 {
        let kept = json(
            reqwest::Client::new()
                .put(server.url(&path))
                .bearer_auth(&credential)
                .body(content.clone()),
        )
        .await;
        assert_eq!(kept["outcome"], "received");
    }
    let listed = files(&server, id).await;
    assert_eq!(listed["total"], 1, "kept exactly once: {listed}");
    assert_eq!(listed["files"][0]["size"], content.len());
    assert_eq!(listed["files"][0]["sha256"], sha);
    server.kill().await.expect("killed");
}
