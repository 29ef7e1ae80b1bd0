//! Password hashing with argon2id on a bounded pool, off the async
//! runtime: one hash costs tens of milliseconds of CPU and 19 MiB of
//! memory, so an unbounded number of them at once would stall every other
//! request and grow memory without limit.

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use domain::Password;
use tokio::sync::Semaphore;

/// Why a hash or a check did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HashingError {
    /// Every slot is taken and the queue is full or moved too slowly:
    /// answer 503 and ask the client to come back after `RETRY_AFTER`.
    #[error("too many passwords are being checked at once")]
    Busy,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Seconds a client is asked to wait when the pool is busy.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// Runs at most `at_once` hashes at a time; a bounded number of requests
/// wait their turn for a bounded time, the rest are turned away at once.
#[derive(Debug)]
pub struct PasswordPool {
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// How long a request waits for a slot before it is answered 503.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// Requests that may wait per slot.
const WAITING_PER_SLOT: usize = 16;

impl PasswordPool {
    pub fn new(at_once: usize) -> Self {
        Self {
            slots: Semaphore::new(at_once),
            waiting: AtomicUsize::new(0),
            max_waiting: at_once * WAITING_PER_SLOT,
        }
    }

    /// Hashes a new password (argon2id, the crate's OWASP-recommended
    /// defaults).
    pub async fn hash(&self, password: &Password) -> Result<String, HashingError> {
        let password = password.expose().to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
        })
        .await
    }

    /// True when `candidate` matches `stored` (or, with no stored hash,
    /// after spending the same time as a real check).
    pub async fn verify(
        &self,
        stored: Option<String>,
        candidate: String,
    ) -> Result<bool, HashingError> {
        self.run(move || {
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
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashingError> {
        let _slot = match self.slots.try_acquire() {
            Ok(slot) => slot,
            Err(_) => self.wait_for_slot().await?,
        };
        let result = tokio::task::spawn_blocking(work)
            .await
            .map_err(|error| anyhow::anyhow!("the hashing task failed: {error}"))?;
        Ok(result?)
    }

    async fn wait_for_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, HashingError> {
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let _leave = Leave(&self.waiting);
        if queued >= self.max_waiting {
            return Err(HashingError::Busy);
        }
        match tokio::time::timeout(MAX_WAIT, self.slots.acquire()).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(HashingError::Busy),
        }
    }
}

/// Leaves the queue however the wait ends, also when the request is dropped.
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A valid argon2id hash of a random password, verified against when the
/// email is unknown so that a wrong email costs as long as a wrong password.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0rTZr3OKVBp0+sSfkqgPjRMnMBn9wU2kGpkgETnN2pM";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let pool = PasswordPool::new(1);
        let password = Password::parse("correct horse battery").expect("valid");
        let hashed = pool.hash(&password).await.expect("hashes");
        assert!(hashed.starts_with("$argon2id$"));
        assert!(pool
            .verify(Some(hashed.clone()), "correct horse battery".into())
            .await
            .expect("verifies"));
        assert!(!pool
            .verify(Some(hashed), "wrong horse battery".into())
            .await
            .expect("verifies"));
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!PasswordPool::new(1)
            .verify(None, "anything at all".into())
            .await
            .expect("verifies"));
    }

    #[tokio::test]
    async fn past_the_queue_a_request_is_turned_away_at_once() {
        let pool = PasswordPool::new(0);
        assert!(matches!(
            pool.verify(None, "x".into()).await,
            Err(HashingError::Busy)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_that_waits_too_long_is_turned_away() {
        let pool = PasswordPool::new(1);
        let _taken = pool.slots.acquire().await.expect("a slot");
        assert!(matches!(
            pool.verify(None, "x".into()).await,
            Err(HashingError::Busy)
        ));
        assert_eq!(pool.waiting.load(Ordering::Acquire), 0, "the queue is left");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_slots_run_at_once() {
        let pool = std::sync::Arc::new(PasswordPool::new(2));
        let running = std::sync::Arc::new(AtomicUsize::new(0));
        let most = std::sync::Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::AcqRel) + 1;
                        most.fetch_max(now, Ordering::AcqRel);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::AcqRel);
                        Ok(())
                    })
                    .await
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("joins").expect("runs");
        }
        assert!(most.load(Ordering::Acquire) <= 2);
    }
}
