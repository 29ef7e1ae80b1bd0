//! The HTTP surface. The router reads like a table of contents; handlers
//! are thin and live one concern per module.

pub mod api;
mod auth;
pub mod client;
pub mod cloud_link;
mod csv_forms;
mod database_forms;
mod detach;
mod downloads;
mod guard;
mod headers;
mod health;
pub mod ingest;
pub mod live;
mod origin;
mod server_fns;
mod workforce_forms;

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use app::{context::ServerContext, shell, App};
use axum::{
    extract::FromRef,
    middleware,
    routing::{get, post},
    Router,
};
use domain::{secret::SecretIssuer, store::Store};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::trace::TraceLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{config::Settings, db::Database, secrets::password::PasswordPool};

/// Everything a handler may need, injected once.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<dyn SecretIssuer>,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub ingest_limiter: Arc<ingest::IngestLimiter>,
    pub pairing_limiter: Arc<cloud_link::PairingLimiter>,
    pub passwords: Arc<PasswordPool>,
    /// Woken when the scheduler queues Cloud Link jobs, so waiting claims
    /// look at once.
    pub jobs_queued: Arc<tokio::sync::Notify>,
    /// Cloud Link claims waiting, per integration.
    pub waiting_claims: Arc<cloud_link::WaitingClaims>,
    /// Where a history job's windows wait for their turn.
    pub window_turns: Arc<cloud_link::WindowTurns>,
    /// Permits for Cloud Link uploads being received.
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Where CSV schemas' queries run.
    pub sandbox: Arc<dyn domain::csv::query::QuerySandbox>,
    /// Seals the database passwords admins enter.
    pub sealer: Arc<dyn domain::database::service::CredentialSealer>,
    /// The Cloud Link client's downloads, packed per console address.
    pub downloads: Arc<crate::downloads::Downloads>,
    /// This process's live boards and feeds.
    pub live: Arc<live::Hub>,
    /// Set once a user exists; first-run setup never reopens after that.
    set_up: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(
        database: Database,
        settings: Settings,
        sealer: Arc<dyn domain::database::service::CredentialSealer>,
    ) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("intake")
            .site_root(settings.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(settings.addr)
            .build();
        let store: Arc<dyn Store> = Arc::new(database.clone());
        Self {
            live: live::Hub::start(store.clone(), database.changes()),
            store,
            secrets: Arc::new(crate::secrets::token::OsSecrets),
            leptos_options,
            pairing_limiter: Arc::new(cloud_link::PairingLimiter::new(
                settings.pairings_per_minute,
            )),
            ingest_limiter: Arc::new(ingest::IngestLimiter::new(
                settings.ingest_requests_per_second,
            )),
            passwords: Arc::new(PasswordPool::new(settings.password_hashes_at_once)),
            jobs_queued: Arc::new(tokio::sync::Notify::new()),
            waiting_claims: Arc::default(),
            window_turns: Arc::default(),
            uploads: Arc::new(tokio::sync::Semaphore::new(settings.uploads_at_once)),
            sealer,
            sandbox: Arc::new(crate::sandbox::ProcessSandbox::new(
                settings.sandbox_program.clone(),
                settings.queries_at_once,
            )),
            downloads: Arc::new(crate::downloads::Downloads::new(
                settings.downloads_folder.clone(),
            )),
            settings: Arc::new(settings),
            set_up: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether any user exists, remembered once true.
    pub async fn is_set_up(&self) -> Result<bool, domain::store::StoreError> {
        if self.set_up.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let set_up = self.store.has_users().await?;
        if set_up {
            self.set_up.store(true, Ordering::Relaxed);
        }
        Ok(set_up)
    }

    fn server_context(&self) -> ServerContext {
        ServerContext {
            store: self.store.clone(),
            secrets: self.secrets.clone(),
            catch_up: self.catch_up_budget(),
            downloads: Arc::new(downloads::ForPages {
                downloads: self.downloads.clone(),
                public_origin: self.settings.public_origin.clone(),
            }),
            caps: self.settings.ingest_limits.caps,
            sandbox: self.sandbox.clone(),
        }
    }

    /// One step of catching up, with the configured queue cap.
    pub fn catch_up_budget(&self) -> domain::ingest::replay::Budget {
        domain::ingest::replay::Budget {
            queue_cap: self.settings.ingest_limits.caps.queues,
            ..domain::ingest::replay::Budget::default()
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// How long an idle session stays signed in.
const SESSION_IDLE_LIFETIME: time::Duration = time::Duration::days(7);

pub fn router(state: AppState, database: &Database) -> Router {
    let sessions = SessionManagerLayer::new(database.session_backend())
        .with_name("intake_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE_LIFETIME));

    let routes = generate_route_list(App);
    let context = state.server_context();
    let server_fn_context = state.server_context();
    let fallback_context = state.server_context();

    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .merge(auth::router())
        .merge(csv_forms::router())
        .merge(database_forms::router())
        .merge(workforce_forms::router())
        .route("/api/openapi.json", get(api::openapi::document))
        .route("/api/docs", get(api::reference::page))
        .nest("/api/v1", api::router())
        .nest("/external-systems", ingest::router())
        .nest("/cloud-link", cloud_link::router())
        // Under /account: only a signed-in user gets one (`guard::pages`).
        .route("/account/downloads/{file}", get(downloads::download))
        .route(
            // Server functions live apart from `/api`, which belongs to the
            // public APIs and answers unknown paths with the error envelope.
            "/_fn/{*fn_name}",
            post(move |request| {
                leptos_axum::handle_server_fns_with_context(
                    move || provide_context(server_fn_context.clone()),
                    request,
                )
            }),
        )
        .leptos_routes_with_context(&state, routes, move || provide_context(context.clone()), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || provide_context(fallback_context.clone()), shell
        ))
        .layer(middleware::from_fn(server_fns::honest_status))
        .layer(middleware::from_fn_with_state(state.clone(), guard::pages))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::refuse_cross_origin,
        ))
        .layer(middleware::from_fn(headers::protective))
        .layer(middleware::from_fn(detach::run_to_completion))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Deletes expired sessions in the background for as long as the server runs.
pub fn spawn_session_cleanup(database: &Database) -> tokio::task::JoinHandle<()> {
    use tower_sessions::session_store::ExpiredDeletion;
    let backend = database.session_backend();
    tokio::spawn(async move {
        if let Err(error) = backend
            .continuously_delete_expired(Duration::from_secs(3600))
            .await
        {
            tracing::warn!(?error, "expired-session cleanup stopped");
        }
    })
}
