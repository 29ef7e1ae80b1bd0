//! Employees, the agent ids integrations send and their mappings, and the
//! intraday state: the management API of `domain::workforce`.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use domain::{
    ingest::read::QueueId,
    integration::{IntegrationId, IntervalLength},
    workforce::{
        activity::{
            self, Activity, ActivityChanges, ActivityError, ActivityField, ActivityId, NewActivity,
        },
        employee::{
            self, Employee, EmployeeChanges, EmployeeError, EmployeeField, EmployeeId,
            EmployeeInput, NewEmployee, TeamName,
        },
        intraday,
        mapping::{self, AgentMapping, ExternalId, MappingError},
        roster::{self, RosterError},
        workload::{self, Workload, WorkloadError, WorkloadId, WorkloadName},
    },
};
use serde::{Deserialize, Serialize};

use super::{
    error::{ApiError, ErrorEnvelope, Problem},
    extract::{AdminActor, ApiJson, ApiPath, ApiQuery, MemberActor},
    reads::{time, IntervalBody, PageQuery, RangeQuery},
};
use crate::http::AppState;

impl From<EmployeeError> for ApiError {
    fn from(error: EmployeeError) -> Self {
        let detail = error.to_string();
        match error {
            EmployeeError::Forbidden => Self::forbidden(),
            EmployeeError::NotFound => Self::not_found(),
            EmployeeError::EmailTaken => {
                Self::new(StatusCode::CONFLICT, "email_taken", "/email", detail)
            }
            EmployeeError::Store(store) => Self::internal(&store),
        }
    }
}

impl From<MappingError> for ApiError {
    fn from(error: MappingError) -> Self {
        let detail = error.to_string();
        let conflict = |code| Self::new(StatusCode::CONFLICT, code, "", detail.clone());
        match error {
            MappingError::Forbidden => Self::forbidden(),
            MappingError::NotFound => Self::not_found(),
            MappingError::NoSuchEmployee => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_employee",
                "/employeeId",
                detail,
            ),
            MappingError::Deleted => conflict("integration_deleted"),
            MappingError::AgentTaken { .. } => conflict("agent_already_mapped"),
            MappingError::EmployeeTaken(_) => conflict("employee_already_mapped"),
            MappingError::Store(store) => Self::internal(&store),
        }
    }
}

/// One 422 with a problem per field.
fn employee_problems(fields: Vec<EmployeeField>) -> ApiError {
    ApiError::invalid(
        fields
            .into_iter()
            .map(|field| {
                let (code, pointer) = match field {
                    EmployeeField::Name(_) => ("invalid_name", "/name"),
                    EmployeeField::Email(_) => ("invalid_email", "/email"),
                    EmployeeField::PersonnelNumber(_) => {
                        ("invalid_personnel_number", "/personnelNumber")
                    }
                    EmployeeField::Team(_) => ("invalid_team", "/team"),
                };
                Problem {
                    code,
                    pointer: pointer.to_owned(),
                    detail: field.to_string(),
                }
            })
            .collect(),
    )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeBody {
    id: i64,
    name: String,
    email: Option<String>,
    personnel_number: Option<String>,
    /// The team, as the intraday board groups people.
    team: Option<String>,
    created_at: String,
}

impl From<Employee> for EmployeeBody {
    fn from(e: Employee) -> Self {
        Self {
            id: e.id.0,
            name: e.name,
            email: e.email.map(|email| email.as_str().to_owned()),
            personnel_number: e.personnel_number,
            team: e.team,
            created_at: time(e.created_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OneEmployee {
    employee: EmployeeBody,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Employees {
    employees: Vec<EmployeeBody>,
    /// All current employees, on every page.
    total: u64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewEmployeeBody {
    /// 1 to 200 characters, no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: String,
    /// For matching agent ids by email; one current employee per address.
    email: Option<String>,
    /// 1 to 50 characters.
    personnel_number: Option<String>,
    /// 1 to 100 characters: the team, as the intraday board groups people.
    team: Option<String>,
}

/// The account's current employees, by name, a page at a time.
#[utoipa::path(get, path = "/api/v1/employees", tag = "workforce", params(PageQuery),
    responses((status = 200, body = Employees), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn employees(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Employees>, ApiError> {
    let (employees, total) = employee::list(state.store.as_ref(), &actor, page.request()?)
        .await
        .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(Employees {
        employees: employees.into_iter().map(Into::into).collect(),
        total,
    }))
}

/// Create an employee.
#[utoipa::path(post, path = "/api/v1/employees", tag = "workforce", request_body = NewEmployeeBody,
    responses((status = 201, body = OneEmployee), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "email_taken"), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn create_employee(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiJson(body): ApiJson<NewEmployeeBody>,
) -> Result<Response, ApiError> {
    let new = NewEmployee::parse(EmployeeInput {
        name: Some(&body.name),
        email: body.email.as_deref(),
        personnel_number: body.personnel_number.as_deref(),
        team: body.team.as_deref(),
    })
    .map_err(employee_problems)?;
    let created = employee::create(state.store.as_ref(), &actor, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(OneEmployee {
            employee: created.into(),
        }),
    )
        .into_response())
}

/// One employee.
#[utoipa::path(get, path = "/api/v1/employees/{employee}", tag = "workforce",
    params(("employee" = i64, Path, description = "The employee's id")),
    responses((status = 200, body = OneEmployee), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn employee(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OneEmployee>, ApiError> {
    let found = employee::get(state.store.as_ref(), &actor, EmployeeId(id)).await?;
    Ok(Json(OneEmployee {
        employee: found.into(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmployeeChangesBody {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: Option<String>,
    /// An empty string removes it.
    email: Option<String>,
    /// An empty string removes it.
    personnel_number: Option<String>,
    /// An empty string removes it.
    team: Option<String>,
}

/// Change an employee's name, email address, personnel number or team.
#[utoipa::path(patch, path = "/api/v1/employees/{employee}", tag = "workforce",
    params(("employee" = i64, Path, description = "The employee's id")),
    request_body = EmployeeChangesBody,
    responses((status = 200, body = OneEmployee), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "email_taken"), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn update_employee(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EmployeeChangesBody>,
) -> Result<Json<OneEmployee>, ApiError> {
    let changes = EmployeeChanges::parse(EmployeeInput {
        name: body.name.as_deref(),
        email: body.email.as_deref(),
        personnel_number: body.personnel_number.as_deref(),
        team: body.team.as_deref(),
    })
    .map_err(employee_problems)?;
    let updated = employee::update(state.store.as_ref(), &actor, EmployeeId(id), &changes).await?;
    Ok(Json(OneEmployee {
        employee: updated.into(),
    }))
}

/// Archive an employee: gone from lists and the board, their agent
/// mappings removed; the statuses stay under their agent ids.
#[utoipa::path(delete, path = "/api/v1/employees/{employee}", tag = "workforce",
    params(("employee" = i64, Path, description = "The employee's id")),
    responses((status = 204), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn archive_employee(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    employee::archive(state.store.as_ref(), &actor, EmployeeId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MatchedAgent {
    external_id: String,
    employee_id: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoMatchBody {
    /// The mappings made now.
    matched: Vec<MatchedAgent>,
    /// Agent ids left unmapped because another id matches the same employee.
    ambiguous: Vec<String>,
    /// Stopped at a bound (500 mappings, 10 000 ids looked at): ask again.
    more: bool,
}

/// Map every unmapped agent id that is a current employee's email address
/// (letter case aside) to that employee.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/agent-mappings/auto-match", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id")),
    responses((status = 200, body = AutoMatchBody), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "integration_deleted")),
    security(("personal_access_token" = [])))]
pub async fn auto_match(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AutoMatchBody>, ApiError> {
    let done = mapping::auto_match(state.store.as_ref(), &actor, IntegrationId(id)).await?;
    Ok(Json(AutoMatchBody {
        matched: done
            .mapped
            .into_iter()
            .map(|(external_id, employee)| MatchedAgent {
                external_id,
                employee_id: employee.0,
            })
            .collect(),
        ambiguous: done.ambiguous,
        more: done.more,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredAgentBody {
    /// Exactly as the integration sends it.
    external_id: String,
    first_seen: String,
    last_seen: String,
    /// How many statuses arrived with it.
    count: i64,
    /// The employee it is mapped to, if any.
    employee_id: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredAgents {
    discovered_agents: Vec<DiscoveredAgentBody>,
    /// All agent ids the integration has sent, on every page.
    total: u64,
}

/// The agent ids an integration has sent, by id, with their mappings.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/discovered-agents", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id"), PageQuery),
    responses((status = 200, body = DiscoveredAgents), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn discovered_agents(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<DiscoveredAgents>, ApiError> {
    let (agents, total) = mapping::discovered_agents(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        page.request()?,
    )
    .await?;
    Ok(Json(DiscoveredAgents {
        discovered_agents: agents
            .into_iter()
            .map(|agent| DiscoveredAgentBody {
                external_id: agent.external_id,
                first_seen: time(agent.first_seen),
                last_seen: time(agent.last_seen),
                count: agent.count,
                employee_id: agent.employee.map(|e| e.0),
            })
            .collect(),
        total,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MappingRequest {
    /// The agent id exactly as the integration sends it (case and spaces matter).
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    external_id: String,
    employee_id: i64,
    /// The employee's own id in that system (a user number, say), kept
    /// exactly as sent, for people to look up. Left out, a mapping that is
    /// there keeps the one it has.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    system_employee_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentMappingBody {
    integration_id: i64,
    external_id: String,
    employee_id: i64,
    /// The employee's own id in that system, when noted.
    system_employee_id: Option<String>,
    created_at: String,
}

impl From<AgentMapping> for AgentMappingBody {
    fn from(m: AgentMapping) -> Self {
        Self {
            integration_id: m.integration.0,
            external_id: m.external_id,
            employee_id: m.employee.0,
            system_employee_id: m.system_employee_id,
            created_at: time(m.created_at),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MappingSaved {
    agent_mapping: AgentMappingBody,
    /// Agent ids of this integration that differ only in letter case or
    /// surrounding spaces: probably the same agent spelt another way.
    near_misses: Vec<String>,
}

fn external_id(raw: &str) -> Result<ExternalId, ApiError> {
    id_at(raw, "invalid_external_id", "/externalId")
}

/// An id in an external system, read by `ExternalId`'s rules; refused with
/// `code` at `pointer`.
fn id_at(raw: &str, code: &'static str, pointer: &str) -> Result<ExternalId, ApiError> {
    ExternalId::parse(raw).map_err(|error| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            pointer,
            error.to_string(),
        )
    })
}

/// Map an agent id of the integration to an employee. Statuses that arrived
/// before show for the employee at once. Sending the same mapping again
/// answers 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/agent-mappings", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = MappingRequest,
    responses((status = 201, body = MappingSaved), (status = 200, body = MappingSaved, description = "The mapping was there already (its system employee id set anew, if one was sent)"), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "agent_already_mapped, employee_already_mapped or integration_deleted"), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "invalid_external_id, invalid_system_employee_id or unknown_employee")),
    security(("personal_access_token" = [])))]
pub async fn map_agent(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MappingRequest>,
) -> Result<Response, ApiError> {
    let external = external_id(&body.external_id)?;
    let system_id = body
        .system_employee_id
        .as_deref()
        .map(|raw| id_at(raw, "invalid_system_employee_id", "/systemEmployeeId"))
        .transpose()?;
    let saved = mapping::set(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        &external,
        EmployeeId(body.employee_id),
        system_id.as_ref(),
    )
    .await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(MappingSaved {
            agent_mapping: saved.mapping.into(),
            near_misses: saved.near_misses,
        }),
    )
        .into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSystemBody {
    integration_id: i64,
    integration_name: String,
    /// `active`, `paused`, `deleted`, …: a deleted integration's entry
    /// stays for the record.
    integration_status: String,
    /// The agent id the system sends for the employee, exactly.
    external_id: String,
    /// The employee's own id in that system, when noted.
    system_employee_id: Option<String>,
    created_at: String,
    /// Ids this integration has sent that differ only in letter case or
    /// surrounding spaces: probably the same agent spelt another way.
    near_misses: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSystems {
    external_systems: Vec<ExternalSystemBody>,
    total: u64,
}

/// The employee's entries for external systems: in each integration, the
/// agent id it sends for them and their own id there, by integration name.
#[utoipa::path(get, path = "/api/v1/employees/{employee}/external-systems", tag = "workforce",
    params(("employee" = i64, Path, description = "The employee's id"), PageQuery),
    responses((status = 200, body = ExternalSystems), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn external_systems(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<ExternalSystems>, ApiError> {
    let (systems, total) = mapping::external_systems(
        state.store.as_ref(),
        &actor,
        EmployeeId(id),
        page.request()?,
    )
    .await
    .map_err(|error| match error {
        MappingError::NoSuchEmployee => ApiError::not_found(),
        other => other.into(),
    })?;
    Ok(Json(ExternalSystems {
        external_systems: systems
            .into_iter()
            .map(|system| {
                let entry = system.entry;
                ExternalSystemBody {
                    integration_id: entry.mapping.integration.0,
                    integration_name: entry.integration_name,
                    integration_status: entry.integration_status.as_str().to_owned(),
                    external_id: entry.mapping.external_id,
                    system_employee_id: entry.mapping.system_employee_id,
                    created_at: time(entry.mapping.created_at),
                    near_misses: system.near_misses,
                }
            })
            .collect(),
        total,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnmapRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    external_id: String,
    /// Ignored: an agent id has one mapping per integration. Accepted so
    /// the body that made a mapping removes it.
    #[allow(dead_code)]
    employee_id: Option<i64>,
}

/// Remove the mapping of an agent id (the body names it). Its statuses
/// are kept and hidden.
#[utoipa::path(delete, path = "/api/v1/integrations/{id}/agent-mappings", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = UnmapRequest,
    responses((status = 204, description = "Not mapped (any more): removing a mapping that is not there changes nothing"), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn unmap_agent(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UnmapRequest>,
) -> Result<StatusCode, ApiError> {
    let external = external_id(&body.external_id)?;
    mapping::remove(state.store.as_ref(), &actor, IntegrationId(id), &external).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove the mapping of the agent id in the path (percent-encoded).
#[utoipa::path(delete, path = "/api/v1/integrations/{id}/agent-mappings/{externalId}", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id"), ("externalId" = String, Path, description = "The agent id, percent-encoded")),
    responses((status = 204, description = "Not mapped (any more)"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn unmap_agent_at(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath((id, raw)): ApiPath<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let external = external_id(&raw)?;
    mapping::remove(state.store.as_ref(), &actor, IntegrationId(id), &external).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgentNowBody {
    employee_id: i64,
    employee_name: String,
    team: Option<String>,
    /// The activity now: the one its external activity is mapped to, or
    /// the default activity (*Present*); `null` when no status is open.
    activity: Option<String>,
    activity_id: Option<i64>,
    /// `#rrggbb`.
    colour: Option<String>,
    /// The activity id as the integration sent it.
    external_activity: Option<String>,
    /// When the activity started.
    since: Option<String>,
    /// The integration the status came from.
    integration_id: Option<i64>,
    integration_name: Option<String>,
}

impl From<intraday::AgentNow> for AgentNowBody {
    fn from(agent: intraday::AgentNow) -> Self {
        let current = agent.current;
        Self {
            employee_id: agent.employee.0,
            employee_name: agent.name,
            team: agent.team,
            activity: current.as_ref().map(|c| c.activity.name.clone()),
            activity_id: current.as_ref().map(|c| c.activity.id.0),
            colour: current.as_ref().map(|c| c.activity.colour.clone()),
            external_activity: current.as_ref().map(|c| c.external_activity.clone()),
            since: current.as_ref().map(|c| time(c.since)),
            integration_id: current.as_ref().map(|c| c.integration.0),
            integration_name: current.map(|c| c.integration_name),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Intraday {
    agents: Vec<AgentNowBody>,
    /// All mapped employees, on every page.
    total: u64,
    /// When this state was read.
    at: String,
}

/// Whose state to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Only the employees of this team (exactly, as it is spelt): a team
    /// name, 1 to 100 characters without control characters.
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    team: Option<String>,
}

/// Every mapped employee's current activity, since when, and from which
/// integration, by name, a page at a time; of one team, if asked.
#[utoipa::path(get, path = "/api/v1/intraday", tag = "workforce", params(PageQuery, TeamQuery),
    responses((status = 200, body = Intraday), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn intraday(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiQuery(page): ApiQuery<PageQuery>,
    ApiQuery(query): ApiQuery<TeamQuery>,
) -> Result<Json<Intraday>, ApiError> {
    let now = chrono::Utc::now();
    let team = query
        .team
        .as_deref()
        .map(TeamName::parse)
        .transpose()
        .map_err(|error| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "",
                error.to_string(),
            )
        })?;
    let (agents, total) = intraday::board(
        state.store.as_ref(),
        &actor,
        now,
        team.as_ref(),
        page.request()?,
    )
    .await
    .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(Intraday {
        agents: agents.into_iter().map(Into::into).collect(),
        total,
        at: time(now),
    }))
}

impl From<ActivityError> for ApiError {
    fn from(error: ActivityError) -> Self {
        let detail = error.to_string();
        match error {
            ActivityError::Forbidden => Self::forbidden(),
            ActivityError::NotFound => Self::not_found(),
            ActivityError::NoSuchActivity => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_activity",
                "/activityId",
                detail,
            ),
            ActivityError::Missing => Self::not_found(),
            ActivityError::DefaultKept => {
                Self::new(StatusCode::CONFLICT, "default_activity", "", detail)
            }
            ActivityError::InUse => Self::new(StatusCode::CONFLICT, "activity_in_use", "", detail),
            ActivityError::Deleted => {
                Self::new(StatusCode::CONFLICT, "integration_deleted", "", detail)
            }
            ActivityError::NotPaused => {
                Self::new(StatusCode::CONFLICT, "integration_not_paused", "", detail)
            }
            ActivityError::Store(store) => Self::internal(&store),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityBody {
    id: i64,
    name: String,
    /// work, break, absence or other.
    #[schema(value_type = String)]
    category: &'static str,
    /// `#rrggbb`.
    colour: String,
    /// The default activity (*Present*), where unmapped external activities land.
    is_default: bool,
}

impl From<Activity> for ActivityBody {
    fn from(a: Activity) -> Self {
        Self {
            id: a.id.0,
            name: a.name,
            category: a.category.as_str(),
            colour: a.colour,
            is_default: a.is_default,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Activities {
    activities: Vec<ActivityBody>,
    total: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OneActivity {
    activity: ActivityBody,
}

/// Activity categories (documentation).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[expect(
    dead_code,
    reason = "describes the category field in the OpenAPI document"
)]
enum CategoryName {
    Work,
    Break,
    Absence,
    Other,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewActivityBody {
    /// 1 to 100 characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: String,
    /// work, break, absence or other.
    #[schema(value_type = CategoryName)]
    category: String,
    /// `#rrggbb`.
    #[schema(pattern = "^\\s*#[0-9A-Fa-f]{6}\\s*$")]
    colour: String,
}

/// One 422 with a problem per field.
fn activity_problems(fields: Vec<ActivityField>) -> ApiError {
    ApiError::invalid(
        fields
            .into_iter()
            .map(|field| {
                let (code, pointer) = match field {
                    ActivityField::Name(_) => ("invalid_name", "/name"),
                    ActivityField::Category(_) => ("invalid_category", "/category"),
                    ActivityField::Colour(_) => ("invalid_colour", "/colour"),
                };
                Problem {
                    code,
                    pointer: pointer.to_owned(),
                    detail: field.to_string(),
                }
            })
            .collect(),
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityChangesBody {
    /// 1 to 100 characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: Option<String>,
    /// work, break, absence or other.
    #[schema(value_type = Option<CategoryName>)]
    category: Option<String>,
    /// `#rrggbb`.
    #[schema(pattern = "^\\s*#[0-9A-Fa-f]{6}\\s*$")]
    colour: Option<String>,
}

/// Rename, recategorise or recolour an activity (the default one too).
#[utoipa::path(patch, path = "/api/v1/activities/{activity}", tag = "workforce",
    params(("activity" = i64, Path, description = "The activity's id")),
    request_body = ActivityChangesBody,
    responses((status = 200, body = OneActivity), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn update_activity(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ActivityChangesBody>,
) -> Result<Json<OneActivity>, ApiError> {
    let changes = ActivityChanges::parse(
        body.name.as_deref(),
        body.category.as_deref(),
        body.colour.as_deref(),
    )
    .map_err(activity_problems)?;
    let updated = activity::update(state.store.as_ref(), &actor, ActivityId(id), &changes).await?;
    Ok(Json(OneActivity {
        activity: updated.into(),
    }))
}

/// Archive an activity nothing is mapped to. The default activity stays
/// (`409 default_activity`), and so does one that external activities are
/// mapped to (`409 activity_in_use`: map them to another activity first).
#[utoipa::path(delete, path = "/api/v1/activities/{activity}", tag = "workforce",
    params(("activity" = i64, Path, description = "The activity's id")),
    responses((status = 204, description = "Archived"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn archive_activity(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    activity::archive(state.store.as_ref(), &actor, ActivityId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's activities, the default first, then by name.
#[utoipa::path(get, path = "/api/v1/activities", tag = "workforce", params(PageQuery),
    responses((status = 200, body = Activities), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn activities(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Activities>, ApiError> {
    let (activities, total) = activity::list(state.store.as_ref(), &actor, page.request()?)
        .await
        .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(Activities {
        activities: activities.into_iter().map(Into::into).collect(),
        total,
    }))
}

/// Create an activity.
#[utoipa::path(post, path = "/api/v1/activities", tag = "workforce", request_body = NewActivityBody,
    responses((status = 201, body = OneActivity), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn create_activity(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiJson(body): ApiJson<NewActivityBody>,
) -> Result<Response, ApiError> {
    let new =
        NewActivity::parse(&body.name, &body.category, &body.colour).map_err(activity_problems)?;
    let created = activity::create(state.store.as_ref(), &actor, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(OneActivity {
            activity: created.into(),
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredActivityBody {
    /// Exactly as the integration sends it.
    external_id: String,
    first_seen: String,
    last_seen: String,
    count: i64,
    /// The activity it is mapped to; `null` shows it as the default activity.
    activity_id: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveredActivities {
    discovered_activities: Vec<DiscoveredActivityBody>,
    total: u64,
}

/// The activity ids an integration has sent, by id, with their mappings.
#[utoipa::path(get, path = "/api/v1/integrations/{id}/discovered-activities", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id"), PageQuery),
    responses((status = 200, body = DiscoveredActivities), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn discovered_activities(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<DiscoveredActivities>, ApiError> {
    let (found, total) = activity::discovered(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        page.request()?,
    )
    .await?;
    Ok(Json(DiscoveredActivities {
        discovered_activities: found
            .into_iter()
            .map(|d| DiscoveredActivityBody {
                external_id: d.external_id,
                first_seen: time(d.first_seen),
                last_seen: time(d.last_seen),
                count: d.count,
                activity_id: d.activity.map(|a| a.0),
            })
            .collect(),
        total,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityMappingRequest {
    /// The activity id exactly as the integration sends it.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    external_id: String,
    activity_id: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActivityUnmapRequest {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    external_id: String,
    /// Ignored; accepted so the body that made a mapping removes it.
    #[allow(dead_code)]
    activity_id: Option<i64>,
}

/// Map an external activity of a paused integration to an activity
/// (mapping it again replaces the mapping). Statuses already kept show the
/// new activity at once.
#[utoipa::path(post, path = "/api/v1/integrations/{id}/activity-mappings", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = ActivityMappingRequest,
    responses((status = 204), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "integration_not_paused (pause it first, resume it after) or integration_deleted"), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "invalid_external_id or unknown_activity")),
    security(("personal_access_token" = [])))]
pub async fn map_activity(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ActivityMappingRequest>,
) -> Result<StatusCode, ApiError> {
    let external = external_id(&body.external_id)?;
    activity::map(
        state.store.as_ref(),
        &actor,
        IntegrationId(id),
        &external,
        ActivityId(body.activity_id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove an external activity's mapping (paused integrations): it shows as
/// the default activity again.
#[utoipa::path(delete, path = "/api/v1/integrations/{id}/activity-mappings", tag = "workforce",
    params(("id" = i64, Path, description = "The integration configuration id")),
    request_body = ActivityUnmapRequest,
    responses((status = 204, description = "Not mapped (any more): removing a mapping that is not there changes nothing"), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn unmap_activity(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ActivityUnmapRequest>,
) -> Result<StatusCode, ApiError> {
    let external = external_id(&body.external_id)?;
    activity::unmap(state.store.as_ref(), &actor, IntegrationId(id), &external).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl From<WorkloadError> for ApiError {
    fn from(error: WorkloadError) -> Self {
        let detail = error.to_string();
        match error {
            WorkloadError::Forbidden => Self::forbidden(),
            WorkloadError::NotFound => Self::not_found(),
            WorkloadError::NoSuchQueue => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_queue",
                "/queueId",
                detail,
            ),
            WorkloadError::QueueOfDeletedIntegration => Self::new(
                StatusCode::CONFLICT,
                "integration_deleted",
                "/queueId",
                detail,
            ),
            WorkloadError::TooManyQueues => {
                Self::new(StatusCode::CONFLICT, "too_many_queues", "/queueId", detail)
            }
            WorkloadError::Store(store) => Self::internal(&store),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadBody {
    id: i64,
    name: String,
    created_at: String,
    queue_ids: Vec<i64>,
}

impl From<Workload> for WorkloadBody {
    fn from(w: Workload) -> Self {
        Self {
            id: w.id.0,
            name: w.name,
            created_at: time(w.created_at),
            queue_ids: w.queues.into_iter().map(|q| q.0).collect(),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OneWorkload {
    workload: WorkloadBody,
}

fn one_workload(workload: Workload) -> Json<OneWorkload> {
    Json(OneWorkload {
        workload: workload.into(),
    })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Workloads {
    workloads: Vec<WorkloadBody>,
    total: u64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadNameBody {
    /// 1 to 100 characters.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$"
    )]
    name: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadQueueBody {
    queue_id: i64,
}

fn workload_name(raw: &str) -> Result<WorkloadName, ApiError> {
    WorkloadName::parse(raw).map_err(|error| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
            "/name",
            error.to_string(),
        )
    })
}

/// The account's workloads, by name, with their queues.
#[utoipa::path(get, path = "/api/v1/workloads", tag = "workforce", params(PageQuery),
    responses((status = 200, body = Workloads), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn workloads(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Workloads>, ApiError> {
    let (workloads, total) = workload::list(state.store.as_ref(), &actor, page.request()?)
        .await
        .map_err(|error| ApiError::internal(&error))?;
    Ok(Json(Workloads {
        workloads: workloads.into_iter().map(Into::into).collect(),
        total,
    }))
}

/// Create a workload.
#[utoipa::path(post, path = "/api/v1/workloads", tag = "workforce", request_body = WorkloadNameBody,
    responses((status = 201, body = OneWorkload), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn create_workload(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiJson(body): ApiJson<WorkloadNameBody>,
) -> Result<Response, ApiError> {
    let name = workload_name(&body.name)?;
    let created = workload::create(state.store.as_ref(), &actor, &name).await?;
    Ok((StatusCode::CREATED, one_workload(created)).into_response())
}

/// One workload, with its queues.
#[utoipa::path(get, path = "/api/v1/workloads/{workload}", tag = "workforce",
    params(("workload" = i64, Path, description = "The workload's id")),
    responses((status = 200, body = OneWorkload), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn workload(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OneWorkload>, ApiError> {
    Ok(one_workload(
        workload::get(state.store.as_ref(), &actor, WorkloadId(id)).await?,
    ))
}

/// Rename a workload.
#[utoipa::path(patch, path = "/api/v1/workloads/{workload}", tag = "workforce",
    params(("workload" = i64, Path, description = "The workload's id")),
    request_body = WorkloadNameBody,
    responses((status = 200, body = OneWorkload), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn rename_workload(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WorkloadNameBody>,
) -> Result<Json<OneWorkload>, ApiError> {
    let name = workload_name(&body.name)?;
    Ok(one_workload(
        workload::rename(state.store.as_ref(), &actor, WorkloadId(id), &name).await?,
    ))
}

/// Archive a workload.
#[utoipa::path(delete, path = "/api/v1/workloads/{workload}", tag = "workforce",
    params(("workload" = i64, Path, description = "The workload's id")),
    responses((status = 204), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("personal_access_token" = [])))]
pub async fn archive_workload(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    workload::archive(state.store.as_ref(), &actor, WorkloadId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a queue to a workload. A queue of a deleted integration cannot join.
#[utoipa::path(post, path = "/api/v1/workloads/{workload}/queues", tag = "workforce",
    params(("workload" = i64, Path, description = "The workload's id")),
    request_body = WorkloadQueueBody,
    responses((status = 200, body = OneWorkload), (status = 400, body = ErrorEnvelope, description = "Not JSON"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "integration_deleted or too_many_queues"), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "unknown_queue")),
    security(("personal_access_token" = [])))]
pub async fn add_workload_queue(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WorkloadQueueBody>,
) -> Result<Json<OneWorkload>, ApiError> {
    Ok(one_workload(
        workload::add_queue(
            state.store.as_ref(),
            &actor,
            WorkloadId(id),
            QueueId(body.queue_id),
        )
        .await?,
    ))
}

/// Take a queue off a workload.
#[utoipa::path(delete, path = "/api/v1/workloads/{workload}/queues/{queue}", tag = "workforce",
    params(("workload" = i64, Path, description = "The workload's id"), ("queue" = i64, Path, description = "The queue's id")),
    responses((status = 200, body = OneWorkload), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "unknown_queue: not on the workload")),
    security(("personal_access_token" = [])))]
pub async fn remove_workload_queue(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    ApiPath((id, queue)): ApiPath<(i64, i64)>,
) -> Result<Json<OneWorkload>, ApiError> {
    Ok(one_workload(
        workload::remove_queue(state.store.as_ref(), &actor, WorkloadId(id), QueueId(queue))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WorkloadIntervalsQuery {
    /// Start, included (RFC 3339).
    from: Option<String>,
    /// End, excluded (RFC 3339); after from and at most 92 days after it.
    to: Option<String>,
    /// 15 (default), 30 or 60.
    interval_minutes: Option<u32>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadIntervals {
    interval_minutes: u32,
    /// Every interval of the range, quiet ones as zeros.
    intervals: Vec<IntervalBody>,
}

/// The combined statistics of a workload's queues, per interval (UTC).
#[utoipa::path(get, path = "/api/v1/workloads/{workload}/intervals", tag = "workforce",
    params(("workload" = i64, Path, description = "The workload's id"), WorkloadIntervalsQuery),
    responses((status = 200, body = WorkloadIntervals), (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "A range that is not in order or longer than 92 days, or another interval length")),
    security(("personal_access_token" = [])))]
pub async fn workload_intervals(
    State(state): State<AppState>,
    MemberActor(actor): MemberActor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<WorkloadIntervalsQuery>,
) -> Result<Json<WorkloadIntervals>, ApiError> {
    let range = RangeQuery {
        from: query.from,
        to: query.to,
    }
    .range()?;
    let length = query
        .interval_minutes
        .map_or(Ok(IntervalLength::default()), IntervalLength::try_from)
        .map_err(|error| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_interval",
                "",
                error.to_string(),
            )
        })?;
    let (_, series) =
        workload::statistics(state.store.as_ref(), &actor, WorkloadId(id), range, length).await?;
    Ok(Json(WorkloadIntervals {
        interval_minutes: length.minutes(),
        intervals: series
            .iter()
            .map(|(start, totals)| IntervalBody::of(*start, totals))
            .collect(),
    }))
}

impl From<RosterError> for ApiError {
    fn from(error: RosterError) -> Self {
        match error {
            RosterError::Forbidden => Self::forbidden(),
            RosterError::Problems(problems) => Self::invalid(
                problems
                    .into_iter()
                    .map(|problem| Problem {
                        code: "invalid_line",
                        pointer: String::new(),
                        detail: if problem.line == 0 {
                            problem.detail
                        } else {
                            format!("line {}: {}", problem.line, problem.detail)
                        },
                    })
                    .collect(),
            ),
            RosterError::Store(store) => Self::internal(&store),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// How many employees were added.
    imported: usize,
}

/// Add employees from a CSV file (`text/csv`, UTF-8, comma or semicolon):
/// a header row naming `name` and, if wanted, `email`,
/// `personnel_number` and `team`, then one employee a line; at most 5 000 lines and
/// 1 MiB. The whole file or nothing: every problem is told with its line.
#[utoipa::path(post, path = "/api/v1/employees/import", tag = "workforce",
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = Imported), (status = 400, body = ErrorEnvelope, description = "unreadable_body"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope), (status = 415, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope, description = "invalid_line, one per problem, each naming its line")),
    security(("personal_access_token" = [])))]
pub async fn import_employees(
    State(state): State<AppState>,
    AdminActor(actor): AdminActor,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let is_csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("text/csv")
        });
    if !is_csv {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "",
            "send the file as Content-Type: text/csv",
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file_too_large",
                "",
                format!(
                    "a file of employees has at most {} KiB",
                    roster::MAX_BYTES / 1024
                ),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                "",
                "the body could not be read",
            )
        }
    })?;
    let imported = roster::import(state.store.as_ref(), &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(Imported { imported })).into_response())
}

/// The import's route: bodies up to the largest file allowed.
pub fn import_route() -> axum::routing::MethodRouter<AppState> {
    axum::routing::post(import_employees)
        .layer(axum::extract::DefaultBodyLimit::max(roster::MAX_BYTES))
}
