//! The persistence port. The server implements it for SQLite and PostgreSQL;
//! the rules in this crate only ever see this trait.

use std::{future::Future, pin::Pin, time::Duration};

use chrono::{DateTime, Utc};

use crate::{
    actor::Actor,
    audit::{AuditEntry, AuditEvent},
    cloud_link::{
        self,
        job::{
            FileOutcome, JobId, JobReport, JobSchedule, JobView, NewFile, ReceivedFile, Reported,
        },
        wire::{ClientInfo, JobOffer, Task},
        Link, NewPairing, PinEntryPolicy, PinRefused, Poll, Started,
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
    login::{ClaimedAttempt, LoginPolicy, NotAGuess, RetryAfter, ThrottleKeys},
    page::PageRequest,
    secret::{ApiKeyInfo, NewSecret},
    setup::{CreateAccountError, CreatedAccount, Occasion, UserId},
    tokens::PersonalToken,
    AccountId, AccountName, EmailAddress, Language, Role,
};

/// The database failed. Deliberately opaque: callers answer "ours, not
/// yours" and log the cause chain.
#[derive(Debug, thiserror::Error)]
#[error("the database failed")]
pub struct StoreError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl StoreError {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }
}

/// Why a conditional write of an integration did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The integration is no longer in the state the change was made
    /// from: another request changed it meanwhile.
    #[error("the integration was changed meanwhile")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What sign-in needs to know about a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: UserId,
    pub password_hash: String,
}

/// A signed-in user as every page sees them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserProfile {
    pub id: UserId,
    pub account_id: AccountId,
    pub account_name: AccountName,
    pub email: EmailAddress,
    pub role: Role,
    pub language: Language,
}

/// A personal access token as stored: never the secret itself.
#[derive(Debug, Clone)]
pub struct NewPersonalAccessToken {
    pub user_id: UserId,
    pub name: String,
    pub secret_hash: Vec<u8>,
    pub display_prefix: String,
    pub expires_in: Option<Duration>,
}

/// The future a [`Store`] method returns: boxed, so the trait can be used as
/// `dyn Store` by the pages' server functions, which cannot name the
/// server's concrete type.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Store: Send + Sync + 'static {
    /// Employees, activities and mappings (`workforce`).
    fn workforce(&self) -> &dyn crate::workforce::WorkforceStore;

    /// True once any user exists; the first-run page closes for good then.
    fn has_users(&self) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// Creates an account and its first admin atomically. With
    /// [`Occasion::FirstRun`] it fails with `AlreadySetUp` if any user
    /// exists, also when two requests race.
    fn create_account<'a>(
        &'a self,
        account_name: &'a AccountName,
        admin_email: &'a EmailAddress,
        password_hash: &'a str,
        language: Language,
        occasion: Occasion,
    ) -> BoxFuture<'a, Result<CreatedAccount, CreateAccountError>>;

    fn credentials<'a>(
        &'a self,
        email: &'a EmailAddress,
    ) -> BoxFuture<'a, Result<Option<Credentials>, StoreError>>;

    fn user(&self, id: UserId) -> BoxFuture<'_, Result<Option<UserProfile>, StoreError>>;

    fn user_by_email<'a>(
        &'a self,
        email: &'a EmailAddress,
    ) -> BoxFuture<'a, Result<Option<UserProfile>, StoreError>>;

    fn set_language(&self, id: UserId, language: Language)
        -> BoxFuture<'_, Result<(), StoreError>>;

    /// Reads the attempts under `keys` and, if `policy` allows one more,
    /// counts this one under each key, in one atomic step: parallel
    /// attempts are judged one after another. A refused attempt is not
    /// counted.
    fn claim_sign_in_attempt<'a>(
        &'a self,
        keys: &'a ThrottleKeys,
        policy: &'a LoginPolicy,
    ) -> BoxFuture<'a, Result<Result<ClaimedAttempt, RetryAfter>, StoreError>>;

    /// A claimed attempt was no guess: it stops counting and, when it
    /// signed in, its address becomes known for its email (addresses not
    /// seen within the policy's `known_address_for` are forgotten).
    fn forget_sign_in_attempt<'a>(
        &'a self,
        keys: &'a ThrottleKeys,
        attempt: ClaimedAttempt,
        why: NotAGuess,
        policy: &'a LoginPolicy,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Stores a new personal access token and its audit entry.
    fn create_personal_access_token<'a>(
        &'a self,
        account: AccountId,
        token: NewPersonalAccessToken,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<PersonalToken, StoreError>>;

    /// The user's tokens that are not revoked, newest first.
    fn personal_tokens(
        &self,
        user: UserId,
    ) -> BoxFuture<'_, Result<Vec<PersonalToken>, StoreError>>;

    /// Revokes one of the user's tokens with its audit entry.
    fn revoke_personal_token<'a>(
        &'a self,
        account: AccountId,
        user: UserId,
        id: i64,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Proves the database answers.
    fn ping(&self) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The account's integrations, newest first.
    fn integrations(
        &self,
        account: AccountId,
        include_deleted: bool,
    ) -> BoxFuture<'_, Result<Vec<Integration>, StoreError>>;

    fn integration(
        &self,
        account: AccountId,
        id: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<Integration>, StoreError>>;

    /// Every name in the account, deleted integrations included.
    fn integration_names(
        &self,
        account: AccountId,
    ) -> BoxFuture<'_, Result<Vec<(IntegrationId, IntegrationName)>, StoreError>>;

    /// Inserts an integration and its audit entry in one transaction.
    fn insert_integration<'a>(
        &'a self,
        account: AccountId,
        new: &'a NewIntegration,
        status: Status,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Integration, StoreError>>;

    /// Writes an integration's name, interval, data types and status with
    /// its audit entry, if its status is still `read_as` (compare and
    /// set); a deleted one also loses its API key, atomically.
    fn save_integration<'a>(
        &'a self,
        account: AccountId,
        integration: &'a Integration,
        read_as: Status,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), WriteError>>;

    /// Revokes the integration's key and stores the new one atomically, if
    /// the integration is not deleted by then.
    fn replace_api_key<'a>(
        &'a self,
        account: AccountId,
        id: IntegrationId,
        secret: &'a NewSecret,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<ApiKeyInfo, WriteError>>;

    fn api_key(&self, id: IntegrationId) -> BoxFuture<'_, Result<Option<ApiKeyInfo>, StoreError>>;

    /// A page of the account's audit log, newest first, and the total.
    fn audit_events(
        &self,
        account: AccountId,
        offset: u32,
        limit: u32,
    ) -> BoxFuture<'_, Result<(Vec<AuditEvent>, u64), StoreError>>;

    /// The user a personal access token acts for, if the token is neither
    /// revoked nor expired and its user not locked; notes its use.
    fn token_actor<'a>(
        &'a self,
        secret_hash: &'a [u8],
    ) -> BoxFuture<'a, Result<Option<Actor>, StoreError>>;

    /// The integration an API key belongs to, if the key is not revoked;
    /// notes its use.
    fn integration_for_key<'a>(
        &'a self,
        secret_hash: &'a [u8],
    ) -> BoxFuture<'a, Result<Option<IntegrationId>, StoreError>>;

    /// An integration by id alone, with its account: the ingestion API
    /// finds it before it knows whether the caller may write to it.
    fn ingest_target(
        &self,
        id: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<(AccountId, Integration)>, StoreError>>;

    fn import_by_idempotency_key<'a>(
        &'a self,
        integration: IntegrationId,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<ImportRecord>, StoreError>>;

    /// Keeps the raw request and, unless the integration is paused (then
    /// it is held), applies it: queues, interval statistics, agent
    /// statuses, discovered ids. All in one transaction that first locks
    /// the integration, so a concurrent pause, resume or delete is seen.
    fn store_import<'a>(
        &'a self,
        new: &'a NewImport<'a>,
    ) -> BoxFuture<'a, Result<ImportRecord, StoreImportError>>;

    /// Notes a refused request in the import history (its data is not kept).
    fn record_rejected_import<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        feed: Feed,
        rejected: &'a Rejected,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// A page of an integration's imports, newest first, and the total.
    fn imports(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<ImportRecord>, u64), StoreError>>;

    /// A page of the account's queues, by integration and name, and the
    /// total.
    fn queues(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Queue>, u64), StoreError>>;

    fn queue(
        &self,
        account: AccountId,
        id: QueueId,
    ) -> BoxFuture<'_, Result<Option<Queue>, StoreError>>;

    /// A queue's 15-minute totals with a start in `[from, to)`.
    fn interval_totals(
        &self,
        queue: QueueId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'_, Result<IntervalSeries, StoreError>>;

    /// One step of catching up (`ingest::replay`): if the integration is
    /// resuming, applies its oldest held imports within `budget`, each read
    /// again with `ImportData::reread` and marked applied, and makes it
    /// active when nothing more is held; all in one transaction.
    fn replay_held(
        &self,
        integration: IntegrationId,
        budget: replay::Budget,
    ) -> BoxFuture<'_, Result<replay::Step, StoreError>>;

    /// Integrations that are resuming, longest first (at most a hundred).
    fn resuming_integrations(&self) -> BoxFuture<'_, Result<Vec<IntegrationId>, StoreError>>;

    /// How many imports the integration holds.
    fn held_imports(&self, integration: IntegrationId) -> BoxFuture<'_, Result<u64, StoreError>>;

    /// A page of the agent statuses that overlap `[from, to)`, by start
    /// and agent.
    fn agent_statuses(
        &self,
        integration: IntegrationId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<Vec<StoredAgentStatus>, StoreError>>;

    fn discovered_ids(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Vec<DiscoveredId>, StoreError>>;

    /// Keeps a pairing a client started, unless a live one holds the same
    /// PIN or `MAX_LIVE_PAIRINGS` are live; unbound expired pairings are
    /// forgotten first.
    fn start_pairing<'a>(
        &'a self,
        new: &'a NewPairing<'a>,
    ) -> BoxFuture<'a, Result<Started, StoreError>>;

    /// Judges a client's poll with `Pairing::poll` and records it, in one
    /// step. A granted poll collects: the integration's link gets
    /// `credential_hash`, once. `None` for an unknown handle.
    fn poll_pairing<'a>(
        &'a self,
        device_code_hash: &'a [u8],
        credential_hash: &'a [u8],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<Poll>, StoreError>>;

    /// An admin entered `pin` on `integration` (of `actor`'s account, kind
    /// and status already checked), in one step: the entry is judged by
    /// `policy` and counted as wrong before the lookup; a live pairing
    /// holding the PIN that `Pairing::bind` allows is bound, the count
    /// forgotten, the integration's link made anew (the old client's
    /// credential stops) and its status set to `Status::linked`.
    fn enter_pin<'a>(
        &'a self,
        actor: &'a Actor,
        integration: IntegrationId,
        pin: &'a cloud_link::Pin,
        policy: &'a PinEntryPolicy,
        audit: &'a AuditEntry,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Result<Link, PinRefused>, StoreError>>;

    /// The client linked to `integration`, if any.
    fn link(&self, integration: IntegrationId) -> BoxFuture<'_, Result<Option<Link>, StoreError>>;

    /// A client reported in with its credential: records the contact and
    /// what it says about itself. `None` when no link of a live integration
    /// holds the credential (revoked by pairing again, disconnecting, or
    /// deleting the integration).
    fn record_contact<'a>(
        &'a self,
        credential_hash: &'a [u8],
        client: &'a ClientInfo,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<IntegrationId>, StoreError>>;

    /// Removes the integration's link, so its client's credential stops at
    /// once; `false` when there was none.
    fn unlink<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// The integration whose link holds `credential_hash`, if it is not
    /// deleted: one indexed read, no write.
    fn link_holder<'a>(
        &'a self,
        credential_hash: &'a [u8],
    ) -> BoxFuture<'a, Result<Option<IntegrationId>, StoreError>>;

    /// Queues the jobs `schedule` finds due at `now` (`JobSchedule::due`
    /// over every paired integration), never a second open one for an
    /// integration, whichever server process runs it. How many were queued.
    fn queue_due_jobs<'a>(
        &'a self,
        schedule: &'a JobSchedule,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<u64, StoreError>>;

    /// Claims the integration's oldest open job that is `job::claimable`,
    /// if it is running (not paused or deleted): counts the attempt and
    /// leases it until `schedule.lease_until(now)`. Claimed once, even by
    /// several server processes at a time (`FOR UPDATE SKIP LOCKED`).
    fn claim_job<'a>(
        &'a self,
        integration: IntegrationId,
        schedule: &'a JobSchedule,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<JobOffer>, StoreError>>;

    /// Keeps a file a client uploaded for a job of its integration, judged
    /// by `FileOutcome::judge`; the same name and content again gets the
    /// first outcome. Extends the job's lease while it is open. `None`
    /// when the job is not the integration's.
    fn keep_file<'a>(
        &'a self,
        file: &'a NewFile<'a>,
        lease_until: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<FileOutcome>, StoreError>>;

    /// Ends a job of `integration` as its client reports; see `Reported`.
    /// `None` when the job is not the integration's.
    fn report_job<'a>(
        &'a self,
        integration: IntegrationId,
        job: JobId,
        report: &'a JobReport,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<Reported>, StoreError>>;

    /// A page of the files an integration's client uploaded, newest first,
    /// and the total.
    fn received_files(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<ReceivedFile>, u64), StoreError>>;

    /// Queues `task` for the integration now, unless one of its jobs is
    /// open (`None`).
    fn queue_job<'a>(
        &'a self,
        integration: IntegrationId,
        task: &'a Task,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Option<JobId>, StoreError>>;

    /// One of the integration's jobs, its state as of `now`.
    fn job(
        &self,
        integration: IntegrationId,
        job: JobId,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, Result<Option<JobView>, StoreError>>;

    /// The database integration's settings, if saved.
    fn database_settings(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<StoredDatabase>, StoreError>>;

    /// Saves the database integration's settings with their audit entry,
    /// if the saved ones are still `read_version` (`None`: none saved
    /// yet) and the integration is not deleted; else `Stale`.
    fn save_database_settings<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        kept: &'a KeptSettings,
        read_version: Option<i64>,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<StoredDatabase, WriteError>>;

    /// Paired database integrations that are not deleted, by id after
    /// `after`, at most `limit`: what the import schedule judges.
    fn database_import_candidates(
        &self,
        after: IntegrationId,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<ImportCandidate>, StoreError>>;

    /// One database integration's, if it is paired and not deleted.
    fn database_import_candidate(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<ImportCandidate>, StoreError>>;

    /// Notes how far the integration's imports came.
    fn save_import_progress(
        &self,
        integration: IntegrationId,
        progress: Progress,
    ) -> BoxFuture<'_, Result<(), StoreError>>;

    /// The CSV integration's schema, if one was saved.
    fn csv_schema(
        &self,
        integration: IntegrationId,
    ) -> BoxFuture<'_, Result<Option<StoredSchema>, StoreError>>;

    /// Saves the integration's schema with its audit entry, if the saved
    /// one is still `read_version` (`None`: none saved yet) — compare and
    /// set — and the integration is not deleted.
    fn save_csv_schema<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        schema: &'a CsvSchema,
        read_version: Option<i64>,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<StoredSchema, WriteError>>;

    /// Applies a read file in one transaction that first locks the
    /// integration: its queues, the intervals it replaces
    /// (`csv::import`), its agent statuses, an applied import in the
    /// history, and its received file marked taken. Refused when the
    /// integration is paused (files wait rather than being held) or
    /// deleted, or its queues would pass the cap; `DuplicateKey` when the
    /// received file was taken meanwhile (by another server process).
    fn apply_file<'a>(
        &'a self,
        new: &'a NewFileImport<'a>,
    ) -> BoxFuture<'a, Result<ImportRecord, StoreImportError>>;

    /// Notes a refused file in the import history; its received file, if
    /// any, is marked as taken, so it is not read again (nothing is noted
    /// when it was taken meanwhile).
    fn record_refused_file<'a>(
        &'a self,
        refused: &'a RefusedFile<'a>,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The oldest file received through Cloud Link and not yet taken, of
    /// an integration that is running and has a schema; duplicates are
    /// never offered.
    fn next_received_file(&self) -> BoxFuture<'_, Result<Option<WaitingFile>, StoreError>>;

    /// Keeps a file uploaded in the browser, and forgets the integration's
    /// older ones of the same purpose past `UploadPurpose::kept`; its id.
    fn keep_csv_upload<'a>(
        &'a self,
        new: &'a NewUpload<'a>,
    ) -> BoxFuture<'a, Result<i64, StoreError>>;

    /// One of the integration's uploads of `purpose`: `id`, or the latest.
    fn csv_upload(
        &self,
        integration: IntegrationId,
        purpose: UploadPurpose,
        id: Option<i64>,
    ) -> BoxFuture<'_, Result<Option<StoredUpload>, StoreError>>;
}
