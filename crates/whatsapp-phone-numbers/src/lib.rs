//! A client for Meta's **WhatsApp Business phone-number management API** (Graph API).
//!
//! List and add a business's phone numbers; read a number's status, quality rating,
//! messaging tier, verification and display-name review; request and verify registration
//! codes; register and deregister; set the two-step PIN; change settings, the display name,
//! the webhook override and the business profile.
//!
//! # Quickstart
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use whatsapp_phone_numbers::{Client, Pin, PhoneNumberField as Field, types};
//!
//! # async fn run() -> Result<(), whatsapp_phone_numbers::Error> {
//! // WHATSAPP_ACCESS_TOKEN, and optionally WHATSAPP_APP_SECRET and WHATSAPP_BASE_URL.
//! let client = Client::from_env()?;
//!
//! let number = client
//!     .phone_number("106540352242922")
//!     .get()
//!     .fields([Field::Status, Field::QualityRating, Field::MessagingLimitTier])
//!     .await?;
//! println!("{:?} {:?} (request {:?})", number.status, number.quality_rating, number.meta().request_id);
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
//! phone.register(Pin::new("150954")?).await?;
//! # Ok(()) }
//! ```
//!
//! # What you can rely on
//!
//! - **Versions**: each enabled Graph API version has a module (`v23_0`, `v24_0`; Cargo
//!   features of the same names, additive) with a `Client` bound to that version's generated
//!   types; the crate root re-exports the default one. The runtime [`ApiVersion`] (default:
//!   the types' version) is what goes in the path.
//! - **Forward compatibility**: every enum is open — a value Meta adds later decodes as
//!   `Unknown("…")` with the original text; unknown fields are ignored; `null` is accepted
//!   in every optional field.
//! - **Errors**: one [`Error`] type carrying Graph's code, subcode, type, messages,
//!   `fbtrace_id`, `is_transient`, the HTTP status and `x-fb-request-id`, with
//!   [`is_retryable`](Error::is_retryable), [`is_throttling`](Error::is_throttling),
//!   [`is_auth`](Error::is_auth) and [`retry_after`](Error::retry_after).
//! - **Validation**: PINs, codes, locales, country codes, numbers, names, URLs and IDs are
//!   checked before sending; a bad value is an [`Error::InvalidInput`] naming the field, and
//!   nothing goes on the wire.
//! - **Retries**: 429, 5xx, timeouts, connection failures, throttling codes and
//!   `is_transient` answers are retried with full-jitter exponential backoff (0.5 s base,
//!   8 s cap, 2 retries by default), honouring `Retry-After` and the business use case
//!   usage header. Registration calls are retried only when the failure proves the request
//!   was not processed.
//! - **Metadata**: every [`Response`] derefs to its body and carries [`ResponseMeta`]:
//!   request ID, served API version, parsed `X-Business-Use-Case-Usage` and `X-App-Usage`.
//! - **Security**: the token travels only in the `Authorization` header (marked sensitive);
//!   with an app secret every request carries `appsecret_proof`; plain `http://` is refused
//!   except on loopback; tokens, secrets, PINs and codes print as `<redacted>`.
//! - **Tracing**: one `whatsapp.request` span per attempt (operation, method, path template,
//!   attempt, status, duration, fbtrace_id) and never a secret.
#![warn(missing_docs)]

#[cfg(not(any(feature = "v23_0", feature = "v24_0")))]
compile_error!(
    "whatsapp-phone-numbers needs at least one Graph API version feature: `v23_0` (default) or `v24_0`"
);

mod api;
pub mod config;
mod core;
pub mod error;
pub mod fields;
pub mod meta;
mod paging;
pub mod query;
pub mod secret;
mod transport;
mod validate;

#[cfg(feature = "v23_0")]
pub mod v23_0;
#[cfg(feature = "v24_0")]
pub mod v24_0;

pub use crate::config::{ApiVersion, BuildClient, ClientBuilder, RetryConfig};
pub use crate::core::Core;
pub use crate::error::{ApiError, DecodeError, Error, HttpError, InvalidInput, NetworkError};
/// Short name for [`PhoneNumberField`], the most used selection.
pub use crate::fields::PhoneNumberField as Field;
pub use crate::fields::{AccountNumberField, BusinessProfileField, PhoneNumberField};
pub use crate::meta::{AppUsage, BusinessUseCaseUsage, Response, ResponseMeta};
pub use crate::query::{Filter, Sort};
pub use crate::secret::{AccessToken, AppSecret, Pin, VerificationCode};

/// A boxed, `Send`, `Unpin` stream of results, as returned by the paginators.
pub type ResultStream<T> =
    std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<T, Error>> + Send + 'static>>;

/// The default version's client and types: Graph API v23.0, or v24.0 when only the
/// `v24_0` feature is enabled.
#[cfg(feature = "v23_0")]
pub use crate::v23_0::{
    AccountNumberHandle, AddPhoneNumber, BusinessAccountHandle, BusinessProfileHandle, Client,
    Deregister, GetAccountNumber, GetBusinessProfile, GetPhoneNumber, GetSettings,
    ListPhoneNumbers, PhoneNumberHandle, PhoneNumbersHandle, Register, RequestCode, SettingsHandle,
    UpdateBusinessProfile, UpdatePhoneNumber, UpdateSettings, VerifyCode, types,
};
#[cfg(all(feature = "v24_0", not(feature = "v23_0")))]
pub use crate::v24_0::{
    AccountNumberHandle, AddPhoneNumber, BusinessAccountHandle, BusinessProfileHandle, Client,
    Deregister, GetAccountNumber, GetBusinessProfile, GetPhoneNumber, GetSettings,
    ListPhoneNumbers, PhoneNumberHandle, PhoneNumbersHandle, Register, RequestCode, SettingsHandle,
    UpdateBusinessProfile, UpdatePhoneNumber, UpdateSettings, VerifyCode, types,
};

/// `use whatsapp_phone_numbers::prelude::*;` brings the client, inputs and stream helpers.
pub mod prelude {
    pub use crate::{
        AccountNumberField, ApiVersion, BusinessProfileField, Error, Filter, PhoneNumberField, Pin,
        Sort, VerificationCode,
    };
    #[cfg(any(feature = "v23_0", feature = "v24_0"))]
    pub use crate::{Client, types};
    pub use futures_util::{StreamExt as _, TryStreamExt as _};
}
