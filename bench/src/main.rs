//! `make bench`: how fast a 1 000-event contact-events request is accepted
//! end to end, next to how fast the same database bulk-inserts the same
//! rows directly (the physical ceiling: `COPY` on PostgreSQL, one prepared
//! multi-row insert per transaction on SQLite). DESIGN §7 asks for a ratio
//! of at least 0.5 and p99 under 50 ms for one client on SQLite.
//!
//! The load comes from `oha` (crates.io); this program starts the release
//! server, sets up an account and an API integration through the product's
//! own CLI and API, runs oha at several concurrencies, measures the
//! ceiling, prints a table and writes `bench/results/ingest.json`.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use bench::server::{postgres_database, sqlite_url, write_results, Server};
use serde_json::{json, Value};
use tokio::process::Command;

const EVENTS_PER_REQUEST: usize = 1_000;

struct Config {
    binary: PathBuf,
    seconds: u64,
    concurrencies: Vec<usize>,
    postgres: Option<String>,
}

impl Config {
    fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let seconds = var("BENCH_SECONDS")
            .map_or(Ok(10), |s| s.parse())
            .context("BENCH_SECONDS")?;
        let concurrencies = var("BENCH_CONCURRENCY")
            .unwrap_or_else(|| "1,4,16".into())
            .split(',')
            .map(|c| c.trim().parse().context("BENCH_CONCURRENCY"))
            .collect::<anyhow::Result<_>>()?;
        let postgres = bench::server::postgres_admin();
        Ok(Self {
            binary: bench::server::binary()?,
            seconds,
            concurrencies,
            postgres,
        })
    }
}

/// One request's events: ten queues over one hour of a fixed day, with
/// handle times to the hundredth of a second that do not repeat in a short
/// cycle, so the kept body compresses no better than real data would.
fn events() -> Vec<Value> {
    (0..EVENTS_PER_REQUEST)
        .map(|i| {
            let duration = 5.0 + ((i * 7_919 + 104_729) % 90_000) as f64 / 100.0;
            json!({
                "properties": {"offered": true, "handled": i % 5 != 0, "duration": duration},
                "queueName": format!("Queue {}", i % 10),
                "queueIdentifier": format!("q{}", i % 10),
                "timestamp": format!("2021-12-06T10:{:02}:{:02}Z", (i / 60) % 60, i % 60),
                "channel": "calls",
            })
        })
        .collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    let work = tempfile::tempdir()?;
    let mut engines =
        vec![run_engine(&config, "sqlite", &sqlite_url(work.path(), "intake")).await?];
    match &config.postgres {
        Some(admin) => {
            engines.push(run_engine(&config, "postgres", &postgres_database(admin).await?).await?)
        }
        None => eprintln!(
            "no PostgreSQL answers on 127.0.0.1:5432 (or INTAKE_BENCH_POSTGRES_URL): SQLite only"
        ),
    }
    let report = json!({
        "benchmark": "ingest",
        "eventsPerRequest": EVENTS_PER_REQUEST,
        "secondsPerRun": config.seconds,
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "unixTime": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs(),
        "engines": engines,
    });
    write_results("ingest", &report)
}

async fn run_engine(config: &Config, engine: &str, url: &str) -> anyhow::Result<Value> {
    println!("\n== {engine} ==");
    let server = Server::start(&config.binary, url, &[]).await?;
    let key = server.api_integration_key("Bench ACD").await?;
    let body_file = tempfile::NamedTempFile::new()?;
    std::fs::write(
        body_file.path(),
        json!({"data": events(), "meta": {"integrationConfigurationId": key.0}}).to_string(),
    )?;

    let mut runs = Vec::new();
    for &concurrency in &config.concurrencies {
        let run = oha(config, &server.addr, &key.1, body_file.path(), concurrency).await?;
        runs.push(run);
    }
    let peak_kib = server.peak_memory_kib();
    drop(server);
    let request_bytes = std::fs::metadata(body_file.path())?.len();
    let kept_bytes = kept_body_bytes(url).await?;

    let ceiling = match engine {
        "sqlite" => {
            let dir = tempfile::tempdir()?;
            sqlite_ceiling(&sqlite_url(dir.path(), "ceiling"), config.seconds).await?
        }
        _ => {
            postgres_ceiling(
                &postgres_database(config.postgres.as_deref().unwrap_or_default()).await?,
                config.seconds,
            )
            .await?
        }
    };
    println!(
        "{:>11} {:>12} {:>9} {:>9} {:>7} {:>8}",
        "concurrency", "events/s", "p50 ms", "p99 ms", "ratio", "errors"
    );
    let mut rows = Vec::new();
    for run in runs {
        let ratio = run.events_per_second / ceiling;
        println!(
            "{:>11} {:>12.0} {:>9.2} {:>9.2} {:>7.2} {:>8}",
            run.concurrency, run.events_per_second, run.p50_ms, run.p99_ms, ratio, run.non_2xx
        );
        rows.push(json!({
            "concurrency": run.concurrency,
            "requestsPerSecond": run.requests_per_second,
            "eventsPerSecond": run.events_per_second,
            "p50Ms": run.p50_ms,
            "p99Ms": run.p99_ms,
            "non2xx": run.non_2xx,
            "ratioToCeiling": ratio,
        }));
    }
    println!(
        "bulk-insert ceiling: {ceiling:.0} rows/s; peak server memory: {} MiB; \
         a {request_bytes}-byte body is kept in {kept_bytes:.0} bytes",
        peak_kib / 1024
    );
    Ok(json!({
        "engine": engine,
        "ceilingRowsPerSecond": ceiling,
        "ceilingMethod": if engine == "sqlite" { "one prepared 1000-row INSERT per transaction" } else { "COPY FROM STDIN, 1000 rows per COPY" },
        "peakServerMemoryKiB": peak_kib,
        "requestBytes": request_bytes,
        "keptBodyBytes": kept_bytes,
        "runs": rows,
    }))
}

/// How many bytes a kept (compressed) request body takes, on average.
async fn kept_body_bytes(url: &str) -> anyhow::Result<f64> {
    const SQL: &str = "SELECT CAST(AVG(LENGTH(body)) AS DOUBLE PRECISION) FROM import_bodies";
    use sqlx::Connection;
    let average: Option<f64> = if url.starts_with("sqlite:") {
        let mut connection = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query_scalar(&SQL.replace("DOUBLE PRECISION", "REAL"))
            .fetch_one(&mut connection)
            .await?
    } else {
        let mut connection = sqlx::PgConnection::connect(url).await?;
        sqlx::query_scalar(SQL).fetch_one(&mut connection).await?
    };
    Ok(average.unwrap_or_default())
}

struct Run {
    concurrency: usize,
    requests_per_second: f64,
    events_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    non_2xx: u64,
}

async fn oha(
    config: &Config,
    addr: &str,
    key: &str,
    body: &Path,
    concurrency: usize,
) -> anyhow::Result<Run> {
    let output = Command::new("oha")
        .args([
            "--no-tui",
            "--output-format",
            "json",
            "-m",
            "POST",
            "-T",
            "application/json",
        ])
        .arg("-z")
        .arg(format!("{}s", config.seconds))
        .arg("-c")
        .arg(concurrency.to_string())
        .arg("-H")
        .arg(format!("Authorization: Bearer {key}"))
        .arg("-D")
        .arg(body)
        .arg(format!("http://{addr}/external-systems/contact-events"))
        .output()
        .await
        .context("oha runs (make bench installs it)")?;
    if !output.status.success() {
        bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let report: Value = serde_json::from_slice(&output.stdout).context("oha's JSON")?;
    let codes = report["statusCodeDistribution"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let accepted = codes.get("202").and_then(Value::as_u64).unwrap_or(0);
    let non_2xx: u64 = codes
        .iter()
        .filter(|(code, _)| !code.starts_with('2'))
        .filter_map(|(_, n)| n.as_u64())
        .sum();
    let total_seconds = report["summary"]["total"]
        .as_f64()
        .unwrap_or(config.seconds as f64);
    let requests_per_second = accepted as f64 / total_seconds;
    let percentile =
        |p: &str| report["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1000.0;
    Ok(Run {
        concurrency,
        requests_per_second,
        events_per_second: requests_per_second * EVENTS_PER_REQUEST as f64,
        p50_ms: percentile("p50"),
        p99_ms: percentile("p99"),
        non_2xx,
    })
}

const CEILING_TABLE: &str = "CREATE TABLE raw_events (queue_identifier TEXT NOT NULL, queue_name TEXT NOT NULL, \
     channel TEXT NOT NULL, at TEXT NOT NULL, offered BOOLEAN NOT NULL, handled BOOLEAN NOT NULL, duration_ms BIGINT NOT NULL)";

/// Rows a second SQLite takes as one prepared 1000-row insert per
/// transaction, with the server's own settings (WAL, synchronous FULL).
async fn sqlite_ceiling(url: &str, seconds: u64) -> anyhow::Result<f64> {
    use std::str::FromStr;

    use sqlx::{sqlite::SqliteConnectOptions, Connection};
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
    let mut connection = sqlx::SqliteConnection::connect_with(&options).await?;
    sqlx::query(CEILING_TABLE).execute(&mut connection).await?;
    let rows = ceiling_rows();
    let mut sql = String::from("INSERT INTO raw_events VALUES ");
    sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?)"; rows.len()].join(", "));
    let started = Instant::now();
    let mut inserted = 0_usize;
    while started.elapsed() < Duration::from_secs(seconds) {
        let mut tx = connection.begin().await?;
        let mut query = sqlx::query(&sql);
        for row in &rows {
            query = query
                .bind(&row.0)
                .bind(&row.1)
                .bind("calls")
                .bind(&row.2)
                .bind(true)
                .bind(row.3)
                .bind(row.4);
        }
        query.execute(&mut *tx).await?;
        tx.commit().await?;
        inserted += rows.len();
    }
    Ok(inserted as f64 / started.elapsed().as_secs_f64())
}

/// Rows a second PostgreSQL takes through `COPY … FROM STDIN`.
async fn postgres_ceiling(url: &str, seconds: u64) -> anyhow::Result<f64> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(url).await?;
    sqlx::query(CEILING_TABLE).execute(&mut connection).await?;
    let csv: String = ceiling_rows()
        .iter()
        .map(|(id, name, at, handled, ms)| format!("{id},{name},calls,{at},true,{handled},{ms}\n"))
        .collect();
    let rows = EVENTS_PER_REQUEST;
    let started = Instant::now();
    let mut inserted = 0_usize;
    while started.elapsed() < Duration::from_secs(seconds) {
        let mut copy = connection
            .copy_in_raw("COPY raw_events FROM STDIN WITH (FORMAT csv)")
            .await?;
        copy.send(csv.as_bytes()).await?;
        copy.finish().await?;
        inserted += rows;
    }
    Ok(inserted as f64 / started.elapsed().as_secs_f64())
}

/// The bench request's events as table rows.
fn ceiling_rows() -> Vec<(String, String, String, bool, i64)> {
    events()
        .iter()
        .map(|event| {
            (
                event["queueIdentifier"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                event["queueName"].as_str().unwrap_or_default().to_owned(),
                event["timestamp"].as_str().unwrap_or_default().to_owned(),
                event["properties"]["handled"].as_bool().unwrap_or_default(),
                (event["properties"]["duration"].as_f64().unwrap_or_default() * 1000.0) as i64,
            )
        })
        .collect()
}
