//! Database integrations end to end on both engines: a real client,
//! paired, imports through ODBC from this machine's PostgreSQL (psqlODBC)
//! and MariaDB (MariaDB Connector/ODBC) into the queues' interval
//! statistics — the history first, then the newest data, then the last
//! day again so a corrected row arrives — and a query whose result lacks
//! a column is reported by the column's name in the import history.
//! The schedule's periods are shortened to seconds; what they are in
//! production is `domain::database::import`'s to test.

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::{process::Command, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use common::{Engine, TestApp, TestDatabase, ADMIN_EMAIL};
use domain::{
    csv::zone::TimeZone,
    database::import::{parameter, Periods},
    ingest::interval_start,
    integration::IntervalLength,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{client_folder, link, pin_in_log, start_client};

on_both_engines!(interval_data_flows_from_postgresql_and_corrections_arrive);
on_both_engines!(contact_data_flows_from_mariadb);
on_both_engines!(agent_statuses_flow_from_postgresql);

const ZONE: &str = "Europe/Berlin";

/// A server whose database imports run every second, reading two days of
/// history.
async fn quick_app(engine: Engine) -> TestApp {
    let database = TestDatabase::create(engine).await;
    TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            job_schedule: domain::cloud_link::job::JobSchedule {
                imports: Periods {
                    history: TimeDelta::days(2),
                    every: Duration::from_secs(1),
                    real_time_every: Duration::from_secs(1),
                    reconcile_every: Duration::from_secs(2),
                },
                ..settings.job_schedule
            },
            ..settings
        }
    })
    .await
    .with_admin()
    .await
}

/// The start of a quarter-hour `ago` before now, and how the database
/// writes it (local time in `ZONE`).
fn quarter_hour_ago(ago: TimeDelta) -> (DateTime<Utc>, String) {
    let at = interval_start(Utc::now() - ago, IntervalLength::Fifteen);
    let zone = TimeZone::parse(ZONE).expect("a zone");
    (at, parameter(zone.local(at)))
}

/// Pairs a client with the integration; the client stops with the test.
async fn paired_client(
    app: &TestApp,
    token: &str,
    id: i64,
) -> (tempfile::TempDir, tokio::process::Child) {
    let (folder, config) = client_folder(&format!("http://{}", app.addr));
    let text = std::fs::read_to_string(&config).expect("a configuration");
    std::fs::write(&config, text.replace("[app]\n", "[app]\nverbose = true\n")).expect("written");
    let client = start_client(&config, "run");
    let log = folder.path().join("cloud-link.log");
    link(app, token, id, &pin_in_log(&log, 1).await).await;
    (folder, client)
}

/// The offered count of the queue named `name` at `start`, once it is
/// `expected`, within a minute.
async fn wait_for_offered(
    app: &TestApp,
    token: &str,
    name: &str,
    start: DateTime<Utc>,
    expected: i64,
) {
    let mut seen = Value::Null;
    for _ in 0..600 {
        let queues = app.read_json("/api/v1/queues", token).await;
        let queue = queues["queues"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|queue| queue["queueName"] == name)
            .and_then(|queue| queue["id"].as_i64());
        if let Some(queue) = queue {
            let from = start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let to =
                (start + TimeDelta::minutes(15)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            seen = app
                .read_json(
                    &format!("/api/v1/queues/{queue}/intervals?from={from}&to={to}"),
                    token,
                )
                .await;
            if seen["intervals"][0]["offered"] == expected {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let queues = app.read_json("/api/v1/queues", token).await;
    panic!("{name} at {start} never offered {expected}: {seen}; queues {queues}");
}

/// The import history's entries, newest first.
async fn imports(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    app.read_json(&format!("/api/v1/integrations/{id}/imports"), token)
        .await["imports"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn postgres() -> sqlx::PgPool {
    let url = std::env::var("INTAKE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    sqlx::PgPool::connect(&url)
        .await
        .expect("PostgreSQL answers")
}

async fn interval_data_flows_from_postgresql_and_corrections_arrive(engine: Engine) {
    let source = postgres().await;
    let table = format!("acd_stats_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE TABLE {table} (queue_id TEXT, queue_name TEXT, started TIMESTAMP, \
         offered INTEGER, answered INTEGER, talk_seconds NUMERIC(10, 2))"
    ))
    .execute(&source)
    .await
    .expect("a table");
    // One row in the history (older than a day), two in the last day.
    let (old, old_local) = quarter_hour_ago(TimeDelta::hours(30));
    let (recent, recent_local) = quarter_hour_ago(TimeDelta::hours(5));
    let (newest, newest_local) = quarter_hour_ago(TimeDelta::minutes(20));
    for (queue, name, at, offered) in [
        ("Q1", "Sales", &old_local, 4),
        ("Q1", "Sales", &recent_local, 7),
        ("Q2", "Support", &newest_local, 3),
    ] {
        sqlx::query(&format!(
            "INSERT INTO {table} VALUES ($1, $2, $3::timestamp, $4, $4 - 1, 120.5 * $4)"
        ))
        .bind(queue)
        .bind(name)
        .bind(at)
        .bind(offered)
        .execute(&source)
        .await
        .expect("a row");
    }

    let app = quick_app(engine).await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "ACD statistics", "database")
        .await;
    let settings = |query: String| {
        json!({
            "databaseType": "postgreSql", "host": "127.0.0.1", "port": 5432,
            "database": "postgres", "user": "postgres",
            "timeZone": ZONE, "dataType": "intervals", "intervalMinutes": 15,
            "query": query, "realTime": false, "reconciliation": true,
        })
    };
    app.save_database_settings(
        &token,
        id,
        settings(format!(
            "SELECT queue_id AS queueidentifier, queue_name AS queuename, started AS timestamp, \
             offered, answered, talk_seconds AS handlingtime FROM {table} \
             WHERE started >= {{from}} AND started < {{to}}"
        )),
    )
    .await;
    let (_folder, _client) = paired_client(&app, &token, id).await;

    wait_for_offered(&app, &token, "Sales", old, 4).await;
    wait_for_offered(&app, &token, "Sales", recent, 7).await;
    wait_for_offered(&app, &token, "Support", newest, 3).await;
    // The history's two days came in one job: a window sent while the
    // next was read.
    let log = std::fs::read_to_string(_folder.path().join("cloud-link.log")).unwrap_or_default();
    assert!(most_windows_in_a_job(&log) >= 2, "{log}");

    // A correction at the source, hours back, arrives by reconciliation.
    sqlx::query(&format!(
        "UPDATE {table} SET offered = 9 WHERE started = $1::timestamp"
    ))
    .bind(&recent_local)
    .execute(&source)
    .await
    .expect("corrected");
    wait_for_offered(&app, &token, "Sales", recent, 9).await;

    // A column left unnamed is reported by its name.
    app.save_database_settings(
        &token,
        id,
        settings(format!(
            "SELECT queue_id AS queueidentifier, queue_name AS queuename, started AS timestamp, \
             offered, answered, talk_seconds FROM {table} WHERE started >= {{from}}"
        )),
    )
    .await;
    let mut history = Vec::new();
    for _ in 0..600 {
        history = imports(&app, &token, id).await;
        if history.iter().any(|entry| entry["outcome"] == "rejected") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rejected = history
        .iter()
        .find(|entry| entry["outcome"] == "rejected")
        .unwrap_or_else(|| panic!("no rejected import: {history:?}"));
    let summary = rejected["errorSummary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("has no column handlingtime") && summary.contains("talk_seconds"),
        "{rejected}"
    );
    assert!(
        history.iter().any(|entry| entry["outcome"] == "applied"
            && entry["fileName"]
                .as_str()
                .is_some_and(|name| name.starts_with("Reconciliation "))),
        "{history:?}"
    );

    sqlx::query(&format!("DROP TABLE {table}"))
        .execute(&source)
        .await
        .expect("dropped");
}

/// The most windows one job read, by the client's log.
fn most_windows_in_a_job(log: &str) -> usize {
    let mut jobs = std::collections::HashMap::<&str, usize>::new();
    for line in log.lines() {
        if let Some((job, _)) = line
            .split_once(" job ")
            .and_then(|(_, rest)| rest.split_once(": importing "))
        {
            *jobs.entry(job).or_default() += 1;
        }
    }
    jobs.into_values().max().unwrap_or(0)
}

/// Runs SQL in MariaDB's `test` database with its command-line client.
fn mariadb(sql: &str) {
    let done = Command::new("mariadb")
        .args(["-h", "127.0.0.1", "-u", "root", "test", "-e", sql])
        .output()
        .expect("the mariadb client runs");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
}

async fn contact_data_flows_from_mariadb(engine: Engine) {
    let table = format!("calls_{}", uuid::Uuid::new_v4().simple());
    mariadb(&format!(
        "CREATE TABLE {table} (queue VARCHAR(50), started DATETIME, answered TINYINT, \
         duration INT, channel VARCHAR(20))"
    ));
    let (start, local) = quarter_hour_ago(TimeDelta::hours(3));
    let first =
        chrono::NaiveDateTime::parse_from_str(&local, "%Y-%m-%d %H:%M:%S").expect("a timestamp");
    let at = |minutes: i64| parameter(first + TimeDelta::minutes(minutes));
    mariadb(&format!(
        "INSERT INTO {table} VALUES ('Hotline', '{}', 1, 100, NULL), ('Hotline', '{}', 0, NULL, NULL), \
         ('Hotline', '{}', 1, 60, 'chats')",
        at(1),
        at(7),
        at(9)
    ));

    let app = quick_app(engine).await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Call records", "database")
        .await;
    app.save_database_settings(
        &token,
        id,
        json!({
            "databaseType": "mySql", "host": "127.0.0.1", "port": 3306,
            "database": "test", "user": "root",
            "timeZone": ZONE, "dataType": "contacts",
            "query": format!(
                "SELECT queue AS queueidentifier, queue AS queuename, started AS timestamp, \
                 answered, duration, channel FROM {table} \
                 WHERE started >= {{from}} AND started < {{to}} AND channel IS NULL"
            ),
            "realTime": true, "reconciliation": false,
        }),
    )
    .await;
    let (_folder, _client) = paired_client(&app, &token, id).await;
    // Two calls in the quarter-hour (the chat is left out by the query).
    wait_for_offered(&app, &token, "Hotline", start, 2).await;

    // *Test connection* runs through the same client and driver, and
    // shows the driver's own words when it fails.
    let settings = |user: &str| {
        json!({
            "databaseType": "mySql", "host": "127.0.0.1", "database": "test", "user": user,
            "timeZone": ZONE, "dataType": "contacts",
            "query": "SELECT 1 WHERE {from} IS NOT NULL",
        })
    };
    let worked = test_connection(&app, &token, id, settings("root")).await;
    assert_eq!(worked["state"], "succeeded", "{worked}");
    assert_eq!(worked["result"]["rows"][0][0], "1", "{worked}");
    let failed = test_connection(&app, &token, id, settings("nobody_here")).await;
    assert_eq!(failed["state"], "failed", "{failed}");
    assert!(
        failed["message"].as_str().is_some_and(
            |m| m.starts_with("cannot connect to the database") && m.contains("nobody_here")
        ),
        "{failed}"
    );
    mariadb(&format!("DROP TABLE {table}"));
}

/// Runs *Test connection* with `settings` (waiting while the client is
/// busy with an import) and gives the job once it ended.
async fn test_connection(app: &TestApp, token: &str, id: i64, settings: Value) -> Value {
    let mut job = None;
    for _ in 0..200 {
        let queued = app
            .api(
                Method::POST,
                &format!("/api/v1/integrations/{id}/database/test"),
                Some(token),
                Some(settings.clone()),
            )
            .await;
        if queued.status() == StatusCode::ACCEPTED {
            let queued: Value = queued.json().await.expect("JSON");
            assert_eq!(queued["job"]["task"], "testConnection");
            job = queued["job"]["id"].as_i64();
            break;
        }
        assert_eq!(queued.status(), StatusCode::CONFLICT, "busy with an import");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let job = job.expect("the test was queued");
    for _ in 0..600 {
        let shown = app
            .read_json(&format!("/api/v1/integrations/{id}/jobs/{job}"), token)
            .await;
        if matches!(shown["job"]["state"].as_str(), Some("succeeded" | "failed")) {
            return shown["job"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the test did not end within a minute");
}

async fn agent_statuses_flow_from_postgresql(engine: Engine) {
    let source = postgres().await;
    let table = format!("agent_states_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE TABLE {table} (agent TEXT, state TEXT, started TIMESTAMP, ended TIMESTAMP)"
    ))
    .execute(&source)
    .await
    .expect("a table");
    let (talk, talk_local) = quarter_hour_ago(TimeDelta::hours(2));
    let (brk, break_local) = quarter_hour_ago(TimeDelta::minutes(90));
    sqlx::query(&format!(
        "INSERT INTO {table} VALUES ('bob', 'Talk', $1::timestamp, $2::timestamp), \
         ('bob', 'Break', $2::timestamp, NULL)"
    ))
    .bind(&talk_local)
    .bind(&break_local)
    .execute(&source)
    .await
    .expect("rows");

    let app = quick_app(engine).await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let created: Value = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&token),
            Some(json!({"name": "Agent states", "kind": "database",
                        "dataTypes": ["agent_statuses"]})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let id = created["integration"]["id"].as_i64().expect("an id");
    app.save_database_settings(
        &token,
        id,
        json!({
            "databaseType": "postgreSql", "host": "127.0.0.1",
            "database": "postgres", "user": "postgres",
            "timeZone": ZONE, "dataType": "agentStatuses",
            "query": format!(
                "SELECT agent AS agentidentifier, state AS activity, started AS starttime, \
                 ended AS endtime FROM {table} WHERE started >= {{from}} AND started < {{to}}"
            ),
            "realTime": true, "reconciliation": true,
        }),
    )
    .await;
    let (_folder, _client) = paired_client(&app, &token, id).await;
    let stamp = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let address = format!(
        "/api/v1/integrations/{id}/agent-statuses?from={}&to={}",
        stamp(talk - TimeDelta::hours(1)),
        stamp(Utc::now() + TimeDelta::hours(1))
    );
    let mut read = Value::Null;
    for _ in 0..600 {
        read = app.read_json(&address, &token).await;
        if read["agentStatuses"]
            .as_array()
            .is_some_and(|s| s.len() == 2)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let statuses: Vec<(String, String, Value)> = read["agentStatuses"]
        .as_array()
        .unwrap_or_else(|| panic!("{read}"))
        .iter()
        .map(|s| {
            (
                s["activityIdentifier"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                s["startTime"].as_str().unwrap_or_default().to_owned(),
                s["endTime"].clone(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("Talk".to_owned(), stamp(talk), json!(stamp(brk))),
            ("Break".to_owned(), stamp(brk), Value::Null),
        ],
        "{read}"
    );
    sqlx::query(&format!("DROP TABLE {table}"))
        .execute(&source)
        .await
        .expect("dropped");
}
