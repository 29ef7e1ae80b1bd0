//! `make fuzz`, part of `make test`: schemathesis (from PyPI) against the
//! live release server's `/api/openapi.json`, on SQLite and on PostgreSQL
//! when one answers. Every operation is run with its examples, the
//! coverage and fuzzing phases and the stateful links schemathesis infers;
//! the management and read operations with a personal access token, the
//! ingestion endpoints with an integration's API key. Any 5xx, or any
//! answer that contradicts the document, fails the run.
//!
//! `INTAKE_SCHEMATHESIS` names the `st` to run (the Makefile installs one
//! into a virtual environment); `FUZZ_MAX_EXAMPLES` (30) bounds the examples
//! per operation and `FUZZ_SEED` fixes the generated data, so a failure is
//! reproduced by running again. What is configured and why is in
//! `fuzz/schemathesis.toml`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use bench::server::{binary, postgres_admin, postgres_database, sqlite_url, Server};
use serde_json::json;
use tokio::process::Command;

const CONFIG: &str = "fuzz/schemathesis.toml";

struct Fuzzer {
    st: PathBuf,
    max_examples: String,
    seed: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let fuzzer = Fuzzer {
        st: var("INTAKE_SCHEMATHESIS")
            .context("INTAKE_SCHEMATHESIS names schemathesis' st (make fuzz installs it)")?
            .into(),
        max_examples: var("FUZZ_MAX_EXAMPLES").unwrap_or_else(|| "30".into()),
        seed: var("FUZZ_SEED").unwrap_or_else(|| "20261126".into()),
    };
    let binary = binary()?;
    let work = tempfile::tempdir()?;
    let mut failed = Vec::new();
    let mut engines = vec![("sqlite", sqlite_url(work.path(), "fuzz"))];
    match postgres_admin() {
        Some(admin) => engines.push(("postgres", postgres_database(&admin).await?)),
        None => eprintln!(
            "no PostgreSQL answers on 127.0.0.1:5432 (or INTAKE_BENCH_POSTGRES_URL): SQLite only"
        ),
    }
    for (engine, url) in engines {
        println!("\n== schemathesis on {engine} ==");
        failed.extend(
            fuzz(&fuzzer, &binary, &url)
                .await?
                .into_iter()
                .map(|part| format!("{engine}: {part}")),
        );
    }
    if !failed.is_empty() {
        bail!("schemathesis found problems in: {}", failed.join(", "));
    }
    println!("\nschemathesis found no problem");
    Ok(())
}

/// Runs both parts on a fresh server; returns the parts that failed.
async fn fuzz(fuzzer: &Fuzzer, binary: &Path, url: &str) -> anyhow::Result<Vec<&'static str>> {
    let server = Server::start(binary, url, &[]).await?;
    let (id, key) = server.api_integration_key("Fuzz ACD").await?;
    seed_data(&server, id, &key).await?;
    let schema = server.url("/api/openapi.json");
    let mut failed = Vec::new();
    for (part, credential, filter) in [
        // Ingestion first: the management run may pause or delete the
        // integration whose key it uses.
        ("ingestion", &key, "--include-tag"),
        ("management and reads", &server.token, "--exclude-tag"),
    ] {
        let status = Command::new(&fuzzer.st)
            .args(["--config-file", CONFIG, "run", &schema])
            .args([filter, "ingestion"])
            .args([
                "--max-examples",
                &fuzzer.max_examples,
                "--seed",
                &fuzzer.seed,
            ])
            .args(["--header", &format!("Authorization: Bearer {credential}")])
            // One worker: CPython 3.11 can fail with "AST constructor
            // recursion depth mismatch" when schemathesis' threads compile
            // at once, which would fail a run for the interpreter's sake.
            .args(["--workers", "1"])
            .env("PYTHONPATH", "fuzz")
            .env("SCHEMATHESIS_HOOKS", "hooks")
            .env("FUZZ_INTEGRATION_ID", id.to_string())
            .status()
            .await
            .with_context(|| format!("running {}", fuzzer.st.display()))?;
        if !status.success() {
            failed.push(part);
        }
    }
    let imports = server.imports(id, 1).await?;
    println!(
        "{} imports recorded: the ingestion run reached the parser and the store",
        imports["total"]
    );
    Ok(failed)
}

/// Both data types on, and a little of each, so reads have rows to page.
async fn seed_data(server: &Server, id: i64, key: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    client
        .patch(server.url(&format!("/api/v1/integrations/{id}")))
        .bearer_auth(&server.token)
        .json(&json!({"dataTypes": ["contacts", "agent_statuses"]}))
        .send()
        .await?
        .error_for_status()?;
    let now = chrono::Utc::now();
    let at = |seconds_ago: i64| {
        (now - chrono::TimeDelta::seconds(seconds_ago))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let events: Vec<_> = (0..20)
        .map(|i| {
            json!({
                "properties": {"offered": true, "handled": i % 3 != 0, "duration": 30 + i},
                "queueName": format!("Queue {}", i % 4),
                "queueIdentifier": format!("q{}", i % 4),
                "timestamp": at(600 + 60 * i),
            })
        })
        .collect();
    let statuses: Vec<_> = (0..5)
        .map(|i| {
            json!({
                "agentIdentifier": format!("agent{i}"),
                "activityIdentifier": "Available",
                "startTime": at(3_600),
            })
        })
        .collect();
    for (path, body) in [
        (
            "/external-systems/contact-events",
            json!({"data": events, "meta": {"integrationConfigurationId": id}}),
        ),
        (
            "/external-systems/agent-statuses",
            json!({"data": statuses, "meta": {"integrationConfigurationId": id, "externalSystem": "Fuzz ACD"}}),
        ),
    ] {
        client
            .post(server.url(path))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}
