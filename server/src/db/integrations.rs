//! Queries for integrations, their API keys, the audit log and personal
//! access tokens. Written once for both engines (see `on_pool!`).

use chrono::{DateTime, SecondsFormat, Utc};
use domain::{
    actor::Actor,
    audit::{AuditAction, AuditEntry, AuditEvent},
    integration::{
        DataTypes, Integration, IntegrationId, IntegrationKind, IntegrationName, IntervalLength,
        Status,
    },
    integrations::NewIntegration,
    secret::{ApiKeyInfo, NewSecret},
    store::{StoreError, WriteError},
    AccountId, EmailAddress, UserId,
};

use super::{on_pool, write_audit, Database};

pub(super) fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, thiserror::Error)]
#[error("a stored row does not parse: {0}")]
pub(super) struct CorruptRow(pub String);

fn corrupt(what: String) -> StoreError {
    StoreError::new(CorruptRow(what))
}

#[derive(sqlx::FromRow)]
pub(super) struct IntegrationRow {
    id: i64,
    name: String,
    kind: String,
    status: String,
    failing_reason: Option<String>,
    interval_minutes: i32,
    carries_contacts: bool,
    carries_agent_statuses: bool,
    created_at: DateTime<Utc>,
    last_import_at: Option<DateTime<Utc>>,
    paused_at: Option<DateTime<Utc>>,
    real_time_at: Option<DateTime<Utc>>,
}

impl IntegrationRow {
    pub(super) fn parse(self) -> Result<Integration, StoreError> {
        let id = self.id;
        let bad = |field: &str| corrupt(format!("integration {id}: {field}"));
        Ok(Integration {
            id: IntegrationId(id),
            name: IntegrationName::parse(&self.name).map_err(|_| bad("name"))?,
            kind: self
                .kind
                .parse::<IntegrationKind>()
                .map_err(|_| bad("kind"))?,
            status: Status::parse(&self.status).ok_or_else(|| bad("status"))?,
            failing_reason: self.failing_reason,
            interval: u32::try_from(self.interval_minutes)
                .ok()
                .and_then(|m| IntervalLength::try_from(m).ok())
                .ok_or_else(|| bad("interval"))?,
            data_types: DataTypes::new(self.carries_contacts, self.carries_agent_statuses)
                .map_err(|_| bad("data types"))?,
            created_at: rfc3339(self.created_at),
            last_import_at: self.last_import_at.map(rfc3339),
            paused_at: self.paused_at.map(rfc3339),
            real_time_at: self.real_time_at.map(rfc3339),
        })
    }
}

/// When, by whom (email), what, about what.
type AuditRow = (DateTime<Utc>, String, String, String);

pub(super) const INTEGRATION_COLUMNS: &str =
    "id, name, kind, status, failing_reason, interval_minutes, \
     carries_contacts, carries_agent_statuses, created_at, last_import_at, paused_at, real_time_at";

impl Database {
    pub(super) async fn list_integrations(
        &self,
        account: AccountId,
        include_deleted: bool,
    ) -> Result<Vec<Integration>, StoreError> {
        let sql = format!(
            "SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE account_id = $1 \
             AND ($2 OR status <> 'deleted') ORDER BY id DESC"
        );
        let rows: Vec<IntegrationRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(account.0).bind(include_deleted).fetch_all(pool).await
        })
        .map_err(StoreError::new)?;
        rows.into_iter().map(IntegrationRow::parse).collect()
    }

    pub(super) async fn find_integration(
        &self,
        account: AccountId,
        id: IntegrationId,
    ) -> Result<Option<Integration>, StoreError> {
        let sql = format!(
            "SELECT {INTEGRATION_COLUMNS} FROM integrations WHERE account_id = $1 AND id = $2"
        );
        let row: Option<IntegrationRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(account.0).bind(id.0).fetch_optional(pool).await
        })
        .map_err(StoreError::new)?;
        row.map(IntegrationRow::parse).transpose()
    }

    pub(super) async fn names_of_integrations(
        &self,
        account: AccountId,
    ) -> Result<Vec<(IntegrationId, IntegrationName)>, StoreError> {
        let rows: Vec<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name FROM integrations WHERE account_id = $1")
                .bind(account.0)
                .fetch_all(pool)
                .await
        })
        .map_err(StoreError::new)?;
        rows.into_iter()
            .map(|(id, name)| {
                IntegrationName::parse(&name)
                    .map(|name| (IntegrationId(id), name))
                    .map_err(|_| corrupt(format!("integration {id}: name")))
            })
            .collect()
    }

    pub(super) async fn add_integration(
        &self,
        account: AccountId,
        new: &NewIntegration,
        status: Status,
        audit: &AuditEntry,
    ) -> Result<Integration, StoreError> {
        let now = Utc::now();
        let _turn = self.write_turn().await;
        let id: i64 = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO integrations (account_id, name, kind, status, interval_minutes, \
                 carries_contacts, carries_agent_statuses, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(account.0)
            .bind(new.name.as_str())
            .bind(new.kind.as_str())
            .bind(status.as_str())
            .bind(new.interval.minutes() as i32)
            .bind(new.data_types.contacts())
            .bind(new.data_types.agent_statuses())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let entry = AuditEntry { integration: Some(IntegrationId(id)), ..audit.clone() };
            write_audit!(tx, account, entry, now)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }.await)
        .map_err(StoreError::new)?;
        self.find_integration(account, IntegrationId(id))
            .await?
            .ok_or_else(|| corrupt(format!("integration {id} vanished after insert")))
    }

    pub(super) async fn write_integration(
        &self,
        account: AccountId,
        integration: &Integration,
        read_as: Status,
        audit: &AuditEntry,
    ) -> Result<(), WriteError> {
        let now = Utc::now();
        let deleted = integration.status == Status::Deleted;
        let _turn = self.write_turn().await;
        let written = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // Compare and set: only if nobody changed the status since it
            // was read, so a racing delete stays final and a racing resume
            // is never undone.
            let changed = sqlx::query(
                "UPDATE integrations SET name = $1, status = $2, interval_minutes = $3, \
                 carries_contacts = $4, carries_agent_statuses = $5, \
                 deleted_at = CASE WHEN $6 THEN COALESCE(deleted_at, $7) ELSE NULL END, \
                 paused_at = CASE WHEN $11 THEN COALESCE(paused_at, $7) ELSE NULL END \
                 WHERE account_id = $8 AND id = $9 AND status = $10",
            )
            .bind(integration.name.as_str())
            .bind(integration.status.as_str())
            .bind(integration.interval.minutes() as i32)
            .bind(integration.data_types.contacts())
            .bind(integration.data_types.agent_statuses())
            .bind(deleted)
            .bind(now)
            .bind(account.0)
            .bind(integration.id.0)
            .bind(read_as.as_str())
            .bind(integration.status == Status::Paused)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            if deleted {
                sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE integration_id = $2 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(integration.id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            write_audit!(tx, account, audit, now)?;
            tx.commit().await.map(|()| true)
        }.await)
        .map_err(StoreError::new)?;
        if written {
            Ok(())
        } else {
            Err(WriteError::Stale)
        }
    }

    pub(super) async fn swap_api_key(
        &self,
        account: AccountId,
        id: IntegrationId,
        secret: &NewSecret,
        audit: &AuditEntry,
    ) -> Result<ApiKeyInfo, WriteError> {
        let now = Utc::now();
        let _turn = self.write_turn().await;
        let written = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // Locks the integration and checks it is still there: a key is
            // never issued to an integration deleted meanwhile.
            let alive = sqlx::query(
                "UPDATE integrations SET status = status WHERE account_id = $1 AND id = $2 AND status <> 'deleted'",
            )
            .bind(account.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if alive == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            let revoked = sqlx::query(
                "UPDATE api_keys SET revoked_at = $1 WHERE integration_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if revoked > 0 {
                let entry = AuditEntry { action: AuditAction::ApiKeyRevoked, ..audit.clone() };
                write_audit!(tx, account, entry, now)?;
            }
            sqlx::query(
                "INSERT INTO api_keys (integration_id, secret_hash, display_prefix, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(&secret.hash)
            .bind(&secret.display_prefix)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            write_audit!(tx, account, audit, now)?;
            tx.commit().await.map(|()| true)
        }.await)
        .map_err(StoreError::new)?;
        if !written {
            return Err(WriteError::Stale);
        }
        Ok(ApiKeyInfo {
            display_prefix: secret.display_prefix.clone(),
            created_at: rfc3339(now),
            last_used_at: None,
        })
    }

    pub(super) async fn current_api_key(
        &self,
        id: IntegrationId,
    ) -> Result<Option<ApiKeyInfo>, StoreError> {
        let row: Option<(String, DateTime<Utc>, Option<DateTime<Utc>>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT display_prefix, created_at, last_used_at FROM api_keys \
                 WHERE integration_id = $1 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await
        })
        .map_err(StoreError::new)?;
        Ok(
            row.map(|(display_prefix, created_at, last_used_at)| ApiKeyInfo {
                display_prefix,
                created_at: rfc3339(created_at),
                last_used_at: last_used_at.map(rfc3339),
            }),
        )
    }

    pub(super) async fn page_of_audit_events(
        &self,
        account: AccountId,
        offset: u32,
        limit: u32,
    ) -> Result<(Vec<AuditEvent>, u64), StoreError> {
        let (rows, total): (Vec<AuditRow>, i64) = on_pool!(self, pool => async {
            let rows = sqlx::query_as(
                "SELECT e.at, u.email, e.action, e.subject FROM audit_events e \
                 JOIN users u ON u.id = e.actor_user_id \
                 WHERE e.account_id = $1 ORDER BY e.id DESC LIMIT $2 OFFSET $3",
            )
            .bind(account.0)
            .bind(i64::from(limit))
            .bind(i64::from(offset))
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE account_id = $1")
                .bind(account.0)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)
        .map_err(StoreError::new)?;
        let events = rows
            .into_iter()
            .map(|(at, actor_email, action, subject)| {
                Ok(AuditEvent {
                    at: rfc3339(at),
                    actor_email,
                    action: AuditAction::parse(&action)
                        .ok_or_else(|| corrupt(format!("audit action {action}")))?,
                    subject,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok((events, u64::try_from(total).unwrap_or_default()))
    }

    /// The user a personal access token acts for, if it is valid.
    pub(super) async fn actor_for_token(
        &self,
        secret_hash: &[u8],
    ) -> Result<Option<Actor>, StoreError> {
        let now = Utc::now();
        let row: Option<TokenActorRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT t.id AS token_id, t.last_used_at, u.id AS user_id, u.account_id, u.role, u.email \
                 FROM personal_access_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.secret_hash = $1 AND t.revoked_at IS NULL \
                 AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.locked_at IS NULL",
            )
            .bind(secret_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
        .map_err(StoreError::new)?;
        let Some(TokenActorRow {
            token_id,
            last_used_at,
            user_id,
            account_id,
            role,
            email,
        }) = row
        else {
            return Ok(None);
        };
        // Last use to the minute, through the writer turn: a write per
        // request would cost every API call a commit.
        if last_used_at.is_none_or(|at| now - at > TOKEN_USE_RESOLUTION) {
            let _turn = self.write_turn().await;
            on_pool!(self, pool => {
                sqlx::query("UPDATE personal_access_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(token_id)
                    .execute(pool)
                    .await
                    .map(drop)
            })
            .map_err(StoreError::new)?;
        }
        Ok(Some(Actor {
            user_id: UserId(user_id),
            account_id: AccountId(account_id),
            role: role
                .parse()
                .map_err(|_| corrupt(format!("user {user_id}: role")))?,
            email: EmailAddress::parse(&email)
                .map_err(|_| corrupt(format!("user {user_id}: email")))?,
        }))
    }
}

#[derive(sqlx::FromRow)]
struct TokenActorRow {
    token_id: i64,
    last_used_at: Option<chrono::DateTime<Utc>>,
    user_id: i64,
    account_id: i64,
    role: String,
    email: String,
}

/// How precisely a token's last use is kept.
const TOKEN_USE_RESOLUTION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
