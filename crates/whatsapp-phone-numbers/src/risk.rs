//! Whether a phone number needs attention: one rule, read from any version's number, used
//! by `waphone audit` and everything that reports on a fleet.

use std::fmt;

use whatsapp_phone_numbers_api::{GraphVersion, OpenEnum, view};

/// An operating status that stops or limits sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskyStatus {
    /// `FLAGGED`: quality is low; the messaging limit is lowered if it stays so.
    Flagged,
    /// `RESTRICTED`: the number reached its limit or was restricted by policy.
    Restricted,
    /// `BANNED`: the number was banned.
    Banned,
    /// `RATE_LIMITED`: Graph is refusing its messages for now.
    RateLimited,
    /// `DISCONNECTED`: the number is not connected to the API.
    Disconnected,
}

impl RiskyStatus {
    /// Every risky status, in the order reasons list them.
    pub const ALL: [RiskyStatus; 5] = [
        Self::Flagged,
        Self::Restricted,
        Self::Banned,
        Self::RateLimited,
        Self::Disconnected,
    ];

    /// The status as Graph writes it (`FLAGGED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Flagged => "FLAGGED",
            Self::Restricted => "RESTRICTED",
            Self::Banned => "BANNED",
            Self::RateLimited => "RATE_LIMITED",
            Self::Disconnected => "DISCONNECTED",
        }
    }

    /// The risky status Graph wrote as `text`; `None` for any other status, known or not.
    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// One reason a number needs attention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RiskReason {
    /// Quality rating `RED`: Meta may lower the messaging limit or restrict the number.
    QualityRed,
    /// An operating status that stops or limits sending.
    Status(RiskyStatus),
}

impl fmt::Display for RiskReason {
    /// `quality RED`, `status FLAGGED`: the text `waphone audit` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::QualityRed => f.write_str("quality RED"),
            Self::Status(status) => write!(f, "status {}", status.as_str()),
        }
    }
}

/// What the rule found for one number: no reasons means not at risk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Risk {
    reasons: Vec<RiskReason>,
}

impl Risk {
    /// True when there is at least one reason.
    pub fn is_at_risk(&self) -> bool {
        !self.reasons.is_empty()
    }

    /// The reasons: quality first, then status.
    pub fn reasons(&self) -> &[RiskReason] {
        &self.reasons
    }

    /// The rule on a number's values as Graph writes them (`"RED"`, `"FLAGGED"`): for
    /// values kept as text, such as a stored fleet state. [`NumberRisk::risk`] is this on a
    /// typed number.
    ///
    /// ```
    /// use whatsapp_phone_numbers::{Risk, RiskReason};
    /// assert!(Risk::from_wire(Some("RESTRICTED"), Some("GREEN")).is_at_risk());
    /// assert_eq!(Risk::from_wire(None, Some("RED")).reasons(), [RiskReason::QualityRed]);
    /// assert!(!Risk::from_wire(Some("SOMETHING_NEW"), Some("PURPLE")).is_at_risk());
    /// ```
    pub fn from_wire(status: Option<&str>, quality_rating: Option<&str>) -> Self {
        let mut reasons = Vec::new();
        if quality_rating == Some("RED") {
            reasons.push(RiskReason::QualityRed);
        }
        if let Some(status) = status.and_then(RiskyStatus::from_wire) {
            reasons.push(RiskReason::Status(status));
        }
        Risk { reasons }
    }
}

/// `number.risk()` on a phone number of any version: quality rating `RED`, or a status
/// that stops or limits sending ([`RiskyStatus`]). A value this SDK does not know is not a
/// reason (it is kept as text on the number). In scope with `prelude::*`.
///
/// ```
/// use whatsapp_phone_numbers::prelude::*;
/// use whatsapp_phone_numbers::{RiskReason, RiskyStatus, v24_0::types};
///
/// let number: types::PhoneNumber =
///     serde_json::from_str(r#"{"status":"FLAGGED","quality_rating":"RED"}"#).unwrap();
/// let risk = number.risk();
/// assert!(risk.is_at_risk());
/// assert_eq!(risk.reasons(), [RiskReason::QualityRed, RiskReason::Status(RiskyStatus::Flagged)]);
/// assert_eq!(risk.reasons()[1].to_string(), "status FLAGGED");
/// ```
pub trait NumberRisk<V: GraphVersion> {
    /// Why this number needs attention; none when it does not.
    fn risk(&self) -> Risk;
}

impl<V: GraphVersion, T: view::PhoneNumber<V>> NumberRisk<V> for T {
    fn risk(&self) -> Risk {
        Risk::from_wire(
            self.status().map(OpenEnum::as_str),
            self.quality_rating().map(OpenEnum::as_str),
        )
    }
}

#[cfg(all(test, feature = "v23_0"))]
mod tests {
    use super::*;
    use whatsapp_phone_numbers_api::v23_0::types;

    fn number(status: &str, quality: &str) -> types::PhoneNumber {
        serde_json::from_value(serde_json::json!({"status": status, "quality_rating": quality}))
            .unwrap()
    }

    #[test]
    fn the_rule() {
        assert!(!number("CONNECTED", "GREEN").risk().is_at_risk());
        assert_eq!(
            number("CONNECTED", "RED").risk().reasons(),
            [RiskReason::QualityRed]
        );
        for status in RiskyStatus::ALL {
            assert_eq!(
                number(status.as_str(), "GREEN").risk().reasons(),
                [RiskReason::Status(status)]
            );
        }
        assert!(!number("PENDING", "NA").risk().is_at_risk());
        assert!(!number("SOMETHING_NEW", "PURPLE").risk().is_at_risk());
        let empty: types::PhoneNumber = serde_json::from_str("{}").unwrap();
        assert!(!empty.risk().is_at_risk());
    }
}
