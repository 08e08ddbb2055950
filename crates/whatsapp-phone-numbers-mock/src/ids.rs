//! Fresh opaque IDs for `fbtrace_id`, `x-fb-trace-id` and `x-fb-request-id`, and the
//! deterministic hash the mock uses where it must be repeatable (verification codes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// SplitMix64: a fast, well-mixed step function.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn fresh_bits() -> (u64, u64) {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let a = splitmix(n ^ nanos.rotate_left(17));
    let b = splitmix(a ^ n.wrapping_mul(0xA24B_AED4_963E_E407));
    (a, b)
}

/// A fresh ID of `len` characters from the URL-safe base64 alphabet, starting with `A`
/// like Graph's trace IDs.
fn fresh(len: usize) -> String {
    let (mut a, mut b) = fresh_bits();
    let mut out = String::with_capacity(len);
    out.push('A');
    while out.len() < len {
        out.push(ALPHABET[(a & 63) as usize] as char);
        a = (a >> 6) | (b << 58);
        b >>= 6;
        if a == 0 && b == 0 {
            (a, b) = fresh_bits();
        }
    }
    out
}

/// A fresh trace ID (`fbtrace_id` and `x-fb-trace-id`).
pub(crate) fn trace_id() -> String {
    fresh(23)
}

/// A fresh request ID (`x-fb-request-id`).
pub(crate) fn request_id() -> String {
    fresh(24)
}

/// A fresh `hub.challenge`: ten digits, as Graph sends.
pub(crate) fn challenge() -> String {
    (fresh_bits().0 % 9_000_000_000 + 1_000_000_000).to_string()
}

/// FNV-1a over `parts`: a stable hash for deterministic mock data.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    splitmix(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_fresh_and_well_formed() {
        let a = trace_id();
        let b = trace_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert!(a.starts_with('A'));
        assert!(a.bytes().all(|c| ALPHABET.contains(&c)));
        assert_eq!(request_id().len(), 24);
    }

    #[test]
    fn stable_hash_is_stable() {
        assert_eq!(stable_hash(&[b"a", b"b"]), stable_hash(&[b"a", b"b"]));
        assert_ne!(stable_hash(&[b"ab"]), stable_hash(&[b"a", b"b"]));
    }
}
