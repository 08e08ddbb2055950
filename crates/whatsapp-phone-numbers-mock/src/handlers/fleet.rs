//! The fleet: a business portfolio's accounts (`GET /{business-id}/owned_whatsapp_business_accounts`,
//! `client_whatsapp_business_accounts`), one account (`GET`/`POST /{waba-id}`) and the apps
//! subscribed to its webhooks (`GET`/`POST`/`DELETE /{waba-id}/subscribed_apps`).
//!
//! Subscriptions follow Meta's "Webhook overrides" and "Manage webhooks" pages: the calling
//! app subscribes with an empty `POST`; an account-level override (`override_callback_uri`
//! with `verify_token`, at most 200 characters) is accepted only once the app is
//! subscribed, and a `POST` without one removes it; `DELETE` unsubscribes the app; the
//! list is `{"data": []}` for an account no app is subscribed to.

use serde_json::Value;
use whatsapp_phone_numbers_api::v24_0::types;

use super::expansion::{Expansion, check_cost};
use super::{Call, Callback, is_https, not_subscribed_yet, page_url};
use crate::apps::AccountSubscription;
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::paging::{self, Position, SortKey};

/// The account node of `waba_id` with every field (a plain one when none was seeded), and
/// its `subscribed_apps` read as a field.
fn waba_node(call: &Call, waba_id: &str) -> types::BusinessAccount {
    let inner = call.state.lock();
    let mut node =
        inner
            .waba_nodes
            .get(waba_id)
            .cloned()
            .unwrap_or_else(|| types::BusinessAccount {
                id: Some(waba_id.to_owned()),
                name: Some(format!("WhatsApp Business Account {waba_id}")),
                timezone_id: Some("1".to_owned()),
                ..Default::default()
            });
    node.subscribed_apps = Some(types::SubscribedAppList {
        data: inner.subscribed_apps(waba_id),
    });
    node
}

/// `GET /{v}/{waba-id}`.
pub(crate) fn get_waba(call: &Call) -> GraphResult {
    let fields = call.fields()?;
    let mut node = fields.project(&waba_node(call, call.id()))?;
    if let Some(expansion) = Expansion::of(call, &fields)? {
        let (numbers, count) = expansion.connection(call, call.id())?;
        check_cost(call, 1 + count)?;
        node["phone_numbers"] = numbers;
    }
    Ok(ok_json(&node))
}

/// `POST /{v}/{waba-id}`: changes the settings that were sent.
pub(crate) fn update_waba(call: &Call) -> GraphResult {
    let update: types::BusinessAccountUpdate = call.body()?;
    if let Some(name) = &update.name
        && name.trim().is_empty()
    {
        return Err(GraphError::invalid_param("Param name must not be blank"));
    }
    if let Some(zone) = &update.timezone_id
        && !super::all_digits(zone)
    {
        return Err(GraphError::invalid_param(
            "Param timezone_id must be a time zone ID (digits)",
        ));
    }
    let waba_id = call.id().to_owned();
    let mut node = waba_node(call, &waba_id);
    node.subscribed_apps = None;
    if let Some(name) = update.name {
        node.name = Some(name.trim().to_owned());
    }
    if let Some(zone) = update.timezone_id {
        node.timezone_id = Some(zone);
    }
    if let Some(on) = update.is_enabled_for_insights {
        node.is_enabled_for_insights = Some(on);
    }
    if let Some(off) = update.disable_marketing_messages_on_cloud_api {
        node.disable_marketing_messages_on_cloud_api = Some(off);
    }
    if let Some(on) = update.template_auto_archival_enabled {
        node.template_auto_archival_enabled = Some(on);
    }
    call.state.lock().waba_nodes.insert(waba_id, node);
    Ok(success())
}

/// `GET /{v}/{business-id}/owned_whatsapp_business_accounts`.
pub(crate) fn list_owned(call: &Call) -> GraphResult {
    list_wabas(call, false)
}

/// `GET /{v}/{business-id}/client_whatsapp_business_accounts`.
pub(crate) fn list_client(call: &Call) -> GraphResult {
    list_wabas(call, true)
}

/// A business's accounts (with `client`, the shared ones), paged like every Graph edge.
fn list_wabas(call: &Call, client: bool) -> GraphResult {
    let business_id = call.id();
    let p = call.params;
    let fields = call.fields()?;
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
    let expansion = Expansion::of(call, &fields)?;
    let mut objects = 0;
    let data: Vec<Value> = keys[window.start..window.end]
        .iter()
        .map(|(_, id)| {
            let mut node = fields.project(&waba_node(call, id))?;
            objects += 1;
            if let Some(expansion) = &expansion {
                let (numbers, count) = expansion.connection(call, id)?;
                objects += count;
                node["phone_numbers"] = numbers;
            }
            Ok(node)
        })
        .collect::<Result<_, GraphError>>()?;
    check_cost(call, objects)?;
    let edge = if client {
        "client_whatsapp_business_accounts"
    } else {
        "owned_whatsapp_business_accounts"
    };
    let paging = paging::paging(&keys, &window, |name, cursor| {
        page_url(call, &format!("{business_id}/{edge}"), limit, name, cursor)
    });
    Ok(ok_json(
        &serde_json::json!({ "data": data, "paging": paging }),
    ))
}

/// `GET /{v}/{waba-id}/subscribed_apps`.
pub(crate) fn list_subscriptions(call: &Call) -> GraphResult {
    Ok(ok_json(&types::SubscribedAppList {
        data: call.state.subscriptions(call.id()),
    }))
}

/// Before `POST /{waba-id}/subscribed_apps` sets an override: the app must already be
/// subscribed, the URL must be https (or a loopback `http://` the mock can call) and come
/// with a verify token; Graph then verifies it.
pub(crate) fn override_callback(call: &Call) -> Result<Option<Callback>, GraphError> {
    let request: types::SubscriptionRequest = call.body()?;
    let Some(url) = request
        .override_callback_uri
        .as_deref()
        .map(String::as_str)
        .filter(|u| !u.is_empty())
    else {
        return Ok(None);
    };
    if !is_https(url) && !crate::webhooks::is_local_http(url) {
        return Err(GraphError::invalid_param(
            "Param override_callback_uri must be an https URL",
        ));
    }
    let Some(verify_token) = request
        .verify_token
        .as_ref()
        .map(|t| t.expose().to_owned())
        .filter(|t| !t.is_empty())
    else {
        return Err(GraphError::invalid_param(
            "Param verify_token is required with override_callback_uri",
        ));
    };
    let subscribed = call
        .state
        .lock()
        .account_subscription(call.id(), call.app_id())
        .is_some();
    if !subscribed {
        return Err(not_subscribed_yet());
    }
    Ok(Some(Callback {
        url: url.to_owned(),
        verify_token,
    }))
}

/// `POST /{v}/{waba-id}/subscribed_apps`: subscribes the calling app, setting the override
/// that was sent or removing the one that was not.
pub(crate) fn subscribe(call: &Call) -> GraphResult {
    let request: types::SubscriptionRequest = call.body()?;
    let uri = request
        .override_callback_uri
        .as_deref()
        .map(String::to_owned)
        .filter(|u| !u.is_empty());
    let token = uri
        .as_ref()
        .and(request.verify_token.as_ref())
        .map(|t| t.expose().to_owned());
    let app_id = call.app_id().to_owned();
    let mut inner = call.state.lock();
    let apps = inner.subscriptions.entry(call.id().to_owned()).or_default();
    match apps.iter_mut().find(|s| s.app_id == app_id) {
        Some(existing) => {
            existing.override_callback_uri = uri;
            existing.override_verify_token = token;
        }
        None => apps.push(AccountSubscription {
            app_id,
            override_callback_uri: uri,
            override_verify_token: token,
        }),
    }
    Ok(success())
}

/// `DELETE /{v}/{waba-id}/subscribed_apps`: unsubscribes the calling app.
pub(crate) fn unsubscribe(call: &Call) -> GraphResult {
    let app_id = call.app_id();
    if let Some(apps) = call.state.lock().subscriptions.get_mut(call.id()) {
        apps.retain(|s| s.app_id != app_id);
    }
    Ok(success())
}
