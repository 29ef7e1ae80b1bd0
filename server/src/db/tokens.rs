//! Queries for personal access tokens.

use chrono::{DateTime, Utc};
use domain::{
    audit::AuditEntry,
    store::{NewPersonalAccessToken, StoreError},
    tokens::PersonalToken,
    AccountId, UserId,
};

use super::{integrations::rfc3339, on_pool, write_audit, Database};

type TokenRow = (
    i64,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn token_of(row: TokenRow) -> PersonalToken {
    let (id, name, display_prefix, created_at, last_used_at, expires_at) = row;
    PersonalToken {
        id,
        name,
        display_prefix,
        created_at: rfc3339(created_at),
        last_used_at: last_used_at.map(rfc3339),
        expires_at: expires_at.map(rfc3339),
    }
}

impl Database {
    pub(super) async fn add_personal_token(
        &self,
        account: AccountId,
        token: NewPersonalAccessToken,
        audit: &AuditEntry,
    ) -> Result<PersonalToken, StoreError> {
        let now = Utc::now();
        let expires_at = token
            .expires_in
            .map(chrono::TimeDelta::from_std)
            .transpose()
            .map_err(StoreError::new)?
            .map(|delta| now + delta);
        let _turn = self.write_turn().await;
        let row: TokenRow = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as(
                "INSERT INTO personal_access_tokens \
                 (user_id, name, secret_hash, display_prefix, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 RETURNING id, name, display_prefix, created_at, last_used_at, expires_at",
            )
            .bind(token.user_id.0)
            .bind(&token.name)
            .bind(&token.secret_hash)
            .bind(&token.display_prefix)
            .bind(now)
            .bind(expires_at)
            .fetch_one(&mut *tx)
            .await?;
            write_audit!(tx, account, audit, now)?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(row)
        }.await)
        .map_err(StoreError::new)?;
        Ok(token_of(row))
    }

    pub(super) async fn list_personal_tokens(
        &self,
        user: UserId,
    ) -> Result<Vec<PersonalToken>, StoreError> {
        let rows: Vec<TokenRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, display_prefix, created_at, last_used_at, expires_at \
                 FROM personal_access_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
            )
            .bind(user.0)
            .fetch_all(pool)
            .await
        })
        .map_err(StoreError::new)?;
        Ok(rows.into_iter().map(token_of).collect())
    }

    pub(super) async fn revoke_token(
        &self,
        account: AccountId,
        user: UserId,
        id: i64,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let _turn = self.write_turn().await;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE personal_access_tokens SET revoked_at = $1 \
                 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id)
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
            write_audit!(tx, account, audit, now)?;
            tx.commit().await
        }.await)
        .map_err(StoreError::new)
    }
}
