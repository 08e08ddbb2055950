//! A stateful mock of the Graph API phone-number endpoints for WhatsApp Business, served by
//! [axum](https://docs.rs/axum) on loopback.
//!
//! It answers every operation of `spec/v23.0/openapi.yaml` under any `/vNN.N/` version
//! prefix, with bodies built from the generated types of `whatsapp-phone-numbers-api`:
//!
//! | operation | path |
//! |---|---|
//! | read a number, or an account-number node (the ID decides) | `GET /{v}/{id}` |
//! | update a number (PIN, display name, visibility, username, webhook) | `POST /{v}/{id}` |
//! | list an account's numbers (`fields`, `filtering`, `sort`, `summary`, cursors) | `GET /{v}/{waba-id}/phone_numbers` |
//! | add a number | `POST /{v}/{waba-id}/phone_numbers` |
//! | registration lifecycle | `POST /{v}/{id}/request_code`, `verify_code`, `register`, `deregister` |
//! | settings | `GET`/`POST /{v}/{id}/settings` |
//! | business profile | `GET`/`POST /{v}/{id}/whatsapp_business_profile` |
//!
//! State changes persist: a number added with `POST phone_numbers` can be sent a code
//! (`request_code`), verified with that code, registered with a PIN and deregistered, and
//! every `GET` afterwards shows the change. Errors look like Graph's (`{"error": {"message",
//! "type", "code", "error_subcode", "fbtrace_id"}}`), and every answer carries Graph's
//! headers (`x-fb-request-id`, `x-fb-trace-id`, `facebook-api-version`, `x-app-usage`,
//! `x-business-use-case-usage`). The mock starts with deterministic [demo data](demo).
//!
//! Mock-only endpoints, which need no token and are not logged:
//! - `GET /__mock/verification_code/{phone-number-id}`: `{"code": "123456"}`, the last
//!   code `request_code` sent;
//! - `POST /__mock/faults` (a [`Fault`] or an array of them as JSON), `GET /__mock/faults`,
//!   `DELETE /__mock/faults`: the [fault queue](faults);
//! - `GET /__mock/requests`: the request log (`{"count", "total", "data"}`; it keeps the
//!   last [`DEFAULT_REQUEST_LOG_LIMIT`] requests unless
//!   [`MockServerBuilder::request_log_limit`] says otherwise);
//! - `POST /__mock/events` (a [`MockEvent`] as JSON): makes a change happen (a name review,
//!   a quality or limit change, a ban, a restriction) and sends its [webhook](webhooks);
//! - `GET /__mock/webhooks`: the finished webhook deliveries.
//!
//! # Scale
//!
//! The mock stays usable for load tests of code built on it:
//! [`MockState::seed_fleet`] seeds a business with many accounts and numbers (a few map
//! operations per number); a page of `GET /{waba-id}/phone_numbers` without `filtering`
//! is read from a per-account index in O(log N + page), in either sort order (with
//! `filtering`, the account's numbers are scanned); and the request log keeps the last
//! [`DEFAULT_REQUEST_LOG_LIMIT`] requests (see [`MockServerBuilder::request_log_limit`])
//! while [`MockState::request_count`] counts them all.
//!
//! # Example
//!
//! ```
//! use whatsapp_phone_numbers_mock::{MockServer, demo};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start().await;
//! let http = reqwest::Client::new();
//!
//! // The demo account's numbers, two per page.
//! let page: serde_json::Value = http
//!     .get(server.url(&format!("/v23.0/{}/phone_numbers?limit=2", demo::DEMO_WABA_ID)))
//!     .bearer_auth(server.access_token())
//!     .send()
//!     .await
//!     .unwrap()
//!     .json()
//!     .await
//!     .unwrap();
//! assert_eq!(page["data"].as_array().unwrap().len(), 2);
//! assert!(page["paging"]["next"].is_string());
//!
//! // The next request is throttled the way Graph throttles an app.
//! server.faults().rate_limited(30);
//! let throttled = http
//!     .get(server.url(&format!("/v23.0/{}", demo::DEMO_NUMBER_ID)))
//!     .bearer_auth(server.access_token())
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(throttled.status(), 429);
//! assert_eq!(throttled.headers()["retry-after"], "30");
//!
//! // The state handle sees every request, faulted ones included.
//! assert_eq!(server.state().request_count(), 2);
//! server.shutdown().await;
//! # }
//! ```
#![warn(missing_docs)]

mod apps;
mod auth;
pub mod demo;
mod errors;
mod events;
mod fault_answers;
pub mod faults;
mod fields;
mod handlers;
mod headers;
mod ids;
mod paging;
mod params;
mod rate_limits;
mod routes;
mod server;
mod service;
mod state;
mod table;
pub mod webhooks;

pub use apps::{MOCK_APP_ID, MOCK_APP_NAME, MockApp, WebhookOverride};
pub use auth::appsecret_proof;
pub use events::MockEvent;
pub use faults::{Fault, FaultKind, Faults};
pub use rate_limits::RateLimits;
pub use server::{DEFAULT_ACCESS_TOKEN, MockServer, MockServerBuilder, serve, serve_until_ctrl_c};
pub use service::MockService;
pub use state::{
    BusinessRecord, DEFAULT_REQUEST_LOG_LIMIT, MockState, NumberRecord, RecordedRequest,
};
pub use webhooks::{DEFAULT_APP_SECRET, Delivery, DeliveryPolicy};
pub use whatsapp_phone_numbers_api::v24_0::types;
