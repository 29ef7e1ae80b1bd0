//! The ingestion API as customers' scripts use it (DESIGN §3), and what the
//! data becomes: queues, interval statistics, agent statuses, imports.

mod common;

use common::{error_code, Engine, TestApp, TestDatabase, ADMIN_EMAIL};
use reqwest::{header, Method, Response, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    the_documented_examples_work_verbatim,
    every_refusal_has_its_status_and_code,
    bad_items_reject_the_whole_request_with_every_problem,
    an_idempotent_retry_returns_the_first_answer_and_applies_nothing_again,
    data_sent_while_paused_is_held_and_applied_in_order_on_resume,
    a_deleted_integration_takes_no_more_data,
    a_queue_keeps_its_identity_through_its_identifier,
    intervals_follow_the_integrations_length_in_utc,
    a_resent_agent_status_replaces_the_earlier_one,
    a_request_cut_off_halfway_leaves_nothing_behind,
    personal_access_tokens_write_only_to_their_accounts_api_integrations,
    the_rate_limit_answers_429_with_retry_after,
    what_arrived_shows_on_the_pages_without_javascript,
    held_data_survives_a_restart_and_is_applied_on_resume,
    concurrent_requests_all_land_and_count_each_new_queue_once,
);

/// A running Intake with an admin, their token, and an API integration
/// carrying both data types, with its key.
struct Fixture {
    app: TestApp,
    token: String,
    id: i64,
    key: String,
}

async fn fixture(engine: Engine) -> Fixture {
    fixture_with(TestApp::spawn(engine).await, 15).await
}

async fn fixture_with(app: TestApp, interval: u32) -> Fixture {
    let app = app.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, key) = app.api_integration(&token, "My ACD", interval).await;
    Fixture {
        app,
        token,
        id,
        key,
    }
}

impl Fixture {
    async fn push(&self, path: &str, credential: &str, body: &Value) -> Response {
        self.app
            .client
            .post(self.app.url(path))
            .bearer_auth(credential)
            .json(body)
            .send()
            .await
            .expect("answered")
    }

    async fn contacts(&self, body: &Value) -> Response {
        self.push("/external-systems/contact-events", &self.key, body)
            .await
    }

    async fn statuses(&self, body: &Value) -> Response {
        self.push("/external-systems/agent-statuses", &self.key, body)
            .await
    }

    async fn read(&self, path: &str) -> Value {
        let response = self
            .app
            .api(Method::GET, path, Some(&self.token), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("JSON")
    }

    async fn queues(&self) -> Vec<Value> {
        self.read("/api/v1/queues").await["queues"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn intervals(&self, queue: i64, from: &str, to: &str) -> Value {
        self.read(&format!(
            "/api/v1/queues/{queue}/intervals?from={from}&to={to}"
        ))
        .await
    }

    async fn imports(&self) -> Vec<Value> {
        self.read(&format!("/api/v1/integrations/{}/imports", self.id))
            .await["imports"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn pause(&self, verb: &str) {
        let response = self
            .app
            .api(
                Method::POST,
                &format!("/api/v1/integrations/{}/{verb}", self.id),
                Some(&self.token),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{verb}");
    }
}

fn event(
    queue: &str,
    name: &str,
    timestamp: &str,
    offered: bool,
    handled: bool,
    duration: f64,
) -> Value {
    json!({"properties": {"offered": offered, "handled": handled, "duration": duration},
           "queueName": name, "queueIdentifier": queue, "timestamp": timestamp, "channel": "calls"})
}

fn contacts_body(id: i64, events: Vec<Value>) -> Value {
    json!({"data": events, "meta": {"integrationConfigurationId": id}})
}

async fn accepted(response: Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    body
}

async fn the_documented_examples_work_verbatim(engine: Engine) {
    let f = fixture(engine).await;
    // DESIGN §3, with this integration's id in place of 1234 and 8431.
    let contacts = r#"{"data":[{"properties":{"offered":true,"handled":false,"duration":124.6},
          "queueName":"Level 1 support","queueIdentifier":"1337_99",
          "timestamp":"2021-12-06T10:34:22Z","channel":"calls"}],
 "meta":{"integrationConfigurationId":1234}}"#
        .replace("1234", &f.id.to_string());
    let statuses = r#"{"data":[{"agentIdentifier":"bob@mycompany.com","activityIdentifier":"Test",
          "startTime":"2021-12-06T10:00:00Z","endTime":"2021-12-06T15:00:00Z"}],
 "meta":{"integrationConfigurationId":8431,"externalSystem":"My ACD"}}"#
        .replace("8431", &f.id.to_string());

    let send = |path: &'static str, body: String| {
        f.app
            .client
            .post(f.app.url(path))
            .header(header::AUTHORIZATION, format!("Bearer {}", f.key))
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
    };
    let first = accepted(
        send("/external-systems/contact-events", contacts.clone())
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(first["status"], "applied");
    assert_eq!(first["items"], 1);
    assert_eq!(first["newQueues"], 1);
    assert!(first["importId"].as_i64().is_some());
    let second = accepted(
        send("/external-systems/agent-statuses", statuses)
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(second["status"], "applied");

    let queues = f.queues().await;
    assert_eq!(queues.len(), 1);
    assert_eq!(queues[0]["queueIdentifier"], "1337_99");
    assert_eq!(queues[0]["queueName"], "Level 1 support");
    assert_eq!(queues[0]["channel"], "calls");
    assert_eq!(queues[0]["integrationId"], f.id);
    let intervals = f
        .intervals(
            queues[0]["id"].as_i64().expect("id"),
            "2021-12-06T00:00:00Z",
            "2021-12-07T00:00:00Z",
        )
        .await;
    assert_eq!(
        intervals["intervals"],
        json!([{"start": "2021-12-06T10:30:00Z", "offered": 1, "handled": 0, "abandoned": 1,
                "handleTimeTotal": 0.0, "averageHandleTime": null}])
    );

    let statuses = f
        .read(&format!(
            "/api/v1/integrations/{}/agent-statuses?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z",
            f.id
        ))
        .await;
    assert_eq!(
        statuses["agentStatuses"][0]["agentIdentifier"],
        "bob@mycompany.com"
    );
    assert_eq!(
        statuses["agentStatuses"][0]["endTime"],
        "2021-12-06T15:00:00Z"
    );
    // Nobody maps agents yet: both ids wait as discovered, the row is kept.
    let discovered: Vec<String> = f
        .app
        .database
        .scalars("SELECT kind || ':' || external_id FROM discovered_ids ORDER BY kind")
        .await;
    assert_eq!(discovered, vec!["activity:Test", "agent:bob@mycompany.com"]);

    let imports = f.imports().await;
    assert_eq!(imports.len(), 2);
    assert_eq!(imports[0]["feed"], "agent_statuses");
    assert_eq!(imports[1]["outcome"], "applied");
    assert_eq!(imports[1]["newQueues"], 1);
    // The raw request is kept exactly as received, compressed.
    let db = &f.app.database;
    let encodings: Vec<String> = db
        .scalars("SELECT encoding FROM import_bodies ORDER BY import_id")
        .await;
    let bodies: Vec<Vec<u8>> = db
        .scalars("SELECT body FROM import_bodies ORDER BY import_id")
        .await;
    assert_eq!(encodings, ["zstd", "zstd"]);
    let kept = server::db::payload::decode(&encodings[0], bodies[0].clone()).expect("decodes");
    assert_eq!(kept, contacts);
}

async fn every_refusal_has_its_status_and_code(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |mut settings| {
        settings.ingest_limits.max_items = 3;
        settings.ingest_limits.max_body_bytes = 4096;
        settings
    })
    .await;
    let f = fixture_with(app, 15).await;
    let (other_id, other_key) = f.app.api_integration(&f.token, "Other ACD", 15).await;
    let good = contacts_body(
        f.id,
        vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 5.0)],
    );
    let path = "/external-systems/contact-events";

    let anonymous = f
        .app
        .client
        .post(f.app.url(path))
        .json(&good)
        .send()
        .await
        .expect("answered");
    assert_eq!(
        error_code(anonymous).await,
        (
            StatusCode::UNAUTHORIZED,
            "unauthenticated".into(),
            String::new()
        )
    );
    let made_up = f
        .push(path, "itk_1111111111111111111111111111111111", &good)
        .await;
    assert_eq!(error_code(made_up).await.0, StatusCode::UNAUTHORIZED);
    let wrong_key = f.push(path, &other_key, &good).await;
    assert_eq!(
        error_code(wrong_key).await,
        (
            StatusCode::FORBIDDEN,
            "forbidden".into(),
            "/meta/integrationConfigurationId".into()
        )
    );
    let unknown_integration = f.contacts(&contacts_body(987_654, vec![])).await;
    assert_eq!(
        error_code(unknown_integration).await.0,
        StatusCode::FORBIDDEN
    );

    let not_json = f
        .app
        .client
        .post(f.app.url(path))
        .bearer_auth(&f.key)
        .header(header::CONTENT_TYPE, "text/csv")
        .body("a,b")
        .send()
        .await
        .expect("answered");
    assert_eq!(error_code(not_json).await.1, "unsupported_media_type");
    let send_text = |body: String| {
        f.app
            .client
            .post(f.app.url(path))
            .bearer_auth(&f.key)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
    };
    let malformed = send_text("{\"data\": [".into()).await.expect("answered");
    let (status, code, _) = error_code(malformed).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );
    // A field given twice is ambiguous: refused rather than one picked.
    let twice = format!(
        "{{\"data\": [], \"meta\": {{\"integrationConfigurationId\": {0}, \"integrationConfigurationId\": {0}}}}}",
        f.id
    );
    let twice = send_text(twice).await.expect("answered");
    let (status, code, _) = error_code(twice).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "malformed_json")
    );

    let too_many = f
        .contacts(&contacts_body(
            f.id,
            vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 5.0); 4],
        ))
        .await;
    assert_eq!(
        error_code(too_many).await,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_items".into(),
            "/data".into()
        )
    );
    let huge_name = "x".repeat(5000);
    let too_big = f
        .contacts(&contacts_body(
            f.id,
            vec![event(
                "q",
                &huge_name,
                "2021-12-06T10:00:00Z",
                true,
                true,
                5.0,
            )],
        ))
        .await;
    assert_eq!(error_code(too_big).await.1, "payload_too_large");

    let unknown_path = f
        .push("/external-systems/contact-event", &f.key, &good)
        .await;
    assert_eq!(
        error_code(unknown_path).await,
        (StatusCode::NOT_FOUND, "not_found".into(), String::new())
    );
    let wrong_method = f
        .app
        .client
        .get(f.app.url("/external-systems/contact-events"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(
        error_code(wrong_method).await,
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed".into(),
            String::new()
        )
    );

    // None of that stored anything, and the other integration is untouched.
    let stored: Vec<i64> = f.app.database.scalars("SELECT COUNT(*) FROM queues").await;
    assert_eq!(stored, vec![0]);
    let _ = other_id;
}

async fn bad_items_reject_the_whole_request_with_every_problem(engine: Engine) {
    let f = fixture(engine).await;
    let response = f
        .contacts(&contacts_body(
            f.id,
            vec![
                event("q1", "Good", "2021-12-06T10:00:00Z", true, true, 5.0),
                json!({"properties": {"offered": true, "handled": true, "duration": -3},
                       "queueName": "Q", "queueIdentifier": "q2", "timestamp": "yesterday", "channel": "fax"}),
            ],
        ))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    let problems: Vec<(String, String)> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap_or_default().to_owned(),
                p["pointer"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        vec![
            (
                "invalid_duration".to_owned(),
                "/data/1/properties/duration".to_owned()
            ),
            (
                "invalid_timestamp".to_owned(),
                "/data/1/timestamp".to_owned()
            ),
            ("invalid_channel".to_owned(), "/data/1/channel".to_owned()),
        ]
    );
    assert!(body["errors"][2]["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("social_media"));
    // All or nothing: the good item was not applied either.
    assert!(f.queues().await.is_empty());
    let imports = f.imports().await;
    assert_eq!(imports[0]["outcome"], "rejected");
    assert_eq!(imports[0]["items"], 2);
    assert_eq!(imports[0]["errorCount"], 3);
    assert_eq!(
        imports[0]["errorSummary"],
        "invalid_duration at /data/1/properties/duration and 2 more"
    );
}

async fn an_idempotent_retry_returns_the_first_answer_and_applies_nothing_again(engine: Engine) {
    let f = fixture(engine).await;
    let body = contacts_body(
        f.id,
        vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 30.0)],
    );
    let send = |body: &Value| {
        f.app
            .client
            .post(f.app.url("/external-systems/contact-events"))
            .bearer_auth(&f.key)
            .header("Idempotency-Key", "batch-2021-12-06T10")
            .json(body)
            .send()
    };
    let first = send(&body).await.expect("answered");
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = accepted(first).await;
    let retry = send(&body).await.expect("answered");
    assert_eq!(
        retry
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.as_bytes()),
        Some(&b"true"[..])
    );
    assert_eq!(
        accepted(retry).await,
        first,
        "the retry gets the first answer"
    );

    let queue = f.queues().await[0]["id"].as_i64().expect("id");
    let intervals = f
        .intervals(queue, "2021-12-06T00:00:00Z", "2021-12-07T00:00:00Z")
        .await;
    assert_eq!(intervals["intervals"][0]["offered"], 1, "applied once");
    assert_eq!(f.imports().await.len(), 1);

    let changed = contacts_body(
        f.id,
        vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 31.0)],
    );
    let reused = send(&changed).await.expect("answered");
    assert_eq!(
        error_code(reused).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused".into(),
            String::new()
        )
    );

    // The same key and body at the other endpoint is another request, not
    // a retry: never the contact-events answer for agent statuses.
    let empty =
        json!({"data": [], "meta": {"integrationConfigurationId": f.id, "externalSystem": "ACD"}});
    let at = |path: &str| {
        f.app
            .client
            .post(f.app.url(path))
            .bearer_auth(&f.key)
            .header("Idempotency-Key", "empty-batch")
            .json(&empty)
            .send()
    };
    accepted(
        at("/external-systems/contact-events")
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(
        error_code(
            at("/external-systems/agent-statuses")
                .await
                .expect("answered")
        )
        .await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused".into(),
            String::new()
        )
    );
}

async fn data_sent_while_paused_is_held_and_applied_in_order_on_resume(engine: Engine) {
    let f = fixture(engine).await;
    f.pause("pause").await;
    let first = accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![event(
                "q",
                "Old name",
                "2021-12-06T10:00:00Z",
                true,
                true,
                10.0,
            )],
        ))
        .await,
    )
    .await;
    assert_eq!(first["status"], "held");
    assert!(first["detail"]
        .as_str()
        .unwrap_or_default()
        .contains("paused"));
    accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![event(
                "q",
                "New name",
                "2021-12-06T10:05:00Z",
                true,
                false,
                0.0,
            )],
        ))
        .await,
    )
    .await;
    assert!(
        f.queues().await.is_empty(),
        "nothing is applied while paused"
    );
    assert_eq!(f.imports().await[0]["outcome"], "held");

    f.pause("resume").await;

    let queues = f.queues().await;
    assert_eq!(queues.len(), 1);
    assert_eq!(
        queues[0]["queueName"], "New name",
        "applied in arrival order"
    );
    let intervals = f
        .intervals(
            queues[0]["id"].as_i64().expect("id"),
            "2021-12-06T00:00:00Z",
            "2021-12-07T00:00:00Z",
        )
        .await;
    assert_eq!(intervals["intervals"][0]["offered"], 2);
    assert_eq!(intervals["intervals"][0]["abandoned"], 1);
    let imports = f.imports().await;
    assert!(imports.iter().all(|i| i["outcome"] == "applied"));
}

async fn a_deleted_integration_takes_no_more_data(engine: Engine) {
    let f = fixture(engine).await;
    let response = f
        .app
        .api(
            Method::DELETE,
            &format!("/api/v1/integrations/{}", f.id),
            Some(&f.token),
            None,
        )
        .await;
    assert!(response.status().is_success());
    // Its key is revoked with it; a token of the admin meets the 409.
    let with_key = f.contacts(&contacts_body(f.id, vec![])).await;
    assert_eq!(error_code(with_key).await.0, StatusCode::UNAUTHORIZED);
    let with_token = f
        .push(
            "/external-systems/contact-events",
            &f.token,
            &contacts_body(f.id, vec![]),
        )
        .await;
    assert_eq!(
        error_code(with_token).await,
        (
            StatusCode::CONFLICT,
            "integration_deleted".into(),
            "/meta/integrationConfigurationId".into()
        )
    );
}

async fn a_queue_keeps_its_identity_through_its_identifier(engine: Engine) {
    let f = fixture(engine).await;
    accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![event(
                "1337_99",
                "Level 1",
                "2021-12-06T10:00:00Z",
                true,
                true,
                1.0,
            )],
        ))
        .await,
    )
    .await;
    let renamed = accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![event(
                "1337_99",
                "Level 1 support",
                "2021-12-06T11:00:00Z",
                true,
                true,
                1.0,
            )],
        ))
        .await,
    )
    .await;
    assert_eq!(
        renamed["newQueues"], 0,
        "a new name with the same identifier is the same queue"
    );
    let same_name = accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![event(
                "1337_100",
                "Level 1 support",
                "2021-12-06T11:00:00Z",
                true,
                true,
                1.0,
            )],
        ))
        .await,
    )
    .await;
    assert_eq!(
        same_name["newQueues"], 1,
        "the same name with another identifier is another queue"
    );
    let mut chat = event(
        "1337_99",
        "Level 1 support",
        "2021-12-06T11:00:00Z",
        true,
        true,
        1.0,
    );
    chat["channel"] = json!("chats");
    let other_channel = accepted(f.contacts(&contacts_body(f.id, vec![chat])).await).await;
    assert_eq!(
        other_channel["newQueues"], 1,
        "another channel is another queue"
    );

    let queues = f.queues().await;
    assert_eq!(queues.len(), 3);
    let renamed = queues
        .iter()
        .find(|q| q["queueIdentifier"] == "1337_99" && q["channel"] == "calls")
        .expect("the renamed queue");
    assert_eq!(renamed["queueName"], "Level 1 support");
    assert_eq!(renamed["firstDataAt"], "2021-12-06T10:00:00Z");
    assert_eq!(renamed["lastDataAt"], "2021-12-06T11:00:00Z");
}

async fn intervals_follow_the_integrations_length_in_utc(engine: Engine) {
    let f = fixture_with(TestApp::spawn(engine).await, 30).await;
    accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![
                event("q", "Q", "2021-12-06T10:29:59Z", true, true, 60.0),
                // Exactly on a boundary: the interval that starts there.
                event("q", "Q", "2021-12-06T10:30:00Z", true, true, 30.0),
                event("q", "Q", "2021-12-06T11:44:00+01:00", true, true, 90.0),
                event("q", "Q", "2021-12-06T10:59:59.999Z", true, false, 12.0),
            ],
        ))
        .await,
    )
    .await;
    let queue = f.queues().await[0]["id"].as_i64().expect("id");
    let intervals = f
        .intervals(queue, "2021-12-06T00:00:00Z", "2021-12-07T00:00:00Z")
        .await;
    assert_eq!(intervals["intervalMinutes"], 30);
    assert_eq!(
        intervals["intervals"],
        json!([
            {"start": "2021-12-06T10:00:00Z", "offered": 1, "handled": 1, "abandoned": 0, "handleTimeTotal": 60.0, "averageHandleTime": 60.0},
            {"start": "2021-12-06T10:30:00Z", "offered": 3, "handled": 2, "abandoned": 1, "handleTimeTotal": 120.0, "averageHandleTime": 60.0},
        ])
    );
    // Sixty minutes: the same data, summed per hour.
    let response = f
        .app
        .api(
            Method::PATCH,
            &format!("/api/v1/integrations/{}", f.id),
            Some(&f.token),
            Some(json!({"intervalMinutes": 60})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let hourly = f
        .intervals(queue, "2021-12-06T00:00:00Z", "2021-12-07T00:00:00Z")
        .await;
    assert_eq!(hourly["intervals"][0]["offered"], 4);
    let bad = f
        .app
        .api(Method::GET, &format!("/api/v1/queues/{queue}/intervals?from=2021-12-07T00:00:00Z&to=2021-12-06T00:00:00Z"), Some(&f.token), None)
        .await;
    assert_eq!(error_code(bad).await.1, "invalid_range");
}

async fn concurrent_requests_all_land_and_count_each_new_queue_once(engine: Engine) {
    const REQUESTS: usize = 12;
    let f = fixture(engine).await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..REQUESTS {
        // Every request adds to one shared queue and to one of four others,
        // so several race to create the same queue.
        let body = contacts_body(
            f.id,
            vec![
                event("shared", "Shared", "2021-12-06T10:00:00Z", true, true, 10.0),
                event("shared", "Shared", "2021-12-06T10:05:00Z", true, false, 0.0),
                event(
                    &format!("own{}", i % 4),
                    "Own",
                    "2021-12-06T10:00:00Z",
                    true,
                    true,
                    20.0,
                ),
            ],
        );
        let send = f
            .app
            .client
            .post(f.app.url("/external-systems/contact-events"))
            .bearer_auth(&f.key)
            .json(&body)
            .send();
        requests.spawn(async move { accepted(send.await.expect("answered")).await });
    }
    let answers = requests.join_all().await;
    let new_queues: i64 = answers
        .iter()
        .map(|answer| answer["newQueues"].as_i64().expect("a count"))
        .sum();
    assert_eq!(new_queues, 5, "each queue is new for exactly one request");
    let queues = f.queues().await;
    assert_eq!(queues.len(), 5);
    let shared = queues
        .iter()
        .find(|q| q["queueIdentifier"] == "shared")
        .and_then(|q| q["id"].as_i64())
        .expect("the shared queue");
    let intervals = f
        .intervals(shared, "2021-12-06T00:00:00Z", "2021-12-07T00:00:00Z")
        .await;
    assert_eq!(
        intervals["intervals"],
        json!([{"start": "2021-12-06T10:00:00Z", "offered": 24, "handled": 12, "abandoned": 12,
                "handleTimeTotal": 120.0, "averageHandleTime": 10.0}])
    );
    assert_eq!(f.imports().await.len(), REQUESTS);
}

async fn a_resent_agent_status_replaces_the_earlier_one(engine: Engine) {
    let f = fixture(engine).await;
    let status = |activity: &str, end: Option<&str>| {
        json!({"data": [{"agentIdentifier": "bob", "activityIdentifier": activity,
                         "startTime": "2021-12-06T10:00:00Z", "endTime": end}],
               "meta": {"integrationConfigurationId": f.id, "externalSystem": "My ACD"}})
    };
    accepted(f.statuses(&status("Break", None)).await).await;
    accepted(
        f.statuses(&status("Lunch", Some("2021-12-06T10:30:00Z")))
            .await,
    )
    .await;
    let statuses = f
        .read(&format!(
            "/api/v1/integrations/{}/agent-statuses?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z",
            f.id
        ))
        .await;
    let statuses = statuses["agentStatuses"].as_array().expect("array");
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["activityIdentifier"], "Lunch");
    let counts: Vec<i64> = f
        .app
        .database
        .scalars("SELECT seen_count FROM discovered_ids WHERE kind = 'agent'")
        .await;
    assert_eq!(counts, vec![2]);
}

async fn a_request_cut_off_halfway_leaves_nothing_behind(engine: Engine) {
    use tokio::io::AsyncWriteExt;
    let f = fixture(engine).await;
    let body = contacts_body(
        f.id,
        vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 5.0); 50],
    )
    .to_string();
    let mut stream = tokio::net::TcpStream::connect(f.app.addr)
        .await
        .expect("connects");
    let head = format!(
        "POST /external-systems/contact-events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        f.app.addr,
        f.key,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    stream
        .write_all(&body.as_bytes()[..body.len() / 2])
        .await
        .expect("writes");
    drop(stream);
    // The next request on a fresh connection is served; the cut one left
    // no queue, no import and no payload.
    accepted(f.contacts(&contacts_body(f.id, vec![])).await).await;
    let queues: Vec<i64> = f.app.database.scalars("SELECT COUNT(*) FROM queues").await;
    let payloads: Vec<i64> = f
        .app
        .database
        .scalars("SELECT COUNT(*) FROM import_bodies")
        .await;
    assert_eq!((queues, payloads), (vec![0], vec![1]));
}

async fn personal_access_tokens_write_only_to_their_accounts_api_integrations(engine: Engine) {
    let f = fixture(engine).await;
    let body = contacts_body(
        f.id,
        vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 5.0)],
    );
    let path = "/external-systems/contact-events";
    accepted(f.push(path, &f.token, &body).await).await;

    f.app.add_planner("planner@example.com").await;
    let planner = f.app.token_for("planner@example.com").await;
    assert_eq!(
        error_code(f.push(path, &planner, &body).await).await.0,
        StatusCode::FORBIDDEN
    );
    f.app
        .another_account("Other Corp", "boss@other.example")
        .await;
    let stranger = f.app.token_for("boss@other.example").await;
    assert_eq!(
        error_code(f.push(path, &stranger, &body).await).await.0,
        StatusCode::FORBIDDEN
    );
    // Planners read what arrived; strangers do not see it.
    let planner_view = f
        .app
        .api(Method::GET, "/api/v1/queues", Some(&planner), None)
        .await;
    assert_eq!(planner_view.status(), StatusCode::OK);
    let stranger_view: Value = f
        .app
        .api(Method::GET, "/api/v1/queues", Some(&stranger), None)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(stranger_view["queues"], json!([]));
    let queue = f.queues().await[0]["id"].as_i64().expect("id");
    let foreign = f
        .app
        .api(Method::GET, &format!("/api/v1/queues/{queue}/intervals?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z"), Some(&stranger), None)
        .await;
    assert_eq!(error_code(foreign).await.0, StatusCode::NOT_FOUND);
    let foreign_imports = f
        .app
        .api(
            Method::GET,
            &format!("/api/v1/integrations/{}/imports", f.id),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(error_code(foreign_imports).await.0, StatusCode::NOT_FOUND);

    // A CSV integration is not pushed to, even by its own admin.
    let csv: Value = f
        .app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&f.token),
            Some(json!({"name": "Files", "kind": "csv"})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let csv_id = csv["integration"]["id"].as_i64().expect("id");
    let to_csv = f.push(path, &f.token, &contacts_body(csv_id, vec![])).await;
    assert_eq!(error_code(to_csv).await.0, StatusCode::FORBIDDEN);
}

async fn the_rate_limit_answers_429_with_retry_after(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |mut settings| {
        settings.ingest_requests_per_second = 1;
        settings
    })
    .await;
    let f = fixture_with(app, 15).await;
    let body = contacts_body(f.id, vec![]);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let response = f.contacts(&body).await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry_after: u64 = response.headers()[header::RETRY_AFTER]
                .to_str()
                .expect("text")
                .parse()
                .expect("seconds");
            assert!(retry_after >= 1);
            assert_eq!(error_code(response).await.1, "rate_limited");
            break;
        }
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_the_reference_page_cover_both_endpoints() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let document: Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("JSON");
    for path in [
        "/external-systems/contact-events",
        "/external-systems/agent-statuses",
    ] {
        let operation = &document["paths"][path]["post"];
        for status in ["202", "401", "403", "409", "413", "415", "422", "429"] {
            assert!(
                operation["responses"][status].is_object(),
                "{path} documents {status}"
            );
        }
    }
    assert!(document["info"]["description"]
        .as_str()
        .is_some_and(|d| d.contains("10 000 items")));
    assert!(document["components"]["securitySchemes"]["integration_key"].is_object());

    let (status, page) = app.page("/api/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/external-systems/contact-events"));
    assert!(page.contains("/api/v1/queues/{id}/intervals"));
    // The body's fields, from the same schemas the parser's types publish.
    for field in [
        "data[].queueName",
        "data[].properties.duration",
        "data[].endTime",
        "meta.externalSystem",
        "string, 1–200 characters",
    ] {
        assert!(page.contains(field), "the reference lists {field}");
    }
    assert!(
        !page.contains("<script"),
        "readable without JavaScript or a CDN"
    );
}

async fn what_arrived_shows_on_the_pages_without_javascript(engine: Engine) {
    let f = fixture(engine).await;
    f.app.sign_in_as_admin().await;
    let (_, empty) = f.app.page("/account/queues").await;
    assert!(empty.contains("data-test=\"queues-empty\""));
    let (_, quiet) = f.app.page(&format!("/account/integrations/{}", f.id)).await;
    assert!(quiet.contains("data-test=\"no-imports\""));

    accepted(
        f.contacts(&contacts_body(
            f.id,
            vec![
                event(
                    "1337_99",
                    "Level 1 <support>",
                    "2021-12-06T10:34:22Z",
                    true,
                    true,
                    120.0,
                ),
                event(
                    "1337_99",
                    "Level 1 <support>",
                    "2021-12-06T10:40:00Z",
                    true,
                    false,
                    0.0,
                ),
            ],
        ))
        .await,
    )
    .await;
    f.contacts(&contacts_body(f.id, vec![json!({"queueName": "x"})]))
        .await;

    let (status, queues) = f.app.page("/account/queues").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        queues.contains("Level 1 &lt;support&gt;"),
        "names are escaped"
    );
    assert!(queues.contains("1337_99"));
    let queue = f.queues().await[0]["id"].as_i64().expect("id");

    // With no day chosen, the page opens on the last day with data.
    let (status, page) = f.app.page(&format!("/account/queues/{queue}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-test=\"interval-chart\""));
    assert!(page.contains("value=\"2021-12-06\""));
    assert_eq!(page.matches("data-test=\"interval-row\"").count(), 1);
    assert!(page.contains("2021-12-06 10:30"));
    assert!(
        page.contains("120.0 s"),
        "average handle time of the handled contact"
    );
    let (_, other_day) = f
        .app
        .page(&format!("/account/queues/{queue}?from=2021-12-07&days=7"))
        .await;
    assert!(other_day.contains("data-test=\"no-data\""));
    let (_, bad_day) = f
        .app
        .page(&format!("/account/queues/{queue}?from=yesterday"))
        .await;
    assert!(
        bad_day.contains("role=\"alert\""),
        "a bad day is explained, not a crash"
    );

    let (_, integration) = f.app.page(&format!("/account/integrations/{}", f.id)).await;
    assert_eq!(integration.matches("data-test=\"import-row\"").count(), 2);
    assert!(integration.contains("data-outcome=\"rejected\""));
    assert!(integration.contains("missing_field at /data/0/properties"));
    let (_, overview) = f.app.page("/account/integrations").await;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        !overview.contains(">Never<") && overview.contains(&format!("{today} ")),
        "the overview shows the last import, written like every other time"
    );
    // Times read the same on every page: to the minute, in UTC, no `T…Z`.
    for page in [overview, integration] {
        assert!(!page.contains(&format!(">{today}T")), "{page}");
    }
}

async fn held_data_survives_a_restart_and_is_applied_on_resume(engine: Engine) {
    let f = fixture(engine).await;
    f.pause("pause").await;
    let body = contacts_body(
        f.id,
        vec![event("q", "Q", "2021-12-06T10:00:00Z", true, true, 10.0)],
    );
    let held = accepted(f.contacts(&body).await).await;
    assert_eq!(held["status"], "held");

    let Fixture {
        app,
        token,
        id,
        key,
    } = f;
    let (database, client) = app.stop().await;
    let app = TestApp::spawn_with(database, client, |settings| settings).await;
    let f = Fixture {
        app,
        token,
        id,
        key,
    };

    // The key still works after the restart, a second request is held
    // too, and both are applied on resume.
    let second = f
        .app
        .client
        .post(f.app.url("/external-systems/contact-events"))
        .bearer_auth(&f.key)
        .json(&body)
        .send()
        .await
        .expect("answered");
    assert_eq!(second.status(), StatusCode::ACCEPTED);
    assert!(f.queues().await.is_empty());
    f.pause("resume").await;
    let queue = f.queues().await[0]["id"].as_i64().expect("id");
    let intervals = f
        .intervals(queue, "2021-12-06T00:00:00Z", "2021-12-07T00:00:00Z")
        .await;
    assert_eq!(
        intervals["intervals"][0]["offered"], 2,
        "two separate requests, both applied"
    );
}
