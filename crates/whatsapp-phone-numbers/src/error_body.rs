//! Graph's error document (`{"error": {"code", "message", ...}}`) read into an [`Error`]:
//! each field on its own, however Graph spelled it, so that one oddly typed field never
//! loses the rest; any other error answer becomes an [`Error::Http`] with a short excerpt.

use std::time::Duration;

use whatsapp_phone_numbers_api::operation::RetryClass;

use crate::error::{ApiError, Error, HttpError};
use crate::meta::ResponseMeta;

/// Graph's error envelope: `{"error": {...}}`, each field read on its own, so that one
/// oddly typed field (a code as `"4"` or `4.0`, `is_transient` as `"true"`, a numeric
/// `fbtrace_id`, an object as the message) does not lose the rest.
#[derive(serde::Deserialize)]
struct Envelope {
    error: serde_json::Map<String, serde_json::Value>,
}

/// An integer however Graph spelled it: `4`, `"4"`, `4.0`.
fn integer(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => {
            let s = s.trim();
            s.parse().ok().or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

/// Text however Graph sent it: a string as is, a number or boolean as written, anything
/// else as compact JSON.
fn text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A boolean however Graph sent it: `true`, `"true"`, `1`.
fn boolean(value: &serde_json::Value) -> Option<bool> {
    match value {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        serde_json::Value::Number(n) => n.as_i64().map(|i| i != 0),
        _ => None,
    }
}

/// The error an error answer stands for, parsing its body once: [`Error::Api`] for a Graph
/// error document, [`Error::Http`] for anything else (its excerpt through `redact`; Graph's
/// texts are left to the caller, who redacts them once no retry will read them).
pub(crate) fn from_error_body(
    meta: ResponseMeta,
    body: &[u8],
    content_type: Option<String>,
    retry_after: Option<Duration>,
    class: RetryClass,
    redact: impl Fn(String) -> String,
) -> Error {
    let status = meta.status();
    if let Ok(Envelope { error: d }) = serde_json::from_slice::<Envelope>(body)
        && let Some(code) = d.get("code").and_then(integer)
    {
        let field = |name: &str| d.get(name).and_then(text);
        let details = d.get("error_data").and_then(|data| match data {
            serde_json::Value::Object(o) => o.get("details").and_then(text),
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        });
        return Error::Api(Box::new(ApiError {
            status,
            code,
            subcode: d.get("error_subcode").and_then(integer),
            error_type: field("type"),
            message: field("message").unwrap_or_default(),
            user_title: field("error_user_title"),
            user_message: field("error_user_msg"),
            fbtrace_id: field("fbtrace_id"),
            is_transient: d.get("is_transient").and_then(boolean),
            details,
            retry_after,
            meta,
            class,
        }));
    }
    Error::Http(Box::new(HttpError {
        status,
        content_type,
        body_excerpt: body_excerpt(body, redact),
        retry_after,
        meta,
        class,
    }))
}

/// The first 200 characters of a body, lossily decoded, secrets taken out by `redact`
/// before the cut (a secret the cut went through would no longer be found whole).
pub(crate) fn body_excerpt(body: &[u8], redact: impl Fn(String) -> String) -> String {
    const MAX: usize = 200;
    // Wide enough that a secret beginning inside the excerpt ends inside the text
    // searched.
    const SEARCHED: usize = 8 << 10;
    let text = redact(String::from_utf8_lossy(&body[..body.len().min(SEARCHED)]).into_owned());
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().count() > MAX || body.len() > SEARCHED {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_odd_field_does_not_lose_the_error() {
        let error = from_error_body(
            ResponseMeta::default(),
            br#"{"error":{"message":{"text":"slow down"},"type":"OAuthException","code":4.0,"is_transient":"true","fbtrace_id":12345,"error_subcode":"2446079"}}"#,
            None,
            None,
            RetryClass::Safe,
            |text| text,
        );
        let api = error.api().expect("still a Graph error");
        assert_eq!(api.code, 4);
        assert_eq!(api.subcode, Some(2446079));
        assert_eq!(api.is_transient, Some(true));
        assert_eq!(api.fbtrace_id.as_deref(), Some("12345"));
        assert!(api.message.contains("slow down"));
        assert!(error.is_throttling() && error.is_retryable());
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(body_excerpt(b"<html>", |text| text), "<html>");
        let long = "x".repeat(1000);
        assert_eq!(
            body_excerpt(long.as_bytes(), |text| text).chars().count(),
            201
        );
    }
}
