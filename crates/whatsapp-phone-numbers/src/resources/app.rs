//! A Meta app: its uploads (profile picture handles) and app access tokens; its own webhook
//! subscriptions are in `app_subscriptions`.
//!
//! An app's own endpoints take an **app access token**, not the system-user token the
//! client holds: pass one with [`AppHandle::app_access_token`], or let the handle use
//! `APP_ID|APP_SECRET` from the client's [app secret](crate::ClientBuilder::app_secret)
//! (Meta's access token guide allows both; keep either on the server).

use bytes::Bytes;
use whatsapp_phone_numbers_api::GraphVersion;

use super::uploads::UploadFile;
use crate::call::{Call, json};
use crate::client::Client;
use crate::core::Credential;
use crate::error::Error;
use crate::meta::Response;
use crate::secret::{AppAccessToken, AppSecret};
use crate::validate;

impl<V: GraphVersion> AppHandle<V> {
    /// The handle [`Client::app`] gives.
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self {
            client,
            id,
            token: None,
        }
    }
}

/// One Meta app.
#[derive(Clone, Debug)]
pub struct AppHandle<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) id: String,
    /// The app access token its own endpoints take, when one was given.
    pub(crate) token: Option<AppAccessToken>,
}

impl<V: GraphVersion> AppHandle<V> {
    /// The app ID this handle addresses.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Uses `token` for the app's own endpoints (instead of `APP_ID|APP_SECRET` from the
    /// client's app secret).
    pub fn app_access_token(mut self, token: AppAccessToken) -> Self {
        self.token = Some(token);
        self
    }

    /// Uploads a file (a profile picture: `image/jpeg` or `image/png`) and answers its
    /// handle (`h`). Takes the client's own (system-user) token.
    pub fn upload(
        &self,
        file_name: impl Into<String>,
        file_type: impl Into<String>,
        bytes: impl Into<Bytes>,
    ) -> UploadFile<V> {
        UploadFile {
            client: self.client.clone(),
            app: self.id.clone(),
            file_name: file_name.into(),
            file_type: file_type.into(),
            bytes: bytes.into(),
        }
    }

    /// Asks Graph for an app access token (`GET /oauth/access_token` with the app ID, the
    /// client's app secret and `grant_type=client_credentials`). The secret travels in the
    /// query string, as Meta's guide has it: call this from a server only.
    pub async fn access_token(&self) -> Result<Response<V::AppAccessTokenGrant>, Error> {
        let app = validate::node_id("app_id", &self.id)?;
        let secret = self.secret("app_secret")?;
        let query = [
            ("client_id", app.as_str()),
            ("client_secret", secret.expose()),
            ("grant_type", "client_credentials"),
        ];
        let secrets = [secret.expose().to_owned()];
        let call = Call {
            query: &query,
            secrets: &secrets,
            ..Call::new(V::GET_APP_ACCESS_TOKEN, &[])
        };
        self.client
            .core
            .send(self.client.version, call, json::<V::AppAccessTokenGrant>)
            .await
    }

    /// The client's app secret, or an error naming `field`.
    fn secret(&self, field: &'static str) -> Result<&AppSecret, Error> {
        self.client.core.inner.app_secret.as_ref().ok_or_else(|| {
            Error::invalid(
                field,
                "needs the app secret: set it on the client (ClientBuilder::app_secret)",
            )
        })
    }

    /// The app access token the app's endpoints take: the one given, else
    /// `APP_ID|APP_SECRET`; with its proof when the client knows the app secret.
    pub(crate) fn credential(&self) -> Result<Credential, Error> {
        let token = match &self.token {
            Some(token) => token.clone(),
            None => {
                let secret = self.secret("app_access_token").map_err(|_| {
                    Error::invalid(
                        "app_access_token",
                        "an app's own endpoints take an app access token: give one \
                         (AppHandle::app_access_token), or set the app secret so that one \
                         is made from it",
                    )
                })?;
                AppAccessToken::from_app_secret(&self.id, secret)?
            }
        };
        Credential::bearer(token.expose(), self.client.core.inner.app_secret.as_ref())
    }
}
