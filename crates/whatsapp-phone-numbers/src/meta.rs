//! What every response carries besides its body: request IDs, the API version Graph served,
//! and rate-limit usage.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use http::{HeaderMap, HeaderName};

/// The headers read from every answer, as names (a lookup by `&str` parses the name first).
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-fb-request-id");
pub(crate) const TRACE_ID: HeaderName = HeaderName::from_static("x-fb-trace-id");
pub(crate) const API_VERSION: HeaderName = HeaderName::from_static("facebook-api-version");
pub(crate) const BUSINESS_USE_CASE_USAGE: HeaderName =
    HeaderName::from_static("x-business-use-case-usage");
pub(crate) const APP_USAGE: HeaderName = HeaderName::from_static("x-app-usage");

/// A decoded response body together with its [`ResponseMeta`].
///
/// Derefs to the body, so `response.status` reads the body's field.
///
/// The body is kept on the heap: a response passes through several layers on its way out
/// of a call, and a node such as a phone number is large (close to a kilobyte), so each
/// layer moves a pointer instead of copying the body.
#[derive(Clone, Debug, PartialEq)]
pub struct Response<T> {
    value: Box<T>,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Self {
            value: Box::new(value),
            meta,
        }
    }

    /// Headers and usage of the answer.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The body, without metadata.
    pub fn into_inner(self) -> T {
        *self.value
    }

    /// The body and the metadata.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (*self.value, self.meta)
    }

    /// Applies `f` to the body, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response::new(f(*self.value), self.meta)
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// Metadata of one answer from Graph.
///
/// The answer's headers are kept as received (moved, not copied or looked up) and read on
/// access: the usage headers are parsed only when asked for.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ResponseMeta {
    status: u16,
    attempts: u32,
    headers: HeaderMap,
    pub(crate) body_len: usize,
}

/// The headers this type reads, and nothing else: a server may echo a credential in a
/// header of its own, which must not reach a log through `{:?}`.
impl std::fmt::Debug for ResponseMeta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("attempts", &self.attempts)
            .field("request_id", &self.headers.get(REQUEST_ID))
            .field("trace_id", &self.headers.get(TRACE_ID))
            .field("api_version", &self.headers.get(API_VERSION))
            .field(
                "business_use_case_usage",
                &self.headers.get(BUSINESS_USE_CASE_USAGE),
            )
            .field("app_usage", &self.headers.get(APP_USAGE))
            .field("body_len", &self.body_len)
            .finish()
    }
}

impl ResponseMeta {
    pub(crate) fn from_headers(status: u16, headers: HeaderMap, attempts: u32) -> Self {
        Self {
            status,
            attempts,
            headers,
            body_len: 0,
        }
    }

    /// The answer's headers, as received.
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The size of the answer's body as received, in bytes (for a batch item, its own
    /// body's).
    pub fn body_len(&self) -> usize {
        self.body_len
    }

    fn text(&self, name: &HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// HTTP status of the final answer.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// How many times the request was sent (1 when it was not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// `x-fb-request-id`: quote it to Meta support.
    pub fn request_id(&self) -> Option<&str> {
        self.text(&REQUEST_ID)
    }

    /// `x-fb-trace-id`.
    pub fn trace_id(&self) -> Option<&str> {
        self.text(&TRACE_ID)
    }

    /// `facebook-api-version`: the Graph API version that served the call.
    pub fn api_version(&self) -> Option<&str> {
        self.text(&API_VERSION)
    }

    /// `X-Business-Use-Case-Usage`, parsed: one entry per business and use case.
    pub fn business_use_case_usage(&self) -> Vec<BusinessUseCaseUsage> {
        self.text(&BUSINESS_USE_CASE_USAGE)
            .map(BusinessUseCaseUsage::parse)
            .unwrap_or_default()
    }

    /// `X-App-Usage`, parsed.
    pub fn app_usage(&self) -> Option<AppUsage> {
        self.text(&APP_USAGE).and_then(AppUsage::parse)
    }

    /// The longest `estimated_time_to_regain_access` across business use cases, when Graph
    /// says a use case is blocked.
    pub fn regain_access_in(&self) -> Option<Duration> {
        self.business_use_case_usage()
            .iter()
            .filter_map(|u| u.estimated_time_to_regain_access)
            .filter(|d| !d.is_zero())
            .max()
    }
}

/// One entry of `X-Business-Use-Case-Usage`.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct BusinessUseCaseUsage {
    /// The business (WABA) the usage is counted against.
    pub business_id: String,
    /// The use case, such as `whatsapp_business_management`.
    pub use_case: String,
    /// Percentage of the call-count budget used.
    pub call_count: Option<f64>,
    /// Percentage of the CPU-time budget used.
    pub total_cputime: Option<f64>,
    /// Percentage of the total-time budget used.
    pub total_time: Option<f64>,
    /// How long until calls are accepted again, when throttled (Graph reports minutes).
    pub estimated_time_to_regain_access: Option<Duration>,
}

impl BusinessUseCaseUsage {
    /// Parses the header value, businesses in the order Graph lists them; anything
    /// unreadable is skipped, never an error.
    pub fn parse(value: &str) -> Vec<Self> {
        let Ok(Members(members)) = serde_json::from_str(value) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (business_id, entries) in members {
            for entry in entries.as_array().into_iter().flatten() {
                let number = |key: &str| entry.get(key).and_then(as_f64);
                out.push(Self {
                    business_id: business_id.clone(),
                    use_case: entry
                        .get("type")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    call_count: number("call_count"),
                    total_cputime: number("total_cputime"),
                    total_time: number("total_time"),
                    estimated_time_to_regain_access: number("estimated_time_to_regain_access")
                        .filter(|m| m.is_finite() && *m >= 0.0)
                        .map(|minutes| Duration::from_secs_f64(minutes.min(1e6) * 60.0)),
                });
            }
        }
        out
    }
}

/// `X-App-Usage`: percentages of the app's rate-limit budget used.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AppUsage {
    /// Percentage of calls used.
    pub call_count: Option<f64>,
    /// Percentage of CPU time used.
    pub total_cputime: Option<f64>,
    /// Percentage of total time used.
    pub total_time: Option<f64>,
}

impl AppUsage {
    /// Parses the header value; `None` when it is not a JSON object.
    pub fn parse(value: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(value).ok()?;
        let object = value.as_object()?;
        let number = |key: &str| object.get(key).and_then(as_f64);
        Some(Self {
            call_count: number("call_count"),
            total_cputime: number("total_cputime"),
            total_time: number("total_time"),
        })
    }
}

/// A JSON object's members in the order they came (`serde_json::Map` sorts its keys).
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

fn as_f64(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_headers_parse_leniently() {
        let usage = BusinessUseCaseUsage::parse(
            r#"{"102290129340398":[{"type":"whatsapp_business_management","call_count":"12","total_cputime":1,"total_time":2,"estimated_time_to_regain_access":3}],"x":"junk"}"#,
        );
        assert_eq!(usage.len(), 1);
        assert_eq!(usage[0].business_id, "102290129340398");
        assert_eq!(usage[0].call_count, Some(12.0));
        assert_eq!(
            usage[0].estimated_time_to_regain_access,
            Some(Duration::from_secs(180))
        );
        assert!(BusinessUseCaseUsage::parse("not json").is_empty());
        assert!(BusinessUseCaseUsage::parse("[1]").is_empty());
        // Graph's order, not sorted.
        let ids: Vec<String> = BusinessUseCaseUsage::parse(r#"{"9":[{}],"1":[{}]}"#)
            .into_iter()
            .map(|u| u.business_id)
            .collect();
        assert_eq!(ids, ["9", "1"]);
        let app = AppUsage::parse(r#"{"call_count":5,"total_cputime":1,"total_time":7}"#).unwrap();
        assert_eq!(app.total_time, Some(7.0));
        assert!(AppUsage::parse("[]").is_none());
    }

    #[test]
    fn metadata_reads_the_headers_it_keeps_and_debug_shows_only_those() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, "req-1".parse().unwrap());
        headers.insert(API_VERSION, "v24.0".parse().unwrap());
        headers.insert(
            APP_USAGE,
            r#"{"call_count":5,"total_cputime":1,"total_time":7}"#
                .parse()
                .unwrap(),
        );
        // A header of the server's own that echoes the caller's credential.
        headers.insert("x-echo", "Bearer EAAB-secret-token".parse().unwrap());
        let meta = ResponseMeta::from_headers(200, headers, 2);
        assert_eq!(meta.request_id(), Some("req-1"));
        assert_eq!(meta.api_version(), Some("v24.0"));
        assert_eq!(meta.trace_id(), None);
        assert_eq!(meta.app_usage().and_then(|u| u.call_count), Some(5.0));
        assert_eq!((meta.status(), meta.attempts()), (200, 2));
        let debug = format!("{meta:?}");
        assert!(
            debug.contains("req-1") && debug.contains("v24.0"),
            "{debug}"
        );
        assert!(!debug.contains("secret"), "{debug}");
    }
}
