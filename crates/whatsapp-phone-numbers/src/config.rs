//! Client configuration: API version, base URL, credentials, timeouts and retries.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::Duration;

use crate::core::Core;
use crate::error::Error;
use crate::secret::{AccessToken, AppSecret};

/// Default Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";

/// Environment variable read by `from_env` for the access token.
pub const ENV_ACCESS_TOKEN: &str = "WHATSAPP_ACCESS_TOKEN";
/// Environment variable read by `from_env` for the optional app secret.
pub const ENV_APP_SECRET: &str = "WHATSAPP_APP_SECRET";
/// Environment variable read by `from_env` for the optional base URL.
pub const ENV_BASE_URL: &str = "WHATSAPP_BASE_URL";
/// Environment variable read by `from_env` for the optional API version (`v23.0`).
pub const ENV_API_VERSION: &str = "WHATSAPP_API_VERSION";

/// A Graph API version, the first segment of every path (`v23.0`).
///
/// ```
/// use whatsapp_phone_numbers::ApiVersion;
/// let v: ApiVersion = "v23.0".parse().unwrap();
/// assert_eq!(v, ApiVersion::V23_0);
/// assert_eq!(v.to_string(), "v23.0");
/// assert!("23".parse::<ApiVersion>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiVersion {
    major: u16,
    minor: u16,
}

impl ApiVersion {
    /// Graph API v23.0.
    pub const V23_0: Self = Self::new(23, 0);
    /// Graph API v24.0.
    pub const V24_0: Self = Self::new(24, 0);

    /// A version from its numbers.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// Major number (23 for v23.0).
    pub const fn major(self) -> u16 {
        self.major
    }

    /// Minor number (0 for v23.0).
    pub const fn minor(self) -> u16 {
        self.minor
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

impl fmt::Debug for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiVersion({self})")
    }
}

impl FromStr for ApiVersion {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid("api_version", format!("must look like v23.0, got {s:?}"));
        let digits = s.strip_prefix('v').unwrap_or(s);
        let (major, minor) = digits.split_once('.').ok_or_else(bad)?;
        let number = |part: &str| {
            if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
                Err(bad())
            } else {
                part.parse::<u16>().map_err(|_| bad())
            }
        };
        Ok(Self::new(number(major)?, number(minor)?))
    }
}

/// How failed requests are retried.
///
/// Waits use exponential backoff with full jitter: before retry `n` the client sleeps a
/// random time up to `min(max_delay, base_delay * 2^(n-1))`, and at least what Graph asked
/// for (`Retry-After`, or `estimated_time_to_regain_access`). When Graph asks for more than
/// `max_wait`, the error is returned at once with [`Error::retry_after`] set.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Retries after the first attempt (default 2).
    pub max_retries: u32,
    /// Backoff base (default 0.5 s).
    pub base_delay: Duration,
    /// Backoff cap (default 8 s).
    pub max_delay: Duration,
    /// The longest server-requested wait the client sleeps through (default 30 s).
    pub max_wait: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(30),
        }
    }
}

impl RetryConfig {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets [`max_retries`](Self::max_retries).
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets [`base_delay`](Self::base_delay).
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Sets [`max_delay`](Self::max_delay).
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets [`max_wait`](Self::max_wait).
    pub fn with_max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }
}

/// A client type that [`ClientBuilder`] can build: one per enabled Graph API version.
pub trait BuildClient: Sized + sealed::Sealed {
    /// The version whose types the client uses; the default for the path.
    const SPEC_VERSION: ApiVersion;
    #[doc(hidden)]
    fn from_core(core: Core) -> Self;
}

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// Builds a client. Start from `Client::builder()` or `Client::from_env()`.
///
/// ```
/// # fn main() -> Result<(), whatsapp_phone_numbers::Error> {
/// use std::time::Duration;
/// use whatsapp_phone_numbers::{ApiVersion, Client};
/// let client = Client::builder()
///     .access_token("EAAJB...")
///     .app_secret("0123abcd")
///     .api_version(ApiVersion::V23_0)
///     .timeout(Duration::from_secs(20))
///     .max_retries(3)
///     .build()?;
/// assert_eq!(client.api_version(), ApiVersion::V23_0);
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder<C> {
    pub(crate) access_token: Option<String>,
    pub(crate) app_secret: Option<String>,
    pub(crate) api_version: Option<ApiVersion>,
    pub(crate) base_url: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryConfig,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) user_agent: Option<String>,
    /// A problem found by `from_env`, reported by `build`.
    env_error: Option<Error>,
    _client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
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
            .field("custom_http_client", &self.http.is_some())
            .finish()
    }
}

impl<C: BuildClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: BuildClient> ClientBuilder<C> {
    /// A builder with defaults: Graph's host, the client's spec version, 30 s timeout,
    /// 10 s connect timeout, 2 retries.
    pub fn new() -> Self {
        Self {
            access_token: None,
            app_secret: None,
            api_version: None,
            base_url: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryConfig::default(),
            http: None,
            user_agent: None,
            env_error: None,
            _client: PhantomData,
        }
    }

    /// Reads `WHATSAPP_ACCESS_TOKEN`, and when set `WHATSAPP_APP_SECRET`,
    /// `WHATSAPP_BASE_URL` and `WHATSAPP_API_VERSION`, over what the builder holds.
    pub fn from_env(mut self) -> Self {
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
            match version.trim().parse() {
                Ok(version) => self.api_version = Some(version),
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

    /// The Graph API version put in every path (default: the client's spec version).
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
    pub fn build(self) -> Result<C, Error> {
        if let Some(error) = self.env_error.clone() {
            return Err(error);
        }
        let token = AccessToken::new(self.access_token.clone().ok_or_else(|| {
            Error::Config(format!(
                "no access token: call .access_token(..) or set {ENV_ACCESS_TOKEN}"
            ))
        })?)?;
        let secret = self.app_secret.clone().map(AppSecret::new).transpose()?;
        let base_url = check_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let version = self.api_version.unwrap_or(C::SPEC_VERSION);
        Core::new(self, token, secret, base_url, version).map(C::from_core)
    }
}

/// Accepts `https://host[:port][/prefix]`, or `http://` on a loopback host.
pub(crate) fn check_base_url(raw: &str) -> Result<String, Error> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|e| Error::invalid("base_url", format!("not a URL ({e})")))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "base_url",
            "must not have a query or fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid("base_url", "must not carry credentials"));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(Error::invalid(
                    "base_url",
                    "plain http:// is only allowed for loopback hosts; use https://",
                ));
            }
        }
        other => {
            return Err(Error::invalid(
                "base_url",
                format!("scheme must be https, got {other}"),
            ));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://graph.facebook.com/").unwrap(),
            "https://graph.facebook.com"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(check_base_url("http://localhost:1").is_ok());
        assert!(check_base_url("http://[::1]:1").is_ok());
        for bad in [
            "http://graph.facebook.com",
            "http://10.0.0.1",
            "ftp://x",
            "https://x/?a=1",
            "https://u:p@x",
            "nope",
        ] {
            let e = check_base_url(bad).unwrap_err();
            assert_eq!(e.invalid_field(), Some("base_url"), "{bad}");
        }
    }

    #[test]
    fn versions_parse() {
        assert_eq!("24.0".parse::<ApiVersion>().unwrap(), ApiVersion::V24_0);
        assert!("v23".parse::<ApiVersion>().is_err());
        assert!("v23.x".parse::<ApiVersion>().is_err());
        assert!("v99999.0".parse::<ApiVersion>().is_err());
        assert!(ApiVersion::V23_0 < ApiVersion::V24_0);
    }
}
