//! A CSV integration's schema (DESIGN §4) and what it makes of a file:
//! decode, pre-process, read as a table, map the rows. A file is applied
//! all or nothing, so reading it either gives everything to import or
//! says why not — every row problem at once, by line and column.

use super::{
    agents::{read_agent_statuses, AgentMapping},
    contacts::{read_contacts, ContactMapping},
    encoding::{DecodeError, Encoding},
    intervals::{read_intervals, IntervalMapping, IntervalRow},
    preprocess::Preprocess,
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
            Mapping::AgentStatuses(_) => {}
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

    /// Everything the file holds, or why it is not imported.
    pub fn read(&self, bytes: &[u8]) -> Result<FileData, FileRefused> {
        let table = self.table(bytes)?;
        let read = match &self.mapping {
            Mapping::Intervals(mapping) => read_intervals(&table, mapping).map(FileData::Intervals),
            Mapping::Contacts(mapping) => read_contacts(&table, mapping).map(FileData::Contacts),
            Mapping::AgentStatuses(mapping) => {
                read_agent_statuses(&table, mapping).map(FileData::AgentStatuses)
            }
        };
        read.map_err(|mut problems| {
            let total = problems.len();
            problems.truncate(MAX_PROBLEMS_LISTED);
            FileRefused::Rows {
                listed: problems,
                total,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        csv::{
            format::{DateTimeFormat, FormatKind},
            intervals::Missing,
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
                average_handle_time: Column(4),
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
        let data = schema(Delimiter::Semicolon).read(file).expect("read");
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
        let refused = schema(Delimiter::Comma).read(file).expect_err("refused");
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
            schema(Delimiter::Comma).read(&big),
            Err(FileRefused::TooLarge)
        );
        let utf8 = CsvSchema::new(
            Encoding::Utf8,
            Delimiter::Comma,
            Preprocess::default(),
            schema(Delimiter::Comma).mapping().clone(),
        );
        assert!(matches!(
            utf8.read(b"queue\nK\xE4se\n"),
            Err(FileRefused::Decode(_))
        ));
    }
}
