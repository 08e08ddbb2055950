//! The TLS backend, a Cargo feature choice made at compile time.
//!
//! | feature | backend | build cost |
//! |---|---|---|
//! | `rustls` (default) | rustls with the `ring` crypto provider, the platform's roots | light (ring builds in seconds) |
//! | `rustls-aws-lc` | rustls with `aws-lc-rs` (reqwest's own default) | heavy: `aws-lc-sys` is a large C build |
//! | `native-tls` | the platform's TLS (OpenSSL on Linux) | needs the system's OpenSSL headers |
//! | `plain-http` | none: only `http://` to a loopback host (a local mock) | none |
//!
//! A build with none of them does not compile, so a missing backend is never a run-time
//! failure of every request. Features stay additive: with several, `native-tls` wins over
//! rustls, and `rustls-aws-lc` over `rustls`.
//!
//! With `rustls` alone, reqwest is built without a crypto provider, and the first client
//! this crate builds installs `ring` as the process-wide rustls default (only when no
//! provider is installed yet). Code in the same program that builds its own reqwest client
//! before any of ours can call [`install_default_provider`] first.

#[cfg(not(any(
    feature = "rustls",
    feature = "rustls-aws-lc",
    feature = "native-tls",
    feature = "plain-http"
)))]
compile_error!(
    "whatsapp-phone-numbers needs a TLS backend: enable the feature `rustls` (the default), \
     `rustls-aws-lc` or `native-tls`, or `plain-http` to talk only to a local mock over http://"
);

/// True when this build can call `https://` hosts.
pub const HAS_TLS: bool = cfg!(any(
    feature = "rustls",
    feature = "rustls-aws-lc",
    feature = "native-tls"
));

/// Installs `ring` as the process-wide rustls crypto provider when this build uses the
/// `rustls` feature without `rustls-aws-lc` and no provider is installed yet; answers
/// whether a provider is now installed (always `true` in other builds, which need none).
///
/// Clients of this crate call it themselves; call it early only when the same program
/// builds other reqwest clients before its first one.
pub fn install_default_provider() -> bool {
    #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
    {
        use rustls::crypto::CryptoProvider;
        if CryptoProvider::get_default().is_none() {
            // Another thread may win the race; either way a provider is installed.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        CryptoProvider::get_default().is_some()
    }
    #[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
    {
        true
    }
}
