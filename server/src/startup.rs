//! Builds the application once, for `main` and for the tests alike.

use std::{future::Future, net::SocketAddr, sync::Arc};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::{
    config::Settings,
    db::Database,
    http::{self, AppState},
};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    database: Database,
    catch_up_every: Option<std::time::Duration>,
    catch_up_budget: domain::ingest::replay::Budget,
    job_schedule: domain::cloud_link::job::JobSchedule,
    jobs_queued: Arc<tokio::sync::Notify>,
    caps: domain::ingest::Caps,
    sandbox: Arc<dyn domain::csv::query::QuerySandbox>,
    live: Arc<http::live::Hub>,
    changes_heard: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Opens and migrates the database, then binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let database = Database::connect(&settings.database_url).await?;
        database.migrate().await?;
        let changes_heard = database
            .listen_for_changes()
            .await
            .context("cannot listen for other processes' changes")?;
        let listener = TcpListener::bind(settings.addr)
            .await
            .with_context(|| format!("cannot listen on {}", settings.addr))?;
        let catch_up_every = settings.catch_up_every;
        let job_schedule = settings.job_schedule;
        let caps = settings.ingest_limits.caps;
        let sealer = Arc::new(settings.credentials_sealer()?);
        let state = AppState::new(database.clone(), settings, sealer);
        let jobs_queued = state.jobs_queued.clone();
        let catch_up_budget = state.catch_up_budget();
        let sandbox = state.sandbox.clone();
        let live = state.live.clone();
        let router = http::router(state, &database);
        Ok(Self {
            listener,
            router,
            database,
            catch_up_every,
            catch_up_budget,
            job_schedule,
            jobs_queued,
            caps,
            sandbox,
            live,
            changes_heard,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let cleanup = http::spawn_session_cleanup(&self.database);
        let catch_up = self.catch_up_every.map(|every| {
            crate::scheduler::spawn_catch_up(
                Arc::new(self.database.clone()),
                every,
                self.catch_up_budget,
            )
        });
        let jobs = crate::scheduler::spawn_jobs(
            Arc::new(self.database.clone()),
            self.job_schedule,
            self.jobs_queued.clone(),
        );
        let files = crate::scheduler::spawn_file_imports(
            Arc::new(self.database.clone()),
            self.sandbox.clone(),
            self.caps,
        );
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let live = self.live.clone();
        let result = axum::serve(self.listener, service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Boards and feeds never end by themselves.
                live.close();
            })
            .await
            .context("the server stopped with an error");
        cleanup.abort();
        jobs.abort();
        if let Some(heard) = &self.changes_heard {
            heard.abort();
        }
        files.abort();
        if let Some(catch_up) = catch_up {
            catch_up.abort();
        }
        self.database.close().await;
        result
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
