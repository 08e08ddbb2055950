//! Secrets and secret-bearing inputs: they never appear in `Debug`, `Display`, errors or logs.

use std::fmt;

use crate::error::Error;
use crate::validate;

macro_rules! redacted_debug {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
    };
}

/// A Graph API access token (system user or user token).
///
/// ```
/// use whatsapp_phone_numbers::AccessToken;
/// let token = AccessToken::new("EAAJB-secret").unwrap();
/// assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
/// assert_eq!(token.to_string(), "<redacted>");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token. It must be non-empty and fit in an HTTP header.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.is_empty() {
            return Err(Error::invalid("access_token", "must not be empty"));
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "access_token",
                "must be printable ASCII without spaces",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The token itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

redacted_debug!(AccessToken);

/// A Graph app access token: what an app's own endpoints take (its webhook subscriptions),
/// either `APP_ID|APP_SECRET` or one `GET /oauth/access_token` issued (Meta's access token
/// guide describes both).
///
/// ```
/// use whatsapp_phone_numbers::{AppAccessToken, AppSecret};
/// let secret = AppSecret::new("s3cret").unwrap();
/// let token = AppAccessToken::from_app_secret("67084330901", &secret).unwrap();
/// assert_eq!(format!("{token:?}"), "AppAccessToken(<redacted>)");
/// assert_eq!(token.expose(), "67084330901|s3cret");
/// assert_eq!(
///     AppAccessToken::from_app_secret("app", &secret).unwrap_err().invalid_field(),
///     Some("app_id")
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AppAccessToken(String);

impl AppAccessToken {
    /// Wraps an app access token: non-empty printable ASCII without spaces.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        let trimmed = token.trim();
        if trimmed.is_empty() || !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid(
                "app_access_token",
                "must be printable ASCII without spaces",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The app access token `APP_ID|APP_SECRET` of app `app_id`.
    pub fn from_app_secret(app_id: &str, secret: &AppSecret) -> Result<Self, Error> {
        let app_id = validate::node_id("app_id", app_id)?;
        Self::new(format!("{app_id}|{}", secret.expose()))
    }

    /// The token itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

redacted_debug!(AppAccessToken);

/// A Meta app secret, used to sign every request with `appsecret_proof`.
#[derive(Clone, PartialEq, Eq)]
pub struct AppSecret(String);

impl AppSecret {
    /// Wraps an app secret; it must be non-empty.
    pub fn new(secret: impl Into<String>) -> Result<Self, Error> {
        let secret = secret.into();
        if secret.trim().is_empty() {
            return Err(Error::invalid("app_secret", "must not be empty"));
        }
        Ok(Self(secret.trim().to_owned()))
    }

    /// The secret itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `appsecret_proof` for `token`: lowercase hex HMAC-SHA256 of the token keyed by this
    /// secret.
    ///
    /// ```
    /// use whatsapp_phone_numbers::{AccessToken, AppSecret};
    /// let proof = AppSecret::new("s3cret").unwrap().proof(&AccessToken::new("tok").unwrap());
    /// assert_eq!(proof.len(), 64);
    /// ```
    pub fn proof(&self, token: &AccessToken) -> String {
        self.proof_of(token.expose())
    }

    /// `appsecret_proof` for any token text (an app access token too).
    pub(crate) fn proof_of(&self, token: &str) -> String {
        whatsapp_phone_numbers_api::wire::hmac_sha256_hex(self.0.as_bytes(), token.as_bytes())
    }

    /// HMAC-SHA256 keyed by this secret, over `data` (finalise or verify it).
    pub(crate) fn mac(&self, data: &[u8]) -> hmac::Hmac<sha2::Sha256> {
        whatsapp_phone_numbers_api::wire::hmac_sha256(self.0.as_bytes(), data)
    }
}

redacted_debug!(AppSecret);

/// The verify token of a webhook callback: the text Graph's verification request carries
/// (`hub.verify_token`) and the receiver compares. 1 to 256 printable characters.
///
/// ```
/// use whatsapp_phone_numbers::VerifyToken;
/// let token = VerifyToken::new("meatyhamhock").unwrap();
/// assert_eq!(format!("{token:?}"), "VerifyToken(<redacted>)");
/// assert_eq!(VerifyToken::new("").unwrap_err().invalid_field(), Some("verify_token"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyToken(String);

impl VerifyToken {
    /// Wraps a verify token.
    pub fn new(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        validate::token("verify_token", &token)?;
        Ok(Self(token))
    }

    /// The token itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

redacted_debug!(VerifyToken);

/// A two-step verification PIN: exactly six ASCII digits.
///
/// ```
/// use whatsapp_phone_numbers::TwoStepPin;
/// assert!(TwoStepPin::new("150954").is_ok());
/// let err = TwoStepPin::new("12345").unwrap_err();
/// assert_eq!(err.invalid_field(), Some("pin"));
/// assert!(!format!("{err:?}").contains("12345"));
/// assert_eq!(format!("{:?}", TwoStepPin::new("150954").unwrap()), "TwoStepPin(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TwoStepPin(String);

impl TwoStepPin {
    /// Validates and wraps a PIN.
    pub fn new(pin: impl AsRef<str>) -> Result<Self, Error> {
        validate::six_digits("pin", pin.as_ref()).map(Self)
    }

    /// The PIN itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

redacted_debug!(TwoStepPin);

/// A registration verification code (the one sent by SMS or voice): six ASCII digits.
#[derive(Clone, PartialEq, Eq)]
pub struct VerificationCode(String);

impl VerificationCode {
    /// Validates and wraps a code.
    pub fn new(code: impl AsRef<str>) -> Result<Self, Error> {
        validate::six_digits("code", code.as_ref()).map(Self)
    }

    /// The code itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

redacted_debug!(VerificationCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_matches_a_known_hmac() {
        // HMAC-SHA256(key = "key", message = "The quick brown fox jumps over the lazy dog").
        let secret = AppSecret::new("key").unwrap();
        let token = AccessToken("The quick brown fox jumps over the lazy dog".into());
        assert_eq!(
            secret.proof(&token),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn nothing_secret_prints() {
        let all = format!(
            "{:?} {} {:?} {} {:?} {:?} {:?} {}",
            AccessToken::new("tok-1").unwrap(),
            AccessToken::new("tok-1").unwrap(),
            AppSecret::new("sec-2").unwrap(),
            AppSecret::new("sec-2").unwrap(),
            TwoStepPin::new("123456").unwrap(),
            VerificationCode::new("654321").unwrap(),
            AppAccessToken::new("1|app-3").unwrap(),
            AppAccessToken::new("1|app-3").unwrap(),
        );
        for secret in ["tok-1", "sec-2", "123456", "654321", "app-3"] {
            assert!(!all.contains(secret), "{all}");
        }
    }

    #[test]
    fn codes_and_pins_are_six_ascii_digits() {
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６", " 123456"] {
            assert!(TwoStepPin::new(bad).is_err(), "{bad:?}");
            assert!(VerificationCode::new(bad).is_err(), "{bad:?}");
        }
        assert!(AccessToken::new("  ").is_err());
        assert!(AccessToken::new("a b").is_err());
    }
}
