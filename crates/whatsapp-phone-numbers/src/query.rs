//! Typed `filtering` and `sort` for the phone-number list.

use serde::Serialize;

use crate::error::Error;

/// One condition of the list's `filtering` parameter.
///
/// ```
/// use whatsapp_phone_numbers::Filter;
/// let f = Filter::account_mode("SANDBOX");
/// assert_eq!(
///     Filter::encode(&[f]).unwrap().unwrap(),
///     r#"[{"field":"account_mode","operator":"EQUAL","value":"SANDBOX"}]"#
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filter {
    field: String,
    operator: String,
    value: String,
}

impl Filter {
    /// `account_mode` equals `mode` (`LIVE` or `SANDBOX`; any open enum value works).
    pub fn account_mode(mode: impl AsRef<str>) -> Self {
        Self::equal("account_mode", mode.as_ref())
    }

    /// `messaging_limit_tier` equals `tier` (such as `TIER_1K`).
    pub fn messaging_limit_tier(tier: impl AsRef<str>) -> Self {
        Self::equal("messaging_limit_tier", tier.as_ref())
    }

    /// `is_official_business_account` equals `official`.
    pub fn is_official_business_account(official: bool) -> Self {
        Self::equal("is_official_business_account", official.to_string())
    }

    /// Any field, compared with `EQUAL`.
    pub fn equal(field: impl Into<String>, value: impl Into<String>) -> Self {
        Self::custom(field, "EQUAL", value)
    }

    /// Any field, operator and value, sent as given.
    pub fn custom(
        field: impl Into<String>,
        operator: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            operator: operator.into(),
            value: value.into(),
        }
    }

    /// Parses `FIELD=VALUE` (operator `EQUAL`), as a command line would give it.
    pub fn parse(text: &str) -> Result<Self, Error> {
        match text.split_once('=') {
            Some((field, value)) if !field.trim().is_empty() => {
                Ok(Self::equal(field.trim(), value.trim()))
            }
            _ => Err(Error::invalid("filtering", "expected FIELD=VALUE")),
        }
    }

    /// The JSON array Graph expects, or `None` for no filters.
    pub fn encode(filters: &[Filter]) -> Result<Option<String>, Error> {
        if filters.is_empty() {
            return Ok(None);
        }
        for f in filters {
            if f.field.is_empty() || f.operator.is_empty() {
                return Err(Error::invalid(
                    "filtering",
                    "field and operator must not be empty",
                ));
            }
        }
        serde_json::to_string(filters)
            .map(Some)
            .map_err(|e| Error::invalid("filtering", e.to_string()))
    }
}

/// Order of the phone-number list (Graph's default: most recently onboarded first).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sort {
    /// Oldest onboarding (Embedded Signup completion) first.
    LastOnboardedAscending,
    /// Most recent onboarding first.
    LastOnboardedDescending,
    /// Any other sort key, sent as given.
    Custom(String),
}

impl Sort {
    /// The sort key as Graph spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Sort::LastOnboardedAscending => "last_onboarded_time_ascending",
            Sort::LastOnboardedDescending => "last_onboarded_time_descending",
            Sort::Custom(key) => key,
        }
    }

    /// Parses a key; `asc`/`desc` are accepted as shorthands.
    pub fn parse(text: &str) -> Result<Self, Error> {
        Ok(match text.trim() {
            "asc" | "ascending" | "last_onboarded_time_ascending" => Sort::LastOnboardedAscending,
            "desc" | "descending" | "last_onboarded_time_descending" => {
                Sort::LastOnboardedDescending
            }
            "" => return Err(Error::invalid("sort", "must not be empty")),
            other => Sort::Custom(other.to_owned()),
        })
    }

    /// The JSON array Graph expects: `["last_onboarded_time_ascending"]`.
    pub fn encode(&self) -> String {
        serde_json::json!([self.as_str()]).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(
            Sort::LastOnboardedAscending.encode(),
            r#"["last_onboarded_time_ascending"]"#
        );
        assert_eq!(Sort::parse("desc").unwrap(), Sort::LastOnboardedDescending);
        assert_eq!(
            Filter::encode(&[
                Filter::is_official_business_account(true),
                Filter::parse("messaging_limit_tier=TIER_1K").unwrap()
            ])
            .unwrap()
            .unwrap(),
            r#"[{"field":"is_official_business_account","operator":"EQUAL","value":"true"},{"field":"messaging_limit_tier","operator":"EQUAL","value":"TIER_1K"}]"#
        );
        assert!(Filter::parse("novalue").is_err());
        assert_eq!(Filter::encode(&[]).unwrap(), None);
    }
}
