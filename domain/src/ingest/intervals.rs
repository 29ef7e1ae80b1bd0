//! Interval statistics. Contacts are counted into 15-minute UTC intervals,
//! the finest length an integration can have; 30- and 60-minute intervals
//! are sums of those, so changing an integration's length never needs the
//! raw data again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{ContactEvent, QueueKey};
use crate::integration::IntervalLength;

pub const BASE_INTERVAL_SECONDS: i64 = 15 * 60;

/// Totals per interval start, in time order.
pub type IntervalSeries = Vec<(DateTime<Utc>, IntervalTotals)>;

/// The counts of one queue in one interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntervalTotals {
    pub offered: i64,
    pub handled: i64,
    /// Offered and not handled.
    pub abandoned: i64,
    /// Handle time of the handled contacts, in milliseconds.
    pub handle_time_ms: i64,
}

impl IntervalTotals {
    pub fn add(&mut self, other: &IntervalTotals) {
        self.offered += other.offered;
        self.handled += other.handled;
        self.abandoned += other.abandoned;
        self.handle_time_ms += other.handle_time_ms;
    }

    fn count(&mut self, event: &ContactEvent) {
        self.offered += i64::from(event.offered);
        self.handled += i64::from(event.handled);
        self.abandoned += i64::from(event.offered && !event.handled);
        if event.handled {
            self.handle_time_ms += event.duration_ms;
        }
    }

    /// Total handle time in seconds.
    pub fn handle_time_total(&self) -> f64 {
        self.handle_time_ms as f64 / 1000.0
    }

    /// Mean handle time of the handled contacts in seconds, if any.
    pub fn average_handle_time(&self) -> Option<f64> {
        (self.handled > 0).then(|| self.handle_time_total() / self.handled as f64)
    }
}

/// The start of the interval of `length` that holds `at`, aligned to UTC
/// midnight (every length divides a day).
pub fn interval_start(at: DateTime<Utc>, length: IntervalLength) -> DateTime<Utc> {
    let seconds = i64::from(length.minutes()) * 60;
    let start = at.timestamp().div_euclid(seconds) * seconds;
    DateTime::from_timestamp(start, 0).unwrap_or(at)
}

/// Adds events up per queue and 15-minute interval.
pub fn aggregate<'a>(
    events: impl IntoIterator<Item = &'a ContactEvent>,
) -> BTreeMap<(QueueKey, DateTime<Utc>), IntervalTotals> {
    let mut totals: BTreeMap<(QueueKey, DateTime<Utc>), IntervalTotals> = BTreeMap::new();
    for event in events {
        let start = interval_start(event.at, IntervalLength::Fifteen);
        totals
            .entry((event.queue.clone(), start))
            .or_default()
            .count(event);
    }
    totals
}

/// 15-minute totals summed into intervals of `length`, in time order.
pub fn roll_up(
    base: impl IntoIterator<Item = (DateTime<Utc>, IntervalTotals)>,
    length: IntervalLength,
) -> IntervalSeries {
    let mut rolled: BTreeMap<DateTime<Utc>, IntervalTotals> = BTreeMap::new();
    for (start, totals) in base {
        rolled
            .entry(interval_start(start, length))
            .or_default()
            .add(&totals);
    }
    rolled.into_iter().collect()
}

/// `series` (in order) with a zero interval wherever `[from, to)` has
/// none, so a chart shows quiet intervals as quiet.
pub fn every_interval(
    series: IntervalSeries,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    length: IntervalLength,
) -> IntervalSeries {
    let step = chrono::Duration::minutes(i64::from(length.minutes()));
    let mut rows = series.into_iter().peekable();
    let mut every = Vec::new();
    let mut at = interval_start(from, length);
    while at < to {
        while rows.peek().is_some_and(|(start, _)| *start < at) {
            rows.next();
        }
        let totals = match rows.peek() {
            Some((start, _)) if *start == at => rows.next().map(|(_, t)| t).unwrap_or_default(),
            _ => IntervalTotals::default(),
        };
        every.push((at, totals));
        at += step;
    }
    every
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Channel;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("a time").to_utc()
    }

    fn event(time: &str, offered: bool, handled: bool, duration_ms: i64) -> ContactEvent {
        ContactEvent {
            queue: QueueKey {
                identifier: "q".into(),
                channel: Channel::Calls,
            },
            queue_name: "Q".into(),
            at: at(time),
            offered,
            handled,
            duration_ms,
        }
    }

    #[test]
    fn an_event_exactly_on_a_boundary_belongs_to_the_interval_it_starts() {
        for length in [
            IntervalLength::Fifteen,
            IntervalLength::Thirty,
            IntervalLength::Sixty,
        ] {
            assert_eq!(
                interval_start(at("2021-12-06T11:00:00Z"), length),
                at("2021-12-06T11:00:00Z")
            );
            assert_eq!(
                interval_start(at("2021-12-06T10:59:59.999Z"), length),
                at(match length {
                    IntervalLength::Fifteen => "2021-12-06T10:45:00Z",
                    IntervalLength::Thirty => "2021-12-06T10:30:00Z",
                    IntervalLength::Sixty => "2021-12-06T10:00:00Z",
                })
            );
        }
    }

    #[test]
    fn intervals_are_utc_whatever_offset_the_event_had() {
        let local = DateTime::parse_from_rfc3339("2021-03-28T02:59:00+02:00").expect("a time");
        assert_eq!(
            interval_start(local.to_utc(), IntervalLength::Sixty),
            at("2021-03-28T00:00:00Z")
        );
    }

    #[test]
    fn offered_handled_abandoned_and_handle_time_add_up() {
        let events = [
            event("2021-12-06T10:00:00Z", true, true, 60_000),
            event("2021-12-06T10:14:59Z", true, false, 5_000),
            event("2021-12-06T10:15:00Z", false, true, 30_000),
        ];
        let totals: Vec<_> = aggregate(&events).into_values().collect();
        assert_eq!(
            totals,
            vec![
                IntervalTotals {
                    offered: 2,
                    handled: 1,
                    abandoned: 1,
                    handle_time_ms: 60_000
                },
                IntervalTotals {
                    offered: 0,
                    handled: 1,
                    abandoned: 0,
                    handle_time_ms: 30_000
                },
            ]
        );
        assert_eq!(totals[0].average_handle_time(), Some(60.0));
    }

    #[test]
    fn fifteen_minute_totals_roll_up_into_thirty_and_sixty() {
        let events = [
            event("2021-12-06T10:05:00Z", true, true, 1_000),
            event("2021-12-06T10:20:00Z", true, true, 2_000),
            event("2021-12-06T10:35:00Z", true, true, 3_000),
        ];
        let base: Vec<_> = aggregate(&events)
            .into_iter()
            .map(|((_, start), totals)| (start, totals))
            .collect();
        let thirty = roll_up(base.clone(), IntervalLength::Thirty);
        assert_eq!(thirty.len(), 2);
        assert_eq!(thirty[0].1.handle_time_ms, 3_000);
        let sixty = roll_up(base, IntervalLength::Sixty);
        assert_eq!(
            sixty,
            vec![(
                at("2021-12-06T10:00:00Z"),
                IntervalTotals {
                    offered: 3,
                    handled: 3,
                    abandoned: 0,
                    handle_time_ms: 6_000
                }
            )]
        );
    }
}
