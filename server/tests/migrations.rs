//! Upgrading a database keeps what the older schema held.

mod common;

use std::str::FromStr;

use common::{Engine, TestDatabase};
use server::db::{payload, Database};

on_both_engines!(bodies_kept_before_compression_survive_the_upgrade);

/// What a database at 0003 (before bodies were compressed) could hold: a
/// held import and its body, exactly as received.
const BODY: &str = "{\"data\":[{\"queueName\":\"Niveau 1 – ondersteuning\"}],\n \"meta\":{\"integrationConfigurationId\":1}}";
const BEFORE_COMPRESSION: usize = 3;

fn seed() -> [String; 4] {
    [
        "INSERT INTO accounts (name, created_at) VALUES ('Old', '2026-01-01T00:00:00Z')".into(),
        "INSERT INTO integrations (account_id, name, kind, status, interval_minutes, \
         carries_contacts, carries_agent_statuses, created_at) \
         VALUES (1, 'ACD', 'api', 'paused', 15, TRUE, FALSE, '2026-01-01T00:00:00Z')"
            .into(),
        "INSERT INTO imports (account_id, integration_id, feed, outcome, was_held, received_at, item_count) \
         VALUES (1, 1, 'contact_events', 'held', TRUE, '2026-01-02T00:00:00Z', 1)"
            .into(),
        format!(
            "INSERT INTO import_payloads (import_id, body) VALUES (1, '{}')",
            BODY.replace('\'', "''")
        ),
    ]
}

async fn bodies_kept_before_compression_survive_the_upgrade(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    match engine {
        Engine::Sqlite => {
            let options = sqlx::sqlite::SqliteConnectOptions::from_str(&database.url)
                .expect("a SQLite URL")
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options)
                .await
                .expect("opens");
            let mut old = sqlx::migrate!("../migrations/sqlite");
            old.migrations = old.migrations[..BEFORE_COMPRESSION].to_vec().into();
            old.run(&pool).await.expect("migrates to 0003");
            for sql in seed() {
                sqlx::query(&sql).execute(&pool).await.expect("seeds");
            }
            pool.close().await;
        }
        Engine::Postgres => {
            let pool = sqlx::PgPool::connect(&database.url).await.expect("opens");
            let mut old = sqlx::migrate!("../migrations/postgres");
            old.migrations = old.migrations[..BEFORE_COMPRESSION].to_vec().into();
            old.run(&pool).await.expect("migrates to 0003");
            for sql in seed() {
                sqlx::query(&sql).execute(&pool).await.expect("seeds");
            }
            pool.close().await;
        }
    }

    Database::connect(&database.url)
        .await
        .expect("opens")
        .migrate()
        .await
        .expect("upgrades");

    let encodings: Vec<String> = database.scalars("SELECT encoding FROM import_bodies").await;
    let mut bodies: Vec<Vec<u8>> = database.scalars("SELECT body FROM import_bodies").await;
    assert_eq!(encodings, ["identity"]);
    let kept = payload::decode(&encodings[0], bodies.remove(0)).expect("readable");
    assert_eq!(kept, BODY);
}
