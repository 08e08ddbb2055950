//! A stateful mock of the Graph API phone-number endpoints for WhatsApp Business, served by
//! [axum](https://docs.rs/axum) on loopback.
//!
//! # Served from the specifications
//!
//! The mock answers every operation of every specification under `spec/` (one Cargo
//! feature per version, all on by default) and nothing else, from the generated tables of
//! `whatsapp-phone-numbers-api` ([`VersionTable`](whatsapp_phone_numbers_api::operation::VersionTable)):
//!
//! - **Routing**: a request is matched to an operation of the requested version's table by
//!   method and path template; the kind of node its ID names (a number, an account, an
//!   account number, a business, an app, an upload session) decides between templates that
//!   look alike (`/{v}/{id}`). A version without a specification is served by the nearest
//!   older one; one older than every specification by the oldest, named so in
//!   `facebook-api-version` (Meta's "Platform Versioning" page: calls to a version no longer
//!   available default to the oldest usable one). No source says what Graph does with a
//!   version that does not exist yet; the mock serves it with the newest.
//! - **Credentials** follow the operation's security: a system-user token of one of the
//!   mock's apps for account and number endpoints, an app access token for an app's own
//!   ones, none for `GET /oauth/access_token`; `appsecret_proof` only when the app
//!   requires it (Graph's "Require App Secret" setting).
//! - **Parameters and bodies** are held to the version's generated types: declared query
//!   parameters by type, request bodies strictly (a key the version lacks, a wrong type, a
//!   `null`, a missing required field, a value over a documented length → Graph's error
//!   100 naming the parameter; see `request::decode` in the API crate). Query and form
//!   values are text, read as the numbers and booleans a field wants. Undeclared query
//!   parameters of a read are ignored (no source says Graph refuses them).
//! - **Field selections** come from the read schema's generated selection: its default
//!   fields without `fields`, the fields Graph always sends, Graph's error 100 for a field
//!   the node type lacks, Graph's syntax (modifiers such as `qr_image_url.format(SVG)`,
//!   nested braces) with error 2500 for a selection that does not parse.
//!
//! Hand-written code is state and behaviour only: one handler per operation, registered
//! by `operationId`. The crate's tests fail, naming what is missing, for an operation of
//! any specification the mock does not serve and for a read field the demo data never
//! fills.
//!
//! # Rules Graph documents, and their sources
//!
//! - Registration in the order of Meta's registration guide: request a code, verify it,
//!   register; at most 10 `register`/`deregister` requests per number in 72 hours, then
//!   133016 for 72 hours (Meta's Cloud API registration reference and its error table).
//!   An approved display name takes effect when the number registers again (the guide:
//!   "After approval, re-register your phone number").
//! - At most 2,000 QR codes per number, 140 characters of prefilled message (Meta's QR code
//!   page).
//! - Rate limits ([`RateLimits`]): an account refused with 80008 stays refused until the
//!   time the refusal announced (`estimated_time_to_regain_access`).
//! - Webhooks are routed as Graph routes them ([`webhooks`]): to the apps subscribed to the
//!   account whose own subscription lists the field; only the messaging fields an override
//!   carries go to a number's or account's override (Meta's "Webhook overrides" page). An
//!   override is accepted only from a subscribed app, at most 200 characters.
//! - Calling settings take `ENABLED`/`enabled` alike (Meta's calling page and its reference
//!   disagree on the case).
//!
//! Where the mock had to choose words or codes no source gives, its docs say so (the
//! error texts in `GraphError`, the registration-order refusal, the 2,001st QR code).
//!
//! # Apps and tokens
//!
//! The default app [`MOCK_APP_ID`] (system-user token [`DEFAULT_ACCESS_TOKEN`], secret
//! [`DEFAULT_APP_SECRET`] unless the builder says otherwise) is subscribed to the demo
//! account and has its own subscription (an `https://` callback, so nothing is sent until a
//! test subscribes a loopback one). The demo adds two more apps: one subscribed to the
//! second account, one subscribed to nothing ([`demo::DEMO_PARTNER_APP_ID`],
//! [`demo::DEMO_IDLE_APP_ID`]); [`MockServerBuilder::app`] adds others. Each app's app access
//! token is `APP_ID|APP_SECRET`, or one `GET /oauth/access_token` issued.
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
//!   [`MockServerBuilder::request_log_limit`] says otherwise; `access_token` and
//!   `client_secret` values are never kept);
//! - `POST /__mock/events` (a [`MockEvent`] as JSON): makes a change happen (a name review,
//!   a quality, limit or status change, a ban, a restriction, any raw field) and sends its
//!   [webhooks];
//! - `GET /__mock/webhooks`: the finished webhook deliveries (those
//!   [lost on purpose](DeliveryPolicy::drop_percent) included);
//! - `GET /__mock/changes`: the [change log](MockChange), a JSON array of every change made
//!   to a number's quality rating, messaging limit or status, oldest first, each with what
//!   became of its webhook;
//! - `GET /__mock/apps`: the apps, by ID and name (never a secret or a token).
//!
//! # A lively fleet
//!
//! For testing a fleet watcher: [`MockServerBuilder::lively`] makes numbers change by
//! themselves (quality rating, messaging limit, status, one change every few seconds, each
//! number at most once per cooldown), [`DeliveryPolicy::drop_percent`] loses a share of the
//! webhooks on purpose, and the change log ([`MockState::changes`], `GET /__mock/changes`)
//! lists every change with what became of its webhook, so a test can check that the
//! watcher saw each one.
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
mod batch;
mod changes;
mod clock;
pub mod demo;
mod errors;
mod events;
mod fault_answers;
pub mod faults;
mod fields;
mod fleet;
mod handlers;
mod headers;
mod ids;
mod lively;
mod paging;
mod params;
mod rate_limits;
mod records;
mod request_log;
mod routes;
mod server;
mod service;
mod state;
mod table;
pub mod webhooks;

pub use apps::{MOCK_APP_ID, MOCK_APP_NAME, MockApp, WebhookOverride};
pub use auth::appsecret_proof;
pub use batch::MAX_BATCH_ITEMS;
pub use changes::{
    CHANGE_LOG_LIMIT, FIELD_MESSAGING_LIMIT, FIELD_QUALITY_RATING, FIELD_STATUS, MockChange,
    WebhookOutcome,
};
pub use events::MockEvent;
pub use faults::{Fault, FaultKind, Faults};
pub use lively::Lively;
pub use rate_limits::RateLimits;
pub use records::{BusinessRecord, NumberRecord};
pub use request_log::{DEFAULT_REQUEST_LOG_LIMIT, RecordedRequest, token_fingerprint};
pub use server::{DEFAULT_ACCESS_TOKEN, MockServer, MockServerBuilder, serve, serve_until_ctrl_c};
pub use service::MockService;
pub use state::{DEFAULT_EXPANSION_LIMIT, MockState};
pub use webhooks::{DEFAULT_APP_SECRET, Delivery, DeliveryPolicy, WebhookStats};
pub use whatsapp_phone_numbers_api::v24_0::types;
