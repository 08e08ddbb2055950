//! The registration lifecycle of a number: request and verify a code, register with a
//! two-step PIN, deregister. These calls have effects that must not happen twice, so they
//! are retried only when the failure proves Graph did not process them (the operation
//! table's `unprocessed-only` retry class).

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::{
    RegisterRequest as _, RegistrationBackup as _, RequestCodeRequest as _, VerifyCodeRequest as _,
};
use whatsapp_phone_numbers_api::sensitive::SensitiveString;

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::secret::{TwoStepPin, VerificationCode};
use crate::validate;

/// `POST /<PHONE_NUMBER_ID>/request_code`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct RequestCode<V: GraphVersion> {
    client: Client<V>,
    id: String,
    method: V::CodeMethod,
    language: String,
}

impl<V: GraphVersion> RequestCode<V> {
    pub(crate) fn new(
        client: Client<V>,
        id: String,
        method: V::CodeMethod,
        language: String,
    ) -> Self {
        Self {
            client,
            id,
            method,
            language,
        }
    }

    /// Sends the request. Retried only when Graph throttled it or it was never sent.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let language = validate::locale("language", &self.language)?;
        let body = V::RequestCodeRequest::new(self.method, language);
        self.client
            .call_with_body(V::REQUEST_CODE, &[&id], &body)
            .await
    }
}

into_future!(RequestCode => Response<V::SuccessResponse>);

/// `POST /<PHONE_NUMBER_ID>/verify_code`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct VerifyCode<V: GraphVersion> {
    client: Client<V>,
    id: String,
    code: VerificationCode,
}

impl<V: GraphVersion> VerifyCode<V> {
    pub(crate) fn new(client: Client<V>, id: String, code: VerificationCode) -> Self {
        Self { client, id, code }
    }

    /// Sends the code. Retried only when Graph throttled it or it was never sent. The answer
    /// carries the verified number's ID.
    pub async fn send(self) -> Result<Response<V::VerifyCodeResult>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let body = V::VerifyCodeRequest::new(SensitiveString::new(self.code.expose()));
        self.client
            .call_with_body(V::VERIFY_CODE, &[&id], &body)
            .await
    }
}

into_future!(VerifyCode => Response<V::VerifyCodeResult>);

/// `POST /<PHONE_NUMBER_ID>/register`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct Register<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::RegisterRequest,
    error: Option<Error>,
}

impl<V: GraphVersion> Register<V> {
    pub(crate) fn new(client: Client<V>, id: String, pin: TwoStepPin) -> Self {
        let body = V::RegisterRequest::new(
            V::MessagingProduct::from("whatsapp"),
            SensitiveString::new(pin.expose()),
        );
        Self {
            client,
            id,
            body,
            error: None,
        }
    }

    /// Stores message data at rest in this region (local storage).
    pub fn data_localization_region(mut self, region: V::DataLocalizationRegion) -> Self {
        self.body.set_data_localization_region(region);
        self
    }

    /// Registers to production (`PROD`) or the sandbox (`SANDBOX`).
    ///
    /// Deprecated: only Meta's OpenAPI description for v23.0 lists `tier`; Meta's
    /// registration guide and its Graph API reference of `/register` no longer do, and the
    /// mock refuses it on v24.0 and later.
    #[deprecated(
        since = "0.1.0",
        note = "Meta's registration reference no longer lists `tier`; register without it"
    )]
    pub fn tier(mut self, tier: V::RegistrationTier) -> Self {
        self.body.set_tier(tier);
        self
    }

    /// No-storage mode for Graph API v20.0 and older: Meta keeps message data for
    /// `minutes` (60 is the only value it takes). From v21.0 on, use
    /// [`UpdateSettings::no_storage`](crate::UpdateSettings::no_storage) before registering.
    pub fn meta_store_retention_minutes(mut self, minutes: u32) -> Self {
        if minutes == 60 {
            self.body.set_meta_store_retention_minutes(60);
        } else {
            validate::keep_first(
                &mut self.error,
                Err(Error::invalid(
                    "meta_store_retention_minutes",
                    format!("must be 60, got {minutes}"),
                )),
            );
        }
        self
    }

    /// Restores an On-Premises backup while migrating to Cloud API.
    pub fn backup(mut self, data: impl Into<String>, password: impl Into<String>) -> Self {
        let mut backup = V::RegistrationBackup::new();
        backup.set_data(data.into());
        backup.set_password(SensitiveString::new(password));
        self.body.set_backup(backup);
        self
    }

    /// Sends the registration. Retried only when Graph throttled it or it was never
    /// sent; registration throttling (133016) is never retried.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        self.client
            .call_with_body(V::REGISTER_PHONE_NUMBER, &[&id], &self.body)
            .await
    }
}

into_future!(Register => Response<V::SuccessResponse>);

/// `POST /<PHONE_NUMBER_ID>/deregister`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct Deregister<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> Deregister<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }

    /// Sends the request. Retried only when Graph throttled it or it was never sent.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client
            .call(V::DEREGISTER_PHONE_NUMBER, &[&id], &[])
            .await
    }
}

into_future!(Deregister => Response<V::SuccessResponse>);
