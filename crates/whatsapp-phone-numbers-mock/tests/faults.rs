//! Fault injection through the `faults()` handle and through `POST /__mock/faults`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use whatsapp_phone_numbers_mock::{Fault, FaultKind};

fn number_path() -> String {
    format!("/v23.0/{DEMO_NUMBER_ID}")
}

#[tokio::test]
async fn rate_limited_answers_429_with_retry_after_then_recovers() {
    let api = Api::start().await;
    api.server.faults().rate_limited(7);
    let reply = api.get(&number_path()).await;
    let error = reply.graph_error(429, 4);
    assert_eq!(error["message"], "(#4) Application request limit reached");
    assert_eq!(error["is_transient"], true);
    assert_eq!(reply.header("retry-after"), "7");
    let usage: Value = serde_json::from_str(reply.header("x-app-usage")).unwrap();
    assert_eq!(usage["call_count"], 100);
    // One-shot: the next request is normal.
    let reply = api.get(&number_path()).await;
    assert_eq!(reply.ok()["id"], DEMO_NUMBER_ID);
    let usage: Value = serde_json::from_str(reply.header("x-app-usage")).unwrap();
    assert!(usage["call_count"].as_u64().unwrap() < 100);
    assert_eq!(api.server.faults().triggered(), 1);
}

#[tokio::test]
async fn server_errors_are_transient_graph_errors() {
    let api = Api::start().await;
    let faults = api.server.faults();
    faults.server_error(503);
    faults.server_error(500);
    let error = api.get(&number_path()).await.graph_error(503, 2);
    assert_eq!(error["is_transient"], true);
    let error = api.get(&number_path()).await.graph_error(500, 1);
    assert_eq!(error["is_transient"], true);
    api.get(&number_path()).await.ok();
}

#[tokio::test]
async fn html_answers_are_html() {
    let api = Api::start().await;
    api.server.faults().html(502);
    let reply = api.get(&number_path()).await;
    assert_eq!(reply.status, 502);
    assert!(reply.header("content-type").starts_with("text/html"));
    assert!(reply.text.contains("<html>") && reply.text.contains("502 Bad Gateway"));
    assert!(serde_json::from_str::<Value>(&reply.text).is_err());
    assert!(!reply.header("x-fb-request-id").is_empty());
}

#[tokio::test]
async fn delay_waits_then_answers_normally() {
    let api = Api::start().await;
    api.server.faults().delay(Duration::from_millis(300));
    let started = Instant::now();
    let reply = api.get(&number_path()).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.ok()["id"], DEMO_NUMBER_ID);
    let started = Instant::now();
    api.get(&number_path()).await.ok();
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn truncated_bodies_are_cut_json() {
    let api = Api::start().await;
    api.server.faults().truncated();
    let cut = api.get(&number_path()).await;
    assert_eq!(cut.status, 200);
    assert!(cut.header("content-type").starts_with("application/json"));
    assert!(
        serde_json::from_str::<Value>(&cut.text).is_err(),
        "{}",
        cut.text
    );
    let whole = api.get(&number_path()).await;
    whole.ok();
    assert!(!cut.text.is_empty());
    assert!(whole.text.starts_with(&cut.text));
    assert!(cut.text.len() < whole.text.len());
}

#[tokio::test]
async fn arbitrary_graph_errors() {
    let api = Api::start().await;
    let faults = api.server.faults();
    faults.graph_error(400, 80007, None, true);
    faults.graph_error(400, 133016, Some(2_388_001), false);
    let error = api.get(&number_path()).await.graph_error(400, 80007);
    assert_eq!(error["is_transient"], true);
    assert!(error.get("error_subcode").is_none());
    let error = api.get(&number_path()).await.graph_error(400, 133016);
    assert_eq!(error["error_subcode"], 2_388_001);
    assert_eq!(error["is_transient"], false);
    assert_eq!(
        error["message"],
        "(#133016) Account register deregister rate limit exceeded"
    );
}

#[tokio::test]
async fn usage_throttle_reports_time_to_regain_access() {
    let api = Api::start().await;
    api.server.faults().usage_throttled(12);
    let reply = api
        .get(&format!("/v23.0/{DEMO_WABA_ID}/phone_numbers"))
        .await;
    let error = reply.graph_error(400, 80008);
    assert_eq!(error["is_transient"], true);
    let usage: Value = serde_json::from_str(reply.header("x-business-use-case-usage")).unwrap();
    let entry = &usage[DEMO_WABA_ID][0];
    assert_eq!(entry["estimated_time_to_regain_access"], 12);
    assert_eq!(entry["call_count"], 100);
    assert_eq!(entry["type"], "whatsapp_business_management");
}

#[tokio::test]
async fn faults_apply_n_times_to_matching_paths_only() {
    let api = Api::start().await;
    let faults = api.server.faults();
    faults.push(Fault::server_error(502).times(2).on_path("/register"));
    let register = format!("/v23.0/{DEMO_NUMBER_ID}/register");
    let body = json!({"messaging_product": "whatsapp", "pin": "123456"});

    api.get(&number_path()).await.ok();
    assert_eq!(
        faults.pending().len(),
        1,
        "other paths leave the fault queued"
    );
    api.post(&register, body.clone()).await.graph_error(502, 2);
    api.post(&register, body.clone()).await.graph_error(502, 2);
    api.post(&register, body).await.ok();
    assert!(faults.pending().is_empty());

    // Faulted requests are logged and counted like any other.
    let log = api.server.state().requests();
    assert_eq!(api.server.state().request_count(), 4);
    let methods: Vec<(&str, &str, &str)> = log.iter().map(|r| r.as_tuple()).collect();
    assert_eq!(
        methods,
        vec![
            ("GET", number_path().as_str(), ""),
            ("POST", register.as_str(), ""),
            ("POST", register.as_str(), ""),
            ("POST", register.as_str(), ""),
        ]
    );

    // Queue order is kept.
    faults.push(Fault::rate_limited(1));
    faults.push(Fault::html(504));
    api.get(&number_path()).await.graph_error(429, 4);
    assert_eq!(api.get(&number_path()).await.status, 504);
    faults.truncated();
    assert_eq!(faults.clear(), 1);
    api.get(&number_path()).await.ok();
}

#[tokio::test]
async fn faults_can_be_queued_over_http() {
    let api = Api::start().await;
    let url = api.server.url("/__mock/faults");
    let post = |body: String| {
        api.http
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
    };

    let queued = api
        .send(post(
            json!({"kind": "rate_limited", "retry_after_secs": 3, "path_contains": "/settings"})
                .to_string(),
        ))
        .await
        .ok();
    assert_eq!(queued, json!({"queued": 1, "pending": 1}));
    let queued = api
        .send(post(
            json!([
                {"kind": "graph_error", "status": 400, "code": 133016, "is_transient": false, "times": 2, "path_contains": "/register"},
                {"kind": "delay", "millis": 10, "path_contains": "/whatsapp_business_profile"},
                {"kind": "usage_throttled", "regain_minutes": 5, "path_contains": "/phone_numbers"},
                {"kind": "server_error", "status": 503, "path_contains": "/verify_code"},
                {"kind": "html", "status": 502, "path_contains": "/request_code"},
                {"kind": "truncated", "path_contains": "/deregister"}
            ])
            .to_string(),
        ))
        .await
        .ok();
    assert_eq!(queued, json!({"queued": 6, "pending": 7}));

    let listed = api.send(api.http.get(&url)).await.ok();
    assert_eq!(listed["pending"].as_array().unwrap().len(), 7);
    assert_eq!(listed["pending"][0]["kind"], "rate_limited");
    assert_eq!(listed["pending"][1]["times"], 2);
    assert_eq!(listed["triggered"], 0);

    let reply = api.get(&format!("/v23.0/{DEMO_NUMBER_ID}/settings")).await;
    reply.graph_error(429, 4);
    assert_eq!(reply.header("retry-after"), "3");
    let register = format!("/v23.0/{DEMO_NUMBER_ID}/register");
    let body = json!({"messaging_product": "whatsapp", "pin": "123456"});
    api.post(&register, body.clone())
        .await
        .graph_error(400, 133016);
    api.post(&register, body.clone())
        .await
        .graph_error(400, 133016);
    api.post(&register, body).await.ok();
    api.get(&format!(
        "/v23.0/{DEMO_NUMBER_ID}/whatsapp_business_profile"
    ))
    .await
    .ok();
    api.get(&format!("/v23.0/{DEMO_WABA_ID}/phone_numbers"))
        .await
        .graph_error(400, 80008);
    api.post(
        &format!("/v23.0/{DEMO_NUMBER_ID}/verify_code"),
        json!({"code": "1"}),
    )
    .await
    .graph_error(503, 2);
    assert_eq!(
        api.post(
            &format!("/v23.0/{DEMO_NUMBER_ID}/request_code"),
            json!({"code_method": "SMS", "language": "en_US"})
        )
        .await
        .status,
        502
    );
    let cut = api
        .post(&format!("/v23.0/{DEMO_NUMBER_ID}/deregister"), json!({}))
        .await;
    assert_eq!(cut.status, 200);
    assert!(serde_json::from_str::<Value>(&cut.text).is_err());
    // The state change of a truncated request still happened.
    assert_eq!(
        api.server.state().number(DEMO_NUMBER_ID).unwrap().status,
        Some(whatsapp_phone_numbers_mock::types::PhoneNumberStatus::Disconnected)
    );

    let listed = api.send(api.http.get(&url)).await.ok();
    assert_eq!(listed["pending"], json!([]));
    assert_eq!(listed["triggered"], 8);

    // Clearing.
    api.send(post(json!({"kind": "truncated", "times": 5}).to_string()))
        .await
        .ok();
    let cleared = api.send(api.http.delete(&url)).await.ok();
    assert_eq!(cleared, json!({"cleared": 1}));
    assert!(api.server.faults().pending().is_empty());

    // Mock-only endpoints are not in the Graph request log.
    assert!(
        api.server
            .state()
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/__mock"))
    );
}

#[tokio::test]
async fn bad_fault_requests_are_graph_errors() {
    let api = Api::start().await;
    let url = api.server.url("/__mock/faults");
    for body in [
        "{not json",
        r#"{"kind": "meteor_strike"}"#,
        r#"{"kind": "rate_limited"}"#,
        r#"{"kind": "server_error", "status": 1000}"#,
        r#"{"kind": "html", "status": 42}"#,
        r#"[{"kind": "truncated"}, {"kind": "delay"}]"#,
        "",
        "7",
    ] {
        let reply = api
            .send(
                api.http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(reply.json()["error"]["code"], 100, "{body}");
    }
    assert!(
        api.server.faults().pending().is_empty(),
        "nothing half-queued"
    );
}

#[tokio::test]
async fn fault_values_round_trip_through_json() {
    for fault in [
        Fault::rate_limited(30),
        Fault::server_error(500).times(3),
        Fault::html(502).on_path("/settings"),
        Fault::delay(Duration::from_millis(1500)),
        Fault::truncated(),
        Fault::graph_error(400, 80007, Some(2_494_055), true),
        Fault::usage_throttled(15),
        Fault::new(FaultKind::GraphError {
            status: 403,
            code: 200,
            subcode: None,
            is_transient: false,
            message: Some("(#200) Permissions error".into()),
        }),
    ] {
        let text = serde_json::to_string(&fault).unwrap();
        let back: Fault = serde_json::from_str(&text).unwrap();
        assert_eq!(back, fault, "{text}");
    }
}
