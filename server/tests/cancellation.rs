//! Clients that go away mid-request never leave a unit of work half done:
//! no connection is left inside a transaction, and everything after works.

mod common;

use std::time::Duration;

use common::{Engine, TestApp, ADMIN_EMAIL};
use rand::Rng;
use reqwest::{header, Method, StatusCode};
use serde_json::json;

fn a_day_of_events(id: i64, seed: usize) -> serde_json::Value {
    let events: Vec<_> = (0..500)
        .map(|n| {
            json!({"properties": {"offered": true, "handled": n % 3 != 0, "duration": 30.5},
                   "queueName": format!("Queue {}", (n + seed) % 7),
                   "queueIdentifier": format!("q{}", (n + seed) % 7),
                   "timestamp": format!("2021-12-06T{:02}:{:02}:00Z", n % 24, n % 60)})
        })
        .collect();
    json!({"data": events, "meta": {"integrationConfigurationId": id}})
}

async fn idle_in_transaction(app: &TestApp) -> i64 {
    app.database
        .scalars::<i64>(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        )
        .await[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_cancelled_at_random_moments_leave_no_open_transaction() {
    if common::postgres_admin_url().is_none() {
        eprintln!("no PostgreSQL server answers: set INTAKE_TEST_POSTGRES_URL to run this");
        return;
    }
    let app = TestApp::spawn(Engine::Postgres).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, key) = app.api_integration(&token, "My ACD", 15).await;

    let mut storm = Vec::new();
    for n in 0..120 {
        let cut_after = Duration::from_micros(rand::thread_rng().gen_range(200..40_000));
        let client = reqwest::Client::builder()
            .timeout(cut_after)
            .build()
            .expect("a client");
        let request = match n % 6 {
            0 => client
                .post(app.url(&format!("/api/v1/integrations/{id}/pause")))
                .bearer_auth(&token),
            1 => client
                .post(app.url(&format!("/api/v1/integrations/{id}/resume")))
                .bearer_auth(&token),
            2 if n < 60 => client
                .post(app.url("/login"))
                .header(header::ORIGIN, format!("http://{}", app.addr))
                .form(&[
                    ("email", "nobody@example.com"),
                    ("password", "wrong password"),
                ]),
            _ => client
                .post(app.url("/external-systems/contact-events"))
                .bearer_auth(&key)
                .json(&a_day_of_events(id, n)),
        };
        storm.push(tokio::spawn(request.send()));
        if n % 8 == 7 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    for request in storm {
        let _ = request.await.expect("joins");
    }

    // Cut requests finish on their own; give them a moment, then look.
    let mut open = idle_in_transaction(&app).await;
    for _ in 0..50 {
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        open = idle_in_transaction(&app).await;
    }
    assert_eq!(open, 0, "connections left idle in a transaction");

    // Everything still works, many times over (every pooled connection).
    let _ = app.integration_action(&token, id, "resume").await;
    for n in 0..30 {
        let response = app
            .client
            .post(app.url("/external-systems/contact-events"))
            .bearer_auth(&key)
            .json(&a_day_of_events(id, n))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::ACCEPTED, "request {n}");
        let response = app
            .api(Method::GET, "/api/v1/integrations", Some(&token), None)
            .await;
        assert_eq!(response.status(), StatusCode::OK, "read {n}");
    }
    app.sign_in_as_admin().await;
    assert_eq!(idle_in_transaction(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_never_hands_out_a_connection_inside_a_transaction() {
    use domain::{
        login::{LoginPolicy, ThrottleKeys},
        store::Store,
    };
    if common::postgres_admin_url().is_none() {
        eprintln!("no PostgreSQL server answers: set INTAKE_TEST_POSTGRES_URL to run this");
        return;
    }
    let app = TestApp::spawn(Engine::Postgres).await.with_admin().await;
    let store = app.store().await;
    let policy = LoginPolicy::default();
    // Units of work dropped at random moments, many of them inside BEGIN.
    for n in 0..400 {
        let keys = ThrottleKeys::new(&format!("digest{n}"), &format!("address{n}"));
        let cut_after = Duration::from_micros(rand::thread_rng().gen_range(0..1_500));
        let _ = tokio::time::timeout(cut_after, store.claim_sign_in_attempt(&keys, &policy)).await;
    }
    // Every later write commits, also a single statement outside any
    // transaction of its own: each one is seen from outside.
    let admin = store
        .user_by_email(&domain::EmailAddress::parse(ADMIN_EMAIL).expect("an email"))
        .await
        .expect("reads")
        .expect("the admin");
    for n in 0..40 {
        let language = if n % 2 == 0 {
            domain::Language::Nl
        } else {
            domain::Language::De
        };
        store
            .set_language(admin.id, language)
            .await
            .expect("the store answers");
        let seen = app
            .database
            .scalars::<String>(&format!(
                "SELECT language FROM users WHERE id = {}",
                admin.id.0
            ))
            .await;
        assert_eq!(seen, vec![language.code().to_owned()], "write {n}");
    }
    assert_eq!(idle_in_transaction(&app).await, 0);
}
