//! `GET` and `POST /{v}/{phone-number-id}/whatsapp_business_profile`.

use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_length, ensure_known, with_number};
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::ids::stable_hash;

/// `GET /{v}/{id}/whatsapp_business_profile`: a one-element `data` list.
pub(crate) fn get(call: &Call) -> GraphResult {
    let id = call.id();
    let wanted = call.fields()?;
    let mut profile = call
        .state
        .business_profile(id)
        .ok_or_else(|| GraphError::unsupported("get", id))?;
    // The nested form some of Meta's material shows is never what Graph answers here.
    profile.business_profile = None;
    Ok(ok_json(
        &serde_json::json!({ "data": [wanted.project(&profile)?] }),
    ))
}

fn check(update: &types::BusinessProfileUpdate) -> Result<(), GraphError> {
    ensure_known!(
        update.messaging_product,
        types::MessagingProduct,
        "messaging_product"
    );
    if let Some(about) = &update.about {
        check_length("about", about, 1, 139)?;
    }
    if let Some(address) = &update.address {
        check_length("address", address, 0, 256)?;
    }
    if let Some(description) = &update.description {
        check_length("description", description, 0, 256)?;
    }
    if let Some(email) = &update.email {
        check_length("email", email, 0, 128)?;
        if !email.is_empty() && !email.contains('@') {
            return Err(GraphError::invalid_param(
                "Param email must be an email address",
            ));
        }
    }
    if update.websites.len() > 2 {
        return Err(GraphError::invalid_param(
            "Param websites must have at most 2 elements",
        ));
    }
    for site in &update.websites {
        check_length("websites", site, 0, 256)?;
        if !(site.starts_with("http://") || site.starts_with("https://")) {
            return Err(GraphError::invalid_param(
                "Param websites must hold http:// or https:// URLs",
            ));
        }
    }
    if let Some(vertical) = &update.vertical {
        ensure_known!(vertical, types::BusinessVertical, "vertical");
    }
    if let Some(handle) = &update.profile_picture_handle
        && handle.trim().is_empty()
    {
        return Err(GraphError::invalid_param(
            "Param profile_picture_handle must be an upload handle",
        ));
    }
    Ok(())
}

/// `POST /{v}/{id}/whatsapp_business_profile`: changes the fields that were sent.
pub(crate) fn update(call: &Call) -> GraphResult {
    let id = call.id();
    let update: types::BusinessProfileUpdate = call.body()?;
    check(&update)?;
    with_number(call, |record| {
        let profile = &mut record.profile;
        profile.messaging_product = Some(types::MessagingProduct::Whatsapp);
        if update.about.is_some() {
            profile.about = update.about;
        }
        if update.address.is_some() {
            profile.address = update.address;
        }
        if update.description.is_some() {
            profile.description = update.description;
        }
        if update.email.is_some() {
            profile.email = update.email;
        }
        if !update.websites.is_empty() {
            profile.websites = Some(update.websites);
        }
        if update.vertical.is_some() {
            profile.vertical = update.vertical;
        }
        if let Some(handle) = update.profile_picture_handle {
            let hash = stable_hash(&[id.as_bytes(), handle.as_bytes()]);
            profile.profile_picture_url = Some(format!(
                "https://pps.whatsapp.net/v/t61.24694-24/{hash:016x}_n.jpg"
            ));
        }
        Ok(())
    })?;
    Ok(success())
}
