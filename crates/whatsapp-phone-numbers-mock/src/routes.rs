//! The router: mock-only endpoints under `/__mock/`, and every other path through the Graph
//! pipeline (log → rate limits → fault → version table → operation → credentials → query
//! and body checked against the table → callback verification → handler → Graph headers).

use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Method as AxumMethod, header};
use axum::response::Response;
use axum::routing::get;
use whatsapp_phone_numbers_api::operation::{Auth, Method, Operation, ParamKind, VersionTable};

use crate::auth::authenticate;
use crate::errors::{GraphError, GraphResult};
use crate::faults::FaultKind;
use crate::handlers::{self, Call, Callback, mock};
use crate::headers::{self, Meta};
use crate::params::Params;
use crate::service::MockService;
use crate::table::{self, Matched};
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
        .route("/__mock/changes", get(mock::changes))
        .route("/__mock/apps", get(mock::apps))
        .fallback(graph)
        .with_state(service)
}

/// Every Graph request.
async fn graph(State(service): State<MockService>, request: Request) -> Response {
    if crate::batch::is_batch(
        request.method(),
        &request
            .uri()
            .path()
            .trim_start_matches('/')
            .trim_end_matches('/')
            .split('/')
            .collect::<Vec<_>>(),
    ) {
        return crate::batch::answer(service, request, run_boxed).await;
    }
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let segments: Vec<&str> = path
        .trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
        .collect();
    let version = segments
        .first()
        .copied()
        .and_then(|v| table::parse_version(v).map(|n| (v, n)));
    let node_id = version.and(segments.get(1).copied());
    let credential = crate::auth::presented_token(&parts.headers, &query)
        .map(|token| crate::request_log::token_fingerprint(&token));
    let usage =
        service
            .state
            .record_request(parts.method.as_str(), &path, &query, node_id, credential);
    // A modelled round trip: the answer waits, whatever it will be.
    let latency = service.state.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let served = version.and_then(|(_, number)| table::for_version(number));
    let mut meta = Meta {
        version: match (version, served) {
            // A retired version is served, and named, as the oldest one.
            (Some(_), Some((table, true))) => table.name.to_owned(),
            (Some((v, _)), _) => v.to_owned(),
            (None, _) => DEFAULT_VERSION.to_owned(),
        },
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
                table: served.map(|(table, _)| table),
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

/// [`graph`], boxed: how a batch runs each of its items (a batch inside a batch item would
/// recurse, so the future has a fixed size).
fn run_boxed(
    service: MockService,
    request: Request,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> {
    Box::pin(graph(State(service), request))
}

/// Where a request goes.
struct Target<'a> {
    path: &'a str,
    segments: &'a [&'a str],
    /// The version table that answers it (`None`: the path names no version).
    table: Option<&'static VersionTable>,
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
    let request = Incoming {
        parts,
        params: &params,
        body: &bytes,
        host,
        version: &meta.version,
    };
    match run(service, &request, target).await {
        Ok(response) => response,
        Err(error) => error.into_response_with_trace(&meta.trace_id),
    }
}

/// What a request brought.
struct Incoming<'a> {
    parts: &'a Parts,
    params: &'a Params,
    body: &'a [u8],
    host: &'a str,
    /// The version segment of the answer (`v23.0`).
    version: &'a str,
}

/// Finds the operation in the version's table, checks credentials, query parameters and
/// the body against it, verifies a callback the operation registers, and runs its handler.
async fn run(service: &MockService, request: &Incoming<'_>, target: &Target<'_>) -> GraphResult {
    let Some(table) = target.table else {
        return Err(GraphError::unknown_path(&format!(
            "{} (paths start with a Graph API version such as /v23.0/)",
            target.path
        )));
    };
    let parts = request.parts;
    let params = request.params;
    let state = &service.state;
    let method = match parts.method {
        AxumMethod::GET => Some(Method::Get),
        AxumMethod::POST => Some(Method::Post),
        AxumMethod::DELETE => Some(Method::Delete),
        _ => None,
    };
    let segments = &target.segments[1..];
    let routed = match method {
        Some(method) => table::route(table, method, segments, |id| state.lock().kind_of(id)),
        None => Err(GraphError::unsupported(
            parts.method.as_str(),
            segments.first().copied().unwrap_or("/"),
        )),
    };
    let node = segments.first().copied();
    // Credentials come first, as on Graph: a request without a valid token hears about
    // the token whatever its path.
    let auth = routed.as_ref().map_or(Auth::User, |m| m.op.auth);
    let caller = {
        let inner = state.lock();
        authenticate(
            &inner.apps,
            auth,
            node,
            parts.method.as_str(),
            &parts.headers,
            |name| params.get(name),
        )
    };
    let matched = match (routed, caller) {
        (_, Err(error)) => return Err(error),
        (Err(error), _) => return Err(error),
        (Ok(matched), Ok(caller)) => (matched, caller),
    };
    let (Matched { op, ids }, caller) = matched;
    check_query(op, params)?;
    let checked = match op.request {
        Some(_) => Some(params.checked_body(table, op)?),
        None => None,
    };
    let handler = handlers::handler_of(op.id)
        .ok_or_else(|| GraphError::unsupported(op.method.as_str(), node.unwrap_or("/")))?;
    let call = Call {
        state,
        op,
        ids: &ids,
        params,
        checked: checked.as_ref(),
        version: request.version,
        host: request.host,
        body: request.body,
        headers: &parts.headers,
        caller: &caller,
    };
    if let Some(callback) = handler.callback
        && let Some(callback) = callback(&call)?
    {
        verify(&callback).await?;
    }
    (handler.run)(&call)
}

/// Checks the operation's declared query parameters (also found in a form body, as Graph
/// reads them): present when required, of their declared type. Parameters the operation
/// does not declare are ignored on reads (no source says Graph refuses them); on writes
/// they join the body and are checked with it.
fn check_query(op: &Operation, params: &Params) -> Result<(), GraphError> {
    for param in op.query {
        let Some(value) = params.get(param.name) else {
            if param.required {
                return Err(GraphError::invalid_param(format!(
                    "The parameter {} is required",
                    param.name
                )));
            }
            continue;
        };
        let fits = match param.kind {
            ParamKind::Text => true,
            ParamKind::Integer => {
                let digits = value.trim();
                let digits = digits.strip_prefix('-').unwrap_or(digits);
                // Empty means absent; the size is the handler's to judge.
                value.trim().is_empty()
                    || (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            }
            ParamKind::Boolean => matches!(value.as_str(), "true" | "false"),
            ParamKind::Json => {
                value.trim().is_empty() || serde_json::from_str::<serde_json::Value>(&value).is_ok()
            }
        };
        if !fits {
            let what = match param.kind {
                ParamKind::Integer => "a number",
                ParamKind::Boolean => "a boolean",
                _ => "JSON",
            };
            return Err(GraphError::invalid_param(format!(
                "Param {} must be {what}",
                param.name
            )));
        }
    }
    Ok(())
}

/// Graph's verification request to a callback an operation registers: only loopback
/// `http://` callbacks are called (an `https://` one is taken as Graph would take it once
/// verified); error 2200 when the callback does not echo the challenge.
async fn verify(callback: &Callback) -> Result<(), GraphError> {
    if !crate::webhooks::is_local_http(&callback.url) {
        return Ok(());
    }
    crate::webhooks::verify_callback(&callback.url, &callback.verify_token)
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
