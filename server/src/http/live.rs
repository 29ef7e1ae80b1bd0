//! The live intraday board (ADR 0014): boards hear agent-status changes
//! over a WebSocket (`/api/v1/intraday/live`) or, where WebSockets are
//! blocked, as server-sent events (`/api/v1/intraday/events`); status
//! changes arrive through the ingestion API or a continuous feed
//! (`/external-systems/agent-statuses/live`).
//!
//! A change is read from the store once per process, whatever the number
//! of boards, and sent to each board of its account as the same text.

use std::{convert::Infallible, sync::Arc, time::Duration};

use axum::{
    extract::{
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
        FromRequestParts, Query, State,
    },
    http::{header, request::Parts, HeaderMap, StatusCode},
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
};
use chrono::Utc;
use domain::{
    actor::Actor,
    ingest::wire::ReadError,
    ingest::{
        receive::{self, Credential, IngestError, Outcome},
        Feed,
    },
    store::{Store, StoreError},
    workforce::intraday::{self, Change},
    AccountId,
};
use futures_util::{stream, FutureExt, Stream};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use tokio_tungstenite::tungstenite::Error as SocketError;

use super::{
    api::{ApiError, ErrorEnvelope},
    AppState,
};

/// How often a board hears that the connection is alive, so it can show
/// when it last heard from the server (and notice when it stops).
const BEAT: Duration = Duration::from_secs(10);

/// What a board is sent, once per process, for every board of `account`
/// (or of every account).
#[derive(Clone, Debug)]
pub struct Told {
    account: Option<AccountId>,
    kind: &'static str,
    json: Utf8Bytes,
}

impl Told {
    fn concerns(&self, account: AccountId) -> bool {
        self.account.is_none_or(|a| a == account)
    }
}

/// This process's boards: what they hear, and when to hang up.
pub struct Hub {
    boards: broadcast::Sender<Told>,
    closing: watch::Sender<bool>,
    /// Boards and feeds open, per account and per integration.
    open: std::sync::Mutex<std::collections::HashMap<Holder, usize>>,
}

/// Who holds open connections, and how many each may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Holder {
    /// Feeds of an integration.
    Feed(i64),
    /// Boards of an account.
    Board(AccountId),
}

impl Holder {
    fn most(self) -> usize {
        match self {
            Self::Feed(_) => FEEDS_PER_INTEGRATION,
            Self::Board(_) => BOARDS_PER_ACCOUNT,
        }
    }
}

/// Feeds one integration may have open at once (in this process).
pub const FEEDS_PER_INTEGRATION: usize = 4;

/// Boards (WebSocket and event stream alike) one account may have open at
/// once (in this process): each holds a task and a place in the channel.
pub const BOARDS_PER_ACCOUNT: usize = 100;

/// Messages a second one feed may send; past it, the server reads more
/// slowly (the sender's socket fills up) rather than refusing.
const FEED_MESSAGES_PER_SECOND: u32 = 2_000;

/// One open connection, counted until it is dropped.
struct Turn {
    hub: Arc<Hub>,
    holder: Holder,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut open = self
            .hub
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.holder) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.holder);
            }
        }
    }
}

impl Hub {
    /// A turn to hold one more connection, unless `holder` has its most.
    fn turn(self: &Arc<Self>, holder: Holder) -> Option<Turn> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(holder).or_default();
        if *count >= holder.most() {
            return None;
        }
        *count += 1;
        Some(Turn {
            hub: self.clone(),
            holder,
        })
    }
}

fn too_many_boards() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_boards",
        "",
        format!("an account may have {BOARDS_PER_ACCOUNT} boards open at once on this server; close some"),
    )
    .with_retry_after(10)
}

/// Messages waiting for a slow board before it is told to read again.
const BOARD_BACKLOG: usize = 1_024;

/// Changes merged into one reading.
const CHANGES_AT_ONCE: usize = 1_000;

impl Hub {
    /// Starts turning the store's changes into board messages, for as long
    /// as `changes` is open.
    pub fn start(store: Arc<dyn Store>, mut changes: broadcast::Receiver<Change>) -> Arc<Self> {
        let hub = Arc::new(Self {
            boards: broadcast::channel(BOARD_BACKLOG).0,
            closing: watch::channel(false).0,
            open: std::sync::Mutex::default(),
        });
        let boards = hub.boards.clone();
        tokio::spawn(async move {
            loop {
                let first = match changes.recv().await {
                    Ok(change) => change,
                    Err(broadcast::error::RecvError::Lagged(_)) => Change::Resync,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let mut arrived = vec![first];
                while arrived.len() < CHANGES_AT_ONCE {
                    match changes.try_recv() {
                        Ok(change) => arrived.push(change),
                        Err(broadcast::error::TryRecvError::Lagged(_)) => {
                            arrived.push(Change::Resync);
                        }
                        Err(_) => break,
                    }
                }
                if boards.receiver_count() == 0 {
                    continue;
                }
                for change in Change::coalesce(arrived) {
                    match told_of(store.as_ref(), change).await {
                        Ok(Some(told)) => {
                            let _ = boards.send(told);
                        }
                        Ok(None) => {}
                        Err(error) => {
                            tracing::warn!(%error, "a change could not be read for the boards");
                        }
                    }
                }
            }
        });
        hub
    }

    /// Hangs up every board and feed, so the server can stop.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// A board message, as JSON: `type` says which.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BoardMessage<'a> {
    r#type: &'a str,
    at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    agents: Option<Vec<super::api::AgentNowBody>>,
}

fn board_message(kind: &str, agents: Option<Vec<super::api::AgentNowBody>>) -> Utf8Bytes {
    let message = BoardMessage {
        r#type: kind,
        at: super::api::time(Utc::now()),
        agents,
    };
    serde_json::to_string(&message).unwrap_or_default().into()
}

/// What boards are told about a change: the affected employees as they
/// are now, or to read themselves again.
async fn told_of(
    store: &dyn Store,
    change: Change,
) -> Result<Option<Told>, domain::store::StoreError> {
    Ok(Some(match change {
        Change::Agents {
            account,
            integration,
            agents,
        } => {
            let now =
                intraday::agents_now(store, account, integration, &agents, Utc::now()).await?;
            if now.is_empty() {
                // Nobody is mapped to these ids: no board shows them.
                return Ok(None);
            }
            Told {
                account: Some(account),
                kind: "agents",
                json: board_message("agents", Some(now.into_iter().map(Into::into).collect())),
            }
        }
        Change::Remapped { account } => Told {
            account: Some(account),
            kind: "reload",
            json: board_message("reload", None),
        },
        Change::Resync => Told {
            account: None,
            kind: "reload",
            json: board_message("reload", None),
        },
    }))
}

/// Who watches a board: a personal access token's user, or a signed-in
/// user's browser on this site. A cookie alone is not enough: a page of
/// another site could open a WebSocket with it (WebSockets are not held
/// to CORS), so the browser must say the request comes from this site.
pub struct Watcher(pub Actor);

impl FromRequestParts<AppState> for Watcher {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(header::AUTHORIZATION) {
            return super::api::MemberActor::from_request_parts(parts, state)
                .await
                .map(|member| Self(member.0));
        }
        let signed_out = || {
            ApiError::unauthenticated(
                "sign in, or send a personal access token as Authorization: Bearer itp_…",
            )
        };
        if !super::origin::is_from_this_site(
            &parts.headers,
            state.settings.public_origin.as_deref(),
        ) {
            return Err(signed_out());
        }
        let session = tower_sessions::Session::from_request_parts(parts, state)
            .await
            .map_err(|_| signed_out())?;
        let user_id = session
            .get::<i64>(app::session::USER_ID_KEY)
            .await
            .ok()
            .flatten()
            .ok_or_else(signed_out)?;
        match state.store.user(domain::setup::UserId(user_id)).await {
            Ok(Some(user)) => Ok(Self(Actor {
                user_id: user.id,
                account_id: user.account_id,
                role: user.role,
                email: user.email,
            })),
            Ok(None) => Err(signed_out()),
            Err(error) => Err(ApiError::internal(&error)),
        }
    }
}

fn websocket_required(alternative: &str) -> Response {
    ApiError::new(
        StatusCode::UPGRADE_REQUIRED,
        "websocket_required",
        "",
        format!("open this address as a WebSocket; {alternative}"),
    )
    .into_response()
}

/// Every change to the account's intraday state, as it happens, over a
/// WebSocket.
#[utoipa::path(get, path = "/api/v1/intraday/live", tag = "workforce",
    description = "A WebSocket on which the server sends JSON messages: `hello` on opening, `agents` with the changed employees in the shape of `GET /api/v1/intraday` whenever a status of a mapped agent arrives, `reload` when mappings, employees or activities changed (read `GET /api/v1/intraday` again), and `ping` every 10 seconds. Browsers of a signed-in user on this site may use their session instead of a token.",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 401, body = ErrorEnvelope),
        (status = 426, body = ErrorEnvelope, description = "Not a WebSocket handshake"),
        (status = 429, body = ErrorEnvelope, description = "The account has 100 boards open on this server already"),
        (status = 503, body = ErrorEnvelope, description = "WebSockets are off on this server: use /api/v1/intraday/events"),
    ),
    security(("personal_access_token" = [])))]
pub async fn board_socket(
    State(state): State<AppState>,
    Watcher(actor): Watcher,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    if !state.settings.live_websockets {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "websockets_off",
            "",
            "this server's boards use /api/v1/intraday/events (INTAKE_LIVE_WEBSOCKETS=off)",
        )
        .into_response();
    }
    let Ok(upgrade) = upgrade else {
        return websocket_required("or read /api/v1/intraday/events as server-sent events");
    };
    let Some(turn) = state.live.turn(Holder::Board(actor.account_id)) else {
        return too_many_boards().into_response();
    };
    let told = state.live.boards.subscribe();
    let closing = state.live.closing.subscribe();
    upgrade
        .max_message_size(1_024)
        .on_upgrade(move |socket| async move {
            let _turn = turn;
            serve_board(socket, actor.account_id, told, closing).await;
        })
}

async fn serve_board(
    mut socket: WebSocket,
    account: AccountId,
    mut told: broadcast::Receiver<Told>,
    mut closing: watch::Receiver<bool>,
) {
    let reload = || Message::Text(board_message("reload", None));
    if socket
        .send(Message::Text(board_message("hello", None)))
        .await
        .is_err()
    {
        return;
    }
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + BEAT, BEAT);
    loop {
        let message = tokio::select! {
            heard = told.recv() => match heard {
                Ok(told) if told.concerns(account) => Message::Text(told.json),
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => reload(),
                Err(broadcast::error::RecvError::Closed) => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => continue,
            },
            _ = beat.tick() => Message::Text(board_message("ping", None)),
            _ = closing.changed() => break,
        };
        if socket.send(message).await.is_err() {
            return;
        }
    }
    let _ = socket.send(going_away()).await;
}

fn going_away() -> Message {
    Message::Close(Some(CloseFrame {
        code: axum::extract::ws::close_code::AWAY,
        reason: "the server is restarting; connect again".into(),
    }))
}

/// The same messages as `/intraday/live`, as server-sent events, for
/// where WebSockets are blocked.
#[utoipa::path(get, path = "/api/v1/intraday/events", tag = "workforce",
    description = "Server-sent events (`text/event-stream`), each named by its type (`hello`, `agents`, `reload`, `ping`) with the JSON of `/api/v1/intraday/live` as its data: for where a proxy blocks WebSockets. The stream does not end; reconnect when it does.",
    responses(
        (status = 200, content_type = "text/event-stream", description = "The stream of events"),
        (status = 401, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope, description = "The account has 100 boards open on this server already"),
    ),
    security(("personal_access_token" = [])))]
pub async fn board_events(
    State(state): State<AppState>,
    Watcher(actor): Watcher,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let turn = state
        .live
        .turn(Holder::Board(actor.account_id))
        .ok_or_else(too_many_boards)?;
    let told = state.live.boards.subscribe();
    let closing = state.live.closing.subscribe();
    Ok(Sse::new(events(actor.account_id, told, closing, turn)).keep_alive(KeepAlive::default()))
}

fn events(
    account: AccountId,
    told: broadcast::Receiver<Told>,
    closing: watch::Receiver<bool>,
    turn: Turn,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let event = |kind: &str, json: &str| Ok(Event::default().event(kind).data(json));
    let beat = tokio::time::interval_at(tokio::time::Instant::now() + BEAT, BEAT);
    stream::once(async move { event("hello", board_message("hello", None).as_str()) }).chain(
        stream::unfold(
            // The turn is held for as long as the stream is.
            (told, closing, beat, turn),
            move |(mut told, mut closing, mut beat, turn)| async move {
                loop {
                    let next = tokio::select! {
                        heard = told.recv() => match heard {
                            Ok(told) if told.concerns(account) => event(told.kind, told.json.as_str()),
                            Ok(_) => continue,
                            Err(broadcast::error::RecvError::Lagged(_)) => {
                                event("reload", board_message("reload", None).as_str())
                            }
                            Err(broadcast::error::RecvError::Closed) => return None,
                        },
                        _ = beat.tick() => event("ping", board_message("ping", None).as_str()),
                        _ = closing.changed() => return None,
                    };
                    return Some((next, (told, closing, beat, turn)));
                }
            },
        ),
    )
}

use futures_util::StreamExt as _;

// The feed in.

/// The most a feed message may hold.
pub const FEED_MESSAGE_BYTES: usize = 1_024;

/// Messages applied together at most.
const FEED_BATCH: usize = 500;

/// One agent-status change on the feed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FeedMessage {
    timestamp: String,
    agent_id: String,
    activity_id: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct FeedQuery {
    /// The system the statuses come from, as the import history shows it.
    #[param(max_length = 200)]
    external_system: Option<String>,
}

/// What the server answers on the feed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FeedAnswer<'a> {
    r#type: &'a str,
    /// The messages this answer is about: their numbers on this
    /// connection, counting from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    import_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<super::api::Problem>,
}

impl<'a> FeedAnswer<'a> {
    fn new(kind: &'a str, first: u64, last: u64) -> Self {
        Self {
            r#type: kind,
            first: Some(first),
            last: Some(last),
            status: None,
            import_id: None,
            errors: Vec::new(),
        }
    }

    fn text(&self) -> Message {
        Message::Text(serde_json::to_string(self).unwrap_or_default().into())
    }
}

/// A continuous feed of agent-status changes for one integration.
#[utoipa::path(get, path = "/external-systems/agent-statuses/live", tag = "ingestion",
    params(FeedQuery),
    description = "A WebSocket for a continuous feed of agent statuses, authenticated with the integration's API key. Each text message is one change: `{\"timestamp\": \"2026-11-28T09:00:00Z\", \"agentId\": \"…\", \"activityId\": \"…\"}` (at most 1 024 bytes; a longer one closes the connection with code 1009). Each starts an open activity, as an agent status without `endTime` would. The server answers `accepted` (with `first` and `last`, the messages' numbers on this connection counting from 1, `status` `applied` or `held`, and the import) once they are stored, or `rejected` with every problem. Marks the integration as sending real-time statuses.",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 401, body = ErrorEnvelope, description = "No key, or an unknown one"),
        (status = 426, body = ErrorEnvelope, description = "Not a WebSocket handshake"),
        (status = 429, body = ErrorEnvelope, description = "Past the rate limit, or 4 feeds of the integration already open; see Retry-After"),
    ),
    security(("integration_key" = [])))]
pub async fn status_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let credential = match super::ingest::authenticate_key(&state, &headers).await {
        Ok(credential) => credential,
        Err(error) => return error.into_response(),
    };
    let external_system = query
        .ok()
        .and_then(|Query(query)| query.external_system)
        .map(|name| name.trim().chars().take(200).collect::<String>())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "live feed".to_owned());
    let Ok(upgrade) = upgrade else {
        return websocket_required("or send statuses with POST /external-systems/agent-statuses");
    };
    let integration = match &credential {
        Credential::IntegrationKey(id) => id.0,
        Credential::Token(_) => 0,
    };
    let Some(turn) = state.live.turn(Holder::Feed(integration)) else {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_feeds",
            "",
            format!("an integration may have {FEEDS_PER_INTEGRATION} feeds open at once; send on the ones open"),
        )
        .with_retry_after(10)
        .into_response();
    };
    let closing = state.live.closing.subscribe();
    upgrade
        // Past this the socket fails at once; up to it a message too
        // long is refused with a reason.
        .max_message_size(4 * FEED_MESSAGE_BYTES)
        .max_frame_size(4 * FEED_MESSAGE_BYTES)
        .on_upgrade(move |socket| async move {
            let _turn = turn;
            let feed = FeedSession {
                state,
                credential,
                external_system,
                received: 0,
            };
            feed.serve(socket, closing).await;
        })
}

struct FeedSession {
    state: AppState,
    credential: Credential,
    external_system: String,
    /// Messages received on this connection.
    received: u64,
}

/// Why a feed ends.
enum Hangup {
    Gone,
    Close(u16, String),
}

impl FeedSession {
    async fn serve(mut self, mut socket: WebSocket, mut closing: watch::Receiver<bool>) {
        let rate = std::num::NonZeroU32::new(FEED_MESSAGES_PER_SECOND)
            .unwrap_or(std::num::NonZeroU32::MIN);
        let pace = governor::RateLimiter::direct(governor::Quota::per_second(rate));
        let hangup = loop {
            let first = tokio::select! {
                incoming = socket.recv() => incoming,
                _ = closing.changed() => break Hangup::Close(axum::extract::ws::close_code::AWAY, "the server is restarting; connect again".to_owned()),
            };
            // What arrived meanwhile goes with it, in one import.
            let mut batch = vec![first];
            while batch.len() < FEED_BATCH {
                match socket.recv().now_or_never() {
                    Some(next) => batch.push(next),
                    None => break,
                }
            }
            let taken = std::num::NonZeroU32::new(u32::try_from(batch.len()).unwrap_or(u32::MAX))
                .unwrap_or(std::num::NonZeroU32::MIN);
            let _ = pace.until_n_ready(taken).await;
            match self.take(&mut socket, batch).await {
                Ok(()) => {}
                Err(hangup) => break hangup,
            }
        };
        if let Hangup::Close(code, reason) = hangup {
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                })))
                .await;
        }
    }

    /// Applies what arrived, answering each message; `Err` ends the feed.
    async fn take(
        &mut self,
        socket: &mut WebSocket,
        batch: Vec<Option<Result<Message, axum::Error>>>,
    ) -> Result<(), Hangup> {
        let mut statuses: Vec<(u64, FeedMessage)> = Vec::with_capacity(batch.len());
        let mut ended = None;
        for incoming in batch {
            let text = match incoming {
                None | Some(Ok(Message::Close(_))) => {
                    ended = Some(Hangup::Gone);
                    break;
                }
                Some(Err(error)) => {
                    let too_long = std::error::Error::source(&error)
                        .and_then(|source| source.downcast_ref::<SocketError>())
                        .is_some_and(|e| matches!(e, SocketError::Capacity(_)));
                    ended = Some(if too_long {
                        too_long_hangup()
                    } else {
                        Hangup::Gone
                    });
                    break;
                }
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Binary(_))) => {
                    self.received += 1;
                    let answer = refusal(
                        self.received,
                        "not_text",
                        "send each change as a JSON text message",
                    );
                    socket.send(answer).await.map_err(|_| Hangup::Gone)?;
                    continue;
                }
                Some(Ok(_)) => continue,
            };
            self.received += 1;
            if text.len() > FEED_MESSAGE_BYTES {
                ended = Some(too_long_hangup());
                break;
            }
            match serde_json::from_str::<FeedMessage>(text.as_str()) {
                Ok(message) => statuses.push((self.received, message)),
                Err(error) => {
                    let detail = format!(
                        "each message is {{\"timestamp\", \"agentId\", \"activityId\"}}: {error}"
                    );
                    socket
                        .send(refusal(self.received, "malformed_json", &detail))
                        .await
                        .map_err(|_| Hangup::Gone)?;
                }
            }
        }
        if !statuses.is_empty() {
            self.apply(socket, statuses).await?;
        }
        ended.map_or(Ok(()), Err)
    }

    /// Stores statuses as one import; items the rules refuse are answered
    /// one by one and the rest is stored without them.
    async fn apply(
        &self,
        socket: &mut WebSocket,
        mut statuses: Vec<(u64, FeedMessage)>,
    ) -> Result<(), Hangup> {
        // Each pass that does not end stores fewer messages, so it ends.
        loop {
            let (payload, numbers) = self.body(&statuses);
            match self.receive(&payload).await {
                Ok(accepted) => {
                    let mut answer = FeedAnswer::new(
                        "accepted",
                        numbers.first().copied().unwrap_or_default(),
                        numbers.last().copied().unwrap_or_default(),
                    );
                    answer.status = Some(
                        if accepted.import.was_held {
                            Outcome::Held
                        } else {
                            Outcome::Applied
                        }
                        .as_str(),
                    );
                    answer.import_id = Some(accepted.import.id);
                    return socket.send(answer.text()).await.map_err(|_| Hangup::Gone);
                }
                Err(IngestError::Rejected(rejected)) => {
                    let mut refused =
                        std::collections::BTreeMap::<usize, Vec<super::api::Problem>>::new();
                    let mut general = Vec::new();
                    for problem in rejected.problems {
                        let item = problem
                            .pointer
                            .strip_prefix("/data/")
                            .and_then(|rest| rest.split('/').next())
                            .and_then(|n| n.parse::<usize>().ok())
                            .filter(|n| *n < numbers.len());
                        let problem = super::api::Problem {
                            code: problem.code,
                            pointer: item.map_or(problem.pointer.clone(), |n| {
                                problem.pointer.replacen(&format!("/data/{n}"), "", 1)
                            }),
                            detail: problem.detail,
                        };
                        match item {
                            Some(n) => refused.entry(n).or_default().push(problem),
                            None => general.push(problem),
                        }
                    }
                    if !general.is_empty() || refused.is_empty() {
                        let mut answer = FeedAnswer::new(
                            "rejected",
                            numbers.first().copied().unwrap_or_default(),
                            numbers.last().copied().unwrap_or_default(),
                        );
                        answer.errors = general;
                        return socket.send(answer.text()).await.map_err(|_| Hangup::Gone);
                    }
                    for (n, problems) in &refused {
                        let mut answer = FeedAnswer::new("rejected", numbers[*n], numbers[*n]);
                        answer.errors = problems.clone();
                        socket.send(answer.text()).await.map_err(|_| Hangup::Gone)?;
                    }
                    let mut index = 0;
                    statuses.retain(|_| {
                        index += 1;
                        !refused.contains_key(&(index - 1))
                    });
                    if statuses.is_empty() {
                        return Ok(());
                    }
                }
                Err(error) => {
                    let ending = matches!(
                        error,
                        IngestError::Deleted
                            | IngestError::Forbidden
                            | IngestError::FeedNotCarried(_)
                    );
                    let api = super::ingest::ingest_error(error);
                    let mut answer = FeedAnswer::new(
                        "rejected",
                        numbers.first().copied().unwrap_or_default(),
                        numbers.last().copied().unwrap_or_default(),
                    );
                    answer.errors = api.problems;
                    socket.send(answer.text()).await.map_err(|_| Hangup::Gone)?;
                    if ending {
                        return Err(Hangup::Close(
                            axum::extract::ws::close_code::POLICY,
                            "this integration takes no statuses from this key".to_owned(),
                        ));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// The statuses as the body of `POST /external-systems/agent-statuses`,
    /// so they meet the same rules; and each item's message number.
    fn body(&self, statuses: &[(u64, FeedMessage)]) -> (String, Vec<u64>) {
        let integration = match &self.credential {
            Credential::IntegrationKey(id) => id.0,
            Credential::Token(_) => 0,
        };
        let data: Vec<serde_json::Value> = statuses
            .iter()
            .map(|(_, message)| {
                serde_json::json!({
                    "agentIdentifier": message.agent_id,
                    "activityIdentifier": message.activity_id,
                    "startTime": message.timestamp,
                })
            })
            .collect();
        let body = serde_json::json!({
            "meta": {"integrationConfigurationId": integration, "externalSystem": self.external_system},
            "data": data,
        });
        (
            body.to_string(),
            statuses.iter().map(|(number, _)| *number).collect(),
        )
    }

    async fn receive(&self, payload: &str) -> Result<receive::Accepted, IngestError> {
        let limits = domain::ingest::Limits {
            accepted_times: self.state.settings.ingest_timestamps.around(Utc::now()),
            ..self.state.settings.ingest_limits
        };
        // The body is written above, so only its length can be wrong.
        let wire =
            receive::WireBody::read(Feed::AgentStatuses, payload, limits).map_err(|error| {
                match error {
                    ReadError::TooManyItems { limit } => {
                        IngestError::Rejected(domain::ingest::Rejected::new(vec![
                            domain::ingest::too_many_items(limit),
                        ]))
                    }
                    ReadError::Malformed(error) => IngestError::Store(StoreError::new(error)),
                }
            })?;
        let request = receive::Request {
            payload,
            body: &wire,
            idempotency: None,
            limits,
        };
        receive::receive(self.state.store.as_ref(), &self.credential, request).await
    }
}

fn too_long_hangup() -> Hangup {
    Hangup::Close(
        axum::extract::ws::close_code::SIZE,
        format!("a message may be at most {FEED_MESSAGE_BYTES} bytes"),
    )
}

fn refusal(number: u64, code: &'static str, detail: &str) -> Message {
    let mut answer = FeedAnswer::new("rejected", number, number);
    answer.errors = vec![super::api::Problem {
        code,
        pointer: String::new(),
        detail: detail.to_owned(),
    }];
    answer.text()
}
