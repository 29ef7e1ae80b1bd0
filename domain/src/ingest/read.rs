//! What arrived, as planners and scripts read it back: queues, their
//! interval statistics, the import history and agent statuses. Any role of
//! the account may read; nothing crosses accounts.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::{receive::ImportRecord, roll_up, Channel, IntervalSeries};
use crate::{
    actor::Actor,
    integration::{Integration, IntegrationId},
    page::{Page, PageRequest},
    store::{Store, StoreError},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueId(pub i64);

/// A queue, created by the first contact event that named it.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub id: QueueId,
    pub integration: IntegrationId,
    pub integration_name: String,
    pub identifier: String,
    pub name: String,
    pub channel: Channel,
    pub first_data_at: DateTime<Utc>,
    pub last_data_at: DateTime<Utc>,
}

/// An agent status as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAgentStatus {
    pub agent: String,
    pub activity: String,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
    pub import_id: i64,
}

/// An external agent or activity id no mapping knows yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredId {
    pub kind: DiscoveredKind,
    pub external_id: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub seen_count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiscoveredKind {
    Agent,
    Activity,
}

impl DiscoveredKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Activity => "activity",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("there is no such queue or integration")]
    NotFound,
    #[error("from must be before to, and the range at most {max_days} days", max_days = MAX_RANGE_DAYS)]
    BadRange,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The longest range one read may ask for.
pub const MAX_RANGE_DAYS: i64 = 92;

/// A time range `[from, to)` that is in order and not too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Range {
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Self, ReadError> {
        if from < to && to - from <= chrono::Duration::days(MAX_RANGE_DAYS) {
            Ok(Self { from, to })
        } else {
            Err(ReadError::BadRange)
        }
    }
}

/// A page of the account's queues and how many there are.
pub async fn queues(
    store: &dyn Store,
    actor: &Actor,
    page: PageRequest,
) -> Result<(Vec<Queue>, u64), StoreError> {
    store.queues(actor.account_id, page).await
}

/// A queue's statistics in intervals of its integration's current length.
pub async fn intervals(
    store: &dyn Store,
    actor: &Actor,
    queue: QueueId,
    range: Range,
) -> Result<(Queue, Integration, IntervalSeries), ReadError> {
    let queue = store
        .queue(actor.account_id, queue)
        .await?
        .ok_or(ReadError::NotFound)?;
    let integration = store
        .integration(actor.account_id, queue.integration)
        .await?
        .ok_or(ReadError::NotFound)?;
    let base = store
        .interval_totals(queue.id, range.from, range.to)
        .await?;
    let rolled = roll_up(base, integration.interval);
    Ok((queue, integration, rolled))
}

/// A queue's statistics over whole UTC days: every interval of the range,
/// zeros included, so a chart shows quiet intervals as quiet.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueDays {
    pub queue: Queue,
    pub interval_minutes: u32,
    pub first_day: NaiveDate,
    pub days: u32,
    pub intervals: IntervalSeries,
}

/// `days` UTC days from `first_day`, or from the queue's last day with data
/// when no day is given.
pub async fn days(
    store: &dyn Store,
    actor: &Actor,
    queue: QueueId,
    first_day: Option<NaiveDate>,
    days: u32,
) -> Result<QueueDays, ReadError> {
    let found = store
        .queue(actor.account_id, queue)
        .await?
        .ok_or(ReadError::NotFound)?;
    let first_day = first_day.unwrap_or_else(|| found.last_data_at.date_naive());
    let from = first_day.and_time(NaiveTime::MIN).and_utc();
    let to = from
        .checked_add_signed(chrono::Duration::days(i64::from(days)))
        .ok_or(ReadError::BadRange)?;
    let range = Range::new(from, to)?;
    let (queue, integration, rows) = intervals(store, actor, queue, range).await?;
    let every = super::every_interval(rows, range.from, range.to, integration.interval);
    Ok(QueueDays {
        queue,
        interval_minutes: integration.interval.minutes(),
        first_day,
        days,
        intervals: every,
    })
}

pub async fn imports(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    page: PageRequest,
) -> Result<(Vec<ImportRecord>, u64), ReadError> {
    store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(ReadError::NotFound)?;
    Ok(store.imports(integration, page).await?)
}

/// The files an integration's Cloud Link client uploaded, newest first.
pub async fn received_files(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    page: PageRequest,
) -> Result<(Vec<crate::cloud_link::job::ReceivedFile>, u64), ReadError> {
    store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(ReadError::NotFound)?;
    Ok(store.received_files(integration, page).await?)
}

pub async fn agent_statuses(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    range: Range,
    page: PageRequest,
) -> Result<Page<StoredAgentStatus>, ReadError> {
    store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(ReadError::NotFound)?;
    let probe = PageRequest {
        limit: page.probe_limit(),
        ..page
    };
    let fetched = store
        .agent_statuses(integration, range.from, range.to, probe)
        .await?;
    Ok(Page::from_probe(page, fetched))
}

pub async fn discovered_ids(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
) -> Result<Vec<DiscoveredId>, ReadError> {
    store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(ReadError::NotFound)?;
    Ok(store.discovered_ids(integration).await?)
}
