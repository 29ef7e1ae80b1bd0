//! Cloud Link pairings and links (ADR 0009), written once for both
//! engines. Each step loads what the rule needs, lets `domain::cloud_link`
//! judge it and writes the outcome in the same transaction.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use domain::{
    actor::Actor,
    audit::AuditEntry,
    cloud_link::{
        wire::ClientInfo, Link, NewPairing, Pairing, Pin, PinEntryPolicy, PinRefused, Poll,
        Started, WrongPins, MAX_LIVE_PAIRINGS,
    },
    integration::{IntegrationId, Status},
    store::StoreError,
    AccountId,
};

use super::{on_pool, write_audit, Database};

/// How long wrong PINs are kept at least, whatever the policy reads.
const PIN_FAILURE_RETENTION: TimeDelta = TimeDelta::days(1);

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

fn age(now: DateTime<Utc>, at: DateTime<Utc>) -> Duration {
    (now - at).to_std().unwrap_or_default()
}

type PairingRow = (
    i64,
    DateTime<Utc>,
    i64,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<DateTime<Utc>>,
);

fn pairing_of(row: &PairingRow) -> Pairing {
    let (_, expires_at, interval, last_poll_at, bound_to, collected_at) = *row;
    Pairing {
        expires_at,
        interval: Duration::from_secs(u64::try_from(interval).unwrap_or(0)),
        last_poll_at,
        bound_to: bound_to.map(IntegrationId),
        collected: collected_at.is_some(),
    }
}

type LinkRow = (String, String, String, DateTime<Utc>, DateTime<Utc>, bool);

fn link_of((host, version, os, paired_at, last_contact_at, collected): LinkRow) -> Link {
    Link {
        client: ClientInfo { host, version, os },
        paired_at,
        last_contact_at,
        collected,
    }
}

const SELECT_LINK: &str = "SELECT host, version, os, paired_at, last_contact_at, \
     credential_hash IS NOT NULL FROM cloud_links WHERE integration_id = $1";

impl Database {
    /// Whether `count_sql` (a `COUNT(*)` keyed by one hash) finds a row.
    async fn exists(&self, count_sql: &str, hash: &[u8]) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self, pool => sqlx::query_scalar(count_sql)
            .bind(hash)
            .fetch_one(pool)
            .await)
        .map_err(StoreError::new)?;
        Ok(count > 0)
    }

    pub(super) async fn keep_pairing(&self, new: &NewPairing<'_>) -> Result<Started, StoreError> {
        let now = new.started_at;
        let _turn = self.write_turn().await;
        let postgres = self.engine() == "postgres";
        let result: Result<Started, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            if postgres {
                // One new pairing at a time, so two cannot take one PIN.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext('cloud_link_pairings'))")
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "DELETE FROM cloud_link_pairings WHERE expires_at < $1 AND integration_id IS NULL",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let live: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cloud_link_pairings \
                 WHERE expires_at >= $1 AND integration_id IS NULL",
            )
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if u64::try_from(live).unwrap_or(u64::MAX) >= MAX_LIVE_PAIRINGS {
                tx.rollback().await?;
                return Ok(Started::Full);
            }
            let taken: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cloud_link_pairings \
                 WHERE pin = $1 AND expires_at >= $2 AND integration_id IS NULL",
            )
            .bind(new.pin.as_str())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            if taken > 0 {
                tx.rollback().await?;
                return Ok(Started::PinTaken);
            }
            sqlx::query(
                "INSERT INTO cloud_link_pairings (device_code_hash, pin, host, version, os, \
                 created_at, expires_at, interval_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new.device_code_hash)
            .bind(new.pin.as_str())
            .bind(&new.client.host)
            .bind(&new.client.version)
            .bind(&new.client.os)
            .bind(now)
            .bind(new.pairing.expires_at)
            .bind(seconds(new.pairing.interval))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Started::Kept)
        }.await);
        result.map_err(StoreError::new)
    }

    pub(super) async fn judge_poll(
        &self,
        device_code_hash: &[u8],
        credential_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<Poll>, StoreError> {
        // Polling needs no login: a handle that was never issued costs one
        // indexed read, never SQLite's writer turn.
        if !self
            .exists(
                "SELECT COUNT(*) FROM cloud_link_pairings WHERE device_code_hash = $1",
                device_code_hash,
            )
            .await?
        {
            return Ok(None);
        }
        let _turn = self.write_turn().await;
        let postgres = self.engine() == "postgres";
        let lock = if postgres { " FOR UPDATE" } else { "" };
        let select = format!(
            "SELECT id, expires_at, interval_seconds, last_poll_at, integration_id, collected_at \
             FROM cloud_link_pairings WHERE device_code_hash = $1{lock}"
        );
        let result: Result<Option<Poll>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let Some(row) = sqlx::query_as::<_, PairingRow>(&select)
                .bind(device_code_hash)
                .fetch_optional(&mut *tx)
                .await?
            else {
                tx.rollback().await?;
                return Ok(None);
            };
            let id = row.0;
            let mut answer = pairing_of(&row).poll(now);
            match answer {
                Poll::Pending => {
                    sqlx::query("UPDATE cloud_link_pairings SET last_poll_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                Poll::SlowDown { interval } => {
                    sqlx::query(
                        "UPDATE cloud_link_pairings SET last_poll_at = $1, interval_seconds = $2 \
                         WHERE id = $3",
                    )
                    .bind(now)
                    .bind(seconds(interval))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                Poll::Granted(integration) => {
                    // Only the link this pairing made: if another client was
                    // paired since, this one's grant is gone.
                    let collected = sqlx::query(
                        "UPDATE cloud_links SET credential_hash = $1, last_contact_at = $2 \
                         WHERE integration_id = $3 AND pairing_id = $4 AND credential_hash IS NULL",
                    )
                    .bind(credential_hash)
                    .bind(now)
                    .bind(integration.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if collected == 0 {
                        answer = Poll::Expired;
                    }
                    sqlx::query("UPDATE cloud_link_pairings SET collected_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                Poll::Expired => {}
            }
            tx.commit().await?;
            Ok(Some(answer))
        }.await);
        result.map_err(StoreError::new)
    }

    pub(super) async fn bind_pin(
        &self,
        actor: &Actor,
        integration: IntegrationId,
        pin: &Pin,
        policy: &PinEntryPolicy,
        audit: &AuditEntry,
        now: DateTime<Utc>,
    ) -> Result<Result<Link, PinRefused>, StoreError> {
        let since = now - TimeDelta::from_std(policy.longest_window()).unwrap_or(TimeDelta::MAX);
        let retention = now - PIN_FAILURE_RETENTION.max(now - since);
        let account = actor.account_id;
        let _turn = self.write_turn().await;
        let postgres = self.engine() == "postgres";
        let result: Result<Result<Link, PinRefused>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            if postgres {
                // Entries are judged one after another, as the sign-in
                // throttle's attempts are (ADR 0006).
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext('pin_failures'))")
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM pin_failures WHERE failed_at < $1")
                .bind(retention)
                .execute(&mut *tx)
                .await?;
            let rows: Vec<(i64, i64, DateTime<Utc>)> = sqlx::query_as(
                "SELECT account_id, user_id, failed_at FROM pin_failures WHERE failed_at > $1",
            )
            .bind(since)
            .fetch_all(&mut *tx)
            .await?;
            let wrong = WrongPins {
                account: rows.iter().filter(|r| r.0 == account.0).map(|r| age(now, r.2)).collect(),
                user: rows.iter().filter(|r| r.1 == actor.user_id.0).map(|r| age(now, r.2)).collect(),
                everyone: rows.iter().map(|r| age(now, r.2)).collect(),
            };
            if let Err(wait) = policy.judge(&wrong) {
                tx.rollback().await?;
                return Ok(Err(PinRefused::Locked(wait)));
            }
            let lock = if postgres { " FOR UPDATE" } else { "" };
            let found = sqlx::query_as::<_, PairingRow>(&format!(
                "SELECT id, expires_at, interval_seconds, last_poll_at, integration_id, collected_at \
                 FROM cloud_link_pairings WHERE pin = $1 AND integration_id IS NULL \
                 AND collected_at IS NULL AND expires_at >= $2 ORDER BY id DESC LIMIT 1{lock}"
            ))
            .bind(pin.as_str())
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = found.filter(|row| pairing_of(row).bind(now).is_ok()) else {
                sqlx::query(
                    "INSERT INTO pin_failures (account_id, user_id, failed_at) VALUES ($1, $2, $3)",
                )
                .bind(account.0)
                .bind(actor.user_id.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(Err(PinRefused::Invalid));
            };
            let pairing_id = row.0;
            // Locks the integration and checks it is still there.
            let status: Option<String> = sqlx::query_scalar(&format!(
                "SELECT status FROM integrations WHERE account_id = $1 AND id = $2 \
                 AND status <> 'deleted'{lock}"
            ))
            .bind(account.0)
            .bind(integration.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(status) = status.as_deref().and_then(Status::parse) else {
                tx.rollback().await?;
                return Ok(Err(PinRefused::Invalid));
            };
            sqlx::query("UPDATE cloud_link_pairings SET integration_id = $1 WHERE id = $2")
                .bind(integration.0)
                .bind(pairing_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM cloud_links WHERE integration_id = $1")
                .bind(integration.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO cloud_links (integration_id, pairing_id, host, version, os, paired_at, \
                 last_contact_at) SELECT $1, id, host, version, os, $2, COALESCE(last_poll_at, created_at) \
                 FROM cloud_link_pairings WHERE id = $3",
            )
            .bind(integration.0)
            .bind(now)
            .bind(pairing_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE integrations SET status = $1 WHERE id = $2")
                .bind(status.linked().as_str())
                .bind(integration.0)
                .execute(&mut *tx)
                .await?;
            write_audit!(tx, account, audit, now)?;
            let link = sqlx::query_as::<_, LinkRow>(SELECT_LINK)
                .bind(integration.0)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Ok(link_of(link)))
        }.await);
        result.map_err(StoreError::new)
    }

    pub(super) async fn link_for(
        &self,
        integration: IntegrationId,
    ) -> Result<Option<Link>, StoreError> {
        let row: Option<LinkRow> = on_pool!(self, pool => sqlx::query_as(SELECT_LINK)
            .bind(integration.0)
            .fetch_optional(pool)
            .await)
        .map_err(StoreError::new)?;
        Ok(row.map(link_of))
    }

    pub(super) async fn note_contact(
        &self,
        credential_hash: &[u8],
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<Option<IntegrationId>, StoreError> {
        // A credential no link holds costs one indexed read, never SQLite's
        // writer turn.
        if !self
            .exists(
                "SELECT COUNT(*) FROM cloud_links WHERE credential_hash = $1",
                credential_hash,
            )
            .await?
        {
            return Ok(None);
        }
        let _turn = self.write_turn().await;
        let found: Option<i64> = on_pool!(self, pool => sqlx::query_scalar(
            "UPDATE cloud_links SET last_contact_at = $1, host = $2, version = $3, os = $4 \
             WHERE credential_hash = $5 AND integration_id IN \
             (SELECT id FROM integrations WHERE status <> 'deleted') RETURNING integration_id",
        )
        .bind(now)
        .bind(&client.host)
        .bind(&client.version)
        .bind(&client.os)
        .bind(credential_hash)
        .fetch_optional(pool)
        .await)
        .map_err(StoreError::new)?;
        Ok(found.map(IntegrationId))
    }

    pub(super) async fn remove_link(
        &self,
        account: AccountId,
        integration: IntegrationId,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let _turn = self.write_turn().await;
        let result: Result<bool, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let removed = sqlx::query(
                "DELETE FROM cloud_links WHERE integration_id = $1 AND integration_id IN \
                 (SELECT id FROM integrations WHERE account_id = $2)",
            )
            .bind(integration.0)
            .bind(account.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if removed == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            write_audit!(tx, account, audit, now)?;
            tx.commit().await?;
            Ok(true)
        }.await);
        result.map_err(StoreError::new)
    }
}
