//! The date, time and timestamp formats of a CSV schema (DESIGN §4): the
//! tokens `D DD M MM YY YYYY` and `h hh m mm s ss`, every other character a
//! separator that must appear as written. `DD/MM/YYYY` reads `05/03/2026`;
//! `D/M,YY h:m:s` reads `5/3,26 7:04:09`; `DDMMYY hh:mm` reads
//! `050326 07:04`.
//!
//! A two-letter token reads exactly two digits (`YYYY` four); a one-letter
//! token reads one or two, so it must be followed by a separator or end the
//! format — `DMYY` could read `1226` two ways and is refused when the
//! format is defined, not when a file is read.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// The longest format accepted.
pub const MAX_FORMAT_CHARS: usize = 64;

/// What a format describes, and so which parts it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatKind {
    /// Day, month and year.
    Date,
    /// Hour, optionally minute and second.
    Time,
    /// A date and a time in one column.
    Timestamp,
}

/// A part of a date or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Day,
    Month,
    Year,
    Hour,
    Minute,
    Second,
}

impl Field {
    fn word(self) -> &'static str {
        match self {
            Field::Day => "day",
            Field::Month => "month",
            Field::Year => "year",
            Field::Hour => "hour",
            Field::Minute => "minute",
            Field::Second => "second",
        }
    }
}

/// How many digits a token reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Digits {
    /// One or two (`D`, `M`, `h`, `m`, `s`).
    OneOrTwo,
    /// Exactly this many (`DD` … two, `YYYY` four).
    Exactly(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Token {
        field: Field,
        digits: Digits,
        text: &'static str,
    },
    Separator(char),
}

/// The tokens, longest first so `YYYY` is not read as `YY` `YY`.
const TOKENS: [(&str, Field, Digits); 12] = [
    ("YYYY", Field::Year, Digits::Exactly(4)),
    ("YY", Field::Year, Digits::Exactly(2)),
    ("DD", Field::Day, Digits::Exactly(2)),
    ("D", Field::Day, Digits::OneOrTwo),
    ("MM", Field::Month, Digits::Exactly(2)),
    ("M", Field::Month, Digits::OneOrTwo),
    ("hh", Field::Hour, Digits::Exactly(2)),
    ("h", Field::Hour, Digits::OneOrTwo),
    ("mm", Field::Minute, Digits::Exactly(2)),
    ("m", Field::Minute, Digits::OneOrTwo),
    ("ss", Field::Second, Digits::Exactly(2)),
    ("s", Field::Second, Digits::OneOrTwo),
];

/// Why a format cannot be used; each says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("the format is empty")]
    Empty,
    #[error("the format is longer than {MAX_FORMAT_CHARS} characters")]
    TooLong,
    #[error("{0:?} is not a token: write YY or YYYY for the year")]
    LoneY(String),
    #[error("the {} appears twice", .0.word())]
    Repeated(Field),
    #[error("a date format needs the day, the month and the year (D or DD, M or MM, YY or YYYY)")]
    IncompleteDate,
    #[error("a time format needs the hour (h or hh), and the minute if it has the second")]
    IncompleteTime,
    #[error("{0} reads one or two digits, so a separator must follow it: write {1} for two digits, or put a separator after it")]
    Ambiguous(&'static str, &'static str),
    #[error("a date format has no time in it: map the time in its own column, or use a timestamp format")]
    TimeInDate,
    #[error("a time format has no date in it: map the date in its own column, or use a timestamp format")]
    DateInTime,
}

/// Why a value does not read with its format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{value:?} does not match {format:?}: expected {expected} at character {at}")]
    Mismatch {
        value: String,
        format: String,
        expected: String,
        /// From 1.
        at: usize,
    },
    #[error("{value:?} goes on after {format:?} ends")]
    TrailingText { value: String, format: String },
    #[error("{value:?} is not a real {what}")]
    OutOfRange { value: String, what: &'static str },
}

/// A checked format of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeFormat {
    text: String,
    kind: FormatKind,
    pieces: Vec<Piece>,
}

impl fmt::Display for DateTimeFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// What a value read into.
#[derive(Debug, Default, Clone, Copy)]
struct Read {
    day: Option<u32>,
    month: Option<u32>,
    year: Option<i32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
}

impl DateTimeFormat {
    /// Checks `text` as a format of `kind`.
    pub fn parse(text: &str, kind: FormatKind) -> Result<Self, FormatError> {
        if text.trim().is_empty() {
            return Err(FormatError::Empty);
        }
        if text.chars().count() > MAX_FORMAT_CHARS {
            return Err(FormatError::TooLong);
        }
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some((token, field, digits)) =
                TOKENS.iter().find(|(token, ..)| rest.starts_with(token))
            {
                pieces.push(Piece::Token {
                    field: *field,
                    digits: *digits,
                    text: token,
                });
                rest = &rest[token.len()..];
            } else if c == 'Y' {
                let run: String = rest.chars().take_while(|&c| c == 'Y').collect();
                return Err(FormatError::LoneY(run));
            } else {
                pieces.push(Piece::Separator(c));
                rest = &rest[c.len_utf8()..];
            }
        }
        let mut seen = Vec::new();
        for (index, piece) in pieces.iter().enumerate() {
            let Piece::Token {
                field,
                digits,
                text,
            } = piece
            else {
                continue;
            };
            if seen.contains(field) {
                return Err(FormatError::Repeated(*field));
            }
            seen.push(*field);
            let followed_by_token = matches!(pieces.get(index + 1), Some(Piece::Token { .. }));
            if *digits == Digits::OneOrTwo && followed_by_token {
                let double = TOKENS
                    .iter()
                    .find(|(_, f, d)| f == field && *d == Digits::Exactly(2))
                    .map_or("", |(token, ..)| *token);
                return Err(FormatError::Ambiguous(text, double));
            }
        }
        let has = |field: Field| seen.contains(&field);
        let date_fields = [Field::Day, Field::Month, Field::Year];
        let time_fields = [Field::Hour, Field::Minute, Field::Second];
        let wants_date = kind != FormatKind::Time;
        let wants_time = kind != FormatKind::Date;
        if !wants_time && time_fields.into_iter().any(has) {
            return Err(FormatError::TimeInDate);
        }
        if !wants_date && date_fields.into_iter().any(has) {
            return Err(FormatError::DateInTime);
        }
        if wants_date && !date_fields.into_iter().all(has) {
            return Err(FormatError::IncompleteDate);
        }
        if wants_time && (!has(Field::Hour) || has(Field::Second) && !has(Field::Minute)) {
            return Err(FormatError::IncompleteTime);
        }
        Ok(Self {
            text: text.to_owned(),
            kind,
            pieces,
        })
    }

    pub fn kind(&self) -> FormatKind {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Reads a date with a date format.
    pub fn read_date(&self, value: &str) -> Result<NaiveDate, ValueError> {
        let read = self.read(value)?;
        self.date_of(value, &read)
    }

    /// Reads a time of day with a time format (missing minutes and seconds
    /// are zero).
    pub fn read_time(&self, value: &str) -> Result<NaiveTime, ValueError> {
        let read = self.read(value)?;
        self.time_of(value, &read)
    }

    /// Reads a date and time with a timestamp format.
    pub fn read_timestamp(&self, value: &str) -> Result<NaiveDateTime, ValueError> {
        let read = self.read(value)?;
        Ok(self
            .date_of(value, &read)?
            .and_time(self.time_of(value, &read)?))
    }

    fn date_of(&self, value: &str, read: &Read) -> Result<NaiveDate, ValueError> {
        let (Some(year), Some(month), Some(day)) = (read.year, read.month, read.day) else {
            return Err(self.out_of_range(value, "date"));
        };
        NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| self.out_of_range(value, "date"))
    }

    fn time_of(&self, value: &str, read: &Read) -> Result<NaiveTime, ValueError> {
        let Some(hour) = read.hour else {
            return Err(self.out_of_range(value, "time"));
        };
        NaiveTime::from_hms_opt(hour, read.minute.unwrap_or(0), read.second.unwrap_or(0))
            .ok_or_else(|| self.out_of_range(value, "time"))
    }

    fn out_of_range(&self, value: &str, what: &'static str) -> ValueError {
        ValueError::OutOfRange {
            value: value.to_owned(),
            what,
        }
    }

    /// Walks `value` along the pieces (surrounding spaces ignored).
    fn read(&self, value: &str) -> Result<Read, ValueError> {
        let text: Vec<char> = value.trim().chars().collect();
        let mut at = 0;
        let mut read = Read::default();
        let mismatch = |expected: String, at: usize| ValueError::Mismatch {
            value: value.to_owned(),
            format: self.text.clone(),
            expected,
            at: at + 1,
        };
        for piece in &self.pieces {
            match piece {
                Piece::Separator(separator) => {
                    if text.get(at) != Some(separator) {
                        return Err(mismatch(format!("{separator:?}"), at));
                    }
                    at += 1;
                }
                Piece::Token {
                    field,
                    digits,
                    text: token,
                } => {
                    let available = text[at..].iter().take_while(|c| c.is_ascii_digit()).count();
                    let taken = match *digits {
                        Digits::OneOrTwo if available >= 1 => available.min(2),
                        Digits::Exactly(n) if available >= n => n,
                        _ => {
                            let wanted = match digits {
                                Digits::OneOrTwo => "1 or 2 digits".to_owned(),
                                Digits::Exactly(n) => format!("{n} digits"),
                            };
                            return Err(mismatch(
                                format!("the {} as {wanted} ({token})", field.word()),
                                at,
                            ));
                        }
                    };
                    let number: u32 = text[at..at + taken]
                        .iter()
                        .fold(0, |n, c| n * 10 + c.to_digit(10).unwrap_or(0));
                    at += taken;
                    match field {
                        Field::Day => read.day = Some(number),
                        Field::Month => read.month = Some(number),
                        // Two-digit years are this century's.
                        Field::Year if *digits == Digits::Exactly(2) => {
                            read.year = Some(2000 + number as i32)
                        }
                        Field::Year => read.year = Some(number as i32),
                        Field::Hour => read.hour = Some(number),
                        Field::Minute => read.minute = Some(number),
                        Field::Second => read.second = Some(number),
                    }
                }
            }
        }
        if at < text.len() {
            return Err(ValueError::TrailingText {
                value: value.to_owned(),
                format: self.text.clone(),
            });
        }
        Ok(read)
    }
}

/// Formats proposed from a sample, in order of preference: day before
/// month (the way most of the world writes dates) where both read.
const DATE_GUESSES: [&str; 12] = [
    "YYYY-MM-DD",
    "DD.MM.YYYY",
    "D.M.YYYY",
    "DD/MM/YYYY",
    "D/M/YYYY",
    "MM/DD/YYYY",
    "M/D/YYYY",
    "DD-MM-YYYY",
    "DD.MM.YY",
    "DD/MM/YY",
    "YYYYMMDD",
    "DDMMYYYY",
];
const TIME_GUESSES: [&str; 4] = ["hh:mm:ss", "hh:mm", "h:mm:ss", "h:mm"];

/// A first guess at the format of a column from its sample values, for
/// the admin to confirm: the first common format every non-empty value
/// reads with (at most the first 200 values are looked at). `None` when
/// none does, or nothing is filled in.
pub fn guess(values: &[&str], kind: FormatKind) -> Option<DateTimeFormat> {
    let sample: Vec<&str> = values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
        .take(200)
        .collect();
    if sample.is_empty() {
        return None;
    }
    let candidates: Vec<String> = match kind {
        FormatKind::Date => DATE_GUESSES.iter().map(|f| (*f).to_owned()).collect(),
        FormatKind::Time => TIME_GUESSES.iter().map(|f| (*f).to_owned()).collect(),
        FormatKind::Timestamp => {
            let mut all = vec![
                "YYYY-MM-DDThh:mm:ss".to_owned(),
                "YYYY-MM-DDThh:mm:ssZ".to_owned(),
            ];
            for date in DATE_GUESSES {
                for time in TIME_GUESSES {
                    all.push(format!("{date} {time}"));
                }
            }
            all
        }
    };
    candidates
        .iter()
        .filter_map(|text| DateTimeFormat::parse(text, kind).ok())
        .find(|format| {
            sample.iter().all(|value| match kind {
                FormatKind::Date => format.read_date(value).is_ok(),
                FormatKind::Time => format.read_time(value).is_ok(),
                FormatKind::Timestamp => format.read_timestamp(value).is_ok(),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(format: &str) -> DateTimeFormat {
        DateTimeFormat::parse(format, FormatKind::Date).expect("a date format")
    }

    fn timestamp(format: &str) -> DateTimeFormat {
        DateTimeFormat::parse(format, FormatKind::Timestamp).expect("a timestamp format")
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        ymd(y, mo, d).and_hms_opt(h, mi, s).expect("a time")
    }

    #[test]
    fn the_documented_examples_read() {
        assert_eq!(date("D/M,YY").read_date("5/3,26"), Ok(ymd(2026, 3, 5)));
        assert_eq!(date("D/M,YY").read_date("15/12,26"), Ok(ymd(2026, 12, 15)));
        assert_eq!(date("DDMMYY").read_date("050326"), Ok(ymd(2026, 3, 5)));
        assert_eq!(date("DDMMYYYY").read_date("05032026"), Ok(ymd(2026, 3, 5)));
        let timestamps = [
            ("D/M,YY h:m:s", "5/3,26 7:4:9", at(2026, 3, 5, 7, 4, 9)),
            (
                "D/M,YY h:m:s",
                "25/11,26 17:45:00",
                at(2026, 11, 25, 17, 45, 0),
            ),
            ("DDMMYY hh:mm", "050326 07:04", at(2026, 3, 5, 7, 4, 0)),
            (
                "YYYY-MM-DD hh:mm:ss",
                " 2026-11-27 23:59:59 ",
                at(2026, 11, 27, 23, 59, 59),
            ),
        ];
        for (format, value, expected) in timestamps {
            assert_eq!(
                timestamp(format).read_timestamp(value),
                Ok(expected),
                "{format}"
            );
        }
        let time = DateTimeFormat::parse("hh:mm", FormatKind::Time).expect("a time format");
        assert_eq!(
            time.read_time("08:15"),
            Ok(NaiveTime::from_hms_opt(8, 15, 0).expect("a time"))
        );
    }

    #[test]
    fn values_that_do_not_match_say_where_and_what_was_expected() {
        assert_eq!(
            date("DDMMYY")
                .read_date("5326")
                .expect_err("refused")
                .to_string(),
            "\"5326\" does not match \"DDMMYY\": expected the year as 2 digits (YY) at character 5"
        );
        assert_eq!(
            date("D/M,YY")
                .read_date("5-3,26")
                .expect_err("refused")
                .to_string(),
            "\"5-3,26\" does not match \"D/M,YY\": expected '/' at character 2"
        );
        assert!(matches!(
            date("DDMMYYYY").read_date("0503202612"),
            Err(ValueError::TrailingText { .. })
        ));
        assert_eq!(
            date("DDMMYY")
                .read_date("310226")
                .expect_err("refused")
                .to_string(),
            "\"310226\" is not a real date"
        );
        assert!(matches!(
            timestamp("DDMMYY hh:mm").read_timestamp("050326 24:00"),
            Err(ValueError::OutOfRange { what: "time", .. })
        ));
        assert!(date("D/M,YY").read_date("").is_err());
        assert!(date("D/M,YY").read_date("1/2,ab").is_err());
    }

    #[test]
    fn formats_that_cannot_work_are_refused_with_what_to_write() {
        let refused =
            |format: &str, kind| DateTimeFormat::parse(format, kind).expect_err("refused");
        let long = "D".repeat(MAX_FORMAT_CHARS + 1);
        let cases = [
            ("", FormatKind::Date, FormatError::Empty),
            ("DD/MM", FormatKind::Date, FormatError::IncompleteDate),
            ("DD/MM/Y", FormatKind::Date, FormatError::LoneY("Y".into())),
            // YYY is YY and a lone Y.
            (
                "DD/MM/YYY",
                FormatKind::Date,
                FormatError::LoneY("Y".into()),
            ),
            ("DMYY", FormatKind::Date, FormatError::Ambiguous("D", "DD")),
            (
                "DD/DD/YY",
                FormatKind::Date,
                FormatError::Repeated(Field::Day),
            ),
            ("DD/MM/YY hh", FormatKind::Date, FormatError::TimeInDate),
            ("DD hh:mm", FormatKind::Time, FormatError::DateInTime),
            ("hh:ss", FormatKind::Time, FormatError::IncompleteTime),
            (
                "DD/MM/YY",
                FormatKind::Timestamp,
                FormatError::IncompleteTime,
            ),
            (long.as_str(), FormatKind::Date, FormatError::TooLong),
        ];
        for (format, kind, error) in cases {
            assert_eq!(refused(format, kind), error, "{format:?}");
        }
        assert!(refused("DMYY", FormatKind::Date)
            .to_string()
            .contains("write DD for two digits"));
    }

    #[test]
    fn separators_are_any_other_character_even_letters() {
        let iso = timestamp("YYYY-MM-DDThh:mm:ssZ");
        assert_eq!(
            iso.read_timestamp("2026-11-27T08:30:00Z"),
            Ok(at(2026, 11, 27, 8, 30, 0))
        );
        assert!(iso.read_timestamp("2026-11-27 08:30:00Z").is_err());
    }

    #[test]
    fn a_columns_format_is_guessed_from_its_values_day_before_month() {
        let text = |values: &[&str], kind| guess(values, kind).map(|f| f.to_string());
        assert_eq!(
            text(&["05/03/2026", "06/03/2026", ""], FormatKind::Date).as_deref(),
            Some("DD/MM/YYYY"),
            "ambiguous dates read day first"
        );
        assert_eq!(
            text(&["03/05/2026", "03/25/2026"], FormatKind::Date).as_deref(),
            Some("MM/DD/YYYY"),
            "a 25th month cannot be: month first"
        );
        assert_eq!(
            text(&["2026-11-27"], FormatKind::Date).as_deref(),
            Some("YYYY-MM-DD")
        );
        assert_eq!(
            text(
                &["27.11.2026 08:15", "27.11.2026 08:30"],
                FormatKind::Timestamp
            )
            .as_deref(),
            Some("DD.MM.YYYY hh:mm")
        );
        assert_eq!(
            text(&["8:15", "10:30"], FormatKind::Time).as_deref(),
            Some("h:mm")
        );
        assert_eq!(text(&["soon"], FormatKind::Date), None);
        assert_eq!(text(&["", " "], FormatKind::Date), None);
    }

    proptest::proptest! {
        #[test]
        fn every_real_date_written_in_a_format_reads_back(
            days in 0i64..36_500,
            seconds in 0u32..86_400,
        ) {
            let when = ymd(2000, 1, 1).and_hms_opt(0, 0, 0).expect("midnight")
                + chrono::TimeDelta::days(days)
                + chrono::TimeDelta::seconds(i64::from(seconds));
            for (format, written) in [
                ("DD.MM.YYYY hh:mm:ss", when.format("%d.%m.%Y %H:%M:%S").to_string()),
                ("D/M,YY h:m:s", when.format("%-d/%-m,%y %-H:%-M:%-S").to_string()),
                ("DDMMYY hh:mm:ss", when.format("%d%m%y %H:%M:%S").to_string()),
            ] {
                proptest::prop_assert_eq!(timestamp(format).read_timestamp(&written), Ok(when));
            }
        }

        #[test]
        fn no_value_makes_reading_panic(value in "\\PC{0,40}") {
            let _ = timestamp("D/M,YY h:m:s").read_timestamp(&value);
            let _ = date("DDMMYYYY").read_date(&value);
        }
    }
}
