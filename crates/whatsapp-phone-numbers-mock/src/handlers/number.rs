//! `GET /{phone-number-id}`, `GET /{account-number-id}` and `POST /{phone-number-id}` (PIN,
//! display name, visibility, username, the number's callback override).

use whatsapp_phone_numbers_api::v24_0::types;

use super::{
    Call, Callback, check_display_name, check_pin, ensure_known, is_https, not_subscribed_yet,
    selected, with_number,
};
use crate::errors::{GraphError, GraphResult, ok_json};
use crate::state::Inner;

/// `GET /{v}/{phone-number-id}`: the number, with `webhook_configuration` as the calling
/// app sees it.
pub(crate) fn get(call: &Call) -> GraphResult {
    let id = call.id();
    let inner = call.state.lock();
    let record = inner
        .numbers
        .get(id)
        .ok_or_else(|| GraphError::unsupported("get", id))?;
    let mut number = record.number.clone();
    number.webhook_configuration = Some(destinations(&inner, id, call.app_id()));
    // The application's status, as `GET /{id}/official_business_account` answers it.
    number.official_business_account = Some(inner.oba_status(id));
    Ok(ok_json(&selected(call, &number)?))
}

/// Where number `id`'s webhooks go for app `app_id`: the app's own callback URL, the
/// account's override and the number's override, each when set (Meta's "Webhook
/// overrides" page shows the three keys).
fn destinations(inner: &Inner, id: &str, app_id: &str) -> types::WebhookDestinations {
    let Some(record) = inner.numbers.get(id) else {
        return types::WebhookDestinations::default();
    };
    types::WebhookDestinations {
        application: inner
            .apps
            .subscription(app_id, "whatsapp_business_account")
            .map(|s| s.callback_url.clone()),
        whatsapp_business_account: inner
            .account_subscription(&record.waba_id, app_id)
            .and_then(|s| s.override_callback_uri.clone()),
        phone_number: record
            .webhook_overrides
            .get(app_id)
            .map(|o| o.callback_uri.clone()),
    }
}

/// `GET /{v}/{account-number-id}`.
pub(crate) fn get_account_number(call: &Call) -> GraphResult {
    let id = call.id();
    let node = call
        .state
        .account_number(id)
        .ok_or_else(|| GraphError::unsupported("get", id))?;
    Ok(ok_json(&selected(call, &node)?))
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
    if let Some(username) = &update.username
        && let Some(problem) = whatsapp_phone_numbers_api::wire::username_problem(username)
    {
        return Err(GraphError::invalid_param(format!(
            "Param username {problem}"
        )));
    }
    if let Some(url) = &update.webhook_url
        && !is_https(url)
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
    Ok(())
}

/// The override a `POST /{phone-number-id}` sets: `(url, verify token)`, an empty URL for
/// removing it.
fn requested_override(update: &types::PhoneNumberUpdate) -> Option<(String, Option<String>)> {
    if let Some(webhook) = &update.webhook_configuration {
        return Some((
            webhook.override_callback_uri.to_string(),
            webhook.verify_token.as_ref().map(|t| t.expose().to_owned()),
        ));
    }
    update.webhook_url.clone().map(|url| (url, None))
}

/// Before `POST /{phone-number-id}` sets a callback override: Graph's requirements (the app
/// must be subscribed to the number's account first, and an override needs a verify token,
/// both from Meta's "Webhook overrides" page) and the callback to verify.
pub(crate) fn override_callback(call: &Call) -> Result<Option<Callback>, GraphError> {
    let update: types::PhoneNumberUpdate = call.body()?;
    let Some((url, token)) = requested_override(&update).filter(|(url, _)| !url.is_empty()) else {
        return Ok(None);
    };
    if !is_https(&url) && !crate::webhooks::is_local_http(&url) {
        return Err(GraphError::invalid_param(
            "Param webhook_configuration[override_callback_uri] must be an https URL",
        ));
    }
    let subscribed = {
        let inner = call.state.lock();
        let waba = inner.numbers.get(call.id()).map(|r| r.waba_id.clone());
        waba.is_some_and(|w| inner.account_subscription(&w, call.app_id()).is_some())
    };
    if !subscribed {
        return Err(not_subscribed_yet());
    }
    match token.filter(|t| !t.is_empty()) {
        Some(verify_token) => Ok(Some(Callback { url, verify_token })),
        None if update.webhook_configuration.is_some() => Err(GraphError::invalid_param(
            "Param webhook_configuration[verify_token] is required with override_callback_uri",
        )),
        // The reference's `webhook_url` comes without a token; Graph cannot verify it.
        None => Ok(None),
    }
}

/// `POST /{v}/{phone-number-id}`: applies the properties that were sent.
pub(crate) fn update(call: &Call) -> GraphResult {
    let update: types::PhoneNumberUpdate = call.body()?;
    check_update(&update)?;
    let id = call.id().to_owned();
    let app = call.app_id().to_owned();
    with_number(call, |record| {
        if let Some(pin) = &update.pin {
            record.pin = Some(pin.expose().to_owned());
            record.number.is_pin_enabled = Some(!pin.expose().is_empty());
        }
        if let Some(name) = &update.new_display_name {
            record.number.new_name_status = Some(types::NameStatus::PendingReview);
            record.number.new_certificate = Some(crate::demo::certificate(&id, name));
            record.requested_name = Some(name.clone());
            record.approved_name = None;
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
        match requested_override(&update) {
            Some((url, _)) if url.is_empty() => {
                record.webhook_overrides.remove(&app);
            }
            Some((url, verify_token)) => {
                record.webhook_overrides.insert(
                    app.clone(),
                    crate::apps::WebhookOverride {
                        callback_uri: url,
                        verify_token,
                    },
                );
            }
            None => {}
        }
        if let Some(pin) = update
            .whatsapp_business_api_data
            .as_ref()
            .and_then(|d| d.pin.as_ref())
        {
            record.pin = (!pin.expose().is_empty()).then(|| pin.expose().to_owned());
            record.number.is_pin_enabled = Some(record.pin.is_some());
        }
        Ok(())
    })?;
    if update.new_display_name.is_some()
        && let Some(delay) = call.state.outbox().review_names_after()
    {
        let state = call.state.clone();
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
