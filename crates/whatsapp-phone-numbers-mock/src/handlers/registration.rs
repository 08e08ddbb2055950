//! The registration lifecycle, in the order Meta's registration guide gives it:
//! `request_code` → `verify_code` → `register` (with the two-step PIN) → `deregister`.
//!
//! Rules, with their sources:
//! - ownership is verified before registering ("Before you can register your business
//!   phone number you must first verify its ownership", Meta's Cloud API registration
//!   reference), and a code that was requested is verified before the number registers
//!   (the guide's order: request a code, verify it, register); the mock answers either
//!   with 133006 (no source gives Graph's code for it);
//! - at most 10 registration requests per number in a 72-hour moving window; the next one
//!   is refused with 133016 and the number cannot register for the next 72 hours (the same
//!   page). Meta's error table words 133016 "Registration or Deregistration failed because
//!   there were too many attempts", so the mock counts `deregister` requests too;
//! - after a display name change is approved, the number registers again and the new name
//!   takes effect then (Meta's registration guide: "After approval, re-register your phone
//!   number"); `register` applies the approved name.

use axum::http::StatusCode;
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_pin, ensure_known, with_number};
use crate::clock::unix_now;
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::ids::stable_hash;
use crate::records::NumberRecord;

/// The code `request_code` sends to number `id` the `attempt`-th time: six digits,
/// deterministic.
pub(crate) fn verification_code(id: &str, attempt: u32) -> String {
    let hash = stable_hash(&[id.as_bytes(), &attempt.to_le_bytes()]);
    format!("{:06}", hash % 1_000_000)
}

/// `POST /{v}/{id}/request_code`: "sends" a new six-digit code and stores it.
pub(crate) fn request_code(call: &Call) -> GraphResult {
    let id = call.id();
    let request: types::RequestCodeRequest = call.body()?;
    ensure_known!(request.code_method, types::CodeMethod, "code_method");
    let language = request.language.trim();
    let plausible = (2..=16).contains(&language.len())
        && language
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'-');
    if !plausible {
        return Err(GraphError::invalid_param(
            "Param language must be a locale such as en_US",
        ));
    }
    with_number(call, |record| {
        record.codes_sent = record.codes_sent.saturating_add(1);
        record.verification_code = Some(verification_code(id, record.codes_sent));
        record.code_pending = true;
        Ok(())
    })?;
    Ok(success())
}

/// `POST /{v}/{id}/verify_code`: the last code sent marks the number `VERIFIED`.
pub(crate) fn verify_code(call: &Call) -> GraphResult {
    let id = call.id();
    let request: types::VerifyCodeRequest = call.body()?;
    let code = request.code.expose().trim().to_owned();
    with_number(call, |record| match &record.verification_code {
        Some(sent) if *sent == code => {
            record.number.code_verification_status = Some(types::CodeVerificationStatus::Verified);
            record.code_pending = false;
            Ok(())
        }
        Some(_) => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            136025,
            "OAuthException",
            "(#136025) Verify code error",
        )
        .user(
            "Code couldn't be verified",
            "The code you entered is incorrect. Check the code and try again.",
        )
        .details("Code couldn't be verified, You have entered an incorrect code")),
        None => Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            136025,
            "OAuthException",
            "(#136025) Verify code error",
        )
        .details("No verification code has been requested for this number")),
    })?;
    Ok(ok_json(&types::VerifyCodeResult {
        success: true,
        id: Some(id.to_owned()),
    }))
}

/// Registration requests a number may make in [`REGISTRATION_WINDOW`].
pub(crate) const MAX_REGISTRATIONS: usize = 10;
/// The moving window of [`MAX_REGISTRATIONS`], and how long registration stays refused
/// after it is exceeded: 72 hours.
pub(crate) const REGISTRATION_WINDOW: i64 = 72 * 3_600;

/// Counts a `register` or `deregister` request of `record` at `now`; refuses it with 133016
/// when it is one too many, or while an earlier refusal's 72 hours last.
fn count_registration(record: &mut NumberRecord, now: i64) -> Result<(), GraphError> {
    record
        .registration_requests
        .retain(|t| now - t < REGISTRATION_WINDOW);
    let blocked = record
        .registration_blocked_until
        .is_some_and(|until| now < until);
    if !blocked && record.registration_requests.len() < MAX_REGISTRATIONS {
        record.registration_requests.push(now);
        return Ok(());
    }
    if !blocked {
        record.registration_blocked_until = Some(now + REGISTRATION_WINDOW);
    }
    Err(GraphError::new(
        StatusCode::BAD_REQUEST,
        133016,
        "OAuthException",
        "(#133016) Account register deregister rate limit exceeded",
    )
    .user(
        "Account register deregister rate limit exceeded",
        "Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time",
    )
    .details(
        "Registration or Deregistration failed because there were too many attempts for this phone number in a short period of time",
    ))
}

/// `POST /{v}/{id}/register`: needs a verified number; sets the PIN and connects it, and
/// gives it a display name approved since it last registered.
pub(crate) fn register(call: &Call) -> GraphResult {
    let request: types::RegisterRequest = call.body()?;
    ensure_known!(
        request.messaging_product,
        types::MessagingProduct,
        "messaging_product"
    );
    let pin = request.pin.expose().trim().to_owned();
    check_pin(&pin)?;
    if let Some(tier) = &request.tier {
        // Only Meta's OpenAPI description for v23.0 lists `tier`; its registration guide
        // and Graph API reference no longer do. Accepted for v23.0, refused after.
        if call.version != "v23.0" {
            return Err(GraphError::invalid_param(format!(
                "Param tier is not a parameter of register in {}",
                call.version
            )));
        }
        ensure_known!(tier, types::RegistrationTier, "tier");
    }
    if let Some(minutes) = request.meta_store_retention_minutes {
        if minutes != 60 {
            return Err(GraphError::invalid_param(
                "Param meta_store_retention_minutes must be 60",
            ));
        }
        if request.data_localization_region.is_some() {
            return Err(GraphError::invalid_param(
                "Param meta_store_retention_minutes cannot be used with data_localization_region",
            ));
        }
    }
    if let Some(region) = &request.data_localization_region {
        ensure_known!(
            region,
            types::DataLocalizationRegion,
            "data_localization_region"
        );
    }
    with_number(call, |record| {
        count_registration(record, unix_now())?;
        if record.number.status == Some(types::PhoneNumberStatus::Banned) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                131031,
                "OAuthException",
                "(#131031) Business Account locked",
            )
            .details("The account this number belongs to has been locked"));
        }
        if record.code_pending
            || record.number.code_verification_status
                != Some(types::CodeVerificationStatus::Verified)
        {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                133006,
                "OAuthException",
                "(#133006) Phone number re-verification needed",
            )
            .details("Verify the number with request_code and verify_code before registering it"));
        }
        if record.pin.as_deref().is_some_and(|set| set != pin) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                133005,
                "OAuthException",
                "(#133005) Two step verification PIN Mismatch",
            )
            .details("The PIN does not match the two-step verification PIN set for this number"));
        }
        record.pin = Some(pin.clone());
        record.number.is_pin_enabled = Some(true);
        if let Some(name) = record.approved_name.take() {
            record.number.verified_name = Some(name);
            record.number.name_status = Some(types::NameStatus::Approved);
            record.number.certificate = record.number.new_certificate.take();
            record.number.new_name_status = None;
        }
        record.number.status = Some(types::PhoneNumberStatus::Connected);
        record.number.host_platform = Some(types::HostPlatform::CloudApi);
        if let Some(region) = &request.data_localization_region {
            record.settings.storage_configuration = Some(types::StorageConfiguration {
                retention_minutes: None,
                data_localization_region: Some(region.to_string()),
                status: Some(types::StorageConfigurationStatus::InCountryStorageEnabled),
            });
        }
        Ok(())
    })?;
    Ok(success())
}

/// `POST /{v}/{id}/deregister`: takes the number off Cloud API (`DISCONNECTED`).
pub(crate) fn deregister(call: &Call) -> GraphResult {
    if call.params.has_body() {
        return Err(GraphError::invalid_param(
            "The deregister call takes no parameters",
        ));
    }
    with_number(call, |record| {
        count_registration(record, unix_now())?;
        record.number.status = Some(types::PhoneNumberStatus::Disconnected);
        Ok(())
    })?;
    Ok(success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_registrations_in_72_hours_then_133016_for_72_hours() {
        let mut record = NumberRecord::new("1", types::PhoneNumber::default());
        let t0 = 1_700_000_000;
        for i in 0..MAX_REGISTRATIONS as i64 {
            count_registration(&mut record, t0 + i * 60).unwrap();
        }
        let e = count_registration(&mut record, t0 + 3_600).unwrap_err();
        assert_eq!(e.detail.code, 133016);
        // Still refused when the first requests have left the window: the block lasts 72
        // hours from the refusal.
        let later = t0 + REGISTRATION_WINDOW + 60 * 30;
        assert!(count_registration(&mut record, later).is_err());
        assert!(count_registration(&mut record, t0 + 3_600 + REGISTRATION_WINDOW).is_ok());
    }

    #[test]
    fn codes_are_six_digits_and_deterministic() {
        let a = verification_code("106540352242922", 1);
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(a, verification_code("106540352242922", 1));
        assert_ne!(a, verification_code("106540352242922", 2));
    }
}
