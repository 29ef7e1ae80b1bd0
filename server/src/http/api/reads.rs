//! Reading back what arrived: queues, their interval statistics, an
//! integration's imports and agent statuses. Any role of the account.

use axum::{extract::State, http::StatusCode, Json};
use chrono::{DateTime, SecondsFormat, Utc};
use domain::{
    ingest::{
        read::{self, QueueId, Range, ReadError},
        receive::ImportRecord,
    },
    integration::IntegrationId,
    page::PageRequest,
};
use serde::{Deserialize, Serialize};

use super::{
    error::{ApiError, ErrorEnvelope},
    extract::{ApiPath, ApiQuery, MemberActor},
};
use crate::http::AppState;

pub(crate) fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl From<ReadError> for ApiError {
    fn from(error: ReadError) -> Self {
        match error {
            ReadError::NotFound => Self::not_found(),
            ReadError::BadRange => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_range",
                "",
                error.to_string(),
            ),
            ReadError::Store(store) => Self::internal(&store),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueueBody {
    id: i64,
    integration_id: i64,
    integration_name: String,
    queue_identifier: String,
    queue_name: String,
    /// calls, chats, emails, social_media, documents or cases.
    channel: String,
    first_data_at: String,
    last_data_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Queues {
    queues: Vec<QueueBody>,
    /// All of the account's queues, on every page.
    total: u64,
}

/// Which page of a list: `offset` items skipped, at most `limit` shown.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items to skip.
    #[param(minimum = 0)]
    offset: Option<i32>,
    /// Items on the page: 1 to 500, 100 unless given.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i32>,
}

impl PageQuery {
    /// A 400 `invalid_query` outside the bounds, as for any query
    /// parameter that does not parse.
    pub(super) fn request(&self) -> Result<PageRequest, ApiError> {
        PageRequest::new(self.offset.map(i64::from), self.limit.map(i64::from)).map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "",
                error.to_string(),
            )
        })
    }
}

/// The account's queues, created by the contact events that named them,
/// by integration and name, a page at a time.
#[utoipa::path(get, path = "/api/v1/queues", tag = "data",
    params(PageQuery),
    responses((status = 200, body = Queues), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn queues(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Queues>, ApiError> {
    let (queues, total) = read::queues(state.store.as_ref(), &actor, page.request()?)
        .await
        .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(Queues {
        total,
        queues: queues
            .into_iter()
            .map(|q| QueueBody {
                id: q.id.0,
                integration_id: q.integration.0,
                integration_name: q.integration_name,
                queue_identifier: q.identifier,
                queue_name: q.name,
                channel: q.channel.as_str().to_owned(),
                first_data_at: time(q.first_data_at),
                last_data_at: time(q.last_data_at),
            })
            .collect(),
    }))
}

/// `from` and `to`, RFC 3339 times (documented on each route as required).
#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
}

impl RangeQuery {
    pub(super) fn range(&self) -> Result<Range, ApiError> {
        let parse = |value: &Option<String>, name: &'static str| {
            let text = value.as_deref().ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "missing_parameter",
                    "",
                    format!("?{name}= is required, an RFC 3339 time like 2021-12-06T00:00:00Z"),
                )
            })?;
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.to_utc())
                .map_err(|_| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_timestamp",
                        "",
                        format!("?{name}= must be an RFC 3339 time with an offset; got {text:?}"),
                    )
                })
        };
        Ok(Range::new(
            parse(&self.from, "from")?,
            parse(&self.to, "to")?,
        )?)
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntervalBody {
    start: String,
    offered: i64,
    handled: i64,
    abandoned: i64,
    /// Seconds.
    handle_time_total: f64,
    /// Seconds per handled contact; null when none was handled.
    average_handle_time: Option<f64>,
}

impl IntervalBody {
    pub(super) fn of(start: DateTime<Utc>, totals: &domain::ingest::IntervalTotals) -> Self {
        Self {
            start: time(start),
            offered: totals.offered,
            handled: totals.handled,
            abandoned: totals.abandoned,
            handle_time_total: totals.handle_time_total(),
            average_handle_time: totals.average_handle_time(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Intervals {
    interval_minutes: u32,
    /// Only intervals with data; the rest had none.
    intervals: Vec<IntervalBody>,
}

/// A queue's statistics per interval of its integration's length (UTC).
#[utoipa::path(get, path = "/api/v1/queues/{id}/intervals", tag = "data",
    params(("id" = i64, Path, description = "The queue id"), ("from" = String, Query, format = DateTime, example = "2021-12-06T00:00:00Z", description = "Start, included (RFC 3339)"), ("to" = String, Query, format = DateTime, example = "2021-12-07T00:00:00Z", description = "End, excluded (RFC 3339); after from and at most 92 days after it")),
    responses((status = 200, body = Intervals), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "A range that is not in order or longer than 92 days")),
    security(("personal_access_token" = [])))]
pub async fn intervals(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<Intervals>, ApiError> {
    let range = query.range()?;
    let (_, integration, rows) =
        read::intervals(state.store.as_ref(), &actor, QueueId(id), range).await?;
    Ok(Json(Intervals {
        interval_minutes: integration.interval.minutes(),
        intervals: rows
            .iter()
            .map(|(start, totals)| IntervalBody::of(*start, totals))
            .collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportBody {
    id: i64,
    /// contact_events or agent_statuses.
    feed: String,
    /// applied, held or rejected.
    outcome: String,
    received_at: String,
    applied_at: Option<String>,
    items: i64,
    new_queues: i64,
    error_count: i64,
    error_summary: Option<String>,
    /// The CSV file it was read from, or the database query's window (`Query …` or `Reconciliation …`).
    file_name: Option<String>,
}

impl From<ImportRecord> for ImportBody {
    fn from(import: ImportRecord) -> Self {
        Self {
            id: import.id,
            feed: import.feed.as_str().to_owned(),
            outcome: import.outcome.as_str().to_owned(),
            received_at: time(import.received_at),
            applied_at: import.applied_at.map(time),
            items: import.items,
            new_queues: import.new_queues,
            error_count: import.error_count,
            error_summary: import.error_summary,
            file_name: import.file_name,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Imports {
    imports: Vec<ImportBody>,
    total: u64,
}

/// An integration's import history, newest first.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/imports", tag = "data",
    params(("id" = i64, Path, description = "The integration configuration id"), PageQuery),
    responses((status = 200, body = Imports), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn imports(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Imports>, ApiError> {
    let (imports, total) = read::imports(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        page.request()?,
    )
    .await?;
    Ok(Json(Imports {
        imports: imports.into_iter().map(Into::into).collect(),
        total,
    }))
}

/// A file a Cloud Link client uploaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedFileBody {
    name: String,
    /// Bytes.
    size: u64,
    sha256: String,
    /// `received` (kept for import) or `duplicate` (the same content was
    /// received before, under any name: not imported again).
    outcome: String,
    received_at: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReceivedFiles {
    files: Vec<ReceivedFileBody>,
    total: u64,
}

/// The files an integration's Cloud Link client uploaded from its import folder, newest first.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/files", tag = "data",
    params(("id" = i64, Path, description = "The integration configuration id"), PageQuery),
    responses((status = 200, body = ReceivedFiles), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn files(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<ReceivedFiles>, ApiError> {
    let (files, total) = read::received_files(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        page.request()?,
    )
    .await?;
    Ok(Json(ReceivedFiles {
        files: files
            .into_iter()
            .map(|file| ReceivedFileBody {
                name: file.name,
                size: file.size,
                sha256: file.checksum,
                outcome: file.outcome.as_str().to_owned(),
                received_at: time(file.received_at),
            })
            .collect(),
        total,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentStatusBody {
    agent_identifier: String,
    activity_identifier: String,
    start_time: String,
    /// Null while ongoing.
    end_time: Option<String>,
    import_id: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentStatuses {
    agent_statuses: Vec<AgentStatusBody>,
    /// The `offset` of the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_offset: Option<u32>,
}

/// Agent statuses that overlap the range, by start time and agent, a page
/// at a time.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/agent-statuses", tag = "data",
    params(("id" = i64, Path, description = "The integration configuration id"), ("from" = String, Query, format = DateTime, example = "2021-12-06T00:00:00Z", description = "Start, included (RFC 3339)"), ("to" = String, Query, format = DateTime, example = "2021-12-07T00:00:00Z", description = "End, excluded (RFC 3339); after from and at most 92 days after it"), PageQuery),
    responses((status = 200, body = AgentStatuses), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "A range that is not in order or longer than 92 days")),
    security(("personal_access_token" = [])))]
pub async fn agent_statuses(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RangeQuery>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<AgentStatuses>, ApiError> {
    let range = query.range()?;
    let statuses = read::agent_statuses(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        range,
        page.request()?,
    )
    .await?;
    Ok(Json(AgentStatuses {
        next_offset: statuses.next_offset,
        agent_statuses: statuses
            .items
            .into_iter()
            .map(|s| AgentStatusBody {
                agent_identifier: s.agent,
                activity_identifier: s.activity,
                start_time: time(s.start),
                end_time: s.end.map(time),
                import_id: s.import_id,
            })
            .collect(),
    }))
}
