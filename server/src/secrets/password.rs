//! Password hashing with argon2id on a bounded pool, off the async
//! runtime: one hash costs tens of milliseconds of CPU and 19 MiB of
//! memory, so an unbounded number of them at once would stall every other
//! request and grow memory without limit.
//!
//! The hashes run on a fixed set of threads of their own, one per slot,
//! rather than on tokio's blocking pool: the allocator keeps a freed 19 MiB
//! block in the arena of the thread that used it, so hashing on whichever
//! of hundreds of blocking threads is free left hundreds of MiB resident
//! after a flood (measured: 580 MiB after 400 sign-ins at once).

use std::{
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

use argon2::{
    password_hash::{self, rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use domain::Password;
use tokio::sync::oneshot;

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

/// How long a request waits for its hash before it is answered 503.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// Requests that may wait per slot.
const WAITING_PER_SLOT: usize = 16;

type Job = Box<dyn FnOnce() + Send>;

/// Runs at most `at_once` hashes at a time, each on its own thread; a
/// bounded number of requests wait their turn for a bounded time, the rest
/// are turned away at once.
#[derive(Debug)]
pub struct PasswordPool {
    queue: mpsc::SyncSender<Job>,
    /// Kept so that a pool without threads turns requests away as busy
    /// rather than as broken.
    _jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
}

impl PasswordPool {
    pub fn new(at_once: usize) -> Self {
        let (queue, jobs) = mpsc::sync_channel::<Job>(at_once * WAITING_PER_SLOT);
        let jobs = Arc::new(Mutex::new(jobs));
        for slot in 0..at_once {
            let jobs = jobs.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{slot}"))
                .spawn(move || loop {
                    // The lock is held only while taking a job; the thread
                    // ends when the pool (the only sender) is dropped.
                    let job = match jobs.lock() {
                        Ok(jobs) => jobs.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password-hashing thread");
            }
        }
        Self { queue, _jobs: jobs }
    }

    /// Hashes a new password (argon2id, the crate's OWASP-recommended
    /// defaults).
    pub async fn hash(&self, password: &Password) -> Result<String, HashingError> {
        let password = password.expose().to_owned();
        self.run(move || with_memory(|blocks| hash_in(blocks, password.as_bytes())))
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
            let matches = with_memory(|blocks| verify_in(blocks, &stored, candidate.as_bytes()))?;
            Ok(known && matches)
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
    ) -> Result<T, HashingError> {
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move || {
            // Nobody waits any more (timed out or went away): skip the work.
            if !answer.is_closed() {
                let _ = answer.send(work());
            }
        });
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(_)) => return Err(HashingError::Busy),
            Err(mpsc::TrySendError::Disconnected(_)) => {
                return Err(anyhow::anyhow!("the password-hashing threads stopped").into())
            }
        }
        match tokio::time::timeout(MAX_WAIT, answered).await {
            Ok(Ok(result)) => Ok(result?),
            Ok(Err(_)) => Err(anyhow::anyhow!("a password-hashing job was dropped").into()),
            Err(_) => Err(HashingError::Busy),
        }
    }
}

thread_local! {
    /// The argon2 working memory of this hashing thread, allocated once and
    /// reused, so hashing never asks the allocator for 19 MiB again.
    static BLOCKS: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn with_memory<T>(work: impl FnOnce(&mut Vec<Block>) -> anyhow::Result<T>) -> anyhow::Result<T> {
    BLOCKS.with(|blocks| work(&mut blocks.borrow_mut()))
}

/// A PHC string of argon2id with the crate's OWASP-recommended defaults.
fn hash_in(blocks: &mut Vec<Block>, password: &[u8]) -> anyhow::Result<String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| anyhow::anyhow!("a fresh salt does not decode: {e}"))?;
    let output = output_in(
        blocks,
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        raw_salt,
        params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN),
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)
            .map_err(|e| anyhow::anyhow!("cannot write the parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `candidate` hashes to `stored` (a PHC string), compared in
/// constant time.
fn verify_in(blocks: &mut Vec<Block>, stored: &str, candidate: &[u8]) -> anyhow::Result<bool> {
    let unreadable =
        |e: password_hash::Error| anyhow::anyhow!("a stored password hash does not parse: {e}");
    let hash = PasswordHash::new(stored).map_err(unreadable)?;
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(unreadable)?;
    let version = hash
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|e| anyhow::anyhow!("a stored password hash has an unknown version: {e}"))?
        .unwrap_or_default();
    let params = Params::try_from(&hash).map_err(unreadable)?;
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        anyhow::bail!("a stored password hash has no salt or no hash");
    };
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(unreadable)?;
    let computed = output_in(
        blocks,
        algorithm,
        version,
        params,
        candidate,
        raw_salt,
        expected.len(),
    )?;
    Ok(computed == expected)
}

fn output_in(
    blocks: &mut Vec<Block>,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    len: usize,
) -> anyhow::Result<Output> {
    blocks.resize(params.block_count(), Block::default());
    let argon2 = Argon2::new(algorithm, version, params);
    Output::init_with(len, |out| {
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
            .map_err(|_| password_hash::Error::Password)
    })
    .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
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

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_format_both_ways() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let mut blocks = Vec::new();
        let ours = hash_in(&mut blocks, b"correct horse battery").expect("hashes");
        let parsed = PasswordHash::new(&ours).expect("a PHC string");
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"stored before", &salt)
            .expect("hashes")
            .to_string();
        assert!(verify_in(&mut blocks, &theirs, b"stored before").expect("verifies"));
        assert!(!verify_in(&mut blocks, &theirs, b"stored later").expect("verifies"));
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
        let pool = std::sync::Arc::new(PasswordPool::new(1));
        let (release, held) = std::sync::mpsc::channel::<()>();
        let busy = {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = held.recv();
                    Ok(())
                })
                .await
            })
        };
        tokio::task::yield_now().await;
        assert!(matches!(
            pool.verify(None, "x".into()).await,
            Err(HashingError::Busy)
        ));
        release.send(()).expect("the slot's job waits");
        let _ = busy.await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_slots_run_at_once() {
        let pool = std::sync::Arc::new(PasswordPool::new(2));
        use std::sync::atomic::{AtomicUsize, Ordering};
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
