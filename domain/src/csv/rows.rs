//! What every contact row of a CSV file carries, whatever its layout: the
//! queue, when (a date and a time column, or one timestamp column, in the
//! schema's time zone) and the channel (fixed, or from a column where an
//! empty cell means calls) — and the problems found, by line and column.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{
    format::DateTimeFormat,
    table::{Row, Table},
    zone::TimeZone,
};
use crate::ingest::{Channel, QueueKey};

/// A column of the table, by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column(pub usize);

/// Where a row's time is read from.
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

/// Where the channel comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelSource {
    Fixed(Channel),
    Column(Column),
}

/// The columns every contact row is located by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowMapping {
    /// The queue's identifier, and its name unless `queue_name` says.
    pub queue: Column,
    /// A separate queue name (a query's `queuename`); an empty cell
    /// names the queue by its identifier.
    pub queue_name: Option<Column>,
    pub when: When,
    pub channel: ChannelSource,
    pub zone: TimeZone,
}

/// Something wrong with one cell (or a whole row), for the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// From 1, in the file.
    pub line: usize,
    /// The column's name as the file (or the added header) names it;
    /// empty when the problem is the row's.
    pub column: String,
    pub detail: String,
}

impl CellProblem {
    pub fn at(table: &Table, row: &Row, column: Option<Column>, detail: String) -> Self {
        Self {
            line: row.line,
            column: column
                .and_then(|column| table.columns.get(column.0).cloned())
                .unwrap_or_default(),
            detail,
        }
    }
}

/// Reads every row of `table` with `read`: all values, or every row's
/// problem (a file is applied all or nothing).
pub fn read_all<T>(
    table: &Table,
    mut read: impl FnMut(&Row) -> Result<T, RowError>,
) -> Result<Vec<T>, Vec<CellProblem>> {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for row in &table.rows {
        match read(row) {
            Ok(value) => values.push(value),
            Err((column, detail)) => problems.push(CellProblem::at(table, row, column, detail)),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// Where and when a row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub queue: QueueKey,
    pub queue_name: String,
    pub local: NaiveDateTime,
    pub at: DateTime<Utc>,
}

/// Each queue's latest instant so far, so a repeated autumn hour reads in
/// order (see [`TimeZone::instant`]).
pub type Previous = HashMap<QueueKey, DateTime<Utc>>;

/// What is wrong with a row: the column (or none for the row) and why.
pub type RowError = (Option<Column>, String);

impl RowMapping {
    /// The row's queue, channel and time; `check` may refuse the local
    /// time (an interval start off its grid, say).
    pub fn locate(
        &self,
        row: &Row,
        previous: &mut Previous,
        check: impl FnOnce(NaiveDateTime) -> Result<(), String>,
    ) -> Result<Located, RowError> {
        let identifier = row.cell(self.queue.0).trim().to_owned();
        if identifier.is_empty() {
            return Err((Some(self.queue), "the queue is empty".to_owned()));
        }
        let queue_name = match self.queue_name.map(|column| row.cell(column.0).trim()) {
            Some(name) if !name.is_empty() => name.to_owned(),
            _ => identifier.clone(),
        };
        let channel = match self.channel {
            ChannelSource::Fixed(channel) => channel,
            ChannelSource::Column(column) => match row.cell(column.0).trim() {
                "" => Channel::Calls,
                text => text.to_lowercase().parse::<Channel>().map_err(|()| {
                    (
                        Some(column),
                        format!(
                            "{text:?} is not a channel: calls, chats, emails, social_media, documents or cases"
                        ),
                    )
                })?,
            },
        };
        let local = self.when.read(row)?;
        let time = Some(self.when.time_column());
        check(local).map_err(|detail| (time, detail))?;
        let queue = QueueKey {
            identifier,
            channel,
        };
        let at = self
            .zone
            .instant(local, previous.get(&queue).copied())
            .map_err(|skipped| (time, skipped.to_string()))?;
        previous.insert(queue.clone(), at);
        Ok(Located {
            queue,
            queue_name,
            local,
            at,
        })
    }
}

impl When {
    /// The column a time of day is read from.
    pub fn time_column(&self) -> Column {
        match self {
            When::Timestamp { column, .. } => *column,
            When::DateAndTime { time, .. } => *time,
        }
    }

    /// The local time a row holds, or the column and what is wrong.
    pub fn read(&self, row: &Row) -> Result<NaiveDateTime, RowError> {
        match self {
            When::Timestamp { column, format } => format
                .read_timestamp(row.cell(column.0))
                .map_err(|e| (Some(*column), e.to_string())),
            When::DateAndTime {
                date,
                date_format,
                time,
                time_format,
            } => {
                let day = date_format
                    .read_date(row.cell(date.0))
                    .map_err(|e| (Some(*date), e.to_string()))?;
                let at = time_format
                    .read_time(row.cell(time.0))
                    .map_err(|e| (Some(*time), e.to_string()))?;
                Ok(day.and_time(at))
            }
        }
    }
}
