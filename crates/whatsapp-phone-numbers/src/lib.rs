#![doc = include_str!("../README.md")]
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
pub use crate::resources::commerce::{
    GetBusinessEncryption, GetCommerceSettings, SetBusinessEncryption, SetCommerceSettings,
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
pub use crate::resources::username::{
    DeleteUsername, GetUsername, SetUsername, UsernameHandle, UsernameSuggestions,
};
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
