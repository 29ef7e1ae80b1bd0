//! Employees, agent mappings and the intraday state through the management
//! API, on both engines (issue 14).

mod common;

use chrono::{Duration, SecondsFormat, Utc};
use common::{error_code, location, Engine, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    employees_are_created_listed_and_refused_with_every_problem,
    statuses_kept_before_mapping_show_on_mapping_and_hide_on_unmapping,
    a_mapping_is_one_id_to_one_employee_per_integration,
    near_misses_are_named_when_mapping,
    planners_read_and_other_accounts_see_nothing,
    activities_are_remapped_while_the_integration_is_paused,
    employees_are_changed_and_archived,
    agent_ids_that_are_employees_addresses_are_matched_in_one_go,
    workloads_combine_queues_and_refuse_a_deleted_integrations_queue,
    the_intraday_page_shows_each_mapped_employee_in_their_activity,
    employees_are_added_and_archived_with_plain_forms,
    agents_and_activities_are_mapped_on_the_integrations_mapping_page,
    employees_are_imported_from_a_csv_file_whole_or_not_at_all,
    markup_in_names_and_ids_is_shown_as_text_on_every_page,
    workloads_are_kept_on_their_pages_with_plain_forms_and_a_chart,
    employees_have_teams_and_the_board_filters_by_team,
    activities_are_changed_and_archived_unless_default_or_mapped,
    activities_are_kept_on_their_page_with_plain_forms,
    the_mapping_page_picks_employees_from_one_searchable_list,
    an_employees_external_systems_carry_their_own_id_and_near_misses,
    an_employee_is_edited_and_given_external_systems_on_their_page,
    a_teams_board_holds_its_members_however_many_others_are_mapped,
);

struct World {
    app: TestApp,
    token: String,
    integration: i64,
    key: String,
}

async fn world(engine: Engine) -> World {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (integration, key) = app.api_integration(&token, "My ACD", 15).await;
    World {
        app,
        token,
        integration,
        key,
    }
}

fn ago(minutes: i64) -> String {
    (Utc::now() - Duration::minutes(minutes)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl World {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        self.app.api(method, path, Some(&self.token), body).await
    }

    async fn employee(&self, name: &str, email: &str) -> i64 {
        let response = self
            .call(
                Method::POST,
                "/api/v1/employees",
                Some(json!({"name": name, "email": email, "personnelNumber": "P-1"})),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("JSON");
        body["employee"]["id"].as_i64().expect("an id")
    }

    async fn statuses(&self, data: Value) {
        let response = self
            .app
            .client
            .post(self.app.url("/external-systems/agent-statuses"))
            .bearer_auth(&self.key)
            .json(&json!({"data": data, "meta": {"integrationConfigurationId": self.integration, "externalSystem": "My ACD"}}))
            .send()
            .await
            .expect("answered");
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }

    async fn map(&self, external_id: &str, employee: i64) -> reqwest::Response {
        self.call(
            Method::POST,
            &format!("/api/v1/integrations/{}/agent-mappings", self.integration),
            Some(json!({"externalId": external_id, "employeeId": employee})),
        )
        .await
    }

    async fn intraday(&self) -> Value {
        self.app.read_json("/api/v1/intraday", &self.token).await
    }
}

async fn employees_are_created_listed_and_refused_with_every_problem(engine: Engine) {
    let w = world(engine).await;
    let response = w
        .call(
            Method::POST,
            "/api/v1/employees",
            Some(json!({"name": " Bob Jones ", "email": "Bob@Example.com", "personnelNumber": "0042"})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let bob: Value = response.json().await.expect("JSON");
    assert_eq!(bob["employee"]["name"], "Bob Jones");
    assert_eq!(bob["employee"]["email"], "bob@example.com");
    assert_eq!(bob["employee"]["personnelNumber"], "0042");
    let ann = w.employee("Ann Lee", "ann@example.com").await;

    let list = w.app.read_json("/api/v1/employees?limit=1", &w.token).await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["employees"][0]["id"], ann, "by name");
    let one = w
        .app
        .read_json(&format!("/api/v1/employees/{ann}"), &w.token)
        .await;
    assert_eq!(one["employee"]["name"], "Ann Lee");

    let taken = w
        .call(
            Method::POST,
            "/api/v1/employees",
            Some(json!({"name": "Robert", "email": "bob@EXAMPLE.com"})),
        )
        .await;
    assert_eq!(
        error_code(taken).await,
        (StatusCode::CONFLICT, "email_taken".into(), "/email".into())
    );
    let bad = w
        .call(
            Method::POST,
            "/api/v1/employees",
            Some(json!({"name": " ", "email": "nope", "personnelNumber": "9".repeat(51)})),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.expect("JSON");
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(pointers, ["/name", "/email", "/personnelNumber"]);
    let missing = w.call(Method::GET, "/api/v1/employees/999999", None).await;
    assert_eq!(error_code(missing).await.0, StatusCode::NOT_FOUND);
}

async fn statuses_kept_before_mapping_show_on_mapping_and_hide_on_unmapping(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    let available_since = ago(60);
    w.statuses(json!([
        {"agentIdentifier": "bob@example.com", "activityIdentifier": "Break",
         "startTime": ago(90), "endTime": available_since},
        {"agentIdentifier": "bob@example.com", "activityIdentifier": "Available", "startTime": available_since},
        {"agentIdentifier": "carol", "activityIdentifier": "Available", "startTime": ago(30)},
    ]))
    .await;

    // Nobody is mapped: the board is empty, the ids are listed to map.
    let empty = w.intraday().await;
    assert_eq!(empty["agents"], json!([]));
    assert_eq!(empty["total"], 0);
    let discovered = w
        .app
        .read_json(
            &format!("/api/v1/integrations/{}/discovered-agents", w.integration),
            &w.token,
        )
        .await;
    assert_eq!(discovered["total"], 2);
    let first = &discovered["discoveredAgents"][0];
    assert_eq!(first["externalId"], "bob@example.com");
    assert_eq!(first["count"], 2);
    assert!(first["firstSeen"].is_string() && first["lastSeen"].is_string());
    assert_eq!(first["employeeId"], Value::Null);

    // Mapping shows what was kept, without anything sent again.
    let mapped = w.map("bob@example.com", bob).await;
    assert_eq!(mapped.status(), StatusCode::CREATED);
    let mapped: Value = mapped.json().await.expect("JSON");
    assert_eq!(mapped["agentMapping"]["employeeId"], bob);
    assert_eq!(mapped["nearMisses"], json!([]));
    let board = w.intraday().await;
    assert_eq!(board["total"], 1);
    let agent = &board["agents"][0];
    assert_eq!(agent["employeeId"], bob);
    assert_eq!(agent["activity"], "Present", "the default activity");
    assert_eq!(agent["externalActivity"], "Available", "the open status");
    assert_eq!(agent["since"], available_since);
    assert_eq!(agent["integrationId"], w.integration);
    assert_eq!(agent["integrationName"], "My ACD");
    let discovered = w
        .app
        .read_json(
            &format!("/api/v1/integrations/{}/discovered-agents", w.integration),
            &w.token,
        )
        .await;
    assert_eq!(discovered["discoveredAgents"][0]["employeeId"], bob);

    // A newer status takes over; an ended one leaves no activity.
    w.statuses(
        json!([{"agentIdentifier": "bob@example.com", "activityIdentifier": "Lunch",
        "startTime": ago(10), "endTime": ago(5)}]),
    )
    .await;
    let ended = w.intraday().await;
    assert_eq!(ended["agents"][0]["activity"], Value::Null);
    assert_eq!(ended["agents"][0]["employeeId"], bob, "still on the board");

    // Unmapping hides the statuses again; nothing is deleted.
    let removed = w
        .call(
            Method::DELETE,
            &format!("/api/v1/integrations/{}/agent-mappings", w.integration),
            Some(json!({"externalId": "bob@example.com", "employeeId": bob})),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.intraday().await["agents"], json!([]));
    let again = w
        .call(
            Method::DELETE,
            &format!("/api/v1/integrations/{}/agent-mappings", w.integration),
            Some(json!({"externalId": "bob@example.com"})),
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::NO_CONTENT,
        "removing a mapping that is not there changes nothing"
    );
    let kept = w
        .app
        .read_json(
            &format!(
                "/api/v1/integrations/{}/agent-statuses?from={}&to={}",
                w.integration,
                ago(120),
                ago(-1)
            ),
            &w.token,
        )
        .await;
    assert_eq!(kept["agentStatuses"].as_array().map(Vec::len), Some(4));
    // And mapping again shows them again, through the path form of delete too.
    assert_eq!(w.map("carol", bob).await.status(), StatusCode::CREATED);
    assert_eq!(
        w.intraday().await["agents"][0]["externalActivity"],
        "Available"
    );
    let by_path = w
        .call(
            Method::DELETE,
            &format!(
                "/api/v1/integrations/{}/agent-mappings/carol",
                w.integration
            ),
            None,
        )
        .await;
    assert_eq!(by_path.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.intraday().await["total"], 0);

    let audit: Vec<String> = w
        .app
        .database
        .scalars("SELECT action FROM audit_events")
        .await;
    for action in ["employee_created", "agent_mapped", "agent_unmapped"] {
        assert!(audit.iter().any(|a| a == action), "{action} in {audit:?}");
    }
}

async fn a_mapping_is_one_id_to_one_employee_per_integration(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    let ann = w.employee("Ann", "ann@example.com").await;
    assert_eq!(w.map("agent-7", bob).await.status(), StatusCode::CREATED);
    let repeated = w.map("agent-7", bob).await;
    assert_eq!(
        repeated.status(),
        StatusCode::OK,
        "the same mapping again changes nothing"
    );
    assert_eq!(
        error_code(w.map("agent-7", ann).await).await,
        (
            StatusCode::CONFLICT,
            "agent_already_mapped".into(),
            String::new()
        )
    );
    assert_eq!(
        error_code(w.map("agent-8", bob).await).await,
        (
            StatusCode::CONFLICT,
            "employee_already_mapped".into(),
            String::new()
        )
    );
    assert_eq!(
        error_code(w.map("agent-8", 999_999).await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_employee".into(),
            "/employeeId".into()
        )
    );
    assert_eq!(
        error_code(w.map("  ", ann).await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_external_id".into(),
            "/externalId".into()
        )
    );
    // Spaces are part of the id: " agent-7" is another agent.
    assert_eq!(w.map(" agent-7", ann).await.status(), StatusCode::CREATED);

    // Two admins mapping one id at once: one wins, the other is told.
    let carl = w.employee("Carl", "carl@example.com").await;
    let dora = w.employee("Dora", "dora@example.com").await;
    let (first, second) = tokio::join!(w.map("agent-9", carl), w.map("agent-9", dora));
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);

    // A deleted integration's mappings do not change.
    let deleted = w
        .call(
            Method::DELETE,
            &format!("/api/v1/integrations/{}", w.integration),
            None,
        )
        .await;
    assert!(deleted.status().is_success());
    assert_eq!(
        error_code(w.map("agent-10", dora).await).await.1,
        "integration_deleted"
    );
}

async fn near_misses_are_named_when_mapping(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "Bob@Example.com ", "activityIdentifier": "Available", "startTime": ago(20)},
        {"agentIdentifier": "bob@example.org", "activityIdentifier": "Available", "startTime": ago(20)},
    ]))
    .await;
    let mapped: Value = w
        .map("bob@example.com", bob)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(mapped["nearMisses"], json!(["Bob@Example.com "]));
    // The near miss is not the mapped id: the board has nothing for Bob.
    assert_eq!(w.intraday().await["agents"][0]["activity"], Value::Null);
}

async fn planners_read_and_other_accounts_see_nothing(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    w.statuses(
        json!([{"agentIdentifier": "bob", "activityIdentifier": "Available", "startTime": ago(5)}]),
    )
    .await;
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    w.app.add_planner("planner@example.com").await;
    let planner = w.app.token_for("planner@example.com").await;
    let board = w.app.read_json("/api/v1/intraday", &planner).await;
    assert_eq!(board["agents"][0]["employeeId"], bob);
    let refused = w
        .app
        .api(
            Method::POST,
            "/api/v1/employees",
            Some(&planner),
            Some(json!({"name": "Eve"})),
        )
        .await;
    assert_eq!(error_code(refused).await.0, StatusCode::FORBIDDEN);

    w.app
        .another_account("Other Corp", "boss@other.example")
        .await;
    let stranger = w.app.token_for("boss@other.example").await;
    let theirs = w.app.read_json("/api/v1/intraday", &stranger).await;
    assert_eq!(theirs["total"], 0);
    assert_eq!(
        w.app.read_json("/api/v1/employees", &stranger).await["total"],
        0
    );
    let foreign = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/employees/{bob}"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(error_code(foreign).await.0, StatusCode::NOT_FOUND);
    let foreign_systems = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/employees/{bob}/external-systems"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(error_code(foreign_systems).await.0, StatusCode::NOT_FOUND);
    let foreign_map = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{}/agent-mappings", w.integration),
            Some(&stranger),
            Some(json!({"externalId": "bob", "employeeId": bob})),
        )
        .await;
    assert_eq!(error_code(foreign_map).await.0, StatusCode::NOT_FOUND);
    // Their own integration cannot map our employee either.
    let (theirs, _) = w.app.api_integration(&stranger, "Theirs", 15).await;
    let cross = w
        .app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{theirs}/agent-mappings"),
            Some(&stranger),
            Some(json!({"externalId": "bob", "employeeId": bob})),
        )
        .await;
    assert_eq!(error_code(cross).await.1, "unknown_employee");
}

async fn activities_are_remapped_while_the_integration_is_paused(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    w.statuses(
        json!([{"agentIdentifier": "bob", "activityIdentifier": "AUX 2", "startTime": ago(5)}]),
    )
    .await;
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    let activities = w.app.read_json("/api/v1/activities", &w.token).await;
    assert_eq!(activities["total"], 1);
    assert_eq!(activities["activities"][0]["name"], "Present");
    assert_eq!(activities["activities"][0]["isDefault"], true);
    let created = w
        .call(
            Method::POST,
            "/api/v1/activities",
            Some(json!({"name": "Break", "category": "break", "colour": "#F59E0B"})),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let break_id = created.json::<Value>().await.expect("JSON")["activity"]["id"]
        .as_i64()
        .expect("an id");
    let bad = w
        .call(
            Method::POST,
            "/api/v1/activities",
            Some(json!({"name": "", "category": "lunch", "colour": "orange"})),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.json::<Value>().await.expect("JSON")["errors"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    let mappings = format!("/api/v1/integrations/{}/activity-mappings", w.integration);
    let body = json!({"externalId": "AUX 2", "activityId": break_id});
    // While data flows in, a remap is refused with the way out.
    let active = w.call(Method::POST, &mappings, Some(body.clone())).await;
    assert_eq!(
        error_code(active).await,
        (
            StatusCode::CONFLICT,
            "integration_not_paused".into(),
            String::new()
        )
    );
    assert_eq!(
        w.app
            .integration_action(&w.token, w.integration, "pause")
            .await
            .status(),
        StatusCode::OK
    );
    let mapped = w.call(Method::POST, &mappings, Some(body.clone())).await;
    assert_eq!(mapped.status(), StatusCode::NO_CONTENT);
    let unknown = w
        .call(
            Method::POST,
            &mappings,
            Some(json!({"externalId": "AUX 3", "activityId": 999_999})),
        )
        .await;
    assert_eq!(error_code(unknown).await.1, "unknown_activity");

    // The kept status shows the mapped activity at once.
    let agent = w.intraday().await["agents"][0].clone();
    assert_eq!(agent["activity"], "Break");
    assert_eq!(agent["activityId"], break_id);
    assert_eq!(agent["colour"], "#f59e0b");
    assert_eq!(agent["externalActivity"], "AUX 2");
    let discovered = w
        .app
        .read_json(
            &format!(
                "/api/v1/integrations/{}/discovered-activities",
                w.integration
            ),
            &w.token,
        )
        .await;
    assert_eq!(discovered["discoveredActivities"][0]["externalId"], "AUX 2");
    assert_eq!(
        discovered["discoveredActivities"][0]["activityId"],
        break_id
    );

    // Unmapped, it is Present again; after the resume, no more remapping.
    let removed = w
        .call(
            Method::DELETE,
            &mappings,
            Some(json!({"externalId": "AUX 2"})),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.intraday().await["agents"][0]["activity"], "Present");
    assert!(w
        .app
        .integration_action(&w.token, w.integration, "resume")
        .await
        .status()
        .is_success());
    let resumed = w.call(Method::POST, &mappings, Some(body)).await;
    assert_eq!(error_code(resumed).await.1, "integration_not_paused");
}

async fn employees_are_changed_and_archived(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    let ann = w.employee("Ann", "ann@example.com").await;
    let at = |id: i64| format!("/api/v1/employees/{id}");
    let changed = w
        .call(
            Method::PATCH,
            &at(bob),
            Some(json!({"name": "Robert Jones", "personnelNumber": ""})),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.expect("JSON");
    assert_eq!(changed["employee"]["name"], "Robert Jones");
    assert_eq!(changed["employee"]["email"], "bob@example.com", "kept");
    assert_eq!(
        changed["employee"]["personnelNumber"],
        Value::Null,
        "removed"
    );
    let taken = w
        .call(
            Method::PATCH,
            &at(ann),
            Some(json!({"email": "BOB@example.com"})),
        )
        .await;
    assert_eq!(error_code(taken).await.1, "email_taken");
    let bad = w
        .call(Method::PATCH, &at(ann), Some(json!({"name": " "})))
        .await;
    assert_eq!(error_code(bad).await.2, "/name");

    w.statuses(
        json!([{"agentIdentifier": "bob", "activityIdentifier": "Available", "startTime": ago(5)}]),
    )
    .await;
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    assert_eq!(w.intraday().await["total"], 1);
    let archived = w.call(Method::DELETE, &at(bob), None).await;
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.intraday().await["total"], 0, "off the board");
    assert_eq!(
        w.app.read_json("/api/v1/employees", &w.token).await["total"],
        1
    );
    let again = w.call(Method::DELETE, &at(bob), None).await;
    assert_eq!(error_code(again).await.0, StatusCode::NOT_FOUND);
    // Their agent id is free for someone else, and their address too.
    assert_eq!(w.map("bob", ann).await.status(), StatusCode::CREATED);
    w.employee("Bob Again", "bob@example.com").await;
}

async fn agent_ids_that_are_employees_addresses_are_matched_in_one_go(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    let ann = w.employee("Ann", "ann@example.com").await;
    let carl = w.employee("Carl", "carl@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "Bob@Example.com", "activityIdentifier": "Available", "startTime": ago(5)},
        {"agentIdentifier": "ann@example.com", "activityIdentifier": "Available", "startTime": ago(5)},
        {"agentIdentifier": "ANN@example.com", "activityIdentifier": "Available", "startTime": ago(6)},
        {"agentIdentifier": "carl-7", "activityIdentifier": "Available", "startTime": ago(5)},
        {"agentIdentifier": "dora@example.com", "activityIdentifier": "Available", "startTime": ago(5)},
    ]))
    .await;
    let path = format!(
        "/api/v1/integrations/{}/agent-mappings/auto-match",
        w.integration
    );
    let matched = w.call(Method::POST, &path, None).await;
    assert_eq!(matched.status(), StatusCode::OK);
    let matched: Value = matched.json().await.expect("JSON");
    assert_eq!(
        matched["matched"],
        json!([{"externalId": "Bob@Example.com", "employeeId": bob}])
    );
    assert_eq!(
        matched["ambiguous"],
        json!(["ANN@example.com", "ann@example.com"])
    );
    assert_eq!(matched["more"], false);
    assert_eq!(w.intraday().await["agents"][0]["employeeId"], bob);
    // Once a person chose Ann's spelling, and Carl is mapped by hand,
    // nothing is left to match.
    assert_eq!(
        w.map("ann@example.com", ann).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(w.map("carl-7", carl).await.status(), StatusCode::CREATED);
    let again: Value = w
        .call(Method::POST, &path, None)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(again["matched"], json!([]));
    assert_eq!(again["ambiguous"], json!([]));
}

async fn workloads_combine_queues_and_refuse_a_deleted_integrations_queue(engine: Engine) {
    let w = world(engine).await;
    let contacts = |key: &str, integration: i64, queue: &str, at: &str| {
        let body = json!({"data": [
            {"properties": {"offered": true, "handled": true, "duration": 60},
             "queueName": queue, "queueIdentifier": queue, "timestamp": at, "channel": "calls"}],
            "meta": {"integrationConfigurationId": integration}});
        let request = w
            .app
            .client
            .post(w.app.url("/external-systems/contact-events"))
            .bearer_auth(key.to_owned())
            .json(&body);
        async move {
            let response = request.send().await.expect("answered");
            assert_eq!(response.status(), StatusCode::ACCEPTED);
        }
    };
    contacts(&w.key, w.integration, "Sales", "2026-11-02T09:05:00Z").await;
    contacts(&w.key, w.integration, "Support", "2026-11-02T09:20:00Z").await;
    let (other, other_key) = w.app.api_integration(&w.token, "Old ACD", 15).await;
    contacts(&other_key, other, "Legacy", "2026-11-02T09:10:00Z").await;
    let queues = w.app.read_json("/api/v1/queues", &w.token).await;
    let queue = |name: &str| {
        queues["queues"]
            .as_array()
            .expect("queues")
            .iter()
            .find(|q| q["queueName"] == name)
            .and_then(|q| q["id"].as_i64())
            .expect("the queue")
    };
    let (sales, support, legacy) = (queue("Sales"), queue("Support"), queue("Legacy"));

    let created = w
        .call(
            Method::POST,
            "/api/v1/workloads",
            Some(json!({"name": "Inbound"})),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.expect("JSON")["workload"]["id"]
        .as_i64()
        .expect("an id");
    let queues_of = format!("/api/v1/workloads/{id}/queues");
    for queue in [sales, support, legacy, sales] {
        let added = w
            .call(Method::POST, &queues_of, Some(json!({"queueId": queue})))
            .await;
        assert_eq!(added.status(), StatusCode::OK);
    }
    let workload = w
        .app
        .read_json(&format!("/api/v1/workloads/{id}"), &w.token)
        .await;
    assert_eq!(
        workload["workload"]["queueIds"],
        json!([sales, support, legacy])
    );

    let stats = w
        .app
        .read_json(
            &format!(
                "/api/v1/workloads/{id}/intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z&intervalMinutes=30"
            ),
            &w.token,
        )
        .await;
    assert_eq!(stats["intervalMinutes"], 30);
    let offered: Vec<i64> = stats["intervals"]
        .as_array()
        .expect("intervals")
        .iter()
        .map(|i| i["offered"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(offered, [3, 0], "all three queues in 09:00, a quiet 09:30");

    // A deleted integration's queue stays, but joins no other workload.
    let deleted = w
        .call(
            Method::DELETE,
            &format!("/api/v1/integrations/{other}"),
            None,
        )
        .await;
    assert!(deleted.status().is_success());
    let second: Value = w
        .call(
            Method::POST,
            "/api/v1/workloads",
            Some(json!({"name": "Legacy"})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let second = second["workload"]["id"].as_i64().expect("an id");
    let refused = w
        .call(
            Method::POST,
            &format!("/api/v1/workloads/{second}/queues"),
            Some(json!({"queueId": legacy})),
        )
        .await;
    assert_eq!(
        error_code(refused).await,
        (
            StatusCode::CONFLICT,
            "integration_deleted".into(),
            "/queueId".into()
        )
    );
    let still = w
        .app
        .read_json(&format!("/api/v1/workloads/{id}"), &w.token)
        .await;
    assert_eq!(
        still["workload"]["queueIds"],
        json!([sales, support, legacy])
    );

    // Renamed, a queue taken off, archived.
    let renamed = w
        .call(
            Method::PATCH,
            &format!("/api/v1/workloads/{id}"),
            Some(json!({"name": "All inbound"})),
        )
        .await;
    assert_eq!(
        renamed.json::<Value>().await.expect("JSON")["workload"]["name"],
        "All inbound"
    );
    let removed = w
        .call(Method::DELETE, &format!("{queues_of}/{legacy}"), None)
        .await;
    assert_eq!(
        removed.json::<Value>().await.expect("JSON")["workload"]["queueIds"],
        json!([sales, support])
    );
    assert_eq!(
        w.call(Method::DELETE, &format!("/api/v1/workloads/{id}"), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        w.app.read_json("/api/v1/workloads", &w.token).await["total"],
        1
    );
    let gone = w
        .call(Method::GET, &format!("/api/v1/workloads/{id}"), None)
        .await;
    assert_eq!(error_code(gone).await.0, StatusCode::NOT_FOUND);
}

async fn the_intraday_page_shows_each_mapped_employee_in_their_activity(engine: Engine) {
    let w = world(engine).await;
    w.app.sign_in_as_admin().await;
    let (status, empty) = w.app.page("/intraday").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("data-test=\"intraday-empty\""), "{empty}");

    let bob = w.employee("Bob Jones", "bob@example.com").await;
    let ann = w.employee("Ann Lee", "ann@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "bob", "activityIdentifier": "AUX 2", "startTime": ago(30)},
        {"agentIdentifier": "ann", "activityIdentifier": "Available", "startTime": ago(90), "endTime": ago(80)},
    ]))
    .await;
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    assert_eq!(w.map("ann", ann).await.status(), StatusCode::CREATED);
    let (_, board) = w.app.page("/intraday").await;
    assert!(board.contains("data-test=\"intraday-table\""));
    let bob_at = board.find("Bob Jones").expect("Bob is on the board");
    let ann_at = board.find("Ann Lee").expect("Ann is on the board");
    assert!(bob_at < ann_at, "longest in an activity first, none last");
    assert!(board.contains("Present") && board.contains("AUX 2"));
    assert!(board.contains("30 min"), "time in the activity");
    assert!(board.contains("Not in an activity"));

    // Filtered to one activity, without JavaScript: a plain GET.
    let present = w.app.read_json("/api/v1/activities", &w.token).await["activities"][0]["id"]
        .as_i64()
        .expect("Present's id");
    let (_, filtered) = w.app.page(&format!("/intraday?activity={present}")).await;
    assert!(filtered.contains("Bob Jones") && !filtered.contains("Ann Lee"));
}

async fn employees_are_added_and_archived_with_plain_forms(engine: Engine) {
    let w = world(engine).await;
    w.app.sign_in_as_admin().await;
    let (status, empty) = w.app.page("/account/employees").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("data-test=\"employees-empty\""));

    let added = w
        .app
        .post_form(
            "/account/employees",
            &[
                ("name", "Bob Jones"),
                ("email", "bob@example.com"),
                ("personnel_number", "0042"),
            ],
        )
        .await;
    assert_eq!(location(&added), "/account/employees?notice=created");
    let (_, listed) = w.app.page("/account/employees?notice=created").await;
    assert!(listed.contains("Bob Jones") && listed.contains("0042"));
    assert!(listed.contains("Employee added."));

    // Refused: the message, and the draft kept.
    let refused = w
        .app
        .post_form(
            "/account/employees",
            &[
                ("name", "Robert"),
                ("email", "BOB@example.com"),
                ("personnel_number", ""),
            ],
        )
        .await;
    let to = location(&refused);
    assert!(
        to.contains("error=email_taken") && to.contains("name=Robert"),
        "{to}"
    );
    let (_, page) = w.app.page(&to).await;
    assert!(page.contains("Another employee already has this email address."));
    assert!(page.contains("value=\"Robert\""), "the draft is kept");

    let id = w.app.read_json("/api/v1/employees", &w.token).await["employees"][0]["id"]
        .as_i64()
        .expect("an id");
    let archived = w
        .app
        .post_form(&format!("/account/employees/{id}/archive"), &[])
        .await;
    assert_eq!(location(&archived), "/account/employees?notice=archived");
    assert_eq!(
        w.app.read_json("/api/v1/employees", &w.token).await["total"],
        0
    );
}

async fn agents_and_activities_are_mapped_on_the_integrations_mapping_page(engine: Engine) {
    let w = world(engine).await;
    w.app.sign_in_as_admin().await;
    let bob = w.employee("Bob Jones", "bob@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "bob", "activityIdentifier": "AUX 2", "startTime": ago(5)},
        {"agentIdentifier": "Bob ", "activityIdentifier": "AUX 2", "startTime": ago(6)},
    ]))
    .await;
    let page = format!("/account/integrations/{}/mapping", w.integration);
    let (status, html) = w.app.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("data-test=\"agents-table\"") && html.contains("data-test=\"pause-hint\"")
    );

    let agents = format!("{page}/agents");
    let mapped = w
        .app
        .post_form(
            &agents,
            &[
                ("intent", "map"),
                ("external_id", "bob"),
                ("employee_id", &bob.to_string()),
            ],
        )
        .await;
    let to = location(&mapped);
    assert!(
        to.contains("notice=mapped") && to.contains("near=Bob+"),
        "{to}"
    );
    let (_, html) = w.app.page(&to).await;
    assert!(html.contains("data-test=\"near-misses\""));
    assert!(html.contains("data-test=\"mapped-employee\""));
    assert_eq!(w.intraday().await["agents"][0]["employeeId"], bob);

    // Activities: refused while active, with the way out; done while paused.
    let break_id = w
        .call(
            Method::POST,
            "/api/v1/activities",
            Some(json!({"name": "Break", "category": "break", "colour": "#f59e0b"})),
        )
        .await
        .json::<Value>()
        .await
        .expect("JSON")["activity"]["id"]
        .as_i64()
        .expect("an id");
    let activities = format!("{page}/activities");
    let form = [
        ("external_id", "AUX 2"),
        ("activity_id", &break_id.to_string()),
    ];
    let refused = w.app.post_form(&activities, &form).await;
    assert!(location(&refused).ends_with("error=integration_not_paused"));
    w.app
        .integration_action(&w.token, w.integration, "pause")
        .await;
    let (_, paused) = w.app.page(&page).await;
    assert!(paused.contains("data-test=\"paused-hint\""));
    let saved = w.app.post_form(&activities, &form).await;
    assert!(location(&saved).ends_with("notice=activity_mapped"));
    assert_eq!(w.intraday().await["agents"][0]["activity"], "Break");
    // Choosing the default activity again removes the mapping.
    let reset = w
        .app
        .post_form(
            &activities,
            &[("external_id", "AUX 2"), ("activity_id", "")],
        )
        .await;
    assert!(location(&reset).ends_with("notice=activity_unmapped"));
    assert_eq!(w.intraday().await["agents"][0]["activity"], "Present");

    let unmapped = w
        .app
        .post_form(&agents, &[("intent", "unmap"), ("external_id", "bob")])
        .await;
    assert!(location(&unmapped).ends_with("notice=unmapped"));
    assert_eq!(w.intraday().await["total"], 0);

    // A planner reads the page; the forms are not there for them.
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    w.app.add_planner("planner@example.com").await;
    let signed_in = w.app.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    assert_eq!(location(&signed_in), "/account/integrations");
    let (status, read_only) = w.app.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(read_only.contains("Bob Jones"), "the mapping is shown");
    assert!(
        !read_only.contains("data-test=\"unmap\"")
            && !read_only.contains("data-test=\"auto-match\"")
    );
    let refused = w
        .app
        .post_form(&agents, &[("intent", "unmap"), ("external_id", "bob")])
        .await;
    assert!(location(&refused).ends_with("error=forbidden"));
}

async fn employees_are_imported_from_a_csv_file_whole_or_not_at_all(engine: Engine) {
    let w = world(engine).await;
    let import = |body: &'static str, content_type: &'static str| {
        w.app
            .client
            .post(w.app.url("/api/v1/employees/import"))
            .bearer_auth(&w.token)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
    };
    let imported = import(
        "name;email;personnel_number\nBob Jones;bob@example.com;0042\nAnn Lee;;\n",
        "text/csv; charset=utf-8",
    )
    .await
    .expect("answered");
    assert_eq!(imported.status(), StatusCode::CREATED);
    assert_eq!(imported.json::<Value>().await.expect("JSON")["imported"], 2);

    let refused = import(
        "name,email\nCarl,carl@example.com\n ,nope\nDora,BOB@example.com\n",
        "text/csv",
    )
    .await
    .expect("answered");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let details: Vec<String> = refused.json::<Value>().await.expect("JSON")["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["detail"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(
        details.iter().all(|d| d.starts_with("line 3:")),
        "{details:?}"
    );
    let taken = import(
        "name,email\nCarl,carl@example.com\nDora,BOB@example.com\n",
        "text/csv",
    )
    .await
    .expect("answered");
    let taken: Value = taken.json().await.expect("JSON");
    assert_eq!(taken["errors"][0]["code"], "invalid_line");
    assert!(taken["errors"][0]["detail"]
        .as_str()
        .is_some_and(|d| d.starts_with("line 3:") && d.contains("bob@example.com")));
    assert_eq!(
        w.app.read_json("/api/v1/employees", &w.token).await["total"],
        2,
        "nothing of a refused file is added"
    );
    let wrong_type = import("name\nEve\n", "application/json")
        .await
        .expect("answered");
    assert_eq!(
        error_code(wrong_type).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    // The same through the page, without JavaScript.
    w.app.sign_in_as_admin().await;
    let page = w
        .app
        .post_file(
            "/account/employees/import",
            "people.csv",
            b"name\nEve Adams\n",
        )
        .await;
    assert_eq!(
        location(&page),
        "/account/employees?notice=imported&count=1"
    );
    let broken = w
        .app
        .post_file(
            "/account/employees/import",
            "people.csv",
            b"email\nx@example.com\n",
        )
        .await;
    let to = location(&broken);
    assert!(
        to.contains("error=invalid_file") && to.contains("problem=1"),
        "{to}"
    );
    let (_, html) = w.app.page(&to).await;
    assert!(html.contains("data-test=\"file-problems\""));
    assert_eq!(
        w.app.read_json("/api/v1/employees", &w.token).await["total"],
        3
    );
}

async fn markup_in_names_and_ids_is_shown_as_text_on_every_page(engine: Engine) {
    const MARKUP: &str = "</script><b>Eve</b>";
    let w = world(engine).await;
    w.app.sign_in_as_admin().await;
    let eve = w.employee(MARKUP, "eve@example.com").await;
    w.statuses(json!([{"agentIdentifier": MARKUP, "activityIdentifier": "<i>AUX</i>", "startTime": ago(5)}]))
        .await;
    assert_eq!(w.map(MARKUP, eve).await.status(), StatusCode::CREATED);
    for page in [
        "/intraday".to_owned(),
        "/account/employees".to_owned(),
        format!("/account/integrations/{}/mapping", w.integration),
        format!("/account/employees/{eve}"),
    ] {
        let (status, html) = w.app.page(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            !html.contains("<b>Eve</b>") && !html.contains("<i>AUX</i>"),
            "{page} shows the markup as markup"
        );
        assert!(html.contains("Eve"), "{page} shows the name");
    }
}

async fn workloads_are_kept_on_their_pages_with_plain_forms_and_a_chart(engine: Engine) {
    let w = world(engine).await;
    let contacts = |key: String, integration: i64, queue: &'static str| {
        let body = json!({"data": [
            {"properties": {"offered": true, "handled": true, "duration": 60},
             "queueName": queue, "queueIdentifier": queue, "timestamp": "2026-11-02T09:05:00Z", "channel": "calls"}],
            "meta": {"integrationConfigurationId": integration}});
        let request = w
            .app
            .client
            .post(w.app.url("/external-systems/contact-events"))
            .bearer_auth(key)
            .json(&body);
        async move {
            assert_eq!(
                request.send().await.expect("answered").status(),
                StatusCode::ACCEPTED
            );
        }
    };
    contacts(w.key.clone(), w.integration, "Sales").await;
    let (old, old_key) = w.app.api_integration(&w.token, "Old ACD", 15).await;
    contacts(old_key, old, "Legacy").await;
    let deleted = w
        .call(Method::DELETE, &format!("/api/v1/integrations/{old}"), None)
        .await;
    assert!(deleted.status().is_success());
    let queues = w.app.read_json("/api/v1/queues", &w.token).await;
    let queue = |name: &str| {
        queues["queues"]
            .as_array()
            .expect("queues")
            .iter()
            .find(|q| q["queueName"] == name)
            .and_then(|q| q["id"].as_i64())
            .expect("the queue")
    };
    let (sales, legacy) = (queue("Sales"), queue("Legacy"));
    w.app.sign_in_as_admin().await;

    let refused = w
        .app
        .post_form("/account/workloads", &[("name", "  ")])
        .await;
    assert_eq!(
        location(&refused),
        "/account/workloads?error=invalid_name&name=++"
    );
    let created = w
        .app
        .post_form("/account/workloads", &[("name", "Inbound <b>")])
        .await;
    let page = location(&created);
    assert!(page.ends_with("?notice=created"), "{page}");
    let base = page.trim_end_matches("?notice=created").to_owned();

    // The picker lists the deleted integration's queue, disabled, with why.
    let (status, html) = w.app.page(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Inbound &lt;b&gt;"));
    let legacy_option = html
        .split("<option")
        .find(|option| option.contains(&format!("value=\"{legacy}\"")))
        .expect("the deleted integration's queue is listed");
    assert!(legacy_option.contains("disabled"), "{legacy_option}");
    assert!(
        legacy_option.contains("integration deleted"),
        "{legacy_option}"
    );

    let added = w
        .app
        .post_form(
            &format!("{base}/queues"),
            &[("queue_id", &sales.to_string())],
        )
        .await;
    assert_eq!(location(&added), format!("{base}?notice=queue_added"));
    let refused = w
        .app
        .post_form(
            &format!("{base}/queues"),
            &[("queue_id", &legacy.to_string())],
        )
        .await;
    assert_eq!(
        location(&refused),
        format!("{base}?error=queue_of_deleted_integration")
    );
    let (_, html) = w.app.page(&format!("{base}?from=2026-11-02&days=1")).await;
    assert!(html.contains("data-test=\"workload-queue\""));
    assert!(html.contains("<svg"), "the chart is drawn on the server");
    assert!(
        html.contains("2026-11-02 09:00"),
        "the table lists the interval"
    );

    let renamed = w
        .app
        .post_form(&format!("{base}/rename"), &[("name", "Inbound calls")])
        .await;
    assert_eq!(location(&renamed), format!("{base}?notice=renamed"));
    let removed = w
        .app
        .post_form(&format!("{base}/queues/{sales}/remove"), &[])
        .await;
    assert_eq!(location(&removed), format!("{base}?notice=queue_removed"));
    let (_, list) = w.app.page("/account/workloads").await;
    assert!(list.contains("Inbound calls"));

    let archived = w.app.post_form(&format!("{base}/archive"), &[]).await;
    assert_eq!(location(&archived), "/account/workloads?notice=archived");
    let (_, list) = w.app.page("/account/workloads").await;
    assert!(!list.contains("Inbound calls"));

    // A planner reads workloads, without any of the forms.
    let created = w
        .app
        .post_form("/account/workloads", &[("name", "Outbound")])
        .await;
    let base = location(&created)
        .trim_end_matches("?notice=created")
        .to_owned();
    w.app.add_planner("planner@example.com").await;
    let signed_in = w.app.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    assert_eq!(location(&signed_in), "/account/integrations");
    let (status, read_only) = w.app.page(&base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(read_only.contains("Outbound"));
    assert!(
        !read_only.contains("data-test=\"add-queue\"")
            && !read_only.contains("data-test=\"archive-workload\"")
    );
    let refused = w.app.post_form(&format!("{base}/archive"), &[]).await;
    assert!(location(&refused).ends_with("error=forbidden"));
}

async fn employees_have_teams_and_the_board_filters_by_team(engine: Engine) {
    let w = world(engine).await;
    let created = w
        .call(
            Method::POST,
            "/api/v1/employees",
            Some(json!({"name": "Ann Lee", "team": " North "})),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let ann: Value = created.json().await.expect("JSON");
    assert_eq!(ann["employee"]["team"], "North");
    let ann = ann["employee"]["id"].as_i64().expect("an id");
    let refused = w
        .call(
            Method::POST,
            "/api/v1/employees",
            Some(json!({"name": "Too long", "team": "t".repeat(101)})),
        )
        .await;
    let (status, code, pointer) = error_code(refused).await;
    assert_eq!(
        (status, code.as_str(), pointer.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_team", "/team")
    );
    let imported = w
        .app
        .client
        .post(w.app.url("/api/v1/employees/import"))
        .bearer_auth(&w.token)
        .header("content-type", "text/csv")
        .body("name;team\nBob Jones;South\n")
        .send()
        .await
        .expect("answered");
    assert!(imported.status().is_success());
    let list = w.app.read_json("/api/v1/employees", &w.token).await;
    let bob = list["employees"]
        .as_array()
        .expect("employees")
        .iter()
        .find(|e| e["name"] == "Bob Jones")
        .expect("Bob");
    assert_eq!(bob["team"], "South");
    let bob = bob["id"].as_i64().expect("an id");

    w.statuses(json!([
        {"agentIdentifier": "ann", "activityIdentifier": "Talk", "startTime": ago(5)},
        {"agentIdentifier": "bob", "activityIdentifier": "Talk", "startTime": ago(3)},
    ]))
    .await;
    assert_eq!(w.map("ann", ann).await.status(), StatusCode::CREATED);
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    let board = w.intraday().await;
    assert_eq!(board["agents"][0]["team"], "North", "{board}");

    // The team moves with a change; the board filters by it.
    let moved = w
        .call(
            Method::PATCH,
            &format!("/api/v1/employees/{bob}"),
            Some(json!({"team": "North"})),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    w.call(
        Method::PATCH,
        &format!("/api/v1/employees/{ann}"),
        Some(json!({"team": ""})),
    )
    .await;
    w.app.sign_in_as_admin().await;
    let (_, north) = w.app.page("/intraday?team=North").await;
    assert!(
        north.contains("Bob Jones") && !north.contains("Ann Lee"),
        "{north}"
    );
    let (_, everyone) = w.app.page("/intraday").await;
    assert!(everyone.contains("Bob Jones") && everyone.contains("Ann Lee"));
    assert!(
        everyone.contains("<option value=\"North\""),
        "the filter offers the team"
    );
    let north = w
        .app
        .read_json("/api/v1/intraday?team=North", &w.token)
        .await;
    assert_eq!(north["total"], 1);
    assert_eq!(north["agents"][0]["employeeId"], bob);
    let overlong = w
        .call(
            Method::GET,
            &format!("/api/v1/intraday?team={}", "t".repeat(101)),
            None,
        )
        .await;
    assert_eq!(error_code(overlong).await.1, "invalid_query");
}

async fn a_teams_board_holds_its_members_however_many_others_are_mapped(engine: Engine) {
    let w = world(engine).await;
    // 510 employees named before Zed, who alone is on the night team.
    let mut roster = String::from("name,email,team\n");
    let mut statuses = Vec::new();
    for n in 0..510 {
        roster.push_str(&format!("A {n:03},a{n:03}@example.com,Day\n"));
        statuses.push(json!({"agentIdentifier": format!("a{n:03}@example.com"), "activityIdentifier": "Talk", "startTime": ago(10)}));
    }
    roster.push_str("Zed,zed@example.com,Night\n");
    statuses.push(json!({"agentIdentifier": "zed@example.com", "activityIdentifier": "Talk", "startTime": ago(10)}));
    let imported = w
        .app
        .client
        .post(w.app.url("/api/v1/employees/import"))
        .bearer_auth(&w.token)
        .header("content-type", "text/csv")
        .body(roster)
        .send()
        .await
        .expect("answered");
    assert!(imported.status().is_success());
    w.statuses(Value::Array(statuses)).await;
    let auto = format!(
        "/api/v1/integrations/{}/agent-mappings/auto-match",
        w.integration
    );
    for _ in 0..2 {
        w.call(Method::POST, &auto, None).await;
    }
    let everyone = w.intraday().await;
    assert_eq!(everyone["total"], 511, "everyone is mapped");

    // The board shows one page of everyone; a team is read whole.
    w.app.sign_in_as_admin().await;
    let (_, board) = w.app.page("/intraday").await;
    assert!(!board.contains(">Zed<"), "past the first page by name");
    let (_, night) = w.app.page("/intraday?team=Night").await;
    assert!(night.contains(">Zed<"), "the night team's board holds Zed");
    assert!(
        board.contains("<option value=\"Night\""),
        "the filter offers a team nobody on the first page is in"
    );
    let api = w
        .app
        .read_json("/api/v1/intraday?team=Night", &w.token)
        .await;
    assert_eq!(api["total"], 1);
}

async fn activities_are_changed_and_archived_unless_default_or_mapped(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    w.statuses(
        json!([{"agentIdentifier": "bob", "activityIdentifier": "AUX 2", "startTime": ago(5)}]),
    )
    .await;
    assert_eq!(w.map("bob", bob).await.status(), StatusCode::CREATED);
    let create = |name: &'static str| {
        let call = w.call(
            Method::POST,
            "/api/v1/activities",
            Some(json!({"name": name, "category": "break", "colour": "#f59e0b"})),
        );
        async move {
            call.await.json::<Value>().await.expect("JSON")["activity"]["id"]
                .as_i64()
                .expect("an id")
        }
    };
    let lunch = create("Lunch").await;
    let spare = create("Spare").await;
    let present = w.app.read_json("/api/v1/activities", &w.token).await["activities"][0]["id"]
        .as_i64()
        .expect("the default");

    let changed = w
        .call(
            Method::PATCH,
            &format!("/api/v1/activities/{lunch}"),
            Some(json!({"name": "Lunch break", "colour": "#0EA5E9"})),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.expect("JSON");
    assert_eq!(
        (
            &changed["activity"]["name"],
            &changed["activity"]["colour"],
            &changed["activity"]["category"]
        ),
        (&json!("Lunch break"), &json!("#0ea5e9"), &json!("break"))
    );
    let bad = w
        .call(
            Method::PATCH,
            &format!("/api/v1/activities/{lunch}"),
            Some(json!({"colour": "blue"})),
        )
        .await;
    let (status, code, pointer) = error_code(bad).await;
    assert_eq!(
        (status, code.as_str(), pointer.as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_colour",
            "/colour"
        )
    );

    // Mapped: it stays until the mapping moves; the default always stays.
    w.app
        .integration_action(&w.token, w.integration, "pause")
        .await;
    let mappings = format!("/api/v1/integrations/{}/activity-mappings", w.integration);
    let mapped = w
        .call(
            Method::POST,
            &mappings,
            Some(json!({"externalId": "AUX 2", "activityId": lunch})),
        )
        .await;
    assert_eq!(mapped.status(), StatusCode::NO_CONTENT);
    let board = w.intraday().await;
    assert_eq!(board["agents"][0]["activity"], "Lunch break", "{board}");
    for (id, expected) in [(lunch, "activity_in_use"), (present, "default_activity")] {
        let refused = w
            .call(Method::DELETE, &format!("/api/v1/activities/{id}"), None)
            .await;
        assert_eq!(
            error_code(refused).await,
            (StatusCode::CONFLICT, expected.to_owned(), String::new())
        );
    }
    let archived = w
        .call(Method::DELETE, &format!("/api/v1/activities/{spare}"), None)
        .await;
    assert_eq!(archived.status(), StatusCode::NO_CONTENT);
    let list = w.app.read_json("/api/v1/activities", &w.token).await;
    assert_eq!(list["total"], 2, "{list}");
    let gone = w
        .call(Method::DELETE, &format!("/api/v1/activities/{spare}"), None)
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let to_archived = w
        .call(
            Method::POST,
            &mappings,
            Some(json!({"externalId": "AUX 2", "activityId": spare})),
        )
        .await;
    assert_eq!(to_archived.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let actions: Vec<String> = w
        .app
        .database
        .scalars("SELECT action FROM audit_events WHERE action LIKE 'activity_%'")
        .await;
    assert!(
        actions.iter().any(|a| a == "activity_updated")
            && actions.iter().any(|a| a == "activity_archived"),
        "{actions:?}"
    );
}

async fn activities_are_kept_on_their_page_with_plain_forms(engine: Engine) {
    let w = world(engine).await;
    w.app.sign_in_as_admin().await;
    let refused = w
        .app
        .post_form(
            "/account/activities",
            &[
                ("name", "Lunch"),
                ("category", "siesta"),
                ("colour", "#f59e0b"),
            ],
        )
        .await;
    assert_eq!(
        location(&refused),
        "/account/activities?error=invalid_category"
    );
    let created = w
        .app
        .post_form(
            "/account/activities",
            &[
                ("name", "Lunch <i>"),
                ("category", "break"),
                ("colour", "#F59E0B"),
            ],
        )
        .await;
    assert_eq!(location(&created), "/account/activities?notice=created");
    let list = w.app.read_json("/api/v1/activities", &w.token).await;
    let lunch = list["activities"][1]["id"].as_i64().expect("an id");
    let present = list["activities"][0]["id"].as_i64().expect("the default");
    let (status, page) = w.app.page("/account/activities").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Lunch &lt;i&gt;") && page.contains("#f59e0b"));

    let changed = w
        .app
        .post_form(
            &format!("/account/activities/{lunch}"),
            &[
                ("name", "Lunch break"),
                ("category", "break"),
                ("colour", "#0ea5e9"),
            ],
        )
        .await;
    assert_eq!(location(&changed), "/account/activities?notice=updated");
    let kept = w
        .app
        .post_form(&format!("/account/activities/{present}/archive"), &[])
        .await;
    assert_eq!(
        location(&kept),
        "/account/activities?error=default_activity"
    );
    let archived = w
        .app
        .post_form(&format!("/account/activities/{lunch}/archive"), &[])
        .await;
    assert_eq!(location(&archived), "/account/activities?notice=archived");
    let (_, page) = w.app.page("/account/activities").await;
    assert!(!page.contains("Lunch break"));

    // A planner reads the activities, without the forms.
    w.app.add_planner("planner@example.com").await;
    w.app.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    let (_, read_only) = w.app.page("/account/activities").await;
    assert!(read_only.contains("Present"));
    assert!(!read_only.contains("data-test=\"create-activity\""));
    let refused = w
        .app
        .post_form(
            "/account/activities",
            &[
                ("name", "Nap"),
                ("category", "break"),
                ("colour", "#000000"),
            ],
        )
        .await;
    assert_eq!(location(&refused), "/account/activities?error=forbidden");
}

async fn the_mapping_page_picks_employees_from_one_searchable_list(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob Jones", "bob@example.com").await;
    w.employee("Ann Lee", "ann@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "bob", "activityIdentifier": "Talk", "startTime": ago(5)},
        {"agentIdentifier": "ann", "activityIdentifier": "Talk", "startTime": ago(5)},
    ]))
    .await;
    w.app.sign_in_as_admin().await;
    let page = format!("/account/integrations/{}/mapping", w.integration);
    let (_, html) = w.app.page(&page).await;
    assert_eq!(
        html.matches("<datalist").count(),
        1,
        "one list for every row"
    );
    let choice = format!("Bob Jones · bob@example.com · #{bob}");
    assert!(
        html.contains(&choice),
        "the list names and addresses each employee"
    );
    assert_eq!(
        html.matches("list=\"employee-choices\"").count(),
        2,
        "a picker per unmapped agent"
    );

    let agents = format!("{page}/agents");
    let typed = w
        .app
        .post_form(
            &agents,
            &[
                ("intent", "map"),
                ("external_id", "bob"),
                ("employee", "Bob"),
            ],
        )
        .await;
    assert!(
        location(&typed).ends_with("error=choose_employee"),
        "a name typed but not chosen"
    );
    let picked = w
        .app
        .post_form(
            &agents,
            &[
                ("intent", "map"),
                ("external_id", "bob"),
                ("employee", &choice),
            ],
        )
        .await;
    assert!(
        location(&picked).contains("notice=mapped"),
        "{}",
        location(&picked)
    );
    assert_eq!(w.intraday().await["agents"][0]["employeeId"], bob);
}

async fn an_employees_external_systems_carry_their_own_id_and_near_misses(engine: Engine) {
    let w = world(engine).await;
    let bob = w.employee("Bob", "bob@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "BJones ", "activityIdentifier": "Available", "startTime": ago(20)},
    ]))
    .await;
    let path = format!("/api/v1/integrations/{}/agent-mappings", w.integration);
    let map = |system: Value| {
        let mut body = json!({"externalId": "bjones", "employeeId": bob});
        if !system.is_null() {
            body["systemEmployeeId"] = system;
        }
        w.call(Method::POST, &path, Some(body))
    };
    let created = map(json!("U-1001")).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("JSON");
    assert_eq!(created["agentMapping"]["systemEmployeeId"], "U-1001");
    // The same mapping with a new id there: saved, answered 200.
    let updated = map(json!("U-2002")).await;
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: Value = updated.json().await.expect("JSON");
    assert_eq!(updated["agentMapping"]["systemEmployeeId"], "U-2002");
    // Left out, the noted id stays.
    let kept: Value = map(Value::Null).await.json().await.expect("JSON");
    assert_eq!(kept["agentMapping"]["systemEmployeeId"], "U-2002");
    let bad = map(json!("a\u{7}b")).await;
    let (status, code, pointer) = error_code(bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (code.as_str(), pointer.as_str()),
        ("invalid_system_employee_id", "/systemEmployeeId")
    );

    let systems = w
        .app
        .read_json(
            &format!("/api/v1/employees/{bob}/external-systems"),
            &w.token,
        )
        .await;
    assert_eq!(systems["total"], 1);
    let entry = &systems["externalSystems"][0];
    assert_eq!(entry["integrationId"], w.integration);
    assert_eq!(entry["integrationName"], "My ACD");
    assert_eq!(entry["integrationStatus"], "active");
    assert_eq!(entry["externalId"], "bjones");
    assert_eq!(entry["systemEmployeeId"], "U-2002");
    assert_eq!(entry["nearMisses"], json!(["BJones "]));

    // A planner reads them; nobody reads an unknown employee's.
    w.app.add_planner("planner@example.com").await;
    let planner = w.app.token_for("planner@example.com").await;
    let read = w
        .app
        .api(
            Method::GET,
            &format!("/api/v1/employees/{bob}/external-systems"),
            Some(&planner),
            None,
        )
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    let unknown = w
        .call(
            Method::GET,
            "/api/v1/employees/999999/external-systems",
            None,
        )
        .await;
    assert_eq!(error_code(unknown).await.0, StatusCode::NOT_FOUND);
    // An archived employee keeps no entry.
    w.call(Method::DELETE, &format!("/api/v1/employees/{bob}"), None)
        .await;
    let gone = w
        .app
        .read_json(
            &format!("/api/v1/employees/{bob}/external-systems"),
            &w.token,
        )
        .await;
    assert_eq!(gone["total"], 0);
}

async fn an_employee_is_edited_and_given_external_systems_on_their_page(engine: Engine) {
    let w = world(engine).await;
    w.app.sign_in_as_admin().await;
    let bob = w.employee("Bob Jones", "bob@example.com").await;
    w.employee("Ann", "ann@example.com").await;
    w.statuses(json!([
        {"agentIdentifier": "BJones", "activityIdentifier": "Available", "startTime": ago(5)},
    ]))
    .await;
    let page = format!("/account/employees/{bob}");
    let (status, html) = w.app.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("data-test=\"employee-edit\"")
            && html.contains("data-test=\"systems-empty\"")
    );
    assert!(
        html.contains(&format!("value=\"{}\"", w.integration)),
        "the integration is offered"
    );
    let (_, list) = w.app.page("/account/employees").await;
    assert!(
        list.contains(&format!("href=\"/account/employees/{bob}\"")),
        "the list links here"
    );

    // Edited: saved; refused: the message and the draft kept.
    let saved = w
        .app
        .post_form(
            &page,
            &[
                ("name", "Robert Jones"),
                ("email", "bob@example.com"),
                ("personnel_number", ""),
                ("team", "Blue"),
            ],
        )
        .await;
    assert_eq!(location(&saved), format!("{page}?notice=saved"));
    let changed = w
        .app
        .read_json(&format!("/api/v1/employees/{bob}"), &w.token)
        .await;
    assert_eq!(changed["employee"]["name"], "Robert Jones");
    assert_eq!(changed["employee"]["team"], "Blue");
    assert_eq!(
        changed["employee"]["personnelNumber"],
        Value::Null,
        "emptied, removed"
    );
    let refused = w
        .app
        .post_form(
            &page,
            &[
                ("name", "Rob"),
                ("email", "ANN@example.com"),
                ("personnel_number", "7"),
                ("team", ""),
            ],
        )
        .await;
    let to = location(&refused);
    assert!(to.contains("error=email_taken"), "{to}");
    let (_, html) = w.app.page(&to).await;
    assert!(html.contains("Another employee already has this email address."));
    assert!(
        html.contains("value=\"Rob\"") && html.contains("value=\"ANN@example.com\""),
        "the draft is kept"
    );

    // An external system: the id as sent, the id there, and a near miss.
    let systems = format!("{page}/systems");
    let integration = w.integration.to_string();
    let bad = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "add"),
                ("integration_id", &integration),
                ("external_id", "bjones"),
                ("system_employee_id", "U\u{7}"),
            ],
        )
        .await;
    let to = location(&bad);
    assert!(to.contains("error=invalid_system_employee_id"), "{to}");
    let (_, html) = w.app.page(&to).await;
    assert!(
        html.contains("value=\"bjones\""),
        "the entry is kept as typed"
    );
    let added = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "add"),
                ("integration_id", &integration),
                ("external_id", "bjones"),
                ("system_employee_id", "U-7"),
            ],
        )
        .await;
    let to = location(&added);
    assert!(
        to.contains("notice=mapped") && to.contains("near=BJones"),
        "{to}"
    );
    let (_, html) = w.app.page(&to).await;
    assert!(
        html.contains("data-test=\"near-misses\"")
            && html.contains("data-test=\"system-near-misses\"")
    );
    assert!(html.contains("data-test=\"system-row\"") && html.contains("value=\"U-7\""));
    assert!(
        html.contains("data-test=\"no-integrations\""),
        "nothing left to add"
    );
    let renamed = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "add"),
                ("integration_id", &integration),
                ("external_id", "bjones"),
                ("system_employee_id", "U-8"),
            ],
        )
        .await;
    assert!(location(&renamed).contains("notice=mapped"));
    let entry = w
        .app
        .read_json(
            &format!("/api/v1/employees/{bob}/external-systems"),
            &w.token,
        )
        .await;
    assert_eq!(entry["externalSystems"][0]["systemEmployeeId"], "U-8");

    // Refused entries come back as typed, with the reason.
    let no_integration = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "add"),
                ("integration_id", ""),
                ("external_id", "x"),
            ],
        )
        .await;
    assert!(location(&no_integration).contains("error=choose_integration"));
    let blank = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "add"),
                ("integration_id", &integration),
                ("external_id", " "),
            ],
        )
        .await;
    assert!(location(&blank).contains("error=invalid_external_id"));
    let twice = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "add"),
                ("integration_id", &integration),
                ("external_id", "bob2"),
                ("system_employee_id", "U-9"),
            ],
        )
        .await;
    assert!(location(&twice).contains("error=employee_already_mapped"));

    // A planner reads the page without its forms; removing is refused.
    w.app.add_planner("planner@example.com").await;
    w.app.sign_in("planner@example.com", ADMIN_PASSWORD).await;
    let (status, read_only) = w.app.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(read_only.contains("data-test=\"employee-details\"") && read_only.contains("U-8"));
    assert!(
        !read_only.contains("data-test=\"employee-edit\"")
            && !read_only.contains("data-test=\"remove-system\"")
    );
    let refused = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "remove"),
                ("integration_id", &integration),
                ("external_id", "bjones"),
            ],
        )
        .await;
    assert!(location(&refused).contains("error=forbidden"));

    w.app.sign_in_as_admin().await;
    let removed = w
        .app
        .post_form(
            &systems,
            &[
                ("intent", "remove"),
                ("integration_id", &integration),
                ("external_id", "bjones"),
            ],
        )
        .await;
    assert_eq!(location(&removed), format!("{page}?notice=unmapped"));
    assert_eq!(w.intraday().await["total"], 0);
    let (status, _) = w.app.page("/account/employees/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
