//! Contact-based data in a CSV file (DESIGN §4): one row per contact —
//! the queue, when and the channel ([`RowMapping`]), whether it was
//! answered, and optionally its duration. The rows become the same
//! contact events the ingestion API receives, counted into 15-minute
//! intervals by [`crate::ingest::aggregate`].

use super::{
    rows::{read_all, CellProblem, Column, Previous, RowError, RowMapping},
    table::{Row, Table},
    value::{read_duration_ms, DurationFormat},
};
use crate::ingest::ContactEvent;

/// How a contact-based file's columns are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactMapping {
    /// The queue, when the contact came, the channel and the zone.
    pub row: RowMapping,
    /// `1`/`0`, `yes`/`no`, `true`/`false` (any case); empty is no.
    pub answered: Column,
    /// How long the answered contact took; none, or empty, is 0.
    pub duration: Option<(Column, DurationFormat)>,
    /// `1,5` rather than `1.5` (files delimited by `;`).
    pub decimal_comma: bool,
}

/// Reads every row as a contact; all problems, or all contacts (each
/// with the line it came from).
pub fn read_contacts(
    table: &Table,
    mapping: &ContactMapping,
) -> Result<Vec<(usize, ContactEvent)>, Vec<CellProblem>> {
    let mut previous = Previous::default();
    read_all(table, |row| {
        let located = mapping.row.locate(row, &mut previous, |_| Ok(()))?;
        let (answered, duration_ms) = answered_and_duration(row, mapping)?;
        Ok((
            row.line,
            ContactEvent {
                queue: located.queue,
                queue_name: located.queue_name,
                at: located.at,
                offered: true,
                handled: answered,
                duration_ms,
            },
        ))
    })
}

fn answered_and_duration(row: &Row, mapping: &ContactMapping) -> Result<(bool, i64), RowError> {
    let cell = row.cell(mapping.answered.0).trim();
    let answered = match cell.to_lowercase().as_str() {
        "" | "0" | "no" | "n" | "false" => false,
        "1" | "yes" | "y" | "true" => true,
        _ => {
            return Err((
                Some(mapping.answered),
                format!("{cell:?} is not answered or not: 1 or 0 (yes/no, true/false)"),
            ))
        }
    };
    let duration_ms = match mapping.duration {
        None => 0,
        Some((column, format)) => {
            read_duration_ms(row.cell(column.0), format, mapping.decimal_comma)
                .map_err(|e| (Some(column), e.to_string()))?
                .unwrap_or(0)
        }
    };
    Ok((answered, duration_ms))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::{
        csv::{
            format::{DateTimeFormat, FormatKind},
            preprocess::Preprocess,
            rows::{ChannelSource, When},
            table::Delimiter,
            zone::TimeZone,
        },
        ingest::{aggregate, Channel, IntervalTotals},
    };

    fn mapping() -> ContactMapping {
        ContactMapping {
            row: RowMapping {
                queue: Column(0),
                queue_name: None,
                when: When::Timestamp {
                    column: Column(1),
                    format: DateTimeFormat::parse("DD.MM.YYYY hh:mm:ss", FormatKind::Timestamp)
                        .expect("a format"),
                },
                channel: ChannelSource::Fixed(Channel::Chats),
                zone: TimeZone::UTC,
            },
            answered: Column(2),
            duration: Some((Column(3), DurationFormat::Clock)),
            decimal_comma: false,
        }
    }

    fn read(text: &str) -> Result<Vec<(usize, ContactEvent)>, Vec<CellProblem>> {
        let table = Table::read(text, Delimiter::Comma, &Preprocess::default()).expect("a table");
        read_contacts(&table, &mapping())
    }

    fn utc(hour: u32, minute: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .expect("a time")
            .and_utc()
    }

    #[test]
    fn contacts_are_counted_into_fifteen_minute_intervals() {
        let contacts = read(
            "queue,when,answered,duration\n\
             Sales,27.11.2026 08:01:10,1,00:02:00\n\
             Sales,27.11.2026 08:14:59,yes,00:01:00\n\
             Sales,27.11.2026 08:15:00,0,\n\
             Sales,27.11.2026 08:20:00,,\n",
        )
        .expect("contacts");
        assert_eq!(contacts[0].0, 2, "each contact keeps its line");
        assert_eq!(contacts[0].1.queue.channel, Channel::Chats);
        let totals = aggregate(contacts.iter().map(|(_, contact)| contact));
        let per_interval: Vec<(DateTime<Utc>, IntervalTotals)> = totals
            .into_iter()
            .map(|((_, start), totals)| (start, totals))
            .collect();
        assert_eq!(
            per_interval,
            [
                (
                    utc(8, 0),
                    IntervalTotals {
                        offered: 2,
                        handled: 2,
                        abandoned: 0,
                        handle_time_ms: 180_000
                    }
                ),
                (
                    utc(8, 15),
                    IntervalTotals {
                        offered: 2,
                        handled: 0,
                        abandoned: 2,
                        handle_time_ms: 0
                    }
                ),
            ]
        );
    }

    #[test]
    fn problems_name_their_line_and_column() {
        let problems = read(
            "queue,when,answered,duration\n\
             Sales,27.11.2026 08:01:10,maybe,00:02:00\n\
             Sales,27.11.2026 8:01,1,00:02:00\n\
             Sales,27.11.2026 08:01:10,1,2 minutes\n",
        )
        .expect_err("problems");
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(at, [(2, "answered"), (3, "when"), (4, "duration")]);
    }
}
