//! The records the mock keeps: a phone number with what Graph keeps but never shows, a
//! business portfolio, an upload in progress.

use std::collections::BTreeMap;

use whatsapp_phone_numbers_api::v24_0::types;

use crate::apps::WebhookOverride;
use crate::clock::unix_now;

/// Everything the mock stores about one business phone number.
///
/// `number` is the node as Graph would return it with every field asked for; the other
/// fields are what Graph keeps but never shows on the node.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberRecord {
    /// ID of the WhatsApp Business Account that owns the number.
    pub waba_id: String,
    /// The phone number node. Its `id` is the node ID (assigned on insert when `None`).
    pub number: types::PhoneNumber,
    /// When the number was onboarded (Unix seconds): the list's sort key.
    pub onboarded_at: i64,
    /// The two-step verification PIN, once one is set.
    pub pin: Option<String>,
    /// The last verification code sent by `request_code`.
    pub verification_code: Option<String>,
    /// How many verification codes `request_code` has sent.
    pub codes_sent: u32,
    /// True from a `request_code` until its code is verified: registering waits for it.
    pub code_pending: bool,
    /// The number's settings (`GET /{id}/settings`).
    pub settings: types::PhoneNumberSettings,
    /// The business profile (`GET /{id}/whatsapp_business_profile`).
    pub profile: types::BusinessProfile,
    /// The number's callback overrides, by app (`webhook_configuration.override_callback_uri`
    /// sent with that app's token).
    pub webhook_overrides: BTreeMap<String, WebhookOverride>,
    /// The display name requested with `new_display_name`, while it waits for review.
    pub requested_name: Option<String>,
    /// A display name Meta approved, waiting for the number to register again: Meta's
    /// registration guide says to re-register after the approval, and the name takes
    /// effect then.
    pub approved_name: Option<String>,
    /// When (Unix seconds) the number was sent `register` or `deregister` requests, within
    /// the last 72 hours.
    pub registration_requests: Vec<i64>,
    /// Until when (Unix seconds) registration is refused with error 133016.
    pub registration_blocked_until: Option<i64>,
    /// The status of `number.username` (`GET /{id}/username`): `reserved` once claimed.
    pub username_status: Option<String>,
    /// Commerce settings (`/{id}/whatsapp_commerce_settings`).
    pub commerce: types::CommerceSettings,
    /// The business public key (`/{id}/whatsapp_business_encryption`), once uploaded.
    pub business_public_key: Option<String>,
}

impl NumberRecord {
    /// A record for `number` on account `waba_id`, onboarded now, with no PIN or code,
    /// default settings and an empty profile.
    pub fn new(waba_id: impl Into<String>, number: types::PhoneNumber) -> Self {
        Self {
            waba_id: waba_id.into(),
            number,
            onboarded_at: unix_now(),
            pin: None,
            verification_code: None,
            codes_sent: 0,
            code_pending: false,
            settings: default_settings(),
            profile: types::BusinessProfile {
                messaging_product: Some(types::MessagingProduct::Whatsapp),
                ..Default::default()
            },
            webhook_overrides: BTreeMap::new(),
            requested_name: None,
            approved_name: None,
            registration_requests: Vec::new(),
            registration_blocked_until: None,
            username_status: None,
            commerce: types::CommerceSettings::default(),
            business_public_key: None,
        }
    }

    /// The node ID (empty only for a record that was never inserted).
    pub fn id(&self) -> &str {
        self.number.id.as_deref().unwrap_or_default()
    }
}

/// The settings a freshly added number has.
pub(crate) fn default_settings() -> types::PhoneNumberSettings {
    types::PhoneNumberSettings {
        calling: Some(types::CallingSettings {
            status: Some(types::FeatureStatus::Disabled),
            ..Default::default()
        }),
        payload_encryption: Some(types::PayloadEncryptionSettings {
            client_encryption_key_fingerprint: None,
            status: Some(types::FeatureStatus::Disabled),
        }),
        storage_configuration: Some(types::StorageConfiguration {
            status: Some(types::StorageConfigurationStatus::Default),
            ..Default::default()
        }),
        user_identity_change: Some(types::UserIdentityChangeSettings {
            enable_identity_key_check: Some(false),
        }),
    }
}

/// A business portfolio: the accounts it owns and the ones clients shared with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BusinessRecord {
    /// Accounts the business owns, in the order they were added.
    pub owned: Vec<String>,
    /// Accounts shared with the business, in the order they were added.
    pub client: Vec<String>,
}

/// A resumable upload in progress.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct UploadRecord {
    pub(crate) file_type: String,
    pub(crate) file_length: u64,
    pub(crate) bytes: Vec<u8>,
}
