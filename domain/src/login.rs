//! Sign-in rules: how many wrong passwords are tolerated before a pause.

use std::time::Duration;

/// Limits failed sign-ins per email address and per client address.
///
/// A 6-digit PIN or a weak password falls to guessing without such a limit.
/// The store counts failures (so every server process sees the same count);
/// this type decides what the count means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
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

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(60),
        }
    }
}

impl LoginThrottle {
    /// `failure_ages` says how long ago each recent failure happened.
    /// Another attempt is allowed while fewer than `max_failures` fall inside
    /// the window; otherwise the answer says when the oldest relevant failure
    /// leaves it.
    pub fn check(&self, failure_ages: &[Duration]) -> Result<(), RetryAfter> {
        let mut recent: Vec<Duration> = failure_ages
            .iter()
            .copied()
            .filter(|age| *age < self.window)
            .collect();
        if recent.len() < self.max_failures || self.max_failures == 0 {
            return Ok(());
        }
        recent.sort_unstable();
        let blocking = recent[self.max_failures - 1];
        Err(RetryAfter(self.window - blocking))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(list: &[u64]) -> Vec<Duration> {
        list.iter().map(|s| Duration::from_secs(*s)).collect()
    }

    #[test]
    fn four_recent_failures_still_allow_an_attempt() {
        assert_eq!(LoginThrottle::default().check(&secs(&[1, 2, 3, 4])), Ok(()));
    }

    #[test]
    fn five_failures_within_a_minute_block_the_next_attempt() {
        let result = LoginThrottle::default().check(&secs(&[1, 2, 3, 4, 10]));
        assert_eq!(result.map_err(RetryAfter::seconds), Err(50));
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        assert_eq!(
            LoginThrottle::default().check(&secs(&[1, 2, 3, 4, 60, 90])),
            Ok(())
        );
    }

    #[test]
    fn the_wait_ends_when_enough_failures_have_aged_out() {
        // Seven failures: allowed again once only four remain in the window,
        // i.e. when the fifth newest (age 20) is a minute old.
        let result = LoginThrottle::default().check(&secs(&[30, 1, 2, 20, 3, 4, 40]));
        assert_eq!(result.map_err(RetryAfter::seconds), Err(40));
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(RetryAfter(Duration::from_millis(1500)).seconds(), 2);
        assert_eq!(RetryAfter(Duration::ZERO).seconds(), 1);
    }
}
