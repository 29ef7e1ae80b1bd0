//! When a database integration's query runs, and for which stretch of
//! time (DESIGN §4). Its client runs the query for a *window*: the query
//! marks where the window goes with `{from}` and `{to}`, which the client
//! binds as parameters — timestamps in the database's time zone — so the
//! customer's database selects by them with its own indexes.
//!
//! - Once paired, the history is imported first: up to three years,
//!   oldest first, a window per job sized so a job reads about
//!   [`TARGET_ROWS`] rows (a day at first, then longer or shorter as the
//!   last window's rows say), so the client's memory and each job's result
//!   stay bounded however long the history and however busy the centre.
//! - Then every 15 minutes (every 10 s in real time) the newest data
//!   since the last success: from the start of the quarter-hour the last
//!   import reached, so an interval still filling is read again whole.
//! - *Data reconciliation* reads the last 24 hours again every 15 minutes
//!   so corrections at the source arrive.
//! - A pause stops the jobs. After a pause shorter than 24 hours the
//!   next import starts where the last one ended; after a longer one, from
//!   the quarter-hour 24 hours back.
//!
//! A window's result replaces what it covers (`csv::import`), so a window
//! read twice counts nothing twice.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    cloud_link::job::JobId, csv::zone::TimeZone, ingest::interval_start,
    integration::IntervalLength,
};

/// How far back the first import reaches.
pub const HISTORY: TimeDelta = TimeDelta::days(3 * 365);
/// The first history window; later ones follow the rows they find.
pub const FIRST_STEP: TimeDelta = TimeDelta::days(1);
/// The shortest and longest history windows.
pub const MIN_STEP: TimeDelta = TimeDelta::minutes(15);
pub const MAX_STEP: TimeDelta = TimeDelta::days(31);
/// The rows a history window aims at: a few MiB on the wire.
pub const TARGET_ROWS: i64 = 50_000;
/// How far back reconciliation reads again.
pub const RECONCILE_SPAN: TimeDelta = TimeDelta::hours(24);
/// A pause longer than this drops what is older than `RECONCILE_SPAN`.
pub const LONG_PAUSE: TimeDelta = TimeDelta::hours(24);

/// How often imports run and how far back the first one reaches: DESIGN
/// §4's figures by default; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub history: TimeDelta,
    /// The newest data.
    pub every: Duration,
    /// … in real time.
    pub real_time_every: Duration,
    /// The last 24 hours again.
    pub reconcile_every: Duration,
}

impl Default for Periods {
    fn default() -> Self {
        Self {
            history: HISTORY,
            every: Duration::from_secs(15 * 60),
            real_time_every: Duration::from_secs(10),
            reconcile_every: Duration::from_secs(15 * 60),
        }
    }
}

/// Where the window goes in a query.
pub const FROM_MARKER: &str = "{from}";
pub const TO_MARKER: &str = "{to}";

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// What a job is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// The history, or the newest data.
    Import,
    /// The last 24 hours again.
    Reconciliation,
}

/// The stretch of time `[from, to)` a job reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    /// The window's ends as the database's local time, for the query's
    /// parameters. In the hour repeated when clocks go back the local end
    /// could come before the start: it is then kept as long as the
    /// window, so nothing in between is skipped (what is read twice is
    /// replaced, not added).
    pub fn local(&self, zone: TimeZone) -> (NaiveDateTime, NaiveDateTime) {
        let from = zone.local(self.from);
        let to = zone.local(self.to).max(from + (self.to - self.from));
        (from, to)
    }
}

/// How far an integration's imports have come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The end of the newest window imported without a gap before it.
    pub imported_to: Option<DateTime<Utc>>,
    /// When the last reconciliation ended its window.
    pub reconciled_at: Option<DateTime<Utc>>,
    /// The length of the next history window (`FIRST_STEP` until one
    /// was read).
    pub step: Option<TimeDelta>,
}

impl Progress {
    fn step(&self) -> TimeDelta {
        self.step.unwrap_or(FIRST_STEP).clamp(MIN_STEP, MAX_STEP)
    }
}

/// What the schedule looks at besides the progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    pub real_time: bool,
    pub reconciliation: bool,
}

impl Cadence {
    fn every(self, periods: &Periods) -> TimeDelta {
        delta(if self.real_time {
            periods.real_time_every
        } else {
            periods.every
        })
    }
}

/// The last job queued for the integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastJob {
    pub id: JobId,
    pub queued_at: DateTime<Utc>,
    /// `None` while it is open.
    pub succeeded: Option<bool>,
}

/// The job due at `now`, if any. One job at a time (an open one waits);
/// a failed job is tried again after a period, not at once; a history
/// goes on at once after each window that succeeded.
pub fn next(
    cadence: Cadence,
    progress: Progress,
    last: Option<LastJob>,
    periods: &Periods,
    now: DateTime<Utc>,
) -> Option<(Purpose, Window)> {
    let every = cadence.every(periods);
    if last.is_some_and(|last| last.succeeded.is_none()) {
        return None;
    }
    let from = quarter_hour(progress.imported_to.unwrap_or(now - periods.history));
    let step = progress.step();
    let behind = now - from > step;
    let waited = last.is_none_or(|last| now >= last.queued_at + every);
    let went_on = last.is_some_and(|last| last.succeeded == Some(true));
    if behind && (waited || went_on) {
        return Some((
            Purpose::Import,
            Window {
                from,
                to: from + step,
            },
        ));
    }
    let reconcile_due = cadence.reconciliation
        && progress
            .reconciled_at
            .is_none_or(|at| now >= at + delta(periods.reconcile_every));
    if reconcile_due && waited {
        return Some((
            Purpose::Reconciliation,
            Window {
                from: quarter_hour(now - RECONCILE_SPAN).min(from),
                to: now,
            },
        ));
    }
    // What is left after a history goes on at once too.
    let import_due = progress.imported_to.is_none_or(|to| now >= to + every);
    (import_due && (waited || went_on)).then_some((Purpose::Import, Window { from, to: now }))
}

/// The windows of a job whose first window is `first`: a history job
/// also reads the ones after it, as long as the first, while each is as
/// far behind as [`next`] asks of a history window, `max` in all at most.
pub fn windows(purpose: Purpose, first: Window, now: DateTime<Utc>, max: usize) -> Vec<Window> {
    let step = first.to - first.from;
    let following = std::iter::successors(Some(first), |window| {
        Some(Window {
            from: window.to,
            to: window.to + step,
        })
    });
    match purpose {
        Purpose::Reconciliation => vec![first],
        Purpose::Import => std::iter::once(first)
            .chain(
                following
                    .skip(1)
                    .take_while(|window| now - window.from > step),
            )
            .take(max.max(1))
            .collect(),
    }
}

/// Where window `n` of a job's `windows` stands, as far as imports came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// To be applied now.
    Due,
    /// Imported already (sent again): applying it again changes nothing.
    Done,
    /// A window before it is not imported yet: windows are applied in
    /// order, so nothing is skipped.
    Early,
}

/// Windows of an import are applied in order: one is due once the window
/// before it was imported, done once imports came past its end. A
/// reconciliation window is always due (it reads again what was imported).
pub fn turn(purpose: Purpose, progress: Progress, windows: &[Window], n: usize) -> Turn {
    let reached = progress.imported_to;
    match purpose {
        Purpose::Reconciliation => Turn::Due,
        Purpose::Import if reached.is_some_and(|to| to >= windows[n].to) => Turn::Done,
        Purpose::Import if n == 0 || reached.is_some_and(|to| to >= windows[n - 1].to) => Turn::Due,
        Purpose::Import => Turn::Early,
    }
}

/// The window a job's own report carries: the first not imported yet (a
/// client reports the last window with the job, after sending the others
/// one by one; an older client reports the first alone).
pub fn reported_window(purpose: Purpose, progress: Progress, windows: &[Window]) -> usize {
    (0..windows.len())
        .find(|&n| turn(purpose, progress, windows, n) != Turn::Done)
        .unwrap_or(windows.len().saturating_sub(1))
}

/// The progress once a job of `purpose` read `rows` rows for `window`:
/// the next history window is as long as `TARGET_ROWS` would take at the
/// rate just seen, changing by at most four times at a step.
pub fn advanced(progress: Progress, purpose: Purpose, window: Window, rows: usize) -> Progress {
    let step = progress.step();
    let length = (window.to - window.from).num_seconds().max(1);
    let rows = i64::try_from(rows).unwrap_or(i64::MAX).max(1);
    let at_this_rate = TimeDelta::seconds(length.saturating_mul(TARGET_ROWS) / rows);
    let next_step = match purpose {
        Purpose::Import => at_this_rate
            .clamp(step / 4, step * 4)
            .clamp(MIN_STEP, MAX_STEP),
        Purpose::Reconciliation => step,
    };
    Progress {
        imported_to: Some(
            progress
                .imported_to
                .map_or(window.to, |to| to.max(window.to)),
        ),
        reconciled_at: match purpose {
            Purpose::Reconciliation => Some(window.to),
            Purpose::Import => progress.reconciled_at,
        },
        step: Some(next_step),
    }
}

/// Where imports go on after a resume at `now` of an integration paused
/// at `paused_at`: where they stopped after a short pause, from the
/// quarter-hour 24 hours back after a long one. `None`: unchanged.
pub fn after_resume(
    progress: Progress,
    paused_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let earliest = quarter_hour(now - RECONCILE_SPAN);
    let long = now - paused_at > LONG_PAUSE;
    (long && progress.imported_to.is_none_or(|to| to < earliest)).then_some(earliest)
}

fn quarter_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    interval_start(at, IntervalLength::Fifteen)
}

/// A query with its window marked, as the client runs it: every marker
/// replaced by `?`, and which end each `?` takes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedQuery {
    pub sql: String,
    pub parameters: Vec<End>,
}

/// An end of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum End {
    From,
    To,
}

/// Why a query's markers do not work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    #[error(
        "marks no window: select by {{from}} (and {{to}}), e.g. WHERE started >= {{from}} AND started < {{to}}"
    )]
    NoWindow,
    #[error("has a ? parameter: mark the window with {{from}} and {{to}} instead")]
    Parameter,
}

impl MarkedQuery {
    /// Finds the markers outside the query's string literals, quoted
    /// names and comments.
    pub fn parse(sql: &str) -> Result<Self, MarkerError> {
        let mut out = String::with_capacity(sql.len());
        let mut parameters = Vec::new();
        let mut rest = sql;
        while let Some(c) = rest.chars().next() {
            let quoted_until = match c {
                '\'' => Some("'"),
                '"' => Some("\""),
                '`' => Some("`"),
                '[' => Some("]"),
                _ => None,
            };
            let skipped = if let Some(close) = quoted_until {
                // A doubled quote inside is the quote itself: the literal
                // goes on, which scanning to the next quote again gives.
                rest[1..]
                    .find(close)
                    .map_or(rest.len(), |at| at + 1 + close.len())
            } else if rest.starts_with("--") {
                rest.find('\n').unwrap_or(rest.len())
            } else if let Some(comment) = rest.strip_prefix("/*") {
                comment.find("*/").map_or(rest.len(), |at| at + 4)
            } else if rest.starts_with(FROM_MARKER) || rest.starts_with(TO_MARKER) {
                let (end, marker) = if rest.starts_with(FROM_MARKER) {
                    (End::From, FROM_MARKER)
                } else {
                    (End::To, TO_MARKER)
                };
                parameters.push(end);
                out.push('?');
                rest = &rest[marker.len()..];
                continue;
            } else if c == '?' {
                return Err(MarkerError::Parameter);
            } else {
                c.len_utf8()
            };
            out.push_str(&rest[..skipped]);
            rest = &rest[skipped..];
        }
        if !parameters.contains(&End::From) {
            return Err(MarkerError::NoWindow);
        }
        Ok(Self {
            sql: out,
            parameters,
        })
    }
}

/// How a window's end is written as a parameter.
pub fn parameter(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a time")
            .with_timezone(&Utc)
    }

    const PLAIN: Cadence = Cadence {
        real_time: false,
        reconciliation: false,
    };

    fn ended(queued_at: &str, succeeded: bool) -> Option<LastJob> {
        Some(LastJob {
            id: JobId(1),
            queued_at: at(queued_at),
            succeeded: Some(succeeded),
        })
    }

    fn imported_to(text: &str) -> Progress {
        Progress {
            imported_to: Some(at(text)),
            ..Progress::default()
        }
    }

    fn window(from: &str, to: &str) -> Window {
        Window {
            from: at(from),
            to: at(to),
        }
    }

    #[test]
    fn a_history_job_reads_the_windows_after_its_first_while_they_lie_behind() {
        let first = window("2026-11-01T00:00:00Z", "2026-11-05T00:00:00Z");
        let now = at("2026-11-27T10:07:00Z");
        let history = windows(Purpose::Import, first, now, 8);
        assert_eq!(history.len(), 6, "{history:?}");
        assert_eq!(history[0], first);
        for pair in history.windows(2) {
            assert_eq!(pair[1].from, pair[0].to);
            assert_eq!(pair[1].to - pair[1].from, first.to - first.from);
        }
        // The last one lies a whole window behind, as `next` asks.
        assert_eq!(
            history[5],
            window("2026-11-21T00:00:00Z", "2026-11-25T00:00:00Z")
        );
        assert_eq!(windows(Purpose::Import, first, now, 3).len(), 3);
        assert_eq!(windows(Purpose::Import, first, now, 0), [first]);
        // The newest data and a reconciliation are one window.
        let newest = window("2026-11-27T09:45:00Z", "2026-11-27T10:07:00Z");
        assert_eq!(windows(Purpose::Import, newest, now, 8), [newest]);
        let again = window("2026-11-26T10:00:00Z", "2026-11-27T10:07:00Z");
        assert_eq!(windows(Purpose::Reconciliation, again, now, 8), [again]);
    }

    #[test]
    fn windows_are_applied_in_order_and_once() {
        let history = [
            window("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"),
            window("2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"),
            window("2026-11-03T00:00:00Z", "2026-11-04T00:00:00Z"),
        ];
        let import = |progress| {
            (0..3)
                .map(|n| turn(Purpose::Import, progress, &history, n))
                .collect::<Vec<_>>()
        };
        use Turn::{Done, Due, Early};
        assert_eq!(import(Progress::default()), [Due, Early, Early]);
        assert_eq!(
            import(imported_to("2026-11-01T00:00:00Z")),
            [Due, Early, Early]
        );
        assert_eq!(
            import(imported_to("2026-11-02T00:00:00Z")),
            [Done, Due, Early]
        );
        assert_eq!(
            import(imported_to("2026-11-04T00:00:00Z")),
            [Done, Done, Done]
        );
        // A reconciliation reads again what was imported.
        assert_eq!(
            turn(
                Purpose::Reconciliation,
                imported_to("2026-11-04T00:00:00Z"),
                &history,
                0
            ),
            Due
        );
        // A job's own report carries the first window not imported yet.
        let reported = |text| reported_window(Purpose::Import, imported_to(text), &history);
        assert_eq!(reported("2026-11-01T00:00:00Z"), 0);
        assert_eq!(reported("2026-11-03T00:00:00Z"), 2);
        assert_eq!(reported("2026-11-05T00:00:00Z"), 2);
    }

    #[test]
    fn the_first_import_reads_three_years_a_day_at_a_time_oldest_first() {
        let now = at("2026-11-27T10:07:00Z");
        let (purpose, window) =
            next(PLAIN, Progress::default(), None, &Periods::default(), now).expect("due");
        assert_eq!(purpose, Purpose::Import);
        assert_eq!(window.from, quarter_hour(now - HISTORY));
        assert_eq!(window.to - window.from, FIRST_STEP);
        // The next window goes at once after a success …
        let progress = advanced(Progress::default(), purpose, window, 4_800);
        let after = next(
            PLAIN,
            progress,
            ended("2026-11-27T10:07:00Z", true),
            &Periods::default(),
            now,
        )
        .expect("the next day");
        assert_eq!(after.1.from, window.to);
        // … but a failed one waits a period.
        assert_eq!(
            next(
                PLAIN,
                Progress::default(),
                ended("2026-11-27T10:07:00Z", false),
                &Periods::default(),
                now
            ),
            None
        );
    }

    #[test]
    fn history_windows_follow_the_rows_they_find_within_bounds() {
        let day = Window {
            from: at("2025-01-01T00:00:00Z"),
            to: at("2025-01-02T00:00:00Z"),
        };
        // A quiet day: the next window is four times as long, no more.
        let quiet = advanced(Progress::default(), Purpose::Import, day, 4_800);
        assert_eq!(quiet.step, Some(TimeDelta::days(4)));
        // A busy one: shorter, so a job stays near TARGET_ROWS.
        let busy = advanced(Progress::default(), Purpose::Import, day, 100_000);
        assert_eq!(
            busy.step,
            Some(TimeDelta::seconds(86_400 * 50_000 / 100_000))
        );
        let next = next(
            PLAIN,
            busy,
            ended("2026-11-27T10:00:00Z", true),
            &Periods::default(),
            at("2026-11-27T10:00:01Z"),
        )
        .expect("due");
        assert_eq!(next.1.to - next.1.from, TimeDelta::hours(12));
        // Never past the bounds, however empty or full.
        let mut progress = Progress::default();
        for _ in 0..10 {
            progress = advanced(progress, Purpose::Import, day, 0);
        }
        assert_eq!(progress.step, Some(MAX_STEP));
        for _ in 0..10 {
            progress = advanced(progress, Purpose::Import, day, 10_000_000);
        }
        assert_eq!(progress.step, Some(MIN_STEP));
    }

    #[test]
    fn then_every_fifteen_minutes_from_the_quarter_hour_the_last_import_reached() {
        let progress = imported_to("2026-11-27T10:07:00Z");
        let last = ended("2026-11-27T10:07:00Z", true);
        assert_eq!(
            next(
                PLAIN,
                progress,
                last,
                &Periods::default(),
                at("2026-11-27T10:21:59Z")
            ),
            None
        );
        let (purpose, window) = next(
            PLAIN,
            progress,
            last,
            &Periods::default(),
            at("2026-11-27T10:22:00Z"),
        )
        .expect("due");
        assert_eq!(purpose, Purpose::Import);
        assert_eq!(window.from, at("2026-11-27T10:00:00Z"));
        assert_eq!(window.to, at("2026-11-27T10:22:00Z"));
    }

    #[test]
    fn what_a_history_leaves_is_imported_at_once_after_it() {
        // The last history window ended three days ago (a long step).
        let progress = Progress {
            imported_to: Some(at("2026-11-24T10:00:00Z")),
            reconciled_at: None,
            step: Some(TimeDelta::days(16)),
        };
        let now = at("2026-11-27T10:00:05Z");
        let (purpose, window) = next(
            PLAIN,
            progress,
            ended("2026-11-27T10:00:00Z", true),
            &Periods::default(),
            now,
        )
        .expect("due at once");
        assert_eq!(purpose, Purpose::Import);
        assert_eq!((window.from, window.to), (at("2026-11-24T10:00:00Z"), now));
        // After a failure it waits its period.
        assert_eq!(
            next(
                PLAIN,
                progress,
                ended("2026-11-27T10:00:00Z", false),
                &Periods::default(),
                now
            ),
            None
        );
    }

    #[test]
    fn real_time_imports_every_ten_seconds() {
        let cadence = Cadence {
            real_time: true,
            reconciliation: false,
        };
        let progress = imported_to("2026-11-27T10:07:00Z");
        let last = ended("2026-11-27T10:07:00Z", true);
        assert_eq!(
            next(
                cadence,
                progress,
                last,
                &Periods::default(),
                at("2026-11-27T10:07:09Z")
            ),
            None
        );
        assert!(next(
            cadence,
            progress,
            last,
            &Periods::default(),
            at("2026-11-27T10:07:10Z")
        )
        .is_some());
    }

    #[test]
    fn nothing_is_queued_while_a_job_is_open() {
        let open = Some(LastJob {
            id: JobId(1),
            queued_at: at("2026-11-27T09:00:00Z"),
            succeeded: None,
        });
        assert_eq!(
            next(
                PLAIN,
                Progress::default(),
                open,
                &Periods::default(),
                at("2026-11-27T12:00:00Z")
            ),
            None
        );
    }

    #[test]
    fn reconciliation_reads_the_last_day_again_every_fifteen_minutes() {
        let cadence = Cadence {
            real_time: true,
            reconciliation: true,
        };
        let now = at("2026-11-27T10:07:30Z");
        let progress = Progress {
            imported_to: Some(at("2026-11-27T10:07:20Z")),
            reconciled_at: Some(at("2026-11-27T09:52:29Z")),
            step: None,
        };
        let last = ended("2026-11-27T10:07:20Z", true);
        let (purpose, window) =
            next(cadence, progress, last, &Periods::default(), now).expect("due");
        assert_eq!(purpose, Purpose::Reconciliation);
        assert_eq!(window.from, at("2026-11-26T10:00:00Z"));
        assert_eq!(window.to, now);
        let progress = advanced(progress, purpose, window, 100);
        assert_eq!(progress.reconciled_at, Some(now));
        assert_eq!(progress.imported_to, Some(now));
        // Reconciled: the regular imports go on.
        let (purpose, _) = next(
            cadence,
            progress,
            ended("2026-11-27T10:07:30Z", true),
            &Periods::default(),
            at("2026-11-27T10:07:40Z"),
        )
        .expect("due");
        assert_eq!(purpose, Purpose::Import);
    }

    #[test]
    fn a_history_still_being_imported_is_not_interrupted_by_reconciliation() {
        let cadence = Cadence {
            real_time: false,
            reconciliation: true,
        };
        let progress = imported_to("2025-01-01T00:00:00Z");
        let (purpose, _) = next(
            cadence,
            progress,
            ended("2026-11-27T10:00:00Z", true),
            &Periods::default(),
            at("2026-11-27T10:00:01Z"),
        )
        .expect("due");
        assert_eq!(purpose, Purpose::Import);
    }

    #[test]
    fn after_a_short_pause_everything_missed_is_imported_after_a_long_one_only_the_last_day() {
        let progress = imported_to("2026-11-20T08:00:00Z");
        // Paused for 23 hours (and the client was away before): unchanged.
        assert_eq!(
            after_resume(
                progress,
                at("2026-11-26T11:00:00Z"),
                at("2026-11-27T10:00:00Z")
            ),
            None
        );
        // Paused for 25 hours: from 24 hours ago.
        assert_eq!(
            after_resume(
                progress,
                at("2026-11-26T09:00:00Z"),
                at("2026-11-27T10:07:00Z")
            ),
            Some(at("2026-11-26T10:00:00Z"))
        );
        // A recent import is not moved back.
        assert_eq!(
            after_resume(
                imported_to("2026-11-27T10:00:00Z"),
                at("2026-11-20T09:00:00Z"),
                at("2026-11-27T10:07:00Z")
            ),
            None
        );
    }

    #[test]
    fn the_window_is_bound_in_the_database_s_zone_and_never_runs_backwards() {
        let zone = TimeZone::parse("Europe/Berlin").expect("a zone");
        let window = Window {
            from: at("2026-07-01T08:00:00Z"),
            to: at("2026-07-01T08:15:00Z"),
        };
        let (from, to) = window.local(zone);
        assert_eq!(parameter(from), "2026-07-01 10:00:00");
        assert_eq!(parameter(to), "2026-07-01 10:15:00");
        // 25 October 2026: 03:00 CEST goes back to 02:00 CET.
        let repeated = Window {
            from: at("2026-10-25T00:45:00Z"),
            to: at("2026-10-25T01:15:00Z"),
        };
        let (from, to) = repeated.local(zone);
        assert_eq!(parameter(from), "2026-10-25 02:45:00");
        assert_eq!(parameter(to), "2026-10-25 03:15:00");
    }

    #[test]
    fn markers_become_parameters_outside_literals_and_comments() {
        let marked = MarkedQuery::parse(
            "SELECT '{from}' AS x, \"{to}\" -- {to}\n FROM calls /* {from} */ \
             WHERE started >= {from} AND started < {to} AND note <> 'it''s {to}'",
        )
        .expect("marked");
        assert_eq!(
            marked.sql,
            "SELECT '{from}' AS x, \"{to}\" -- {to}\n FROM calls /* {from} */ \
             WHERE started >= ? AND started < ? AND note <> 'it''s {to}'"
        );
        assert_eq!(marked.parameters, [End::From, End::To]);
        assert_eq!(
            MarkedQuery::parse("SELECT * FROM calls"),
            Err(MarkerError::NoWindow)
        );
        assert_eq!(
            MarkedQuery::parse("SELECT * FROM calls WHERE a > ? AND b >= {from}"),
            Err(MarkerError::Parameter)
        );
        assert_eq!(
            MarkedQuery::parse("SELECT '?' FROM [odd?name] WHERE b >= {from}").map(|m| m.sql),
            Ok("SELECT '?' FROM [odd?name] WHERE b >= ?".to_owned())
        );
    }
}
