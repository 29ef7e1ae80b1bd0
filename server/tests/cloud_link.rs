//! Cloud Link pairing (ADR 0009), from the client's side of the protocol
//! and the admin's side of the management API, on both engines.

mod common;

use common::{error_code, Engine, TestApp, ADMIN_EMAIL};
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

on_both_engines!(
    a_client_is_paired_by_the_pin_an_admin_enters_and_collects_its_credential_once,
    a_wrong_expired_or_used_pin_binds_nothing_and_wrong_ones_lock_entry,
    pairing_again_replaces_the_earlier_client,
    the_integration_page_pairs_by_pin_without_javascript,
    a_paired_client_reports_in_until_its_credential_is_revoked,
    a_job_is_claimed_once_offered_again_when_its_lease_runs_out_and_ended_once,
    an_uploaded_file_is_kept_once_and_only_if_it_arrived_whole,
    jobs_wait_while_the_integration_is_paused,
    one_address_starts_few_pairings_a_minute,
    uploads_received_at_once_are_bounded,
    one_installation_has_few_claims_waiting,
    every_paired_integration_gets_its_jobs_however_many_there_are,
    files_from_the_client_are_imported_once_and_wait_while_paused,
    a_database_import_is_offered_with_its_password_applied_once_and_a_long_pause_skips_back,
    an_import_whose_password_no_longer_opens_fails_where_the_admin_looks,
    a_history_job_sends_its_windows_one_by_one_applied_in_order_and_once,
);

struct Pairing {
    device_code: String,
    pin: String,
}

async fn set_up(engine: Engine) -> (TestApp, String, i64) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .on_premise_integration(&token, "Telephony on site")
        .await;
    (app, token, id)
}

async fn start(app: &TestApp, host: &str) -> Pairing {
    let response = app
        .api(
            Method::POST,
            "/cloud-link/v1/pairings",
            None,
            Some(json!({"host": host, "version": "0.1.0", "os": "linux x86_64"})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let started: Value = response.json().await.expect("JSON");
    assert_eq!(started["expiresIn"], 300);
    assert_eq!(started["interval"], 5);
    let pin = started["pin"].as_str().expect("a PIN").to_owned();
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "{pin}"
    );
    let device_code = started["deviceCode"].as_str().expect("a handle");
    assert!(device_code.starts_with("itd_"));
    Pairing {
        device_code: device_code.to_owned(),
        pin,
    }
}

async fn poll(app: &TestApp, pairing: &Pairing) -> reqwest::Response {
    app.api(
        Method::POST,
        "/cloud-link/v1/token",
        None,
        Some(json!({"deviceCode": pairing.device_code})),
    )
    .await
}

async fn enter(app: &TestApp, token: &str, id: i64, pin: &str) -> reqwest::Response {
    app.api(
        Method::POST,
        &format!("/api/v1/integrations/{id}/link"),
        Some(token),
        Some(json!({"pin": pin})),
    )
    .await
}

/// What the management API shows of the integration's link.
async fn link_of(app: &TestApp, token: &str, id: i64) -> Value {
    app.read_json(&format!("/api/v1/integrations/{id}/link"), token)
        .await
}

async fn status_of(app: &TestApp, token: &str, id: i64) -> String {
    let body: Value = app
        .read_json(&format!("/api/v1/integrations/{id}"), token)
        .await;
    body["integration"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn a_client_is_paired_by_the_pin_an_admin_enters_and_collects_its_credential_once(
    engine: Engine,
) {
    let (app, token, id) = set_up(engine).await;
    let pairing = start(&app, "acd-gateway-01").await;

    assert_eq!(
        error_code(poll(&app, &pairing).await).await,
        (
            StatusCode::BAD_REQUEST,
            "authorization_pending".into(),
            String::new()
        )
    );
    let too_soon = poll(&app, &pairing).await;
    assert_eq!(too_soon.headers()["retry-after"], "10");
    assert_eq!(error_code(too_soon).await.1, "slow_down");

    let linked = enter(&app, &token, id, &pairing.pin).await;
    assert_eq!(linked.status(), StatusCode::OK);
    let linked: Value = linked.json().await.expect("JSON");
    assert_eq!(linked["link"]["host"], "acd-gateway-01");
    assert_eq!(linked["link"]["connected"], false);
    assert_eq!(status_of(&app, &token, id).await, "active");

    let granted = poll(&app, &pairing).await;
    assert_eq!(granted.status(), StatusCode::OK);
    let granted: Value = granted.json().await.expect("JSON");
    assert_eq!(granted["integrationId"], id);
    assert!(granted["credential"]
        .as_str()
        .is_some_and(|c| c.starts_with("itl_")));
    // Collected once: the handle is spent.
    assert_eq!(
        error_code(poll(&app, &pairing).await).await.1,
        "expired_token"
    );

    let shown = link_of(&app, &token, id).await;
    assert_eq!(shown["link"]["connected"], true);
    assert_eq!(shown["link"]["os"], "linux x86_64");
    let audit: Vec<String> = app
        .database
        .scalars("SELECT action FROM audit_events WHERE action = 'cloud_link_paired'")
        .await;
    assert_eq!(audit.len(), 1);
}

async fn a_wrong_expired_or_used_pin_binds_nothing_and_wrong_ones_lock_entry(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let api = app
        .api(
            Method::POST,
            "/api/v1/integrations",
            Some(&token),
            Some(json!({"name": "Pushed", "kind": "api"})),
        )
        .await;
    let api_id = api.json::<Value>().await.expect("JSON")["integration"]["id"]
        .as_i64()
        .expect("an id");
    let pairing = start(&app, "gateway").await;
    assert_eq!(
        error_code(enter(&app, &token, api_id, &pairing.pin).await)
            .await
            .1,
        "not_a_cloud_link_integration"
    );
    assert_eq!(
        error_code(enter(&app, &token, id, "12345").await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_pin".into(),
            "/pin".into()
        )
    );
    // An unknown handle is simply expired: the client starts again.
    let forged = Pairing {
        device_code: "itd_1111111111111111111111111111".into(),
        pin: String::new(),
    };
    assert_eq!(
        error_code(poll(&app, &forged).await).await.1,
        "expired_token"
    );

    // Expired: five minutes are over.
    app.execute("UPDATE cloud_link_pairings SET expires_at = '2000-01-01T00:00:00Z'")
        .await;
    assert_eq!(
        error_code(enter(&app, &token, id, &pairing.pin).await)
            .await
            .1,
        "invalid_pin"
    );
    assert_eq!(
        error_code(poll(&app, &pairing).await).await.1,
        "expired_token"
    );
    assert_eq!(status_of(&app, &token, id).await, "awaiting_link");

    // Four more wrong PINs make five in the quarter hour (a PIN that is
    // not six digits is no guess): entry pauses, even for the right PIN,
    // and says for how long.
    let fresh = start(&app, "gateway").await;
    let wrong = if fresh.pin == "000000" {
        "000001"
    } else {
        "000000"
    };
    for _ in 0..4 {
        assert_eq!(
            error_code(enter(&app, &token, id, wrong).await).await.1,
            "invalid_pin"
        );
    }
    let locked = enter(&app, &token, id, &fresh.pin).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers().contains_key("retry-after"));
    assert_eq!(error_code(locked).await.1, "pin_entry_locked");
    assert_eq!(status_of(&app, &token, id).await, "awaiting_link");

    // The page is told until when, so it can say so.
    app.sign_in_as_admin().await;
    let page_locked = app
        .client
        .post(app.url("/_fn/integrations/link"))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .form(&[("id", id.to_string().as_str()), ("pin", fresh.pin.as_str())])
        .send()
        .await
        .expect("answered");
    assert_eq!(page_locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = page_locked.json().await.expect("JSON");
    let until = body["PinLocked"]["until"].as_str().expect("until when");
    let until = chrono::DateTime::parse_from_rfc3339(until).expect("a time");
    let wait = until.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        wait > chrono::TimeDelta::minutes(14) && wait <= chrono::TimeDelta::minutes(15),
        "{wait}"
    );
}

async fn pairing_again_replaces_the_earlier_client(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let first = start(&app, "old-server").await;
    assert_eq!(
        enter(&app, &token, id, &first.pin).await.status(),
        StatusCode::OK
    );
    let second = start(&app, "new-server").await;
    assert_eq!(
        enter(&app, &token, id, &second.pin).await.status(),
        StatusCode::OK
    );
    // The first client's grant went with its link.
    assert_eq!(
        error_code(poll(&app, &first).await).await.1,
        "expired_token"
    );
    assert_eq!(poll(&app, &second).await.status(), StatusCode::OK);
    // A used PIN binds nothing, not even on another integration.
    assert_eq!(
        error_code(enter(&app, &token, id, &second.pin).await)
            .await
            .1,
        "invalid_pin"
    );
    let links: Vec<i64> = app
        .database
        .scalars("SELECT COUNT(*) FROM cloud_links")
        .await;
    assert_eq!(links, vec![1]);
}

async fn the_integration_page_pairs_by_pin_without_javascript(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    app.sign_in_as_admin().await;
    let page_path = format!("/account/integrations/{id}");
    let (_, before) = app.page(&page_path).await;
    assert!(before.contains(r#"data-test="cloud-link""#));
    assert!(before.contains(r#"autocomplete="one-time-code""#));
    assert!(before.contains(r#"inputmode="numeric""#));
    assert!(!before.contains(r#"data-test="link-host""#));

    let pairing = start(&app, "<b>acd-gw</b>").await;
    let post = |pin: String| {
        let id = id.to_string();
        let page = app.url(&page_path);
        let client = app.client.clone();
        let url = app.url("/_fn/integrations/link");
        let origin = format!("http://{}", app.addr);
        async move {
            client
                .post(url)
                .header(header::ORIGIN, origin)
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .header(header::REFERER, page)
                .form(&[("id", id.as_str()), ("pin", pin.as_str())])
                .send()
                .await
                .expect("answered")
        }
    };
    // Called as the hydrated page does, a wrong PIN is a 422.
    let wrong = if pairing.pin == "000000" {
        "000001"
    } else {
        "000000"
    };
    let refused = app
        .client
        .post(app.url("/_fn/integrations/link"))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .form(&[("id", id.to_string().as_str()), ("pin", wrong)])
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let spaced = format!("{} {}", &pairing.pin[..3], &pairing.pin[3..]);
    let linked = post(spaced).await;
    assert!(linked.status().is_redirection(), "{}", linked.status());

    let (_, after) = app.page(&page_path).await;
    assert!(after.contains(r#"data-test="link-host""#));
    assert!(
        after.contains("&lt;b&gt;acd-gw&lt;/b&gt;"),
        "the host name is text"
    );
    assert!(after.contains(r#"data-test="link-waiting""#));
    assert!(after.contains(r#"data-status="active""#));
    assert_eq!(status_of(&app, &token, id).await, "active");
    let shown: Value = app
        .read_json(&format!("/api/v1/integrations/{id}"), &token)
        .await;
    assert_eq!(
        shown["link"]["host"], "<b>acd-gw</b>",
        "GET carries the link"
    );
    assert_eq!(shown["link"]["quiet"], false);

    // Heard of last two minutes ago: the page warns it has gone quiet.
    let granted: Value = poll(&app, &pairing).await.json().await.expect("JSON");
    assert!(granted["credential"].is_string());
    app.execute(&format!(
        "UPDATE cloud_links SET last_contact_at = '{}' WHERE integration_id = {id}",
        (chrono::Utc::now() - chrono::TimeDelta::minutes(2)).format(if engine == Engine::Sqlite {
            "%Y-%m-%dT%H:%M:%S%.f+00:00"
        } else {
            "%Y-%m-%d %H:%M:%S+00"
        })
    ))
    .await;
    let (_, quiet) = app.page(&page_path).await;
    assert!(quiet.contains(r#"data-test="link-quiet""#), "{quiet}");
    assert!(!quiet.contains(r#"data-test="link-waiting""#));

    // Disconnect is a plain form too.
    let disconnected = app
        .client
        .post(app.url("/_fn/integrations/unlink"))
        .header(header::ORIGIN, format!("http://{}", app.addr))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::REFERER, app.url(&page_path))
        .form(&[("id", id.to_string().as_str())])
        .send()
        .await
        .expect("answered");
    assert!(
        disconnected.status().is_redirection(),
        "{}",
        disconnected.status()
    );
    let (_, gone) = app.page(&page_path).await;
    assert!(!gone.contains(r#"data-test="link-host""#));
    let shown: Value = app
        .read_json(&format!("/api/v1/integrations/{id}"), &token)
        .await;
    assert!(shown["link"].is_null());
}

async fn heartbeat(app: &TestApp, credential: &str, host: &str) -> reqwest::Response {
    app.api(
        Method::POST,
        "/cloud-link/v1/heartbeat",
        Some(credential),
        Some(json!({"host": host, "version": "0.2.0", "os": "linux x86_64"})),
    )
    .await
}

/// Pairs a client showing `host` with the integration; its credential.
async fn paired(app: &TestApp, token: &str, id: i64, host: &str) -> String {
    let pairing = start(app, host).await;
    assert_eq!(
        enter(app, token, id, &pairing.pin).await.status(),
        StatusCode::OK
    );
    let granted: Value = poll(app, &pairing).await.json().await.expect("JSON");
    granted["credential"]
        .as_str()
        .expect("a credential")
        .to_owned()
}

async fn a_paired_client_reports_in_until_its_credential_is_revoked(engine: Engine) {
    let (app, token, id) = set_up(engine).await;
    let first = paired(&app, &token, id, "old-server").await;

    assert_eq!(
        heartbeat(&app, &first, "old-server").await.status(),
        StatusCode::NO_CONTENT
    );
    let shown = link_of(&app, &token, id).await;
    assert_eq!(shown["link"]["version"], "0.2.0", "what it says now");

    // A credential of the wrong shape or never issued: revoked, no lookup.
    for wrong in ["itl_nothing", "itk_1111111111111111111111111111"] {
        assert_eq!(
            error_code(heartbeat(&app, wrong, "x").await).await,
            (
                StatusCode::UNAUTHORIZED,
                "link_revoked".into(),
                String::new()
            )
        );
    }

    // Connecting a new installation revokes the old one at once.
    let second = paired(&app, &token, id, "new-server").await;
    assert_eq!(
        error_code(heartbeat(&app, &first, "old-server").await)
            .await
            .1,
        "link_revoked"
    );
    assert_eq!(
        heartbeat(&app, &second, "new-server").await.status(),
        StatusCode::NO_CONTENT
    );

    // Disconnecting does too; disconnecting again changes nothing.
    let link = format!("/api/v1/integrations/{id}/link");
    assert_eq!(
        app.api(Method::DELETE, &link, Some(&token), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        error_code(heartbeat(&app, &second, "new-server").await)
            .await
            .1,
        "link_revoked"
    );
    assert_eq!(
        app.api(Method::DELETE, &link, Some(&token), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let shown = link_of(&app, &token, id).await;
    assert!(shown["link"].is_null());
    let audit: Vec<String> = app
        .database
        .scalars("SELECT action FROM audit_events WHERE action = 'cloud_link_disconnected'")
        .await;
    assert_eq!(audit.len(), 1);

    // Deleting the integration stops its client too.
    let third = paired(&app, &token, id, "third-server").await;
    assert_eq!(
        heartbeat(&app, &third, "third-server").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api(
            Method::DELETE,
            &format!("/api/v1/integrations/{id}"),
            Some(&token),
            None
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        error_code(heartbeat(&app, &third, "third-server").await)
            .await
            .1,
        "link_revoked"
    );
}

/// A server whose job leases last one second, with a CSV integration whose
/// client is paired: the app, the admin's token, the integration and the
/// client's credential.
async fn paired_csv(engine: Engine) -> (TestApp, String, i64, String) {
    let app = TestApp::spawn_with_short_leases(engine).await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls export", "csv")
        .await;
    let credential = paired(&app, &token, id, "file-server").await;
    (app, token, id, credential)
}

/// Claims a job, waiting up to `wait` seconds.
async fn claim(app: &TestApp, credential: &str, wait: u64) -> reqwest::Response {
    app.api(
        Method::POST,
        &format!("/cloud-link/v1/jobs/claim?wait={wait}"),
        Some(credential),
        Some(json!({"host": "file-server", "version": "0.2.0", "os": "linux x86_64"})),
    )
    .await
}

async fn report(app: &TestApp, credential: &str, job: i64, key: &str) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/cloud-link/v1/jobs/{job}/result")))
        .bearer_auth(credential)
        .header("Idempotency-Key", key)
        .json(&json!({"succeeded": true, "message": "0 new file(s) uploaded"}))
        .send()
        .await
        .expect("answered")
}

fn sha256_hex(content: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn upload(
    app: &TestApp,
    credential: &str,
    job: i64,
    name: &str,
    sha256: &str,
    content: &'static [u8],
) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/cloud-link/v1/jobs/{job}/files/{sha256}")))
        .query(&[("name", name)])
        .bearer_auth(credential)
        .body(content)
        .send()
        .await
        .expect("answered")
}

async fn a_job_is_claimed_once_offered_again_when_its_lease_runs_out_and_ended_once(
    engine: Engine,
) {
    let (app, _token, _id, credential) = paired_csv(engine).await;
    assert_eq!(
        error_code(claim(&app, &credential, 26).await).await,
        (
            StatusCode::BAD_REQUEST,
            "invalid_query".into(),
            "/wait".into()
        )
    );

    // The scheduler queues the first scan right after pairing; a waiting
    // claim gets it.
    let offered = claim(&app, &credential, 25).await;
    assert_eq!(offered.status(), StatusCode::OK);
    let offer: Value = offered.json().await.expect("JSON");
    assert_eq!(offer["task"]["type"], "uploadFiles");
    assert_eq!(offer["attempt"], 1);
    assert_eq!(offer["leaseSeconds"], 1);
    let job = offer["id"].as_i64().expect("an id");

    // Leased: nobody else gets it, until the lease runs out.
    assert_eq!(
        claim(&app, &credential, 0).await.status(),
        StatusCode::NO_CONTENT
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let again: Value = claim(&app, &credential, 0)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        (again["id"].as_i64(), again["attempt"].as_i64()),
        (Some(job), Some(2))
    );

    // The first report ends it; its repeat changes nothing; an older
    // attempt's report is told it came too late.
    assert_eq!(
        report(&app, &credential, job, "job-x-2").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        report(&app, &credential, job, "job-x-2").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        error_code(report(&app, &credential, job, "job-x-1").await)
            .await
            .1,
        "job_already_ended"
    );
    let ended: Vec<String> = app
        .database
        .scalars(&format!(
            "SELECT report_key FROM cloud_link_jobs WHERE id = {job}"
        ))
        .await;
    assert_eq!(ended, ["job-x-2"]);
    assert_eq!(
        error_code(report(&app, &credential, job + 1_000, "k").await)
            .await
            .1,
        "unknown_job"
    );
    assert_eq!(
        error_code(report(&app, "itl_forged", job, "k").await)
            .await
            .1,
        "link_revoked"
    );
}

async fn an_uploaded_file_is_kept_once_and_only_if_it_arrived_whole(engine: Engine) {
    let (app, token, id, credential) = paired_csv(engine).await;
    let offer: Value = claim(&app, &credential, 25)
        .await
        .json()
        .await
        .expect("JSON");
    let job = offer["id"].as_i64().expect("an id");
    let content: &'static [u8] = b"queue;offered\nSales;10\n";
    let sha = sha256_hex(content);

    // Cut or changed on the way: refused, nothing kept.
    let wrong = sha256_hex(b"something else");
    assert_eq!(
        error_code(upload(&app, &credential, job, "calls.csv", &wrong, content).await).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "checksum_mismatch".into(),
            "/sha256".into()
        )
    );
    assert_eq!(
        error_code(upload(&app, &credential, job, "../calls.csv", &sha, content).await)
            .await
            .1,
        "invalid_file_name"
    );

    // Sent twice (the answer was lost): kept once, the same answer.
    for _ in 0..2 {
        let kept = upload(&app, &credential, job, "calls.csv", &sha, content).await;
        assert_eq!(kept.status(), StatusCode::OK);
        let kept: Value = kept.json().await.expect("JSON");
        assert_eq!(kept["outcome"], "received");
    }
    // The same content under another name: listed, not imported again.
    let copy: Value = upload(&app, &credential, job, "calls copy.csv", &sha, content)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(copy["outcome"], "duplicate");

    let listed: Value = app
        .read_json(&format!("/api/v1/integrations/{id}/files"), &token)
        .await;
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["files"][0]["name"], "calls copy.csv");
    assert_eq!(listed["files"][1]["name"], "calls.csv");
    assert_eq!(listed["files"][1]["sha256"], sha);
    assert_eq!(listed["files"][1]["size"], content.len());
    let kept: Vec<i64> = app
        .database
        .scalars("SELECT COUNT(*) FROM received_files WHERE body IS NOT NULL")
        .await;
    assert_eq!(kept, [1], "one copy of the content is kept");

    // A revoked client uploads nothing; another integration's client
    // cannot reach this integration's job.
    assert_eq!(
        error_code(upload(&app, "itl_forged", job, "calls.csv", &sha, content).await)
            .await
            .1,
        "link_revoked"
    );
    let other = app
        .linkable_integration(&token, "Other export", "csv")
        .await;
    let intruder = paired(&app, &token, other, "other-server").await;
    assert_eq!(
        error_code(upload(&app, &intruder, job, "calls.csv", &sha, content).await)
            .await
            .1,
        "unknown_job"
    );
    assert_eq!(
        error_code(report(&app, &intruder, job, "job-x-1").await)
            .await
            .1,
        "unknown_job"
    );
    assert_eq!(
        app.read_json(&format!("/api/v1/integrations/{other}/files"), &token)
            .await["total"],
        0
    );

    // A file name is text on the page, never markup.
    let named: &'static [u8] = b"queue;offered\nSales;11\n";
    let markup = "<img src=x onerror=alert(1)>.csv";
    let kept = upload(&app, &credential, job, markup, &sha256_hex(named), named).await;
    assert_eq!(kept.status(), StatusCode::OK);
    app.sign_in_as_admin().await;
    let (_, page) = app.page(&format!("/account/integrations/{id}")).await;
    assert!(page.contains(r#"data-test="received-files""#), "{page}");
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;.csv"),
        "escaped"
    );
    assert!(!page.contains("<img src=x"), "never markup");
}

async fn jobs_wait_while_the_integration_is_paused(engine: Engine) {
    let (app, token, id, credential) = paired_csv(engine).await;
    let pause = app.integration_action(&token, id, "pause").await;
    assert!(pause.status().is_success(), "{}", pause.status());
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    assert_eq!(
        claim(&app, &credential, 1).await.status(),
        StatusCode::NO_CONTENT
    );
    let resume = app.integration_action(&token, id, "resume").await;
    assert!(resume.status().is_success(), "{}", resume.status());
    let offered = claim(&app, &credential, 25).await;
    assert_eq!(
        offered.status(),
        StatusCode::OK,
        "the scan waited for the resume"
    );
}

async fn one_address_starts_few_pairings_a_minute(engine: Engine) {
    let database = common::TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            trusted_proxies: vec!["127.0.0.1/32".parse().expect("a range")],
            ..settings
        }
    })
    .await;
    let start_from = |address: &'static str| {
        app.client
            .post(app.url("/cloud-link/v1/pairings"))
            .header("X-Forwarded-For", address)
            .json(&json!({"host": "gateway", "version": "0.1.0", "os": "linux x86_64"}))
            .send()
    };
    for _ in 0..10 {
        let started = start_from("203.0.113.7").await.expect("answered");
        assert_eq!(started.status(), StatusCode::CREATED);
    }
    let refused = start_from("203.0.113.7").await.expect("answered");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(error_code(refused).await.1, "too_many_pairings");
    let elsewhere = start_from("198.51.100.9").await.expect("answered");
    assert_eq!(
        elsewhere.status(),
        StatusCode::CREATED,
        "another address is not held back"
    );
}

async fn uploads_received_at_once_are_bounded(engine: Engine) {
    use tokio::io::AsyncWriteExt;
    let database = common::TestDatabase::create(engine).await;
    let app = TestApp::spawn_with(database, common::client(), |settings| {
        server::config::Settings {
            uploads_at_once: 1,
            ..settings
        }
    })
    .await
    .with_admin()
    .await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls export", "csv")
        .await;
    let credential = paired(&app, &token, id, "file-server").await;
    let offer: Value = claim(&app, &credential, 25)
        .await
        .json()
        .await
        .expect("JSON");
    let job = offer["id"].as_i64().expect("an id");
    let content: &'static [u8] = b"queue;offered\nSales;10\n";
    let sha = sha256_hex(content);

    // One upload whose body is slow to come holds the only permit.
    let mut slow = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connected");
    let head = format!(
        "PUT /cloud-link/v1/jobs/{job}/files/{sha}?name=slow.csv HTTP/1.1\r\nHost: {}\r\n\
         Authorization: Bearer {credential}\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        content.len()
    );
    slow.write_all(head.as_bytes()).await.expect("sent");
    slow.write_all(&content[..5]).await.expect("sent");
    slow.flush().await.expect("sent");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let refused = upload(&app, &credential, job, "calls.csv", &sha, content).await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(error_code(refused).await.1, "busy");

    // The slow client hangs up: its permit comes back, nothing is kept.
    drop(slow);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let kept = upload(&app, &credential, job, "calls.csv", &sha, content).await;
    assert_eq!(kept.status(), StatusCode::OK);
    let listed = app
        .read_json(&format!("/api/v1/integrations/{id}/files"), &token)
        .await;
    assert_eq!(listed["total"], 1, "{listed}");
}

async fn one_installation_has_few_claims_waiting(engine: Engine) {
    let (app, token, id, credential) = paired_csv(engine).await;
    // Paused: no job comes, so claims wait their whole time.
    let pause = app.integration_action(&token, id, "pause").await;
    assert!(pause.status().is_success(), "{}", pause.status());
    let app = std::sync::Arc::new(app);
    let waiting: Vec<_> = (0..2)
        .map(|_| {
            let (app, credential) = (app.clone(), credential.clone());
            tokio::spawn(async move { claim(&app, &credential, 3).await.status() })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let refused = claim(&app, &credential, 0).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.headers()[header::RETRY_AFTER], "5");
    let (_, code, _) = error_code(refused).await;
    assert_eq!(code, "too_many_claims");
    for claim in waiting {
        assert_eq!(claim.await.expect("answered"), StatusCode::NO_CONTENT);
    }
    assert_eq!(
        claim(&app, &credential, 0).await.status(),
        StatusCode::NO_CONTENT,
        "a place is free again once a claim ends"
    );
}

/// The scheduler reads paired integrations a batch at a time; every one is
/// reached, past the first batch too.
async fn every_paired_integration_gets_its_jobs_however_many_there_are(engine: Engine) {
    let (app, _token, _id, _credential) = paired_csv(engine).await;
    // 1 becomes 1,024 paired CSV integrations, each with its credential.
    for _ in 0..10 {
        app.execute(
            "INSERT INTO integrations (account_id, name, kind, status, interval_minutes, \
             carries_contacts, carries_agent_statuses, created_at) \
             SELECT account_id, name, kind, status, interval_minutes, carries_contacts, \
             carries_agent_statuses, created_at FROM integrations",
        )
        .await;
    }
    let credential = match app.database.engine {
        Engine::Sqlite => "randomblob(32)",
        Engine::Postgres => "decode(md5(i.id::text), 'hex')",
    };
    app.execute(&format!(
        "INSERT INTO cloud_links (integration_id, pairing_id, credential_hash, host, version, \
         os, paired_at, last_contact_at) \
         SELECT i.id, l.pairing_id, {credential}, l.host, l.version, l.os, l.paired_at, \
         l.last_contact_at FROM integrations i CROSS JOIN cloud_links l \
         WHERE i.id <> l.integration_id"
    ))
    .await;
    let mut open = 0;
    for _ in 0..40 {
        open = app
            .database
            .scalars::<i64>(
                "SELECT COUNT(DISTINCT integration_id) FROM cloud_link_jobs WHERE ended_at IS NULL",
            )
            .await[0];
        if open == 1_024 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(open, 1_024, "every paired integration has its scan queued");
}

/// The integration's import history, once it has `count` entries (the
/// server imports received files in the background).
async fn imports_once(app: &TestApp, token: &str, id: i64, count: u64) -> Value {
    for _ in 0..100 {
        let history = app
            .read_json(&format!("/api/v1/integrations/{id}/imports"), token)
            .await;
        if history["total"] == count {
            return history;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the history did not reach {count} imports");
}

async fn files_from_the_client_are_imported_once_and_wait_while_paused(engine: Engine) {
    let (app, token, id, credential) = paired_csv(engine).await;
    let offer: Value = claim(&app, &credential, 25)
        .await
        .json()
        .await
        .expect("JSON");
    let job = offer["id"].as_i64().expect("an id");
    // Received before there is a schema: it waits for one.
    let first: &'static [u8] =
        b"queue,start,offered,answered,aht\nSales,2026-11-02 08:00,10,8,60\n";
    upload(
        &app,
        &credential,
        job,
        "monday.csv",
        &sha256_hex(first),
        first,
    )
    .await;
    let schema = json!({
        "encoding": "utf-8", "delimiter": "comma", "timeZone": "UTC", "layout": "intervals",
        "intervalMinutes": 15,
        "columns": {"queue": "A", "when": {"timestamp": "B", "timestampFormat": "YYYY-MM-DD hh:mm"},
            "offered": "C", "answered": "D", "handleTime": "E"}
    });
    let saved = app
        .api(
            Method::PUT,
            &format!("/api/v1/integrations/{id}/csv-schema"),
            Some(&token),
            Some(schema),
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let history = imports_once(&app, &token, id, 1).await;
    assert_eq!(history["imports"][0]["fileName"], "monday.csv");
    assert_eq!(history["imports"][0]["outcome"], "applied");

    // The same content under another name is not imported again; a file
    // with a problem is listed with it.
    upload(
        &app,
        &credential,
        job,
        "copy.csv",
        &sha256_hex(first),
        first,
    )
    .await;
    let broken: &'static [u8] = b"queue,start,offered,answered,aht\nSales,2026-11-02 08:10,1,1,1\n";
    upload(
        &app,
        &credential,
        job,
        "broken.csv",
        &sha256_hex(broken),
        broken,
    )
    .await;
    let history = imports_once(&app, &token, id, 2).await;
    assert_eq!(history["imports"][0]["fileName"], "broken.csv");
    assert_eq!(history["imports"][0]["outcome"], "rejected");

    // Paused, a received file waits; resumed, it is imported.
    let pause = app.integration_action(&token, id, "pause").await;
    assert!(pause.status().is_success(), "{}", pause.status());
    let later: &'static [u8] = b"queue,start,offered,answered,aht\nSales,2026-11-02 09:00,3,3,30\n";
    upload(
        &app,
        &credential,
        job,
        "later.csv",
        &sha256_hex(later),
        later,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    imports_once(&app, &token, id, 2).await;
    let resume = app.integration_action(&token, id, "resume").await;
    assert!(resume.status().is_success(), "{}", resume.status());
    let history = imports_once(&app, &token, id, 3).await;
    assert_eq!(history["imports"][0]["fileName"], "later.csv");
    let waiting: Vec<i64> = app
        .database
        .scalars(
            "SELECT COUNT(*) FROM received_files WHERE taken_at IS NULL AND outcome = 'received'",
        )
        .await;
    assert_eq!(waiting, [0]);
}

/// A database integration "Call records" with `settings` saved.
async fn database_integration(app: &TestApp, token: &str, settings: Value) -> i64 {
    let id = app
        .linkable_integration(token, "Call records", "database")
        .await;
    app.save_database_settings(token, id, settings).await;
    id
}

/// Sends an import job's report with its whole result.
async fn report_rows(
    app: &TestApp,
    credential: &str,
    job: i64,
    key: &str,
    rows: Value,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/cloud-link/v1/jobs/{job}/result")))
        .bearer_auth(credential)
        .header("Idempotency-Key", key)
        .json(&json!({
            "succeeded": true,
            "message": "1 row(s)",
            "table": {
                "columns": ["queueidentifier", "queuename", "timestamp", "answered"],
                "rows": rows,
            },
        }))
        .send()
        .await
        .expect("answered")
}

async fn a_database_import_is_offered_with_its_password_applied_once_and_a_long_pause_skips_back(
    engine: Engine,
) {
    let (app, token, _) = set_up(engine).await;
    let id = database_integration(
        &app,
        &token,
        json!({
            "databaseType": "postgreSql", "host": "db.example.local", "database": "acd",
            "user": "reader", "password": "Sealed;Secret", "timeZone": "UTC",
            "dataType": "contacts", "realTime": false, "reconciliation": false,
            "query": "SELECT * FROM calls WHERE started >= {from} AND started < {to} OR ended >= {from}",
        }),
    )
    .await;
    let credential = paired(&app, &token, id, "db-host").await;

    // The first import reads the oldest day of the history; the password
    // goes to the client only, never kept readable.
    let offer: Value = claim(&app, &credential, 10)
        .await
        .json()
        .await
        .expect("JSON");
    let task = &offer["task"];
    assert_eq!(task["type"], "importQuery", "{offer}");
    assert_eq!(task["purpose"], "import");
    assert_eq!(task["connection"]["password"], "Sealed;Secret");
    assert_eq!(
        task["sql"],
        "SELECT * FROM calls WHERE started >= ? AND started < ? OR ended >= ?"
    );
    assert_eq!(task["parameters"].as_array().map(Vec::len), Some(3));
    assert_eq!(task["parameters"][0], task["parameters"][2]);
    assert_eq!(
        task["columns"],
        json!(["queueidentifier", "queuename", "timestamp", "answered"])
    );
    let kept: Vec<String> = app
        .database
        .scalars("SELECT task FROM cloud_link_jobs")
        .await;
    assert!(!kept[0].contains("Sealed;Secret"), "{kept:?}");
    let job = offer["id"].as_i64().expect("a job");
    let first_from = task["from"].as_str().expect("a window").to_owned();

    // Its result is applied once, however often the report is sent.
    let rows = json!([
        ["Q1", "Hotline", "2024-01-02 08:01:00", "1"],
        ["Q1", "Hotline", "2024-01-02 08:07:00", "0"]
    ]);
    for _ in 0..2 {
        assert_eq!(
            report_rows(
                &app,
                &credential,
                job,
                &format!("job-{job}-1"),
                rows.clone()
            )
            .await
            .status(),
            StatusCode::NO_CONTENT
        );
    }
    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    assert_eq!(history["total"], 1, "{history}");
    assert_eq!(history["imports"][0]["outcome"], "applied");
    assert_eq!(history["imports"][0]["items"], 2);
    let kept: Vec<String> = app
        .database
        .scalars(&format!(
            "SELECT task FROM cloud_link_jobs WHERE id = {job}"
        ))
        .await;
    assert!(kept[0].contains(r#""password":"""#), "{kept:?}");

    // The history goes on at once with the next day.
    let next: Value = claim(&app, &credential, 10)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(next["task"]["from"], offer["task"]["to"], "{next}");
    assert_ne!(next["task"]["from"].as_str(), Some(first_from.as_str()));

    // Paused for more than a day: what is older than a day is skipped,
    // the job queued before the pause too.
    let pause = app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{id}/pause"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(pause.status(), StatusCode::OK);
    app.execute(
        "UPDATE integrations SET paused_at = '2000-01-01T00:00:00Z' WHERE paused_at IS NOT NULL",
    )
    .await;
    let resume = app
        .api(
            Method::POST,
            &format!("/api/v1/integrations/{id}/resume"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(resume.status(), StatusCode::OK);
    let mut offer = Value::Null;
    for _ in 0..100 {
        let claimed = claim(&app, &credential, 10).await;
        if claimed.status() == StatusCode::OK {
            offer = claimed.json().await.expect("JSON");
            if offer["id"] != next["id"] {
                break;
            }
        }
    }
    let from =
        chrono::DateTime::parse_from_rfc3339(offer["task"]["from"].as_str().expect("a window"))
            .expect("RFC 3339");
    let age = chrono::Utc::now().signed_duration_since(from);
    assert!(
        age <= chrono::TimeDelta::minutes(24 * 60 + 15) && age >= chrono::TimeDelta::hours(24),
        "imports go on from the quarter-hour a day ago: {offer}"
    );
}

async fn an_import_whose_password_no_longer_opens_fails_where_the_admin_looks(engine: Engine) {
    let (app, token, _) = set_up(engine).await;
    let id = database_integration(
        &app,
        &token,
        json!({
            "databaseType": "mySql", "host": "db.example.local", "database": "acd",
            "user": "reader", "password": "Sealed;Secret", "timeZone": "UTC",
            "dataType": "contacts", "query": "SELECT * FROM calls WHERE started >= {from}",
        }),
    )
    .await;
    let credential = paired(&app, &token, id, "db-host").await;
    let mut queued: Vec<String> = Vec::new();
    for _ in 0..100 {
        queued = app
            .database
            .scalars("SELECT task FROM cloud_link_jobs")
            .await;
        if !queued.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(queued.len(), 1, "the history's first day is queued");
    // As if the server's key had been replaced since the save.
    app.execute(
        "UPDATE cloud_link_jobs SET task = replace(task, '\"password\":\"', '\"password\":\"stale-key:')",
    )
    .await;
    assert_eq!(
        claim(&app, &credential, 2).await.status(),
        StatusCode::NO_CONTENT,
        "a job it cannot run is not offered, nor tried again at once"
    );
    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    assert_eq!(history["imports"][0]["outcome"], "rejected", "{history}");
    assert!(
        history["imports"][0]["errorSummary"]
            .as_str()
            .is_some_and(|s| s.contains("can no longer be read")),
        "{history}"
    );
}

/// Sends window `n` of an import job on its own.
async fn send_window(
    app: &TestApp,
    credential: &str,
    job: i64,
    n: usize,
    rows: Value,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/cloud-link/v1/jobs/{job}/windows/{n}")))
        .bearer_auth(credential)
        .json(&json!({
            "columns": ["queueidentifier", "queuename", "timestamp", "answered"],
            "rows": rows,
        }))
        .send()
        .await
        .expect("answered")
}

async fn a_history_job_sends_its_windows_one_by_one_applied_in_order_and_once(engine: Engine) {
    let (app, token, _) = set_up(engine).await;
    let id = database_integration(
        &app,
        &token,
        json!({
            "databaseType": "postgreSql", "host": "db.example.local", "database": "acd",
            "user": "reader", "timeZone": "UTC", "dataType": "contacts",
            "realTime": false, "reconciliation": false,
            "query": "SELECT * FROM calls WHERE started >= {from} AND started < {to}",
        }),
    )
    .await;
    let credential = paired(&app, &token, id, "db-host").await;
    let offer: Value = claim(&app, &credential, 10)
        .await
        .json()
        .await
        .expect("JSON");
    let job = offer["id"].as_i64().expect("a job");
    let task = &offer["task"];
    // Three years behind: the first day, and the seven days after it.
    let then = task["then"].as_array().expect("windows after the first");
    assert_eq!(then.len(), 7, "{offer}");
    assert_eq!(then[0]["from"], task["to"]);
    assert_eq!(then[1]["from"], then[0]["to"]);
    assert_eq!(then[0]["parameters"].as_array().map(Vec::len), Some(2));
    let row = |at: &str| json!([["Q1", "Hotline", at, "1"]]);

    // In order only: nothing is skipped. A window sent before the one
    // ahead of it waits for it (a second in tests), then is refused.
    let early = send_window(&app, &credential, job, 1, row("2024-01-02 08:00:00")).await;
    let (status, code, _) = error_code(early).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "window_out_of_order")
    );
    // Sent together, the later one first, both are applied in order.
    let (later, first) = tokio::join!(
        send_window(&app, &credential, job, 1, row("2024-01-03 08:00:00")),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            send_window(&app, &credential, job, 0, row("2024-01-02 08:00:00")).await
        }
    );
    assert_eq!(first.status(), StatusCode::NO_CONTENT);
    assert_eq!(later.status(), StatusCode::NO_CONTENT);
    // Each once, however often it is sent.
    let again = send_window(&app, &credential, job, 0, row("2024-01-02 08:00:00")).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    // Another installation's credential, or no job of this one: unknown.
    let other = app
        .linkable_integration(&token, "Other site", "database")
        .await;
    let stranger = paired(&app, &token, other, "other-host").await;
    for (credential, id) in [(stranger.as_str(), job), (credential.as_str(), job + 1_000)] {
        let (status, code, _) =
            error_code(send_window(&app, credential, id, 1, row("2024-01-03 08:00:00")).await)
                .await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::NOT_FOUND, "unknown_job")
        );
    }
    // The last window comes with the job's report, not on its own.
    let last = send_window(&app, &credential, job, 7, row("2024-01-04 08:00:00")).await;
    let (status, code, _) = error_code(last).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "unknown_window")
    );

    // The job's report carries the first window not imported yet, and
    // ends the job (a client may end it before its last window).
    let reported = report_rows(
        &app,
        &credential,
        job,
        &format!("job-{job}-1"),
        row("2024-01-04 08:00:00"),
    )
    .await;
    assert_eq!(reported.status(), StatusCode::NO_CONTENT);
    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    assert_eq!(history["total"], 3, "{history}");
    let window = |at: &Value| {
        format!(
            "Query {} – {}",
            at["from"].as_str().unwrap_or_default(),
            at["to"].as_str().unwrap_or_default()
        )
    };
    assert_eq!(
        history["imports"][0]["fileName"],
        window(&then[1]),
        "{history}"
    );
    assert_eq!(history["imports"][1]["fileName"], window(&then[0]));
    assert_eq!(history["imports"][2]["fileName"], window(task));
    let ended = send_window(&app, &credential, job, 3, row("2024-01-05 08:00:00")).await;
    let (status, code, _) = error_code(ended).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::CONFLICT, "job_already_ended")
    );

    // The history goes on from the last window imported; a window whose
    // rows do not read ends its job, and says why where the admin looks.
    let next: Value = claim(&app, &credential, 10)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(next["task"]["from"], then[1]["to"], "{next}");
    let next_job = next["id"].as_i64().expect("a job");
    let refused = send_window(&app, &credential, next_job, 0, row("yesterday")).await;
    let (status, code, _) = error_code(refused).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "window_refused")
    );
    let after = send_window(&app, &credential, next_job, 1, row("2024-01-06 08:00:00")).await;
    assert_eq!(error_code(after).await.1, "job_already_ended");
    let history = app
        .read_json(&format!("/api/v1/integrations/{id}/imports"), &token)
        .await;
    assert_eq!(history["total"], 4, "{history}");
    assert_eq!(history["imports"][0]["outcome"], "rejected", "{history}");
    assert_eq!(history["imports"][0]["fileName"], window(&next["task"]));
}
