//! A first guess at a schema from a sample file (DESIGN §4): encoding,
//! delimiter, whether there is a header row, the layout, and each
//! column's role and date or time format. Shown as proposals the admin
//! confirms or changes, never applied silently: the page offers them as
//! a filled-in form to review.

use serde::{Deserialize, Serialize};

use super::{
    designer::SchemaForm,
    encoding::Encoding,
    format::{guess, FormatKind},
    preprocess::{column_letters, Preprocess},
    table::{Delimiter, Table},
};

/// Lines above the table a sample may have (report titles).
const MAX_TITLE_LINES: usize = 10;
/// The bytes of a sample looked at.
const SAMPLE_BYTES: usize = 256 * 1024;

/// What a column seems to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Queue,
    Date,
    Time,
    Timestamp,
    Offered,
    Answered,
    HandleTime,
    Channel,
    Agent,
    Activity,
    End,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Queue => "queue",
            Role::Date => "date",
            Role::Time => "time",
            Role::Timestamp => "timestamp",
            Role::Offered => "offered",
            Role::Answered => "answered",
            Role::HandleTime => "handle_time",
            Role::Channel => "channel",
            Role::Agent => "agent",
            Role::Activity => "activity",
            Role::End => "end",
        }
    }
}

/// Header words for each role, in the console's four languages and the
/// usual export vocabulary; the first role whose word a header contains
/// wins, so the more specific come first.
const WORDS: [(Role, &[&str]); 11] = [
    (Role::End, &["end", "ende", "fin", "eind", "stop"]),
    (
        Role::Timestamp,
        &[
            "timestamp",
            "datetime",
            "start",
            "begin",
            "début",
            "zeitpunkt",
        ],
    ),
    (Role::Date, &["date", "datum", "day", "tag", "jour", "dag"]),
    (
        Role::HandleTime,
        &[
            "aht",
            "handle",
            "duration",
            "dauer",
            "durée",
            "duur",
            "talk",
            "bearbeitung",
            "afhandel",
        ],
    ),
    (
        Role::Time,
        &["time", "zeit", "heure", "tijd", "interval", "uhr"],
    ),
    (
        Role::Answered,
        &[
            "answered",
            "handled",
            "accepted",
            "angenommen",
            "beantwortet",
            "répondu",
            "traité",
            "beantwoord",
            "aangenomen",
        ],
    ),
    (
        Role::Offered,
        &[
            "offered",
            "incoming",
            "inbound",
            "angeboten",
            "eingehend",
            "offert",
            "aangeboden",
            "received",
            "calls",
        ],
    ),
    (
        Role::Channel,
        &["channel", "kanal", "canal", "kanaal", "media", "medium"],
    ),
    (
        Role::Agent,
        &[
            "agent",
            "mitarbeiter",
            "employee",
            "login",
            "user",
            "medewerker",
        ],
    ),
    (
        Role::Activity,
        &[
            "activity",
            "status",
            "state",
            "aktivität",
            "activité",
            "activiteit",
            "reason",
        ],
    ),
    (
        Role::Queue,
        &[
            "queue",
            "skill",
            "split",
            "warteschlange",
            "file",
            "wachtrij",
            "group",
            "gruppe",
            "groupe",
            "service",
            "campaign",
        ],
    ),
];

/// One column's proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnProposal {
    pub letter: String,
    pub name: String,
    pub role: Role,
    /// For dates, times and timestamps.
    pub format: Option<String>,
}

/// Everything proposed, and the form it fills in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub encoding: String,
    pub delimiter: String,
    /// Lines above the table (report titles).
    pub skip_first: usize,
    pub header_row: bool,
    pub layout: String,
    pub interval: Option<u32>,
    pub columns: Vec<ColumnProposal>,
    pub form: SchemaForm,
}

/// Proposes a schema for `sample`, keeping `base`'s time zone and
/// pre-processing; `None` when the sample does not read as a table.
pub fn propose(sample: &[u8], base: &SchemaForm) -> Option<Proposal> {
    let sample = &sample[..sample.len().min(SAMPLE_BYTES)];
    let encoding = Encoding::guess(sample);
    let text = encoding.decode_lossy(sample);
    // Report titles above the table: the first line from which the lines
    // split alike is where the table starts.
    let base_skip = base.skip_first.trim().parse::<usize>().unwrap_or(0);
    let all: Vec<&str> = text.lines().collect();
    let (skip_first, delimiter) = (base_skip..base_skip + MAX_TITLE_LINES).find_map(|skip| {
        let lines: Vec<&str> = all
            .iter()
            .skip(skip)
            .filter(|line| !line.trim().is_empty())
            .copied()
            .collect();
        Delimiter::guess(lines.iter().copied()).map(|delimiter| (skip, delimiter))
    })?;
    let preprocess = Preprocess::new(skip_first, true, Vec::new(), true).ok()?;
    let mut table = Table::read(&text, delimiter, &preprocess).ok()?;
    // Whether the first row names the columns: it has no number, date or
    // time where the rows below have them.
    let header_row = table.rows.first().is_some_and(|first| {
        let below = &table.rows[1..];
        !below.is_empty()
            && first.cells.iter().enumerate().any(|(i, cell)| {
                !looks_like_a_value(cell) && below.iter().all(|row| looks_like_a_value(row.cell(i)))
            })
    });
    let names: Vec<String> = match (header_row, table.rows.first()) {
        (true, Some(first)) => first.cells.iter().map(|c| c.trim().to_owned()).collect(),
        _ => table.columns.clone(),
    };
    if header_row {
        table.rows.remove(0);
    }
    let mut taken: Vec<Role> = Vec::new();
    let mut columns = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let values: Vec<&str> = table
            .rows
            .iter()
            .take(200)
            .map(|row| row.cell(index))
            .collect();
        if let Some((role, format)) = role_of(name, &values, header_row, &taken) {
            taken.push(role);
            columns.push(ColumnProposal {
                letter: column_letters(index),
                name: name.clone(),
                role,
                format,
            });
        }
    }
    let has = |role: Role| taken.contains(&role);
    let layout = if has(Role::Agent) && has(Role::Activity) {
        "agentStatuses"
    } else if has(Role::Offered) {
        "intervals"
    } else {
        "contacts"
    };
    let interval = (layout == "intervals").then(|| interval_of(&table, &columns));
    let mut form = SchemaForm {
        encoding: encoding.as_str().into(),
        delimiter: delimiter.as_str().into(),
        add_header: if header_row { "" } else { "on" }.into(),
        layout: layout.into(),
        interval: interval.map_or(String::new(), |m| m.to_string()),
        time_source: if has(Role::Timestamp) {
            "timestamp"
        } else {
            "date_time"
        }
        .into(),
        end_source: if has(Role::End) { "timestamp" } else { "none" }.into(),
        time_zone: base.time_zone.clone(),
        skip_first: skip_first.to_string(),
        skip_empty: base.skip_empty.clone(),
        skip_containing: base.skip_containing.clone(),
        ..SchemaForm::initial()
    };
    for column in &columns {
        let letter = column.letter.clone();
        let format = column.format.clone().unwrap_or_default();
        match column.role {
            Role::Queue => form.queue = letter,
            Role::Date => (form.date, form.date_format) = (letter, format),
            Role::Time => (form.time, form.time_format) = (letter, format),
            Role::Timestamp => (form.timestamp, form.timestamp_format) = (letter, format),
            Role::End => (form.end_timestamp, form.end_timestamp_format) = (letter, format),
            Role::Offered => form.offered = letter,
            Role::Answered => form.answered = letter,
            Role::HandleTime => {
                form.handle_time_format = if format.is_empty() {
                    "seconds"
                } else {
                    "hh:mm:ss"
                }
                .into();
                form.handle_time = letter;
            }
            Role::Channel => form.channel = letter,
            Role::Agent => form.agent = letter,
            Role::Activity => form.activity = letter,
        }
    }
    Some(Proposal {
        encoding: form.encoding.clone(),
        delimiter: form.delimiter.clone(),
        skip_first,
        header_row,
        layout: layout.into(),
        interval,
        columns,
        form,
    })
}

/// A number, a date or a time (or empty): what data rows hold.
fn looks_like_a_value(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty()
        || cell
            .chars()
            .all(|c| c.is_ascii_digit() || " .,:/-+T".contains(c))
}

/// The role and format of a column, from its name and values.
fn role_of(
    name: &str,
    values: &[&str],
    named: bool,
    taken: &[Role],
) -> Option<(Role, Option<String>)> {
    let lower = name.to_lowercase();
    let by_name = named
        .then(|| {
            WORDS
                .iter()
                .find(|(role, words)| {
                    !taken.contains(role) && words.iter().any(|word| lower.contains(word))
                })
                .map(|(role, _)| *role)
        })
        .flatten();
    let format_of = |kind| guess(values, kind).map(|format| format.to_string());
    let timestamp = format_of(FormatKind::Timestamp);
    let date = format_of(FormatKind::Date);
    let time = format_of(FormatKind::Time);
    match by_name {
        Some(Role::End) => timestamp.map(|f| (Role::End, Some(f))),
        Some(Role::Timestamp | Role::Date | Role::Time) => {
            if let Some(f) = timestamp.filter(|_| !taken.contains(&Role::Timestamp)) {
                Some((Role::Timestamp, Some(f)))
            } else if let Some(f) = date.filter(|_| !taken.contains(&Role::Date)) {
                Some((Role::Date, Some(f)))
            } else {
                time.filter(|_| !taken.contains(&Role::Time))
                    .map(|f| (Role::Time, Some(f)))
            }
        }
        Some(Role::HandleTime) => {
            let clock = values.iter().any(|v| v.contains(':'));
            Some((Role::HandleTime, clock.then(|| "hh:mm:ss".to_owned())))
        }
        Some(role) => Some((role, None)),
        None => {
            // Unnamed: only a time column is recognised by its values.
            if let Some(f) = timestamp.filter(|_| !taken.contains(&Role::Timestamp)) {
                Some((Role::Timestamp, Some(f)))
            } else if let Some(f) = date.filter(|_| !taken.contains(&Role::Date)) {
                Some((Role::Date, Some(f)))
            } else {
                time.filter(|_| !taken.contains(&Role::Time))
                    .map(|f| (Role::Time, Some(f)))
            }
        }
    }
}

/// The interval length the sample's starts fit: 60 when every start is
/// on the hour, 30 on the half hour, else 15.
fn interval_of(table: &Table, columns: &[ColumnProposal]) -> u32 {
    let time_column = columns
        .iter()
        .find(|c| matches!(c.role, Role::Time | Role::Timestamp));
    let Some(column) = time_column else {
        return 15;
    };
    let index = columns_index(&column.letter);
    let minutes: Vec<u32> = table
        .rows
        .iter()
        .filter_map(|row| minute_of(row.cell(index)))
        .collect();
    if minutes.is_empty() {
        15
    } else if minutes.iter().all(|m| *m == 0) {
        60
    } else if minutes.iter().all(|m| m % 30 == 0) {
        30
    } else {
        15
    }
}

fn columns_index(letters: &str) -> usize {
    super::document::column_from_letters(letters).map_or(0, |column| column.0)
}

/// The minutes of a time like `08:30` or `2026-11-02 08:30:00`.
fn minute_of(cell: &str) -> Option<u32> {
    let time = cell.trim().rsplit([' ', 'T']).next()?;
    let mut parts = time.split(':');
    parts.next()?;
    parts.next()?.get(..2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(proposal: &Proposal) -> Vec<(&str, Role, Option<&str>)> {
        proposal
            .columns
            .iter()
            .map(|c| (c.letter.as_str(), c.role, c.format.as_deref()))
            .collect()
    }

    #[test]
    fn an_interval_export_with_a_header_is_read_as_one() {
        let sample = b"Queue;Date;Time;Offered;Answered;AHT\r\n\
            Caf\xE9;02/11/2026;08:00;10;8;90,5\r\n\
            Caf\xE9;02/11/2026;08:30;4;4;60\r\n\
            Sales;13/11/2026;09:00;4;4;60\r\n";
        let proposal = propose(sample, &SchemaForm::initial()).expect("a proposal");
        assert_eq!(proposal.encoding, "windows-1252");
        assert_eq!(proposal.delimiter, "semicolon");
        assert!(proposal.header_row);
        assert_eq!(proposal.layout, "intervals");
        assert_eq!(proposal.interval, Some(30));
        assert_eq!(
            roles(&proposal),
            [
                ("A", Role::Queue, None),
                ("B", Role::Date, Some("DD/MM/YYYY")),
                ("C", Role::Time, Some("hh:mm")),
                ("D", Role::Offered, None),
                ("E", Role::Answered, None),
                ("F", Role::HandleTime, None),
            ]
        );
        let schema = proposal.form.schema().expect("the proposal is a schema");
        assert!(crate::csv::schema::read_now(&schema, sample).is_ok());
    }

    #[test]
    fn agent_statuses_without_a_header_are_found_by_their_values() {
        let sample = b"a17,Ready,2026-11-02 08:00:00\na18,Break,2026-11-02 08:05:00\n";
        let proposal = propose(sample, &SchemaForm::initial()).expect("a proposal");
        assert!(!proposal.header_row);
        assert_eq!(proposal.form.add_header, "on");
        assert_eq!(proposal.delimiter, "comma");
        assert_eq!(
            roles(&proposal),
            [("C", Role::Timestamp, Some("YYYY-MM-DD hh:mm:ss"))]
        );
        assert_eq!(proposal.layout, "contacts", "without names, no agent");
    }

    #[test]
    fn contact_rows_with_a_timestamp_and_a_clock_duration() {
        let sample = "Start,Skill,Answered,Talk time,Channel\n\
            2026-11-02 08:01:10,Sales,1,00:03:10,chats\n\
            2026-11-02 08:02:00,Sales,0,,\n";
        let proposal = propose(sample.as_bytes(), &SchemaForm::initial()).expect("a proposal");
        assert_eq!(proposal.encoding, "utf-8");
        assert_eq!(proposal.layout, "contacts");
        assert_eq!(proposal.form.time_source, "timestamp");
        assert_eq!(proposal.form.handle_time_format, "hh:mm:ss");
        assert_eq!(proposal.form.channel, "E");
        let schema = proposal.form.schema().expect("a schema");
        assert!(crate::csv::schema::read_now(&schema, sample.as_bytes()).is_ok());
    }

    #[test]
    fn a_report_title_above_the_table_is_skipped() {
        let sample = b"Daily report\r\n\r\nQueue;Date;Time;Offered;Answered;AHT\r\n\
            Sales;02/11/2026;08:00;10;8;90\r\n\
            Sales;02/11/2026;08:15;4;4;60\r\n";
        let proposal = propose(sample, &SchemaForm::initial()).expect("a proposal");
        assert_eq!(proposal.skip_first, 1);
        assert!(proposal.header_row);
        assert_eq!(proposal.form.queue, "A");
        let schema = proposal.form.schema().expect("a schema");
        assert!(crate::csv::schema::read_now(&schema, sample).is_ok());
    }

    #[test]
    fn nothing_is_proposed_for_a_file_that_is_not_a_table() {
        assert_eq!(propose(b"", &SchemaForm::initial()), None);
        assert_eq!(propose(b"just one line", &SchemaForm::initial()), None);
    }
}
