//! Input and reads kept within bounds on both engines: text fields without
//! control characters, times within a window and to the microsecond, the
//! data types an integration carries, paginated lists, and every refusal
//! in the error envelope.

mod common;

use common::{error_code, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    control_characters_in_any_text_field_are_a_422,
    times_outside_the_window_are_refused_and_kept_to_the_microsecond,
    an_integration_refuses_the_data_types_it_does_not_carry,
    queues_and_agent_statuses_come_a_page_at_a_time,
    path_and_query_mistakes_are_answered_in_the_envelope,
    a_date_at_the_end_of_time_is_a_refusal_not_a_crash,
    an_integration_takes_no_more_queues_or_held_requests_than_its_caps,
);

struct Setup {
    app: TestApp,
    token: String,
    id: i64,
    key: String,
}

async fn setup(engine: Engine) -> Setup {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, key) = app.api_integration(&token, "My ACD", 15).await;
    Setup {
        app,
        token,
        id,
        key,
    }
}

impl Setup {
    async fn push(&self, feed: &str, body: &Value) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(&format!("/external-systems/{feed}")))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .expect("answered")
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.app
            .api(Method::GET, path, Some(&self.token), None)
            .await
    }

    fn contact(&self, queue: &str, name: &str, at: &str) -> Value {
        json!({"data": [{"properties": {"offered": true, "handled": true, "duration": 10.0},
                         "queueName": name, "queueIdentifier": queue, "timestamp": at}],
               "meta": {"integrationConfigurationId": self.id}})
    }

    fn statuses(&self, items: Value) -> Value {
        json!({"data": items, "meta": {"integrationConfigurationId": self.id, "externalSystem": "ACD"}})
    }
}

async fn control_characters_in_any_text_field_are_a_422(engine: Engine) {
    let s = setup(engine).await;
    let nul = s
        .push(
            "contact-events",
            &s.contact("q\u{0}1", "Sales", "2021-12-06T10:00:00Z"),
        )
        .await;
    assert_eq!(
        error_code(nul).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "control_character".into(),
            "/data/0/queueIdentifier".into()
        )
    );
    let reordered = s
        .push(
            "contact-events",
            &s.contact("q1", "Sales\u{202E}", "2021-12-06T10:00:00Z"),
        )
        .await;
    assert_eq!(error_code(reordered).await.1, "control_character");
    let agent = s
        .push(
            "agent-statuses",
            &s.statuses(
                json!([{"agentIdentifier": "bob\u{0}", "activityIdentifier": "Talk",
                                "startTime": "2021-12-06T10:00:00Z"}]),
            ),
        )
        .await;
    assert_eq!(
        error_code(agent).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "control_character".into(),
            "/data/0/agentIdentifier".into()
        )
    );
    let name = s
        .app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&s.token),
            Some(json!({"name": "Evil\u{0}", "kind": "api"})),
        )
        .await;
    assert_eq!(name.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bidi = s
        .app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&s.token),
            Some(json!({"name": "gpj\u{202E}exe", "kind": "api"})),
        )
        .await;
    assert_eq!(bidi.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn times_outside_the_window_are_refused_and_kept_to_the_microsecond(engine: Engine) {
    let s = setup(engine).await;
    for (at, code) in [
        ("1990-01-01T00:00:00Z", "timestamp_out_of_range"),
        ("9999-12-31T00:00:00Z", "timestamp_out_of_range"),
        ("+262143-12-31T00:00:00Z", "invalid_timestamp"),
    ] {
        let response = s
            .push("contact-events", &s.contact("q1", "Sales", at))
            .await;
        assert_eq!(
            error_code(response).await,
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                code.into(),
                "/data/0/timestamp".into()
            ),
            "{at}"
        );
    }
    // Nanoseconds beyond the microsecond do not make another start.
    for start in [
        "2021-12-06T10:00:00.0000001Z",
        "2021-12-06T10:00:00.0000009Z",
    ] {
        let response = s
            .push(
                "agent-statuses",
                &s.statuses(
                    json!([{"agentIdentifier": "bob", "activityIdentifier": start,
                                    "startTime": start}]),
                ),
            )
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }
    let read: Value = s
        .get(&format!(
            "/api/v1/integrations/{}/agent-statuses?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z",
            s.id
        ))
        .await
        .json()
        .await
        .expect("JSON");
    let statuses = read["agentStatuses"].as_array().expect("a list");
    assert_eq!(statuses.len(), 1, "{read}");
    assert_eq!(
        statuses[0]["activityIdentifier"], "2021-12-06T10:00:00.0000009Z",
        "the later one replaced the earlier"
    );
}

async fn an_integration_refuses_the_data_types_it_does_not_carry(engine: Engine) {
    let s = setup(engine).await;
    let created: Value = s
        .app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&s.token),
            Some(json!({"name": "Contacts only", "kind": "api", "dataTypes": ["contacts"]})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let id = created["integration"]["id"].as_i64().expect("an id");
    let response = s
        .app
        .client
        .post(s.app.url("/external-systems/agent-statuses"))
        .bearer_auth(&s.token)
        .json(
            &json!({"data": [{"agentIdentifier": "bob", "activityIdentifier": "Talk",
                                "startTime": "2021-12-06T10:00:00Z"}],
                      "meta": {"integrationConfigurationId": id, "externalSystem": "ACD"}}),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(
        error_code(response).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "data_type_not_enabled".into(),
            String::new()
        )
    );
}

async fn queues_and_agent_statuses_come_a_page_at_a_time(engine: Engine) {
    let s = setup(engine).await;
    let events: Vec<Value> = (0..7)
        .map(|n| {
            json!({"properties": {"offered": true, "handled": true, "duration": 1.0},
                   "queueName": format!("Queue {n}"), "queueIdentifier": format!("q{n}"),
                   "timestamp": "2021-12-06T10:00:00Z"})
        })
        .collect();
    let body = json!({"data": events, "meta": {"integrationConfigurationId": s.id}});
    assert_eq!(
        s.push("contact-events", &body).await.status(),
        StatusCode::ACCEPTED
    );
    let first: Value = s
        .get("/api/v1/queues?limit=3")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(first["total"], 7);
    assert_eq!(first["queues"].as_array().map(Vec::len), Some(3));
    let last: Value = s
        .get("/api/v1/queues?limit=3&offset=6")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(last["queues"].as_array().map(Vec::len), Some(1));
    assert_eq!(last["queues"][0]["queueName"], "Queue 6");

    let statuses: Vec<Value> = (0..5)
        .map(|n| {
            json!({"agentIdentifier": format!("agent{n}"), "activityIdentifier": "Talk",
                   "startTime": "2021-12-06T10:00:00Z"})
        })
        .collect();
    assert_eq!(
        s.push("agent-statuses", &s.statuses(json!(statuses)))
            .await
            .status(),
        StatusCode::ACCEPTED
    );
    let range = "from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z";
    let path = format!("/api/v1/integrations/{}/agent-statuses?{range}", s.id);
    let page: Value = s
        .get(&format!("{path}&limit=2"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(page["agentStatuses"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["nextOffset"], 2);
    let end: Value = s
        .get(&format!("{path}&limit=2&offset=4"))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(end["agentStatuses"][0]["agentIdentifier"], "agent4");
    assert!(end.get("nextOffset").is_none(), "{end}");
    // A page larger than the maximum is refused, never quietly cut to it:
    // a script asking for 1 000 would otherwise take 500 for the whole list.
    assert_eq!(
        s.get("/api/v1/queues?limit=500").await.status(),
        StatusCode::OK
    );
    for limit in ["501", "100000", "0", "-5", "4294967296"] {
        let (status, code, _) =
            error_code(s.get(&format!("/api/v1/queues?limit={limit}")).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{limit}"
        );
    }
}

async fn path_and_query_mistakes_are_answered_in_the_envelope(engine: Engine) {
    let s = setup(engine).await;
    for (path, status, code) in [
        ("/api/v1/queues?limit=many", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/queues?offset=-1", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/queues/not-a-number/intervals?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/integrations/1/imports?limit=x", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/integrations?includeDeleted=perhaps", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/nothing-here", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let response = s.get(path).await;
        let (got_status, got_code, _) = error_code(response).await;
        assert_eq!((got_status, got_code.as_str()), (status, code), "{path}");
    }
    let wrong_method = s
        .app
        .api(Method::DELETE, "/api/v1/queues", Some(&s.token), None)
        .await;
    assert_eq!(
        error_code(wrong_method).await.0,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let not_json = s
        .app
        .client
        .post(s.app.url("/api/v1/integrations"))
        .bearer_auth(&s.token)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(not_json).await.1, "malformed_json");
}

async fn a_date_at_the_end_of_time_is_a_refusal_not_a_crash(engine: Engine) {
    let s = setup(engine).await;
    assert_eq!(
        s.push(
            "contact-events",
            &s.contact("q1", "Sales", "2021-12-06T10:00:00Z")
        )
        .await
        .status(),
        StatusCode::ACCEPTED
    );
    let queue: Value = s.get("/api/v1/queues").await.json().await.expect("JSON");
    let queue_id = queue["queues"][0]["id"].as_i64().expect("a queue");
    let response = s
        .get(&format!(
            "/api/v1/queues/{queue_id}/intervals?from=%2B262142-12-30T00:00:00Z&to=%2B262142-12-31T00:00:00Z"
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    s.app.sign_in_as_admin().await;
    for from in ["%2B262142-12-31", "262142-12-31", "-262143-01-01"] {
        let (status, body) = s
            .app
            .page(&format!("/account/queues/{queue_id}?from={from}&days=31"))
            .await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{from}");
        assert!(body.contains("</html>"), "{from}: a whole page");
    }
}

async fn an_integration_takes_no_more_queues_or_held_requests_than_its_caps(engine: Engine) {
    let database = common::TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            ingest_limits: domain::ingest::Limits {
                caps: domain::ingest::Caps {
                    queues: 3,
                    held_imports: 2,
                },
                ..settings.ingest_limits
            },
            ..settings
        }
    })
    .await
    .with_admin()
    .await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, key) = app.api_integration(&token, "My ACD", 15).await;
    let s = Setup {
        app,
        token,
        id,
        key,
    };
    let queues = |names: &[&str]| {
        let events: Vec<Value> = names
            .iter()
            .map(|q| {
                json!({"properties": {"offered": true, "handled": true, "duration": 1.0},
                       "queueName": q, "queueIdentifier": q, "timestamp": "2021-12-06T10:00:00Z"})
            })
            .collect();
        json!({"data": events, "meta": {"integrationConfigurationId": s.id}})
    };
    let too_many = s
        .push("contact-events", &queues(&["a", "b", "c", "d"]))
        .await;
    assert_eq!(
        error_code(too_many).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_queues".into(),
            "/data".into()
        )
    );
    let listed: Value = s.get("/api/v1/queues").await.json().await.expect("JSON");
    assert_eq!(listed["total"], 0, "nothing of a refused request is kept");
    for names in [&["a", "b"][..], &["b", "c"], &["a", "b", "c"]] {
        let response = s.push("contact-events", &queues(names)).await;
        assert_eq!(response.status(), StatusCode::ACCEPTED, "{names:?}");
    }
    let fourth = s.push("contact-events", &queues(&["a", "d"])).await;
    assert_eq!(error_code(fourth).await.1, "too_many_queues");

    let paused = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{}/pause", s.id),
            Some(&s.token),
            None,
        )
        .await;
    assert_eq!(paused.status(), StatusCode::OK);
    for _ in 0..2 {
        let held = s.push("contact-events", &queues(&["a"])).await;
        assert_eq!(held.status(), StatusCode::ACCEPTED);
    }
    let full = s.push("contact-events", &queues(&["a"])).await;
    assert_eq!(
        error_code(full).await,
        (
            StatusCode::CONFLICT,
            "held_data_full".into(),
            "/meta/integrationConfigurationId".into()
        )
    );
    let resumed: Value = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{}/resume", s.id),
            Some(&s.token),
            None,
        )
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(resumed["integration"]["status"], "active");
    assert_eq!(
        s.push("contact-events", &queues(&["a"])).await.status(),
        StatusCode::ACCEPTED
    );
}
