//! `POST /external-systems/contact-events`: one item per contact.

use std::{fmt, str::FromStr};

use super::{
    items, required_text, required_time,
    wire::{Body, ContactItem, Json, Properties, Slot},
    At, Limits, Problem, Rejected, TimeWindow,
};
use crate::integration::IntegrationId;
use chrono::{DateTime, Utc};

/// The channel a contact came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Calls,
    Chats,
    Emails,
    SocialMedia,
    Documents,
    Cases,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Self::Calls,
        Self::Chats,
        Self::Emails,
        Self::SocialMedia,
        Self::Documents,
        Self::Cases,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calls => "calls",
            Self::Chats => "chats",
            Self::Emails => "emails",
            Self::SocialMedia => "social_media",
            Self::Documents => "documents",
            Self::Cases => "cases",
        }
    }

    fn allowed() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl FromStr for Channel {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == s)
            .ok_or(())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What makes a queue one queue: within an integration, the external
/// identifier and the channel. The name is a label that may change; a
/// renamed queue keeps its identity through its identifier (ADR 0004).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueKey {
    pub identifier: String,
    pub channel: Channel,
}

/// One checked contact event.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactEvent {
    pub queue: QueueKey,
    pub queue_name: String,
    pub at: DateTime<Utc>,
    pub offered: bool,
    pub handled: bool,
    /// Handle time in whole milliseconds, so sums are exact.
    pub duration_ms: i64,
}

/// A whole request's events, in the order they were sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactBatch {
    pub integration: IntegrationId,
    pub events: Vec<ContactEvent>,
}

/// The longest queue identifier or name we keep.
pub(super) const MAX_QUEUE_TEXT: usize = 200;
/// A contact longer than a week is a unit mistake (milliseconds sent as
/// seconds), not a contact.
pub(super) const MAX_DURATION_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// A contact-events body as read off the wire.
pub type ContactEventsBody<'a> = Body<'a, ContactItem<'a>>;

/// Checks a contact-events body. Either every item is good and the batch
/// comes back, or every problem of every item does.
pub fn parse_contact_events(
    body: &ContactEventsBody<'_>,
    limits: Limits,
) -> Result<ContactBatch, Rejected> {
    let mut problems = Vec::new();
    let integration = super::target_of(body).map_err(|p| problems.push(p)).ok();
    let items = items(&body.data, limits)
        .map_err(|p| problems.push(p))
        .unwrap_or_default();
    let events: Vec<ContactEvent> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            event(item, At::item(index), limits.accepted_times, &mut problems)
        })
        .collect();
    match integration {
        Some(integration) if problems.is_empty() => Ok(ContactBatch {
            integration,
            events,
        }),
        _ => Err(Rejected {
            items: items.len(),
            ..Rejected::new(problems)
        }),
    }
}

fn event(
    item: &Slot<'_, ContactItem<'_>>,
    at: At<'_>,
    window: TimeWindow,
    problems: &mut Vec<Problem>,
) -> Option<ContactEvent> {
    let fields = super::object(item, at, problems)?;
    let properties = properties(&fields.properties, at, problems);
    let identifier = required_text(
        &fields.queue_identifier,
        at.field("queueIdentifier"),
        "queueIdentifier",
        MAX_QUEUE_TEXT,
        problems,
    );
    let name = required_text(
        &fields.queue_name,
        at.field("queueName"),
        "queueName",
        MAX_QUEUE_TEXT,
        problems,
    )
    .and_then(|name| match crate::text::forbidden_in_name(name) {
        None => Some(name),
        Some(c) => {
            problems.push(Problem::new(
                "control_character",
                at.field("queueName").pointer(),
                format!(
                    "queueName must not contain characters that reorder text; found U+{:04X}",
                    u32::from(c)
                ),
            ));
            None
        }
    });
    let time = required_time(
        &fields.timestamp,
        at.field("timestamp"),
        "timestamp",
        window,
        problems,
    );
    let channel = channel(&fields.channel, at.field("channel"), problems);
    let (offered, handled, duration_ms) = properties?;
    Some(ContactEvent {
        queue: QueueKey {
            identifier: identifier?.to_owned(),
            channel: channel?,
        },
        queue_name: name?.trim().to_owned(),
        at: time?,
        offered,
        handled,
        duration_ms,
    })
}

/// `channel`: absent or empty means calls (as for every universal
/// interface); anything else must be one of the known channels.
fn channel(value: &Json<'_>, at: At<'_>, problems: &mut Vec<Problem>) -> Option<Channel> {
    match value {
        Json::Text(text) if text.trim().is_empty() => Some(Channel::Calls),
        Json::Text(text) => text.trim().parse().ok().or_else(|| {
            problems.push(Problem::new(
                "invalid_channel",
                at.pointer(),
                format!("channel {text:?} is not one of {}", Channel::allowed()),
            ));
            None
        }),
        missing if missing.is_missing() => Some(Channel::Calls),
        other => {
            problems.push(Problem::new(
                "invalid_type",
                at.pointer(),
                format!(
                    "channel must be a string, one of {}; not {}",
                    Channel::allowed(),
                    other.kind()
                ),
            ));
            None
        }
    }
}

/// `properties`: offered and handled flags and the duration in seconds.
fn properties(
    value: &Slot<'_, Properties<'_>>,
    item: At<'_>,
    problems: &mut Vec<Problem>,
) -> Option<(bool, bool, i64)> {
    let fields = match value {
        Slot::Is(fields) => fields,
        Slot::Not(missing) if missing.is_missing() => {
            problems.push(Problem::new(
                "missing_field",
                item.field("properties").pointer(),
                "properties is required: {\"offered\": …, \"handled\": …, \"duration\": …}",
            ));
            return None;
        }
        Slot::Not(other) => {
            problems.push(Problem::new(
                "invalid_type",
                item.field("properties").pointer(),
                format!("properties must be an object, not {}", other.kind()),
            ));
            return None;
        }
    };
    let offered = flag(
        &fields.offered,
        item.field("properties/offered"),
        "offered",
        problems,
    );
    let handled = flag(
        &fields.handled,
        item.field("properties/handled"),
        "handled",
        problems,
    );
    let duration = duration(
        &fields.duration,
        item.field("properties/duration"),
        problems,
    );
    Some((offered?, handled?, duration?))
}

fn flag(value: &Json<'_>, at: At<'_>, label: &str, problems: &mut Vec<Problem>) -> Option<bool> {
    match value {
        Json::Bool(flag) => Some(*flag),
        missing if missing.is_missing() => {
            problems.push(Problem::new(
                "missing_field",
                at.pointer(),
                format!("properties.{label} is required: true or false"),
            ));
            None
        }
        other => {
            problems.push(Problem::new(
                "invalid_type",
                at.pointer(),
                format!(
                    "properties.{label} must be true or false, not {}",
                    other.kind()
                ),
            ));
            None
        }
    }
}

fn duration(value: &Json<'_>, at: At<'_>, problems: &mut Vec<Problem>) -> Option<i64> {
    let seconds = match value {
        Json::Int(_) | Json::UInt(_) | Json::Float(_) => value.as_f64(),
        missing if missing.is_missing() => {
            problems.push(Problem::new(
                "missing_field",
                at.pointer(),
                "properties.duration is required: the handle time in seconds (0 when not handled)",
            ));
            return None;
        }
        other => {
            problems.push(Problem::new(
                "invalid_type",
                at.pointer(),
                format!(
                    "properties.duration must be a number of seconds, not {}",
                    other.kind()
                ),
            ));
            return None;
        }
    };
    match seconds {
        Some(seconds) if seconds.is_finite() && (0.0..=MAX_DURATION_SECONDS).contains(&seconds) =>
        {
            #[expect(clippy::cast_possible_truncation, reason = "bounded above by a week")]
            Some((seconds * 1000.0).round() as i64)
        }
        _ => {
            problems.push(Problem::new(
                "invalid_duration",
                at.pointer(),
                format!("properties.duration must be between 0 and {MAX_DURATION_SECONDS} seconds"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn parse(body: Value) -> Result<ContactBatch, Rejected> {
        parse_with(&body, Limits::default())
    }

    fn parse_with(body: &Value, limits: Limits) -> Result<ContactBatch, Rejected> {
        let text = body.to_string();
        parse_contact_events(
            &ContactEventsBody::read(&text, usize::MAX).expect("JSON"),
            limits,
        )
    }

    fn codes(rejected: &Rejected) -> Vec<(&'static str, &str)> {
        rejected
            .problems
            .iter()
            .map(|p| (p.code, p.pointer.as_str()))
            .collect()
    }

    #[test]
    fn the_documented_example_parses() {
        let batch = parse(
            json!({"data":[{"properties":{"offered":true,"handled":false,"duration":124.6},
            "queueName":"Level 1 support","queueIdentifier":"1337_99",
            "timestamp":"2021-12-06T10:34:22Z","channel":"calls"}],
            "meta":{"integrationConfigurationId":1234}}),
        )
        .expect("valid");
        assert_eq!(batch.integration, IntegrationId(1234));
        let event = &batch.events[0];
        assert_eq!(event.duration_ms, 124_600);
        assert_eq!(event.queue.identifier, "1337_99");
        assert_eq!(event.queue.channel, Channel::Calls);
        assert_eq!(event.at.to_rfc3339(), "2021-12-06T10:34:22+00:00");
    }

    #[test]
    fn an_offset_is_converted_to_utc() {
        let batch = parse(
            json!({"data":[{"properties":{"offered":true,"handled":true,"duration":1},
            "queueName":"Q","queueIdentifier":"q","timestamp":"2021-12-06T11:34:22+01:00"}],
            "meta":{"integrationConfigurationId":1}}),
        )
        .expect("valid");
        assert_eq!(batch.events[0].at.to_rfc3339(), "2021-12-06T10:34:22+00:00");
        assert_eq!(
            batch.events[0].queue.channel,
            Channel::Calls,
            "absent channel is calls"
        );
    }

    #[test]
    fn every_problem_of_every_item_is_reported_with_its_pointer() {
        let rejected = parse(json!({"data":[
            {"properties":{"offered":"yes","handled":false,"duration":-1},
             "queueName":"","queueIdentifier":7,"timestamp":"2021-12-06 10:34","channel":"fax"},
            {"properties":{"offered":true,"handled":true,"duration":3}, "queueName":"Q","queueIdentifier":"q","timestamp":"2021-12-06T10:34:22Z"},
            "nonsense"
        ], "meta":{}}))
        .expect_err("invalid");
        assert_eq!(
            codes(&rejected),
            vec![
                ("missing_field", "/meta/integrationConfigurationId"),
                ("invalid_type", "/data/0/properties/offered"),
                ("invalid_duration", "/data/0/properties/duration"),
                ("invalid_type", "/data/0/queueIdentifier"),
                ("blank_text", "/data/0/queueName"),
                ("invalid_timestamp", "/data/0/timestamp"),
                ("invalid_channel", "/data/0/channel"),
                ("invalid_type", "/data/2"),
            ]
        );
        assert!(rejected.problems[6]
            .detail
            .contains("calls, chats, emails, social_media, documents, cases"));
        assert!(!rejected.too_large);
    }

    #[test]
    fn a_timestamp_without_an_offset_is_refused() {
        let rejected = parse(
            json!({"data":[{"properties":{"offered":true,"handled":true,"duration":1},
            "queueName":"Q","queueIdentifier":"q","timestamp":"2021-12-06T10:34:22"}],
            "meta":{"integrationConfigurationId":1}}),
        )
        .expect_err("no offset");
        assert_eq!(
            codes(&rejected),
            vec![("invalid_timestamp", "/data/0/timestamp")]
        );
    }

    #[test]
    fn a_duration_must_be_finite_and_not_negative() {
        for duration in [json!(-0.5), json!(1e300), json!("12")] {
            let rejected = parse(
                json!({"data":[{"properties":{"offered":true,"handled":true,"duration":duration},
                "queueName":"Q","queueIdentifier":"q","timestamp":"2021-12-06T10:34:22Z"}],
                "meta":{"integrationConfigurationId":1}}),
            )
            .expect_err("bad duration");
            assert_eq!(rejected.problems[0].pointer, "/data/0/properties/duration");
        }
    }

    #[test]
    fn control_characters_and_reordering_in_a_queue_name_are_refused() {
        let body = json!({"data": [
            {"properties": {"offered": true, "handled": true, "duration": 1.0},
             "queueName": "Sales\u{202E}", "queueIdentifier": "q\u{0}1",
             "timestamp": "2021-12-06T10:00:00Z"}],
            "meta": {"integrationConfigurationId": 1}});
        let rejected = parse(body).expect_err("refused");
        assert_eq!(
            codes(&rejected),
            vec![
                ("control_character", "/data/0/queueIdentifier"),
                ("control_character", "/data/0/queueName")
            ]
        );
    }

    #[test]
    fn times_outside_the_window_are_refused_and_the_rest_kept_to_the_microsecond() {
        let at = |timestamp: &str| {
            json!({"data": [{"properties": {"offered": true, "handled": true, "duration": 1},
                "queueName": "Q", "queueIdentifier": "q", "timestamp": timestamp}],
                "meta": {"integrationConfigurationId": 1}})
        };
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .expect("a time")
            .to_utc();
        let limits = Limits {
            accepted_times: crate::ingest::TimestampPolicy::default().around(now),
            ..Limits::default()
        };
        for far in ["2016-11-01T00:00:00Z", "2028-12-01T00:00:00Z"] {
            let rejected = parse_with(&at(far), limits).expect_err(far);
            assert_eq!(
                codes(&rejected),
                vec![("timestamp_out_of_range", "/data/0/timestamp")]
            );
        }
        let batch = parse_with(&at("2026-11-26T10:00:00.123456789Z"), limits).expect("inside");
        assert_eq!(
            batch.events[0].at.to_rfc3339(),
            "2026-11-26T10:00:00.123456+00:00"
        );
    }

    #[test]
    fn more_items_than_the_limit_is_too_large() {
        let item = json!({"properties":{"offered":true,"handled":true,"duration":1},
            "queueName":"Q","queueIdentifier":"q","timestamp":"2021-12-06T10:34:22Z"});
        let body = json!({"data": vec![item; 3], "meta":{"integrationConfigurationId":1}});
        let rejected = parse_with(
            &body,
            Limits {
                max_items: 2,
                max_body_bytes: 1 << 20,
                ..Limits::default()
            },
        )
        .expect_err("too many");
        assert!(rejected.too_large);
        assert_eq!(codes(&rejected), vec![("too_many_items", "/data")]);
    }

    #[test]
    fn an_empty_batch_is_valid() {
        let batch =
            parse(json!({"data":[], "meta":{"integrationConfigurationId":5}})).expect("valid");
        assert!(batch.events.is_empty());
    }
}
