use std::time::Duration;

use whatsapp_phone_numbers::RetryConfig;
use whatsapp_phone_numbers::v23_0::Client;
use wiremock::MockServer;

/// The token every test client uses; tests assert it never leaks.
pub const TOKEN: &str = "EAAtest-SECRET-token-0001";
/// An app secret tests use; it must never leak either.
pub const APP_SECRET: &str = "app-secret-SHHH-0002";

pub const PHONE: &str = "106540352242922";
pub const WABA: &str = "102290129340398";

/// Retries with millisecond waits, so tests do not sleep.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5))
}

pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .unwrap()
}

pub fn graph_error(code: i64, message: &str) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEfGh123"
        }
    })
}

pub async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}
