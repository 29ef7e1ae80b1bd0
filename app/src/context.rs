//! What the server hands to server functions through Leptos context.

use std::{future::Future, pin::Pin, sync::Arc};

use domain::{ingest::replay, secret::SecretIssuer, store::Store};

/// Injected by the server for every page render and server-function call.
#[derive(Clone)]
pub struct ServerContext {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<dyn SecretIssuer>,
    /// How a resume catches up (with the configured queue cap).
    pub catch_up: replay::Budget,
    /// The Cloud Link client's downloads.
    pub downloads: Arc<dyn ClientDownloads>,
    /// What one integration may accumulate (files imported by hand).
    pub caps: domain::ingest::Caps,
    /// Where CSV schemas' queries run.
    pub sandbox: Arc<dyn domain::csv::query::QuerySandbox>,
}

/// The Cloud Link client's downloads, packed for the console address a
/// request came to (its `Host`, unless the server knows its public URL).
pub trait ClientDownloads: Send + Sync {
    /// Empty when this build has none.
    fn list(
        &self,
        host: Option<String>,
    ) -> Pin<Box<dyn Future<Output = Vec<crate::api::DownloadView>> + Send>>;
}
