//! What the fleet state holds and its history records.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// What a state value is about: a phone number or a WhatsApp Business Account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A phone number (its ID).
    Number,
    /// A WhatsApp Business Account (its ID).
    Account,
}

impl Entity {
    /// `number` or `account`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Number => "number",
            Entity::Account => "account",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "number" => Some(Entity::Number),
            "account" => Some(Entity::Account),
            _ => None,
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A webhook from the inbox (or a read of the one field a webhook announced without
    /// naming its new value).
    Webhook,
    /// A full read of the fleet.
    Resync,
}

impl Source {
    /// `webhook` or `resync`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Webhook => "webhook",
            Source::Resync => "resync",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "webhook" => Some(Source::Webhook),
            "resync" => Some(Source::Resync),
            _ => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Source {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Source::parse(text).ok_or_else(|| format!("a source is webhook or resync, not {text:?}"))
    }
}

/// One value seen: a field of a number or account, as a webhook told it or a read found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// A number or an account.
    pub entity: Entity,
    /// Its ID.
    pub id: String,
    /// The account a number belongs to (`None` for an account, or when unknown).
    pub waba_id: Option<String>,
    /// The field (see [`NUMBER_FIELDS`](crate::fleet::NUMBER_FIELDS),
    /// [`ACCOUNT_FIELDS`](crate::fleet::ACCOUNT_FIELDS)).
    pub field: &'static str,
    /// Its value as Graph writes it (`RED`, `TIER_2K`, `true`), `None` when absent.
    pub value: Option<String>,
    /// When it was true, in Unix milliseconds: a webhook's entry time, or when the read
    /// began.
    pub at_ms: i64,
    /// Where it came from.
    pub source: Source,
    /// The inbox change it came from, for a webhook.
    pub inbox_change_id: Option<i64>,
}

/// A value the fleet state holds: the last value seen of one field of one number or
/// account, and where and when it last changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StateValue {
    /// A number or an account.
    pub entity: Entity,
    /// Its ID.
    #[serde(rename = "entity_id")]
    pub id: String,
    /// The account a number belongs to.
    pub waba_id: Option<String>,
    /// The field.
    pub field: String,
    /// The value (`None`: Graph gave none).
    pub value: Option<String>,
    /// When the value was last known to start being true (Unix milliseconds): older
    /// observations than this are stale and not applied.
    pub as_of_ms: i64,
    /// Where the last change (or the first value) came from.
    pub source: Source,
    /// When it was recorded (Unix milliseconds).
    pub changed_at_ms: i64,
}

/// One difference between the stored state and what was seen: a row of the history table,
/// and the JSON line `waphone watch` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FleetChange {
    /// Increasing in the order changes were recorded.
    pub id: i64,
    /// A number or an account.
    pub entity: Entity,
    /// Its ID.
    pub entity_id: String,
    /// The account a number belongs to.
    pub waba_id: Option<String>,
    /// The field that changed.
    pub field: String,
    /// The value before.
    pub old: Option<String>,
    /// The value after.
    pub new: Option<String>,
    /// Where the difference was seen.
    pub source: Source,
    /// True when a full read found a difference that no webhook announced (a webhook
    /// lost, a field not subscribed to, a change Graph sends no webhook for).
    pub unannounced: bool,
    /// When the new value was true, in Unix milliseconds (a webhook's entry time, or when
    /// the read began).
    pub observed_at_ms: i64,
    /// When it was recorded, in Unix milliseconds.
    pub recorded_at_ms: i64,
    /// The inbox change it came from, for a webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_change_id: Option<i64>,
}

impl FleetChange {
    /// The record as one JSON line (without the newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Which history records to read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    /// One number's or account's records (an account's include its numbers'), or all.
    pub id: Option<String>,
    /// Only records made at or after this time (Unix milliseconds).
    pub since_ms: Option<i64>,
    /// Only records with an ID above this.
    pub after_id: Option<i64>,
    /// At most this many, oldest first (0: no limit).
    pub limit: usize,
}

/// What a write to the state table is: the value, and the history record when the value
/// changed (none for the first value of a field).
#[derive(Clone, Debug)]
pub(crate) struct Write {
    pub(crate) value: StateValue,
    pub(crate) record: Option<NewRecord>,
}

/// A history record before it has its ID.
#[derive(Clone, Debug)]
pub(crate) struct NewRecord {
    pub(crate) old: Option<String>,
    pub(crate) unannounced: bool,
    pub(crate) observed_at_ms: i64,
    pub(crate) inbox_change_id: Option<i64>,
}
