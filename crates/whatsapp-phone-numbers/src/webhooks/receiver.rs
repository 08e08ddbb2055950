//! Receiving webhooks without a web framework: bytes and headers in, a notification or a
//! [`WebhookError`] (with the status to answer) out.

use std::fmt;
use std::time::Duration;

use super::error::WebhookError;
use super::handshake;
use super::signature::{self, SIGNATURE_HEADER};
use crate::GraphVersion;
use crate::secret::{AppSecret, VerifyToken};
use whatsapp_phone_numbers_api::webhook::Notification;

/// The body size a receiver accepts unless told otherwise: 4 MiB (Meta says payloads
/// reach 3 MB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How long a receiver waits for a request's body unless told otherwise.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a receiver waits for its store to keep a delivery before answering 503, unless
/// told otherwise (Graph's own wait for an answer is not documented; this stays well under
/// what its retries tolerate).
pub const DEFAULT_STORE_DEADLINE: Duration = Duration::from_secs(10);

/// Checks and decodes what Graph sends to a webhook callback.
///
/// ```
/// use whatsapp_phone_numbers::webhooks::{WebhookReceiver, sign};
/// use whatsapp_phone_numbers::{AppSecret, VerifyToken, v24_0};
///
/// let secret = AppSecret::new("app-secret").unwrap();
/// let receiver = WebhookReceiver::new(secret.clone())
///     .verify_token(VerifyToken::new("my-verify-token").unwrap());
///
/// // The GET handshake.
/// let challenge = receiver
///     .handshake("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my-verify-token")
///     .unwrap();
/// assert_eq!(challenge, "1158201444");
///
/// // A POST: the raw body and its headers.
/// let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1739321024,
///   "changes":[{"field":"account_review_update","value":{"decision":"APPROVED"}}]}]}"#;
/// let mut headers = whatsapp_phone_numbers::webhooks::HeaderMap::new();
/// headers.insert("x-hub-signature-256", sign(&secret, body).parse().unwrap());
/// let notification = receiver.receive::<v24_0::Version>(&headers, body).unwrap();
/// let event = notification.events().next().unwrap();
/// assert_eq!(event.waba_id, "102290129340398");
/// assert!(matches!(
///     event.change,
///     v24_0::webhooks::Change::AccountReviewUpdate(ref review)
///         if review.decision == Some(v24_0::types::ReviewDecision::Approved)
/// ));
///
/// // Anything not signed with the app secret is refused, with the status to answer.
/// headers.insert("x-hub-signature-256", "sha256=00".parse().unwrap());
/// assert_eq!(receiver.receive::<v24_0::Version>(&headers, body).unwrap_err().status(), 401);
/// ```
#[derive(Clone)]
pub struct WebhookReceiver {
    /// The secrets a signature may be made with, with the app each belongs to (when known).
    apps: Vec<(Option<String>, AppSecret)>,
    verify_token: Option<VerifyToken>,
    max_body_bytes: usize,
    body_timeout: Duration,
    store_deadline: Duration,
}

impl fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let apps: Vec<(Option<&str>, &AppSecret)> =
            self.apps.iter().map(|(id, s)| (id.as_deref(), s)).collect();
        f.debug_struct("WebhookReceiver")
            .field("apps", &apps)
            .field("verify_token", &self.verify_token)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("body_timeout", &self.body_timeout)
            .field("store_deadline", &self.store_deadline)
            .finish()
    }
}

impl WebhookReceiver {
    /// A receiver checking signatures with `app_secret`. Without a
    /// [`verify_token`](Self::verify_token) it refuses every handshake.
    pub fn new(app_secret: AppSecret) -> Self {
        Self {
            apps: vec![(None, app_secret)],
            verify_token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            store_deadline: DEFAULT_STORE_DEADLINE,
        }
    }

    /// A receiver for the app `app_id`, whose secret signs its webhooks: a verified delivery
    /// names the app ([`verify_app`](Self::verify_app)).
    pub fn for_app(app_id: impl Into<String>, app_secret: AppSecret) -> Self {
        let mut receiver = Self::new(app_secret);
        receiver.apps[0].0 = Some(app_id.into());
        receiver
    }

    /// Also accepts webhooks signed for app `app_id` (a callback several apps post to): a
    /// signature verifies when one of the secrets made it, and names that app.
    #[must_use]
    pub fn also_app(mut self, app_id: impl Into<String>, app_secret: AppSecret) -> Self {
        self.apps.push((Some(app_id.into()), app_secret));
        self
    }

    /// The token Graph's verification request must carry.
    #[must_use]
    pub fn verify_token(mut self, token: VerifyToken) -> Self {
        self.verify_token = Some(token);
        self
    }

    /// The largest body accepted, in bytes (default [`DEFAULT_MAX_BODY_BYTES`]).
    #[must_use]
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// How long the axum receivers wait for a request's whole body (default
    /// [`DEFAULT_BODY_TIMEOUT`]); a sender that stalls is answered 408 and its connection
    /// closed.
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// The wait for a request's whole body.
    pub fn body_wait(&self) -> Duration {
        self.body_timeout
    }

    /// How long a store-first receiver waits for its store before answering 503 (default
    /// [`DEFAULT_STORE_DEADLINE`]).
    #[must_use]
    pub fn store_deadline(mut self, deadline: Duration) -> Self {
        self.store_deadline = deadline;
        self
    }

    /// The wait for the store.
    pub fn store_wait(&self) -> Duration {
        self.store_deadline
    }

    /// Answers the `GET` verification request whose raw query string is `query`: the
    /// challenge to answer with 200, or the error to answer with 403.
    pub fn handshake(&self, query: &str) -> Result<String, WebhookError> {
        handshake::answer(query, self.verify_token.as_ref())
    }

    /// Checks the `X-Hub-Signature-256` value `header` (`None` when absent) against the
    /// raw `body`, after the size limit.
    pub fn verify(&self, header: Option<&[u8]>, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_app(header, body).map(drop)
    }

    /// Like [`verify`](Self::verify), answering which app's secret made the signature (`None`
    /// for the secret of [`new`](Self::new), which names no app).
    pub fn verify_app(
        &self,
        header: Option<&[u8]>,
        body: &[u8],
    ) -> Result<Option<&str>, WebhookError> {
        if body.len() > self.max_body_bytes {
            return Err(WebhookError::BodyTooLarge {
                limit: self.max_body_bytes,
            });
        }
        let claimed = signature::parse(header)?;
        self.apps
            .iter()
            .find(|(_, secret)| signature::signed_by(secret, body, &claimed))
            .map(|(app, _)| app.as_deref())
            .ok_or(WebhookError::SignatureMismatch)
    }

    /// Checks the signature among `headers` (a repeated header is malformed) against the
    /// raw `body`, after the size limit.
    pub fn verify_headers(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        self.verify_headers_app(headers, body).map(drop)
    }

    /// Like [`verify_headers`](Self::verify_headers), answering the app that signed (see
    /// [`verify_app`](Self::verify_app)).
    pub fn verify_headers_app(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Option<&str>, WebhookError> {
        self.verify_app(signature_header(headers)?.map(|h| h.as_bytes()), body)
    }

    /// Checks a `POST` (size, then signature over the raw bytes) and decodes it with the
    /// changes typed by version `V`.
    pub fn receive<V: GraphVersion>(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Result<Notification<V>, WebhookError> {
        self.verify_headers(headers, body)?;
        decode(body)
    }

    /// Like [`receive`](Self::receive), with the signature header given directly.
    pub fn receive_signed<V: GraphVersion>(
        &self,
        signature: Option<&[u8]>,
        body: &[u8],
    ) -> Result<Notification<V>, WebhookError> {
        self.verify(signature, body)?;
        decode(body)
    }
}

/// The one `X-Hub-Signature-256` header of `headers`, when there is one (a repeated header is
/// malformed).
pub(crate) fn signature_header(
    headers: &http::HeaderMap,
) -> Result<Option<&http::HeaderValue>, WebhookError> {
    let mut values = headers.get_all(SIGNATURE_HEADER).iter();
    let header = values.next();
    if values.next().is_some() {
        return Err(WebhookError::MalformedSignature("the header is repeated"));
    }
    Ok(header)
}

/// Decodes a body already checked.
fn decode<V: GraphVersion>(body: &[u8]) -> Result<Notification<V>, WebhookError> {
    serde_json::from_slice(body).map_err(|e| WebhookError::Undecodable(e.to_string()))
}
