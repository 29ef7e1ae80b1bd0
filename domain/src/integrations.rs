//! The integration rules as services: the pages, the management API and
//! later Cloud Link all call these, so each rule exists once.

use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    integration::{
        check_name_is_free, DataTypes, Integration, IntegrationId, IntegrationKind,
        IntegrationName, IntervalLength, Status, TransitionError,
    },
    secret::{ApiKeyInfo, NewSecret},
    store::{Store, StoreError},
};

/// What creating an integration needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntegration {
    pub name: IntegrationName,
    pub kind: IntegrationKind,
    pub interval: IntervalLength,
    pub data_types: DataTypes,
}

/// An edit: each field left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrationChanges {
    pub name: Option<IntegrationName>,
    pub interval: Option<IntervalLength>,
    pub data_types: Option<DataTypes>,
}

#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    #[error("only admins may change integrations")]
    Forbidden,
    #[error("there is no such integration")]
    NotFound,
    #[error("another integration is already called this; duplicates confuse planners")]
    DuplicateName { existing: IntegrationId },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("only API integrations have an API key")]
    NotApi,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn require_admin(actor: &Actor) -> Result<(), IntegrationError> {
    if actor.role.may_manage_integrations() {
        Ok(())
    } else {
        Err(IntegrationError::Forbidden)
    }
}

fn entry(actor: &Actor, action: AuditAction, integration: &Integration) -> AuditEntry {
    AuditEntry {
        actor: actor.user_id,
        action,
        subject: integration.name.to_string(),
        integration: Some(integration.id),
    }
}

/// The account's integrations, newest first; deleted ones only on request.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    include_deleted: bool,
) -> Result<Vec<Integration>, IntegrationError> {
    Ok(store
        .integrations(actor.account_id, include_deleted)
        .await?)
}

/// One integration of the actor's account; another account's is `NotFound`,
/// never `Forbidden`, so its existence is not revealed.
pub async fn get(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Integration, IntegrationError> {
    store
        .integration(actor.account_id, id)
        .await?
        .ok_or(IntegrationError::NotFound)
}

async fn ensure_name_is_free(
    store: &dyn Store,
    actor: &Actor,
    name: &IntegrationName,
    except: Option<IntegrationId>,
    allow_duplicate: bool,
) -> Result<(), IntegrationError> {
    let existing = store.integration_names(actor.account_id).await?;
    check_name_is_free(&existing, name, except, allow_duplicate)
        .map_err(|existing| IntegrationError::DuplicateName { existing })
}

pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    new: NewIntegration,
    allow_duplicate: bool,
) -> Result<Integration, IntegrationError> {
    require_admin(actor)?;
    ensure_name_is_free(store, actor, &new.name, None, allow_duplicate).await?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::IntegrationCreated,
        subject: new.name.to_string(),
        integration: None,
    };
    Ok(store
        .insert_integration(actor.account_id, &new, new.kind.initial_status(), &audit)
        .await?)
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    changes: IntegrationChanges,
    allow_duplicate: bool,
) -> Result<Integration, IntegrationError> {
    require_admin(actor)?;
    let mut integration = get(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(TransitionError::Deleted.into());
    }
    let renamed = changes
        .name
        .as_ref()
        .is_some_and(|name| *name != integration.name);
    if let Some(name) = changes.name.filter(|_| renamed) {
        ensure_name_is_free(store, actor, &name, Some(id), allow_duplicate).await?;
        integration.name = name;
    }
    integration.interval = changes.interval.unwrap_or(integration.interval);
    integration.data_types = changes.data_types.unwrap_or(integration.data_types);
    let action = if renamed {
        AuditAction::IntegrationRenamed
    } else {
        AuditAction::IntegrationUpdated
    };
    store
        .save_integration(
            actor.account_id,
            &integration,
            &entry(actor, action, &integration),
        )
        .await?;
    Ok(integration)
}

/// The FAQ's advice in one click: rename an integration to `<name>_old` so
/// its replacement can take the name.
pub async fn rename_to_old(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Integration, IntegrationError> {
    let current = get(store, actor, id).await?;
    let changes = IntegrationChanges {
        name: Some(current.name.with_old_suffix()),
        ..IntegrationChanges::default()
    };
    update(store, actor, id, changes, true).await
}

async fn transition(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    change: fn(Status) -> Result<Status, TransitionError>,
    action: AuditAction,
) -> Result<Integration, IntegrationError> {
    require_admin(actor)?;
    let mut integration = get(store, actor, id).await?;
    integration.status = change(integration.status)?;
    store
        .save_integration(
            actor.account_id,
            &integration,
            &entry(actor, action, &integration),
        )
        .await?;
    Ok(integration)
}

pub async fn pause(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Integration, IntegrationError> {
    transition(
        store,
        actor,
        id,
        Status::pause,
        AuditAction::IntegrationPaused,
    )
    .await
}

pub async fn resume(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Integration, IntegrationError> {
    transition(
        store,
        actor,
        id,
        Status::resume,
        AuditAction::IntegrationResumed,
    )
    .await
}

/// Soft delete: the data stays, the API key stops working at once.
pub async fn delete(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Integration, IntegrationError> {
    transition(
        store,
        actor,
        id,
        Status::delete,
        AuditAction::IntegrationDeleted,
    )
    .await
}

/// Replaces the integration's API key: the previous one stops working in
/// the same transaction.
pub async fn generate_api_key(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    secret: &NewSecret,
) -> Result<ApiKeyInfo, IntegrationError> {
    require_admin(actor)?;
    let integration = get(store, actor, id).await?;
    if integration.kind != IntegrationKind::Api {
        return Err(IntegrationError::NotApi);
    }
    if integration.status == Status::Deleted {
        return Err(TransitionError::Deleted.into());
    }
    let audit = entry(actor, AuditAction::ApiKeyGenerated, &integration);
    Ok(store
        .replace_api_key(actor.account_id, id, secret, &audit)
        .await?)
}

pub async fn api_key(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Option<ApiKeyInfo>, IntegrationError> {
    get(store, actor, id).await?;
    Ok(store.api_key(id).await?)
}
