//! Interval-based files (DESIGN §4): each row is one queue's interval,
//! and the schema says how long an interval is. A row whose start is not
//! on that length's grid comes from shorter intervals, which cannot be
//! read as the chosen length: the file is refused at its first such line.
//! Longer intervals only leave gaps, which the schema fills with 0 or
//! shows as no data.

use chrono::{NaiveDateTime, Timelike};

use crate::integration::IntervalLength;

/// A row that starts between two intervals of the chosen length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {start} does not start a {minutes}-minute interval; the file's intervals are shorter than the schema's")]
pub struct ShorterInterval {
    pub line: usize,
    pub start: NaiveDateTime,
    pub minutes: u32,
}

impl ShorterInterval {
    /// What is wrong, without the line (for a problem that names it).
    pub fn detail(&self) -> String {
        format!(
            "{} does not start a {}-minute interval; the file's intervals are shorter than the schema's",
            self.start, self.minutes
        )
    }
}

/// Checks that every start (with its line) is on the grid of `length`.
pub fn check_interval_starts(
    starts: impl IntoIterator<Item = (usize, NaiveDateTime)>,
    length: IntervalLength,
) -> Result<(), ShorterInterval> {
    let minutes = length.minutes();
    match starts.into_iter().find(|(_, start)| {
        start.minute() % minutes != 0 || start.second() != 0 || start.nanosecond() != 0
    }) {
        Some((line, start)) => Err(ShorterInterval {
            line,
            start,
            minutes,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn at(hour: u32, minute: u32, second: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|day| day.and_hms_opt(hour, minute, second))
            .expect("a time")
    }

    #[test]
    fn starts_on_the_grid_pass_and_the_first_off_it_is_named() {
        let quarter_hours = [(2, at(8, 0, 0)), (3, at(8, 15, 0)), (4, at(8, 45, 0))];
        assert_eq!(
            check_interval_starts(quarter_hours, IntervalLength::Fifteen),
            Ok(())
        );
        assert_eq!(
            check_interval_starts(quarter_hours, IntervalLength::Thirty),
            Err(ShorterInterval {
                line: 3,
                start: at(8, 15, 0),
                minutes: 30
            })
        );
        // Longer intervals than chosen leave gaps, which is fine here.
        assert_eq!(
            check_interval_starts(
                [(2, at(8, 0, 0)), (3, at(9, 0, 0))],
                IntervalLength::Fifteen
            ),
            Ok(())
        );
        let error = check_interval_starts([(7, at(8, 0, 30))], IntervalLength::Fifteen)
            .expect_err("refused");
        assert_eq!(
            error.to_string(),
            "line 7: 2026-11-27 08:00:30 does not start a 15-minute interval; the file's intervals are shorter than the schema's"
        );
    }
}
