//! The ingestion bodies as read off the wire, in one pass and without
//! building a JSON tree.
//!
//! Reading is tolerant of everything but broken JSON: a field of the
//! wrong type, a missing one or an item that is not an object is kept as
//! what it was, so the checks in `contacts` and `agents` can report every
//! problem of every item at once. Text is borrowed from the body wherever
//! it has no escapes. Unknown fields are ignored; a field given twice in
//! one object is refused as malformed JSON, since which one was meant
//! cannot be known.

use std::{borrow::Cow, cell::Cell, fmt, marker::PhantomData};

use serde::{
    de::{
        self, value::MapAccessDeserializer, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess,
        Visitor,
    },
    Deserialize, Deserializer,
};

/// One JSON value where the checks expect a scalar. Arrays and objects
/// are only told apart by kind, for the message.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Json<'a> {
    /// The field is not there at all.
    #[default]
    Absent,
    Null,
    Bool(bool),
    /// A whole number (JSON has one number type; serde tells whole ones
    /// apart, as `serde_json::Value` does).
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(Cow<'a, str>),
    Array,
    Object,
}

impl Json<'_> {
    /// What kind of JSON value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Absent | Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Int(_) | Self::UInt(_) | Self::Float(_) => "a number",
            Self::Text(_) => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        }
    }

    /// Absent and `null` mean the same to every check.
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Absent | Self::Null)
    }

    /// The number as `f64`, whatever its form.
    #[expect(
        clippy::cast_precision_loss,
        reason = "as serde_json's as_f64: JSON numbers are doubles"
    )]
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Self::Int(n) => Some(n as f64),
            Self::UInt(n) => Some(n as f64),
            Self::Float(n) => Some(n),
            _ => None,
        }
    }

    /// A whole number that fits in `i64`; a fraction (even `3.0`) is not one.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Self::Int(n) => Some(n),
            Self::UInt(n) => i64::try_from(n).ok(),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor(PhantomData))
    }
}

/// The visitor methods for scalars, each wrapped by `$wrap`.
macro_rules! scalars {
    ($wrap:expr) => {
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($wrap(Json::Null))
        }

        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($wrap(Json::Null))
        }

        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok($wrap(Json::Bool(v)))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok($wrap(Json::Int(v)))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok($wrap(Json::UInt(v)))
        }

        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok($wrap(Json::Float(v)))
        }

        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok($wrap(Json::Text(Cow::Borrowed(v))))
        }

        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok($wrap(Json::Text(Cow::Owned(v.to_owned()))))
        }

        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok($wrap(Json::Text(Cow::Owned(v))))
        }
    };
}

/// Reads any JSON value as a `Json`, skipping over the content of arrays
/// and objects.
struct ScalarVisitor<'a>(PhantomData<Json<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    scalars!(std::convert::identity);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Json::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Json::Object)
    }
}

/// Where the checks expect an object (`T`, a struct of its fields) or an
/// array of them: the content when it is one, otherwise what was there.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot<'a, T> {
    Is(T),
    Not(Json<'a>),
}

impl<T> Default for Slot<'_, T> {
    fn default() -> Self {
        Self::Not(Json::Absent)
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for Slot<'a, T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SlotVisitor(PhantomData))
    }
}

struct SlotVisitor<'a, T>(PhantomData<Slot<'a, T>>);

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for SlotVisitor<'a, T> {
    type Value = Slot<'a, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    scalars!(Slot::Not);

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        ScalarVisitor(PhantomData).visit_seq(seq).map(Slot::Not)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Slot::Is)
    }
}

/// Where the checks expect an array: its elements when it is one,
/// otherwise what was there.
#[derive(Debug, Clone, PartialEq)]
pub enum List<'a, T> {
    Is(Vec<T>),
    Not(Json<'a>),
}

impl<T> Default for List<'_, T> {
    fn default() -> Self {
        Self::Not(Json::Absent)
    }
}

/// Why a body could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, or a field given twice in one object.
    #[error(transparent)]
    Malformed(#[from] serde_json::Error),
    /// `data` has more items than `limit`; reading stopped at the first one
    /// past it, so no more than `limit` items were ever held.
    #[error("data has more than {limit} items")]
    TooManyItems { limit: usize },
}

/// Reads `data`, stopping at the first item past `max_items`.
struct ListSeed<'s, 'a, T> {
    max_items: usize,
    exceeded: &'s Cell<bool>,
    marker: PhantomData<List<'a, T>>,
}

impl<'de: 'a, 'a, T: Deserialize<'de>> DeserializeSeed<'de> for ListSeed<'_, 'a, T> {
    type Value = List<'a, T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for ListSeed<'_, 'a, T> {
    type Value = List<'a, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    scalars!(List::Not);

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let expected = seq.size_hint().unwrap_or(0).min(self.max_items);
        let mut items = Vec::with_capacity(expected.min(4096));
        while let Some(item) = seq.next_element()? {
            if items.len() == self.max_items {
                self.exceeded.set(true);
                return Err(de::Error::custom("too many items"));
            }
            items.push(item);
        }
        Ok(List::Is(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        ScalarVisitor(PhantomData).visit_map(map).map(List::Not)
    }
}

/// `meta`, shared by both feeds.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct Meta<'a> {
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::integration_id, required = true))]
    pub integration_configuration_id: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::external_system, required = true))]
    pub external_system: Json<'a>,
}

/// A body of either feed: the items and `meta`.
#[derive(Debug)]
pub struct Body<'a, T> {
    pub data: List<'a, Slot<'a, T>>,
    pub meta: Slot<'a, Meta<'a>>,
}

impl<T> Default for Body<'_, T> {
    fn default() -> Self {
        Self {
            data: List::default(),
            meta: Slot::default(),
        }
    }
}

impl<'a, T: Deserialize<'a>> Body<'a, T> {
    /// Reads a body. Only broken JSON (or a field given twice) and more
    /// than `max_items` items fail; a body that is not an object reads as
    /// one without fields. Memory stays bounded by `max_items` whatever the
    /// shape of the body: reading stops at the first item past the limit.
    pub fn read(json: &'a str, max_items: usize) -> Result<Self, ReadError> {
        let exceeded = Cell::new(false);
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let seed = BodySeed {
            max_items,
            exceeded: &exceeded,
            marker: PhantomData,
        };
        match seed.deserialize(&mut deserializer) {
            Ok(body) => {
                deserializer.end()?;
                Ok(body)
            }
            Err(_) if exceeded.get() => Err(ReadError::TooManyItems { limit: max_items }),
            Err(error) => Err(ReadError::Malformed(error)),
        }
    }
}

impl<'a, T> Body<'a, T> {
    /// `meta`'s fields; all absent when `meta` is not an object.
    pub fn meta(&self) -> Option<&Meta<'a>> {
        match &self.meta {
            Slot::Is(meta) => Some(meta),
            Slot::Not(_) => None,
        }
    }
}

/// Reads a whole body with the item limit in hand.
struct BodySeed<'s, 'a, T> {
    max_items: usize,
    exceeded: &'s Cell<bool>,
    marker: PhantomData<Body<'a, T>>,
}

impl<'de: 'a, 'a, T: Deserialize<'de>> DeserializeSeed<'de> for BodySeed<'_, 'a, T> {
    type Value = Body<'a, T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A body that is not an object has no fields.
fn without_fields<'a, T>(_: Json<'a>) -> Body<'a, T> {
    Body::default()
}

impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for BodySeed<'_, 'a, T> {
    type Value = Body<'a, T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    scalars!(without_fields);

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        ScalarVisitor(PhantomData)
            .visit_seq(seq)
            .map(without_fields)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut body = Body::default();
        let (mut seen_data, mut seen_meta) = (false, false);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "data" => {
                    if std::mem::replace(&mut seen_data, true) {
                        return Err(de::Error::duplicate_field("data"));
                    }
                    body.data = map.next_value_seed(ListSeed {
                        max_items: self.max_items,
                        exceeded: self.exceeded,
                        marker: PhantomData,
                    })?;
                }
                "meta" => {
                    if std::mem::replace(&mut seen_meta, true) {
                        return Err(de::Error::duplicate_field("meta"));
                    }
                    body.meta = map.next_value()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(body)
    }
}

/// One contact event's fields.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct ContactItem<'a> {
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::properties, required = true))]
    pub properties: Slot<'a, Properties<'a>>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::queue_name, required = true))]
    pub queue_name: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::queue_identifier, required = true))]
    pub queue_identifier: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::timestamp, required = true))]
    pub timestamp: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::channel))]
    pub channel: Json<'a>,
}

/// A contact event's `properties`.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Properties<'a> {
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::flag, required = true))]
    pub offered: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::flag, required = true))]
    pub handled: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::duration, required = true))]
    pub duration: Json<'a>,
}

/// One agent status's fields.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, rename_all = "camelCase")]
pub struct StatusItem<'a> {
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::agent_identifier, required = true))]
    pub agent_identifier: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::activity_identifier, required = true))]
    pub activity_identifier: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::start_time, required = true))]
    pub start_time: Json<'a>,
    #[serde(borrow)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::ingest::openapi::end_time))]
    pub end_time: Json<'a>,
}

#[cfg(test)]
mod tests {
    use super::*;

    type Contacts<'a> = Body<'a, ContactItem<'a>>;

    fn read(json: &str) -> Result<Contacts<'_>, ReadError> {
        Contacts::read(json, 3)
    }

    #[test]
    fn reading_stops_at_the_first_item_past_the_limit() {
        assert!(read(r#"{"data":[0,0,0]}"#).is_ok());
        // The error comes before the broken tail is reached: nothing past
        // the fourth item was read.
        assert!(matches!(
            read(r#"{"data":[0,0,0,0,"#),
            Err(ReadError::TooManyItems { limit: 3 })
        ));
        let many = format!(r#"{{"data":[{}0]}}"#, "0,".repeat(1_000_000));
        assert!(matches!(
            read(&many),
            Err(ReadError::TooManyItems { limit: 3 })
        ));
    }

    #[test]
    fn data_given_twice_is_malformed() {
        assert!(matches!(
            read(r#"{"data":[],"data":[]}"#),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(
            read(r#"{"meta":{},"meta":{}}"#),
            Err(ReadError::Malformed(_))
        ));
    }

    #[test]
    fn text_without_escapes_is_borrowed_and_with_them_owned() {
        let body = read(r#"{"data":[{"queueName":"Plain","queueIdentifier":"with \"quotes\""}]}"#)
            .expect("JSON");
        let List::Is(items) = &body.data else {
            panic!("an array")
        };
        let Slot::Is(item) = &items[0] else {
            panic!("an object")
        };
        assert!(matches!(
            item.queue_name,
            Json::Text(Cow::Borrowed("Plain"))
        ));
        assert_eq!(
            item.queue_identifier,
            Json::Text(Cow::Owned("with \"quotes\"".into()))
        );
    }

    #[test]
    fn values_of_the_wrong_kind_are_kept_by_kind() {
        let body = read(
            r#"{"data":[7, {"properties":[1,2], "queueName":{"a":1}, "timestamp":null, "channel":2.5}],
               "meta":"x", "other":{"deep":[[[]]]}}"#,
        )
        .expect("JSON");
        assert!(matches!(body.meta, Slot::Not(Json::Text(_))));
        let List::Is(items) = &body.data else {
            panic!("an array")
        };
        assert_eq!(items[0], Slot::Not(Json::UInt(7)));
        let Slot::Is(item) = &items[1] else {
            panic!("an object")
        };
        assert_eq!(item.properties, Slot::Not(Json::Array));
        assert_eq!(item.queue_name, Json::Object);
        assert_eq!(item.queue_identifier, Json::Absent);
        assert_eq!(item.timestamp, Json::Null);
        assert_eq!(item.channel, Json::Float(2.5));
    }

    #[test]
    fn a_body_that_is_not_an_object_has_no_fields() {
        let body = read("[1, 2]").expect("JSON");
        assert_eq!(body.data, List::Not(Json::Absent));
        assert!(body.meta().is_none());
    }

    #[test]
    fn broken_json_and_a_repeated_field_are_refused() {
        assert!(read(r#"{"data":[}"#).is_err());
        assert!(read(r#"{"data":[]} trailing"#).is_err());
        assert!(read(r#"{"data":[{"channel":"calls","channel":"chats"}]}"#).is_err());
    }

    #[test]
    fn numbers_keep_whether_they_are_whole() {
        assert_eq!(Json::UInt(u64::MAX).as_i64(), None);
        assert_eq!(Json::Int(-3).as_i64(), Some(-3));
        assert_eq!(Json::Float(3.0).as_i64(), None);
        assert_eq!(Json::UInt(3).as_f64(), Some(3.0));
    }
}
