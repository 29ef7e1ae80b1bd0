//! Storing pushed data: the raw request (append-only), and what is derived
//! from it — queues, 15-minute interval statistics, agent statuses and
//! discovered external ids. Written once for both engines.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use domain::{
    ingest::{
        aggregate,
        read::DiscoveredKind,
        receive::{ImportData, ImportRecord, NewImport, Outcome, StoreImportError},
        replay, AgentStatus, ContactBatch, Feed, IntervalTotals, QueueKey, Rejected,
    },
    integration::{IntegrationId, Status},
    store::StoreError,
    AccountId,
};

use super::{integrations::CorruptRow, on_pool, on_tx, payload, Database, TxRef};

fn corrupt(what: String) -> StoreError {
    StoreError::new(CorruptRow(what))
}

/// Rows per multi-row statement: SQLite allows 32 766 parameters, and no
/// statement here binds more than seven per row.
const ROWS_PER_STATEMENT: usize = 1_000;

/// How precisely a key's last use is kept.
const KEY_USE_RESOLUTION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

impl<'c> TxRef<'_, 'c> {
    pub(super) fn reborrow(&mut self) -> TxRef<'_, 'c> {
        match self {
            TxRef::Sqlite(tx) => TxRef::Sqlite(tx),
            TxRef::Postgres(tx) => TxRef::Postgres(tx),
        }
    }
}

/// Applies checked data inside the caller's transaction, which already
/// holds the integration's lock. Returns how many queues are new.
pub(super) async fn apply(
    mut tx: TxRef<'_, '_>,
    account: AccountId,
    integration: IntegrationId,
    import_id: i64,
    data: &ImportData,
    queue_cap: u64,
    now: DateTime<Utc>,
) -> Result<Result<i64, QueueCapReached>, sqlx::Error> {
    match data {
        ImportData::Contacts(batch) => {
            let queues = queues_in(batch);
            let ensured =
                ensure_queues(tx.reborrow(), account, integration, &queues, queue_cap, now).await?;
            let Ok((ids, created)) = ensured else {
                return Ok(Err(QueueCapReached));
            };
            add_interval_stats(tx, &ids, batch).await?;
            Ok(Ok(created))
        }
        ImportData::AgentStatuses(batch) => {
            upsert_agent_statuses(tx.reborrow(), integration, import_id, &batch.statuses).await?;
            if batch.is_real_time() {
                // Kept to the minute, so a busy feed writes it rarely.
                on_tx!(tx.reborrow(), tx => {
                    sqlx::query(
                        "UPDATE integrations SET real_time_at = $1 WHERE id = $2 \
                         AND (real_time_at IS NULL OR real_time_at < $3)",
                    )
                    .bind(now)
                    .bind(integration.0)
                    .bind(now - KEY_USE_RESOLUTION)
                    .execute(&mut **tx)
                    .await?;
                });
            }
            note_discovered_ids(tx, integration, &batch.statuses, now).await?;
            Ok(Ok(0))
        }
    }
}

/// Creates the queues that are new and renames or widens the known ones,
/// unless the new ones would pass `queue_cap`. The id of every queue, and
/// how many are new.
pub(super) async fn ensure_queues(
    mut tx: TxRef<'_, '_>,
    account: AccountId,
    integration: IntegrationId,
    queues: &QueueSummary<'_>,
    queue_cap: u64,
    now: DateTime<Utc>,
) -> Result<Result<(QueueIds, i64), QueueCapReached>, sqlx::Error> {
    let known = known_queues(tx.reborrow(), integration, queues).await?;
    let new = u64::try_from(queues.len().saturating_sub(known.len())).unwrap_or(u64::MAX);
    if new > 0 {
        let existing: i64 = on_tx!(tx.reborrow(), tx => {
            sqlx::query_scalar("SELECT COUNT(*) FROM queues WHERE integration_id = $1")
                .bind(integration.0)
                .fetch_one(&mut **tx)
                .await?
        });
        if u64::try_from(existing)
            .unwrap_or_default()
            .saturating_add(new)
            > queue_cap
        {
            return Ok(Err(QueueCapReached));
        }
    }
    let ids = upsert_queues(tx, account, integration, queues, now).await?;
    let created = ids.keys().filter(|key| !known.contains_key(*key)).count();
    Ok(Ok((ids, i64::try_from(created).unwrap_or(i64::MAX))))
}

/// Applying would pass the integration's queue cap: nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QueueCapReached;

/// Queues by identity, each with its latest name and the first and last
/// time of its data.
pub(super) type QueueSummary<'a> = BTreeMap<&'a QueueKey, (&'a str, DateTime<Utc>, DateTime<Utc>)>;

/// The batch's queues: the latest name sent and the first and last event
/// time of each.
fn queues_in(batch: &ContactBatch) -> QueueSummary<'_> {
    let mut queues: BTreeMap<&QueueKey, (&str, DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
    for event in &batch.events {
        queues
            .entry(&event.queue)
            .and_modify(|(name, first, last)| {
                *name = &event.queue_name;
                *first = (*first).min(event.at);
                *last = (*last).max(event.at);
            })
            .or_insert((&event.queue_name, event.at, event.at));
    }
    queues
}

/// Creates the queues that are new and renames or widens the known ones,
/// in one statement per thousand queues. Returns the id of every queue.
async fn upsert_queues(
    tx: TxRef<'_, '_>,
    account: AccountId,
    integration: IntegrationId,
    queues: &QueueSummary<'_>,
    now: DateTime<Utc>,
) -> Result<QueueIds, sqlx::Error> {
    let queues: Vec<_> = queues.iter().collect();
    let mut ids = QueueIds::with_capacity(queues.len());
    on_tx!(tx, tx => {
        for chunk in queues.chunks(ROWS_PER_STATEMENT) {
            let mut upsert = sqlx::QueryBuilder::new(
                "INSERT INTO queues (account_id, integration_id, queue_identifier, channel, \
                 queue_name, first_data_at, last_data_at, created_at) ",
            );
            upsert.push_values(chunk, |mut row, (key, (name, first, last))| {
                row.push_bind(account.0)
                    .push_bind(integration.0)
                    .push_bind(&key.identifier)
                    .push_bind(key.channel.as_str())
                    .push_bind(*name)
                    .push_bind(*first)
                    .push_bind(*last)
                    .push_bind(now);
            });
            upsert.push(
                " ON CONFLICT (integration_id, queue_identifier, channel) DO UPDATE SET \
                 queue_name = excluded.queue_name, \
                 first_data_at = CASE WHEN queues.first_data_at > excluded.first_data_at \
                     THEN excluded.first_data_at ELSE queues.first_data_at END, \
                 last_data_at = CASE WHEN queues.last_data_at < excluded.last_data_at \
                     THEN excluded.last_data_at ELSE queues.last_data_at END \
                 RETURNING id, queue_identifier, channel",
            );
            let rows: Vec<(i64, String, String)> = upsert.build_query_as().fetch_all(&mut **tx).await?;
            ids.extend(rows.into_iter().map(|(id, identifier, channel)| ((identifier, channel), id)));
        }
        Ok(ids)
    })
}

pub(super) type QueueIds = HashMap<(String, String), i64>;

/// The ids of the queues that exist already, by identity (identifier,
/// channel): only the queues named are read, however many the
/// integration has.
async fn known_queues(
    tx: TxRef<'_, '_>,
    integration: IntegrationId,
    queues: &QueueSummary<'_>,
) -> Result<QueueIds, sqlx::Error> {
    let identifiers: Vec<&str> = queues
        .keys()
        .map(|key| key.identifier.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut known = QueueIds::new();
    on_tx!(tx, tx => {
        for chunk in identifiers.chunks(ROWS_PER_STATEMENT) {
            let mut select = sqlx::QueryBuilder::new(
                "SELECT id, queue_identifier, channel FROM queues WHERE integration_id = ",
            );
            select.push_bind(integration.0).push(" AND queue_identifier IN (");
            let mut list = select.separated(", ");
            for identifier in chunk {
                list.push_bind(*identifier);
            }
            select.push(")");
            let rows: Vec<(i64, String, String)> =
                select.build_query_as().fetch_all(&mut **tx).await?;
            known.extend(rows.into_iter().map(|(id, identifier, channel)| ((identifier, channel), id)));
        }
    });
    Ok(known)
}

/// Adds the batch's 15-minute totals to what is stored.
async fn add_interval_stats(
    tx: TxRef<'_, '_>,
    ids: &QueueIds,
    batch: &ContactBatch,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, DateTime<Utc>, IntervalTotals)> = aggregate(&batch.events)
        .into_iter()
        .filter_map(|((queue, start), totals)| {
            ids.get(&(queue.identifier, queue.channel.as_str().to_owned()))
                .map(|id| (*id, start, totals))
        })
        .collect();
    on_tx!(tx, tx => {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO interval_stats (queue_id, interval_start, offered, handled, abandoned, handle_time_ms) ",
            );
            insert.push_values(chunk, |mut row, (queue, start, totals)| {
                row.push_bind(*queue)
                    .push_bind(*start)
                    .push_bind(totals.offered)
                    .push_bind(totals.handled)
                    .push_bind(totals.abandoned)
                    .push_bind(totals.handle_time_ms);
            });
            insert.push(
                " ON CONFLICT (queue_id, interval_start) DO UPDATE SET \
                 offered = interval_stats.offered + excluded.offered, \
                 handled = interval_stats.handled + excluded.handled, \
                 abandoned = interval_stats.abandoned + excluded.abandoned, \
                 handle_time_ms = interval_stats.handle_time_ms + excluded.handle_time_ms",
            );
            insert.build().execute(&mut **tx).await?;
        }
        Ok(())
    })
}

/// Stores statuses; a re-sent one (same agent and start) replaces the
/// earlier.
pub(super) async fn upsert_agent_statuses(
    tx: TxRef<'_, '_>,
    integration: IntegrationId,
    import_id: i64,
    statuses: &[AgentStatus],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, tx => {
        for chunk in statuses.chunks(ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO agent_statuses (integration_id, agent_identifier, start_time, \
                 activity_identifier, end_time, import_id) ",
            );
            insert.push_values(chunk, |mut row, status| {
                row.push_bind(integration.0)
                    .push_bind(&status.agent)
                    .push_bind(status.start)
                    .push_bind(&status.activity)
                    .push_bind(status.end)
                    .push_bind(import_id);
            });
            insert.push(
                " ON CONFLICT (integration_id, agent_identifier, start_time) DO UPDATE SET \
                 activity_identifier = excluded.activity_identifier, \
                 end_time = excluded.end_time, import_id = excluded.import_id",
            );
            insert.build().execute(&mut **tx).await?;
        }
        Ok(())
    })
}

/// How often each external agent and activity id occurs in the batch.
fn external_ids(statuses: &[AgentStatus]) -> Vec<((DiscoveredKind, &str), i64)> {
    let mut seen: BTreeMap<(DiscoveredKind, &str), i64> = BTreeMap::new();
    for status in statuses {
        *seen
            .entry((DiscoveredKind::Agent, &status.agent))
            .or_default() += 1;
        *seen
            .entry((DiscoveredKind::Activity, &status.activity))
            .or_default() += 1;
    }
    seen.into_iter().collect()
}

/// Records every external id as discovered: no mapping exists yet, so all
/// of them wait for one (their rows are kept, never dropped).
pub(super) async fn note_discovered_ids(
    tx: TxRef<'_, '_>,
    integration: IntegrationId,
    statuses: &[AgentStatus],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let ids = external_ids(statuses);
    on_tx!(tx, tx => {
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO discovered_ids (integration_id, kind, external_id, first_seen_at, \
                 last_seen_at, seen_count) ",
            );
            insert.push_values(chunk, |mut row, ((kind, id), count)| {
                row.push_bind(integration.0)
                    .push_bind(kind.as_str())
                    .push_bind(*id)
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(*count);
            });
            insert.push(
                " ON CONFLICT (integration_id, kind, external_id) DO UPDATE SET \
                 last_seen_at = excluded.last_seen_at, \
                 seen_count = discovered_ids.seen_count + excluded.seen_count",
            );
            insert.build().execute(&mut **tx).await?;
        }
        Ok(())
    })
}

/// Applies the oldest held imports within `budget` (the first one whole),
/// in arrival order, marking each applied; returns how many it took.
async fn apply_oldest_held(
    mut tx: TxRef<'_, '_>,
    account: AccountId,
    integration: IntegrationId,
    budget: replay::Budget,
    now: DateTime<Utc>,
) -> Result<u32, sqlx::Error> {
    let held: Vec<(i64, i64)> = on_tx!(tx.reborrow(), tx => {
        sqlx::query_as(
            "SELECT id, item_count FROM imports WHERE integration_id = $1 AND outcome = 'held' \
             ORDER BY id LIMIT $2",
        )
        .bind(integration.0)
        .bind(i64::from(budget.imports))
        .fetch_all(&mut **tx)
        .await?
    });
    let mut items: u64 = 0;
    let mut taken = 0;
    for (import_id, item_count) in held {
        let item_count = u64::try_from(item_count).unwrap_or_default();
        if taken > 0 && items + item_count > budget.items {
            break;
        }
        items += item_count;
        taken += 1;
        apply_held_import(
            tx.reborrow(),
            account,
            integration,
            import_id,
            budget.queue_cap,
            now,
        )
        .await?;
    }
    Ok(taken)
}

/// Reads one held import again and applies it, or, should it no longer
/// parse, says so in the history rather than block the resume for good.
async fn apply_held_import(
    mut tx: TxRef<'_, '_>,
    account: AccountId,
    integration: IntegrationId,
    import_id: i64,
    queue_cap: u64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let (feed, encoding, body): (String, String, Vec<u8>) = on_tx!(tx.reborrow(), tx => {
        sqlx::query_as(
            "SELECT i.feed, b.encoding, b.body FROM imports i \
             JOIN import_bodies b ON b.import_id = i.id WHERE i.id = $1",
        )
        .bind(import_id)
        .fetch_one(&mut **tx)
        .await?
    });
    let body = payload::decode(&encoding, body)
        .inspect_err(|error| tracing::error!(import_id, %error, "a held body cannot be read"))
        .ok();
    let data = Feed::parse(&feed)
        .zip(body)
        .and_then(|(feed, body)| ImportData::reread(feed, &body));
    let Some(data) = data else {
        tracing::error!(import_id, "a held import no longer parses");
        return reject_held(tx, import_id, "could not be applied on resume").await;
    };
    let Ok(created) = apply(
        tx.reborrow(),
        account,
        integration,
        import_id,
        &data,
        queue_cap,
        now,
    )
    .await?
    else {
        tracing::warn!(import_id, "a held import would pass the queue cap");
        return reject_held(
            tx,
            import_id,
            "too_many_queues: it would pass the queue cap",
        )
        .await;
    };
    on_tx!(tx.reborrow(), tx => {
        sqlx::query("UPDATE imports SET outcome = 'applied', applied_at = $1, new_queue_count = $2 WHERE id = $3")
            .bind(now)
            .bind(created)
            .bind(import_id)
            .execute(&mut **tx)
            .await?;
    });
    Ok(())
}

/// Marks a held import rejected with `summary` in the history, so one bad
/// import never blocks a resume for good.
async fn reject_held(tx: TxRef<'_, '_>, import_id: i64, summary: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, tx => {
        sqlx::query("UPDATE imports SET outcome = 'rejected', error_count = 1, error_summary = $1 WHERE id = $2")
            .bind(summary)
            .bind(import_id)
            .execute(&mut **tx)
            .await?;
    });
    Ok(())
}

impl Database {
    /// One step of catching up (see `domain::ingest::replay`).
    pub(super) async fn replay_step(
        &self,
        integration: IntegrationId,
        budget: replay::Budget,
    ) -> Result<replay::Step, StoreError> {
        let now = Utc::now();
        let turn = self.write_turn().await;
        let (step, applied_in) = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // The integration's lock, as every ingestion takes it: nothing
            // is held or paused while a step runs.
            let locked: Option<(i64, String)> = sqlx::query_as(
                "UPDATE integrations SET status = status WHERE id = $1 RETURNING account_id, status",
            )
            .bind(integration.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((account, status)) = locked else {
                return Ok((replay::Step::NotResuming, None));
            };
            if Status::parse(&status) != Some(Status::Resuming) {
                tx.rollback().await?;
                return Ok((replay::Step::NotResuming, None));
            }
            let account = AccountId(account);
            let imports = apply_oldest_held(TxRef::from(&mut tx), account, integration, budget, now).await?;
            let remaining: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM imports WHERE integration_id = $1 AND outcome = 'held'",
            )
            .bind(integration.0)
            .fetch_one(&mut *tx)
            .await?;
            let step = if remaining == 0 {
                sqlx::query("UPDATE integrations SET status = $1 WHERE id = $2")
                    .bind(Status::Resuming.caught_up().as_str())
                    .bind(integration.0)
                    .execute(&mut *tx)
                    .await?;
                replay::Step::CaughtUp
            } else {
                replay::Step::Applied {
                    imports,
                    remaining: u64::try_from(remaining).unwrap_or_default(),
                }
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>((step, (imports > 0).then_some(account)))
        }.await)
        .map_err(StoreError::new)?;
        drop(turn);
        // Held statuses were applied: the account's boards read again.
        if let Some(account) = applied_in {
            self.tell_boards(domain::workforce::intraday::Change::Remapped { account })
                .await;
        }
        Ok(step)
    }

    pub(super) async fn resuming(&self) -> Result<Vec<IntegrationId>, StoreError> {
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM integrations WHERE status = $1 ORDER BY id LIMIT 100")
                .bind(Status::Resuming.as_str())
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::new)?;
        Ok(ids.into_iter().map(IntegrationId).collect())
    }

    pub(super) async fn count_held(&self, integration: IntegrationId) -> Result<u64, StoreError> {
        let held: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM imports WHERE integration_id = $1 AND outcome = 'held'")
                .bind(integration.0)
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::new)?;
        Ok(u64::try_from(held).unwrap_or_default())
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ImportRow {
    pub(super) id: i64,
    integration_id: i64,
    feed: String,
    outcome: String,
    was_held: bool,
    received_at: DateTime<Utc>,
    applied_at: Option<DateTime<Utc>>,
    item_count: i64,
    pub(super) new_queue_count: i64,
    error_count: i64,
    error_summary: Option<String>,
    request_hash: Option<Vec<u8>>,
    file_name: Option<String>,
}

pub(super) const IMPORT_COLUMNS: &str =
    "id, integration_id, feed, outcome, was_held, received_at, \
     applied_at, item_count, new_queue_count, error_count, error_summary, request_hash, file_name";

impl ImportRow {
    pub(super) fn parse(self) -> Result<ImportRecord, StoreError> {
        let id = self.id;
        Ok(ImportRecord {
            id,
            integration: IntegrationId(self.integration_id),
            feed: Feed::parse(&self.feed).ok_or_else(|| corrupt(format!("import {id}: feed")))?,
            outcome: Outcome::parse(&self.outcome)
                .ok_or_else(|| corrupt(format!("import {id}: outcome")))?,
            was_held: self.was_held,
            received_at: self.received_at,
            applied_at: self.applied_at,
            items: self.item_count,
            new_queues: self.new_queue_count,
            error_count: self.error_count,
            error_summary: self.error_summary,
            request_hash: self.request_hash,
            file_name: self.file_name,
        })
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// How a store attempt ended inside its transaction.
enum Attempt {
    Stored(ImportRow),
    Deleted,
    TooManyQueues,
    HeldFull,
}

impl Database {
    /// The integration a live key belongs to. Its last use is noted at
    /// most once a minute: a write per request would cost every ingestion
    /// a second commit.
    pub(super) async fn key_owner(
        &self,
        secret_hash: &[u8],
    ) -> Result<Option<IntegrationId>, StoreError> {
        let now = Utc::now();
        let row: Option<(i64, i64, Option<DateTime<Utc>>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, integration_id, last_used_at FROM api_keys \
                 WHERE secret_hash = $1 AND revoked_at IS NULL",
            )
            .bind(secret_hash)
            .fetch_optional(pool)
            .await
        })
        .map_err(StoreError::new)?;
        let Some((key_id, integration, last_used)) = row else {
            return Ok(None);
        };
        if last_used.is_none_or(|at| now - at > KEY_USE_RESOLUTION) {
            let _turn = self.write_turn().await;
            on_pool!(self, pool => {
                sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(key_id)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })
            .map_err(StoreError::new)?;
        }
        Ok(Some(IntegrationId(integration)))
    }

    pub(super) async fn import_with_key(
        &self,
        integration: IntegrationId,
        key: &str,
    ) -> Result<Option<ImportRecord>, StoreError> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE integration_id = $1 AND idempotency_key = $2"
        );
        let row: Option<ImportRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(integration.0).bind(key).fetch_optional(pool).await
        })
        .map_err(StoreError::new)?;
        row.map(ImportRow::parse).transpose()
    }

    pub(super) async fn keep_import(
        &self,
        new: &NewImport<'_>,
    ) -> Result<ImportRecord, StoreImportError> {
        let now = Utc::now();
        let items = i64::try_from(new.data.len()).unwrap_or(i64::MAX);
        // Compressed before the transaction opens, so no lock waits on it.
        let (encoding, stored) = payload::encode(new.payload)
            .map_err(|error| StoreImportError::Store(StoreError::new(error)))?;
        let _turn = self.write_turn().await;
        let attempt = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // Locks the integration first, so pause, resume and delete
            // are seen: nothing is applied to a paused integration, and
            // nothing is held after its resume has run.
            let status: Option<String> = sqlx::query_scalar(
                "UPDATE integrations SET last_import_at = $1 WHERE id = $2 RETURNING status",
            )
            .bind(now)
            .bind(new.integration.0)
            .fetch_optional(&mut *tx)
            .await?;
            let held = match status.as_deref().and_then(Status::parse) {
                None | Some(Status::Deleted) => return Ok(Attempt::Deleted),
                Some(status) => status.holds_pushed_data(),
            };
            let outcome = if held { Outcome::Held } else { Outcome::Applied };
            let insert = format!(
                "INSERT INTO imports (account_id, integration_id, feed, outcome, was_held, received_at, \
                 applied_at, item_count, idempotency_key, request_hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {IMPORT_COLUMNS}"
            );
            let mut import: ImportRow = sqlx::query_as(&insert)
            .bind(new.account.0)
            .bind(new.integration.0)
            .bind(new.feed.as_str())
            .bind(outcome.as_str())
            .bind(held)
            .bind(now)
            .bind((!held).then_some(now))
            .bind(items)
            .bind(new.idempotency.as_ref().map(|i| i.key.as_str()))
            .bind(new.idempotency.as_ref().map(|i| i.request_hash.as_slice()))
            .fetch_one(&mut *tx)
            .await?;
            let import_id = import.id;
            sqlx::query("INSERT INTO import_bodies (import_id, encoding, body) VALUES ($1, $2, $3)")
                .bind(import_id)
                .bind(encoding.as_str())
                .bind(&stored)
                .execute(&mut *tx)
                .await?;
            if held {
                let holding: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM imports WHERE integration_id = $1 AND outcome = 'held' AND id <> $2",
                )
                .bind(new.integration.0)
                .bind(import_id)
                .fetch_one(&mut *tx)
                .await?;
                if u64::try_from(holding).unwrap_or_default() >= new.caps.held_imports {
                    tx.rollback().await?;
                    return Ok(Attempt::HeldFull);
                }
            } else {
                let applied = apply(TxRef::from(&mut tx), new.account, new.integration, import_id, new.data, new.caps.queues, now).await?;
                let Ok(created) = applied else {
                    tx.rollback().await?;
                    return Ok(Attempt::TooManyQueues);
                };
                if created > 0 {
                    sqlx::query("UPDATE imports SET new_queue_count = $1 WHERE id = $2")
                        .bind(created)
                        .bind(import_id)
                        .execute(&mut *tx)
                        .await?;
                    import.new_queue_count = created;
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Attempt::Stored(import))
        }.await);
        match attempt {
            Ok(Attempt::Stored(import)) => Ok(import.parse()?),
            Ok(Attempt::Deleted) => Err(StoreImportError::Deleted),
            Ok(Attempt::TooManyQueues) => Err(StoreImportError::TooManyQueues {
                cap: new.caps.queues,
            }),
            Ok(Attempt::HeldFull) => Err(StoreImportError::HeldFull {
                cap: new.caps.held_imports,
            }),
            Err(error) if is_unique_violation(&error) => Err(StoreImportError::DuplicateKey),
            Err(error) => Err(StoreImportError::Store(StoreError::new(error))),
        }
    }

    pub(super) async fn note_rejected_import(
        &self,
        account: AccountId,
        integration: IntegrationId,
        feed: Feed,
        rejected: &Rejected,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let _turn = self.write_turn().await;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE integrations SET last_import_at = $1 WHERE id = $2")
                .bind(now)
                .bind(integration.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO imports (account_id, integration_id, feed, outcome, received_at, \
                 item_count, error_count, error_summary) VALUES ($1, $2, $3, 'rejected', $4, $5, $6, $7)",
            )
            .bind(account.0)
            .bind(integration.0)
            .bind(feed.as_str())
            .bind(now)
            .bind(i64::try_from(rejected.items).unwrap_or(i64::MAX))
            .bind(i64::try_from(rejected.problems.len()).unwrap_or(i64::MAX))
            .bind(rejected.summary())
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        }.await)
        .map_err(StoreError::new)
    }
}
