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
    #[error("there is no such page or it belongs to another account")]
    NotFound,
    /// A field was refused; `code` names the translated message.
    #[error("{field}: {code}")]
    Invalid { field: String, code: String },
    /// The name is taken; the page offers to keep it or rename the other.
    #[error("another integration is called this")]
    DuplicateName { existing_id: i64 },
    /// The change makes no sense in the integration's state.
    #[error("{0}")]
    Conflict(String),
    /// Too many wrong PINs: entry is paused until this time (RFC 3339).
    #[error("PIN entry is paused until {until}")]
    PinLocked { until: String },
    #[error("something went wrong on our side")]
    Internal,
    #[error("the request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    /// The HTTP status this error means, so clients and logs can tell a
    /// refusal from a bug: only `Internal` is a 500.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::DuplicateName { .. } | Self::Conflict(_) => 409,
            Self::Invalid { .. } => 422,
            Self::PinLocked { .. } => 429,
            Self::Request(_) => 400,
            Self::Internal => 500,
        }
    }
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

#[cfg(feature = "ssr")]
impl From<domain::integrations::IntegrationError> for AppError {
    fn from(error: domain::integrations::IntegrationError) -> Self {
        use domain::{integration::TransitionError, integrations::IntegrationError as E};
        match error {
            E::Forbidden => AppError::Forbidden,
            E::NotFound => AppError::NotFound,
            E::DuplicateName { existing } => AppError::DuplicateName {
                existing_id: existing.0,
            },
            E::Transition(TransitionError::Deleted) => AppError::Conflict("deleted".into()),
            E::Transition(_) => AppError::Conflict("transition".into()),
            E::NotApi => AppError::Conflict("not_api".into()),
            E::Stale => AppError::Conflict("stale".into()),
            E::NotCloudLink => AppError::Conflict("not_cloud_link".into()),
            // The page's PIN field comes with the Cloud Link section.
            E::Pin(_) | E::PinRefused(domain::cloud_link::PinRefused::Invalid) => {
                AppError::Invalid {
                    field: "pin".into(),
                    code: "invalid_pin".into(),
                }
            }
            E::PinRefused(domain::cloud_link::PinRefused::Locked(wait)) => AppError::PinLocked {
                until: (chrono::Utc::now()
                    + chrono::TimeDelta::seconds(
                        i64::try_from(wait.seconds()).unwrap_or(i64::MAX / 1_000),
                    ))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            },
            E::Store(store) => store.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::ingest::read::ReadError> for AppError {
    fn from(error: domain::ingest::read::ReadError) -> Self {
        use domain::ingest::read::ReadError as E;
        match error {
            E::NotFound => AppError::NotFound,
            E::BadRange => AppError::Invalid {
                field: "range".into(),
                code: "range".into(),
            },
            E::Store(store) => store.into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::database::service::DatabaseError> for AppError {
    fn from(error: domain::database::service::DatabaseError) -> Self {
        use domain::database::service::DatabaseError as E;
        match error {
            E::Integration(inner) => inner.into(),
            E::NotDatabase => AppError::NotFound,
            E::Invalid(_) => AppError::Invalid {
                field: "settings".into(),
                code: "invalid".into(),
            },
            E::NoSettings => AppError::Conflict("no_settings".into()),
            E::Deleted => AppError::Conflict("deleted".into()),
            E::NotCarried(_) => AppError::Conflict("not_carried".into()),
            E::PasswordLost => AppError::Conflict("password_lost".into()),
            E::NotConnected => AppError::Conflict("not_connected".into()),
            E::Busy => AppError::Conflict("busy".into()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::csv::service::CsvError> for AppError {
    fn from(error: domain::csv::service::CsvError) -> Self {
        use domain::csv::service::CsvError as E;
        match error {
            E::Integration(inner) => inner.into(),
            E::NotCsv => AppError::NotFound,
            E::NoSuchUpload => AppError::Conflict("no_upload".into()),
            E::NoSchema => AppError::Conflict("no_schema".into()),
            E::Invalid(_) | E::InvalidForm(_) => AppError::Invalid {
                field: "schema".into(),
                code: "invalid_schema".into(),
            },
            E::LayoutFixed => AppError::Conflict("layout_fixed".into()),
            E::NotCarried(_) => AppError::Conflict("not_carried".into()),
            E::Paused => AppError::Conflict("paused".into()),
            E::Deleted => AppError::Conflict("deleted".into()),
            E::TooManyQueues { .. } => AppError::Conflict("too_many_queues".into()),
            E::Refused(_) => AppError::Conflict("refused".into()),
            E::Sandbox(_) => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::workforce::employee::EmployeeError> for AppError {
    fn from(error: domain::workforce::employee::EmployeeError) -> Self {
        use domain::workforce::employee::EmployeeError as E;
        match error {
            E::Forbidden => AppError::Forbidden,
            E::NotFound => AppError::NotFound,
            E::Store(error) => error.into(),
            conflict => AppError::Conflict(conflict.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::workforce::mapping::MappingError> for AppError {
    fn from(error: domain::workforce::mapping::MappingError) -> Self {
        use domain::workforce::mapping::MappingError as E;
        match error {
            E::Forbidden => AppError::Forbidden,
            E::NotFound | E::NoSuchEmployee => AppError::NotFound,
            E::Store(error) => error.into(),
            conflict => AppError::Conflict(conflict.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::workforce::activity::ActivityError> for AppError {
    fn from(error: domain::workforce::activity::ActivityError) -> Self {
        use domain::workforce::activity::ActivityError as E;
        match error {
            E::Forbidden => AppError::Forbidden,
            E::NotFound | E::NoSuchActivity => AppError::NotFound,
            E::Store(error) => error.into(),
            conflict => AppError::Conflict(conflict.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::workforce::workload::WorkloadError> for AppError {
    fn from(error: domain::workforce::workload::WorkloadError) -> Self {
        use domain::workforce::workload::WorkloadError as E;
        match error {
            E::Forbidden => AppError::Forbidden,
            E::NotFound | E::NoSuchQueue => AppError::NotFound,
            E::Store(error) => error.into(),
            conflict => AppError::Conflict(conflict.to_string()),
        }
    }
}
