//! The fleet: a business portfolio's accounts (`GET /{business-id}/owned_whatsapp_business_accounts`,
//! `client_whatsapp_business_accounts`), one account (`GET /{waba-id}`) and the apps
//! subscribed to its webhooks (`GET`/`POST`/`DELETE /{waba-id}/subscribed_apps`).

use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, page_url};
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::fields;
use crate::paging::{self, Position, SortKey};

/// The app the mock's token belongs to.
pub const MOCK_APP_ID: &str = "67084330901";

/// The account node of `waba_id` with every field (a plain one when none was seeded).
fn waba_node(call: &Call, waba_id: &str) -> types::BusinessAccount {
    let inner = call.state.lock();
    inner
        .waba_nodes
        .get(waba_id)
        .cloned()
        .unwrap_or_else(|| types::BusinessAccount {
            id: Some(waba_id.to_owned()),
            name: Some(format!("WhatsApp Business Account {waba_id}")),
            timezone_id: Some("1".to_owned()),
            ..Default::default()
        })
}

/// `GET /{v}/{waba-id}`.
pub(crate) fn get_waba(call: &Call, waba_id: &str) -> GraphResult {
    let wanted = fields::parse(
        call.params.get("fields").as_deref(),
        fields::WABA_FIELDS,
        fields::DEFAULT_WABA_FIELDS,
        fields::WABA_NODE,
    )?;
    Ok(ok_json(&fields::project_waba(
        &waba_node(call, waba_id),
        &wanted,
    )))
}

/// `GET /{v}/{business-id}/owned_whatsapp_business_accounts` (or, with `client`, the shared
/// ones): paged like every Graph edge.
pub(crate) fn list_wabas(call: &Call, business_id: &str, client: bool) -> GraphResult {
    let p = call.params;
    let wanted = fields::parse(
        p.get("fields").as_deref(),
        fields::WABA_FIELDS,
        fields::DEFAULT_WABA_FIELDS,
        fields::WABA_NODE,
    )?;
    let limit = paging::parse_limit(p.get("limit").as_deref())?;
    let position = match (p.get("after"), p.get("before")) {
        (Some(cursor), _) if !cursor.is_empty() => {
            Position::After(paging::decode_cursor("after", &cursor)?)
        }
        (_, Some(cursor)) if !cursor.is_empty() => {
            Position::Before(paging::decode_cursor("before", &cursor)?)
        }
        _ => Position::First,
    };
    let ids: Vec<String> = {
        let inner = call.state.lock();
        let business = inner
            .businesses
            .get(business_id)
            .ok_or_else(|| GraphError::unsupported("get", business_id))?;
        if client {
            business.client.clone()
        } else {
            business.owned.clone()
        }
    };
    let keys: Vec<SortKey> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (i as i64, id.clone()))
        .collect();
    let window = paging::window(&keys, true, &position, limit);
    let data = keys[window.start..window.end]
        .iter()
        .map(|(_, id)| fields::project_waba(&waba_node(call, id), &wanted))
        .collect();
    let edge = if client {
        "client_whatsapp_business_accounts"
    } else {
        "owned_whatsapp_business_accounts"
    };
    let paging = paging::paging(&keys, &window, |name, cursor| {
        page_url(call, &format!("{business_id}/{edge}"), limit, name, cursor)
    });
    Ok(ok_json(&types::BusinessAccountPage {
        data,
        paging: Some(paging),
    }))
}

/// `GET /{v}/{waba-id}/subscribed_apps`.
pub(crate) fn list_subscriptions(call: &Call, waba_id: &str) -> GraphResult {
    Ok(ok_json(&types::SubscribedAppList {
        data: call.state.subscriptions(waba_id),
    }))
}

/// `POST /{v}/{waba-id}/subscribed_apps`: subscribes the mock's app; an override needs an
/// https URL and a verify token, and an empty body removes the override.
pub(crate) fn subscribe(call: &Call, waba_id: &str) -> GraphResult {
    let request: types::SubscriptionRequest = call.params.decode()?;
    let uri = request
        .override_callback_uri
        .as_deref()
        .map(String::as_str)
        .filter(|u| !u.is_empty());
    if let Some(uri) = uri {
        let https = uri.starts_with("https://") && uri.len() > "https://".len();
        if !https && !crate::webhooks::is_local_http(uri) {
            return Err(GraphError::invalid_param(
                "Param override_callback_uri must be an https URL",
            ));
        }
        if request
            .verify_token
            .as_ref()
            .is_none_or(|t| t.expose().is_empty())
        {
            return Err(GraphError::invalid_param(
                "Param verify_token is required with override_callback_uri",
            ));
        }
    }
    let app = types::SubscribedApp {
        whatsapp_business_api_data: Some(types::AppInfo {
            id: Some(MOCK_APP_ID.to_owned()),
            name: Some("Mock App".to_owned()),
            link: Some(format!(
                "https://www.facebook.com/games/?app_id={MOCK_APP_ID}"
            )),
        }),
        override_callback_uri: uri.map(str::to_owned),
    };
    let mut inner = call.state.lock();
    let apps = inner.subscriptions.entry(waba_id.to_owned()).or_default();
    apps.retain(|a| {
        a.whatsapp_business_api_data
            .as_ref()
            .and_then(|d| d.id.as_deref())
            != Some(MOCK_APP_ID)
    });
    apps.push(app);
    Ok(success())
}

/// `DELETE /{v}/{waba-id}/subscribed_apps`.
pub(crate) fn unsubscribe(call: &Call, waba_id: &str) -> GraphResult {
    if let Some(apps) = call.state.lock().subscriptions.get_mut(waba_id) {
        apps.retain(|a| {
            a.whatsapp_business_api_data
                .as_ref()
                .and_then(|d| d.id.as_deref())
                != Some(MOCK_APP_ID)
        });
    }
    Ok(success())
}
