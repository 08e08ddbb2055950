//! The one error type, with Graph's details and classifiers for retry decisions.

use std::fmt;
use std::time::Duration;

use whatsapp_phone_numbers_api::operation::RetryClass;

use crate::meta::ResponseMeta;
use crate::retry::AUTH_CODES;
use crate::retry::{self, Failure};

/// Everything that can go wrong.
///
/// Classify with [`is_retryable`](Self::is_retryable), [`is_throttling`](Self::is_throttling),
/// [`is_auth`](Self::is_auth) and [`retry_after`](Self::retry_after); read Graph's details
/// with [`code`](Self::code), [`fbtrace_id`](Self::fbtrace_id) and friends.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The input was rejected before anything was sent.
    InvalidInput(InvalidInput),
    /// The client configuration is unusable (missing token, bad base URL, ...).
    Config(String),
    /// Graph answered with an error document.
    Api(Box<ApiError>),
    /// An error status whose body is not a Graph error (HTML page, empty or cut-off body).
    Http(Box<HttpError>),
    /// A success status whose body could not be decoded.
    Decode(Box<DecodeError>),
    /// The request could not be completed: connection failure, timeout, broken body.
    Network(Box<NetworkError>),
    /// The call was refused before it was sent, because the client's throttle knows it
    /// would be throttled: a regain window Graph announced is still open for its business
    /// (or the app), or its turn in the throttle's queue lies beyond the retry policy's
    /// [`max_wait`](crate::RetryConfig::max_wait). [`is_throttling`](Self::is_throttling)
    /// and [`retry_after`](Self::retry_after) answer as for Graph's own throttling errors.
    Throttled(Box<ThrottledError>),
}

/// A call the throttle refused without sending it; see [`Error::Throttled`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThrottledError {
    /// The business (or WABA) whose budget refused it, or `None` for the app's.
    pub business_id: Option<String>,
    /// How long until the call could go: the rest of the window, or its turn in the queue.
    pub retry_after: Duration,
    /// Graph announced a regain window (`estimated_time_to_regain_access`) that is still
    /// open (`true`), or the call's turn in the spacing queue is beyond the ceiling (`false`).
    pub window: bool,
    /// The Graph error code of the answer that opened the window (80008, say).
    pub code: Option<i64>,
}

/// Input rejected before sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidInput {
    /// The offending field's identifier, such as `pin`, `phone_number_id` or `websites`:
    /// the parameter's name as Graph spells it (a path placeholder, query parameter or
    /// body key), or the client setting that is missing (`app_secret`, `access_token`).
    /// Stable: a program may map it to its own names, as `waphone` maps it to its flags.
    pub field: &'static str,
    /// Why it was rejected. Never contains a secret.
    pub reason: String,
}

/// An error document from Graph.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Graph error code, such as 100, 190 or 131056.
    pub code: i64,
    /// Graph error subcode.
    pub subcode: Option<i64>,
    /// Error family, such as `OAuthException`.
    pub error_type: Option<String>,
    /// Developer-facing message.
    pub message: String,
    /// Title meant for end users.
    pub user_title: Option<String>,
    /// Message meant for end users.
    pub user_message: Option<String>,
    /// Graph's trace ID for support requests.
    pub fbtrace_id: Option<String>,
    /// Graph's own opinion on whether retrying can help.
    pub is_transient: Option<bool>,
    /// Extra detail some WhatsApp errors carry in `error_data.details`.
    pub details: Option<String>,
    /// How long to wait before trying again, when Graph said so.
    pub retry_after: Option<Duration>,
    /// Headers and usage of the answer.
    pub meta: ResponseMeta,
    /// The retry class of the call that failed.
    pub(crate) class: RetryClass,
}

/// An error status with a body that is not a Graph error.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct HttpError {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: Option<String>,
    /// The start of the body, for diagnosis.
    pub body_excerpt: String,
    /// How long to wait before trying again, when the server said so.
    pub retry_after: Option<Duration>,
    /// Headers and usage of the answer.
    pub meta: ResponseMeta,
    /// The retry class of the call that failed.
    pub(crate) class: RetryClass,
}

/// A success status whose body did not decode.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status.
    pub status: u16,
    /// What the decoder said.
    pub message: String,
    /// The start of the body, for diagnosis.
    pub body_excerpt: String,
    /// Headers and usage of the answer.
    pub meta: ResponseMeta,
}

/// What kind of network failure a [`NetworkError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetworkErrorKind {
    /// The host name did not resolve.
    Dns,
    /// The host refused the connection (nothing listens there).
    ConnectionRefused,
    /// The connection could not be made for another reason.
    Connect,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The request, or reading the answer, took longer than the timeout.
    Timeout,
    /// The answer's body stopped before its end.
    BodyCutOff,
    /// Anything else.
    Other,
}

impl NetworkErrorKind {
    /// A few words for messages.
    pub fn describe(self) -> &'static str {
        match self {
            NetworkErrorKind::Dns => "DNS lookup failed",
            NetworkErrorKind::ConnectionRefused => "connection refused",
            NetworkErrorKind::Connect => "connection failed",
            NetworkErrorKind::Tls => "TLS handshake failed",
            NetworkErrorKind::Timeout => "timed out",
            NetworkErrorKind::BodyCutOff => "answer cut off",
            NetworkErrorKind::Other => "transport error",
        }
    }
}

/// A request that did not complete.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct NetworkError {
    /// What failed. Never contains the URL's query or a credential.
    pub message: String,
    /// The request timed out.
    pub timeout: bool,
    /// The connection could not be made, so the request was never sent.
    pub connect: bool,
    /// The HTTP status, when the failure happened while reading an answer's body.
    pub status: Option<u16>,
    /// Sending the request again is safe: it was never sent (connection refused), or the
    /// call is a read or an idempotent update. False for registration calls that may have
    /// reached Graph.
    pub retry_safe: bool,
    /// How many times the request was sent.
    pub attempts: u32,
    /// What kind of failure it was.
    pub kind: NetworkErrorKind,
    /// The transport's error, for [`std::error::Error::source`] chains.
    pub(crate) source: Option<std::sync::Arc<reqwest::Error>>,
}

impl PartialEq for NetworkError {
    fn eq(&self, other: &Self) -> bool {
        (
            &self.message,
            self.timeout,
            self.connect,
            self.status,
            self.retry_safe,
            self.attempts,
            self.kind,
        ) == (
            &other.message,
            other.timeout,
            other.connect,
            other.status,
            other.retry_safe,
            other.attempts,
            other.kind,
        )
    }
}

impl DecodeError {
    /// A page whose paging cannot be followed.
    pub(crate) fn paging(message: String) -> Self {
        Self {
            status: 200,
            message: format!("cannot continue paging: {message}"),
            body_excerpt: String::new(),
            meta: ResponseMeta::default(),
        }
    }
}

impl NetworkError {
    /// The kind of a transport error, read from its chain of causes.
    pub(crate) fn kind_of(error: &reqwest::Error, reading_body: bool) -> NetworkErrorKind {
        if error.is_timeout() {
            return NetworkErrorKind::Timeout;
        }
        if reading_body || error.is_body() || error.is_decode() {
            return NetworkErrorKind::BodyCutOff;
        }
        let mut refused = false;
        let mut text = String::new();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = cause {
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::ConnectionRefused
            {
                refused = true;
            }
            text.push_str(&e.to_string().to_ascii_lowercase());
            text.push(' ');
            cause = e.source();
        }
        if refused || text.contains("connection refused") {
            NetworkErrorKind::ConnectionRefused
        } else if text.contains("dns error") || text.contains("failed to lookup address") {
            NetworkErrorKind::Dns
        } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake")
        {
            NetworkErrorKind::Tls
        } else if error.is_connect() {
            NetworkErrorKind::Connect
        } else {
            NetworkErrorKind::Other
        }
    }
}

impl Error {
    /// This error as the failure of a call of `class` (a batch call's failure handed to
    /// each of its items, whose own retry class says whether sending it again is safe).
    pub(crate) fn for_class(&self, class: RetryClass) -> Self {
        let mut error = self.clone();
        match &mut error {
            Error::Api(e) => e.class = class,
            Error::Http(e) => e.class = class,
            _ => {}
        }
        error
    }

    /// A call the throttle refused before sending it.
    pub(crate) fn throttled(refusal: crate::retry::throttle::Refusal) -> Self {
        let crate::retry::throttle::Refusal {
            business_id,
            retry_after,
            window,
            code,
        } = refusal;
        Error::Throttled(Box::new(ThrottledError {
            business_id,
            retry_after,
            window,
            code,
        }))
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput(InvalidInput {
            field,
            reason: reason.into(),
        })
    }

    /// The field that failed validation, for [`Error::InvalidInput`].
    pub fn invalid_field(&self) -> Option<&'static str> {
        match self {
            Error::InvalidInput(i) => Some(i.field),
            _ => None,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Http(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::Network(e) => e.status,
            _ => None,
        }
    }

    /// The Graph error details, for [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Graph error code.
    pub fn code(&self) -> Option<i64> {
        self.api().map(|e| e.code)
    }

    /// Graph error code by name (`GraphErrorCode::RegistrationThrottled`, ...).
    pub fn graph_code(&self) -> Option<crate::codes::GraphErrorCode> {
        self.code().map(crate::codes::GraphErrorCode::from)
    }

    /// Graph error subcode.
    pub fn subcode(&self) -> Option<i64> {
        self.api().and_then(|e| e.subcode)
    }

    /// Graph's trace ID (`fbtrace_id`).
    pub fn fbtrace_id(&self) -> Option<&str> {
        self.api().and_then(|e| e.fbtrace_id.as_deref())
    }

    /// The `x-fb-request-id` header of the answer.
    pub fn request_id(&self) -> Option<&str> {
        self.meta().and_then(|m| m.request_id())
    }

    /// Headers and usage of the answer, when there was one.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api(e) => Some(&e.meta),
            Error::Http(e) => Some(&e.meta),
            Error::Decode(e) => Some(&e.meta),
            _ => None,
        }
    }

    /// How long to wait before trying again: from `Retry-After`, or from
    /// `estimated_time_to_regain_access` in `X-Business-Use-Case-Usage`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.retry_after,
            Error::Http(e) => e.retry_after,
            Error::Throttled(e) => Some(e.retry_after),
            _ => None,
        }
    }

    /// Rate limiting or throttling: HTTP 429 or a throttling code (4, 17, 32, 613, 80007,
    /// 130429, 131056, 133016, ...).
    pub fn is_throttling(&self) -> bool {
        match self {
            Error::Api(e) => retry::throttled(Some(e.status), Some(e.code)),
            Error::Http(e) => retry::throttled(Some(e.status), None),
            Error::Throttled(_) => true,
            _ => false,
        }
    }

    /// Graph refused to answer because the request asks for too much at once (code 1,
    /// "Please reduce the amount of data you're asking for"): fewer items per page, or a
    /// smaller nested `limit`, will be answered; the same request will not, so it is not
    /// retried.
    pub fn is_too_much_data(&self) -> bool {
        const PHRASE: &str = "reduce the amount of data";
        match self {
            Error::Api(e) if e.code == 1 => [
                Some(&e.message),
                e.user_message.as_ref(),
                e.user_title.as_ref(),
            ]
            .into_iter()
            .flatten()
            .any(|text| text.to_ascii_lowercase().contains(PHRASE)),
            _ => false,
        }
    }

    /// The access token is invalid, expired or missing (code 190 or 102, or HTTP 401).
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Api(e) => AUTH_CODES.contains(&e.code) || e.status == 401,
            Error::Http(e) => e.status == 401,
            _ => false,
        }
    }

    /// Sending the same request again may succeed. The same rule decides the client's own
    /// retries: throttling (except registration throttling, 133016) and requests that were
    /// never sent always; 5xx, `is_transient`, timeouts and cut-off answers only for calls
    /// that are safe to repeat, not for registration calls that may have been processed.
    pub fn is_retryable(&self) -> bool {
        if self.is_too_much_data() {
            return false;
        }
        match self {
            Error::Api(e) => retry::retryable(
                e.class,
                Failure {
                    status: Some(e.status),
                    code: Some(e.code),
                    transient: e.is_transient,
                    not_sent: false,
                },
            ),
            Error::Http(e) => retry::retryable(
                e.class,
                Failure {
                    status: Some(e.status),
                    ..Failure::default()
                },
            ),
            Error::Network(e) => e.retry_safe,
            // Nothing was sent: sending it after `retry_after` is always safe.
            Error::Throttled(_) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput(i) => {
                write!(f, "invalid {}: {} (nothing was sent)", i.field, i.reason)
            }
            Error::Config(message) => write!(f, "configuration error: {message}"),
            Error::Api(e) => {
                write!(f, "Graph API error {}", e.code)?;
                if let Some(sub) = e.subcode {
                    write!(f, "/{sub}")?;
                }
                if let Some(t) = &e.error_type {
                    write!(f, " ({t})")?;
                }
                write!(f, ": {}", e.message)?;
                if let Some(details) = &e.details {
                    write!(f, " [{details}]")?;
                }
                write!(f, " (HTTP {}", e.status)?;
                if let Some(id) = &e.fbtrace_id {
                    write!(f, ", fbtrace_id {id}")?;
                }
                if let Some(wait) = e.retry_after {
                    write!(f, ", retry after {}s", wait.as_secs().max(1))?;
                }
                write!(f, ")")
            }
            Error::Http(e) => {
                write!(f, "HTTP {} without a Graph error body", e.status)?;
                if let Some(ct) = &e.content_type {
                    write!(f, " ({ct})")?;
                }
                write!(f, ": {:?}", e.body_excerpt)
            }
            Error::Decode(e) => write!(
                f,
                "could not decode the HTTP {} answer: {}; body starts {:?}",
                e.status, e.message, e.body_excerpt
            ),
            Error::Throttled(e) => {
                match &e.business_id {
                    Some(id) => write!(f, "throttled: business {id}")?,
                    None => write!(f, "throttled: the app")?,
                }
                let secs = e.retry_after.as_secs_f64().ceil().max(1.0) as u64;
                if e.window {
                    write!(
                        f,
                        " is closed to calls for {secs}s more, as Graph announced"
                    )?;
                    if let Some(code) = e.code {
                        write!(f, " (error {code})")?;
                    }
                } else {
                    write!(
                        f,
                        " is at its limit: this call's turn is {secs}s away, beyond the wait ceiling"
                    )?;
                }
                write!(f, "; nothing was sent (retry after {secs}s)")
            }
            Error::Network(e) => {
                let what = if e.timeout {
                    "timed out"
                } else if e.connect {
                    "could not connect"
                } else {
                    "request failed"
                };
                write!(
                    f,
                    "{what} after {} attempt(s) ({}): {}",
                    e.attempts,
                    e.kind.describe(),
                    e.message
                )
            }
        }
    }
}

impl std::error::Error for Error {
    /// The transport's error for [`Error::Network`], so that callers can walk the chain
    /// (hyper, the I/O error, the TLS library) without parsing messages.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Network(e) => e
                .source
                .as_deref()
                .map(|e| e as &(dyn std::error::Error + 'static)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: i64, transient: Option<bool>) -> Error {
        Error::Api(Box::new(ApiError {
            status,
            code,
            subcode: None,
            error_type: None,
            message: "m".into(),
            user_title: None,
            user_message: None,
            fbtrace_id: Some("T".into()),
            is_transient: transient,
            details: None,
            retry_after: None,
            meta: ResponseMeta::default(),
            class: RetryClass::Safe,
        }))
    }

    #[test]
    fn classifiers() {
        assert!(api(400, 80007, None).is_throttling());
        assert!(api(400, 80007, None).is_retryable());
        assert!(api(400, 133016, None).is_throttling());
        assert!(!api(400, 133016, Some(true)).is_retryable());
        assert!(api(400, 190, None).is_auth());
        assert!(!api(400, 100, None).is_retryable());
        assert!(api(400, 100, Some(true)).is_retryable());
        assert!(api(500, 1, None).is_retryable());
        assert!(api(429, 9999, None).is_throttling());
        assert!(Error::invalid("pin", "x").invalid_field() == Some("pin"));
        assert!(!Error::invalid("pin", "x").is_retryable());
    }

    #[test]
    fn display_is_one_line_with_code_subcode_and_trace() {
        let mut e = api(401, 190, None);
        if let Error::Api(inner) = &mut e {
            inner.subcode = Some(463);
            inner.error_type = Some("OAuthException".into());
        }
        assert_eq!(
            e.to_string(),
            "Graph API error 190/463 (OAuthException): m (HTTP 401, fbtrace_id T)"
        );
    }
}
