//! A database integration's settings through the management API (issue
//! 13): saved and read back without the password, which is kept sealed
//! and kept when a save leaves it out; every problem at its pointer.

mod common;

use common::{error_code, location, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    settings_are_saved_with_the_password_sealed_and_never_given_back,
    settings_with_problems_are_refused_with_each_at_its_pointer,
    the_form_saves_without_javascript_and_a_refusal_keeps_the_draft_but_never_the_password,
);

async fn set_up(engine: Engine) -> (TestApp, String, i64) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "ACD database", "database")
        .await;
    (app, token, id)
}

fn settings() -> Value {
    json!({
        "databaseType": "sqlServer",
        "host": "acd-db.corp.example",
        "instance": "ACD",
        "database": "reporting",
        "user": "intake_reader",
        "password": "Corr3ct;Horse}",
        "timeZone": "Europe/Berlin",
        "dataType": "intervals",
        "intervalMinutes": 15,
        "query": "SELECT q.id AS queueidentifier, q.name AS queuename, s.start AS timestamp, \
                  s.offered, s.answered, s.talk + s.wrap AS handlingtime FROM stats s JOIN queues q ON q.id = s.queue \
                  WHERE s.start >= {from} AND s.start < {to}"
    })
}

async fn put(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.api(
        Method::PUT,
        &format!("/api/v1/integrations/{id}/database"),
        Some(token),
        Some(body),
    )
    .await
}

async fn settings_are_saved_with_the_password_sealed_and_never_given_back(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let path = format!("/api/v1/integrations/{id}/database");
    assert_eq!(
        error_code(app.api(Method::GET, &path, Some(&token), None).await).await,
        (StatusCode::CONFLICT, "no_settings".into(), String::new())
    );

    let saved = put(&app, &token, id, settings()).await;
    assert_eq!(saved.status(), StatusCode::OK);
    let saved: Value = saved.json().await.expect("JSON");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["passwordSet"], true);
    assert!(saved["settings"].get("password").is_none(), "{saved}");
    assert_eq!(saved["settings"]["reconciliation"], true, "on by default");

    let read = app.read_json(&path, &token).await;
    assert_eq!(read["settings"]["instance"], "ACD");
    assert!(!read.to_string().contains("Corr3ct"), "{read}");
    let kept: Vec<String> = app
        .database
        .scalars("SELECT document FROM database_settings")
        .await;
    assert!(!kept[0].contains("Corr3ct"), "sealed at rest: {}", kept[0]);
    assert!(kept[0].contains("\"sealedPassword\":\"v1."));

    // Saved again without the password: the sealed one is kept.
    let mut again = settings();
    again.as_object_mut().expect("an object").remove("password");
    again["realTime"] = true.into();
    let saved: Value = put(&app, &token, id, again)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["passwordSet"], true);
    assert_eq!(saved["settings"]["realTime"], true);

    // An empty password is none.
    let mut none = settings();
    none["password"] = "".into();
    let saved: Value = put(&app, &token, id, none)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(saved["passwordSet"], false);

    let audited: Vec<String> = app
        .database
        .scalars("SELECT action FROM audit_events WHERE action = 'database_settings_saved'")
        .await;
    assert_eq!(audited.len(), 3);

    // Admins only: the settings say where the database is.
    app.add_planner("pat@example.com").await;
    let planner = app.token_for("pat@example.com").await;
    assert_eq!(
        app.api(Method::GET, &path, Some(&planner), None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

async fn settings_with_problems_are_refused_with_each_at_its_pointer(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let mut wrong = settings();
    wrong["port"] = 1433.into();
    wrong["host"] = " ".into();
    wrong["timeZone"] = "Europe/Atlantis".into();
    wrong["dataType"] = "contacts".into();
    let response = put(&app, &token, id, wrong).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        ["/host", "/port", "/timeZone", "/intervalMinutes"]
    );
    assert!(body["errors"][1]["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("UDP 1434"));

    // Any other database through ODBC: a connection string, no host.
    let odbc = json!({"databaseType": "odbc", "connection": "DSN=Reporting",
        "timeZone": "UTC", "dataType": "contacts",
        "query": "SELECT queue AS queueidentifier, queue AS queuename, at AS timestamp, answered FROM calls WHERE at >= {from}"});
    assert_eq!(put(&app, &token, id, odbc).await.status(), StatusCode::OK);

    // Data the integration does not carry.
    let contacts_only: Value = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&token),
            Some(json!({"name": "Contacts DB", "kind": "database", "dataTypes": ["contacts"]})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let contacts_only = contacts_only["integration"]["id"].as_i64().expect("an id");
    let agents = json!({"databaseType": "odbc", "connection": "DSN=Reporting",
        "timeZone": "UTC", "dataType": "agentStatuses", "query": "SELECT 1 WHERE {from} IS NOT NULL"});
    assert_eq!(
        error_code(put(&app, &token, contacts_only, agents).await).await,
        (
            StatusCode::CONFLICT,
            "data_type_not_carried".into(),
            "/dataType".into()
        )
    );

    // Only database integrations have these settings.
    let csv = app.csv_integration(&token, "Files").await;
    assert_eq!(
        error_code(put(&app, &token, csv, settings()).await).await.1,
        "not_database"
    );
}

async fn the_form_saves_without_javascript_and_a_refusal_keeps_the_draft_but_never_the_password(
    engine: Engine,
) {
    let (app, token, id) = set_up(engine).await;
    app.sign_in_as_admin().await;
    let page = format!("/account/integrations/{id}/database");
    let (status, body) = app.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(r#"data-test="database-form""#), "the form");
    assert!(
        body.contains("queueidentifier"),
        "the columns beside the query"
    );
    assert!(
        body.contains(r#"value="Europe/Berlin""#),
        "the zones to search"
    );

    // Refused: the draft comes back in the address, the password does not.
    let refused = app
        .post_form(
            &page,
            &[
                ("intent", "save"),
                ("database_type", "postgreSql"),
                ("host", ""),
                ("database", "acd"),
                ("user", "reader"),
                ("password", "Typed;Secret"),
                ("time_zone", "Europe/Berlin"),
                ("import", "contacts"),
                ("query", "SELECT * FROM calls"),
                ("reconciliation", "on"),
            ],
        )
        .await;
    let back = location(&refused);
    assert!(
        back.starts_with(&format!("{page}?error=invalid&password_typed=1&draft=1")),
        "{back}"
    );
    assert!(!back.contains("Secret"), "{back}");
    let (_, body) = app.page(&back).await;
    assert!(body.contains("see the fields marked in red"), "why");
    assert!(body.contains("is required"), "the host's problem");
    assert!(body.contains("marks no window"), "the query's problem");
    assert!(body.contains("SELECT * FROM calls"), "the query as typed");
    assert!(
        body.contains("Type the password again"),
        "the password is asked for again"
    );
    assert_eq!(
        error_code(
            app.api(
                Method::GET,
                &format!("/api/v1/integrations/{id}/database"),
                Some(&token),
                None
            )
            .await
        )
        .await
        .1,
        "no_settings",
        "nothing saved"
    );

    // Saved: back to the integration, which summarises them.
    let query = "SELECT queue AS queueidentifier, queue AS queuename, at AS timestamp, answered \
                 FROM calls WHERE at >= {from} AND at < {to}";
    let saved = app
        .post_form(
            &page,
            &[
                ("intent", "save"),
                ("database_type", "postgreSql"),
                ("host", "db.example.local"),
                ("port", ""),
                ("instance", "ignored for PostgreSQL"),
                ("database", "acd"),
                ("user", "reader"),
                ("password", "Typed;Secret"),
                ("connection", "ignored too"),
                ("time_zone", "Europe/Berlin"),
                ("import", "contacts"),
                ("query", query),
                ("reconciliation", "on"),
            ],
        )
        .await;
    assert_eq!(
        location(&saved),
        format!("/account/integrations/{id}?notice=database_saved")
    );
    let shown = app
        .read_json(&format!("/api/v1/integrations/{id}/database"), &token)
        .await;
    assert_eq!(shown["passwordSet"], true);
    assert_eq!(shown["settings"]["dataType"], "contacts");
    assert_eq!(shown["settings"]["realTime"], false);
    assert_eq!(shown["settings"]["reconciliation"], true);
    assert!(shown["settings"].get("instance").is_none(), "{shown}");
    let (_, body) = app
        .page(&format!("/account/integrations/{id}?notice=database_saved"))
        .await;
    assert!(
        body.contains("The database settings are saved"),
        "the notice"
    );
    assert!(body.contains("db.example.local · acd"), "the summary");
    let (_, body) = app.page(&page).await;
    assert!(body.contains("A password is saved"), "kept, not shown");
    assert!(!body.contains("Typed;Secret"));

    // No client yet: nothing to test with.
    let test = app
        .post_form(
            &page,
            &[
                ("intent", "test"),
                ("database_type", "postgreSql"),
                ("host", "db.example.local"),
                ("database", "acd"),
                ("user", "reader"),
                ("time_zone", "Europe/Berlin"),
                ("import", "contacts"),
                ("query", query),
            ],
        )
        .await;
    assert!(
        location(&test).starts_with(&format!("{page}?error=not_connected&draft=1")),
        "{}",
        location(&test)
    );
}
