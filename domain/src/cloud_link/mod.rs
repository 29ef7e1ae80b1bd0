//! Cloud Link (DESIGN §5): pairing an on-premise client with one
//! integration, in the shape of the OAuth 2.0 device authorization grant
//! (RFC 8628), and the wire types the client and the server share.
//!
//! The client asks for a pairing and gets a 6-digit PIN to show and a
//! secret polling handle to keep; an admin enters the PIN on an
//! integration's page; the client's next poll collects its own credential,
//! bound to that integration. A PIN is about 20 bits, so it lives five
//! minutes, binds once, and entering wrong ones is limited (`PinEntryPolicy`).

pub mod job;
pub mod service;
pub mod wire;

use std::{fmt, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};

use crate::{
    integration::IntegrationId,
    login::{Limit, RetryAfter},
};

/// The configuration file shipped in every download, `[server] url`
/// filled in with the console's address (DESIGN §5); the client reads it
/// strictly, so what is written here is what it accepts.
pub fn config_template(server_url: &str) -> String {
    let url = server_url.trim_end_matches('/');
    // A TOML basic string: quotes and backslashes escaped, nothing else
    // can occur in a URL the console serves.
    let url = url.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "# Intake Cloud Link: the settings of this installation.\n\
         # Several installations run side by side from separate folders: give\n\
         # each its own [app] name.\n\
         \n\
         [app]\n\
         name = \"com.example.cloud-link\"          # service id; change it per extra instance\n\
         verbose = false                          # database: log row count + first 10 rows per request\n\
         importDirectory = \"import\"               # CSV folder, relative or absolute\n\
         \n\
         [server]\n\
         url = \"{url}\"       # the console; filled in by the download\n"
    )
}

/// Six decimal digits, as shown by the client and typed by an admin.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Pin(String);

/// Why typed text is not a PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("enter the PIN the client shows")]
    Empty,
    #[error("a PIN is six digits")]
    NotSixDigits,
}

impl Pin {
    pub const DIGITS: usize = 6;
    /// What `parse` takes, as a published schema's `pattern`.
    pub const PATTERN: &'static str = "^ *([0-9] *){6}$";
    /// How many PINs there are: draw a number below this one.
    pub const SPACE: u32 = 1_000_000;

    /// Reads what an admin typed; spaces (as in "424 242") are ignored.
    pub fn parse(input: &str) -> Result<Self, PinError> {
        let digits: String = input.chars().filter(|&c| c != ' ').collect();
        if digits.is_empty() {
            return Err(PinError::Empty);
        }
        if digits.len() != Self::DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PinError::NotSixDigits);
        }
        Ok(Self(digits))
    }

    /// The PIN of a number drawn below `SPACE` (from the OS's CSPRNG, by
    /// the server), with its leading zeros.
    pub fn from_number(number: u32) -> Option<Self> {
        (number < Self::SPACE).then(|| Self(format!("{number:06}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Not printed in logs by accident: a PIN is a short-lived secret.
impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(******)")
    }
}

/// How long a PIN can be entered.
pub const PIN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How often a client may poll for its credential at first (RFC 8628's
/// `interval`).
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);
/// What a `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// A pairing as the server keeps it between the client's polls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pairing {
    pub expires_at: DateTime<Utc>,
    /// The interval the client was last told to keep.
    pub interval: Duration,
    pub last_poll_at: Option<DateTime<Utc>>,
    /// The integration whose PIN entry bound it, if one did.
    pub bound_to: Option<IntegrationId>,
    /// The client has collected its credential: the handle is spent.
    pub collected: bool,
}

/// What a client's poll gets (RFC 8628 §3.5), and what the server records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// Nobody has entered the PIN yet; poll again after `interval`.
    Pending,
    /// Polled sooner than its interval: wait `interval` (the old one plus
    /// `SLOW_DOWN_STEP`) from now on.
    SlowDown { interval: Duration },
    /// The PIN expired unused, or the credential was already collected:
    /// start a new pairing.
    Expired,
    /// An admin entered the PIN: issue the credential for this integration
    /// (once: the pairing is then spent).
    Granted(IntegrationId),
}

impl Pairing {
    /// A pairing started `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            expires_at: now + delta(PIN_LIFETIME),
            interval: POLL_INTERVAL,
            last_poll_at: None,
            bound_to: None,
            collected: false,
        }
    }

    /// Judges a poll at `now`. A bound pairing is granted even after the
    /// PIN's five minutes: the admin acted in time, the client may be slow.
    pub fn poll(&self, now: DateTime<Utc>) -> Poll {
        if self.collected {
            return Poll::Expired;
        }
        if let Some(integration) = self.bound_to {
            return Poll::Granted(integration);
        }
        if now > self.expires_at {
            return Poll::Expired;
        }
        match self.last_poll_at {
            Some(last) if now < last + delta(self.interval) => Poll::SlowDown {
                interval: self.interval + SLOW_DOWN_STEP,
            },
            _ => Poll::Pending,
        }
    }

    /// Whether an admin may bind it at `now`: only once, only in time.
    pub fn bind(&self, now: DateTime<Utc>) -> Result<(), PinRefused> {
        if self.collected || self.bound_to.is_some() || now > self.expires_at {
            return Err(PinRefused::Invalid);
        }
        Ok(())
    }
}

/// Why an entered PIN bound nothing. Unknown, expired and used PINs get the
/// same answer, so entering PINs tells a guesser nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinRefused {
    #[error("this PIN is not valid: check the client's log for the current one, or run `cloud-link pin` for a new one")]
    Invalid,
    #[error("too many wrong PINs: try again in {} seconds", .0.seconds())]
    Locked(RetryAfter),
}

/// How many wrong PINs are tolerated before PIN entry pauses: per account
/// and per user (a guesser with many accounts is still one user per
/// account), and for the whole server (a PIN is only 20 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinEntryPolicy {
    pub per_account: Limit,
    pub per_user: Limit,
    pub everyone: Limit,
}

impl Default for PinEntryPolicy {
    fn default() -> Self {
        let quarter_hour = Duration::from_secs(15 * 60);
        Self {
            per_account: Limit {
                max_failures: 5,
                window: quarter_hour,
            },
            per_user: Limit {
                max_failures: 5,
                window: quarter_hour,
            },
            everyone: Limit {
                max_failures: 200,
                window: quarter_hour,
            },
        }
    }
}

/// The ages of the wrong PINs recorded under each key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WrongPins {
    pub account: Vec<Duration>,
    pub user: Vec<Duration>,
    pub everyone: Vec<Duration>,
}

impl PinEntryPolicy {
    /// Whether another PIN may be entered; the longest wait otherwise.
    pub fn judge(&self, wrong: &WrongPins) -> Result<(), RetryAfter> {
        [
            self.per_account.check(&wrong.account),
            self.per_user.check(&wrong.user),
            self.everyone.check(&wrong.everyone),
        ]
        .into_iter()
        .filter_map(Result::err)
        .max_by_key(|wait| wait.seconds())
        .map_or(Ok(()), Err)
    }

    /// How far back the store must read.
    pub fn longest_window(&self) -> Duration {
        self.per_account
            .window
            .max(self.per_user.window)
            .max(self.everyone.window)
    }
}

/// The most pairings waiting at once: a drawn PIN is then taken at most
/// one time in a hundred (it is drawn again), and nobody can fill the
/// PIN space by starting pairings.
pub const MAX_LIVE_PAIRINGS: u64 = 10_000;

/// A pairing to keep, as a client started it.
#[derive(Debug, Clone)]
pub struct NewPairing<'a> {
    /// SHA-256 of the polling handle given to the client.
    pub device_code_hash: &'a [u8],
    pub pin: &'a Pin,
    pub client: &'a wire::ClientInfo,
    pub pairing: &'a Pairing,
    pub started_at: DateTime<Utc>,
}

/// What became of a new pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    Kept,
    /// A live pairing holds the same PIN: draw another.
    PinTaken,
    /// `MAX_LIVE_PAIRINGS` are waiting.
    Full,
}

/// The client paired with an integration, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub client: wire::ClientInfo,
    pub paired_at: DateTime<Utc>,
    pub last_contact_at: DateTime<Utc>,
    /// Whether the client has collected its credential yet.
    pub collected: bool,
}

impl Link {
    /// Whether the client has not reported in for longer than
    /// `job::QUIET_AFTER` at `now` (it is stopped, or cannot get through).
    pub fn is_quiet(&self, now: DateTime<Utc>) -> bool {
        self.collected && now > self.last_contact_at + delta(job::QUIET_AFTER)
    }
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).expect("a time")
    }

    #[test]
    fn a_pin_is_six_digits_and_keeps_its_leading_zeros() {
        assert_eq!(
            Pin::parse(" 424 242 ").map(|p| p.to_string()),
            Ok("424242".into())
        );
        assert_eq!(
            Pin::from_number(42).map(|p| p.to_string()),
            Some("000042".into())
        );
        assert_eq!(
            Pin::from_number(999_999).map(|p| p.to_string()),
            Some("999999".into())
        );
        assert_eq!(Pin::from_number(1_000_000), None);
        assert_eq!(Pin::parse(""), Err(PinError::Empty));
        for wrong in ["12345", "1234567", "12a456", "١٢٣٤٥٦", "-12345", "\t424242"] {
            assert_eq!(Pin::parse(wrong), Err(PinError::NotSixDigits), "{wrong}");
        }
        assert_eq!(format!("{:?}", Pin::parse("424242")), "Ok(Pin(******))");
    }

    #[test]
    fn a_poll_is_pending_until_bound_then_granted_once() {
        let mut pairing = Pairing::new(at(0));
        assert_eq!(pairing.poll(at(1)), Poll::Pending);
        pairing.bound_to = Some(IntegrationId(7));
        assert_eq!(pairing.poll(at(2)), Poll::Granted(IntegrationId(7)));
        // The admin was in time; a slow client still collects.
        assert_eq!(pairing.poll(at(3_600)), Poll::Granted(IntegrationId(7)));
        pairing.collected = true;
        assert_eq!(pairing.poll(at(3_601)), Poll::Expired);
    }

    #[test]
    fn polling_faster_than_the_interval_slows_the_client_down() {
        let mut pairing = Pairing::new(at(0));
        pairing.last_poll_at = Some(at(10));
        assert_eq!(
            pairing.poll(at(12)),
            Poll::SlowDown {
                interval: POLL_INTERVAL + SLOW_DOWN_STEP
            }
        );
        assert_eq!(pairing.poll(at(15)), Poll::Pending);
    }

    #[test]
    fn an_expired_or_used_pin_never_binds() {
        let mut pairing = Pairing::new(at(0));
        assert_eq!(pairing.bind(at(299)), Ok(()));
        assert_eq!(pairing.bind(at(301)), Err(PinRefused::Invalid));
        assert_eq!(pairing.poll(at(301)), Poll::Expired);
        pairing.bound_to = Some(IntegrationId(1));
        assert_eq!(pairing.bind(at(1)), Err(PinRefused::Invalid));
    }

    #[test]
    fn a_client_unheard_of_for_three_claims_is_quiet() {
        let link = Link {
            client: wire::ClientInfo {
                host: "h".into(),
                version: "1".into(),
                os: "linux".into(),
            },
            paired_at: at(0),
            last_contact_at: at(0),
            collected: true,
        };
        assert!(!link.is_quiet(at(75)));
        assert!(link.is_quiet(at(76)));
        let waiting = Link {
            collected: false,
            ..link
        };
        assert!(
            !waiting.is_quiet(at(3_600)),
            "not collected yet: the page says so instead"
        );
    }

    #[test]
    fn five_wrong_pins_in_a_quarter_hour_pause_entry_for_the_account() {
        let policy = PinEntryPolicy::default();
        let minutes = |m: &[u64]| m.iter().map(|m| Duration::from_secs(m * 60)).collect();
        let mut wrong = WrongPins {
            account: minutes(&[1, 2, 3, 4]),
            ..WrongPins::default()
        };
        assert_eq!(policy.judge(&wrong), Ok(()));
        wrong.account = minutes(&[1, 2, 3, 4, 5]);
        let wait = policy.judge(&wrong).expect_err("paused");
        assert_eq!(
            wait.seconds(),
            10 * 60,
            "until the oldest leaves the window"
        );
        wrong.account = minutes(&[16, 17, 18, 19, 20]);
        assert_eq!(policy.judge(&wrong), Ok(()), "a quarter hour later");
    }
}
