//! `from_env`, alone in its own test binary because it changes the process environment.

use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{ApiVersion, Error};

#[test]
fn from_env_reads_the_documented_variables() {
    // SAFETY: this binary has a single test, so no other thread reads the environment.
    unsafe {
        std::env::remove_var("WHATSAPP_ACCESS_TOKEN");
        std::env::remove_var("WHATSAPP_APP_SECRET");
        std::env::remove_var("WHATSAPP_BASE_URL");
        std::env::remove_var("WHATSAPP_API_VERSION");
    }
    let missing = Client::from_env().unwrap_err();
    assert!(
        matches!(&missing, Error::Config(m) if m.contains("WHATSAPP_ACCESS_TOKEN")),
        "{missing}"
    );

    unsafe {
        std::env::set_var("WHATSAPP_ACCESS_TOKEN", "EAAenv-token");
        std::env::set_var("WHATSAPP_APP_SECRET", "env-secret");
        std::env::set_var("WHATSAPP_BASE_URL", "http://127.0.0.1:9/");
        std::env::set_var("WHATSAPP_API_VERSION", "v23.0");
    }
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert_eq!(client.api_version(), ApiVersion::V23_0);
    let debug = format!("{client:?}");
    assert!(
        !debug.contains("EAAenv-token") && !debug.contains("env-secret"),
        "{debug}"
    );
    assert!(debug.contains("appsecret_proof: true"), "{debug}");

    // A version with types of its own is never decoded with another's: the mismatch is
    // refused, naming the variable (whichever version features are enabled).
    unsafe {
        std::env::set_var("WHATSAPP_API_VERSION", "v24.0");
    }
    let mismatch = Client::from_env().unwrap_err();
    assert_eq!(mismatch.invalid_field(), Some("WHATSAPP_API_VERSION"));
    assert!(mismatch.to_string().contains("v24.0"), "{mismatch}");
    unsafe {
        std::env::set_var("WHATSAPP_API_VERSION", "v23.0");
    }
    let older = whatsapp_phone_numbers::v24_0::Client::from_env().unwrap_err();
    assert_eq!(older.invalid_field(), Some("WHATSAPP_API_VERSION"));
    // A version newer than every specification: the newest types read it, path pinned.
    unsafe {
        std::env::set_var("WHATSAPP_API_VERSION", "v25.0");
    }
    let newer = whatsapp_phone_numbers::v24_0::Client::from_env().unwrap();
    assert_eq!(newer.api_version(), ApiVersion::new(25, 0));
    assert!(
        Client::from_env().is_err(),
        "v23.0's types never read v25.0"
    );

    unsafe {
        std::env::set_var("WHATSAPP_API_VERSION", "v24");
    }
    let typo = Client::from_env().unwrap_err();
    assert_eq!(typo.invalid_field(), Some("api_version"));
    assert!(typo.to_string().contains("WHATSAPP_API_VERSION"), "{typo}");

    unsafe {
        std::env::set_var("WHATSAPP_API_VERSION", "v23.0");
        std::env::set_var("WHATSAPP_BASE_URL", "http://graph.example.com");
    }
    let insecure = Client::from_env().unwrap_err();
    assert_eq!(insecure.invalid_field(), Some("base_url"));
}
