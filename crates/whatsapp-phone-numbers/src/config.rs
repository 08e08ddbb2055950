//! Configuration values: the API version, the environment variables `from_env` reads, and
//! the base URL rules. (The retry policy is [`RetryConfig`](crate::RetryConfig).)

use std::fmt;
use std::str::FromStr;

use whatsapp_phone_numbers_api::GraphVersion;

use crate::error::Error;

/// Default Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";

/// Environment variable read by `Client::from_env` and `ClientBuilder::read_env` for the access token.
pub const ENV_ACCESS_TOKEN: &str = "WHATSAPP_ACCESS_TOKEN";
/// Environment variable read by `Client::from_env` and `ClientBuilder::read_env` for the optional app secret.
pub const ENV_APP_SECRET: &str = "WHATSAPP_APP_SECRET";
/// Environment variable read by `Client::from_env` and `ClientBuilder::read_env` for the optional base URL.
pub const ENV_BASE_URL: &str = "WHATSAPP_BASE_URL";
/// Environment variable read by `Client::from_env` and `ClientBuilder::read_env` for the optional API version (`v23.0`).
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

    /// The version of the types `V` (`ApiVersion::of::<v24_0::Version>() == V24_0`).
    pub const fn of<V: GraphVersion>() -> Self {
        Self::new(V::MAJOR, V::MINOR)
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
        "https" if !crate::tls::HAS_TLS => {
            return Err(Error::invalid(
                "base_url",
                "https:// needs a TLS backend, and this build has none (feature `plain-http`): \
                 enable `rustls`, `rustls-aws-lc` or `native-tls`",
            ));
        }
        "https" => {}
        "http" => {
            if !crate::validate::is_loopback(&url) {
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
