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

    /// `messaging_limit_tier` equals `tier` (such as `TIER_1K`). Meta deprecated that field
    /// (it now reads `whatsapp_business_manager_messaging_limit`), so this filter may match
    /// nothing; `Filter::equal` takes any field Graph starts to filter on.
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
///
/// Meta documents two forms: its guide sends a one-element JSON array
/// (`["last_onboarded_time_ascending"]`), its reference a plain key (`creation_time.asc`).
/// Each variant is sent in the form its source documents.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sort {
    /// Oldest onboarding (Embedded Signup completion) first (guide form).
    LastOnboardedAscending,
    /// Most recent onboarding first (guide form).
    LastOnboardedDescending,
    /// Oldest number first (`creation_time.asc`, reference form).
    CreationTimeAscending,
    /// Newest number first (`creation_time.desc`, reference form).
    CreationTimeDescending,
    /// Any other key, sent as a one-element JSON array (guide form).
    Custom(String),
    /// Any other key, sent exactly as given (reference form, such as
    /// `last_onboarded_time.desc`).
    Plain(String),
}

impl Sort {
    /// The sort key as Graph spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Sort::LastOnboardedAscending => "last_onboarded_time_ascending",
            Sort::LastOnboardedDescending => "last_onboarded_time_descending",
            Sort::CreationTimeAscending => "creation_time.asc",
            Sort::CreationTimeDescending => "creation_time.desc",
            Sort::Custom(key) | Sort::Plain(key) => key,
        }
    }

    /// Parses a key; `asc`/`desc` are shorthands for the onboarding order. A key with a
    /// dot (`creation_time.asc`) is Meta's reference form and is sent as written.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("sort", "must not be empty"));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.".contains(&b))
        {
            return Err(Error::invalid(
                "sort",
                "a sort key holds letters, digits, `_` and `.` only",
            ));
        }
        Ok(match text {
            "asc" | "ascending" | "last_onboarded_time_ascending" => Sort::LastOnboardedAscending,
            "desc" | "descending" | "last_onboarded_time_descending" => {
                Sort::LastOnboardedDescending
            }
            "creation_time.asc" => Sort::CreationTimeAscending,
            "creation_time.desc" => Sort::CreationTimeDescending,
            other if other.contains('.') => Sort::Plain(other.to_owned()),
            other => Sort::Custom(other.to_owned()),
        })
    }

    /// The parameter value: `["last_onboarded_time_ascending"]` for the guide's keys, the
    /// key itself for the reference's.
    pub fn encode(&self) -> String {
        match self {
            Sort::CreationTimeAscending | Sort::CreationTimeDescending | Sort::Plain(_) => {
                self.as_str().to_owned()
            }
            _ => serde_json::json!([self.as_str()]).to_string(),
        }
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
        assert_eq!(Sort::CreationTimeAscending.encode(), "creation_time.asc");
        assert_eq!(
            Sort::parse("last_onboarded_time.desc").unwrap().encode(),
            "last_onboarded_time.desc"
        );
        assert_eq!(
            Sort::parse("creation_time.desc").unwrap(),
            Sort::CreationTimeDescending
        );
        assert!(Sort::parse("a&b").is_err());
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
