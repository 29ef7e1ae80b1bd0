//! Personal access tokens: made in the user's profile (or by the CLI),
//! shown once, listed with their use, revocable.

use serde::{Deserialize, Serialize};

use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    secret::NewSecret,
    store::{NewPersonalAccessToken, Store, StoreError},
    text::{parse_name, NameError},
};

/// A token as its owner's list shows it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalToken {
    pub id: i64,
    pub name: String,
    pub display_prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

/// What a token is for: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a new token lives: a number of days (1–3650) or for ever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry(Option<u32>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a token expires after 1 to 3650 days, or never")]
pub struct InvalidExpiry;

impl Expiry {
    pub const NEVER: Expiry = Expiry(None);

    pub fn days(days: u32) -> Result<Self, InvalidExpiry> {
        if (1..=3650).contains(&days) {
            Ok(Self(Some(days)))
        } else {
            Err(InvalidExpiry)
        }
    }

    pub fn as_duration(self) -> Option<std::time::Duration> {
        self.0
            .map(|days| std::time::Duration::from_secs(u64::from(days) * 86_400))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("there is no such token")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    name: TokenName,
    expiry: Expiry,
    secret: &NewSecret,
) -> Result<PersonalToken, TokenError> {
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::TokenCreated,
        subject: name.as_str().to_owned(),
        integration: None,
    };
    let token = NewPersonalAccessToken {
        user_id: actor.user_id,
        name: name.as_str().to_owned(),
        secret_hash: secret.hash.clone(),
        display_prefix: secret.display_prefix.clone(),
        expires_in: expiry.as_duration(),
    };
    Ok(store
        .create_personal_access_token(actor.account_id, token, &audit)
        .await?)
}

/// The actor's own tokens that still work or may work again (not revoked).
pub async fn list(store: &dyn Store, actor: &Actor) -> Result<Vec<PersonalToken>, TokenError> {
    Ok(store.personal_tokens(actor.user_id).await?)
}

/// Revokes one of the actor's own tokens; someone else's is `NotFound`.
pub async fn revoke(store: &dyn Store, actor: &Actor, id: i64) -> Result<(), TokenError> {
    let mine = store.personal_tokens(actor.user_id).await?;
    let token = mine
        .iter()
        .find(|t| t.id == id)
        .ok_or(TokenError::NotFound)?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::TokenRevoked,
        subject: token.name.clone(),
        integration: None,
    };
    store
        .revoke_personal_token(actor.account_id, actor.user_id, id, &audit)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_lives_one_to_3650_days_or_for_ever() {
        assert!(Expiry::days(1).is_ok());
        assert!(Expiry::days(3650).is_ok());
        assert_eq!(Expiry::days(0), Err(InvalidExpiry));
        assert_eq!(Expiry::days(3651), Err(InvalidExpiry));
        assert_eq!(Expiry::NEVER.as_duration(), None);
        assert_eq!(
            Expiry::days(2).map(Expiry::as_duration),
            Ok(Some(std::time::Duration::from_secs(172_800)))
        );
    }

    #[test]
    fn a_token_needs_a_name() {
        assert_eq!(TokenName::parse("  "), Err(NameError::Empty));
        assert_eq!(
            TokenName::parse(" nightly export ").map(|n| n.as_str().to_owned()),
            Ok("nightly export".into())
        );
    }
}
