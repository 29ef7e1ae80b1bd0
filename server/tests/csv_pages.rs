//! The CSV pages without JavaScript (issue 13): a sample uploaded as a
//! plain multipart form, the designer's proposals and preview, the schema
//! saved by a form post, a file uploaded by hand, previewed and applied.

mod common;

use common::{location, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{header, Method, StatusCode};
use serde_json::json;

on_both_engines!(
    a_schema_is_designed_against_a_sample_and_a_file_imported_without_javascript,
    uploads_are_refused_with_a_reason_on_the_page,
    a_query_is_written_previewed_and_saved_and_switching_back_is_warned,
    files_wait_their_turn_and_a_failure_is_said_once,
);

const SAMPLE: &[u8] = b"Queue;Date;Time;Offered;Answered;AHT\r\n\
    Caf\xE9;02/11/2026;08:00;10;8;90,5\r\n\
    Caf\xE9;02/11/2026;08:30;4;4;60\r\n\
    Sales;13/11/2026;09:00;4;4;60\r\n";

async fn set_up(engine: Engine) -> (TestApp, String, i64) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app.csv_integration(&token, "ACD export").await;
    app.sign_in_as_admin().await;
    (app, token, id)
}

/// A plain form post, as a browser sends it.
async fn post_form(app: &TestApp, path: &str, form: &impl serde::Serialize) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .form(form)
        .send()
        .await
        .expect("answered")
}

/// The value of the first `attribute="…"` after `marker` in `page`.
fn attribute_after(page: &str, marker: &str, attribute: &str) -> String {
    let start = page.find(marker).expect("the marker is on the page");
    let rest = &page[start..];
    let key = format!("{attribute}=\"");
    let from = rest.find(&key).expect("the attribute") + key.len();
    let to = rest[from..].find('"').expect("its end") + from;
    rest[from..to].replace("&amp;", "&")
}

async fn a_schema_is_designed_against_a_sample_and_a_file_imported_without_javascript(
    engine: Engine,
) {
    let (app, token, id) = set_up(engine).await;
    let page = format!("/account/integrations/{id}");
    let (_, before) = app.page(&page).await;
    assert!(before.contains(r#"data-test="csv-no-schema""#), "{before}");
    assert!(
        !before.contains(r#"data-test="upload-form""#),
        "no upload before a schema"
    );

    let designer = format!("{page}/csv");
    let (status, empty) = app.page(&designer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains(r#"data-test="schema-form""#));
    assert!(!empty.contains(r#"data-test="proposals""#));

    let sent = app
        .post_file(&format!("{designer}/sample"), "export.csv", SAMPLE)
        .await;
    assert_eq!(location(&sent), designer);
    let (_, with_sample) = app.page(&designer).await;
    assert!(with_sample.contains(r#"data-test="sample-name""#));
    assert!(with_sample.contains(r#"data-test="proposals""#));
    assert!(
        with_sample.contains("is not UTF-8"),
        "read as the form says, UTF-8 until the admin chooses"
    );
    assert!(
        !with_sample.contains(r#"data-test="rows-summary""#),
        "proposals are not applied by themselves"
    );

    // Using the proposals fills in the form, which previews the rows.
    let proposed = attribute_after(&with_sample, r#"data-test="proposals""#, "href");
    let proposed = proposed
        .strip_prefix(&designer)
        .expect("a link to the designer")
        .to_owned();
    assert!(proposed.starts_with('?'), "{proposed}");
    let (_, previewed) = app.page(&format!("{designer}{proposed}")).await;
    assert!(
        previewed.contains(r#"data-test="rows-summary""#),
        "{previewed}"
    );
    assert!(previewed.contains(r#"data-test="table-preview""#));
    assert!(previewed.contains("Café"), "decoded as Windows-1252");
    assert!(previewed.contains("2026-11-02T08:00:00Z"), "UTC by default");

    // Saved as a plain form post, in Berlin time.
    let mut form: Vec<(String, String)> =
        serde_urlencoded::from_str(proposed.trim_start_matches('?')).expect("a query");
    for (key, value) in &mut form {
        if key == "time_zone" {
            *value = "Europe/Berlin".into();
        }
    }
    let saved = post_form(&app, &format!("{designer}/schema"), &form).await;
    assert_eq!(location(&saved), format!("{page}?notice=schema_saved"));
    let stored = app
        .read_json(&format!("/api/v1/integrations/{id}/csv-schema"), &token)
        .await;
    assert_eq!(stored["schema"]["layout"], "intervals");
    assert_eq!(stored["schema"]["intervalMinutes"], 30);
    assert_eq!(stored["schema"]["timeZone"], "Europe/Berlin");
    let (_, after) = app.page(&format!("{page}?notice=schema_saved")).await;
    assert!(after.contains(r#"data-test="csv-notice""#));
    assert!(after.contains(r#"data-test="csv-schema""#));
    assert!(after.contains(r#"data-test="upload-form""#));

    // The saved layout is fixed: the designer shows it locked.
    let (_, locked) = app.page(&designer).await;
    assert!(
        locked.contains(r#"name="layout" value="intervals""#),
        "kept as a hidden field"
    );

    // A file by hand: previewed, then applied.
    let uploaded = app
        .post_file(&format!("{page}/csv/files"), "monday.csv", SAMPLE)
        .await;
    let preview_path = location(&uploaded);
    assert!(
        preview_path.starts_with(&format!("{page}/csv/files/")),
        "{preview_path}"
    );
    let (_, preview) = app.page(&preview_path).await;
    assert!(preview.contains(r#"data-test="rows-summary""#), "{preview}");
    assert!(preview.contains(r#"data-test="apply-form""#));
    assert_eq!(
        app.read_json("/api/v1/queues", &token).await["total"],
        0,
        "nothing before Apply"
    );
    let upload = preview_path.rsplit('/').next().expect("an id").to_owned();
    let applied = app
        .client
        .post(app.url("/_fn/integrations/csv/apply"))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, app.url(&preview_path))
        .form(&[("id", id.to_string()), ("upload", upload)])
        .send()
        .await
        .expect("answered");
    assert!(
        location(&applied).starts_with(&format!("{page}?notice=imported")),
        "{}",
        location(&applied)
    );
    let queues = app.read_json("/api/v1/queues", &token).await;
    assert_eq!(queues["total"], 2);
    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    assert_eq!(history["imports"][0]["fileName"], "monday.csv");
    let (_, listed) = app.page(&page).await;
    assert!(listed.contains(r#"data-test="import-file""#));
}

async fn uploads_are_refused_with_a_reason_on_the_page(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let page = format!("/account/integrations/{id}");
    // No schema yet: a file cannot be read.
    let refused = app
        .post_file(&format!("{page}/csv/files"), "day.csv", SAMPLE)
        .await;
    let to = location(&refused);
    assert_eq!(to, format!("{page}?csv_error=no_schema"));
    let (_, shown) = app.page(&to).await;
    assert!(shown.contains(r#"data-test="csv-error""#));

    // Too large.
    let big = vec![b'a'; domain::csv::schema::MAX_FILE_BYTES + 1];
    let refused = app
        .post_file(&format!("{page}/csv/sample"), "big.csv", &big)
        .await;
    assert_eq!(location(&refused), format!("{page}/csv?error=too_large"));

    // A file whose rows do not read: every problem listed, no Apply.
    app.api(
        Method::PUT,
        &format!("/api/v1/integrations/{id}/csv-schema"),
        Some(&token),
        Some(json!({
            "encoding": "windows-1252", "delimiter": "semicolon", "timeZone": "UTC",
            "layout": "intervals", "intervalMinutes": 30,
            "columns": {"queue": "A",
                "when": {"date": "B", "dateFormat": "DD/MM/YYYY", "time": "C", "timeFormat": "hh:mm"},
                "offered": "D", "answered": "E", "handleTime": "F"}
        })),
    )
    .await;
    let broken: &[u8] = b"Queue;Date;Time;Offered;Answered;AHT\nSales;02/11/2026;08:15;1;1;1\nSales;31/11/2026;09:00;1;1;1\n";
    let uploaded = app
        .post_file(&format!("{page}/csv/files"), "broken.csv", broken)
        .await;
    let (_, preview) = app.page(&location(&uploaded)).await;
    assert!(preview.contains(r#"data-test="refused""#), "{preview}");
    assert_eq!(
        preview.matches(r#"data-test="problem""#).count(),
        2,
        "{preview}"
    );
    assert!(!preview.contains(r#"data-test="apply-form""#));

    // A planner sees the page but cannot upload.
    app.add_planner("pat@example.com").await;
    let signed_in = app.sign_in("pat@example.com", common::ADMIN_PASSWORD).await;
    assert!(signed_in.status().is_redirection());
    let refused = app
        .post_file(&format!("{page}/csv/files"), "day.csv", SAMPLE)
        .await;
    assert_eq!(location(&refused), format!("{page}?csv_error=forbidden"));
}

async fn a_query_is_written_previewed_and_saved_and_switching_back_is_warned(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let designer = format!("/account/integrations/{id}/csv");
    app.post_file(&format!("{designer}/sample"), "export.csv", SAMPLE)
        .await;
    let query = "SELECT queue AS queueidentifier, queue AS queuename, \
        substr(date, 7, 4) || '-' || substr(date, 4, 2) || '-' || substr(date, 1, 2) \
        || ' ' || time || ':00' AS timestamp, offered, answered, \
        answered * CAST(replace(aht, ',', '.') AS REAL) AS handlingtime FROM uploaded_file";
    let form = [
        ("encoding", "windows-1252"),
        ("delimiter", "semicolon"),
        ("time_zone", "UTC"),
        ("skip_empty", "on"),
        ("layout", "intervals"),
        ("interval", "30"),
        ("missing", "zero"),
        ("method", "query"),
        ("query", query),
    ];
    let draft = serde_urlencoded::to_string(form).expect("a query");
    let (status, page) = app.page(&format!("{designer}?{draft}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"data-test="query""#), "the query field");
    assert!(
        !page.contains(r#"data-test="queue""#),
        "no column dropdowns for a query"
    );
    assert!(
        page.contains(
            "<code class=\"rounded bg-slate-100 px-1 font-mono text-xs text-slate-800\">aht</code>"
        ),
        "the table's columns are named beside the query"
    );
    assert!(page.contains(r#"data-test="rows-summary""#), "{page}");
    assert!(page.contains("2026-11-02T08:00:00Z"));
    assert!(!page.contains(r#"data-test="method-replaces""#));

    // A query that writes is refused, with its reason on the page.
    let writes = draft.replace("query=SELECT", "query=DELETE+FROM+uploaded_file+--");
    let (_, refused) = app.page(&format!("{designer}?{writes}")).await;
    assert!(
        refused.contains("the query may only read uploaded_file: DELETE is not allowed"),
        "{refused}"
    );

    let saved = post_form(&app, &format!("{designer}/schema"), &form).await;
    assert_eq!(
        location(&saved),
        format!("/account/integrations/{id}?notice=schema_saved")
    );
    let stored = app
        .read_json(&format!("/api/v1/integrations/{id}/csv-schema"), &token)
        .await;
    assert_eq!(stored["schema"]["query"], query);

    // The saved schema shows its query; choosing columns warns first.
    let (_, saved_page) = app.page(&designer).await;
    assert!(saved_page.contains(r#"data-test="query""#));
    let columns = draft.replace("method=query", "method=columns");
    let (_, switching) = app.page(&format!("{designer}?{columns}")).await;
    assert!(switching.contains(r#"data-test="method-replaces""#));
}

/// Each file received holds up to 7 MiB: at most so many at once, from
/// the browser and the API as from Cloud Link.
async fn files_wait_their_turn_and_a_failure_is_said_once(engine: Engine) {
    let database = common::TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            uploads_at_once: 0,
            ..settings
        }
    })
    .await
    .with_admin()
    .await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app.csv_integration(&token, "ACD export").await;
    app.sign_in_as_admin().await;
    let page = format!("/account/integrations/{id}");

    let refused = app
        .post_file(&format!("{page}/csv/files"), "day.csv", SAMPLE)
        .await;
    assert_eq!(location(&refused), format!("{page}?csv_error=busy"));
    let (_, shown) = app.page(&location(&refused)).await;
    assert!(shown.contains("receiving many files"), "{shown}");

    // The designer keeps its draft, with this failure's reason only.
    let sample = format!("{page}/csv/sample?error=too_large&layout=intervals&interval=30");
    let refused = app.post_file(&sample, "export.csv", SAMPLE).await;
    assert_eq!(
        location(&refused),
        format!("{page}/csv?error=busy&layout=intervals&interval=30")
    );

    let api = app
        .client
        .post(app.url(&format!("/api/v1/integrations/{id}/csv-files")))
        .bearer_auth(&token)
        .body(SAMPLE.to_vec())
        .send()
        .await
        .expect("answered");
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.headers()[header::RETRY_AFTER], "5");
}
