//! The transport every generated-client request goes through: credentials, retries with
//! backoff, one tracing span per attempt, and capture of the final answer's metadata.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
            let outcome = client.execute(request).instrument(span.clone()).await;
            span.record("duration_ms", started.elapsed().as_millis() as u64);

            let response = match outcome {
                Ok(response) => response,
                Err(error) => {
                    let error = error.without_url();
                    let network = NetworkError {
                        message: error.to_string(),
                        timeout: error.is_timeout(),
                        connect: error.is_connect(),
                        status: None,
                        attempts: attempt,
                    };
                    // A refused connection was never sent; anything else may have reached
                    // Graph, which registration calls must not risk repeating.
                    let retryable = match self.ctx.class {
                        RetryClass::Safe => true,
                        RetryClass::Registration => network.connect,
                    };
                    span.in_scope(|| {
                        tracing::debug!(
                            timeout = network.timeout,
                            connect = network.connect,
                            "request failed"
                        )
                    });
                    self.record(None, Some(Outcome::Network(network)));
                    match (may_retry && retryable, spare) {
                        (true, Some(next)) => {
                            self.pause(self.backoff(attempt), attempt, &span).await;
                            request = next;
                            continue;
                        }
                        _ => return Err(error),
                    }
                }
            };

            let status = response.status();
            span.record("status", status.as_u16());
            let meta = ResponseMeta::from_headers(status.as_u16(), response.headers(), attempt);
            self.core.check_served_version(&meta);
            if let Some(trace) = &meta.trace_id {
                span.record("fbtrace_id", trace.as_str());
            }
            if status.is_success() {
                self.record(Some(meta), None);
                return Ok(response);
            }

            // An error: buffer the body to classify it and keep it for the caller.
            let headers = response.headers().clone();
            let content_type = headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(error) => {
                    let error = error.without_url();
                    let network = NetworkError {
                        message: format!("reading the HTTP {} answer: {error}", status.as_u16()),
                        timeout: error.is_timeout(),
                        connect: false,
                        status: Some(status.as_u16()),
                        attempts: attempt,
                    };
                    self.record(Some(meta), Some(Outcome::Network(network)));
                    return Err(error);
                }
            };
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
                _ => {
                    let mut rebuilt = http::Response::new(body);
                    *rebuilt.status_mut() = status;
                    *rebuilt.headers_mut() = headers;
                    return Ok(reqwest::Response::from(rebuilt));
                }
            }
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
