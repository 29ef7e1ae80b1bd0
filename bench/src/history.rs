//! `make bench` (fourth part): a database integration's history job
//! (issue 13, DESIGN §4).
//!
//! Three years of 15-minute interval rows for 50 queues (about 5.3 million
//! rows) in a PostgreSQL table flow through a real, paired Cloud Link
//! client (`target/release/cloud-link`, psqlODBC) into the interval
//! statistics of the release server on SQLite: the time from the first
//! query (once paired and the first job queued) until the last day is
//! applied, the rows a second that makes, against the ingestion API's own
//! figure in `bench/results/ingest.json` (target: at least half). The
//! client's memory is sampled four times a second: it should stay flat,
//! since it holds at most two windows' results at a time.
//!
//! Needs a PostgreSQL server (the local one, or `INTAKE_BENCH_POSTGRES_URL`)
//! and the psqlODBC driver. Writes `bench/results/history.json`.

use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context};
use bench::server::{binary, postgres_admin, postgres_database, sqlite_url, write_results, Server};
use serde_json::{json, Value};

const QUEUES: i64 = 50;
const DAYS: i64 = 3 * 365;

/// The client the benchmark pairs: `INTAKE_BENCH_CLOUD_LINK`, or the
/// release build `make downloads` leaves.
fn client_binary() -> anyhow::Result<PathBuf> {
    let path = std::env::var("INTAKE_BENCH_CLOUD_LINK")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("target/release/cloud-link"));
    ensure!(
        path.exists(),
        "no Cloud Link client at {} (make downloads builds it)",
        path.display()
    );
    Ok(path)
}

/// The resident memory of process `pid`, in KiB.
fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn ingest_rate() -> Option<f64> {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string("bench/results/ingest.json").ok()?).ok()?;
    report["engines"]
        .as_array()?
        .iter()
        .find(|engine| engine["engine"] == "sqlite")?["runs"]
        .as_array()?
        .iter()
        .filter_map(|run| run["eventsPerSecond"].as_f64())
        .reduce(f64::max)
}

/// The imports applied so far and the rows they held; an error on the
/// first rejected one.
async fn imported_rows(server: &Server, id: i64) -> anyhow::Result<(i64, i64)> {
    let (mut applied, mut rows, mut offset) = (0, 0, 0);
    loop {
        let page: Value = reqwest::Client::new()
            .get(server.url(&format!(
                "/api/v1/integrations/{id}/imports?limit=500&offset={offset}"
            )))
            .bearer_auth(&server.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let imports = page["imports"].as_array().cloned().unwrap_or_default();
        for import in &imports {
            ensure!(
                import["outcome"] != "rejected",
                "an import was rejected: {import}"
            );
            applied += 1;
            rows += import["items"].as_i64().unwrap_or(0);
        }
        offset += imports.len();
        if imports.is_empty() || offset as u64 >= page["total"].as_u64().unwrap_or(0) {
            return Ok((applied, rows));
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(admin) = postgres_admin() else {
        println!("no PostgreSQL answers: the history benchmark is skipped");
        return Ok(());
    };
    let binary = binary()?;
    let client = client_binary()?;
    let source_url = postgres_database(&admin).await?;
    let source = sqlx::PgPool::connect(&source_url).await?;
    // The rows lie in the history's reach (it starts 1 095 days back).
    println!("\n== a history of {DAYS} days × 96 intervals × {QUEUES} queues from PostgreSQL ==");
    let started = Instant::now();
    sqlx::query(
        "CREATE TABLE stats (queue_id TEXT, queue_name TEXT, started TIMESTAMP, \
         offered INTEGER, answered INTEGER, handled INTEGER)",
    )
    .execute(&source)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO stats SELECT 'Q' || q, 'Queue ' || q, t, (q + extract(hour FROM t))::int % 40, \
         greatest((q + extract(hour FROM t))::int % 40 - 1, 0), 180 * ((q + extract(hour FROM t))::int % 40) \
         FROM generate_series(date_trunc('day', now()::timestamp) - interval '{} days', \
                              date_trunc('day', now()::timestamp) - interval '15 minutes', interval '15 minutes') AS t \
         CROSS JOIN generate_series(1, {QUEUES}) AS q",
        DAYS - 1
    ))
    .execute(&source)
    .await?;
    sqlx::query("CREATE INDEX stats_started ON stats (started)")
        .execute(&source)
        .await?;
    // As a customer's database would be: its planner knows the table.
    sqlx::query("ANALYZE stats").execute(&source).await?;
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM stats")
        .fetch_one(&source)
        .await?;
    println!(
        "source table filled: {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let work = tempfile::tempdir()?;
    let server = Server::start(
        &binary,
        &sqlite_url(work.path(), "history"),
        &[("INTAKE_DATABASE_HISTORY_DAYS", &DAYS.to_string())],
    )
    .await?;
    let http = reqwest::Client::new();
    let id = server
        .create_integration(
            json!({"name": "ACD statistics", "kind": "database", "dataTypes": ["contacts"]}),
        )
        .await?;
    let database = source_url.rsplit('/').next().context("a database name")?;
    http.put(server.url(&format!("/api/v1/integrations/{id}/database")))
        .bearer_auth(&server.token)
        .json(&json!({
            "databaseType": "postgreSql", "host": "127.0.0.1", "database": database,
            "user": "postgres", "timeZone": "UTC", "dataType": "intervals", "intervalMinutes": 15,
            "query": "SELECT queue_id AS queueidentifier, queue_name AS queuename, started AS timestamp, \
                      offered, answered, handled AS handlingtime FROM stats \
                      WHERE started >= {from} AND started < {to}",
            "realTime": false, "reconciliation": false,
        }))
        .send()
        .await?
        .error_for_status()?;

    let folder = work.path().join("client");
    std::fs::create_dir_all(folder.join("import"))?;
    let config = folder.join("cloud-link.toml");
    std::fs::write(
        &config,
        format!(
            "[app]\nname = \"com.example.bench\"\nimportDirectory = \"import\"\n\n[server]\nurl = \"{}\"\n",
            server.url("")
        ),
    )?;
    let mut child = tokio::process::Command::new(&client)
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("the client runs")?;
    let log = folder.join("cloud-link.log");
    let pin = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("Enter your pin: ").nth(1) {
            break rest.chars().take(6).collect::<String>();
        }
        if let Ok(Some(status)) = child.try_wait() {
            bail!("the client stopped: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    http.post(server.url(&format!("/api/v1/integrations/{id}/link")))
        .bearer_auth(&server.token)
        .json(&json!({"pin": pin}))
        .send()
        .await?
        .error_for_status()?;
    // The flow is timed from the first query on: how long the client
    // takes to collect its credential and the scheduler to queue the
    // first job is not the rate the history flows at.
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains(": importing ")
    {
        if let Ok(Some(status)) = child.try_wait() {
            bail!("the client stopped: {status}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = Instant::now();
    let mut memory = Vec::new();
    let (applied, imported) = loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        memory.push(resident_kib(pid));
        let (applied, imported) = imported_rows(&server, id).await?;
        if imported >= rows {
            break (applied, imported);
        }
        if started.elapsed() > Duration::from_secs(1800) {
            bail!("the history was not imported within 30 minutes ({imported} of {rows} rows)");
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let rate = rows as f64 / seconds;
    let ingest = ingest_rate();
    let third = memory.len() / 3;
    let early = memory[..third.max(1)].iter().copied().max().unwrap_or(0);
    let late = memory[memory.len() - third.max(1)..]
        .iter()
        .copied()
        .max()
        .unwrap_or(0);
    println!("{applied} imports ({imported} rows) in {seconds:.1} s: {rate:.0} rows/s");
    match ingest {
        Some(ingest) => println!(
            "the ingestion API's best on SQLite: {ingest:.0} events/s; ratio {:.2} (target ≥ 0.5)",
            rate / ingest
        ),
        None => println!("no bench/results/ingest.json to compare with"),
    }
    println!(
        "client memory: {early} KiB at most in the first third, {late} KiB in the last (flat when close)"
    );
    child.kill().await?;
    server.kill().await?;
    source.close().await;
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&admin).await?;
        sqlx::query(&format!("DROP DATABASE {database}"))
            .execute(&mut admin)
            .await?;
    }
    write_results(
        "history",
        &json!({
            "benchmark": "database history through Cloud Link",
            "rows": rows,
            "days": DAYS,
            "queues": QUEUES,
            "imports": applied,
            "seconds": seconds,
            "rowsPerSecond": rate,
            "ingestEventsPerSecond": ingest,
            "ratioToIngest": ingest.map(|ingest| rate / ingest),
            "clientMemoryKiB": {"firstThirdMax": early, "lastThirdMax": late, "samples": memory.len()},
        }),
    )
}
