//! The live path of the intraday board (issue 14): a status sent through
//! the ingestion API or the continuous feed reaches boards connected over a
//! WebSocket and over server-sent events; with several server processes on
//! PostgreSQL, boards of one hear changes received by another.

mod common;

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use common::{Engine, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    tungstenite::{client::IntoClientRequest, http::HeaderValue, protocol::CloseFrame, Message},
    MaybeTlsStream, WebSocketStream,
};

on_both_engines!(
    a_status_sent_to_the_api_reaches_websocket_and_event_stream_boards,
    the_feed_acknowledges_each_change_refuses_bad_ones_and_marks_the_integration_real_time,
    boards_and_feeds_refuse_who_may_not_use_them,
    a_board_reads_again_when_mappings_change_and_hangs_up_when_the_server_stops,
);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a message before failing.
const PATIENCE: Duration = Duration::from_secs(20);

struct World {
    app: TestApp,
    token: String,
    integration: i64,
    key: String,
    ann: i64,
}

async fn world(engine: Engine) -> World {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let (integration, key) = app.api_integration(&token, "My ACD", 15).await;
    let ann: Value = app
        .api(
            Method::POST,
            "/api/v1/employees",
            Some(&token),
            Some(json!({"name": "Ann Lee", "email": "ann@example.com"})),
        )
        .await
        .json()
        .await
        .expect("JSON");
    let ann = ann["employee"]["id"].as_i64().expect("an id");
    let world = World {
        app,
        token,
        integration,
        key,
        ann,
    };
    let mapped = world.map("agent-1").await;
    assert_eq!(mapped, StatusCode::CREATED);
    world
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl World {
    async fn map(&self, external_id: &str) -> StatusCode {
        self.app
            .api(
                Method::POST,
                &format!("/api/v1/integrations/{}/agent-mappings", self.integration),
                Some(&self.token),
                Some(json!({"externalId": external_id, "employeeId": self.ann})),
            )
            .await
            .status()
    }

    async fn send_status(&self, app: &TestApp, agent: &str, activity: &str) {
        let response = app
            .client
            .post(app.url("/external-systems/agent-statuses"))
            .bearer_auth(&self.key)
            .json(&json!({
                "meta": {"integrationConfigurationId": self.integration, "externalSystem": "My ACD"},
                "data": [{"agentIdentifier": agent, "activityIdentifier": activity, "startTime": now()}],
            }))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::ACCEPTED);
    }

    async fn board(&self, app: &TestApp) -> Socket {
        self.board_at(&app.addr.to_string()).await
    }

    /// A board on the server at `addr`, past its hello.
    async fn board_at(&self, addr: &str) -> Socket {
        let mut request = format!("ws://{addr}/api/v1/intraday/live")
            .into_client_request()
            .expect("a request");
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {}", self.token)).expect("a header"),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the board connects");
        assert_eq!(next_json(&mut socket).await["type"], "hello");
        socket
    }

    async fn feed(&self) -> Socket {
        let mut request = ws_url(&self.app, "/external-systems/agent-statuses/live")
            .into_client_request()
            .expect("a request");
        request.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&format!("Bearer {}", self.key)).expect("a header"),
        );
        tokio_tungstenite::connect_async(request)
            .await
            .expect("the feed connects")
            .0
    }
}

fn ws_url(app: &TestApp, path: &str) -> String {
    format!("ws://{}{path}", app.addr)
}

/// The next text message as JSON, past pings.
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a message in time")
            .expect("the socket is open")
            .expect("a message");
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(text.as_str()).expect("JSON");
                if value["type"] != "ping" {
                    return value;
                }
            }
            Message::Close(frame) => panic!("closed: {frame:?}"),
            _ => {}
        }
    }
}

/// The next board message that is not a ping.
async fn next_board_message(socket: &mut Socket) -> Value {
    next_json(socket).await
}

/// The next server-sent event that is not a ping: its name and data.
async fn next_event<B: AsRef<[u8]>>(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<B>> + Unpin),
    buffer: &mut String,
) -> (String, Value) {
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let name = event
                .lines()
                .find_map(|line| line.strip_prefix("event:"))
                .map(|name| name.trim().to_owned());
            let data = event
                .lines()
                .find_map(|line| line.strip_prefix("data:"))
                .map(|data| serde_json::from_str(data.trim()).expect("JSON data"));
            match (name, data) {
                (Some(name), Some(data)) if name != "ping" => return (name, data),
                _ => continue,
            }
        }
        let chunk = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .expect("an event in time")
            .expect("the stream is open")
            .expect("a chunk");
        buffer.push_str(std::str::from_utf8(chunk.as_ref()).expect("UTF-8"));
    }
}

async fn a_status_sent_to_the_api_reaches_websocket_and_event_stream_boards(engine: Engine) {
    let w = world(engine).await;
    let mut socket = w.board(&w.app).await;
    let events = w
        .app
        .client
        .get(w.app.url("/api/v1/intraday/events"))
        .bearer_auth(&w.token)
        .send()
        .await
        .expect("answered");
    assert_eq!(events.status(), StatusCode::OK);
    assert!(events.headers()["content-type"]
        .to_str()
        .is_ok_and(|t| t.starts_with("text/event-stream")));
    let mut stream = events.bytes_stream();
    let mut buffer = String::new();
    assert_eq!(next_event(&mut stream, &mut buffer).await.0, "hello");

    w.send_status(&w.app, "agent-1", "Talk").await;

    let message = next_board_message(&mut socket).await;
    assert_eq!(message["type"], "agents", "{message}");
    let agent = &message["agents"][0];
    assert_eq!(agent["employeeId"], w.ann);
    assert_eq!(agent["employeeName"], "Ann Lee");
    assert_eq!(
        agent["activity"], "Present",
        "an unmapped activity is the default"
    );
    assert_eq!(agent["externalActivity"], "Talk");
    assert_eq!(agent["integrationId"], w.integration);
    assert!(agent["since"].is_string());

    let (name, data) = next_event(&mut stream, &mut buffer).await;
    assert_eq!(name, "agents");
    assert_eq!(data["agents"], message["agents"]);

    // An unmapped agent is on no board: the next message is about Ann.
    w.send_status(&w.app, "agent-unmapped", "Talk").await;
    w.send_status(&w.app, "agent-1", "Break").await;
    let message = next_board_message(&mut socket).await;
    assert_eq!(
        message["agents"][0]["externalActivity"], "Break",
        "{message}"
    );
    assert_eq!(message["agents"].as_array().map(Vec::len), Some(1));
}

async fn the_feed_acknowledges_each_change_refuses_bad_ones_and_marks_the_integration_real_time(
    engine: Engine,
) {
    let w = world(engine).await;
    let before = w
        .app
        .read_json(&format!("/api/v1/integrations/{}", w.integration), &w.token)
        .await;
    assert!(before["integration"]["realTimeAt"].is_null(), "{before}");
    let mut board = w.board(&w.app).await;
    let events = w
        .app
        .client
        .get(w.app.url("/api/v1/intraday/events"))
        .bearer_auth(&w.token)
        .send()
        .await
        .expect("answered");
    let mut stream = events.bytes_stream();
    let mut buffer = String::new();
    assert_eq!(next_event(&mut stream, &mut buffer).await.0, "hello");
    let mut feed = w.feed().await;

    let change = json!({"timestamp": now(), "agentId": "agent-1", "activityId": "Lunch"});
    feed.send(Message::text(change.to_string()))
        .await
        .expect("sent");
    let answer = next_json(&mut feed).await;
    assert_eq!(answer["type"], "accepted", "{answer}");
    assert_eq!(
        (answer["first"].as_u64(), answer["last"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(answer["status"], "applied");
    assert!(answer["importId"].is_i64());
    let message = next_board_message(&mut board).await;
    assert_eq!(
        message["agents"][0]["externalActivity"], "Lunch",
        "{message}"
    );
    let (name, data) = next_event(&mut stream, &mut buffer).await;
    assert_eq!(
        (name.as_str(), &data["agents"]),
        ("agents", &message["agents"])
    );
    drop(stream);

    // A message the rules refuse is answered on its own; the rest stand.
    feed.send(Message::text(
        json!({"timestamp": "yesterday", "agentId": "agent-1", "activityId": "Talk"}).to_string(),
    ))
    .await
    .expect("sent");
    let refused = next_json(&mut feed).await;
    assert_eq!(refused["type"], "rejected", "{refused}");
    assert_eq!(refused["first"], 2);
    assert_eq!(refused["errors"][0]["pointer"], "/startTime");
    feed.send(Message::text("{\"agentId\": 1}"))
        .await
        .expect("sent");
    let malformed = next_json(&mut feed).await;
    assert_eq!(
        (
            &malformed["type"],
            &malformed["first"],
            &malformed["errors"][0]["code"]
        ),
        (&json!("rejected"), &json!(3), &json!("malformed_json")),
        "{malformed}"
    );
    feed.send(Message::text(
        json!({"timestamp": now(), "agentId": "agent-1", "activityId": "Talk"}).to_string(),
    ))
    .await
    .expect("sent");
    assert_eq!(next_json(&mut feed).await["first"], 4);
    let state = w.app.read_json("/api/v1/intraday", &w.token).await;
    assert_eq!(state["agents"][0]["externalActivity"], "Talk", "{state}");

    let after = w
        .app
        .read_json(&format!("/api/v1/integrations/{}", w.integration), &w.token)
        .await;
    assert!(after["integration"]["realTimeAt"].is_string(), "{after}");
    w.app.sign_in_as_admin().await;
    let (_, page) = w.app.page("/account/integrations").await;
    assert!(
        page.contains("data-test=\"real-time\""),
        "the overview marks it RTA"
    );

    // While paused, the feed's changes are held, as pushed data is.
    let paused = w
        .app
        .integration_action(&w.token, w.integration, "pause")
        .await;
    assert!(paused.status().is_success());
    feed.send(Message::text(
        json!({"timestamp": now(), "agentId": "agent-1", "activityId": "Break"}).to_string(),
    ))
    .await
    .expect("sent");
    let held = next_json(&mut feed).await;
    assert_eq!(held["status"], "held", "{held}");

    // A message over 1 kB ends the feed with 1009, saying why.
    let long = json!({"timestamp": now(), "agentId": "a".repeat(1_100), "activityId": "Talk"});
    feed.send(Message::text(long.to_string()))
        .await
        .expect("sent");
    let closed = tokio::time::timeout(PATIENCE, feed.next())
        .await
        .expect("an answer in time");
    match closed {
        Some(Ok(Message::Close(Some(CloseFrame { code, reason })))) => {
            assert_eq!(u16::from(code), 1009);
            assert!(reason.contains("1024 bytes"), "{reason}");
        }
        other => panic!("the feed should close with 1009, got {other:?}"),
    }
}

async fn boards_and_feeds_refuse_who_may_not_use_them(engine: Engine) {
    let w = world(engine).await;
    let handshake = |path: &str, headers: Vec<(&'static str, String)>| {
        let mut request = ws_url(&w.app, path)
            .into_client_request()
            .expect("a request");
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(name, HeaderValue::from_str(&value).expect("a header"));
        }
        tokio_tungstenite::connect_async(request)
    };
    let refused_with = |result: Result<_, tokio_tungstenite::tungstenite::Error>| match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Ok(_) => 101,
        Err(other) => panic!("{other}"),
    };
    let feed = "/external-systems/agent-statuses/live";
    let board = "/api/v1/intraday/live";
    assert_eq!(
        refused_with(handshake(feed, vec![]).await),
        401,
        "a feed without a key"
    );
    assert_eq!(
        refused_with(handshake(feed, vec![("authorization", format!("Bearer {}", w.token))]).await),
        401,
        "a feed takes an integration's key, not a personal token"
    );
    assert_eq!(
        refused_with(handshake(board, vec![]).await),
        401,
        "an anonymous board"
    );
    let mut open = Vec::new();
    for _ in 0..server::http::live::FEEDS_PER_INTEGRATION {
        open.push(w.feed().await);
    }
    assert_eq!(
        refused_with(handshake(feed, vec![("authorization", format!("Bearer {}", w.key))]).await),
        429,
        "one feed too many"
    );
    drop(open);
    let mut boards = Vec::new();
    for _ in 0..server::http::live::BOARDS_PER_ACCOUNT {
        boards.push(w.board(&w.app).await);
    }
    assert_eq!(
        refused_with(
            handshake(
                board,
                vec![("authorization", format!("Bearer {}", w.token))]
            )
            .await
        ),
        429,
        "one board too many"
    );
    let stream = w
        .app
        .api(Method::GET, "/api/v1/intraday/events", Some(&w.token), None)
        .await;
    assert_eq!(
        stream.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the event stream counts too"
    );
    drop(boards);

    // A signed-in browser on this site may watch with its session; a page
    // of another site may not use that session.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let signed_in = browser
        .post(w.app.url("/login"))
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("answered");
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("intake_session="))
        .and_then(|value| value.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let this_site = format!("http://{}", w.app.addr);
    assert_eq!(
        refused_with(
            handshake(
                board,
                vec![
                    ("cookie", cookie.clone()),
                    ("origin", "https://evil.example".to_owned())
                ]
            )
            .await
        ),
        401,
        "another site's page"
    );
    assert_eq!(
        refused_with(handshake(board, vec![("cookie", cookie.clone())]).await),
        401,
        "a script with a stolen cookie and no browser's word for where it comes from"
    );
    assert_eq!(
        refused_with(handshake(board, vec![("cookie", cookie), ("origin", this_site)]).await),
        101,
        "this site's page"
    );

    // Not a handshake: 426, with the alternative named.
    let plain = w.app.api(Method::GET, board, Some(&w.token), None).await;
    assert_eq!(plain.status(), StatusCode::UPGRADE_REQUIRED);
    let body: Value = plain.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["code"], "websocket_required");
}

async fn a_board_reads_again_when_mappings_change_and_hangs_up_when_the_server_stops(
    engine: Engine,
) {
    let w = world(engine).await;
    let mut socket = w.board(&w.app).await;
    let unmapped = w
        .app
        .api(
            Method::DELETE,
            &format!(
                "/api/v1/integrations/{}/agent-mappings/agent-1",
                w.integration
            ),
            Some(&w.token),
            None,
        )
        .await;
    assert_eq!(unmapped.status(), StatusCode::NO_CONTENT);
    assert_eq!(next_board_message(&mut socket).await["type"], "reload");

    // Stopping the server does not wait for boards: they are told to
    // connect again.
    let stopped = tokio::time::timeout(PATIENCE, w.app.stop()).await;
    assert!(stopped.is_ok(), "the server stops with a board connected");
    let closed = tokio::time::timeout(PATIENCE, socket.next())
        .await
        .expect("a close in time");
    match closed {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1001),
        None | Some(Err(_)) => {}
        other => panic!("expected a close, got {other:?}"),
    }
}

/// Two server processes on one PostgreSQL database: a status received by
/// one (the test's) reaches a board connected to the other (the release
/// binary, started on its own) through `LISTEN`/`NOTIFY`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_received_by_one_server_reaches_boards_of_another() {
    if common::postgres_admin_url().is_none() {
        eprintln!("no PostgreSQL server answers: set INTAKE_TEST_POSTGRES_URL to run this");
        return;
    }
    let w = world(Engine::Postgres).await;
    let other = bench::server::Server::serve(
        std::path::Path::new(env!("CARGO_BIN_EXE_intake")),
        &w.app.database.url,
        &[],
        w.token.clone(),
    )
    .await
    .expect("a second server process serves");
    let mut socket = w.board_at(&other.addr).await;

    w.send_status(&w.app, "agent-1", "Talk").await;
    let message = next_board_message(&mut socket).await;
    assert_eq!(message["type"], "agents", "{message}");
    assert_eq!(message["agents"][0]["employeeId"], w.ann);
    assert_eq!(message["agents"][0]["externalActivity"], "Talk");
    other.kill().await.expect("the other server stops");
}
