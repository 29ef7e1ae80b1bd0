//! The one HTTP client the program uses: TLS with the operating system's
//! trusted roots, and the proxy from `https_proxy` / `HTTPS_PROXY` (with
//! `user:password@` and a port, 80 when none is given) for every request
//! to the console, except hosts listed in `no_proxy`.

use std::time::Duration;

/// The proxy configured in the environment, as written there.
pub fn proxy_from_env() -> Option<String> {
    ["https_proxy", "HTTPS_PROXY"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok())
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The proxy's address without its password, fit for a log line.
pub fn shown_proxy(proxy: &str) -> String {
    match url::Url::parse(proxy) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("****"));
            }
            parsed.to_string()
        }
        Err(_) => "(unreadable)".to_owned(),
    }
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "https_proxy is not an address like http://user:password@proxy.example.com:3128 ({0})"
    )]
    BadProxy(String),
    #[error("cannot set up HTTPS: {0}")]
    Tls(reqwest::Error),
}

pub fn client() -> Result<reqwest::Client, ClientError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("cloud-link/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .no_proxy();
    if let Some(proxy) = proxy_from_env() {
        // A bare host:port is taken as http://host:port.
        let address = if proxy.contains("://") {
            proxy.clone()
        } else {
            format!("http://{proxy}")
        };
        let proxy = reqwest::Proxy::all(&address)
            .map_err(|error| ClientError::BadProxy(error.to_string()))?
            .no_proxy(reqwest::NoProxy::from_env());
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(ClientError::Tls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_password_is_never_shown() {
        assert_eq!(
            shown_proxy("http://ops:s3cret@proxy.example.com:3128"),
            "http://ops:****@proxy.example.com:3128/"
        );
        assert_eq!(
            shown_proxy("http://proxy.example.com"),
            "http://proxy.example.com/"
        );
    }
}
