//! Catching up after a pause: what was held is applied in arrival order,
//! a bounded step at a time, and only then is the integration active.
//!
//! A resume makes the integration `Resuming` (see
//! [`crate::integration::Status::resume`]). While it is, pushed data is
//! still held, behind what was held before, so nothing overtakes older
//! data. Each step applies the oldest held imports within a [`Budget`], in
//! one transaction that also marks them applied: a restart between steps
//! goes on where it stopped and applies nothing twice, and no step holds
//! the database's writer for long. The step that finds nothing more held
//! makes the integration `Active`.

use crate::{
    integration::IntegrationId,
    store::{Store, StoreError},
};

/// How much one step may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Held imports per step, at most.
    pub imports: u32,
    /// Items per step, at most (the first import is always taken whole).
    pub items: u64,
    /// The integration's queue cap: a held import that would pass it is
    /// rejected in the history instead of applied.
    pub queue_cap: u64,
}

impl Default for Budget {
    /// About 20 ms of work on the reference machine (2 cores, SQLite):
    /// other accounts' requests wait no longer than that for the writer
    /// (`make bench` measures it).
    fn default() -> Self {
        Self {
            imports: 50,
            items: 4_000,
            queue_cap: super::Caps::default().queues,
        }
    }
}

/// What one step found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Applied `imports` held imports; `remaining` are still held.
    Applied { imports: u32, remaining: u64 },
    /// Nothing more was held: the integration is active now.
    CaughtUp,
    /// The integration is not resuming (paused again, deleted, or already
    /// active): nothing to do.
    NotResuming,
}

/// Runs up to `max_steps` steps for one integration; the last step's
/// outcome says whether it caught up.
pub async fn catch_up(
    store: &dyn Store,
    integration: IntegrationId,
    budget: Budget,
    max_steps: u32,
) -> Result<Step, StoreError> {
    let mut last = Step::NotResuming;
    for _ in 0..max_steps {
        last = store.replay_held(integration, budget).await?;
        if !matches!(last, Step::Applied { .. }) {
            break;
        }
    }
    Ok(last)
}

/// One round over every integration that is catching up, oldest resume
/// first, a few steps each, so one large backlog cannot starve the rest.
pub async fn catch_up_all(
    store: &dyn Store,
    budget: Budget,
    steps_each: u32,
) -> Result<usize, StoreError> {
    let resuming = store.resuming_integrations().await?;
    for integration in &resuming {
        catch_up(store, *integration, budget, steps_each).await?;
    }
    Ok(resuming.len())
}
