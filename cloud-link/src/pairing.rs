//! What the client prints while it waits to be paired: the box customers
//! are told to look for (in the console and in `cloud-link.log`), exactly
//! as the product documentation shows it.

use std::time::Duration;

use domain::cloud_link::{
    wire::{ClientInfo, PairingStarted, TokenGranted, TokenRequest},
    Pin,
};

use crate::{config::Config, log::Log, state::State};

/// The box asking an admin to enter `pin` on the console at `server_url`.
pub fn pin_box(server_url: &str, pin: &Pin, expires_in_minutes: u64) -> String {
    format!(
        "** Before you are able to run the client,\n\
         ** link it to your Intake account:\n\
         **  1) Log in to {server_url}\n\
         **  2) Visit {server_url}/account/integrations\n\
         **  3) Select an integration you want to connect the client to\n\
         **  4) Enter your pin: {pin} (expires in {expires_in_minutes} minutes)\n"
    )
}

/// What this installation says about itself.
pub fn client_info() -> ClientInfo {
    ClientInfo {
        host: gethostname::gethostname()
            .to_string_lossy()
            .trim()
            .to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
    }
}

/// How long a pairing request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest wait between attempts when the console cannot be reached.
const MAX_BACK_OFF: Duration = Duration::from_secs(60);

/// An error refusal's code, from the error envelope.
pub async fn code_of(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    body["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The wait a refusal asks for, if it says.
pub fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .parse()
        .ok()
        .map(Duration::from_secs)
}

/// Why a request got no answer, in words a customer's IT can act on.
pub fn describe(error: &reqwest::Error) -> String {
    let mut causes = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let all = causes.join(": ").to_lowercase();
    let what = if all.contains("dns") || all.contains("failed to lookup") {
        "the console's name does not resolve (DNS)"
    } else if all.contains("connection refused") {
        "the connection was refused: is the address right, and does a firewall allow it?"
    } else if all.contains("certificate") || all.contains("tls") {
        "the TLS handshake failed: the certificate is not trusted (a proxy inspecting TLS needs its CA installed)"
    } else if all.contains("407") || all.contains("proxy auth") {
        "the proxy refused the user name or password (https_proxy)"
    } else if error.is_timeout() {
        "no answer in time"
    } else {
        "the console could not be reached"
    };
    format!("{what} ({})", causes.join(": "))
}

/// Pairs this installation: asks the console for a PIN, shows the box,
/// and polls until an admin has entered it, starting again with a new PIN
/// when one expires. Waits and retries while the console cannot be
/// reached; returns once it has a credential.
pub async fn pair(http: &reqwest::Client, config: &Config, log: &mut Log) -> State {
    let pairings = format!("{}/cloud-link/v1/pairings", config.server_url);
    let token = format!("{}/cloud-link/v1/token", config.server_url);
    let mut back_off = Duration::from_secs(1);
    loop {
        let started = match http
            .post(&pairings)
            .timeout(REQUEST_TIMEOUT)
            .json(&client_info())
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => {
                match response.json::<PairingStarted>().await {
                    Ok(started) => started,
                    Err(error) => {
                        log.line(&format!("the console's answer did not read: {error}"));
                        tokio::time::sleep(back_off).await;
                        continue;
                    }
                }
            }
            Ok(response) => {
                let wait = retry_after(&response).unwrap_or(back_off);
                let status = response.status();
                log.line(&format!(
                    "the console refused a new pairing ({status}, {}); trying again in {} s",
                    code_of(response).await,
                    wait.as_secs()
                ));
                tokio::time::sleep(wait).await;
                continue;
            }
            Err(error) => {
                log.line(&format!(
                    "cannot reach {}: {}; trying again in {} s",
                    config.server_url,
                    describe(&error),
                    back_off.as_secs()
                ));
                tokio::time::sleep(back_off).await;
                back_off = (back_off * 2).min(MAX_BACK_OFF);
                continue;
            }
        };
        back_off = Duration::from_secs(1);
        let Ok(pin) = Pin::parse(&started.pin) else {
            log.line("the console sent a PIN that is not six digits; asking again");
            continue;
        };
        log.verbatim(&pin_box(
            &config.server_url,
            &pin,
            started.expires_in.div_ceil(60),
        ));
        let mut interval = Duration::from_secs(started.interval.max(1));
        let request = TokenRequest {
            device_code: started.device_code,
        };
        loop {
            tokio::time::sleep(interval).await;
            let response = match http
                .post(&token)
                .timeout(REQUEST_TIMEOUT)
                .json(&request)
                .send()
                .await
            {
                Ok(response) => response,
                Err(error) => {
                    log.line(&format!("cannot reach the console: {}", describe(&error)));
                    continue;
                }
            };
            if response.status().is_success() {
                match response.json::<TokenGranted>().await {
                    Ok(granted) => {
                        log.line(&format!(
                            "paired with integration {} of {}",
                            granted.integration_id, config.server_url
                        ));
                        return State {
                            server_url: config.server_url.clone(),
                            integration_id: granted.integration_id,
                            credential: granted.credential,
                        };
                    }
                    Err(error) => {
                        log.line(&format!(
                            "the credential did not read: {error}; pairing again"
                        ));
                        break;
                    }
                }
            }
            let wait = retry_after(&response);
            match code_of(response).await.as_str() {
                "authorization_pending" => {}
                "slow_down" => interval = wait.unwrap_or(interval + Duration::from_secs(5)),
                "expired_token" => {
                    log.line("the PIN expired before anyone entered it; here is a new one");
                    break;
                }
                other => {
                    log.line(&format!(
                        "the console refused the poll ({other}); pairing again"
                    ));
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error a GET of `url` ends with.
    async fn failure(url: &str) -> reqwest::Error {
        reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect_err("no answer")
    }

    #[tokio::test]
    async fn connection_errors_name_their_cause_in_words() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let refused = describe(&failure(&format!("http://127.0.0.1:{closed}/")).await);
        assert!(
            refused.starts_with("the connection was refused: is the address right"),
            "{refused}"
        );
        let unknown = describe(&failure("http://intake.invalid/").await);
        assert!(
            unknown.starts_with("the console's name does not resolve (DNS)"),
            "{unknown}"
        );
    }

    #[test]
    fn the_box_is_the_documented_one() {
        let pin = Pin::parse("424242").expect("a PIN");
        assert_eq!(
            pin_box("https://intake.example.com", &pin, 5),
            "** Before you are able to run the client,\n\
             ** link it to your Intake account:\n\
             **  1) Log in to https://intake.example.com\n\
             **  2) Visit https://intake.example.com/account/integrations\n\
             **  3) Select an integration you want to connect the client to\n\
             **  4) Enter your pin: 424242 (expires in 5 minutes)\n"
        );
    }
}
