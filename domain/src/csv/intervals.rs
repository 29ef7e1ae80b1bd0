//! Interval-based contact data in a CSV file (DESIGN §4): one row per
//! queue and interval, mapped column by column — the queue, when the
//! interval starts (a date and a time column, or one timestamp column),
//! offered, answered, the average handle time, and the channel (fixed or
//! from a column). Every problem is reported with its line and column, all
//! of them at once, so the preview lists what to fix; a file with any is
//! applied not at all.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{
    format::DateTimeFormat,
    interval::check_interval_starts,
    table::{Row, Table},
    value::{read_count, read_duration_ms, DurationFormat},
    zone::TimeZone,
};
use crate::{
    ingest::{Channel, IntervalTotals, QueueKey},
    integration::IntervalLength,
};

/// A column of the table, by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column(pub usize);

/// Where an interval's start is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    DateAndTime {
        date: Column,
        date_format: DateTimeFormat,
        time: Column,
        time_format: DateTimeFormat,
    },
    Timestamp {
        column: Column,
        format: DateTimeFormat,
    },
}

/// Where the channel comes from; an empty cell means calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelSource {
    Fixed(Channel),
    Column(Column),
}

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
    pub queue: Column,
    pub when: When,
    pub offered: Column,
    pub answered: Column,
    pub average_handle_time: Column,
    pub handle_time_format: DurationFormat,
    pub channel: ChannelSource,
    pub length: IntervalLength,
    pub zone: TimeZone,
    pub missing: Missing,
    /// `1,5` rather than `1.5` (files delimited by `;`).
    pub decimal_comma: bool,
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

/// Something wrong with one cell (or row), for the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub line: usize,
    /// The column's name as the file (or the added header) names it;
    /// empty when the problem is the row's.
    pub column: String,
    pub detail: String,
}

/// Reads every row; all problems, or all rows.
pub fn read_intervals(
    table: &Table,
    mapping: &IntervalMapping,
) -> Result<Vec<IntervalRow>, Vec<CellProblem>> {
    let name = |column: Column| table.columns.get(column.0).cloned().unwrap_or_default();
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut previous: std::collections::HashMap<QueueKey, DateTime<Utc>> =
        std::collections::HashMap::new();
    for row in &table.rows {
        let mut problem = |column: Option<Column>, detail: String| {
            problems.push(CellProblem {
                line: row.line,
                column: column.map(name).unwrap_or_default(),
                detail,
            });
        };
        let queue_name = row.cell(mapping.queue.0).trim().to_owned();
        if queue_name.is_empty() {
            problem(Some(mapping.queue), "the queue is empty".to_owned());
            continue;
        }
        let channel = match mapping.channel {
            ChannelSource::Fixed(channel) => channel,
            ChannelSource::Column(column) => match row.cell(column.0).trim() {
                "" => Channel::Calls,
                text => match text.to_lowercase().parse::<Channel>() {
                    Ok(channel) => channel,
                    Err(()) => {
                        problem(
                            Some(column),
                            format!(
                                "{text:?} is not a channel: calls, chats, emails, social_media, documents or cases"
                            ),
                        );
                        continue;
                    }
                },
            },
        };
        let local = match local_start(row, &mapping.when) {
            Ok(local) => local,
            Err((column, detail)) => {
                problem(Some(column), detail);
                continue;
            }
        };
        if let Err(shorter) = check_interval_starts([(row.line, local)], mapping.length) {
            problem(None, shorter.to_string());
            continue;
        }
        let queue = QueueKey {
            identifier: queue_name.clone(),
            channel,
        };
        let start = match mapping.zone.instant(local, previous.get(&queue).copied()) {
            Ok(start) => start,
            Err(skipped) => {
                problem(None, skipped.to_string());
                continue;
            }
        };
        previous.insert(queue.clone(), start);
        let count =
            |column: Column| read_count(row.cell(column.0)).map_err(|e| (column, e.to_string()));
        let read = count(mapping.offered).and_then(|offered| {
            let answered = count(mapping.answered)?;
            let aht = read_duration_ms(
                row.cell(mapping.average_handle_time.0),
                mapping.handle_time_format,
                mapping.decimal_comma,
            )
            .map_err(|e| (mapping.average_handle_time, e.to_string()))?;
            Ok((offered, answered, aht))
        });
        let (offered, answered, aht) = match read {
            Ok(values) => values,
            Err((column, detail)) => {
                problem(Some(column), detail);
                continue;
            }
        };
        let totals = match (offered, answered, mapping.missing) {
            (None, _, Missing::NoData) | (_, None, Missing::NoData) => None,
            (offered, answered, _) => {
                let (offered, answered) = (offered.unwrap_or(0), answered.unwrap_or(0));
                if answered > offered {
                    problem(
                        Some(mapping.answered),
                        format!("{answered} answered is more than the {offered} offered"),
                    );
                    continue;
                }
                Some(IntervalTotals {
                    offered,
                    handled: answered,
                    abandoned: offered - answered,
                    handle_time_ms: aht.unwrap_or(0).saturating_mul(answered),
                })
            }
        };
        rows.push(IntervalRow {
            line: row.line,
            queue,
            queue_name,
            start,
            totals,
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

/// The local start of a row's interval, or the column and what is wrong.
fn local_start(row: &Row, when: &When) -> Result<NaiveDateTime, (Column, String)> {
    match when {
        When::Timestamp { column, format } => format
            .read_timestamp(row.cell(column.0))
            .map_err(|e| (*column, e.to_string())),
        When::DateAndTime {
            date,
            date_format,
            time,
            time_format,
        } => {
            let day = date_format
                .read_date(row.cell(date.0))
                .map_err(|e| (*date, e.to_string()))?;
            let at = time_format
                .read_time(row.cell(time.0))
                .map_err(|e| (*time, e.to_string()))?;
            Ok(day.and_time(at))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{
        format::FormatKind,
        preprocess::Preprocess,
        table::{Delimiter, Table},
    };

    const FILE: &str = "Queue;Date;Time;Offered;Answered;AHT;Channel\n\
        Sales;27/11/2026;08:00;10;9;95,5;\n\
        Sales;27/11/2026;08:15;4;4;60;chats\n\
        Support;27/11/2026;08:00;;;;\n";

    fn mapping(missing: Missing) -> IntervalMapping {
        IntervalMapping {
            queue: Column(0),
            when: When::DateAndTime {
                date: Column(1),
                date_format: DateTimeFormat::parse("DD/MM/YYYY", FormatKind::Date)
                    .expect("a format"),
                time: Column(2),
                time_format: DateTimeFormat::parse("hh:mm", FormatKind::Time).expect("a format"),
            },
            offered: Column(3),
            answered: Column(4),
            average_handle_time: Column(5),
            handle_time_format: DurationFormat::Seconds,
            channel: ChannelSource::Column(Column(6)),
            length: IntervalLength::Fifteen,
            zone: TimeZone::parse("Europe/Berlin").expect("a zone"),
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
                (5, ""),
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
