//! The one error envelope of every API (DESIGN §3):
//! `{"errors":[{"code","pointer","detail"}]}` with stable codes.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use domain::{
    cloud_link::PinRefused, integration::TransitionError, integrations::IntegrationError,
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable, machine-readable.
    #[schema(value_type = String)]
    pub code: &'static str,
    /// JSON pointer to the offending part of the request body, or empty.
    pub pointer: String,
    /// For people; may change.
    pub detail: String,
}

/// Every API error: `{"errors": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub errors: Vec<Problem>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub problems: Vec<Problem>,
    /// Seconds, for `Retry-After` on a 429.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        pointer: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            problems: vec![Problem {
                code,
                pointer: pointer.to_owned(),
                detail: detail.into(),
            }],
            retry_after: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "",
            "send the body as Content-Type: application/json",
        )
    }

    pub fn unauthenticated(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "", detail)
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "",
            "your role does not allow this",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "",
            "there is nothing at this address",
        )
    }

    /// Ours, not yours: logged with its cause, generic to the client.
    pub fn internal(error: &dyn std::fmt::Debug) -> Self {
        tracing::error!(?error, "an API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "",
            "something went wrong on our side",
        )
    }

    /// Collects invalid-input problems into one 422.
    pub fn invalid(problems: Vec<Problem>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            problems,
            retry_after: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Envelope {
            errors: Vec<Problem>,
        }
        let mut response = (
            self.status,
            Json(Envelope {
                errors: self.problems,
            }),
        )
            .into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<IntegrationError> for ApiError {
    fn from(error: IntegrationError) -> Self {
        let detail = error.to_string();
        match error {
            IntegrationError::Forbidden => Self::forbidden(),
            IntegrationError::NotFound => Self::not_found(),
            IntegrationError::DuplicateName { .. } => Self::new(
                StatusCode::CONFLICT,
                "duplicate_name",
                "/name",
                format!("{detail}; send \"allowDuplicateName\": true to keep it anyway"),
            ),
            IntegrationError::Transition(TransitionError::Deleted) => {
                Self::new(StatusCode::CONFLICT, "integration_deleted", "", detail)
            }
            IntegrationError::Transition(_) => {
                Self::new(StatusCode::CONFLICT, "invalid_transition", "", detail)
            }
            IntegrationError::NotApi => {
                Self::new(StatusCode::CONFLICT, "not_an_api_integration", "", detail)
            }
            IntegrationError::Stale => Self::new(StatusCode::CONFLICT, "stale_write", "", detail),
            IntegrationError::NotCloudLink => Self::new(
                StatusCode::CONFLICT,
                "not_a_cloud_link_integration",
                "",
                detail,
            ),
            IntegrationError::Pin(_) | IntegrationError::PinRefused(PinRefused::Invalid) => {
                Self::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_pin",
                    "/pin",
                    detail,
                )
            }
            IntegrationError::PinRefused(PinRefused::Locked(wait)) => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "pin_entry_locked",
                "",
                detail,
            )
            .with_retry_after(wait.seconds()),
            IntegrationError::Store(store) => Self::internal(&store),
        }
    }
}

/// Answers every unknown path under the API with the envelope.
pub async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// A known path asked with a method it does not serve.
pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "",
        "this address does not accept that method",
    )
}
