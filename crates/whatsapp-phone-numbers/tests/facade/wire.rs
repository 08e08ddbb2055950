//! Answers wiremock cannot produce: bodies that break after the headers, huge bodies,
//! redirects. A tiny raw HTTP server on loopback plays them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{Error, TwoStepPin};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

/// Serves each connection with the next answer from `answers` (raw bytes); the last answer
/// repeats. Counts the requests.
async fn raw_server(answers: Vec<Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let answer = answers[n.min(answers.len() - 1)].clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{address}"), count)
}

/// 200 headers announcing 200 bytes, then 20 bytes and a closed connection.
fn cut_off_200() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\nconnection: close\r\n\r\n{\"id\": \"106540352242".to_vec()
}

fn ok_200() -> Vec<u8> {
    let body = format!("{{\"id\": \"{PHONE}\", \"status\": \"CONNECTED\"}}");
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn client_at(base: &str) -> Client {
    Client::builder()
        .access_token(TOKEN)
        .base_url(base)
        .retry(fast_retry())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_body_cut_off_after_the_headers_is_retried_for_reads() {
    let (base, count) = raw_server(vec![cut_off_200(), ok_200()]).await;
    let number = client_at(&base).phone_number(PHONE).get().await.unwrap();
    assert_eq!(number.id.as_deref(), Some(PHONE));
    assert_eq!(number.meta().attempts(), 2);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_registration_answer_cut_off_is_not_repeated_and_not_retryable() {
    let (base, count) = raw_server(vec![cut_off_200(), ok_200()]).await;
    let error = client_at(&base)
        .phone_number(PHONE)
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap_err();
    match &error {
        Error::Network(n) => {
            assert_eq!(n.status, Some(200), "{n:?}");
            assert!(!n.retry_safe && !n.connect);
        }
        other => panic!("expected a network error, got {other:?}"),
    }
    assert!(
        !error.is_retryable(),
        "Graph may have registered the number"
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn oversized_answers_are_bounded() {
    let server = MockServer::start().await;
    let huge = format!("{{\"id\": \"{}\"}}", "9".repeat(17 * 1024 * 1024));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(huge, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500).set_body_raw("<html>".repeat(200_000), "text/html"),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(whatsapp_phone_numbers::RetryConfig::disabled())
        .build()
        .unwrap();
    match client.phone_number(PHONE).get().await.unwrap_err() {
        Error::Decode(e) => assert!(e.message.contains("larger than the 16 MiB"), "{e:?}"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    match client.phone_number(PHONE).deregister().await.unwrap_err() {
        Error::Http(e) => {
            assert_eq!(e.status, 500);
            assert!(e.body_excerpt.starts_with("<html><html>"));
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"success": true})),
        )
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .phone_number(PHONE)
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(307));
    assert_eq!(
        requests(&elsewhere).await.len(),
        0,
        "the PIN went to another host"
    );
}

/// Network failures say what failed, and keep the transport's error as their source.
#[tokio::test]
async fn network_errors_have_a_kind_and_a_source_chain() {
    use std::error::Error as _;
    use whatsapp_phone_numbers::{NetworkErrorKind, v23_0};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = v23_0::Client::builder()
        .access_token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .max_retries(0)
        .build()
        .unwrap()
        .phone_number(PHONE)
        .get()
        .await
        .unwrap_err();
    let Error::Network(network) = &refused else {
        panic!("expected a network error: {refused:?}");
    };
    assert_eq!(network.kind, NetworkErrorKind::ConnectionRefused);
    assert!(
        refused.to_string().contains("(connection refused)"),
        "{refused}"
    );
    let mut depth = 0;
    let mut cause = refused.source();
    let mut saw_io = false;
    while let Some(e) = cause {
        saw_io |= e.downcast_ref::<std::io::Error>().is_some();
        depth += 1;
        cause = e.source();
    }
    assert!(depth >= 2 && saw_io, "the chain reaches the I/O error");
    assert!(!format!("{refused:?}").contains(TOKEN));

    let dns = v23_0::Client::builder()
        .access_token(TOKEN)
        .base_url("https://no-such-host.invalid")
        .max_retries(0)
        .build()
        .unwrap()
        .phone_number(PHONE)
        .get()
        .await
        .unwrap_err();
    let Error::Network(network) = &dns else {
        panic!("expected a network error: {dns:?}");
    };
    assert_eq!(network.kind, NetworkErrorKind::Dns, "{dns}");
}
