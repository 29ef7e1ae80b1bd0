//! `/healthz` (the process answers) and `/readyz` (the database answers).

use std::time::Duration;

use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

use super::AppState;

const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "checks": { "database": "ok" } })),
        ),
        Ok(Err(error)) => {
            tracing::warn!(error = ?error, "readiness: the database failed");
            unavailable()
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer in time");
            unavailable()
        }
    }
}

fn unavailable() -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({ "status": "unavailable", "checks": { "database": "unreachable" } })),
    )
}
