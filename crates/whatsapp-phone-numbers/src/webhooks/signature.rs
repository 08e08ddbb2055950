//! `X-Hub-Signature-256`: Graph signs every webhook body with the app secret.

use super::error::WebhookError;
use whatsapp_phone_numbers_api::wire::lower_hex;

use crate::secret::AppSecret;

/// The header Graph signs webhook bodies in (`sha256=` and the lowercase hex HMAC-SHA256 of
/// the raw body, keyed by the app secret).
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

const PREFIX: &str = "sha256=";

/// The `X-Hub-Signature-256` value Graph would send with `body`: `sha256=` and 64 lowercase
/// hex digits. For tests that post signed webhooks to a handler.
///
/// ```
/// use whatsapp_phone_numbers::AppSecret;
/// use whatsapp_phone_numbers::webhooks::sign;
/// let secret = AppSecret::new("app-secret").unwrap();
/// let header = sign(&secret, br#"{"object":"whatsapp_business_account","entry":[]}"#);
/// assert!(header.starts_with("sha256=") && header.len() == 71);
/// ```
pub fn sign(app_secret: &AppSecret, body: &[u8]) -> String {
    use hmac::Mac;
    let digest = app_secret.mac(body).finalize().into_bytes();
    format!("{PREFIX}{}", lower_hex(&digest))
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Checks `header` (the raw `X-Hub-Signature-256` value, `None` when absent) against the
/// HMAC-SHA256 of the raw `body` bytes, in constant time. Fails closed: no header, a header
/// that is not `sha256=` and 64 hex digits, or another signature is an error, and the error
/// never carries the expected signature.
pub fn verify(
    app_secret: &AppSecret,
    header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let claimed = parse(header)?;
    if signed_by(app_secret, body, &claimed) {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

/// The digest a `X-Hub-Signature-256` value claims (`None`: the header is absent).
pub(crate) fn parse(header: Option<&[u8]>) -> Result<[u8; 32], WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let header = header.trim_ascii();
    let hex = header
        .strip_prefix(PREFIX.as_bytes())
        .ok_or(WebhookError::MalformedSignature(
            "it does not start with `sha256=`",
        ))?;
    if hex.len() != 64 {
        return Err(WebhookError::MalformedSignature(
            "it does not have 64 hex digits after `sha256=`",
        ));
    }
    let mut claimed = [0u8; 32];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        let (Some(high), Some(low)) = (hex_digit(pair[0]), hex_digit(pair[1])) else {
            return Err(WebhookError::MalformedSignature(
                "it has a character that is not a hex digit",
            ));
        };
        claimed[i] = high << 4 | low;
    }
    Ok(claimed)
}

/// True when `claimed` is the HMAC-SHA256 of `body` keyed by `app_secret` (compared in
/// constant time).
pub(crate) fn signed_by(app_secret: &AppSecret, body: &[u8], claimed: &[u8; 32]) -> bool {
    use hmac::Mac;
    app_secret.mac(body).verify_slice(claimed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> AppSecret {
        AppSecret::new("s3cret").unwrap()
    }

    #[test]
    fn a_signature_verifies_only_its_body() {
        let body = br#"{"a":"\u00e9\/"}"#;
        let header = sign(&secret(), body);
        assert!(verify(&secret(), Some(header.as_bytes()), body).is_ok());
        assert!(
            verify(
                &secret(),
                Some(
                    header
                        .to_uppercase()
                        .replace("SHA256=", "sha256=")
                        .as_bytes()
                ),
                body
            )
            .is_ok()
        );
        assert_eq!(
            verify(&secret(), Some(header.as_bytes()), br#"{"a":"\u00e9/"}"#),
            Err(WebhookError::SignatureMismatch)
        );
        let other = AppSecret::new("other").unwrap();
        assert_eq!(
            verify(&other, Some(header.as_bytes()), body),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn bad_headers_fail_closed() {
        let body = b"{}";
        assert_eq!(
            verify(&secret(), None, body),
            Err(WebhookError::MissingSignature)
        );
        for bad in [
            "",
            "sha256=",
            "sha1=0000000000000000000000000000000000000000",
            &format!("sha256={}", "0".repeat(63)),
            &format!("sha256={}", "g".repeat(64)),
            &format!("sha256={}é", "0".repeat(62)),
        ] {
            assert!(
                matches!(
                    verify(&secret(), Some(bad.as_bytes()), body),
                    Err(WebhookError::MalformedSignature(_))
                ),
                "{bad:?}"
            );
        }
    }
}
