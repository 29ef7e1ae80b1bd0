//! The test harness: the real application on port 0 with a fresh database,
//! on SQLite always and on PostgreSQL whenever one answers.

#![allow(dead_code)]

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use reqwest::{header, redirect, Client, Response, StatusCode};
use server::{config::Settings, startup::Application};
use tokio::{sync::oneshot, task::JoinHandle};

pub const ADMIN_EMAIL: &str = "ada@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const ACCOUNT_NAME: &str = "Acme Support";

/// Runs each named `async fn(Engine)` once per engine, as `name::sqlite`
/// and `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Engine::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::common::postgres_admin_url().is_none() {
                    eprintln!("no PostgreSQL server answers: set INTAKE_TEST_POSTGRES_URL to run this");
                    return;
                }
                super::$name($crate::common::Engine::Postgres).await
            }
        }
    )*};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests may create databases on, if any.
pub fn postgres_admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("INTAKE_TEST_POSTGRES_URL") {
        return Some(url);
    }
    let addr: SocketAddr = "127.0.0.1:5432".parse().ok()?;
    std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300))
        .ok()
        .map(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test and is removed after it.
pub struct TestDatabase {
    pub url: String,
    pub engine: Engine,
    sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(engine: Engine) -> Self {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}", dir.path().join("intake.db").display());
                Self {
                    url,
                    engine,
                    sqlite_dir: Some(dir),
                    postgres: None,
                }
            }
            Engine::Postgres => {
                let admin_url = postgres_admin_url().expect("a PostgreSQL server");
                let name = format!("intake_test_{}", uuid::Uuid::new_v4().simple());
                run_postgres(&admin_url, &format!("CREATE DATABASE {name}")).await;
                let url = replace_database(&admin_url, &name);
                Self {
                    url,
                    engine,
                    sqlite_dir: None,
                    postgres: Some((admin_url, name)),
                }
            }
        }
    }

    pub fn sqlite_file(&self) -> Option<PathBuf> {
        self.sqlite_dir
            .as_ref()
            .map(|dir| dir.path().join("intake.db"))
    }

    /// Makes the database disappear under a running server.
    pub async fn destroy(&self) {
        if let Some(file) = self.sqlite_file() {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        if let Some((admin_url, name)) = &self.postgres {
            run_postgres(
                admin_url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await;
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop runs outside async; a short-lived runtime on its own
            // thread removes the database.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(run_postgres(
                        &admin_url,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    ));
                }
            })
            .join();
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a URL with a database path");
    format!("{base}/{name}")
}

async fn run_postgres(admin_url: &str, sql: &str) {
    use sqlx::{Connection, Executor};
    let mut connection = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connects to PostgreSQL");
    connection.execute(sql).await.expect("runs on PostgreSQL");
}

pub fn settings(database_url: &str) -> Settings {
    Settings {
        database_url: database_url.to_owned(),
        addr: "127.0.0.1:0".parse().expect("an address"),
        secure_cookies: false,
        site_root: "target/site".into(),
    }
}

/// A running Intake and a browser-like client with a cookie jar that does
/// not follow redirects, so tests see where each answer points.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: Client,
    pub database: TestDatabase,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Self {
        let database = TestDatabase::create(engine).await;
        Self::spawn_with(database, client(), |settings| settings).await
    }

    /// Starts the application on `database` with `client`, after letting
    /// the test adjust the settings.
    pub async fn spawn_with(
        database: TestDatabase,
        client: Client,
        adjust: impl FnOnce(Settings) -> Settings,
    ) -> Self {
        let application = Application::build(adjust(settings(&database.url)))
            .await
            .expect("the application builds");
        let addr = application.local_addr();
        let (stop, stopped) = oneshot::channel();
        let server = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            client,
            database,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// Stops the server and hands back its database and client, so a test
    /// can start it again.
    pub async fn stop(mut self) -> (TestDatabase, Client) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task ends")
                .expect("the server stops cleanly");
        }
        let database = std::mem::replace(
            &mut self.database,
            TestDatabase {
                url: String::new(),
                engine: Engine::Sqlite,
                sqlite_dir: None,
                postgres: None,
            },
        );
        (database, self.client.clone())
    }

    /// The same server seen from another browser.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = client;
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the request is answered")
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header(header::ORIGIN, format!("http://{}", self.addr))
            .form(form)
            .send()
            .await
            .expect("the request is answered")
    }

    pub async fn set_up(&self, account_name: &str, email: &str, password: &str) -> Response {
        self.post_form(
            "/setup",
            &[
                ("account_name", account_name),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }

    /// Runs first-run setup with the standard admin.
    pub async fn with_admin(self) -> Self {
        let response = self.set_up(ACCOUNT_NAME, ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(
            location(&response),
            "/login?notice=set_up&email=ada%40example.com"
        );
        self
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    pub async fn sign_in_as_admin(&self) {
        let response = self.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(
            location(&response),
            "/account/integrations",
            "signing in as the admin"
        );
    }

    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.expect("a body"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Where a redirect points.
pub fn location(response: &Response) -> String {
    assert!(
        response.status().is_redirection(),
        "expected a redirect, got {}",
        response.status()
    );
    response
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
