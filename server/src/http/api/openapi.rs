//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api/openapi.json`.

use axum::Json;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};

use super::{csv, database, error, integrations, jobs, reads, workforce};
use crate::http::{cloud_link, ingest, live};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Intake API",
        description = "Push contact events and agent statuses with an integration's API key; \
                       manage integrations (admins) and read what arrived (any role) with a personal access token. \
                       Every error uses the envelope {\"errors\":[{code, pointer, detail}]}. \
                       Ingestion limits: 10 000 items and 5 MiB per request, 50 requests a second per key \
                       with bursts of 100, unless the server is configured otherwise."
    ),
    paths(
        ingest::document_contact_events,
        ingest::document_agent_statuses,
        live::status_feed,
        cloud_link::document_start_pairing,
        cloud_link::document_poll_token,
        cloud_link::document_heartbeat,
        cloud_link::document_claim_job,
        cloud_link::document_upload_file,
        cloud_link::document_report_job,
        cloud_link::document_report_window,
        integrations::list,
        integrations::create,
        integrations::get,
        integrations::update,
        integrations::delete,
        integrations::pause,
        integrations::resume,
        integrations::generate_api_key,
        integrations::link_client,
        integrations::link,
        integrations::unlink_client,
        csv::schema,
        csv::save_schema,
        csv::upload,
        database::settings,
        database::save,
        database::test,
        reads::queues,
        reads::intervals,
        reads::imports,
        reads::files,
        jobs::probe,
        jobs::job,
        reads::agent_statuses,
        workforce::employees,
        workforce::create_employee,
        workforce::import_employees,
        workforce::employee,
        workforce::external_systems,
        workforce::update_employee,
        workforce::archive_employee,
        workforce::auto_match,
        workforce::discovered_agents,
        workforce::map_agent,
        workforce::unmap_agent,
        workforce::unmap_agent_at,
        workforce::activities,
        workforce::create_activity,
        workforce::discovered_activities,
        workforce::map_activity,
        workforce::unmap_activity,
        workforce::workloads,
        workforce::create_workload,
        workforce::workload,
        workforce::rename_workload,
        workforce::archive_workload,
        workforce::add_workload_queue,
        workforce::remove_workload_queue,
        workforce::workload_intervals,
        workforce::intraday,
        workforce::update_activity,
        workforce::archive_activity,
        live::board_socket,
        live::board_events,
    ),
    components(schemas(error::ErrorEnvelope, error::Problem)),
    modifiers(&PersonalAccessToken),
    tags(
        (name = "ingestion", description = "HTTP push (DESIGN §3): the paths and bodies customers script against"),
        (name = "integrations", description = "Account › Integrations"),
        (name = "data", description = "What arrived: queues, interval statistics, imports, files from Cloud Link, agent statuses (any role)"),
        (name = "workforce", description = "Employees, the agent ids integrations send and their mappings, and who is in which activity now (planners read, admins change)"),
        (name = "cloud-link", description = "The on-premise client's protocol (ADR 0009): pairing by PIN, then jobs claimed with a long poll")
    )
)]
pub struct ApiDoc;

struct PersonalAccessToken;

impl Modify for PersonalAccessToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some("A personal access token (itp_…) of an admin.".into());
        components.add_security_scheme("personal_access_token", SecurityScheme::Http(bearer));
        let mut key = Http::new(HttpAuthScheme::Bearer);
        key.description =
            Some("An integration's API key (itk_…), shown once when generated.".into());
        components.add_security_scheme("integration_key", SecurityScheme::Http(key));
        let mut link = Http::new(HttpAuthScheme::Bearer);
        link.description =
            Some("A Cloud Link client's credential (itl_…), given once when it pairs.".into());
        components.add_security_scheme("cloud_link_credential", SecurityScheme::Http(link));
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
