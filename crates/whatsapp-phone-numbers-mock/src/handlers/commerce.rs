//! `GET`/`POST /{phone-number-id}/whatsapp_commerce_settings` and
//! `GET`/`POST /{phone-number-id}/whatsapp_business_encryption`, as Meta's OpenAPI
//! description has them: commerce settings set by query parameters and read as one `data`
//! element; a PEM public key uploaded and read back with its signature status. A key is
//! `VALID` once uploaded (the mock signs what it is given; Meta's `MISMATCH` is not
//! produced). A number without settings reads both as `false` (Meta's description gives no
//! defaults; that is the mock's choice), and without a key answers an empty `data`.

use serde_json::json;
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, with_number};
use crate::errors::{GraphError, GraphResult, ok_json, success};

/// `GET /{v}/{id}/whatsapp_commerce_settings`.
pub(crate) fn get_commerce(call: &Call) -> GraphResult {
    let id = call.id().to_owned();
    let settings = with_number(call, |record| {
        let mut settings = record.commerce.clone();
        settings.id.get_or_insert_with(|| format!("{id}1"));
        settings.is_cart_enabled.get_or_insert(false);
        settings.is_catalog_visible.get_or_insert(false);
        Ok(settings)
    })?;
    Ok(ok_json(&json!({ "data": [settings] })))
}

fn boolean(call: &Call, name: &str) -> Result<Option<bool>, GraphError> {
    match call.params.get(name).as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(GraphError::invalid_param(format!(
            "Param {name} must be a boolean, got '{other}'"
        ))),
    }
}

/// `POST /{v}/{id}/whatsapp_commerce_settings?is_cart_enabled=..&is_catalog_visible=..`.
pub(crate) fn set_commerce(call: &Call) -> GraphResult {
    let cart = boolean(call, "is_cart_enabled")?;
    let catalog = boolean(call, "is_catalog_visible")?;
    if cart.is_none() && catalog.is_none() {
        return Err(GraphError::invalid_param(
            "One of is_cart_enabled and is_catalog_visible is required",
        ));
    }
    with_number(call, |record| {
        if let Some(cart) = cart {
            record.commerce.is_cart_enabled = Some(cart);
        }
        if let Some(catalog) = catalog {
            record.commerce.is_catalog_visible = Some(catalog);
        }
        Ok(())
    })?;
    Ok(success())
}

/// `GET /{v}/{id}/whatsapp_business_encryption`.
pub(crate) fn get_encryption(call: &Call) -> GraphResult {
    let key = with_number(call, |record| Ok(record.business_public_key.clone()))?;
    let data: Vec<types::BusinessEncryption> = key
        .map(|key| types::BusinessEncryption {
            business_public_key: Some(key),
            business_public_key_signature_status: Some(
                types::BusinessPublicKeySignatureStatus::Valid,
            ),
        })
        .into_iter()
        .collect();
    Ok(ok_json(&json!({ "data": data })))
}

/// `POST /{v}/{id}/whatsapp_business_encryption`.
pub(crate) fn set_encryption(call: &Call) -> GraphResult {
    let update: types::BusinessEncryptionUpdate = call.body()?;
    let key = update.business_public_key.trim();
    let pem = key.starts_with("-----BEGIN PUBLIC KEY-----")
        && key.ends_with("-----END PUBLIC KEY-----")
        && key.len() > "-----BEGIN PUBLIC KEY----------END PUBLIC KEY-----".len();
    if !pem {
        return Err(GraphError::invalid_param(
            "Param business_public_key must be a public key in PEM format",
        ));
    }
    let key = format!("{key}\n");
    with_number(call, |record| {
        record.business_public_key = Some(key);
        Ok(())
    })?;
    Ok(success())
}
