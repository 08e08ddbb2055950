//! A notification's envelope read without a version's types: each change's entry, time,
//! field and value exactly as Graph wrote it (the value's raw JSON text), and every part
//! that could not be read, with why.
//!
//! This is what a store keeps: the value is neither decoded nor encoded again, so a newer
//! SDK can type it later and nothing Graph sent is lost on the way (a typed struct drops the
//! keys its specification does not name). One unreadable entry or change never hides the
//! others.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::error::WebhookError;

/// One change of a notification, as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawChange<'a> {
    /// Position of its entry in `entry[]`.
    pub entry: usize,
    /// Position in that entry's `changes[]`.
    pub index: usize,
    /// The entry's ID: the WhatsApp Business Account (text, or a number written as text).
    pub waba_id: String,
    /// The entry's `time` in Unix seconds, when it has one.
    pub time: Option<i64>,
    /// The field (`phone_number_quality_update`).
    pub field: String,
    /// The value's JSON text, exactly as in the body.
    pub value: &'a str,
}

/// A part of a notification that could not be read as a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable<'a> {
    /// Position of the entry in `entry[]`, when the part is inside one.
    pub entry: Option<usize>,
    /// Position of the change in the entry's `changes[]`, when the part is a change.
    pub index: Option<usize>,
    /// The entry's ID, when the part is in an entry that has one (else empty).
    pub waba_id: String,
    /// Why it could not be read.
    pub reason: String,
    /// Its JSON text, exactly as in the body.
    pub raw: &'a str,
}

/// A notification's envelope: its object, its changes and what could not be read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// `object` (`whatsapp_business_account`), empty when absent.
    pub object: String,
    /// Every readable change, in order.
    pub changes: Vec<RawChange<'a>>,
    /// Every part that could not be read, in order.
    pub unreadable: Vec<Unreadable<'a>>,
}

#[derive(Deserialize)]
struct Top<'a> {
    #[serde(default, borrow)]
    object: Option<&'a RawValue>,
    #[serde(default, borrow)]
    entry: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct EntryParts<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default, borrow)]
    time: Option<&'a RawValue>,
    #[serde(default, borrow)]
    changes: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ChangeParts<'a> {
    #[serde(default, borrow)]
    field: Option<&'a RawValue>,
    #[serde(default, borrow)]
    value: Option<&'a RawValue>,
}

/// The elements of a JSON array, as raw text; `None` when `raw` is not an array.
fn elements(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()
}

/// `raw` read as an object's parts; `None` for anything else (a derived struct would also
/// read a list positionally).
fn object<'a, T: Deserialize<'a>>(raw: &'a RawValue) -> Option<T> {
    if !raw.get().trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(raw.get()).ok()
}

/// Text written as a JSON string, or a number written as text.
fn text(raw: &RawValue) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(raw.get()).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unix seconds as a number or numeric text.
fn seconds(raw: &RawValue) -> Option<i64> {
    match serde_json::from_str::<serde_json::Value>(raw.get()).ok()? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads `body`'s envelope. Fails only when the body is not a JSON object (not UTF-8, not
/// JSON, or another JSON value); everything inside that cannot be read is listed in
/// [`Envelope::unreadable`].
///
/// ```
/// use whatsapp_phone_numbers::webhooks::envelope;
///
/// let body = br#"{"object":"whatsapp_business_account","entry":[
///   {"id":"1","time":7,"changes":[{"field":"account_update","value":{"event": "X",  "new":1}}]},
///   {"id":"2","changes":null}]}"#;
/// let read = envelope::read(body).unwrap();
/// assert_eq!(read.changes.len(), 1);
/// assert_eq!(read.changes[0].value, r#"{"event": "X",  "new":1}"#);
/// assert_eq!(read.unreadable.len(), 1);
/// assert_eq!(read.unreadable[0].entry, Some(1));
/// ```
pub fn read(body: &[u8]) -> Result<Envelope<'_>, WebhookError> {
    let text_body = std::str::from_utf8(body)
        .map_err(|e| WebhookError::Undecodable(format!("the body is not UTF-8: {e}")))?;
    // A derived struct would also read a list (`[1]`) positionally: only an object is one.
    if !text_body.trim_start().starts_with('{') {
        return Err(WebhookError::Undecodable(
            "the body is not a JSON object".to_owned(),
        ));
    }
    let top: Top<'_> = serde_json::from_str(text_body)
        .map_err(|e| WebhookError::Undecodable(format!("the body is not a JSON object: {e}")))?;
    let mut out = Envelope {
        object: top.object.and_then(text).unwrap_or_default(),
        ..Envelope::default()
    };
    let Some(entries) = top.entry else {
        return Ok(out);
    };
    let Some(entries) = elements(entries) else {
        out.unreadable.push(Unreadable {
            entry: None,
            index: None,
            waba_id: String::new(),
            reason: "`entry` is not a list".to_owned(),
            raw: entries.get(),
        });
        return Ok(out);
    };
    for (e, raw_entry) in entries.into_iter().enumerate() {
        let Some(entry) = object::<EntryParts<'_>>(raw_entry) else {
            out.unreadable.push(Unreadable {
                entry: Some(e),
                index: None,
                waba_id: String::new(),
                reason: "the entry is not an object".to_owned(),
                raw: raw_entry.get(),
            });
            continue;
        };
        let waba_id = entry.id.and_then(text).unwrap_or_default();
        let time = entry.time.and_then(seconds);
        let Some(changes) = entry.changes.and_then(elements) else {
            out.unreadable.push(Unreadable {
                entry: Some(e),
                index: None,
                waba_id: waba_id.clone(),
                reason: "the entry's `changes` is not a list".to_owned(),
                raw: raw_entry.get(),
            });
            continue;
        };
        for (c, raw_change) in changes.into_iter().enumerate() {
            let parts = object::<ChangeParts<'_>>(raw_change);
            let field = parts
                .as_ref()
                .and_then(|p| p.field)
                .and_then(text)
                .filter(|f| !f.is_empty());
            match (field, parts.and_then(|p| p.value)) {
                (Some(field), Some(value)) => out.changes.push(RawChange {
                    entry: e,
                    index: c,
                    waba_id: waba_id.clone(),
                    time,
                    field,
                    value: value.get(),
                }),
                _ => out.unreadable.push(Unreadable {
                    entry: Some(e),
                    index: Some(c),
                    waba_id: waba_id.clone(),
                    reason: "the change has no `field` name or no `value`".to_owned(),
                    raw: raw_change.get(),
                }),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_text_and_bad_parts_are_named() {
        let body = br#"{"entry":[
            {"id":102,"time":"17","changes":[{"value":{"b":1,"a":[2]},"field":"x"},{"field":"y"},7,["z",{}]]},
            "not an entry", ["104", 1, []],
            {"id":"103","changes":{"field":"z"}}
        ],"object":"whatsapp_business_account"}"#;
        let read = read(body).unwrap();
        assert_eq!(read.object, "whatsapp_business_account");
        assert_eq!(
            read.changes,
            [RawChange {
                entry: 0,
                index: 0,
                waba_id: "102".into(),
                time: Some(17),
                field: "x".into(),
                value: r#"{"b":1,"a":[2]}"#,
            }]
        );
        let places: Vec<_> = read.unreadable.iter().map(|u| (u.entry, u.index)).collect();
        assert_eq!(
            places,
            [
                (Some(0), Some(1)),
                (Some(0), Some(2)),
                (Some(0), Some(3)),
                (Some(1), None),
                (Some(2), None),
                (Some(3), None)
            ]
        );
        assert_eq!(read.unreadable[1].raw, "7");
        assert_eq!(read.unreadable[1].waba_id, "102");
        assert_eq!(read.unreadable[4].waba_id, "");
        assert_eq!(read.unreadable[5].waba_id, "103");
    }

    #[test]
    fn only_a_body_that_is_no_object_fails() {
        assert!(read(b"[1]").is_err());
        assert!(read(b"{").is_err());
        assert!(read(&[0xff, 0xfe]).is_err());
        let empty = read(b"{}").unwrap();
        assert!(empty.changes.is_empty() && empty.unreadable.is_empty());
        let bad = read(br#"{"entry":5}"#).unwrap();
        assert_eq!(bad.unreadable.len(), 1);
    }
}
