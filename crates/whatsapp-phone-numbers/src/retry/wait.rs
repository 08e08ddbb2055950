//! How long the client waits before sending again, decided in one place: full-jitter
//! backoff between attempts, a server's `Retry-After` or usage header weighed against the
//! configured ceiling, and the pause itself. (The throttle, beside this module, decides
//! how long a call waits *before* its first attempt.)

use std::time::{Duration, Instant};

use reqwest::header::RETRY_AFTER;

use super::RetryConfig;

/// Full-jitter exponential backoff before retry number `attempt` (1 for the first retry).
pub(crate) fn backoff(config: &RetryConfig, attempt: u32) -> Duration {
    let exp = config
        .base_delay
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
        .min(config.max_delay);
    exp.mul_f64(random_unit())
}

/// A uniform random number in [0, 1) for jitter, without a dependency on `rand`.
fn random_unit() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait before the next attempt, or `None` when Graph asks for longer than the
/// configured ceiling, or than what is left of the call's `allowance` (the ceiling less
/// what the call already waited).
pub(crate) fn wait_for(
    config: &RetryConfig,
    attempt: u32,
    requested: Option<Duration>,
    allowance: Option<Duration>,
    span: &tracing::Span,
) -> Option<Duration> {
    let ceiling = allowance.map_or(config.max_wait, |left| left.min(config.max_wait));
    match requested {
        Some(wait) if wait > ceiling => {
            span.in_scope(|| {
                tracing::debug!(
                    requested_ms = wait.as_millis() as u64,
                    ceiling_ms = ceiling.as_millis() as u64,
                    "not retrying: requested wait exceeds what is left of the ceiling"
                )
            });
            None
        }
        Some(wait) => Some(wait.max(backoff(config, attempt))),
        None => Some(backoff(config, attempt)),
    }
}

pub(crate) async fn pause(wait: Duration, attempt: u32, span: &tracing::Span) {
    span.in_scope(|| tracing::debug!(wait_ms = wait.as_millis() as u64, attempt, "retrying"));
    tokio::time::sleep(wait).await;
}

/// `Retry-After` in seconds (HTTP dates are rare on Graph and ignored).
pub(crate) fn retry_after_header(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let seconds: f64 = value.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
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
        let config = RetryConfig::default();
        assert!(backoff(&config, 30) <= config.max_delay);
    }
}
