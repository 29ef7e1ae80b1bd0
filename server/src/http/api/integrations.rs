//! `/api/v1/integrations`: the management API for scripts, with the same
//! rules as the pages (they all call `domain::integrations`).

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use domain::{
    cloud_link::{Link, PinEntryPolicy},
    integration::{
        DataTypes, Integration, IntegrationId, IntegrationKind, IntegrationName, IntervalLength,
    },
    integrations::{self, IntegrationChanges, NewIntegration},
};
use serde::{Deserialize, Serialize};

use super::{
    error::{ApiError, ErrorEnvelope, Problem},
    extract::{AdminActor, ApiJson, ApiPath, ApiQuery},
};
use crate::http::AppState;

/// An integration as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationBody {
    /// The integration configuration id (`meta.integrationConfigurationId`).
    id: i64,
    name: String,
    /// `api`, `csv`, `database` or `on_premise`.
    #[schema(value_type = String)]
    kind: &'static str,
    /// `awaiting_link`, `active`, `paused`, `resuming` (applying what was held while paused; new data waits behind it), `failing` or `deleted`.
    #[schema(value_type = String)]
    status: &'static str,
    failing_reason: Option<String>,
    /// 15, 30 or 60.
    interval_minutes: u32,
    /// `contacts` and/or `agent_statuses`.
    #[schema(value_type = Vec<String>)]
    data_types: Vec<&'static str>,
    created_at: String,
    last_import_at: Option<String>,
    /// When it last sent an agent status without an end, through the
    /// ingestion API or the continuous feed: it sends real-time statuses
    /// (RTA). Kept to the minute.
    real_time_at: Option<String>,
}

impl From<Integration> for IntegrationBody {
    fn from(i: Integration) -> Self {
        Self {
            id: i.id.0,
            name: i.name.to_string(),
            kind: i.kind.as_str(),
            status: i.status.as_str(),
            failing_reason: i.failing_reason,
            interval_minutes: i.interval.minutes(),
            data_types: i.data_types.names(),
            created_at: i.created_at,
            last_import_at: i.last_import_at,
            real_time_at: i.real_time_at,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct One {
    integration: IntegrationBody,
}

fn one(integration: Integration) -> Json<One> {
    Json(One {
        integration: integration.into(),
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include deleted integrations.
    #[serde(default)]
    include_deleted: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Many {
    integrations: Vec<IntegrationBody>,
}

/// List the account's integrations, newest first.
#[utoipa::path(get, path = "/api/v1/integrations", tag = "integrations", params(ListQuery),
    responses((status = 200, body = Many), (status = 400, body = ErrorEnvelope, description = "A query parameter of the wrong type"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn list(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Many>, ApiError> {
    let all = integrations::list(state.store.as_ref(), &actor, query.include_deleted).await?;
    Ok(Json(Many {
        integrations: all.into_iter().map(Into::into).collect(),
    }))
}

/// Kinds an integration can be created as (documentation).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[expect(dead_code, reason = "describes the kind field in the OpenAPI document")]
enum KindName {
    Api,
    Csv,
    Database,
    OnPremise,
}

/// Data types an integration can carry (documentation).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "describes the dataTypes field in the OpenAPI document"
)]
enum DataTypeName {
    Contacts,
    AgentStatuses,
}

/// 15, 30 or 60, as the schema says it.
fn interval_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::Integer,
            utoipa::openapi::schema::Type::Null,
        ]))
        .enum_values(Some([Some(15), Some(30), Some(60), None]))
        .description(Some("Minutes per interval: 15 (default), 30 or 60"))
        .build()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBody {
    /// 1 to 100 characters of any script, not only spaces, no control
    /// characters (a name is trimmed).
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: String,
    #[schema(value_type = KindName)]
    kind: String,
    #[schema(schema_with = interval_schema)]
    interval_minutes: Option<u32>,
    /// Contacts unless given; at least one.
    #[schema(value_type = Option<Vec<DataTypeName>>, min_items = 1)]
    data_types: Option<Vec<String>>,
    #[serde(default)]
    allow_duplicate_name: bool,
}

/// Parses the fields of a create or update body, collecting every problem.
#[derive(Default)]
struct Fields {
    problems: Vec<Problem>,
}

impl Fields {
    fn field<T, E: std::fmt::Display>(
        &mut self,
        pointer: &str,
        code: &'static str,
        parsed: Result<T, E>,
    ) -> Option<T> {
        parsed
            .map_err(|error| {
                self.problems.push(Problem {
                    code,
                    pointer: pointer.to_owned(),
                    detail: error.to_string(),
                })
            })
            .ok()
    }

    fn name(&mut self, raw: &str) -> Option<IntegrationName> {
        self.field("/name", "invalid_name", IntegrationName::parse(raw))
    }

    fn interval(&mut self, minutes: u32) -> Option<IntervalLength> {
        self.field(
            "/intervalMinutes",
            "invalid_interval",
            IntervalLength::try_from(minutes),
        )
    }

    fn data_types(&mut self, names: &[String]) -> Option<DataTypes> {
        self.field(
            "/dataTypes",
            "invalid_data_types",
            DataTypes::from_names(names.iter().map(String::as_str)),
        )
    }

    fn finish(self) -> Result<(), ApiError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.problems))
        }
    }
}

/// Create an integration. A name confusable with an existing one needs `allowDuplicateName`.
#[utoipa::path(post, path = "/api/v1/integrations", tag = "integrations", request_body = CreateBody, responses((status = 201, body = One), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn create(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiJson(body): ApiJson<CreateBody>,
) -> Result<Response, ApiError> {
    let mut fields = Fields::default();
    let name = fields.name(&body.name);
    let kind = fields.field(
        "/kind",
        "invalid_kind",
        body.kind.parse::<IntegrationKind>(),
    );
    let interval = body
        .interval_minutes
        .map_or(Some(IntervalLength::default()), |m| fields.interval(m));
    let data_types = body
        .data_types
        .as_deref()
        .map_or(Some(DataTypes::default()), |names| fields.data_types(names));
    fields.finish()?;
    let (Some(name), Some(kind), Some(interval), Some(data_types)) =
        (name, kind, interval, data_types)
    else {
        return Err(ApiError::internal(&"a parsed field went missing"));
    };
    let new = NewIntegration {
        name,
        kind,
        interval,
        data_types,
    };
    let created =
        integrations::create(state.store.as_ref(), &actor, new, body.allow_duplicate_name).await?;
    Ok((StatusCode::CREATED, one(created)).into_response())
}

fn parse_id(raw: &str) -> Result<IntegrationId, ApiError> {
    raw.parse::<i64>()
        .map(IntegrationId)
        .map_err(|_| ApiError::not_found())
}

/// One integration with its Cloud Link client.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OneWithLink {
    integration: IntegrationBody,
    /// The paired Cloud Link client; `null` while none is paired, and for
    /// API integrations.
    link: Option<LinkBody>,
}

/// Get one integration, with its Cloud Link client.
#[utoipa::path(get, path = "/api/v1/integrations/{id}", tag = "integrations", params(("id" = i64, Path, description = "The integration configuration id")), responses((status = 200, body = OneWithLink), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn get(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<OneWithLink>, ApiError> {
    let id = parse_id(&id)?;
    let integration = integrations::get(state.store.as_ref(), &actor, id).await?;
    let link = if integration.kind.needs_cloud_link() {
        integrations::link(state.store.as_ref(), &actor, id).await?
    } else {
        None
    };
    Ok(Json(OneWithLink {
        integration: integration.into(),
        link: link.map(Into::into),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateBody {
    /// As when creating.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: Option<String>,
    #[schema(schema_with = interval_schema)]
    interval_minutes: Option<u32>,
    #[schema(value_type = Option<Vec<DataTypeName>>, min_items = 1)]
    data_types: Option<Vec<String>>,
    #[serde(default)]
    allow_duplicate_name: bool,
}

/// Change an integration's name, interval or data types.
#[utoipa::path(patch, path = "/api/v1/integrations/{id}", tag = "integrations", params(("id" = i64, Path, description = "The integration configuration id")), request_body = UpdateBody, responses((status = 200, body = One), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn update(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> Result<Json<One>, ApiError> {
    let id = parse_id(&id)?;
    let mut fields = Fields::default();
    let changes = IntegrationChanges {
        name: body.name.as_deref().and_then(|raw| fields.name(raw)),
        interval: body.interval_minutes.and_then(|m| fields.interval(m)),
        data_types: body
            .data_types
            .as_deref()
            .and_then(|names| fields.data_types(names)),
    };
    fields.finish()?;
    let updated = integrations::update(
        state.store.as_ref(),
        &actor,
        id,
        changes,
        body.allow_duplicate_name,
    )
    .await?;
    Ok(one(updated))
}

/// Delete an integration: its data stays, its API key stops working.
#[utoipa::path(delete, path = "/api/v1/integrations/{id}", tag = "integrations", params(("id" = i64, Path, description = "The integration configuration id")), responses((status = 204), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    integrations::delete(state.store.as_ref(), &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Pause importing.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/pause", tag = "integrations", params(("id" = i64, Path, description = "The integration configuration id")), responses((status = 200, body = One), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn pause(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<One>, ApiError> {
    let id = parse_id(&id)?;
    Ok(one(
        integrations::pause(state.store.as_ref(), &actor, id).await?
    ))
}

/// Resume importing.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/resume", tag = "integrations", params(("id" = i64, Path, description = "The integration configuration id")), responses((status = 200, body = One), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn resume(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<One>, ApiError> {
    let id = parse_id(&id)?;
    Ok(one(integrations::resume(
        state.store.as_ref(),
        &actor,
        id,
        state.catch_up_budget(),
        chrono::Utc::now(),
    )
    .await?))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewKeyBody {
    api_key: String,
    created_at: String,
}

/// Generate the integration's API key: the only time it is returned; the previous key stops working at once.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/api-key", tag = "integrations", params(("id" = i64, Path, description = "The integration configuration id")), responses((status = 201, body = NewKeyBody), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)), security(("personal_access_token" = [])))]
pub async fn generate_api_key(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let issued = state.secrets.api_key();
    let info =
        integrations::generate_api_key(state.store.as_ref(), &actor, id, &issued.stored).await?;
    let body = NewKeyBody {
        api_key: issued.secret,
        created_at: info.created_at,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The 6-digit PIN the Cloud Link client shows in its console and log; spaces are ignored.
    #[schema(schema_with = pin_schema)]
    pin: String,
}

/// What `Pin::parse` takes.
fn pin_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(domain::cloud_link::Pin::PATTERN))
        .examples(["424242"])
        .description(Some(
            "The 6-digit PIN the Cloud Link client shows in its console and log; spaces are ignored.",
        ))
        .build()
}

/// A Cloud Link client paired with an integration.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkBody {
    host: String,
    version: String,
    os: String,
    /// When the client last polled or reported in (RFC 3339).
    last_contact: String,
    /// Whether the client has collected its credential since the PIN was entered.
    connected: bool,
    /// Whether it has not reported in for over three claim periods (75 s): stopped, or unable to get through.
    quiet: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LinkOf {
    /// `null` while no client is paired.
    link: Option<LinkBody>,
}

impl From<Link> for LinkBody {
    fn from(link: Link) -> Self {
        Self {
            quiet: link.is_quiet(chrono::Utc::now()),
            host: link.client.host,
            version: link.client.version,
            os: link.client.os,
            last_contact: link
                .last_contact_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            connected: link.collected,
        }
    }
}

/// Connect the Cloud Link client showing this PIN to the integration (on-premise, CSV and database kinds). A client connected before stops at once.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/link", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = LinkRequest,
    responses(
        (status = 200, body = LinkOf),
        (status = 400, body = ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope, description = "Not a Cloud Link kind, or deleted"),
        (status = 415, body = ErrorEnvelope),
        (status = 422, body = ErrorEnvelope, description = "invalid_pin: not six digits, or no client shows it (unknown, expired or used)"),
        (status = 429, body = ErrorEnvelope, description = "pin_entry_locked: too many wrong PINs; see Retry-After"),
    ),
    security(("personal_access_token" = [])))]
pub async fn link_client(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Result<Json<LinkOf>, ApiError> {
    let id = parse_id(&id)?;
    let link = integrations::link_client(
        state.store.as_ref(),
        &actor,
        id,
        &body.pin,
        &PinEntryPolicy::default(),
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(LinkOf {
        link: Some(link.into()),
    }))
}

/// The Cloud Link client paired with the integration, if any.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/link", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    responses((status = 200, body = LinkOf), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn link(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<LinkOf>, ApiError> {
    let id = parse_id(&id)?;
    let link = integrations::link(state.store.as_ref(), &actor, id).await?;
    Ok(Json(LinkOf {
        link: link.map(Into::into),
    }))
}

/// Disconnect the integration's Cloud Link client: its credential stops at once (it then pairs again with a new PIN).
#[utoipa::path(delete, path = "/api/v1/integrations/{id}/link", tag = "integrations",
    params(("id" = i64, Path, description = "The integration configuration id")),
    responses((status = 204, description = "No client is connected any more (also when none was)"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn unlink_client(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    integrations::unlink_client(state.store.as_ref(), &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
