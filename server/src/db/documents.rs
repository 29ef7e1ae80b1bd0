//! An integration's settings kept as one JSON document with a version
//! every save names (compare and set): a CSV integration's schema, a
//! database integration's settings. A save locks the integration, so a
//! delete is seen, and writes its audit entry in the same transaction.

use chrono::{DateTime, Utc};
use domain::{
    audit::AuditEntry,
    integration::IntegrationId,
    store::{StoreError, WriteError},
    AccountId,
};

use domain::database::service::{KeptSettings, StoredDatabase};

use super::{integrations::CorruptRow, on_pool, write_audit, Database};

/// Which documents: each kind has a table of its own.
#[derive(Debug, Clone, Copy)]
pub(super) enum Documents {
    CsvSchema,
    DatabaseSettings,
}

impl Documents {
    fn table(self) -> &'static str {
        match self {
            Documents::CsvSchema => "csv_schemas",
            Documents::DatabaseSettings => "database_settings",
        }
    }
}

/// A document as kept.
pub(super) struct Kept {
    pub document: String,
    pub version: i64,
    pub saved_at: DateTime<Utc>,
}

impl Database {
    pub(super) async fn find_document(
        &self,
        kind: Documents,
        integration: IntegrationId,
    ) -> Result<Option<Kept>, StoreError> {
        let select = format!(
            "SELECT document, version, saved_at FROM {} WHERE integration_id = $1",
            kind.table()
        );
        let row: Option<(String, i64, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(&select)
                .bind(integration.0)
                .fetch_optional(pool)
                .await
        })
        .map_err(StoreError::new)?;
        Ok(row.map(|(document, version, saved_at)| Kept {
            document,
            version,
            saved_at,
        }))
    }

    /// Keeps `document` if the kept one is still `read_version` (`None`:
    /// none yet) and the integration is not deleted; else `Stale`.
    pub(super) async fn keep_document(
        &self,
        kind: Documents,
        account: AccountId,
        integration: IntegrationId,
        document: &str,
        read_version: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<Kept, WriteError> {
        let table = kind.table();
        let insert = format!(
            "INSERT INTO {table} (integration_id, document, version, saved_at) \
             VALUES ($1, $2, 1, $3) ON CONFLICT (integration_id) DO NOTHING RETURNING version"
        );
        let update = format!(
            "UPDATE {table} SET document = $1, version = version + 1, saved_at = $2 \
             WHERE integration_id = $3 AND version = $4 RETURNING version"
        );
        let now = Utc::now();
        let _turn = self.write_turn().await;
        let saved: Option<i64> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // Locks the integration, so a delete is seen.
            let live: Option<i64> = sqlx::query_scalar(
                "UPDATE integrations SET status = status \
                 WHERE id = $1 AND account_id = $2 AND status <> 'deleted' RETURNING id",
            )
            .bind(integration.0)
            .bind(account.0)
            .fetch_optional(&mut *tx)
            .await?;
            if live.is_none() {
                return Ok(None);
            }
            let version: Option<i64> = match read_version {
                None => sqlx::query_scalar(&insert)
                    .bind(integration.0)
                    .bind(document)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?,
                Some(read) => sqlx::query_scalar(&update)
                    .bind(document)
                    .bind(now)
                    .bind(integration.0)
                    .bind(read)
                    .fetch_optional(&mut *tx)
                    .await?,
            };
            if version.is_some() {
                write_audit!(tx, account, audit, now)?;
                tx.commit().await?;
            }
            Ok::<_, sqlx::Error>(version)
        }.await)
        .map_err(StoreError::new)?;
        let version = saved.ok_or(WriteError::Stale)?;
        Ok(Kept {
            document: document.to_owned(),
            version,
            saved_at: now,
        })
    }
}

impl Database {
    pub(super) async fn find_database_settings(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<StoredDatabase>, StoreError> {
        self.find_document(Documents::DatabaseSettings, integration)
            .await?
            .map(|found| {
                let kept = serde_json::from_str::<KeptSettings>(&found.document).map_err(|_| {
                    StoreError::new(CorruptRow(format!(
                        "the database settings of integration {}",
                        integration.0
                    )))
                })?;
                Ok(StoredDatabase {
                    kept,
                    version: found.version,
                    saved_at: found.saved_at,
                })
            })
            .transpose()
    }

    pub(super) async fn keep_database_settings(
        &self,
        account: AccountId,
        integration: IntegrationId,
        kept: &KeptSettings,
        read_version: Option<i64>,
        audit: &AuditEntry,
    ) -> Result<StoredDatabase, WriteError> {
        let document = serde_json::to_string(kept).map_err(StoreError::new)?;
        let saved = self
            .keep_document(
                Documents::DatabaseSettings,
                account,
                integration,
                &document,
                read_version,
                audit,
            )
            .await?;
        Ok(StoredDatabase {
            kept: kept.clone(),
            version: saved.version,
            saved_at: saved.saved_at,
        })
    }
}
