//! Extractors for the management API: the token's user, and JSON bodies
//! whose every error comes back in the envelope with a JSON pointer.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderMap, StatusCode},
};
use domain::actor::Actor;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::{
    http::AppState,
    secrets::token::{self, TokenKind},
};

/// The secret of `Authorization: Bearer <secret>`, or a 401 saying what
/// to send.
pub fn bearer_secret<'h>(headers: &'h HeaderMap, what_to_send: &str) -> Result<&'h str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| ApiError::unauthenticated(what_to_send))?;
    value.strip_prefix("Bearer ").map(str::trim).ok_or_else(|| {
        ApiError::unauthenticated("the Authorization header must be Bearer <secret>")
    })
}

/// Whether the body is declared as JSON.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        })
}

/// The user a personal access token acts for; 401 without a valid one.
async fn token_user(parts: &Parts, state: &AppState) -> Result<Actor, ApiError> {
    let secret = bearer_secret(
        &parts.headers,
        "send a personal access token as Authorization: Bearer itp_…",
    )?;
    let unknown = || ApiError::unauthenticated("the token is unknown, revoked or expired");
    if !token::is_well_formed(TokenKind::Personal, secret) {
        return Err(unknown());
    }
    state
        .store
        .token_actor(&token::hash(secret))
        .await
        .map_err(|error| ApiError::internal(&error))?
        .ok_or_else(unknown)
}

/// The admin a personal access token acts for. No token or an unknown one
/// is 401; a token of a planner is 403.
pub struct AdminActor(pub Actor);

impl FromRequestParts<AppState> for AdminActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let actor = token_user(parts, state).await?;
        if !actor.role.may_manage_integrations() {
            return Err(ApiError::forbidden());
        }
        Ok(Self(actor))
    }
}

/// A turn to receive a file: each upload in flight holds its body (up to
/// 7 MiB) in memory, so only so many at once, server-wide — Cloud Link,
/// API and browser alike. More are a 503 `busy` with `Retry-After`.
/// Taken after authentication and before the body is read.
pub struct UploadPermit(#[allow(dead_code)] tokio::sync::OwnedSemaphorePermit);

impl UploadPermit {
    pub fn try_take(state: &AppState) -> Result<Self, ApiError> {
        state
            .uploads
            .clone()
            .try_acquire_owned()
            .map(Self)
            .map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "",
                    "too many files are being received; send this one again shortly",
                )
                .with_retry_after(5)
            })
    }
}

impl FromRequestParts<AppState> for UploadPermit {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Self::try_take(state)
    }
}

/// Any user of the account, whatever the role: for reading what arrived.
pub struct MemberActor(pub Actor);

impl FromRequestParts<AppState> for MemberActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        token_user(parts, state).await.map(Self)
    }
}

/// A JSON body: 415 without a JSON content type, 400 for malformed JSON,
/// 422 naming the field (as a JSON pointer) when a value has the wrong type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::unsupported_media_type());
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "",
                "the body could not be read",
            )
        })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        if let Ok(value) = T::deserialize(&mut deserializer) {
            return Ok(ApiJson(value));
        }
        // Tracking the path costs on every value (a Cloud Link report
        // holds hundreds of thousands): only a body that fails is read
        // again to say where.
        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(deserializer)
            .map(ApiJson)
            .map_err(|error| {
                let pointer = json_pointer(error.path());
                let inner = error.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        "",
                        inner.to_string(),
                    )
                } else {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        &pointer,
                        inner.to_string(),
                    )
                }
            })
    }
}

fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(format!("/{index}")),
            Segment::Map { key } => Some(format!("/{}", key.replace('~', "~0").replace('/', "~1"))),
            Segment::Enum { variant } => Some(format!("/{variant}")),
            Segment::Unknown => None,
        })
        .collect()
}

/// A path parameter; one that does not parse names nothing, so it is a
/// 404 in the envelope like any unknown resource.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        Self::not_found()
    }
}

/// Query parameters; ones of the wrong type are a 400 in the envelope,
/// naming what was wrong.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "",
            rejection.body_text(),
        )
    }
}
