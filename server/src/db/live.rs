//! Telling the boards of every server process what changed (ADR 0014).
//!
//! On PostgreSQL a change goes out with `NOTIFY` after its transaction
//! commits, and every process — this one too — hears it on a connection
//! that `LISTEN`s. On SQLite there is one process, so a change goes
//! straight to this process's boards.

use std::time::Duration;

use domain::workforce::intraday::Change;
use sqlx::postgres::PgListener;
use tokio::{sync::broadcast, task::JoinHandle};

use super::{Database, Pool};

/// The channel every Intake process listens on.
const CHANNEL: &str = "intake_live";

/// PostgreSQL takes payloads shorter than 8 000 bytes.
const MAX_PAYLOAD_BYTES: usize = 7_900;

/// Changes waiting for the boards of this process before the slowest is
/// dropped (and told to read itself again).
pub(super) const BACKLOG: usize = 4_096;

impl Database {
    /// Tells every process's boards about a committed change. A change
    /// that cannot be told is logged: boards catch up at their next
    /// reading, and nothing stored is lost.
    pub(super) async fn tell_boards(&self, change: Change) {
        match &self.pool {
            Pool::Sqlite(_) => {
                // Nobody listening is not an error.
                let _ = self.changes.send(change);
            }
            Pool::Postgres(pool) => {
                for payload in change.into_messages(MAX_PAYLOAD_BYTES) {
                    let told = sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(&payload)
                        .execute(pool)
                        .await;
                    if let Err(error) = told {
                        tracing::warn!(%error, "a change could not be told to the boards");
                    }
                }
            }
        }
    }

    /// Every change this process's boards should hear, from any process.
    pub fn changes(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// On PostgreSQL, listens for every process's changes for as long as
    /// the server runs; listening has begun when this returns. After a
    /// lost connection the boards are told to read themselves again, as
    /// changes may have passed unheard.
    pub async fn listen_for_changes(&self) -> anyhow::Result<Option<JoinHandle<()>>> {
        let Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        let changes = self.changes.clone();
        Ok(Some(tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notification)) => {
                        match serde_json::from_str::<Change>(notification.payload()) {
                            Ok(change) => {
                                let _ = changes.send(change);
                            }
                            Err(error) => {
                                tracing::warn!(%error, "a change notification does not read");
                            }
                        }
                    }
                    // The connection was lost; the next call reconnects.
                    Ok(None) => {
                        tracing::warn!("the connection that hears changes was lost");
                        let _ = changes.send(Change::Resync);
                    }
                    Err(error) => {
                        tracing::warn!(%error, "cannot hear changes; trying again");
                        let _ = changes.send(Change::Resync);
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        })))
    }
}
