//! What applying a read file changes (ADR 0010). A file replaces what it
//! covers: for each of its queues, every interval from its first to the
//! end of its last takes the file's values, so a file imported again — by
//! hand, or corrected — never counts anything twice. Intervals the file
//! leaves out in between are its gaps: zero, or no data, as the schema
//! says (contact-based files count a quarter-hour without contacts as
//! zero). Agent statuses replace the ones with the same agent and start.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::{
    intervals::{IntervalRow, Missing},
    schema::{CsvSchema, FileData, Layout},
};
use crate::{
    ingest::{aggregate, AgentStatus, ContactEvent, Feed, IntervalTotals, QueueKey},
    integration::IntervalLength,
};

/// One queue's stretch of time a file replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpan {
    pub queue: QueueKey,
    /// The name the file's last row gives it.
    pub name: String,
    /// Everything stored in `[from, to)` is replaced by `intervals`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Interval starts (a 30- or 60-minute interval is kept at its start)
    /// with their totals, in time order; a start in the span that is not
    /// listed has no data.
    pub intervals: Vec<(DateTime<Utc>, IntervalTotals)>,
}

/// What a file changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Changes {
    Intervals(Vec<QueueSpan>),
    AgentStatuses(Vec<AgentStatus>),
}

/// A file ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct FileImport {
    pub changes: Changes,
    /// Rows the file held.
    pub rows: usize,
    /// Rows dated after `now`: stored as history all the same.
    pub future_rows: usize,
}

impl FileImport {
    pub fn feed(&self) -> Feed {
        match self.changes {
            Changes::Intervals(_) => Feed::ContactEvents,
            Changes::AgentStatuses(_) => Feed::AgentStatuses,
        }
    }

    /// The queues the file names.
    pub fn queues(&self) -> usize {
        match &self.changes {
            Changes::Intervals(spans) => spans.len(),
            Changes::AgentStatuses(_) => 0,
        }
    }
}

impl CsvSchema {
    /// What applying `data`, read with this schema, changes.
    pub fn changes(&self, data: FileData, now: DateTime<Utc>) -> FileImport {
        changes(self.layout(), self.missing(), data, now)
    }
}

/// What applying `data`, read as `layout` with gaps filled as `missing`
/// says, changes.
pub fn changes(layout: Layout, missing: Missing, data: FileData, now: DateTime<Utc>) -> FileImport {
    let rows = data.len();
    let (changes, future_rows) = match data {
        FileData::Intervals(read) => {
            let length = match layout {
                Layout::Intervals(length) => length,
                Layout::Contacts | Layout::AgentStatuses => IntervalLength::Fifteen,
            };
            let future = read.iter().filter(|row| row.start > now).count();
            (
                Changes::Intervals(interval_spans(read, length, missing)),
                future,
            )
        }
        FileData::Contacts(contacts) => {
            let future = contacts.iter().filter(|(_, c)| c.at > now).count();
            (Changes::Intervals(contact_spans(&contacts)), future)
        }
        FileData::AgentStatuses(statuses) => {
            let future = statuses.iter().filter(|(_, s)| s.start > now).count();
            let statuses = statuses.into_iter().map(|(_, status)| status).collect();
            (Changes::AgentStatuses(dedupe(statuses)), future)
        }
    };
    FileImport {
        changes,
        rows,
        future_rows,
    }
}

/// One status per agent and start: a later row replaces an earlier one.
fn dedupe(statuses: Vec<AgentStatus>) -> Vec<AgentStatus> {
    let mut by_key: BTreeMap<(String, DateTime<Utc>), AgentStatus> = BTreeMap::new();
    for status in statuses {
        by_key.insert((status.agent.clone(), status.start), status);
    }
    by_key.into_values().collect()
}

/// A queue's interval starts in a file, with their totals or no data.
type Starts = BTreeMap<DateTime<Utc>, Option<IntervalTotals>>;

/// The spans of an interval-based file: rows of the same queue and start
/// are summed; the gaps between a queue's rows are filled as `missing`
/// says.
pub fn interval_spans(
    rows: Vec<IntervalRow>,
    length: IntervalLength,
    missing: Missing,
) -> Vec<QueueSpan> {
    let step = TimeDelta::minutes(i64::from(length.minutes()));
    let mut queues: BTreeMap<QueueKey, (String, Starts)> = BTreeMap::new();
    for row in rows {
        let (name, starts) = queues.entry(row.queue).or_default();
        *name = row.queue_name;
        let slot = starts.entry(row.start).or_insert(None);
        if let Some(totals) = row.totals {
            slot.get_or_insert_with(IntervalTotals::default)
                .add(&totals);
        }
    }
    queues
        .into_iter()
        .filter_map(|(queue, (name, starts))| {
            let from = *starts.keys().next()?;
            let to = *starts.keys().next_back()? + step;
            let mut intervals = Vec::with_capacity(starts.len());
            let mut at = from;
            while at < to {
                match starts.get(&at) {
                    Some(Some(totals)) => intervals.push((at, *totals)),
                    Some(None) => {}
                    None if missing == Missing::Zero => {
                        intervals.push((at, IntervalTotals::default()))
                    }
                    None => {}
                }
                at += step;
            }
            // A start off the grid from the first (a change of clocks by
            // half an hour) is kept as the file gives it.
            let off_grid = starts.iter().filter_map(|(start, totals)| {
                let on_grid = (*start - from).num_seconds() % step.num_seconds() == 0;
                totals.filter(|_| !on_grid).map(|totals| (*start, totals))
            });
            intervals.extend(off_grid);
            intervals.sort_by_key(|(at, _)| *at);
            Some(QueueSpan {
                queue,
                name,
                from,
                to,
                intervals,
            })
        })
        .collect()
}

/// The spans of a contact-based file: its contacts counted into
/// 15-minute intervals, quarter-hours without contacts zero.
pub fn contact_spans(contacts: &[(usize, ContactEvent)]) -> Vec<QueueSpan> {
    let mut names: BTreeMap<&QueueKey, &str> = BTreeMap::new();
    for (_, contact) in contacts {
        names.insert(&contact.queue, &contact.queue_name);
    }
    let mut by_queue: BTreeMap<QueueKey, BTreeMap<DateTime<Utc>, IntervalTotals>> = BTreeMap::new();
    for ((queue, start), totals) in aggregate(contacts.iter().map(|(_, c)| c)) {
        by_queue.entry(queue).or_default().insert(start, totals);
    }
    let rows = by_queue.into_iter().flat_map(|(queue, starts)| {
        let name = names.get(&queue).copied().unwrap_or_default().to_owned();
        starts.into_iter().map(move |(start, totals)| IntervalRow {
            line: 0,
            queue: queue.clone(),
            queue_name: name.clone(),
            start,
            totals: Some(totals),
        })
    });
    interval_spans(rows.collect(), IntervalLength::Fifteen, Missing::Zero)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::ingest::Channel;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, hour, minute, 0)
            .single()
            .expect("a time")
    }

    fn key(identifier: &str) -> QueueKey {
        QueueKey {
            identifier: identifier.into(),
            channel: Channel::Calls,
        }
    }

    fn row(queue: &str, start: DateTime<Utc>, offered: Option<i64>) -> IntervalRow {
        IntervalRow {
            line: 2,
            queue: key(queue),
            queue_name: queue.to_uppercase(),
            start,
            totals: offered.map(|offered| IntervalTotals {
                offered,
                handled: offered,
                abandoned: 0,
                handle_time_ms: 1_000 * offered,
            }),
        }
    }

    fn offered(span: &QueueSpan) -> Vec<(DateTime<Utc>, i64)> {
        span.intervals
            .iter()
            .map(|(at, totals)| (*at, totals.offered))
            .collect()
    }

    #[test]
    fn a_span_runs_from_a_queues_first_interval_to_the_end_of_its_last() {
        let rows = vec![
            row("sales", at(8, 0), Some(4)),
            row("sales", at(9, 0), Some(2)),
            row("support", at(8, 30), None),
        ];
        let spans = interval_spans(rows.clone(), IntervalLength::Thirty, Missing::Zero);
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].from, spans[0].to), (at(8, 0), at(9, 30)));
        assert_eq!(spans[0].name, "SALES");
        assert_eq!(
            offered(&spans[0]),
            [(at(8, 0), 4), (at(8, 30), 0), (at(9, 0), 2)],
            "the gap is zero"
        );
        assert_eq!(
            offered(&spans[1]),
            [],
            "an empty count is no data with noData"
        );

        let spans = interval_spans(rows, IntervalLength::Thirty, Missing::NoData);
        assert_eq!(offered(&spans[0]), [(at(8, 0), 4), (at(9, 0), 2)]);
        assert_eq!((spans[1].from, spans[1].to), (at(8, 30), at(9, 0)));
    }

    #[test]
    fn rows_of_the_same_queue_and_interval_are_summed() {
        let rows = vec![
            row("sales", at(8, 0), Some(4)),
            row("sales", at(8, 0), Some(3)),
        ];
        let spans = interval_spans(rows, IntervalLength::Fifteen, Missing::Zero);
        assert_eq!(offered(&spans[0]), [(at(8, 0), 7)]);
        assert_eq!(spans[0].intervals[0].1.handle_time_ms, 7_000);
    }

    #[test]
    fn contacts_are_counted_into_quarter_hours_with_quiet_ones_zero() {
        let contact = |minute: u32, handled: bool| {
            (
                3,
                ContactEvent {
                    queue: key("sales"),
                    queue_name: "Sales".into(),
                    at: at(8, minute),
                    offered: true,
                    handled,
                    duration_ms: 60_000,
                },
            )
        };
        let spans = contact_spans(&[contact(1, true), contact(14, false), contact(50, true)]);
        assert_eq!(
            offered(&spans[0]),
            [
                (at(8, 0), 2),
                (at(8, 15), 0),
                (at(8, 30), 0),
                (at(8, 45), 1)
            ]
        );
        assert_eq!((spans[0].from, spans[0].to), (at(8, 0), at(9, 0)));
        let first = spans[0].intervals[0].1;
        assert_eq!(
            (first.handled, first.abandoned, first.handle_time_ms),
            (1, 1, 60_000)
        );
    }

    #[test]
    fn a_later_status_of_the_same_agent_and_start_wins() {
        let status = |activity: &str| AgentStatus {
            agent: "a1".into(),
            activity: activity.into(),
            start: at(8, 0),
            end: None,
        };
        assert_eq!(
            dedupe(vec![status("ready"), status("break")]),
            [status("break")]
        );
    }
}
