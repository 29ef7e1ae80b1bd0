//! The numbers in a CSV file's cells (DESIGN §4): counts (offered,
//! answered), and durations — seconds, with a decimal comma where the
//! delimiter is `;`, or `hh:mm:ss` — kept in milliseconds as the interval
//! statistics keep handle time. An empty cell is *missing*, which the
//! schema fills with 0 or shows as no data; anything else that does not
//! read is an error saying what was expected.

/// The largest count a cell may hold.
pub const MAX_COUNT: i64 = 1_000_000_000;
/// The longest duration a cell may hold: a year.
pub const MAX_DURATION_MS: i64 = 366 * 24 * 3_600 * 1_000;

/// How a duration is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationFormat {
    /// `95`, `95.5` (or `95,5` with a decimal comma).
    Seconds,
    /// `hh:mm:ss` or `h:mm:ss`, also `mm:ss`.
    Clock,
}

impl DurationFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DurationFormat::Seconds => "seconds",
            DurationFormat::Clock => "hh:mm:ss",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [DurationFormat::Seconds, DurationFormat::Clock]
            .into_iter()
            .find(|format| format.as_str() == name)
    }
}

/// Why a cell does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    #[error("{0:?} is not a whole number of 0 or more")]
    NotACount(String),
    #[error("{0:?} is more than {MAX_COUNT}")]
    CountTooLarge(String),
    #[error("{0:?} is not a number of seconds{1}")]
    NotSeconds(String, &'static str),
    #[error("{0:?} is not a duration like 01:02:03 (hours:minutes:seconds)")]
    NotClock(String),
    #[error("{0:?} is longer than a year")]
    DurationTooLong(String),
}

/// A count: `None` when the cell is empty.
pub fn read_count(cell: &str) -> Result<Option<i64>, CellError> {
    let text = cell.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CellError::NotACount(cell.to_owned()));
    }
    match text.parse::<i64>() {
        Ok(count) if count <= MAX_COUNT => Ok(Some(count)),
        _ => Err(CellError::CountTooLarge(cell.to_owned())),
    }
}

/// A duration in milliseconds: `None` when the cell is empty. With
/// `decimal_comma`, `1,5` is one and a half seconds (and `1.5` is not).
pub fn read_duration_ms(
    cell: &str,
    format: DurationFormat,
    decimal_comma: bool,
) -> Result<Option<i64>, CellError> {
    let text = cell.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let ms = match format {
        DurationFormat::Seconds => seconds_ms(text, decimal_comma)
            .ok_or_else(|| CellError::NotSeconds(cell.to_owned(), hint(decimal_comma)))?,
        DurationFormat::Clock => {
            clock_ms(text).ok_or_else(|| CellError::NotClock(cell.to_owned()))?
        }
    };
    if ms > MAX_DURATION_MS {
        return Err(CellError::DurationTooLong(cell.to_owned()));
    }
    Ok(Some(ms))
}

fn hint(decimal_comma: bool) -> &'static str {
    if decimal_comma {
        " (like 95 or 95,5)"
    } else {
        " (like 95 or 95.5)"
    }
}

/// `95`, `95.5` or `95,5`: whole seconds and up to three decimals.
fn seconds_ms(text: &str, decimal_comma: bool) -> Option<i64> {
    let point = if decimal_comma { ',' } else { '.' };
    let (whole, fraction) = text.split_once(point).unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || whole.len() > 12 {
        return None;
    }
    if text.contains(point) && fraction.is_empty() {
        return None;
    }
    let seconds: i64 = whole.parse().ok()?;
    // Milliseconds from the first three decimals; further ones round.
    let mut padded: String = fraction.chars().chain("000".chars()).take(4).collect();
    let round_up = padded.pop().is_some_and(|digit| digit >= '5');
    let ms: i64 = padded.parse().ok()?;
    Some(seconds * 1_000 + ms + i64::from(round_up))
}

/// `h:mm:ss`, `hh:mm:ss` or `mm:ss`.
fn clock_ms(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split(':').collect();
    let number = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m, s] => (number(h)?, number(m)?, number(s)?),
        [m, s] => (0, number(m)?, number(s)?),
        _ => return None,
    };
    let two_digits = |s: &str| s.len() == 2;
    if !two_digits(parts[parts.len() - 1]) || minutes > 59 && parts.len() == 3 || seconds > 59 {
        return None;
    }
    if parts.len() == 3 && !two_digits(parts[1]) {
        return None;
    }
    Some(((hours * 60 + minutes) * 60 + seconds) * 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_whole_numbers_and_empty_is_missing() {
        assert_eq!(read_count(" 12 "), Ok(Some(12)));
        assert_eq!(read_count("0"), Ok(Some(0)));
        assert_eq!(read_count(""), Ok(None));
        assert_eq!(read_count("  "), Ok(None));
        assert!(matches!(read_count("-1"), Err(CellError::NotACount(_))));
        assert!(matches!(read_count("1.5"), Err(CellError::NotACount(_))));
        assert!(matches!(read_count("12a"), Err(CellError::NotACount(_))));
        assert!(matches!(
            read_count("99999999999999999999"),
            Err(CellError::CountTooLarge(_))
        ));
        assert_eq!(
            read_count("x").expect_err("refused").to_string(),
            "\"x\" is not a whole number of 0 or more"
        );
    }

    #[test]
    fn seconds_read_with_a_decimal_point_or_comma_as_the_schema_says() {
        let seconds = |cell, comma| read_duration_ms(cell, DurationFormat::Seconds, comma);
        assert_eq!(seconds("95", false), Ok(Some(95_000)));
        assert_eq!(seconds("95.5", false), Ok(Some(95_500)));
        assert_eq!(seconds("95,5", true), Ok(Some(95_500)));
        assert_eq!(
            seconds("1.2345", false),
            Ok(Some(1_235)),
            "rounded to the millisecond"
        );
        assert_eq!(seconds("0.0004", false), Ok(Some(0)));
        assert_eq!(seconds("", false), Ok(None));
        assert!(
            seconds("95,5", false).is_err(),
            "a comma without a decimal comma"
        );
        assert!(
            seconds("95.5", true).is_err(),
            "a point with a decimal comma"
        );
        assert!(seconds("95.", false).is_err());
        assert!(seconds(".5", false).is_err());
        assert!(seconds("-3", false).is_err());
        assert_eq!(
            seconds("abc", true).expect_err("refused").to_string(),
            "\"abc\" is not a number of seconds (like 95 or 95,5)"
        );
        assert!(matches!(
            seconds("99999999999", false),
            Err(CellError::DurationTooLong(_))
        ));
    }

    #[test]
    fn clock_durations_read_hours_minutes_and_seconds() {
        let clock = |cell| read_duration_ms(cell, DurationFormat::Clock, false);
        assert_eq!(clock("00:01:35"), Ok(Some(95_000)));
        assert_eq!(clock("1:01:35"), Ok(Some(3_695_000)));
        assert_eq!(clock("26:00:00"), Ok(Some(93_600_000)), "hours past a day");
        assert_eq!(clock("01:35"), Ok(Some(95_000)), "minutes and seconds");
        assert_eq!(clock(""), Ok(None));
        for wrong in [
            "1:5:00", "00:60:00", "00:00:60", "95", "1:2:3:4", "a:bc:de", "00:01:5",
        ] {
            assert!(clock(wrong).is_err(), "{wrong} is refused");
        }
        assert_eq!(
            clock("95").expect_err("refused").to_string(),
            "\"95\" is not a duration like 01:02:03 (hours:minutes:seconds)"
        );
    }

    #[test]
    fn names_round_trip() {
        for format in [DurationFormat::Seconds, DurationFormat::Clock] {
            assert_eq!(DurationFormat::parse(format.as_str()), Some(format));
        }
    }

    proptest::proptest! {
        #[test]
        fn no_cell_makes_reading_panic(cell in "\\PC{0,30}") {
            let _ = read_count(&cell);
            let _ = read_duration_ms(&cell, DurationFormat::Seconds, true);
            let _ = read_duration_ms(&cell, DurationFormat::Clock, false);
        }

        #[test]
        fn clock_durations_written_read_back(seconds in 0i64..(100 * 3_600)) {
            let written = format!("{:02}:{:02}:{:02}", seconds / 3_600, seconds / 60 % 60, seconds % 60);
            proptest::prop_assert_eq!(
                read_duration_ms(&written, DurationFormat::Clock, false),
                Ok(Some(seconds * 1_000))
            );
        }
    }
}
