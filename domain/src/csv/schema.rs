//! A CSV integration's schema (DESIGN §4) and what it makes of a file:
//! decode, pre-process, read as a table, map the rows. A file is applied
//! all or nothing, so reading it either gives everything to import or
//! says why not — every row problem at once, by line and column.

use super::{
    agents::{read_agent_statuses, AgentMapping},
    contacts::{read_contacts, ContactMapping},
    encoding::{DecodeError, Encoding},
    intervals::{read_intervals, IntervalMapping, IntervalRow, Missing},
    preprocess::Preprocess,
    query::{QueryError, QueryMapping, QueryRead, QuerySandbox, SandboxUnavailable, UploadedFile},
    rows::CellProblem,
    table::{Delimiter, Table, TableError},
};
use crate::{
    ingest::{AgentStatus, ContactEvent, Feed},
    integration::IntervalLength,
};

/// The largest file read, uploaded by hand or through Cloud Link.
pub const MAX_FILE_BYTES: usize = crate::cloud_link::job::MAX_FILE_BYTES as usize;
/// Row problems listed for one file; the rest are counted.
pub const MAX_PROBLEMS_LISTED: usize = 1_000;

/// How the rows are mapped, by data type and layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    Intervals(IntervalMapping),
    Contacts(ContactMapping),
    AgentStatuses(AgentMapping),
    /// Contact data read by an SQLite query over the file's table.
    Query(QueryMapping),
}

/// What a schema's rows are: fixed once a schema is saved, since the
/// data already imported was read that way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Interval-based contact data, intervals of this length.
    Intervals(IntervalLength),
    /// One row per contact.
    Contacts,
    AgentStatuses,
}

impl Layout {
    pub fn feed(self) -> Feed {
        match self {
            Layout::Intervals(_) | Layout::Contacts => Feed::ContactEvents,
            Layout::AgentStatuses => Feed::AgentStatuses,
        }
    }
}

/// A CSV integration's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvSchema {
    encoding: Encoding,
    delimiter: Delimiter,
    preprocess: Preprocess,
    mapping: Mapping,
}

/// What a file holds, ready to import.
#[derive(Debug, Clone, PartialEq)]
pub enum FileData {
    Intervals(Vec<IntervalRow>),
    Contacts(Vec<(usize, ContactEvent)>),
    AgentStatuses(Vec<(usize, AgentStatus)>),
}

impl FileData {
    /// The rows read.
    pub fn len(&self) -> usize {
        match self {
            FileData::Intervals(rows) => rows.len(),
            FileData::Contacts(rows) => rows.len(),
            FileData::AgentStatuses(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a file is not imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileRefused {
    #[error("the file is larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)]
    TooLarge,
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error(transparent)]
    Table(#[from] TableError),
    /// Read fine, but its queues would pass the integration's cap.
    #[error("the integration would have more than {cap} queues")]
    TooManyQueues { cap: u64 },
    #[error("{total} row problem(s), the first on line {}", .listed.first().map_or(0, |p| p.line))]
    Rows {
        /// At most [`MAX_PROBLEMS_LISTED`], in line order.
        listed: Vec<CellProblem>,
        total: usize,
    },
    /// The schema's query did not give a result to read.
    #[error(transparent)]
    Query(QueryError),
    #[error("{total} problem(s) in the query's result, the first in row {}", .listed.first().map_or(0, |p| p.line))]
    QueryRows {
        /// At most [`MAX_PROBLEMS_LISTED`]; a problem's line is its result row.
        listed: Vec<CellProblem>,
        total: usize,
    },
    /// A database's query failed on the Cloud Link client's side (it
    /// could not connect, the query did not run, or its result lacks a
    /// column), in the client's words.
    #[error("{0}")]
    Source(String),
}

impl FileRefused {
    /// A query's result refused for `problems`, the first listed.
    pub fn query_rows(problems: Vec<CellProblem>) -> Self {
        let (listed, total) = listed(problems);
        Self::QueryRows { listed, total }
    }
}

/// Keeps the first [`MAX_PROBLEMS_LISTED`] problems, counting all.
fn listed(mut problems: Vec<CellProblem>) -> (Vec<CellProblem>, usize) {
    let total = problems.len();
    problems.truncate(MAX_PROBLEMS_LISTED);
    (problems, total)
}

impl CsvSchema {
    /// A schema; decimals are read with a comma exactly where the
    /// delimiter is `;` (DESIGN §4), whatever the mapping said.
    pub fn new(
        encoding: Encoding,
        delimiter: Delimiter,
        preprocess: Preprocess,
        mut mapping: Mapping,
    ) -> Self {
        let comma = delimiter == Delimiter::Semicolon;
        match &mut mapping {
            Mapping::Intervals(intervals) => intervals.decimal_comma = comma,
            Mapping::Contacts(contacts) => contacts.decimal_comma = comma,
            Mapping::AgentStatuses(_) | Mapping::Query(_) => {}
        }
        Self {
            encoding,
            delimiter,
            preprocess,
            mapping,
        }
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    pub fn delimiter(&self) -> Delimiter {
        self.delimiter
    }

    pub fn preprocess(&self) -> &Preprocess {
        &self.preprocess
    }

    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    pub fn layout(&self) -> Layout {
        match &self.mapping {
            Mapping::Intervals(mapping) => Layout::Intervals(mapping.length),
            Mapping::Contacts(_) => Layout::Contacts,
            Mapping::AgentStatuses(_) => Layout::AgentStatuses,
            Mapping::Query(query) => query.layout(),
        }
    }

    /// How interval-based rows fill what they leave out.
    pub fn missing(&self) -> Missing {
        match &self.mapping {
            Mapping::Intervals(mapping) => mapping.missing,
            Mapping::Query(query) => query.missing(),
            Mapping::Contacts(_) | Mapping::AgentStatuses(_) => Missing::Zero,
        }
    }

    /// The file as a table, before mapping (what the preview shows).
    pub fn table(&self, bytes: &[u8]) -> Result<Table, FileRefused> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(FileRefused::TooLarge);
        }
        let text = self.encoding.decode(bytes)?;
        Ok(Table::read(&text, self.delimiter, &self.preprocess)?)
    }

    /// Everything the file holds, or why it is not imported. A query
    /// mapping runs in `sandbox`; only when that cannot run at all is the
    /// answer an error (the file is then not refused: it may be read later).
    pub async fn read(
        &self,
        bytes: &[u8],
        sandbox: &dyn QuerySandbox,
    ) -> Result<Result<FileData, FileRefused>, SandboxUnavailable> {
        let table = match self.table(bytes) {
            Ok(table) => table,
            Err(refused) => return Ok(Err(refused)),
        };
        let read = match &self.mapping {
            Mapping::Intervals(mapping) => read_intervals(&table, mapping).map(FileData::Intervals),
            Mapping::Contacts(mapping) => read_contacts(&table, mapping).map(FileData::Contacts),
            Mapping::AgentStatuses(mapping) => {
                read_agent_statuses(&table, mapping).map(FileData::AgentStatuses)
            }
            Mapping::Query(query) => {
                let file = UploadedFile::of(&table);
                let result = match sandbox.run(&file, query.sql()).await? {
                    Ok(result) => result,
                    Err(error) => return Ok(Err(FileRefused::Query(error))),
                };
                return Ok(query.read(result).map_err(|read| match read {
                    QueryRead::Query(error) => FileRefused::Query(error),
                    QueryRead::Rows(problems) => FileRefused::query_rows(problems),
                }));
            }
        };
        Ok(read.map_err(|problems| {
            let (listed, total) = listed(problems);
            FileRefused::Rows { listed, total }
        }))
    }
}

/// A sandbox for schemas that map by columns, which never run a query.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoQueries;

impl QuerySandbox for NoQueries {
    fn run<'a>(
        &'a self,
        _file: &'a UploadedFile,
        _sql: &'a str,
    ) -> crate::store::BoxFuture<
        'a,
        Result<Result<super::query::QueryResult, QueryError>, SandboxUnavailable>,
    > {
        Box::pin(async { Err(SandboxUnavailable("queries are not run here".to_owned())) })
    }
}

/// Reads `bytes` with a schema that maps by columns, at once.
#[cfg(test)]
pub(crate) fn read_now(schema: &CsvSchema, bytes: &[u8]) -> Result<FileData, FileRefused> {
    use std::future::Future;
    let mut read = std::pin::pin!(schema.read(bytes, &NoQueries));
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match read.as_mut().poll(&mut context) {
        std::task::Poll::Ready(read) => read.expect("a schema mapped by columns"),
        std::task::Poll::Pending => panic!("a schema mapped by columns reads at once"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        csv::{
            format::{DateTimeFormat, FormatKind},
            intervals::HandleTime,
            rows::{ChannelSource, Column, RowMapping, When},
            value::DurationFormat,
            zone::TimeZone,
        },
        ingest::Channel,
    };

    fn schema(delimiter: Delimiter) -> CsvSchema {
        CsvSchema::new(
            Encoding::Windows1252,
            delimiter,
            Preprocess::new(1, true, vec!["Total".into()], false).expect("fine"),
            Mapping::Intervals(IntervalMapping {
                row: RowMapping {
                    queue: Column(0),
                    queue_name: None,
                    when: When::Timestamp {
                        column: Column(1),
                        format: DateTimeFormat::parse("DD/MM/YYYY hh:mm", FormatKind::Timestamp)
                            .expect("a format"),
                    },
                    channel: ChannelSource::Fixed(Channel::Calls),
                    zone: TimeZone::UTC,
                },
                offered: Column(2),
                answered: Column(3),
                handle_time: HandleTime::Average(Column(4)),
                handle_time_format: DurationFormat::Seconds,
                length: IntervalLength::Thirty,
                missing: Missing::Zero,
                decimal_comma: false,
            }),
        )
    }

    #[test]
    fn a_file_is_decoded_pre_processed_read_and_mapped() {
        let file = b"Report \xE9t\xE9 2026\r\nQueue;Start;Offered;Answered;AHT\r\n\
            Caf\xE9;27/11/2026 08:00;10;8;90,5\r\n\r\nCaf\xE9;27/11/2026 08:30;2;2;60\r\nTotal;;12;10;\r\n";
        let data = read_now(&schema(Delimiter::Semicolon), file).expect("read");
        let FileData::Intervals(rows) = data else {
            panic!("intervals")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].queue_name, "Café");
        assert_eq!(rows[0].line, 3);
        assert_eq!(
            rows[0].totals.map(|t| t.handle_time_ms),
            Some(724_000),
            "90,5 s with the decimal comma of a ;-file"
        );
    }

    #[test]
    fn a_file_with_problems_is_refused_whole_with_them_listed() {
        let file = b"Report\nQueue,Start,Offered,Answered,AHT\n\
            Sales,27/11/2026 08:00,10,8,90.5\n\
            Sales,27/11/2026 08:15,10,8,90\n\
            Sales,27/11/2026 08:30,10,80,90\n";
        let refused = read_now(&schema(Delimiter::Comma), file).expect_err("refused");
        let FileRefused::Rows { listed, total } = &refused else {
            panic!("row problems: {refused:?}")
        };
        assert_eq!(*total, 2);
        assert_eq!(listed[0].line, 4, "08:15 is not a 30-minute interval");
        assert_eq!(listed[1].line, 5);
        assert_eq!(refused.to_string(), "2 row problem(s), the first on line 4");
    }

    #[test]
    fn files_too_large_or_not_decodable_are_refused_before_reading() {
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(
            read_now(&schema(Delimiter::Comma), &big),
            Err(FileRefused::TooLarge)
        );
        let utf8 = CsvSchema::new(
            Encoding::Utf8,
            Delimiter::Comma,
            Preprocess::default(),
            schema(Delimiter::Comma).mapping().clone(),
        );
        assert!(matches!(
            read_now(&utf8, b"queue\nK\xE4se\n"),
            Err(FileRefused::Decode(_))
        ));
    }
}
