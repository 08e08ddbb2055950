//! Webhook changes: the `changes[]` entries of a webhook notification.
//!
//! Graph posts a notification to an app's callback whenever something it subscribed to
//! changes: `{"object": "whatsapp_business_account", "entry": [{"id": WABA, "time": T,
//! "changes": [{"field": F, "value": {...}}]}]}`. Each specification lists the fields it
//! types (the `x-webhook-fields` extension: field name → component schema), and generation gives
//! each version module a `webhooks::Change` enumeration through the crate-private
//! `webhook_changes!` macro: one variant per typed field holding that schema's type, plus
//! [`Other`](OtherChange) for everything else.
//!
//! Decoding a change never fails. A field the version does not type, or a typed field
//! whose value does not decode (Meta changed its shape), becomes an [`OtherChange`] that
//! keeps the field name and the raw JSON value, and says why when a decode failed. Unknown
//! keys inside a typed value are ignored, and unknown enumeration values keep their text, as
//! everywhere else.
//!
//! The envelope around the changes is one type, [`Notification`], generic over what its
//! changes are read as ([`WebhookVersion`]): a Graph API version reads them typed by its
//! `webhooks::Change` (what the facade's receiver hands out), [`Raw`] keeps every change as
//! JSON (what the mock writes its deliveries with, and tests theirs).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// One change of a webhook notification, typed by a version's specification.
///
/// Implemented by `webhooks::Change` in each version module.
pub trait WebhookChange:
    Serialize + DeserializeOwned + Clone + fmt::Debug + PartialEq + Send + Sync + Unpin + 'static
{
    /// The fields this version types, in specification order.
    const FIELDS: &'static [&'static str];

    /// The change for `field` with `value`: typed when this version types the field and the
    /// value decodes, an [`OtherChange`] keeping both otherwise. Never fails.
    fn from_parts(field: String, value: Value) -> Self;

    /// The field name, as Graph sent it (`phone_number_quality_update`).
    fn field(&self) -> &str;

    /// The value as JSON: a typed value encoded again (fields it lacks left out), or the
    /// raw value of an [`OtherChange`].
    fn value(&self) -> Value;

    /// The change kept as sent, when this version did not type it.
    fn other(&self) -> Option<&OtherChange>;
}

/// A change kept as Graph sent it: a field this version does not type, or a typed field
/// whose value did not decode.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherChange {
    /// The field name (empty when the change had none).
    pub field: String,
    /// The value, exactly as decoded from the notification.
    pub value: Value,
    /// Why the value did not decode, for a field this version types; `None` for a field it
    /// does not type.
    pub error: Option<String>,
}

impl OtherChange {
    /// A change of a field this version does not type.
    pub fn unknown(field: String, value: Value) -> Self {
        Self {
            field,
            value,
            error: None,
        }
    }
}

/// The `object` of every WhatsApp Business Account webhook notification.
pub const WEBHOOK_OBJECT: &str = "whatsapp_business_account";

/// A webhook notification as Graph posts it, with one change: `{"object":
/// "whatsapp_business_account", "entry": [{"id", "time", "changes": [{"field", "value"}]}]}`,
/// written with the one envelope type ([`Notification`]).
/// How the mock writes a delivery, and tests theirs.
pub fn notification_body(
    waba_id: &str,
    time: i64,
    field: &str,
    value: &serde_json::Value,
) -> String {
    let change = OtherChange::unknown(field.to_owned(), value.clone());
    Notification::<Raw>::single(waba_id, Some(time), change).to_body()
}

/// What a notification's changes are read as: every Graph API version (its typed
/// `webhooks::Change`), or [`Raw`].
pub trait WebhookVersion {
    /// One change.
    type Change: WebhookChange;
}

impl<V: crate::GraphVersion> WebhookVersion for V {
    type Change = V::WebhookChange;
}

/// Changes read as sent: every change an [`OtherChange`] (`Notification<Raw>`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Raw;

impl WebhookVersion for Raw {
    type Change = OtherChange;
}

/// A webhook notification as Graph posts it: `object`, and per account an entry with its
/// changes, read as `V` says (`Notification<v24_0::Version>` types them by v24.0;
/// `Notification<Raw>` keeps them as sent).
///
/// Decoding is lenient the way Graph needs: keys may come in any order, unknown keys are
/// ignored, a missing list is empty, an entry's `id` may be a number and its `time` a
/// numeric string, and a change that does not decode is kept raw (see [`WebhookChange`]).
/// Only a body that is not a JSON object fails.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Notification<V: WebhookVersion> {
    /// What the notification is about: `whatsapp_business_account`.
    #[serde(default)]
    pub object: String,
    /// One entry per account (Graph may batch several).
    #[serde(default)]
    pub entry: Vec<Entry<V>>,
}

/// One entry of a [`Notification`]: the changes of one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Entry<V: WebhookVersion> {
    /// The WhatsApp Business Account (for partner events, possibly the partner's business
    /// portfolio).
    #[serde(default, deserialize_with = "entry_id")]
    pub id: String,
    /// When Graph sent it, in Unix seconds.
    #[serde(
        default,
        deserialize_with = "entry_time",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<i64>,
    /// What changed.
    #[serde(default)]
    pub changes: Vec<V::Change>,
}

/// One change with the entry it came in: what a receiver hands to user code.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(bound = "")]
pub struct Event<V: WebhookVersion> {
    /// The field (`phone_number_quality_update`).
    pub field: String,
    /// The entry's ID: the WhatsApp Business Account (see [`Entry::id`]).
    pub waba_id: String,
    /// When Graph sent it, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    /// The change: typed, or kept raw.
    #[serde(skip)]
    pub change: V::Change,
    /// The value as JSON (the typed value encoded again, or the raw value).
    pub value: Value,
}

impl<V: WebhookVersion> Notification<V> {
    /// A notification of one change to `waba_id`'s account, as Graph sends one.
    pub fn single(waba_id: impl Into<String>, time: Option<i64>, change: V::Change) -> Self {
        Self {
            object: WEBHOOK_OBJECT.to_owned(),
            entry: vec![Entry {
                id: waba_id.into(),
                time,
                changes: vec![change],
            }],
        }
    }

    /// Every change of every entry, in order, with its entry's ID and time.
    pub fn events(&self) -> impl Iterator<Item = Event<V>> + '_ {
        self.entry.iter().flat_map(|entry| {
            entry.changes.iter().map(move |change| Event {
                field: change.field().to_owned(),
                waba_id: entry.id.clone(),
                time: entry.time,
                value: change.value(),
                change: change.clone(),
            })
        })
    }

    /// How many changes the notification carries.
    pub fn len(&self) -> usize {
        self.entry.iter().map(|e| e.changes.len()).sum()
    }

    /// True when it carries no change.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The notification as the JSON body Graph posts.
    pub fn to_body(&self) -> String {
        // A notification holds strings, numbers and JSON values: encoding cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An ID Graph writes as a string (a number is accepted and written as one).
fn entry_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

/// Unix seconds as a number (or a numeric string); anything else is `None`.
fn entry_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Every change kept as sent: no field is typed.
impl WebhookChange for OtherChange {
    const FIELDS: &'static [&'static str] = &[];

    fn from_parts(field: String, value: Value) -> Self {
        Self::unknown(field, value)
    }

    fn field(&self) -> &str {
        &self.field
    }

    fn value(&self) -> Value {
        self.value.clone()
    }

    fn other(&self) -> Option<&OtherChange> {
        Some(self)
    }
}

impl Serialize for OtherChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for OtherChange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer)
    }
}

/// Decodes `value` as `T` for a typed field, or keeps it in an [`OtherChange`] naming the
/// failure. Used by the generated `from_parts`.
pub fn typed<T: DeserializeOwned, C>(
    field: String,
    value: Value,
    wrap: impl FnOnce(T) -> C,
    other: impl FnOnce(OtherChange) -> C,
) -> C {
    match T::deserialize(&value) {
        Ok(typed) => wrap(typed),
        Err(e) => other(OtherChange {
            error: Some(format!("the `{field}` value did not decode: {e}")),
            field,
            value,
        }),
    }
}

/// Encodes a change as Graph writes it: `{"field": ..., "value": ...}`.
pub fn serialize<C: WebhookChange, S: Serializer>(
    change: &C,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("field", change.field())?;
    map.serialize_entry("value", &change.value())?;
    map.end()
}

/// Decodes a change from any JSON: an object's `field` (a string) and `value`; anything
/// else (a change without a field name, a change that is not an object) is kept whole in
/// an [`OtherChange`] with an empty field name.
pub fn deserialize<'de, C: WebhookChange, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<C, D::Error> {
    let raw = Value::deserialize(deserializer)?;
    Ok(from_json(raw))
}

/// The change in a JSON value (see [`deserialize`]).
pub fn from_json<C: WebhookChange>(raw: Value) -> C {
    match raw {
        Value::Object(mut object) => match object.get("field") {
            Some(Value::String(_)) => {
                let Some(Value::String(field)) = object.remove("field") else {
                    unreachable!("checked above")
                };
                let value = object.remove("value").unwrap_or(Value::Null);
                C::from_parts(field, value)
            }
            _ => C::from_parts(String::new(), Value::Object(std::mem::take(&mut object))),
        },
        other => C::from_parts(String::new(), other),
    }
}

/// The value of a typed change encoded as JSON (`Null` if it cannot be, which generated
/// types never cause).
pub fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Declares a version's `Change` enumeration (used by the generated code, one invocation
/// per version module).
#[allow(unused_macros)]
macro_rules! webhook_changes {
    (
        $(#[doc = $doc:literal])*
        $name:ident { $( $(#[doc = $vdoc:literal])* $variant:ident($ty:ty) = $field:literal, )* }
    ) => {
        $(#[doc = $doc])*
        ///
        /// Decoding never fails: a field this version does not type, or a value that does not
        /// decode, is kept in [`Other`](Self::Other) with its raw JSON.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        // Unboxed so that `Change::AccountUpdate(update)` matches directly; a notification
        // holds a handful of changes.
        #[allow(clippy::large_enum_variant)]
        pub enum $name {
            $( $(#[doc = $vdoc])* $variant($ty), )*
            /// Any other change, kept as sent (see
            /// [`OtherChange`]($crate::webhook::OtherChange)).
            Other($crate::webhook::OtherChange),
        }

        impl $crate::webhook::WebhookChange for $name {
            const FIELDS: &'static [&'static str] = &[$($field,)*];

            fn from_parts(field: ::std::string::String, value: ::serde_json::Value) -> Self {
                match field.as_str() {
                    $( $field => $crate::webhook::typed(field, value, Self::$variant, Self::Other), )*
                    _ => Self::Other($crate::webhook::OtherChange::unknown(field, value)),
                }
            }

            fn field(&self) -> &str {
                match self {
                    $( Self::$variant(_) => $field, )*
                    Self::Other(other) => &other.field,
                }
            }

            fn value(&self) -> ::serde_json::Value {
                match self {
                    $( Self::$variant(value) => $crate::webhook::to_value(value), )*
                    Self::Other(other) => other.value.clone(),
                }
            }

            #[allow(unreachable_patterns)]
            fn other(&self) -> ::std::option::Option<&$crate::webhook::OtherChange> {
                match self {
                    Self::Other(other) => Some(other),
                    _ => None,
                }
            }
        }

        impl $name {
            /// The fields this version types, in specification order.
            pub const FIELDS: &'static [&'static str] =
                <$name as $crate::webhook::WebhookChange>::FIELDS;

            /// The field name, as Graph sent it.
            pub fn field(&self) -> &str {
                $crate::webhook::WebhookChange::field(self)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::webhook::serialize(self, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::webhook::deserialize(deserializer)
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use webhook_changes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_body_has_graphs_shape() {
        let body = notification_body(
            "42",
            7,
            "account_update",
            &serde_json::json!({"event": "X"}),
        );
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["object"], WEBHOOK_OBJECT);
        assert_eq!(parsed["entry"][0]["id"], "42");
        assert_eq!(parsed["entry"][0]["time"], 7);
        assert_eq!(parsed["entry"][0]["changes"][0]["field"], "account_update");
        assert_eq!(parsed["entry"][0]["changes"][0]["value"]["event"], "X");
    }

    #[test]
    fn a_raw_notification_keeps_every_change_as_sent_and_writes_graphs_shape() {
        let body = r#"{"entry":[{"changes":[{"value":{"k":[1],"new":null},"field":"brand_new"},
            {"no_field":true}],"time":"7","id":42}],"object":"whatsapp_business_account","x":1}"#;
        let read: Notification<Raw> = serde_json::from_str(body).unwrap();
        assert_eq!(read.len(), 2);
        let events: Vec<Event<Raw>> = read.events().collect();
        assert_eq!(events[0].waba_id, "42");
        assert_eq!(events[0].time, Some(7));
        assert_eq!(events[0].field, "brand_new");
        assert_eq!(events[0].value, serde_json::json!({"k": [1], "new": null}));
        assert_eq!(events[1].field, "");
        assert_eq!(events[1].value, serde_json::json!({"no_field": true}));

        let written = Notification::<Raw>::single(
            "9",
            Some(1),
            OtherChange::unknown("account_update".into(), serde_json::json!({"n": 1})),
        )
        .to_body();
        assert_eq!(
            written,
            r#"{"object":"whatsapp_business_account","entry":[{"id":"9","time":1,"changes":[{"field":"account_update","value":{"n":1}}]}]}"#
        );
        let again: Notification<Raw> = serde_json::from_str(&written).unwrap();
        assert_eq!(again.to_body(), written);
    }
}
