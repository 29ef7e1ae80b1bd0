//! `make bench` (second part): what hostile or heavy work costs the server,
//! where only a figure can show it (issue 11, DESIGN §7).
//!
//! - Memory per concurrent maximal ingestion request: the server's peak
//!   resident memory above its idle level while `CONCURRENCY` clients send
//!   the largest body the limits allow — once as 10 000 events with long
//!   names (just under 5 MiB), once as `{"data":[0,0,…]}` of 5 MiB.
//! - A flood of sign-ins, each from its own address with its own email
//!   (so the throttle does not stop it and every one would hash): how long
//!   `/healthz` takes meanwhile, what the flood was answered, and peak
//!   memory.
//! - Another account's pushes while an integration catches up on a large
//!   backlog after a resume: their latency next to the same pushes without
//!   it.
//!
//! Writes `bench/results/cost.json`. SQLite (the harder case: one writer).

use std::time::{Duration, Instant};

use anyhow::Context;
use bench::server::{binary, sqlite_url, write_results, Server};
use serde_json::{json, Value};

const CONCURRENCY: usize = 8;
const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = binary()?;
    let work = tempfile::tempdir()?;
    let url = |name: &str| sqlite_url(work.path(), name);

    println!("\n== a flood of sign-ins from many addresses ==");
    let flood = sign_in_flood(&binary, &url("flood")).await?;
    if std::env::var("BENCH_ONLY_FLOOD").is_ok() {
        return Ok(());
    }

    println!("== memory per concurrent maximal request (SQLite, {CONCURRENCY} clients) ==");
    let events = memory_per_request(&binary, &url("events"), Body::LongEvents).await?;
    let zeros = memory_per_request(&binary, &url("zeros"), Body::TinyItems).await?;

    println!("\n== another account's pushes while a backlog is applied ==");
    let resume = pushes_during_catch_up(&binary, &url("resume")).await?;

    write_results(
        "cost",
        &json!({
            "benchmark": "cost",
            "engine": "sqlite",
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "unixTime": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs(),
            "memoryPerMaximalRequest": [events, zeros],
            "signInFlood": flood,
            "pushesDuringCatchUp": resume,
        }),
    )
}

#[derive(Clone, Copy)]
enum Body {
    LongEvents,
    TinyItems,
}

impl Body {
    fn name(self) -> &'static str {
        match self {
            Self::LongEvents => "10 000 events with 200-character names",
            Self::TinyItems => "{\"data\":[0,0,…]} of 5 MiB",
        }
    }

    fn text(self, id: i64) -> String {
        match self {
            Self::LongEvents => {
                let name = "n".repeat(190);
                let events: Vec<Value> = (0..10_000)
                    .map(|i| {
                        json!({"properties": {"offered": true, "handled": true, "duration": 12.5},
                               "queueName": format!("{name}{i:05}"), "queueIdentifier": format!("q{}", i % 50),
                               "timestamp": format!("2021-12-06T10:{:02}:00Z", i % 60)})
                    })
                    .collect();
                json!({"data": events, "meta": {"integrationConfigurationId": id}}).to_string()
            }
            Self::TinyItems => {
                let head = r#"{"data":["#;
                let tail = format!(r#"0],"meta":{{"integrationConfigurationId":{id}}}}}"#);
                let zeros = (MAX_BODY_BYTES - head.len() - tail.len()) / 2;
                format!("{head}{}{tail}", "0,".repeat(zeros))
            }
        }
    }
}

async fn memory_per_request(
    binary: &std::path::Path,
    url: &str,
    body: Body,
) -> anyhow::Result<Value> {
    let server = Server::start(binary, url, &[]).await?;
    let (id, key) = server.api_integration_key("Bench ACD").await?;
    let text = body.text(id);
    let client = reqwest::Client::new();
    let send = |client: reqwest::Client, text: String| {
        let (url, key) = (server.url("/external-systems/contact-events"), key.clone());
        async move {
            client
                .post(url)
                .bearer_auth(key)
                .header("content-type", "application/json")
                .body(text)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    };
    // Warm up with one request, so the idle level includes what the first
    // request sets up for good (pools, caches).
    send(client.clone(), text.clone()).await?;
    let idle_kib = server.memory_kib();
    let peak_before = server.peak_memory_kib();
    let started = Instant::now();
    let mut statuses = Vec::new();
    while started.elapsed() < Duration::from_secs(5) {
        let round: Vec<_> = (0..CONCURRENCY)
            .map(|_| tokio::spawn(send(client.clone(), text.clone())))
            .collect();
        for request in round {
            statuses.push(request.await??);
        }
    }
    let peak_kib = server.peak_memory_kib().max(peak_before);
    let per_request_kib = peak_kib.saturating_sub(idle_kib) / CONCURRENCY as u64;
    let status = statuses.first().copied().unwrap_or_default();
    println!(
        "{:<42} {} bytes, answered {status}: idle {} MiB, peak {} MiB, {:.1} MiB per concurrent request",
        body.name(),
        text.len(),
        idle_kib / 1024,
        peak_kib / 1024,
        per_request_kib as f64 / 1024.0
    );
    Ok(json!({
        "body": body.name(),
        "bytes": text.len(),
        "status": status,
        "requests": statuses.len(),
        "concurrency": CONCURRENCY,
        "idleKiB": idle_kib,
        "peakKiB": peak_kib,
        "perConcurrentRequestKiB": per_request_kib,
    }))
}

async fn sign_in_flood(binary: &std::path::Path, url: &str) -> anyhow::Result<Value> {
    let attempts: usize = std::env::var("BENCH_SIGN_INS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let server = Server::start(binary, url, &[("INTAKE_TRUSTED_PROXIES", "127.0.0.1")]).await?;
    let idle_kib = server.memory_kib();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let origin = format!("http://{}", server.addr);
    let started = Instant::now();
    let flood: Vec<_> = (0..attempts)
        .map(|n| {
            let request = client
                .post(server.url("/login"))
                .header("origin", &origin)
                .header(
                    "x-forwarded-for",
                    format!("10.{}.{}.{}", n / 65_536, (n / 256) % 256, n % 256),
                )
                .form(&[
                    ("email", format!("guess{n}@example.com")),
                    ("password", "a wrong password".into()),
                ]);
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    // /healthz every 50 ms while the flood lasts.
    let mut health_ms = Vec::new();
    let probe = reqwest::Client::new();
    while flood.iter().any(|request| !request.is_finished()) {
        let asked = Instant::now();
        probe
            .get(server.url("/healthz"))
            .send()
            .await
            .context("healthz")?;
        health_ms.push(asked.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut answers = std::collections::BTreeMap::<u16, usize>::new();
    for request in flood {
        *answers.entry(request.await??).or_default() += 1;
    }
    let lasted = started.elapsed().as_secs_f64();
    health_ms.sort_by(f64::total_cmp);
    let p99 = health_ms
        .get((health_ms.len() * 99 / 100).min(health_ms.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default();
    let max = health_ms.last().copied().unwrap_or_default();
    let peak_kib = server.peak_memory_kib();
    println!(
        "{attempts} sign-ins at once, answered {answers:?} in {lasted:.1} s; /healthz p99 {p99:.1} ms, max {max:.1} ms; memory idle {} MiB, peak {} MiB",
        idle_kib / 1024,
        peak_kib / 1024
    );
    Ok(json!({
        "attempts": attempts,
        "answers": answers,
        "seconds": lasted,
        "healthzP99Ms": p99,
        "healthzMaxMs": max,
        "healthzProbes": health_ms.len(),
        "idleKiB": idle_kib,
        "peakKiB": peak_kib,
    }))
}

/// One small push of another integration, timed.
async fn timed_push(
    client: &reqwest::Client,
    server: &Server,
    key: &str,
    id: i64,
    n: usize,
) -> anyhow::Result<f64> {
    let body = json!({"data": [{"properties": {"offered": true, "handled": true, "duration": 3.0},
        "queueName": "Other", "queueIdentifier": "other", "timestamp": format!("2021-12-07T{:02}:00:00Z", n % 24)}],
        "meta": {"integrationConfigurationId": id}});
    let asked = Instant::now();
    let status = client
        .post(server.url("/external-systems/contact-events"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await?
        .status();
    anyhow::ensure!(
        status.as_u16() == 202,
        "the other push was answered {status}"
    );
    Ok(asked.elapsed().as_secs_f64() * 1000.0)
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: usize| {
        ms.get((ms.len() * p / 100).min(ms.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    (at(50), at(99), ms.last().copied().unwrap_or_default())
}

async fn pushes_during_catch_up(binary: &std::path::Path, url: &str) -> anyhow::Result<Value> {
    const HELD: usize = 300;
    let server = Server::start(binary, url, &[]).await?;
    let (busy, busy_key) = server.api_integration_key("Paused ACD").await?;
    let (other, other_key) = server.api_integration_key("Other ACD").await?;
    let client = reqwest::Client::new();

    let mut quiet = Vec::new();
    for n in 0..200 {
        quiet.push(timed_push(&client, &server, &other_key, other, n).await?);
    }

    client
        .post(server.url(&format!("/api/v1/integrations/{busy}/pause")))
        .bearer_auth(&server.token)
        .send()
        .await?
        .error_for_status()?;
    let events: Vec<Value> = (0..1_000)
        .map(|i| {
            json!({"properties": {"offered": true, "handled": i % 4 != 0, "duration": 30.0 + f64::from(i % 97)},
                   "queueName": format!("Queue {}", i % 10), "queueIdentifier": format!("q{}", i % 10),
                   "timestamp": format!("2021-12-06T{:02}:{:02}:00Z", (i / 60) % 24, i % 60)})
        })
        .collect();
    let held_body =
        json!({"data": events, "meta": {"integrationConfigurationId": busy}}).to_string();
    for _ in 0..HELD {
        client
            .post(server.url("/external-systems/contact-events"))
            .bearer_auth(&busy_key)
            .header("content-type", "application/json")
            .body(held_body.clone())
            .send()
            .await?
            .error_for_status()?;
    }

    let resumed_at = Instant::now();
    let resume = {
        let (client, url, token) = (
            client.clone(),
            server.url(&format!("/api/v1/integrations/{busy}/resume")),
            server.token.clone(),
        );
        tokio::spawn(async move { client.post(url).bearer_auth(token).send().await })
    };
    let mut during = Vec::new();
    let mut n = 0;
    let caught_up = loop {
        during.push(timed_push(&client, &server, &other_key, other, n).await?);
        n += 1;
        if n % 20 == 0 {
            let status: Value = client
                .get(server.url(&format!("/api/v1/integrations/{busy}")))
                .bearer_auth(&server.token)
                .send()
                .await?
                .json()
                .await?;
            if status["integration"]["status"] == "active" {
                break resumed_at.elapsed().as_secs_f64();
            }
        }
        anyhow::ensure!(
            resumed_at.elapsed() < Duration::from_secs(300),
            "no catch-up within 5 minutes"
        );
    };
    let answered_after = resume.await??.status();
    let (quiet_p50, quiet_p99, quiet_max) = percentiles(quiet);
    let (p50, p99, max) = percentiles(during.clone());
    println!(
        "{HELD} held requests of 1 000 events applied in {caught_up:.1} s (resume answered {answered_after}); \
         the other account's pushes: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms \
         (without the catch-up: p50 {quiet_p50:.1}, p99 {quiet_p99:.1}, max {quiet_max:.1})"
    );
    Ok(json!({
        "heldRequests": HELD,
        "eventsPerHeldRequest": 1_000,
        "caughtUpSeconds": caught_up,
        "otherPushes": during.len(),
        "otherP50Ms": p50,
        "otherP99Ms": p99,
        "otherMaxMs": max,
        "quietP50Ms": quiet_p50,
        "quietP99Ms": quiet_p99,
        "quietMaxMs": quiet_max,
    }))
}
