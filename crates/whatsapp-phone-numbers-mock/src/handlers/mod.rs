//! The Graph operations, one module per group of the specification, plus the mock-only
//! endpoints.
//!
//! Graph handlers are plain functions of a [`Call`]: they take the state lock, never await,
//! and answer with a response built from the generated types or a Graph error.

pub(crate) mod automation;
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

use std::fmt::Display;

use crate::errors::GraphError;
use crate::params::Params;
use crate::state::{MockState, NumberRecord};

/// One Graph request, as the handlers see it.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a MockState,
    pub(crate) params: &'a Params,
    /// The version segment of the path, such as `v23.0`.
    pub(crate) version: &'a str,
    /// The request's `Host`, for the URLs in `paging`.
    pub(crate) host: &'a str,
    /// The raw request body (uploads take bytes).
    pub(crate) body: &'a [u8],
    /// The request headers.
    pub(crate) headers: &'a axum::http::HeaderMap,
}

impl Call<'_> {
    /// The text of header `name`, when present.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Runs `change` on number `id`'s record, or answers Graph's unsupported-request error.
pub(crate) fn with_number<T>(
    call: &Call,
    id: &str,
    change: impl FnOnce(&mut NumberRecord) -> Result<T, GraphError>,
) -> Result<T, GraphError> {
    let mut inner = call.state.lock();
    let record = inner
        .numbers
        .get_mut(id)
        .ok_or_else(|| GraphError::unsupported("post", id))?;
    change(record)
}

/// Answers Graph's unsupported-request error unless number `id` exists; checked before
/// a body is decoded, as Graph does.
pub(crate) fn exists(call: &Call, id: &str) -> Result<(), GraphError> {
    if call.state.lock().numbers.contains_key(id) {
        Ok(())
    } else {
        Err(GraphError::unsupported("post", id))
    }
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
