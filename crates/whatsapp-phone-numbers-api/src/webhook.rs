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
