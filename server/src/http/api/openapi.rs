//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api/openapi.json`.

use axum::Json;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};

use super::{error, integrations, reads};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Intake management API",
        description = "Manage integrations with a personal access token (admins only). \
                       Every error uses the envelope {\"errors\":[{code, pointer, detail}]}."
    ),
    paths(
        integrations::list,
        integrations::create,
        integrations::get,
        integrations::update,
        integrations::delete,
        integrations::pause,
        integrations::resume,
        integrations::generate_api_key,
        reads::queues,
        reads::intervals,
        reads::imports,
        reads::agent_statuses,
    ),
    components(schemas(error::ErrorEnvelope, error::Problem)),
    modifiers(&PersonalAccessToken),
    tags(
        (name = "integrations", description = "Account › Integrations"),
        (name = "data", description = "What arrived: queues, interval statistics, imports, agent statuses (any role)")
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
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
