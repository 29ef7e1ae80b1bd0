//! How long to wait before trying again: exponential, capped, with jitter
//! so that many clients cut off by the same outage do not all come back in
//! the same second.

use std::time::Duration;

/// The first wait and the longest.
pub const FIRST: Duration = Duration::from_secs(1);
pub const LONGEST: Duration = Duration::from_secs(60);

/// The waits of one run of failures; `reset` after a success.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: FIRST }
    }
}

impl Backoff {
    /// The next wait: between half and all of the current step, as
    /// `jitter` (from 0 to 1) says; the step then doubles up to `LONGEST`.
    pub fn next_with(&mut self, jitter: f64) -> Duration {
        let jitter = jitter.clamp(0.0, 1.0);
        let wait = self.base.mul_f64(0.5 + jitter / 2.0);
        self.base = (self.base * 2).min(LONGEST);
        wait
    }

    /// The next wait, with jitter from the thread's random numbers.
    pub fn wait(&mut self) -> Duration {
        self.next_with(rand::random::<f64>())
    }

    pub fn reset(&mut self) {
        self.base = FIRST;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_a_minute_with_jitter_of_at_most_half() {
        let mut most = Backoff::default();
        let waits: Vec<u64> = (0..9).map(|_| most.next_with(1.0).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        let mut least = Backoff::default();
        let waits: Vec<u128> = (0..8).map(|_| least.next_with(0.0).as_millis()).collect();
        assert_eq!(
            waits,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]
        );
        least.reset();
        assert_eq!(least.next_with(1.0), FIRST);
    }
}
