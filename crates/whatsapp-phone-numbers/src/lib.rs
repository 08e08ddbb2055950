//! A client for Meta's **WhatsApp Business phone-number management API** (Graph API).
//!
//! List and add a business's phone numbers; read a number's status, quality rating,
//! messaging tier, verification and display-name review; request and verify registration
//! codes; register and deregister; set the two-step PIN; change settings, the display name,
//! the webhook override and the business profile. Receive Graph's webhooks about those
//! numbers, verified and typed: [`webhooks`].
//!
//! # Quickstart
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use whatsapp_phone_numbers::TwoStepPin;
//! use whatsapp_phone_numbers::v24_0::{Client, PhoneNumberField as Field, types};
//!
//! # async fn run() -> Result<(), whatsapp_phone_numbers::Error> {
//! // WHATSAPP_ACCESS_TOKEN, and optionally WHATSAPP_APP_SECRET and WHATSAPP_BASE_URL.
//! let client = Client::from_env()?;
//!
//! let number = client
//!     .phone_number("106540352242922")
//!     .get()
//!     .fields([Field::Status, Field::QualityRating, Field::Throughput])
//!     .await?;
//! println!("{:?} {:?} (request {:?})", number.status, number.throughput, number.meta().request_id());
//!
//! // Every number of an account, page by page, as a stream.
//! let mut numbers = client.business_account("102290129340398").phone_numbers().list().page_size(100).stream();
//! while let Some(n) = numbers.try_next().await? {
//!     println!("{} {:?}", n.id.unwrap_or_default(), n.quality_rating);
//! }
//!
//! // Registration.
//! let phone = client.phone_number("106540352242922");
//! phone.request_code(types::CodeMethod::Sms, "en_US").await?;
//! phone.register(TwoStepPin::new("150954")?).await?;
//! # Ok(()) }
//! ```
//!
//! # Versions
//!
//! Each Graph API version with a specification in this repository has a module
//! (`v23_0`, `v24_0`) behind the Cargo feature of the same name (`v23_0` is on by default).
//! The module holds `Client` (that is, [`Client<v24_0::Version>`](Client)), the generated
//! `types`, and the field selections (`PhoneNumberField`, ...) of that version: a v23.0
//! client cannot select a field only v24.0 has.
//!
//! ```compile_fail
//! // `throughput` is a v24.0 field: v23.0's selection has no such variant.
//! let _ = whatsapp_phone_numbers::v23_0::PhoneNumberField::Throughput;
//! ```
//!
//! **Which "version" do I want?** Four names, one idea each:
//!
//! | you want | use |
//! |---|---|
//! | one version's client, types and field selections, fixed when you compile | the module: `v24_0::Client`, `v24_0::types`, `v24_0::PhoneNumberField` |
//! | code written once for every version | the trait [`GraphVersion`]: `fn f<V: GraphVersion>(c: &Client<V>)`; each module's `Version` (`v24_0::Version`) is a `V` |
//! | a version chosen when the program runs (a flag, `WHATSAPP_API_VERSION`) | the value [`ApiVersion`] (`"v24.0".parse()`), and [`visit_version`] to run generic code with its types |
//! | the same client with another version's types | [`Client::for_version`]`::<v24_0::Version>()` |
//! | another version in the path, keeping these types | [`ClientBuilder::api_version`], [`Client::with_api_version`] |
//!
//! The resource layer is written once, generic over [`GraphVersion`]. Generic code reads
//! the fields every version has through [`view`] (`use whatsapp_phone_numbers::prelude::*`
//! and `number.status()` works for any version), and [`visit_version`] runs it with the
//! types of a version chosen at run time.
//!
//! **Features stay additive.** The crate root exports only names whose meaning no feature
//! changes: the generic [`Client`], builders, errors, inputs. Everything tied to one version
//! lives in that version's module. Enabling another version anywhere in a dependency graph
//! adds a module and changes nothing a crate already compiled against.
//!
//! **One version decision per client.** A client's paths carry its types' version:
//! `v24_0::Client::from(core)` and [`Client::for_version`] send `/v24.0/`, whoever built
//! the shared [`Core`]. Only an explicit pin ([`ClientBuilder::api_version`],
//! [`Client::with_api_version`]) sends another version with these types.
//!
//! # Features
//!
//! - `v23_0`, `v24_0` (default): one module per Graph API version, additive.
//! - TLS, one needed (see [`tls`]): `rustls` (default, with the `ring` provider: a short
//!   build), `rustls-aws-lc`, `native-tls`, or `plain-http` (no TLS, a local mock only). A
//!   build with none stops with a message naming them.
//! - `webhook-server`: a ready axum receiver for [`webhooks`].
//! - `schemars`: `schemars::JsonSchema` on every generated type.
//!
//! # What you can rely on
//!
//! - **Forward compatibility**: every enum is open: a value Meta adds later decodes as
//!   `Unknown("…")` with the original text; unknown fields are ignored; `null` is accepted
//!   in every optional field.
//! - **Errors**: one [`Error`] type carrying Graph's code, subcode, type, messages,
//!   `fbtrace_id`, `is_transient`, the HTTP status and `x-fb-request-id`, with
//!   [`is_retryable`](Error::is_retryable), [`is_throttling`](Error::is_throttling),
//!   [`is_auth`](Error::is_auth) and [`retry_after`](Error::retry_after).
//! - **Validation**: PINs, codes, locales, country codes, numbers, names, URLs and IDs are
//!   checked before sending, and so is every request body against the version's generated
//!   request type; a bad value is an [`Error::InvalidInput`] naming the field, and nothing
//!   goes on the wire.
//! - **Retries**: 429, 5xx, timeouts, connection failures, throttling codes and
//!   `is_transient` answers are retried with full-jitter exponential backoff (0.5 s base,
//!   8 s cap, 2 retries by default), honouring `Retry-After` and the business use case
//!   usage header. Calls whose `x-retry-class` is `unprocessed-only` (registration, codes)
//!   are retried only when the failure proves the request was not processed. One rule
//!   decides both these retries and [`Error::is_retryable`].
//! - **Throttling before the limit**: every answer's `X-App-Usage` and
//!   `X-Business-Use-Case-Usage` feed a gate shared by every clone of a client, which spaces
//!   requests out as usage climbs past 75% and sends them one spacing apart from 95%, so a
//!   fleet job slows down instead of running into errors 4, 80007 or 80008. See
//!   [`ThrottleConfig`] and [`Client::throttle_status`].
//! - **Decoding**: an answer that does not decode is an [`Error::Decode`] with the status,
//!   a body excerpt and the path of the field that failed (`data[1].id: invalid type ...`).
//!   A list page whose `data` is `null` or missing is such an error, not an empty page: read
//!   as empty, a broken answer would make a fleet look smaller than it is. Paginators yield
//!   the items of the good pages, then the error once, and end.
//! - **Metadata**: every [`Response`] derefs to its body and carries [`ResponseMeta`]:
//!   request ID, served API version, parsed `X-Business-Use-Case-Usage` and `X-App-Usage`.
//! - **Security**: the token travels only in the `Authorization` header (marked sensitive);
//!   with an app secret every request carries `appsecret_proof`; plain `http://` is refused
//!   except on loopback; tokens, secrets, PINs and codes print as `<redacted>`, and are cut
//!   out of error text even when a server echoes them.
//! - **Tracing**: one `whatsapp.request` span per attempt (operation, method, path template,
//!   attempt, status, duration, fbtrace_id) and never a secret.
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod batch;
mod body;
mod builder;
mod call;
mod client;
mod codes;
mod collect;
mod config;
mod core;
mod dispatch;
mod entry_points;
mod error;
mod error_body;
mod fields;
mod meta;
mod paging;
mod query;
mod resources;
mod retry;
mod risk;
mod secret;

pub mod tls;
mod validate;
pub mod webhooks;

// The version modules (`v23_0`, ...), the `ApiVersion` constants and the dispatch from a
// run-time version to its types, written by `cargo xtask regen` from the folders under
// `spec/` into `src/generated/` and re-exported here.
#[rustfmt::skip]
mod generated;
pub use generated::*;

pub use crate::batch::{Batch, BatchResults, Slot};
pub use crate::builder::ClientBuilder;
pub use crate::client::Client;
pub use crate::codes::GraphErrorCode;
pub use crate::config::{
    ApiVersion, DEFAULT_BASE_URL, ENV_ACCESS_TOKEN, ENV_API_VERSION, ENV_APP_SECRET, ENV_BASE_URL,
};
pub use crate::core::Core;
pub use crate::dispatch::{GraphVersion, Picked, VersionVisitor, visit_version};
pub use crate::error::{
    ApiError, DecodeError, Error, HttpError, InvalidInput, NetworkError, NetworkErrorKind,
    ThrottledError,
};
pub use crate::meta::{AppUsage, BusinessUseCaseUsage, Response, ResponseMeta};
pub use crate::query::{Filter, Sort};
pub use crate::resources::account_number::{AccountNumberHandle, GetAccountNumber};
pub use crate::resources::app::AppHandle;
pub use crate::resources::app_subscriptions::{
    AppSubscriptionsHandle, CreateAppSubscription, DeleteAppSubscription, WHATSAPP_BUSINESS_ACCOUNT,
};
pub use crate::resources::automation::SetConversationalAutomation;
pub use crate::resources::business::{BusinessHandle, ListBusinessAccounts};
pub use crate::resources::business_account::{
    AccountPhoneNumbersHandle, AddPhoneNumber, BusinessAccountHandle, ListPhoneNumbers,
};
pub use crate::resources::business_profile::{
    BusinessProfileHandle, GetBusinessProfile, UpdateBusinessProfile,
};
pub use crate::resources::expanded::{AccountNumbers, AccountsWithNumbers, NestedNumbers};
pub use crate::resources::official_business_account::{
    OfficialBusinessAccountHandle, RequestOfficialBusinessAccount,
};
pub use crate::resources::paged::List;
pub use crate::resources::phone_number::{GetPhoneNumber, PhoneNumberHandle, UpdatePhoneNumber};
pub use crate::resources::qr_codes::{ListQrCodes, QrCodesHandle, SaveQrCode};
pub use crate::resources::registration::{Deregister, Register, RequestCode, VerifyCode};
pub use crate::resources::settings::{GetSettings, SettingsHandle, UpdateSettings};
pub use crate::resources::subscriptions::{
    MAX_OVERRIDE_URL_CHARS, SubscribeAndOverride, SubscribeApp, SubscriptionsHandle,
};
pub use crate::resources::uploads::UploadFile;
pub use crate::retry::RetryConfig;
pub use crate::retry::throttle::{ThrottleConfig, ThrottleStatus, ThrottleWindow};
pub use crate::risk::{NumberRisk, Risk, RiskReason, RiskyStatus};
pub use crate::secret::{
    AccessToken, AppAccessToken, AppSecret, TwoStepPin, VerificationCode, VerifyToken,
};
pub use whatsapp_phone_numbers_api::field::Field;
pub use whatsapp_phone_numbers_api::view;
pub use whatsapp_phone_numbers_api::{OpenEnum, Page, Schema};

/// A boxed, `Send`, `Unpin` stream of results, as returned by the paginators.
pub type ResultStream<T> =
    std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<T, Error>> + Send + 'static>>;

/// `use whatsapp_phone_numbers::prelude::*;` brings the client, the inputs, the traits that
/// make generic code read well (`number.status()` on any version), and stream helpers.
pub mod prelude {
    pub use crate::view::prelude::*;
    pub use crate::{
        ApiVersion, Client, Error, Field as _, Filter, GraphVersion, NumberRisk as _,
        OpenEnum as _, Page as _, Sort, TwoStepPin, VerificationCode,
    };
    pub use futures_util::{StreamExt as _, TryStreamExt as _};
}
