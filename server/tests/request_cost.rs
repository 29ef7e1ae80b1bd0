//! What a request may cost the server before and after it is
//! authenticated (DESIGN §7): refusals that come from the headers alone,
//! and bodies whose cost is bounded by the limits, not by their shape.

mod common;

use std::time::Duration;

use common::{error_code, Engine, TestApp, ADMIN_EMAIL};
use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Sends only the head of a request that announces `content_length`
/// bytes, and returns the status line of the answer. The body is never
/// sent, so an answer proves the server judged the headers alone.
async fn status_line_without_sending_the_body(
    app: &TestApp,
    path: &str,
    authorization: &str,
    content_length: usize,
) -> String {
    let mut stream = TcpStream::connect(app.addr).await.expect("connects");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {authorization}\r\n\
         Content-Type: application/json\r\nContent-Length: {content_length}\r\n\r\n{{\"data\":[",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.expect("sends");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 1024];
    // A generous bound on waiting, so a server that waits for the body
    // fails the test instead of hanging it.
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        while !answer.windows(2).any(|w| w == b"\r\n") {
            let n = stream.read(&mut buffer).await.expect("reads");
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..n]);
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no answer before the body was sent: the server waited for it"
    );
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn app_with_key() -> (TestApp, String, i64) {
    let app = TestApp::spawn(Engine::Sqlite).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (id, key) = app.api_integration(&token, "My ACD", 15).await;
    (app, key, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthenticated_ingestion_body_is_refused_after_its_headers() {
    let (app, _, _) = app_with_key().await;
    let max = domain::ingest::Limits::default().max_body_bytes;
    for authorization in ["Bearer itk_unknown", "Basic eDp5"] {
        let status = status_line_without_sending_the_body(
            &app,
            "/external-systems/contact-events",
            authorization,
            max,
        )
        .await;
        assert!(status.contains(" 401 "), "{authorization}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_form_post_without_a_session_is_sent_to_sign_in_before_its_body() {
    let (app, _, id) = app_with_key().await;
    for path in [
        "/account/employees".to_owned(),
        "/account/employees/import".to_owned(),
        format!("/account/integrations/{id}/csv/files"),
        format!("/account/integrations/{id}/mapping/agents"),
    ] {
        let status = status_line_without_sending_the_body(&app, &path, "None", 1024 * 1024).await;
        assert!(status.contains(" 303 "), "{path}: {status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declared_length_past_the_limit_is_refused_before_the_body() {
    let (app, key, _) = app_with_key().await;
    let max = domain::ingest::Limits::default().max_body_bytes;
    let status = status_line_without_sending_the_body(
        &app,
        "/external-systems/agent-statuses",
        &format!("Bearer {key}"),
        max + 1,
    )
    .await;
    assert!(status.contains(" 413 "), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_bearer_value_is_refused_as_unknown() {
    let (app, _, _) = app_with_key().await;
    for secret in [
        format!("itk_{}", "z".repeat(100_000)),
        format!("itp_{}", "z".repeat(100_000)),
    ] {
        let response = app
            .client
            .post(app.url("/external-systems/contact-events"))
            .bearer_auth(&secret)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body("{}")
            .send()
            .await
            .expect("answered");
        assert_eq!(
            error_code(response).await.0,
            StatusCode::UNAUTHORIZED,
            "ingestion"
        );
        let response = app
            .api(
                reqwest::Method::GET,
                "/api/v1/integrations",
                Some(&secret),
                None,
            )
            .await;
        assert_eq!(
            error_code(response).await.0,
            StatusCode::UNAUTHORIZED,
            "management"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn millions_of_tiny_items_are_refused_at_the_first_past_the_limit() {
    let (app, key, id) = app_with_key().await;
    let zeros = "0,".repeat(2_000_000);
    let body = format!(r#"{{"data":[{zeros}0],"meta":{{"integrationConfigurationId":{id}}}}}"#);
    assert!(body.len() <= domain::ingest::Limits::default().max_body_bytes);
    let response = app
        .client
        .post(app.url("/external-systems/contact-events"))
        .bearer_auth(&key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("answered");
    let (status, code, pointer) = error_code(response).await;
    assert_eq!(
        (status, code.as_str(), pointer.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_many_items", "/data")
    );
}

/// A server whose hashing pool has no slot at all: any request that would
/// hash a password is answered 503, so one that is not hashed nothing.
async fn app_that_cannot_hash() -> TestApp {
    let database = common::TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            password_hashes_at_once: 0,
            ..settings
        }
    })
    .await;
    app.another_account("Acme Support", ADMIN_EMAIL).await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_setup_refuses_before_hashing() {
    let app = app_that_cannot_hash().await;
    let response = app
        .set_up("Another", "mallory@example.com", "a long enough password")
        .await;
    assert_eq!(common::location(&response), "/login?notice=already_set_up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_past_the_hashing_pool_is_a_503_with_retry_after() {
    let app = app_that_cannot_hash().await;
    let response = app.sign_in(ADMIN_EMAIL, "a wrong password").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response
        .headers()
        .contains_key(reqwest::header::RETRY_AFTER));
    // The password was never checked, so the 503s were no guesses: past
    // the five a minute an address may try for one email, the next answer
    // is still a 503 to retry, not the lock-out.
    for _ in 0..8 {
        let response = app.sign_in(ADMIN_EMAIL, "a wrong password").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
    let counted: Vec<i64> = app
        .database
        .scalars("SELECT COUNT(*) FROM login_failures")
        .await;
    assert_eq!(counted, vec![0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlong_credentials_are_refused_before_any_work() {
    let app = app_that_cannot_hash().await;
    let long_email = format!("{}@example.com", "a".repeat(400));
    for (email, password) in [
        (long_email.as_str(), "a wrong password"),
        (ADMIN_EMAIL, &"p".repeat(5_000)),
    ] {
        let response = app.sign_in(email, password).await;
        assert!(
            common::location(&response).starts_with("/login?error=invalid_credentials"),
            "{}",
            email.len()
        );
    }
    // Past the form's size limit nothing is parsed at all.
    let response = app.sign_in(ADMIN_EMAIL, &"p".repeat(200_000)).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_protective_headers() {
    let (app, _, _) = app_with_key().await;
    let answers = [
        app.get("/login").await,
        app.get("/account/integrations").await,
        app.get("/api/v1/integrations").await,
        app.get("/no/such/page").await,
        app.get("/healthz").await,
    ];
    for answer in answers {
        let headers = answer.headers();
        let path = answer.url().path().to_owned();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
        let policy = headers["content-security-policy"]
            .to_str()
            .unwrap_or_default();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_runs_only_the_scripts_it_was_rendered_with() {
    let (app, _, _) = app_with_key().await;
    let nonce_of = |policy: &str| {
        policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .map(str::to_owned)
    };
    let mut nonces = Vec::new();
    for path in [
        "/login",
        "/login",
        "/login?next=/account/queues",
        "/no/such/page",
    ] {
        let answer = app.get(path).await;
        let policy = answer.headers()["content-security-policy"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        let nonce = nonce_of(&policy).unwrap_or_else(|| panic!("{path}: {policy}"));
        assert!(
            policy.contains("script-src 'self' 'nonce-"),
            "{path}: {policy}"
        );
        let page = answer.text().await.expect("a page");
        // Every script with something to run carries the nonce (an empty
        // element, like leptos_i18n's placeholder, runs nothing: browsers
        // skip it before consulting the policy).
        let scripts: Vec<(&str, &str)> = page
            .split("<script")
            .skip(1)
            .filter_map(|rest| rest.split_once('>'))
            .map(|(tag, rest)| (tag, rest.split("</script>").next().unwrap_or_default()))
            .collect();
        assert!(
            scripts.iter().any(|(_, body)| !body.is_empty()),
            "{path} hydrates"
        );
        for (tag, body) in scripts {
            assert!(
                body.is_empty() || tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}> carries the page's nonce"
            );
        }
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "a fresh nonce for every page");
    for path in ["/api/v1/integrations", "/api/docs", "/healthz"] {
        let answer = app.get(path).await;
        let policy = answer.headers()["content-security-policy"]
            .to_str()
            .unwrap_or_default();
        assert!(policy.ends_with("script-src 'none'"), "{path}: {policy}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_every_kind_of_write_never_fails_on_sqlite() {
    let (app, key, id) = app_with_key().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let body = serde_json::json!({"data": [{"properties": {"offered": true, "handled": true, "duration": 1.0},
        "queueName": "Q", "queueIdentifier": "q", "timestamp": "2021-12-06T10:00:00Z"}],
        "meta": {"integrationConfigurationId": id}});
    let mut burst = Vec::new();
    for n in 0..60 {
        let client = common::client();
        let origin = format!("http://{}", app.addr);
        let request = match n % 4 {
            0 => client
                .post(app.url("/external-systems/contact-events"))
                .bearer_auth(&key)
                .json(&body),
            1 => client
                .get(app.url("/api/v1/integrations"))
                .bearer_auth(&token),
            2 => client
                .post(app.url("/login"))
                .header(reqwest::header::ORIGIN, origin)
                .form(&[
                    ("email", "nobody@example.com"),
                    ("password", "wrong password"),
                ]),
            _ => client
                .post(app.url("/language"))
                .header(reqwest::header::ORIGIN, origin)
                .form(&[("language", "nl")]),
        };
        burst.push(tokio::spawn(request.send()));
    }
    for request in burst {
        let status = request.await.expect("joins").expect("answered").status();
        assert!(!status.is_server_error(), "{status}");
    }
}
