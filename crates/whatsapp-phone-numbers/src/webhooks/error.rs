//! Why a webhook request was refused.

use std::fmt;

/// Why a webhook request (a `POST` notification or the `GET` handshake) was refused, and
/// the HTTP status to answer it with ([`status`](Self::status)).
///
/// The text never carries a secret: not the app secret, not the verify token, not the
/// signature the body should have had.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The `POST` has no `X-Hub-Signature-256` header (401).
    MissingSignature,
    /// The header is not `sha256=` and 64 hex digits, or was sent twice (401).
    MalformedSignature(&'static str),
    /// The body was not signed with this app secret, or was changed on the way (403).
    SignatureMismatch,
    /// The body is longer than the receiver accepts (413).
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The handshake's `hub.mode` is not `subscribe` (403).
    NotSubscribe,
    /// The handshake's `hub.verify_token` is missing or wrong, or the receiver has no
    /// verify token to compare it with (403).
    WrongVerifyToken,
    /// The handshake has no usable `hub.challenge` (403).
    MissingChallenge,
    /// A correctly signed body that is not a webhook notification. Answer 200 anyway:
    /// Graph would only send it again.
    Undecodable(String),
}

impl WebhookError {
    /// The HTTP status a receiver answers with: 401 (no usable signature), 403 (wrong
    /// signature, refused handshake), 413 (body too large), or 200 for
    /// [`Undecodable`](Self::Undecodable).
    pub fn status(&self) -> u16 {
        match self {
            WebhookError::MissingSignature | WebhookError::MalformedSignature(_) => 401,
            WebhookError::SignatureMismatch
            | WebhookError::NotSubscribe
            | WebhookError::WrongVerifyToken
            | WebhookError::MissingChallenge => 403,
            WebhookError::BodyTooLarge { .. } => 413,
            WebhookError::Undecodable(_) => 200,
        }
    }

    /// True for the errors of a request whose signature (or verify token) did not prove
    /// it came from Graph.
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self.status(), 401 | 403)
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingSignature => {
                f.write_str("the webhook has no X-Hub-Signature-256 header")
            }
            WebhookError::MalformedSignature(why) => {
                write!(f, "the X-Hub-Signature-256 header is malformed: {why}")
            }
            WebhookError::SignatureMismatch => f.write_str(
                "the X-Hub-Signature-256 signature does not match the body and the app secret",
            ),
            WebhookError::BodyTooLarge { limit } => {
                write!(f, "the webhook body is larger than {limit} bytes")
            }
            WebhookError::NotSubscribe => {
                f.write_str("the verification request's hub.mode is not `subscribe`")
            }
            WebhookError::WrongVerifyToken => {
                f.write_str("the verification request's hub.verify_token is missing or wrong")
            }
            WebhookError::MissingChallenge => {
                f.write_str("the verification request has no usable hub.challenge")
            }
            WebhookError::Undecodable(why) => {
                write!(f, "the signed webhook body is not a notification: {why}")
            }
        }
    }
}

impl std::error::Error for WebhookError {}
