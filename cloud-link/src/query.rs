//! Query jobs: run an SQL query over ODBC, through the system's driver
//! manager and the customer's own drivers, and say what came back — the
//! columns, how many rows, and the first `MAX_ROWS_REPORTED` as text; or,
//! for an import, the whole result for a window bound as parameters.
//!
//! [`ResultTable`]: domain::cloud_link::wire::ResultTable

use domain::cloud_link::wire::{QueryRows, MAX_REPORT_BYTES, MAX_ROWS_REPORTED};
use odbc_api::{
    buffers::{AnySlice, BufferDesc, ColumnarAnyBuffer, TextRowSet},
    parameter::WithDataType,
    sys::Timestamp,
    ConnectionOptions, Cursor, DataType, ResultSetMetadata,
};

/// Rows fetched per round trip.
const BATCH: usize = 1_000;
/// The longest text kept of one value.
const MAX_VALUE_BYTES: usize = 4_096;
/// How long the database may take, in seconds.
const QUERY_TIMEOUT_SECONDS: usize = 300;

/// A connection by `connection` string, through the system's driver
/// manager, or why not in words an admin can act on.
pub fn connect(connection: &str) -> Result<odbc_api::Connection<'static>, String> {
    let environment = odbc_api::environment()
        .map_err(|error| format!("ODBC is not available on this machine: {error}"))?;
    environment
        .connect_with_connection_string(connection, ConnectionOptions::default())
        .map_err(|error| format!("cannot connect to the database: {error}"))
}

/// Runs `sql` over `connection` (blocking: call it off the async runtime).
pub fn run(connection: &str, sql: &str) -> Result<QueryRows, String> {
    let connection = connect(connection)?;
    let cursor = connection
        .execute(sql, (), Some(QUERY_TIMEOUT_SECONDS))
        .map_err(|error| format!("the query failed: {error}"))?;
    let Some(mut cursor) = cursor else {
        return Ok(QueryRows {
            columns: Vec::new(),
            row_count: 0,
            rows: Vec::new(),
        });
    };
    let columns: Vec<String> = cursor
        .column_names()
        .and_then(|names| names.collect())
        .map_err(|error| format!("the result's columns did not read: {error}"))?;
    let mut buffers = TextRowSet::for_cursor(BATCH, &mut cursor, Some(MAX_VALUE_BYTES))
        .map_err(|error| format!("the result did not read: {error}"))?;
    let mut rows_cursor = cursor
        .bind_buffer(&mut buffers)
        .map_err(|error| format!("the result did not read: {error}"))?;
    let (mut row_count, mut rows) = (0u64, Vec::new());
    while let Some(batch) = rows_cursor
        .fetch()
        .map_err(|error| format!("fetching rows failed: {error}"))?
    {
        for row in 0..batch.num_rows() {
            if rows.len() < MAX_ROWS_REPORTED {
                rows.push(
                    (0..batch.num_cols())
                        .map(|column| {
                            batch
                                .at(column, row)
                                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
                        })
                        .collect(),
                );
            }
            row_count += 1;
        }
    }
    Ok(QueryRows {
        columns,
        row_count,
        rows,
    })
}

/// An import's whole result, already in the shape of the report's
/// `table` (`{"columns":[…],"rows":[[…],…]}`, a [`ResultTable`]): written
/// as the rows are fetched, without a string per value, since a window
/// holds tens of thousands of rows.
pub struct EncodedTable {
    pub columns: Vec<String>,
    pub row_count: usize,
    /// The first `MAX_ROWS_REPORTED` rows, for `verbose = true`.
    pub first: Vec<Vec<Option<String>>>,
    pub json: Vec<u8>,
}

impl EncodedTable {
    fn new(columns: Vec<String>) -> Self {
        let mut json = br#"{"columns":"#.to_vec();
        serde_json::to_writer(&mut json, &columns).expect("text always encodes");
        json.extend_from_slice(br#","rows":["#);
        Self {
            columns,
            row_count: 0,
            first: Vec::new(),
            json,
        }
    }

    /// Appends a row of values as the driver gave them.
    fn push<'a>(&mut self, values: impl Iterator<Item = Cell<'a>> + Clone) {
        if self.row_count > 0 {
            self.json.push(b',');
        }
        self.json.push(b'[');
        for (at, value) in values.clone().enumerate() {
            if at > 0 {
                self.json.push(b',');
            }
            value.write_json(&mut self.json);
        }
        self.json.push(b']');
        if self.first.len() < MAX_ROWS_REPORTED {
            self.first.push(values.map(|value| value.text()).collect());
        }
        self.row_count += 1;
    }

    /// Whether the table still fits in a report the console takes, with
    /// room left for the report around it; else why not.
    fn within_report(&self) -> Result<(), String> {
        if self.json.len() > MAX_REPORT_BYTES - 64 * 1024 {
            return Err(format!(
                "the result is larger than the console takes ({} MiB) after {} rows: \
                 select fewer or shorter columns",
                MAX_REPORT_BYTES / 1024 / 1024,
                self.row_count - 1
            ));
        }
        Ok(())
    }

    fn finish(mut self) -> Self {
        self.json.extend_from_slice(b"]}");
        self
    }
}

/// One value of a fetched row.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Null,
    /// Text as the driver gave it: read as UTF-8, a stray byte replaced.
    Text(&'a [u8]),
    Integer(i64),
    Timestamp(&'a Timestamp),
}

impl<'a> Cell<'a> {
    /// Row `row` of a column fetched as [`fetched_as`] binds it.
    fn of(column: &AnySlice<'a>, row: usize) -> Self {
        match column {
            AnySlice::Text(view) => view.get(row).map_or(Self::Null, Self::Text),
            AnySlice::NullableI64(values) => {
                values.get(row).map_or(Self::Null, |v| Self::Integer(*v))
            }
            AnySlice::NullableTimestamp(values) => {
                values.get(row).map_or(Self::Null, Self::Timestamp)
            }
            _ => Self::Null,
        }
    }

    /// The value as the report carries it: text, `None` for SQL NULL; a
    /// timestamp as `YYYY-MM-DD hh:mm:ss` (the console keeps whole
    /// seconds).
    fn text(self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::Text(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            Self::Integer(value) => Some(value.to_string()),
            Self::Timestamp(at) => Some(format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                at.year, at.month, at.day, at.hour, at.minute, at.second
            )),
        }
    }

    /// The value as a JSON string (or `null`), written into `json`.
    fn write_json(self, json: &mut Vec<u8>) {
        use std::io::Write;
        let _ = match self {
            Self::Null => json.write_all(b"null"),
            Self::Text(bytes) => {
                serde_json::to_writer(&mut *json, &String::from_utf8_lossy(bytes))
                    .expect("text always encodes");
                Ok(())
            }
            Self::Integer(value) => write!(json, "\"{value}\""),
            Self::Timestamp(at) => write!(
                json,
                "\"{:04}-{:02}-{:02} {:02}:{:02}:{:02}\"",
                at.year, at.month, at.day, at.hour, at.minute, at.second
            ),
        };
    }
}

/// How column `column` (from 1) is fetched: integers and timestamps as
/// the driver's own values, so it does not print them as text only for
/// the console to parse them again; anything else as text of at most
/// `MAX_VALUE_BYTES`.
fn fetched_as(
    cursor: &mut impl ResultSetMetadata,
    column: u16,
) -> Result<BufferDesc, odbc_api::Error> {
    let data_type = cursor.col_data_type(column)?;
    Ok(match data_type {
        DataType::TinyInt | DataType::SmallInt | DataType::Integer | DataType::BigInt => {
            BufferDesc::I64 { nullable: true }
        }
        DataType::Timestamp { .. } => BufferDesc::Timestamp { nullable: true },
        _ => {
            let reported = match data_type.utf8_len() {
                Some(length) => Some(length),
                None => cursor.col_display_size(column)?,
            };
            BufferDesc::Text {
                max_str_len: reported
                    .map_or(MAX_VALUE_BYTES, |length| length.get().min(MAX_VALUE_BYTES)),
            }
        }
    })
}

/// Runs an import's `sql` over `connection` with `parameters` (local
/// timestamps `YYYY-MM-DD hh:mm:ss`) bound to its `?` in order, checks the
/// result has `required` columns (in any letter case), and gives all of it
/// (blocking: call it off the async runtime).
pub fn import(
    connection: &odbc_api::Connection<'_>,
    sql: &str,
    parameters: &[String],
    required: &[String],
) -> Result<EncodedTable, String> {
    let parameters = parameters
        .iter()
        .map(|text| {
            timestamp(text).map(|value| WithDataType {
                value,
                data_type: DataType::Timestamp { precision: 0 },
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or("the console sent a window that does not read")?;
    let cursor = connection
        .execute(sql, parameters.as_slice(), Some(QUERY_TIMEOUT_SECONDS))
        .map_err(|error| format!("the query failed: {error}"))?;
    let Some(mut cursor) = cursor else {
        return Err("the query gave no result: it is one SELECT".to_owned());
    };
    let columns: Vec<String> = cursor
        .column_names()
        .and_then(|names| names.collect())
        .map_err(|error| format!("the result's columns did not read: {error}"))?;
    let missing: Vec<&str> = required
        .iter()
        .filter(|name| {
            !columns
                .iter()
                .any(|column| column.eq_ignore_ascii_case(name))
        })
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the query's result has no column {} (it has: {}); name the columns with AS",
            missing.join(", "),
            columns.join(", ")
        ));
    }
    let descs = (1..=columns.len())
        .map(|column| fetched_as(&mut cursor, u16::try_from(column).unwrap_or(u16::MAX)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("the result's columns did not read: {error}"))?;
    let buffers = ColumnarAnyBuffer::try_from_descs(BATCH, descs)
        .map_err(|error| format!("the result did not read: {error}"))?;
    let mut rows_cursor = cursor
        .bind_buffer(buffers)
        .map_err(|error| format!("the result did not read: {error}"))?;
    let mut table = EncodedTable::new(columns);
    while let Some(batch) = rows_cursor
        .fetch()
        .map_err(|error| format!("fetching rows failed: {error}"))?
    {
        let values: Vec<AnySlice> = (0..batch.num_cols()).map(|at| batch.column(at)).collect();
        for row in 0..batch.num_rows() {
            table.push(values.iter().map(|column| Cell::of(column, row)));
            table.within_report()?;
        }
    }
    Ok(table.finish())
}

/// A parameter's timestamp.
fn timestamp(text: &str) -> Option<Timestamp> {
    let at = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok()?;
    use chrono::{Datelike, Timelike};
    Some(Timestamp {
        year: i16::try_from(at.year()).ok()?,
        month: at.month() as u16,
        day: at.day() as u16,
        hour: at.hour() as u16,
        minute: at.minute() as u16,
        second: at.second() as u16,
        fraction: 0,
    })
}

/// The names of the installed ODBC drivers.
pub fn drivers() -> Result<Vec<String>, String> {
    let environment = odbc_api::environment().map_err(|error| error.to_string())?;
    let drivers = environment.drivers().map_err(|error| error.to_string())?;
    Ok(drivers
        .into_iter()
        .map(|driver| driver.description)
        .collect())
}

/// The lines `verbose = true` logs for a result: the row count, then the
/// first rows, tab-separated.
pub fn describe(rows: &QueryRows) -> Vec<String> {
    let mut lines = vec![format!(
        "{} row(s); columns: {}",
        rows.row_count,
        rows.columns.join(", ")
    )];
    lines.extend(rows.rows.iter().map(|row| {
        row.iter()
            .map(|value| value.as_deref().unwrap_or("NULL"))
            .collect::<Vec<_>>()
            .join("\t")
    }));
    lines
}

#[cfg(test)]
mod tests {
    use domain::cloud_link::wire::ResultTable;

    use super::*;

    #[test]
    fn an_encoded_table_reads_as_the_result_table_of_the_wire() {
        let mut table = EncodedTable::new(vec!["queue".into(), "note \"quoted\"".into()]);
        let at = Timestamp {
            year: 2026,
            month: 3,
            day: 2,
            hour: 8,
            minute: 5,
            second: 0,
            fraction: 500_000_000,
        };
        let rows = [
            [Cell::Text(b"Sales"), Cell::Null],
            [Cell::Text(b"Caf\xe9"), Cell::Text(b"line\nbreak \\ \"q\"")],
            [Cell::Text("Café".as_bytes()), Cell::Text(b"")],
            [Cell::Integer(-42), Cell::Timestamp(&at)],
        ];
        for row in &rows {
            table.push(row.iter().copied());
        }
        let table = table.finish();
        let read: ResultTable = serde_json::from_slice(&table.json).expect("JSON");
        assert_eq!(
            read,
            ResultTable {
                columns: vec!["queue".into(), "note \"quoted\"".into()],
                rows: vec![
                    vec![Some("Sales".into()), None],
                    vec![
                        Some("Caf\u{fffd}".into()),
                        Some("line\nbreak \\ \"q\"".into())
                    ],
                    vec![Some("Café".into()), Some(String::new())],
                    vec![Some("-42".into()), Some("2026-03-02 08:05:00".into())],
                ],
            }
        );
        assert_eq!(table.row_count, 4);
        assert_eq!(table.first, read.rows);
        let empty = EncodedTable::new(vec!["queue".into()]).finish();
        assert_eq!(
            serde_json::from_slice::<ResultTable>(&empty.json).expect("JSON"),
            ResultTable {
                columns: vec!["queue".into()],
                rows: Vec::new()
            }
        );
    }

    #[test]
    fn a_result_larger_than_a_report_is_refused_with_the_limit_and_the_rows_read() {
        let mut table = EncodedTable::new(vec!["note".into()]);
        let long = vec![b'x'; MAX_VALUE_BYTES];
        let mut refused = None;
        for _ in 0..MAX_REPORT_BYTES / MAX_VALUE_BYTES + 1 {
            table.push([Cell::Text(&long)].into_iter());
            if let Err(message) = table.within_report() {
                refused = Some(message);
                break;
            }
        }
        let message = refused.expect("refused before the report's limit");
        assert!(message.contains("(48 MiB)"), "{message}");
        let rows = table.row_count - 1;
        assert!(rows > 12_000, "{rows}");
        assert!(message.contains(&format!("after {rows} rows")), "{message}");
        // Refused at the first row past the room a report leaves.
        let row_bytes = MAX_VALUE_BYTES + 5;
        assert!(table.json.len() - row_bytes <= MAX_REPORT_BYTES - 64 * 1024);
        assert!(table.json.len() <= MAX_REPORT_BYTES);
    }

    #[test]
    fn verbose_lines_are_the_count_then_the_rows() {
        let rows = QueryRows {
            columns: vec!["queue".into(), "offered".into()],
            row_count: 12,
            rows: vec![vec![Some("Sales".into()), None]],
        };
        assert_eq!(
            describe(&rows),
            ["12 row(s); columns: queue, offered", "Sales\tNULL"]
        );
    }
}
