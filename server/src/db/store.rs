//! `domain::store::Store` for both engines. Every query is written once, in
//! SQL that SQLite and PostgreSQL both accept (`$n` placeholders,
//! `RETURNING`, `ON CONFLICT`).

use chrono::{DateTime, Utc};
use domain::{
    actor::Actor,
    audit::{AuditEntry, AuditEvent},
    cloud_link::{
        job::{
            FileOutcome, JobId, JobReport, JobSchedule, JobView, NewFile, ReceivedFile, Reported,
        },
        wire::{ClientInfo, JobOffer, Task},
        Link, NewPairing, Pin, PinEntryPolicy, PinRefused, Poll, Started,
    },
    csv::{
        schema::CsvSchema,
        service::{
            NewFileImport, NewUpload, RefusedFile, StoredSchema, StoredUpload, UploadPurpose,
            WaitingFile,
        },
    },
    database::{
        import::Progress,
        service::{ImportCandidate, KeptSettings, StoredDatabase},
    },
    ingest::{
        read::{DiscoveredId, Queue, QueueId, StoredAgentStatus},
        receive::{ImportRecord, NewImport, StoreImportError},
        replay, Feed, IntervalSeries, Rejected,
    },
    integration::{Integration, IntegrationId, IntegrationName, Status},
    integrations::NewIntegration,
    login::{AttemptHistory, ClaimedAttempt, LoginPolicy, NotAGuess, RetryAfter, ThrottleKeys},
    page::PageRequest,
    secret::{ApiKeyInfo, NewSecret},
    setup::{CreateAccountError, CreatedAccount, Occasion},
    store::{
        BoxFuture, Credentials, NewPersonalAccessToken, Store, StoreError, UserProfile, WriteError,
    },
    tokens::PersonalToken,
    AccountId, AccountName, EmailAddress, Language, UserId,
};

use super::{integrations::CorruptRow, on_pool, Database};

/// The history the throttle judges, from the rows under its three keys.
fn attempt_history(
    keys: &ThrottleKeys,
    rows: &[(String, DateTime<Utc>)],
    known_address: bool,
    now: DateTime<Utc>,
) -> AttemptHistory {
    let ages = |key: &str| -> Vec<std::time::Duration> {
        rows.iter()
            .filter(|(k, _)| k == key)
            .map(|(_, at)| (now - *at).to_std().unwrap_or_default())
            .collect()
    };
    AttemptHistory {
        address_and_email: ages(&keys.address_and_email),
        address: ages(&keys.address),
        email: ages(&keys.email),
        known_address,
    }
}

fn delta(duration: std::time::Duration) -> Result<chrono::TimeDelta, StoreError> {
    chrono::TimeDelta::from_std(duration).map_err(StoreError::new)
}

/// Sign-in attempts older than this (or than the throttle's longest
/// window) are deleted.
const LOGIN_FAILURE_RETENTION: chrono::TimeDelta = chrono::TimeDelta::days(1);

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[derive(sqlx::FromRow)]
struct ProfileRow {
    id: i64,
    account_id: i64,
    account_name: String,
    email: String,
    role: String,
    language: String,
}

impl ProfileRow {
    fn into_profile(self) -> Result<UserProfile, StoreError> {
        let corrupt = |what: &str| StoreError::new(CorruptRow(format!("user {}: {what}", self.id)));
        Ok(UserProfile {
            id: UserId(self.id),
            account_id: AccountId(self.account_id),
            account_name: AccountName::parse(&self.account_name)
                .map_err(|_| corrupt("account name"))?,
            email: EmailAddress::parse(&self.email).map_err(|_| corrupt("email"))?,
            role: self.role.parse().map_err(|_| corrupt("role"))?,
            language: self.language.parse().unwrap_or_default(),
        })
    }
}

const PROFILE_SELECT: &str =
    "SELECT u.id, u.account_id, a.name AS account_name, u.email, u.role, u.language \
     FROM users u JOIN accounts a ON a.id = u.account_id";

impl Store for Database {
    fn workforce(&self) -> &dyn domain::workforce::WorkforceStore {
        self
    }

    fn has_users(&self) -> BoxFuture<'_, Result<bool, StoreError>> {
        Box::pin(async move {
            let count: i64 = on_pool!(self, pool => {
                sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS any_user")
                    .fetch_one(pool)
                    .await
            })
            .map_err(StoreError::new)?;
            Ok(count > 0)
        })
    }

    fn create_account<'a>(
        &'a self,
        account_name: &'a AccountName,
        admin_email: &'a EmailAddress,
        password_hash: &'a str,
        language: Language,
        occasion: Occasion,
    ) -> BoxFuture<'a, Result<CreatedAccount, CreateAccountError>> {
        Box::pin(async move {
            let store = |e: sqlx::Error| CreateAccountError::Store(StoreError::new(e));
            let now = Utc::now();
            // The installation row is written first: it takes the write lock, so
            // a racing first-run setup waits here and then fails on the key.
            let claim = match occasion {
            Occasion::FirstRun => "INSERT INTO installation (id, set_up_at) VALUES (1, $1)",
            Occasion::Provisioning => {
                "INSERT INTO installation (id, set_up_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING"
            }
        };
            let _turn = self.write_turn().await;
            on_pool!(self, pool => {
                let mut tx = pool.begin().await.map_err(store)?;
                sqlx::query(claim).bind(now).execute(&mut *tx).await.map_err(|e| {
                    if is_unique_violation(&e) { CreateAccountError::AlreadySetUp } else { store(e) }
                })?;
                if occasion == Occasion::FirstRun {
                    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(store)?;
                    if users > 0 {
                        return Err(CreateAccountError::AlreadySetUp);
                    }
                }
                let account_id: i64 = sqlx::query_scalar(
                    "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id",
                )
                .bind(account_name.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(store)?;
                sqlx::query(super::workforce::INSERT_DEFAULT_ACTIVITY)
                    .bind(account_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(store)?;
                let admin_id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (account_id, email, password_hash, role, language, created_at) \
                     VALUES ($1, $2, $3, 'admin', $4, $5) RETURNING id",
                )
                .bind(account_id)
                .bind(admin_email.as_str())
                .bind(password_hash)
                .bind(language.code())
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| {
                    if is_unique_violation(&e) { CreateAccountError::DuplicateEmail } else { store(e) }
                })?;
                tx.commit().await.map_err(store)?;
                Ok(CreatedAccount { account_id: AccountId(account_id), admin_id: UserId(admin_id) })
            })
        })
    }

    fn credentials<'a>(
        &'a self,
        email: &'a EmailAddress,
    ) -> BoxFuture<'a, Result<Option<Credentials>, StoreError>> {
        Box::pin(async move {
            let row: Option<(i64, String)> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT id, password_hash FROM users WHERE email = $1 AND locked_at IS NULL",
                )
                .bind(email.as_str())
                .fetch_optional(pool)
                .await
            })
            .map_err(StoreError::new)?;
            Ok(row.map(|(id, password_hash)| Credentials {
                user_id: UserId(id),
                password_hash,
            }))
        })
    }

    fn user(&self, id: UserId) -> BoxFuture<'_, Result<Option<UserProfile>, StoreError>> {
        Box::pin(async move {
            let sql = format!("{PROFILE_SELECT} WHERE u.id = $1 AND u.locked_at IS NULL");
            let row: Option<ProfileRow> = on_pool!(self, pool => {
                sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await
            })
            .map_err(StoreError::new)?;
            row.map(ProfileRow::into_profile).transpose()
        })
    }

    fn user_by_email<'a>(
        &'a self,
        email: &'a EmailAddress,
    ) -> BoxFuture<'a, Result<Option<UserProfile>, StoreError>> {
        Box::pin(async move {
            let sql = format!("{PROFILE_SELECT} WHERE u.email = $1");
            let row: Option<ProfileRow> = on_pool!(self, pool => {
                sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(pool).await
            })
            .map_err(StoreError::new)?;
            row.map(ProfileRow::into_profile).transpose()
        })
    }

    fn set_language(
        &self,
        id: UserId,
        language: Language,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            let _turn = self.write_turn().await;
            on_pool!(self, pool => {
                sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
                    .bind(language.code())
                    .bind(id.0)
                    .execute(pool)
                    .await
                    .map(drop)
            })
            .map_err(StoreError::new)
        })
    }

    fn claim_sign_in_attempt<'a>(
        &'a self,
        keys: &'a ThrottleKeys,
        policy: &'a LoginPolicy,
    ) -> BoxFuture<'a, Result<Result<ClaimedAttempt, RetryAfter>, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let since = now - delta(policy.longest_window())?;
            let known_since = now - delta(policy.known_address_for)?;
            let retention = now - LOGIN_FAILURE_RETENTION.max(delta(policy.longest_window())?);
            let postgres = self.engine() == "postgres";
            let _turn = self.write_turn().await;
            let result: Result<_, sqlx::Error> = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                // One attempt per key at a time: on PostgreSQL a lock per
                // key, taken in a stable order; on SQLite this process's
                // writer turn, and the DELETE takes the file's write lock
                // before anything is read.
                if postgres {
                    for key in keys.all() {
                        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                            .bind(key)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
                    .bind(retention)
                    .execute(&mut *tx)
                    .await?;
                let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT throttle_key, failed_at FROM login_failures \
                     WHERE throttle_key IN ($1, $2, $3) AND failed_at > $4",
                )
                .bind(&keys.address_and_email)
                .bind(&keys.address)
                .bind(&keys.email)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?;
                let known: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sign_in_addresses WHERE pair_key = $1 AND last_success_at > $2",
                )
                .bind(&keys.address_and_email)
                .bind(known_since)
                .fetch_one(&mut *tx)
                .await?;
                let history = attempt_history(keys, &rows, known > 0, now);
                if let Err(wait) = policy.judge(&history) {
                    tx.rollback().await?;
                    return Ok(Err(wait));
                }
                let mut ids = Vec::with_capacity(3);
                for key in keys.all() {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO login_failures (throttle_key, failed_at) VALUES ($1, $2) RETURNING id",
                    )
                    .bind(key)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?;
                    ids.push(id);
                }
                tx.commit().await?;
                Ok(Ok(ClaimedAttempt(ids)))
            }.await);
            result.map_err(StoreError::new)
        })
    }

    fn forget_sign_in_attempt<'a>(
        &'a self,
        keys: &'a ThrottleKeys,
        attempt: ClaimedAttempt,
        why: NotAGuess,
        policy: &'a LoginPolicy,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let forgotten = now - delta(policy.known_address_for)?;
            let _turn = self.write_turn().await;
            let result: Result<(), sqlx::Error> = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                for id in &attempt.0 {
                    sqlx::query("DELETE FROM login_failures WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                if why == NotAGuess::NotChecked {
                    return tx.commit().await;
                }
                sqlx::query(
                    "INSERT INTO sign_in_addresses (pair_key, last_success_at) VALUES ($1, $2) \
                     ON CONFLICT (pair_key) DO UPDATE SET last_success_at = excluded.last_success_at",
                )
                .bind(&keys.address_and_email)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sign_in_addresses WHERE last_success_at < $1")
                    .bind(forgotten)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }.await);
            result.map_err(StoreError::new)
        })
    }

    fn create_personal_access_token<'a>(
        &'a self,
        account: AccountId,
        token: NewPersonalAccessToken,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<PersonalToken, StoreError>> {
        Box::pin(self.add_personal_token(account, token, audit))
    }

    fn personal_tokens(
        &self,
        user: UserId,
    ) -> BoxFuture<'_, Result<Vec<PersonalToken>, StoreError>> {
        Box::pin(self.list_personal_tokens(user))
    }

    fn revoke_personal_token<'a>(
        &'a self,
        account: AccountId,
        user: UserId,
        id: i64,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.revoke_token(account, user, id, audit))
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(async move {
            if let Some(file) = &self.sqlite_file {
                // An open SQLite handle keeps working on a deleted file, and every
                // write after that is lost: report it as not ready, also when a
                // new connection has made a new file in its place.
                if !file.still_there() {
                    return Err(StoreError::new(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("the database file {} is gone", file.path.display()),
                    )));
                }
            }
            on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop))
                .map_err(StoreError::new)
        })
    }

    fn integrations(
        &self,
        account: AccountId,
        include_deleted: bool,
    ) -> BoxFuture<'_, Result<Vec<Integration>, StoreError>> {
        Box::pin(self.list_integrations(account, include_deleted))
    }

    fn integration(
        &self,
        account: AccountId,
        id: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<Integration>, StoreError>> {
        Box::pin(self.find_integration(account, id))
    }

    fn integration_names(
        &self,
        account: AccountId,
    ) -> BoxFuture<'_, Result<Vec<(IntegrationId, IntegrationName)>, StoreError>> {
        Box::pin(self.names_of_integrations(account))
    }

    fn insert_integration<'a>(
        &'a self,
        account: AccountId,
        new: &'a NewIntegration,
        status: Status,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Integration, StoreError>> {
        Box::pin(self.add_integration(account, new, status, audit))
    }

    fn save_integration<'a>(
        &'a self,
        account: AccountId,
        integration: &'a Integration,
        read_as: Status,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), WriteError>> {
        Box::pin(self.write_integration(account, integration, read_as, audit))
    }

    fn replace_api_key<'a>(
        &'a self,
        account: AccountId,
        id: IntegrationId,
        secret: &'a NewSecret,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<ApiKeyInfo, WriteError>> {
        Box::pin(self.swap_api_key(account, id, secret, audit))
    }

    fn api_key(&self, id: IntegrationId) -> BoxFuture<'_, Result<Option<ApiKeyInfo>, StoreError>> {
        Box::pin(self.current_api_key(id))
    }

    fn audit_events(
        &self,
        account: AccountId,
        offset: u32,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<AuditEvent>, u64), StoreError>> {
        Box::pin(self.page_of_audit_events(account, offset, limit))
    }

    fn token_actor<'a>(
        &'a self,
        secret_hash: &'a [u8],
    ) -> BoxFuture<'a, Result<Option<Actor>, StoreError>> {
        Box::pin(self.actor_for_token(secret_hash))
    }

    fn integration_for_key<'a>(
        &'a self,
        secret_hash: &'a [u8],
    ) -> BoxFuture<'a, Result<Option<IntegrationId>, StoreError>> {
        Box::pin(self.key_owner(secret_hash))
    }

    fn ingest_target(
        &self,
        id: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<(AccountId, Integration)>, StoreError>> {
        Box::pin(self.target(id))
    }

    fn import_by_idempotency_key<'a>(
        &'a self,
        integration: IntegrationId,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<ImportRecord>, StoreError>> {
        Box::pin(self.import_with_key(integration, key))
    }

    fn store_import<'a>(
        &'a self,
        new: &'a NewImport<'a>,
    ) -> BoxFuture<'a, Result<ImportRecord, StoreImportError>> {
        Box::pin(self.keep_import(new))
    }

    fn record_rejected_import<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        feed: Feed,
        rejected: &'a Rejected,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.note_rejected_import(account, integration, feed, rejected))
    }

    fn imports(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<ImportRecord>, u64), StoreError>> {
        Box::pin(self.page_of_imports(integration, page))
    }

    fn queues(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Queue>, u64), StoreError>> {
        Box::pin(self.list_queues(account, page))
    }

    fn queue(
        &self,
        account: AccountId,
        id: QueueId,
    ) -> BoxFuture<'_, Result<Option<Queue>, StoreError>> {
        Box::pin(self.find_queue(account, id))
    }

    fn interval_totals(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'_, Result<IntervalSeries, StoreError>> {
        Box::pin(self.totals_between(queue, from, to))
    }

    fn agent_statuses(
        &self,
        integration: IntegrationId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<Vec<StoredAgentStatus>, StoreError>> {
        Box::pin(self.statuses_between(integration, from, to, page))
    }

    fn replay_held(
        &self,
        integration: IntegrationId,
        budget: replay::Budget,
    ) -> BoxFuture<'_, Result<replay::Step, StoreError>> {
        Box::pin(self.replay_step(integration, budget))
    }

    fn resuming_integrations(&self) -> BoxFuture<'_, Result<Vec<IntegrationId>, StoreError>> {
        Box::pin(self.resuming())
    }

    fn held_imports(&self, integration: IntegrationId) -> BoxFuture<'_, Result<u64, StoreError>> {
        Box::pin(self.count_held(integration))
    }

    fn discovered_ids(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Vec<DiscoveredId>, StoreError>> {
        Box::pin(self.list_discovered_ids(integration))
    }

    fn start_pairing<'a>(
        &'a self,
        new: &'a NewPairing<'a>,
    ) -> BoxFuture<'a, Result<Started, StoreError>> {
        Box::pin(self.keep_pairing(new))
    }

    fn poll_pairing<'a>(
        &'a self,
        device_code_hash: &'a [u8],
        credential_hash: &'a [u8],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<Poll>, StoreError>> {
        Box::pin(self.judge_poll(device_code_hash, credential_hash, now))
    }

    fn enter_pin<'a>(
        &'a self,
        actor: &'a Actor,
        integration: IntegrationId,
        pin: &'a Pin,
        policy: &'a PinEntryPolicy,
        audit: &'a AuditEntry,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Result<Link, PinRefused>, StoreError>> {
        Box::pin(self.bind_pin(actor, integration, pin, policy, audit, now))
    }

    fn link(&self, integration: IntegrationId) -> BoxFuture<'_, Result<Option<Link>, StoreError>> {
        Box::pin(self.link_for(integration))
    }

    fn record_contact<'a>(
        &'a self,
        credential_hash: &'a [u8],
        client: &'a ClientInfo,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<IntegrationId>, StoreError>> {
        Box::pin(self.note_contact(credential_hash, client, now))
    }

    fn unlink<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(self.remove_link(account, integration, audit))
    }

    fn link_holder<'a>(
        &'a self,
        credential_hash: &'a [u8],
    ) -> BoxFuture<'a, Result<Option<IntegrationId>, StoreError>> {
        Box::pin(self.integration_of_credential(credential_hash))
    }

    fn queue_due_jobs<'a>(
        &'a self,
        schedule: &'a JobSchedule,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<u64, StoreError>> {
        Box::pin(self.queue_jobs(schedule, now))
    }

    fn claim_job<'a>(
        &'a self,
        integration: IntegrationId,
        schedule: &'a JobSchedule,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<JobOffer>, StoreError>> {
        Box::pin(self.claim_open_job(integration, schedule, now))
    }

    fn keep_file<'a>(
        &'a self,
        file: &'a NewFile<'a>,
        lease_until: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<FileOutcome>, StoreError>> {
        Box::pin(self.keep_received_file(file, lease_until))
    }

    fn report_job<'a>(
        &'a self,
        integration: IntegrationId,
        job: JobId,
        report: &'a JobReport,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<Reported>, StoreError>> {
        Box::pin(self.end_job(integration, job, report, now))
    }

    fn received_files(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<ReceivedFile>, u64), StoreError>> {
        Box::pin(self.page_of_received_files(integration, page))
    }

    fn queue_job<'a>(
        &'a self,
        integration: IntegrationId,
        task: &'a Task,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<JobId>, StoreError>> {
        Box::pin(self.queue_one_job(integration, task, now))
    }

    fn job(
        &self,
        integration: IntegrationId,
        job: JobId,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, Result<Option<JobView>, StoreError>> {
        Box::pin(self.job_of(integration, job, now))
    }

    fn database_import_candidates(
        &self,
        after: IntegrationId,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<ImportCandidate>, StoreError>> {
        Box::pin(self.import_candidates(after, limit))
    }

    fn database_import_candidate(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<ImportCandidate>, StoreError>> {
        Box::pin(self.import_candidate(integration))
    }

    fn save_import_progress(
        &self,
        integration: IntegrationId,
        progress: Progress,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.keep_import_progress(integration, progress))
    }

    fn csv_schema(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<StoredSchema>, StoreError>> {
        Box::pin(self.find_csv_schema(integration))
    }

    fn database_settings(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<StoredDatabase>, StoreError>> {
        Box::pin(self.find_database_settings(integration))
    }

    fn save_database_settings<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        kept: &'a KeptSettings,
        read_version: Option<i64>,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<StoredDatabase, WriteError>> {
        Box::pin(self.keep_database_settings(account, integration, kept, read_version, audit))
    }

    fn save_csv_schema<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        schema: &'a CsvSchema,
        read_version: Option<i64>,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<StoredSchema, WriteError>> {
        Box::pin(self.keep_csv_schema(account, integration, schema, read_version, audit))
    }

    fn apply_file<'a>(
        &'a self,
        new: &'a NewFileImport<'a>,
    ) -> BoxFuture<'a, Result<ImportRecord, StoreImportError>> {
        Box::pin(self.apply_csv_file(new))
    }

    fn record_refused_file<'a>(
        &'a self,
        refused: &'a RefusedFile<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.note_refused_file(refused))
    }

    fn next_received_file(&self) -> BoxFuture<'_, Result<Option<WaitingFile>, StoreError>> {
        Box::pin(self.first_waiting_file())
    }

    fn keep_csv_upload<'a>(
        &'a self,
        new: &'a NewUpload<'a>,
    ) -> BoxFuture<'a, Result<i64, StoreError>> {
        Box::pin(self.keep_upload(new))
    }

    fn csv_upload(
        &self,
        integration: IntegrationId,
        purpose: UploadPurpose,
        id: Option<i64>,
    ) -> BoxFuture<'_, Result<Option<StoredUpload>, StoreError>> {
        Box::pin(self.find_upload(integration, purpose, id))
    }
}
