//! The one error type server functions return to the pages.

use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError, ServerFnError};
use serde::{Deserialize, Serialize};

/// What a page may learn about a failure: never internals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("sign in to continue")]
    Unauthorized,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("something went wrong on our side")]
    Internal,
    #[error("the request could not be completed: {0}")]
    Request(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        AppError::Request(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<domain::store::StoreError> for AppError {
    fn from(error: domain::store::StoreError) -> Self {
        tracing::error!(error = ?error, "database failure in a server function");
        AppError::Internal
    }
}
