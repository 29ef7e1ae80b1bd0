//! Settings read from the environment, with defaults that let a fresh clone
//! run with nothing configured.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context;
use domain::ingest::Limits;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/intake.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://…` or `postgres://…` (`INTAKE_DATABASE_URL`).
    pub database_url: String,
    /// Where to listen (`INTAKE_ADDR`); port 0 picks a free port.
    pub addr: SocketAddr,
    /// Cookies get `Secure` when the public URL is HTTPS
    /// (`INTAKE_PUBLIC_URL`, e.g. `https://intake.example.com`).
    pub secure_cookies: bool,
    /// The origin (`scheme://host[:port]`) of `INTAKE_PUBLIC_URL`, when
    /// set: state-changing browser requests must come from exactly it.
    pub public_origin: Option<String>,
    /// The folder cargo-leptos builds the site into (`LEPTOS_SITE_ROOT`).
    pub site_root: PathBuf,
    /// What one ingestion request may carry (`INTAKE_INGEST_MAX_ITEMS`,
    /// `INTAKE_INGEST_MAX_BODY_BYTES`).
    pub ingest_limits: Limits,
    /// How far back and ahead ingested times may lie
    /// (`INTAKE_INGEST_DAYS_BACK`, `INTAKE_INGEST_DAYS_AHEAD`).
    pub ingest_timestamps: domain::ingest::TimestampPolicy,
    /// Ingestion requests a second per key or token, with bursts of twice
    /// that (`INTAKE_INGEST_REQUESTS_PER_SECOND`).
    pub ingest_requests_per_second: u32,
    /// Cloud Link pairings the whole server starts a minute
    /// (`INTAKE_CLOUD_LINK_PAIRINGS_PER_MINUTE`): starting one needs no
    /// login.
    pub pairings_per_minute: u32,
    /// Password hashes computed at once (`INTAKE_PASSWORD_HASHES_AT_ONCE`,
    /// default: the number of cores). More sign-ins wait briefly, then get
    /// a 503 with `Retry-After`.
    pub password_hashes_at_once: usize,
    /// Proxies whose `X-Forwarded-For` is believed
    /// (`INTAKE_TRUSTED_PROXIES`: addresses or CIDR ranges, comma-separated).
    /// Empty: the socket's peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How many failed sign-ins are tolerated from where (ADR 0006).
    pub login_policy: domain::login::LoginPolicy,
    /// How often resumed integrations catch up in the background; `None`
    /// leaves it to the resume itself (tests that step it by hand).
    pub catch_up_every: Option<std::time::Duration>,
    /// When Cloud Link jobs are queued and how long a claim holds one
    /// (`INTAKE_CLOUD_LINK_SCAN_SECONDS`, `INTAKE_CLOUD_LINK_LEASE_SECONDS`).
    pub job_schedule: domain::cloud_link::job::JobSchedule,
    /// Files received at once, server-wide — Cloud Link, API and browser
    /// (`INTAKE_CLOUD_LINK_UPLOADS_AT_ONCE`): each holds up to 7 MiB in
    /// memory, so this bounds what parallel uploads cost. More get a 503
    /// with `Retry-After`, and clients send again.
    pub uploads_at_once: usize,
    /// Whether boards may use WebSockets (`INTAKE_LIVE_WEBSOCKETS`, `on`
    /// or `off`; default on). Off, for a proxy that accepts the upgrade
    /// and then loses the messages, boards use server-sent events.
    pub live_websockets: bool,
    /// Where the release build put the Cloud Link client's executables and
    /// licences (`INTAKE_CLOUD_LINK_DOWNLOADS`, default `target/downloads`).
    pub downloads_folder: PathBuf,
    /// The program CSV schemas' queries run in (`intake sql-sandbox`):
    /// this binary unless `INTAKE_SANDBOX_PROGRAM` says.
    pub sandbox_program: PathBuf,
    /// The key database passwords are sealed with
    /// (`INTAKE_CREDENTIALS_KEY`, 64 hex digits); without it, the key in
    /// `INTAKE_CREDENTIALS_KEY_FILE` (default: `credentials.key` beside
    /// the SQLite database, else `data/credentials.key`), made when the
    /// server first starts without one.
    pub credentials_key: Option<crate::secrets::credentials::Key>,
    pub credentials_key_file: Option<PathBuf>,
    /// Older keys that still open what they sealed
    /// (`INTAKE_CREDENTIALS_OLD_KEYS`, comma-separated).
    pub credentials_old_keys: Vec<crate::secrets::credentials::Key>,
    /// Queries run at once, server-wide (`INTAKE_QUERIES_AT_ONCE`,
    /// default 2); more wait their turn.
    pub queries_at_once: usize,
}

pub const DEFAULT_UPLOADS_AT_ONCE: usize = 16;
/// CSV schemas' queries run at once: each may take a core for seconds.
pub const DEFAULT_QUERIES_AT_ONCE: usize = 2;

/// Ingestion requests a second per credential unless configured.
pub const DEFAULT_INGEST_REQUESTS_PER_SECOND: u32 = 50;
pub const DEFAULT_PAIRINGS_PER_MINUTE: u32 = 60;

impl Settings {
    /// The key credentials are sealed with (see `credentials_key`); a new
    /// one is written to its file when there is none.
    pub fn credentials_sealer(&self) -> anyhow::Result<crate::secrets::credentials::Sealer> {
        use crate::secrets::credentials::{Key, Sealer};
        let key = match (&self.credentials_key, &self.credentials_key_file) {
            (Some(key), _) => key.clone(),
            (None, Some(file)) => Key::from_file_or_new(file)?,
            (None, None) => {
                let beside_database = self
                    .database_url
                    .strip_prefix("sqlite://")
                    .map(|path| path.split('?').next().unwrap_or(path))
                    .filter(|path| !path.is_empty() && !path.contains(":memory:"))
                    .and_then(|path| Path::new(path).parent().map(Path::to_path_buf));
                let folder = beside_database.unwrap_or_else(|| PathBuf::from("data"));
                Key::from_file_or_new(&folder.join("credentials.key"))?
            }
        };
        Ok(Sealer::new(key, self.credentials_old_keys.clone()))
    }

    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = var("INTAKE_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let public_url = var("INTAKE_PUBLIC_URL").unwrap_or_default();
        Ok(Self {
            database_url: var("INTAKE_DATABASE_URL")
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            addr: addr.parse().with_context(|| {
                format!("INTAKE_ADDR={addr} is not an address like 127.0.0.1:3000")
            })?,
            secure_cookies: public_url.to_ascii_lowercase().starts_with("https://"),
            public_origin: public_origin(&public_url)?,
            site_root: var("LEPTOS_SITE_ROOT")
                .unwrap_or_else(|| "target/site".to_owned())
                .into(),
            ingest_limits: Limits {
                max_items: number(var("INTAKE_INGEST_MAX_ITEMS"), "INTAKE_INGEST_MAX_ITEMS")?
                    .unwrap_or(Limits::default().max_items),
                max_body_bytes: number(
                    var("INTAKE_INGEST_MAX_BODY_BYTES"),
                    "INTAKE_INGEST_MAX_BODY_BYTES",
                )?
                .unwrap_or(Limits::default().max_body_bytes),
                caps: domain::ingest::Caps {
                    queues: number(
                        var("INTAKE_MAX_QUEUES_PER_INTEGRATION"),
                        "INTAKE_MAX_QUEUES_PER_INTEGRATION",
                    )?
                    .unwrap_or(domain::ingest::Caps::default().queues),
                    held_imports: number(
                        var("INTAKE_MAX_HELD_REQUESTS"),
                        "INTAKE_MAX_HELD_REQUESTS",
                    )?
                    .unwrap_or(domain::ingest::Caps::default().held_imports),
                },
                ..Limits::default()
            },
            ingest_timestamps: domain::ingest::TimestampPolicy {
                days_back: number(var("INTAKE_INGEST_DAYS_BACK"), "INTAKE_INGEST_DAYS_BACK")?
                    .unwrap_or(domain::ingest::TimestampPolicy::default().days_back),
                days_ahead: number(var("INTAKE_INGEST_DAYS_AHEAD"), "INTAKE_INGEST_DAYS_AHEAD")?
                    .unwrap_or(domain::ingest::TimestampPolicy::default().days_ahead),
            },
            ingest_requests_per_second: number(
                var("INTAKE_INGEST_REQUESTS_PER_SECOND"),
                "INTAKE_INGEST_REQUESTS_PER_SECOND",
            )?
            .unwrap_or(DEFAULT_INGEST_REQUESTS_PER_SECOND),
            pairings_per_minute: number(
                var("INTAKE_CLOUD_LINK_PAIRINGS_PER_MINUTE"),
                "INTAKE_CLOUD_LINK_PAIRINGS_PER_MINUTE",
            )?
            .unwrap_or(DEFAULT_PAIRINGS_PER_MINUTE),
            password_hashes_at_once: number(
                var("INTAKE_PASSWORD_HASHES_AT_ONCE"),
                "INTAKE_PASSWORD_HASHES_AT_ONCE",
            )?
            .unwrap_or_else(default_password_hashes_at_once),
            trusted_proxies: crate::http::client::parse_trusted(
                &var("INTAKE_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|problem| anyhow::anyhow!("INTAKE_TRUSTED_PROXIES: {problem}"))?,
            login_policy: domain::login::LoginPolicy::default(),
            catch_up_every: Some(crate::scheduler::CATCH_UP_EVERY),
            downloads_folder: var("INTAKE_CLOUD_LINK_DOWNLOADS")
                .unwrap_or_else(|| "target/downloads".to_owned())
                .into(),
            live_websockets: match var("INTAKE_LIVE_WEBSOCKETS").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(other) => anyhow::bail!("INTAKE_LIVE_WEBSOCKETS={other} must be on or off"),
            },
            uploads_at_once: number(
                var("INTAKE_CLOUD_LINK_UPLOADS_AT_ONCE"),
                "INTAKE_CLOUD_LINK_UPLOADS_AT_ONCE",
            )?
            .filter(|&n| n > 0)
            .unwrap_or(DEFAULT_UPLOADS_AT_ONCE),
            sandbox_program: match var("INTAKE_SANDBOX_PROGRAM") {
                Some(program) => program.into(),
                None => std::env::current_exe()
                    .context("cannot tell where this program is (for its query sandbox)")?,
            },
            credentials_key: var("INTAKE_CREDENTIALS_KEY")
                .map(|key| {
                    crate::secrets::credentials::Key::parse(&key).context("INTAKE_CREDENTIALS_KEY")
                })
                .transpose()?,
            credentials_key_file: var("INTAKE_CREDENTIALS_KEY_FILE").map(PathBuf::from),
            credentials_old_keys: var("INTAKE_CREDENTIALS_OLD_KEYS")
                .unwrap_or_default()
                .split(',')
                .filter(|key| !key.trim().is_empty())
                .map(|key| {
                    crate::secrets::credentials::Key::parse(key)
                        .context("INTAKE_CREDENTIALS_OLD_KEYS")
                })
                .collect::<anyhow::Result<_>>()?,
            queries_at_once: number(var("INTAKE_QUERIES_AT_ONCE"), "INTAKE_QUERIES_AT_ONCE")?
                .filter(|&n| n > 0)
                .unwrap_or(DEFAULT_QUERIES_AT_ONCE),
            job_schedule: {
                let default = domain::cloud_link::job::JobSchedule::default();
                let seconds = |name: &str, default: std::time::Duration| {
                    Ok::<_, anyhow::Error>(
                        number::<u64>(var(name), name)?
                            .filter(|&s| s > 0)
                            .map_or(default, std::time::Duration::from_secs),
                    )
                };
                domain::cloud_link::job::JobSchedule {
                    scan_files_every: seconds(
                        "INTAKE_CLOUD_LINK_SCAN_SECONDS",
                        default.scan_files_every,
                    )?,
                    lease: seconds("INTAKE_CLOUD_LINK_LEASE_SECONDS", default.lease)?,
                    imports: domain::database::import::Periods {
                        history: number::<i64>(
                            var("INTAKE_DATABASE_HISTORY_DAYS"),
                            "INTAKE_DATABASE_HISTORY_DAYS",
                        )?
                        .filter(|&days| days > 0 && days <= 3 * 365)
                        .map_or(default.imports.history, chrono::TimeDelta::days),
                        ..default.imports
                    },
                    window_patience: default.window_patience,
                }
            },
        })
    }
}

/// The origin of the public URL as browsers send it in `Origin`.
pub fn public_origin(public_url: &str) -> anyhow::Result<Option<String>> {
    if public_url.trim().is_empty() {
        return Ok(None);
    }
    let url = url::Url::parse(public_url.trim()).with_context(|| {
        format!("INTAKE_PUBLIC_URL={public_url} is not a URL like https://intake.example.com")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        anyhow::bail!("INTAKE_PUBLIC_URL={public_url} must be an http or https URL with a host");
    }
    Ok(Some(url.origin().ascii_serialization()))
}

/// One hash per core keeps the cores busy and nothing else waiting.
pub fn default_password_hashes_at_once() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// A positive whole number from the environment, if set.
fn number<T: std::str::FromStr + PartialOrd + Default>(
    value: Option<String>,
    name: &str,
) -> anyhow::Result<Option<T>> {
    value
        .map(|text| {
            text.trim()
                .parse::<T>()
                .ok()
                .filter(|n| *n > T::default())
                .with_context(|| format!("{name}={text} is not a positive whole number"))
        })
        .transpose()
}
