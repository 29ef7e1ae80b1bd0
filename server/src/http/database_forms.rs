//! The database settings form's plain post, the same with and without
//! JavaScript: *Save* keeps the settings and goes back to the integration
//! page; *Test connection* queues the client's `SELECT 1` and shows the
//! form again, following the job. A refusal shows the form again with its
//! draft and why — the draft in the address, never the password.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use chrono::Utc;
use domain::{
    database::{
        form::SettingsForm,
        service::{self, DatabaseError},
    },
    integration::IntegrationId,
    integrations::IntegrationError,
};
use serde::Deserialize;

use super::{csv_forms::FormActor, AppState};

/// The longest draft carried in an address; a longer one (a very long
/// query) is not carried, and the form shows the saved settings.
const MAX_DRAFT_CHARS: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/account/integrations/{id}/database", post(submit))
}

#[derive(Deserialize)]
struct Submitted {
    /// `save` or `test`.
    #[serde(default)]
    intent: String,
    #[serde(flatten)]
    form: SettingsForm,
}

/// The stable code the page translates for `error`.
pub fn error_code(error: &DatabaseError) -> &'static str {
    match error {
        DatabaseError::Integration(IntegrationError::Forbidden) => "forbidden",
        DatabaseError::Integration(IntegrationError::NotFound) => "not_found",
        DatabaseError::Integration(IntegrationError::Stale) => "stale",
        DatabaseError::Integration(_) => "internal",
        DatabaseError::NotDatabase => "not_database",
        DatabaseError::NoSettings => "no_settings",
        DatabaseError::Deleted => "deleted",
        DatabaseError::Invalid(_) => "invalid",
        DatabaseError::NotCarried(_) => "not_carried",
        DatabaseError::PasswordLost => "password_lost",
        DatabaseError::NotConnected => "not_connected",
        DatabaseError::Busy => "busy",
    }
}

async fn submit(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(submitted): Form<Submitted>,
) -> Response {
    let document = submitted.form.document();
    let store = state.store.as_ref();
    let sealer = state.sealer.as_ref();
    let integration = IntegrationId(id);
    let form_page = format!("/account/integrations/{id}/database");
    // What the form shows next: the draft, and whether a typed password
    // must be typed again (it is never carried).
    let draft = |outcome: (&str, &str)| {
        let mut pairs = vec![outcome];
        if !submitted.form.password.is_empty() {
            pairs.push(("password_typed", "1"));
        }
        let mut query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        let draft = serde_urlencoded::to_string(&submitted.form).unwrap_or_default();
        if draft.len() <= MAX_DRAFT_CHARS {
            query.push_str("&draft=1&");
            query.push_str(&draft);
        }
        format!("{form_page}?{query}")
    };
    let to = if submitted.intent == "test" {
        match service::test_connection(store, sealer, &actor, integration, &document, Utc::now())
            .await
        {
            Ok(job) => draft(("test", &job.0.to_string())),
            Err(error) => draft(("error", error_code(&error))),
        }
    } else {
        match service::save(store, sealer, &actor, integration, &document).await {
            Ok(_) => format!("/account/integrations/{id}?notice=database_saved"),
            Err(error) => draft(("error", error_code(&error))),
        }
    };
    Redirect::to(&to).into_response()
}
