//! Extractors for the management API: the token's user, and JSON bodies
//! whose every error comes back in the envelope with a JSON pointer.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, StatusCode},
};
use domain::actor::Actor;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::{
    http::AppState,
    secrets::token::{self, TokenKind},
};

/// The admin a personal access token acts for. No token or an unknown one
/// is 401; a token of a planner is 403.
pub struct AdminActor(pub Actor);

impl FromRequestParts<AppState> for AdminActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthenticated(
                    "send a personal access token as Authorization: Bearer itp_…",
                )
            })?;
        let secret = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthenticated("the Authorization header must be Bearer <token>")
            })?;
        let unknown = || ApiError::unauthenticated("the token is unknown, revoked or expired");
        if !token::is_well_formed(TokenKind::Personal, secret) {
            return Err(unknown());
        }
        let actor = state
            .store
            .token_actor(&token::hash(secret))
            .await
            .map_err(|error| ApiError::internal(&error))?
            .ok_or_else(unknown)?;
        if !actor.role.may_manage_integrations() {
            return Err(ApiError::forbidden());
        }
        Ok(Self(actor))
    }
}

/// A JSON body: 415 without a JSON content type, 400 for malformed JSON,
/// 422 naming the field (as a JSON pointer) when a value has the wrong type.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(';')
                    .next()
                    .is_some_and(|m| m.trim() == "application/json")
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "",
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "",
                "the body could not be read",
            )
        })?;
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
