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

    /// Reads one column of a query, on whichever engine this is.
    pub async fn scalars<T>(&self, sql: &str) -> Vec<T>
    where
        T: Send + Unpin,
        T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
        T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        match self.engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.expect("opens");
                sqlx::query_scalar(sql)
                    .fetch_all(&pool)
                    .await
                    .expect("reads")
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.expect("opens");
                sqlx::query_scalar(sql)
                    .fetch_all(&pool)
                    .await
                    .expect("reads")
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
        public_origin: None,
        site_root: "target/site".into(),
        // The server's own binary; the Cloud Link crate's tests, which
        // share this module, run no queries.
        sandbox_program: option_env!("CARGO_BIN_EXE_intake")
            .unwrap_or("intake")
            .into(),
        queries_at_once: 2,
        credentials_key: Some(server::secrets::credentials::Key::random()),
        credentials_key_file: None,
        credentials_old_keys: Vec::new(),
        ingest_limits: domain::ingest::Limits::default(),
        ingest_timestamps: domain::ingest::TimestampPolicy::default(),
        ingest_requests_per_second: server::config::DEFAULT_INGEST_REQUESTS_PER_SECOND,
        pairings_per_minute: server::config::DEFAULT_PAIRINGS_PER_MINUTE,
        password_hashes_at_once: server::config::default_password_hashes_at_once(),
        trusted_proxies: Vec::new(),
        login_policy: domain::login::LoginPolicy::default(),
        catch_up_every: Some(server::scheduler::CATCH_UP_EVERY),
        uploads_at_once: server::config::DEFAULT_UPLOADS_AT_ONCE,
        live_websockets: true,
        // Tests that need the client's downloads build a folder of their own.
        downloads_folder: "no-downloads-in-tests".into(),
        // Folders are looked at every second, and a history window waits
        // a second for the one ahead of it, so tests wait little.
        job_schedule: domain::cloud_link::job::JobSchedule {
            scan_files_every: std::time::Duration::from_secs(1),
            window_patience: std::time::Duration::from_secs(1),
            ..domain::cloud_link::job::JobSchedule::default()
        },
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
        // A bound on waiting, so a request the server never answers fails
        // its test with the request named instead of hanging the suite.
        .timeout(Duration::from_secs(60))
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

    /// A server whose Cloud Link job leases last one second, with an
    /// admin: a claimed job is offered again almost at once.
    pub async fn spawn_with_short_leases(engine: Engine) -> Self {
        let database = TestDatabase::create(engine).await;
        Self::spawn_with(database, client(), |settings| Settings {
            job_schedule: domain::cloud_link::job::JobSchedule {
                lease: Duration::from_secs(1),
                ..settings.job_schedule
            },
            ..settings
        })
        .await
        .with_admin()
        .await
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

    /// A `multipart/form-data` post with one file field, as a browser
    /// sends it.
    pub async fn post_file(&self, path: &str, name: &str, content: &[u8]) -> Response {
        let boundary = "----intake-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.client
            .post(self.url(path))
            .header(header::ORIGIN, format!("http://{}", self.addr))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
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

    /// Runs first-run setup with the standard admin, posted from `origin`.
    pub async fn with_admin_from(self, origin: &str) -> Self {
        let response = self
            .client
            .post(self.url("/setup"))
            .header(header::ORIGIN, origin)
            .form(&[
                ("account_name", ACCOUNT_NAME),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
            ])
            .send()
            .await
            .expect("the request is answered");
        assert!(response.status().is_redirection(), "set up from {origin}");
        self
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

/// Direct access to the test's database, for arranging what the product
/// has no screen for yet (planners, other accounts, expired tokens).
impl TestApp {
    pub async fn store(&self) -> server::db::Database {
        server::db::Database::connect(&self.database.url)
            .await
            .expect("opens the test database")
    }

    /// A personal access token for the user with `email`.
    pub async fn token_for(&self, email: &str) -> String {
        use domain::{secret::SecretIssuer, store::Store, tokens};
        let store = self.store().await;
        let email = domain::EmailAddress::parse(email).expect("an email");
        let user = store
            .user_by_email(&email)
            .await
            .expect("reads")
            .expect("the user exists");
        let actor = domain::actor::Actor {
            user_id: user.id,
            account_id: user.account_id,
            role: user.role,
            email,
        };
        let issued = server::secrets::token::OsSecrets.personal_token();
        let name = tokens::TokenName::parse("tests").expect("a name");
        tokens::create(&store, &actor, name, tokens::Expiry::NEVER, &issued.stored)
            .await
            .expect("stores the token");
        issued.secret
    }

    /// Another account with its own admin.
    pub async fn another_account(&self, name: &str, email: &str) {
        use domain::{setup::Occasion, store::Store};
        let store = self.store().await;
        store
            .create_account(
                &domain::AccountName::parse(name).expect("a name"),
                &domain::EmailAddress::parse(email).expect("an email"),
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0rTZr3OKVBp0+sSfkqgPjRMnMBn9wU2kGpkgETnN2pM",
                domain::Language::En,
                Occasion::Provisioning,
            )
            .await
            .expect("creates the account");
    }

    /// Runs one statement against the test database (both engines accept it).
    pub async fn execute(&self, sql: &str) {
        match self.database.engine {
            Engine::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.database.url)
                    .await
                    .expect("opens");
                sqlx::query(sql).execute(&pool).await.expect("runs");
            }
            Engine::Postgres => {
                let pool = sqlx::PgPool::connect(&self.database.url)
                    .await
                    .expect("opens");
                sqlx::query(sql).execute(&pool).await.expect("runs");
            }
        }
    }

    /// A planner in the first account, who signs in with `ADMIN_PASSWORD`.
    pub async fn add_planner(&self, email: &str) {
        self.execute(&format!(
            "INSERT INTO users (account_id, email, password_hash, role, language, created_at) \
             SELECT account_id, '{email}', password_hash, 'planner', 'en', created_at FROM users WHERE email = '{ADMIN_EMAIL}'"
        ))
        .await;
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the request is answered")
    }
}

impl TestApp {
    /// An on-premise integration (waiting for its Cloud Link client); its id.
    pub async fn on_premise_integration(&self, token: &str, name: &str) -> i64 {
        self.linkable_integration(token, name, "on_premise").await
    }

    /// A new integration of a kind that needs Cloud Link (`on_premise`,
    /// `csv`, `database`), awaiting its link.
    pub async fn linkable_integration(&self, token: &str, name: &str, kind: &str) -> i64 {
        let created: serde_json::Value = self
            .api(
                reqwest::Method::POST,
                "/api/v1/integrations",
                Some(token),
                Some(serde_json::json!({"name": name, "kind": kind})),
            )
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(created["integration"]["status"], "awaiting_link");
        created["integration"]["id"].as_i64().expect("an id")
    }

    /// Saves a database integration's `settings`, which must be taken.
    pub async fn save_database_settings(&self, token: &str, id: i64, settings: serde_json::Value) {
        let saved = self
            .api(
                reqwest::Method::PUT,
                &format!("/api/v1/integrations/{id}/database"),
                Some(token),
                Some(settings),
            )
            .await;
        assert_eq!(saved.status(), StatusCode::OK, "{:?}", saved.text().await);
    }

    /// A CSV integration carrying contacts in 30-minute intervals; its id.
    pub async fn csv_integration(&self, token: &str, name: &str) -> i64 {
        let created: serde_json::Value = self
            .api(
                reqwest::Method::POST,
                "/api/v1/integrations",
                Some(token),
                Some(
                    serde_json::json!({"name": name, "kind": "csv", "intervalMinutes": 30,
                    "dataTypes": ["contacts"]}),
                ),
            )
            .await
            .json()
            .await
            .expect("JSON");
        created["integration"]["id"].as_i64().expect("an id")
    }

    /// An API integration carrying both data types with `interval`
    /// minutes, and its freshly generated key.
    pub async fn api_integration(&self, token: &str, name: &str, interval: u32) -> (i64, String) {
        let created: serde_json::Value = self
            .api(
                reqwest::Method::POST,
                "/api/v1/integrations",
                Some(token),
                Some(
                    serde_json::json!({"name": name, "kind": "api", "intervalMinutes": interval,
                            "dataTypes": ["contacts", "agent_statuses"]}),
                ),
            )
            .await
            .json()
            .await
            .expect("JSON");
        let id = created["integration"]["id"].as_i64().expect("an id");
        let key: serde_json::Value = self
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/integrations/{id}/api-key"),
                Some(token),
                None,
            )
            .await
            .json()
            .await
            .expect("JSON");
        (id, key["apiKey"].as_str().expect("a key").to_owned())
    }
}

impl TestApp {
    /// A management-API read as JSON, with `token`.
    pub async fn read_json(&self, path: &str, token: &str) -> serde_json::Value {
        self.api(reqwest::Method::GET, path, Some(token), None)
            .await
            .json()
            .await
            .expect("JSON")
    }

    /// An integration's status as the management API reports it.
    pub async fn integration_status(&self, token: &str, id: i64) -> String {
        self.read_json(&format!("/api/v1/integrations/{id}"), token)
            .await["integration"]["status"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// `POST /api/v1/integrations/{id}/{action}` (pause, resume, api-key).
    pub async fn integration_action(&self, token: &str, id: i64, action: &str) -> Response {
        self.api(
            reqwest::Method::POST,
            &format!("/api/v1/integrations/{id}/{action}"),
            Some(token),
            None,
        )
        .await
    }
}

/// The first error code of an error envelope.
pub async fn error_code(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("a JSON envelope");
    let first = &body["errors"][0];
    (
        status,
        first["code"].as_str().unwrap_or_default().to_owned(),
        first["pointer"].as_str().unwrap_or_default().to_owned(),
    )
}
