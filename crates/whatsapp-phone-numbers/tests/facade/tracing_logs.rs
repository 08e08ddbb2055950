//! Behaviour 10: One span per attempt with the documented fields; no secret in any log line, at
//! TRACE level, from this crate or its dependencies.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{TwoStepPin, VerificationCode};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn subscriber(capture: &Capture) -> impl tracing::Subscriber + Send + Sync {
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish()
}

#[tokio::test]
async fn spans_per_attempt_and_no_secrets_at_trace_level() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_json(graph_error(1, "oops")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PHONE}))
                .insert_header("x-fb-trace-id", "TRACE-OK"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{PHONE}/verify_code")))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(graph_error(136025, "Verify OTP code failed")),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;

    let client = Client::builder()
        .access_token(TOKEN)
        .app_secret(APP_SECRET)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .unwrap();
    let phone = client.phone_number(PHONE);
    phone.get().await.unwrap();
    phone
        .register(TwoStepPin::new("918273").unwrap())
        .await
        .unwrap();
    phone
        .set_pin(TwoStepPin::new("564738").unwrap())
        .await
        .unwrap();
    let error = phone
        .verify_code(VerificationCode::new("102938").unwrap())
        .await
        .unwrap_err();
    tracing::error!(%error, ?error, "logged by the application");

    let logs = capture.text();
    assert!(logs.contains("whatsapp.request"), "{logs}");
    assert!(logs.contains("operation=\"get_phone_number\""), "{logs}");
    assert!(
        logs.contains("path=\"/{Version}/{Phone-Number-ID}\""),
        "{logs}"
    );
    assert!(
        logs.contains("attempt=1") && logs.contains("attempt=2"),
        "{logs}"
    );
    assert!(
        logs.contains("status=500") && logs.contains("status=200"),
        "{logs}"
    );
    assert!(logs.contains("fbtrace_id=\"TRACE-OK\""), "{logs}");
    assert!(logs.contains("duration_ms="), "{logs}");
    assert!(logs.contains("operation=\"verify_code\""), "{logs}");

    let proof = whatsapp_phone_numbers::AppSecret::new(APP_SECRET)
        .unwrap()
        .proof(&whatsapp_phone_numbers::AccessToken::new(TOKEN).unwrap());
    for secret in [
        TOKEN,
        APP_SECRET,
        "918273",
        "564738",
        "102938",
        proof.as_str(),
    ] {
        assert!(!logs.contains(secret), "secret {secret:?} in logs:\n{logs}");
    }
}

#[tokio::test]
async fn a_served_version_mismatch_warns_once() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(subscriber(&capture));
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PHONE}))
                .insert_header("facebook-api-version", "v22.0"),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    for _ in 0..3 {
        client.phone_number(PHONE).get().await.unwrap();
    }
    let logs = capture.text();
    let warnings = logs
        .lines()
        .filter(|l| l.contains("served a different version"))
        .count();
    assert_eq!(warnings, 1, "{logs}");
    assert!(
        logs.contains("pinned=v23.0") && logs.contains("served=v22.0"),
        "{logs}"
    );
}
