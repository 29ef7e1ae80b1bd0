//! Cloud Link jobs and the files clients upload (ADR 0009), written once
//! for both engines. Each step loads what the rule in
//! `domain::cloud_link::job` needs, lets it judge, and writes the outcome
//! in the same transaction; reads that find nothing to do never wait for
//! SQLite's writer turn.

use chrono::{DateTime, Utc};
use domain::{
    cloud_link::{
        job::{
            self, FileOutcome, JobCandidate, JobId, JobReport, JobSchedule, JobState, JobView,
            NewFile, ReceivedFile, Reported,
        },
        wire::{JobOffer, Task},
    },
    integration::{IntegrationId, IntegrationKind, Status},
    page::PageRequest,
    store::StoreError,
};

use super::{on_pool, Database};

type CandidateRow = (i64, String, String, bool, Option<DateTime<Utc>>, bool);

/// The scheduler's view of every paired integration that is not deleted.
const CANDIDATES: &str = "SELECT i.id, i.kind, i.status, l.credential_hash IS NOT NULL, \
     (SELECT j.queued_at FROM cloud_link_jobs j WHERE j.integration_id = i.id \
        AND j.queued_at >= l.paired_at ORDER BY j.id DESC LIMIT 1), \
     EXISTS (SELECT 1 FROM cloud_link_jobs j WHERE j.integration_id = i.id AND j.ended_at IS NULL) \
     FROM cloud_links l JOIN integrations i ON i.id = l.integration_id \
     WHERE i.status <> 'deleted' AND i.id > $1 ORDER BY i.id LIMIT $2";

/// Paired integrations looked at per read when queuing: memory stays
/// bounded however many there are.
const CANDIDATES_PER_READ: i64 = 500;

fn candidate_of(row: CandidateRow) -> Option<JobCandidate> {
    let (id, kind, status, collected, last_queued_at, open) = row;
    Some(JobCandidate {
        integration: IntegrationId(id),
        kind: kind.parse::<IntegrationKind>().ok()?,
        status: Status::parse(&status)?,
        collected,
        last_queued_at,
        open,
    })
}

type OpenJobRow = (i64, String, i64, Option<DateTime<Utc>>, String);

/// The integration's oldest open job, with its integration's status.
const OPEN_JOB: &str = "SELECT j.id, j.task, j.attempts, j.leased_until, i.status \
     FROM cloud_link_jobs j JOIN integrations i ON i.id = j.integration_id \
     WHERE j.integration_id = $1 AND j.ended_at IS NULL ORDER BY j.id LIMIT 1";

fn task_of(text: &str) -> Result<Task, StoreError> {
    serde_json::from_str(text).map_err(StoreError::new)
}

type FileRow = (String, i64, String, String, DateTime<Utc>);

impl Database {
    pub(super) async fn integration_of_credential(
        &self,
        credential_hash: &[u8],
    ) -> Result<Option<IntegrationId>, StoreError> {
        let found: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT l.integration_id FROM cloud_links l JOIN integrations i \
             ON i.id = l.integration_id WHERE l.credential_hash = $1 AND i.status <> 'deleted'",
        )
        .bind(credential_hash)
        .fetch_optional(pool)
        .await)
        .map_err(StoreError::new)?;
        Ok(found.map(IntegrationId))
    }

    pub(super) async fn queue_jobs(
        &self,
        schedule: &JobSchedule,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let (mut after, mut queued) = (0_i64, 0);
        loop {
            let rows: Vec<CandidateRow> = on_pool!(self, pool => sqlx::query_as(CANDIDATES)
                .bind(after)
                .bind(CANDIDATES_PER_READ)
                .fetch_all(pool)
                .await)
            .map_err(StoreError::new)?;
            let Some(last) = rows.last().map(|row| row.0) else {
                return Ok(queued);
            };
            after = last;
            let read = rows.len();
            let due: Vec<(IntegrationId, String)> = rows
                .into_iter()
                .filter_map(candidate_of)
                .filter_map(|candidate| {
                    let task = schedule.due(&candidate, now)?;
                    Some((candidate.integration, serde_json::to_string(&task).ok()?))
                })
                .collect();
            if !due.is_empty() {
                let _turn = self.write_turn().await;
                for (integration, task) in due {
                    // The partial unique index keeps one open job per
                    // integration, even when two server processes queue at
                    // once.
                    queued += on_pool!(self, pool => sqlx::query(
                        "INSERT INTO cloud_link_jobs (integration_id, task, queued_at) \
                         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(integration.0)
                    .bind(&task)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(|done| done.rows_affected()))
                    .map_err(StoreError::new)?;
                }
            }
            if read < CANDIDATES_PER_READ as usize {
                return Ok(queued);
            }
        }
    }

    pub(super) async fn claim_open_job(
        &self,
        integration: IntegrationId,
        schedule: &JobSchedule,
        now: DateTime<Utc>,
    ) -> Result<Option<JobOffer>, StoreError> {
        let claimable = |row: &OpenJobRow| {
            job::claimable(row.3, now) && Status::parse(&row.4).is_some_and(job::runs_jobs)
        };
        // Most long polls find nothing: one read, no writer turn.
        let peek: Option<OpenJobRow> = on_pool!(self, pool => sqlx::query_as(OPEN_JOB)
            .bind(integration.0)
            .fetch_optional(pool)
            .await)
        .map_err(StoreError::new)?;
        if !peek.as_ref().is_some_and(claimable) {
            return Ok(None);
        }
        let _turn = self.write_turn().await;
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE OF j SKIP LOCKED"
        } else {
            ""
        };
        let select = format!("{OPEN_JOB}{lock}");
        let lease_until = schedule.lease_until(now);
        let claimed: Result<Option<(i64, String, i64)>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let row: Option<OpenJobRow> = sqlx::query_as(&select)
                .bind(integration.0)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row.filter(claimable) else {
                tx.rollback().await?;
                return Ok(None);
            };
            let attempt = row.2 + 1;
            sqlx::query("UPDATE cloud_link_jobs SET attempts = $1, leased_until = $2 WHERE id = $3")
                .bind(attempt)
                .bind(lease_until)
                .bind(row.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some((row.0, row.1, attempt)))
        }.await);
        let Some((id, task, attempt)) = claimed.map_err(StoreError::new)? else {
            return Ok(None);
        };
        Ok(Some(JobOffer {
            id,
            attempt: u32::try_from(attempt).unwrap_or(u32::MAX),
            lease_seconds: schedule.lease.as_secs(),
            task: task_of(&task)?,
        }))
    }

    pub(super) async fn keep_received_file(
        &self,
        file: &NewFile<'_>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<FileOutcome>, StoreError> {
        let _turn = self.write_turn().await;
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE OF i"
        } else {
            ""
        };
        let size = i64::try_from(file.size).unwrap_or(i64::MAX);
        let result: Result<Option<FileOutcome>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // Locks the integration: its uploads are judged one at a time.
            let job: Option<(i64, Option<DateTime<Utc>>)> = sqlx::query_as(&format!(
                "SELECT i.account_id, j.ended_at FROM cloud_link_jobs j \
                 JOIN integrations i ON i.id = j.integration_id \
                 WHERE j.id = $1 AND j.integration_id = $2{lock}"
            ))
            .bind(file.job.0)
            .bind(file.integration.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((account, ended_at)) = job else {
                tx.rollback().await?;
                return Ok(None);
            };
            let sent_before: Option<String> = sqlx::query_scalar(
                "SELECT outcome FROM received_files \
                 WHERE integration_id = $1 AND sha256 = $2 AND name = $3",
            )
            .bind(file.integration.0)
            .bind(file.checksum.as_str())
            .bind(file.name.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match sent_before.as_deref().and_then(FileOutcome::parse) {
                Some(first) => first,
                None => {
                    let received: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM received_files \
                         WHERE integration_id = $1 AND sha256 = $2 AND outcome = 'received'",
                    )
                    .bind(file.integration.0)
                    .bind(file.checksum.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                    let outcome = FileOutcome::judge(received > 0);
                    let keep = outcome == FileOutcome::Received;
                    sqlx::query(
                        "INSERT INTO received_files (account_id, integration_id, job_id, name, size, \
                         sha256, outcome, received_at, encoding, body) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(account)
                    .bind(file.integration.0)
                    .bind(file.job.0)
                    .bind(file.name.as_str())
                    .bind(size)
                    .bind(file.checksum.as_str())
                    .bind(outcome.as_str())
                    .bind(file.received_at)
                    .bind(keep.then_some(file.encoding))
                    .bind(keep.then_some(file.body))
                    .execute(&mut *tx)
                    .await?;
                    outcome
                }
            };
            if ended_at.is_none() {
                sqlx::query("UPDATE cloud_link_jobs SET leased_until = $1 WHERE id = $2")
                    .bind(lease_until)
                    .bind(file.job.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(Some(outcome))
        }.await);
        result.map_err(StoreError::new)
    }

    pub(super) async fn end_job(
        &self,
        integration: IntegrationId,
        job: JobId,
        report: &JobReport,
        now: DateTime<Utc>,
    ) -> Result<Option<Reported>, StoreError> {
        let _turn = self.write_turn().await;
        let lock = if self.engine() == "postgres" {
            " FOR UPDATE"
        } else {
            ""
        };
        let result: Result<Option<Reported>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let row: Option<(Option<DateTime<Utc>>, Option<String>, String)> = sqlx::query_as(&format!(
                "SELECT ended_at, report_key, task FROM cloud_link_jobs \
                 WHERE id = $1 AND integration_id = $2{lock}"
            ))
            .bind(job.0)
            .bind(integration.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((ended_at, key, task)) = row else {
                tx.rollback().await?;
                return Ok(None);
            };
            let ended_with = ended_at.map(|_| key.unwrap_or_default());
            let reported = report.against(ended_with.as_deref());
            if reported == Reported::Applied {
                // What the job needed and must not keep (a query's
                // connection string) goes with its end.
                let kept = serde_json::from_str::<Task>(&task)
                    .ok()
                    .and_then(|task| serde_json::to_string(&task.redacted()).ok())
                    .unwrap_or(task);
                sqlx::query(
                    "UPDATE cloud_link_jobs SET ended_at = $1, succeeded = $2, message = $3, \
                     report_key = $4, leased_until = NULL, result = $5, task = $6 WHERE id = $7",
                )
                .bind(now)
                .bind(report.succeeded)
                .bind(&report.message)
                .bind(&report.key)
                .bind(&report.rows)
                .bind(&kept)
                .bind(job.0)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(Some(reported))
        }.await);
        result.map_err(StoreError::new)
    }

    pub(super) async fn queue_one_job(
        &self,
        integration: IntegrationId,
        task: &Task,
        now: DateTime<Utc>,
    ) -> Result<Option<JobId>, StoreError> {
        let task = serde_json::to_string(task).map_err(StoreError::new)?;
        let _turn = self.write_turn().await;
        let id: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "INSERT INTO cloud_link_jobs (integration_id, task, queued_at) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(integration.0)
        .bind(&task)
        .bind(now)
        .fetch_optional(pool)
        .await)
        .map_err(StoreError::new)?;
        Ok(id.map(JobId))
    }

    pub(super) async fn job_of(
        &self,
        integration: IntegrationId,
        job: JobId,
        now: DateTime<Utc>,
    ) -> Result<Option<JobView>, StoreError> {
        type Row = (
            String,
            i64,
            Option<DateTime<Utc>>,
            Option<bool>,
            Option<String>,
            Option<String>,
        );
        let row: Option<Row> = on_pool!(self, pool => sqlx::query_as(
            "SELECT task, attempts, leased_until, succeeded, message, result FROM cloud_link_jobs \
             WHERE id = $1 AND integration_id = $2",
        )
        .bind(job.0)
        .bind(integration.0)
        .fetch_optional(pool)
        .await)
        .map_err(StoreError::new)?;
        let Some((task, attempts, leased_until, succeeded, message, rows)) = row else {
            return Ok(None);
        };
        Ok(Some(JobView {
            id: job,
            task: task_of(&task)?,
            state: JobState::of(succeeded, leased_until, now),
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            message,
            rows,
        }))
    }

    pub(super) async fn page_of_received_files(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> Result<(Vec<ReceivedFile>, u64), StoreError> {
        let (rows, total): (Vec<FileRow>, i64) = on_pool!(self, pool => async {
            let rows = sqlx::query_as(
                "SELECT name, size, sha256, outcome, received_at FROM received_files \
                 WHERE integration_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
            )
            .bind(integration.0)
            .bind(i64::from(page.limit))
            .bind(i64::from(page.offset))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM received_files WHERE integration_id = $1",
            )
            .bind(integration.0)
            .fetch_one(pool)
            .await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)
        .map_err(StoreError::new)?;
        let files = rows
            .into_iter()
            .map(|(name, size, checksum, outcome, received_at)| {
                Ok(ReceivedFile {
                    name,
                    size: u64::try_from(size).unwrap_or_default(),
                    checksum,
                    outcome: FileOutcome::parse(&outcome)
                        .ok_or_else(|| StoreError::new(UnknownOutcome(outcome)))?,
                    received_at,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((files, u64::try_from(total).unwrap_or_default()))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a received file has an unknown outcome {0:?}")]
struct UnknownOutcome(String);
