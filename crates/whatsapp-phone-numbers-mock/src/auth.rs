//! Access-token and `appsecret_proof` checks, as Graph does them.

use std::fmt;

use axum::http::{HeaderMap, StatusCode, header};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::errors::GraphError;

/// The credentials the mock accepts. `Debug` never prints them.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) access_token: String,
    pub(crate) app_secret: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_token", &"<redacted>")
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// `appsecret_proof` for `access_token`: the lowercase hex HMAC-SHA256 of the token keyed
/// by the app secret, as Graph expects it.
///
/// ```
/// let proof = whatsapp_phone_numbers_mock::appsecret_proof("mock-token", "shh");
/// assert_eq!(proof.len(), 64);
/// assert!(proof.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
/// ```
pub fn appsecret_proof(access_token: &str, app_secret: &str) -> String {
    hmac_hex(app_secret, access_token.as_bytes())
}

/// Lowercase hex HMAC-SHA256 of `data` keyed by `secret`: `appsecret_proof`, and a webhook
/// signature after `sha256=`.
pub(crate) fn hmac_hex(secret: &str, data: &[u8]) -> String {
    let mut mac = keyed(secret);
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn keyed(app_secret: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    <Hmac<Sha256> as KeyInit>::new_from_slice(app_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

impl Credentials {
    /// Checks the request's token (bearer header, or `access_token` in the query or form
    /// body) and, when an app secret is configured, its `appsecret_proof`.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        param: impl Fn(&str) -> Option<String>,
    ) -> Result<(), GraphError> {
        let token = bearer(headers).or_else(|| param("access_token"));
        let token = match token {
            Some(token) if !token.is_empty() => token,
            _ => return Err(GraphError::missing_token()),
        };
        if !constant_time_eq(token.as_bytes(), self.access_token.as_bytes()) {
            return Err(GraphError::invalid_token());
        }
        let Some(secret) = &self.app_secret else {
            return Ok(());
        };
        let Some(proof) = param("appsecret_proof") else {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                100,
                "GraphMethodException",
                "API calls from the server require an appsecret_proof argument",
            ));
        };
        let mut mac = keyed(secret);
        mac.update(token.as_bytes());
        let valid = decode_hex(&proof).is_some_and(|bytes| mac.verify_slice(&bytes).is_ok());
        if valid {
            Ok(())
        } else {
            Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                100,
                "GraphMethodException",
                "Invalid appsecret_proof provided in the API argument",
            ))
        }
    }
}

/// The token of an `Authorization: Bearer <token>` (or `OAuth <token>`) header.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_matches_rfc_4231_style_vector() {
        // HMAC-SHA256(key = "key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            appsecret_proof("The quick brown fox jumps over the lazy dog", "key"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn hex_decoding_rejects_garbage() {
        assert_eq!(decode_hex("0aff"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("éé"), None);
    }

    #[test]
    fn debug_never_prints_credentials() {
        let credentials = Credentials {
            access_token: "tok-123".into(),
            app_secret: Some("sec-456".into()),
        };
        let debug = format!("{credentials:?}");
        assert!(
            !debug.contains("tok-123") && !debug.contains("sec-456"),
            "{debug}"
        );
    }

    #[test]
    fn bearer_header_is_parsed() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&headers).as_deref(), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
