//! The ingestion API's data (DESIGN §3): the wire types clients send, the
//! parsing that turns them into checked batches while collecting every
//! problem with its JSON pointer, and interval statistics.
//!
//! Bodies are read tolerantly (`wire`): a value of the wrong kind is kept
//! as what it was rather than failing the read, so one bad value never
//! hides the others: a request is judged as a whole and all of its
//! problems are reported together.

pub(crate) mod agents;
mod contacts;
mod intervals;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod read;
pub mod receive;
pub mod replay;
pub mod wire;

use std::fmt;

pub use agents::{parse_agent_statuses, AgentStatus, AgentStatusBatch, AgentStatusesBody};
pub use contacts::{
    parse_contact_events, Channel, ContactBatch, ContactEvent, ContactEventsBody, QueueKey,
};
pub use intervals::{
    aggregate, every_interval, interval_start, roll_up, IntervalSeries, IntervalTotals,
    BASE_INTERVAL_SECONDS,
};

use chrono::{DateTime, Utc};

use crate::integration::IntegrationId;
use wire::{Body, Json, List, Slot};

/// One thing wrong with a request, as the error envelope lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable and machine-readable, e.g. `invalid_timestamp`.
    pub code: &'static str,
    /// JSON pointer into the request body, e.g. `/data/3/timestamp`.
    pub pointer: String,
    /// For people.
    pub detail: String,
}

impl Problem {
    fn new(code: &'static str, pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            code,
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// Which endpoint data came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feed {
    ContactEvents,
    AgentStatuses,
}

impl Feed {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContactEvents => "contact_events",
            Self::AgentStatuses => "agent_statuses",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contact_events" => Some(Self::ContactEvents),
            "agent_statuses" => Some(Self::AgentStatuses),
            _ => None,
        }
    }
}

impl fmt::Display for Feed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much one request may carry. Configuration, with DESIGN §3's
/// defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_items: usize,
    pub max_body_bytes: usize,
    /// The times a request may carry (see [`TimestampPolicy::around`]).
    pub accepted_times: TimeWindow,
    /// What one integration may accumulate.
    pub caps: Caps,
}

/// What one integration may accumulate: more queues than a contact centre
/// has is a sender's mistake (an id in the queue identifier), and held
/// data past a point is better refused than kept without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub queues: u64,
    pub held_imports: u64,
}

impl Caps {
    pub const NONE: Self = Self {
        queues: u64::MAX,
        held_imports: u64::MAX,
    };
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            queues: 10_000,
            held_imports: 10_000,
        }
    }
}

impl Limits {
    /// No limit: for data that was already accepted once (held imports).
    pub const UNBOUNDED: Self = Self {
        max_items: usize::MAX,
        max_body_bytes: usize::MAX,
        accepted_times: TimeWindow::ANY,
        caps: Caps::NONE,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_items: 10_000,
            max_body_bytes: 5 * 1024 * 1024,
            accepted_times: TimeWindow::ANY,
            caps: Caps::default(),
        }
    }
}

/// Times from `earliest` to `latest`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

impl TimeWindow {
    pub const ANY: Self = Self {
        earliest: DateTime::<Utc>::MIN_UTC,
        latest: DateTime::<Utc>::MAX_UTC,
    };

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        (self.earliest..=self.latest).contains(&at)
    }
}

/// How far back and ahead of the time of receipt data may lie
/// (configuration: a timestamp decades off is a unit or clock mistake,
/// and one in year 200 000 breaks every reader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimestampPolicy {
    pub days_back: u32,
    pub days_ahead: u32,
}

impl Default for TimestampPolicy {
    /// Ten years back, two years ahead.
    fn default() -> Self {
        Self {
            days_back: 3_653,
            days_ahead: 731,
        }
    }
}

impl TimestampPolicy {
    /// The window around `now`.
    pub fn around(self, now: DateTime<Utc>) -> TimeWindow {
        let days = |n: u32| chrono::TimeDelta::days(i64::from(n));
        TimeWindow {
            earliest: now
                .checked_sub_signed(days(self.days_back))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            latest: now
                .checked_add_signed(days(self.days_ahead))
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        }
    }
}

/// Where a value sits in the body. It becomes a JSON pointer only when a
/// problem is reported, so a good request builds no pointer at all.
#[derive(Debug, Clone, Copy)]
struct At<'p> {
    item: Option<usize>,
    path: &'p str,
}

impl<'p> At<'p> {
    /// A path from the body's root, e.g. `meta/externalSystem`.
    const fn root(path: &'p str) -> Self {
        Self { item: None, path }
    }

    /// The item at `index` of `data`.
    const fn item(index: usize) -> Self {
        Self {
            item: Some(index),
            path: "",
        }
    }

    /// A field of this item, e.g. `properties/offered`.
    const fn field(self, path: &'p str) -> Self {
        Self {
            item: self.item,
            path,
        }
    }

    fn pointer(self) -> String {
        match (self.item, self.path) {
            (Some(index), "") => format!("/data/{index}"),
            (Some(index), path) => format!("/data/{index}/{path}"),
            (None, path) => format!("/{path}"),
        }
    }
}

/// The integration a request names in `meta.integrationConfigurationId`.
pub fn target_of<T>(body: &Body<'_, T>) -> Result<IntegrationId, Problem> {
    const POINTER: &str = "/meta/integrationConfigurationId";
    let value = body
        .meta()
        .map_or(&Json::Absent, |meta| &meta.integration_configuration_id);
    if value.is_missing() {
        return Err(Problem::new(
            "missing_field",
            POINTER,
            "meta.integrationConfigurationId is required: the configuration id shown on the integration's page",
        ));
    }
    value
        .as_i64()
        .filter(|id| *id > 0)
        .map(IntegrationId)
        .ok_or_else(|| {
            Problem::new(
                "invalid_integration_id",
                POINTER,
                "meta.integrationConfigurationId must be a positive whole number",
            )
        })
}

/// An item of `data`, which must be an object.
fn object<'v, T>(item: &'v Slot<'_, T>, at: At<'_>, problems: &mut Vec<Problem>) -> Option<&'v T> {
    match item {
        Slot::Is(fields) => Some(fields),
        Slot::Not(other) => {
            problems.push(Problem::new(
                "invalid_type",
                at.pointer(),
                format!("each item must be an object, not {}", other.kind()),
            ));
            None
        }
    }
}

/// A text field: present, a string, not blank, at most `max` characters.
/// Kept exactly as sent, because external ids are matched letter for letter.
fn required_text<'v>(
    value: &'v Json<'_>,
    at: At<'_>,
    label: &str,
    max: usize,
    problems: &mut Vec<Problem>,
) -> Option<&'v str> {
    let problem = match value {
        Json::Text(text) if text.trim().is_empty() => Problem::new(
            "blank_text",
            at.pointer(),
            format!("{label} must not be blank"),
        ),
        // Bytes bound characters from above: count only when it may matter.
        Json::Text(text) if text.len() > max && text.chars().count() > max => Problem::new(
            "text_too_long",
            at.pointer(),
            format!("{label} may have at most {max} characters"),
        ),
        Json::Text(text) => match crate::text::control_character(text) {
            None => return Some(text),
            Some(c) => Problem::new(
                "control_character",
                at.pointer(),
                format!(
                    "{label} must not contain control characters; found U+{:04X}",
                    u32::from(c)
                ),
            ),
        },
        missing if missing.is_missing() => Problem::new(
            "missing_field",
            at.pointer(),
            format!("{label} is required"),
        ),
        other => Problem::new(
            "invalid_type",
            at.pointer(),
            format!("{label} must be a string, not {}", other.kind()),
        ),
    };
    problems.push(problem);
    None
}

/// An RFC 3339 timestamp with an offset, as UTC, to the microsecond (what
/// both engines keep, so both agree on what is a duplicate), within
/// `window`.
/// The longest time text read; RFC 3339 needs at most 35 characters.
const MAX_TIME_TEXT: usize = 64;

fn required_time(
    value: &Json<'_>,
    at: At<'_>,
    label: &str,
    window: TimeWindow,
    problems: &mut Vec<Problem>,
) -> Option<DateTime<Utc>> {
    use chrono::SubsecRound;
    let text = required_text(value, at, label, MAX_TIME_TEXT, problems)?;
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(time) if window.contains(time.to_utc()) => Some(time.to_utc().trunc_subsecs(6)),
        Ok(_) => {
            problems.push(Problem::new(
                "timestamp_out_of_range",
                at.pointer(),
                format!(
                    "{label} must lie between {} and {}; got {text:?}",
                    window.earliest.format("%Y-%m-%d"),
                    window.latest.format("%Y-%m-%d")
                ),
            ));
            None
        }
        Err(_) => {
            problems.push(Problem::new(
                "invalid_timestamp",
                at.pointer(),
                format!(
                    "{label} must be an RFC 3339 time with an offset, like 2021-12-06T10:34:22Z; got {text:?}"
                ),
            ));
            None
        }
    }
}

/// The answer to more items than `limit` (a 413): reading stops at the
/// first item past the limit, so how many more there were is not known.
pub fn too_many_items(limit: usize) -> Problem {
    Problem::new(
        "too_many_items",
        "/data",
        format!("a request may carry at most {limit} items; this one has more. Split it into several requests"),
    )
}

/// `data` must be an array within the item limit.
fn items<'v, T>(data: &'v List<'_, T>, limits: Limits) -> Result<&'v [T], Problem> {
    match data {
        List::Is(items) if items.len() > limits.max_items => Err(too_many_items(limits.max_items)),
        List::Is(items) => Ok(items),
        List::Not(missing) if missing.is_missing() => Err(Problem::new(
            "missing_field",
            "/data",
            "data is required: an array of items",
        )),
        List::Not(other) => Err(Problem::new(
            "invalid_type",
            "/data",
            format!("data must be an array, not {}", other.kind()),
        )),
    }
}

/// Why a whole request could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub problems: Vec<Problem>,
    /// How many items the request carried.
    pub items: usize,
    /// True when the only problem is the item limit (answered with 413).
    pub too_large: bool,
}

impl Rejected {
    pub fn new(problems: Vec<Problem>) -> Self {
        let too_large = problems.iter().any(|p| p.code == "too_many_items");
        Self {
            problems,
            items: 0,
            too_large,
        }
    }

    /// One line for the import history.
    pub fn summary(&self) -> String {
        let first = self.problems.first().map_or(String::new(), |problem| {
            format!("{} at {}", problem.code, problem.pointer)
        });
        match self.problems.len() {
            0 | 1 => first,
            n => format!("{first} and {} more", n - 1),
        }
    }
}
