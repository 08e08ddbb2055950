//! The Meta apps the mock knows, their tokens, and the two levels of webhook subscription
//! Graph keeps: an app's own subscription (`/{app-id}/subscriptions`: a callback URL and
//! the fields it wants) and an app's subscription to an account (`/{waba-id}/subscribed_apps`,
//! with an optional callback override).
//!
//! Every app has a system-user token (`access_token`) for the account and number
//! endpoints, and is reached with an app access token on its own endpoints: `APP_ID|APP_SECRET`,
//! or one `GET /oauth/access_token` issued (Meta's access token guide).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// ID of the app the default token ([`DEFAULT_ACCESS_TOKEN`](crate::DEFAULT_ACCESS_TOKEN))
/// belongs to.
pub const MOCK_APP_ID: &str = "67084330901";
/// Name of the default app.
pub const MOCK_APP_NAME: &str = "Mock App";

/// A Meta app the mock knows: its ID and name, the secret it signs webhooks and app access
/// tokens with, and the system-user token that calls the account and number endpoints on
/// its behalf. `Debug` never prints the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct MockApp {
    id: String,
    name: String,
    secret: String,
    access_token: String,
    /// Other system users' tokens of this app (one per client business, as a solution
    /// provider holds them).
    system_user_tokens: Vec<String>,
    require_appsecret_proof: bool,
}

impl fmt::Debug for MockApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockApp")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .field("system_user_tokens", &self.system_user_tokens.len())
            .field("require_appsecret_proof", &self.require_appsecret_proof)
            .finish()
    }
}

impl MockApp {
    /// An app with ID `id` (digits), a name, its app secret and a system-user access token.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        secret: impl Into<String>,
        access_token: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
            secret: secret.into(),
            access_token: access_token.into(),
            system_user_tokens: Vec::new(),
            require_appsecret_proof: false,
        }
    }

    /// Accepts `token` as another system user's token of this app: a solution provider holds
    /// one per client business, and Graph counts all of them toward the same app's usage.
    pub fn with_system_user_token(mut self, token: impl Into<String>) -> Self {
        self.system_user_tokens.push(token.into());
        self
    }

    /// Turns on Graph's "Require App Secret" app setting: every call made with this app's
    /// tokens must carry `appsecret_proof` (the hex HMAC-SHA256 of the token keyed by the
    /// app secret), or Graph refuses it with error 100. Off by default, as in a new app.
    pub fn require_appsecret_proof(mut self, required: bool) -> Self {
        self.require_appsecret_proof = required;
        self
    }

    /// The app ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The app's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The app secret: webhooks to this app are signed with it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The system-user access token of this app.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// The app access token `APP_ID|APP_SECRET`.
    pub fn app_access_token(&self) -> String {
        format!("{}|{}", self.id, self.secret)
    }

    /// Whether calls with this app's tokens need `appsecret_proof`.
    pub fn requires_appsecret_proof(&self) -> bool {
        self.require_appsecret_proof
    }
}

/// An app as `GET /__mock/apps` lists it: ID and name, never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct AppListing {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// An app's own webhook subscription for one kind of object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AppSubscription {
    pub(crate) callback_url: String,
    pub(crate) verify_token: String,
    /// Field names with the API version they were subscribed under, in order.
    pub(crate) fields: Vec<(String, String)>,
    pub(crate) active: bool,
}

impl AppSubscription {
    pub(crate) fn has_field(&self, field: &str) -> bool {
        self.active && self.fields.iter().any(|(name, _)| name == field)
    }
}

/// An app subscribed to an account's webhooks (`POST /{waba-id}/subscribed_apps`), with the
/// account-level callback override when set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccountSubscription {
    pub(crate) app_id: String,
    pub(crate) override_callback_uri: Option<String>,
    pub(crate) override_verify_token: Option<String>,
}

/// A number-level callback override of one app (`webhook_configuration` on the number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookOverride {
    /// The callback URL.
    pub callback_uri: String,
    /// The verify token sent with it.
    pub verify_token: Option<String>,
}

/// How a token was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A system-user (or user) token.
    User,
    /// An app access token.
    App,
}

/// Every app, their app subscriptions and the app tokens Graph issued.
#[derive(Debug, Default)]
pub(crate) struct Apps {
    apps: BTreeMap<String, AppRecord>,
    /// Tokens `GET /oauth/access_token` issued, to their app.
    issued: BTreeMap<String, String>,
}

#[derive(Debug)]
struct AppRecord {
    app: MockApp,
    /// By object (`whatsapp_business_account`).
    subscriptions: BTreeMap<String, AppSubscription>,
}

impl Apps {
    /// Adds `app`, or replaces the app with its ID (keeping its subscriptions).
    pub(crate) fn insert(&mut self, app: MockApp) {
        match self.apps.get_mut(&app.id) {
            Some(record) => record.app = app,
            None => {
                self.apps.insert(
                    app.id.clone(),
                    AppRecord {
                        app,
                        subscriptions: BTreeMap::new(),
                    },
                );
            }
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&MockApp> {
        self.apps.get(id).map(|r| &r.app)
    }

    pub(crate) fn contains(&self, id: &str) -> bool {
        self.apps.contains_key(id)
    }

    /// Every app, in ID order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &MockApp> {
        self.apps.values().map(|r| &r.app)
    }

    /// The app `token` belongs to and what kind of token it is.
    pub(crate) fn by_token(&self, token: &str) -> Option<(&MockApp, TokenKind)> {
        if let Some(app) = self
            .all()
            .find(|a| a.access_token == token || a.system_user_tokens.iter().any(|t| t == token))
        {
            return Some((app, TokenKind::User));
        }
        if let Some(app) = self.all().find(|a| a.app_access_token() == token) {
            return Some((app, TokenKind::App));
        }
        let app = self.issued.get(token).and_then(|id| self.get(id))?;
        Some((app, TokenKind::App))
    }

    /// Issues an app access token for app `id` (deterministic for the app and its secret)
    /// and remembers it.
    pub(crate) fn issue(&mut self, id: &str) -> Option<String> {
        let app = self.get(id)?;
        let digest = whatsapp_phone_numbers_api::wire::hmac_sha256_hex(
            app.secret.as_bytes(),
            b"client_credentials",
        );
        let token = format!("{id}|{}", &digest[..27]);
        self.issued.insert(token.clone(), id.to_owned());
        Some(token)
    }

    pub(crate) fn subscription(&self, app_id: &str, object: &str) -> Option<&AppSubscription> {
        self.apps.get(app_id)?.subscriptions.get(object)
    }

    pub(crate) fn subscriptions(&self, app_id: &str) -> Vec<(String, AppSubscription)> {
        self.apps
            .get(app_id)
            .map(|r| {
                r.subscriptions
                    .iter()
                    .map(|(o, s)| (o.clone(), s.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Subscribes app `app_id` to `fields` of `object` at `callback_url` (fields already
    /// subscribed keep their place; the callback and token are replaced).
    pub(crate) fn subscribe(
        &mut self,
        app_id: &str,
        object: &str,
        callback_url: &str,
        verify_token: &str,
        fields: &[String],
        version: &str,
    ) {
        let Some(record) = self.apps.get_mut(app_id) else {
            return;
        };
        let subscription = record
            .subscriptions
            .entry(object.to_owned())
            .or_insert_with(|| AppSubscription {
                callback_url: String::new(),
                verify_token: String::new(),
                fields: Vec::new(),
                active: true,
            });
        subscription.callback_url = callback_url.to_owned();
        subscription.verify_token = verify_token.to_owned();
        subscription.active = true;
        for field in fields {
            match subscription.fields.iter_mut().find(|(n, _)| n == field) {
                Some(entry) => entry.1 = version.to_owned(),
                None => subscription
                    .fields
                    .push((field.clone(), version.to_owned())),
            }
        }
    }

    /// Removes `fields` of `object` from app `app_id`'s subscription (all of `object`'s
    /// subscription when `fields` is empty; every subscription when `object` is `None`).
    pub(crate) fn unsubscribe(&mut self, app_id: &str, object: Option<&str>, fields: &[String]) {
        let Some(record) = self.apps.get_mut(app_id) else {
            return;
        };
        match object {
            None => record.subscriptions.clear(),
            Some(object) if fields.is_empty() => {
                record.subscriptions.remove(object);
            }
            Some(object) => {
                if let Some(subscription) = record.subscriptions.get_mut(object) {
                    subscription.fields.retain(|(n, _)| !fields.contains(n));
                    if subscription.fields.is_empty() {
                        record.subscriptions.remove(object);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_app_and_kind() {
        let mut apps = Apps::default();
        apps.insert(MockApp::new("1", "One", "s1", "t1"));
        apps.insert(MockApp::new("2", "Two", "s2", "t2"));
        assert_eq!(
            apps.by_token("t2").map(|(a, k)| (a.id(), k)),
            Some(("2", TokenKind::User))
        );
        assert_eq!(
            apps.by_token("1|s1").map(|(a, k)| (a.id(), k)),
            Some(("1", TokenKind::App))
        );
        assert!(apps.by_token("1|s2").is_none());
        let issued = apps.issue("2").unwrap();
        assert!(issued.starts_with("2|") && !issued.contains("s2"));
        assert_eq!(
            apps.by_token(&issued).map(|(a, k)| (a.id(), k)),
            Some(("2", TokenKind::App))
        );
        let debug = format!("{:?}", apps.get("1").unwrap());
        assert!(!debug.contains("s1") && !debug.contains("t1"), "{debug}");
    }

    #[test]
    fn app_subscriptions_add_fields_and_remove_them() {
        let mut apps = Apps::default();
        apps.insert(MockApp::new("1", "One", "s", "t"));
        let f = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        apps.subscribe(
            "1",
            "whatsapp_business_account",
            "http://a",
            "v",
            &f(&["a", "b"]),
            "v23.0",
        );
        apps.subscribe(
            "1",
            "whatsapp_business_account",
            "http://b",
            "v",
            &f(&["b", "c"]),
            "v24.0",
        );
        let s = apps.subscription("1", "whatsapp_business_account").unwrap();
        assert_eq!(s.callback_url, "http://b");
        assert_eq!(
            s.fields
                .iter()
                .map(|(n, v)| format!("{n}@{v}"))
                .collect::<Vec<_>>(),
            ["a@v23.0", "b@v24.0", "c@v24.0"]
        );
        apps.unsubscribe("1", Some("whatsapp_business_account"), &f(&["a", "b"]));
        assert!(
            apps.subscription("1", "whatsapp_business_account")
                .unwrap()
                .has_field("c")
        );
        apps.unsubscribe("1", Some("whatsapp_business_account"), &f(&["c"]));
        assert!(
            apps.subscription("1", "whatsapp_business_account")
                .is_none()
        );
    }
}
