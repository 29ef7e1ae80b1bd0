//! `/api/v1/integrations` as a script uses it, with a personal access token.

mod common;

use common::{error_code, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use server::http::api::Access;

on_both_engines!(
    an_api_integration_lives_through_its_whole_lifecycle,
    a_duplicate_name_needs_an_explicit_allowance,
    bad_input_is_answered_with_every_problem_and_its_pointer,
    names_with_markup_are_stored_as_plain_text,
    every_route_refuses_no_token_a_planner_and_another_account,
    a_token_stops_working_when_revoked_expired_locked_or_demoted,
    a_new_api_key_revokes_the_previous_one_and_delete_revokes_it_too,
);

async fn admin_app(engine: Engine) -> (TestApp, String) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    (app, token)
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let response = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(token),
            Some(body),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    json_of(response).await["integration"].clone()
}

async fn an_api_integration_lives_through_its_whole_lifecycle(engine: Engine) {
    let (app, token) = admin_app(engine).await;
    let t = Some(token.as_str());

    let created = create(&app, &token, json!({"name": "My ACD", "kind": "api"})).await;
    assert_eq!(created["status"], "active");
    assert_eq!(created["kind"], "api");
    assert_eq!(created["intervalMinutes"], 15);
    assert_eq!(created["dataTypes"], json!(["contacts"]));
    let id = created["id"].as_i64().expect("an id");
    let path = format!("/api/v1/integrations/{id}");

    let listed = json_of(app.api(Method::GET, "/api/v1/integrations", t, None).await).await;
    assert_eq!(listed["integrations"][0]["id"], id);

    let patched = app
        .api(Method::PATCH, &path, t, Some(json!({"name": "Main ACD", "intervalMinutes": 30, "dataTypes": ["contacts", "agent_statuses"]})))
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let patched = json_of(patched).await;
    assert_eq!(patched["integration"]["name"], "Main ACD");
    assert_eq!(patched["integration"]["intervalMinutes"], 30);

    let paused = json_of(
        app.api(Method::POST, &format!("{path}/pause"), t, None)
            .await,
    )
    .await;
    assert_eq!(paused["integration"]["status"], "paused");
    let again = app
        .api(Method::POST, &format!("{path}/pause"), t, None)
        .await;
    assert_eq!(
        error_code(again).await,
        (
            StatusCode::CONFLICT,
            "invalid_transition".into(),
            String::new()
        )
    );
    let resumed = json_of(
        app.api(Method::POST, &format!("{path}/resume"), t, None)
            .await,
    )
    .await;
    assert_eq!(resumed["integration"]["status"], "active");

    let key = app
        .api(Method::POST, &format!("{path}/api-key"), t, None)
        .await;
    assert_eq!(key.status(), StatusCode::CREATED);
    let key = json_of(key).await;
    assert!(key["apiKey"]
        .as_str()
        .is_some_and(|k| k.starts_with("itk_")));

    let deleted = app.api(Method::DELETE, &path, t, None).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let listed = json_of(app.api(Method::GET, "/api/v1/integrations", t, None).await).await;
    assert_eq!(listed["integrations"], json!([]));
    let with_deleted = json_of(
        app.api(
            Method::GET,
            "/api/v1/integrations?includeDeleted=true",
            t,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(with_deleted["integrations"][0]["status"], "deleted");
    let edit_deleted = app
        .api(Method::PATCH, &path, t, Some(json!({"name": "Back"})))
        .await;
    assert_eq!(error_code(edit_deleted).await.1, "integration_deleted");
    let key_for_deleted = app
        .api(Method::POST, &format!("{path}/api-key"), t, None)
        .await;
    assert_eq!(error_code(key_for_deleted).await.1, "integration_deleted");
}

async fn a_duplicate_name_needs_an_explicit_allowance(engine: Engine) {
    let (app, token) = admin_app(engine).await;
    create(&app, &token, json!({"name": "Sales", "kind": "csv"})).await;

    let duplicate = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&token),
            Some(json!({"name": "sales", "kind": "api"})),
        )
        .await;
    assert_eq!(
        error_code(duplicate).await,
        (
            StatusCode::CONFLICT,
            "duplicate_name".into(),
            "/name".into()
        )
    );

    let allowed = create(
        &app,
        &token,
        json!({"name": "sales", "kind": "api", "allowDuplicateName": true}),
    )
    .await;
    assert_eq!(allowed["name"], "sales");
}

async fn bad_input_is_answered_with_every_problem_and_its_pointer(engine: Engine) {
    let (app, token) = admin_app(engine).await;
    let t = Some(token.as_str());

    let response = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            t,
            Some(json!({"name": "  ", "kind": "ftp", "intervalMinutes": 20, "dataTypes": []})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json_of(response).await;
    let problems: Vec<(String, String)> = body["errors"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap_or_default().into(),
                p["pointer"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            ("invalid_name".to_owned(), "/name".to_owned()),
            ("invalid_kind".to_owned(), "/kind".to_owned()),
            ("invalid_interval".to_owned(), "/intervalMinutes".to_owned()),
            ("invalid_data_types".to_owned(), "/dataTypes".to_owned()),
        ]
    );

    let long = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            t,
            Some(json!({"name": "x".repeat(101), "kind": "api"})),
        )
        .await;
    assert_eq!(
        error_code(long).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name".into(),
            "/name".into()
        )
    );

    let wrong_type = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            t,
            Some(json!({"name": 5, "kind": "api"})),
        )
        .await;
    assert_eq!(
        error_code(wrong_type).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field".into(),
            "/name".into()
        )
    );

    let malformed = app
        .client
        .post(app.url("/api/v1/integrations"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(malformed).await.0, StatusCode::BAD_REQUEST);

    let form = app
        .client
        .post(app.url("/api/v1/integrations"))
        .bearer_auth(&token)
        .form(&[("name", "x"), ("kind", "api")])
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(form).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let unknown_id = app
        .api(Method::GET, "/api/v1/integrations/999999", t, None)
        .await;
    assert_eq!(
        error_code(unknown_id).await,
        (StatusCode::NOT_FOUND, "not_found".into(), String::new())
    );
    let not_a_number = app
        .api(Method::GET, "/api/v1/integrations/abc", t, None)
        .await;
    assert_eq!(error_code(not_a_number).await.1, "not_found");
    let unknown_path = app.api(Method::GET, "/api/v1/nothing-here", t, None).await;
    assert_eq!(
        error_code(unknown_path).await,
        (StatusCode::NOT_FOUND, "not_found".into(), String::new())
    );
}

async fn names_with_markup_are_stored_as_plain_text(engine: Engine) {
    let (app, token) = admin_app(engine).await;
    let name = "<img src=x onerror=alert(1)>";

    let created = create(&app, &token, json!({"name": name, "kind": "api"})).await;

    assert_eq!(created["name"], name);
}

/// Replaces `{id}`, `{employee}` and `{workload}` (and a job's `{job}`, an
/// agent's `{externalId}`, a queue's `{queue}`) in a route's path.
fn concrete(path: &str, id: i64, employee: i64, workload: i64, activity: i64) -> String {
    format!(
        "/api/v1{}",
        path.replace("{id}", &id.to_string())
            .replace("{employee}", &employee.to_string())
            .replace("{activity}", &activity.to_string())
            .replace("{workload}", &workload.to_string())
            .replace("{queue}", "1")
            .replace("{job}", "1")
            .replace("{externalId}", "agent-1")
    )
}

async fn every_route_refuses_no_token_a_planner_and_another_account(engine: Engine) {
    let (app, admin) = admin_app(engine).await;
    let mine = create(&app, &admin, json!({"name": "Mine", "kind": "api"})).await["id"]
        .as_i64()
        .expect("id");
    let employee = json_of(
        app.api(
            Method::POST,
            "/api/v1/employees",
            Some(&admin),
            Some(json!({"name": "Bob"})),
        )
        .await,
    )
    .await["employee"]["id"]
        .as_i64()
        .expect("id");
    let workload = json_of(
        app.api(
            Method::POST,
            "/api/v1/workloads",
            Some(&admin),
            Some(json!({"name": "Support"})),
        )
        .await,
    )
    .await["workload"]["id"]
        .as_i64()
        .expect("id");
    let activity = json_of(
        app.api(
            Method::POST,
            "/api/v1/activities",
            Some(&admin),
            Some(json!({"name": "Break", "category": "break", "colour": "#f59e0b"})),
        )
        .await,
    )
    .await["activity"]["id"]
        .as_i64()
        .expect("id");
    app.add_planner("planner@example.com").await;
    let planner = app.token_for("planner@example.com").await;
    app.another_account("Other Corp", "boss@other.example")
        .await;
    let stranger = app.token_for("boss@other.example").await;
    // A body each route takes, so what is judged is who asks.
    let body_for = |path: &str| {
        Some(if path.ends_with("/link") {
            json!({"pin": "000000"})
        } else if path.ends_with("/probe") {
            json!({"connection": "DSN=acd", "sql": "SELECT 1"})
        } else if path.ends_with("/csv-schema") {
            json!({"encoding": "utf-8", "delimiter": "comma", "timeZone": "UTC",
                "layout": "contacts", "columns": {"queue": "A",
                "when": {"timestamp": "B", "timestampFormat": "YYYY-MM-DD hh:mm"}, "answered": "C"}})
        } else if path.ends_with("/database") || path.ends_with("/database/test") {
            json!({"databaseType": "odbc", "connection": "DSN=acd", "timeZone": "UTC",
                "dataType": "contacts", "query": "SELECT 1"})
        } else if path.ends_with("/queues") {
            json!({"queueId": 1})
        } else if path.contains("/activity-mappings") {
            json!({"externalId": "Break", "activityId": 1})
        } else if path.contains("/agent-mappings") {
            json!({"externalId": "agent-1", "employeeId": employee})
        } else {
            json!({"name": "Renamed"})
        })
    };

    let table = server::http::api::route_table();
    assert!(table.len() >= 8, "the route table lists every route");
    for (method, path, access) in table {
        let mut url = concrete(path, mine, employee, workload, activity);
        if method == Method::GET {
            // Ranged reads need a valid range to reach the access check.
            url.push_str("?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z");
        }
        let what = format!("{method} {path}");
        let body = || body_for(path);

        let anonymous = app.api(method.clone(), &url, None, body()).await;
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{what} without a token"
        );
        let garbage = app
            .api(method.clone(), &url, Some("itp_notarealtoken"), body())
            .await;
        assert_eq!(
            garbage.status(),
            StatusCode::UNAUTHORIZED,
            "{what} with a made-up token"
        );
        let as_planner = app.api(method.clone(), &url, Some(&planner), body()).await;
        match access {
            Access::Admins => assert_eq!(
                error_code(as_planner).await.0,
                StatusCode::FORBIDDEN,
                "{what} as a planner"
            ),
            Access::Members => assert!(
                ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&as_planner.status()),
                "{what} is open to planners, got {}",
                as_planner.status()
            ),
        }
        if ["{id}", "{employee}", "{workload}", "{activity}"]
            .iter()
            .any(|placeholder| path.contains(placeholder))
        {
            let foreign = app.api(method.clone(), &url, Some(&stranger), body()).await;
            assert_eq!(
                error_code(foreign).await,
                (StatusCode::NOT_FOUND, "not_found".into(), String::new()),
                "{what} from another account"
            );
        }
    }
    // The integration is untouched by all of that.
    let still = json_of(
        app.api(
            Method::GET,
            &format!("/api/v1/integrations/{mine}"),
            Some(&admin),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(still["integration"]["name"], "Mine");
    assert_eq!(still["integration"]["status"], "active");
}

async fn a_token_stops_working_when_revoked_expired_locked_or_demoted(engine: Engine) {
    let (app, token) = admin_app(engine).await;
    let list = |token: String| {
        let app = &app;
        async move {
            app.api(Method::GET, "/api/v1/integrations", Some(&token), None)
                .await
                .status()
        }
    };
    assert_eq!(list(token.clone()).await, StatusCode::OK);

    app.execute("UPDATE users SET role = 'planner'").await;
    assert_eq!(list(token.clone()).await, StatusCode::FORBIDDEN);
    app.execute("UPDATE users SET role = 'admin'").await;

    app.execute("UPDATE personal_access_tokens SET expires_at = created_at")
        .await;
    assert_eq!(list(token.clone()).await, StatusCode::UNAUTHORIZED);
    app.execute("UPDATE personal_access_tokens SET expires_at = NULL")
        .await;
    assert_eq!(list(token.clone()).await, StatusCode::OK);

    app.execute("UPDATE users SET locked_at = created_at").await;
    assert_eq!(list(token.clone()).await, StatusCode::UNAUTHORIZED);
    app.execute("UPDATE users SET locked_at = NULL").await;

    app.execute("UPDATE personal_access_tokens SET revoked_at = created_at")
        .await;
    assert_eq!(list(token).await, StatusCode::UNAUTHORIZED);
}

async fn active_keys(app: &TestApp) -> i64 {
    let counts: Vec<i64> = app
        .database
        .scalars("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL")
        .await;
    counts[0]
}

async fn a_new_api_key_revokes_the_previous_one_and_delete_revokes_it_too(engine: Engine) {
    let (app, token) = admin_app(engine).await;
    let id = create(&app, &token, json!({"name": "ACD", "kind": "api"})).await["id"]
        .as_i64()
        .expect("id");
    let key_path = format!("/api/v1/integrations/{id}/api-key");

    let first = json_of(app.api(Method::POST, &key_path, Some(&token), None).await).await;
    let second = json_of(app.api(Method::POST, &key_path, Some(&token), None).await).await;

    assert_ne!(first["apiKey"], second["apiKey"]);
    assert_eq!(active_keys(&app).await, 1, "only the newest key works");
    let csv = create(&app, &token, json!({"name": "Files", "kind": "csv"})).await["id"]
        .as_i64()
        .expect("id");
    let no_key = app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{csv}/api-key"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        error_code(no_key).await,
        (
            StatusCode::CONFLICT,
            "not_an_api_integration".into(),
            String::new()
        )
    );

    app.api(
        Method::DELETE,
        &format!("/api/v1/integrations/{id}"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(active_keys(&app).await, 0, "deleting revokes the key");
}

/// The OpenAPI document is generated from the code and covers every route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::spawn(Engine::Sqlite).await;

    let response = app.get("/api/openapi.json").await;

    assert_eq!(response.status(), StatusCode::OK);
    let document = json_of(response).await;
    assert!(document["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.1")));
    for (method, path, _) in server::http::api::route_table() {
        let operation =
            &document["paths"][format!("/api/v1{path}")][method.as_str().to_lowercase()];
        assert!(operation.is_object(), "{method} {path} is documented");
        assert!(
            operation["responses"]["401"].is_object(),
            "{method} {path} documents 401"
        );
    }
    assert!(document["components"]["securitySchemes"]["personal_access_token"].is_object());
    assert!(document["components"]["schemas"]["ErrorEnvelope"].is_object());
    // Path parameters are exactly the path's placeholders; everything else
    // (pages, ranges) is in the query. A page's offset documented as a
    // required path parameter once sent fuzzers and generated clients astray.
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().expect("a name");
                let placeholder = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    parameter["in"] == "path",
                    placeholder,
                    "{method} {path}: {name} is in the {}",
                    parameter["in"]
                );
            }
        }
    }
}
