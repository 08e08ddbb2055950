//! Receiving Graph's webhooks: signature verification that fails closed, the verification
//! handshake, and notifications typed by version.
//!
//! Graph tells a subscribed app when a number was flagged, downgraded, renamed or
//! restricted by posting a [`Notification`] to the app's callback URL. This module:
//! - checks `X-Hub-Signature-256` over the raw body bytes with the app secret, in constant
//!   time ([`verify`]); a missing, malformed or wrong header is refused and the error never
//!   carries the expected signature;
//! - answers the `GET` handshake (`hub.mode=subscribe`, `hub.verify_token`,
//!   `hub.challenge`) only for the right verify token, compared in constant time;
//! - refuses bodies over a size limit;
//! - decodes the notification with each change typed by the version's specification
//!   (`v24_0::webhooks::Change`), keeping any field it does not type as raw JSON.
//!
//! [`WebhookReceiver`] does all of it from bytes and headers, for any web framework. With
//! the `webhook-server` feature, `WebhookReceiver::router` and `WebhookReceiver::channel`
//! give a ready axum receiver that answers Graph at once and hands the notifications to your
//! code.

mod error;
mod handshake;
mod notification;
mod receiver;
#[cfg(feature = "webhook-server")]
mod server;
mod signature;

pub use error::WebhookError;
pub use notification::{Entry, Event, Notification};
pub use receiver::{DEFAULT_MAX_BODY_BYTES, WebhookReceiver};
pub use signature::{SIGNATURE_HEADER, sign, verify};
pub use whatsapp_phone_numbers_api::webhook::{OtherChange, WebhookChange};
