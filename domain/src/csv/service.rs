//! What a CSV integration's admin does, over the `Store`: save its schema,
//! preview a file against it, and import a file — uploaded by hand or
//! received through Cloud Link — all or nothing, with an entry in the
//! import history either way.

use chrono::{DateTime, Utc};

use super::{
    designer::{Design, FieldProblem, RowsPreview, SchemaForm, UploadInfo, UploadPreview},
    document::{DocumentProblem, SchemaDocument},
    import::FileImport,
    query::{QuerySandbox, SandboxUnavailable},
    schema::{CsvSchema, FileRefused},
};
use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    ingest::{receive::ImportRecord, receive::StoreImportError, Caps, Feed},
    integration::{Integration, IntegrationId, IntegrationKind, Status},
    integrations::{self, IntegrationError},
    setup::UserId,
    store::{Store, StoreError, WriteError},
    AccountId,
};

/// A schema as kept, with the version a change is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSchema {
    pub schema: CsvSchema,
    /// Counts the saves: a save names the version it replaces.
    pub version: i64,
    pub saved_at: DateTime<Utc>,
}

/// A read file as the store applies it.
#[derive(Debug)]
pub struct NewFileImport<'a> {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub file_name: &'a str,
    pub import: &'a FileImport,
    /// The file received through Cloud Link it was read from, marked
    /// imported in the same transaction.
    pub received_file: Option<i64>,
    pub caps: Caps,
    pub now: DateTime<Utc>,
}

/// Applies a file that was read, and tells the boards when it carried
/// agent statuses (they read themselves again: a file may hold many).
pub async fn apply_file(
    store: &dyn Store,
    new: &NewFileImport<'_>,
) -> Result<ImportRecord, StoreImportError> {
    let record = store.apply_file(new).await?;
    if let super::import::Changes::AgentStatuses(_) = &new.import.changes {
        store
            .workforce()
            .announce(crate::workforce::intraday::Change::Remapped {
                account: new.account,
            })
            .await;
    }
    Ok(record)
}

/// A file that was not imported, for the history.
#[derive(Debug)]
pub struct RefusedFile<'a> {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub feed: Feed,
    pub file_name: &'a str,
    pub received_file: Option<i64>,
    pub refused: &'a FileRefused,
    pub now: DateTime<Utc>,
}

impl FileRefused {
    /// How many problems the history counts.
    pub fn problem_count(&self) -> usize {
        match self {
            FileRefused::Rows { total, .. } | FileRefused::QueryRows { total, .. } => *total,
            _ => 1,
        }
    }

    /// One line for the history: the first problem and how many more.
    pub fn summary(&self) -> String {
        match self {
            FileRefused::Rows { listed, total } | FileRefused::QueryRows { listed, total } => {
                let line = if matches!(self, FileRefused::QueryRows { .. }) {
                    "result row"
                } else {
                    "line"
                };
                let first = listed.first().map_or(String::new(), |p| {
                    if p.column.is_empty() {
                        format!("{line} {}: {}", p.line, p.detail)
                    } else {
                        format!("{line} {}, column {}: {}", p.line, p.column, p.detail)
                    }
                });
                match total {
                    0 | 1 => first,
                    n => format!("{first} (and {} more)", n - 1),
                }
            }
            other => other.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error(transparent)]
    Integration(#[from] IntegrationError),
    #[error("only CSV integrations have a CSV schema")]
    NotCsv,
    #[error("the integration has no CSV schema yet: save one first")]
    NoSchema,
    #[error("the schema has problems")]
    Invalid(Vec<DocumentProblem>),
    #[error("the schema has problems")]
    InvalidForm(Vec<FieldProblem>),
    #[error("there is no such file; upload it again")]
    NoSuchUpload,
    #[error("the data type and layout are fixed once a schema is saved; create another integration for other data")]
    LayoutFixed,
    #[error("the integration does not carry {}", .0.as_str())]
    NotCarried(Feed),
    #[error("the integration is paused: resume it to import files")]
    Paused,
    #[error("the integration was deleted; its data is kept but it takes no more")]
    Deleted,
    #[error("the integration would have more than {cap} queues")]
    TooManyQueues { cap: u64 },
    #[error("the file was not imported")]
    Refused(FileRefused),
    #[error(transparent)]
    Sandbox(#[from] SandboxUnavailable),
}

impl From<StoreError> for CsvError {
    fn from(error: StoreError) -> Self {
        Self::Integration(error.into())
    }
}

impl From<WriteError> for CsvError {
    fn from(error: WriteError) -> Self {
        Self::Integration(error.into())
    }
}

impl From<StoreImportError> for CsvError {
    fn from(error: StoreImportError) -> Self {
        match error {
            StoreImportError::Deleted => Self::Deleted,
            StoreImportError::Paused => Self::Paused,
            StoreImportError::TooManyQueues { cap } => Self::TooManyQueues { cap },
            StoreImportError::Store(error) => error.into(),
            StoreImportError::DuplicateKey | StoreImportError::HeldFull { .. } => {
                Self::Integration(IntegrationError::Stale)
            }
        }
    }
}

/// The actor's CSV integration.
async fn csv_integration(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Integration, CsvError> {
    let integration = integrations::get(store, actor, id).await?;
    if integration.kind != IntegrationKind::Csv {
        return Err(CsvError::NotCsv);
    }
    Ok(integration)
}

/// The integration's schema, if one was saved.
pub async fn schema(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
) -> Result<Option<StoredSchema>, CsvError> {
    csv_integration(store, actor, id).await?;
    Ok(store.csv_schema(id).await?)
}

/// Whether `new` may replace `saved` on `integration`.
pub fn check_replacement(
    integration: &Integration,
    saved: Option<&CsvSchema>,
    new: &CsvSchema,
) -> Result<(), CsvError> {
    let layout = new.layout();
    let carried = match layout.feed() {
        Feed::ContactEvents => integration.data_types.contacts(),
        Feed::AgentStatuses => integration.data_types.agent_statuses(),
    };
    if !carried {
        return Err(CsvError::NotCarried(layout.feed()));
    }
    match saved.map(CsvSchema::layout) {
        Some(fixed) if fixed != layout => Err(CsvError::LayoutFixed),
        _ => Ok(()),
    }
}

/// Saves the integration's schema; its layout stays what it was first
/// saved with. Two admins saving at once: one wins, the other is told.
pub async fn save_schema(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    document: &SchemaDocument,
) -> Result<StoredSchema, CsvError> {
    let schema = document.schema().map_err(CsvError::Invalid)?;
    save(store, actor, id, schema).await
}

/// Saves the schema the designer's form describes.
pub async fn save_form(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    form: &SchemaForm,
) -> Result<StoredSchema, CsvError> {
    let schema = form.schema().map_err(CsvError::InvalidForm)?;
    save(store, actor, id, schema).await
}

async fn save(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    schema: CsvSchema,
) -> Result<StoredSchema, CsvError> {
    integrations::require_admin(actor)?;
    let integration = csv_integration(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(CsvError::Deleted);
    }
    let saved = store.csv_schema(id).await?;
    check_replacement(&integration, saved.as_ref().map(|s| &s.schema), &schema)?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::CsvSchemaSaved,
        subject: integration.name.to_string(),
        integration: Some(id),
    };
    let read_version = saved.map(|saved| saved.version);
    Ok(store
        .save_csv_schema(actor.account_id, id, &schema, read_version, &audit)
        .await?)
}

/// What importing `bytes` would do, or why it would be refused; nothing
/// is stored.
pub async fn preview(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    bytes: &[u8],
    sandbox: &dyn QuerySandbox,
    now: DateTime<Utc>,
) -> Result<Result<FileImport, FileRefused>, CsvError> {
    csv_integration(store, actor, id).await?;
    let stored = store.csv_schema(id).await?.ok_or(CsvError::NoSchema)?;
    Ok(read(&stored.schema, bytes, sandbox, now).await?)
}

/// Reads a whole file with `schema`.
pub async fn read(
    schema: &CsvSchema,
    bytes: &[u8],
    sandbox: &dyn QuerySandbox,
    now: DateTime<Utc>,
) -> Result<Result<FileImport, FileRefused>, SandboxUnavailable> {
    Ok(schema
        .read(bytes, sandbox)
        .await?
        .map(|data| schema.changes(data, now)))
}

/// What reading a file needs besides the store.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    pub sandbox: &'a dyn QuerySandbox,
    pub caps: Caps,
}

/// Imports a file an admin uploaded: all of it, or nothing and a refused
/// entry in the history. The same file may be uploaded twice: it
/// replaces what it covers, so nothing is counted twice.
pub async fn upload(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    file_name: &str,
    bytes: &[u8],
    reading: Reading<'_>,
    now: DateTime<Utc>,
) -> Result<ImportRecord, CsvError> {
    integrations::require_admin(actor)?;
    let integration = csv_integration(store, actor, id).await?;
    match integration.status {
        Status::Deleted => return Err(CsvError::Deleted),
        status if status.holds_pushed_data() => return Err(CsvError::Paused),
        _ => {}
    }
    let stored = store.csv_schema(id).await?.ok_or(CsvError::NoSchema)?;
    let source = Source {
        account: actor.account_id,
        integration: id,
        file_name,
        received_file: None,
    };
    apply(store, &stored.schema, &source, bytes, reading, now).await
}

/// Where a file came from.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub file_name: &'a str,
    pub received_file: Option<i64>,
}

/// Reads and applies a file, or records why not.
pub async fn apply(
    store: &dyn Store,
    schema: &CsvSchema,
    source: &Source<'_>,
    bytes: &[u8],
    reading: Reading<'_>,
    now: DateTime<Utc>,
) -> Result<ImportRecord, CsvError> {
    let caps = reading.caps;
    let refused = match read(schema, bytes, reading.sandbox, now).await? {
        Ok(import) => {
            let new = NewFileImport {
                account: source.account,
                integration: source.integration,
                file_name: source.file_name,
                import: &import,
                received_file: source.received_file,
                caps,
                now,
            };
            match apply_file(store, &new).await {
                Ok(record) => return Ok(record),
                Err(StoreImportError::TooManyQueues { cap }) => FileRefused::TooManyQueues { cap },
                Err(other) => return Err(other.into()),
            }
        }
        Err(refused) => refused,
    };
    store
        .record_refused_file(&RefusedFile {
            account: source.account,
            integration: source.integration,
            feed: schema.layout().feed(),
            file_name: source.file_name,
            received_file: source.received_file,
            refused: &refused,
            now,
        })
        .await?;
    Err(CsvError::Refused(refused))
}

/// Imports the oldest file received through Cloud Link that waits, if
/// any (`Store::next_received_file`): `true` when one was taken, imported
/// or refused, so the caller goes on.
pub async fn import_next_received(
    store: &dyn Store,
    reading: Reading<'_>,
    now: DateTime<Utc>,
) -> Result<bool, CsvError> {
    let Some(waiting) = store.next_received_file().await? else {
        return Ok(false);
    };
    let source = Source {
        account: waiting.account,
        integration: waiting.integration,
        file_name: &waiting.name,
        received_file: Some(waiting.id),
    };
    match apply(store, &waiting.schema, &source, &waiting.body, reading, now).await {
        // The file waits: tried again in the next round.
        Err(error @ (CsvError::Integration(IntegrationError::Store(_)) | CsvError::Sandbox(_))) => {
            Err(error)
        }
        // Imported, refused, or paused or deleted meanwhile (then it
        // waits, or is left, and is not offered again until it may be).
        _ => Ok(true),
    }
}

/// A file received through Cloud Link waiting to be imported, with the
/// schema it is read with.
#[derive(Debug, Clone)]
pub struct WaitingFile {
    pub id: i64,
    pub account: AccountId,
    pub integration: IntegrationId,
    pub name: String,
    /// Decompressed.
    pub body: Vec<u8>,
    pub schema: CsvSchema,
}

/// What a file uploaded in the browser is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadPurpose {
    /// The designer's sample: only the latest is kept.
    Sample,
    /// A file to preview and apply: the latest five are kept.
    File,
}

impl UploadPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sample => "sample",
            Self::File => "file",
        }
    }

    /// How many of this purpose an integration keeps.
    pub fn kept(self) -> usize {
        match self {
            Self::Sample => 1,
            Self::File => 5,
        }
    }
}

/// A file uploaded in the browser, as the store keeps it.
#[derive(Debug)]
pub struct NewUpload<'a> {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub purpose: UploadPurpose,
    pub name: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: UserId,
    pub now: DateTime<Utc>,
}

/// A kept upload with its content.
#[derive(Debug, Clone)]
pub struct StoredUpload {
    pub info: UploadInfo,
    pub content: Vec<u8>,
}

/// Keeps a file an admin uploaded in the browser; its id.
pub async fn keep_upload(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    purpose: UploadPurpose,
    name: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> Result<i64, CsvError> {
    integrations::require_admin(actor)?;
    let integration = csv_integration(store, actor, id).await?;
    if integration.status == Status::Deleted {
        return Err(CsvError::Deleted);
    }
    if content.len() > super::schema::MAX_FILE_BYTES {
        return Err(CsvError::Refused(FileRefused::TooLarge));
    }
    if purpose == UploadPurpose::File && store.csv_schema(id).await?.is_none() {
        return Err(CsvError::NoSchema);
    }
    let name = crate::cloud_link::job::FileName::parse(name)
        .map_or_else(|| "upload.csv".to_owned(), |name| name.as_str().to_owned());
    Ok(store
        .keep_csv_upload(&NewUpload {
            account: actor.account_id,
            integration: id,
            purpose,
            name: &name,
            content,
            uploaded_by: actor.user_id,
            now,
        })
        .await?)
}

/// What the designer shows for `draft` (from the page's address), or for
/// the saved schema when there is none.
pub async fn design(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    draft: Option<SchemaForm>,
    sandbox: &dyn QuerySandbox,
    now: DateTime<Utc>,
) -> Result<Design, CsvError> {
    let integration = csv_integration(store, actor, id).await?;
    let saved = store.csv_schema(id).await?;
    let sample = store.csv_upload(id, UploadPurpose::Sample, None).await?;
    // A new schema's empty fields are not yet problems: they are once
    // the admin has changed something, or a schema was saved.
    let untouched = draft.is_none() && saved.is_none();
    let form = draft.unwrap_or_else(|| {
        saved.as_ref().map_or_else(SchemaForm::initial, |saved| {
            SchemaForm::from_schema(&saved.schema)
        })
    });
    let schema = form.schema();
    let problems = match &schema {
        Err(problems) if !untouched => problems.clone(),
        _ => Vec::new(),
    };
    let (proposal, table, rows) = match &sample {
        Some(sample) => {
            let rows = match &schema {
                Ok(schema) => Some(RowsPreview::of(
                    schema,
                    schema.read(&sample.content, sandbox).await?,
                    now,
                )),
                Err(_) => None,
            };
            (
                super::proposal::propose(&sample.content, &form),
                form.table(&sample.content),
                rows,
            )
        }
        None => (None, None, None),
    };
    let saved_document = saved
        .as_ref()
        .map(|saved| SchemaDocument::from(&saved.schema));
    let saved_method = saved_document.as_ref().map(|document| {
        if document.query.is_some() {
            "query"
        } else {
            "columns"
        }
        .to_owned()
    });
    let fixed_layout = saved_document.map(|document| (document.layout, document.interval_minutes));
    Ok(Design {
        integration_name: integration.name.to_string(),
        may_edit: actor.role.may_manage_integrations() && integration.status != Status::Deleted,
        sample: sample.map(|sample| sample.info),
        form,
        fixed_layout,
        saved_method,
        proposal,
        problems,
        table,
        rows,
    })
}

async fn upload_of(
    store: &dyn Store,
    id: IntegrationId,
    upload: i64,
) -> Result<StoredUpload, CsvError> {
    store
        .csv_upload(id, UploadPurpose::File, Some(upload))
        .await?
        .ok_or(CsvError::NoSuchUpload)
}

/// What applying an uploaded file would do, or every problem with it.
pub async fn upload_preview(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    upload: i64,
    sandbox: &dyn QuerySandbox,
    now: DateTime<Utc>,
) -> Result<UploadPreview, CsvError> {
    let integration = csv_integration(store, actor, id).await?;
    let stored = store.csv_schema(id).await?.ok_or(CsvError::NoSchema)?;
    let file = upload_of(store, id, upload).await?;
    let schema = &stored.schema;
    Ok(UploadPreview {
        integration_name: integration.name.to_string(),
        rows: RowsPreview::of(schema, schema.read(&file.content, sandbox).await?, now),
        file: file.info,
        paused: !integration.status.imports_files(),
    })
}

/// Applies a file uploaded in the browser (see [`upload`]).
pub async fn apply_upload(
    store: &dyn Store,
    actor: &Actor,
    id: IntegrationId,
    upload_id: i64,
    reading: Reading<'_>,
    now: DateTime<Utc>,
) -> Result<ImportRecord, CsvError> {
    integrations::require_admin(actor)?;
    csv_integration(store, actor, id).await?;
    let file = upload_of(store, id, upload_id).await?;
    upload(
        store,
        actor,
        id,
        &file.info.name,
        &file.content,
        reading,
        now,
    )
    .await
}
