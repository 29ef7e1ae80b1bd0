//! Reading pushed data back: queues, interval totals, the import history,
//! agent statuses and discovered ids.

use chrono::{DateTime, Utc};
use domain::{
    ingest::{
        read::{DiscoveredId, DiscoveredKind, Queue, QueueId, StoredAgentStatus},
        receive::ImportRecord,
        IntervalSeries, IntervalTotals,
    },
    integration::{Integration, IntegrationId},
    page::PageRequest,
    store::StoreError,
    AccountId,
};

use super::{
    ingest::{ImportRow, IMPORT_COLUMNS},
    integrations::{CorruptRow, IntegrationRow, INTEGRATION_COLUMNS},
    on_pool, Database,
};

fn corrupt(what: String) -> StoreError {
    StoreError::new(CorruptRow(what))
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    id: i64,
    integration_id: i64,
    integration_name: String,
    queue_identifier: String,
    queue_name: String,
    channel: String,
    first_data_at: DateTime<Utc>,
    last_data_at: DateTime<Utc>,
}

impl QueueRow {
    fn parse(self) -> Result<Queue, StoreError> {
        let id = self.id;
        Ok(Queue {
            id: QueueId(id),
            integration: IntegrationId(self.integration_id),
            integration_name: self.integration_name,
            identifier: self.queue_identifier,
            name: self.queue_name,
            channel: self
                .channel
                .parse()
                .map_err(|()| corrupt(format!("queue {id}: channel")))?,
            first_data_at: self.first_data_at,
            last_data_at: self.last_data_at,
        })
    }
}

const QUEUE_SELECT: &str = "SELECT q.id, q.integration_id, i.name AS integration_name, \
     q.queue_identifier, q.queue_name, q.channel, q.first_data_at, q.last_data_at \
     FROM queues q JOIN integrations i ON i.id = q.integration_id";

type StatsRow = (DateTime<Utc>, i64, i64, i64, i64);
type StatusRow = (String, String, DateTime<Utc>, Option<DateTime<Utc>>, i64);
type DiscoveredRow = (String, String, DateTime<Utc>, DateTime<Utc>, i64);

impl Database {
    pub(super) async fn target(
        &self,
        id: IntegrationId,
    ) -> Result<Option<(AccountId, Integration)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            account_id: i64,
            #[sqlx(flatten)]
            integration: IntegrationRow,
        }
        let sql =
            format!("SELECT account_id, {INTEGRATION_COLUMNS} FROM integrations WHERE id = $1");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await
        })
        .map_err(StoreError::new)?;
        row.map(|row| Ok((AccountId(row.account_id), row.integration.parse()?)))
            .transpose()
    }

    pub(super) async fn list_queues(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> Result<(Vec<Queue>, u64), StoreError> {
        let sql = format!(
            "{QUEUE_SELECT} WHERE q.account_id = $1 ORDER BY i.name, q.queue_name, q.id LIMIT $2 OFFSET $3"
        );
        let (rows, total): (Vec<QueueRow>, i64) = on_pool!(self, pool => async {
            let rows = sqlx::query_as(&sql)
                .bind(account.0)
                .bind(i64::from(page.limit))
                .bind(i64::from(page.offset))
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM queues WHERE account_id = $1")
                .bind(account.0)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)
        .map_err(StoreError::new)?;
        let queues = rows
            .into_iter()
            .map(QueueRow::parse)
            .collect::<Result<_, _>>()?;
        Ok((queues, u64::try_from(total).unwrap_or_default()))
    }

    pub(super) async fn find_queue(
        &self,
        account: AccountId,
        id: QueueId,
    ) -> Result<Option<Queue>, StoreError> {
        let sql = format!("{QUEUE_SELECT} WHERE q.account_id = $1 AND q.id = $2");
        let row: Option<QueueRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(account.0).bind(id.0).fetch_optional(pool).await
        })
        .map_err(StoreError::new)?;
        row.map(QueueRow::parse).transpose()
    }

    pub(super) async fn totals_between(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<IntervalSeries, StoreError> {
        let rows: Vec<StatsRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT interval_start, offered, handled, abandoned, handle_time_ms FROM interval_stats \
                 WHERE queue_id = $1 AND interval_start >= $2 AND interval_start < $3 ORDER BY interval_start",
            )
            .bind(queue.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::new)?;
        Ok(rows
            .into_iter()
            .map(|(start, offered, handled, abandoned, handle_time_ms)| {
                (
                    start,
                    IntervalTotals {
                        offered,
                        handled,
                        abandoned,
                        handle_time_ms,
                    },
                )
            })
            .collect())
    }

    pub(super) async fn page_of_imports(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> Result<(Vec<ImportRecord>, u64), StoreError> {
        // The total first, and the page of what it counted: imports are
        // only ever added, so the page and its total agree even while one
        // is being recorded (two plain reads could see different states).
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE integration_id = $1 AND id <= $2 \
             ORDER BY id DESC LIMIT $3 OFFSET $4"
        );
        let (rows, total): (Vec<ImportRow>, i64) = on_pool!(self, pool => async {
            let (total, newest): (i64, Option<i64>) = sqlx::query_as(
                "SELECT COUNT(*), MAX(id) FROM imports WHERE integration_id = $1",
            )
            .bind(integration.0)
            .fetch_one(pool)
            .await?;
            let rows = sqlx::query_as(&sql)
                .bind(integration.0)
                .bind(newest.unwrap_or(0))
                .bind(i64::from(page.limit))
                .bind(i64::from(page.offset))
                .fetch_all(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)
        .map_err(StoreError::new)?;
        let imports = rows
            .into_iter()
            .map(ImportRow::parse)
            .collect::<Result<_, _>>()?;
        Ok((imports, u64::try_from(total).unwrap_or_default()))
    }

    pub(super) async fn statuses_between(
        &self,
        integration: IntegrationId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Vec<StoredAgentStatus>, StoreError> {
        let rows: Vec<StatusRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT agent_identifier, activity_identifier, start_time, end_time, import_id \
                 FROM agent_statuses WHERE integration_id = $1 AND start_time < $3 \
                 AND (end_time IS NULL OR end_time > $2) ORDER BY start_time, agent_identifier \
                 LIMIT $4 OFFSET $5",
            )
            .bind(integration.0)
            .bind(from)
            .bind(to)
            .bind(i64::from(page.limit))
            .bind(i64::from(page.offset))
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::new)?;
        Ok(rows
            .into_iter()
            .map(
                |(agent, activity, start, end, import_id)| StoredAgentStatus {
                    agent,
                    activity,
                    start,
                    end,
                    import_id,
                },
            )
            .collect())
    }

    pub(super) async fn list_discovered_ids(
        &self,
        integration: IntegrationId,
    ) -> Result<Vec<DiscoveredId>, StoreError> {
        let rows: Vec<DiscoveredRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT kind, external_id, first_seen_at, last_seen_at, seen_count FROM discovered_ids \
                 WHERE integration_id = $1 ORDER BY kind, external_id",
            )
            .bind(integration.0)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(
                |(kind, external_id, first_seen_at, last_seen_at, seen_count)| {
                    let kind = match kind.as_str() {
                        "agent" => DiscoveredKind::Agent,
                        "activity" => DiscoveredKind::Activity,
                        other => return Err(corrupt(format!("discovered id kind {other}"))),
                    };
                    Ok(DiscoveredId {
                        kind,
                        external_id,
                        first_seen_at,
                        last_seen_at,
                        seen_count,
                    })
                },
            )
            .collect()
    }
}
