//! Receiving one ingestion request: who may write where, idempotent
//! retries, held data while paused, and the import record every request
//! leaves behind.

use chrono::{DateTime, Utc};

use super::{
    parse_agent_statuses, parse_contact_events, wire::ReadError, AgentStatusBatch,
    AgentStatusesBody, ContactBatch, ContactEventsBody, Feed, Limits, Problem, Rejected,
};
use crate::{
    actor::Actor,
    integration::{Integration, IntegrationId, IntegrationKind, Status},
    store::{Store, StoreError},
    AccountId,
};

/// Who sent a request.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An integration's API key: it may write to that integration only.
    IntegrationKey(IntegrationId),
    /// A personal access token: its user's account's API integrations,
    /// if the user is an admin.
    Token(Actor),
}

/// What became of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// Received while paused; applied in arrival order on resume.
    Held,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Held => "held",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "applied" => Some(Self::Applied),
            "held" => Some(Self::Held),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// One import as the history shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    pub id: i64,
    pub integration: IntegrationId,
    pub feed: Feed,
    pub outcome: Outcome,
    /// Whether the first answer said "held" (it stays the answer to a
    /// retry even after the data has been applied).
    pub was_held: bool,
    pub received_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub items: i64,
    pub new_queues: i64,
    pub error_count: i64,
    pub error_summary: Option<String>,
    pub request_hash: Option<Vec<u8>>,
    /// The CSV file it was read from.
    pub file_name: Option<String>,
}

/// Checked data, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportData {
    Contacts(ContactBatch),
    AgentStatuses(AgentStatusBatch),
}

/// A body of either feed as read off the wire (`super::wire`), not yet
/// checked.
#[derive(Debug)]
pub enum WireBody<'a> {
    Contacts(ContactEventsBody<'a>),
    AgentStatuses(AgentStatusesBody<'a>),
}

impl<'a> WireBody<'a> {
    /// Reads `json` as a body of `feed`. Only broken JSON and more items
    /// than the limit fail here; everything else is for the checks to
    /// report.
    pub fn read(feed: Feed, json: &'a str, limits: Limits) -> Result<Self, ReadError> {
        Ok(match feed {
            Feed::ContactEvents => Self::Contacts(ContactEventsBody::read(json, limits.max_items)?),
            Feed::AgentStatuses => {
                Self::AgentStatuses(AgentStatusesBody::read(json, limits.max_items)?)
            }
        })
    }

    pub fn feed(&self) -> Feed {
        match self {
            Self::Contacts(_) => Feed::ContactEvents,
            Self::AgentStatuses(_) => Feed::AgentStatuses,
        }
    }

    /// The integration the body names.
    pub fn target(&self) -> Result<IntegrationId, Problem> {
        match self {
            Self::Contacts(body) => super::target_of(body),
            Self::AgentStatuses(body) => super::target_of(body),
        }
    }
}

impl ImportData {
    pub fn parse(body: &WireBody<'_>, limits: Limits) -> Result<Self, Rejected> {
        match body {
            WireBody::Contacts(body) => parse_contact_events(body, limits).map(Self::Contacts),
            WireBody::AgentStatuses(body) => {
                parse_agent_statuses(body, limits).map(Self::AgentStatuses)
            }
        }
    }

    /// Reads and checks a kept body again (held imports): `None` when it
    /// no longer passes.
    pub fn reread(feed: Feed, json: &str) -> Option<Self> {
        let body = WireBody::read(feed, json, Limits::UNBOUNDED).ok()?;
        Self::parse(&body, Limits::UNBOUNDED).ok()
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Contacts(batch) => batch.events.len(),
            Self::AgentStatuses(batch) => batch.statuses.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An accepted request as the store receives it.
#[derive(Debug)]
pub struct NewImport<'a> {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub feed: Feed,
    /// The body exactly as received, kept append-only.
    pub payload: &'a str,
    pub idempotency: Option<Idempotency>,
    pub data: &'a ImportData,
    /// What the integration may accumulate, checked under its lock.
    pub caps: super::Caps,
}

/// An `Idempotency-Key` and the hash of the body it was first sent with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    pub key: String,
    pub request_hash: Vec<u8>,
}

/// Why the store did not take an import.
#[derive(Debug, thiserror::Error)]
pub enum StoreImportError {
    #[error("the integration was deleted")]
    Deleted,
    /// Files are not held: they wait for the integration to run again.
    #[error("the integration is paused")]
    Paused,
    #[error("another request with this idempotency key came first")]
    DuplicateKey,
    #[error("the integration would have more than {cap} queues")]
    TooManyQueues { cap: u64 },
    #[error("the integration holds {cap} requests already")]
    HeldFull { cap: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("this credential may not write to that integration")]
    Forbidden,
    #[error("the integration was deleted; its data is kept but it takes no more")]
    Deleted,
    #[error("this Idempotency-Key was used with a different body")]
    IdempotencyKeyReused,
    #[error("the integration does not carry {}", .0.as_str())]
    FeedNotCarried(Feed),
    #[error("the integration would have more than {cap} queues")]
    TooManyQueues { cap: u64 },
    #[error("the integration is paused and holds {cap} requests, the most it may")]
    HeldFull { cap: u64 },
    #[error("the request has problems")]
    Rejected(Rejected),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The answer to an accepted request.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub import: ImportRecord,
    /// True when this is a retry answered from the first request.
    pub replayed: bool,
}

/// A request as the HTTP edge hands it over: the body already read as JSON.
#[derive(Debug)]
pub struct Request<'a> {
    /// The body exactly as received.
    pub payload: &'a str,
    pub body: &'a WireBody<'a>,
    pub idempotency: Option<Idempotency>,
    pub limits: Limits,
}

/// May `credential` write to `integration`?
pub fn authorize(
    credential: &Credential,
    account: AccountId,
    integration: &Integration,
) -> Result<(), IngestError> {
    let allowed = match credential {
        Credential::IntegrationKey(id) => *id == integration.id,
        Credential::Token(actor) => {
            actor.account_id == account
                && actor.role.may_manage_integrations()
                && integration.kind == IntegrationKind::Api
        }
    };
    if !allowed {
        return Err(IngestError::Forbidden);
    }
    if integration.status == Status::Deleted {
        return Err(IngestError::Deleted);
    }
    Ok(())
}

/// Whether the integration was set up to carry this kind of data.
pub fn carries(integration: &Integration, feed: Feed) -> bool {
    match feed {
        Feed::ContactEvents => integration.data_types.contacts(),
        Feed::AgentStatuses => integration.data_types.agent_statuses(),
    }
}

/// Receives one request: every step of DESIGN §3 in order.
pub async fn receive(
    store: &dyn Store,
    credential: &Credential,
    request: Request<'_>,
) -> Result<Accepted, IngestError> {
    let feed = request.body.feed();
    let parsed = ImportData::parse(request.body, request.limits);
    let target = match request.body.target() {
        Ok(target) => target,
        // Without a valid integration id there is nowhere to record it.
        Err(problem) => return Err(IngestError::Rejected(rejection(parsed, problem))),
    };
    let (account, integration) = store
        .ingest_target(target)
        .await?
        .ok_or(IngestError::Forbidden)?;
    authorize(credential, account, &integration)?;
    if !carries(&integration, feed) {
        return Err(IngestError::FeedNotCarried(feed));
    }

    if let Some(idempotency) = &request.idempotency {
        if let Some(first) = replay(store, target, feed, idempotency).await? {
            return Ok(first);
        }
    }

    let data = match parsed {
        Ok(data) => data,
        Err(rejected) => {
            store
                .record_rejected_import(account, target, feed, &rejected)
                .await?;
            return Err(IngestError::Rejected(rejected));
        }
    };
    let new = NewImport {
        account,
        integration: target,
        feed,
        payload: request.payload,
        idempotency: request.idempotency.clone(),
        data: &data,
        caps: request.limits.caps,
    };
    match store.store_import(&new).await {
        Ok(import) => {
            if let (false, ImportData::AgentStatuses(batch)) = (import.was_held, &data) {
                store
                    .workforce()
                    .announce(crate::workforce::intraday::Change::Agents {
                        account,
                        integration: target,
                        agents: batch.agents(),
                    })
                    .await;
            }
            Ok(Accepted {
                import,
                replayed: false,
            })
        }
        Err(StoreImportError::Deleted) => Err(IngestError::Deleted),
        Err(StoreImportError::TooManyQueues { cap }) => Err(IngestError::TooManyQueues { cap }),
        Err(StoreImportError::HeldFull { cap }) => Err(IngestError::HeldFull { cap }),
        Err(StoreImportError::Store(error)) => Err(IngestError::Store(error)),
        // Pushed data is held while paused, never refused for it.
        Err(StoreImportError::Paused) => Err(IngestError::Store(StoreError::new(HeldNotPaused))),
        // A concurrent retry won the race: answer as it was answered.
        Err(StoreImportError::DuplicateKey) => {
            let vanished = || IngestError::Store(StoreError::new(VanishedImport));
            let idempotency = request.idempotency.as_ref().ok_or_else(vanished)?;
            replay(store, target, feed, idempotency)
                .await?
                .ok_or_else(vanished)
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the store refused pushed data as paused rather than holding it")]
struct HeldNotPaused;

#[derive(Debug, thiserror::Error)]
#[error("an import with this idempotency key was reported but cannot be read")]
struct VanishedImport;

/// The first answer to an earlier request with the same key, if any. A
/// key names one request: the same body sent to the other endpoint is
/// another request, so it is a reuse too, never the other endpoint's answer.
async fn replay(
    store: &dyn Store,
    integration: IntegrationId,
    feed: Feed,
    idempotency: &Idempotency,
) -> Result<Option<Accepted>, IngestError> {
    let Some(first) = store
        .import_by_idempotency_key(integration, &idempotency.key)
        .await?
    else {
        return Ok(None);
    };
    if first.feed != feed
        || first.request_hash.as_deref() != Some(idempotency.request_hash.as_slice())
    {
        return Err(IngestError::IdempotencyKeyReused);
    }
    Ok(Some(Accepted {
        import: first,
        replayed: true,
    }))
}

fn rejection(parsed: Result<ImportData, Rejected>, target: Problem) -> Rejected {
    match parsed {
        Err(rejected) => rejected,
        Ok(_) => Rejected::new(vec![target]),
    }
}
