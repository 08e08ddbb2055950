//! An app's own webhook subscriptions (`GET`/`POST`/`DELETE /{app-id}/subscriptions`): where
//! Graph posts the app's webhooks and which fields it sends, for each kind of object. They
//! take an app access token (see [`AppHandle`](crate::AppHandle)).
//!
//! Graph sends a change of a WhatsApp Business Account to an app when the app is subscribed
//! to the account ([`SubscriptionsHandle`](crate::SubscriptionsHandle)) **and** its own
//! subscription for `whatsapp_business_account` lists the field: the management fields
//! (`phone_number_quality_update`, `phone_number_name_update`, `account_update`,
//! `account_review_update`, `business_capability_update`, ...) reach the callback set here
//! and nowhere else. A callback override carries only the messaging fields its version
//! lists (`vNN_N::webhooks::OVERRIDABLE_FIELDS`).

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::AppSubscriptionRequest as _;
use whatsapp_phone_numbers_api::sensitive::SensitiveString;

use super::app::AppHandle;
use super::into_future;
use crate::call::{Call, json};
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The object WhatsApp's webhooks are subscribed for.
pub const WHATSAPP_BUSINESS_ACCOUNT: &str = "whatsapp_business_account";

impl<V: GraphVersion> AppHandle<V> {
    /// The app's own webhook subscriptions (`/{app-id}/subscriptions`): the callback URL
    /// Graph posts the app's webhooks to and the fields it wants, per kind of object.
    /// Management fields (`phone_number_quality_update`, `account_update`, ...) reach an
    /// app only through these; see [`SubscriptionsHandle`](crate::SubscriptionsHandle) for
    /// the account side.
    pub fn webhook_subscriptions(&self) -> AppSubscriptionsHandle<V> {
        AppSubscriptionsHandle { app: self.clone() }
    }
}

/// The `subscriptions` edge of one app.
#[derive(Clone, Debug)]
pub struct AppSubscriptionsHandle<V: GraphVersion> {
    pub(crate) app: AppHandle<V>,
}

impl<V: GraphVersion> AppSubscriptionsHandle<V> {
    /// Lists the app's subscriptions, one per kind of object
    /// (`GET /<APP_ID>/subscriptions`).
    pub async fn list(&self) -> Result<Response<V::AppSubscriptionList>, Error> {
        let app = validate::node_id("app_id", &self.app.id)?;
        let credential = self.app.credential()?;
        let ids = [app.as_str()];
        let call = Call {
            credential: Some(&credential),
            ..Call::new(V::LIST_APP_SUBSCRIPTIONS, &ids)
        };
        let client = &self.app.client;
        client
            .core
            .send(client.version, call, json::<V::AppSubscriptionList>)
            .await
    }

    /// Subscribes the app to webhook fields of WhatsApp Business Accounts, at
    /// `callback_url` (https; `http://` only for a loopback host, which only a local mock
    /// calls). Graph first verifies the callback with its GET handshake, carrying
    /// `verify_token`. Name the fields with [`fields`](CreateAppSubscription::fields);
    /// fields already subscribed stay (Graph adds, it does not replace).
    pub fn subscribe(
        &self,
        callback_url: impl Into<String>,
        verify_token: impl Into<String>,
    ) -> CreateAppSubscription<V> {
        let mut request = CreateAppSubscription {
            app: self.app.clone(),
            object: V::WebhookObject::from(WHATSAPP_BUSINESS_ACCOUNT),
            callback_url: String::new(),
            verify_token: SensitiveString::new(""),
            include_values: None,
            fields: Vec::new(),
            error: None,
        };
        let url = validate::callback_url("callback_url", &callback_url.into());
        let result = url.and_then(|url| {
            let token = validate::token("verify_token", &verify_token.into())?;
            request.callback_url = url;
            request.verify_token = SensitiveString::new(token);
            Ok(())
        });
        validate::keep_first(&mut request.error, result);
        request
    }

    /// Removes webhook fields from the app's WhatsApp Business Account subscription (all
    /// of it unless [`fields`](DeleteAppSubscription::fields) names some).
    pub fn unsubscribe(&self) -> DeleteAppSubscription<V> {
        DeleteAppSubscription {
            app: self.app.clone(),
            object: Some(WHATSAPP_BUSINESS_ACCOUNT.to_owned()),
            fields: Vec::new(),
            error: None,
        }
    }
}

/// A webhook field name: lower snake case (`phone_number_quality_update`).
fn field_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(Error::invalid(
            "fields",
            format!(
                "{:?} is not a webhook field name (lower case letters, digits and _)",
                validate::excerpt(name)
            ),
        ))
    }
}

/// Webhook field names, checked.
fn field_names<I, S>(fields: I) -> Result<Vec<String>, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    fields.into_iter().map(|f| field_name(f.as_ref())).collect()
}

/// Adds the checked `fields` to `list` (once each), or keeps the first error in `error`.
fn add_fields<I, S>(list: &mut Vec<String>, error: &mut Option<Error>, fields: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    match field_names(fields) {
        Ok(names) => {
            for name in names {
                if !list.contains(&name) {
                    list.push(name);
                }
            }
        }
        Err(e) => validate::keep_first(error, Err(e)),
    }
}

/// `POST /<APP_ID>/subscriptions`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct CreateAppSubscription<V: GraphVersion> {
    app: AppHandle<V>,
    object: V::WebhookObject,
    callback_url: String,
    verify_token: SensitiveString,
    include_values: Option<bool>,
    fields: Vec<String>,
    error: Option<Error>,
}

impl<V: GraphVersion> CreateAppSubscription<V> {
    /// The webhook fields to subscribe to (at least one).
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        add_fields(&mut self.fields, &mut self.error, fields);
        self
    }

    /// Another kind of object than `whatsapp_business_account`.
    pub fn object(mut self, object: V::WebhookObject) -> Self {
        self.object = object;
        self
    }

    /// Whether notifications carry the changed values (WhatsApp's always do).
    pub fn include_values(mut self, include: bool) -> Self {
        self.include_values = Some(include);
        self
    }

    /// Sends the subscription.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let app = validate::node_id("app_id", &self.app.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.fields.is_empty() {
            return Err(Error::invalid("fields", "name at least one webhook field"));
        }
        let mut body = V::AppSubscriptionRequest::new(
            self.callback_url,
            V::WebhookFieldList::from(self.fields),
            self.object,
            self.verify_token,
        );
        if let Some(include) = self.include_values {
            body.set_include_values(include);
        }
        let credential = self.app.credential()?;
        let encoded = crate::body::encode(&body)?;
        let ids = [app.as_str()];
        let call = Call {
            body: Some(encoded.bytes),
            secrets: &encoded.secrets,
            credential: Some(&credential),
            ..Call::new(V::CREATE_APP_SUBSCRIPTION, &ids)
        };
        let client = &self.app.client;
        client
            .core
            .send(client.version, call, json::<V::SuccessResponse>)
            .await
    }
}

into_future!(CreateAppSubscription => Response<V::SuccessResponse>);

/// `DELETE /<APP_ID>/subscriptions`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct DeleteAppSubscription<V: GraphVersion> {
    app: AppHandle<V>,
    object: Option<String>,
    fields: Vec<String>,
    error: Option<Error>,
}

impl<V: GraphVersion> DeleteAppSubscription<V> {
    /// Removes only these fields (the subscription stays for the others).
    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        add_fields(&mut self.fields, &mut self.error, fields);
        self
    }

    /// Another kind of object than `whatsapp_business_account`.
    pub fn object(mut self, object: V::WebhookObject) -> Self {
        self.object = Some(object.to_string());
        self
    }

    /// Removes every subscription of the app, whatever the object.
    pub fn every_object(mut self) -> Self {
        self.object = None;
        self
    }

    /// Sends the removal.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let app = validate::node_id("app_id", &self.app.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.object.is_none() && !self.fields.is_empty() {
            return Err(Error::invalid(
                "fields",
                "removing some fields needs an object (not every_object)",
            ));
        }
        let credential = self.app.credential()?;
        let joined = self.fields.join(",");
        let mut query: Vec<(&'static str, &str)> = Vec::new();
        if let Some(object) = &self.object {
            query.push(("object", object));
        }
        if !joined.is_empty() {
            query.push(("fields", &joined));
        }
        let ids = [app.as_str()];
        let call = Call {
            query: &query,
            credential: Some(&credential),
            ..Call::new(V::DELETE_APP_SUBSCRIPTION, &ids)
        };
        let client = &self.app.client;
        client
            .core
            .send(client.version, call, json::<V::SuccessResponse>)
            .await
    }
}

into_future!(DeleteAppSubscription => Response<V::SuccessResponse>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_checked() {
        assert_eq!(
            field_names(["account_update", " messages "]).unwrap(),
            ["account_update", "messages"]
        );
        for bad in ["", "Account", "a b", "a,b", "x\u{202E}"] {
            assert_eq!(
                field_names([bad]).unwrap_err().invalid_field(),
                Some("fields"),
                "{bad:?}"
            );
        }
    }
}
