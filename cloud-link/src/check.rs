//! `cloud-link check`: one PASS or FAIL line for each thing the client
//! needs, with what to do about a failure — the way to the console (name,
//! proxy, connection, TLS), the clock, the credential, the import folder
//! and the ODBC drivers. Customers' most common trouble is a firewall or a
//! proxy; this is where they find out.

use std::{path::Path, time::Duration};

use chrono::{DateTime, Utc};

use crate::{config::Config, net, pairing, state};

/// The largest clock difference with the console that passes: times in
/// logs and data stay comparable.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub passed: bool,
    pub what: &'static str,
    pub detail: String,
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.passed { "PASS" } else { "FAIL" };
        write!(f, "{verdict} {}: {}", self.what, self.detail)
    }
}

fn pass(what: &'static str, detail: impl Into<String>) -> Line {
    Line {
        passed: true,
        what,
        detail: detail.into(),
    }
}

fn fail(what: &'static str, detail: impl Into<String>) -> Line {
    Line {
        passed: false,
        what,
        detail: detail.into(),
    }
}

/// Runs every check, in order; later ones that need the console are
/// skipped (and fail) when it cannot be reached.
pub async fn run(config: &Config) -> Vec<Line> {
    let mut lines = Vec::new();
    let proxy = net::proxy_from_env();
    lines.push(resolve(&config.server_url, proxy.as_deref()).await);
    let http = match net::client() {
        Ok(http) => http,
        Err(error) => {
            lines.push(fail("proxy", error.to_string()));
            return finish(lines, config);
        }
    };
    let health = format!("{}/healthz", config.server_url);
    let reached = http
        .get(&health)
        .timeout(Duration::from_secs(15))
        .send()
        .await;
    let via = proxy
        .as_deref()
        .map(|p| format!(" through the proxy {}", net::shown_proxy(p)))
        .unwrap_or_default();
    let server_date = match reached {
        // The console's health answer never asks for a password: this is
        // the proxy (tinyproxy answers 401, most proxies 407).
        Ok(response)
            if matches!(
                response.status(),
                reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED
                    | reqwest::StatusCode::UNAUTHORIZED
            ) =>
        {
            lines.push(fail(
                "connection",
                format!(
                    "the proxy refused the user name or password ({}){via}: fix them in https_proxy",
                    response.status().as_u16()
                ),
            ));
            return finish(lines, config);
        }
        Ok(response) if response.status().is_success() => {
            let secure = if config.server_url.starts_with("https://") {
                ", TLS certificate trusted"
            } else {
                ", without TLS (use https:// outside tests)"
            };
            lines.push(pass(
                "connection",
                format!("reached {}{via}{secure}", config.server_url),
            ));
            response
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|date| date.to_str().ok())
                .and_then(|date| DateTime::parse_from_rfc2822(date).ok())
                .map(|date| date.with_timezone(&Utc))
        }
        Ok(response) => {
            lines.push(fail(
                "connection",
                format!(
                    "{health} answered {}{via}: is [server] url the console's address?",
                    response.status()
                ),
            ));
            return finish(lines, config);
        }
        Err(error) => {
            lines.push(fail(
                "connection",
                format!("{}{via}", pairing::describe(&error)),
            ));
            return finish(lines, config);
        }
    };
    lines.push(clock(server_date, Utc::now()));
    lines.push(credential(&http, config).await);
    finish(lines, config)
}

/// The checks that need no console.
fn finish(mut lines: Vec<Line>, config: &Config) -> Vec<Line> {
    lines.push(import_folder(&config.import_directory));
    lines.push(odbc_drivers(crate::query::drivers()));
    lines
}

/// Whether the console's host (or, with a proxy, the proxy's) resolves.
async fn resolve(server_url: &str, proxy: Option<&str>) -> Line {
    let (label, target) = match proxy {
        Some(proxy) if proxy.contains("://") => ("the proxy", proxy.to_owned()),
        Some(proxy) => ("the proxy", format!("http://{proxy}")),
        None => ("the console", server_url.to_owned()),
    };
    let Ok(url) = url::Url::parse(&target) else {
        return fail("name", format!("{target} is not an address"));
    };
    let (Some(host), Some(port)) = (
        url.host_str().map(str::to_owned),
        url.port_or_known_default(),
    ) else {
        return fail("name", format!("{target} names no host"));
    };
    let found = tokio::net::lookup_host((host.as_str(), port)).await;
    match found {
        Ok(mut addresses) => match addresses.next() {
            Some(address) => pass("name", format!("{label}'s name {host} resolves to {}", address.ip())),
            None => fail("name", format!("{label}'s name {host} resolves to nothing (DNS)")),
        },
        Err(error) => fail(
            "name",
            format!("{label}'s name {host} does not resolve (DNS: {error}): check the address and this machine's DNS"),
        ),
    }
}

/// Whether this machine's clock agrees with the console's.
pub fn clock(server: Option<DateTime<Utc>>, local: DateTime<Utc>) -> Line {
    let Some(server) = server else {
        return fail("clock", "the console sent no Date header to compare with");
    };
    let skew = (local - server).abs().to_std().unwrap_or(Duration::MAX);
    if skew <= MAX_SKEW {
        pass(
            "clock",
            format!("within {} s of the console's", skew.as_secs()),
        )
    } else {
        fail(
            "clock",
            format!(
                "{} s off the console's: set this machine's time (NTP)",
                skew.as_secs()
            ),
        )
    }
}

/// Whether the console accepts the credential pairing gave.
async fn credential(http: &reqwest::Client, config: &Config) -> Line {
    let Some(paired) = state::load(&config.folder).filter(|s| s.server_url == config.server_url)
    else {
        return fail(
            "credential",
            "not paired with this console yet: run `cloud-link pin`",
        );
    };
    let answer = http
        .post(format!("{}/cloud-link/v1/heartbeat", config.server_url))
        .timeout(Duration::from_secs(15))
        .bearer_auth(&paired.credential)
        .json(&pairing::client_info())
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => pass(
            "credential",
            format!("accepted for integration {}", paired.integration_id),
        ),
        Ok(response) if response.status() == reqwest::StatusCode::UNAUTHORIZED => fail(
            "credential",
            "refused: the integration was deleted or another installation connected; run `cloud-link pin`",
        ),
        Ok(response) => fail("credential", format!("the console answered {}", response.status())),
        Err(error) => fail("credential", pairing::describe(&error)),
    }
}

/// Whether the import folder can be read.
pub fn import_folder(folder: &Path) -> Line {
    match std::fs::read_dir(folder) {
        Ok(entries) => pass(
            "import folder",
            format!(
                "{} is readable ({} entries)",
                folder.display(),
                entries.count()
            ),
        ),
        Err(error) => fail(
            "import folder",
            format!(
                "{} cannot be read ({error}): create it, or set importDirectory in cloud-link.toml",
                folder.display()
            ),
        ),
    }
}

/// The ODBC drivers the driver manager knows (on Linux the one built
/// into this client, reading `/etc/odbcinst.ini` or `$ODBCSYSINI`; on
/// Windows the system's): needed only by database integrations.
pub fn odbc_drivers(drivers: Result<Vec<String>, String>) -> Line {
    match drivers {
        Ok(mut drivers) if !drivers.is_empty() => {
            drivers.sort();
            drivers.dedup();
            pass("ODBC drivers", drivers.join(", "))
        }
        Ok(_) => pass(
            "ODBC drivers",
            "none installed (needed only for database integrations: install your database's ODBC driver)",
        ),
        Err(error) => fail(
            "ODBC drivers",
            format!("the driver manager did not answer ({error}): database integrations cannot run here"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_more_than_five_minutes_off_fails_with_what_to_do() {
        let now = Utc::now();
        assert!(clock(Some(now - chrono::TimeDelta::seconds(299)), now).passed);
        let off = clock(Some(now - chrono::TimeDelta::seconds(301)), now);
        assert!(!off.passed);
        assert_eq!(
            off.to_string(),
            "FAIL clock: 301 s off the console's: set this machine's time (NTP)"
        );
        assert!(!clock(None, now).passed);
    }

    #[test]
    fn drivers_are_listed_by_name_and_none_is_not_a_failure() {
        let line = odbc_drivers(Ok(vec![
            "PostgreSQL Unicode".into(),
            "MariaDB Unicode".into(),
        ]));
        assert_eq!(
            line.to_string(),
            "PASS ODBC drivers: MariaDB Unicode, PostgreSQL Unicode"
        );
        let none = odbc_drivers(Ok(Vec::new()));
        assert!(none.passed && none.detail.starts_with("none installed"));
        assert!(!odbc_drivers(Err("no memory".into())).passed);
    }

    #[test]
    fn a_missing_import_folder_fails_with_what_to_do() {
        let folder = tempfile::tempdir().expect("a folder");
        assert!(import_folder(folder.path()).passed);
        let missing = import_folder(&folder.path().join("import"));
        assert!(!missing.passed);
        assert!(missing
            .detail
            .ends_with("create it, or set importDirectory in cloud-link.toml"));
    }
}
