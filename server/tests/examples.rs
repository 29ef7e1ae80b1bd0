//! The example clients under `examples/` (the help pages promise Python and
//! Ruby) send a day of data to a live server, and it all arrives.

mod common;

use common::{Engine, TestApp, ADMIN_EMAIL};
use reqwest::Method;
use serde_json::Value;

on_both_engines!(the_python_and_ruby_examples_send_a_whole_day);

/// The examples' made-up arrival pattern, counted here by hand.
fn offered_in_a_day(queue_index: i64) -> i64 {
    (0..96)
        .map(|interval| (interval * 7 + queue_index * 3) % 5 + 1)
        .sum()
}

async fn run(program: &str, script: &str, app: &TestApp, key: &str, id: i64) -> String {
    let output = tokio::process::Command::new(program)
        .arg(format!(
            "{}/../examples/{script}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .env("INTAKE_URL", app.url(""))
        .env("INTAKE_KEY", key)
        .env("INTAKE_INTEGRATION_ID", id.to_string())
        .output()
        .await
        .unwrap_or_else(|error| panic!("{program} runs (make test installs it): {error}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

async fn read(app: &TestApp, token: &str, path: &str) -> Value {
    app.api(Method::GET, path, Some(token), None)
        .await
        .json()
        .await
        .expect("JSON")
}

async fn the_python_and_ruby_examples_send_a_whole_day(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let expected_events = offered_in_a_day(0) + offered_in_a_day(1);

    for (program, script, name) in [
        ("python3", "python/send_day.py", "Python ACD"),
        ("ruby", "ruby/send_day.rb", "Ruby ACD"),
    ] {
        let (id, key) = app.api_integration(&token, name, 15).await;
        let said = run(program, script, &app, &key, id).await;
        assert!(
            said.contains(&format!(
                "sent {expected_events} contact events and 9 agent statuses"
            )),
            "{said}"
        );
        // Running it again is harmless: every request is idempotent.
        run(program, script, &app, &key, id).await;

        let queues = read(&app, &token, "/api/v1/queues").await;
        let mine: Vec<&Value> = queues["queues"]
            .as_array()
            .expect("queues")
            .iter()
            .filter(|q| q["integrationId"] == id)
            .collect();
        assert_eq!(mine.len(), 2, "{name}: two queues");
        for queue in mine {
            let index = if queue["channel"] == "calls" { 0 } else { 1 };
            let intervals = read(
                &app,
                &token,
                &format!(
                    "/api/v1/queues/{}/intervals?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z",
                    queue["id"]
                ),
            )
            .await;
            let rows = intervals["intervals"].as_array().expect("intervals");
            assert_eq!(rows.len(), 96, "{name}: every interval of the day");
            let offered: i64 = rows.iter().filter_map(|r| r["offered"].as_i64()).sum();
            assert_eq!(
                offered,
                offered_in_a_day(index),
                "{name} {}",
                queue["queueName"]
            );
        }
        let statuses = read(
            &app,
            &token,
            &format!("/api/v1/integrations/{id}/agent-statuses?from=2021-12-06T00:00:00Z&to=2021-12-07T00:00:00Z"),
        )
        .await;
        assert_eq!(statuses["agentStatuses"].as_array().map(Vec::len), Some(9));
        let imports = read(&app, &token, &format!("/api/v1/integrations/{id}/imports")).await;
        assert_eq!(imports["total"], 25, "{name}: the retry added no imports");
    }
}
