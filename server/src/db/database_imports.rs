//! How far database integrations' imports have come, and what the import
//! schedule (`domain::database::import`) judges, written once for both
//! engines.

use chrono::{DateTime, Utc};
use domain::{
    cloud_link::job::JobId,
    database::{
        import::{LastJob, Progress},
        service::{ImportCandidate, KeptSettings},
    },
    integration::{IntegrationId, Status},
    store::StoreError,
    AccountId,
};

use super::{integrations::CorruptRow, on_pool, Database};

#[derive(sqlx::FromRow)]
struct CandidateRow {
    account_id: i64,
    id: i64,
    status: String,
    collected: bool,
    document: Option<String>,
    imported_to: Option<DateTime<Utc>>,
    reconciled_at: Option<DateTime<Utc>>,
    step_seconds: Option<i64>,
    last_id: Option<i64>,
    last_queued_at: Option<DateTime<Utc>>,
    last_succeeded: Option<bool>,
    last_ended_at: Option<DateTime<Utc>>,
}

/// Every paired database integration that is not deleted, with its
/// settings, progress and latest job since pairing.
const CANDIDATES: &str = "SELECT i.account_id, i.id, i.status, \
     l.credential_hash IS NOT NULL AS collected, s.document, d.imported_to, d.reconciled_at, d.step_seconds, \
     j.id AS last_id, j.queued_at AS last_queued_at, j.succeeded AS last_succeeded, j.ended_at AS last_ended_at \
     FROM cloud_links l JOIN integrations i ON i.id = l.integration_id \
     LEFT JOIN database_settings s ON s.integration_id = i.id \
     LEFT JOIN database_imports d ON d.integration_id = i.id \
     LEFT JOIN cloud_link_jobs j ON j.id = (SELECT MAX(k.id) FROM cloud_link_jobs k \
        WHERE k.integration_id = i.id AND k.queued_at >= l.paired_at) \
     WHERE i.kind = 'database' AND i.status <> 'deleted'";

impl CandidateRow {
    fn parse(self) -> Result<ImportCandidate, StoreError> {
        let id = self.id;
        let corrupt = |what: &str| StoreError::new(CorruptRow(format!("integration {id}: {what}")));
        let kept = self
            .document
            .map(|document| {
                serde_json::from_str::<KeptSettings>(&document)
                    .map_err(|_| corrupt("database settings"))
            })
            .transpose()?;
        Ok(ImportCandidate {
            account: AccountId(self.account_id),
            integration: IntegrationId(id),
            status: Status::parse(&self.status).ok_or_else(|| corrupt("status"))?,
            collected: self.collected,
            kept,
            progress: Progress {
                imported_to: self.imported_to,
                reconciled_at: self.reconciled_at,
                step: self.step_seconds.map(chrono::TimeDelta::seconds),
            },
            last: self
                .last_id
                .zip(self.last_queued_at)
                .map(|(id, queued_at)| LastJob {
                    id: JobId(id),
                    queued_at,
                    succeeded: self
                        .last_ended_at
                        .map(|_| self.last_succeeded.unwrap_or(false)),
                }),
        })
    }
}

impl Database {
    pub(super) async fn import_candidates(
        &self,
        after: IntegrationId,
        limit: u32,
    ) -> Result<Vec<ImportCandidate>, StoreError> {
        let sql = format!("{CANDIDATES} AND i.id > $1 ORDER BY i.id LIMIT $2");
        let rows: Vec<CandidateRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(after.0)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
        .map_err(StoreError::new)?;
        rows.into_iter().map(CandidateRow::parse).collect()
    }

    pub(super) async fn import_candidate(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<ImportCandidate>, StoreError> {
        let sql = format!("{CANDIDATES} AND i.id = $1");
        let row: Option<CandidateRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(integration.0)
            .fetch_optional(pool)
            .await)
        .map_err(StoreError::new)?;
        row.map(CandidateRow::parse).transpose()
    }

    pub(super) async fn keep_import_progress(
        &self,
        integration: IntegrationId,
        progress: Progress,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO database_imports (integration_id, imported_to, reconciled_at, step_seconds) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (integration_id) DO UPDATE \
             SET imported_to = excluded.imported_to, reconciled_at = excluded.reconciled_at, \
             step_seconds = excluded.step_seconds",
        )
        .bind(integration.0)
        .bind(progress.imported_to)
        .bind(progress.reconciled_at)
        .bind(progress.step.map(|step| step.num_seconds()))
        .execute(pool)
        .await
        .map(|_| ()))
        .map_err(StoreError::new)
    }
}
