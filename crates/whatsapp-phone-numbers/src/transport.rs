//! The transport every generated-client request goes through: credentials, retries with
//! backoff, one tracing span per attempt, and capture of the final answer's metadata.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use tracing::Instrument;
use whatsapp_phone_numbers_api::transport::{Transport, TransportFuture};

use crate::core::{CallContext, CallState, CoreInner, Outcome, RetryClass, graph_error_code};
use crate::error::{NetworkError, REGISTRATION_THROTTLED, THROTTLING_CODES, retryable_status};
use crate::meta::ResponseMeta;

pub(crate) struct CallTransport {
    core: Arc<CoreInner>,
    ctx: CallContext,
    state: Arc<Mutex<CallState>>,
}

impl fmt::Debug for CallTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallTransport")
            .field("operation", &self.ctx.operation)
            .finish_non_exhaustive()
    }
}

impl Transport for CallTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        _operation_id: &'static str,
    ) -> TransportFuture<'a> {
        Box::pin(self.send(client, request))
    }
}

/// What to do after a failed attempt.
enum Next {
    Retry(Duration),
    Stop,
}

impl CallTransport {
    pub(crate) fn new(
        core: Arc<CoreInner>,
        ctx: CallContext,
        state: Arc<Mutex<CallState>>,
    ) -> Self {
        Self { core, ctx, state }
    }

    fn record(&self, meta: Option<ResponseMeta>, last: Option<Outcome>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if meta.is_some() {
            state.meta = meta;
        }
        state.last = last;
    }

    /// Adds credentials and the user agent. The token header is marked sensitive.
    fn decorate(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.core.authorization.clone());
        headers.insert(USER_AGENT, self.core.user_agent.clone());
        if let Some(proof) = &self.core.appsecret_proof {
            request
                .url_mut()
                .query_pairs_mut()
                .append_pair("appsecret_proof", proof);
        }
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        self.decorate(&mut request);
        let retry = &self.core.retry;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            // JSON bodies are buffered, so a copy for the next attempt is always possible;
            // if it ever is not, the request is simply not retried.
            let spare = request.try_clone();
            let may_retry = spare.is_some() && attempt <= retry.max_retries;
            let span = tracing::info_span!(
                "whatsapp.request",
                operation = self.ctx.operation,
                method = self.ctx.method,
                path = self.ctx.path,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                fbtrace_id = tracing::field::Empty,
            );
            let started = Instant::now();

            // The answer's head.
            let response = match client.execute(request).instrument(span.clone()).await {
                Ok(response) => response,
                Err(error) => {
                    span.record("duration_ms", started.elapsed().as_millis() as u64);
                    request = self.network_failure(error, None, attempt, spare, &span)?;
                    self.pause(self.backoff(attempt), attempt, &span).await;
                    continue;
                }
            };
            let status = response.status();
            span.record("status", status.as_u16());
            let meta = ResponseMeta::from_headers(status.as_u16(), response.headers(), attempt);
            self.core.check_served_version(&meta);
            if let Some(trace) = &meta.trace_id {
                span.record("fbtrace_id", trace.as_str());
            }
            let headers = response.headers().clone();

            // The answer's body, read here so that a failure while reading it is retried
            // like any other network failure, and bounded so that no answer can exhaust
            // memory.
            let limit = if status.is_success() {
                MAX_SUCCESS_BODY
            } else {
                MAX_ERROR_BODY
            };
            let (body, oversized) = match read_body(response, limit).instrument(span.clone()).await
            {
                Ok(read) => read,
                Err(error) => {
                    span.record("duration_ms", started.elapsed().as_millis() as u64);
                    self.record(Some(meta), None);
                    request =
                        self.network_failure(error, Some(status.as_u16()), attempt, spare, &span)?;
                    self.pause(self.backoff(attempt), attempt, &span).await;
                    continue;
                }
            };
            span.record("duration_ms", started.elapsed().as_millis() as u64);

            if status.is_success() {
                let last = oversized.then_some(Outcome::Oversized { limit });
                self.record(Some(meta), last);
                return Ok(rebuild(status, headers, body));
            }

            // An error answer: classify it, keep it for the caller, maybe try again.
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let graph = graph_error_code(&body);
            if let Some((_, _, Some(trace))) = &graph {
                span.record("fbtrace_id", trace.as_str());
            }
            let retry_after = retry_after_header(&headers).or_else(|| meta.regain_access_in());
            let next = match (
                may_retry,
                self.should_retry(status.as_u16(), graph.as_ref()),
            ) {
                (true, true) => self.wait_for(attempt, retry_after, &span),
                _ => Next::Stop,
            };
            self.record(
                Some(meta),
                Some(Outcome::Status {
                    body: body.clone(),
                    content_type,
                    retry_after,
                }),
            );
            match (next, spare) {
                (Next::Retry(wait), Some(copy)) => {
                    self.pause(wait, attempt, &span).await;
                    request = copy;
                }
                _ => return Ok(rebuild(status, headers, body)),
            }
        }
    }

    /// Records a failed attempt (no answer, or an answer whose body could not be read) and
    /// decides: `Ok(request)` to send the copy again, `Err` with the error to give up.
    ///
    /// A refused connection was never sent, so any call may be retried. Anything else may
    /// have reached Graph, which only idempotent calls may risk repeating.
    fn network_failure(
        &self,
        error: reqwest::Error,
        status: Option<u16>,
        attempt: u32,
        spare: Option<reqwest::Request>,
        span: &tracing::Span,
    ) -> Result<reqwest::Request, reqwest::Error> {
        let error = error.without_url();
        let connect = error.is_connect() && status.is_none();
        let retry_safe = connect || self.ctx.class == RetryClass::Safe;
        let message = match status {
            Some(status) => format!("reading the HTTP {status} answer: {error}"),
            None => error.to_string(),
        };
        span.in_scope(|| tracing::debug!(timeout = error.is_timeout(), connect, "request failed"));
        let network = NetworkError {
            message,
            timeout: error.is_timeout(),
            connect,
            status,
            attempts: attempt,
            retry_safe,
        };
        self.record(None, Some(Outcome::Network(network)));
        match spare {
            Some(next) if retry_safe && attempt <= self.core.retry.max_retries => Ok(next),
            _ => Err(error),
        }
    }

    /// Whether an error answer is worth another attempt for this kind of call.
    fn should_retry(
        &self,
        status: u16,
        graph: Option<&(i64, Option<bool>, Option<String>)>,
    ) -> bool {
        let code = graph.map(|g| g.0);
        if code == Some(REGISTRATION_THROTTLED) {
            return false;
        }
        let throttled = status == 429 || code.is_some_and(|c| THROTTLING_CODES.contains(&c));
        match self.ctx.class {
            RetryClass::Registration => throttled,
            RetryClass::Safe => {
                throttled || graph.is_some_and(|g| g.1 == Some(true)) || retryable_status(status)
            }
        }
    }

    /// The wait before the next attempt, or `Stop` when Graph asks for longer than the
    /// configured ceiling.
    fn wait_for(&self, attempt: u32, requested: Option<Duration>, span: &tracing::Span) -> Next {
        let retry = &self.core.retry;
        match requested {
            Some(wait) if wait > retry.max_wait => {
                span.in_scope(|| {
                    tracing::debug!(
                        requested_ms = wait.as_millis() as u64,
                        ceiling_ms = retry.max_wait.as_millis() as u64,
                        "not retrying: requested wait exceeds the ceiling"
                    )
                });
                Next::Stop
            }
            Some(wait) => Next::Retry(wait.max(self.backoff(attempt))),
            None => Next::Retry(self.backoff(attempt)),
        }
    }

    /// Full-jitter exponential backoff for retry number `attempt`.
    fn backoff(&self, attempt: u32) -> Duration {
        let retry = &self.core.retry;
        let exp = retry
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(retry.max_delay);
        exp.mul_f64(random_unit())
    }

    async fn pause(&self, wait: Duration, attempt: u32, span: &tracing::Span) {
        span.in_scope(|| tracing::debug!(wait_ms = wait.as_millis() as u64, attempt, "retrying"));
        tokio::time::sleep(wait).await;
    }
}

/// The most a success answer may hold (Graph's pages are far smaller).
const MAX_SUCCESS_BODY: usize = 16 * 1024 * 1024;
/// The most of an error answer that is kept.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Reads a body, stopping at `limit` bytes: `(bytes, true)` when there was more.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut body = BytesMut::with_capacity(
        response
            .content_length()
            .map_or(0, |n| n.min(limit as u64) as usize),
    );
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body.freeze(), true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), false))
}

/// A response for the generated client to decode, from an answer already read.
fn rebuild(status: http::StatusCode, headers: http::HeaderMap, body: Bytes) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// `Retry-After` in seconds (HTTP dates are rare on Graph and ignored).
fn retry_after_header(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let seconds: f64 = value.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// A uniform random number in [0, 1) for jitter, without a dependency on `rand`.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_parses_seconds_only() {
        let mut h = http::HeaderMap::new();
        assert_eq!(retry_after_header(&h), None);
        h.insert(RETRY_AFTER, "1".parse().unwrap());
        assert_eq!(retry_after_header(&h), Some(Duration::from_secs(1)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after_header(&h), None);
        h.insert(RETRY_AFTER, "-3".parse().unwrap());
        assert_eq!(retry_after_header(&h), None);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let r = random_unit();
            assert!((0.0..1.0).contains(&r));
        }
    }
}
