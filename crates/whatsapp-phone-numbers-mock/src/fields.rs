//! The `fields` parameter: which fields of a node Graph returns.
//!
//! Without `fields`, nodes answer with Graph's default set; with it, with exactly the named
//! fields (plus `id`, which Graph always includes). A name the node does not have is a
//! `(#100) Tried accessing nonexisting field` error.

use whatsapp_phone_numbers_api::v24_0::types;

use crate::errors::GraphError;

/// Fields returned when the request has no `fields` parameter.
pub(crate) const DEFAULT_NUMBER_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "quality_rating",
    "code_verification_status",
];

/// Every field of the phone number node.
pub(crate) const NUMBER_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "code_verification_status",
    "name_status",
    "new_name_status",
    "certificate",
    "new_certificate",
    "messaging_limit_tier",
    "account_mode",
    "is_official_business_account",
    "country_code",
    "country_dial_code",
    "host_platform",
    "unified_cert_status",
    "search_visibility",
    "username",
    "whatsapp_business_manager_messaging_limit",
    "quality_score",
    "health_status",
    "platform_type",
    "last_onboarded_time",
    "is_pin_enabled",
    "is_on_biz_app",
    "is_preverified_number",
    "webhook_configuration",
    "conversational_automation",
];

/// Fields of the phone number node that Graph API v24.0 added.
pub(crate) const V24_NUMBER_FIELDS: &[&str] = &["throughput"];

/// `(major, minor)` of a version segment such as `v24.0`; `(0, 0)` when unreadable.
pub(crate) fn version_number(version: &str) -> (u32, u32) {
    let digits = version.trim_start_matches('v');
    let (major, minor) = digits.split_once('.').unwrap_or((digits, "0"));
    (major.parse().unwrap_or(0), minor.parse().unwrap_or(0))
}

/// Every field of the phone number node in the requested API version: `throughput` exists
/// from v24.0 on, so asking for it under `/v23.0/` is a nonexisting-field error.
pub(crate) fn number_fields(version: &str) -> Vec<&'static str> {
    let mut known = NUMBER_FIELDS.to_vec();
    if version_number(version) >= (24, 0) {
        known.extend_from_slice(V24_NUMBER_FIELDS);
    }
    known
}

/// Every field of the account number node.
pub(crate) const ACCOUNT_NUMBER_FIELDS: &[&str] = &[
    "id",
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "country_code",
    "country_dial_code",
    "code_verification_status",
    "name_status",
    "messaging_limit_tier",
    "account_mode",
    "certificate",
    "is_official_business_account",
];

/// Every field of the business profile.
pub(crate) const PROFILE_FIELDS: &[&str] = &[
    "messaging_product",
    "about",
    "address",
    "description",
    "email",
    "profile_picture_url",
    "websites",
    "vertical",
];

/// Every field of the WhatsApp Business Account node.
pub(crate) const WABA_FIELDS: &[&str] = &[
    "id",
    "name",
    "timezone_id",
    "message_template_namespace",
    "account_review_status",
    "business_verification_status",
    "country",
    "currency",
    "ownership_type",
    "primary_business_location",
    "status",
    "is_enabled_for_insights",
    "health_status",
    "whatsapp_business_manager_messaging_limit",
    "on_behalf_of_business_info",
];

/// Fields of an account returned without a `fields` parameter.
pub(crate) const DEFAULT_WABA_FIELDS: &[&str] =
    &["id", "name", "timezone_id", "message_template_namespace"];

/// Every field of a QR code (`code`, `prefilled_message` and `deep_link_url` always come).
pub(crate) const QR_FIELDS: &[&str] = &[
    "code",
    "prefilled_message",
    "deep_link_url",
    "qr_image_url",
    "creation_time",
];

/// Every field of an Official Business Account status.
pub(crate) const OBA_FIELDS: &[&str] = &["id", "oba_status", "status_message"];

/// Graph's node type names, used in error messages.
pub(crate) const WABA_NODE: &str = "WhatsAppBusinessAccount";
pub(crate) const QR_NODE: &str = "WhatsAppBusinessQRCode";
pub(crate) const OBA_NODE: &str = "WhatsAppOfficialBusinessAccount";
pub(crate) const NUMBER_NODE: &str = "WhatsAppBusinessPhoneNumber";
pub(crate) const ACCOUNT_NUMBER_NODE: &str = "WhatsAppAccountNumber";
pub(crate) const PROFILE_NODE: &str = "WhatsAppBusinessProfile";

/// The fields asked for: `raw` split on commas, checked against `known`; `default` when
/// `raw` is absent or empty.
pub(crate) fn parse(
    raw: Option<&str>,
    known: &[&str],
    default: &[&str],
    node_type: &str,
) -> Result<Vec<String>, GraphError> {
    let names: Vec<&str> = raw
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(default.iter().map(|s| (*s).to_owned()).collect());
    }
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !known.contains(&name) {
            return Err(GraphError::nonexisting_field(name, node_type));
        }
        if !out.iter().any(|f| f == name) {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn throughput_exists_from_v24() {
        assert!(!number_fields("v23.0").contains(&"throughput"));
        assert!(number_fields("v24.0").contains(&"throughput"));
        assert!(number_fields("v25.1").contains(&"throughput"));
        assert_eq!(version_number("v10.2"), (10, 2));
        assert_eq!(version_number("garbage"), (0, 0));
    }
}

fn wants(fields: &[String], name: &str) -> bool {
    fields.iter().any(|f| f == name)
}

/// `node` with only the wanted fields and the ones Graph always sends (`always`), by wire
/// name, so that a field the specification adds is projected without a change here.
fn project<T>(node: &T, fields: &[String], always: &[&str]) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone,
{
    let Ok(serde_json::Value::Object(map)) = serde_json::to_value(node) else {
        return node.clone();
    };
    let kept: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .filter(|(name, _)| always.contains(&name.as_str()) || wants(fields, name))
        .collect();
    serde_json::from_value(serde_json::Value::Object(kept)).unwrap_or_else(|_| node.clone())
}

/// A phone number with only `fields` (and `id`).
pub(crate) fn project_number(n: &types::PhoneNumber, f: &[String]) -> types::PhoneNumber {
    project(n, f, &["id"])
}

/// An account number with only `fields` (and `id`).
pub(crate) fn project_account_number(
    n: &types::AccountNumber,
    f: &[String],
) -> types::AccountNumber {
    project(n, f, &["id"])
}

/// An account with only `fields` (and `id`).
pub(crate) fn project_waba(n: &types::BusinessAccount, f: &[String]) -> types::BusinessAccount {
    project(n, f, &["id"])
}

/// A QR code with only `fields` (and the three Graph always sends).
pub(crate) fn project_qr(q: &types::QrCode, f: &[String]) -> types::QrCode {
    project(q, f, &["code", "prefilled_message", "deep_link_url"])
}

/// An Official Business Account status with only `fields` (and `id`).
pub(crate) fn project_oba(
    o: &types::OfficialBusinessAccount,
    f: &[String],
) -> types::OfficialBusinessAccount {
    project(o, f, &["id"])
}

/// A business profile with only `fields` (and `messaging_product`, which Graph always
/// includes); never the nested form.
pub(crate) fn project_profile(p: &types::BusinessProfile, f: &[String]) -> types::BusinessProfile {
    let mut projected = project(p, f, &["messaging_product"]);
    projected.business_profile = None;
    projected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_parse_with_defaults_duplicates_and_errors() {
        let d = parse(None, NUMBER_FIELDS, DEFAULT_NUMBER_FIELDS, NUMBER_NODE).unwrap();
        assert_eq!(d.len(), 5);
        let d = parse(
            Some(" , "),
            NUMBER_FIELDS,
            DEFAULT_NUMBER_FIELDS,
            NUMBER_NODE,
        )
        .unwrap();
        assert_eq!(d.len(), 5);
        let f = parse(Some("status, status,id"), NUMBER_FIELDS, &[], NUMBER_NODE).unwrap();
        assert_eq!(f, vec!["status", "id"]);
        let e = parse(Some("status,bogus"), NUMBER_FIELDS, &[], NUMBER_NODE).unwrap_err();
        assert!(e.detail.message.contains("(bogus)"));
        assert!(parse(Some("status{x}"), NUMBER_FIELDS, &[], NUMBER_NODE).is_err());
    }

    #[test]
    fn projection_keeps_id() {
        let n = types::PhoneNumber {
            id: Some("1".into()),
            status: Some(types::PhoneNumberStatus::Connected),
            verified_name: Some("X".into()),
            ..Default::default()
        };
        let p = project_number(&n, &["status".to_owned()]);
        assert_eq!(p.id.as_deref(), Some("1"));
        assert_eq!(p.status, n.status);
        assert_eq!(p.verified_name, None);
    }
}
