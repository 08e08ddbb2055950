//! The apps subscribed to an account's webhooks, and the account-level callback override.

use whatsapp_phone_numbers_api::GraphVersion;

use super::into_future;
use crate::body::Body;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The `subscribed_apps` edge of one account.
#[derive(Clone, Debug)]
pub struct SubscriptionsHandle<V: GraphVersion> {
    client: Client<V>,
    waba: String,
}

impl<V: GraphVersion> SubscriptionsHandle<V> {
    pub(crate) fn new(client: Client<V>, waba: String) -> Self {
        Self { client, waba }
    }

    /// Lists the subscribed apps (`GET /<WABA_ID>/subscribed_apps`).
    pub async fn list(&self) -> Result<Response<V::SubscribedAppList>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        self.client
            .call(V::LIST_SUBSCRIBED_APPS, &[&waba], &[])
            .await
    }

    /// Subscribes the calling app (`POST /<WABA_ID>/subscribed_apps`); add
    /// [`override_callback`](SubscribeApp::override_callback) to send this account's webhooks
    /// elsewhere. Subscribing without one removes an existing override.
    pub fn subscribe(&self) -> SubscribeApp<V> {
        SubscribeApp {
            client: self.client.clone(),
            waba: self.waba.clone(),
            body: Body::default(),
            error: None,
        }
    }

    /// Unsubscribes the calling app (`DELETE /<WABA_ID>/subscribed_apps`).
    pub async fn unsubscribe(&self) -> Result<Response<V::SuccessResponse>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        self.client.call(V::UNSUBSCRIBE_APP, &[&waba], &[]).await
    }
}

/// `POST /<WABA_ID>/subscribed_apps`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SubscribeApp<V: GraphVersion> {
    client: Client<V>,
    waba: String,
    body: Body,
    error: Option<Error>,
}

impl<V: GraphVersion> SubscribeApp<V> {
    /// Sends this account's webhooks to `url` (https); Graph first verifies it with a GET
    /// handshake carrying `verify_token`. An `http://` URL is accepted only for a loopback
    /// host, which the mock can call and Graph refuses.
    pub fn override_callback(
        mut self,
        url: impl Into<String>,
        verify_token: impl Into<String>,
    ) -> Self {
        let token = verify_token.into();
        let result = validate::callback_url("callback_url", &url.into()).and_then(|url| {
            let token = validate::token("verify_token", &token)?;
            self.body.set("override_callback_uri", url);
            self.body.set_secret("verify_token", &token, &token);
            Ok(())
        });
        validate::keep_first(&mut self.error, result);
        self
    }

    /// Sends the subscription.
    pub async fn send(self) -> Result<Response<V::SubscriptionResult>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        self.client
            .call_with_body::<V::SubscriptionRequest, _>(V::SUBSCRIBE_APP, &[&waba], &self.body)
            .await
    }
}

into_future!(SubscribeApp => Response<V::SubscriptionResult>);
