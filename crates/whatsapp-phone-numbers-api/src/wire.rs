//! What the client and the mock both speak on Graph's wire, written once: HMAC-SHA256 in
//! Graph's lowercase hex (`appsecret_proof`, `X-Hub-Signature-256`), which hosts count as
//! loopback (where plain `http://` is allowed). (The webhook envelope is [`crate::webhook`].)

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// HMAC-SHA256 of `data` keyed by `key`, ready to feed more data, finalise or verify.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac
}

/// Lowercase hex of the HMAC-SHA256 of `data` keyed by `key`: an `appsecret_proof`, or a
/// webhook signature after `sha256=`.
///
/// ```
/// // RFC 4231, test case 2.
/// let hex = whatsapp_phone_numbers_api::wire::hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
pub fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    lower_hex(&hmac_sha256(key, data).finalize().into_bytes())
}

/// `bytes` as lowercase hex.
pub fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

/// True for a loopback host as a URL writes it: `localhost` (any case), an IPv4 address in
/// 127.0.0.0/8, or `::1` (bracketed or not).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "128.0.0.1",
            "::2",
            "[::2]",
            "localhost.example.com",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}

/// Why `name` cannot be a business username, or `None` when it can: Meta's rule (its
/// business-username guide, as Vonage's and Kapso's documentation of Meta's API relay it):
/// 3 to 35 characters; English letters, digits, `.` and `_`; at least one letter; no `.` at
/// the start or end and no `..`; not starting with `www`; not ending in a domain suffix
/// (`.com`, `.org`, `.net`, `.edu`, `.gov`, `.mil`, `.us`, `.in`, `.html`). Usernames compare
/// without regard to case; `.` and `_` are different characters. The client and the mock
/// both apply it.
pub fn username_problem(name: &str) -> Option<&'static str> {
    let count = name.chars().count();
    if !(3..=35).contains(&count) {
        return Some("must be 3 to 35 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
    {
        return Some("may hold only English letters, digits, periods and underscores");
    }
    if !name.bytes().any(|b| b.is_ascii_alphabetic()) {
        return Some("must contain at least one English letter");
    }
    if name.starts_with('.') || name.ends_with('.') || name.contains("..") {
        return Some("must not start or end with a period, or hold two in a row");
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("www") {
        return Some("must not start with www");
    }
    const SUFFIXES: [&str; 9] = [
        ".com", ".org", ".net", ".edu", ".gov", ".mil", ".us", ".in", ".html",
    ];
    if SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return Some("must not end in a domain suffix such as .com");
    }
    None
}

#[cfg(test)]
mod username_tests {
    use super::username_problem;

    #[test]
    fn usernames_follow_metas_rule() {
        for good in [
            "jaspers_market",
            "Jaspers.Market",
            "abc",
            "a12",
            "shop_2024",
            &"a".repeat(35),
        ] {
            assert_eq!(username_problem(good), None, "{good}");
        }
        for bad in [
            "ab",
            &"a".repeat(36),
            "jaspers-market",
            "jaspers market",
            "müller",
            "123",
            "_._",
            ".jaspers",
            "jaspers.",
            "jas..pers",
            "wwwjaspers",
            "WWW.jaspers",
            "jaspers.com",
            "jaspers.COM",
            "jaspers.in",
            "page.html",
        ] {
            assert!(username_problem(bad).is_some(), "{bad}");
        }
    }
}
