//! The Cloud Link protocol under `/cloud-link/v1/` (DESIGN §5, ADR 0009):
//! a client starts a pairing and polls for its credential, RFC 8628 style.
//! The rules are in `domain::cloud_link`; this module speaks HTTP.

use std::num::NonZeroU32;

use axum::{
    extract::FromRequest,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use chrono::Utc;
use domain::cloud_link::{
    service::{self, ContactError, StartError},
    wire::{ClientInfo, PairingStarted, TokenGranted, TokenRequest},
    Pin, Poll, PIN_LIFETIME,
};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::{rngs::OsRng, Rng};

use super::{
    api::{self, ApiError, ApiJson},
    AppState,
};
use crate::secrets::token::{self, TokenKind};

/// New pairings a minute for the whole server: starting one needs no
/// login, so it is bounded in all (ADR 0009).
pub struct PairingLimiter(DefaultDirectRateLimiter);

impl PairingLimiter {
    pub fn new(per_minute: u32) -> Self {
        let rate = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self(RateLimiter::direct(Quota::per_minute(rate)))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/pairings", post(start_pairing))
        .route("/v1/token", post(poll_token))
        .route("/v1/heartbeat", post(heartbeat))
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found)
}

/// A PIN drawn from the OS's CSPRNG, every value equally likely.
fn draw_pin() -> Pin {
    loop {
        if let Some(pin) = Pin::from_number(OsRng.gen_range(0..Pin::SPACE)) {
            return pin;
        }
    }
}

async fn start_pairing(
    State(state): State<AppState>,
    ApiJson(client): ApiJson<ClientInfo>,
) -> Result<Response, ApiError> {
    if state.pairing_limiter.0.check().is_err() {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_pairings",
            "",
            "too many clients are starting to pair; try again in a minute",
        )
        .with_retry_after(60));
    }
    let handle = token::issue(TokenKind::Pairing);
    let (pin, pairing) = service::start(
        state.store.as_ref(),
        &client,
        &handle.hash,
        draw_pin,
        Utc::now(),
    )
    .await
    .map_err(|error| match error {
        StartError::BadClient(field) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_client_info",
            &format!("/{field}"),
            error.to_string(),
        ),
        StartError::Full => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_pairings",
            "",
            error.to_string(),
        )
        .with_retry_after(60),
        StartError::Store(store) => ApiError::internal(&store),
    })?;
    let started = PairingStarted {
        device_code: handle.secret,
        pin: pin.to_string(),
        expires_in: PIN_LIFETIME.as_secs(),
        interval: pairing.interval.as_secs(),
    };
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

async fn poll_token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    // A handle of the wrong shape was never issued: no lookup.
    let answer = if token::is_well_formed(TokenKind::Pairing, &request.device_code) {
        let credential = token::issue(TokenKind::Link);
        let answer = service::poll(
            state.store.as_ref(),
            &token::hash(&request.device_code),
            &credential.hash,
            Utc::now(),
        )
        .await
        .map_err(|error| ApiError::internal(&error))?;
        if let Poll::Granted(integration) = answer {
            let granted = TokenGranted {
                credential: credential.secret,
                integration_id: integration.0,
            };
            return Ok(Json(granted).into_response());
        }
        answer
    } else {
        Poll::Expired
    };
    // RFC 8628 §3.5: a 400 naming why, the code in the envelope.
    let (detail, retry_after) = match answer {
        Poll::SlowDown { interval } => (
            format!(
                "polled too often: wait {} seconds between polls",
                interval.as_secs()
            ),
            Some(interval.as_secs()),
        ),
        Poll::Pending => ("nobody has entered the PIN yet".to_owned(), None),
        _ => (
            "this pairing expired or was used: start a new one".to_owned(),
            None,
        ),
    };
    let error = ApiError::new(
        StatusCode::BAD_REQUEST,
        answer.code().unwrap_or("expired_token"),
        "",
        detail,
    );
    Err(match retry_after {
        Some(seconds) => error.with_retry_after(seconds),
        None => error,
    })
}

/// A paired client reports in. Its credential is judged on its shape
/// before the body is read and before any lookup.
async fn heartbeat(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<StatusCode, ApiError> {
    let revoked = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "link_revoked",
            "",
            "this installation is no longer connected: it pairs again with a new PIN",
        )
    };
    let credential = api::bearer_secret(
        request.headers(),
        "send the credential pairing gave as Bearer",
    )?
    .to_owned();
    if !token::is_well_formed(TokenKind::Link, &credential) {
        return Err(revoked());
    }
    let ApiJson(client) = ApiJson::<ClientInfo>::from_request(request, &state).await?;
    service::report_contact(
        state.store.as_ref(),
        &token::hash(&credential),
        &client,
        Utc::now(),
    )
    .await
    .map_err(|error| match error {
        ContactError::BadClient(field) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_client_info",
            &format!("/{field}"),
            error.to_string(),
        ),
        ContactError::Revoked => revoked(),
        ContactError::Store(store) => ApiError::internal(&store),
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// A Cloud Link client starts pairing: it shows the PIN and keeps the `deviceCode` secret to poll with.
#[utoipa::path(post, path = "/cloud-link/v1/pairings", tag = "cloud-link",
    request_body = ClientInfo,
    responses(
        (status = 201, body = PairingStarted),
        (status = 400, body = api::ErrorEnvelope, description = "Not JSON"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field: a field missing or of the wrong type; invalid_client_info: a field blank, longer than 255 characters or holding control characters"),
        (status = 429, body = api::ErrorEnvelope, description = "too_many_pairings: see Retry-After"),
        (status = 503, body = api::ErrorEnvelope, description = "too_many_pairings: too many clients waiting; see Retry-After"),
    ))]
pub async fn document_start_pairing() {}

/// A Cloud Link client polls for its credential (RFC 8628 §3.4), at most once per `interval`.
#[utoipa::path(post, path = "/cloud-link/v1/token", tag = "cloud-link",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenGranted, description = "An admin entered the PIN: the credential, given once"),
        (status = 400, body = api::ErrorEnvelope, description = "authorization_pending (poll again after the interval), slow_down (the interval grew; see Retry-After) or expired_token (start a new pairing); also not JSON"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field: deviceCode missing or not a string"),
    ))]
pub async fn document_poll_token() {}

/// A paired client reports in with its credential, every poll period; the page shows its last contact.
#[utoipa::path(post, path = "/cloud-link/v1/heartbeat", tag = "cloud-link",
    request_body = ClientInfo,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, body = api::ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = api::ErrorEnvelope, description = "link_revoked: paired again elsewhere, disconnected or deleted; pair again"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field or invalid_client_info"),
    ),
    security(("cloud_link_credential" = [])))]
pub async fn document_heartbeat() {}
