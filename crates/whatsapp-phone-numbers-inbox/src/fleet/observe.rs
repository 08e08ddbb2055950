//! What a webhook or a read says about the fleet's fields, as [`Observation`]s.
//!
//! Values are read from the JSON Graph sent, by field name, so that every Graph version
//! reads the same way and a value this SDK does not know is kept as Graph wrote it.

use serde_json::Value;

use super::model::{Entity, Observation, Source};
use crate::Change;

/// The fields kept per number: `display_phone_number`, `verified_name`, `status`,
/// `quality_rating`, `messaging_limit` (`whatsapp_business_manager_messaging_limit`, or the
/// deprecated `messaging_limit_tier`), `name_status`, `throughput` (its level),
/// `can_send_message` (`health_status.can_send_message`) and `oba_status` (the Official
/// Business Account status).
pub const NUMBER_FIELDS: &[&str] = &[
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "messaging_limit",
    "name_status",
    "throughput",
    "can_send_message",
    "oba_status",
];

/// The fields kept per account: `account_review_status`, `business_verification_status`,
/// `can_send_message` (`health_status.can_send_message`), and from webhooks only (Graph
/// has no field to read them from) `ban_state` (`account_update`'s `ban_info`) and
/// `restrictions` (`account_update`'s `restriction_info` types, comma-separated).
pub const ACCOUNT_FIELDS: &[&str] = &[
    "account_review_status",
    "business_verification_status",
    "can_send_message",
    "ban_state",
    "restrictions",
];

/// The Graph fields a read of numbers asks for to fill [`NUMBER_FIELDS`].
pub const NUMBER_READ_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "whatsapp_business_manager_messaging_limit",
    "messaging_limit_tier",
    "name_status",
    "throughput",
    "health_status",
    "official_business_account",
];

/// The Graph fields a read of accounts asks for to fill [`ACCOUNT_FIELDS`].
pub const ACCOUNT_READ_FIELDS: &[&str] = &[
    "id",
    "account_review_status",
    "business_verification_status",
    "health_status",
];

/// What a webhook says: values it names, and the fields of numbers it says changed without
/// naming the new value (read them: [`from_number`] with only those fields).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookFacts {
    /// Values the webhook names.
    pub observations: Vec<Observation>,
    /// Numbers (ID, account) whose fields (of [`NUMBER_FIELDS`]) changed to a value the
    /// webhook does not name: `phone_number_quality_update`'s `UNFLAGGED` (the rating left
    /// RED, for YELLOW or GREEN), `phone_number_name_update` (which of the number's name
    /// statuses moved depends on what was under review).
    pub reads: Vec<(String, Option<String>, Vec<&'static str>)>,
}

/// Text of a JSON scalar: strings as they are, numbers and booleans written out; `None`
/// for null, absent, arrays and objects.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Only the digits of a phone number (Graph writes `+1 555-0100` in reads and `15550100`
/// in webhooks).
pub fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The values of [`NUMBER_FIELDS`] in `fields` (all of them when empty) that a read of a
/// number answered (`number`: the node's JSON), true at `at_ms`.
pub fn from_number(
    waba_id: Option<&str>,
    number: &Value,
    fields: &[&'static str],
    at_ms: i64,
    source: Source,
) -> Vec<Observation> {
    let Some(id) = number.get("id").and_then(Value::as_str) else {
        return Vec::new();
    };
    let value_of = |field: &str| -> Option<String> {
        match field {
            "messaging_limit" => text(number.get("whatsapp_business_manager_messaging_limit"))
                .or_else(|| text(number.get("messaging_limit_tier"))),
            "throughput" => text(number.pointer("/throughput/level")),
            "can_send_message" => text(number.pointer("/health_status/can_send_message")),
            "oba_status" => text(number.pointer("/official_business_account/oba_status")),
            other => text(number.get(other)),
        }
    };
    NUMBER_FIELDS
        .iter()
        .filter(|f| fields.is_empty() || fields.contains(f))
        .map(|field| Observation {
            entity: Entity::Number,
            id: id.to_owned(),
            waba_id: waba_id.map(str::to_owned),
            field,
            value: value_of(field),
            at_ms,
            source,
            inbox_change_id: None,
        })
        .collect()
}

/// The values of [`ACCOUNT_FIELDS`] a read of an account answered (`account`: the node's
/// JSON): not `ban_state` and `restrictions`, which no read shows.
pub fn from_account(account: &Value, at_ms: i64, source: Source) -> Vec<Observation> {
    let Some(id) = account.get("id").and_then(Value::as_str) else {
        return Vec::new();
    };
    [
        ("account_review_status", "/account_review_status"),
        (
            "business_verification_status",
            "/business_verification_status",
        ),
        ("can_send_message", "/health_status/can_send_message"),
    ]
    .into_iter()
    .map(|(field, pointer)| Observation {
        entity: Entity::Account,
        id: id.to_owned(),
        waba_id: None,
        field,
        value: text(account.pointer(pointer)),
        at_ms,
        source,
        inbox_change_id: None,
    })
    .collect()
}

/// The digits of the display number a webhook about a number names it by (Graph's
/// management webhooks carry no phone number ID): look the number up with them
/// ([`Fleet::number_by_display`](super::Fleet::number_by_display)) for [`from_webhook`].
pub fn display_digits(change: &Change) -> Option<String> {
    let value = serde_json::from_str::<Value>(&change.value).ok()?;
    let display = value.get("display_phone_number")?.as_str()?;
    Some(digits(display))
}

/// What the webhook `change` says about the fleet. `number` is the number it is about
/// (ID and account), found by its [`display_digits`]; without it, what the webhook says
/// about a number is left out (a full read will find it). Fields this state does not keep
/// say nothing.
pub fn from_webhook(change: &Change, number: Option<(String, Option<String>)>) -> WebhookFacts {
    let mut facts = WebhookFacts::default();
    let Ok(value) = serde_json::from_str::<Value>(&change.value) else {
        return facts;
    };
    let at_ms = match change.time {
        Some(seconds) => seconds.saturating_mul(1000),
        None => crate::record::millis(change.received_at),
    };
    let observe = |entity, id: &str, waba_id: Option<String>, field, value| Observation {
        entity,
        id: id.to_owned(),
        waba_id,
        field,
        value,
        at_ms,
        source: Source::Webhook,
        inbox_change_id: Some(change.id),
    };
    let number = || number.clone();
    let event = text(value.get("event"));
    match change.field.as_str() {
        "phone_number_quality_update" => {
            let Some((id, waba)) = number() else {
                return facts;
            };
            match event.as_deref() {
                Some("FLAGGED") => facts.observations.push(observe(
                    Entity::Number,
                    &id,
                    waba.clone(),
                    "quality_rating",
                    Some("RED".to_owned()),
                )),
                Some("UNFLAGGED") => {
                    facts
                        .reads
                        .push((id.clone(), waba.clone(), vec!["quality_rating"]))
                }
                _ => {}
            }
            if let Some(limit) = text(value.get("current_limit")) {
                facts.observations.push(observe(
                    Entity::Number,
                    &id,
                    waba,
                    "messaging_limit",
                    Some(limit),
                ));
            }
        }
        "phone_number_name_update" => {
            if let Some((id, waba)) = number() {
                facts
                    .reads
                    .push((id, waba, vec!["name_status", "verified_name"]));
            }
        }
        "account_review_update" => {
            if let Some(decision) = text(value.get("decision")) {
                facts.observations.push(observe(
                    Entity::Account,
                    &change.waba_id,
                    None,
                    "account_review_status",
                    Some(decision),
                ));
            }
        }
        "account_update" => match event.as_deref() {
            Some("DISABLED_UPDATE") => {
                if let Some(state) = text(value.pointer("/ban_info/waba_ban_state")) {
                    facts.observations.push(observe(
                        Entity::Account,
                        &change.waba_id,
                        None,
                        "ban_state",
                        Some(state),
                    ));
                }
            }
            Some("ACCOUNT_RESTRICTION") => {
                let mut kinds: Vec<String> = value
                    .get("restriction_info")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| text(r.get("restriction_type")))
                    .collect();
                kinds.sort();
                kinds.dedup();
                let restrictions = (!kinds.is_empty()).then(|| kinds.join(","));
                facts.observations.push(observe(
                    Entity::Account,
                    &change.waba_id,
                    None,
                    "restrictions",
                    restrictions,
                ));
            }
            _ => {}
        },
        "account_alerts" => {
            let kind = text(value.pointer("/alert_info/alert_type"));
            let status = match kind.as_deref() {
                Some("OBA_APPROVED") => "APPROVED",
                Some("OBA_REJECTED") => "REJECTED",
                _ => return facts,
            };
            if let Some(id) = text(value.get("entity_id")) {
                facts.observations.push(observe(
                    Entity::Number,
                    &id,
                    Some(change.waba_id.clone()),
                    "oba_status",
                    Some(status.to_owned()),
                ));
            }
        }
        _ => {}
    }
    facts
}
