//! What an inbox hands out and reports.

use std::fmt;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::value::RawValue;
use whatsapp_phone_numbers::GraphVersion;
use whatsapp_phone_numbers::webhooks::WebhookChange;

/// One change taken from the inbox by a consumer: kept raw as Graph sent it, decoded with
/// the consumer's own version types ([`decode`](Self::decode)).
#[derive(Clone, PartialEq, Eq)]
pub struct Change {
    /// The row's ID: increasing in the order changes arrived.
    pub id: i64,
    /// The app the delivery was signed for, when the receiver named it.
    pub app_id: Option<String>,
    /// The entry's ID: the WhatsApp Business Account.
    pub waba_id: String,
    /// The field (`phone_number_quality_update`).
    pub field: String,
    /// The entry's time (Unix seconds), when it had one.
    pub time: Option<i64>,
    /// The value's JSON text, exactly as Graph sent it.
    pub value: String,
    /// When the delivery was received.
    pub received_at: SystemTime,
    /// Which attempt this is (1 for the first).
    pub attempt: u32,
    pub(crate) lease_token: i64,
}

impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Change")
            .field("id", &self.id)
            .field("app_id", &self.app_id)
            .field("waba_id", &self.waba_id)
            .field("field", &self.field)
            .field("time", &self.time)
            .field("value", &self.value)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl Change {
    /// The change typed by version `V` (a field `V` does not type, or a value that does not
    /// decode, is its `Other` variant, as in a receiver).
    pub fn decode<V: GraphVersion>(&self) -> V::WebhookChange {
        let value = serde_json::from_str(&self.value).unwrap_or(serde_json::Value::Null);
        V::WebhookChange::from_parts(self.field.clone(), value)
    }

    /// The change as one JSON document, its value written exactly as Graph sent it:
    /// `{"id", "app_id", "waba_id", "field", "time", "received_at", "attempt", "value"}`
    /// (`received_at` in Unix milliseconds).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            id: i64,
            #[serde(skip_serializing_if = "Option::is_none")]
            app_id: Option<&'a str>,
            waba_id: &'a str,
            field: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            time: Option<i64>,
            received_at: i64,
            attempt: u32,
            value: &'a RawValue,
        }
        let raw = RawValue::from_string(self.value.clone()).or_else(|_| {
            RawValue::from_string(serde_json::Value::String(self.value.clone()).to_string())
        });
        let millis = crate::record::micros(self.received_at) / 1000;
        match raw {
            Ok(raw) => serde_json::to_string(&Line {
                id: self.id,
                app_id: self.app_id.as_deref(),
                waba_id: &self.waba_id,
                field: &self.field,
                time: self.time,
                received_at: millis,
                attempt: self.attempt,
                value: &raw,
            })
            .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }
}

/// A change (or an unreadable part of a delivery) the inbox gave up on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The row's ID.
    pub id: i64,
    /// The app the delivery was signed for, when known.
    pub app_id: Option<String>,
    /// The entry's ID (empty for a part that was not readable as a change).
    pub waba_id: String,
    /// The field, for a change.
    pub field: Option<String>,
    /// The value's JSON text, or the unreadable part's.
    pub value: String,
    /// Why: the consumer's last error, or why the part could not be read.
    pub reason: String,
    /// How many times a consumer tried it.
    pub attempts: u32,
    /// When the delivery was received (Unix milliseconds).
    pub received_at: i64,
}

/// How many changes are in each state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Waiting for a consumer (some maybe until a retry time).
    pub pending: u64,
    /// Taken by a consumer, not finished yet.
    pub leased: u64,
    /// Finished.
    pub done: u64,
    /// Given up on (see [`DeadLetter`]).
    pub dead: u64,
    /// Deliveries kept (the raw bodies).
    pub deliveries: u64,
    /// When the oldest waiting change was received (Unix milliseconds).
    pub oldest_pending_received_at: Option<i64>,
}

impl Status {
    /// Changes not finished: pending or leased.
    pub fn backlog(&self) -> u64 {
        self.pending + self.leased
    }
}

/// What [`Inbox::replay`](crate::Inbox::replay) hands out again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Every change received at or after this time.
    Since(SystemTime),
    /// Every change with this row ID or a later one.
    FromId(i64),
}

/// What storing one delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inserted {
    /// Changes kept for the first time (dead letters included).
    pub new: u64,
    /// Changes already kept (the same delivery again).
    pub duplicates: u64,
}
