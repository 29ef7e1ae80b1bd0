//! What a database integration's admin does over the `Store`: read and
//! save its settings. The password is kept sealed with the server's key
//! ([`CredentialSealer`]) and never given back: a form shows only whether
//! one is set, and a save without one keeps it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DatabaseSettings, SettingsDocument, SettingsProblem};
use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    ingest::Feed,
    integration::{IntegrationId, IntegrationKind, Status},
    integrations::{self, IntegrationError},
    store::{Store, StoreError, WriteError},
};

/// Seals the credentials an admin enters with the server's key, and opens
/// them again (for the Cloud Link client, over TLS).
pub trait CredentialSealer: Send + Sync {
    fn seal(&self, secret: &str) -> String;
    /// `None` when sealed with a key the server no longer has.
    fn open(&self, sealed: &str) -> Option<String>;
}

/// The settings as kept: the document without its password, and the
/// password sealed (none when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptSettings {
    pub settings: SettingsDocument,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_password: Option<String>,
}

/// Settings as kept, with the version the next save replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDatabase {
    pub kept: KeptSettings,
    pub version: i64,
    pub saved_at: DateTime<Utc>,
}

impl StoredDatabase {
    pub fn password_set(&self) -> bool {
        self.kept.sealed_password.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    #[error("only database integrations have database settings")]
    NotDatabase,
    #[error("the integration has no database settings yet: save them first")]
    NoSettings,
    #[error("the integration was deleted; its data is kept but it takes no more")]
    Deleted,
    #[error("the settings have problems")]
    Invalid(Vec<SettingsProblem>),
    #[error("the integration does not carry {}", .0.as_str())]
    NotCarried(Feed),
    #[error("the saved password can no longer be read (the server's key changed): enter it again")]
    PasswordLost,
}

impl From<StoreError> for DatabaseError {
    fn from(error: StoreError) -> Self {
        Self::Integration(error.into())
    }
}

impl From<WriteError> for DatabaseError {
    fn from(error: WriteError) -> Self {
        Self::Integration(error.into())
    }
}

async fn database_integration(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<crate::integration::Integration, DatabaseError> {
    integrations::require_admin(actor)?;
    let integration = integrations::get(store, actor, id).await?;
    if integration.kind != IntegrationKind::Database {
        return Err(DatabaseError::NotDatabase);
    }
    Ok(integration)
}

/// The saved settings (admins only: they say where the database is).
pub async fn settings(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<StoredDatabase, DatabaseError> {
    database_integration(store, actor, id).await?;
    store
        .database_settings(id)
        .await?
        .ok_or(DatabaseError::NoSettings)
}

/// Saves the settings; a document without a password keeps the saved one.
/// Two admins saving at once: one wins, the other is told (`Stale`).
pub async fn save(
    store: &dyn Store,
    sealer: &dyn CredentialSealer,
    actor: &Actor,
    id: IntegrationId,
    document: &SettingsDocument,
) -> Result<StoredDatabase, DatabaseError> {
    let integration = database_integration(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(DatabaseError::Deleted);
    }
    let saved = store.database_settings(id).await?;
    // The saved password is opened only for a server connection that
    // keeps it: settings through ODBC need none.
    let keeps_password = document.password.is_none() && document.database_type != "odbc";
    let saved_password = match saved
        .as_ref()
        .and_then(|s| s.kept.sealed_password.as_deref())
    {
        Some(sealed) if keeps_password => {
            Some(sealer.open(sealed).ok_or(DatabaseError::PasswordLost)?)
        }
        _ => None,
    };
    let checked: DatabaseSettings = document
        .settings(saved_password.as_deref())
        .map_err(DatabaseError::Invalid)?;
    let feed = match checked.data {
        super::ImportData::AgentStatuses => Feed::AgentStatuses,
        super::ImportData::Intervals(_) | super::ImportData::Contacts => Feed::ContactEvents,
    };
    let carried = match feed {
        Feed::ContactEvents => integration.data_types.contacts(),
        Feed::AgentStatuses => integration.data_types.agent_statuses(),
    };
    if !carried {
        return Err(DatabaseError::NotCarried(feed));
    }
    let password = match &checked.connection {
        super::Connection::Server { password, .. } if !password.is_empty() => Some(password),
        _ => None,
    };
    let kept = KeptSettings {
        settings: SettingsDocument {
            password: None,
            ..document.clone()
        },
        sealed_password: password.map(|password| sealer.seal(password)),
    };
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::DatabaseSettingsSaved,
        subject: integration.name.to_string(),
        integration: Some(id),
    };
    let read_version = saved.map(|saved| saved.version);
    Ok(store
        .save_database_settings(actor.account_id, id, &kept, read_version, &audit)
        .await?)
}
