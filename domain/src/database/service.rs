//! What a database integration's admin does over the `Store`: read and
//! save its settings. The password is kept sealed with the server's key
//! ([`CredentialSealer`]) and never given back: a form shows only whether
//! one is set, and a save without one keeps it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    form::SettingsForm,
    import::{self, Cadence, End, LastJob, MarkedQuery, Periods, Progress, Purpose, Window},
    Connection, DatabaseSettings, SettingsDocument, SettingsProblem,
};
use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    cloud_link::{
        job::{runs_jobs, JobId, JobReport},
        wire::{ImportQuery, ImportWindow, ResultTable, Task, MAX_WINDOWS},
    },
    csv::{
        designer::FieldProblem,
        import::{changes, FileImport},
        intervals::Missing,
        query::{read_result, QueryRead, QueryResult, SqlValue},
        schema::FileRefused,
        service::{NewFileImport, RefusedFile},
    },
    ingest::{receive::StoreImportError, Caps, Feed},
    integration::{IntegrationId, IntegrationKind, Status},
    integrations::{self, IntegrationError},
    store::{Store, StoreError, WriteError},
    AccountId,
};

/// Seals the credentials an admin enters with the server's key, and opens
/// them again (for the Cloud Link client, over TLS).
pub trait CredentialSealer: Send + Sync {
    fn seal(&self, secret: &str) -> String;
    /// `None` when sealed with a key the server no longer has.
    fn open(&self, sealed: &str) -> Option<String>;
}

/// The settings as kept: the document without its password, and the
/// password sealed (none when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptSettings {
    pub settings: SettingsDocument,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_password: Option<String>,
}

/// Settings as kept, with the version the next save replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDatabase {
    pub kept: KeptSettings,
    pub version: i64,
    pub saved_at: DateTime<Utc>,
}

impl StoredDatabase {
    pub fn password_set(&self) -> bool {
        self.kept.sealed_password.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    #[error("only database integrations have database settings")]
    NotDatabase,
    #[error("the integration has no database settings yet: save them first")]
    NoSettings,
    #[error("the integration was deleted; its data is kept but it takes no more")]
    Deleted,
    #[error("the settings have problems")]
    Invalid(Vec<SettingsProblem>),
    #[error("the integration does not carry {}", .0.as_str())]
    NotCarried(Feed),
    #[error("the saved password can no longer be read (the server's key changed): enter it again")]
    PasswordLost,
    #[error("no Cloud Link client is connected to this integration yet")]
    NotConnected,
    #[error("the client is busy with an import; test again in a few seconds")]
    Busy,
}

impl From<StoreError> for DatabaseError {
    fn from(error: StoreError) -> Self {
        Self::Integration(error.into())
    }
}

impl From<WriteError> for DatabaseError {
    fn from(error: WriteError) -> Self {
        Self::Integration(error.into())
    }
}

async fn database_integration(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<crate::integration::Integration, DatabaseError> {
    integrations::require_admin(actor)?;
    let integration = integrations::get(store, actor, id).await?;
    if integration.kind != IntegrationKind::Database {
        return Err(DatabaseError::NotDatabase);
    }
    Ok(integration)
}

/// The saved settings (admins only: they say where the database is).
pub async fn settings(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<StoredDatabase, DatabaseError> {
    database_integration(store, actor, id).await?;
    store
        .database_settings(id)
        .await?
        .ok_or(DatabaseError::NoSettings)
}

/// Saves the settings; a document without a password keeps the saved one.
/// Two admins saving at once: one wins, the other is told (`Stale`).
pub async fn save(
    store: &dyn Store,
    sealer: &dyn CredentialSealer,
    actor: &Actor,
    id: IntegrationId,
    document: &SettingsDocument,
) -> Result<StoredDatabase, DatabaseError> {
    let integration = database_integration(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(DatabaseError::Deleted);
    }
    let saved = store.database_settings(id).await?;
    let checked = checked(document, saved.as_ref(), sealer)?;
    let feed = match checked.data {
        super::ImportData::AgentStatuses => Feed::AgentStatuses,
        super::ImportData::Intervals(_) | super::ImportData::Contacts => Feed::ContactEvents,
    };
    let carried = match feed {
        Feed::ContactEvents => integration.data_types.contacts(),
        Feed::AgentStatuses => integration.data_types.agent_statuses(),
    };
    if !carried {
        return Err(DatabaseError::NotCarried(feed));
    }
    let kept = KeptSettings {
        settings: SettingsDocument {
            password: None,
            ..document.clone()
        },
        sealed_password: server_password(&checked.connection).map(|password| sealer.seal(password)),
    };
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::DatabaseSettingsSaved,
        subject: integration.name.to_string(),
        integration: Some(id),
    };
    let read_version = saved.map(|saved| saved.version);
    Ok(store
        .save_database_settings(actor.account_id, id, &kept, read_version, &audit)
        .await?)
}

/// `document` checked, its password the saved one when it has none. The
/// saved password is opened only for a server connection that keeps it:
/// settings through ODBC need none.
fn checked(
    document: &SettingsDocument,
    saved: Option<&StoredDatabase>,
    sealer: &dyn CredentialSealer,
) -> Result<DatabaseSettings, DatabaseError> {
    let keeps_password = document.password.is_none() && document.database_type != "odbc";
    let saved_password = match saved.and_then(|s| s.kept.sealed_password.as_deref()) {
        Some(sealed) if keeps_password => {
            Some(sealer.open(sealed).ok_or(DatabaseError::PasswordLost)?)
        }
        _ => None,
    };
    document
        .settings(saved_password.as_deref())
        .map_err(DatabaseError::Invalid)
}

fn server_password(connection: &Connection) -> Option<&String> {
    match connection {
        Connection::Server { password, .. } if !password.is_empty() => Some(password),
        _ => None,
    }
}

/// *Test connection*: asks the paired client to connect as `document`
/// says (the saved password unless it has one) and run `SELECT 1`. The
/// password is queued sealed, as for imports.
pub async fn test_connection(
    store: &dyn Store,
    sealer: &dyn CredentialSealer,
    actor: &Actor,
    id: IntegrationId,
    document: &SettingsDocument,
    now: DateTime<Utc>,
) -> Result<JobId, DatabaseError> {
    let integration = database_integration(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(DatabaseError::Deleted);
    }
    let saved = store.database_settings(id).await?;
    let mut connection = checked(document, saved.as_ref(), sealer)?.connection;
    if let Connection::Server { password, .. } = &mut connection {
        if !password.is_empty() {
            *password = sealer.seal(password);
        }
    }
    if !store.link(id).await?.is_some_and(|link| link.collected) {
        return Err(DatabaseError::NotConnected);
    }
    let task = Task::TestConnection {
        connection: Box::new(connection),
    };
    store
        .queue_job(id, &task, now)
        .await?
        .ok_or(DatabaseError::Busy)
}

/// What the import schedule knows of one paired database integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCandidate {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub status: Status,
    /// Whether its client has collected its credential.
    pub collected: bool,
    /// `None` until an admin saved settings.
    pub kept: Option<KeptSettings>,
    pub progress: Progress,
    /// Its latest job since it was paired.
    pub last: Option<LastJob>,
}

/// Database integrations looked at per read when queuing imports.
pub const CANDIDATES_PER_READ: u32 = 500;

/// Queues the import due for each database integration at `now`, if any:
/// the number queued.
pub async fn queue_due_imports(
    store: &dyn Store,
    periods: &Periods,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let (mut after, mut queued) = (IntegrationId(0), 0);
    loop {
        let candidates = store
            .database_import_candidates(after, CANDIDATES_PER_READ)
            .await?;
        let Some(last) = candidates.last() else {
            return Ok(queued);
        };
        after = last.integration;
        for candidate in &candidates {
            if let Some(task) = due_import(candidate, periods, now) {
                queued += u64::from(
                    store
                        .queue_job(candidate.integration, &task, now)
                        .await?
                        .is_some(),
                );
            }
        }
        if candidates.len() < CANDIDATES_PER_READ as usize {
            return Ok(queued);
        }
    }
}

/// The import job due for `candidate` at `now`, if any (`import::next`),
/// its password still sealed: it is opened only for the client
/// ([`opened_for_client`]).
pub fn due_import(
    candidate: &ImportCandidate,
    periods: &Periods,
    now: DateTime<Utc>,
) -> Option<Task> {
    if !candidate.collected || !runs_jobs(candidate.status) {
        return None;
    }
    let kept = candidate.kept.as_ref()?;
    // Checked without the password (it is sealed): it was checked with it
    // when saved.
    let settings = kept.settings.settings(Some("")).ok()?;
    let cadence = Cadence {
        real_time: settings.real_time,
        reconciliation: settings.reconciliation,
    };
    let (purpose, window) =
        import::next(cadence, candidate.progress, candidate.last, periods, now)?;
    let marked = MarkedQuery::parse(&settings.query).ok()?;
    let mut windows = import::windows(purpose, window, now, MAX_WINDOWS)
        .into_iter()
        .map(|window| {
            let (from, to) = window.local(settings.zone);
            ImportWindow {
                parameters: marked
                    .parameters
                    .iter()
                    .map(|end| {
                        import::parameter(match end {
                            End::From => from,
                            End::To => to,
                        })
                    })
                    .collect(),
                from: rfc3339(window.from),
                to: rfc3339(window.to),
            }
        });
    let first = windows.next()?;
    let mut connection = settings.connection;
    if let Connection::Server { password, .. } = &mut connection {
        *password = kept.sealed_password.clone().unwrap_or_default();
    }
    let (required, _) = settings.data.columns();
    Some(Task::ImportQuery(Box::new(ImportQuery {
        connection,
        sql: marked.sql,
        parameters: first.parameters,
        columns: required.iter().map(|name| (*name).to_owned()).collect(),
        purpose,
        from: first.from,
        to: first.to,
        then: windows.collect(),
    })))
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The task as its client gets it: an import's password opened (it is
/// kept sealed). `Err` when the server's key changed since it was saved.
pub fn opened_for_client(task: Task, sealer: &dyn CredentialSealer) -> Result<Task, DatabaseError> {
    let open = |connection: &mut Connection| {
        if let Connection::Server { password, .. } = connection {
            if !password.is_empty() {
                *password = sealer.open(password).ok_or(DatabaseError::PasswordLost)?;
            }
        }
        Ok::<(), DatabaseError>(())
    };
    match task {
        Task::ImportQuery(mut import) => {
            open(&mut import.connection)?;
            Ok(Task::ImportQuery(import))
        }
        Task::TestConnection { mut connection } => {
            open(&mut connection)?;
            Ok(Task::TestConnection { connection })
        }
        other => Ok(other),
    }
}

/// What became of a window's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Applied: the window's data replaced.
    Applied { rows: usize },
    /// Imported before (sent again): nothing changed.
    Done,
    /// Not applied: a window before it is not imported yet.
    Early,
    /// Not applied, and why (also in the import history).
    Refused(String),
}

/// A job's windows, read back from its task.
fn job_windows(import: &ImportQuery) -> Option<Vec<Window>> {
    import
        .windows()
        .iter()
        .map(|window| {
            Some(Window {
                from: parse_time(&window.from)?,
                to: parse_time(&window.to)?,
            })
        })
        .collect()
}

/// The window of `import` its job's own report carries (`None`: the
/// task does not read).
pub fn reported_window(candidate: &ImportCandidate, import: &ImportQuery) -> Option<usize> {
    let windows = job_windows(import)?;
    Some(import::reported_window(
        import.purpose,
        candidate.progress,
        &windows,
    ))
}

/// Window `n` of an import job's result, read as the integration's
/// settings say: what applying it changes, or why it is refused. Reading
/// is most of a window's work and needs no turn: a window may be read
/// while the one before it is still being applied.
#[derive(Debug)]
pub struct WindowRead {
    n: usize,
    name: String,
    feed: Feed,
    read: Result<FileImport, FileRefused>,
}

impl WindowRead {
    /// Which of its job's windows it is.
    pub fn n(&self) -> usize {
        self.n
    }
}

/// Reads `table`, the result of window `n` of `import` (`Err`: the job's
/// window does not read, or the integration has no settings — the job's
/// task or the settings changed under it).
pub fn read_window(
    candidate: &ImportCandidate,
    import: &ImportQuery,
    n: usize,
    table: ResultTable,
    now: DateTime<Utc>,
) -> Result<WindowRead, String> {
    let named = import
        .windows()
        .into_iter()
        .nth(n)
        .ok_or("the job has no such window")?;
    let settings = candidate
        .kept
        .as_ref()
        .and_then(|kept| kept.settings.settings(Some("")).ok())
        .ok_or("the integration has no database settings")?;
    let layout = settings.data.layout();
    let result = QueryResult {
        columns: table.columns,
        rows: table
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|cell| cell.map_or(SqlValue::Null, SqlValue::Text))
                    .collect()
            })
            .collect(),
    };
    let read = match read_result(result, layout, settings.zone, Missing::Zero) {
        Ok(data) => Ok(changes(layout, Missing::Zero, data, now)),
        Err(QueryRead::Query(error)) => Err(FileRefused::Query(error)),
        Err(QueryRead::Rows(problems)) => Err(FileRefused::query_rows(problems)),
    };
    Ok(WindowRead {
        n,
        name: import_name(import.purpose, &named.from, &named.to),
        feed: layout.feed(),
        read,
    })
}

/// Applies a window `read` of an import job of `candidate` (its progress
/// as it is now), all or nothing, then notes how far imports came; or
/// notes why it was refused. In turn only (`import::turn`), and safe to
/// repeat: a window applied again replaces what it covers.
pub async fn apply_window(
    store: &dyn Store,
    candidate: &ImportCandidate,
    import: &ImportQuery,
    read: &WindowRead,
    caps: Caps,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, StoreError> {
    let Some(windows) = job_windows(import) else {
        return Ok(ImportOutcome::Refused(
            "the job's window does not read".to_owned(),
        ));
    };
    match import::turn(import.purpose, candidate.progress, &windows, read.n) {
        import::Turn::Due => {}
        import::Turn::Done => return Ok(ImportOutcome::Done),
        import::Turn::Early => return Ok(ImportOutcome::Early),
    }
    let refused = match &read.read {
        Ok(changes) => {
            let new = NewFileImport {
                account: candidate.account,
                integration: candidate.integration,
                file_name: &read.name,
                import: changes,
                received_file: None,
                caps,
                now,
            };
            match crate::csv::service::apply_file(store, &new).await {
                Ok(_) => {
                    let advanced = import::advanced(
                        candidate.progress,
                        import.purpose,
                        windows[read.n],
                        changes.rows,
                    );
                    store
                        .save_import_progress(candidate.integration, advanced)
                        .await?;
                    return Ok(ImportOutcome::Applied { rows: changes.rows });
                }
                Err(StoreImportError::TooManyQueues { cap }) => FileRefused::TooManyQueues { cap },
                Err(StoreImportError::Store(error)) => return Err(error),
                Err(other) => return Err(StoreError::new(other)),
            }
        }
        Err(refused) => refused.clone(),
    };
    record_refused(store, candidate, read.feed, &read.name, &refused, now).await
}

/// Reads and applies the result an import job of `candidate` read for
/// its window `n` ([`read_window`], [`apply_window`]).
pub async fn apply_result(
    store: &dyn Store,
    candidate: &ImportCandidate,
    import: &ImportQuery,
    n: usize,
    table: ResultTable,
    caps: Caps,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, StoreError> {
    match read_window(candidate, import, n, table, now) {
        Ok(read) => apply_window(store, candidate, import, &read, caps, now).await,
        Err(why) => Ok(ImportOutcome::Refused(why)),
    }
}

/// How an import job's window is named in the import history.
fn import_name(purpose: Purpose, from: &str, to: &str) -> String {
    let what = match purpose {
        Purpose::Import => "Query",
        Purpose::Reconciliation => "Reconciliation",
    };
    format!("{what} {from} – {to}")
}

async fn record_refused(
    store: &dyn Store,
    candidate: &ImportCandidate,
    feed: Feed,
    name: &str,
    refused: &FileRefused,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, StoreError> {
    store
        .record_refused_file(&RefusedFile {
            account: candidate.account,
            integration: candidate.integration,
            feed,
            file_name: name,
            received_file: None,
            refused,
            now,
        })
        .await?;
    Ok(ImportOutcome::Refused(refused.summary()))
}

/// Notes in the import history that window `n` of an import job failed
/// on the client's side (`why`, in its words): the admin sees it where
/// imports are listed.
pub async fn record_failure(
    store: &dyn Store,
    candidate: &ImportCandidate,
    import: &ImportQuery,
    n: usize,
    why: &str,
    now: DateTime<Utc>,
) -> Result<ImportOutcome, StoreError> {
    let feed = candidate
        .kept
        .as_ref()
        .and_then(|kept| kept.settings.settings(Some("")).ok())
        .map_or(Feed::ContactEvents, |settings| {
            settings.data.layout().feed()
        });
    let windows = import.windows();
    let window = windows.get(n).unwrap_or(&windows[0]);
    let name = import_name(import.purpose, &window.from, &window.to);
    let refused = FileRefused::Source(why.to_owned());
    record_refused(store, candidate, feed, &name, &refused, now).await
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// After a resume at `now` of an integration paused at `paused_at`: a
/// pause longer than 24 hours skips what is older (`import::after_resume`).
pub async fn resumed(
    store: &dyn Store,
    id: IntegrationId,
    paused_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(candidate) = store.database_import_candidate(id).await? else {
        return Ok(());
    };
    let Some(from) = import::after_resume(candidate.progress, paused_at, now) else {
        return Ok(());
    };
    let progress = Progress {
        imported_to: Some(from),
        ..candidate.progress
    };
    store.save_import_progress(id, progress).await?;
    // An import queued before the pause would read what is now skipped:
    // it ends unrun, and imports go on at once from the new start.
    if let Some(last) = candidate.last.filter(|last| last.succeeded.is_none()) {
        let open = store.job(id, last.id, now).await?;
        if open.is_some_and(|job| matches!(job.task, Task::ImportQuery(_))) {
            let report = JobReport {
                succeeded: true,
                message: "not run: the integration was paused for more than 24 hours; \
                          imports go on from 24 hours before it was resumed"
                    .to_owned(),
                rows: None,
                key: format!("resumed-{}", now.timestamp()),
            };
            store.report_job(id, last.id, &report, now).await?;
        }
    }
    Ok(())
}

/// Queues the integration's import job if one is due at `now`.
pub async fn queue_due_import(
    store: &dyn Store,
    id: IntegrationId,
    periods: &Periods,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(candidate) = store.database_import_candidate(id).await? {
        if let Some(task) = due_import(&candidate, periods, now) {
            store.queue_job(id, &task, now).await?;
        }
    }
    Ok(())
}

/// How *Test connection* went, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestView {
    /// `queued`, `running`, `succeeded` or `failed`.
    pub state: String,
    /// The client's words: the driver's error, or what `SELECT 1` gave.
    pub message: Option<String>,
}

/// What the database settings form shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormView {
    pub integration: String,
    /// The draft after a refusal, else the saved settings, else a new
    /// integration's.
    pub form: SettingsForm,
    /// Whether a password is saved (it is never shown).
    pub password_set: bool,
    /// RFC 3339; `None` before the first save.
    pub saved_at: Option<String>,
    /// The draft's problems, by field.
    pub problems: Vec<FieldProblem>,
    /// Whether a paired client collected its credential.
    pub connected: bool,
    /// The data the integration carries: which import data types fit.
    pub contacts: bool,
    pub agent_statuses: bool,
    pub test: Option<TestView>,
    /// Every IANA time zone, for the searchable list.
    pub zones: Vec<String>,
}

/// The form for `draft` (after a refusal) or the saved settings, with the
/// state of the *Test connection* job `test`, if any (admins only).
pub async fn form_view(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    draft: Option<SettingsForm>,
    test: Option<JobId>,
    now: DateTime<Utc>,
) -> Result<FormView, DatabaseError> {
    let integration = database_integration(store, actor, id).await?;
    let saved = store.database_settings(id).await?;
    let problems = draft
        .as_ref()
        .and_then(|form| form.document().settings(Some("")).err())
        .unwrap_or_default()
        .into_iter()
        .map(|problem| FieldProblem {
            field: SettingsForm::field(problem.pointer).to_owned(),
            detail: problem.detail,
        })
        .collect();
    let form = match (draft, &saved) {
        (Some(draft), _) => draft,
        (None, Some(saved)) => SettingsForm::of(&saved.kept.settings),
        (None, None) => SettingsForm::new_integration("UTC"),
    };
    let test = match test {
        Some(job) => store.job(id, job, now).await?.map(|job| TestView {
            state: job.state.as_str().to_owned(),
            message: job.message,
        }),
        None => None,
    };
    Ok(FormView {
        integration: integration.name.to_string(),
        form,
        password_set: saved.as_ref().is_some_and(StoredDatabase::password_set),
        saved_at: saved.map(|saved| rfc3339(saved.saved_at)),
        problems,
        connected: store.link(id).await?.is_some_and(|link| link.collected),
        contacts: integration.data_types.contacts(),
        agent_statuses: integration.data_types.agent_statuses(),
        test,
        zones: crate::csv::zone::TimeZone::names()
            .into_iter()
            .map(str::to_owned)
            .collect(),
    })
}

/// Ends a claimed job its client cannot be given (`why`: the saved
/// password no longer opens), so it is not offered again; an import's
/// failure is noted in the import history, where the admin looks.
pub async fn end_unrunnable(
    store: &dyn Store,
    id: IntegrationId,
    job: JobId,
    task: &Task,
    key: String,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Task::ImportQuery(import) = task {
        if let Some(candidate) = store.database_import_candidate(id).await? {
            let n = reported_window(&candidate, import).unwrap_or(0);
            record_failure(store, &candidate, import, n, why, now).await?;
        }
    }
    let report = JobReport {
        succeeded: false,
        message: why.to_owned(),
        rows: None,
        key,
    };
    store.report_job(id, job, &report, now).await?;
    Ok(())
}
