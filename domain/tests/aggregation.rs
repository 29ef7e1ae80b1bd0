//! Random valid batches, split into requests in any way, add up to the
//! same interval statistics as counting every event by hand.

use chrono::{DateTime, Utc};
use domain::{
    ingest::{aggregate, roll_up, Channel, ContactEvent, IntervalTotals, QueueKey},
    integration::IntervalLength,
};
use proptest::prelude::*;

fn event() -> impl Strategy<Value = ContactEvent> {
    (
        0..3usize,
        0..2usize,
        // Two days around a DST change, to the second.
        1_616_880_000i64..1_617_052_800,
        any::<bool>(),
        any::<bool>(),
        0..3_600_000i64,
    )
        .prop_map(
            |(queue, channel, second, offered, handled, duration_ms)| ContactEvent {
                queue: QueueKey {
                    identifier: format!("q{queue}"),
                    channel: [Channel::Calls, Channel::Chats][channel],
                },
                queue_name: format!("Queue {queue}"),
                at: DateTime::from_timestamp(second, 0).expect("in range"),
                offered,
                handled,
                duration_ms,
            },
        )
}

/// The totals of one queue in `[start, start + length)`, by looking at
/// every event.
fn by_hand(
    events: &[ContactEvent],
    queue: &QueueKey,
    start: DateTime<Utc>,
    length: IntervalLength,
) -> IntervalTotals {
    let end = start + chrono::Duration::minutes(i64::from(length.minutes()));
    let mut totals = IntervalTotals::default();
    for event in events
        .iter()
        .filter(|e| &e.queue == queue && e.at >= start && e.at < end)
    {
        totals.offered += i64::from(event.offered);
        totals.handled += i64::from(event.handled);
        totals.abandoned += i64::from(event.offered && !event.handled);
        totals.handle_time_ms += if event.handled { event.duration_ms } else { 0 };
    }
    totals
}

proptest! {
    #[test]
    fn batches_add_up_to_a_naive_recount(
        events in proptest::collection::vec(event(), 0..200),
        cuts in proptest::collection::vec(0..200usize, 0..5),
        length in prop_oneof![Just(IntervalLength::Fifteen), Just(IntervalLength::Thirty), Just(IntervalLength::Sixty)],
    ) {
        // Apply the events as several requests, the way the store does:
        // each request's totals are added to what is already there.
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(events.len())).collect();
        cuts.sort_unstable();
        let mut stored: std::collections::BTreeMap<(QueueKey, DateTime<Utc>), IntervalTotals> = Default::default();
        let mut from = 0;
        for to in cuts.into_iter().chain([events.len()]) {
            for (key, totals) in aggregate(&events[from..to]) {
                stored.entry(key).or_default().add(&totals);
            }
            from = to;
        }

        let queues: std::collections::BTreeSet<QueueKey> = events.iter().map(|e| e.queue.clone()).collect();
        let mut sum = IntervalTotals::default();
        for queue in &queues {
            let base = stored
                .iter()
                .filter(|((q, _), _)| q == queue)
                .map(|((_, start), totals)| (*start, *totals));
            for (start, totals) in roll_up(base, length) {
                prop_assert_eq!(totals, by_hand(&events, queue, start, length));
                sum.add(&totals);
            }
        }
        // No event is lost between intervals or counted twice.
        let offered = events.iter().filter(|e| e.offered).count() as i64;
        let handled = events.iter().filter(|e| e.handled).count() as i64;
        prop_assert_eq!((sum.offered, sum.handled), (offered, handled));
    }
}
