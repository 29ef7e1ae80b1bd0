//! CSV integrations in the management API: the schema, and files sent to
//! be previewed or imported. The rules are in `domain::csv::service`.

use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, FromRequest, Request, State},
    http::StatusCode,
    routing::{post, MethodRouter},
    Json,
};
use chrono::{SecondsFormat, Utc};
use domain::{
    cloud_link::job::FileName,
    csv::{
        document::SchemaDocument,
        import::{Changes, FileImport},
        schema::{FileRefused, MAX_FILE_BYTES},
        service::{self, CsvError, StoredSchema},
    },
    integration::IntegrationId,
};
use serde::{Deserialize, Serialize};

use super::{
    error::{ApiError, ErrorEnvelope, Problem},
    extract::{AdminActor, ApiJson, ApiPath, ApiQuery, MemberActor, UploadPermit},
    reads::ImportBody,
};
use crate::http::AppState;

impl From<CsvError> for ApiError {
    fn from(error: CsvError) -> Self {
        let detail = error.to_string();
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code, "", detail.clone());
        match error {
            CsvError::Integration(inner) => inner.into(),
            CsvError::NotCsv => conflict("not_csv"),
            CsvError::NoSchema => conflict("no_schema"),
            CsvError::LayoutFixed => {
                ApiError::new(StatusCode::CONFLICT, "layout_fixed", "/layout", detail)
            }
            CsvError::NotCarried(_) => ApiError::new(
                StatusCode::CONFLICT,
                "data_type_not_carried",
                "/layout",
                detail,
            ),
            CsvError::Paused => conflict("integration_paused"),
            CsvError::Deleted => conflict("integration_deleted"),
            CsvError::TooManyQueues { .. } => conflict("too_many_queues"),
            CsvError::Invalid(problems) => ApiError::invalid(
                problems
                    .into_iter()
                    .map(|problem| Problem {
                        code: "invalid_field",
                        pointer: problem.pointer,
                        detail: problem.detail,
                    })
                    .collect(),
            ),
            CsvError::InvalidForm(problems) => ApiError::invalid(
                problems
                    .into_iter()
                    .map(|problem| Problem {
                        code: "invalid_field",
                        pointer: format!("/{}", problem.field),
                        detail: problem.detail,
                    })
                    .collect(),
            ),
            CsvError::NoSuchUpload => ApiError::not_found(),
            CsvError::Refused(refused) => refusal(&refused),
            CsvError::Sandbox(unavailable) => ApiError::internal(&unavailable),
        }
    }
}

/// A JSON pointer token (RFC 6901).
fn token(text: &str) -> String {
    text.replace('~', "~0").replace('/', "~1")
}

/// A refused file as the error envelope: each row problem at
/// `/lines/{line}/{column}`.
fn refusal(refused: &FileRefused) -> ApiError {
    let problem = |code, pointer: String, detail: String| Problem {
        code,
        pointer,
        detail,
    };
    let problems = match refused {
        FileRefused::TooLarge => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                "",
                refused.to_string(),
            )
        }
        FileRefused::Rows { listed, total } | FileRefused::QueryRows { listed, total } => {
            // A query's result row is no line of the file.
            let (code, place, line) = if matches!(refused, FileRefused::QueryRows { .. }) {
                ("invalid_result_row", "results", "result row")
            } else {
                ("invalid_row", "lines", "line")
            };
            let mut problems: Vec<Problem> = listed
                .iter()
                .map(|p| {
                    let at = if p.column.is_empty() {
                        format!("{line} {}", p.line)
                    } else {
                        format!("{line} {}, column {}", p.line, p.column)
                    };
                    problem(
                        code,
                        format!("/{place}/{}/{}", p.line, token(&p.column)),
                        format!("{at}: {}", p.detail),
                    )
                })
                .collect();
            if *total > listed.len() {
                problems.push(problem(
                    "more_problems",
                    String::new(),
                    format!("and {} more problems", total - listed.len()),
                ));
            }
            problems
        }
        FileRefused::Decode(error) => vec![problem(
            "undecodable_file",
            format!("/lines/{}", error.line),
            refused.to_string(),
        )],
        FileRefused::Table(_) => vec![problem(
            "unreadable_file",
            String::new(),
            refused.to_string(),
        )],
        FileRefused::Query(_) => vec![problem(
            "invalid_query",
            "/query".to_owned(),
            refused.to_string(),
        )],
        FileRefused::TooManyQueues { .. } => {
            vec![problem(
                "too_many_queues",
                String::new(),
                refused.to_string(),
            )]
        }
        FileRefused::Source(_) => {
            vec![problem("source_failed", String::new(), refused.to_string())]
        }
    };
    ApiError::invalid(problems)
}

/// A CSV integration's schema.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemaBody {
    schema: SchemaDocument,
    /// Counts the saves.
    version: i64,
    saved_at: String,
}

impl From<StoredSchema> for SchemaBody {
    fn from(stored: StoredSchema) -> Self {
        Self {
            schema: SchemaDocument::from(&stored.schema),
            version: stored.version,
            saved_at: stored.saved_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// The CSV integration's schema: how its files are read.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/csv-schema", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    responses(
        (status = 200, body = SchemaBody),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_csv, or no_schema: none saved yet"),
    ),
    security(("personal_access_token" = [])))]
pub async fn schema(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SchemaBody>, ApiError> {
    let stored = service::schema(state.store.as_ref(), &actor, IntegrationId(id))
        .await?
        .ok_or(CsvError::NoSchema)?;
    Ok(Json(stored.into()))
}

/// Save the CSV integration's schema. Its layout (and interval length) is fixed once saved.
#[utoipa::path(put, path = "/api/v1/integrations/{id}/csv-schema", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = SchemaDocument,
    responses(
        (status = 200, body = SchemaBody),
        (status = 400, body = ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_csv, integration_deleted, layout_fixed, data_type_not_carried, or stale_write (saved by someone else meanwhile)"),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "invalid_field: every problem of the schema with its pointer"),
    ),
    security(("personal_access_token" = [])))]
pub async fn save_schema(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(document): ApiJson<SchemaDocument>,
) -> Result<Json<SchemaBody>, ApiError> {
    let stored =
        service::save_schema(state.store.as_ref(), &actor, IntegrationId(id), &document).await?;
    Ok(Json(stored.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct FileQuery {
    /// The file's name, for the import history.
    name: Option<String>,
    /// Only read the file and say what importing it would do.
    dry_run: Option<bool>,
}

/// What a file holds or changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileSummary {
    /// Rows read.
    rows: usize,
    /// Queues the file names (contact data).
    queues: usize,
    /// Interval values it sets (contact data).
    intervals: usize,
    /// Agent statuses it sets.
    agent_statuses: usize,
    /// Rows dated in the future: stored as history all the same.
    future_rows: usize,
}

impl From<&FileImport> for FileSummary {
    fn from(import: &FileImport) -> Self {
        let (intervals, agent_statuses) = match &import.changes {
            Changes::Intervals(spans) => (spans.iter().map(|s| s.intervals.len()).sum(), 0),
            Changes::AgentStatuses(statuses) => (0, statuses.len()),
        };
        Self {
            rows: import.rows,
            queues: import.queues(),
            intervals,
            agent_statuses,
            future_rows: import.future_rows,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Preview {
    file: FileSummary,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Imported {
    import: ImportBody,
}

/// The body of a file upload, at most the file limit; auth runs before
/// it is read.
pub struct FileBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for FileBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(request, state)
            .await
            .map(FileBody)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    refusal(&FileRefused::TooLarge)
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
}

/// Import a CSV file (the raw bytes as the body, at most 7 MiB) with the integration's schema: all of it or nothing. It replaces what it covers, so the same file sent twice counts once. With `dryRun=true` nothing is stored. A refused file is listed in the import history; its problems come as `invalid_row` at `/lines/{line}/{column}`.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/csv-files", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id"), FileQuery),
    request_body(content = String, content_type = "text/csv", description = "The file as it is"),
    responses(
        (status = 200, body = Preview, description = "dryRun: what importing would do"),
        (status = 201, body = Imported, description = "Imported"),
        (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "not_csv, no_schema, integration_paused or integration_deleted"),
        (status = 413, body = ErrorEnvelope, description = "file_too_large"),
        (status = 503, body = ErrorEnvelope, description = "busy: too many files are being received; send again after Retry-After"),
        (status = 422, body = ErrorEnvelope, description = "The file was refused: invalid_row (with more_problems past the first thousand), undecodable_file, unreadable_file, too_many_queues; or invalid_field for the name"),
    ),
    security(("personal_access_token" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<FileQuery>,
    _permit: UploadPermit,
    FileBody(bytes): FileBody,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let name = query.name.as_deref().unwrap_or("upload.csv");
    let name = FileName::parse(name).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "/name",
            "a file name is 1 to 255 characters of plain text without / or \\",
        )
    })?;
    let store = state.store.as_ref();
    let id = IntegrationId(id);
    let now = Utc::now();
    let body = if query.dry_run.unwrap_or(false) {
        let import = service::preview(store, &actor, id, &bytes, state.sandbox.as_ref(), now)
            .await?
            .map_err(CsvError::Refused)?;
        let preview = Preview {
            file: FileSummary::from(&import),
        };
        (StatusCode::OK, serde_json::to_value(preview))
    } else {
        let reading = service::Reading {
            sandbox: state.sandbox.as_ref(),
            caps: state.settings.ingest_limits.caps,
        };
        let record =
            service::upload(store, &actor, id, name.as_str(), &bytes, reading, now).await?;
        let imported = Imported {
            import: record.into(),
        };
        (StatusCode::CREATED, serde_json::to_value(imported))
    };
    let (status, value) = body;
    Ok((
        status,
        Json(value.map_err(|error| ApiError::internal(&error))?),
    ))
}

/// The upload route, with a body limit that fits a whole file.
pub fn upload_route() -> MethodRouter<AppState> {
    post(upload).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 1))
}
