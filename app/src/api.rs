//! The server functions behind the integration pages. Each one checks the
//! session, parses input into `domain` types and calls a `domain` service;
//! the rules themselves live there.

use domain::{integration::Integration, secret::ApiKeyInfo};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The overview: the account's integrations and whether the viewer may
/// change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub can_manage: bool,
    pub integrations: Vec<Integration>,
}

/// One integration for its edit page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    pub can_manage: bool,
    pub integration: Integration,
    pub api_key: Option<ApiKeyInfo>,
    /// Requests held while paused and not applied yet.
    pub held_imports: u64,
    /// The Cloud Link client paired with it (Cloud Link kinds only).
    pub link: Option<LinkView>,
    /// The client's downloads (Cloud Link kinds; empty when this build
    /// has none).
    pub downloads: Vec<DownloadView>,
    /// The CSV schema's state (CSV integrations only).
    pub csv: Option<CsvSummary>,
    /// The database settings as the page summarises them (database
    /// integrations, for admins: they say where the database is).
    pub database: Option<DatabaseSummary>,
}

/// A database integration's settings as its page summarises them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseSummary {
    /// The form's fields (never the password); `None` before the first save.
    pub settings: Option<domain::database::form::SettingsForm>,
    /// RFC 3339.
    pub saved_at: Option<String>,
}

/// A CSV integration's schema as its page summarises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvSummary {
    /// `intervals`, `contacts` or `agentStatuses`, with the interval
    /// length; `None` before a schema is saved.
    pub layout: Option<(String, Option<u32>)>,
    /// RFC 3339.
    pub saved_at: Option<String>,
}

/// One download of the Cloud Link client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadView {
    /// `linux` or `windows`.
    pub platform: String,
    pub href: String,
    pub file_name: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// A paired Cloud Link client, for the integration's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub host: String,
    pub version: String,
    pub os: String,
    /// RFC 3339.
    pub last_contact: String,
    /// Whether the client has collected its credential since the PIN was
    /// entered.
    pub connected: bool,
    /// Not heard of for over three claim periods.
    pub quiet: bool,
}

/// A key just generated: shown once, never again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneratedKey {
    pub key: String,
    pub created_at: String,
}

#[cfg(feature = "ssr")]
pub(crate) use server::store;

#[cfg(feature = "ssr")]
mod server {
    use std::sync::Arc;

    use domain::{
        integration::{DataTypes, IntegrationId, IntegrationName, IntervalLength},
        store::Store,
        text::NameError,
    };
    use leptos::prelude::*;

    use crate::{context::ServerContext, error::AppError};

    pub fn store() -> Arc<dyn Store> {
        expect_context::<ServerContext>().store
    }

    pub fn sandbox() -> Arc<dyn domain::csv::query::QuerySandbox> {
        expect_context::<ServerContext>().sandbox
    }

    pub fn name(raw: &str) -> Result<IntegrationName, AppError> {
        IntegrationName::parse(raw).map_err(|error| AppError::Invalid {
            field: "name".into(),
            code: match error {
                NameError::Empty => "name_empty",
                NameError::TooLong(_) => "name_too_long",
                NameError::ControlCharacter => "name_control",
            }
            .into(),
        })
    }

    pub fn interval(minutes: u32) -> Result<IntervalLength, AppError> {
        IntervalLength::try_from(minutes).map_err(|_| AppError::Invalid {
            field: "interval".into(),
            code: "interval".into(),
        })
    }

    pub fn data_types(
        contacts: &Option<String>,
        agent_statuses: &Option<String>,
    ) -> Result<DataTypes, AppError> {
        DataTypes::new(contacts.is_some(), agent_statuses.is_some()).map_err(|_| {
            AppError::Invalid {
                field: "data_types".into(),
                code: "data_types".into(),
            }
        })
    }

    pub fn id(raw: i64) -> IntegrationId {
        IntegrationId(raw)
    }
}

#[server(prefix = "/_fn", endpoint = "integrations/list")]
pub async fn list_integrations(include_deleted: bool) -> Result<Overview, AppError> {
    let actor = crate::session::actor().await?;
    let integrations =
        domain::integrations::list(server::store().as_ref(), &actor, include_deleted).await?;
    Ok(Overview {
        can_manage: actor.role.may_manage_integrations(),
        integrations,
    })
}

#[server(prefix = "/_fn", endpoint = "integrations/detail")]
pub async fn integration_detail(id: i64) -> Result<Detail, AppError> {
    let actor = crate::session::actor().await?;
    let store = server::store();
    let integration = domain::integrations::get(store.as_ref(), &actor, server::id(id)).await?;
    let api_key = domain::integrations::api_key(store.as_ref(), &actor, server::id(id)).await?;
    let held_imports =
        domain::integrations::held_imports(store.as_ref(), &actor, server::id(id)).await?;
    let link = if integration.kind.needs_cloud_link() {
        domain::integrations::link(store.as_ref(), &actor, server::id(id))
            .await?
            .map(|link| LinkView {
                quiet: link.is_quiet(chrono::Utc::now()),
                host: link.client.host,
                version: link.client.version,
                os: link.client.os,
                last_contact: link
                    .last_contact_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                connected: link.collected,
            })
    } else {
        None
    };
    let downloads = if integration.kind.needs_cloud_link() {
        let headers: Option<http::HeaderMap> = leptos_axum::extract().await.ok();
        let host = headers
            .as_ref()
            .and_then(|headers| headers.get(http::header::HOST))
            .and_then(|host| host.to_str().ok())
            .map(str::to_owned);
        expect_context::<crate::context::ServerContext>()
            .downloads
            .list(host)
            .await
    } else {
        Vec::new()
    };
    let csv = if integration.kind == domain::integration::IntegrationKind::Csv {
        let saved = domain::csv::service::schema(store.as_ref(), &actor, server::id(id)).await?;
        Some(CsvSummary {
            layout: saved.as_ref().map(|saved| {
                let document = domain::csv::document::SchemaDocument::from(&saved.schema);
                (document.layout, document.interval_minutes)
            }),
            saved_at: saved.map(|saved| {
                saved
                    .saved_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }),
        })
    } else {
        None
    };
    let database = if integration.kind == domain::integration::IntegrationKind::Database
        && actor.role.may_manage_integrations()
    {
        let saved =
            match domain::database::service::settings(store.as_ref(), &actor, server::id(id)).await
            {
                Ok(saved) => Some(saved),
                Err(domain::database::service::DatabaseError::NoSettings) => None,
                Err(error) => return Err(error.into()),
            };
        Some(DatabaseSummary {
            settings: saved
                .as_ref()
                .map(|saved| domain::database::form::SettingsForm::of(&saved.kept.settings)),
            saved_at: saved.map(|saved| {
                saved
                    .saved_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            }),
        })
    } else {
        None
    };
    Ok(Detail {
        can_manage: actor.role.may_manage_integrations(),
        integration,
        api_key,
        held_imports,
        link,
        downloads,
        csv,
        database,
    })
}

/// What the CSV schema designer shows for the draft in the page's query
/// (`draft`), or for the saved schema when the query holds none.
#[server(prefix = "/_fn", endpoint = "integrations/csv/design")]
pub async fn csv_design(id: i64, draft: String) -> Result<domain::csv::designer::Design, AppError> {
    let actor = crate::session::actor().await?;
    let draft = draft.trim_start_matches('?');
    let form = draft
        .split('&')
        .any(|pair| pair.starts_with("layout="))
        .then(|| serde_urlencoded::from_str::<domain::csv::designer::SchemaForm>(draft).ok())
        .flatten();
    Ok(domain::csv::service::design(
        server::store().as_ref(),
        &actor,
        server::id(id),
        form,
        server::sandbox().as_ref(),
        chrono::Utc::now(),
    )
    .await?)
}

/// What the database settings form shows: the draft in the page's query
/// after a refusal (`draft=1&…`), else the saved settings; and the *Test
/// connection* job in `test`, if any.
#[server(prefix = "/_fn", endpoint = "integrations/database/form")]
pub async fn database_form(
    id: i64,
    search: String,
) -> Result<domain::database::service::FormView, AppError> {
    let actor = crate::session::actor().await?;
    let search = search.trim_start_matches('?');
    let draft = search
        .split('&')
        .any(|pair| pair == "draft=1")
        .then(|| serde_urlencoded::from_str::<domain::database::form::SettingsForm>(search).ok())
        .flatten();
    let test = search
        .split('&')
        .find_map(|pair| pair.strip_prefix("test="))
        .and_then(|job| job.parse::<i64>().ok())
        .map(domain::cloud_link::job::JobId);
    Ok(domain::database::service::form_view(
        server::store().as_ref(),
        &actor,
        server::id(id),
        draft,
        test,
        chrono::Utc::now(),
    )
    .await?)
}

/// A file uploaded by hand, read with the saved schema, before *Apply*.
#[server(prefix = "/_fn", endpoint = "integrations/csv/upload")]
pub async fn csv_upload_preview(
    id: i64,
    upload: i64,
) -> Result<domain::csv::designer::UploadPreview, AppError> {
    let actor = crate::session::actor().await?;
    Ok(domain::csv::service::upload_preview(
        server::store().as_ref(),
        &actor,
        server::id(id),
        upload,
        server::sandbox().as_ref(),
        chrono::Utc::now(),
    )
    .await?)
}

/// Imports a file uploaded by hand, all or nothing, then shows the
/// integration with its import history.
#[server(prefix = "/_fn", endpoint = "integrations/csv/apply")]
pub async fn apply_csv_upload(id: i64, upload: i64) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    let context = expect_context::<crate::context::ServerContext>();
    let import = domain::csv::service::apply_upload(
        context.store.as_ref(),
        &actor,
        server::id(id),
        upload,
        domain::csv::service::Reading {
            sandbox: context.sandbox.as_ref(),
            caps: context.caps,
        },
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!(
        "/account/integrations/{id}?notice=imported&rows={}",
        import.items
    ));
    Ok(())
}

/// Connects the Cloud Link client showing `pin` to the integration.
#[server(prefix = "/_fn", endpoint = "integrations/link")]
pub async fn link_client(id: i64, pin: String) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    domain::integrations::link_client(
        server::store().as_ref(),
        &actor,
        server::id(id),
        &pin,
        &domain::cloud_link::PinEntryPolicy::default(),
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

/// Disconnects the integration's Cloud Link client: its credential stops
/// at once, and it shows a new PIN.
#[server(prefix = "/_fn", endpoint = "integrations/unlink")]
pub async fn unlink_client(id: i64) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    domain::integrations::unlink_client(server::store().as_ref(), &actor, server::id(id)).await?;
    Ok(())
}

#[server(prefix = "/_fn", endpoint = "integrations/pause")]
pub async fn pause_integration(id: i64) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    domain::integrations::pause(server::store().as_ref(), &actor, server::id(id)).await?;
    Ok(())
}

#[server(prefix = "/_fn", endpoint = "integrations/resume")]
pub async fn resume_integration(id: i64) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    let budget = expect_context::<crate::context::ServerContext>().catch_up;
    domain::integrations::resume(
        server::store().as_ref(),
        &actor,
        server::id(id),
        budget,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

#[server(prefix = "/_fn", endpoint = "integrations/delete")]
pub async fn delete_integration(id: i64) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    domain::integrations::delete(server::store().as_ref(), &actor, server::id(id)).await?;
    leptos_axum::redirect("/account/integrations");
    Ok(())
}

#[server(prefix = "/_fn", endpoint = "integrations/create")]
pub async fn create_integration(
    model: String,
    name: String,
    interval: u32,
    contacts: Option<String>,
    agent_statuses: Option<String>,
    allow_duplicate: Option<String>,
) -> Result<i64, AppError> {
    let actor = crate::session::actor().await?;
    let kind = domain::catalogue::model(&model)
        .ok_or(AppError::Invalid {
            field: "model".into(),
            code: "model".into(),
        })?
        .kind;
    let new = domain::integrations::NewIntegration {
        name: server::name(&name)?,
        kind,
        interval: server::interval(interval)?,
        data_types: server::data_types(&contacts, &agent_statuses)?,
    };
    let created = domain::integrations::create(
        server::store().as_ref(),
        &actor,
        new,
        allow_duplicate.is_some(),
    )
    .await?;
    leptos_axum::redirect(&format!("/account/integrations/{}", created.id));
    Ok(created.id.0)
}

#[server(prefix = "/_fn", endpoint = "integrations/update")]
pub async fn update_integration(
    id: i64,
    name: String,
    interval: u32,
    contacts: Option<String>,
    agent_statuses: Option<String>,
    allow_duplicate: Option<String>,
) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    let changes = domain::integrations::IntegrationChanges {
        name: Some(server::name(&name)?),
        interval: Some(server::interval(interval)?),
        data_types: Some(server::data_types(&contacts, &agent_statuses)?),
    };
    domain::integrations::update(
        server::store().as_ref(),
        &actor,
        server::id(id),
        changes,
        allow_duplicate.is_some(),
    )
    .await?;
    Ok(())
}

/// Renames another integration to `<name>_old`, the FAQ's advice before
/// replacing it.
#[server(prefix = "/_fn", endpoint = "integrations/rename-to-old")]
pub async fn rename_to_old(id: i64) -> Result<String, AppError> {
    let actor = crate::session::actor().await?;
    let renamed =
        domain::integrations::rename_to_old(server::store().as_ref(), &actor, server::id(id))
            .await?;
    Ok(renamed.name.to_string())
}

#[server(prefix = "/_fn", endpoint = "integrations/api-key")]
pub async fn generate_api_key(id: i64) -> Result<GeneratedKey, AppError> {
    let actor = crate::session::actor().await?;
    let context = expect_context::<crate::context::ServerContext>();
    let issued = context.secrets.api_key();
    let info = domain::integrations::generate_api_key(
        context.store.as_ref(),
        &actor,
        server::id(id),
        &issued.stored,
    )
    .await?;
    Ok(GeneratedKey {
        key: issued.secret,
        created_at: info.created_at,
    })
}

/// A personal access token just made: the secret is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub secret: String,
    pub token: domain::tokens::PersonalToken,
}

#[server(prefix = "/_fn", endpoint = "audit/page")]
pub async fn audit_page(page: u32) -> Result<domain::audit::AuditPage, AppError> {
    let actor = crate::session::actor().await?;
    domain::audit::page(server::store().as_ref(), &actor, page)
        .await
        .map_err(|error| match error {
            domain::audit::AuditError::Forbidden => AppError::Forbidden,
            domain::audit::AuditError::Store(store) => store.into(),
        })
}

#[server(prefix = "/_fn", endpoint = "tokens/list")]
pub async fn list_tokens() -> Result<Vec<domain::tokens::PersonalToken>, AppError> {
    let actor = crate::session::actor().await?;
    domain::tokens::list(server::store().as_ref(), &actor)
        .await
        .map_err(token_error)
}

#[server(prefix = "/_fn", endpoint = "tokens/create")]
pub async fn create_token(name: String, expires_in_days: String) -> Result<CreatedToken, AppError> {
    use domain::tokens::{Expiry, TokenName};
    let actor = crate::session::actor().await?;
    let name = TokenName::parse(&name).map_err(|_| AppError::Invalid {
        field: "name".into(),
        code: "name_empty".into(),
    })?;
    let expiry = match expires_in_days.trim() {
        "" | "never" => Expiry::NEVER,
        days => days
            .parse::<u32>()
            .ok()
            .and_then(|days| Expiry::days(days).ok())
            .ok_or(AppError::Invalid {
                field: "expires_in_days".into(),
                code: "expiry".into(),
            })?,
    };
    let context = expect_context::<crate::context::ServerContext>();
    let issued = context.secrets.personal_token();
    let token =
        domain::tokens::create(context.store.as_ref(), &actor, name, expiry, &issued.stored)
            .await
            .map_err(token_error)?;
    Ok(CreatedToken {
        secret: issued.secret,
        token,
    })
}

#[server(prefix = "/_fn", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let actor = crate::session::actor().await?;
    domain::tokens::revoke(server::store().as_ref(), &actor, id)
        .await
        .map_err(token_error)
}

#[cfg(feature = "ssr")]
fn token_error(error: domain::tokens::TokenError) -> AppError {
    match error {
        domain::tokens::TokenError::NotFound => AppError::NotFound,
        domain::tokens::TokenError::Store(store) => store.into(),
    }
}
