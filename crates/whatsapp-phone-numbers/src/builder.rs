//! [`ClientBuilder`]: credentials, host, version, timeouts and retries, checked before
//! anything is sent.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use whatsapp_phone_numbers_api::GraphVersion;

use crate::client::Client;
use crate::config::{
    ApiVersion, DEFAULT_BASE_URL, ENV_ACCESS_TOKEN, ENV_API_VERSION, ENV_APP_SECRET, ENV_BASE_URL,
    check_base_url,
};
use crate::core::{Core, Settings};
use crate::error::Error;
use crate::retry::RetryConfig;
use crate::retry::throttle::ThrottleConfig;
use crate::secret::{AccessToken, AppSecret};

/// Builds a [`Client`]. Start from `Client::builder()` or `Client::from_env()`.
///
/// ```
/// # fn main() -> Result<(), whatsapp_phone_numbers::Error> {
/// use std::time::Duration;
/// use whatsapp_phone_numbers::{ApiVersion, v23_0};
/// let client = v23_0::Client::builder()
///     .access_token("EAAJB...")
///     .app_secret("0123abcd")
///     .timeout(Duration::from_secs(20))
///     .max_retries(3)
///     .build()?;
/// assert_eq!(client.api_version(), ApiVersion::V23_0);
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder<V> {
    access_token: Option<String>,
    app_secret: Option<String>,
    api_version: Option<ApiVersion>,
    base_url: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryConfig,
    throttle: ThrottleConfig,
    http: Option<reqwest::Client>,
    user_agent: Option<String>,
    /// A problem found by `read_env`, reported by `build`.
    env_error: Option<Error>,
    _types: PhantomData<fn() -> V>,
}

impl<V> fmt::Debug for ClientBuilder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("api_version", &self.api_version)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("throttle", &self.throttle)
            .field("custom_http_client", &self.http.is_some())
            .finish()
    }
}

impl<V: GraphVersion> Default for ClientBuilder<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: GraphVersion> ClientBuilder<V> {
    /// A builder with defaults: Graph's host, `V`'s version in paths, 30 s timeout, 10 s
    /// connect timeout, 2 retries.
    pub fn new() -> Self {
        Self {
            access_token: None,
            app_secret: None,
            api_version: None,
            base_url: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryConfig::default(),
            throttle: ThrottleConfig::default(),
            http: None,
            user_agent: None,
            env_error: None,
            _types: PhantomData,
        }
    }

    /// Reads `WHATSAPP_ACCESS_TOKEN`, and when set `WHATSAPP_APP_SECRET`,
    /// `WHATSAPP_BASE_URL` and `WHATSAPP_API_VERSION`, over what the builder holds.
    ///
    /// `WHATSAPP_API_VERSION` pins the path only where `V`'s types are the ones this SDK
    /// has for that version (its own, or for a version newer than every specification, the
    /// nearest older ones): `v24_0::Client` takes `v24.0` or `v25.0`, and refuses `v23.0`
    /// (which has types of its own) with an error naming the variable, rather than decoding
    /// one version's answers with another's types. A program that follows the variable
    /// picks the types by it ([`visit_version`](crate::visit_version)).
    pub fn read_env(mut self) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(token) = var(ENV_ACCESS_TOKEN) {
            self.access_token = Some(token);
        }
        if let Some(secret) = var(ENV_APP_SECRET) {
            self.app_secret = Some(secret);
        }
        if let Some(url) = var(ENV_BASE_URL) {
            self.base_url = Some(url);
        }
        if let Some(version) = var(ENV_API_VERSION) {
            match version.trim().parse::<ApiVersion>() {
                Ok(version) => match env_version_for::<V>(version) {
                    Ok(version) => self.api_version = Some(version),
                    Err(error) => self.env_error = Some(error),
                },
                Err(_) => {
                    self.env_error = Some(Error::invalid(
                        "api_version",
                        format!("{ENV_API_VERSION} must look like v23.0, got {version:?}"),
                    ))
                }
            }
        }
        self
    }

    /// The access token (required).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The app secret: when set, every request carries `appsecret_proof`.
    pub fn app_secret(mut self, secret: impl Into<String>) -> Self {
        self.app_secret = Some(secret.into());
        self
    }

    /// Pins another version in every path, keeping `V`'s types (default: `V`'s version).
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = Some(version);
        self
    }

    /// The API host (default `https://graph.facebook.com`). Plain `http://` is accepted
    /// for loopback hosts only (mocks and tests).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Whole-request timeout, per attempt (default 30 s). Ignored with [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connection timeout (default 10 s). Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 2; 0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The longest server-requested wait to sleep through before retrying (default 30 s);
    /// longer waits return the error with [`Error::retry_after`] instead.
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.retry.max_wait = wait;
        self
    }

    /// The whole retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How the client slows itself as Graph's reported usage nears the limit (default
    /// [`ThrottleConfig::default`]: spaced from 75%, a full spacing apart from 95%;
    /// [`ThrottleConfig::disabled`] turns it off). The throttle is shared by every clone.
    pub fn throttle(mut self, throttle: ThrottleConfig) -> Self {
        self.throttle = throttle;
        self
    }

    /// Use this `reqwest::Client` (your TLS, proxy and pool settings) instead of building one.
    ///
    /// The client this crate builds follows no redirects, so a request body (a PIN, a code)
    /// is never replayed to another host; give yours `redirect::Policy::none()` too.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Appended to the `User-Agent` (`whatsapp-phone-numbers/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent = Some(suffix.into());
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client<V>, Error> {
        if let Some(error) = self.env_error {
            return Err(error);
        }
        let token = AccessToken::new(self.access_token.ok_or_else(|| {
            Error::Config(format!(
                "no access token: call .access_token(..) or set {ENV_ACCESS_TOKEN}"
            ))
        })?)?;
        let secret = self.app_secret.map(AppSecret::new).transpose()?;
        let base_url = check_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let core = Core::new(Settings {
            token,
            secret,
            base_url,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry,
            throttle: self.throttle,
            http: self.http,
            user_agent: self.user_agent,
        })?;
        let client = Client::from(core);
        Ok(match self.api_version {
            Some(version) => client.with_api_version(version),
            None => client,
        })
    }
}

/// `requested` (from `WHATSAPP_API_VERSION`) when `V`'s types are the ones this SDK has for
/// it: the newest specification not newer than `requested`, enabled or not (so that
/// enabling another version's feature elsewhere never changes the answer).
fn env_version_for<V: GraphVersion>(requested: ApiVersion) -> Result<ApiVersion, Error> {
    let own = ApiVersion::new(V::MAJOR, V::MINOR);
    let types = crate::dispatch::nearest_types(ApiVersion::KNOWN, requested).unwrap_or(own);
    if types == own {
        Ok(requested)
    } else {
        Err(Error::invalid(
            ENV_API_VERSION,
            format!(
                "is {requested}, whose answers this SDK reads with {types}'s types, but this client decodes with {own}'s: set it to {own} (or unset it), or pick the client's version by the variable with visit_version"
            ),
        ))
    }
}
