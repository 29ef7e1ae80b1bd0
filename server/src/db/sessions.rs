//! Sessions live in the same database as everything else, so they survive a
//! restart and are shared by every server process.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Pool;

/// The session store of whichever engine is open. On SQLite its writes
/// take the process's writer turn like every other write, so a burst of
/// sign-ins never meets SQLite's busy timeout.
#[derive(Clone, Debug)]
pub struct SessionBackend {
    store: EngineStore,
    writes: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Clone, Debug)]
enum EngineStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

macro_rules! on_store {
    ($backend:expr, $store:ident => $body:expr) => {
        match &$backend.store {
            EngineStore::Sqlite($store) => $body,
            EngineStore::Postgres($store) => $body,
        }
    };
}

impl SessionBackend {
    pub(crate) fn for_pool(pool: &Pool, writes: Arc<tokio::sync::Mutex<()>>) -> Self {
        let store = match pool {
            Pool::Sqlite(pool) => EngineStore::Sqlite(SqliteStore::new(pool.clone())),
            Pool::Postgres(pool) => EngineStore::Postgres(PostgresStore::new(pool.clone())),
        };
        Self { store, writes }
    }

    pub async fn migrate(&self) -> sqlx::Result<()> {
        on_store!(self, store => store.migrate().await)
    }

    /// The writer turn on SQLite; PostgreSQL needs none.
    async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.store {
            EngineStore::Sqlite(_) => Some(self.writes.lock().await),
            EngineStore::Postgres(_) => None,
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let _turn = self.write_turn().await;
        on_store!(self, store => store.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let _turn = self.write_turn().await;
        on_store!(self, store => store.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, store => store.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let _turn = self.write_turn().await;
        on_store!(self, store => store.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let _turn = self.write_turn().await;
        on_store!(self, store => store.delete_expired().await)
    }
}
