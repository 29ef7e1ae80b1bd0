//! Work the server does in the background while it runs: catching up
//! resumed integrations (DESIGN §2: on resume, missing data is imported
//! again), also after a restart in the middle of it; and queuing Cloud
//! Link jobs (ADR 0009): CSV folder scans and database imports.

use std::{sync::Arc, time::Duration};

use domain::{
    cloud_link::job::JobSchedule,
    csv,
    csv::query::QuerySandbox,
    database,
    ingest::{replay, Caps},
    store::Store,
};

/// How often the catching-up round runs unless configured.
pub const CATCH_UP_EVERY: Duration = Duration::from_millis(500);
/// Steps per integration and round, so one large backlog cannot starve
/// the others.
const STEPS_EACH: u32 = 10;

/// Runs `round` every `every` for as long as the server runs. Each round
/// on its own task: a panic or a dropped future never leaves a step half
/// done, and the loop goes on; `after` sees how each round ended.
fn spawn_rounds<T, E, F, Fut>(
    every: Duration,
    what: &'static str,
    round: F,
    after: impl Fn(T) + Send + 'static,
) -> tokio::task::JoinHandle<()>
where
    T: Send + 'static,
    E: std::fmt::Debug + Send + 'static,
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, E>> + Send + 'static,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match tokio::spawn(round()).await {
                Ok(Ok(done)) => after(done),
                Ok(Err(error)) => tracing::warn!(?error, "{what} failed; trying again"),
                Err(error) => tracing::error!(?error, "a round of {what} stopped"),
            }
        }
    })
}

/// Runs catching-up rounds for as long as the server runs.
pub fn spawn_catch_up(
    store: Arc<dyn Store>,
    every: Duration,
    budget: replay::Budget,
) -> tokio::task::JoinHandle<()> {
    spawn_rounds(
        every,
        "catching up",
        move || {
            let store = store.clone();
            async move { replay::catch_up_all(store.as_ref(), budget, STEPS_EACH).await }
        },
        |_| {},
    )
}

/// How often the job scheduler looks for due jobs, at most.
const QUEUE_JOBS_EVERY: Duration = Duration::from_secs(5);

/// Queues due Cloud Link jobs for as long as the server runs, and wakes
/// the claims waiting for one.
pub fn spawn_jobs(
    store: Arc<dyn Store>,
    schedule: JobSchedule,
    queued: Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    spawn_rounds(
        QUEUE_JOBS_EVERY.min(schedule.scan_files_every),
        "queuing Cloud Link jobs",
        move || {
            let store = store.clone();
            async move {
                let now = chrono::Utc::now();
                let files = store.queue_due_jobs(&schedule, now).await?;
                let imports =
                    database::service::queue_due_imports(store.as_ref(), &schedule.imports, now)
                        .await?;
                Ok::<_, domain::store::StoreError>(files + imports)
            }
        },
        move |count| {
            if count > 0 {
                queued.notify_waiters();
            }
        },
    )
}

/// How often waiting CSV files are looked for.
pub const IMPORT_FILES_EVERY: Duration = Duration::from_secs(1);
/// Files imported per round at most, so a round stays short.
const FILES_EACH_ROUND: u32 = 20;

/// Imports the CSV files Cloud Link clients upload, one after another,
/// for as long as the server runs; a file that waits (its integration
/// paused, or without a schema yet) is picked up once it may be.
pub fn spawn_file_imports(
    store: Arc<dyn Store>,
    sandbox: Arc<dyn QuerySandbox>,
    caps: Caps,
) -> tokio::task::JoinHandle<()> {
    spawn_rounds(
        IMPORT_FILES_EVERY,
        "importing CSV files",
        move || {
            let store = store.clone();
            let sandbox = sandbox.clone();
            async move {
                let reading = csv::service::Reading {
                    sandbox: sandbox.as_ref(),
                    caps,
                };
                let mut taken = 0;
                while taken < FILES_EACH_ROUND
                    && csv::service::import_next_received(
                        store.as_ref(),
                        reading,
                        chrono::Utc::now(),
                    )
                    .await?
                {
                    taken += 1;
                }
                Ok::<_, csv::service::CsvError>(taken)
            }
        },
        |_| {},
    )
}
