//! The time zone a file's local times are in (DESIGN §4: the schema's
//! time zone, the database's time zone), from the IANA database
//! (`chrono-tz`), and how a local time becomes an instant.
//!
//! Twice a year local time is not one-to-one. When clocks go back, an hour
//! happens twice: a time in it is the first occurrence, unless the same
//! queue's previous row was already at or past that — then it is the
//! second (an export lists the repeated hour twice, in order). When clocks
//! go forward, an hour does not happen: a time in it is refused, since no
//! system in that zone wrote it.

use std::fmt;

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone as _, Utc};

/// An IANA time zone such as `Europe/Berlin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(chrono_tz::Tz);

/// A local time that did not happen in its zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{local} did not happen in {zone}: the clocks went forward over it")]
pub struct SkippedTime {
    pub local: NaiveDateTime,
    pub zone: &'static str,
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TimeZone {
    pub const UTC: TimeZone = TimeZone(chrono_tz::UTC);

    /// The zone of an IANA name, in any letter case.
    pub fn parse(name: &str) -> Option<Self> {
        chrono_tz::Tz::from_str_insensitive(name.trim())
            .ok()
            .map(Self)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Every zone's name, sorted, for the searchable list.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&'static str> =
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        names
    }

    /// The instant of `local`: in a repeated hour the first occurrence,
    /// unless `previous` (the same queue's previous row) is at or past it.
    pub fn instant(
        &self,
        local: NaiveDateTime,
        previous: Option<DateTime<Utc>>,
    ) -> Result<DateTime<Utc>, SkippedTime> {
        match self.0.from_local_datetime(&local) {
            LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, second) => {
                let first = first.with_timezone(&Utc);
                Ok(match previous {
                    Some(previous) if previous >= first => second.with_timezone(&Utc),
                    _ => first,
                })
            }
            LocalResult::None => Err(SkippedTime {
                local,
                zone: self.name(),
            }),
        }
    }

    /// The local time of `at` in this zone.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn local(month: u32, day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, month, day)
            .and_then(|d| d.and_hms_opt(hour, minute, 0))
            .expect("a time")
    }

    fn utc(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        local(month, day, hour, minute).and_utc()
    }

    #[test]
    fn names_read_in_any_case_and_are_listed() {
        assert_eq!(
            TimeZone::parse("europe/berlin").map(|z| z.name()),
            Some("Europe/Berlin")
        );
        assert_eq!(TimeZone::parse("Mars/Olympus"), None);
        let names = TimeZone::names();
        assert!(names.len() > 300);
        assert!(names.contains(&"America/New_York"));
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn local_times_become_instants_with_the_zones_offset() {
        let berlin = TimeZone::parse("Europe/Berlin").expect("a zone");
        assert_eq!(
            berlin.instant(local(1, 15, 9, 0), None),
            Ok(utc(1, 15, 8, 0))
        );
        assert_eq!(
            berlin.instant(local(7, 15, 9, 0), None),
            Ok(utc(7, 15, 7, 0))
        );
        assert_eq!(
            TimeZone::UTC.instant(local(7, 15, 9, 0), None),
            Ok(utc(7, 15, 9, 0))
        );
    }

    #[test]
    fn the_repeated_hour_is_read_in_order_and_the_skipped_one_refused() {
        let berlin = TimeZone::parse("Europe/Berlin").expect("a zone");
        // 25 October 2026: 03:00 CEST becomes 02:00 CET.
        let first = berlin
            .instant(local(10, 25, 2, 30), None)
            .expect("an instant");
        assert_eq!(first, utc(10, 25, 0, 30));
        let later_row = berlin
            .instant(local(10, 25, 2, 45), Some(first))
            .expect("an instant");
        assert_eq!(later_row, utc(10, 25, 0, 45), "still the first pass");
        let again = berlin
            .instant(local(10, 25, 2, 0), Some(later_row))
            .expect("an instant");
        assert_eq!(again, utc(10, 25, 1, 0), "the second pass of 02:00");
        // 29 March 2026: 02:00 CET becomes 03:00 CEST.
        let skipped = berlin
            .instant(local(3, 29, 2, 30), None)
            .expect_err("refused");
        assert_eq!(
            skipped.to_string(),
            "2026-03-29 02:30:00 did not happen in Europe/Berlin: the clocks went forward over it"
        );
    }
}
