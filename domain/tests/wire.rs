//! Any well-formed JSON is read, never refused as unreadable: whatever sits
//! in a field, the checks get to say what is wrong with it, with a pointer
//! into the body.

use domain::ingest::{
    parse_agent_statuses, parse_contact_events, AgentStatusesBody, ContactEventsBody, Limits,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-zA-Z0-9 \"\\\\é✓-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A field that is sometimes right, sometimes anything at all.
fn field(good: Value) -> impl Strategy<Value = Value> {
    prop_oneof![3 => Just(good), 1 => any_json()]
}

fn contact_item() -> impl Strategy<Value = Value> {
    (
        field(json!({"offered": true, "handled": false, "duration": 12.5})),
        field(json!("Queue")),
        field(json!("q1")),
        field(json!("2021-12-06T10:34:22Z")),
        field(json!("chats")),
    )
        .prop_map(|(properties, name, identifier, timestamp, channel)| {
            json!({"properties": properties, "queueName": name, "queueIdentifier": identifier,
                   "timestamp": timestamp, "channel": channel})
        })
}

fn status_item() -> impl Strategy<Value = Value> {
    (
        field(json!("bob")),
        field(json!("Break")),
        field(json!("2021-12-06T10:00:00Z")),
        field(json!("2021-12-06T10:15:00Z")),
    )
        .prop_map(|(agent, activity, start, end)| {
            json!({"agentIdentifier": agent, "activityIdentifier": activity,
                   "startTime": start, "endTime": end})
        })
}

/// A body whose `data` is mostly an array of mostly-right items.
fn body(item: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(prop_oneof![4 => item, 1 => any_json()], 0..6),
        field(json!({"integrationConfigurationId": 7, "externalSystem": "ACD"})),
        any::<bool>(),
    )
        .prop_map(|(items, meta, as_array)| {
            let data = if as_array {
                Value::Array(items)
            } else {
                items.into_iter().next().unwrap_or(Value::Null)
            };
            json!({"data": data, "meta": meta})
        })
}

fn pointers_are_well_formed(pointers: &[String]) {
    for pointer in pointers {
        assert!(
            pointer == "/data" || pointer.starts_with("/data/") || pointer.starts_with("/meta/"),
            "{pointer}"
        );
    }
}

proptest! {
    #[test]
    fn any_contact_events_body_is_read_and_judged(body in body(contact_item())) {
        let text = body.to_string();
        let wire = ContactEventsBody::read(&text, usize::MAX).expect("well-formed JSON is always read");
        match parse_contact_events(&wire, Limits::default()) {
            Ok(batch) => prop_assert_eq!(Some(batch.events.len()), body["data"].as_array().map(Vec::len)),
            Err(rejected) => {
                prop_assert!(!rejected.problems.is_empty());
                pointers_are_well_formed(&rejected.problems.iter().map(|p| p.pointer.clone()).collect::<Vec<_>>());
            }
        }
    }

    #[test]
    fn any_agent_statuses_body_is_read_and_judged(body in body(status_item())) {
        let text = body.to_string();
        let wire = AgentStatusesBody::read(&text, usize::MAX).expect("well-formed JSON is always read");
        if let Err(rejected) = parse_agent_statuses(&wire, Limits::default()) {
            prop_assert!(!rejected.problems.is_empty());
            pointers_are_well_formed(&rejected.problems.iter().map(|p| p.pointer.clone()).collect::<Vec<_>>());
        }
    }
}
