//! A schema as a JSON document: what the management API takes and gives,
//! and what the store keeps. Columns are named by their letters (`A`,
//! `B`, … `AA`) as in a spreadsheet, so a schema reads the same whether
//! the file has a header row or one is added. Checking a document lists
//! every problem at once, each with its JSON pointer, as the ingestion
//! API does.

use serde::{Deserialize, Serialize};

use super::{
    agents::AgentMapping,
    contacts::ContactMapping,
    encoding::Encoding,
    format::{DateTimeFormat, FormatKind},
    intervals::{HandleTime, IntervalMapping, Missing},
    preprocess::{column_letters, Preprocess},
    query::QueryMapping,
    rows::{ChannelSource, Column, RowMapping, When},
    schema::{CsvSchema, Layout, Mapping},
    table::Delimiter,
    value::DurationFormat,
    zone::TimeZone,
};
use crate::{ingest::Channel, integration::IntervalLength};

/// The most columns a schema may name (`ZZ`).
pub const MAX_COLUMN: usize = 26 * 27;

/// A CSV schema as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchemaDocument {
    /// `utf-8` (with or without BOM), `iso-8859-1`, `iso-8859-9` or `windows-1252`.
    #[cfg_attr(feature = "openapi", schema(example = "utf-8"))]
    pub encoding: String,
    /// `semicolon`, `comma`, `tab` or `pipe`. Where it is `semicolon`, decimals are read with a comma.
    #[cfg_attr(feature = "openapi", schema(example = "semicolon"))]
    pub delimiter: String,
    /// The IANA time zone the file's times are in, e.g. `Europe/Berlin`.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub time_zone: String,
    /// Lines skipped at the top of the file.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000))]
    pub skip_first_lines: u32,
    #[serde(default)]
    pub skip_empty_lines: bool,
    /// Lines holding any of these (case-sensitive) are skipped.
    #[serde(default)]
    pub skip_lines_containing: Vec<String>,
    /// The file has no header row: its columns are named A, B, C …
    #[serde(default)]
    pub add_header_row: bool,
    /// `intervals` (interval-based contact data), `contacts` (one row per contact, counted into 15-minute intervals) or `agentStatuses`. Fixed once saved.
    #[cfg_attr(feature = "openapi", schema(example = "intervals"))]
    pub layout: String,
    /// Interval-based only: 15, 30 or 60. Fixed once saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_minutes: Option<u32>,
    /// Interval-based only: an empty count is `zero` or `noData`; intervals the file leaves out are filled the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_values: Option<String>,
    /// Which column holds what; empty when a `query` maps the rows.
    #[serde(default, skip_serializing_if = "ColumnsDocument::is_empty")]
    pub columns: ColumnsDocument,
    /// Contact data only, instead of `columns`: an SQLite query over the table `uploaded_file` (the file's columns, named by the header in lower case) whose result has the columns `queueidentifier`, `queuename`, `timestamp` (`YYYY-MM-DD hh:mm:ss`), then `offered`, `answered`, `handlingtime` (total seconds) for intervals or `answered` (1/0) and optionally `duration` (seconds) for contacts, and optionally `channel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            example = "SELECT queue AS queueidentifier, queue AS queuename, start AS timestamp, offered, answered, handled_seconds AS handlingtime FROM uploaded_file"
        )
    )]
    pub query: Option<String>,
}

/// Which column holds what, by letter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ColumnsDocument {
    /// Contacts: the queue's identifier (and name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Contacts: when the interval starts or the contact came; agent statuses: when the status started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<WhenDocument>,
    /// Agent statuses: when the status ended, if the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<WhenDocument>,
    /// Contacts: the column holding the channel (empty cells are calls); without it, `fixedChannel`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Contacts without a channel column: `calls` (the default), `chats`, `emails`, `social_media`, `documents` or `cases`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_channel: Option<String>,
    /// Interval-based: contacts offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<String>,
    /// Interval-based: contacts answered; contact-based: whether the contact was answered (1/0, yes/no, true/false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<String>,
    /// Interval-based: the average handle time; contact-based: the contact's duration (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_time: Option<String>,
    /// `seconds` or `hh:mm:ss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_time_format: Option<String>,
    /// Agent statuses: the agent's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// Agent statuses: the activity's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
}

impl ColumnsDocument {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Where a time is read from: one timestamp column, or a date column and a time column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WhenDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// Tokens `D DD M MM YY YYYY h hh m mm s ss`; every other character is a separator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "DD/MM/YYYY hh:mm"))]
    pub timestamp_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_format: Option<String>,
}

/// One thing wrong with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentProblem {
    /// JSON pointer, e.g. `/columns/when/dateFormat`.
    pub pointer: String,
    pub detail: String,
}

/// Collects problems while a document is checked.
#[derive(Default)]
struct Problems(Vec<DocumentProblem>);

impl Problems {
    fn add(&mut self, pointer: &str, detail: impl Into<String>) {
        self.0.push(DocumentProblem {
            pointer: pointer.to_owned(),
            detail: detail.into(),
        });
    }

    /// `value`, or a problem at `pointer` and `None`.
    fn check<T, E: std::fmt::Display>(&mut self, pointer: &str, value: Result<T, E>) -> Option<T> {
        value
            .map_err(|error| self.add(pointer, error.to_string()))
            .ok()
    }

    fn required<'a>(&mut self, pointer: &str, value: &'a Option<String>) -> Option<&'a str> {
        let found = value.as_deref();
        if found.is_none() {
            self.add(pointer, "is required for this layout");
        }
        found
    }

    fn column(&mut self, pointer: &str, value: &Option<String>) -> Option<Column> {
        let letters = self.required(pointer, value)?;
        self.check(pointer, column_from_letters(letters))
    }

    fn none(&mut self, pointer: &str, value: &Option<impl Sized>, layout: &str) {
        if value.is_some() {
            self.add(pointer, format!("has no meaning for the {layout} layout"));
        }
    }
}

/// A column named by its letters.
pub fn column_from_letters(letters: &str) -> Result<Column, String> {
    let letters = letters.trim();
    let mut n: usize = 0;
    if letters.is_empty() || letters.len() > 2 {
        return Err(format!("{letters:?} is not a column: A, B, … Z, AA, … ZZ"));
    }
    for c in letters.chars() {
        if !c.is_ascii_alphabetic() {
            return Err(format!("{letters:?} is not a column: A, B, … Z, AA, … ZZ"));
        }
        n = n * 26 + usize::from(c.to_ascii_uppercase() as u8 - b'A') + 1;
    }
    Ok(Column(n - 1))
}

fn letters(column: Column) -> String {
    column_letters(column.0)
}

const LAYOUTS: [&str; 3] = ["intervals", "contacts", "agentStatuses"];

impl SchemaDocument {
    /// The schema the document describes, or every problem with it.
    pub fn schema(&self) -> Result<CsvSchema, Vec<DocumentProblem>> {
        let mut problems = Problems::default();
        let encoding = Encoding::parse(&self.encoding);
        if encoding.is_none() {
            problems.add(
                "/encoding",
                "is one of utf-8, iso-8859-1, iso-8859-9, windows-1252",
            );
        }
        let delimiter = Delimiter::parse(&self.delimiter);
        if delimiter.is_none() {
            problems.add("/delimiter", "is one of semicolon, comma, tab, pipe");
        }
        let zone = TimeZone::parse(&self.time_zone);
        if zone.is_none() {
            problems.add(
                "/timeZone",
                format!("{:?} is not an IANA time zone", self.time_zone),
            );
        }
        let preprocess = problems.check(
            "/skipLinesContaining",
            Preprocess::new(
                self.skip_first_lines as usize,
                self.skip_empty_lines,
                self.skip_lines_containing.clone(),
                self.add_header_row,
            ),
        );
        // Read on without a zone, so its columns' problems are listed too.
        let mapping = self.mapping(zone.unwrap_or(TimeZone::UTC), &mut problems);
        match (encoding, delimiter, preprocess, mapping) {
            (Some(encoding), Some(delimiter), Some(preprocess), Some(mapping))
                if problems.0.is_empty() =>
            {
                Ok(CsvSchema::new(encoding, delimiter, preprocess, mapping))
            }
            _ => Err(problems.0),
        }
    }

    fn mapping(&self, zone: TimeZone, problems: &mut Problems) -> Option<Mapping> {
        if let Some(sql) = &self.query {
            return self.query_mapping(sql, zone, problems);
        }
        let c = &self.columns;
        match self.layout.as_str() {
            "intervals" => {
                problems.none("/columns/end", &c.end, "intervals");
                problems.none("/columns/agent", &c.agent, "intervals");
                problems.none("/columns/activity", &c.activity, "intervals");
                let length = self.interval_length(problems);
                let missing = self.missing(problems);
                let row = self.row(zone, problems);
                let offered = problems.column("/columns/offered", &c.offered);
                let answered = problems.column("/columns/answered", &c.answered);
                let handle_time = problems.column("/columns/handleTime", &c.handle_time);
                let format = self.handle_time_format(problems);
                Some(Mapping::Intervals(IntervalMapping {
                    row: row?,
                    offered: offered?,
                    answered: answered?,
                    handle_time: HandleTime::Average(handle_time?),
                    handle_time_format: format?,
                    length: length?,
                    missing: missing?,
                    decimal_comma: false,
                }))
            }
            "contacts" => {
                self.not_for_contacts(problems);
                let row = self.row(zone, problems);
                let answered = problems.column("/columns/answered", &c.answered);
                let duration = match &c.handle_time {
                    None => Some(None),
                    Some(_) => {
                        let column = problems.column("/columns/handleTime", &c.handle_time);
                        let format = self.handle_time_format(problems);
                        column.zip(format).map(Some)
                    }
                };
                Some(Mapping::Contacts(ContactMapping {
                    row: row?,
                    answered: answered?,
                    duration: duration?,
                    decimal_comma: false,
                }))
            }
            "agentStatuses" => {
                self.not_for_agents(problems);
                let agent = problems.column("/columns/agent", &c.agent);
                let activity = problems.column("/columns/activity", &c.activity);
                let start = self.when("/columns/when", c.when.as_ref(), problems);
                let end = match &c.end {
                    None => Some(None),
                    Some(end) => self.when("/columns/end", Some(end), problems).map(Some),
                };
                Some(Mapping::AgentStatuses(AgentMapping {
                    agent: agent?,
                    activity: activity?,
                    start: start?,
                    end: end?,
                    zone,
                }))
            }
            _ => {
                problems.add("/layout", format!("is one of {}", LAYOUTS.join(", ")));
                None
            }
        }
    }

    fn interval_length(&self, problems: &mut Problems) -> Option<IntervalLength> {
        match self.interval_minutes {
            None => {
                problems.add("/intervalMinutes", "is required for this layout");
                None
            }
            Some(minutes) => problems.check("/intervalMinutes", IntervalLength::try_from(minutes)),
        }
    }

    fn missing(&self, problems: &mut Problems) -> Option<Missing> {
        match self.missing_values.as_deref() {
            None | Some("zero") => Some(Missing::Zero),
            Some("noData") => Some(Missing::NoData),
            Some(_) => {
                problems.add("/missingValues", "is zero or noData");
                None
            }
        }
    }

    /// Contact data mapped by a query: no columns.
    fn query_mapping(&self, sql: &str, zone: TimeZone, problems: &mut Problems) -> Option<Mapping> {
        if !self.columns.is_empty() {
            problems.add(
                "/columns",
                "goes without a query: columns or a query, not both",
            );
        }
        let (layout, missing) = match self.layout.as_str() {
            "intervals" => (
                self.interval_length(problems).map(Layout::Intervals),
                self.missing(problems),
            ),
            "contacts" => {
                problems.none("/intervalMinutes", &self.interval_minutes, "contacts");
                problems.none("/missingValues", &self.missing_values, "contacts");
                (Some(Layout::Contacts), Some(Missing::Zero))
            }
            "agentStatuses" => {
                problems.add(
                    "/query",
                    "maps contact data only: agent statuses are mapped by columns",
                );
                (None, None)
            }
            _ => {
                problems.add("/layout", format!("is one of {}", LAYOUTS.join(", ")));
                (None, None)
            }
        };
        let (layout, missing) = (layout?, missing?);
        problems
            .check("/query", QueryMapping::new(sql, layout, zone, missing))
            .map(Mapping::Query)
    }

    fn not_for_contacts(&self, problems: &mut Problems) {
        let c = &self.columns;
        problems.none("/intervalMinutes", &self.interval_minutes, "contacts");
        problems.none("/missingValues", &self.missing_values, "contacts");
        problems.none("/columns/offered", &c.offered, "contacts");
        problems.none("/columns/end", &c.end, "contacts");
        problems.none("/columns/agent", &c.agent, "contacts");
        problems.none("/columns/activity", &c.activity, "contacts");
    }

    fn not_for_agents(&self, problems: &mut Problems) {
        let c = &self.columns;
        let layout = "agentStatuses";
        problems.none("/intervalMinutes", &self.interval_minutes, layout);
        problems.none("/missingValues", &self.missing_values, layout);
        problems.none("/columns/queue", &c.queue, layout);
        problems.none("/columns/channel", &c.channel, layout);
        problems.none("/columns/fixedChannel", &c.fixed_channel, layout);
        problems.none("/columns/offered", &c.offered, layout);
        problems.none("/columns/answered", &c.answered, layout);
        problems.none("/columns/handleTime", &c.handle_time, layout);
        problems.none("/columns/handleTimeFormat", &c.handle_time_format, layout);
    }

    fn handle_time_format(&self, problems: &mut Problems) -> Option<DurationFormat> {
        match self.columns.handle_time_format.as_deref() {
            None => Some(DurationFormat::Seconds),
            Some(name) => {
                let format = DurationFormat::parse(name);
                if format.is_none() {
                    problems.add("/columns/handleTimeFormat", "is seconds or hh:mm:ss");
                }
                format
            }
        }
    }

    fn row(&self, zone: TimeZone, problems: &mut Problems) -> Option<RowMapping> {
        let c = &self.columns;
        let queue = problems.column("/columns/queue", &c.queue);
        let when = self.when("/columns/when", c.when.as_ref(), problems);
        let channel = match (&c.channel, &c.fixed_channel) {
            (Some(_), Some(_)) => {
                problems.add(
                    "/columns/fixedChannel",
                    "goes without a channel column: one or the other",
                );
                None
            }
            (Some(_), None) => problems
                .column("/columns/channel", &c.channel)
                .map(ChannelSource::Column),
            (None, fixed) => problems
                .check(
                    "/columns/fixedChannel",
                    fixed
                        .as_deref()
                        .unwrap_or("calls")
                        .parse::<Channel>()
                        .map_err(|()| {
                            "is one of calls, chats, emails, social_media, documents, cases"
                        }),
                )
                .map(ChannelSource::Fixed),
        };
        Some(RowMapping {
            queue: queue?,
            queue_name: None,
            when: when?,
            channel: channel?,
            zone,
        })
    }

    fn when(
        &self,
        pointer: &str,
        when: Option<&WhenDocument>,
        problems: &mut Problems,
    ) -> Option<When> {
        let Some(when) = when else {
            problems.add(pointer, "is required for this layout");
            return None;
        };
        let format = |problems: &mut Problems, field: &str, value: &Option<String>, kind| {
            let pointer = format!("{pointer}/{field}");
            let text = problems.required(&pointer, value)?;
            problems.check(&pointer, DateTimeFormat::parse(text, kind))
        };
        let column = |problems: &mut Problems, field: &str, value: &Option<String>| {
            problems.column(&format!("{pointer}/{field}"), value)
        };
        if when.timestamp.is_some() {
            for (field, value) in [
                ("date", &when.date),
                ("dateFormat", &when.date_format),
                ("time", &when.time),
                ("timeFormat", &when.time_format),
            ] {
                if value.is_some() {
                    problems.add(
                        &format!("{pointer}/{field}"),
                        "goes without a timestamp column: one or the other",
                    );
                }
            }
            let column = column(problems, "timestamp", &when.timestamp);
            let format = format(
                problems,
                "timestampFormat",
                &when.timestamp_format,
                FormatKind::Timestamp,
            );
            Some(When::Timestamp {
                column: column?,
                format: format?,
            })
        } else {
            if when.timestamp_format.is_some() {
                problems.add(
                    &format!("{pointer}/timestampFormat"),
                    "goes with a timestamp column",
                );
            }
            let date = column(problems, "date", &when.date);
            let date_format = format(problems, "dateFormat", &when.date_format, FormatKind::Date);
            let time = column(problems, "time", &when.time);
            let time_format = format(problems, "timeFormat", &when.time_format, FormatKind::Time);
            Some(When::DateAndTime {
                date: date?,
                date_format: date_format?,
                time: time?,
                time_format: time_format?,
            })
        }
    }
}

impl From<&When> for WhenDocument {
    fn from(when: &When) -> Self {
        match when {
            When::Timestamp { column, format } => WhenDocument {
                timestamp: Some(letters(*column)),
                timestamp_format: Some(format.to_string()),
                date: None,
                date_format: None,
                time: None,
                time_format: None,
            },
            When::DateAndTime {
                date,
                date_format,
                time,
                time_format,
            } => WhenDocument {
                timestamp: None,
                timestamp_format: None,
                date: Some(letters(*date)),
                date_format: Some(date_format.to_string()),
                time: Some(letters(*time)),
                time_format: Some(time_format.to_string()),
            },
        }
    }
}

fn row_columns(row: &RowMapping) -> ColumnsDocument {
    let (channel, fixed_channel) = match row.channel {
        ChannelSource::Column(column) => (Some(letters(column)), None),
        ChannelSource::Fixed(channel) => (None, Some(channel.as_str().to_owned())),
    };
    ColumnsDocument {
        queue: Some(letters(row.queue)),
        when: Some(WhenDocument::from(&row.when)),
        channel,
        fixed_channel,
        ..ColumnsDocument::default()
    }
}

impl From<&CsvSchema> for SchemaDocument {
    fn from(schema: &CsvSchema) -> Self {
        let missing_name = |missing| match missing {
            Missing::Zero => "zero",
            Missing::NoData => "noData",
        };
        let mut query = None;
        let (layout, interval_minutes, missing_values, zone, columns) = match schema.mapping() {
            Mapping::Query(m) => {
                query = Some(m.sql().to_owned());
                match m.layout() {
                    Layout::Intervals(length) => (
                        "intervals",
                        Some(length.minutes()),
                        Some(missing_name(m.missing())),
                        m.zone(),
                        ColumnsDocument::default(),
                    ),
                    Layout::Contacts | Layout::AgentStatuses => {
                        ("contacts", None, None, m.zone(), ColumnsDocument::default())
                    }
                }
            }
            Mapping::Intervals(m) => (
                "intervals",
                Some(m.length.minutes()),
                Some(missing_name(m.missing)),
                m.row.zone,
                ColumnsDocument {
                    offered: Some(letters(m.offered)),
                    answered: Some(letters(m.answered)),
                    handle_time: Some(letters(m.handle_time.column())),
                    handle_time_format: Some(m.handle_time_format.as_str().to_owned()),
                    ..row_columns(&m.row)
                },
            ),
            Mapping::Contacts(m) => (
                "contacts",
                None,
                None,
                m.row.zone,
                ColumnsDocument {
                    answered: Some(letters(m.answered)),
                    handle_time: m.duration.map(|(column, _)| letters(column)),
                    handle_time_format: m.duration.map(|(_, format)| format.as_str().to_owned()),
                    ..row_columns(&m.row)
                },
            ),
            Mapping::AgentStatuses(m) => (
                "agentStatuses",
                None,
                None,
                m.zone,
                ColumnsDocument {
                    agent: Some(letters(m.agent)),
                    activity: Some(letters(m.activity)),
                    when: Some(WhenDocument::from(&m.start)),
                    end: m.end.as_ref().map(WhenDocument::from),
                    ..ColumnsDocument::default()
                },
            ),
        };
        let preprocess = schema.preprocess();
        SchemaDocument {
            encoding: schema.encoding().as_str().to_owned(),
            delimiter: schema.delimiter().as_str().to_owned(),
            time_zone: zone.name().to_owned(),
            skip_first_lines: u32::try_from(preprocess.skip_first()).unwrap_or(u32::MAX),
            skip_empty_lines: preprocess.skip_empty(),
            skip_lines_containing: preprocess.skip_containing().to_vec(),
            add_header_row: preprocess.add_header(),
            layout: layout.to_owned(),
            interval_minutes,
            missing_values: missing_values.map(str::to_owned),
            columns,
            query,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(json: serde_json::Value) -> SchemaDocument {
        serde_json::from_value(json).expect("a document")
    }

    fn intervals() -> serde_json::Value {
        serde_json::json!({
            "encoding": "windows-1252",
            "delimiter": "semicolon",
            "timeZone": "Europe/Berlin",
            "skipFirstLines": 1,
            "skipEmptyLines": true,
            "skipLinesContaining": ["Total"],
            "layout": "intervals",
            "intervalMinutes": 30,
            "missingValues": "noData",
            "columns": {
                "queue": "A",
                "when": {"date": "B", "dateFormat": "DD/MM/YYYY", "time": "C", "timeFormat": "hh:mm"},
                "channel": "G",
                "offered": "D",
                "answered": "E",
                "handleTime": "F",
                "handleTimeFormat": "hh:mm:ss"
            }
        })
    }

    #[test]
    fn each_layout_reads_into_a_schema_and_back_unchanged() {
        let contacts = serde_json::json!({
            "encoding": "utf-8", "delimiter": "comma", "timeZone": "UTC", "layout": "contacts",
            "columns": {
                "queue": "C",
                "when": {"timestamp": "A", "timestampFormat": "YYYY-MM-DD hh:mm:ss"},
                "fixedChannel": "chats", "answered": "AB"
            }
        });
        let agents = serde_json::json!({
            "encoding": "iso-8859-9", "delimiter": "tab", "timeZone": "Europe/Istanbul",
            "addHeaderRow": true, "layout": "agentStatuses",
            "columns": {
                "agent": "A", "activity": "B",
                "when": {"timestamp": "C", "timestampFormat": "DD.MM.YYYY hh:mm"},
                "end": {"timestamp": "D", "timestampFormat": "DD.MM.YYYY hh:mm"}
            }
        });
        for json in [intervals(), contacts, agents] {
            let written = document(json);
            let schema = written.schema().expect("a schema");
            let read = SchemaDocument::from(&schema);
            assert_eq!(read.schema(), Ok(schema));
            let again = serde_json::to_value(&read).expect("json");
            assert_eq!(document(again), read);
        }
    }

    #[test]
    fn the_semicolon_brings_the_decimal_comma() {
        let schema = document(intervals()).schema().expect("a schema");
        let Mapping::Intervals(mapping) = schema.mapping() else {
            panic!("intervals")
        };
        assert!(mapping.decimal_comma);
        assert_eq!(mapping.row.queue, Column(0));
        assert_eq!(mapping.row.channel, ChannelSource::Column(Column(6)));
    }

    #[test]
    fn every_problem_is_listed_with_its_pointer() {
        let mut json = intervals();
        json["encoding"] = "latin-2".into();
        json["timeZone"] = "Mars/Olympus".into();
        json["intervalMinutes"] = 20.into();
        json["columns"]["offered"] = "3".into();
        json["columns"]["when"]["dateFormat"] = "DD/QQ".into();
        json["columns"]["agent"] = "H".into();
        json["columns"]
            .as_object_mut()
            .expect("columns")
            .remove("answered");
        let problems = document(json).schema().expect_err("problems");
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/encoding",
                "/timeZone",
                "/columns/agent",
                "/intervalMinutes",
                "/columns/when/dateFormat",
                "/columns/offered",
                "/columns/answered",
            ],
            "{problems:?}"
        );
        let mut json = intervals();
        json["columns"]["fixedChannel"] = "calls".into();
        let problems = document(json).schema().expect_err("problems");
        assert_eq!(problems[0].pointer, "/columns/fixedChannel");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut json = intervals();
        json["columns"]["queues"] = "A".into();
        assert!(serde_json::from_value::<SchemaDocument>(json).is_err());
    }

    #[test]
    fn columns_are_named_by_letters() {
        assert_eq!(column_from_letters("A"), Ok(Column(0)));
        assert_eq!(column_from_letters("z"), Ok(Column(25)));
        assert_eq!(column_from_letters("AA"), Ok(Column(26)));
        assert_eq!(column_from_letters("ZZ"), Ok(Column(MAX_COLUMN - 1)));
        for bad in ["", "AAA", "A1", "Ä"] {
            assert!(column_from_letters(bad).is_err(), "{bad}");
        }
        for index in [0, 25, 26, 51, 700, MAX_COLUMN - 1] {
            assert_eq!(
                column_from_letters(&column_letters(index)),
                Ok(Column(index))
            );
        }
    }
}
