//! The CSV pages' plain form posts, which work the same with and without
//! JavaScript: a sample for the designer and a file to import, sent as
//! `multipart/form-data`, and the designer's schema. Each answers with a
//! redirect to the page that shows the outcome (post, redirect, get).

use app::session::USER_ID_KEY;
use axum::{
    extract::{DefaultBodyLimit, FromRequestParts, Multipart, Path, RawQuery, State},
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use chrono::Utc;
use domain::{
    actor::Actor,
    csv::{
        designer::SchemaForm,
        schema::{FileRefused, MAX_FILE_BYTES},
        service::{self, CsvError, UploadPurpose},
    },
    integration::IntegrationId,
    integrations::IntegrationError,
    UserId,
};
use tower_sessions::Session;

use super::{api::extract::UploadPermit, AppState};

/// Room for the multipart framing around a file of the largest size.
const FORM_OVERHEAD: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/integrations/{id}/csv/sample", post(sample))
        .route("/account/integrations/{id}/csv/files", post(file))
        .route("/account/integrations/{id}/csv/schema", post(save))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + FORM_OVERHEAD))
}

/// The signed-in user of a plain form post, or a redirect to sign in.
/// An extractor of the request's head: handlers take it before their body,
/// so a post without a session is answered before its body is read.
pub(super) struct FormActor(pub Actor);

impl FromRequestParts<AppState> for FormActor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| Redirect::to("/login").into_response())?;
        actor(state, &session).await.map(FormActor)
    }
}

async fn actor(state: &AppState, session: &Session) -> Result<Actor, Response> {
    let signed_out = || Redirect::to("/login").into_response();
    let user_id = session
        .get::<i64>(USER_ID_KEY)
        .await
        .ok()
        .flatten()
        .ok_or_else(signed_out)?;
    match state.store.user(UserId(user_id)).await {
        Ok(Some(user)) => Ok(Actor {
            user_id: user.id,
            account_id: user.account_id,
            role: user.role,
            email: user.email,
        }),
        Ok(None) => Err(signed_out()),
        Err(error) => {
            tracing::error!(?error, "cannot load the signed-in user");
            Err(Redirect::to("/login").into_response())
        }
    }
}

/// The stable code a page translates for `error`.
pub fn error_code(error: &CsvError) -> &'static str {
    match error {
        CsvError::Integration(IntegrationError::Forbidden) => "forbidden",
        CsvError::Integration(IntegrationError::NotFound) => "not_found",
        CsvError::Integration(IntegrationError::Stale) => "stale",
        CsvError::Integration(_) => "internal",
        CsvError::NotCsv => "not_csv",
        CsvError::NoSchema => "no_schema",
        CsvError::Invalid(_) | CsvError::InvalidForm(_) => "invalid_schema",
        CsvError::LayoutFixed => "layout_fixed",
        CsvError::NotCarried(_) => "not_carried",
        CsvError::Paused => "paused",
        CsvError::Deleted => "deleted",
        CsvError::TooManyQueues { .. } => "too_many_queues",
        CsvError::NoSuchUpload => "no_upload",
        CsvError::Refused(FileRefused::TooLarge) => "too_large",
        CsvError::Refused(_) => "refused",
        CsvError::Sandbox(_) => "internal",
    }
}

fn with_query(path: &str, query: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    format!("{path}?{query}")
}

/// The `file` field's name and content, at most `max` bytes.
pub(super) async fn file_field(
    mut form: Multipart,
    max: usize,
) -> Result<(String, Vec<u8>), &'static str> {
    while let Ok(Some(mut field)) = form.next_field().await {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload.csv").to_owned();
        let mut content = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if content.len() + chunk.len() > max {
                        return Err("too_large");
                    }
                    content.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(_) => return Err("unreadable"),
            }
        }
        if name.is_empty() && content.is_empty() {
            return Err("no_file");
        }
        return Ok((name, content));
    }
    Err("no_file")
}

pub(super) type FormUpload = Result<Multipart, axum::extract::multipart::MultipartRejection>;

/// Keeps the form's file for `purpose`: its upload id, or the code of
/// why not.
async fn keep(
    state: &AppState,
    actor: &Actor,
    id: i64,
    purpose: UploadPurpose,
    form: FormUpload,
) -> Result<i64, &'static str> {
    let _permit = UploadPermit::try_take(state).map_err(|_| "busy")?;
    let (name, content) = file_field(form.map_err(|_| "no_file")?, MAX_FILE_BYTES).await?;
    service::keep_upload(
        state.store.as_ref(),
        actor,
        IntegrationId(id),
        purpose,
        &name,
        &content,
        Utc::now(),
    )
    .await
    .map_err(|error| error_code(&error))
}

/// A sample for the designer: kept, then the designer with the same draft.
async fn sample(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
    form: FormUpload,
) -> Response {
    let designer = format!("/account/integrations/{id}/csv");
    // The draft without an earlier failure's reason.
    let draft = query.map_or_else(String::new, |query| {
        query
            .split('&')
            .filter(|pair| !pair.starts_with("error="))
            .collect::<Vec<_>>()
            .join("&")
    });
    let to = match keep(&state, &actor, id, UploadPurpose::Sample, form).await {
        Ok(_) if draft.is_empty() => designer,
        Ok(_) => format!("{designer}?{draft}"),
        Err(code) if draft.is_empty() => with_query(&designer, &[("error", code)]),
        Err(code) => format!("{}&{draft}", with_query(&designer, &[("error", code)])),
    };
    Redirect::to(&to).into_response()
}

/// A file to import: kept, then its preview with *Apply*.
async fn file(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    form: FormUpload,
) -> Response {
    let page = format!("/account/integrations/{id}");
    let to = match keep(&state, &actor, id, UploadPurpose::File, form).await {
        Ok(upload) => format!("{page}/csv/files/{upload}"),
        Err(code) => with_query(&page, &[("csv_error", code)]),
    };
    Redirect::to(&to).into_response()
}

/// The designer's schema: saved, then the integration page; refused, the
/// designer again with the draft and why.
async fn save(
    State(state): State<AppState>,
    FormActor(actor): FormActor,
    Path(id): Path<i64>,
    Form(form): Form<SchemaForm>,
) -> Response {
    match service::save_form(state.store.as_ref(), &actor, IntegrationId(id), &form).await {
        Ok(_) => Redirect::to(&with_query(
            &format!("/account/integrations/{id}"),
            &[("notice", "schema_saved")],
        ))
        .into_response(),
        Err(error) => {
            let draft = serde_urlencoded::to_string(&form).unwrap_or_default();
            let code = error_code(&error);
            Redirect::to(&format!(
                "/account/integrations/{id}/csv?error={code}&{draft}"
            ))
            .into_response()
        }
    }
}
