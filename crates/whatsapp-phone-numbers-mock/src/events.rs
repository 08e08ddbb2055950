//! Changes a test (or `POST /__mock/events`) makes happen, as Graph's own would: each
//! changes the state and sends the webhook Graph would send for it. Changes of a number's
//! quality rating, messaging limit and status are also written to the
//! [change log](crate::MockChange).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use whatsapp_phone_numbers_api::v24_0::types;

use crate::changes::{
    FIELD_MESSAGING_LIMIT, FIELD_QUALITY_RATING, FIELD_STATUS, MockChange, WebhookOutcome,
};
use crate::clock::{unix_now, unix_now_ms};
use crate::state::{Inner, MockState};
use crate::webhooks::{Target, is_local_http};

/// A change to make happen in the mock (the JSON of `POST /__mock/events`, tagged by
/// `kind`). [`MockState::apply`] changes the state and sends the webhook Graph would send.
///
/// ```
/// use whatsapp_phone_numbers_mock::MockEvent;
/// let event: MockEvent = serde_json::from_str(
///     r#"{"kind": "quality", "phone_number_id": "106540352242922", "quality_rating": "RED"}"#,
/// )
/// .unwrap();
/// assert!(matches!(event, MockEvent::Quality { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MockEvent {
    /// Meta reviews the display name waiting for review (a new number's, or a requested
    /// change): `phone_number_name_update`. `APPROVED` makes it the verified name;
    /// `REJECTED` declines it.
    NameReview {
        /// The number.
        phone_number_id: String,
        /// `APPROVED`, `REJECTED`, `PENDING` or `DEFERRED`.
        decision: String,
        /// Why it was rejected (`NAME_FORMAT_UNACCEPTABLE`, ...).
        #[serde(default)]
        rejection_reason: Option<String>,
    },
    /// The number's quality rating changes. Falling to `RED` sends
    /// `phone_number_quality_update` with `FLAGGED`, leaving it sends `UNFLAGGED`; other
    /// changes send nothing. Logged in the [change log](crate::MockChange) as
    /// `quality_rating` when the rating changed.
    Quality {
        /// The number.
        phone_number_id: String,
        /// `GREEN`, `YELLOW` or `RED`.
        quality_rating: String,
    },
    /// The number's messaging limit changes: `phone_number_quality_update` with `UPGRADE`
    /// or `DOWNGRADE`, the old and the new limit. Logged in the
    /// [change log](crate::MockChange) as `messaging_limit` when the limit changed.
    MessagingLimit {
        /// The number.
        phone_number_id: String,
        /// `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`, ...
        limit: String,
    },
    /// The number's status changes (`GET /{phone-number-id}?fields=status`): it is
    /// `FLAGGED`, `RESTRICTED`, `CONNECTED` again, ... Sends no webhook: Meta's webhook
    /// references list no field announcing a number's status (`phone_number_quality_update`
    /// carries its quality rating and messaging limit, `account_update` and
    /// `account_alerts` are about the account), so only a read finds the change. Logged in
    /// the [change log](crate::MockChange) as `status` when the status changed.
    Status {
        /// The number.
        phone_number_id: String,
        /// A status Graph gives a number: `CONNECTED`, `DISCONNECTED`, `PENDING`,
        /// `FLAGGED`, `RESTRICTED`, `RATE_LIMITED`, `BANNED`, `DELETED`, `MIGRATED`,
        /// `LINKED`, `UNLINKED`, `UNVERIFIED` or `UNKNOWN`.
        status: String,
    },
    /// The account is scheduled for disabling, disabled or reinstated: `account_update`
    /// with `DISABLED_UPDATE` and `ban_info`.
    Ban {
        /// The account.
        waba_id: String,
        /// `SCHEDULE_FOR_DISABLE`, `DISABLE` or `REINSTATE`.
        state: String,
    },
    /// The account is restricted: `account_update` with `ACCOUNT_RESTRICTION`.
    Restriction {
        /// The account.
        waba_id: String,
        /// `RESTRICTED_BIZ_INITIATED_MESSAGING`, ...
        restriction_type: String,
        /// When it ends, in Unix seconds (default: in a day).
        #[serde(default)]
        expiration: Option<i64>,
    },
    /// The account violated a policy: `account_update` with `ACCOUNT_VIOLATION`.
    Violation {
        /// The account.
        waba_id: String,
        /// The policy (`ADULT`, `SCAM`, ...).
        violation_type: String,
    },
    /// Two-step verification changes in WhatsApp Manager: `security` (Meta's "security
    /// webhook reference"). `PIN_CHANGED` (the PIN was changed or enabled) marks the PIN
    /// enabled; `PIN_RESET_REQUEST` (a user asked to turn it off) changes nothing yet;
    /// `PIN_REQUEST_SUCCESS` (the reset email's steps were completed) turns it off.
    Security {
        /// The number.
        phone_number_id: String,
        /// `PIN_CHANGED`, `PIN_RESET_REQUEST` or `PIN_REQUEST_SUCCESS`.
        event: String,
        /// The Meta Business Suite user who asked for the reset (reset requests; default
        /// `61555822107539`, Meta's example).
        #[serde(default)]
        requester: Option<String>,
    },
    /// Meta decides a number's Official Business Account application: its status becomes
    /// `APPROVED` or `REJECTED`, and `account_alerts` says so (`OBA_APPROVED`, informational;
    /// `OBA_REJECTED`, critical), as Meta's "account_alerts webhook reference" lists.
    OfficialBusinessAccountDecision {
        /// The number.
        phone_number_id: String,
        /// `APPROVED` or `REJECTED`.
        decision: String,
    },
    /// Meta decides not to raise a business portfolio's messaging limit yet:
    /// `account_alerts` about the portfolio (`entity_type: BUSINESS`) with
    /// `INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED`, `_FAILED` (critical) or
    /// `_NEED_MORE_INFO`, as Meta's "account_alerts webhook reference" lists them. The limit
    /// stays as it is.
    LimitIncreaseAlert {
        /// The account the webhook is sent for (its portfolio is the alert's entity).
        waba_id: String,
        /// `DEFERRED`, `FAILED` or `NEED_MORE_INFO`.
        outcome: String,
    },
    /// Any webhook field with any value, as given: for testing how a handler treats fields
    /// it does not know, and for the messaging fields a callback override carries
    /// (`messages`, ...). Changes no state.
    Raw {
        /// The account.
        waba_id: String,
        /// The field.
        field: String,
        /// The value.
        value: Value,
        /// The number the change is about, whose callback override applies to the fields
        /// overrides carry (default: the value's `metadata.phone_number_id`, as in a
        /// `messages` change).
        #[serde(default)]
        phone_number_id: Option<String>,
    },
}

/// Messaging limits from lowest to highest, to tell an upgrade from a downgrade.
pub(crate) const LIMIT_ORDER: &[&str] = &[
    "TIER_50",
    "TIER_250",
    "TIER_1K",
    "TIER_2K",
    "TIER_10K",
    "TIER_100K",
    "TIER_UNLIMITED",
];

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!("`{field}` must be one of {}", allowed.join(", ")))
    }
}

/// What a change of one of a number's logged fields did: the value before and after, as
/// Graph writes them, and the webhook Graph sends for it (its field and value), if any.
struct Logged {
    old: Option<String>,
    new: String,
    webhook: Option<(&'static str, Value)>,
}

fn digits(text: Option<&str>) -> Option<String> {
    text.map(|t| t.chars().filter(char::is_ascii_digit).collect())
}

/// An `account_alerts` value about `entity_id`: its severity, status and type, and Meta's
/// description.
fn account_alert(
    entity_type: types::AlertEntityType,
    entity_id: &str,
    (severity, status, kind): (types::AlertSeverity, types::AlertStatus, types::AlertType),
    description: &str,
) -> Value {
    encode(&types::AccountAlert {
        entity_type: Some(entity_type),
        entity_id: Some(entity_id.to_owned()),
        alert_info: Some(types::AlertInfo {
            alert_severity: Some(severity),
            alert_status: Some(status),
            alert_type: Some(kind),
            alert_description: Some(description.to_owned()),
        }),
    })
}

fn encode<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Today as Meta writes `waba_ban_date` (`April 17, 2025`).
fn today() -> String {
    crate::clock::long_date(unix_now())
}

/// Where Graph sends a change of `field` for account `waba_id` (about number `number`, when
/// it is about one): to each app subscribed to the account whose own subscription lists the
/// field, at its callback, or, for the fields an override carries, at the number's override
/// of that app, else the account's (see [`crate::webhooks`]). Only loopback `http://`
/// callbacks are called.
fn targets(inner: &Inner, waba_id: &str, number: Option<&str>, field: &str) -> Vec<Target> {
    let mut out = Vec::new();
    for subscription in inner.subscriptions.get(waba_id).into_iter().flatten() {
        let app_id = &subscription.app_id;
        let (Some(app), Some(own)) = (
            inner.apps.get(app_id),
            inner.apps.subscription(app_id, "whatsapp_business_account"),
        ) else {
            continue;
        };
        if !own.has_field(field) {
            continue;
        }
        let version = own
            .fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, version)| version.as_str())
            .unwrap_or_default();
        let overridable = crate::table::parse_version(version)
            .and_then(crate::table::for_version)
            .is_some_and(|(table, _)| table.overridable_webhook_fields.contains(&field));
        let number_override = number
            .and_then(|id| inner.numbers.get(id))
            .and_then(|r| r.webhook_overrides.get(app_id))
            .map(|o| o.callback_uri.clone());
        let url = if overridable {
            number_override
                .or_else(|| subscription.override_callback_uri.clone())
                .unwrap_or_else(|| own.callback_url.clone())
        } else {
            own.callback_url.clone()
        };
        if is_local_http(&url) {
            out.push(Target {
                url,
                app_id: app_id.clone(),
                secret: app.secret().to_owned(),
            });
        }
    }
    out
}

impl MockState {
    /// Posts `value` as a change of `field` for account `waba_id` (about number `number`)
    /// wherever Graph would send it. Answers how many deliveries were queued (those lost on
    /// purpose not included).
    fn emit(&self, waba_id: &str, number: Option<&str>, field: &str, value: Value) -> usize {
        let targets = targets(&self.lock(), waba_id, number, field);
        if targets.is_empty() {
            return 0;
        }
        self.outbox()
            .queue(&targets, waba_id, unix_now(), field, value)
    }

    /// Makes `event` happen: changes the state as Graph would and sends the webhook it would
    /// send to the account's verified callbacks. Answers how many deliveries were queued
    /// (those [lost on purpose](crate::DeliveryPolicy::drop_percent) not included), or why
    /// the event cannot happen (an unknown number or account, a value out of range).
    ///
    /// A quality, messaging-limit or status change that changed the value is written to the
    /// [change log](Self::changes), with what became of its webhook.
    pub fn apply(&self, event: MockEvent) -> Result<usize, String> {
        match event {
            MockEvent::NameReview {
                phone_number_id,
                decision,
                rejection_reason,
            } => self.review_name(&phone_number_id, &decision, rejection_reason),
            MockEvent::Security {
                phone_number_id,
                event,
                requester,
            } => {
                one_of(
                    "event",
                    &event,
                    &["PIN_CHANGED", "PIN_RESET_REQUEST", "PIN_REQUEST_SUCCESS"],
                )?;
                let (waba, display) = {
                    let mut inner = self.lock();
                    let record = inner
                        .numbers
                        .get_mut(&phone_number_id)
                        .ok_or_else(|| format!("no phone number {phone_number_id}"))?;
                    match event.as_str() {
                        "PIN_CHANGED" => record.number.is_pin_enabled = Some(true),
                        "PIN_REQUEST_SUCCESS" => {
                            record.pin = None;
                            record.number.is_pin_enabled = Some(false);
                        }
                        _ => {}
                    }
                    (
                        record.waba_id.clone(),
                        digits(record.number.display_phone_number.as_deref()),
                    )
                };
                let requester = (event == "PIN_RESET_REQUEST")
                    .then(|| requester.unwrap_or_else(|| "61555822107539".to_owned()));
                Ok(self.emit(
                    &waba,
                    Some(&phone_number_id),
                    "security",
                    encode(&types::SecurityUpdate {
                        display_phone_number: display,
                        event: Some(types::SecurityEvent::from(event.as_str())),
                        requester,
                    }),
                ))
            }
            MockEvent::OfficialBusinessAccountDecision {
                phone_number_id,
                decision,
            } => {
                one_of("decision", &decision, &["APPROVED", "REJECTED"])?;
                let approved = decision == "APPROVED";
                let waba = {
                    let mut inner = self.lock();
                    let waba = inner
                        .numbers
                        .get(&phone_number_id)
                        .map(|r| r.waba_id.clone())
                        .ok_or_else(|| format!("no phone number {phone_number_id}"))?;
                    let status = if approved {
                        types::ObaStatus::Approved
                    } else {
                        types::ObaStatus::Rejected
                    };
                    let oba = inner.oba.entry(phone_number_id.clone()).or_insert_with(|| {
                        types::OfficialBusinessAccount {
                            id: Some(phone_number_id.clone()),
                            ..Default::default()
                        }
                    });
                    oba.oba_status = Some(status);
                    if let Some(record) = inner.numbers.get_mut(&phone_number_id) {
                        record.number.is_official_business_account = Some(approved);
                    }
                    waba
                };
                let (severity, status, kind, description) = if approved {
                    (
                        types::AlertSeverity::Informational,
                        types::AlertStatus::None,
                        types::AlertType::ObaApproved,
                        "Your request for Official Business Account status was approved.",
                    )
                } else {
                    (
                        types::AlertSeverity::Critical,
                        types::AlertStatus::Active,
                        types::AlertType::ObaRejected,
                        "Your request for Official Business Account status was not approved.",
                    )
                };
                Ok(self.emit(
                    &waba,
                    Some(&phone_number_id),
                    "account_alerts",
                    account_alert(
                        types::AlertEntityType::PhoneNumber,
                        &phone_number_id,
                        (severity, status, kind),
                        description,
                    ),
                ))
            }
            MockEvent::LimitIncreaseAlert { waba_id, outcome } => {
                one_of(
                    "outcome",
                    &outcome,
                    &["DEFERRED", "FAILED", "NEED_MORE_INFO"],
                )?;
                self.known_waba(&waba_id)?;
                let portfolio = self.lock().portfolio_of(&waba_id).map(str::to_owned);
                let (severity, kind, description) = match outcome.as_str() {
                    "FAILED" => (
                        types::AlertSeverity::Critical,
                        types::AlertType::IncreasedCapabilitiesEligibilityFailed,
                        "Based on past messaging activity, limits cannot be increased for this business.",
                    ),
                    "NEED_MORE_INFO" => (
                        types::AlertSeverity::Warning,
                        types::AlertType::IncreasedCapabilitiesEligibilityNeedMoreInfo,
                        "Verify the business's identity in Security Center to have limits increased.",
                    ),
                    _ => (
                        types::AlertSeverity::Warning,
                        types::AlertType::IncreasedCapabilitiesEligibilityDeferred,
                        "Limits cannot be increased yet: keep messaging actively and within policy for several days.",
                    ),
                };
                let entity = portfolio.unwrap_or_else(|| waba_id.clone());
                Ok(self.emit(
                    &waba_id,
                    None,
                    "account_alerts",
                    account_alert(
                        types::AlertEntityType::Business,
                        &entity,
                        (severity, types::AlertStatus::Active, kind),
                        description,
                    ),
                ))
            }
            MockEvent::Quality {
                phone_number_id,
                quality_rating,
            } => {
                one_of(
                    "quality_rating",
                    &quality_rating,
                    &["GREEN", "YELLOW", "RED", "NA", "UNKNOWN"],
                )?;
                let new = types::QualityRating::from(quality_rating.as_str());
                self.change_logged(&phone_number_id, FIELD_QUALITY_RATING, |n, display| {
                    let old = n.quality_rating.replace(new.clone());
                    let red = types::QualityRating::Red;
                    let event = match (old.as_ref() == Some(&red), new == red) {
                        (false, true) => Some(types::QualityUpdateEvent::Flagged),
                        (true, false) => Some(types::QualityUpdateEvent::Unflagged),
                        _ => None,
                    };
                    Logged {
                        old: old.map(|o| o.as_str().to_owned()),
                        new: new.as_str().to_owned(),
                        webhook: event.map(|event| {
                            (
                                "phone_number_quality_update",
                                encode(&types::PhoneNumberQualityUpdate {
                                    display_phone_number: display,
                                    event: Some(event),
                                    ..Default::default()
                                }),
                            )
                        }),
                    }
                })
            }
            MockEvent::MessagingLimit {
                phone_number_id,
                limit,
            } => {
                one_of("limit", &limit, LIMIT_ORDER)?;
                let rank = |l: &str| LIMIT_ORDER.iter().position(|k| *k == l);
                self.change_logged(&phone_number_id, FIELD_MESSAGING_LIMIT, |n, display| {
                    let old = n
                        .whatsapp_business_manager_messaging_limit
                        .replace(types::BusinessMessagingLimit::from(limit.as_str()))
                        .map(|o| o.as_str().to_owned());
                    let event = match (old.as_deref().and_then(rank), rank(&limit)) {
                        (Some(o), Some(n)) if n < o => types::QualityUpdateEvent::Downgrade,
                        _ => types::QualityUpdateEvent::Upgrade,
                    };
                    let tier = types::WebhookLimitTier::from(limit.as_str());
                    let webhook = encode(&types::PhoneNumberQualityUpdate {
                        display_phone_number: display,
                        event: Some(event),
                        old_limit: old.as_deref().map(types::WebhookLimitTier::from),
                        current_limit: Some(tier.clone()),
                        max_daily_conversations_per_business: Some(tier),
                    });
                    Logged {
                        old,
                        new: limit.clone(),
                        webhook: Some(("phone_number_quality_update", webhook)),
                    }
                })
            }
            MockEvent::Status {
                phone_number_id,
                status,
            } => {
                let known: Vec<&str> = types::PhoneNumberStatus::KNOWN
                    .iter()
                    .map(types::PhoneNumberStatus::as_str)
                    .collect();
                one_of("status", &status, &known)?;
                let new = types::PhoneNumberStatus::from(status.as_str());
                self.change_logged(&phone_number_id, FIELD_STATUS, |n, _| Logged {
                    old: n.status.replace(new).map(|o| o.as_str().to_owned()),
                    new: status.clone(),
                    webhook: None,
                })
            }
            MockEvent::Ban { waba_id, state } => {
                one_of(
                    "state",
                    &state,
                    &["SCHEDULE_FOR_DISABLE", "DISABLE", "REINSTATE"],
                )?;
                self.account_update(
                    &waba_id,
                    types::AccountUpdate {
                        event: Some(types::AccountUpdateEvent::DisabledUpdate),
                        ban_info: Some(types::BanInfo {
                            waba_ban_state: Some(types::WabaBanState::from(state.as_str())),
                            waba_ban_date: Some(today()),
                        }),
                        ..Default::default()
                    },
                )
            }
            MockEvent::Restriction {
                waba_id,
                restriction_type,
                expiration,
            } => self.account_update(
                &waba_id,
                types::AccountUpdate {
                    event: Some(types::AccountUpdateEvent::AccountRestriction),
                    restriction_info: vec![types::RestrictionInfo {
                        restriction_type: Some(types::RestrictionType::from(
                            restriction_type.as_str(),
                        )),
                        expiration: Some(types::WebhookTime::Int64(
                            expiration.unwrap_or_else(|| unix_now() + 86_400),
                        )),
                        remediation: None,
                    }],
                    ..Default::default()
                },
            ),
            MockEvent::Violation {
                waba_id,
                violation_type,
            } => self.account_update(
                &waba_id,
                types::AccountUpdate {
                    event: Some(types::AccountUpdateEvent::AccountViolation),
                    violation_info: Some(types::ViolationInfo {
                        violation_type: Some(violation_type),
                    }),
                    ..Default::default()
                },
            ),
            MockEvent::Raw {
                waba_id,
                field,
                value,
                phone_number_id,
            } => {
                self.known_waba(&waba_id)?;
                if field.is_empty() {
                    return Err("`field` must not be empty".to_owned());
                }
                let number = phone_number_id.or_else(|| {
                    value
                        .pointer("/metadata/phone_number_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                Ok(self.emit(&waba_id, number.as_deref(), &field, value))
            }
        }
    }

    /// An `account_update` for a known account.
    fn account_update(&self, waba_id: &str, update: types::AccountUpdate) -> Result<usize, String> {
        self.known_waba(waba_id)?;
        Ok(self.emit(waba_id, None, "account_update", encode(&update)))
    }

    fn known_waba(&self, waba_id: &str) -> Result<(), String> {
        if self.lock().has_waba(waba_id) {
            Ok(())
        } else {
            Err(format!("no WhatsApp Business Account {waba_id}"))
        }
    }

    /// Runs `change` on number `id`'s node (given its display number's digits) and, when
    /// the value changed, sends the webhook `change` names and logs the change as `field`
    /// with what became of the webhook, all under one lock, so the log's order is the
    /// order the changes were made in. Answers how many deliveries were queued.
    fn change_logged(
        &self,
        id: &str,
        field: &str,
        change: impl FnOnce(&mut types::PhoneNumber, Option<String>) -> Logged,
    ) -> Result<usize, String> {
        let mut inner = self.lock();
        let record = inner
            .numbers
            .get_mut(id)
            .ok_or_else(|| format!("no phone number {id}"))?;
        let display = digits(record.number.display_phone_number.as_deref());
        let logged = change(&mut record.number, display);
        let waba_id = record.waba_id.clone();
        if logged.old.as_deref() == Some(logged.new.as_str()) {
            return Ok(0);
        }
        let (webhook, queued) = match logged.webhook {
            None => (WebhookOutcome::None, 0),
            Some((hook, value)) => {
                let targets = targets(&inner, &waba_id, Some(id), hook);
                if targets.is_empty() {
                    (WebhookOutcome::NoCallback, 0)
                } else {
                    match self
                        .outbox()
                        .queue(&targets, &waba_id, unix_now(), hook, value)
                    {
                        0 => (WebhookOutcome::Dropped, 0),
                        deliveries => (WebhookOutcome::Queued { deliveries }, deliveries),
                    }
                }
            }
        };
        crate::changes::record(
            &mut inner.changes,
            MockChange {
                at_ms: unix_now_ms(),
                phone_number_id: id.to_owned(),
                waba_id,
                field: field.to_owned(),
                old: logged.old,
                new: logged.new,
                webhook,
            },
        );
        Ok(queued)
    }

    fn review_name(
        &self,
        id: &str,
        decision: &str,
        rejection_reason: Option<String>,
    ) -> Result<usize, String> {
        one_of(
            "decision",
            decision,
            &["APPROVED", "REJECTED", "PENDING", "DEFERRED"],
        )?;
        let (waba, display, requested) = {
            let mut inner = self.lock();
            let record = inner
                .numbers
                .get_mut(id)
                .ok_or_else(|| format!("no phone number {id}"))?;
            let number = &mut record.number;
            let pending = Some(types::NameStatus::PendingReview);
            let (requested, change) = if number.new_name_status == pending {
                (record.requested_name.clone(), true)
            } else if number.name_status == pending {
                (number.verified_name.clone(), false)
            } else {
                return Err(format!(
                    "phone number {id} has no display name waiting for review"
                ));
            };
            let requested = requested.unwrap_or_default();
            let outcome = match decision {
                "APPROVED" => Some(types::NameStatus::Approved),
                "REJECTED" => Some(types::NameStatus::Declined),
                _ => None,
            };
            if let Some(outcome) = outcome {
                if change {
                    record.requested_name = None;
                    if outcome == types::NameStatus::Approved {
                        // The new name takes effect when the number registers again
                        // (Meta's registration guide: re-register after the approval).
                        number.new_name_status = Some(outcome);
                        record.approved_name = Some(requested.clone());
                    } else {
                        number.new_name_status = Some(outcome);
                        number.new_certificate = None;
                    }
                } else {
                    number.name_status = Some(outcome);
                }
            }
            (
                record.waba_id.clone(),
                digits(record.number.display_phone_number.as_deref()),
                requested,
            )
        };
        let rejection_reason = match (decision, rejection_reason) {
            ("REJECTED", reason) => Some(types::NameRejectionReason::from(
                reason.as_deref().unwrap_or("NAME_FORMAT_UNACCEPTABLE"),
            )),
            _ => None,
        };
        Ok(self.emit(
            &waba,
            Some(id),
            "phone_number_name_update",
            encode(&types::PhoneNumberNameUpdate {
                display_phone_number: display,
                decision: Some(types::ReviewDecision::from(decision)),
                requested_verified_name: Some(requested),
                rejection_reason,
            }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban_dates_read_like_metas() {
        let date = today();
        let (month, rest) = date.split_once(' ').unwrap();
        assert!(month.chars().next().unwrap().is_ascii_uppercase());
        let (day, year) = rest.split_once(", ").unwrap();
        assert!((1..=31).contains(&day.parse::<u32>().unwrap()));
        assert!(year.parse::<u32>().unwrap() >= 2025);
    }
}
