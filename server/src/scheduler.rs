//! Work the server does in the background while it runs: catching up
//! resumed integrations (DESIGN §2: on resume, missing data is imported
//! again), also after a restart in the middle of it.

use std::{sync::Arc, time::Duration};

use domain::{ingest::replay, store::Store};

/// How often the catching-up round runs unless configured.
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(500);
/// Steps per integration and round, so one large backlog cannot starve
/// the others.
const STEPS_EACH: u32 = 10;

/// Runs catching-up rounds for as long as the server runs.
pub fn spawn_catch_up(
    store: Arc<dyn Store>,
    every: Duration,
    budget: replay::Budget,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            // Each round on its own task: a panic or a dropped future never
            // leaves a step half done, and the loop goes on.
            let store = store.clone();
            let round = tokio::spawn(async move {
                replay::catch_up_all(store.as_ref(), budget, STEPS_EACH).await
            });
            match round.await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(?error, "catching up failed; trying again"),
                Err(error) => tracing::error!(?error, "the catching-up round stopped"),
            }
        }
    })
}
