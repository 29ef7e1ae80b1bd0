//! Workloads: a planner's grouping of queues to forecast together
//! (DESIGN §1). A queue of a deleted integration stays on the workloads it
//! is on, but cannot join one (DESIGN §2).

use chrono::{DateTime, Utc};

use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    ingest::{
        every_interval,
        read::{Queue, QueueId, Range},
        roll_up, IntervalSeries,
    },
    integration::{IntervalLength, Status},
    page::PageRequest,
    store::{Store, StoreError, WriteError},
    text::{parse_name, NameError},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkloadId(pub i64);

/// A workload's name: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadName(String);

impl WorkloadName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A workload as stored, with its queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub id: WorkloadId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub queues: Vec<QueueId>,
}

/// How many queues one workload holds at most: its statistics read each.
pub const MAX_QUEUES: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    #[error("only admins may change workloads")]
    Forbidden,
    #[error("there is no such workload")]
    NotFound,
    #[error("there is no such queue")]
    NoSuchQueue,
    #[error("the queue's integration was deleted: its queues stay on the workloads they are on, but cannot join another")]
    QueueOfDeletedIntegration,
    #[error("a workload holds at most {MAX_QUEUES} queues")]
    TooManyQueues,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn audit(actor: &Actor, action: AuditAction, subject: &str) -> AuditEntry {
    AuditEntry {
        actor: actor.user_id,
        action,
        subject: subject.to_owned(),
        integration: None,
    }
}

fn admin(actor: &Actor) -> Result<(), WorkloadError> {
    if actor.role.may_manage_integrations() {
        Ok(())
    } else {
        Err(WorkloadError::Forbidden)
    }
}

pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    name: &WorkloadName,
) -> Result<Workload, WorkloadError> {
    admin(actor)?;
    let entry = audit(actor, AuditAction::WorkloadCreated, name.as_str());
    Ok(store
        .workforce()
        .create_workload(actor.account_id, name, &entry)
        .await?)
}

/// One of the account's current workloads.
pub async fn get(
    store: &dyn Store,
    actor: &Actor,
    id: WorkloadId,
) -> Result<Workload, WorkloadError> {
    store
        .workforce()
        .workload(actor.account_id, id)
        .await?
        .ok_or(WorkloadError::NotFound)
}

/// A page of the account's current workloads, by name, and the total.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    page: PageRequest,
) -> Result<(Vec<Workload>, u64), StoreError> {
    store.workforce().workloads(actor.account_id, page).await
}

pub async fn rename(
    store: &dyn Store,
    actor: &Actor,
    id: WorkloadId,
    name: &WorkloadName,
) -> Result<Workload, WorkloadError> {
    admin(actor)?;
    let entry = audit(actor, AuditAction::WorkloadRenamed, name.as_str());
    store
        .workforce()
        .rename_workload(actor.account_id, id, name, &entry)
        .await?
        .ok_or(WorkloadError::NotFound)
}

pub async fn archive(
    store: &dyn Store,
    actor: &Actor,
    id: WorkloadId,
) -> Result<(), WorkloadError> {
    admin(actor)?;
    let current = get(store, actor, id).await?;
    let entry = audit(actor, AuditAction::WorkloadArchived, &current.name);
    if store
        .workforce()
        .archive_workload(actor.account_id, id, &entry)
        .await?
    {
        Ok(())
    } else {
        Err(WorkloadError::NotFound)
    }
}

/// Whether a queue may join a workload: its integration is not deleted.
pub fn may_join(integration: Status) -> bool {
    integration != Status::Deleted
}

/// Adds a queue of the account to a workload; adding it again changes
/// nothing. Refused for a queue whose integration is deleted, also when
/// the delete happens meanwhile.
pub async fn add_queue(
    store: &dyn Store,
    actor: &Actor,
    id: WorkloadId,
    queue: QueueId,
) -> Result<Workload, WorkloadError> {
    admin(actor)?;
    let workload = get(store, actor, id).await?;
    if workload.queues.contains(&queue) {
        return Ok(workload);
    }
    if workload.queues.len() >= MAX_QUEUES {
        return Err(WorkloadError::TooManyQueues);
    }
    let found = store
        .queue(actor.account_id, queue)
        .await?
        .ok_or(WorkloadError::NoSuchQueue)?;
    let integration = store
        .integration(actor.account_id, found.integration)
        .await?
        .ok_or(WorkloadError::NoSuchQueue)?;
    if !may_join(integration.status) {
        return Err(WorkloadError::QueueOfDeletedIntegration);
    }
    let subject = format!("{} › {}", workload.name, found.name);
    let entry = audit(actor, AuditAction::WorkloadQueueAdded, &subject);
    match store
        .workforce()
        .add_workload_queue(actor.account_id, id, &found, integration.status, &entry)
        .await
    {
        Ok(()) => get(store, actor, id).await,
        Err(WriteError::Stale) => Err(WorkloadError::QueueOfDeletedIntegration),
        Err(WriteError::Store(error)) => Err(error.into()),
    }
}

/// Takes a queue off a workload (any queue, a deleted integration's too).
pub async fn remove_queue(
    store: &dyn Store,
    actor: &Actor,
    id: WorkloadId,
    queue: QueueId,
) -> Result<Workload, WorkloadError> {
    admin(actor)?;
    let workload = get(store, actor, id).await?;
    if !workload.queues.contains(&queue) {
        return Err(WorkloadError::NoSuchQueue);
    }
    let entry = audit(actor, AuditAction::WorkloadQueueRemoved, &workload.name);
    store
        .workforce()
        .remove_workload_queue(actor.account_id, id, queue, &entry)
        .await?;
    get(store, actor, id).await
}

/// The combined statistics of a workload's queues over a range, in
/// intervals of `length`, every interval of the range present.
pub async fn statistics(
    store: &dyn Store,
    actor: &Actor,
    id: WorkloadId,
    range: Range,
    length: IntervalLength,
) -> Result<(Workload, IntervalSeries), WorkloadError> {
    let workload = get(store, actor, id).await?;
    let mut base = Vec::new();
    for queue in &workload.queues {
        base.extend(store.interval_totals(*queue, range.from, range.to).await?);
    }
    let rolled = roll_up(base, length);
    Ok((
        workload,
        every_interval(rolled, range.from, range.to, length),
    ))
}

/// A queue as a workload's page shows it: on the workload or not, and
/// whether it may join one.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueChoice {
    pub queue: Queue,
    pub on_workload: bool,
    /// False for a queue of a deleted integration (see [`may_join`]).
    pub may_join: bool,
}

/// The workload's queues, and a page of the account's queues to add, each
/// saying whether it may join. Any role may read.
pub async fn choices(
    store: &dyn Store,
    actor: &Actor,
    workload: &Workload,
    page: PageRequest,
) -> Result<(Vec<QueueChoice>, Vec<QueueChoice>, u64), WorkloadError> {
    let integrations = store.integrations(actor.account_id, true).await?;
    let choice = |queue: Queue| {
        let may = integrations
            .iter()
            .find(|integration| integration.id == queue.integration)
            .is_some_and(|integration| may_join(integration.status));
        QueueChoice {
            on_workload: workload.queues.contains(&queue.id),
            may_join: may,
            queue,
        }
    };
    let mut on = Vec::with_capacity(workload.queues.len());
    for id in &workload.queues {
        if let Some(queue) = store.queue(actor.account_id, *id).await? {
            on.push(choice(queue));
        }
    }
    let (all, total) = store.queues(actor.account_id, page).await?;
    Ok((on, all.into_iter().map(choice).collect(), total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IntervalTotals;
    use chrono::TimeZone;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, hour, minute, 0).unwrap()
    }

    fn offered(n: i64) -> IntervalTotals {
        IntervalTotals {
            offered: n,
            ..IntervalTotals::default()
        }
    }

    #[test]
    fn a_deleted_integrations_queue_cannot_join() {
        for status in Status::ALL {
            assert_eq!(may_join(status), status != Status::Deleted, "{status:?}");
        }
    }

    #[test]
    fn queues_are_summed_per_interval_with_quiet_intervals_kept() {
        let base = vec![
            (at(9, 0), offered(2)),
            (at(9, 15), offered(3)),
            (at(9, 0), offered(5)),
            (at(10, 0), offered(1)),
        ];
        let range = Range::new(at(9, 0), at(10, 30)).expect("a range");
        let series = every_interval(
            roll_up(base, IntervalLength::Thirty),
            range.from,
            range.to,
            IntervalLength::Thirty,
        );
        let counts: Vec<(DateTime<Utc>, i64)> = series
            .iter()
            .map(|(start, t)| (*start, t.offered))
            .collect();
        assert_eq!(counts, vec![(at(9, 0), 10), (at(9, 30), 0), (at(10, 0), 1)]);
    }
}
