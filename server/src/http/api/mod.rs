//! The versioned management API. Its route table is data, so the
//! authorisation tests walk every route and a new one cannot escape them.

mod csv;
mod database;
mod error;
pub(crate) mod extract;
mod integrations;
mod jobs;
pub mod openapi;
mod reads;
pub mod reference;
mod workforce;

use axum::{http::Method, routing::MethodRouter, Router};

pub use error::{method_not_allowed, not_found, ApiError, ErrorEnvelope, Problem};
pub use extract::{bearer_secret, is_json, ApiJson, ApiPath, MemberActor};
pub(crate) use reads::time;
pub(crate) use workforce::AgentNowBody;

use super::AppState;

/// Who may use a route (besides needing a token of the account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Admins,
    /// Any role: reading what arrived.
    Members,
}

/// One route: method, path (axum syntax), who may use it, and handler.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, handler: MethodRouter<AppState>) -> ApiRoute {
    ApiRoute {
        method,
        path,
        access: Access::Admins,
        handler,
    }
}

fn read(path: &'static str, handler: MethodRouter<AppState>) -> ApiRoute {
    ApiRoute {
        method: Method::GET,
        path,
        access: Access::Members,
        handler,
    }
}

/// Every route of `/api/v1`, as a table of contents.
pub fn routes() -> Vec<ApiRoute> {
    use axum::routing::{delete, get, patch, post, put};
    vec![
        route(Method::GET, "/integrations", get(integrations::list)),
        route(Method::POST, "/integrations", post(integrations::create)),
        route(Method::GET, "/integrations/{id}", get(integrations::get)),
        route(
            Method::PATCH,
            "/integrations/{id}",
            patch(integrations::update),
        ),
        route(
            Method::DELETE,
            "/integrations/{id}",
            delete(integrations::delete),
        ),
        route(
            Method::POST,
            "/integrations/{id}/pause",
            post(integrations::pause),
        ),
        route(
            Method::POST,
            "/integrations/{id}/resume",
            post(integrations::resume),
        ),
        route(
            Method::POST,
            "/integrations/{id}/api-key",
            post(integrations::generate_api_key),
        ),
        route(
            Method::POST,
            "/integrations/{id}/link",
            post(integrations::link_client),
        ),
        route(
            Method::GET,
            "/integrations/{id}/link",
            get(integrations::link),
        ),
        route(
            Method::DELETE,
            "/integrations/{id}/link",
            delete(integrations::unlink_client),
        ),
        read("/integrations/{id}/csv-schema", get(csv::schema)),
        route(
            Method::PUT,
            "/integrations/{id}/csv-schema",
            put(csv::save_schema),
        ),
        route(
            Method::POST,
            "/integrations/{id}/csv-files",
            csv::upload_route(),
        ),
        route(
            Method::GET,
            "/integrations/{id}/database",
            get(database::settings),
        ),
        route(
            Method::PUT,
            "/integrations/{id}/database",
            put(database::save),
        ),
        route(
            Method::POST,
            "/integrations/{id}/database/test",
            post(database::test),
        ),
        read("/integrations/{id}/imports", get(reads::imports)),
        read("/integrations/{id}/files", get(reads::files)),
        route(
            Method::POST,
            "/integrations/{id}/link/probe",
            post(jobs::probe),
        ),
        read("/integrations/{id}/jobs/{job}", get(jobs::job)),
        read(
            "/integrations/{id}/agent-statuses",
            get(reads::agent_statuses),
        ),
        read("/queues", get(reads::queues)),
        read("/queues/{id}/intervals", get(reads::intervals)),
        read("/employees", get(workforce::employees)),
        route(Method::POST, "/employees", post(workforce::create_employee)),
        route(Method::POST, "/employees/import", workforce::import_route()),
        read("/employees/{employee}", get(workforce::employee)),
        read(
            "/employees/{employee}/external-systems",
            get(workforce::external_systems),
        ),
        route(
            Method::PATCH,
            "/employees/{employee}",
            patch(workforce::update_employee),
        ),
        route(
            Method::DELETE,
            "/employees/{employee}",
            delete(workforce::archive_employee),
        ),
        read(
            "/integrations/{id}/discovered-agents",
            get(workforce::discovered_agents),
        ),
        route(
            Method::POST,
            "/integrations/{id}/agent-mappings",
            post(workforce::map_agent),
        ),
        route(
            Method::DELETE,
            "/integrations/{id}/agent-mappings",
            delete(workforce::unmap_agent),
        ),
        route(
            Method::POST,
            "/integrations/{id}/agent-mappings/auto-match",
            post(workforce::auto_match),
        ),
        route(
            Method::DELETE,
            "/integrations/{id}/agent-mappings/{externalId}",
            delete(workforce::unmap_agent_at),
        ),
        read("/activities", get(workforce::activities)),
        route(
            Method::POST,
            "/activities",
            post(workforce::create_activity),
        ),
        route(
            Method::PATCH,
            "/activities/{activity}",
            patch(workforce::update_activity),
        ),
        route(
            Method::DELETE,
            "/activities/{activity}",
            delete(workforce::archive_activity),
        ),
        read(
            "/integrations/{id}/discovered-activities",
            get(workforce::discovered_activities),
        ),
        route(
            Method::POST,
            "/integrations/{id}/activity-mappings",
            post(workforce::map_activity),
        ),
        route(
            Method::DELETE,
            "/integrations/{id}/activity-mappings",
            delete(workforce::unmap_activity),
        ),
        read("/workloads", get(workforce::workloads)),
        route(Method::POST, "/workloads", post(workforce::create_workload)),
        read("/workloads/{workload}", get(workforce::workload)),
        route(
            Method::PATCH,
            "/workloads/{workload}",
            patch(workforce::rename_workload),
        ),
        route(
            Method::DELETE,
            "/workloads/{workload}",
            delete(workforce::archive_workload),
        ),
        route(
            Method::POST,
            "/workloads/{workload}/queues",
            post(workforce::add_workload_queue),
        ),
        route(
            Method::DELETE,
            "/workloads/{workload}/queues/{queue}",
            delete(workforce::remove_workload_queue),
        ),
        read(
            "/workloads/{workload}/intervals",
            get(workforce::workload_intervals),
        ),
        read("/intraday", get(workforce::intraday)),
        read("/intraday/live", get(super::live::board_socket)),
        read("/intraday/events", get(super::live::board_events)),
    ]
}

/// Method, path and access of every route, for tests and documentation.
pub fn route_table() -> Vec<(Method, &'static str, Access)> {
    routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.access))
        .collect()
}

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for api_route in routes() {
        router = router.route(api_route.path, api_route.handler);
    }
    router
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
}
