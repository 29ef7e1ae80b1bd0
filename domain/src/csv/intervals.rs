//! Interval-based contact data in a CSV file (DESIGN §4): one row per
//! queue and interval, mapped column by column — the queue, when the
//! interval starts and the channel ([`RowMapping`]), offered, answered and
//! the average handle time. Every problem is reported with its line and
//! column, all of them at once, so the preview lists what to fix; a file
//! with any is applied not at all.

use chrono::{DateTime, Utc};

use super::{
    interval::check_interval_starts,
    rows::{read_all, CellProblem, Column, Previous, RowMapping},
    table::Table,
    value::{read_count, read_duration_ms, DurationFormat},
};
use crate::{
    ingest::{IntervalTotals, QueueKey},
    integration::IntervalLength,
};

/// What an empty count becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Counted as 0.
    Zero,
    /// The interval is shown as having no data.
    NoData,
}

/// How an interval-based file's columns are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalMapping {
    /// The queue, when the interval starts, the channel and the zone.
    pub row: RowMapping,
    pub offered: Column,
    pub answered: Column,
    /// The handle time column: per answered contact (a CSV file's AHT) or
    /// the interval's total (a query's `handlingtime`).
    pub handle_time: HandleTime,
    pub handle_time_format: DurationFormat,
    pub length: IntervalLength,
    pub missing: Missing,
    /// `1,5` rather than `1.5` (files delimited by `;`).
    pub decimal_comma: bool,
}

/// Where an interval's handle time is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleTime {
    /// The average per answered contact.
    Average(Column),
    /// The interval's total.
    Total(Column),
}

impl HandleTime {
    pub fn column(self) -> Column {
        match self {
            HandleTime::Average(column) | HandleTime::Total(column) => column,
        }
    }
}

/// One queue's interval as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntervalRow {
    pub line: usize,
    pub queue: QueueKey,
    pub queue_name: String,
    pub start: DateTime<Utc>,
    /// `None`: no data for this interval (a missing count, as the schema
    /// chose).
    pub totals: Option<IntervalTotals>,
}

/// Reads every row; all problems, or all rows.
pub fn read_intervals(
    table: &Table,
    mapping: &IntervalMapping,
) -> Result<Vec<IntervalRow>, Vec<CellProblem>> {
    let mut previous = Previous::default();
    read_all(table, |row| {
        let located = mapping.row.locate(row, &mut previous, |local| {
            check_interval_starts([(row.line, local)], mapping.length)
                .map_err(|shorter| shorter.detail())
        })?;
        Ok(IntervalRow {
            line: row.line,
            queue: located.queue,
            queue_name: located.queue_name,
            start: located.at,
            totals: totals(row, mapping)?,
        })
    })
}

/// A row's counts, or no data.
fn totals(
    row: &super::table::Row,
    mapping: &IntervalMapping,
) -> Result<Option<IntervalTotals>, super::rows::RowError> {
    let count =
        |column: Column| read_count(row.cell(column.0)).map_err(|e| (Some(column), e.to_string()));
    let offered = count(mapping.offered)?;
    let answered = count(mapping.answered)?;
    let column = mapping.handle_time.column();
    let handle_time = read_duration_ms(
        row.cell(column.0),
        mapping.handle_time_format,
        mapping.decimal_comma,
    )
    .map_err(|e| (Some(column), e.to_string()))?;
    if mapping.missing == Missing::NoData && (offered.is_none() || answered.is_none()) {
        return Ok(None);
    }
    let (offered, answered) = (offered.unwrap_or(0), answered.unwrap_or(0));
    if answered > offered {
        return Err((
            Some(mapping.answered),
            format!("{answered} answered is more than the {offered} offered"),
        ));
    }
    Ok(Some(IntervalTotals {
        offered,
        handled: answered,
        abandoned: offered - answered,
        handle_time_ms: match mapping.handle_time {
            HandleTime::Average(_) => handle_time.unwrap_or(0).saturating_mul(answered),
            HandleTime::Total(_) => handle_time.unwrap_or(0),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        csv::{
            format::{DateTimeFormat, FormatKind},
            preprocess::Preprocess,
            rows::{ChannelSource, When},
            table::{Delimiter, Table},
            zone::TimeZone,
        },
        ingest::Channel,
    };

    const FILE: &str = "Queue;Date;Time;Offered;Answered;AHT;Channel\n\
        Sales;27/11/2026;08:00;10;9;95,5;\n\
        Sales;27/11/2026;08:15;4;4;60;chats\n\
        Support;27/11/2026;08:00;;;;\n";

    fn mapping(missing: Missing) -> IntervalMapping {
        IntervalMapping {
            row: RowMapping {
                queue: Column(0),
                queue_name: None,
                when: When::DateAndTime {
                    date: Column(1),
                    date_format: DateTimeFormat::parse("DD/MM/YYYY", FormatKind::Date)
                        .expect("a format"),
                    time: Column(2),
                    time_format: DateTimeFormat::parse("hh:mm", FormatKind::Time)
                        .expect("a format"),
                },
                channel: ChannelSource::Column(Column(6)),
                zone: TimeZone::parse("Europe/Berlin").expect("a zone"),
            },
            offered: Column(3),
            answered: Column(4),
            handle_time: HandleTime::Average(Column(5)),
            handle_time_format: DurationFormat::Seconds,
            length: IntervalLength::Fifteen,
            missing,
            decimal_comma: true,
        }
    }

    fn table(text: &str) -> Table {
        Table::read(text, Delimiter::Semicolon, &Preprocess::default()).expect("a table")
    }

    fn utc(hour: u32, minute: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .expect("a time")
            .and_utc()
    }

    #[test]
    fn rows_become_queue_intervals_in_utc() {
        let rows = read_intervals(&table(FILE), &mapping(Missing::NoData)).expect("rows");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].queue.identifier, "Sales");
        assert_eq!(rows[0].queue.channel, Channel::Calls, "empty is calls");
        assert_eq!(rows[0].start, utc(7, 0), "08:00 in Berlin in November");
        assert_eq!(
            rows[0].totals,
            Some(IntervalTotals {
                offered: 10,
                handled: 9,
                abandoned: 1,
                handle_time_ms: 859_500,
            })
        );
        assert_eq!(rows[1].queue.channel, Channel::Chats);
        assert_eq!(
            rows[2].totals, None,
            "missing counts are no data, as chosen"
        );
        let zero = read_intervals(&table(FILE), &mapping(Missing::Zero)).expect("rows");
        assert_eq!(zero[2].totals, Some(IntervalTotals::default()));
    }

    #[test]
    fn every_problem_is_listed_with_its_line_and_column() {
        let file = "Queue;Date;Time;Offered;Answered;AHT;Channel\n\
            Sales;27/11/2026;08:00;10;11;95;\n\
            ;27/11/2026;08:00;1;1;1;\n\
            Sales;2026-11-27;08:00;1;1;1;\n\
            Sales;27/11/2026;08:10;1;1;1;\n\
            Sales;27/11/2026;08:30;x;1;1;\n\
            Sales;27/11/2026;08:45;1;1;1;fax\n\
            Sales;27/11/2026;09:00;1;1;1.5;\n";
        let problems = read_intervals(&table(file), &mapping(Missing::Zero)).expect_err("problems");
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (2, "Answered"),
                (3, "Queue"),
                (4, "Date"),
                (5, "Time"),
                (6, "Offered"),
                (7, "Channel"),
                (8, "AHT"),
            ]
        );
        assert_eq!(
            problems[0].detail,
            "11 answered is more than the 10 offered"
        );
        assert!(problems[3]
            .detail
            .contains("does not start a 15-minute interval"));
    }
}
