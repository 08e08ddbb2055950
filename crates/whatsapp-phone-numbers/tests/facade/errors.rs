//! Behaviour 5: One error type with Graph's details, metadata and classifiers; odd bodies keep the
//! status and an excerpt.

use serde_json::json;
use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{Error, RetryConfig};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

async fn answer(template: ResponseTemplate) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .app_secret(APP_SECRET)
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    client.phone_number(PHONE).get().await.unwrap_err()
}

#[tokio::test]
async fn graph_errors_carry_every_detail() {
    let error = answer(
        ResponseTemplate::new(400)
            .insert_header("x-fb-request-id", "REQ-42")
            .insert_header("facebook-api-version", "v23.0")
            .set_body_json(json!({"error": {
                "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                "type": "OAuthException",
                "code": 131056,
                "error_subcode": 2494010,
                "error_user_title": "Slow down",
                "error_user_msg": "Too many messages to this user.",
                "is_transient": false,
                "error_data": {"messaging_product": "whatsapp", "details": "Pair rate limit"},
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"
            }})),
    )
    .await;
    let api = error.api().expect("a Graph error");
    assert_eq!(api.status, 400);
    assert_eq!(api.code, 131056);
    assert_eq!(api.subcode, Some(2494010));
    assert_eq!(api.error_type.as_deref(), Some("OAuthException"));
    assert_eq!(api.user_title.as_deref(), Some("Slow down"));
    assert_eq!(
        api.user_message.as_deref(),
        Some("Too many messages to this user.")
    );
    assert_eq!(api.is_transient, Some(false));
    assert_eq!(api.details.as_deref(), Some("Pair rate limit"));
    assert_eq!(error.fbtrace_id(), Some("Az8or2yhqkZfEZ-_4Qn_Bam"));
    assert_eq!(error.request_id(), Some("REQ-42"));
    assert_eq!(error.status(), Some(400));
    assert!(error.is_throttling() && error.is_retryable() && !error.is_auth());
    assert_eq!(
        error.graph_code(),
        Some(whatsapp_phone_numbers::GraphErrorCode::PairRateLimit)
    );
    assert_eq!(
        error.to_string(),
        "Graph API error 131056/2494010 (OAuthException): (#131056) (Business Account, Consumer Account) pair rate limit hit [Pair rate limit] (HTTP 400, fbtrace_id Az8or2yhqkZfEZ-_4Qn_Bam)"
    );
    let debug = format!("{error:?}");
    assert!(
        !debug.contains(TOKEN) && !debug.contains(APP_SECRET),
        "{debug}"
    );
}

#[tokio::test]
async fn expired_token_is_an_auth_error() {
    let error = answer(ResponseTemplate::new(401).set_body_json(json!({"error": {
        "message": "Error validating access token: Session has expired",
        "type": "OAuthException", "code": "190", "error_subcode": 463, "fbtrace_id": "T"
    }})))
    .await;
    assert!(error.is_auth());
    assert!(!error.is_retryable());
    assert_eq!(error.code(), Some(190), "string codes are read too");
    assert_eq!(error.subcode(), Some(463));
}

#[tokio::test]
async fn html_error_page_keeps_status_and_excerpt() {
    let error = answer(ResponseTemplate::new(500).set_body_raw(
        "<html><body><h1>500 Internal Server Error</h1></body></html>",
        "text/html",
    ))
    .await;
    match &error {
        Error::Http(http) => {
            assert_eq!(http.status, 500);
            assert_eq!(http.content_type.as_deref(), Some("text/html"));
            assert!(
                http.body_excerpt.starts_with("<html><body><h1>500"),
                "{http:?}"
            );
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert!(error.is_retryable());
    assert!(
        error
            .to_string()
            .starts_with("HTTP 500 without a Graph error body (text/html)")
    );
}

#[tokio::test]
async fn truncated_success_body_is_a_decode_error_with_status() {
    let error = answer(ResponseTemplate::new(200).set_body_raw(
        r#"{"id": "106540352242922", "status": "CONNEC"#,
        "application/json",
    ))
    .await;
    match &error {
        Error::Decode(d) => {
            assert_eq!(d.status, 200);
            assert!(d.body_excerpt.starts_with(r#"{"id": "106540352242922""#));
            assert!(d.message.contains("EOF"), "{d:?}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn empty_and_odd_error_bodies_never_panic() {
    for (status, body) in [
        (502, ""),
        (503, "{"),
        (400, r#"{"error": "just a string"}"#),
        (404, r#"{"error": {"message": "no code"}}"#),
        (418, "\u{0}\u{1}binary"),
    ] {
        let error = answer(ResponseTemplate::new(status).set_body_string(body)).await;
        assert_eq!(error.status(), Some(status), "{error:?}");
        assert!(matches!(error, Error::Http(_)), "{status}: {error:?}");
    }
}

/// A token (Meta's run to 200 characters and more) echoed where the 200-character excerpt
/// is cut leaves nothing of itself: secrets are taken out before the cut, for an error page
/// and for a success body that does not decode alike.
#[tokio::test]
async fn an_excerpt_cut_through_an_echoed_token_keeps_none_of_it() {
    let token = format!("EAAlong{}", "x7Q".repeat(80));
    for (status, content_type) in [(500, "text/html"), (200, "application/json")] {
        let server = MockServer::start().await;
        let body = format!("{}{token} and more", "<p>".repeat(50));
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, content_type))
            .mount(&server)
            .await;
        let client = Client::builder()
            .access_token(token.as_str())
            .base_url(server.uri())
            .retry(RetryConfig::disabled())
            .build()
            .unwrap();
        let error = client.phone_number(PHONE).get().await.unwrap_err();
        let excerpt = match &error {
            Error::Http(http) => http.body_excerpt.clone(),
            Error::Decode(decode) => decode.body_excerpt.clone(),
            other => panic!("{other:?}"),
        };
        assert!(excerpt.starts_with("<p><p>"), "{excerpt}");
        assert!(excerpt.contains("<redacted>"), "{excerpt}");
        for shown in [format!("{error:?}"), error.to_string(), excerpt] {
            assert!(!shown.contains("EAAlong"), "{status}: {shown}");
        }
    }
}

/// A batch call that fails with an answer echoing what it was sent shows none of its items'
/// tokens: the batch's own, and another client's that an item carried.
#[tokio::test]
async fn a_failed_batch_call_shows_no_items_token() {
    const OTHER: &str = "EAAother-SECRET-token-0002";
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(|request: &wiremock::Request| {
            let sent = String::from_utf8_lossy(&request.body).into_owned();
            let from = sent.rfind("access_token").unwrap_or(0);
            ResponseTemplate::new(502)
                .set_body_raw(format!("bad gateway: {}", &sent[from..]), "text/plain")
        })
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .app_secret(APP_SECRET)
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let other = client.with_access_token(OTHER).unwrap();
    let mut batch = client.batch();
    let own = batch.add(client.phone_number(PHONE).get());
    let others = batch.add(other.phone_number(PHONE).get());
    let mut results = batch.send().await;
    let errors = [
        results.take(own).unwrap_err(),
        results.take(others).unwrap_err(),
    ];
    let Error::Http(http) = &errors[1] else {
        panic!("{:?}", errors[1]);
    };
    assert!(http.body_excerpt.contains("<redacted>"), "{http:?}");
    for error in errors {
        for shown in [format!("{error:?}"), error.to_string()] {
            assert!(!shown.contains(OTHER) && !shown.contains(TOKEN), "{shown}");
        }
    }
}
