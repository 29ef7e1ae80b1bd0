//! Contact data mapped by an SQLite query instead of columns (DESIGN §4):
//! the file, pre-processed as the schema says, becomes a table
//! `uploaded_file` whose columns are the header's names in lower case;
//! the query's result carries the columns a database integration's query
//! does (`queueidentifier`, `queuename`, `timestamp` as
//! `YYYY-MM-DD hh:mm:ss` in the schema's time zone, …) and is read like a
//! file's rows, every problem by result row and column.
//!
//! Running the query is the [`QuerySandbox`]'s: the server runs it away
//! from its own memory (ADR 0010), read-only, without `ATTACH` or
//! extensions, stopped after [`QUERY_SECONDS`] or [`QUERY_MEMORY_MIB`].

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{
    agents::{read_agent_statuses, AgentMapping},
    contacts::{read_contacts, ContactMapping},
    format::{DateTimeFormat, FormatKind},
    intervals::{read_intervals, HandleTime, IntervalMapping, Missing},
    preprocess::column_letters,
    rows::{CellProblem, ChannelSource, Column, RowMapping, When},
    schema::{FileData, Layout},
    table::{Row, Table},
    value::DurationFormat,
    zone::TimeZone,
};
use crate::{ingest::Channel, store::BoxFuture};

/// The table the query reads.
pub const TABLE: &str = "uploaded_file";
/// How the result's `timestamp` is written.
pub const TIMESTAMP_FORMAT: &str = "YYYY-MM-DD hh:mm:ss";
/// A query is stopped after this long.
pub const QUERY_SECONDS: u64 = 5;
/// A query is stopped when SQLite would need more memory than this.
pub const QUERY_MEMORY_MIB: u64 = 256;
/// The most rows a query's result may have.
pub const MAX_RESULT_ROWS: usize = 1_000_000;
/// The longest query kept.
pub const MAX_QUERY_CHARS: usize = 20_000;

/// The columns a result must have, by layout; then the optional ones.
pub fn result_columns(layout: Layout) -> (&'static [&'static str], &'static [&'static str]) {
    match layout {
        Layout::Intervals(_) => (
            &[
                "queueidentifier",
                "queuename",
                "timestamp",
                "offered",
                "answered",
                "handlingtime",
            ],
            &["channel"],
        ),
        Layout::Contacts => (
            &["queueidentifier", "queuename", "timestamp", "answered"],
            &["duration", "channel"],
        ),
        Layout::AgentStatuses => (&["agentidentifier", "starttime", "activity"], &["endtime"]),
    }
}

/// A file's table as the query sees it: every value text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl UploadedFile {
    /// `table` with SQL-friendly column names: the header's in lower case,
    /// every run of other characters than letters, digits and `_` one `_`;
    /// an empty name is the column's letter, a repeated one gets `_2`, `_3` ….
    pub fn of(table: &Table) -> Self {
        let columns = sql_names(&table.columns);
        let width = columns.len();
        let rows = table
            .rows
            .iter()
            .map(|row| (0..width).map(|i| row.cell(i).to_owned()).collect())
            .collect();
        Self { columns, rows }
    }
}

/// The names a query knows a file's columns by (see [`UploadedFile::of`]).
pub fn sql_names(headers: &[String]) -> Vec<String> {
    let mut taken = HashSet::new();
    headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            let base = sql_name(header, index);
            let mut name = base.clone();
            let mut n = 1;
            while !taken.insert(name.clone()) {
                n += 1;
                name = format!("{base}_{n}");
            }
            name
        })
        .collect()
}

fn sql_name(header: &str, index: usize) -> String {
    let mut name = String::new();
    for c in header.trim().to_lowercase().chars() {
        if c.is_alphanumeric() || c == '_' {
            name.push(c);
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_matches('_');
    if name.is_empty() {
        column_letters(index).to_lowercase()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("c_{name}")
    } else {
        name.to_owned()
    }
}

/// A value of the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl SqlValue {
    /// The value as a file's cell: `NULL` is empty (missing), a whole
    /// real number has no decimals, so `SUM`s read as counts.
    fn into_cell(self) -> String {
        match self {
            SqlValue::Null => String::new(),
            SqlValue::Integer(n) => n.to_string(),
            #[allow(clippy::cast_possible_truncation)]
            SqlValue::Real(x) if x.fract() == 0.0 && x.abs() < 1e15 => (x as i64).to_string(),
            SqlValue::Real(x) => x.to_string(),
            SqlValue::Text(text) => text,
        }
    }
}

/// What a query gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<SqlValue>>,
}

/// Why a query gave nothing to import: the admin's to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum QueryError {
    /// SQLite's own message: a syntax error, an unknown column ….
    #[error("the query does not run: {0}")]
    Sql(String),
    #[error("the query may only read {TABLE}: {0} is not allowed")]
    NotAllowed(String),
    #[error("the query is one SELECT statement")]
    NotOneStatement,
    #[error("the query was stopped after {QUERY_SECONDS} seconds")]
    TooSlow,
    #[error("the query was stopped: it needed more than {QUERY_MEMORY_MIB} MiB of memory")]
    TooMuchMemory,
    #[error("the query gives more than {MAX_RESULT_ROWS} rows")]
    TooManyRows,
    #[error("the query's result has no column {}", .0.join(", "))]
    MissingColumns(Vec<String>),
}

/// The sandbox could not run the query at all: the server's fault, so a
/// file waits rather than being refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the query sandbox is not available: {0}")]
pub struct SandboxUnavailable(pub String);

/// Runs a schema's query over a file's table, bounded (see the module).
pub trait QuerySandbox: Send + Sync {
    fn run<'a>(
        &'a self,
        file: &'a UploadedFile,
        sql: &'a str,
    ) -> BoxFuture<'a, Result<Result<QueryResult, QueryError>, SandboxUnavailable>>;
}

/// Contact data read by a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryMapping {
    sql: String,
    layout: Layout,
    zone: TimeZone,
    missing: Missing,
}

impl QueryMapping {
    /// A query for interval- or contact-based data.
    pub fn new(
        sql: &str,
        layout: Layout,
        zone: TimeZone,
        missing: Missing,
    ) -> Result<Self, String> {
        let sql = sql.trim();
        if sql.is_empty() {
            return Err("is required: a SELECT over uploaded_file".to_owned());
        }
        if sql.chars().count() > MAX_QUERY_CHARS {
            return Err(format!("is longer than {MAX_QUERY_CHARS} characters"));
        }
        if layout == Layout::AgentStatuses {
            return Err("maps contact data only: agent statuses are mapped by columns".to_owned());
        }
        Ok(Self {
            sql: sql.to_owned(),
            layout,
            zone,
            missing,
        })
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    pub fn zone(&self) -> TimeZone {
        self.zone
    }

    pub fn missing(&self) -> Missing {
        self.missing
    }

    /// The result's rows as a file's would be, or why not: the columns it
    /// lacks, or every row's problem (with its result row for a line).
    pub fn read(&self, result: QueryResult) -> Result<FileData, QueryRead> {
        read_result(result, self.layout, self.zone, self.missing)
    }
}

/// A query's result read as `layout` says — the columns of
/// [`result_columns`], times as `YYYY-MM-DD hh:mm:ss` in `zone` — into a
/// file's rows, or why not: the columns it lacks, or every row's problem
/// (its line is the result row). The same reading serves a CSV schema's
/// query and a database integration's.
pub fn read_result(
    result: QueryResult,
    layout: Layout,
    zone: TimeZone,
    missing: Missing,
) -> Result<FileData, QueryRead> {
    let find = |name: &str| {
        result
            .columns
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name))
            .map(Column)
    };
    let (required, _) = result_columns(layout);
    let absent: Vec<String> = required
        .iter()
        .filter(|name| find(name).is_none())
        .map(|name| (*name).to_owned())
        .collect();
    if !absent.is_empty() {
        return Err(QueryRead::Query(QueryError::MissingColumns(absent)));
    }
    let column = |name: &str| find(name).unwrap_or(Column(usize::MAX));
    let times: Vec<Column> = ["timestamp", "starttime", "endtime"]
        .into_iter()
        .filter_map(&find)
        .collect();
    // The values move into the table: a database's result may hold
    // hundreds of thousands of them.
    let table = Table {
        columns: result.columns.clone(),
        rows: result
            .rows
            .into_iter()
            .enumerate()
            .map(|(index, values)| Row {
                line: index + 1,
                cells: values
                    .into_iter()
                    .enumerate()
                    .map(|(at, value)| {
                        let cell = value.into_cell();
                        if times.contains(&Column(at)) {
                            whole_seconds(cell)
                        } else {
                            cell
                        }
                    })
                    .collect(),
            })
            .collect(),
    };
    let timestamp = |name: &str| When::Timestamp {
        column: column(name),
        format: DateTimeFormat::parse(TIMESTAMP_FORMAT, FormatKind::Timestamp)
            .expect("the query's timestamp format is a format"),
    };
    let row = RowMapping {
        queue: column("queueidentifier"),
        queue_name: find("queuename"),
        when: timestamp("timestamp"),
        channel: find("channel")
            .map_or(ChannelSource::Fixed(Channel::Calls), ChannelSource::Column),
        zone,
    };
    let read = match layout {
        Layout::Intervals(length) => read_intervals(
            &table,
            &IntervalMapping {
                row,
                offered: column("offered"),
                answered: column("answered"),
                handle_time: HandleTime::Total(column("handlingtime")),
                handle_time_format: DurationFormat::Seconds,
                length,
                missing,
                decimal_comma: false,
            },
        )
        .map(FileData::Intervals),
        Layout::Contacts => read_contacts(
            &table,
            &ContactMapping {
                row,
                answered: column("answered"),
                duration: find("duration").map(|column| (column, DurationFormat::Seconds)),
                decimal_comma: false,
            },
        )
        .map(FileData::Contacts),
        Layout::AgentStatuses => read_agent_statuses(
            &table,
            &AgentMapping {
                agent: column("agentidentifier"),
                activity: column("activity"),
                start: timestamp("starttime"),
                end: find("endtime").map(|_| timestamp("endtime")),
                zone,
            },
        )
        .map(FileData::AgentStatuses),
    };
    read.map_err(QueryRead::Rows)
}

/// A database's timestamp without its fraction of a second
/// (`2026-03-02 08:15:00.000` from SQL Server, `.000000` elsewhere), and
/// with a space for ISO 8601's `T`: the intervals and statuses Intake
/// keeps are whole seconds.
fn whole_seconds(mut text: String) -> String {
    let trimmed = text.trim();
    let whole = match trimmed.split_once('.') {
        Some((whole, fraction))
            if whole.len() == 19 && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            whole
        }
        _ => trimmed,
    };
    if whole.len() != text.len() {
        text = whole.to_owned();
    }
    if text.len() == 19 && text.as_bytes()[10] == b'T' {
        text.replace_range(10..11, " ");
    }
    text
}

/// Why a query's result is not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryRead {
    Query(QueryError),
    /// Every row's problem; a problem's line is its result row, from 1.
    Rows(Vec<CellProblem>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        csv::{preprocess::Preprocess, table::Delimiter},
        integration::IntervalLength,
    };

    fn table(text: &str, add_header: bool) -> Table {
        Table::read(
            text,
            Delimiter::Semicolon,
            &Preprocess::new(0, true, Vec::new(), add_header).expect("fine"),
        )
        .expect("a table")
    }

    #[test]
    fn the_uploaded_file_names_its_columns_for_sql() {
        let file = UploadedFile::of(&table(
            "Queue Name;Start (local);;2nd;queue name;Anrufe – Angenommen\nSales;08:00;x;y;z;3\n",
            false,
        ));
        assert_eq!(
            file.columns,
            [
                "queue_name",
                "start_local",
                "c",
                "c_2nd",
                "queue_name_2",
                "anrufe_angenommen"
            ]
        );
        assert_eq!(file.rows, [["Sales", "08:00", "x", "y", "z", "3"]]);
        let letters = UploadedFile::of(&table("Sales;3\n", true));
        assert_eq!(letters.columns, ["a", "b"]);
    }

    fn text(value: &str) -> SqlValue {
        SqlValue::Text(value.to_owned())
    }

    fn result(columns: &str, rows: Vec<Vec<SqlValue>>) -> QueryResult {
        QueryResult {
            columns: columns.split(' ').map(String::from).collect(),
            rows,
        }
    }

    fn intervals() -> QueryMapping {
        QueryMapping::new(
            "SELECT * FROM uploaded_file",
            Layout::Intervals(IntervalLength::Thirty),
            TimeZone::parse("Europe/Berlin").expect("a zone"),
            Missing::Zero,
        )
        .expect("a mapping")
    }

    #[test]
    fn an_interval_result_is_read_with_total_handling_time_and_separate_names() {
        let result = result(
            "QueueIdentifier queuename timestamp offered answered handlingtime",
            vec![
                vec![
                    text("Q1"),
                    text("Sales"),
                    text("2026-11-27 08:00:00"),
                    SqlValue::Integer(10),
                    SqlValue::Real(8.0),
                    SqlValue::Real(720.5),
                ],
                vec![
                    text("Q2"),
                    SqlValue::Null,
                    text("2026-11-27 08:30:00"),
                    SqlValue::Null,
                    SqlValue::Null,
                    SqlValue::Null,
                ],
            ],
        );
        let FileData::Intervals(rows) = intervals().read(result).expect("read") else {
            panic!("intervals")
        };
        assert_eq!(rows[0].queue.identifier, "Q1");
        assert_eq!(rows[0].queue_name, "Sales");
        assert_eq!(
            rows[0].start.to_rfc3339(),
            "2026-11-27T07:00:00+00:00",
            "Berlin time"
        );
        let totals = rows[0].totals.expect("counts");
        assert_eq!((totals.offered, totals.handled), (10, 8));
        assert_eq!(totals.handle_time_ms, 720_500, "the total, not an average");
        assert_eq!(rows[1].queue_name, "Q2", "no name: named by its identifier");
    }

    #[test]
    fn a_result_without_the_required_columns_or_with_bad_rows_says_so() {
        let without = QueryResult {
            columns: vec!["queueidentifier".into(), "timestamp".into()],
            rows: Vec::new(),
        };
        assert_eq!(
            intervals().read(without),
            Err(QueryRead::Query(QueryError::MissingColumns(
                ["queuename", "offered", "answered", "handlingtime"]
                    .map(String::from)
                    .to_vec()
            )))
        );
        let contacts =
            QueryMapping::new("SELECT 1", Layout::Contacts, TimeZone::UTC, Missing::Zero)
                .expect("a mapping");
        let result = result(
            "queueidentifier queuename timestamp answered duration",
            vec![
                vec![
                    text("Q1"),
                    text("Sales"),
                    text("2026-11-27 08:03:10"),
                    SqlValue::Integer(1),
                    SqlValue::Integer(95),
                ],
                vec![
                    text("Q1"),
                    text("Sales"),
                    text("27.11.2026 08:04"),
                    SqlValue::Integer(1),
                    SqlValue::Null,
                ],
            ],
        );
        let Err(QueryRead::Rows(problems)) = contacts.read(result) else {
            panic!("a row problem")
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].column.as_str()),
            (2, "timestamp")
        );
    }

    #[test]
    fn only_contact_data_is_mapped_by_a_query() {
        assert!(QueryMapping::new(
            "SELECT 1",
            Layout::AgentStatuses,
            TimeZone::UTC,
            Missing::Zero
        )
        .is_err());
        assert!(QueryMapping::new("  ", Layout::Contacts, TimeZone::UTC, Missing::Zero).is_err());
    }
}
