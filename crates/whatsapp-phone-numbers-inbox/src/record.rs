//! What a delivery becomes in the inbox: the delivery as received, and one row per change
//! (an entry's change), each with a deduplication key.
//!
//! **The key** is the SHA-256 of the app, the entry's ID, the field, the entry's time and
//! the canonical form of the value (keys sorted, no insignificant white space). Graph sends
//! the same delivery again when it did not see an answer, and to every app subscribed to
//! the account; it carries no event ID. A retry repeats all five, so it is kept once. Two
//! apps' copies differ by the app, so each app keeps its own (its consumer acts on it). A
//! real repeat of the same value later (a number flagged, unflagged, flagged again) carries
//! another time. Canonical form, not bytes, so that a resend with other spacing or key order
//! is still the same change.
//!
//! A part of the body that cannot be read as a change (and a signed body that is not a
//! notification at all) becomes a dead letter with the reason, keyed by its raw text: kept,
//! answered 200 (Graph would only send it again), and never hiding the body's other
//! changes.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};
use whatsapp_phone_numbers::webhooks::{Received, envelope};

/// One change row to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChangeRow {
    pub(crate) dedup_key: String,
    pub(crate) waba_id: String,
    /// `None` for a dead letter that is not a change.
    pub(crate) field: Option<String>,
    pub(crate) time: Option<i64>,
    /// The value's raw JSON text; for a dead letter, the unreadable part.
    pub(crate) value: String,
    /// Why it is a dead letter, for one born dead.
    pub(crate) dead: Option<String>,
}

/// A delivery ready to insert.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub(crate) app_id: Option<String>,
    pub(crate) signature: String,
    /// Microseconds since the Unix epoch.
    pub(crate) received_at: i64,
    pub(crate) body: Bytes,
    pub(crate) changes: Vec<ChangeRow>,
}

/// Microseconds since the Unix epoch (0 before it).
pub(crate) fn micros(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Unix milliseconds of `at` (0 before the epoch).
pub(crate) fn millis(at: SystemTime) -> i64 {
    micros(at) / 1000
}

/// The time `micros` microseconds after the Unix epoch.
pub(crate) fn time_of(micros: i64) -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_micros(u64::try_from(micros).unwrap_or(0))
}

/// `value` with object keys sorted and no white space, recursively.
fn canonical(value: &Value) -> String {
    fn write(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, key) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    write(&map[key], out);
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// `time` (Unix seconds, 0 when unknown) as 10 hex digits, then the hex SHA-256 of the
/// parts, each followed by a separator no part contains. The time first keeps the unique
/// index's insertions near its end (deliveries arrive roughly in time order), so that a
/// commit rewrites a few index pages instead of one random page per change; the hash alone
/// decides what is the same change.
fn key(time: Option<i64>, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let seconds = time.unwrap_or(0).clamp(0, 0xff_ffff_ffff);
    let mut text = format!("{seconds:010x}");
    text.reserve(64);
    for byte in hash.finalize() {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

/// The deduplication key of a change (see the [module](self)).
pub(crate) fn change_key(
    app_id: Option<&str>,
    waba_id: &str,
    field: &str,
    time: Option<i64>,
    value: &str,
) -> String {
    let canonical = serde_json::from_str::<Value>(value)
        .map(|v| canonical(&v))
        .unwrap_or_else(|_| value.to_owned());
    let seconds = time.map(|t| t.to_string()).unwrap_or_default();
    key(
        time,
        &[
            "change",
            app_id.unwrap_or_default(),
            waba_id,
            field,
            &seconds,
            &canonical,
        ],
    )
}

/// The rows of `delivery`.
pub(crate) fn prepare(delivery: Received) -> Prepared {
    let app = delivery.app_id.as_deref();
    let mut changes = Vec::new();
    match envelope::read(&delivery.body) {
        Ok(read) => {
            for change in &read.changes {
                changes.push(ChangeRow {
                    dedup_key: change_key(
                        app,
                        &change.waba_id,
                        &change.field,
                        change.time,
                        change.value,
                    ),
                    waba_id: change.waba_id.clone(),
                    field: Some(change.field.clone()),
                    time: change.time,
                    value: change.value.to_owned(),
                    dead: None,
                });
            }
            for part in &read.unreadable {
                changes.push(ChangeRow {
                    dedup_key: key(None, &["unreadable", app.unwrap_or_default(), part.raw]),
                    waba_id: part.waba_id.clone(),
                    field: None,
                    time: None,
                    value: part.raw.to_owned(),
                    dead: Some(part.reason.clone()),
                });
            }
        }
        Err(why) => {
            let raw = String::from_utf8_lossy(&delivery.body).into_owned();
            changes.push(ChangeRow {
                dedup_key: key(None, &["unreadable", app.unwrap_or_default(), &raw]),
                waba_id: String::new(),
                field: None,
                time: None,
                value: raw,
                dead: Some(why.to_string()),
            });
        }
    }
    Prepared {
        app_id: delivery.app_id,
        signature: delivery.signature,
        received_at: micros(delivery.received_at),
        body: delivery.body,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(app: Option<&str>, body: &str) -> Received {
        Received {
            app_id: app.map(str::to_owned),
            body: Bytes::from(body.to_owned()),
            signature: "sha256=00".into(),
            received_at: SystemTime::now(),
        }
    }

    #[test]
    fn keys_see_through_spacing_and_key_order_but_not_apps_or_times() {
        let a = change_key(
            Some("1"),
            "w",
            "f",
            Some(7),
            r#"{"a":1,"b":[1,{"y":2,"x":1}]}"#,
        );
        let b = change_key(
            Some("1"),
            "w",
            "f",
            Some(7),
            r#"{ "b":[1,{"x":1, "y":2}], "a":1 }"#,
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            change_key(
                Some("2"),
                "w",
                "f",
                Some(7),
                r#"{"a":1,"b":[1,{"y":2,"x":1}]}"#
            )
        );
        assert_ne!(
            a,
            change_key(
                Some("1"),
                "w",
                "f",
                Some(8),
                r#"{"a":1,"b":[1,{"y":2,"x":1}]}"#
            )
        );
        assert_ne!(
            a,
            change_key(
                Some("1"),
                "v",
                "f",
                Some(7),
                r#"{"a":1,"b":[1,{"y":2,"x":1}]}"#
            )
        );
        assert_ne!(
            a,
            change_key(
                Some("1"),
                "w",
                "g",
                Some(7),
                r#"{"a":1,"b":[1,{"y":2,"x":1}]}"#
            )
        );
        // The separator keeps parts apart.
        assert_ne!(
            change_key(None, "ab", "c", None, "1"),
            change_key(None, "a", "bc", None, "1")
        );
    }

    #[test]
    fn a_body_becomes_one_row_per_change_and_dead_letters_for_the_rest() {
        let body = r#"{"object":"whatsapp_business_account","entry":[
            {"id":"1","time":5,"changes":[{"field":"a","value":{"k":1}},{"field":"b","value":2}]},
            {"id":"2","changes":null}]}"#;
        let prepared = prepare(received(Some("9"), body));
        assert_eq!(prepared.app_id.as_deref(), Some("9"));
        assert_eq!(prepared.changes.len(), 3);
        assert_eq!(prepared.changes[0].value, r#"{"k":1}"#);
        assert_eq!(prepared.changes[1].field.as_deref(), Some("b"));
        assert!(prepared.changes[2].dead.is_some() && prepared.changes[2].field.is_none());
        let all_dead = prepare(received(None, "not json"));
        assert_eq!(all_dead.changes.len(), 1);
        assert_eq!(all_dead.changes[0].value, "not json");
        assert!(
            all_dead.changes[0]
                .dead
                .as_deref()
                .unwrap()
                .contains("JSON")
        );
    }
}
