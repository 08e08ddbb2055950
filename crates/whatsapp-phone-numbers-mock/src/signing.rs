//! HMAC-SHA256 in Graph's hex form: `appsecret_proof`, webhook signatures and the app
//! access tokens the mock issues.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

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

/// HMAC-SHA256 keyed by `app_secret`, to feed or to verify.
pub(crate) fn keyed(app_secret: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    <Hmac<Sha256> as KeyInit>::new_from_slice(app_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"))
}
