//! The ingestion API's data (DESIGN §3): the wire types clients send, the
//! parsing that turns them into checked batches while collecting every
//! problem with its JSON pointer, and interval statistics.
//!
//! Bodies are read as JSON values, not straight into typed structs, so one
//! bad value never hides the others: a request is judged as a whole and
//! all of its problems are reported together.

mod agents;
mod contacts;
mod intervals;
pub mod read;
pub mod receive;

use std::fmt;

pub use agents::{parse_agent_statuses, AgentStatus, AgentStatusBatch};
pub use contacts::{parse_contact_events, Channel, ContactBatch, ContactEvent, QueueKey};
pub use intervals::{
    aggregate, interval_start, roll_up, IntervalSeries, IntervalTotals, BASE_INTERVAL_SECONDS,
};
use serde_json::Value;

use crate::integration::IntegrationId;

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
}

impl Limits {
    /// No limit: for data that was already accepted once (held imports).
    pub const UNBOUNDED: Self = Self {
        max_items: usize::MAX,
        max_body_bytes: usize::MAX,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_items: 10_000,
            max_body_bytes: 5 * 1024 * 1024,
        }
    }
}

/// The integration a request names in `meta.integrationConfigurationId`.
pub fn target_of(body: &Value) -> Result<IntegrationId, Problem> {
    const POINTER: &str = "/meta/integrationConfigurationId";
    match body.pointer(POINTER) {
        None | Some(Value::Null) => Err(Problem::new(
            "missing_field",
            POINTER,
            "meta.integrationConfigurationId is required: the configuration id shown on the integration's page",
        )),
        Some(value) => value
            .as_i64()
            .filter(|id| *id > 0)
            .map(IntegrationId)
            .ok_or_else(|| {
                Problem::new(
                    "invalid_integration_id",
                    POINTER,
                    "meta.integrationConfigurationId must be a positive whole number",
                )
            }),
    }
}

/// What kind of JSON value this is, for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An item of `data`, which must be an object.
fn object<'a>(
    item: &'a Value,
    at: &str,
    problems: &mut Vec<Problem>,
) -> Option<&'a serde_json::Map<String, Value>> {
    match item {
        Value::Object(fields) => Some(fields),
        other => {
            problems.push(Problem::new(
                "invalid_type",
                at,
                format!("each item must be an object, not {}", kind_of(other)),
            ));
            None
        }
    }
}

/// A text field: present, a string, not blank, at most `max` characters.
/// Kept exactly as sent, because external ids are matched letter for letter.
fn required_text(
    value: Option<&Value>,
    pointer: &str,
    label: &str,
    max: usize,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match value {
        None | Some(Value::Null) => {
            problems.push(Problem::new(
                "missing_field",
                pointer,
                format!("{label} is required"),
            ));
            None
        }
        Some(Value::String(text)) if text.trim().is_empty() => {
            problems.push(Problem::new(
                "blank_text",
                pointer,
                format!("{label} must not be blank"),
            ));
            None
        }
        Some(Value::String(text)) if text.chars().count() > max => {
            problems.push(Problem::new(
                "text_too_long",
                pointer,
                format!("{label} may have at most {max} characters"),
            ));
            None
        }
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => {
            problems.push(Problem::new(
                "invalid_type",
                pointer,
                format!("{label} must be a string, not {}", kind_of(other)),
            ));
            None
        }
    }
}

/// An RFC 3339 timestamp with an offset, as UTC.
fn required_time(
    value: Option<&Value>,
    pointer: &str,
    label: &str,
    problems: &mut Vec<Problem>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = required_text(value, pointer, label, 64, problems)?;
    match chrono::DateTime::parse_from_rfc3339(&text) {
        Ok(time) => Some(time.to_utc()),
        Err(_) => {
            problems.push(Problem::new(
                "invalid_timestamp",
                pointer,
                format!(
                    "{label} must be an RFC 3339 time with an offset, like 2021-12-06T10:34:22Z; got {text:?}"
                ),
            ));
            None
        }
    }
}

/// `data` must be an array within the item limit.
fn items(data: Option<&Value>, limits: Limits) -> Result<&[Value], Problem> {
    match data {
        Some(Value::Array(items)) if items.len() > limits.max_items => Err(Problem::new(
            "too_many_items",
            "/data",
            format!(
                "a request may carry at most {} items; this one has {}. Split it into several requests",
                limits.max_items,
                items.len()
            ),
        )),
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Err(Problem::new(
            "missing_field",
            "/data",
            "data is required: an array of items",
        )),
        Some(other) => Err(Problem::new(
            "invalid_type",
            "/data",
            format!("data must be an array, not {}", kind_of(other)),
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
