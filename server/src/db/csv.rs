//! CSV integrations: schemas kept as their JSON documents, files applied
//! whole — the intervals a file covers replaced (`domain::csv::import`) —
//! and the files received through Cloud Link that wait to be imported.
//! Written once for both engines.

use chrono::{DateTime, Utc};
use domain::{
    csv::{
        designer::UploadInfo,
        document::SchemaDocument,
        import::{Changes, QueueSpan},
        schema::CsvSchema,
        service::{
            NewFileImport, NewUpload, RefusedFile, StoredSchema, StoredUpload, UploadPurpose,
            WaitingFile,
        },
    },
    ingest::{
        receive::{ImportRecord, StoreImportError},
        QueueKey,
    },
    integration::{IntegrationId, Status},
    store::{StoreError, WriteError},
    AccountId,
};

use super::{
    documents::Documents,
    ingest::{
        ensure_queues, note_discovered_ids, upsert_agent_statuses, ImportRow, QueueIds,
        QueueSummary, IMPORT_COLUMNS,
    },
    integrations::CorruptRow,
    on_pool, on_tx, payload, Database, TxRef,
};

/// Rows per multi-row statement (see `ingest`).
const ROWS_PER_STATEMENT: usize = 1_000;

fn corrupt(what: String) -> StoreError {
    StoreError::new(CorruptRow(what))
}

fn read_schema(integration: i64, document: &str) -> Result<CsvSchema, StoreError> {
    serde_json::from_str::<SchemaDocument>(document)
        .ok()
        .and_then(|document| document.schema().ok())
        .ok_or_else(|| corrupt(format!("the CSV schema of integration {integration}")))
}

fn write_schema(schema: &CsvSchema) -> Result<String, StoreError> {
    serde_json::to_string(&SchemaDocument::from(schema)).map_err(StoreError::new)
}

/// The statuses in which files are imported, as SQL text (from the
/// domain's rule, so the two cannot part).
fn importing_statuses() -> String {
    Status::ALL
        .into_iter()
        .filter(|status| status.imports_files())
        .map(|status| format!("'{}'", status.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How an apply ended inside its transaction.
enum Applied {
    Stored(ImportRow),
    Paused,
    Deleted,
    TooManyQueues,
    /// Another server process imported the received file first.
    TakenMeanwhile,
}

impl Database {
    pub(super) async fn find_csv_schema(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<StoredSchema>, StoreError> {
        self.find_document(Documents::CsvSchema, integration)
            .await?
            .map(|found| {
                Ok(StoredSchema {
                    schema: read_schema(integration.0, &found.document)?,
                    version: found.version,
                    saved_at: found.saved_at,
                })
            })
            .transpose()
    }

    pub(super) async fn keep_csv_schema(
        &self,
        account: AccountId,
        integration: IntegrationId,
        schema: &CsvSchema,
        read_version: Option<i64>,
        audit: &domain::audit::AuditEntry,
    ) -> Result<StoredSchema, WriteError> {
        let document = write_schema(schema)?;
        let kept = self
            .keep_document(
                Documents::CsvSchema,
                account,
                integration,
                &document,
                read_version,
                audit,
            )
            .await?;
        Ok(StoredSchema {
            schema: schema.clone(),
            version: kept.version,
            saved_at: kept.saved_at,
        })
    }

    pub(super) async fn apply_csv_file(
        &self,
        new: &NewFileImport<'_>,
    ) -> Result<ImportRecord, StoreImportError> {
        let import = new.import;
        let rows = i64::try_from(import.rows).unwrap_or(i64::MAX);
        let now = new.now;
        let _turn = self.write_turn().await;
        let applied = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let status: Option<String> = sqlx::query_scalar(
                "UPDATE integrations SET last_import_at = $1 WHERE id = $2 RETURNING status",
            )
            .bind(now)
            .bind(new.integration.0)
            .fetch_optional(&mut *tx)
            .await?;
            match status.as_deref().and_then(Status::parse) {
                None | Some(Status::Deleted) => return Ok(Applied::Deleted),
                Some(status) if !status.imports_files() => return Ok(Applied::Paused),
                Some(_) => {}
            }
            let insert = format!(
                "INSERT INTO imports (account_id, integration_id, feed, outcome, received_at, \
                 applied_at, item_count, file_name) \
                 VALUES ($1, $2, $3, 'applied', $4, $4, $5, $6) RETURNING {IMPORT_COLUMNS}"
            );
            let mut record: ImportRow = sqlx::query_as(&insert)
                .bind(new.account.0)
                .bind(new.integration.0)
                .bind(import.feed().as_str())
                .bind(now)
                .bind(rows)
                .bind(new.file_name)
                .fetch_one(&mut *tx)
                .await?;
            match &import.changes {
                Changes::Intervals(spans) => {
                    let queues = spans_queues(spans);
                    let ensured = ensure_queues(
                        TxRef::from(&mut tx), new.account, new.integration, &queues,
                        new.caps.queues, now,
                    )
                    .await?;
                    let Ok((ids, created)) = ensured else {
                        tx.rollback().await?;
                        return Ok(Applied::TooManyQueues);
                    };
                    replace_intervals(TxRef::from(&mut tx), &ids, spans).await?;
                    if created > 0 {
                        sqlx::query("UPDATE imports SET new_queue_count = $1 WHERE id = $2")
                            .bind(created)
                            .bind(record.id)
                            .execute(&mut *tx)
                            .await?;
                        record.new_queue_count = created;
                    }
                }
                Changes::AgentStatuses(statuses) => {
                    upsert_agent_statuses(TxRef::from(&mut tx), new.integration, record.id, statuses)
                        .await?;
                    note_discovered_ids(TxRef::from(&mut tx), new.integration, statuses, now).await?;
                }
            }
            if let Some(file) = new.received_file {
                if !take_received(TxRef::from(&mut tx), new.integration, file, now).await? {
                    tx.rollback().await?;
                    return Ok(Applied::TakenMeanwhile);
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Applied::Stored(record))
        }.await);
        match applied {
            Ok(Applied::Stored(record)) => Ok(record.parse()?),
            Ok(Applied::Paused) => Err(StoreImportError::Paused),
            Ok(Applied::Deleted) => Err(StoreImportError::Deleted),
            Ok(Applied::TakenMeanwhile) => Err(StoreImportError::DuplicateKey),
            Ok(Applied::TooManyQueues) => Err(StoreImportError::TooManyQueues {
                cap: new.caps.queues,
            }),
            Err(error) => Err(StoreImportError::Store(StoreError::new(error))),
        }
    }

    pub(super) async fn note_refused_file(
        &self,
        refused: &RefusedFile<'_>,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE integrations SET last_import_at = $1 WHERE id = $2")
                .bind(refused.now)
                .bind(refused.integration.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO imports (account_id, integration_id, feed, outcome, received_at, \
                 item_count, error_count, error_summary, file_name) \
                 VALUES ($1, $2, $3, 'rejected', $4, 0, $5, $6, $7)",
            )
            .bind(refused.account.0)
            .bind(refused.integration.0)
            .bind(refused.feed.as_str())
            .bind(refused.now)
            .bind(i64::try_from(refused.refused.problem_count()).unwrap_or(i64::MAX))
            .bind(refused.refused.summary())
            .bind(refused.file_name)
            .execute(&mut *tx)
            .await?;
            if let Some(file) = refused.received_file {
                let taken =
                    take_received(TxRef::from(&mut tx), refused.integration, file, refused.now)
                        .await?;
                if !taken {
                    return tx.rollback().await;
                }
            }
            tx.commit().await
        }.await)
        .map_err(StoreError::new)
    }

    pub(super) async fn first_waiting_file(&self) -> Result<Option<WaitingFile>, StoreError> {
        let select = format!(
            "SELECT f.id, f.account_id, f.integration_id, f.name, f.encoding, f.body, s.document \
             FROM received_files f \
             JOIN integrations i ON i.id = f.integration_id \
             JOIN csv_schemas s ON s.integration_id = f.integration_id \
             WHERE f.taken_at IS NULL AND f.outcome = 'received' \
             AND i.status IN ({}) ORDER BY f.id LIMIT 1",
            importing_statuses()
        );
        type Row = (
            i64,
            i64,
            i64,
            String,
            Option<String>,
            Option<Vec<u8>>,
            String,
        );
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(&select).fetch_optional(pool).await
        })
        .map_err(StoreError::new)?;
        let Some((id, account, integration, name, encoding, body, document)) = row else {
            return Ok(None);
        };
        let (Some(encoding), Some(body)) = (encoding, body) else {
            return Err(corrupt(format!("received file {id} has no content")));
        };
        let body = payload::decode_bytes(&encoding, body).map_err(StoreError::new)?;
        Ok(Some(WaitingFile {
            id,
            account: AccountId(account),
            integration: IntegrationId(integration),
            name,
            body,
            schema: read_schema(integration, &document)?,
        }))
    }
}

impl Database {
    pub(super) async fn keep_upload(&self, new: &NewUpload<'_>) -> Result<i64, StoreError> {
        // Compressed before the transaction opens, so no lock waits on it.
        let (encoding, body) = payload::encode_bytes(new.content).map_err(StoreError::new)?;
        let size = i64::try_from(new.content.len()).unwrap_or(i64::MAX);
        let kept = i64::try_from(new.purpose.kept()).unwrap_or(1);
        let _turn = self.write_turn().await;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO csv_uploads (account_id, integration_id, purpose, name, size, \
                 encoding, body, uploaded_by, uploaded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(new.account.0)
            .bind(new.integration.0)
            .bind(new.purpose.as_str())
            .bind(new.name)
            .bind(size)
            .bind(encoding.as_str())
            .bind(&body)
            .bind(new.uploaded_by.0)
            .bind(new.now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM csv_uploads WHERE integration_id = $1 AND purpose = $2 AND id NOT IN \
                 (SELECT id FROM csv_uploads WHERE integration_id = $1 AND purpose = $2 \
                  ORDER BY id DESC LIMIT $3)",
            )
            .bind(new.integration.0)
            .bind(new.purpose.as_str())
            .bind(kept)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }.await)
        .map_err(StoreError::new)
    }

    pub(super) async fn find_upload(
        &self,
        integration: IntegrationId,
        purpose: UploadPurpose,
        id: Option<i64>,
    ) -> Result<Option<StoredUpload>, StoreError> {
        type Row = (i64, String, i64, DateTime<Utc>, String, Vec<u8>);
        let select = "SELECT id, name, size, uploaded_at, encoding, body FROM csv_uploads \
             WHERE integration_id = $1 AND purpose = $2 AND ($3 IS NULL OR id = $3) \
             ORDER BY id DESC LIMIT 1";
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(select)
                .bind(integration.0)
                .bind(purpose.as_str())
                .bind(id)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::new)?;
        row.map(|(id, name, size, uploaded_at, encoding, body)| {
            Ok(StoredUpload {
                info: UploadInfo {
                    id,
                    name,
                    size: u64::try_from(size).unwrap_or_default(),
                    uploaded_at: uploaded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                },
                content: payload::decode_bytes(&encoding, body).map_err(StoreError::new)?,
            })
        })
        .transpose()
    }
}

/// Marks a received file taken, so it is not offered again; `false` when
/// another server process took it first.
async fn take_received(
    tx: TxRef<'_, '_>,
    integration: IntegrationId,
    file: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let taken = on_tx!(tx, tx => {
        sqlx::query(
            "UPDATE received_files SET taken_at = $1 \
             WHERE id = $2 AND integration_id = $3 AND taken_at IS NULL",
        )
        .bind(now)
        .bind(file)
        .bind(integration.0)
        .execute(&mut **tx)
        .await?
        .rows_affected()
    });
    Ok(taken == 1)
}

/// The spans' queues as the queue upsert takes them.
fn spans_queues(spans: &[QueueSpan]) -> QueueSummary<'_> {
    spans
        .iter()
        .map(|span| {
            let first = span.intervals.first().map_or(span.from, |(at, _)| *at);
            let last = span.intervals.last().map_or(span.from, |(at, _)| *at);
            (&span.queue, (span.name.as_str(), first, last))
        })
        .collect()
}

fn queue_id(ids: &QueueIds, queue: &QueueKey) -> Option<i64> {
    ids.get(&(queue.identifier.clone(), queue.channel.as_str().to_owned()))
        .copied()
}

/// Replaces what is stored in each span with the span's intervals.
async fn replace_intervals(
    tx: TxRef<'_, '_>,
    ids: &QueueIds,
    spans: &[QueueSpan],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, &DateTime<Utc>, &domain::ingest::IntervalTotals)> = spans
        .iter()
        .filter_map(|span| queue_id(ids, &span.queue).map(|id| (id, span)))
        .flat_map(|(id, span)| span.intervals.iter().map(move |(at, t)| (id, at, t)))
        .collect();
    on_tx!(tx, tx => {
        for span in spans {
            let Some(id) = queue_id(ids, &span.queue) else { continue };
            sqlx::query(
                "DELETE FROM interval_stats WHERE queue_id = $1 \
                 AND interval_start >= $2 AND interval_start < $3",
            )
            .bind(id)
            .bind(span.from)
            .bind(span.to)
            .execute(&mut **tx)
            .await?;
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO interval_stats (queue_id, interval_start, offered, handled, abandoned, handle_time_ms) ",
            );
            insert.push_values(chunk, |mut row, (queue, start, totals)| {
                row.push_bind(*queue)
                    .push_bind(**start)
                    .push_bind(totals.offered)
                    .push_bind(totals.handled)
                    .push_bind(totals.abandoned)
                    .push_bind(totals.handle_time_ms);
            });
            insert.build().execute(&mut **tx).await?;
        }
        Ok(())
    })
}
