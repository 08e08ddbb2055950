//! Behaviour 7: Retries: what is retried, how long the client waits, and when it gives up at once.

use std::time::{Duration, Instant};

use serde_json::json;
use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{Error, RetryConfig, TwoStepPin};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

/// Mounts `first` for the first `times` requests, then a success.
async fn server_failing(times: u64, first: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(first.clone())
        .up_to_n_times(times)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(first)
        .up_to_n_times(times)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": PHONE, "success": true})),
        )
        .mount(&server)
        .await;
    server
}

fn throttled(code: i64) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(graph_error(code, "throttled"))
}

#[tokio::test]
async fn rate_limit_with_retry_after_waits_then_succeeds() {
    let server = server_failing(
        1,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(graph_error(4, "Application request limit reached")),
    )
    .await;
    let started = Instant::now();
    let number = client(&server).phone_number(PHONE).get().await.unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert_eq!(requests(&server).await.len(), 2, "exactly one retry");
    assert_eq!(number.meta().attempts(), 2);
}

#[tokio::test]
async fn server_errors_and_transient_errors_are_retried_for_reads() {
    let server = server_failing(2, ResponseTemplate::new(503).set_body_string("busy")).await;
    let number = client(&server).phone_number(PHONE).get().await.unwrap();
    assert_eq!(number.meta().attempts(), 3);

    let transient = ResponseTemplate::new(400).set_body_json(json!({"error": {
        "message": "An unexpected error has occurred. Please retry your request later.",
        "type": "OAuthException", "code": 2, "is_transient": true, "fbtrace_id": "T"
    }}));
    let server = server_failing(1, transient).await;
    client(&server).phone_number(PHONE).get().await.unwrap();
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = server_failing(
        10,
        ResponseTemplate::new(500).set_body_json(graph_error(1, "oops")),
    )
    .await;
    let error = client(&server).phone_number(PHONE).get().await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(requests(&server).await.len(), 3, "1 attempt + 2 retries");
    assert_eq!(error.meta().unwrap().attempts(), 3);
}

#[tokio::test]
async fn registration_calls_are_not_retried_on_ambiguous_failures() {
    let server = server_failing(
        1,
        ResponseTemplate::new(500).set_body_json(graph_error(1, "oops")),
    )
    .await;
    let error = client(&server)
        .phone_number(PHONE)
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    // One classifier decides both: a 500 may have registered the number, so neither the
    // client nor the caller should send it again blindly.
    assert!(!error.is_retryable());
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a 500 may have registered the number"
    );
}

#[tokio::test]
async fn registration_calls_are_retried_when_throttled() {
    let server = server_failing(1, throttled(80007)).await;
    client(&server)
        .phone_number(PHONE)
        .deregister()
        .await
        .unwrap();
    assert_eq!(requests(&server).await.len(), 2);

    let server = server_failing(1, ResponseTemplate::new(429).set_body_string("slow down")).await;
    client(&server)
        .phone_number(PHONE)
        .request_code(
            whatsapp_phone_numbers::v23_0::types::CodeMethod::Sms,
            "en_US",
        )
        .await
        .unwrap();
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn registration_throttling_133016_is_never_retried() {
    let server = server_failing(5, throttled(133016)).await;
    let error = client(&server)
        .phone_number(PHONE)
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(133016));
    assert!(error.is_throttling());
    assert!(!error.is_retryable());
    assert_eq!(requests(&server).await.len(), 1);

    // Not for reads either.
    let server = server_failing(5, throttled(133016)).await;
    client(&server).phone_number(PHONE).get().await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_wait_beyond_the_ceiling_returns_at_once_with_retry_after() {
    let server = server_failing(
        1,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "120")
            .set_body_json(graph_error(4, "Application request limit reached")),
    )
    .await;
    let started = Instant::now();
    let error = client(&server).phone_number(PHONE).get().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert!(error.is_throttling() && error.is_retryable());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn business_use_case_usage_sets_the_wait() {
    let usage = json!({WABA: [{"type": "whatsapp_business_management", "call_count": 100,
        "total_cputime": 10, "total_time": 10, "estimated_time_to_regain_access": 5}]})
    .to_string();
    let server = server_failing(
        1,
        throttled(80007).insert_header("x-business-use-case-usage", usage.as_str()),
    )
    .await;
    let error = client(&server).phone_number(PHONE).get().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(300)));
    let usage = &error.meta().unwrap().business_use_case_usage();
    assert_eq!(usage[0].business_id, WABA);
    assert_eq!(usage[0].call_count, Some(100.0));
    assert_eq!(requests(&server).await.len(), 1);

    // With a higher ceiling, the client sleeps through a short regain time.
    let usage = json!({WABA: [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 0.01}]}).to_string();
    let server = server_failing(
        1,
        throttled(80007).insert_header("x-business-use-case-usage", usage.as_str()),
    )
    .await;
    let started = Instant::now();
    client(&server).phone_number(PHONE).get().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(600));
}

#[tokio::test]
async fn connection_failures_are_retried_then_reported() {
    // Bind and drop a listener to get a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(fast_retry())
        .build()
        .unwrap();
    let error = client.phone_number(PHONE).get().await.unwrap_err();
    match &error {
        Error::Network(n) => {
            assert!(n.connect, "{n:?}");
            assert_eq!(n.attempts, 3);
            assert!(!n.message.contains(TOKEN));
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    // Registration calls retry refused connections too: nothing was sent.
    let error = client
        .phone_number(PHONE)
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Network(n) if n.attempts == 3),
        "{error:?}"
    );
}

#[tokio::test]
async fn disabled_retries_send_once() {
    let server = server_failing(1, ResponseTemplate::new(503)).await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    client.phone_number(PHONE).get().await.unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);
}

/// Decided: the ceiling bounds a call's waits (in the throttle, and the pauses Graph asks
/// for), not the time its requests take. A first attempt that runs out its timeout, longer
/// than the ceiling, is retried like any read: the retry is not refused as throttled.
#[tokio::test]
async fn a_retry_after_an_attempt_longer_than_the_ceiling_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PHONE}))
                .set_delay(Duration::from_millis(800)),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": PHONE})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_millis(300))
        .retry(fast_retry().with_max_wait(Duration::from_millis(200)))
        .build()
        .unwrap();
    let number = client.phone_number(PHONE).get().await.unwrap();
    assert_eq!(number.meta().attempts(), 2);
    assert_eq!(client.throttle_status().refused_requests, 0);
}

/// Graph's pauses between attempts together stay within the ceiling: two answers each
/// asking for 0.6 s with a 1 s ceiling are waited through once, and the second answer is
/// the caller's (with its own wait), not a refusal of the throttle's.
#[tokio::test]
async fn pauses_graph_asks_for_together_stay_within_the_ceiling() {
    let server = server_failing(2, throttled(4).insert_header("retry-after", "0.6")).await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(
            fast_retry()
                .with_max_retries(3)
                .with_max_wait(Duration::from_secs(1)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.phone_number(PHONE).get().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(1_100),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.code(), Some(4), "{error:?}");
    assert!(error.retry_after().is_some());
    assert_eq!(requests(&server).await.len(), 2);
}

/// The app's own limit (error 4) answered with a `Retry-After` beyond the ceiling opens the
/// app's window: the calls after it, to any node, fail locally with the typed throttling
/// error and send nothing until it ends.
#[tokio::test]
async fn the_apps_limit_with_a_retry_after_closes_the_apps_window() {
    let server = server_failing(
        1,
        ResponseTemplate::new(429)
            .insert_header("retry-after", "60")
            .set_body_json(graph_error(4, "Application request limit reached")),
    )
    .await;
    let client = client(&server);
    let first = client.phone_number(PHONE).get().await.unwrap_err();
    assert_eq!(first.code(), Some(4));
    for node in [PHONE, "106540378297128", WABA] {
        let error = client.phone_number(node).get().await.unwrap_err();
        assert!(matches!(error, Error::Throttled(_)), "{error:?}");
        assert!(error.is_throttling());
        let after = error.retry_after().unwrap();
        assert!(after > Duration::from_secs(55) && after <= Duration::from_secs(60));
    }
    assert_eq!(
        requests(&server).await.len(),
        1,
        "nothing sent in the window"
    );
    let windows = client.throttle_status().windows;
    assert_eq!(windows.len(), 1, "{windows:?}");
    assert_eq!(windows[0].business_id, None);
    assert_eq!(windows[0].code, Some(4));
}
