//! Sign-in rules: how many wrong passwords are tolerated, from where,
//! before a pause (ADR 0006).
//!
//! Three limits, each over a sliding window of recorded attempts:
//! - one address guessing one email's password (tight: a person mistyping
//!   gets five tries a minute);
//! - one address trying many emails (password spraying);
//! - everybody trying one email (guessing spread over many addresses),
//!   the ceiling. An address this user signed in from recently is exempt
//!   from the ceiling, so whoever knows an admin's email cannot lock that
//!   admin out from where they usually work.
//!
//! An attempt is counted *before* its password is checked, in the same
//! atomic step as the check of the limits, and forgotten when it
//! succeeds: parallel guesses cannot slip past the count.

use std::time::Duration;

/// At most `max_failures` attempts within `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: usize,
    pub window: Duration,
}

/// How long a client must wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(Duration);

impl RetryAfter {
    /// Whole seconds, rounded up and never zero, as `Retry-After` carries it.
    pub fn seconds(self) -> u64 {
        let secs = self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0);
        secs.max(1)
    }
}

impl Limit {
    /// `failure_ages` says how long ago each recorded attempt happened.
    /// Another attempt is allowed while fewer than `max_failures` fall
    /// inside the window; otherwise the answer says when the oldest
    /// relevant one leaves it.
    pub fn check(&self, failure_ages: &[Duration]) -> Result<(), RetryAfter> {
        let mut recent: Vec<Duration> = failure_ages
            .iter()
            .copied()
            .filter(|age| *age < self.window)
            .collect();
        if recent.len() < self.max_failures {
            return Ok(());
        }
        if self.max_failures == 0 {
            return Err(RetryAfter(self.window));
        }
        recent.sort_unstable();
        let blocking = recent[self.max_failures - 1];
        Err(RetryAfter(self.window - blocking))
    }
}

/// The three limits of a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    /// One address, one email.
    pub per_address_and_email: Limit,
    /// One address, any emails.
    pub per_address: Limit,
    /// Any addresses, one email; not for addresses the user signed in
    /// from within `known_address_for`.
    pub per_email: Limit,
    pub known_address_for: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            per_address_and_email: Limit {
                max_failures: 5,
                window: Duration::from_secs(60),
            },
            per_address: Limit {
                max_failures: 30,
                window: Duration::from_secs(10 * 60),
            },
            per_email: Limit {
                max_failures: 100,
                window: Duration::from_secs(60 * 60),
            },
            known_address_for: Duration::from_secs(30 * 24 * 60 * 60),
        }
    }
}

/// The keys one sign-in attempt is counted under. Built from a digest of
/// the normalised email, so what is stored for unauthenticated input has
/// a fixed size and names nobody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKeys {
    pub address_and_email: String,
    pub address: String,
    pub email: String,
}

impl ThrottleKeys {
    /// `email_digest` is a hex digest of [`normalise_email`]'s result;
    /// `address` the client's address as text.
    pub fn new(email_digest: &str, address: &str) -> Self {
        Self {
            address_and_email: format!("pair:{address}/{email_digest}"),
            address: format!("address:{address}"),
            email: format!("email:{email_digest}"),
        }
    }

    /// All three, in a stable order (the order locks are taken in).
    pub fn all(&self) -> [&str; 3] {
        let mut keys = [
            self.address.as_str(),
            self.address_and_email.as_str(),
            self.email.as_str(),
        ];
        keys.sort_unstable();
        keys
    }
}

/// The form an email is counted under: trimmed and lower-case, as sign-in
/// matches it.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// An attempt counted by the store, so that it can be forgotten when it
/// succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedAttempt(pub Vec<i64>);

/// Why a claimed attempt stops counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAGuess {
    /// The password was right: the address becomes known for the email.
    SignedIn,
    /// The password was never checked (every hashing slot was busy and the
    /// answer was a 503): a retry must not be one attempt closer to a
    /// lock-out, nor the address become known.
    NotChecked,
}

/// What the store found about earlier attempts under each key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttemptHistory {
    pub address_and_email: Vec<Duration>,
    pub address: Vec<Duration>,
    pub email: Vec<Duration>,
    /// Whether this email signed in successfully from this address within
    /// the policy's `known_address_for`.
    pub known_address: bool,
}

impl LoginPolicy {
    /// How far back the store must look.
    pub fn longest_window(&self) -> Duration {
        self.per_address_and_email
            .window
            .max(self.per_address.window)
            .max(self.per_email.window)
    }

    /// Whether one more attempt may be made; the longest wait otherwise.
    pub fn judge(&self, history: &AttemptHistory) -> Result<(), RetryAfter> {
        let mut checks = vec![
            self.per_address_and_email.check(&history.address_and_email),
            self.per_address.check(&history.address),
        ];
        if !history.known_address {
            checks.push(self.per_email.check(&history.email));
        }
        match checks
            .into_iter()
            .filter_map(Result::err)
            .max_by_key(|r| r.0)
        {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(list: &[u64]) -> Vec<Duration> {
        list.iter().map(|s| Duration::from_secs(*s)).collect()
    }

    fn minute_limit() -> Limit {
        LoginPolicy::default().per_address_and_email
    }

    #[test]
    fn four_recent_failures_still_allow_an_attempt() {
        assert_eq!(minute_limit().check(&secs(&[1, 2, 3, 4])), Ok(()));
    }

    #[test]
    fn five_failures_within_a_minute_block_the_next_attempt() {
        let result = minute_limit().check(&secs(&[1, 2, 3, 4, 10]));
        assert_eq!(result.map_err(RetryAfter::seconds), Err(50));
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        assert_eq!(minute_limit().check(&secs(&[1, 2, 3, 4, 60, 90])), Ok(()));
    }

    #[test]
    fn the_wait_ends_when_enough_failures_have_aged_out() {
        // Seven failures: allowed again once only four remain in the window,
        // i.e. when the fifth newest (age 20) is a minute old.
        let result = minute_limit().check(&secs(&[30, 1, 2, 20, 3, 4, 40]));
        assert_eq!(result.map_err(RetryAfter::seconds), Err(40));
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(RetryAfter(Duration::from_millis(1500)).seconds(), 2);
        assert_eq!(RetryAfter(Duration::ZERO).seconds(), 1);
    }

    #[test]
    fn a_limit_of_zero_refuses_everything() {
        let none = Limit {
            max_failures: 0,
            window: Duration::from_secs(9),
        };
        assert_eq!(none.check(&[]).map_err(RetryAfter::seconds), Err(9));
    }

    #[test]
    fn the_email_ceiling_spares_a_known_address() {
        let policy = LoginPolicy::default();
        let many = vec![Duration::from_secs(5); 100];
        let from_elsewhere = AttemptHistory {
            email: many.clone(),
            ..AttemptHistory::default()
        };
        assert!(policy.judge(&from_elsewhere).is_err());
        let from_home = AttemptHistory {
            email: many,
            known_address: true,
            ..AttemptHistory::default()
        };
        assert_eq!(policy.judge(&from_home), Ok(()));
    }

    #[test]
    fn the_longest_wait_of_all_limits_is_the_answer() {
        let policy = LoginPolicy::default();
        let history = AttemptHistory {
            address_and_email: secs(&[1, 1, 1, 1, 1]),
            address: vec![Duration::from_secs(1); 30],
            ..AttemptHistory::default()
        };
        assert_eq!(
            policy.judge(&history).map_err(RetryAfter::seconds),
            Err(599)
        );
    }

    #[test]
    fn keys_name_no_email_and_come_in_a_stable_order() {
        let keys = ThrottleKeys::new("ab12", "192.0.2.7");
        assert_eq!(keys.email, "email:ab12");
        assert_eq!(
            keys.all(),
            ["address:192.0.2.7", "email:ab12", "pair:192.0.2.7/ab12"]
        );
        assert_eq!(normalise_email("  Ada@Example.COM "), "ada@example.com");
    }
}
