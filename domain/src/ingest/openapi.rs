//! The ingestion bodies as OpenAPI schemas, made from the wire types the
//! parser reads (their field names come from the same serde attributes)
//! and the limits its checks apply, so the published document cannot
//! drift from what is accepted. Rules a schema cannot state — the
//! accepted time window, an end after its start, the item limit a server
//! is configured with — are in the descriptions and answered with a 422
//! or 413 that names them.

use std::borrow::Cow;

use utoipa::{
    openapi::{
        schema::{
            ArrayBuilder, KnownFormat, Object, ObjectBuilder, OneOfBuilder, SchemaFormat,
            SchemaType, Type,
        },
        RefOr, Schema,
    },
    PartialSchema, ToSchema,
};

use super::{
    agents::MAX_ID_CHARS,
    contacts::{Channel, MAX_DURATION_SECONDS, MAX_QUEUE_TEXT},
    wire::{Body, ContactItem, Meta, StatusItem},
    MAX_TIME_TEXT,
};
use crate::text;

/// One feed's item: the name of its request body, and which fields of
/// `meta` the feed reads.
pub trait Item: ToSchema {
    const BODY: &'static str;
    const META: &'static [&'static str];
}

impl Item for ContactItem<'_> {
    const BODY: &'static str = "ContactEventsRequest";
    const META: &'static [&'static str] = &["integrationConfigurationId"];
}

impl Item for StatusItem<'_> {
    const BODY: &'static str = "AgentStatusesRequest";
    const META: &'static [&'static str] = &["integrationConfigurationId", "externalSystem"];
}

impl<T: Item> PartialSchema for Body<'_, T> {
    fn schema() -> RefOr<Schema> {
        let mut meta = object_of::<Meta<'_>>();
        meta.properties
            .retain(|name, _| T::META.contains(&name.as_str()));
        meta.required = T::META.iter().map(|&name| name.to_owned()).collect();
        meta.description = Some("Where the data goes and where it comes from.".to_owned());
        ObjectBuilder::new()
            .property(
                "data",
                ArrayBuilder::new().items(T::schema()).description(Some(
                    "The items: at most 10 000 (and 5 MiB in all) unless the server is configured \
                     otherwise; more is a 413 and nothing is stored.",
                )),
            )
            .required("data")
            .property("meta", meta)
            .required("meta")
            .build()
            .into()
    }
}

impl<T: Item> ToSchema for Body<'_, T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(T::BODY)
    }
}

/// A derived schema's object, to narrow.
fn object_of<T: PartialSchema>() -> Object {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object,
        _ => unreachable!("the wire types derive object schemas"),
    }
}

/// Text as every text field takes it: not blank, at most `max` characters,
/// no control characters (and, for names, none that reorder text).
pub(crate) fn text(max: usize, name: bool, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max))
        .pattern(Some(text::pattern(name)))
        .description(Some(description))
        .build()
}

fn time(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
        .max_length(Some(MAX_TIME_TEXT))
        .description(Some(description))
}

pub(super) fn integration_id() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(1))
        .description(Some(
            "The integration configuration id shown on the integration's page.",
        ))
        .build()
}

pub(super) fn external_system() -> Object {
    text(
        MAX_ID_CHARS,
        false,
        "The name of the sending system, e.g. \"My ACD\".",
    )
}

pub(super) fn queue_name() -> Object {
    text(
        MAX_QUEUE_TEXT,
        true,
        "Shown to planners; a new name for a known identifier renames the queue.",
    )
}

pub(super) fn queue_identifier() -> Object {
    text(
        MAX_QUEUE_TEXT,
        false,
        "With the channel, what makes a queue one queue.",
    )
}

pub(super) fn timestamp() -> Object {
    time(
        "RFC 3339 with an offset, e.g. 2021-12-06T10:34:22Z; within 10 years back and 2 years \
         ahead unless the server is configured otherwise (else 422 timestamp_out_of_range). \
         Kept to the microsecond.",
    )
    .build()
}

pub(super) fn channel() -> Object {
    let mut names: Vec<Option<&str>> = Channel::ALL
        .iter()
        .map(|channel| Some(channel.as_str()))
        .collect();
    names.extend([Some(""), None]);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(names))
        .description(Some("Left out, empty or null means calls."))
        .build()
}

pub(super) fn properties() -> RefOr<Schema> {
    super::wire::Properties::schema()
}

pub(super) fn flag() -> Object {
    ObjectBuilder::new().schema_type(Type::Boolean).build()
}

pub(super) fn duration() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(0))
        .maximum(Some(MAX_DURATION_SECONDS))
        .description(Some(
            "Handle time in seconds (0 when not handled), kept to the millisecond.",
        ))
        .build()
}

pub(super) fn agent_identifier() -> Object {
    text(
        MAX_ID_CHARS,
        false,
        "Kept exactly as sent: spelling, case and spaces matter.",
    )
}

pub(super) fn activity_identifier() -> Object {
    text(
        MAX_ID_CHARS,
        false,
        "The agent's activity, as the sending system names it.",
    )
}

pub(super) fn start_time() -> Object {
    time(
        "RFC 3339 with an offset, within the accepted window as for contact events. A re-sent \
         status for the same agent and start replaces the earlier one.",
    )
    .build()
}

pub(super) fn end_time() -> RefOr<Schema> {
    let either = OneOfBuilder::new()
        .item(time("After startTime (else 422 end_before_start).").build())
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .enum_values(Some([Some(""), None]))
                .description(Some(
                    "Left out, empty or null while the activity is ongoing.",
                )),
        )
        .build();
    RefOr::T(Schema::OneOf(either))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn properties<T: PartialSchema>() -> Vec<String> {
        object_of::<T>().properties.into_keys().collect()
    }

    #[test]
    fn the_meta_fields_a_feed_reads_are_fields_of_meta() {
        let meta = properties::<Meta<'_>>();
        for name in ContactItem::META.iter().chain(StatusItem::META) {
            assert!(meta.iter().any(|field| field == name), "{name}");
        }
    }

    #[test]
    fn the_schemas_name_the_fields_the_parser_reads() {
        assert_eq!(
            properties::<ContactItem<'_>>(),
            [
                "channel",
                "properties",
                "queueIdentifier",
                "queueName",
                "timestamp"
            ]
        );
        assert_eq!(
            properties::<StatusItem<'_>>(),
            [
                "activityIdentifier",
                "agentIdentifier",
                "endTime",
                "startTime"
            ]
        );
        let body = serde_json::to_value(Body::<'_, StatusItem<'_>>::schema()).expect("JSON");
        assert_eq!(
            body["properties"]["meta"]["required"],
            serde_json::json!(StatusItem::META)
        );
    }
}
