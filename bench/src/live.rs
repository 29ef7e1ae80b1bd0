//! `make bench` (fifth part): the live intraday board (issue 14, ADR 0014).
//!
//! 5 000 mapped agents; a continuous feed sends 500 status changes a
//! second for a fixed time (`BENCH_SECONDS`, default 20) while
//! `BENCH_BOARDS` boards (default 20) are connected over WebSockets. For
//! every change every board receives, the delay from the feed's send to
//! the board's receipt; p50 and p99, how many changes each board missed,
//! and the server's memory. On SQLite, and on PostgreSQL when a server
//! answers. Target: p99 under 100 ms on one machine.
//!
//! Writes `bench/results/live.json`.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{ensure, Context};
use bench::server::{binary, postgres_admin, postgres_database, sqlite_url, write_results, Server};
use chrono::{SecondsFormat, Utc};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

const AGENTS: usize = 5_000;
const CHANGES_PER_SECOND: usize = 500;
/// Activities the changes go round.
const ACTIVITIES: usize = 7;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn agent(n: usize) -> String {
    format!("agent-{n:04}@bench.example")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank]
}

/// When each change was sent, by agent id and activity.
type Sent = Arc<Mutex<HashMap<(String, String), Instant>>>;

async fn socket(
    server: &Server,
    path: &str,
    secret: &str,
) -> anyhow::Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let mut request = format!("ws://{}{path}", server.addr).into_client_request()?;
    request.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {secret}"))?,
    );
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// 5 000 employees whose email addresses are their agent ids, statuses of
/// each agent so they are discovered, and auto-match maps them all.
async fn mapped_agents(server: &Server, id: i64, key: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for part in 0..2 {
        let mut file = String::from("name,email\n");
        for n in part * AGENTS / 2..(part + 1) * AGENTS / 2 {
            file.push_str(&format!("Agent {n:04},{}\n", agent(n)));
        }
        let imported = client
            .post(server.url("/api/v1/employees/import"))
            .bearer_auth(&server.token)
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await?;
        ensure!(
            imported.status().is_success(),
            "importing employees: {}",
            imported.text().await?
        );
    }
    let started = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let data: Vec<Value> = (0..AGENTS)
        .map(|n| json!({"agentIdentifier": agent(n), "activityIdentifier": "Ready", "startTime": started}))
        .collect();
    let sent = client
        .post(server.url("/external-systems/agent-statuses"))
        .bearer_auth(key)
        .json(&json!({"meta": {"integrationConfigurationId": id, "externalSystem": "bench"}, "data": data}))
        .send()
        .await?;
    ensure!(
        sent.status().as_u16() == 202,
        "statuses: {}",
        sent.text().await?
    );
    loop {
        let matched: Value = client
            .post(server.url(&format!(
                "/api/v1/integrations/{id}/agent-mappings/auto-match"
            )))
            .bearer_auth(&server.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if matched["more"] != true {
            break;
        }
    }
    let state: Value = client
        .get(server.url("/api/v1/intraday?limit=1"))
        .bearer_auth(&server.token)
        .send()
        .await?
        .json()
        .await?;
    ensure!(
        state["total"] == AGENTS,
        "every agent is mapped (the board counts {})",
        state["total"]
    );
    Ok(())
}

async fn run(
    server: &Server,
    engine: &str,
    seconds: usize,
    boards: usize,
) -> anyhow::Result<Value> {
    let id = server
        .create_integration(
            json!({"name": "Live ACD", "kind": "api", "dataTypes": ["agent_statuses"]}),
        )
        .await?;
    let key: Value = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/integrations/{id}/api-key")))
        .bearer_auth(&server.token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let key = key["apiKey"].as_str().context("a key")?.to_owned();
    mapped_agents(server, id, &key).await?;

    let sent: Sent = Arc::default();
    let delays: Arc<Mutex<Vec<f64>>> = Arc::default();
    let received: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(vec![0; boards]));
    let mut readers = Vec::new();
    for board in 0..boards {
        let mut socket = socket(server, "/api/v1/intraday/live", &server.token).await?;
        let (sent, delays, received) = (sent.clone(), delays.clone(), received.clone());
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let arrived = Instant::now();
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if value["type"] != "agents" {
                    continue;
                }
                for agent in value["agents"].as_array().into_iter().flatten() {
                    let (Some(name), Some(activity)) = (
                        agent["employeeName"].as_str(),
                        agent["externalActivity"].as_str(),
                    ) else {
                        continue;
                    };
                    let Some(n) = name
                        .strip_prefix("Agent ")
                        .and_then(|n| n.parse::<usize>().ok())
                    else {
                        continue;
                    };
                    let at = sent
                        .lock()
                        .ok()
                        .and_then(|sent| sent.get(&(self::agent(n), activity.to_owned())).copied());
                    if let Some(at) = at {
                        if let Ok(mut delays) = delays.lock() {
                            delays.push((arrived - at).as_secs_f64() * 1_000.0);
                        }
                        if let Ok(mut received) = received.lock() {
                            received[board] += 1;
                        }
                    }
                }
            }
        }));
    }

    let feed = socket(server, "/external-systems/agent-statuses/live", &key).await?;
    let (mut to_feed, mut from_feed) = feed.split();
    let acknowledged = tokio::spawn(async move {
        let mut accepted = 0_u64;
        let mut rejected = 0_u64;
        while let Some(Ok(message)) = from_feed.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(answer) = serde_json::from_str::<Value>(text.as_str()) else {
                continue;
            };
            let count =
                answer["last"].as_u64().unwrap_or(0) + 1 - answer["first"].as_u64().unwrap_or(1);
            match answer["type"].as_str() {
                Some("accepted") => accepted += count,
                _ => rejected += count,
            }
        }
        (accepted, rejected)
    });

    // 500 changes a second, 5 every 10 ms, round the agents: an agent
    // changes every 10 s, each time to the next activity.
    let total = seconds * CHANGES_PER_SECOND;
    let per_tick = CHANGES_PER_SECOND / 100;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let memory_before = server.memory_kib();
    let started = Instant::now();
    let mut n = 0;
    while n < total {
        tick.tick().await;
        for _ in 0..per_tick {
            let agent_id = agent(n % AGENTS);
            let activity = format!("Activity {}", (n / AGENTS) % ACTIVITIES + 1);
            let timestamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
            if let Ok(mut sent) = sent.lock() {
                sent.insert((agent_id.clone(), activity.clone()), Instant::now());
            }
            let message =
                json!({"timestamp": timestamp, "agentId": agent_id, "activityId": activity});
            to_feed.send(Message::text(message.to_string())).await?;
            n += 1;
        }
    }
    let sending = started.elapsed();
    // Let the last changes arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let memory_after = server.memory_kib();
    to_feed.close().await.ok();
    let (accepted, rejected) = tokio::time::timeout(Duration::from_secs(10), acknowledged)
        .await
        .unwrap_or(Ok((0, 0)))
        .unwrap_or((0, 0));
    for reader in readers {
        reader.abort();
    }

    let mut delays = delays.lock().map(|d| d.clone()).unwrap_or_default();
    delays.sort_by(f64::total_cmp);
    let received = received.lock().map(|r| r.clone()).unwrap_or_default();
    let fewest = received.iter().copied().min().unwrap_or(0);
    let report = json!({
        "engine": engine,
        "agents": AGENTS,
        "boards": boards,
        "seconds": seconds,
        "changesSent": total,
        "changesPerSecond": (total as f64 / sending.as_secs_f64()).round(),
        "changesAcknowledged": accepted,
        "changesRejected": rejected,
        "receipts": delays.len(),
        "fewestReceivedByOneBoard": fewest,
        "delayMs": {
            "p50": (percentile(&delays, 0.50) * 10.0).round() / 10.0,
            "p90": (percentile(&delays, 0.90) * 10.0).round() / 10.0,
            "p99": (percentile(&delays, 0.99) * 10.0).round() / 10.0,
            "max": (delays.last().copied().unwrap_or(f64::NAN) * 10.0).round() / 10.0,
        },
        "serverMemoryMiB": {
            "beforeFeed": memory_before / 1024,
            "afterFeed": memory_after / 1024,
            "peak": server.peak_memory_kib() / 1024,
        },
    });
    println!("{engine}: {report:#}");
    Ok(report)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = binary()?;
    let seconds = setting("BENCH_SECONDS", 20);
    let boards = setting("BENCH_BOARDS", 20);
    let work = tempfile::tempdir()?;
    let mut runs = Vec::new();
    {
        let server = Server::start(&binary, &sqlite_url(work.path(), "live"), &[]).await?;
        runs.push(run(&server, "sqlite", seconds, boards).await?);
    }
    if let Some(admin) = postgres_admin() {
        let url = postgres_database(&admin).await?;
        let server = Server::start(&binary, &url, &[]).await?;
        runs.push(run(&server, "postgres", seconds, boards).await?);
    }
    write_results(
        "live",
        &json!({
            "what": "delay from a continuous feed's send to the receipt at each connected board (WebSocket), 5 000 mapped agents, 500 changes a second",
            "target": "p99 under 100 ms",
            "runs": runs,
        }),
    )
}
