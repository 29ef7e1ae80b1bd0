//! First-run setup, sign-in, sign-out, throttling and sessions, as a
//! browser experiences them.

mod common;

use common::{location, Engine, TestApp, ACCOUNT_NAME, ADMIN_EMAIL, ADMIN_PASSWORD};
use reqwest::{header, StatusCode};

on_both_engines!(
    a_fresh_installation_leads_to_setup,
    setup_creates_the_first_admin_and_then_closes,
    two_racing_setups_create_one_account,
    setup_refuses_bad_input_and_keeps_what_was_typed,
    an_admin_signs_in_sees_integrations_and_signs_out,
    a_wrong_password_and_an_unknown_email_get_the_same_message,
    a_sixth_failed_sign_in_for_one_email_within_a_minute_is_refused,
    spraying_many_emails_from_one_address_is_refused,
    six_wrong_from_one_address_leave_the_owner_elsewhere_signing_in,
    guessing_over_many_addresses_hits_a_ceiling_that_spares_the_owners_address,
    parallel_wrong_passwords_get_no_more_tries_than_the_limit,
    a_session_survives_a_server_restart,
    the_session_cookie_is_http_only_and_same_site,
    the_session_cookie_is_secure_behind_https,
    a_cross_origin_form_post_is_refused,
    with_a_public_url_only_its_exact_origin_may_post,
    the_chosen_language_follows_the_user,
    pages_need_a_signed_in_user,
);

async fn a_fresh_installation_leads_to_setup(engine: Engine) {
    let app = TestApp::spawn(engine).await;

    assert_eq!(location(&app.get("/").await), "/setup");
    assert_eq!(location(&app.get("/login").await), "/setup");
    let (status, body) = app.page("/setup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Set up Intake"));
}

async fn setup_creates_the_first_admin_and_then_closes(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    assert_eq!(
        location(&app.get("/setup").await),
        "/login?notice=already_set_up"
    );
    let again = app
        .set_up("Other", "mallory@example.com", ADMIN_PASSWORD)
        .await;
    assert_eq!(location(&again), "/login?notice=already_set_up");
    let intruder = app.sign_in("mallory@example.com", ADMIN_PASSWORD).await;
    assert_eq!(
        location(&intruder),
        "/login?error=invalid_credentials&email=mallory%40example.com"
    );
    app.sign_in_as_admin().await;
}

async fn two_racing_setups_create_one_account(engine: Engine) {
    let app = TestApp::spawn(engine).await;

    let (first, second) = tokio::join!(
        app.set_up("First", "first@example.com", ADMIN_PASSWORD),
        app.set_up("Second", "second@example.com", ADMIN_PASSWORD),
    );
    let outcomes = [location(&first), location(&second)];
    let created = outcomes
        .iter()
        .filter(|l| l.starts_with("/login?notice=set_up"))
        .count();
    let refused = outcomes
        .iter()
        .filter(|l| *l == "/login?notice=already_set_up")
        .count();
    assert_eq!((created, refused), (1, 1), "outcomes: {outcomes:?}");

    let mut signed_in = 0;
    for email in ["first@example.com", "second@example.com"] {
        let answer = common::client()
            .post(app.url("/login"))
            .form(&[("email", email), ("password", ADMIN_PASSWORD)])
            .send()
            .await
            .expect("answered");
        if location(&answer) == "/account/integrations" {
            signed_in += 1;
        }
    }
    assert_eq!(signed_in, 1);
}

async fn setup_refuses_bad_input_and_keeps_what_was_typed(engine: Engine) {
    let app = TestApp::spawn(engine).await;

    let short = app.set_up("Acme", "ada@example.com", "short").await;
    assert_eq!(
        location(&short),
        "/setup?error=password_too_short&account_name=Acme&email=ada%40example.com"
    );
    let (_, page) = app.page(&location(&short)).await;
    assert!(page.contains("A password has at least 10 characters."));
    assert!(page.contains(r#"value="ada@example.com""#));

    let bad_email = app.set_up("Acme", "ada.example.com", ADMIN_PASSWORD).await;
    assert!(location(&bad_email).starts_with("/setup?error=email_malformed"));
    let blank_name = app.set_up("   ", "ada@example.com", ADMIN_PASSWORD).await;
    assert!(location(&blank_name).starts_with("/setup?error=account_name_empty"));
    let long_name = app
        .set_up(&"x".repeat(101), "ada@example.com", ADMIN_PASSWORD)
        .await;
    assert!(location(&long_name).starts_with("/setup?error=account_name_too_long"));

    // Nothing was created by the refused attempts.
    assert_eq!(location(&app.get("/").await), "/setup");
}

async fn an_admin_signs_in_sees_integrations_and_signs_out(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    let (_, login_page) = app
        .page("/login?notice=set_up&email=ada%40example.com")
        .await;
    assert!(login_page.contains("Your account is ready."));
    app.sign_in_as_admin().await;
    assert_eq!(location(&app.get("/").await), "/account/integrations");
    assert_eq!(location(&app.get("/login").await), "/account/integrations");

    let (status, page) = app.page("/account/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No integrations yet"));
    assert!(page.contains(ADMIN_EMAIL));
    assert!(page.contains(ACCOUNT_NAME));

    let signed_out = app.post_form("/logout", &[]).await;
    assert_eq!(location(&signed_out), "/login?notice=signed_out");
    assert_eq!(
        location(&app.get("/account/integrations").await),
        "/login?next=%2Faccount%2Fintegrations"
    );
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_message(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    let wrong_password = app.sign_in(ADMIN_EMAIL, "not the password").await;
    let unknown_email = app.sign_in("nobody@example.com", ADMIN_PASSWORD).await;
    assert_eq!(
        location(&wrong_password),
        "/login?error=invalid_credentials&email=ada%40example.com"
    );
    assert_eq!(
        location(&unknown_email),
        "/login?error=invalid_credentials&email=nobody%40example.com"
    );
    let (_, page) = app.page(&location(&wrong_password)).await;
    assert!(page.contains("Wrong email address or password."));
    assert_eq!(
        location(&app.get("/account/integrations").await)
            .split('?')
            .next(),
        Some("/login")
    );
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header in seconds")
}

async fn a_sixth_failed_sign_in_for_one_email_within_a_minute_is_refused(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    for attempt in 1..=5 {
        let response = app.sign_in(ADMIN_EMAIL, "wrong password").await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "attempt {attempt}"
        );
    }
    // Even the right password waits now: the throttle is checked first.
    let refused = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds = retry_after(&refused);
    assert!((1..=60).contains(&seconds), "Retry-After: {seconds}");
    let page = refused.text().await.expect("a page");
    assert!(page.contains("Too many sign-in attempts"));
    assert!(page.contains(&format!("Try again in {seconds} seconds.")));
}

/// A server behind a trusted proxy on 127.0.0.1, so each request can come
/// from its own address, with a small throttle policy.
async fn behind_a_proxy(engine: Engine, per_address: usize, per_email: usize) -> TestApp {
    use domain::login::{Limit, LoginPolicy};
    use std::time::Duration;
    let database = common::TestDatabase::create(engine).await;
    let policy = LoginPolicy {
        per_address: Limit {
            max_failures: per_address,
            window: Duration::from_secs(600),
        },
        per_email: Limit {
            max_failures: per_email,
            window: Duration::from_secs(3600),
        },
        ..LoginPolicy::default()
    };
    TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            trusted_proxies: server::http::client::parse_trusted("127.0.0.1").expect("parses"),
            login_policy: policy,
            ..settings
        }
    })
    .await
    .with_admin()
    .await
}

async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> StatusCode {
    common::client()
        .post(app.url("/login"))
        .header(reqwest::header::ORIGIN, format!("http://{}", app.addr))
        .header("x-forwarded-for", address)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("answered")
        .status()
}

async fn spraying_many_emails_from_one_address_is_refused(engine: Engine) {
    let app = behind_a_proxy(engine, 4, 100).await;
    for attempt in 1..=4 {
        let email = format!("guess{attempt}@example.com");
        let status = sign_in_from(&app, "198.51.100.1", &email, "wrong password").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "attempt {attempt}");
    }
    let refused = sign_in_from(&app, "198.51.100.1", "guess5@example.com", "wrong").await;
    assert_eq!(refused, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = sign_in_from(&app, "198.51.100.2", "guess5@example.com", "wrong").await;
    assert_eq!(
        elsewhere,
        StatusCode::SEE_OTHER,
        "another address is its own"
    );
}

async fn six_wrong_from_one_address_leave_the_owner_elsewhere_signing_in(engine: Engine) {
    let app = behind_a_proxy(engine, 30, 100).await;
    for attempt in 1..=5 {
        let status = sign_in_from(&app, "198.51.100.1", ADMIN_EMAIL, "wrong password").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "attempt {attempt}");
    }
    let sixth = sign_in_from(&app, "198.51.100.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(sixth, StatusCode::TOO_MANY_REQUESTS);
    let owner = sign_in_from(&app, "203.0.113.5", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(owner, StatusCode::SEE_OTHER);
}

async fn guessing_over_many_addresses_hits_a_ceiling_that_spares_the_owners_address(
    engine: Engine,
) {
    let app = behind_a_proxy(engine, 30, 6).await;
    let owner = sign_in_from(&app, "203.0.113.5", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(owner, StatusCode::SEE_OTHER, "the owner's usual address");
    for n in 1..=6 {
        let address = format!("198.51.100.{n}");
        let status = sign_in_from(&app, &address, ADMIN_EMAIL, "wrong password").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "from {address}");
    }
    let ceiling = sign_in_from(&app, "198.51.100.99", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(ceiling, StatusCode::TOO_MANY_REQUESTS, "a new address");
    let owner = sign_in_from(&app, "203.0.113.5", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(owner, StatusCode::SEE_OTHER, "the owner still gets in");
}

async fn parallel_wrong_passwords_get_no_more_tries_than_the_limit(engine: Engine) {
    let app = behind_a_proxy(engine, 100, 100).await;
    let url = app.url("/login");
    let origin = format!("http://{}", app.addr);
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let (url, origin) = (url.clone(), origin.clone());
            tokio::spawn(async move {
                common::client()
                    .post(url)
                    .header(reqwest::header::ORIGIN, origin)
                    .header("x-forwarded-for", "198.51.100.1")
                    .form(&[("email", ADMIN_EMAIL), ("password", "wrong password")])
                    .send()
                    .await
                    .expect("answered")
                    .status()
            })
        })
        .collect();
    let mut checked = 0;
    for attempt in attempts {
        let status = attempt.await.expect("joins");
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::TOO_MANY_REQUESTS,
            "{status}"
        );
        checked += usize::from(status == StatusCode::SEE_OTHER);
    }
    assert_eq!(checked, 5, "passwords actually checked");
}

async fn a_session_survives_a_server_restart(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    app.sign_in_as_admin().await;

    let (database, client) = app.stop().await;
    let restarted = TestApp::spawn_with(database, client, |s| s).await;

    let (status, page) = restarted.page("/account/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(ADMIN_EMAIL));
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("intake_session="))
        .expect("a session cookie")
        .to_owned()
}

async fn the_session_cookie_is_http_only_and_same_site(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    let response = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = session_cookie(&response);
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP cannot carry a Secure cookie: {cookie}"
    );
}

async fn the_session_cookie_is_secure_behind_https(engine: Engine) {
    let database = common::TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            secure_cookies: true,
            ..settings
        }
    })
    .await
    .with_admin()
    .await;

    let response = app.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(session_cookie(&response).contains("Secure"));
}

async fn a_cross_origin_form_post_is_refused(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    let forged = app
        .client
        .post(app.url("/login"))
        .header(header::ORIGIN, "https://evil.example.com")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("answered");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = forged.json().await.expect("a JSON error");
    assert_eq!(body["errors"][0]["code"], "cross_origin_request");
    // And it did not sign anybody in.
    assert_eq!(location(&app.get("/").await), "/login");
}

async fn with_a_public_url_only_its_exact_origin_may_post(engine: Engine) {
    let database = common::TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            public_origin: server::config::public_origin("https://intake.example.com/")
                .expect("a URL"),
            ..settings
        }
    })
    .await
    .with_admin_from("https://intake.example.com")
    .await;
    let socket_origin = format!("http://{}", app.addr);
    for (origin, expected) in [
        ("https://intake.example.com", StatusCode::SEE_OTHER),
        ("HTTPS://Intake.Example.com", StatusCode::SEE_OTHER),
        ("http://intake.example.com", StatusCode::FORBIDDEN),
        ("https://intake.example.com:8443", StatusCode::FORBIDDEN),
        (
            "https://intake.example.com.evil.example",
            StatusCode::FORBIDDEN,
        ),
        (socket_origin.as_str(), StatusCode::FORBIDDEN),
    ] {
        let response = app
            .client
            .post(app.url("/login"))
            .header(header::ORIGIN, origin)
            .form(&[("email", ADMIN_EMAIL), ("password", "wrong password")])
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), expected, "{origin}");
    }
}

async fn the_chosen_language_follows_the_user(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    app.sign_in_as_admin().await;

    let chosen = app
        .post_form(
            "/language",
            &[("language", "nl"), ("next", "/account/integrations")],
        )
        .await;
    assert_eq!(location(&chosen), "/account/integrations");
    let (_, page) = app.page("/account/integrations").await;
    assert!(
        page.contains("Nog geen integraties"),
        "the page is in Dutch"
    );
    assert!(page.contains(r#"lang="nl""#));

    // A new browser without the language cookie gets Dutch once signed in.
    let elsewhere = app.with_client(common::client());
    let response = elsewhere.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookies: Vec<_> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("i18n_pref_locale=nl")),
        "{cookies:?}"
    );
    let (_, page) = elsewhere.page("/account/integrations").await;
    assert!(page.contains("Integraties"));
}

async fn pages_need_a_signed_in_user(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;

    let (status, _) = app.page("/account/integrations").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = app.page("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Page not found"));
}
