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
//! # Which callback gets what
//!
//! Graph posts an account's changes to each app subscribed to the account
//! ([`SubscriptionsHandle`](crate::SubscriptionsHandle)) whose own subscription lists the
//! field ([`AppSubscriptionsHandle`](crate::AppSubscriptionsHandle)), at that subscription's
//! callback URL, signed with that app's secret. **The management fields**
//! (`phone_number_quality_update`, `phone_number_name_update`, `account_update`,
//! `account_review_update`, `business_capability_update`, `account_alerts`, ...) **go only
//! there.** A callback override (a number's, then its account's) carries only the
//! messaging fields its version lists in `vNN_N::webhooks::OVERRIDABLE_FIELDS`: `messages`,
//! `message_echoes`, `calls`, `consumer_profile`, `messaging_handovers`, `standby`, the
//! `group_*` fields, `smb_message_echoes`, `smb_app_state_sync`, `history` and
//! `account_settings_update` (Meta's "Webhook overrides" page). So a receiver for number
//! health belongs at the app's callback URL:
//!
//! ```no_run
//! # async fn run() -> Result<(), whatsapp_phone_numbers::Error> {
//! let client = whatsapp_phone_numbers::v24_0::Client::from_env()?; // with WHATSAPP_APP_SECRET
//! client
//!     .app("67084330901")
//!     .webhook_subscriptions()
//!     .subscribe("https://hooks.example.com/whatsapp", "my-verify-token")
//!     .fields(["phone_number_quality_update", "phone_number_name_update", "account_update"])
//!     .await?;
//! client.business_account("102290129340398").subscribed_apps().subscribe().await?;
//! # Ok(()) }
//! ```
//!
//! [`WebhookReceiver`] does all of it from bytes and headers, for any web framework. With
//! the `webhook-server` feature, `WebhookReceiver::router` and `WebhookReceiver::channel`
//! give a ready axum receiver that answers Graph at once and hands the notifications to your
//! code.

pub mod envelope;
mod error;
mod handshake;
mod receiver;
#[cfg(feature = "webhook-server")]
mod serve;
#[cfg(feature = "webhook-server")]
mod server;
mod signature;
mod store;

pub use error::WebhookError;
/// The header map [`WebhookReceiver::receive`] reads (the `http` crate's, as axum, hyper
/// and reqwest use it), re-exported so that a caller needs no dependency of its own.
pub use http::{HeaderMap, HeaderValue};
pub use receiver::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_STORE_DEADLINE, WebhookReceiver,
};
#[cfg(feature = "webhook-server")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook-server")))]
pub use serve::{ServeLimits, serve};
pub use signature::{SIGNATURE_HEADER, sign, verify};
pub use store::{DeliveryStore, Received, StoreError};
pub use whatsapp_phone_numbers_api::webhook::{Entry, Event, Notification, Raw};
pub use whatsapp_phone_numbers_api::webhook::{OtherChange, WebhookChange};
/// A notification body as Graph posts it, with one change (what the mock sends; for tests
/// that post their own), and its `object`.
pub use whatsapp_phone_numbers_api::webhook::{WEBHOOK_OBJECT, notification_body};
