//! One business phone number: read it, update it, and reach its settings, business profile
//! and registration calls.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::{
    BusinessApiData as _, PhoneNumberUpdate as _, WebhookConfiguration as _,
};
use whatsapp_phone_numbers_api::sensitive::SensitiveString;

use super::automation::SetConversationalAutomation;
use super::business_profile::BusinessProfileHandle;
use super::into_future;
use super::official_business_account::OfficialBusinessAccountHandle;
use super::qr_codes::QrCodesHandle;
use super::registration::{Deregister, Register, RequestCode, VerifyCode};
use super::settings::SettingsHandle;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::secret::{TwoStepPin, VerificationCode};
use crate::validate;

impl<V: GraphVersion> PhoneNumberHandle<V> {
    /// The handle [`Client::phone_number`] gives.
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }
}

/// One business phone number. Nothing is sent until a builder is awaited.
#[derive(Clone, Debug)]
pub struct PhoneNumberHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> PhoneNumberHandle<V> {
    /// The phone number ID this handle addresses.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the number (`GET /<ID>`).
    pub fn get(&self) -> GetPhoneNumber<V> {
        GetPhoneNumber {
            client: self.client.clone(),
            id: self.id.clone(),
            fields: Vec::new(),
        }
    }

    /// Starts an update (`POST /<ID>`): PIN, display name, webhook override, ...
    pub fn update(&self) -> UpdatePhoneNumber<V> {
        UpdatePhoneNumber {
            client: self.client.clone(),
            id: self.id.clone(),
            body: V::PhoneNumberUpdate::new(),
            error: None,
        }
    }

    /// Changes the two-step verification PIN.
    pub fn set_pin(&self, pin: TwoStepPin) -> UpdatePhoneNumber<V> {
        self.update().pin(pin)
    }

    /// Requests a new display name (it goes to review; watch `new_name_status`).
    pub fn set_display_name(&self, name: impl Into<String>) -> UpdatePhoneNumber<V> {
        self.update().new_display_name(name)
    }

    /// Points this number's webhooks at `url` (https).
    pub fn set_webhook(
        &self,
        url: impl Into<String>,
        verify_token: Option<String>,
    ) -> UpdatePhoneNumber<V> {
        self.update().webhook(url, verify_token)
    }

    /// Sends a verification code by SMS or voice call, in `language` (such as `en_US`).
    pub fn request_code(
        &self,
        method: V::CodeMethod,
        language: impl Into<String>,
    ) -> RequestCode<V> {
        RequestCode::new(
            self.client.clone(),
            self.id.clone(),
            method,
            language.into(),
        )
    }

    /// Proves ownership with the code that was sent.
    pub fn verify_code(&self, code: VerificationCode) -> VerifyCode<V> {
        VerifyCode::new(self.client.clone(), self.id.clone(), code)
    }

    /// Registers the number with Cloud API, setting its two-step PIN.
    pub fn register(&self, pin: TwoStepPin) -> Register<V> {
        Register::new(self.client.clone(), self.id.clone(), pin)
    }

    /// Deregisters the number from Cloud API.
    pub fn deregister(&self) -> Deregister<V> {
        Deregister::new(self.client.clone(), self.id.clone())
    }

    /// The number's settings.
    pub fn settings(&self) -> SettingsHandle<V> {
        SettingsHandle::new(self.client.clone(), self.id.clone())
    }

    /// The number's Official Business Account status and application.
    pub fn official_business_account(&self) -> OfficialBusinessAccountHandle<V> {
        OfficialBusinessAccountHandle::new(self.client.clone(), self.id.clone())
    }

    /// The number's QR codes.
    pub fn qr_codes(&self) -> QrCodesHandle<V> {
        QrCodesHandle::new(self.client.clone(), self.id.clone())
    }

    /// Sets the welcome message, prompts and commands (read them back with the
    /// `conversational_automation` field).
    pub fn conversational_automation(&self) -> SetConversationalAutomation<V> {
        SetConversationalAutomation::new(self.client.clone(), self.id.clone())
    }

    /// `GET /<PHONE_NUMBER_ID>/whatsapp_commerce_settings`: whether the number shows its
    /// catalog and a cart.
    pub fn commerce_settings(&self) -> super::commerce::GetCommerceSettings<V> {
        super::commerce::GetCommerceSettings {
            client: self.client.clone(),
            id: self.id.clone(),
        }
    }

    /// `POST /<PHONE_NUMBER_ID>/whatsapp_commerce_settings`: show or hide the catalog and
    /// the cart.
    pub fn set_commerce_settings(&self) -> super::commerce::SetCommerceSettings<V> {
        super::commerce::SetCommerceSettings {
            client: self.client.clone(),
            id: self.id.clone(),
            cart: None,
            catalog: None,
        }
    }

    /// `GET /<PHONE_NUMBER_ID>/whatsapp_business_encryption`: the business public key Flows
    /// encrypt with, and whether Meta's signature of it matches.
    pub fn business_encryption(&self) -> super::commerce::GetBusinessEncryption<V> {
        super::commerce::GetBusinessEncryption {
            client: self.client.clone(),
            id: self.id.clone(),
        }
    }

    /// `POST /<PHONE_NUMBER_ID>/whatsapp_business_encryption`: uploads a business public
    /// key (an RSA public key in PEM; a private key is refused before sending).
    pub fn set_business_encryption(
        &self,
        public_key: impl Into<String>,
    ) -> super::commerce::SetBusinessEncryption<V> {
        super::commerce::SetBusinessEncryption {
            client: self.client.clone(),
            id: self.id.clone(),
            key: public_key.into(),
        }
    }

    /// The number's business username: read, claim, remove, suggestions.
    pub fn username(&self) -> super::username::UsernameHandle<V> {
        super::username::UsernameHandle::new(self.client.clone(), self.id.clone())
    }

    /// The business profile shown for this number.
    pub fn business_profile(&self) -> BusinessProfileHandle<V> {
        BusinessProfileHandle::new(self.client.clone(), self.id.clone())
    }
}

/// `GET /<PHONE_NUMBER_ID>`. Await it, or call [`send`](Self::send).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetPhoneNumber<V: GraphVersion> {
    client: Client<V>,
    id: String,
    fields: Vec<V::PhoneNumberField>,
}

impl<V: GraphVersion> GetPhoneNumber<V> {
    /// Selects fields (replacing earlier ones). Without fields, Graph sends its defaults.
    pub fn fields(mut self, fields: impl IntoIterator<Item = V::PhoneNumberField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Adds one field.
    pub fn field(mut self, field: V::PhoneNumberField) -> Self {
        self.fields.push(field);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<V::PhoneNumber>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client
            .select(V::GET_PHONE_NUMBER, &[&id], &self.fields)
            .await
    }
}

into_future!(GetPhoneNumber => Response<V::PhoneNumber>);

/// `POST /<PHONE_NUMBER_ID>`: send only what changes.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct UpdatePhoneNumber<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::PhoneNumberUpdate,
    error: Option<Error>,
}

impl<V: GraphVersion> UpdatePhoneNumber<V> {
    fn check(mut self, result: Result<(), Error>) -> Self {
        validate::keep_first(&mut self.error, result);
        self
    }

    /// A new two-step verification PIN.
    pub fn pin(mut self, pin: TwoStepPin) -> Self {
        self.body.set_pin(SensitiveString::new(pin.expose()));
        self
    }

    /// A display name to submit for review (2 to 75 characters).
    pub fn new_display_name(mut self, name: impl Into<String>) -> Self {
        let checked = validate::display_name("new_display_name", &name.into());
        let result = checked.map(|name| self.body.set_new_display_name(name));
        self.check(result)
    }

    /// Sends this number's messaging webhooks (the fields overrides carry) to `url`, an
    /// override of the calling app: https, at most 200 characters (`http://` only for a
    /// loopback host, which only a local mock calls), with the verify token Graph's
    /// handshake sends. Graph accepts it only once the app is subscribed to the number's
    /// account.
    pub fn webhook(mut self, url: impl Into<String>, verify_token: Option<String>) -> Self {
        let checked = super::subscriptions::override_url("webhook_url", &url.into())
            .and_then(|url| validate::convert("webhook_url", &url));
        let result = checked.map(|url| {
            let mut config = V::WebhookConfiguration::new(url);
            if let Some(token) = verify_token {
                config.set_verify_token(SensitiveString::new(token));
            }
            self.body.set_webhook_configuration(config);
        });
        self.check(result)
    }

    /// Sets this number's callback URL with `webhook_url` (https), the field Meta's reference
    /// documents beside `webhook_configuration`.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        let checked = validate::https_url("webhook_url", &url.into());
        let result = checked.map(|url| self.body.set_webhook_url(url));
        self.check(result)
    }

    /// Whether customers see a notice when the business's security code changes.
    pub fn show_security_notifications(mut self, show: bool) -> Self {
        self.body
            .whatsapp_business_api_data_mut()
            .set_show_security_notifications(show);
        self
    }

    /// Whether customers are told when the business changes its number.
    pub fn notify_user_change_number(mut self, notify: bool) -> Self {
        self.body
            .whatsapp_business_api_data_mut()
            .set_notify_user_change_number(notify);
        self
    }

    /// Removes the webhook override (back to the app's callback URL).
    pub fn remove_webhook_override(mut self) -> Self {
        let result = validate::convert("webhook_url", "").map(|none| {
            self.body
                .set_webhook_configuration(V::WebhookConfiguration::new(none))
        });
        self.check(result)
    }

    /// Whether the business can be found through WhatsApp search.
    pub fn search_visibility(mut self, visibility: V::SearchVisibility) -> Self {
        self.body.set_search_visibility(visibility);
        self
    }

    /// Writes a connection status.
    pub fn connection_status(mut self, status: V::ConnectionStatus) -> Self {
        self.body.set_connection_status(status);
        self
    }

    /// Claims a business username.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        let checked = validate::username("username", &username.into());
        let result = checked.map(|u| self.body.set_username(u));
        self.check(result)
    }

    /// The body as it will be sent, in the version's request type (secrets print
    /// redacted), or the error `send` would return.
    pub fn body(&self) -> Result<V::PhoneNumberUpdate, Error> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        Ok(self.body.clone())
    }

    /// Sends the update.
    pub async fn send(self) -> Result<Response<V::PhoneNumberUpdateResult>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.body == V::PhoneNumberUpdate::new() {
            return Err(Error::invalid("update", "nothing to update"));
        }
        self.client
            .call_with_body(V::UPDATE_PHONE_NUMBER, &[&id], &self.body)
            .await
    }
}

into_future!(UpdatePhoneNumber => Response<V::PhoneNumberUpdateResult>);
