//! The schema designer's form (DESIGN §4): every setting as a plain form
//! field, so the page works as a GET form without JavaScript and its URL
//! holds the draft; the draft read into a [`SchemaDocument`], with every
//! problem named by its field; and the preview of a file read with it.

use serde::{Deserialize, Serialize};

use super::{
    document::{ColumnsDocument, SchemaDocument, WhenDocument},
    import::{Changes, FileImport},
    preprocess::column_letters,
    proposal::Proposal,
    schema::{CsvSchema, FileData, FileRefused},
    table::Table,
};

/// Rows the preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// Problems the preview lists (the import history keeps the count).
pub const PREVIEW_PROBLEMS: usize = 200;

/// The designer's fields, as the browser sends them: text, empty when not
/// filled in; a checkbox is `on` when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SchemaForm {
    pub encoding: String,
    pub delimiter: String,
    pub time_zone: String,
    pub skip_first: String,
    pub skip_empty: String,
    /// One string per line.
    pub skip_containing: String,
    pub add_header: String,
    /// `intervals`, `contacts` or `agentStatuses`.
    pub layout: String,
    pub interval: String,
    pub missing: String,
    /// `date_time` or `timestamp`.
    pub time_source: String,
    pub queue: String,
    pub date: String,
    pub date_format: String,
    pub time: String,
    pub time_format: String,
    pub timestamp: String,
    pub timestamp_format: String,
    pub channel: String,
    pub fixed_channel: String,
    pub offered: String,
    pub answered: String,
    pub handle_time: String,
    pub handle_time_format: String,
    pub agent: String,
    pub activity: String,
    /// `none`, `date_time` or `timestamp`.
    pub end_source: String,
    pub end_date: String,
    pub end_date_format: String,
    pub end_time: String,
    pub end_time_format: String,
    pub end_timestamp: String,
    pub end_timestamp_format: String,
    /// `columns` (the default) or `query`: contact data read by an SQLite query.
    pub method: String,
    pub query: String,
}

/// Something wrong with a field of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// The form field, e.g. `date_format`.
    pub field: String,
    pub detail: String,
}

fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn ticked(value: &str) -> bool {
    !value.is_empty() && value != "off" && value != "false"
}

fn when(
    source: &str,
    [date, date_format, time, time_format, timestamp, timestamp_format]: [&str; 6],
) -> WhenDocument {
    if source == "timestamp" {
        WhenDocument {
            timestamp: text(timestamp),
            timestamp_format: text(timestamp_format),
            date: None,
            date_format: None,
            time: None,
            time_format: None,
        }
    } else {
        WhenDocument {
            timestamp: None,
            timestamp_format: None,
            date: text(date),
            date_format: text(date_format),
            time: text(time),
            time_format: text(time_format),
        }
    }
}

/// The form field a document pointer is about.
pub fn field_of(pointer: &str) -> String {
    let special = [
        ("/timeZone", "time_zone"),
        ("/skipFirstLines", "skip_first"),
        ("/skipLinesContaining", "skip_containing"),
        ("/intervalMinutes", "interval"),
        ("/missingValues", "missing"),
        ("/columns/when", "time_source"),
        ("/columns/end", "end_source"),
    ];
    if let Some((_, field)) = special.iter().find(|(p, _)| *p == pointer) {
        return (*field).to_owned();
    }
    let (prefix, last) = if let Some(rest) = pointer.strip_prefix("/columns/end/") {
        ("end_", rest)
    } else if let Some(rest) = pointer.strip_prefix("/columns/when/") {
        ("", rest)
    } else if let Some(rest) = pointer.strip_prefix("/columns/") {
        ("", rest)
    } else {
        ("", pointer.trim_start_matches('/'))
    };
    let mut field = prefix.to_owned();
    for c in last.chars() {
        if c.is_ascii_uppercase() {
            field.push('_');
            field.push(c.to_ascii_lowercase());
        } else {
            field.push(c);
        }
    }
    field
}

impl SchemaForm {
    /// A new schema's fields: the usual choices, nothing mapped.
    pub fn initial() -> Self {
        Self {
            encoding: "utf-8".into(),
            delimiter: "semicolon".into(),
            time_zone: "UTC".into(),
            skip_first: "0".into(),
            skip_empty: "on".into(),
            layout: "intervals".into(),
            interval: "15".into(),
            missing: "zero".into(),
            time_source: "date_time".into(),
            fixed_channel: "calls".into(),
            handle_time_format: "seconds".into(),
            end_source: "none".into(),
            method: "columns".into(),
            ..Self::default()
        }
    }

    /// The document the form describes; only the fields of the chosen
    /// layout count (the others stay in the form, unused).
    pub fn document(&self) -> Result<SchemaDocument, Vec<FieldProblem>> {
        let skip_first = match self.skip_first.trim() {
            "" => 0,
            number => number.parse::<u32>().map_err(|_| {
                vec![FieldProblem {
                    field: "skip_first".into(),
                    detail: format!("{number:?} is not a whole number of lines"),
                }]
            })?,
        };
        let interval = match self.interval.trim() {
            "" => None,
            number => Some(number.parse::<u32>().map_err(|_| {
                vec![FieldProblem {
                    field: "interval".into(),
                    detail: "an interval is 15, 30 or 60 minutes".into(),
                }]
            })?),
        };
        let start = when(
            &self.time_source,
            [
                &self.date,
                &self.date_format,
                &self.time,
                &self.time_format,
                &self.timestamp,
                &self.timestamp_format,
            ],
        );
        let end = (self.end_source != "none" && !self.end_source.is_empty()).then(|| {
            when(
                &self.end_source,
                [
                    &self.end_date,
                    &self.end_date_format,
                    &self.end_time,
                    &self.end_time_format,
                    &self.end_timestamp,
                    &self.end_timestamp_format,
                ],
            )
        });
        let (channel, fixed_channel) = match text(&self.channel) {
            Some(column) => (Some(column), None),
            None => (None, text(&self.fixed_channel)),
        };
        let layout = self.layout.trim();
        let by_query = self.method == "query";
        let columns = match layout {
            _ if by_query => ColumnsDocument::default(),
            "agentStatuses" => ColumnsDocument {
                agent: text(&self.agent),
                activity: text(&self.activity),
                when: Some(start),
                end,
                ..ColumnsDocument::default()
            },
            _ => ColumnsDocument {
                queue: text(&self.queue),
                when: Some(start),
                channel,
                fixed_channel,
                offered: (layout == "intervals")
                    .then(|| text(&self.offered))
                    .flatten(),
                answered: text(&self.answered),
                handle_time: text(&self.handle_time),
                handle_time_format: text(&self.handle_time)
                    .and_then(|_| text(&self.handle_time_format)),
                ..ColumnsDocument::default()
            },
        };
        Ok(SchemaDocument {
            encoding: self.encoding.trim().to_owned(),
            delimiter: self.delimiter.trim().to_owned(),
            time_zone: self.time_zone.trim().to_owned(),
            skip_first_lines: skip_first,
            skip_empty_lines: ticked(&self.skip_empty),
            skip_lines_containing: self
                .skip_containing
                .lines()
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect(),
            add_header_row: ticked(&self.add_header),
            layout: layout.to_owned(),
            interval_minutes: (layout == "intervals").then_some(interval).flatten(),
            missing_values: (layout == "intervals")
                .then(|| text(&self.missing))
                .flatten(),
            columns,
            query: by_query.then(|| self.query.trim().to_owned()),
        })
    }

    /// The schema the form describes, or every problem by field.
    pub fn schema(&self) -> Result<CsvSchema, Vec<FieldProblem>> {
        self.document()?.schema().map_err(|problems| {
            problems
                .into_iter()
                .map(|problem| FieldProblem {
                    field: field_of(&problem.pointer),
                    detail: problem.detail,
                })
                .collect()
        })
    }

    /// The fields of a saved schema.
    pub fn from_schema(schema: &CsvSchema) -> Self {
        let document = SchemaDocument::from(schema);
        let c = &document.columns;
        let opt = |value: &Option<String>| value.clone().unwrap_or_default();
        let mut form = Self {
            encoding: document.encoding.clone(),
            delimiter: document.delimiter.clone(),
            time_zone: document.time_zone.clone(),
            skip_first: document.skip_first_lines.to_string(),
            skip_empty: if document.skip_empty_lines { "on" } else { "" }.into(),
            skip_containing: document.skip_lines_containing.join("\n"),
            add_header: if document.add_header_row { "on" } else { "" }.into(),
            layout: document.layout.clone(),
            interval: document
                .interval_minutes
                .map_or(String::new(), |m| m.to_string()),
            missing: opt(&document.missing_values),
            queue: opt(&c.queue),
            channel: opt(&c.channel),
            fixed_channel: opt(&c.fixed_channel),
            offered: opt(&c.offered),
            answered: opt(&c.answered),
            handle_time: opt(&c.handle_time),
            handle_time_format: opt(&c.handle_time_format),
            agent: opt(&c.agent),
            activity: opt(&c.activity),
            end_source: "none".into(),
            method: if document.query.is_some() {
                "query"
            } else {
                "columns"
            }
            .into(),
            query: opt(&document.query),
            ..Self::default()
        };
        if let Some(start) = &c.when {
            form.time_source = if start.timestamp.is_some() {
                "timestamp"
            } else {
                "date_time"
            }
            .into();
            form.date = opt(&start.date);
            form.date_format = opt(&start.date_format);
            form.time = opt(&start.time);
            form.time_format = opt(&start.time_format);
            form.timestamp = opt(&start.timestamp);
            form.timestamp_format = opt(&start.timestamp_format);
        }
        if let Some(end) = &c.end {
            form.end_source = if end.timestamp.is_some() {
                "timestamp"
            } else {
                "date_time"
            }
            .into();
            form.end_date = opt(&end.date);
            form.end_date_format = opt(&end.date_format);
            form.end_time = opt(&end.time);
            form.end_time_format = opt(&end.time_format);
            form.end_timestamp = opt(&end.timestamp);
            form.end_timestamp_format = opt(&end.timestamp_format);
        }
        form
    }
}

/// The file as a table, as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePreview {
    /// Each column's letter and name (the header's, or the letter).
    pub columns: Vec<(String, String)>,
    /// The first rows, each with its line in the file.
    pub rows: Vec<(usize, Vec<String>)>,
    pub total_rows: usize,
}

impl TablePreview {
    pub fn of(table: &Table) -> Self {
        Self {
            columns: table
                .columns
                .iter()
                .enumerate()
                .map(|(index, name)| (column_letters(index), name.clone()))
                .collect(),
            rows: table
                .rows
                .iter()
                .take(PREVIEW_ROWS)
                .map(|row| (row.line, row.cells.clone()))
                .collect(),
            total_rows: table.rows.len(),
        }
    }
}

/// Which data the read rows are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowsKind {
    /// Line, queue, channel, start, offered, answered, AHT (s).
    Intervals,
    /// Line, queue, channel, time, answered, duration (s).
    Contacts,
    /// Line, agent, activity, start, end.
    AgentStatuses,
}

/// One problem as the preview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProblem {
    pub line: usize,
    /// The column's name; empty for the whole row or file.
    pub column: String,
    pub detail: String,
}

/// How the rows read with the schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowsPreview {
    Read {
        kind: RowsKind,
        /// The first rows, as text, times in UTC (RFC 3339).
        rows: Vec<Vec<String>>,
        total_rows: usize,
        queues: usize,
        intervals: usize,
        future_rows: usize,
    },
    Refused {
        problems: Vec<LineProblem>,
        total: usize,
        /// The lines are rows of a query's result, not of the file.
        in_result: bool,
    },
}

fn utc(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn seconds(ms: i64) -> String {
    let whole = ms / 1000;
    match ms % 1000 {
        0 => whole.to_string(),
        rest => format!("{whole}.{:03}", rest)
            .trim_end_matches('0')
            .to_owned(),
    }
}

impl RowsPreview {
    /// What reading a file with `schema` gives, or why it is refused.
    pub fn of(
        schema: &CsvSchema,
        read: Result<FileData, FileRefused>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let data = match read {
            Ok(data) => data,
            Err(refused) => return Self::refused(&refused),
        };
        let (kind, rows) = match &data {
            FileData::Intervals(rows) => (
                RowsKind::Intervals,
                rows.iter()
                    .take(PREVIEW_ROWS)
                    .map(|row| {
                        let totals = row.totals;
                        let count = |f: fn(&crate::ingest::IntervalTotals) -> i64| {
                            totals.as_ref().map_or("–".to_owned(), |t| f(t).to_string())
                        };
                        vec![
                            row.line.to_string(),
                            row.queue_name.clone(),
                            row.queue.channel.as_str().to_owned(),
                            utc(row.start),
                            count(|t| t.offered),
                            count(|t| t.handled),
                            totals
                                .and_then(|t| t.average_handle_time())
                                .map_or("–".to_owned(), |s| seconds((s * 1000.0).round() as i64)),
                        ]
                    })
                    .collect(),
            ),
            FileData::Contacts(contacts) => (
                RowsKind::Contacts,
                contacts
                    .iter()
                    .take(PREVIEW_ROWS)
                    .map(|(line, contact)| {
                        vec![
                            line.to_string(),
                            contact.queue_name.clone(),
                            contact.queue.channel.as_str().to_owned(),
                            utc(contact.at),
                            if contact.handled { "1" } else { "0" }.to_owned(),
                            seconds(contact.duration_ms),
                        ]
                    })
                    .collect(),
            ),
            FileData::AgentStatuses(statuses) => (
                RowsKind::AgentStatuses,
                statuses
                    .iter()
                    .take(PREVIEW_ROWS)
                    .map(|(line, status)| {
                        vec![
                            line.to_string(),
                            status.agent.clone(),
                            status.activity.clone(),
                            utc(status.start),
                            status.end.map_or(String::new(), utc),
                        ]
                    })
                    .collect(),
            ),
        };
        let import: FileImport = schema.changes(data, now);
        let intervals = match &import.changes {
            Changes::Intervals(spans) => spans.iter().map(|s| s.intervals.len()).sum(),
            Changes::AgentStatuses(statuses) => statuses.len(),
        };
        Self::Read {
            kind,
            rows,
            total_rows: import.rows,
            queues: import.queues(),
            intervals,
            future_rows: import.future_rows,
        }
    }

    /// A refused file's problems, the first [`PREVIEW_PROBLEMS`] listed.
    pub fn refused(refused: &FileRefused) -> Self {
        let in_result = matches!(refused, FileRefused::QueryRows { .. });
        let (mut problems, total) = match refused {
            FileRefused::Rows { listed, total } | FileRefused::QueryRows { listed, total } => (
                listed
                    .iter()
                    .map(|p| LineProblem {
                        line: p.line,
                        column: p.column.clone(),
                        detail: p.detail.clone(),
                    })
                    .collect::<Vec<_>>(),
                *total,
            ),
            FileRefused::Decode(error) => (
                vec![LineProblem {
                    line: error.line,
                    column: String::new(),
                    detail: refused.to_string(),
                }],
                1,
            ),
            other => (
                vec![LineProblem {
                    line: 0,
                    column: String::new(),
                    detail: other.to_string(),
                }],
                1,
            ),
        };
        problems.truncate(PREVIEW_PROBLEMS);
        Self::Refused {
            problems,
            total,
            in_result,
        }
    }
}

/// A file uploaded in the browser, as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadInfo {
    pub id: i64,
    pub name: String,
    pub size: u64,
    /// RFC 3339.
    pub uploaded_at: String,
}

/// Everything the designer page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Design {
    pub integration_name: String,
    pub may_edit: bool,
    /// The latest sample uploaded, if any.
    pub sample: Option<UploadInfo>,
    /// The draft: from the page's address, else the saved schema, else
    /// the usual choices.
    pub form: SchemaForm,
    /// The saved schema's layout, fixed (`intervals`, `contacts`,
    /// `agentStatuses`) with its interval length.
    pub fixed_layout: Option<(String, Option<u32>)>,
    /// How the saved schema maps its rows (`columns` or `query`): saving
    /// the other method replaces it.
    pub saved_method: Option<String>,
    /// Proposals from the sample, offered, never applied by themselves.
    pub proposal: Option<Proposal>,
    /// What is wrong with the draft, by field.
    pub problems: Vec<FieldProblem>,
    /// The sample as a table with the draft's encoding, delimiter and
    /// pre-processing, or why it does not read.
    pub table: Option<Result<TablePreview, String>>,
    /// The sample's rows read with the draft, when it is a schema.
    pub rows: Option<RowsPreview>,
}

/// A file uploaded by hand, before it is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadPreview {
    pub integration_name: String,
    pub file: UploadInfo,
    pub rows: RowsPreview,
    pub paused: bool,
}

impl SchemaForm {
    /// The sample as a table with this form's encoding, delimiter and
    /// pre-processing; `None` when those are not filled in right.
    pub fn table(&self, bytes: &[u8]) -> Option<Result<TablePreview, String>> {
        let document = self.document().ok()?;
        let encoding = super::encoding::Encoding::parse(&document.encoding)?;
        let delimiter = super::table::Delimiter::parse(&document.delimiter)?;
        let preprocess = super::preprocess::Preprocess::new(
            document.skip_first_lines as usize,
            document.skip_empty_lines,
            document.skip_lines_containing,
            document.add_header_row,
        )
        .ok()?;
        let read = encoding
            .decode(bytes)
            .map_err(|error| error.to_string())
            .and_then(|text| {
                Table::read(&text, delimiter, &preprocess).map_err(|error| error.to_string())
            });
        Some(read.map(|table| TablePreview::of(&table)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SchemaForm {
        SchemaForm {
            delimiter: "semicolon".into(),
            encoding: "windows-1252".into(),
            time_zone: "Europe/Berlin".into(),
            skip_containing: "Total\r\nSumme\n".into(),
            layout: "intervals".into(),
            interval: "30".into(),
            queue: "A".into(),
            date: "B".into(),
            date_format: "DD/MM/YYYY".into(),
            time: "C".into(),
            time_format: "hh:mm".into(),
            offered: "D".into(),
            answered: "E".into(),
            handle_time: "F".into(),
            // Left from trying another layout: unused.
            agent: "G".into(),
            ..SchemaForm::initial()
        }
    }

    #[test]
    fn a_filled_in_form_is_a_schema_and_a_saved_schema_fills_the_form() {
        let schema = form().schema().expect("a schema");
        assert_eq!(
            schema.preprocess().skip_containing(),
            ["Total".to_owned(), "Summe".to_owned()]
        );
        let again = SchemaForm::from_schema(&schema);
        assert_eq!(again.schema(), Ok(schema));
        assert_eq!(again.agent, "", "unused fields are not kept");
    }

    #[test]
    fn problems_name_their_fields() {
        let mut wrong = form();
        wrong.date_format = "DD/QQ".into();
        wrong.time_zone = "Nowhere".into();
        wrong.answered = String::new();
        let fields: Vec<String> = wrong
            .schema()
            .expect_err("problems")
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["time_zone", "date_format", "answered"]);
        let mut wrong = form();
        wrong.skip_first = "two".into();
        assert_eq!(wrong.schema().expect_err("problems")[0].field, "skip_first");
    }

    #[test]
    fn pointers_map_to_fields() {
        for (pointer, field) in [
            ("/encoding", "encoding"),
            ("/timeZone", "time_zone"),
            ("/columns/when", "time_source"),
            ("/columns/when/timestampFormat", "timestamp_format"),
            ("/columns/end/dateFormat", "end_date_format"),
            ("/columns/fixedChannel", "fixed_channel"),
            ("/columns/handleTime", "handle_time"),
            ("/intervalMinutes", "interval"),
        ] {
            assert_eq!(field_of(pointer), field);
        }
    }

    #[test]
    fn durations_show_as_seconds() {
        assert_eq!(seconds(90_500), "90.5");
        assert_eq!(seconds(60_000), "60");
        assert_eq!(seconds(1_234), "1.234");
    }
}
