//! Mock-only endpoints under `/__mock/`: read a verification code, queue faults, read the
//! request log. They need no access token and are not logged or faulted.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::apps::AppListing;
use crate::errors::{GraphError, ok_json};
use crate::faults::{Fault, FaultKind};
use crate::ids;
use crate::service::MockService;

fn error(error: GraphError) -> Response {
    error.into_response_with_trace(&ids::trace_id())
}

/// `GET /__mock/verification_code/{phone-number-id}`: `{"code": "123456"}`.
pub(crate) async fn verification_code(
    State(service): State<MockService>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else {
        return error(GraphError::invalid_param("Invalid phone number ID"));
    };
    match service.state.verification_code(&id) {
        Some(code) => ok_json(&json!({ "code": code })),
        None => error(GraphError::new(
            StatusCode::NOT_FOUND,
            100,
            "GraphMethodException",
            format!("No verification code has been sent to phone number '{id}'"),
        )),
    }
}

/// Statuses a fault may answer with.
fn check_status(fault: &Fault) -> Result<(), GraphError> {
    let status = match &fault.kind {
        FaultKind::ServerError { status }
        | FaultKind::Html { status }
        | FaultKind::GraphError { status, .. } => *status,
        _ => return Ok(()),
    };
    if (100..=599).contains(&status) {
        Ok(())
    } else {
        Err(GraphError::invalid_param(format!(
            "Fault status {status} is not an HTTP status (100 to 599)"
        )))
    }
}

/// `POST /__mock/faults`: queues one fault (a JSON object) or several (a JSON array).
pub(crate) async fn push_faults(State(service): State<MockService>, body: Bytes) -> Response {
    let parsed: Result<Vec<Fault>, serde_json::Error> = serde_json::from_slice::<Value>(&body)
        .and_then(|value| match value {
            Value::Array(_) => serde_json::from_value(value),
            other => serde_json::from_value(other).map(|fault| vec![fault]),
        });
    let faults = match parsed {
        Ok(faults) => faults,
        Err(e) => {
            return error(GraphError::invalid_param(format!(
                "Invalid fault: {e}. Expected {{\"kind\": \"rate_limited\" | \"server_error\" | \
                 \"html\" | \"delay\" | \"truncated\" | \"graph_error\" | \"usage_throttled\", \
                 ...}}"
            )));
        }
    };
    if let Err(e) = faults.iter().try_for_each(check_status) {
        return error(e);
    }
    let queued = faults.len();
    for fault in faults {
        service.faults.push(fault);
    }
    ok_json(&json!({ "queued": queued, "pending": service.faults.pending().len() }))
}

/// `GET /__mock/faults`: the queued faults and how many requests were faulted.
pub(crate) async fn list_faults(State(service): State<MockService>) -> Response {
    ok_json(&json!({
        "pending": service.faults.pending(),
        "triggered": service.faults.triggered(),
    }))
}

/// `DELETE /__mock/faults`: drops the queued faults.
pub(crate) async fn clear_faults(State(service): State<MockService>) -> Response {
    ok_json(&json!({ "cleared": service.faults.clear() }))
}

/// `GET /__mock/requests`: the Graph requests in the (bounded) log, oldest first, as
/// `{"count", "total", "data"}`: `count` is how many the log holds, `total` how many were
/// received (the log keeps only the most recent ones).
pub(crate) async fn requests(State(service): State<MockService>) -> Response {
    let requests = service.state.requests();
    let total = service.state.request_count();
    let data: Vec<Value> = requests
        .iter()
        .map(|r| json!({ "method": r.method, "path": r.path, "query": r.query }))
        .collect();
    ok_json(&json!({ "count": data.len(), "total": total, "data": data }))
}

/// `POST /__mock/events`: makes a [`MockEvent`](crate::MockEvent) happen; answers
/// `{"queued": N}`, the webhook deliveries it started.
pub(crate) async fn push_event(State(service): State<MockService>, body: Bytes) -> Response {
    let event: crate::MockEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => {
            return error(GraphError::invalid_param(format!(
                "Invalid event: {e}. Expected {{\"kind\": \"name_review\" | \"quality\" | \
                 \"messaging_limit\" | \"status\" | \"ban\" | \"restriction\" | \"violation\" | \
                 \"security\" | \"official_business_account_decision\" | \
                 \"limit_increase_alert\" | \"raw\", ...}}"
            )));
        }
    };
    match service.state.apply(event) {
        Ok(queued) => ok_json(&json!({ "queued": queued })),
        Err(why) => error(GraphError::invalid_param(why)),
    }
}

/// `GET /__mock/apps`: `{"data": [{"id", "name"}]}`, the apps the mock knows, in ID order
/// (never a secret or a token).
pub(crate) async fn apps(State(service): State<MockService>) -> Response {
    let data: Vec<AppListing> = service
        .state
        .apps()
        .iter()
        .map(|app| AppListing {
            id: app.id().to_owned(),
            name: app.name().to_owned(),
        })
        .collect();
    ok_json(&json!({ "data": data }))
}

/// `GET /__mock/webhooks`: `{"data": [...]}`, the finished webhook deliveries, oldest first.
pub(crate) async fn deliveries(State(service): State<MockService>) -> Response {
    ok_json(&json!({ "data": service.state.deliveries() }))
}

/// `GET /__mock/changes`: the change log, a JSON array of every change made to a number's
/// quality rating, messaging limit or status, oldest first (see
/// [`MockChange`](crate::MockChange)).
pub(crate) async fn changes(State(service): State<MockService>) -> Response {
    ok_json(&service.state.changes())
}
