//! The apps subscribed to an account's webhooks (`/{waba-id}/subscribed_apps`), and the
//! account-level callback override.
//!
//! Graph sends an account's changes to the apps subscribed to it, each at its own callback
//! ([`AppSubscriptionsHandle`](crate::AppSubscriptionsHandle)), for the fields that
//! callback's subscription lists. An override sends only the messaging fields overrides
//! carry (`vNN_N::webhooks::OVERRIDABLE_FIELDS`: `messages`, `calls`, ...) elsewhere, and
//! Graph accepts one only from an app already subscribed to the account (error 100
//! otherwise): [`subscribe`](SubscriptionsHandle::subscribe) first, then
//! [`override_callback`](SubscriptionsHandle::override_callback).

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::SubscriptionRequest as _;
use whatsapp_phone_numbers_api::sensitive::SensitiveString;

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The most characters Graph takes in a callback override (Meta's "Webhook overrides"
/// page).
pub const MAX_OVERRIDE_URL_CHARS: usize = 200;

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

    /// Lists the subscribed apps (`GET /<WABA_ID>/subscribed_apps`); `data` is empty for
    /// an account no app is subscribed to.
    pub async fn list(&self) -> Result<Response<V::SubscribedAppList>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        self.client
            .call(V::LIST_SUBSCRIBED_APPS, &[&waba], &[])
            .await
    }

    /// Subscribes the calling app (`POST /<WABA_ID>/subscribed_apps` with no body). An
    /// account-level override the app had is removed.
    pub fn subscribe(&self) -> SubscribeApp<V> {
        SubscribeApp {
            client: self.client.clone(),
            waba: self.waba.clone(),
            body: V::SubscriptionRequest::new(),
            error: None,
        }
    }

    /// Sends this account's messaging webhooks (the fields overrides carry) to `url` instead
    /// of the app's callback: https, at most 200 characters (`http://` only for a loopback
    /// host, which only a local mock calls). Graph first verifies it with its GET handshake
    /// carrying `verify_token`, and accepts it only once the app is
    /// [subscribed](Self::subscribe) to the account.
    pub fn override_callback(
        &self,
        url: impl Into<String>,
        verify_token: impl Into<String>,
    ) -> SubscribeApp<V> {
        let mut request = self.subscribe();
        let result = override_url("callback_url", &url.into()).and_then(|url| {
            let token = validate::token("verify_token", &verify_token.into())?;
            let url = validate::convert("callback_url", &url)?;
            request.body.set_override_callback_uri(url);
            request.body.set_verify_token(SensitiveString::new(token));
            Ok(())
        });
        validate::keep_first(&mut request.error, result);
        request
    }

    /// Subscribes the calling app, then overrides the account's callback: the two requests
    /// Graph needs, in its order, each checked before the first is sent. Answers the
    /// override's answer.
    pub fn subscribe_and_override(
        &self,
        url: impl Into<String>,
        verify_token: impl Into<String>,
    ) -> SubscribeAndOverride<V> {
        SubscribeAndOverride {
            subscribe: self.subscribe(),
            override_callback: self.override_callback(url, verify_token),
        }
    }

    /// Removes the account-level override (the app stays subscribed): Graph's way is to
    /// subscribe again without one.
    pub fn remove_override(&self) -> SubscribeApp<V> {
        self.subscribe()
    }

    /// Unsubscribes the calling app (`DELETE /<WABA_ID>/subscribed_apps`).
    pub async fn unsubscribe(&self) -> Result<Response<V::SuccessResponse>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        self.client.call(V::UNSUBSCRIBE_APP, &[&waba], &[]).await
    }
}

/// A callback override in `field`: a [callback URL](validate::callback_url) of at most
/// [`MAX_OVERRIDE_URL_CHARS`] characters.
pub(crate) fn override_url(field: &'static str, url: &str) -> Result<String, Error> {
    let url = validate::callback_url(field, url)?;
    let count = url.chars().count();
    if count > MAX_OVERRIDE_URL_CHARS {
        return Err(Error::invalid(
            field,
            format!(
                "must be at most {MAX_OVERRIDE_URL_CHARS} characters for a callback override, got {count}"
            ),
        ));
    }
    Ok(url)
}

/// `POST /<WABA_ID>/subscribed_apps`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SubscribeApp<V: GraphVersion> {
    client: Client<V>,
    waba: String,
    body: V::SubscriptionRequest,
    error: Option<Error>,
}

impl<V: GraphVersion> SubscribeApp<V> {
    /// Sends the subscription.
    pub async fn send(self) -> Result<Response<V::SubscriptionResult>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        self.client
            .call_with_body(V::SUBSCRIBE_APP, &[&waba], &self.body)
            .await
    }
}

into_future!(SubscribeApp => Response<V::SubscriptionResult>);

/// `POST /<WABA_ID>/subscribed_apps` twice: the subscription, then the override.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SubscribeAndOverride<V: GraphVersion> {
    subscribe: SubscribeApp<V>,
    override_callback: SubscribeApp<V>,
}

impl<V: GraphVersion> SubscribeAndOverride<V> {
    /// Sends both requests; the override only after the subscription succeeded.
    pub async fn send(self) -> Result<Response<V::SubscriptionResult>, Error> {
        validate::node_id("waba_id", &self.subscribe.waba)?;
        if let Some(error) = self.override_callback.error {
            return Err(error);
        }
        self.subscribe.send().await?;
        self.override_callback.send().await
    }
}

into_future!(SubscribeAndOverride => Response<V::SubscriptionResult>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_are_checked_callback_urls_of_at_most_200_characters() {
        let at_limit = format!("https://hooks.example.com/{}", "a".repeat(200 - 26));
        assert_eq!(at_limit.chars().count(), 200);
        assert!(override_url("callback_url", &at_limit).is_ok());
        let over = format!("{at_limit}b");
        let e = override_url("callback_url", &over).unwrap_err();
        assert_eq!(e.invalid_field(), Some("callback_url"));
        assert!(e.to_string().contains("201"), "{e}");
        assert!(override_url("callback_url", "http://127.0.0.1:9/hook").is_ok());
        assert!(override_url("callback_url", "http://example.com/hook").is_err());
    }
}
