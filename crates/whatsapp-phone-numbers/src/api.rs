//! The resource layer, written once and expanded for each enabled Graph API version.
//!
//! `versioned_api!(v23_0, ApiVersion::V23_0)` defines, inside a version module, a `Client`
//! bound to that version's generated types, and the resource handles and request builders
//! (`client.phone_number(id).get()`, ...). Everything version-independent (transport,
//! retries, errors, validation, paging) lives outside the macro.

/// Implements `IntoFuture` for a builder with an `async fn send(self)`.
#[allow(unused_macros)]
macro_rules! into_future {
    ($builder:ident => $output:ty) => {
        impl ::std::future::IntoFuture for $builder {
            type Output = ::std::result::Result<$output, $crate::Error>;
            type IntoFuture = ::std::pin::Pin<
                Box<dyn ::std::future::Future<Output = Self::Output> + Send + 'static>,
            >;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use into_future;

#[allow(unused_macros)]
macro_rules! versioned_api {
    ($module:ident, $spec_version:expr) => {
        use $crate::api::into_future;
        use $crate::core::{CallContext, Core, GeneratedParts, RetryClass};
        use $crate::fields::{self, AccountNumberField, BusinessProfileField, PhoneNumberField};
        use $crate::{
            ApiVersion, ClientBuilder, Error, Filter, Pin, Response, Sort, VerificationCode,
            validate,
        };

        /// The types generated from this version's specification: read models, request
        /// bodies and open enums.
        pub use whatsapp_phone_numbers_api::$module::types;

        type Generated = whatsapp_phone_numbers_api::$module::Client;

        fn generated(parts: GeneratedParts) -> Generated {
            Generated::new_with_client(&parts.base_url, parts.http, parts.transport)
        }

        const fn ctx(
            operation: &'static str,
            method: &'static str,
            path: &'static str,
            class: RetryClass,
        ) -> CallContext {
            CallContext {
                operation,
                method,
                path,
                class,
            }
        }

        /// A client bound to this version's types. Cheap to clone; clones share the
        /// connection pool.
        #[derive(Clone, Debug)]
        pub struct Client {
            core: Core,
        }

        impl $crate::config::sealed::Sealed for Client {}

        impl $crate::config::BuildClient for Client {
            const SPEC_VERSION: ApiVersion = $spec_version;
            fn from_core(core: Core) -> Self {
                Self { core }
            }
        }

        impl From<Core> for Client {
            fn from(core: Core) -> Self {
                Self { core }
            }
        }

        impl Client {
            /// A builder; see [`ClientBuilder`].
            pub fn builder() -> ClientBuilder<Client> {
                ClientBuilder::new()
            }

            /// A client configured from `WHATSAPP_ACCESS_TOKEN`, `WHATSAPP_APP_SECRET`,
            /// `WHATSAPP_BASE_URL` and `WHATSAPP_API_VERSION`.
            pub fn from_env() -> Result<Self, Error> {
                Self::builder().from_env().build()
            }

            /// The Graph API version in every path.
            pub fn api_version(&self) -> ApiVersion {
                self.core.api_version()
            }

            /// The API host.
            pub fn base_url(&self) -> &str {
                self.core.base_url()
            }

            /// The configuration shared with other clients, for example to build a client
            /// of another version over the same connection pool.
            pub fn core(&self) -> &Core {
                &self.core
            }

            /// A business phone number, by its phone number ID.
            pub fn phone_number(&self, phone_number_id: impl Into<String>) -> PhoneNumberHandle {
                PhoneNumberHandle {
                    client: self.clone(),
                    id: phone_number_id.into(),
                }
            }

            /// A WhatsApp Business Account, by its ID.
            pub fn business_account(&self, waba_id: impl Into<String>) -> BusinessAccountHandle {
                BusinessAccountHandle {
                    client: self.clone(),
                    id: waba_id.into(),
                }
            }

            /// A WhatsApp account number node, by its ID.
            pub fn account_number(&self, account_number_id: impl Into<String>) -> AccountNumberHandle {
                AccountNumberHandle {
                    client: self.clone(),
                    id: account_number_id.into(),
                }
            }
        }

        // ----- phone number -----------------------------------------------------------

        /// One business phone number. Nothing is sent until a builder is awaited.
        #[derive(Clone, Debug)]
        pub struct PhoneNumberHandle {
            client: Client,
            id: String,
        }

        impl PhoneNumberHandle {
            /// The phone number ID this handle addresses.
            pub fn id(&self) -> &str {
                &self.id
            }

            /// Reads the number (`GET /<ID>`).
            pub fn get(&self) -> GetPhoneNumber {
                GetPhoneNumber {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    fields: Vec::new(),
                }
            }

            /// Starts an update (`POST /<ID>`): PIN, display name, webhook override, ...
            pub fn update(&self) -> UpdatePhoneNumber {
                UpdatePhoneNumber {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    body: types::PhoneNumberUpdate::default(),
                    error: None,
                }
            }

            /// Changes the two-step verification PIN.
            pub fn set_pin(&self, pin: Pin) -> UpdatePhoneNumber {
                self.update().pin(pin)
            }

            /// Requests a new display name (it goes to review; watch `new_name_status`).
            pub fn set_display_name(&self, name: impl Into<String>) -> UpdatePhoneNumber {
                self.update().new_display_name(name)
            }

            /// Points this number's webhooks at `url` (https).
            pub fn set_webhook(
                &self,
                url: impl Into<String>,
                verify_token: Option<String>,
            ) -> UpdatePhoneNumber {
                self.update().webhook(url, verify_token)
            }

            /// Sends a verification code by SMS or voice call, in `language` (such as `en_US`).
            pub fn request_code(
                &self,
                method: types::CodeMethod,
                language: impl Into<String>,
            ) -> RequestCode {
                RequestCode {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    method,
                    language: language.into(),
                }
            }

            /// Proves ownership with the code that was sent.
            pub fn verify_code(&self, code: VerificationCode) -> VerifyCode {
                VerifyCode {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    code,
                }
            }

            /// Registers the number with Cloud API, setting its two-step PIN.
            pub fn register(&self, pin: Pin) -> Register {
                Register {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    pin,
                    region: None,
                    backup: None,
                }
            }

            /// Deregisters the number from Cloud API.
            pub fn deregister(&self) -> Deregister {
                Deregister {
                    client: self.client.clone(),
                    id: self.id.clone(),
                }
            }

            /// The number's settings.
            pub fn settings(&self) -> SettingsHandle {
                SettingsHandle {
                    client: self.client.clone(),
                    id: self.id.clone(),
                }
            }

            /// The business profile shown for this number.
            pub fn business_profile(&self) -> BusinessProfileHandle {
                BusinessProfileHandle {
                    client: self.client.clone(),
                    id: self.id.clone(),
                }
            }
        }

        /// `GET /<PHONE_NUMBER_ID>`. Await it, or call [`send`](Self::send).
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct GetPhoneNumber {
            client: Client,
            id: String,
            fields: Vec<PhoneNumberField>,
        }

        impl GetPhoneNumber {
            /// Selects fields (replacing earlier ones). Without fields, Graph sends its defaults.
            pub fn fields(mut self, fields: impl IntoIterator<Item = PhoneNumberField>) -> Self {
                self.fields = fields.into_iter().collect();
                self
            }

            /// Adds one field.
            pub fn field(mut self, field: PhoneNumberField) -> Self {
                self.fields.push(field);
                self
            }

            /// Sends the request.
            pub async fn send(self) -> Result<Response<types::PhoneNumber>, Error> {
                const CTX: CallContext =
                    ctx("get_phone_number", "GET", "/{version}/{phone_number_id}", RetryClass::Safe);
                let id = validate::node_id("phone_number_id", &self.id)?;
                let fields = fields::join(&self.fields)?;
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts)
                        .get_phone_number(version, &id, fields.as_deref())
                        .await
                })
                .await
            }
        }

        into_future!(GetPhoneNumber => Response<types::PhoneNumber>);

        /// `POST /<PHONE_NUMBER_ID>`: send only what changes.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct UpdatePhoneNumber {
            client: Client,
            id: String,
            body: types::PhoneNumberUpdate,
            error: Option<Error>,
        }

        impl UpdatePhoneNumber {
            fn check(mut self, result: Result<(), Error>) -> Self {
                validate::keep_first(&mut self.error, result);
                self
            }

            /// A new two-step verification PIN.
            pub fn pin(mut self, pin: Pin) -> Self {
                self.body.pin = Some(pin.expose().into());
                self
            }

            /// A display name to submit for review (2 to 75 characters).
            pub fn new_display_name(mut self, name: impl Into<String>) -> Self {
                let checked = validate::display_name("new_display_name", &name.into());
                let result = checked.map(|name| self.body.new_display_name = Some(name));
                self.check(result)
            }

            /// Sends this number's webhooks to `url` (https) with an optional verify token.
            pub fn webhook(mut self, url: impl Into<String>, verify_token: Option<String>) -> Self {
                let checked = validate::https_url("webhook_url", &url.into());
                let result = checked.map(|url| {
                    self.body.webhook_configuration = Some(types::WebhookConfiguration {
                        override_callback_uri: url,
                        verify_token: verify_token.map(Into::into),
                    })
                });
                self.check(result)
            }

            /// Removes the webhook override (back to the app's callback URL).
            pub fn remove_webhook_override(mut self) -> Self {
                self.body.webhook_configuration = Some(types::WebhookConfiguration {
                    override_callback_uri: String::new(),
                    verify_token: None,
                });
                self
            }

            /// Whether the business can be found through WhatsApp search.
            pub fn search_visibility(mut self, visibility: types::SearchVisibility) -> Self {
                self.body.search_visibility = Some(visibility);
                self
            }

            /// Writes a connection status.
            pub fn connection_status(mut self, status: types::ConnectionStatus) -> Self {
                self.body.connection_status = Some(status);
                self
            }

            /// Claims a business username.
            pub fn username(mut self, username: impl Into<String>) -> Self {
                let checked = validate::bounded("username", &username.into(), 1, 128);
                let result = checked.map(|u| self.body.username = Some(u));
                self.check(result)
            }

            /// The body as it will be sent (secrets print redacted).
            pub fn body(&self) -> &types::PhoneNumberUpdate {
                &self.body
            }

            /// Sends the update.
            pub async fn send(self) -> Result<Response<types::PhoneNumberUpdateResult>, Error> {
                const CTX: CallContext =
                    ctx("update_phone_number", "POST", "/{version}/{phone_number_id}", RetryClass::Safe);
                let id = validate::node_id("phone_number_id", &self.id)?;
                if let Some(error) = self.error {
                    return Err(error);
                }
                if self.body == types::PhoneNumberUpdate::default() {
                    return Err(Error::invalid("update", "nothing to update"));
                }
                let core = &self.client.core;
                let version = core.path_version();
                let body = &self.body;
                core.run(CTX, |parts| async move {
                    generated(parts).update_phone_number(version, &id, body).await
                })
                .await
            }
        }

        into_future!(UpdatePhoneNumber => Response<types::PhoneNumberUpdateResult>);

        /// `POST /<PHONE_NUMBER_ID>/request_code`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct RequestCode {
            client: Client,
            id: String,
            method: types::CodeMethod,
            language: String,
        }

        impl RequestCode {
            /// Sends the request. Retried only when Graph throttled it or it was never sent.
            pub async fn send(self) -> Result<Response<types::SuccessResponse>, Error> {
                const CTX: CallContext = ctx(
                    "request_code",
                    "POST",
                    "/{version}/{phone_number_id}/request_code",
                    RetryClass::Registration,
                );
                let id = validate::node_id("phone_number_id", &self.id)?;
                let language = validate::locale("language", &self.language)?;
                let body = types::RequestCodeRequest {
                    code_method: self.method,
                    language,
                };
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts).request_code(version, &id, &body).await
                })
                .await
            }
        }

        into_future!(RequestCode => Response<types::SuccessResponse>);

        /// `POST /<PHONE_NUMBER_ID>/verify_code`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct VerifyCode {
            client: Client,
            id: String,
            code: VerificationCode,
        }

        impl VerifyCode {
            /// Sends the code. Retried only when Graph throttled it or it was never sent.
            pub async fn send(self) -> Result<Response<types::SuccessResponse>, Error> {
                const CTX: CallContext = ctx(
                    "verify_code",
                    "POST",
                    "/{version}/{phone_number_id}/verify_code",
                    RetryClass::Registration,
                );
                let id = validate::node_id("phone_number_id", &self.id)?;
                let body = types::VerifyCodeRequest {
                    code: self.code.expose().into(),
                };
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts).verify_code(version, &id, &body).await
                })
                .await
            }
        }

        into_future!(VerifyCode => Response<types::SuccessResponse>);

        /// `POST /<PHONE_NUMBER_ID>/register`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct Register {
            client: Client,
            id: String,
            pin: Pin,
            region: Option<types::DataLocalizationRegion>,
            backup: Option<types::RegistrationBackup>,
        }

        impl Register {
            /// Stores message data at rest in this region (local storage).
            pub fn data_localization_region(mut self, region: types::DataLocalizationRegion) -> Self {
                self.region = Some(region);
                self
            }

            /// Restores an On-Premises backup while migrating to Cloud API.
            pub fn backup(mut self, data: impl Into<String>, password: impl Into<String>) -> Self {
                self.backup = Some(types::RegistrationBackup {
                    data: Some(data.into()),
                    password: Some(password.into().into()),
                });
                self
            }

            /// Sends the registration. Retried only when Graph throttled it or it was never
            /// sent; registration throttling (133016) is never retried.
            pub async fn send(self) -> Result<Response<types::SuccessResponse>, Error> {
                const CTX: CallContext = ctx(
                    "register_phone_number",
                    "POST",
                    "/{version}/{phone_number_id}/register",
                    RetryClass::Registration,
                );
                let id = validate::node_id("phone_number_id", &self.id)?;
                let body = types::RegisterRequest {
                    messaging_product: types::MessagingProduct::Whatsapp,
                    pin: self.pin.expose().into(),
                    data_localization_region: self.region,
                    backup: self.backup,
                };
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts).register_phone_number(version, &id, &body).await
                })
                .await
            }
        }

        into_future!(Register => Response<types::SuccessResponse>);

        /// `POST /<PHONE_NUMBER_ID>/deregister`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct Deregister {
            client: Client,
            id: String,
        }

        impl Deregister {
            /// Sends the request. Retried only when Graph throttled it or it was never sent.
            pub async fn send(self) -> Result<Response<types::SuccessResponse>, Error> {
                const CTX: CallContext = ctx(
                    "deregister_phone_number",
                    "POST",
                    "/{version}/{phone_number_id}/deregister",
                    RetryClass::Registration,
                );
                let id = validate::node_id("phone_number_id", &self.id)?;
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts).deregister_phone_number(version, &id).await
                })
                .await
            }
        }

        into_future!(Deregister => Response<types::SuccessResponse>);

        // ----- settings -----------------------------------------------------------------

        /// The settings of one number.
        #[derive(Clone, Debug)]
        pub struct SettingsHandle {
            client: Client,
            id: String,
        }

        impl SettingsHandle {
            /// Reads the settings (`GET /<ID>/settings`).
            pub fn get(&self) -> GetSettings {
                GetSettings {
                    client: self.client.clone(),
                    id: self.id.clone(),
                }
            }

            /// Starts a settings update (`POST /<ID>/settings`).
            pub fn update(&self) -> UpdateSettings {
                UpdateSettings {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    body: types::PhoneNumberSettingsUpdate::default(),
                }
            }

            /// Turns the identity change check on or off.
            pub fn set_identity_key_check(&self, enabled: bool) -> UpdateSettings {
                self.update().identity_key_check(enabled)
            }
        }

        /// `GET /<PHONE_NUMBER_ID>/settings`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct GetSettings {
            client: Client,
            id: String,
        }

        impl GetSettings {
            /// Sends the request.
            pub async fn send(self) -> Result<Response<types::PhoneNumberSettings>, Error> {
                const CTX: CallContext =
                    ctx("get_settings", "GET", "/{version}/{phone_number_id}/settings", RetryClass::Safe);
                let id = validate::node_id("phone_number_id", &self.id)?;
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts).get_settings(version, &id).await
                })
                .await
            }
        }

        into_future!(GetSettings => Response<types::PhoneNumberSettings>);

        /// `POST /<PHONE_NUMBER_ID>/settings`: send only the groups that change.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct UpdateSettings {
            client: Client,
            id: String,
            body: types::PhoneNumberSettingsUpdate,
        }

        impl UpdateSettings {
            /// Turns the identity change check on or off.
            pub fn identity_key_check(mut self, enabled: bool) -> Self {
                self.body.user_identity_change = Some(types::UserIdentityChangeSettings {
                    enable_identity_key_check: Some(enabled),
                });
                self
            }

            /// Changes business calling.
            pub fn calling(mut self, calling: types::CallingSettingsUpdate) -> Self {
                self.body.calling = Some(calling);
                self
            }

            /// Changes webhook payload encryption.
            pub fn payload_encryption(mut self, encryption: types::PayloadEncryptionUpdate) -> Self {
                self.body.payload_encryption = Some(encryption);
                self
            }

            /// Changes where message data is stored.
            pub fn storage_configuration(mut self, storage: types::StorageConfigurationUpdate) -> Self {
                self.body.storage_configuration = Some(storage);
                self
            }

            /// Sends the update.
            pub async fn send(self) -> Result<Response<types::SuccessResponse>, Error> {
                const CTX: CallContext =
                    ctx("update_settings", "POST", "/{version}/{phone_number_id}/settings", RetryClass::Safe);
                let id = validate::node_id("phone_number_id", &self.id)?;
                if self.body == types::PhoneNumberSettingsUpdate::default() {
                    return Err(Error::invalid("settings", "nothing to update"));
                }
                let core = &self.client.core;
                let version = core.path_version();
                let body = &self.body;
                core.run(CTX, |parts| async move {
                    generated(parts).update_settings(version, &id, body).await
                })
                .await
            }
        }

        into_future!(UpdateSettings => Response<types::SuccessResponse>);

        // ----- business profile ---------------------------------------------------------

        /// The business profile of one number.
        #[derive(Clone, Debug)]
        pub struct BusinessProfileHandle {
            client: Client,
            id: String,
        }

        impl BusinessProfileHandle {
            /// Reads the profile (`GET /<ID>/whatsapp_business_profile`).
            pub fn get(&self) -> GetBusinessProfile {
                GetBusinessProfile {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    fields: Vec::new(),
                }
            }

            /// Starts a profile update (`POST /<ID>/whatsapp_business_profile`).
            pub fn update(&self) -> UpdateBusinessProfile {
                UpdateBusinessProfile {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    body: types::BusinessProfileUpdate {
                        messaging_product: types::MessagingProduct::Whatsapp,
                        about: None,
                        address: None,
                        description: None,
                        email: None,
                        websites: Vec::new(),
                        vertical: None,
                        profile_picture_handle: None,
                    },
                    error: None,
                }
            }
        }

        /// `GET /<PHONE_NUMBER_ID>/whatsapp_business_profile`, answered with the profile
        /// itself (Graph wraps it in a one-element list, flat or nested; both are read).
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct GetBusinessProfile {
            client: Client,
            id: String,
            fields: Vec<BusinessProfileField>,
        }

        impl GetBusinessProfile {
            /// Selects fields (replacing earlier ones).
            pub fn fields(mut self, fields: impl IntoIterator<Item = BusinessProfileField>) -> Self {
                self.fields = fields.into_iter().collect();
                self
            }

            /// Sends the request.
            pub async fn send(self) -> Result<Response<types::BusinessProfile>, Error> {
                const CTX: CallContext = ctx(
                    "get_business_profile",
                    "GET",
                    "/{version}/{phone_number_id}/whatsapp_business_profile",
                    RetryClass::Safe,
                );
                let id = validate::node_id("phone_number_id", &self.id)?;
                let fields = fields::join(&self.fields)?;
                let core = &self.client.core;
                let version = core.path_version();
                let list = core
                    .run(CTX, |parts| async move {
                        generated(parts)
                            .get_business_profile(version, &id, fields.as_deref())
                            .await
                    })
                    .await?;
                let (list, meta) = list.into_parts();
                match list.data.into_iter().next() {
                    Some(profile) => Ok(Response::new(flatten_profile(profile), meta)),
                    None => Err(Error::Decode(Box::new($crate::error::DecodeError {
                        status: meta.status,
                        message: "the answer holds no business profile".into(),
                        body_excerpt: String::new(),
                        meta,
                    }))),
                }
            }
        }

        into_future!(GetBusinessProfile => Response<types::BusinessProfile>);

        /// Moves fields of the nested `business_profile` form to the top level.
        fn flatten_profile(mut p: types::BusinessProfile) -> types::BusinessProfile {
            if let Some(nested) = p.business_profile.take() {
                p.about = p.about.or(nested.about);
                p.address = p.address.or(nested.address);
                p.description = p.description.or(nested.description);
                p.email = p.email.or(nested.email);
                p.messaging_product = p.messaging_product.or(nested.messaging_product);
                p.profile_picture_url = p.profile_picture_url.or(nested.profile_picture_url);
                p.vertical = p.vertical.or(nested.vertical);
                p.websites = p.websites.or(nested.websites);
            }
            p
        }

        /// `POST /<PHONE_NUMBER_ID>/whatsapp_business_profile`: send only what changes.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct UpdateBusinessProfile {
            client: Client,
            id: String,
            body: types::BusinessProfileUpdate,
            error: Option<Error>,
        }

        impl UpdateBusinessProfile {
            fn check(mut self, result: Result<(), Error>) -> Self {
                validate::keep_first(&mut self.error, result);
                self
            }

            /// Short text under the name (1 to 139 characters).
            pub fn about(mut self, about: impl Into<String>) -> Self {
                let result = validate::bounded("about", &about.into(), 1, 139)
                    .map(|v| self.body.about = Some(v));
                self.check(result)
            }

            /// Postal address (at most 256 characters).
            pub fn address(mut self, address: impl Into<String>) -> Self {
                let result = validate::bounded("address", &address.into(), 1, 256)
                    .map(|v| self.body.address = Some(v));
                self.check(result)
            }

            /// Longer description (at most 512 characters).
            pub fn description(mut self, description: impl Into<String>) -> Self {
                let result = validate::bounded("description", &description.into(), 1, 512)
                    .map(|v| self.body.description = Some(v));
                self.check(result)
            }

            /// Contact email (at most 128 characters).
            pub fn email(mut self, email: impl Into<String>) -> Self {
                let email = email.into();
                let result = validate::bounded("email", &email, 3, 128).and_then(|v| {
                    match v.split_once('@') {
                        Some((user, host)) if !user.is_empty() && host.contains('.') => {
                            self.body.email = Some(v);
                            Ok(())
                        }
                        _ => Err(Error::invalid("email", "must look like name@example.com")),
                    }
                });
                self.check(result)
            }

            /// Websites (at most two, each an http(s) URL of at most 256 characters).
            pub fn websites(mut self, websites: impl IntoIterator<Item = impl Into<String>>) -> Self {
                let websites: Vec<String> = websites.into_iter().map(Into::into).collect();
                let result = if websites.len() > 2 {
                    Err(Error::invalid("websites", "at most 2 websites"))
                } else {
                    websites
                        .iter()
                        .try_for_each(|w| {
                            let ok = (w.starts_with("https://") || w.starts_with("http://"))
                                && w.len() <= 256
                                && !w.contains(char::is_whitespace);
                            if ok {
                                Ok(())
                            } else {
                                Err(Error::invalid("websites", "each must be an http(s) URL of at most 256 characters"))
                            }
                        })
                        .map(|()| self.body.websites = websites)
                };
                self.check(result)
            }

            /// Industry shown on the profile.
            pub fn vertical(mut self, vertical: types::BusinessVertical) -> Self {
                self.body.vertical = Some(vertical);
                self
            }

            /// A profile picture uploaded with the Resumable Upload API.
            pub fn profile_picture_handle(mut self, handle: impl Into<String>) -> Self {
                self.body.profile_picture_handle = Some(handle.into());
                self
            }

            /// Sends the update.
            pub async fn send(self) -> Result<Response<types::SuccessResponse>, Error> {
                const CTX: CallContext = ctx(
                    "update_business_profile",
                    "POST",
                    "/{version}/{phone_number_id}/whatsapp_business_profile",
                    RetryClass::Safe,
                );
                let id = validate::node_id("phone_number_id", &self.id)?;
                if let Some(error) = self.error {
                    return Err(error);
                }
                let core = &self.client.core;
                let version = core.path_version();
                let body = &self.body;
                core.run(CTX, |parts| async move {
                    generated(parts).update_business_profile(version, &id, body).await
                })
                .await
            }
        }

        into_future!(UpdateBusinessProfile => Response<types::SuccessResponse>);

        // ----- business account ---------------------------------------------------------

        /// One WhatsApp Business Account.
        #[derive(Clone, Debug)]
        pub struct BusinessAccountHandle {
            client: Client,
            id: String,
        }

        impl BusinessAccountHandle {
            /// The account ID this handle addresses.
            pub fn id(&self) -> &str {
                &self.id
            }

            /// The account's phone numbers edge.
            pub fn phone_numbers(&self) -> PhoneNumbersHandle {
                PhoneNumbersHandle {
                    client: self.client.clone(),
                    waba: self.id.clone(),
                }
            }
        }

        /// The phone numbers of one WhatsApp Business Account.
        #[derive(Clone, Debug)]
        pub struct PhoneNumbersHandle {
            client: Client,
            waba: String,
        }

        impl PhoneNumbersHandle {
            /// Lists the numbers, a page at a time or as a stream.
            pub fn list(&self) -> ListPhoneNumbers {
                ListPhoneNumbers {
                    client: self.client.clone(),
                    waba: self.waba.clone(),
                    fields: Vec::new(),
                    filters: Vec::new(),
                    sort: None,
                    page_size: None,
                    after: None,
                    before: None,
                    total_count: false,
                }
            }

            /// Adds a number: `cc` is the country calling code, `phone_number` the rest of
            /// the number (digits only), `verified_name` the display name to review.
            pub fn add(
                &self,
                cc: impl Into<String>,
                phone_number: impl Into<String>,
                verified_name: impl Into<String>,
            ) -> AddPhoneNumber {
                AddPhoneNumber {
                    client: self.client.clone(),
                    waba: self.waba.clone(),
                    cc: cc.into(),
                    phone_number: phone_number.into(),
                    verified_name: verified_name.into(),
                    migrate: None,
                    preverified_id: None,
                }
            }
        }

        /// `GET /<WABA_ID>/phone_numbers`: one page with [`send`](Self::send), every page
        /// with [`pages`](Self::pages), every number with [`stream`](Self::stream).
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited or streamed"]
        pub struct ListPhoneNumbers {
            client: Client,
            waba: String,
            fields: Vec<PhoneNumberField>,
            filters: Vec<Filter>,
            sort: Option<Sort>,
            page_size: Option<u32>,
            after: Option<String>,
            before: Option<String>,
            total_count: bool,
        }

        impl ListPhoneNumbers {
            /// Selects fields (replacing earlier ones).
            pub fn fields(mut self, fields: impl IntoIterator<Item = PhoneNumberField>) -> Self {
                self.fields = fields.into_iter().collect();
                self
            }

            /// Adds one field.
            pub fn field(mut self, field: PhoneNumberField) -> Self {
                self.fields.push(field);
                self
            }

            /// Adds a filter (all filters must match).
            pub fn filter(mut self, filter: Filter) -> Self {
                self.filters.push(filter);
                self
            }

            /// Sets the order.
            pub fn sort(mut self, sort: Sort) -> Self {
                self.sort = Some(sort);
                self
            }

            /// Numbers per page, 1 to 100 (Graph's default is 25).
            pub fn page_size(mut self, size: u32) -> Self {
                self.page_size = Some(size);
                self
            }

            /// Starts after this cursor.
            pub fn after(mut self, cursor: impl Into<String>) -> Self {
                self.after = Some(cursor.into());
                self
            }

            /// Returns the page before this cursor (single-page reads only).
            pub fn before(mut self, cursor: impl Into<String>) -> Self {
                self.before = Some(cursor.into());
                self
            }

            /// Asks Graph for `summary.total_count`.
            pub fn with_total_count(mut self) -> Self {
                self.total_count = true;
                self
            }

            /// Everything that does not change from page to page, checked.
            fn prepare(&self) -> Result<ListQuery, Error> {
                let waba = validate::node_id("waba_id", &self.waba)?;
                if let Some(size) = self.page_size
                    && !(1..=100).contains(&size)
                {
                    return Err(Error::invalid("page_size", format!("must be 1 to 100, got {size}")));
                }
                Ok(ListQuery {
                    client: self.client.clone(),
                    waba,
                    fields: fields::join(&self.fields)?,
                    filtering: Filter::encode(&self.filters)?,
                    sort: self.sort.as_ref().map(Sort::encode),
                    limit: self.page_size.map(|s| s as i32),
                    summary: self.total_count.then(|| "total_count".to_owned()),
                })
            }

            /// Reads one page.
            pub async fn send(self) -> Result<Response<types::PhoneNumberPage>, Error> {
                let query = self.prepare()?;
                query.page(self.after, self.before).await
            }

            /// Every page, following the `after` cursor until a page has no `paging.next`.
            /// One page is held at a time, so memory stays flat for any count.
            pub fn pages(self) -> $crate::ResultStream<Response<types::PhoneNumberPage>> {
                use futures_util::StreamExt;
                let query = match self.prepare() {
                    Ok(query) => query,
                    Err(error) => {
                        return futures_util::stream::once(async move { Err(error) }).boxed();
                    }
                };
                let fetch = move |after: Option<String>| {
                    let query = query.clone();
                    async move { query.page(after, None).await }
                };
                $crate::paging::pages(
                    self.after,
                    fetch,
                    |page: &types::PhoneNumberPage| {
                        let paging = page.paging.as_ref();
                        $crate::paging::next_cursor(
                            paging.and_then(|p| p.next.as_deref()),
                            paging
                                .and_then(|p| p.cursors.as_ref())
                                .and_then(|c| c.after.as_deref()),
                        )
                    },
                    |page: &types::PhoneNumberPage| page.data.is_empty(),
                )
                .boxed()
            }

            /// Every number of every page, in order. Ends after the first error.
            pub fn stream(self) -> $crate::ResultStream<types::PhoneNumber> {
                use futures_util::StreamExt;
                self.pages()
                    .flat_map(|page| {
                        let items: Vec<Result<types::PhoneNumber, Error>> = match page {
                            Ok(page) => page.into_inner().data.into_iter().map(Ok).collect(),
                            Err(error) => vec![Err(error)],
                        };
                        futures_util::stream::iter(items)
                    })
                    .boxed()
            }

            /// Every number, collected. Prefer [`stream`](Self::stream) for large accounts.
            pub async fn collect_all(self) -> Result<Vec<types::PhoneNumber>, Error> {
                use futures_util::TryStreamExt;
                self.stream().try_collect().await
            }
        }

        into_future!(ListPhoneNumbers => Response<types::PhoneNumberPage>);

        /// The checked, encoded parameters of a list.
        #[derive(Clone, Debug)]
        struct ListQuery {
            client: Client,
            waba: String,
            fields: Option<String>,
            filtering: Option<String>,
            sort: Option<String>,
            limit: Option<i32>,
            summary: Option<String>,
        }

        impl ListQuery {
            async fn page(
                &self,
                after: Option<String>,
                before: Option<String>,
            ) -> Result<Response<types::PhoneNumberPage>, Error> {
                const CTX: CallContext =
                    ctx("list_phone_numbers", "GET", "/{version}/{waba_id}/phone_numbers", RetryClass::Safe);
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts)
                        .list_phone_numbers(
                            version,
                            &self.waba,
                            after.as_deref(),
                            before.as_deref(),
                            self.fields.as_deref(),
                            self.filtering.as_deref(),
                            self.limit,
                            self.sort.as_deref(),
                            self.summary.as_deref(),
                        )
                        .await
                })
                .await
            }
        }

        /// `POST /<WABA_ID>/phone_numbers`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct AddPhoneNumber {
            client: Client,
            waba: String,
            cc: String,
            phone_number: String,
            verified_name: String,
            migrate: Option<bool>,
            preverified_id: Option<String>,
        }

        impl AddPhoneNumber {
            /// Moves a number registered on another WhatsApp Business Account.
            pub fn migrate(mut self, migrate: bool) -> Self {
                self.migrate = Some(migrate);
                self
            }

            /// Uses a pre-verified number bought through a solution partner.
            pub fn preverified_id(mut self, id: impl Into<String>) -> Self {
                self.preverified_id = Some(id.into());
                self
            }

            /// Sends the request. Retried only when Graph throttled it or it was never sent.
            pub async fn send(self) -> Result<Response<types::CreatedId>, Error> {
                const CTX: CallContext = ctx(
                    "add_phone_number",
                    "POST",
                    "/{version}/{waba_id}/phone_numbers",
                    RetryClass::Registration,
                );
                let waba = validate::node_id("waba_id", &self.waba)?;
                let body = types::AddPhoneNumberRequest {
                    cc: validate::country_code("cc", &self.cc)?,
                    phone_number: validate::phone_digits("phone_number", &self.phone_number)?,
                    verified_name: validate::display_name("verified_name", &self.verified_name)?,
                    migrate_phone_number: self.migrate,
                    preverified_id: self.preverified_id,
                };
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts).add_phone_number(version, &waba, &body).await
                })
                .await
            }
        }

        into_future!(AddPhoneNumber => Response<types::CreatedId>);

        // ----- account number -----------------------------------------------------------

        /// One WhatsApp account number node.
        #[derive(Clone, Debug)]
        pub struct AccountNumberHandle {
            client: Client,
            id: String,
        }

        impl AccountNumberHandle {
            /// Reads the node (`GET /<ACCOUNT_NUMBER_ID>`).
            pub fn get(&self) -> GetAccountNumber {
                GetAccountNumber {
                    client: self.client.clone(),
                    id: self.id.clone(),
                    fields: Vec::new(),
                }
            }
        }

        /// `GET /<WHATSAPP_ACCOUNT_NUMBER_ID>`.
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until the builder is awaited"]
        pub struct GetAccountNumber {
            client: Client,
            id: String,
            fields: Vec<AccountNumberField>,
        }

        impl GetAccountNumber {
            /// Selects fields (replacing earlier ones).
            pub fn fields(mut self, fields: impl IntoIterator<Item = AccountNumberField>) -> Self {
                self.fields = fields.into_iter().collect();
                self
            }

            /// Sends the request.
            pub async fn send(self) -> Result<Response<types::AccountNumber>, Error> {
                const CTX: CallContext = ctx(
                    "get_account_number",
                    "GET",
                    "/{version}/{account_number_id}",
                    RetryClass::Safe,
                );
                let id = validate::node_id("account_number_id", &self.id)?;
                let fields = fields::join(&self.fields)?;
                let core = &self.client.core;
                let version = core.path_version();
                core.run(CTX, |parts| async move {
                    generated(parts)
                        .get_account_number(version, &id, fields.as_deref())
                        .await
                })
                .await
            }
        }

        into_future!(GetAccountNumber => Response<types::AccountNumber>);
    };
}

#[allow(unused_imports)]
pub(crate) use versioned_api;
