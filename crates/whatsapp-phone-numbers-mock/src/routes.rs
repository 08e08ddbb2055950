//! The router: mock-only endpoints under `/__mock/`, and every other path through the Graph
//! pipeline (log → rate limits → fault → version → credentials → operation → Graph
//! headers).

use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::response::Response;
use axum::routing::get;

use crate::errors::{GraphError, GraphResult};
use crate::faults::FaultKind;
use crate::handlers::{
    Call, all_digits, automation, fleet, list, mock, number, oba, profile, qr, registration,
    settings, uploads,
};
use crate::headers::{self, Meta};
use crate::params::Params;
use crate::service::MockService;
use crate::state::NodeKind;
use crate::{fault_answers, ids};

/// The version reported for paths that do not start with one.
const DEFAULT_VERSION: &str = "v23.0";
/// The largest request body read.
const MAX_BODY: usize = 1024 * 1024;

impl MockService {
    /// The axum router serving the mock, for embedding it in another server.
    pub fn router(&self) -> axum::Router {
        router(self.clone())
    }
}

/// The mock's router.
fn router(service: MockService) -> Router {
    Router::new()
        .route(
            "/__mock/faults",
            get(mock::list_faults)
                .post(mock::push_faults)
                .delete(mock::clear_faults),
        )
        .route(
            "/__mock/verification_code/{id}",
            get(mock::verification_code),
        )
        .route("/__mock/requests", get(mock::requests))
        .route("/__mock/events", axum::routing::post(mock::push_event))
        .route("/__mock/webhooks", get(mock::deliveries))
        .fallback(graph)
        .with_state(service)
}

/// `vNN.N`: a Graph API version segment.
fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            all_digits(major) && all_digits(minor) && major.len() <= 3 && minor.len() <= 2
        })
}

/// Every Graph request.
async fn graph(State(service): State<MockService>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .collect();
    let version = segments.first().copied().filter(|v| is_version(v));
    let node_id = version.and(segments.get(1).copied());
    let usage = service
        .state
        .record_request(parts.method.as_str(), &path, &query, node_id);
    let mut meta = Meta {
        version: version.unwrap_or(DEFAULT_VERSION).to_owned(),
        trace_id: ids::trace_id(),
        request_id: ids::request_id(),
        usage,
        app_exhausted: false,
        regain_minutes: None,
    };

    if let Some(refusal) = meta.usage.charge.refused {
        let mut response = fault_answers::refused(refusal, &mut meta);
        headers::apply(&mut response, &meta);
        return response;
    }
    let fault = service.faults.take(&path);
    if let Some(FaultKind::Delay { millis }) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let faulted = fault
        .as_ref()
        .and_then(|kind| fault_answers::answer(kind, &mut meta));
    let mut response = match faulted {
        Some(response) => response,
        None => {
            let target = Target {
                path: &path,
                segments: &segments,
                versioned: version.is_some(),
            };
            let normal = answer(&service, &parts, body, &target, &meta).await;
            if matches!(fault, Some(FaultKind::Truncated)) {
                fault_answers::truncate(normal).await
            } else {
                normal
            }
        }
    };
    headers::apply(&mut response, &meta);
    response
}

/// Where a request goes.
struct Target<'a> {
    path: &'a str,
    segments: &'a [&'a str],
    versioned: bool,
}

/// The normal (unfaulted) answer to a Graph request.
async fn answer(
    service: &MockService,
    parts: &Parts,
    body: Body,
    target: &Target<'_>,
    meta: &Meta,
) -> Response {
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return GraphError::invalid_param(format!(
                "The request body could not be read or is larger than {MAX_BODY} bytes"
            ))
            .into_response_with_trace(&meta.trace_id);
        }
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let params = Params::new(parts.uri.query().unwrap_or_default(), content_type, &bytes);
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("127.0.0.1");
    let call = Call {
        state: &service.state,
        params: &params,
        version: &meta.version,
        host,
        body: &bytes,
        headers: &parts.headers,
    };
    if let Err(error) = verify_subscription(service, parts, target, &call).await {
        return error.into_response_with_trace(&meta.trace_id);
    }
    match route(service, parts, target, &call) {
        Ok(response) => response,
        Err(error) => error.into_response_with_trace(&meta.trace_id),
    }
}

/// Before an authorised `POST /{waba-id}/subscribed_apps` that overrides the callback with
/// a loopback `http://` URL: Graph's verification request to it. Graph answers error 2200
/// when the callback does not echo the challenge, and subscribes nothing.
async fn verify_subscription(
    service: &MockService,
    parts: &Parts,
    target: &Target<'_>,
    call: &Call<'_>,
) -> Result<(), GraphError> {
    let [_, id, "subscribed_apps"] = target.segments else {
        return Ok(());
    };
    if parts.method != Method::POST
        || !target.versioned
        || call.state.lock().kind_of(id) != Some(NodeKind::Waba)
        || service
            .credentials
            .check(&parts.headers, |name| call.params.get(name))
            .is_err()
    {
        return Ok(());
    }
    // A request that does not decode is refused by the operation itself.
    let Ok(request) = call
        .params
        .decode::<whatsapp_phone_numbers_api::v24_0::types::SubscriptionRequest>()
    else {
        return Ok(());
    };
    let (Some(uri), Some(token)) = (request.override_callback_uri, request.verify_token) else {
        return Ok(());
    };
    if !crate::webhooks::is_local_http(&uri) || token.expose().is_empty() {
        return Ok(());
    }
    crate::webhooks::verify_callback(&uri, token.expose())
        .await
        .map_err(|why| {
            GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                2200,
                "OAuthException",
                format!("(#2200) Callback verification failed with the following errors: {why}"),
            )
        })
}

/// Checks version and credentials, then runs the operation the path and method name.
fn route(service: &MockService, parts: &Parts, target: &Target<'_>, call: &Call) -> GraphResult {
    if !target.versioned {
        return Err(GraphError::unknown_path(&format!(
            "{} (paths start with a Graph API version such as /v23.0/)",
            target.path
        )));
    }
    service
        .credentials
        .check(&parts.headers, |name| call.params.get(name))?;
    let method = &parts.method;
    let kind = |id: &str| call.state.lock().kind_of(id);
    match target.segments[1..] {
        [] => Err(GraphError::unknown_path("/")),
        [id] if id.starts_with("upload:") && *method == Method::POST => uploads::upload(call, id),
        [id] if id.starts_with("upload:") && *method == Method::GET => uploads::status(call, id),
        [id] if *method == Method::GET && kind(id) == Some(NodeKind::Waba) => {
            fleet::get_waba(call, id)
        }
        [id] if *method == Method::GET => number::get(call, id),
        [id] if *method == Method::POST => number::update(call, id),
        [id] => Err(GraphError::unsupported(method.as_str(), id)),
        [id, edge] => route_edge(call, method, id, edge),
        [id, "message_qrdls", code] if *method == Method::GET => qr::get(call, id, code),
        [id, "message_qrdls", code] if *method == Method::DELETE => qr::delete(call, id, code),
        [_, _, ref rest @ ..] => Err(GraphError::unknown_path(&format!("/{}", rest.join("/")))),
    }
}

/// Edges of a node: the kind of node the ID names decides which edges exist.
fn route_edge(call: &Call, method: &Method, id: &str, edge: &str) -> GraphResult {
    let kind = call.state.lock().kind_of(id);
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    let delete = *method == Method::DELETE;
    if edge == "uploads" && post && id == fleet::MOCK_APP_ID {
        return uploads::start(call, id);
    }
    match (kind, edge) {
        (None, _) => Err(GraphError::unsupported(method.as_str(), id)),
        (Some(NodeKind::Business), "owned_whatsapp_business_accounts") if get => {
            fleet::list_wabas(call, id, false)
        }
        (Some(NodeKind::Business), "client_whatsapp_business_accounts") if get => {
            fleet::list_wabas(call, id, true)
        }
        (Some(NodeKind::Waba), "subscribed_apps") if get => fleet::list_subscriptions(call, id),
        (Some(NodeKind::Waba), "subscribed_apps") if post => fleet::subscribe(call, id),
        (Some(NodeKind::Waba), "subscribed_apps") if delete => fleet::unsubscribe(call, id),
        (Some(NodeKind::Number), "official_business_account") if get => oba::get(call, id),
        (Some(NodeKind::Number), "official_business_account") if post => oba::request(call, id),
        (Some(NodeKind::Number), "message_qrdls") if get => qr::list(call, id),
        (Some(NodeKind::Number), "message_qrdls") if post => qr::save(call, id),
        (Some(NodeKind::Number), "conversational_automation") if post => automation::set(call, id),
        (Some(NodeKind::Waba), "phone_numbers") if get => list::list(call, id),
        (Some(NodeKind::Waba), "phone_numbers") if post => list::add(call, id),
        (Some(NodeKind::Number), "request_code") if post => registration::request_code(call, id),
        (Some(NodeKind::Number), "verify_code") if post => registration::verify_code(call, id),
        (Some(NodeKind::Number), "register") if post => registration::register(call, id),
        (Some(NodeKind::Number), "deregister") if post => registration::deregister(call, id),
        (Some(NodeKind::Number), "settings") if get => settings::get(call, id),
        (Some(NodeKind::Number), "settings") if post => settings::update(call, id),
        (Some(NodeKind::Number), "whatsapp_business_profile") if get => profile::get(call, id),
        (Some(NodeKind::Number), "whatsapp_business_profile") if post => profile::update(call, id),
        (
            Some(NodeKind::Business),
            "owned_whatsapp_business_accounts" | "client_whatsapp_business_accounts",
        )
        | (Some(NodeKind::Waba), "phone_numbers" | "subscribed_apps")
        | (
            Some(NodeKind::Number),
            "official_business_account" | "message_qrdls" | "conversational_automation",
        )
        | (
            Some(NodeKind::Number),
            "request_code"
            | "verify_code"
            | "register"
            | "deregister"
            | "settings"
            | "whatsapp_business_profile",
        ) => Err(GraphError::unsupported(method.as_str(), id)),
        _ => Err(GraphError::unknown_path(&format!("/{edge}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for ok in ["v23.0", "v24.0", "v1.0", "v100.12"] {
            assert!(is_version(ok), "{ok}");
        }
        for bad in [
            "foo", "23.0", "v23", "v23.", "v.0", "vx.0", "v23.0.1", "V23.0", "",
        ] {
            assert!(!is_version(bad), "{bad}");
        }
    }
}
