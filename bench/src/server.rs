//! The release server on a free port with an account, an admin and a
//! personal access token made through the product's own CLI; stopped when
//! dropped. Shared by the benchmarks, and by the tests that kill it.

use std::{
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use tokio::{io::AsyncWriteExt, process::Command};

pub const EMAIL: &str = "bench@example.com";
pub const PASSWORD: &str = "bench password, long enough";

pub struct Server {
    child: tokio::process::Child,
    pub addr: String,
    pub token: String,
}

impl Server {
    /// Starts `binary` on the database at `url`, with `env` on top of the
    /// defaults (the rate limit is lifted so the load is the server's).
    pub async fn start(binary: &Path, url: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let token = provision(binary, url).await?;
        Self::serve(binary, url, env, token).await
    }

    /// Serves the database at `url` that `provision` prepared (again,
    /// after a crash), acting with `token`.
    pub async fn serve(
        binary: &Path,
        url: &str,
        env: &[(&str, &str)],
        token: String,
    ) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut serve = command(binary, url, &["serve"]);
        serve
            .env("INTAKE_ADDR", &addr)
            .env("INTAKE_INGEST_REQUESTS_PER_SECOND", "1000000");
        for (name, value) in env {
            serve.env(name, value);
        }
        let child = serve.kill_on_drop(true).spawn()?;
        let server = Self { child, addr, token };
        let started = Instant::now();
        while reqwest::get(server.url("/healthz")).await.is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not start within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(server)
    }

    /// Stops the server as a power cut would: SIGKILL, no shutdown.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Creates an integration as `body` describes it; its id.
    pub async fn create_integration(&self, body: Value) -> anyhow::Result<i64> {
        let created: Value = reqwest::Client::new()
            .post(self.url("/api/v1/integrations"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        created["integration"]["id"]
            .as_i64()
            .context("an integration id")
    }

    /// The integration's import history, newest first, `limit` entries.
    pub async fn imports(&self, id: i64, limit: u32) -> anyhow::Result<Value> {
        Ok(reqwest::Client::new()
            .get(self.url(&format!("/api/v1/integrations/{id}/imports?limit={limit}")))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Creates an API integration and returns its id and key.
    pub async fn api_integration_key(&self, name: &str) -> anyhow::Result<(i64, String)> {
        let client = reqwest::Client::new();
        let base = self.url("/api/v1/integrations");
        let id = self
            .create_integration(json!({"name": name, "kind": "api"}))
            .await?;
        let key: Value = client
            .post(format!("{base}/{id}/api-key"))
            .bearer_auth(&self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok((id, key["apiKey"].as_str().context("a key")?.to_owned()))
    }

    /// The server's peak resident memory so far (VmHWM), in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    /// The server's resident memory now (VmRSS), in KiB.
    pub fn memory_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let Some(pid) = self.child.id() else { return 0 };
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find(|line| line.starts_with(field))
                    .and_then(|line| line.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse().ok())
            })
            .unwrap_or(0)
    }
}

/// `intake <args>` on the database at `url`.
fn command(binary: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command
        .args(args)
        .env("INTAKE_DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    command
}

/// Migrates the database at `url` and makes an account with an admin
/// through the product's own CLI; the admin's personal access token.
pub async fn provision(binary: &Path, url: &str) -> anyhow::Result<String> {
    let status = command(binary, url, &["migrate"]).status().await?;
    if !status.success() {
        bail!("intake migrate failed");
    }
    let mut admin = command(
        binary,
        url,
        &["admin", "create", "--account", "Bench", "--email", EMAIL],
    )
    .spawn()?;
    if let Some(mut stdin) = admin.stdin.take() {
        stdin.write_all(format!("{PASSWORD}\n").as_bytes()).await?;
    }
    if !admin.wait().await?.success() {
        bail!("intake admin create failed");
    }
    let output = command(
        binary,
        url,
        &["token", "create", "--email", EMAIL, "--name", "bench"],
    )
    .output()
    .await?;
    let printed = String::from_utf8_lossy(&output.stdout);
    Ok(printed
        .split_whitespace()
        .find(|word| word.starts_with("itp_"))
        .context("intake token create printed no token")?
        .to_owned())
}

/// The binary the benchmarks run (`INTAKE_BENCH_BINARY`, by default the
/// release build).
pub fn binary() -> anyhow::Result<std::path::PathBuf> {
    let binary: std::path::PathBuf = std::env::var("INTAKE_BENCH_BINARY")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "target/release/intake".into())
        .into();
    if !binary.exists() {
        bail!(
            "{} is missing: build it with cargo leptos build --release",
            binary.display()
        );
    }
    Ok(binary)
}

/// The PostgreSQL server to make databases on: `INTAKE_BENCH_POSTGRES_URL`,
/// or the local one when it answers on 127.0.0.1:5432.
pub fn postgres_admin() -> Option<String> {
    std::env::var("INTAKE_BENCH_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| {
            std::net::TcpStream::connect_timeout(
                &"127.0.0.1:5432".parse().ok()?,
                Duration::from_millis(300),
            )
            .ok()
            .map(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
        })
}

/// A fresh PostgreSQL database on the server `admin` points at.
pub async fn postgres_database(admin: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    let name = format!("intake_bench_{}", uuid::Uuid::new_v4().simple());
    let mut connection = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await?;
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

/// A SQLite database file `name` in `dir`.
pub fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}/{name}.db", dir.display())
}

/// Writes a benchmark's figures under `bench/results/`.
pub fn write_results(name: &str, report: &Value) -> anyhow::Result<()> {
    std::fs::create_dir_all("bench/results")?;
    let path = format!("bench/results/{name}.json");
    std::fs::write(&path, serde_json::to_string_pretty(report)? + "\n")?;
    println!("\nwritten to {path}");
    Ok(())
}
