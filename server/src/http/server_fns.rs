//! The pages' server functions, answered with the status their error
//! means. Leptos answers every error of a server function with a 500; a
//! refusal (not signed in, another account's integration, a taken name)
//! is not a failure of ours, and clients and logs must be able to tell
//! the two apart.

use app::error::AppError;
use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// The largest error body read back to find its status.
const MAX_ERROR_BYTES: usize = 64 * 1024;

pub async fn honest_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_error = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().contains_key(SERVER_FN_ERROR_HEADER);
    if !is_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BYTES).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
