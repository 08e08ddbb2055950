//! The notification Graph posts: `object`, `entry[].id/time`, `changes[].field/value`.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::GraphVersion;
use whatsapp_phone_numbers_api::WebhookChange;

/// A webhook notification, with the changes typed by version `V`
/// (`v24_0::Notification` is `Notification<v24_0::Version>`).
///
/// Decoding is lenient the way Graph needs: keys may come in any order, unknown keys are
/// ignored, a missing list is empty, and a change of a field the version does not type (or
/// whose value does not decode) is kept raw in the version's `Change::Other`. Only a body
/// that is not a JSON object fails.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Notification<V: GraphVersion> {
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
pub struct Entry<V: GraphVersion> {
    /// The WhatsApp Business Account (for partner events, possibly the partner's business
    /// portfolio).
    #[serde(default, deserialize_with = "id")]
    pub id: String,
    /// When Graph sent it, in Unix seconds.
    #[serde(
        default,
        deserialize_with = "time",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<i64>,
    /// What changed.
    #[serde(default)]
    pub changes: Vec<V::WebhookChange>,
}

/// One change with the entry it came in: what a receiver hands to user code.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(bound = "")]
pub struct Event<V: GraphVersion> {
    /// The field (`phone_number_quality_update`).
    pub field: String,
    /// The entry's ID: the WhatsApp Business Account (see [`Entry::id`]).
    pub waba_id: String,
    /// When Graph sent it, in Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    /// The change: typed, or kept raw (`Change::Other`).
    #[serde(skip)]
    pub change: V::WebhookChange,
    /// The value as JSON (the typed value encoded again, or the raw value).
    pub value: Value,
}

impl<V: GraphVersion> Notification<V> {
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
}

/// An ID Graph writes as a string (a number is accepted and written as one).
fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    })
}

/// Unix seconds as a number (or a numeric string); anything else is `None`.
fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}
