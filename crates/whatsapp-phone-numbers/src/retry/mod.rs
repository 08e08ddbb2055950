//! When a call is sent again, and how long it waits: the one retry classifier here,
//! [`wait`] (the one owner of how long a retry waits) and [`throttle`] (how long a call
//! waits before it is sent, from Graph's usage headers).
//!
//! [`retryable`] decides whether a failure may be sent again. The call path asks it before
//! every retry, and [`Error::is_retryable`](crate::Error::is_retryable) asks it about the
//! error a caller holds, so the two answers cannot disagree.

pub(crate) mod throttle;
pub(crate) mod wait;

use std::time::Duration;

use whatsapp_phone_numbers_api::operation::RetryClass;

/// How failed requests are retried.
///
/// Waits use exponential backoff with full jitter: before retry `n` the client sleeps a
/// random time up to `min(max_delay, base_delay * 2^(n-1))`, and at least what Graph asked
/// for (`Retry-After`, or `estimated_time_to_regain_access`). When Graph asks for more than
/// `max_wait`, the error is returned at once with [`Error::retry_after`](crate::Error::retry_after) set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// Backoff base (default 0.5 s).
    pub base_delay: Duration,
    /// Backoff cap (default 8 s).
    pub max_delay: Duration,
    /// The longest server-requested wait the client sleeps through (default 30 s).
    pub max_wait: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets [`max_retries`](Self::max_retries).
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets [`base_delay`](Self::base_delay).
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets [`max_delay`](Self::max_delay).
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets [`max_wait`](Self::max_wait).
    pub fn with_max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }
}

use crate::codes::GraphErrorCode as C;

/// Graph error codes that mean "slow down" (rate limits and throttles).
pub const THROTTLING_CODES: &[i64] = &[
    C::ApiTooManyCalls.code(),
    C::UserTooManyCalls.code(),
    C::PageTooManyCalls.code(),
    C::CustomRateLimit.code(),
    C::WabaRateLimit.code(),
    C::PhoneNumbersRateLimit.code(),
    C::ThroughputExceeded.code(),
    C::PairRateLimit.code(),
    C::RegistrationThrottled.code(),
];

/// Registration throttling: too many register/deregister or code requests. Waiting is the
/// only remedy, so it is never retried automatically.
pub const REGISTRATION_THROTTLED: i64 = C::RegistrationThrottled.code();

/// Graph error codes about the access token or session.
pub const AUTH_CODES: &[i64] = &[C::SessionKeyInvalid.code(), C::AccessTokenInvalid.code()];

/// What is known about one failed attempt.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Failure {
    /// HTTP status of the answer, if one came.
    pub status: Option<u16>,
    /// Graph's error code, if the answer was a Graph error.
    pub code: Option<i64>,
    /// Graph's `is_transient`.
    pub transient: Option<bool>,
    /// The request provably never left: the connection could not be made.
    pub not_sent: bool,
}

/// HTTP 429, or a Graph throttling code.
pub(crate) fn throttled(status: Option<u16>, code: Option<i64>) -> bool {
    status == Some(429) || code.is_some_and(|c| THROTTLING_CODES.contains(&c))
}

/// 429 and 5xx except 501.
pub(crate) fn retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status) && status != 501
}

/// Whether sending the same request again may succeed, for a call of `class`.
///
/// - Registration throttling (133016) never: only waiting helps.
/// - A request that was never sent: always.
/// - Throttling (429, throttling codes): always; the request was refused, not processed.
/// - Otherwise (5xx, `is_transient`, a timeout, a body cut off) only for
///   [`RetryClass::Safe`] calls: the request may have been processed, which is harmless
///   only when repeating it is.
pub(crate) fn retryable(class: RetryClass, f: Failure) -> bool {
    if f.code == Some(REGISTRATION_THROTTLED) {
        return false;
    }
    if f.not_sent || throttled(f.status, f.code) {
        return true;
    }
    if class != RetryClass::Safe {
        return false;
    }
    match f.status {
        // No answer (or one whose body could not be read): the network failed.
        None => true,
        Some(status) => f.transient == Some(true) || retryable_status(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, code: Option<i64>, transient: Option<bool>) -> Failure {
        Failure {
            status: Some(status),
            code,
            transient,
            not_sent: false,
        }
    }

    #[test]
    fn the_classifier() {
        use RetryClass::{Safe, UnprocessedOnly as Once};
        for class in [Safe, Once] {
            assert!(retryable(class, answer(429, None, None)), "{class:?}");
            assert!(
                retryable(class, answer(400, Some(80007), None)),
                "{class:?}"
            );
            assert!(!retryable(class, answer(400, Some(133016), Some(true))));
            assert!(!retryable(class, answer(400, Some(100), None)));
            assert!(retryable(
                class,
                Failure {
                    not_sent: true,
                    ..Failure::default()
                }
            ));
        }
        assert!(retryable(Safe, answer(500, Some(1), None)));
        assert!(!retryable(Once, answer(500, Some(1), None)));
        assert!(retryable(Safe, answer(400, Some(100), Some(true))));
        assert!(!retryable(Once, answer(400, Some(100), Some(true))));
        assert!(!retryable(Safe, answer(501, None, None)));
        assert!(retryable(Safe, Failure::default()), "a timeout of a read");
        assert!(
            !retryable(Once, Failure::default()),
            "a timeout of a registration"
        );
    }
}
