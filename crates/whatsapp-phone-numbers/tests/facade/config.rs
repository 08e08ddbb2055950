//! Behaviour 1: Configuration: builder, version in the path, base URL, timeouts, user agent, BYO client.

use std::time::Duration;

use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{ApiVersion, Error, RetryConfig};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn the_pinned_version_goes_in_every_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": PHONE})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v24.0/{PHONE}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": PHONE})))
        .expect(1)
        .mount(&server)
        .await;

    let default = client(&server);
    assert_eq!(default.api_version(), ApiVersion::V23_0);
    default.phone_number(PHONE).get().await.unwrap();

    let pinned = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .api_version(ApiVersion::V24_0)
        .build()
        .unwrap();
    assert_eq!(pinned.api_version(), ApiVersion::V24_0);
    pinned.phone_number(PHONE).get().await.unwrap();
}

#[tokio::test]
async fn user_agent_and_custom_http_client() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header(
            "user-agent",
            format!(
                "whatsapp-phone-numbers/{} ops-console/2",
                env!("CARGO_PKG_VERSION")
            )
            .as_str(),
        ))
        .and(header("x-tenant", "acme"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-tenant", "acme".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .http_client(http)
        .user_agent_suffix("ops-console/2")
        .build()
        .unwrap();
    client.phone_number(PHONE).get().await.unwrap();
}

#[tokio::test]
async fn timeout_is_a_network_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({}))
                .set_delay(Duration::from_millis(800)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_millis(100))
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = client.phone_number(PHONE).get().await.unwrap_err();
    match &error {
        Error::Network(n) => {
            assert!(n.timeout, "{n:?}");
            assert_eq!(n.attempts, 1);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(error.is_retryable());
}

#[test]
fn builder_errors_name_the_problem() {
    let missing = Client::builder().build().unwrap_err();
    assert!(
        matches!(missing, Error::Config(ref m) if m.contains("WHATSAPP_ACCESS_TOKEN")),
        "{missing}"
    );
    let insecure = Client::builder()
        .access_token(TOKEN)
        .base_url("http://graph.example.com")
        .build()
        .unwrap_err();
    assert_eq!(insecure.invalid_field(), Some("base_url"));
    let blank = Client::builder().access_token(" ").build().unwrap_err();
    assert_eq!(blank.invalid_field(), Some("access_token"));
    let secret = Client::builder()
        .access_token(TOKEN)
        .app_secret("")
        .build()
        .unwrap_err();
    assert_eq!(secret.invalid_field(), Some("app_secret"));
}

#[test]
fn debug_output_never_shows_credentials() {
    let builder = Client::builder().access_token(TOKEN).app_secret(APP_SECRET);
    let text = format!("{builder:?}");
    let client = builder.build().unwrap();
    let text = format!("{text} {client:?} {:?}", client.phone_number(PHONE).get());
    assert!(
        !text.contains(TOKEN) && !text.contains(APP_SECRET),
        "{text}"
    );
    assert!(text.contains("<redacted>"));
}
