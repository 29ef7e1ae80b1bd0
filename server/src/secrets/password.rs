//! Password hashing with argon2id, off the async runtime: one hash costs
//! tens of milliseconds of CPU, which would stall every other request.

use anyhow::Context;
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use domain::Password;

/// Hashes a new password (argon2id, the crate's OWASP-recommended defaults).
pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
    })
    .await
    .context("the hashing task failed")?
}

/// A valid argon2id hash of a random password, verified against when the
/// email is unknown so that a wrong email costs as long as a wrong password.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0rTZr3OKVBp0+sSfkqgPjRMnMBn9wU2kGpkgETnN2pM";

/// True when `candidate` matches `stored` (or, with no stored hash, after
/// spending the same time as a real check).
pub async fn verify(stored: Option<String>, candidate: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DECOY_HASH.to_owned());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("a stored password hash does not parse: {e}"))?;
        let matches = Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .context("the verification task failed")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let password = Password::parse("correct horse battery").expect("valid");
        let hashed = hash(&password).await.expect("hashes");
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify(Some(hashed.clone()), "correct horse battery".into())
            .await
            .expect("verifies"));
        assert!(!verify(Some(hashed), "wrong horse battery".into())
            .await
            .expect("verifies"));
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify(None, "anything at all".into())
            .await
            .expect("verifies"));
    }
}
