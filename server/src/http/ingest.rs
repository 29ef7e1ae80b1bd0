//! The ingestion API (DESIGN §3): `POST /external-systems/contact-events`
//! and `POST /external-systems/agent-statuses`. The handler checks the
//! HTTP-level things — credential, rate, content type, size, JSON — and
//! leaves every rule to `domain::ingest::receive`.

use std::num::NonZeroU32;

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use domain::ingest::{
    receive::{self, Accepted, Credential, Idempotency, IngestError, Outcome, WireBody},
    wire::ReadError,
    Feed, Limits,
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{
    api::{bearer_secret, is_json, ApiError, ErrorEnvelope, Problem},
    AppState,
};
use crate::secrets::token::{self, TokenKind};

/// Requests a second per credential, shared by both endpoints.
pub struct IngestLimiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl IngestLimiter {
    pub fn new(per_second: u32) -> Self {
        let rate = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        let burst = rate.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
        }
    }

    /// `Err(seconds to wait)` past the limit.
    fn check(&self, credential: &Credential) -> Result<(), u64> {
        let key = match credential {
            Credential::IntegrationKey(id) => format!("key:{id}"),
            Credential::Token(actor) => format!("user:{}", actor.user_id.0),
        };
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contact-events", post(contact_events))
        .route("/agent-statuses", post(agent_statuses))
        .route(
            "/agent-statuses/live",
            axum::routing::get(super::live::status_feed),
        )
        .method_not_allowed_fallback(super::api::method_not_allowed)
        .fallback(super::api::not_found)
}

/// Receives contact events for one integration.
pub async fn contact_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(state, Feed::ContactEvents, headers, body).await
}

/// Receives agent statuses for one integration.
pub async fn agent_statuses(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(state, Feed::AgentStatuses, headers, body).await
}

async fn handle(state: AppState, feed: Feed, headers: HeaderMap, body: Body) -> Response {
    match receive_request(&state, feed, &headers, body).await {
        Ok(accepted) => answer(&accepted),
        Err(error) => error.into_response(),
    }
}

/// Everything that can be judged from the headers is judged before a byte
/// of the body is read: who sends, at what rate, what type and how much.
/// An anonymous or throttled sender costs a header parse, never a buffer.
async fn receive_request(
    state: &AppState,
    feed: Feed,
    headers: &HeaderMap,
    body: Body,
) -> Result<Accepted, ApiError> {
    let credential = authenticate(state, headers).await?;
    state
        .ingest_limiter
        .check(&credential)
        .map_err(too_many_requests)?;
    if !is_json(headers) {
        return Err(ApiError::unsupported_media_type());
    }
    let limits = Limits {
        accepted_times: state.settings.ingest_timestamps.around(chrono::Utc::now()),
        ..state.settings.ingest_limits
    };
    let body = read_body(
        headers,
        body,
        limits.max_body_bytes,
        "split the data into several requests",
    )
    .await?;
    let malformed =
        |detail: String| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", "", detail);
    let payload = std::str::from_utf8(&body)
        .map_err(|_| malformed("the body must be JSON in UTF-8".to_owned()))?;
    let wire = WireBody::read(feed, payload, limits).map_err(|error| match error {
        ReadError::Malformed(error) => malformed(error.to_string()),
        ReadError::TooManyItems { limit } => {
            ingest_error(IngestError::Rejected(domain::ingest::Rejected::new(vec![
                domain::ingest::too_many_items(limit),
            ])))
        }
    })?;
    let idempotency = idempotency(headers, &body)?;

    let request = receive::Request {
        payload,
        body: &wire,
        idempotency,
        limits,
    };
    receive::receive(state.store.as_ref(), &credential, request)
        .await
        .map_err(ingest_error)
}

/// The body, up to `max_bytes`: a declared length past the limit is
/// refused before reading, an undeclared one as soon as it passes it.
pub(super) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max_bytes: usize,
    advice: &str,
) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "",
            format!("a request may be at most {max_bytes} bytes; {advice}"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max_bytes as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, max_bytes)
        .await
        .map_err(|error| {
            let past_limit = std::error::Error::source(&error)
                .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
            if past_limit {
                too_large()
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "",
                    "the body could not be read",
                )
            }
        })
}

/// The credential in `Authorization: Bearer …`: an integration key or a
/// personal access token.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Credential, ApiError> {
    let secret = bearer_secret(
        headers,
        "send the integration's API key (or a personal access token) as Authorization: Bearer …",
    )?;
    let unknown = || ApiError::unauthenticated("the key or token is unknown, revoked or expired");
    if token::is_well_formed(TokenKind::Integration, secret) {
        let owner = state
            .store
            .integration_for_key(&token::hash(secret))
            .await
            .map_err(|error| ApiError::internal(&error))?
            .ok_or_else(unknown)?;
        return Ok(Credential::IntegrationKey(owner));
    }
    if token::is_well_formed(TokenKind::Personal, secret) {
        let actor = state
            .store
            .token_actor(&token::hash(secret))
            .await
            .map_err(|error| ApiError::internal(&error))?
            .ok_or_else(unknown)?;
        return Ok(Credential::Token(actor));
    }
    Err(unknown())
}

/// An integration's API key, for the continuous feed: a personal access
/// token names no integration.
pub(super) async fn authenticate_key(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Credential, ApiError> {
    let credential = authenticate(state, headers).await?;
    if let Credential::Token(_) = credential {
        return Err(ApiError::unauthenticated(
            "the feed takes the integration's API key as Authorization: Bearer …, not a personal access token",
        ));
    }
    state
        .ingest_limiter
        .check(&credential)
        .map_err(too_many_requests)?;
    Ok(credential)
}

/// `Idempotency-Key`: 1–255 printable ASCII characters, kept with the hash
/// of the body it came with.
fn idempotency(headers: &HeaderMap, body: &[u8]) -> Result<Option<Idempotency>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_idempotency_key",
                "",
                "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces, e.g. a UUID",
            )
        })?;
    Ok(Some(Idempotency {
        key: key.to_owned(),
        request_hash: Sha256::digest(body).to_vec(),
    }))
}

fn too_many_requests(retry_after_seconds: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "",
        format!("too many requests with this key; retry after {retry_after_seconds} s"),
    )
    .with_retry_after(retry_after_seconds.max(1))
}

pub(super) fn ingest_error(error: IngestError) -> ApiError {
    match error {
        IngestError::Forbidden => ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "/meta/integrationConfigurationId",
            "this key or token may not send data to that integration: a key belongs to one integration, a token to its admin's account",
        ),
        IngestError::Deleted => ApiError::new(
            StatusCode::CONFLICT,
            "integration_deleted",
            "/meta/integrationConfigurationId",
            error.to_string(),
        ),
        IngestError::FeedNotCarried(feed) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "data_type_not_enabled",
            "",
            format!(
                "this integration is not set up to carry {}; enable the data type on its page or with PATCH /api/v1/integrations/{{id}}",
                match feed {
                    Feed::ContactEvents => "contact data",
                    Feed::AgentStatuses => "agent statuses",
                }
            ),
        ),
        IngestError::TooManyQueues { cap } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_queues",
            "/data",
            format!(
                "this request would give the integration more than {cap} queues; a queue is one (queueIdentifier, channel), so check that the identifier names a queue, not a contact"
            ),
        ),
        IngestError::HeldFull { cap } => ApiError::new(
            StatusCode::CONFLICT,
            "held_data_full",
            "/meta/integrationConfigurationId",
            format!(
                "the integration is paused and already holds {cap} requests; resume it so they are applied, then send again"
            ),
        ),
        IngestError::IdempotencyKeyReused => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "",
            "this Idempotency-Key was first used with a different body; use a new key for new data",
        ),
        IngestError::Rejected(rejected) => {
            let status = if rejected.too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            ApiError {
                status,
                problems: rejected
                    .problems
                    .into_iter()
                    .map(|problem| Problem {
                        code: problem.code,
                        pointer: problem.pointer,
                        detail: problem.detail,
                    })
                    .collect(),
                retry_after: None,
            }
        }
        IngestError::Store(error) => ApiError::internal(&error),
    }
}

/// The body of a `202 Accepted`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportAccepted {
    /// The import this request became; see the integration's history.
    pub import_id: i64,
    /// `applied`, or `held` while the integration is paused.
    pub status: String,
    /// Items received.
    pub items: i64,
    /// Queues created by this request (contact events, when applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_queues: Option<i64>,
    pub detail: String,
}

fn answer(accepted: &Accepted) -> Response {
    let import = &accepted.import;
    let held = import.was_held;
    let body = ImportAccepted {
        import_id: import.id,
        status: if held {
            Outcome::Held
        } else {
            Outcome::Applied
        }
        .as_str()
        .to_owned(),
        items: import.items,
        new_queues: (!held && import.feed == Feed::ContactEvents).then_some(import.new_queues),
        detail: if held {
            "The integration is paused: the data is held and will be applied, in arrival order, when it resumes.".to_owned()
        } else {
            "The data was applied.".to_owned()
        },
    };
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    if accepted.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Documentation types: the bodies as the OpenAPI document describes them.
/// The handlers read JSON values instead, so every problem can be listed.
/// The bodies as the parser reads them; their schemas come from the same
/// types (`domain::ingest::openapi`).
type ContactEventsBody = domain::ingest::ContactEventsBody<'static>;
type AgentStatusesBody = domain::ingest::AgentStatusesBody<'static>;

/// Sends contact events for one integration: applied at once, or held while it is paused.
#[utoipa::path(post, path = "/external-systems/contact-events", tag = "ingestion",
    request_body = ContactEventsBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "1–255 printable ASCII characters; a retry with the same key and body gets the first answer and applies nothing again (kept at least 24 h); the same key with another body is a 422")),
    responses(
        (status = 202, body = ImportAccepted, description = "Applied, or held while the integration is paused"),
        (status = 400, body = ErrorEnvelope, description = "Not JSON, or a field given twice in one object"),
        (status = 401, body = ErrorEnvelope, description = "No key or token, or an unknown one"),
        (status = 403, body = ErrorEnvelope, description = "A key of another integration, a token of another account or of a planner, or not an API integration"),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "The integration was deleted"),
        (status = 413, body = ErrorEnvelope, description = "More items or bytes than the limit"),
        (status = 415, body = ErrorEnvelope, description = "Not Content-Type: application/json"),
        (status = 422, body = ErrorEnvelope, description = "Every problem of every item, with a JSON pointer; nothing was stored"),
        (status = 429, body = ErrorEnvelope, description = "Past the rate limit; see Retry-After"),
    ),
    security(("integration_key" = []), ("personal_access_token" = [])))]
pub async fn document_contact_events() {}

/// Sends agent statuses for one integration: applied at once, or held while it is paused.
#[utoipa::path(post, path = "/external-systems/agent-statuses", tag = "ingestion",
    request_body = AgentStatusesBody,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "As for contact events")),
    responses(
        (status = 202, body = ImportAccepted, description = "Applied, or held while the integration is paused"),
        (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope),
        (status = 413, body = ErrorEnvelope),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope),
        (status = 429, body = ErrorEnvelope),
    ),
    security(("integration_key" = []), ("personal_access_token" = [])))]
pub async fn document_agent_statuses() {}
