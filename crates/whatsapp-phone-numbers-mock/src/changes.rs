//! The change log: every change the mock made to a number's quality rating, messaging limit
//! or status ([`MockEvent::Quality`](crate::MockEvent::Quality),
//! [`MessagingLimit`](crate::MockEvent::MessagingLimit),
//! [`Status`](crate::MockEvent::Status), whether a test, `POST /__mock/events` or
//! [lively mode](crate::Lively) made it), with what became of its webhook. A test of a fleet
//! watcher checks against it that the watcher saw each change, whether by its webhook or
//! by reading the number.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How many changes the log keeps ([`MockState::changes`](crate::MockState::changes),
/// `GET /__mock/changes`): the last 1,000,000; older ones are dropped as new ones arrive.
/// At lively mode's default pace (one change every 2 s) that is over three weeks.
pub const CHANGE_LOG_LIMIT: usize = 1_000_000;

/// The change-log field of a quality-rating change (the node's `quality_rating`).
pub const FIELD_QUALITY_RATING: &str = "quality_rating";
/// The change-log field of a messaging-limit change (the node's
/// `whatsapp_business_manager_messaging_limit`).
pub const FIELD_MESSAGING_LIMIT: &str = "messaging_limit";
/// The change-log field of a status change (the node's `status`).
pub const FIELD_STATUS: &str = "status";

/// One change the mock made to a number, as [`MockState::changes`](crate::MockState::changes)
/// and `GET /__mock/changes` report it.
///
/// ```
/// use whatsapp_phone_numbers_mock::{MockChange, WebhookOutcome};
/// let change: MockChange = serde_json::from_str(
///     r#"{"at_ms": 1767225600000, "phone_number_id": "106540352242922",
///         "waba_id": "102290129340398", "field": "quality_rating", "old": "GREEN",
///         "new": "RED", "webhook": {"kind": "queued", "deliveries": 1}}"#,
/// )
/// .unwrap();
/// assert_eq!(change.webhook, WebhookOutcome::Queued { deliveries: 1 });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockChange {
    /// When the change was made, in Unix milliseconds.
    pub at_ms: i64,
    /// The number.
    pub phone_number_id: String,
    /// The account the number belonged to then.
    pub waba_id: String,
    /// What changed: [`FIELD_QUALITY_RATING`] (`quality_rating`),
    /// [`FIELD_MESSAGING_LIMIT`] (`messaging_limit`, the node's
    /// `whatsapp_business_manager_messaging_limit`) or [`FIELD_STATUS`] (`status`).
    pub field: String,
    /// The value before, as Graph writes it (`None` when the number had none).
    pub old: Option<String>,
    /// The value after, as Graph writes it; never equal to `old`.
    pub new: String,
    /// What became of the webhook Graph sends for such a change.
    pub webhook: WebhookOutcome,
}

/// What became of the webhook for one [`MockChange`], decided when the change was made
/// (JSON: `{"kind": "none" | "no_callback" | "queued" | "dropped", ...}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum WebhookOutcome {
    /// Graph sends no webhook for this change (a status change; a quality change that
    /// neither falls to nor leaves `RED`): only a read of the number finds it.
    None,
    /// Graph would send a webhook, but no app subscribed to the account has a loopback
    /// `http://` callback listing the field, so the mock sent nothing.
    NoCallback,
    /// The webhook was queued to `deliveries` callbacks (at least one); a callback that
    /// stays down may still never get it (see
    /// [`MockState::deliveries`](crate::MockState::deliveries)). Others may have been lost
    /// on purpose.
    Queued {
        /// How many deliveries were queued to be posted.
        deliveries: usize,
    },
    /// Every delivery of the webhook was lost on purpose
    /// ([`DeliveryPolicy::drop_percent`](crate::DeliveryPolicy::drop_percent)): no
    /// callback will ever get it.
    Dropped,
}

/// Appends `change` to `log`, dropping the oldest entry beyond [`CHANGE_LOG_LIMIT`].
pub(crate) fn record(log: &mut VecDeque<MockChange>, change: MockChange) {
    push_bounded(log, change, CHANGE_LOG_LIMIT);
}

/// Appends `change` to `log`, dropping the oldest entries beyond `limit` (at least 1).
fn push_bounded(log: &mut VecDeque<MockChange>, change: MockChange, limit: usize) {
    while log.len() >= limit.max(1) {
        log.pop_front();
    }
    log.push_back(change);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_as_documented() {
        for (outcome, json) in [
            (WebhookOutcome::None, r#"{"kind":"none"}"#),
            (WebhookOutcome::NoCallback, r#"{"kind":"no_callback"}"#),
            (
                WebhookOutcome::Queued { deliveries: 2 },
                r#"{"kind":"queued","deliveries":2}"#,
            ),
            (WebhookOutcome::Dropped, r#"{"kind":"dropped"}"#),
        ] {
            assert_eq!(serde_json::to_string(&outcome).unwrap(), json);
            assert_eq!(
                serde_json::from_str::<WebhookOutcome>(json).unwrap(),
                outcome
            );
        }
    }

    #[test]
    fn the_log_keeps_the_last_entries() {
        let change = |n: i64| MockChange {
            at_ms: n,
            phone_number_id: "1".to_owned(),
            waba_id: "2".to_owned(),
            field: FIELD_STATUS.to_owned(),
            old: None,
            new: "CONNECTED".to_owned(),
            webhook: WebhookOutcome::None,
        };
        let mut log: VecDeque<MockChange> = (0..5).map(change).collect();
        push_bounded(&mut log, change(-1), 5);
        let kept: Vec<i64> = log.iter().map(|c| c.at_ms).collect();
        assert_eq!(kept, vec![1, 2, 3, 4, -1]);
        record(&mut log, change(-2));
        assert_eq!(log.len(), 6);
    }
}
