//! A number's settings: calling, identity change check, payload encryption, storage.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::{
    CallingSettingsUpdate as _, PhoneNumberSettingsUpdate as _, StorageConfigurationUpdate as _,
    UserIdentityChangeSettings as _,
};

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The settings of one number.
#[derive(Clone, Debug)]
pub struct SettingsHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> SettingsHandle<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }

    /// Reads the settings (`GET /<ID>/settings`).
    pub fn get(&self) -> GetSettings<V> {
        GetSettings {
            client: self.client.clone(),
            id: self.id.clone(),
            include_sip_credentials: false,
        }
    }

    /// Starts a settings update (`POST /<ID>/settings`).
    pub fn update(&self) -> UpdateSettings<V> {
        UpdateSettings {
            client: self.client.clone(),
            id: self.id.clone(),
            body: V::PhoneNumberSettingsUpdate::new(),
        }
    }

    /// Turns the identity change check on or off.
    pub fn set_identity_key_check(&self, enabled: bool) -> UpdateSettings<V> {
        self.update().identity_key_check(enabled)
    }
}

/// `GET /<PHONE_NUMBER_ID>/settings`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetSettings<V: GraphVersion> {
    client: Client<V>,
    id: String,
    include_sip_credentials: bool,
}

impl<V: GraphVersion> GetSettings<V> {
    /// Also reads the SIP passwords (needs additional permissions; they print redacted).
    pub fn include_sip_credentials(mut self) -> Self {
        self.include_sip_credentials = true;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<V::PhoneNumberSettings>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let query: &[(&'static str, &str)] = if self.include_sip_credentials {
            &[("include_sip_credentials", "true")]
        } else {
            &[]
        };
        self.client.call(V::GET_SETTINGS, &[&id], query).await
    }
}

into_future!(GetSettings => Response<V::PhoneNumberSettings>);

/// `POST /<PHONE_NUMBER_ID>/settings`: send only the groups that change.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct UpdateSettings<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::PhoneNumberSettingsUpdate,
}

impl<V: GraphVersion> UpdateSettings<V> {
    /// Turns the identity change check on or off.
    pub fn identity_key_check(mut self, enabled: bool) -> Self {
        self.body
            .user_identity_change_mut()
            .set_enable_identity_key_check(enabled);
        self
    }

    /// Changes business calling.
    pub fn calling(mut self, calling: V::CallingSettingsUpdate) -> Self {
        self.body.calling_mut().merge(calling);
        self
    }

    /// Changes the hours the business takes calls (sending hours without a holiday schedule
    /// removes the holidays).
    pub fn call_hours(mut self, hours: V::CallHours) -> Self {
        self.body.calling_mut().set_call_hours(hours);
        self
    }

    /// Changes SIP calling and its servers (an empty list removes this app's server).
    pub fn sip(mut self, sip: V::SipSettings) -> Self {
        self.body.calling_mut().set_sip(sip);
        self
    }

    /// No-storage mode: Meta keeps message data for 60 minutes only. Set it before
    /// registering the number (Graph API v21.0 and later).
    pub fn no_storage(mut self) -> Self {
        let mut storage = V::StorageConfigurationUpdate::new();
        storage.set_status(V::StorageMode::from("NO_STORAGE_ENABLED"));
        storage.set_retention_minutes(60);
        self.body.set_storage_configuration(storage);
        self
    }

    /// Changes webhook payload encryption.
    pub fn payload_encryption(mut self, encryption: V::PayloadEncryptionUpdate) -> Self {
        self.body.set_payload_encryption(encryption);
        self
    }

    /// Changes where message data is stored.
    pub fn storage_configuration(mut self, storage: V::StorageConfigurationUpdate) -> Self {
        self.body.set_storage_configuration(storage);
        self
    }

    /// The body as it will be sent, in the version's request type.
    pub fn body(&self) -> Result<V::PhoneNumberSettingsUpdate, Error> {
        Ok(self.body.clone())
    }

    /// Sends the update.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if self.body == V::PhoneNumberSettingsUpdate::new() {
            return Err(Error::invalid("settings", "nothing to update"));
        }
        self.client
            .call_with_body(V::UPDATE_SETTINGS, &[&id], &self.body)
            .await
    }
}

into_future!(UpdateSettings => Response<V::SuccessResponse>);
