//! `make bench` (third part): CSV files (issue 13, DESIGN §4).
//!
//! - A contact-based file of about 7 MB (100 000 contacts in 50 queues)
//!   read, checked and applied through the management API: the time from
//!   sending it to the answer, for a dry run (read and check only) and for
//!   an import, on SQLite. Target: under 2 s.
//! - The designer's preview of a sample (the first 1 000 rows of such a
//!   file) as the page asks for it, signed in: its server function and
//!   the whole page rendered on the server. Target: under 200 ms.
//!
//! Writes `bench/results/csv.json`.

use std::time::{Duration, Instant};

use anyhow::ensure;
use bench::server::{binary, sqlite_url, write_results, Server, EMAIL, PASSWORD};
use serde_json::{json, Value};

const ROWS: usize = 100_000;
const QUEUES: usize = 50;
const RUNS: usize = 5;
const PREVIEWS: usize = 30;

/// 100 000 contacts over a day in 50 queues, `;`-separated with a header,
/// as a phone system exports them.
fn contact_file(rows: usize) -> Vec<u8> {
    let mut file = String::from("Start;Queue;Answered;Talk time;Channel;Caller\n");
    for i in 0..rows {
        let second = (i * 86_399) / rows;
        file.push_str(&format!(
            "02.11.2026 {:02}:{:02}:{:02};Customer service queue {:02};{};{};calls;+49301234{:04}\n",
            second / 3600,
            second / 60 % 60,
            second % 60,
            i % QUEUES,
            u8::from(i % 7 != 0),
            60 + i % 400,
            i % 10_000,
        ));
    }
    file.into_bytes()
}

fn schema() -> Value {
    json!({
        "encoding": "utf-8", "delimiter": "semicolon", "timeZone": "Europe/Berlin",
        "layout": "contacts",
        "columns": {
            "queue": "B",
            "when": {"timestamp": "A", "timestampFormat": "DD.MM.YYYY hh:mm:ss"},
            "channel": "E", "answered": "C", "handleTime": "D", "handleTimeFormat": "seconds"
        }
    })
}

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

fn percentile(mut figures: Vec<f64>, p: f64) -> f64 {
    figures.sort_by(f64::total_cmp);
    let rank = ((figures.len() as f64 - 1.0) * p).round() as usize;
    figures[rank]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = binary()?;
    let work = tempfile::tempdir()?;
    let server = Server::start(&binary, &sqlite_url(work.path(), "csv"), &[]).await?;
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let id = server
        .create_integration(
            json!({"name": "Phone export", "kind": "csv", "dataTypes": ["contacts"]}),
        )
        .await?;
    client
        .put(server.url(&format!("/api/v1/integrations/{id}/csv-schema")))
        .bearer_auth(&server.token)
        .json(&schema())
        .send()
        .await?
        .error_for_status()?;

    let file = contact_file(ROWS);
    println!(
        "\n== a contact-based file of {:.1} MB ({ROWS} rows, {QUEUES} queues), SQLite ==",
        file.len() as f64 / 1e6
    );
    let send = |dry_run: bool| {
        let request = client
            .post(server.url(&format!("/api/v1/integrations/{id}/csv-files")))
            .query(&[
                ("name", "day.csv"),
                ("dryRun", if dry_run { "true" } else { "false" }),
            ])
            .bearer_auth(&server.token)
            .header("Content-Type", "text/csv")
            .body(file.clone());
        async move {
            let started = Instant::now();
            let response = request.send().await?;
            let status = response.status();
            let body = response.text().await?;
            ensure!(
                status.is_success(),
                "the file was refused ({status}): {body}"
            );
            Ok::<_, anyhow::Error>(started.elapsed().as_secs_f64())
        }
    };
    let mut dry = Vec::new();
    let mut applied = Vec::new();
    for _ in 0..RUNS {
        dry.push(send(true).await?);
        applied.push(send(false).await?);
    }
    let (dry, applied) = (median(dry), median(applied));
    println!("read and checked (dry run): {dry:.3} s (median of {RUNS})");
    println!("read, checked and applied:  {applied:.3} s (median of {RUNS}; target < 2 s)");

    println!("\n== the designer's preview of a 1 000-row sample ==");
    let sample = contact_file(1_000);
    let signed_in = client
        .post(server.url("/login"))
        .header("Origin", server.url(""))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await?;
    ensure!(
        signed_in.status().is_success() || signed_in.status().is_redirection(),
        "sign-in failed"
    );
    let boundary = "----intake-bench-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sample.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&sample);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client
        .post(server.url(&format!("/account/integrations/{id}/csv/sample")))
        .header("Origin", server.url(""))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await?;
    let draft = "encoding=utf-8&delimiter=semicolon&time_zone=Europe%2FBerlin&skip_empty=on\
        &layout=contacts&time_source=timestamp&queue=B&timestamp=A\
        &timestamp_format=DD.MM.YYYY+hh%3Amm%3Ass&channel=E&answered=C&handle_time=D\
        &handle_time_format=seconds";
    let mut data = Vec::new();
    let mut pages = Vec::new();
    for _ in 0..PREVIEWS {
        let started = Instant::now();
        let answer = client
            .post(server.url("/_fn/integrations/csv/design"))
            .header("Origin", server.url(""))
            .form(&[("id", id.to_string()), ("draft", draft.to_owned())])
            .send()
            .await?;
        ensure!(
            answer.status().is_success(),
            "the preview failed: {}",
            answer.status()
        );
        let text = answer.text().await?;
        ensure!(
            text.contains("Read"),
            "the sample was not read: {text:.300}"
        );
        data.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let page = client
            .get(server.url(&format!("/account/integrations/{id}/csv?{draft}")))
            .send()
            .await?;
        ensure!(
            page.status().is_success(),
            "the page failed: {}",
            page.status()
        );
        page.text().await?;
        pages.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let preview = json!({
        "sampleRows": 1_000,
        "serverFunctionMs": {"median": median(data.clone()), "p95": percentile(data.clone(), 0.95)},
        "pageMs": {"median": median(pages.clone()), "p95": percentile(pages.clone(), 0.95)},
        "runs": PREVIEWS,
    });
    println!(
        "server function: median {:.1} ms, p95 {:.1} ms; whole page: median {:.1} ms, p95 {:.1} ms (target < 200 ms)",
        median(data.clone()),
        percentile(data, 0.95),
        median(pages.clone()),
        percentile(pages, 0.95)
    );
    tokio::time::sleep(Duration::from_millis(10)).await;

    write_results(
        "csv",
        &json!({
            "benchmark": "csv",
            "engine": "sqlite",
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "unixTime": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs(),
            "file": {"bytes": file.len(), "rows": ROWS, "queues": QUEUES},
            "dryRunSeconds": dry,
            "applySeconds": applied,
            "runs": RUNS,
            "preview": preview,
        }),
    )
}
