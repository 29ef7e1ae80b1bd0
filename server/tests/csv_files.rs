//! CSV integrations through the management API (issue 13): the schema,
//! files previewed and imported whole, the intervals a file covers
//! replaced, refusals listed by line and column in the import history.

mod common;

use common::{error_code, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    a_schema_is_saved_read_back_and_keeps_its_layout,
    a_file_is_imported_whole_and_again_without_counting_twice,
    a_file_with_problems_changes_nothing_and_is_listed_with_them,
    files_are_not_imported_while_paused,
    a_query_maps_a_file_in_its_sandbox,
    a_query_that_writes_or_runs_away_is_refused_with_its_reason,
);

/// A CSV integration carrying contacts in 30-minute intervals.
async fn set_up(engine: Engine) -> (TestApp, String, i64) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app.csv_integration(&token, "ACD export").await;
    (app, token, id)
}

/// A `;` file with `dd/mm/yyyy` dates, a title line and a total line.
fn schema() -> Value {
    json!({
        "encoding": "windows-1252",
        "delimiter": "semicolon",
        "timeZone": "Europe/Berlin",
        "skipFirstLines": 1,
        "skipEmptyLines": true,
        "skipLinesContaining": ["Total"],
        "layout": "intervals",
        "intervalMinutes": 30,
        "missingValues": "zero",
        "columns": {
            "queue": "A",
            "when": {"date": "B", "dateFormat": "DD/MM/YYYY", "time": "C", "timeFormat": "hh:mm"},
            "offered": "D",
            "answered": "E",
            "handleTime": "F"
        }
    })
}

const FILE: &[u8] = b"Daily report \xE9t\xE9\r\n\
    Queue;Date;Time;Offered;Answered;AHT\r\n\
    Caf\xE9;02/11/2026;08:00;10;8;90,5\r\n\
    Caf\xE9;02/11/2026;09:00;4;4;60\r\n\
    Total;;;14;12;\r\n";

async fn put_schema(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.api(
        Method::PUT,
        &format!("/api/v1/integrations/{id}/csv-schema"),
        Some(token),
        Some(body),
    )
    .await
}

async fn send_file(
    app: &TestApp,
    token: &str,
    id: i64,
    name: &str,
    dry_run: bool,
    content: &[u8],
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/integrations/{id}/csv-files")))
        .query(&[("name", name), ("dryRun", &dry_run.to_string())])
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(content.to_vec())
        .send()
        .await
        .expect("answered")
}

/// The offered count of each 30-minute interval of the only queue, by
/// local start (Berlin is UTC+1 in November).
async fn offered(app: &TestApp, token: &str) -> Vec<(String, i64)> {
    let queues = app.read_json("/api/v1/queues", token).await;
    assert_eq!(queues["total"], 1, "{queues}");
    let queue = queues["queues"][0]["id"].as_i64().expect("an id");
    let intervals = app
        .read_json(
            &format!(
                "/api/v1/queues/{queue}/intervals?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z"
            ),
            token,
        )
        .await;
    intervals["intervals"]
        .as_array()
        .expect("intervals")
        .iter()
        .map(|i| {
            (
                i["start"].as_str().unwrap_or_default().to_owned(),
                i["offered"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

async fn a_schema_is_saved_read_back_and_keeps_its_layout(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let path = format!("/api/v1/integrations/{id}/csv-schema");
    assert_eq!(
        error_code(app.api(Method::GET, &path, Some(&token), None).await).await,
        (StatusCode::CONFLICT, "no_schema".into(), String::new())
    );

    let saved = put_schema(&app, &token, id, schema()).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.expect("JSON");
    assert_eq!(saved["version"], 1);
    let read = app.read_json(&path, &token).await;
    assert_eq!(
        read["schema"]["columns"]["when"]["dateFormat"],
        "DD/MM/YYYY"
    );
    assert_eq!(read["schema"]["delimiter"], "semicolon");

    let mut changed = schema();
    changed["skipFirstLines"] = 2.into();
    let saved: Value = put_schema(&app, &token, id, changed)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(saved["version"], 2);

    // The layout is fixed once saved; so is the interval length.
    let mut other = schema();
    other["intervalMinutes"] = 15.into();
    assert_eq!(
        error_code(put_schema(&app, &token, id, other).await).await,
        (
            StatusCode::CONFLICT,
            "layout_fixed".into(),
            "/layout".into()
        )
    );
    // Data the integration does not carry.
    let agents = json!({"encoding": "utf-8", "delimiter": "comma", "timeZone": "UTC",
        "layout": "agentStatuses", "columns": {"agent": "A", "activity": "B",
        "when": {"timestamp": "C", "timestampFormat": "YYYY-MM-DD hh:mm:ss"}}});
    assert_eq!(
        error_code(put_schema(&app, &token, id, agents).await)
            .await
            .1,
        "data_type_not_carried"
    );
    // Every problem at once.
    let mut wrong = schema();
    wrong["timeZone"] = "Europe/Atlantis".into();
    wrong["columns"]["offered"] = "4".into();
    let response = put_schema(&app, &token, id, wrong).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/timeZone", "/columns/offered"]);

    // Only admins save; only CSV integrations have one.
    app.add_planner("pat@example.com").await;
    let planner = app.token_for("pat@example.com").await;
    assert_eq!(
        put_schema(&app, &planner, id, schema()).await.status(),
        StatusCode::FORBIDDEN
    );
    let (api, _key) = app.api_integration(&token, "Push", 15).await;
    assert_eq!(
        error_code(put_schema(&app, &token, api, schema()).await)
            .await
            .1,
        "not_csv"
    );
    let audited: Vec<String> = app
        .database
        .scalars("SELECT action FROM audit_events WHERE action = 'csv_schema_saved'")
        .await;
    assert_eq!(audited.len(), 2);
}

async fn a_file_is_imported_whole_and_again_without_counting_twice(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    assert_eq!(
        error_code(send_file(&app, &token, id, "day.csv", false, FILE).await)
            .await
            .1,
        "no_schema"
    );
    put_schema(&app, &token, id, schema()).await;

    let preview = send_file(&app, &token, id, "day.csv", true, FILE).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: Value = preview.json().await.expect("JSON");
    assert_eq!(
        preview["file"],
        json!({"rows": 2, "queues": 1, "intervals": 3, "agentStatuses": 0, "futureRows": 0})
    );
    assert_eq!(
        app.read_json("/api/v1/queues", &token).await["total"],
        0,
        "a dry run stores nothing"
    );

    for _ in 0..2 {
        let imported = send_file(&app, &token, id, "day.csv", false, FILE).await;
        assert_eq!(imported.status(), StatusCode::CREATED);
        let imported: Value = imported.json().await.expect("JSON");
        assert_eq!(imported["import"]["outcome"], "applied");
        assert_eq!(imported["import"]["items"], 2);
        assert_eq!(imported["import"]["fileName"], "day.csv");
    }
    // Sent twice, counted once; the gap at 08:30 local is zero.
    let expected = vec![
        ("2026-11-02T07:00:00Z".to_owned(), 10),
        ("2026-11-02T07:30:00Z".to_owned(), 0),
        ("2026-11-02T08:00:00Z".to_owned(), 4),
    ];
    assert_eq!(offered(&app, &token).await, expected);
    let queues = app.read_json("/api/v1/queues", &token).await;
    assert_eq!(queues["queues"][0]["queueName"], "Café");

    // A corrected file replaces what it covers, and only that.
    let corrected: &[u8] =
        b"Report\nQueue;Date;Time;Offered;Answered;AHT\nCaf\xE9;02/11/2026;09:00;6;5;60\n";
    assert_eq!(
        send_file(&app, &token, id, "fix.csv", false, corrected)
            .await
            .status(),
        StatusCode::CREATED
    );
    let mut expected = expected;
    expected[2].1 = 6;
    assert_eq!(offered(&app, &token).await, expected);

    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    assert_eq!(history["total"], 3);
    assert_eq!(history["imports"][0]["fileName"], "fix.csv");
}

async fn a_file_with_problems_changes_nothing_and_is_listed_with_them(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    put_schema(&app, &token, id, schema()).await;
    let broken: &[u8] = b"Report\nQueue;Date;Time;Offered;Answered;AHT\n\
        Sales;02/11/2026;08:00;10;8;90\n\
        Sales;02/11/2026;08:15;10;8;90\n\
        Sales;31/11/2026;09:00;ten;8;90\n";
    let response = send_file(&app, &token, id, "broken.csv", false, broken).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    let errors = body["errors"].as_array().expect("errors");
    let pointers: Vec<&str> = errors
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers[0], "/lines/4/Time", "{body}");
    assert!(pointers
        .iter()
        .all(|p| p.starts_with("/lines/5/") || *p == "/lines/4/Time"));
    assert!(errors.iter().all(|e| e["code"] == "invalid_row"));
    assert_eq!(app.read_json("/api/v1/queues", &token).await["total"], 0);

    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    let refused = &history["imports"][0];
    assert_eq!(refused["outcome"], "rejected");
    assert_eq!(refused["fileName"], "broken.csv");
    assert_eq!(refused["errorCount"], errors.len());
    assert!(
        refused["errorSummary"]
            .as_str()
            .is_some_and(|s| s.starts_with("line 4, column Time:")),
        "{refused}"
    );

    // Too large, or not in the schema's encoding.
    let big = vec![b'a'; domain::csv::schema::MAX_FILE_BYTES + 1];
    assert_eq!(
        error_code(send_file(&app, &token, id, "big.csv", false, &big).await).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "file_too_large".into(),
            String::new()
        )
    );
    assert_eq!(
        error_code(send_file(&app, &token, id, "../x.csv", false, FILE).await)
            .await
            .2,
        "/name"
    );
}

async fn files_are_not_imported_while_paused(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    put_schema(&app, &token, id, schema()).await;
    // A CSV integration takes files by hand before any client is paired.
    assert_eq!(
        send_file(&app, &token, id, "day.csv", false, FILE)
            .await
            .status(),
        StatusCode::CREATED
    );
    app.execute(&format!(
        "UPDATE integrations SET status = 'paused' WHERE id = {id}"
    ))
    .await;
    assert_eq!(
        error_code(send_file(&app, &token, id, "day.csv", false, FILE).await)
            .await
            .1,
        "integration_paused"
    );
}

/// Contact data mapped by an SQLite query instead of columns.
fn query_schema(sql: &str) -> Value {
    json!({
        "encoding": "utf-8",
        "delimiter": "semicolon",
        "timeZone": "Europe/Berlin",
        "layout": "intervals",
        "intervalMinutes": 30,
        "query": sql
    })
}

/// Two rows of one queue and interval (two sites), summed by the query.
const SITES: &[u8] = b"Queue ID;Queue;Start;Offered;Answered;Talk total (s)\n\
    Q-7;Caf\xC3\xA9 Hotline;02.11.2026 08:00;6;5;300\n\
    Q-7;Caf\xC3\xA9 Hotline;02.11.2026 08:00;4;3;150\n\
    Q-7;Caf\xC3\xA9 Hotline;02.11.2026 09:00;2;2;60\n";

const SUMMED: &str = "SELECT queue_id AS queueidentifier, queue AS queuename, \
    substr(start, 7, 4) || '-' || substr(start, 4, 2) || '-' || substr(start, 1, 2) \
    || ' ' || substr(start, 12, 5) || ':00' AS timestamp, \
    SUM(offered) AS offered, SUM(answered) AS answered, SUM(talk_total_s) AS handlingtime \
    FROM uploaded_file GROUP BY 1, 2, 3";

async fn a_query_maps_a_file_in_its_sandbox(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let saved = put_schema(&app, &token, id, query_schema(SUMMED)).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let read = app
        .read_json(&format!("/api/v1/integrations/{id}/csv-schema"), &token)
        .await;
    assert_eq!(read["schema"]["query"], SUMMED);
    assert!(read["schema"].get("columns").is_none(), "{read}");

    let preview = send_file(&app, &token, id, "sites.csv", true, SITES).await;
    assert_eq!(preview.status(), StatusCode::OK);
    let preview: Value = preview.json().await.expect("JSON");
    assert_eq!(preview["file"]["rows"], 2, "{preview}");

    let imported = send_file(&app, &token, id, "sites.csv", false, SITES).await;
    assert_eq!(imported.status(), StatusCode::CREATED);
    let queues = app.read_json("/api/v1/queues", &token).await;
    assert_eq!(queues["queues"][0]["queueIdentifier"], "Q-7");
    assert_eq!(queues["queues"][0]["queueName"], "Café Hotline");
    assert_eq!(
        offered(&app, &token).await,
        [
            ("2026-11-02T07:00:00Z".to_owned(), 10),
            ("2026-11-02T07:30:00Z".to_owned(), 0),
            ("2026-11-02T08:00:00Z".to_owned(), 2),
        ]
    );
    let queue = queues["queues"][0]["id"].as_i64().expect("an id");
    let intervals = app
        .read_json(
            &format!(
                "/api/v1/queues/{queue}/intervals?from=2026-11-02T07:00:00Z&to=2026-11-02T07:30:00Z"
            ),
            &token,
        )
        .await;
    assert_eq!(
        intervals["intervals"][0]["handleTimeTotal"], 450.0,
        "the query's total handling time, not an average"
    );

    // A result row that does not read is named by its row and column.
    let days_first = SUMMED.replace("substr(start, 7, 4) || '-' ||", "");
    put_schema(&app, &token, id, query_schema(&days_first)).await;
    let (status, code, pointer) =
        error_code(send_file(&app, &token, id, "sites.csv", true, SITES).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code, "invalid_result_row");
    assert_eq!(pointer, "/results/1/timestamp");

    // Columns or a query, not both; agent statuses only by columns.
    let mut both = query_schema(SUMMED);
    both["columns"] = json!({"queue": "A"});
    assert_eq!(
        error_code(put_schema(&app, &token, id, both).await).await.2,
        "/columns"
    );
}

async fn a_query_that_writes_or_runs_away_is_refused_with_its_reason(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let refusal = |sql: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            put_schema(app, token, id, query_schema(sql)).await;
            let response = send_file(app, token, id, "sites.csv", true, SITES).await;
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{sql}");
            let body: Value = response.json().await.expect("JSON");
            assert_eq!(body["errors"][0]["code"], "invalid_query", "{body}");
            assert_eq!(body["errors"][0]["pointer"], "/query");
            body["errors"][0]["detail"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    assert_eq!(
        refusal("ATTACH DATABASE 'elsewhere.db' AS elsewhere").await,
        "the query may only read uploaded_file: ATTACH is not allowed"
    );
    assert_eq!(
        refusal("SELECT 1; DELETE FROM uploaded_file").await,
        "the query may only read uploaded_file: DELETE is not allowed"
    );
    assert!(refusal("SELECT * FROM uploaded_file")
        .await
        .starts_with("the query's result has no column queueidentifier"));
    assert_eq!(
        refusal(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
             SELECT count(*) FROM n"
        )
        .await,
        "the query was stopped after 5 seconds"
    );
    assert_eq!(
        refusal(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) \
             SELECT i, randomblob(200) AS b FROM n ORDER BY b"
        )
        .await,
        "the query was stopped: it needed more than 256 MiB of memory"
    );
    // Nothing of it was imported; the refusals are in the history only
    // when a file was really sent.
    assert_eq!(app.read_json("/api/v1/queues", &token).await["total"], 0);
}
