//! The integration rules as services: the pages, the management API and
//! later Cloud Link all call these, so each rule exists once.

use chrono::{DateTime, Utc};

use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    cloud_link::{Link, Pin, PinEntryPolicy, PinError, PinRefused},
    ingest::replay,
    integration::{
        check_name_is_free, DataTypes, Integration, IntegrationId, IntegrationKind,
        IntegrationName, IntervalLength, Status, TransitionError,
    },
    secret::{ApiKeyInfo, NewSecret},
    store::{Store, StoreError, WriteError},
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
    #[error("the integration was changed by someone else meanwhile; reload it and try again")]
    Stale,
    #[error("only on-premise, CSV and database integrations connect through Cloud Link")]
    NotCloudLink,
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error(transparent)]
    PinRefused(#[from] PinRefused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<WriteError> for IntegrationError {
    fn from(error: WriteError) -> Self {
        match error {
            WriteError::Stale => Self::Stale,
            WriteError::Store(store) => Self::Store(store),
        }
    }
}

pub(crate) fn require_admin(actor: &Actor) -> Result<(), IntegrationError> {
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
    judged_again_when_stale(|| update_once(store, actor, id, changes.clone(), allow_duplicate))
        .await
}

/// One read, change and conditional write of `update`.
async fn update_once(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    changes: IntegrationChanges,
    allow_duplicate: bool,
) -> Result<Integration, IntegrationError> {
    let mut integration = get(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(TransitionError::Deleted.into());
    }
    let read_as = integration.status;
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
            read_as,
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
    judged_again_when_stale(|| async {
        let mut integration = get(store, actor, id).await?;
        let read_as = integration.status;
        integration.status = change(read_as)?;
        let audit = entry(actor, action, &integration);
        store
            .save_integration(actor.account_id, &integration, read_as, &audit)
            .await?;
        Ok(integration)
    })
    .await
}

/// How often a change is judged again when a racing request keeps
/// changing the integration under it.
const MAX_TRIES: usize = 4;

/// Runs a read-change-write `attempt` again while its write finds the
/// integration changed since the read: a change is an intent about the
/// current state, so it is judged again against the new one.
async fn judged_again_when_stale<Fut>(
    mut attempt: impl FnMut() -> Fut,
) -> Result<Integration, IntegrationError>
where
    Fut: std::future::Future<Output = Result<Integration, IntegrationError>>,
{
    for _ in 0..MAX_TRIES {
        match attempt().await {
            Err(IntegrationError::Stale) => continue,
            done => return done,
        }
    }
    Err(IntegrationError::Stale)
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

/// Resumes a paused integration: it is `Resuming` until what was held has
/// been applied (`ingest::replay`). A small backlog is applied before the
/// answer, so the integration comes back active; a large one goes on in
/// the background and the integration shows it is catching up.
pub async fn resume(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    budget: replay::Budget,
    now: DateTime<Utc>,
) -> Result<Integration, IntegrationError> {
    let paused = get(store, actor, id).await?;
    transition(
        store,
        actor,
        id,
        Status::resume,
        AuditAction::IntegrationResumed,
    )
    .await?;
    let paused_at = paused
        .paused_at
        .as_deref()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok());
    if let (IntegrationKind::Database, Some(paused_at)) = (paused.kind, paused_at) {
        let paused_at = paused_at.with_timezone(&Utc);
        crate::database::service::resumed(store, id, paused_at, now).await?;
    }
    replay::catch_up(store, id, budget, STEPS_BEFORE_ANSWERING).await?;
    get(store, actor, id).await
}

/// Steps of catching up a resume takes before it answers (about half a
/// second of work at most); the rest is left to the background.
const STEPS_BEFORE_ANSWERING: u32 = 20;

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

/// Connects the Cloud Link client showing `typed_pin` to the integration:
/// the PIN is read before anything is looked up, and entered under the
/// limits of `policy` (`Store::enter_pin`). The client collects its
/// credential on its next poll; a client linked before stops at once.
pub async fn link_client(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    typed_pin: &str,
    policy: &PinEntryPolicy,
    now: DateTime<Utc>,
) -> Result<Link, IntegrationError> {
    require_admin(actor)?;
    let pin = Pin::parse(typed_pin)?;
    let integration = get(store, actor, id).await?;
    if !integration.kind.needs_cloud_link() {
        return Err(IntegrationError::NotCloudLink);
    }
    if integration.status == Status::Deleted {
        return Err(TransitionError::Deleted.into());
    }
    let audit = entry(actor, AuditAction::CloudLinkPaired, &integration);
    Ok(store
        .enter_pin(actor, id, &pin, policy, &audit, now)
        .await??)
}

/// The client linked to the integration, if any.
pub async fn link(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Option<Link>, IntegrationError> {
    get(store, actor, id).await?;
    Ok(store.link(id).await?)
}

/// Disconnects the integration's Cloud Link client: its credential stops
/// at once. Idempotent, as a delete is: with no client connected there is
/// nothing to do (and nothing audited); `true` when one was disconnected.
pub async fn unlink_client(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<bool, IntegrationError> {
    require_admin(actor)?;
    let integration = get(store, actor, id).await?;
    let audit = entry(actor, AuditAction::CloudLinkDisconnected, &integration);
    Ok(store.unlink(actor.account_id, id, &audit).await?)
}

/// How many requests the integration holds: received while paused, or
/// while catching up, and not applied yet.
pub async fn held_imports(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<u64, IntegrationError> {
    get(store, actor, id).await?;
    Ok(store.held_imports(id).await?)
}

pub async fn api_key(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Option<ApiKeyInfo>, IntegrationError> {
    get(store, actor, id).await?;
    Ok(store.api_key(id).await?)
}
