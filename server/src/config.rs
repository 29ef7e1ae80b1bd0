//! Settings read from the environment, with defaults that let a fresh clone
//! run with nothing configured.

use std::{net::SocketAddr, path::PathBuf};

use anyhow::Context;

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
    /// The folder cargo-leptos builds the site into (`LEPTOS_SITE_ROOT`).
    pub site_root: PathBuf,
}

impl Settings {
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
            site_root: var("LEPTOS_SITE_ROOT")
                .unwrap_or_else(|| "target/site".to_owned())
                .into(),
        })
    }
}
