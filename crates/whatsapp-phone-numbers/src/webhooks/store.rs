//! Store first, answer second: what a receiver hands to durable storage before it answers
//! Graph 200.
//!
//! Graph sends a webhook again until it is answered 200, and never after. A receiver that
//! answers first and stores later loses what a crash, a deploy or a full disk catches in
//! between. A [`DeliveryStore`] keeps each verified delivery (the raw body exactly as
//! received, its signature, the app it was signed for and when it came) and answers only
//! once the delivery would survive a crash; the receiver answers Graph 200 after that, and
//! 503 when the store fails or is slower than a deadline, so that Graph sends it again. The
//! `whatsapp-phone-numbers-inbox` crate is such a store (SQLite, PostgreSQL).

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::time::SystemTime;

use bytes::Bytes;

/// A delivery whose signature checked out, as it was received.
#[derive(Clone, PartialEq, Eq)]
pub struct Received {
    /// The app whose secret made the signature, when the receiver names its apps
    /// ([`WebhookReceiver::for_app`](super::WebhookReceiver::for_app)).
    pub app_id: Option<String>,
    /// The body, byte for byte.
    pub body: Bytes,
    /// The `X-Hub-Signature-256` header, as received.
    pub signature: String,
    /// When it was received.
    pub received_at: SystemTime,
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Received")
            .field("app_id", &self.app_id)
            .field("body_bytes", &self.body.len())
            .field("received_at", &self.received_at)
            .finish_non_exhaustive()
    }
}

/// Why a store could not keep a delivery. The receiver answers 503, and Graph sends the
/// delivery again later.
#[derive(Debug)]
pub struct StoreError {
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl StoreError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// An error saying `message`, caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

/// Durable storage for verified deliveries: what
#[cfg_attr(
    feature = "webhook-server",
    doc = "[`WebhookReceiver::router_with_store`](super::WebhookReceiver::router_with_store)"
)]
#[cfg_attr(
    not(feature = "webhook-server"),
    doc = "`WebhookReceiver::router_with_store` (feature `webhook-server`)"
)]
/// keeps each delivery in before it answers Graph 200 (503 when this fails, so that Graph sends
/// it again). The `whatsapp-phone-numbers-inbox` crate's `Inbox` is one.
pub trait DeliveryStore: Send + Sync + 'static {
    /// Keeps `delivery`, answering `Ok` only once it would survive a crash of this process
    /// (committed). A delivery already kept (Graph sends the same one again when an answer
    /// was lost) is answered `Ok` without keeping it twice.
    fn store(&self, delivery: Received) -> impl Future<Output = Result<(), StoreError>> + Send;
}
