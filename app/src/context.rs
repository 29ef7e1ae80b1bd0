//! What the server hands to server functions through Leptos context.

use std::sync::Arc;

use domain::{ingest::replay, secret::SecretIssuer, store::Store};

/// Injected by the server for every page render and server-function call.
#[derive(Clone)]
pub struct ServerContext {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<dyn SecretIssuer>,
    /// How a resume catches up (with the configured queue cap).
    pub catch_up: replay::Budget,
}
