//! `GET /{id}` (a phone number or an account number, decided by the ID) and
//! `POST /{phone-number-id}` (PIN, display name, visibility, username, webhook override).

use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_display_name, check_pin, ensure_known, exists, with_number};
use crate::errors::{GraphError, GraphResult, ok_json};
use crate::fields;

/// `GET /{v}/{id}`: the phone number node, or the account number node for an
/// account-number ID.
pub(crate) fn get(call: &Call, id: &str) -> GraphResult {
    let wanted = call.params.get("fields");
    let inner = call.state.lock();
    if let Some(record) = inner.numbers.get(id) {
        let fields = fields::parse(
            wanted.as_deref(),
            &fields::number_fields(call.version),
            fields::DEFAULT_NUMBER_FIELDS,
            fields::NUMBER_NODE,
        )?;
        return Ok(ok_json(&fields::project_number(&record.number, &fields)));
    }
    if let Some((_, node)) = inner.account_numbers.get(id) {
        let fields = fields::parse(
            wanted.as_deref(),
            fields::ACCOUNT_NUMBER_FIELDS,
            fields::DEFAULT_NUMBER_FIELDS,
            fields::ACCOUNT_NUMBER_NODE,
        )?;
        return Ok(ok_json(&fields::project_account_number(node, &fields)));
    }
    Err(GraphError::unsupported("get", id))
}

/// The messaging tier a `MESSAGING_LIMIT_TIER_n` connection status stands for.
fn tier_of(status: &types::ConnectionStatus) -> Option<types::MessagingLimitTier> {
    use types::{ConnectionStatus as C, MessagingLimitTier as T};
    match status {
        C::MessagingLimitTier0 => Some(T::Tier250),
        C::MessagingLimitTier1 => Some(T::Tier1k),
        C::MessagingLimitTier2 => Some(T::Tier10k),
        C::MessagingLimitTier3 => Some(T::Tier100k),
        C::MessagingLimitTier4 => Some(T::TierUnlimited),
        _ => None,
    }
}

/// The number status a connection status stands for.
fn status_of(status: &types::ConnectionStatus) -> Option<types::PhoneNumberStatus> {
    use types::{ConnectionStatus as C, PhoneNumberStatus as S};
    match status {
        C::Connected => Some(S::Connected),
        C::Disconnected => Some(S::Disconnected),
        C::Pending => Some(S::Pending),
        C::Flagged => Some(S::Flagged),
        C::Restricted => Some(S::Restricted),
        C::RateLimited => Some(S::RateLimited),
        _ => None,
    }
}

fn check_update(update: &types::PhoneNumberUpdate) -> Result<(), GraphError> {
    if let Some(pin) = &update.pin {
        check_pin(pin.expose())?;
    }
    if let Some(name) = &update.new_display_name {
        check_display_name("new_display_name", name)?;
    }
    if let Some(visibility) = &update.search_visibility {
        ensure_known!(visibility, types::SearchVisibility, "search_visibility");
    }
    if let Some(status) = &update.connection_status {
        ensure_known!(status, types::ConnectionStatus, "connection_status");
    }
    if let Some(username) = &update.username {
        let valid = (3..=35).contains(&username.len())
            && username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
        if !valid {
            return Err(GraphError::invalid_param(
                "Param username must be 3 to 35 letters, digits, dots or underscores",
            ));
        }
    }
    if let Some(url) = &update.webhook_url
        && (!url.starts_with("https://") || url.len() <= "https://".len())
    {
        return Err(GraphError::invalid_param(
            "Param webhook_url must be an https URL",
        ));
    }
    if let Some(pin) = update
        .whatsapp_business_api_data
        .as_ref()
        .and_then(|d| d.pin.as_ref())
        .filter(|p| !p.expose().is_empty())
    {
        check_pin(pin.expose())?;
    }
    if let Some(webhook) = &update.webhook_configuration {
        let uri = webhook.override_callback_uri.as_str();
        if !uri.is_empty() && (!uri.starts_with("https://") || uri.len() <= "https://".len()) {
            return Err(GraphError::invalid_param(
                "Param webhook_configuration[override_callback_uri] must be an https URL",
            ));
        }
    }
    Ok(())
}

/// `POST /{v}/{phone-number-id}`: applies the properties that were sent.
pub(crate) fn update(call: &Call, id: &str) -> GraphResult {
    exists(call, id)?;
    let update: types::PhoneNumberUpdate = call.params.decode()?;
    check_update(&update)?;
    with_number(call, id, |record| {
        if let Some(pin) = &update.pin {
            record.pin = Some(pin.expose().to_owned());
        }
        if let Some(name) = &update.new_display_name {
            record.number.new_name_status = Some(types::NameStatus::PendingReview);
            record.number.new_certificate = Some(crate::demo::certificate(id, name));
            record.requested_name = Some(name.clone());
        }
        if let Some(visibility) = &update.search_visibility {
            record.number.search_visibility = Some(visibility.clone());
        }
        if let Some(username) = &update.username {
            record.number.username = Some(username.clone());
        }
        if let Some(status) = &update.connection_status {
            if let Some(status) = status_of(status) {
                record.number.status = Some(status);
            }
            if let Some(tier) = tier_of(status) {
                record.number.messaging_limit_tier = Some(tier);
            }
        }
        if let Some(webhook) = &update.webhook_configuration {
            if webhook.override_callback_uri.is_empty() {
                record.webhook_callback_uri = None;
                record.webhook_verify_token = None;
            } else {
                record.webhook_callback_uri = Some(webhook.override_callback_uri.clone());
                record.webhook_verify_token =
                    webhook.verify_token.as_ref().map(|t| t.expose().to_owned());
            }
            let read_back = record
                .number
                .webhook_configuration
                .get_or_insert_with(Default::default);
            read_back.phone_number = record.webhook_callback_uri.clone();
        }
        if let Some(url) = &update.webhook_url {
            record.webhook_callback_uri = Some(url.clone());
            let read_back = record
                .number
                .webhook_configuration
                .get_or_insert_with(Default::default);
            read_back.phone_number = Some(url.clone());
        }
        if let Some(pin) = update
            .whatsapp_business_api_data
            .as_ref()
            .and_then(|d| d.pin.as_ref())
        {
            record.pin = (!pin.expose().is_empty()).then(|| pin.expose().to_owned());
            record.number.is_pin_enabled = Some(record.pin.is_some());
        }
        if let Some(pin) = &update.pin {
            record.number.is_pin_enabled = Some(!pin.expose().is_empty());
        }
        Ok(())
    })?;
    if update.new_display_name.is_some()
        && let Some(delay) = call.state.outbox().review_names_after()
    {
        let state = call.state.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = state.apply(crate::MockEvent::NameReview {
                phone_number_id: id,
                decision: "APPROVED".to_owned(),
                rejection_reason: None,
            });
        });
    }
    Ok(ok_json(&types::PhoneNumberUpdateResult::SuccessResponse(
        types::SuccessResponse { success: true },
    )))
}
