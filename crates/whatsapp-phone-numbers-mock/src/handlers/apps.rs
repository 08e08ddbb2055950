//! An app's own webhook subscriptions (`GET`/`POST`/`DELETE /{app-id}/subscriptions`, with an
//! app access token) and app access tokens (`GET /oauth/access_token`).
//!
//! Sources: the subscription fields, "adds to the subscription without overwriting existing
//! fields", the optional `object` and `fields` of `DELETE` and the `{"data": [{"object",
//! "callback_url", "active", "fields": [{"name", "version"}]}]}` list are Graph's reference
//! for `/{app-id}/subscriptions` and its webhooks guide; Meta's WhatsApp webhook pages use
//! it with the object `whatsapp_business_account`. The callback is verified with Graph's
//! handshake before it is accepted (error 2200 otherwise). The client-credentials grant is
//! Meta's access token guide. No source gives Graph's text for a wrong `client_secret`; the
//! mock answers `Error validating client secret.` with code 1.

use serde_json::json;
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, Callback};
use crate::errors::{GraphError, GraphResult, ok_json, success};

/// The app in the path, which must be the caller's: an app's token manages only its own
/// subscriptions (another app's is a node the token cannot load).
fn own_app(call: &Call) -> Result<String, GraphError> {
    let id = call.id();
    if call.app_id() != id {
        return Err(GraphError::unsupported(call.op.method.as_str(), id));
    }
    Ok(id.to_owned())
}

/// The field names of a `WebhookFieldList` (an array, or one comma-separated text).
fn field_names(list: &types::WebhookFieldList) -> Vec<String> {
    let names: Vec<String> = match list {
        types::WebhookFieldList::Array(items) => items.clone(),
        types::WebhookFieldList::String(text) => text.split(',').map(str::to_owned).collect(),
    };
    names
        .into_iter()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Checks a subscription request; answers its fields.
fn checked_fields(request: &types::AppSubscriptionRequest) -> Result<Vec<String>, GraphError> {
    super::ensure_known!(request.object, types::WebhookObject, "object");
    let fields = field_names(&request.fields);
    if fields.is_empty() {
        return Err(GraphError::invalid_param(
            "Param fields must name at least one field",
        ));
    }
    if let Some(bad) = fields.iter().find(|f| {
        !f.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    }) {
        return Err(GraphError::invalid_param(format!(
            "Param fields holds {bad:?}, which is not a webhook field"
        )));
    }
    let url = request.callback_url.as_str();
    if !super::is_https(url) && !crate::webhooks::is_local_http(url) {
        return Err(GraphError::invalid_param(
            "Param callback_url must be an https URL",
        ));
    }
    if request.verify_token.expose().is_empty() {
        return Err(GraphError::invalid_param(
            "Param verify_token must not be empty",
        ));
    }
    Ok(fields)
}

/// Before `POST /{app-id}/subscriptions`: the callback Graph verifies.
pub(crate) fn callback(call: &Call) -> Result<Option<Callback>, GraphError> {
    own_app(call)?;
    let request: types::AppSubscriptionRequest = call.body()?;
    checked_fields(&request)?;
    Ok(Some(Callback {
        url: request.callback_url.to_string(),
        verify_token: request.verify_token.expose().to_owned(),
    }))
}

/// `POST /{v}/{app-id}/subscriptions`.
pub(crate) fn subscribe(call: &Call) -> GraphResult {
    let app = own_app(call)?;
    let request: types::AppSubscriptionRequest = call.body()?;
    let fields = checked_fields(&request)?;
    call.state.lock().apps.subscribe(
        &app,
        request.object.as_str(),
        &request.callback_url,
        request.verify_token.expose(),
        &fields,
        call.version,
    );
    Ok(success())
}

/// `GET /{v}/{app-id}/subscriptions`.
pub(crate) fn list(call: &Call) -> GraphResult {
    let app = own_app(call)?;
    let subscriptions = call.state.lock().apps.subscriptions(&app);
    let data: Vec<types::AppSubscription> = subscriptions
        .into_iter()
        .map(|(object, s)| types::AppSubscription {
            object: Some(types::WebhookObject::from(object.as_str())),
            callback_url: Some(s.callback_url),
            active: Some(s.active),
            fields: s
                .fields
                .into_iter()
                .map(|(name, version)| types::AppSubscriptionField {
                    name: Some(name),
                    version: Some(version),
                })
                .collect(),
        })
        .collect();
    Ok(ok_json(&types::AppSubscriptionList { data }))
}

/// `DELETE /{v}/{app-id}/subscriptions[?object=..[&fields=..]]`.
pub(crate) fn unsubscribe(call: &Call) -> GraphResult {
    let app = own_app(call)?;
    let object = call.params.get("object").filter(|o| !o.is_empty());
    if let Some(object) = &object {
        super::ensure_known!(
            types::WebhookObject::from(object.as_str()),
            types::WebhookObject,
            "object"
        );
    }
    let fields: Vec<String> = call
        .params
        .get("fields")
        .unwrap_or_default()
        .split(',')
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    if object.is_none() && !fields.is_empty() {
        return Err(GraphError::invalid_param(
            "Param object is required to remove fields",
        ));
    }
    call.state
        .lock()
        .apps
        .unsubscribe(&app, object.as_deref(), &fields);
    Ok(success())
}

/// `GET /{v}/oauth/access_token?client_id=..&client_secret=..&grant_type=client_credentials`.
pub(crate) fn access_token(call: &Call) -> GraphResult {
    let p = call.params;
    let grant = p.get("grant_type").unwrap_or_default();
    if grant != "client_credentials" {
        return Err(super::not_one_of("grant_type", types::GrantType::KNOWN));
    }
    let client_id = p.get("client_id").unwrap_or_default();
    let secret = p.get("client_secret").unwrap_or_default();
    let mut inner = call.state.lock();
    let valid = inner.apps.get(&client_id).is_some_and(|app| {
        crate::auth::constant_time_eq(app.secret().as_bytes(), secret.as_bytes())
    });
    if !valid {
        return Err(GraphError::new(
            axum::http::StatusCode::BAD_REQUEST,
            1,
            "OAuthException",
            "Error validating client secret.",
        ));
    }
    let token = inner.apps.issue(&client_id).unwrap_or_default();
    Ok(ok_json(
        &json!({ "access_token": token, "token_type": "bearer" }),
    ))
}
