//! The Graph operations, one handler per operation of the specification, registered
//! against the operation's `operationId` in [`HANDLERS`]; plus the mock-only endpoints.
//!
//! What the specification says is not repeated here: the router finds the operation in the
//! requested version's generated table, checks credentials, query parameters and the
//! request body against it, and hands a handler a [`Call`] whose body is already checked
//! and whose field selection comes from the table. Handlers are state and behaviour: plain
//! functions of a [`Call`] that take the state lock, never await, and answer with JSON or a
//! Graph error. An operation that registers a callback URL names it in its
//! [`Handler::callback`] hook, so that the router runs Graph's verification handshake
//! before the handler.

pub(crate) mod apps;
pub(crate) mod automation;
pub(crate) mod commerce;
pub(crate) mod expansion;
pub(crate) mod fleet;
pub(crate) mod list;
pub(crate) mod mock;
pub(crate) mod number;
pub(crate) mod oba;
pub(crate) mod profile;
pub(crate) mod qr;
pub(crate) mod registration;
pub(crate) mod settings;
pub(crate) mod uploads;
pub(crate) mod username;

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use whatsapp_phone_numbers_api::operation::Operation;

use crate::auth::Caller;
use crate::errors::{GraphError, GraphResult};
use crate::fields::{self, Selected};
use crate::params::Params;
use crate::records::NumberRecord;
use crate::state::MockState;

/// One Graph request, as the handlers see it.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a MockState,
    /// The operation the request names.
    pub(crate) op: &'static Operation,
    /// The path parameters, in the template's order (the node first).
    pub(crate) ids: &'a [String],
    pub(crate) params: &'a Params,
    /// The request body, checked against the version's request type (`None` for an
    /// operation without a JSON body).
    pub(crate) checked: Option<&'a Value>,
    /// The version segment of the path, such as `v23.0`.
    pub(crate) version: &'a str,
    /// The request's `Host`, for the URLs in `paging`.
    pub(crate) host: &'a str,
    /// The raw request body (uploads take bytes).
    pub(crate) body: &'a [u8],
    /// The request headers.
    pub(crate) headers: &'a axum::http::HeaderMap,
    /// The app behind the token.
    pub(crate) caller: &'a Caller,
}

impl Call<'_> {
    /// The node the path starts from.
    pub(crate) fn id(&self) -> &str {
        self.ids.first().map_or("", String::as_str)
    }

    /// The text of header `name`, when present.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The checked request body decoded as `T` (a type of the mock's state version).
    pub(crate) fn body<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        let empty = Value::Object(serde_json::Map::new());
        Params::decode_checked(self.checked.unwrap_or(&empty))
    }

    /// The fields this read answers with, from `fields=` and the operation's selection.
    pub(crate) fn fields(&self) -> Result<Selected, GraphError> {
        let selection = self.op.selection.ok_or_else(|| {
            GraphError::invalid_param(format!("{} takes no fields parameter", self.op.id))
        })?;
        fields::select(self.params.get("fields").as_deref(), selection)
    }

    /// The version table the path names (the served one for a retired version).
    pub(crate) fn table(
        &self,
    ) -> Option<&'static whatsapp_phone_numbers_api::operation::VersionTable> {
        crate::table::parse_version(self.version)
            .and_then(crate::table::for_version)
            .map(|(table, _)| table)
    }

    /// The app that called (every operation but the token request has one).
    pub(crate) fn app_id(&self) -> &str {
        self.caller.app_id.as_deref().unwrap_or_default()
    }
}

/// Where an operation registers a callback: the URL and the verify token Graph's
/// handshake sends to it.
#[derive(Clone, Debug)]
pub(crate) struct Callback {
    pub(crate) url: String,
    pub(crate) verify_token: String,
}

/// A hook that names the callback an operation registers (see [`Handler::callback`]).
pub(crate) type CallbackHook = fn(&Call) -> Result<Option<Callback>, GraphError>;

/// One operation's handler.
pub(crate) struct Handler {
    /// The `operationId` it answers.
    pub(crate) operation: &'static str,
    /// Answers the request.
    pub(crate) run: fn(&Call) -> GraphResult,
    /// Before `run`: checks what must hold before a callback is registered, and names the
    /// callback Graph verifies with its handshake (loopback `http://` ones only; see
    /// [`crate::webhooks`]).
    pub(crate) callback: Option<CallbackHook>,
}

const fn handler(operation: &'static str, run: fn(&Call) -> GraphResult) -> Handler {
    Handler {
        operation,
        run,
        callback: None,
    }
}

/// Every operation the mock answers. The operation-table test fails, naming the
/// operation, for any operation of any specification missing here.
pub(crate) const HANDLERS: &[Handler] = &[
    handler("getPhoneNumber", number::get),
    handler("updatePhoneNumber", number::update).with_callback(number::override_callback),
    handler("getAccountNumber", number::get_account_number),
    handler("listPhoneNumbers", list::list),
    handler("addPhoneNumber", list::add),
    handler("requestCode", registration::request_code),
    handler("verifyCode", registration::verify_code),
    handler("registerPhoneNumber", registration::register),
    handler("deregisterPhoneNumber", registration::deregister),
    handler("getSettings", settings::get),
    handler("updateSettings", settings::update),
    handler("getBusinessProfile", profile::get),
    handler("updateBusinessProfile", profile::update),
    handler("listOwnedBusinessAccounts", fleet::list_owned),
    handler("listClientBusinessAccounts", fleet::list_client),
    handler("getBusinessAccount", fleet::get_waba),
    handler("updateBusinessAccount", fleet::update_waba),
    handler("listSubscribedApps", fleet::list_subscriptions),
    handler("subscribeApp", fleet::subscribe).with_callback(fleet::override_callback),
    handler("unsubscribeApp", fleet::unsubscribe),
    handler("getOfficialBusinessAccount", oba::get),
    handler("requestOfficialBusinessAccount", oba::request),
    handler("listQrCodes", qr::list),
    handler("saveQrCode", qr::save),
    handler("getQrCode", qr::get),
    handler("deleteQrCode", qr::delete),
    handler("setConversationalAutomation", automation::set),
    handler("getCommerceSettings", commerce::get_commerce),
    handler("setCommerceSettings", commerce::set_commerce),
    handler("getBusinessEncryption", commerce::get_encryption),
    handler("setBusinessEncryption", commerce::set_encryption),
    handler("getUsername", username::get),
    handler("setUsername", username::set),
    handler("deleteUsername", username::delete),
    handler("listUsernameSuggestions", username::suggestions),
    handler("startUploadSession", uploads::start),
    handler("getUploadSession", uploads::status),
    handler("uploadFile", uploads::upload),
    handler("listAppSubscriptions", apps::list),
    handler("createAppSubscription", apps::subscribe).with_callback(apps::callback),
    handler("deleteAppSubscription", apps::unsubscribe),
    handler("getAppAccessToken", apps::access_token),
];

impl Handler {
    const fn with_callback(mut self, callback: CallbackHook) -> Self {
        self.callback = Some(callback);
        self
    }
}

/// The handler of operation `id`.
pub(crate) fn handler_of(id: &str) -> Option<&'static Handler> {
    HANDLERS.iter().find(|h| h.operation == id)
}

/// Runs `change` on number `id`'s record, or answers Graph's unsupported-request error.
pub(crate) fn with_number<T>(
    call: &Call,
    change: impl FnOnce(&mut NumberRecord) -> Result<T, GraphError>,
) -> Result<T, GraphError> {
    let id = call.id();
    let mut inner = call.state.lock();
    let record = inner
        .numbers
        .get_mut(id)
        .ok_or_else(|| GraphError::unsupported(call.op.method.as_str(), id))?;
    change(record)
}

/// The URL of another page of the edge at `edge_path` (after the version): this request's
/// parameters with `cursor_param` set.
pub(crate) fn page_url(
    call: &Call,
    edge_path: &str,
    limit: usize,
    cursor_param: &str,
    cursor: &str,
) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in call.params.query_pairs() {
        if !matches!(key.as_str(), "after" | "before" | "limit") {
            query.append_pair(key, value);
        }
    }
    query.append_pair("limit", &limit.to_string());
    query.append_pair(cursor_param, cursor);
    format!(
        "http://{}/{}/{edge_path}?{}",
        call.host,
        call.version,
        query.finish()
    )
}

/// A `(#100)` error for an enum value outside `known`.
pub(crate) fn not_one_of<T: Display>(param: &str, known: &[T]) -> GraphError {
    let names: Vec<String> = known.iter().map(ToString::to_string).collect();
    GraphError::invalid_param(format!(
        "Param {param} must be one of {{{}}}",
        names.join(", ")
    ))
}

/// Checks that an open enum value is one the specification names.
macro_rules! ensure_known {
    ($value:expr, $ty:ty, $param:expr) => {
        if $value.is_unknown() {
            return Err($crate::handlers::not_one_of($param, <$ty>::KNOWN));
        }
    };
}
pub(crate) use ensure_known;

/// True when `text` is non-empty and only ASCII digits.
pub(crate) fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a six-digit PIN.
pub(crate) fn check_pin(pin: &str) -> Result<(), GraphError> {
    if pin.len() == 6 && all_digits(pin) {
        Ok(())
    } else {
        Err(GraphError::invalid_whatsapp_param(
            "Param pin must be a 6-digit number",
        ))
    }
}

/// Checks that `text` has between `min` and `max` characters.
pub(crate) fn check_length(
    param: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<(), GraphError> {
    let n = text.chars().count();
    if (min..=max).contains(&n) {
        Ok(())
    } else if min <= 1 {
        Err(GraphError::invalid_param(format!(
            "Param {param} must be at most {max} characters long"
        )))
    } else {
        Err(GraphError::invalid_param(format!(
            "Param {param} must be between {min} and {max} characters long"
        )))
    }
}

/// Checks a display name (2 to 75 characters, not blank).
pub(crate) fn check_display_name(param: &str, name: &str) -> Result<(), GraphError> {
    if name.trim().is_empty() {
        return Err(GraphError::invalid_param(format!(
            "Param {param} must be between 2 and 75 characters long"
        )));
    }
    check_length(param, name, 2, 75)
}

/// True for `https://` followed by something.
pub(crate) fn is_https(url: &str) -> bool {
    url.starts_with("https://") && url.len() > "https://".len()
}

/// Graph's refusal of a callback override from an app that is not subscribed to the
/// account yet (its text as Graph answered it in chatwoot/chatwoot#12488; Meta's pages
/// document the requirement, not the words).
pub(crate) fn not_subscribed_yet() -> GraphError {
    GraphError::invalid_param(
        "Before override the current callback uri, your app must be subscribed to receive \
         messages for WhatsApp Business Account",
    )
}

/// `node` with the fields this read asks for, as JSON.
pub(crate) fn selected(call: &Call, node: &impl Serialize) -> Result<Value, GraphError> {
    call.fields()?.project(node)
}

#[cfg(test)]
mod tests {
    use whatsapp_phone_numbers_api::VERSION_TABLES;

    use super::*;

    #[test]
    fn every_operation_has_a_handler_and_every_handler_an_operation() {
        for table in VERSION_TABLES {
            for op in table.operations {
                assert!(
                    handler_of(op.id).is_some(),
                    "{} {}: no handler answers it (add one to HANDLERS)",
                    table.name,
                    op.id
                );
            }
        }
        for handler in HANDLERS {
            assert!(
                VERSION_TABLES
                    .iter()
                    .any(|t| t.operation(handler.operation).is_some()),
                "{} is in no specification",
                handler.operation
            );
        }
    }
}
