//! What a faulted request gets back (the queue itself lives in [`crate::faults`]).

use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::errors::GraphError;
use crate::faults::FaultKind;
use crate::headers::Meta;
use crate::rate_limits::Refusal;

/// The largest body a truncated answer is built from.
const MAX_TRUNCATED_BODY: usize = 16 * 1024 * 1024;

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Graph's usual message for an error code.
fn message_for(code: i64) -> String {
    match code {
        1 => "An unknown error occurred".to_owned(),
        2 => "An unexpected error has occurred. Please retry your request later.".to_owned(),
        4 => "(#4) Application request limit reached".to_owned(),
        17 => "(#17) User request limit reached".to_owned(),
        32 => "(#32) Page request limit reached".to_owned(),
        613 => "(#613) Calls to this api have exceeded the rate limit.".to_owned(),
        80007 => "(#80007) There have been too many calls to this WhatsApp Business account. \
                  Wait a bit and try again."
            .to_owned(),
        80008 => "(#80008) There have been too many calls to this WhatsApp Business account. \
                  Wait a bit and try again. For more info, please refer to \
                  https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
            .to_owned(),
        130429 => "(#130429) Rate limit hit".to_owned(),
        131056 => "(#131056) (Business Account, Consumer Account) pair rate limit hit".to_owned(),
        133016 => "(#133016) Account register deregister rate limit exceeded".to_owned(),
        code => format!("(#{code}) Mock Graph error {code}"),
    }
}

/// An HTML error page such as a proxy in front of Graph sends.
fn html_page(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head>\n\
         <body><center><h1>{code} {reason}</h1></center>\n\
         <hr><center>proxygen</center></body></html>\n"
    );
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The answer to a request faulted with `kind`, or `None` for the kinds that change a
/// normal answer instead of replacing it (delay, truncation). Adjusts `meta` for the
/// usage headers a throttled answer carries.
pub(crate) fn answer(kind: &FaultKind, meta: &mut Meta) -> Option<Response> {
    let error = match kind {
        FaultKind::Delay { .. } | FaultKind::Truncated | FaultKind::BatchItemsNull { .. } => {
            return None;
        }
        FaultKind::Html { status: code } => return Some(html_page(status(*code))),
        FaultKind::RateLimited { retry_after_secs } => {
            meta.app_exhausted = true;
            GraphError::new(
                StatusCode::TOO_MANY_REQUESTS,
                4,
                "OAuthException",
                message_for(4),
            )
            .transient(true)
            .header(header::RETRY_AFTER, &retry_after_secs.to_string())
        }
        FaultKind::ServerError { status: code } => {
            let graph_code = if *code == 500 { 1 } else { 2 };
            GraphError::new(
                status(*code),
                graph_code,
                "OAuthException",
                message_for(graph_code),
            )
            .transient(true)
        }
        FaultKind::GraphError {
            status: code,
            code: graph_code,
            subcode,
            is_transient,
            message,
        } => {
            let message = message.clone().unwrap_or_else(|| message_for(*graph_code));
            let mut error = GraphError::new(status(*code), *graph_code, "OAuthException", message)
                .transient(*is_transient);
            if let Some(subcode) = subcode {
                error = error.subcode(*subcode);
            }
            error
        }
        FaultKind::UsageThrottled { regain_minutes } => {
            meta.regain_minutes = Some(*regain_minutes);
            GraphError::new(
                StatusCode::BAD_REQUEST,
                80008,
                "OAuthException",
                message_for(80008),
            )
            .transient(true)
        }
    };
    Some(error.into_response_with_trace(&meta.trace_id))
}

/// The answer to a call over a budget of the [rate-limit model](crate::RateLimits).
pub(crate) fn refused(refusal: Refusal, meta: &mut Meta) -> Response {
    let error = match refusal {
        Refusal::App => {
            meta.app_exhausted = true;
            GraphError::new(StatusCode::FORBIDDEN, 4, "OAuthException", message_for(4))
        }
        Refusal::Account { regain_minutes } => {
            meta.regain_minutes = Some(regain_minutes);
            GraphError::new(
                StatusCode::BAD_REQUEST,
                80008,
                "OAuthException",
                message_for(80008),
            )
        }
    };
    error
        .transient(true)
        .into_response_with_trace(&meta.trace_id)
}

/// `response` as `200 OK` with its body cut off halfway.
pub(crate) async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_TRUNCATED_BODY).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.status = StatusCode::OK;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    Response::from_parts(parts, Body::from(cut))
}
