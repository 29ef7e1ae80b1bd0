//! Cloud Link jobs in the management API: an admin asks a database
//! integration's client to run a probe query, and anyone of the account
//! follows the job to its end. The rules are in
//! `domain::cloud_link::service`.

use axum::{extract::State, http::StatusCode, Json};
use domain::{
    cloud_link::{
        job::{JobId, JobView},
        service::{self, ProbeError},
        wire::{QueryRows, Task},
    },
    integration::IntegrationId,
};
use serde::{Deserialize, Serialize};

use super::{
    error::{ApiError, ErrorEnvelope},
    extract::{AdminActor, ApiJson, ApiPath, MemberActor},
};
use crate::http::AppState;

impl From<ProbeError> for ApiError {
    fn from(error: ProbeError) -> Self {
        let conflict =
            |code: &'static str| ApiError::new(StatusCode::CONFLICT, code, "", error.to_string());
        match &error {
            ProbeError::NotDatabase => conflict("not_database"),
            ProbeError::NotConnected => conflict("not_connected"),
            ProbeError::Busy => conflict("job_open"),
            ProbeError::BadConnection => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "/connection",
                error.to_string(),
            ),
            ProbeError::BadSql => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "/sql",
                error.to_string(),
            ),
            ProbeError::NoSuchJob => ApiError::not_found(),
            ProbeError::Integration(_) => match error {
                ProbeError::Integration(inner) => inner.into(),
                _ => ApiError::not_found(),
            },
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeRequest {
    /// An ODBC connection string (`Driver={PostgreSQL Unicode};Server=…`) or `DSN=…`, as the client's machine knows it. Kept only until the job ends.
    #[schema(min_length = 1, max_length = 4096)]
    connection: String,
    /// The query, e.g. `SELECT 1`.
    #[schema(min_length = 1, max_length = 100000)]
    sql: String,
}

/// A Cloud Link job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobBody {
    id: i64,
    /// `uploadFiles`, `runQuery`, `importQuery` or `testConnection`.
    task: &'static str,
    /// `queued`, `running`, `succeeded` or `failed`.
    state: &'static str,
    attempts: u32,
    /// The client's summary, or what went wrong.
    message: Option<String>,
    /// What a query returned: its columns, row count and first ten rows.
    result: Option<QueryRows>,
}

impl From<JobView> for JobBody {
    fn from(job: JobView) -> Self {
        Self {
            id: job.id.0,
            task: match job.task {
                Task::UploadFiles => "uploadFiles",
                Task::RunQuery { .. } => "runQuery",
                Task::ImportQuery { .. } => "importQuery",
                Task::TestConnection { .. } => "testConnection",
            },
            state: job.state.as_str(),
            attempts: job.attempts,
            message: job.message,
            result: job.rows.and_then(|rows| serde_json::from_str(&rows).ok()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OneJob {
    job: JobBody,
}

impl From<JobView> for OneJob {
    fn from(job: JobView) -> Self {
        Self { job: job.into() }
    }
}

/// Ask the database integration's Cloud Link client to run a query (a probe such as `SELECT 1`): can it reach the database? Follow the job with `GET …/jobs/{job}`.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/link/probe", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = ProbeRequest,
    responses(
        (status = 202, body = OneJob, description = "Queued for the client"),
        (status = 400, body = ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_database, not_connected (no client has collected its credential), or job_open (wait for the open job to end)"),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "invalid_field: connection or sql empty, too long or holding NUL"),
    ),
    security(("personal_access_token" = [])))]
pub async fn probe(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProbeRequest>,
) -> Result<(StatusCode, Json<OneJob>), ApiError> {
    let now = chrono::Utc::now();
    let store = state.store.as_ref();
    let job = service::probe(
        store,
        &actor,
        IntegrationId(id),
        &body.connection,
        &body.sql,
        now,
    )
    .await?;
    let view = service::job(store, &actor, IntegrationId(id), job, now).await?;
    Ok((StatusCode::ACCEPTED, Json(OneJob { job: view.into() })))
}

/// One of the integration's Cloud Link jobs.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/jobs/{job}", tag = "integrations",
    params(
        ("id" = i64, Path, description = "The integration configuration id"),
        ("job" = i64, Path, description = "The job's id"),
    ),
    responses((status = 200, body = OneJob), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn job(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath((id, job)): ApiPath<(i64, i64)>,
) -> Result<Json<OneJob>, ApiError> {
    let view = service::job(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        JobId(job),
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(OneJob { job: view.into() }))
}
