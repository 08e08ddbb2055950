//! Fault injection: make the next requests fail the ways Graph (or the network in front of
//! it) fails, to test a client's retries and error handling.
//!
//! Faults wait in a queue. Each request takes the first queued fault whose path filter
//! matches it; the fault applies to its next `times` matching requests and then leaves the
//! queue. Faulted requests are still logged and counted by [`MockState`](crate::MockState).
//!
//! ```
//! use std::time::Duration;
//! use whatsapp_phone_numbers_mock::{Fault, Faults};
//!
//! let faults = Faults::default();
//! faults.rate_limited(30); // the next request answers 429
//! faults.push(Fault::server_error(503).times(2).on_path("/register"));
//! faults.push(Fault::delay(Duration::from_millis(50)));
//! assert_eq!(faults.pending().len(), 3);
//! ```
//!
//! The same faults can be queued over HTTP with `POST /__mock/faults`, whose body is a
//! [`Fault`] (or an array of them) as JSON, for example
//! `{"kind": "rate_limited", "retry_after_secs": 30, "times": 2, "path_contains": "/register"}`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What a fault does to a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 429 with `Retry-After` and Graph error code 4 ("Application request limit
    /// reached", `is_transient: true`).
    RateLimited {
        /// Seconds sent in `Retry-After`.
        retry_after_secs: u64,
    },
    /// A 5xx answer with a Graph JSON error (code 1 for 500, code 2 otherwise;
    /// `is_transient: true`).
    ServerError {
        /// HTTP status, normally 500 to 599.
        status: u16,
    },
    /// An HTML error page with `Content-Type: text/html`, as a proxy in front of Graph
    /// sends.
    Html {
        /// HTTP status, such as 502.
        status: u16,
    },
    /// Waits, then answers normally.
    Delay {
        /// How long to wait, in milliseconds.
        millis: u64,
    },
    /// Answers `200 OK` with the normal JSON body cut off midway (valid HTTP, invalid JSON).
    Truncated,
    /// Any Graph error, such as 80007 (account rate limit) or 133016 (registration
    /// throttled).
    GraphError {
        /// HTTP status, such as 400.
        status: u16,
        /// Graph error code.
        code: i64,
        /// Graph error subcode, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subcode: Option<i64>,
        /// The `is_transient` flag.
        #[serde(default)]
        is_transient: bool,
        /// The message; a generic `(#code) ...` message when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// A business-use-case throttle: Graph error 80008 (HTTP 400, `is_transient: true`) with
    /// `x-business-use-case-usage` at 100% and `estimated_time_to_regain_access` set.
    UsageThrottled {
        /// Minutes until access returns (`estimated_time_to_regain_access`).
        regain_minutes: u64,
    },
    /// A batch request (`POST /` with `batch=[...]`) that Graph could not finish in time:
    /// the items at these positions (from 0) are answered `null`, unprocessed, as Meta's
    /// batch guide describes a partially completed batch. Only batch calls take it.
    BatchItemsNull {
        /// The positions of the items answered `null`.
        items: Vec<usize>,
    },
}

fn one() -> u32 {
    1
}

/// A queued fault: what it does, how many requests it applies to and which paths.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What the fault does.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many matching requests it applies to (at least 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Only requests whose path contains this text match; every request when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_contains: Option<String>,
}

impl Fault {
    /// A fault of `kind` for the next request on any path.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            times: 1,
            path_contains: None,
        }
    }

    /// HTTP 429 with `Retry-After: retry_after_secs` and Graph error code 4.
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(FaultKind::RateLimited { retry_after_secs })
    }

    /// A 5xx answer with a transient Graph JSON error.
    pub fn server_error(status: u16) -> Self {
        Self::new(FaultKind::ServerError { status })
    }

    /// An HTML error page with HTTP `status`.
    pub fn html(status: u16) -> Self {
        Self::new(FaultKind::Html { status })
    }

    /// Waits `delay`, then answers normally.
    pub fn delay(delay: Duration) -> Self {
        Self::new(FaultKind::Delay {
            millis: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// A `200 OK` whose JSON body is cut off midway.
    pub fn truncated() -> Self {
        Self::new(FaultKind::Truncated)
    }

    /// Graph error `code` (with `subcode`) and HTTP `http_status`.
    pub fn graph_error(
        http_status: u16,
        code: i64,
        subcode: Option<i64>,
        is_transient: bool,
    ) -> Self {
        Self::new(FaultKind::GraphError {
            status: http_status,
            code,
            subcode,
            is_transient,
            message: None,
        })
    }

    /// A business-use-case throttle whose access returns in `regain_minutes`.
    pub fn usage_throttled(regain_minutes: u64) -> Self {
        Self::new(FaultKind::UsageThrottled { regain_minutes })
    }

    /// A batch call whose items at `items` (positions from 0) come back `null`.
    pub fn batch_items_null(items: impl IntoIterator<Item = usize>) -> Self {
        Self::new(FaultKind::BatchItemsNull {
            items: items.into_iter().collect(),
        })
    }

    /// Applies to the next `times` matching requests (at least 1).
    pub fn times(mut self, times: u32) -> Self {
        self.times = times.max(1);
        self
    }

    /// Only requests whose path contains `fragment` match (such as `"/register"`).
    pub fn on_path(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    fn matches(&self, path: &str) -> bool {
        self.path_contains
            .as_deref()
            .is_none_or(|fragment| path.contains(fragment))
    }
}

/// The fault queue of a mock server; cloneable, every clone shares the queue.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    queue: Arc<Mutex<VecDeque<Fault>>>,
    triggered: Arc<AtomicU64>,
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, VecDeque<Fault>> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `fault`.
    pub fn push(&self, mut fault: Fault) {
        fault.times = fault.times.max(1);
        self.lock().push_back(fault);
    }

    /// Queues a one-shot [`Fault::rate_limited`] for any path.
    pub fn rate_limited(&self, retry_after_secs: u64) {
        self.push(Fault::rate_limited(retry_after_secs));
    }

    /// Queues a one-shot [`Fault::server_error`] for any path.
    pub fn server_error(&self, status: u16) {
        self.push(Fault::server_error(status));
    }

    /// Queues a one-shot [`Fault::html`] for any path.
    pub fn html(&self, status: u16) {
        self.push(Fault::html(status));
    }

    /// Queues a one-shot [`Fault::delay`] for any path.
    pub fn delay(&self, delay: Duration) {
        self.push(Fault::delay(delay));
    }

    /// Queues a one-shot [`Fault::truncated`] for any path.
    pub fn truncated(&self) {
        self.push(Fault::truncated());
    }

    /// Queues a one-shot [`Fault::graph_error`] for any path.
    pub fn graph_error(
        &self,
        http_status: u16,
        code: i64,
        subcode: Option<i64>,
        is_transient: bool,
    ) {
        self.push(Fault::graph_error(http_status, code, subcode, is_transient));
    }

    /// Queues a one-shot [`Fault::usage_throttled`] for any path.
    pub fn usage_throttled(&self, regain_minutes: u64) {
        self.push(Fault::usage_throttled(regain_minutes));
    }

    /// The faults still queued, first to apply first.
    pub fn pending(&self) -> Vec<Fault> {
        self.lock().iter().cloned().collect()
    }

    /// Drops every queued fault and returns how many there were.
    pub fn clear(&self) -> usize {
        let mut queue = self.lock();
        let n = queue.len();
        queue.clear();
        n
    }

    /// How many requests have been faulted so far.
    pub fn triggered(&self) -> u64 {
        self.triggered.load(Ordering::Relaxed)
    }

    /// Takes one use of the first queued fault matching `path`.
    pub(crate) fn take(&self, path: &str) -> Option<FaultKind> {
        self.take_where(|f| !matches!(f.kind, FaultKind::BatchItemsNull { .. }) && f.matches(path))
    }

    /// Takes one use of the first queued [`FaultKind::BatchItemsNull`].
    pub(crate) fn take_batch(&self) -> Option<Vec<usize>> {
        match self.take_where(|f| matches!(f.kind, FaultKind::BatchItemsNull { .. }))? {
            FaultKind::BatchItemsNull { items } => Some(items),
            _ => None,
        }
    }

    fn take_where(&self, pick: impl Fn(&Fault) -> bool) -> Option<FaultKind> {
        let mut queue = self.lock();
        let index = queue.iter().position(pick)?;
        let fault = &mut queue[index];
        let kind = fault.kind.clone();
        fault.times = fault.times.saturating_sub(1);
        if fault.times == 0 {
            queue.remove(index);
        }
        self.triggered.fetch_add(1, Ordering::Relaxed);
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_apply_in_order_to_matching_paths() {
        let faults = Faults::default();
        faults.push(Fault::server_error(503).times(2).on_path("/register"));
        faults.truncated();
        assert_eq!(
            faults.take("/v23.0/1/register"),
            Some(FaultKind::ServerError { status: 503 })
        );
        assert_eq!(faults.take("/v23.0/1"), Some(FaultKind::Truncated));
        assert_eq!(faults.take("/v23.0/1"), None);
        assert_eq!(
            faults.take("/v23.0/1/register"),
            Some(FaultKind::ServerError { status: 503 })
        );
        assert_eq!(faults.take("/v23.0/1/register"), None);
        assert_eq!(faults.triggered(), 3);
    }

    #[test]
    fn faults_read_from_json() {
        let f: Fault = serde_json::from_str(
            r#"{"kind":"graph_error","status":400,"code":133016,"path_contains":"/register"}"#,
        )
        .unwrap();
        assert_eq!(f.times, 1);
        assert_eq!(
            f.kind,
            FaultKind::GraphError {
                status: 400,
                code: 133016,
                subcode: None,
                is_transient: false,
                message: None
            }
        );
        let f: Fault = serde_json::from_str(r#"{"kind":"truncated","times":3}"#).unwrap();
        assert_eq!(f, Fault::truncated().times(3));
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"nope"}"#).is_err());
        let back = serde_json::to_value(Fault::delay(Duration::from_millis(5))).unwrap();
        assert_eq!(back["kind"], "delay");
        assert_eq!(back["millis"], 5);
    }
}
