//! Sessions live in the same database as everything else, so they survive a
//! restart and are shared by every server process.

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Pool;

/// The session store of whichever engine is open.
#[derive(Clone, Debug)]
pub enum SessionBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

macro_rules! on_store {
    ($backend:expr, $store:ident => $body:expr) => {
        match $backend {
            SessionBackend::Sqlite($store) => $body,
            SessionBackend::Postgres($store) => $body,
        }
    };
}

impl SessionBackend {
    pub(crate) fn for_pool(pool: &Pool) -> Self {
        match pool {
            Pool::Sqlite(pool) => Self::Sqlite(SqliteStore::new(pool.clone())),
            Pool::Postgres(pool) => Self::Postgres(PostgresStore::new(pool.clone())),
        }
    }

    pub async fn migrate(&self) -> sqlx::Result<()> {
        on_store!(self, store => store.migrate().await)
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, store => store.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, store => store.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, store => store.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, store => store.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, store => store.delete_expired().await)
    }
}
