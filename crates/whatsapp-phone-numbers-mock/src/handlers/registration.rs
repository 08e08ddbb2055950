//! The registration lifecycle: `request_code` → `verify_code` → `register` (with the
//! two-step PIN) → `deregister`.

use axum::http::StatusCode;
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_pin, ensure_known, exists, with_number};
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::ids::stable_hash;

/// The code `request_code` sends to number `id` the `attempt`-th time: six digits,
/// deterministic.
pub(crate) fn verification_code(id: &str, attempt: u32) -> String {
    let hash = stable_hash(&[id.as_bytes(), &attempt.to_le_bytes()]);
    format!("{:06}", hash % 1_000_000)
}

/// `POST /{v}/{id}/request_code`: "sends" a new six-digit code and stores it.
pub(crate) fn request_code(call: &Call, id: &str) -> GraphResult {
    exists(call, id)?;
    let request: types::RequestCodeRequest = call.params.decode()?;
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
    with_number(call, id, |record| {
        record.codes_sent = record.codes_sent.saturating_add(1);
        record.verification_code = Some(verification_code(id, record.codes_sent));
        Ok(())
    })?;
    Ok(success())
}

/// `POST /{v}/{id}/verify_code`: the last code sent marks the number `VERIFIED`.
pub(crate) fn verify_code(call: &Call, id: &str) -> GraphResult {
    exists(call, id)?;
    let request: types::VerifyCodeRequest = call.params.decode()?;
    let code = request.code.expose().trim().to_owned();
    with_number(call, id, |record| match &record.verification_code {
        Some(sent) if *sent == code => {
            record.number.code_verification_status = Some(types::CodeVerificationStatus::Verified);
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

/// `POST /{v}/{id}/register`: needs a verified number; sets the PIN and connects it.
pub(crate) fn register(call: &Call, id: &str) -> GraphResult {
    exists(call, id)?;
    let request: types::RegisterRequest = call.params.decode()?;
    ensure_known!(
        request.messaging_product,
        types::MessagingProduct,
        "messaging_product"
    );
    let pin = request.pin.expose().trim().to_owned();
    check_pin(&pin)?;
    if let Some(tier) = &request.tier {
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
    with_number(call, id, |record| {
        if record.number.status == Some(types::PhoneNumberStatus::Banned) {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                131031,
                "OAuthException",
                "(#131031) Business Account locked",
            )
            .details("The account this number belongs to has been locked"));
        }
        if record.number.code_verification_status != Some(types::CodeVerificationStatus::Verified) {
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
pub(crate) fn deregister(call: &Call, id: &str) -> GraphResult {
    if call.params.has_body() {
        return Err(GraphError::invalid_param(
            "The deregister call takes no parameters",
        ));
    }
    with_number(call, id, |record| {
        record.number.status = Some(types::PhoneNumberStatus::Disconnected);
        Ok(())
    })?;
    Ok(success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_deterministic() {
        let a = verification_code("106540352242922", 1);
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(a, verification_code("106540352242922", 1));
        assert_ne!(a, verification_code("106540352242922", 2));
    }
}
