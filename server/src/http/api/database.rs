//! A database integration's settings in the management API: where the
//! database is, what it imports and how often. The password is write-only.
//! The rules are in `domain::database`.

use axum::{extract::State, http::StatusCode, Json};
use chrono::SecondsFormat;
use domain::{
    database::{
        service::{self, DatabaseError, StoredDatabase},
        SettingsDocument,
    },
    integration::IntegrationId,
};
use serde::Serialize;

use super::{
    error::{ApiError, ErrorEnvelope, Problem},
    extract::{AdminActor, ApiJson, ApiPath},
    jobs::OneJob,
};
use crate::http::AppState;

impl From<DatabaseError> for ApiError {
    fn from(error: DatabaseError) -> Self {
        let detail = error.to_string();
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code, "", detail.clone());
        match error {
            DatabaseError::Integration(inner) => inner.into(),
            DatabaseError::NotDatabase => conflict("not_database"),
            DatabaseError::NoSettings => conflict("no_settings"),
            DatabaseError::Deleted => conflict("integration_deleted"),
            DatabaseError::NotCarried(_) => ApiError::new(
                StatusCode::CONFLICT,
                "data_type_not_carried",
                "/dataType",
                detail,
            ),
            DatabaseError::PasswordLost => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "password_lost",
                "/password",
                detail,
            ),
            DatabaseError::NotConnected => conflict("not_connected"),
            DatabaseError::Busy => conflict("job_open").with_retry_after(5),
            DatabaseError::Invalid(problems) => ApiError::invalid(
                problems
                    .into_iter()
                    .map(|problem| Problem {
                        code: "invalid_field",
                        pointer: problem.pointer.to_owned(),
                        detail: problem.detail,
                    })
                    .collect(),
            ),
        }
    }
}

/// A database integration's settings, without the password.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsBody {
    settings: SettingsDocument,
    /// Whether a password is saved (it is never given back).
    password_set: bool,
    /// Counts the saves.
    version: i64,
    saved_at: String,
}

impl From<StoredDatabase> for SettingsBody {
    fn from(stored: StoredDatabase) -> Self {
        Self {
            password_set: stored.password_set(),
            settings: stored.kept.settings,
            version: stored.version,
            saved_at: stored.saved_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// The database integration's settings (admins only: they say where the database is).
#[utoipa::path(get, path = "/api/v1/integrations/{id}/database", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    responses(
        (status = 200, body = SettingsBody),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_database, or no_settings: none saved yet"),
    ),
    security(("personal_access_token" = [])))]
pub async fn settings(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SettingsBody>, ApiError> {
    let stored = service::settings(state.store.as_ref(), &actor, IntegrationId(id)).await?;
    Ok(Json(stored.into()))
}

/// Save the database integration's settings. The password is kept sealed; leave it out to keep the saved one.
#[utoipa::path(put, path = "/api/v1/integrations/{id}/database", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = SettingsDocument,
    responses(
        (status = 200, body = SettingsBody),
        (status = 400, body = ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_database, integration_deleted, data_type_not_carried, or stale_write (saved by someone else meanwhile)"),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "invalid_field: every problem with its pointer; password_lost: the saved password was sealed with a key the server no longer has"),
    ),
    security(("personal_access_token" = [])))]
pub async fn save(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(document): ApiJson<SettingsDocument>,
) -> Result<Json<SettingsBody>, ApiError> {
    let stored = service::save(
        state.store.as_ref(),
        state.sealer.as_ref(),
        &actor,
        IntegrationId(id),
        &document,
    )
    .await?;
    Ok(Json(stored.into()))
}

/// Test a connection: the integration's Cloud Link client connects as the settings say (the saved password unless one is given) and runs `SELECT 1`. Nothing is saved. Follow the job with `GET …/jobs/{job}`: it fails with the driver's own message.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/database/test", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = SettingsDocument,
    responses(
        (status = 202, body = OneJob, description = "Queued for the client"),
        (status = 400, body = ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_database, integration_deleted, not_connected (no client has collected its credential), or job_open (the client is busy with an import; see Retry-After)"),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "invalid_field: every problem with its pointer; password_lost"),
    ),
    security(("personal_access_token" = [])))]
pub async fn test(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(document): ApiJson<SettingsDocument>,
) -> Result<(StatusCode, Json<OneJob>), ApiError> {
    let now = chrono::Utc::now();
    let store = state.store.as_ref();
    let job = service::test_connection(
        store,
        state.sealer.as_ref(),
        &actor,
        IntegrationId(id),
        &document,
        now,
    )
    .await?;
    let view = domain::cloud_link::service::job(store, &actor, IntegrationId(id), job, now)
        .await
        .map_err(ApiError::from)?;
    Ok((StatusCode::ACCEPTED, Json(OneJob::from(view))))
}
