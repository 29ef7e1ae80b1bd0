//! The two storage engines behind one type: SQLite (embedded default) and
//! PostgreSQL (production), chosen at run time from the URL scheme.
//!
//! Queries are written once in the SQL both engines understand and run on
//! whichever pool is open through [`on_pool!`]; see `docs/adr/0001-storage.md`.

mod cloud_link;
mod csv;
mod database_imports;
mod documents;
mod ingest;
mod ingest_reads;
mod integrations;
mod jobs;
mod live;
pub mod payload;
mod sessions;
mod store;
mod tokens;
mod workforce;

use std::{path::PathBuf, str::FromStr, sync::Arc, time::Duration};

use anyhow::{bail, Context};
use sqlx::{
    postgres::{PgPool, PgPoolOptions},
    sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    },
};

pub use sessions::SessionBackend;

#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same block against whichever pool is open. Each arm is compiled
/// with its own concrete pool type, so the block is written once and
/// type-checked twice.
macro_rules! on_pool {
    ($database:expr, $pool:ident => $body:expr) => {
        match &$database.pool {
            $crate::db::Pool::Sqlite($pool) => $body,
            $crate::db::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Writes an audit entry inside the caller's transaction.
macro_rules! write_audit {
    ($tx:expr, $account:expr, $entry:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO audit_events (account_id, actor_user_id, action, subject, integration_id, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($account.0)
        .bind($entry.actor.0)
        .bind($entry.action.as_str())
        .bind(&$entry.subject)
        .bind($entry.integration.map(|id| id.0))
        .bind($now)
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use write_audit;

/// An open transaction of either engine, borrowed, so a helper can run its
/// part of a caller's transaction whichever engine it is on.
pub(crate) enum TxRef<'a, 'c> {
    Sqlite(&'a mut sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(&'a mut sqlx::Transaction<'c, sqlx::Postgres>),
}

impl<'a, 'c> From<&'a mut sqlx::Transaction<'c, sqlx::Sqlite>> for TxRef<'a, 'c> {
    fn from(tx: &'a mut sqlx::Transaction<'c, sqlx::Sqlite>) -> Self {
        Self::Sqlite(tx)
    }
}

impl<'a, 'c> From<&'a mut sqlx::Transaction<'c, sqlx::Postgres>> for TxRef<'a, 'c> {
    fn from(tx: &'a mut sqlx::Transaction<'c, sqlx::Postgres>) -> Self {
        Self::Postgres(tx)
    }
}

/// [`on_pool!`] for a [`TxRef`]: the block gets `&mut Transaction` of the
/// engine at hand (use `&mut **tx` as the executor).
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::db::TxRef::Sqlite($t) => $body,
            $crate::db::TxRef::Postgres($t) => $body,
        }
    };
}
pub(crate) use on_tx;

/// An open database of either engine. Cheap to clone: the pools are shared.
#[derive(Clone, Debug)]
pub struct Database {
    pub(crate) pool: Pool,
    /// SQLite takes one writer at a time. Writers of this process wait for
    /// their turn here, in arrival order, instead of in SQLite's busy
    /// handler, which sleeps up to 100 ms between tries and lets a late
    /// comer overtake (ADR 0005). PostgreSQL needs no turn.
    writes: Arc<tokio::sync::Mutex<()>>,
    /// The SQLite file, so readiness can notice it has been removed.
    pub(crate) sqlite_file: Option<SqliteFile>,
    /// What this process's boards hear (`live`).
    changes: tokio::sync::broadcast::Sender<domain::workforce::intraday::Change>,
}

/// The SQLite file as it was opened: its path, and which file that was.
#[derive(Clone, Debug)]
pub(crate) struct SqliteFile {
    pub(crate) path: PathBuf,
    identity: Option<(u64, u64)>,
}

impl SqliteFile {
    fn opened(path: PathBuf) -> Self {
        let identity = file_identity(&path);
        Self { path, identity }
    }

    /// Whether the file the server opened is still at its path. An open
    /// handle keeps working on a removed file (every write then lost), and
    /// a new connection would quietly make a new, empty file in its place.
    pub(crate) fn still_there(&self) -> bool {
        match (self.identity, file_identity(&self.path)) {
            (Some(opened), Some(now)) => opened == now,
            (None, _) => self.path.exists(),
            (Some(_), None) => false,
        }
    }
}

/// The device and inode of the file at `path` (Unix), to tell it from a
/// new file of the same name.
fn file_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path)
            .ok()
            .map(|meta| (meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether a PostgreSQL connection is inside a transaction block, as the
/// server sees it (sqlx's own count misses a `BEGIN` whose future was
/// dropped). In a simple query outside a block, the transaction starts with
/// the statement, so both timestamps are equal; inside a block begun
/// earlier they differ. A connection that cannot answer counts as inside.
fn is_inside_a_transaction(
    connection: &mut sqlx::PgConnection,
) -> domain::store::BoxFuture<'_, bool> {
    use sqlx::{Executor, Row};
    Box::pin(async move {
        let probe = connection
            .fetch_one("SELECT transaction_timestamp() <> statement_timestamp()")
            .await;
        match probe.and_then(|row| row.try_get::<bool, _>(0)) {
            Ok(false) => false,
            Ok(true) => {
                tracing::warn!("a database connection came back inside a transaction; closing it");
                true
            }
            Err(error) => {
                tracing::warn!(
                    ?error,
                    "cannot tell whether a connection is inside a transaction"
                );
                true
            }
        }
    })
}

impl Database {
    /// Opens the database a URL names: `sqlite://path` (created if missing)
    /// or `postgres://…`.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(20)
                .acquire_timeout(Duration::from_secs(5))
                .after_release(|connection, _| {
                    Box::pin(async move { Ok(!is_inside_a_transaction(connection).await) })
                        as domain::store::BoxFuture<'_, Result<bool, sqlx::Error>>
                })
                .connect(url)
                .await
                .context("cannot connect to the PostgreSQL database")?;
            Ok(Self {
                pool: Pool::Postgres(pool),
                writes: Arc::default(),
                sqlite_file: None,
                changes: tokio::sync::broadcast::channel(live::BACKLOG).0,
            })
        } else {
            bail!("the database URL must start with sqlite: or postgres:")
        }
    }

    async fn connect_sqlite(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .context("the SQLite database URL is not valid")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL syncs the WAL at every commit, so an acknowledged 202
            // survives a power cut, not only a killed process (NORMAL would
            // lose the last commits to a power cut).
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let file = options.get_filename().to_path_buf();
        let in_memory = file.as_os_str().is_empty() || file.to_string_lossy().contains(":memory:");
        if !in_memory {
            if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create the folder {}", parent.display()))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .context("cannot open the SQLite database")?;
        Ok(Self {
            pool: Pool::Sqlite(pool),
            writes: Arc::default(),
            sqlite_file: (!in_memory).then(|| SqliteFile::opened(file)),
            changes: tokio::sync::broadcast::channel(live::BACKLOG).0,
        })
    }

    /// This process's turn to write (see `writes`); `None` on PostgreSQL.
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.pool {
            Pool::Sqlite(_) => Some(self.writes.lock().await),
            Pool::Postgres(_) => None,
        }
    }

    /// Brings the schema up to date: Intake's own migrations, then the
    /// session store's table.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await,
            Pool::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await,
        }
        .context("cannot migrate the database")?;
        self.session_backend()
            .migrate()
            .await
            .context("cannot create the session table")
    }

    pub fn session_backend(&self) -> SessionBackend {
        SessionBackend::for_pool(&self.pool, self.writes.clone())
    }

    pub fn engine(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, Executor};

    /// The probe tells a connection inside a transaction block from one
    /// outside, as PostgreSQL sees it, also after a `BEGIN` sqlx never
    /// counted.
    #[tokio::test]
    async fn the_probe_sees_a_begin_that_sqlx_did_not_count() {
        let url = std::env::var("INTAKE_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let Ok(mut connection) = sqlx::PgConnection::connect(&url).await else {
            eprintln!("no PostgreSQL server answers: skipped");
            return;
        };
        assert!(!super::is_inside_a_transaction(&mut connection).await);
        connection.execute("BEGIN").await.expect("begins");
        assert!(super::is_inside_a_transaction(&mut connection).await);
        connection.execute("ROLLBACK").await.expect("rolls back");
        assert!(!super::is_inside_a_transaction(&mut connection).await);
    }
}
