//! What the pairing endpoints do, over the `Store`: start a pairing and
//! answer a client's poll. Entering a PIN is an admin's change to an
//! integration: `integrations::link_client`.

use chrono::{DateTime, Utc};

use super::{
    job::{
        Checksum, FileName, FileOutcome, JobId, JobReport, JobSchedule, JobState, JobView, NewFile,
        Reported, MAX_CONNECTION_CHARS, MAX_SQL_CHARS,
    },
    wire::{
        ClientInfo, ImportQuery, JobResult, QueryRows, ResultTable, Task, MAX_MESSAGE_CHARS,
        MAX_ROWS_REPORTED,
    },
    NewPairing, Pairing, Pin, Poll, Started,
};
use crate::store::{Store, StoreError};
use crate::{
    actor::Actor,
    database::{self, service::ImportOutcome},
    ingest::Caps,
    integration::{IntegrationId, IntegrationKind},
    integrations::IntegrationError,
};

/// Why no pairing was started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0} must be 1 to 255 characters of plain text")]
    BadClient(&'static str),
    #[error("too many clients are waiting to be paired; try again in a minute")]
    Full,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How often a PIN is drawn again when a live pairing holds it: with at
/// most `MAX_LIVE_PAIRINGS` live, eight clashes in a row are one chance in
/// 10¹⁶.
const DRAWS: usize = 8;

/// Starts a pairing for `client`, kept under `device_code_hash`; `draw`
/// gives a fresh PIN (from the OS's CSPRNG) each time it is called.
pub async fn start(
    store: &dyn Store,
    client: &ClientInfo,
    device_code_hash: &[u8],
    mut draw: impl FnMut() -> Pin,
    now: DateTime<Utc>,
) -> Result<(Pin, Pairing), StartError> {
    if let Some(field) = client.first_bad_field() {
        return Err(StartError::BadClient(field));
    }
    let pairing = Pairing::new(now);
    for _ in 0..DRAWS {
        let pin = draw();
        let new = NewPairing {
            device_code_hash,
            pin: &pin,
            client,
            pairing: &pairing,
            started_at: now,
        };
        match store.start_pairing(&new).await? {
            Started::Kept => return Ok((pin, pairing)),
            Started::PinTaken => continue,
            Started::Full => return Err(StartError::Full),
        }
    }
    Err(StartError::Full)
}

/// Why a client's report was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("{0} must be 1 to 255 characters of plain text")]
    BadClient(&'static str),
    /// No link holds the credential: the client must pair again.
    #[error("this installation is no longer connected: pair it again")]
    Revoked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A paired client reports in (a heartbeat): recorded as its last contact,
/// with what it says about itself now.
pub async fn report_contact(
    store: &dyn Store,
    credential_hash: &[u8],
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<crate::integration::IntegrationId, ContactError> {
    if let Some(field) = client.first_bad_field() {
        return Err(ContactError::BadClient(field));
    }
    store
        .record_contact(credential_hash, client, now)
        .await?
        .ok_or(ContactError::Revoked)
}

/// Answers a client's poll. An unknown handle is `Expired`, so a client
/// whose pairing was forgotten simply starts a new one.
pub async fn poll(
    store: &dyn Store,
    device_code_hash: &[u8],
    credential_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Poll, StoreError> {
    Ok(store
        .poll_pairing(device_code_hash, credential_hash, now)
        .await?
        .unwrap_or(Poll::Expired))
}

/// Why an uploaded file was not taken.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("this installation is no longer connected: pair it again")]
    Revoked,
    #[error("a file name is 1 to 255 characters of plain text, without / or \\")]
    BadName,
    #[error("the checksum in the address is not the SHA-256 of the content: the upload was cut or changed on the way; send it again")]
    ChecksumMismatch,
    #[error("this job is not this installation's")]
    UnknownJob,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An upload as it arrived: the name and checksum the client sent, and
/// the checksum of what was actually received.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    pub job: JobId,
    pub name: &'a str,
    pub claimed: &'a Checksum,
    pub received: &'a Checksum,
    pub size: u64,
    /// The content as it is to be stored.
    pub encoding: &'a str,
    pub body: &'a [u8],
}

/// Keeps a file a paired client uploaded for one of its jobs, unless it
/// was changed on the way.
pub async fn receive_file(
    store: &dyn Store,
    credential_hash: &[u8],
    upload: &Upload<'_>,
    schedule: &JobSchedule,
    now: DateTime<Utc>,
) -> Result<FileOutcome, FileError> {
    let name = FileName::parse(upload.name).ok_or(FileError::BadName)?;
    if upload.claimed != upload.received {
        return Err(FileError::ChecksumMismatch);
    }
    let integration = store
        .link_holder(credential_hash)
        .await?
        .ok_or(FileError::Revoked)?;
    let file = NewFile {
        integration,
        job: upload.job,
        name: &name,
        size: upload.size,
        checksum: upload.received,
        encoding: upload.encoding,
        body: upload.body,
        received_at: now,
    };
    store
        .keep_file(&file, schedule.lease_until(now))
        .await?
        .ok_or(FileError::UnknownJob)
}

/// Why a job's report was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("this installation is no longer connected: pair it again")]
    Revoked,
    #[error("this job is not this installation's")]
    UnknownJob,
    #[error("an idempotency key is 1 to 255 visible ASCII characters")]
    BadKey,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Columns of a query result kept, at most.
const MAX_COLUMNS: usize = 100;
/// Characters of one cell or column name kept, at most.
const MAX_CELL_CHARS: usize = 1_000;

fn clip(text: &str) -> String {
    text.chars().take(MAX_CELL_CHARS).collect()
}

/// Ends a job as its client reports, once: the same report again (same
/// key) changes nothing.
pub async fn report(
    store: &dyn Store,
    credential_hash: &[u8],
    job: JobId,
    result: JobResult,
    key: &str,
    imports: Imports,
    now: DateTime<Utc>,
) -> Result<Reported, ReportError> {
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ReportError::BadKey);
    }
    let integration = store
        .link_holder(credential_hash)
        .await?
        .ok_or(ReportError::Revoked)?;
    let message: String = result
        .message
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_MESSAGE_CHARS)
        .collect();
    let rows = result.rows.as_ref().map(|rows| {
        let bounded = QueryRows {
            columns: rows
                .columns
                .iter()
                .take(MAX_COLUMNS)
                .map(|c| clip(c))
                .collect(),
            row_count: rows.row_count,
            rows: rows
                .rows
                .iter()
                .take(MAX_ROWS_REPORTED)
                .map(|row| {
                    row.iter()
                        .take(MAX_COLUMNS)
                        .map(|cell| cell.as_deref().map(clip))
                        .collect()
                })
                .collect(),
        };
        serde_json::to_string(&bounded).unwrap_or_default()
    });
    let reported_success = result.succeeded;
    let (succeeded, message, import) =
        match imported(store, integration, job, result, imports, now).await? {
            Some(ImportOutcome::Refused(why)) => (false, why, true),
            Some(ImportOutcome::Early) => (
                false,
                "the client reported a window before the one ahead of it was imported".to_owned(),
                true,
            ),
            Some(ImportOutcome::Applied { .. } | ImportOutcome::Done) => {
                (reported_success, message, true)
            }
            None => (reported_success, message, false),
        };
    let report = JobReport {
        succeeded,
        message,
        rows,
        key: key.to_owned(),
    };
    let reported = store
        .report_job(integration, job, &report, now)
        .await?
        .ok_or(ReportError::UnknownJob)?;
    if import && reported == Reported::Applied {
        // A history goes on at once, without waiting for the scheduler.
        database::service::queue_due_import(store, integration, &imports.periods, now).await?;
    }
    Ok(reported)
}

/// What an import job needs besides the store.
#[derive(Debug, Clone, Copy)]
pub struct Imports {
    pub caps: Caps,
    pub periods: database::import::Periods,
}

/// Applies an open import job's result, if `job` is one that succeeded:
/// `None` for any other job.
async fn imported(
    store: &dyn Store,
    integration: IntegrationId,
    job: JobId,
    result: JobResult,
    imports: Imports,
    now: DateTime<Utc>,
) -> Result<Option<ImportOutcome>, StoreError> {
    let Some(view) = store.job(integration, job, now).await? else {
        return Ok(None);
    };
    let open = matches!(view.state, JobState::Queued | JobState::Running);
    let Task::ImportQuery(import) = &view.task else {
        return Ok(None);
    };
    if !open {
        return Ok(None);
    }
    let Some(candidate) = store.database_import_candidate(integration).await? else {
        return Ok(None);
    };
    let n = database::service::reported_window(&candidate, import).unwrap_or(0);
    let outcome = match (result.table, result.succeeded) {
        (Some(table), true) => Ok(table),
        (None, true) => Err("the client sent no result".to_owned()),
        (_, false) => Err(result.message),
    };
    match outcome {
        Ok(table) => {
            database::service::apply_result(store, &candidate, import, n, table, imports.caps, now)
                .await
        }
        Err(why) => {
            database::service::record_failure(store, &candidate, import, n, &why, now).await
        }
    }
    .map(Some)
}

/// Why a window's result was not applied.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    #[error("this installation is no longer connected: pair it again")]
    Revoked,
    #[error("this job is not this installation's")]
    UnknownJob,
    #[error("the job has ended already: nothing changed")]
    AlreadyEnded,
    #[error("this job has no window {0} that is sent on its own: the last window comes with the job's report")]
    UnknownWindow(usize),
    #[error(
        "window {0} came before the window ahead of it was imported: send the windows in order"
    )]
    Early(usize),
    /// The window's rows were refused (noted in the import history), and
    /// the job ended with it.
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The task of `integration`'s `job` while it is open, and the
/// integration as its imports see it now.
async fn open_job(
    store: &dyn Store,
    integration: IntegrationId,
    job: JobId,
    now: DateTime<Utc>,
) -> Result<(Task, database::service::ImportCandidate), WindowError> {
    let view = store
        .job(integration, job, now)
        .await?
        .ok_or(WindowError::UnknownJob)?;
    if !matches!(view.state, JobState::Queued | JobState::Running) {
        return Err(WindowError::AlreadyEnded);
    }
    let candidate = store
        .database_import_candidate(integration)
        .await?
        .ok_or(WindowError::UnknownJob)?;
    Ok((view.task, candidate))
}

/// Window `n` of an open history job as its client sent it, read and
/// waiting for its turn ([`apply_window`]).
#[derive(Debug)]
pub struct SentWindow {
    pub integration: IntegrationId,
    job: JobId,
    import: Box<ImportQuery>,
    read: database::service::WindowRead,
}

/// Reads window `n` of an open history job, as its client sends the
/// windows before the last one while it reads the next (ADR 0012).
/// Reading needs no turn: the window before it may still be applying.
pub async fn read_window(
    store: &dyn Store,
    credential_hash: &[u8],
    job: JobId,
    n: usize,
    table: ResultTable,
    now: DateTime<Utc>,
) -> Result<SentWindow, WindowError> {
    let integration = store
        .link_holder(credential_hash)
        .await?
        .ok_or(WindowError::Revoked)?;
    let (task, candidate) = open_job(store, integration, job, now).await?;
    let Task::ImportQuery(import) = task else {
        return Err(WindowError::UnknownWindow(n));
    };
    if n + 1 >= import.windows().len() {
        return Err(WindowError::UnknownWindow(n));
    }
    let read = database::service::read_window(&candidate, &import, n, table, now)
        .map_err(WindowError::Refused)?;
    Ok(SentWindow {
        integration,
        job,
        import,
        read,
    })
}

/// Applies a window read by [`read_window`] if it is its turn: in order,
/// all or nothing, and once — the same window again changes nothing.
/// `Early` when the window before it is not applied yet (the caller may
/// try again once another window was applied); a refused window ends the
/// job (the next one starts from it).
pub async fn apply_window(
    store: &dyn Store,
    sent: &SentWindow,
    imports: Imports,
    now: DateTime<Utc>,
) -> Result<(), WindowError> {
    let (integration, job, n) = (sent.integration, sent.job, sent.read.n());
    // Looked at again: the job may have ended, and the progress moved,
    // while the window was read.
    let (_, candidate) = open_job(store, integration, job, now).await?;
    let applied = database::service::apply_window(
        store,
        &candidate,
        &sent.import,
        &sent.read,
        imports.caps,
        now,
    )
    .await?;
    match applied {
        ImportOutcome::Applied { .. } | ImportOutcome::Done => Ok(()),
        ImportOutcome::Early => Err(WindowError::Early(n)),
        ImportOutcome::Refused(why) => {
            let report = JobReport {
                succeeded: false,
                message: why.clone(),
                rows: None,
                key: format!("server-window-{n}"),
            };
            store.report_job(integration, job, &report, now).await?;
            Err(WindowError::Refused(why))
        }
    }
}

/// Why a probe was not queued or cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    #[error("only database integrations run queries")]
    NotDatabase,
    #[error("no Cloud Link client is connected to this integration yet")]
    NotConnected,
    #[error("the client has a job open; try again when it has ended")]
    Busy,
    #[error("connection must be 1 to 4096 characters without NUL: a connection string or DSN=…")]
    BadConnection,
    #[error("sql must be 1 to 100000 characters without NUL")]
    BadSql,
    #[error("there is no such job")]
    NoSuchJob,
}

impl From<StoreError> for ProbeError {
    fn from(error: StoreError) -> Self {
        Self::Integration(error.into())
    }
}

fn fits(text: &str, max: usize) -> bool {
    !text.trim().is_empty() && text.chars().count() <= max && !text.contains('\0')
}

/// An admin asks the database integration's client to run `sql` over
/// `connection` (a `SELECT 1`-style probe: can it reach the database?).
/// The connection string is kept only until the job ends.
pub async fn probe(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    connection: &str,
    sql: &str,
    now: DateTime<Utc>,
) -> Result<JobId, ProbeError> {
    crate::integrations::require_admin(actor)?;
    let integration = crate::integrations::get(store, actor, id).await?;
    if integration.kind != IntegrationKind::Database {
        return Err(ProbeError::NotDatabase);
    }
    if !fits(connection, MAX_CONNECTION_CHARS) {
        return Err(ProbeError::BadConnection);
    }
    if !fits(sql, MAX_SQL_CHARS) {
        return Err(ProbeError::BadSql);
    }
    if !store.link(id).await?.is_some_and(|link| link.collected) {
        return Err(ProbeError::NotConnected);
    }
    let task = Task::RunQuery {
        connection: connection.to_owned(),
        sql: sql.to_owned(),
    };
    store
        .queue_job(id, &task, now)
        .await?
        .ok_or(ProbeError::Busy)
}

/// One of the integration's jobs, for any member of its account.
pub async fn job(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    job: JobId,
    now: DateTime<Utc>,
) -> Result<JobView, ProbeError> {
    crate::integrations::get(store, actor, id).await?;
    store.job(id, job, now).await?.ok_or(ProbeError::NoSuchJob)
}
