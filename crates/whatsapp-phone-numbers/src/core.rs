//! What every client shares, whatever its version: the HTTP pool, credentials, host, retry
//! policy and throttle.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::config::ApiVersion;
use crate::error::Error;
use crate::meta::ResponseMeta;
use crate::retry::RetryConfig;
use crate::retry::throttle::{Throttle, ThrottleConfig, ThrottleStatus};
use crate::secret::{AccessToken, AppSecret};

/// The configuration clients share: connection pool, credentials, host and retry policy.
/// Cheap to clone. It holds no API version: each [`Client`](crate::Client) decides its own.
#[derive(Clone)]
pub struct Core {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: reqwest::Url,
    pub(crate) base_text: String,
    pub(crate) authorization: HeaderValue,
    /// The token itself, only to redact it from error excerpts.
    pub(crate) token: AccessToken,
    pub(crate) appsecret_proof: Option<String>,
    /// The app secret, for the proofs and app access tokens of app endpoints.
    pub(crate) app_secret: Option<AppSecret>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryConfig,
    /// Usage seen in answers, and the gate that spaces requests by it: shared with every
    /// configuration made from this one by [`Core::with_access_token`], as Graph counts the
    /// app's usage across all its tokens.
    pub(crate) throttle: Arc<Throttle>,
    version_warned: AtomicBool,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Core")
            .field("base_url", &self.inner.base_text)
            .field("access_token", &"<redacted>")
            .field("appsecret_proof", &self.inner.appsecret_proof.is_some())
            .field("retry", &self.inner.retry)
            .field("throttle", &self.inner.throttle)
            .finish()
    }
}

/// What a [`Core`] is built from.
pub(crate) struct Settings {
    pub(crate) token: AccessToken,
    pub(crate) secret: Option<AppSecret>,
    pub(crate) base_url: String,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryConfig,
    pub(crate) throttle: ThrottleConfig,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) user_agent: Option<String>,
}

impl Core {
    pub(crate) fn new(settings: Settings) -> Result<Self, Error> {
        let Settings {
            token,
            secret,
            base_url,
            timeout,
            connect_timeout,
            retry,
            throttle,
            http,
            user_agent,
        } = settings;
        throttle.check()?;
        let hold_ceiling = retry.max_wait;
        let authorization = bearer(&token)?;
        let mut agent = format!("whatsapp-phone-numbers/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &user_agent {
            agent.push(' ');
            agent.push_str(suffix);
        }
        let user_agent = HeaderValue::try_from(agent)
            .map_err(|_| Error::invalid("user_agent", "must be printable ASCII"))?;
        let http = match http {
            Some(http) => http,
            None if !crate::tls::install_default_provider() => {
                return Err(Error::Config(
                    "no rustls crypto provider could be installed".into(),
                ));
            }
            // No redirects: a 3xx is reported, never followed, so a body holding a PIN or a
            // code cannot be replayed to another (possibly plain-http) host.
            None => reqwest::Client::builder()
                .timeout(timeout)
                .connect_timeout(connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::invalid("base_url", format!("not a URL ({e})")))?;
        if parsed.cannot_be_a_base() {
            return Err(Error::invalid("base_url", "cannot hold a path"));
        }
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url: parsed,
                base_text: base_url,
                appsecret_proof: secret.as_ref().map(|s| s.proof(&token)),
                app_secret: secret,
                authorization,
                token,
                user_agent,
                retry,
                throttle: Arc::new(Throttle::new(throttle).holding_at_most(hold_ceiling)),
                version_warned: AtomicBool::new(false),
            }),
        })
    }

    /// The API host.
    pub fn base_url(&self) -> &str {
        &self.inner.base_text
    }

    /// The same configuration for another access token: one connection pool, one
    /// throttle, one host, retry policy and app secret, with the token's own
    /// `appsecret_proof`. This is how a solution provider holding one system-user token per
    /// client business runs them all: Graph counts the app's usage across every token, and
    /// so does the shared throttle.
    ///
    /// ```
    /// # fn main() -> Result<(), whatsapp_phone_numbers::Error> {
    /// use whatsapp_phone_numbers::v24_0;
    ///
    /// let provider = v24_0::Client::builder()
    ///     .access_token("EAAB-provider")
    ///     .app_secret("app-secret")
    ///     .build()?;
    /// let client_a = provider.with_access_token("EAAB-client-a")?;
    /// assert!(!format!("{client_a:?}").contains("EAAB"));
    /// // A bad token is refused before anything is sent, naming the field.
    /// let error = provider.with_access_token("two words").unwrap_err();
    /// assert_eq!(error.invalid_field(), Some("access_token"));
    /// # Ok(()) }
    /// ```
    pub fn with_access_token(&self, token: impl Into<String>) -> Result<Core, Error> {
        let token = AccessToken::new(token)?;
        let inner = &*self.inner;
        Ok(Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                base_url: inner.base_url.clone(),
                base_text: inner.base_text.clone(),
                authorization: bearer(&token)?,
                appsecret_proof: inner.app_secret.as_ref().map(|s| s.proof(&token)),
                app_secret: inner.app_secret.clone(),
                token,
                user_agent: inner.user_agent.clone(),
                retry: inner.retry.clone(),
                throttle: Arc::clone(&inner.throttle),
                version_warned: AtomicBool::new(inner.version_warned.load(Ordering::Relaxed)),
            }),
        })
    }

    /// The retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// What the throttle knows: the usage Graph last reported and how many requests it
    /// held back. Shared by every client over this configuration.
    pub fn throttle_status(&self) -> ThrottleStatus {
        self.inner.throttle.status()
    }
}

impl Inner {
    /// Logs once per configuration when Graph serves another version than the path asked
    /// for.
    pub(crate) fn check_served_version(&self, path_version: ApiVersion, meta: &ResponseMeta) {
        if let Some(served) = meta.api_version()
            && served.parse::<ApiVersion>().ok() != Some(path_version)
            && !self.version_warned.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                pinned = %path_version,
                served = %served,
                "Graph API served a different version than the client pins"
            );
        }
    }

    /// Every credential this configuration sends, for redacting server echoes.
    pub(crate) fn credentials(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.token.expose())
            .chain(self.appsecret_proof.as_deref())
            .chain(self.app_secret.as_ref().map(AppSecret::expose))
    }
}

/// `Bearer TOKEN`, marked sensitive.
fn bearer(token: &AccessToken) -> Result<HeaderValue, Error> {
    let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.expose()))
        .map_err(|_| Error::invalid("access_token", "cannot be sent in a header"))?;
    authorization.set_sensitive(true);
    Ok(authorization)
}

/// Credentials a call sends instead of the configuration's own: an app access token (and
/// its proof) for an app's own endpoints.
pub(crate) struct Credential {
    pub(crate) authorization: HeaderValue,
    pub(crate) proof: Option<String>,
    /// The token, only to redact it.
    pub(crate) token: String,
}

impl Credential {
    /// `token` as a bearer credential, with its `appsecret_proof` when `secret` is known.
    pub(crate) fn bearer(token: &str, secret: Option<&AppSecret>) -> Result<Self, Error> {
        let mut authorization = HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| Error::invalid("app_access_token", "cannot be sent in a header"))?;
        authorization.set_sensitive(true);
        Ok(Self {
            authorization,
            proof: secret.map(|s| s.proof_of(token)),
            token: token.to_owned(),
        })
    }
}
