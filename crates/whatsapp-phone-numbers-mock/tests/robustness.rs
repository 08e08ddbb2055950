//! Bad input never panics the mock: every refusal is a Graph-style error and the server
//! keeps serving.

mod common;

use common::*;
use serde_json::json;

const POST_ROUTES: &[&str] = &[
    "",
    "/request_code",
    "/verify_code",
    "/register",
    "/settings",
    "/whatsapp_business_profile",
];

#[tokio::test]
async fn malformed_bodies_are_graph_errors_on_every_post_route() {
    let api = Api::start().await;
    let mut paths: Vec<String> = POST_ROUTES
        .iter()
        .map(|edge| format!("/v23.0/{DEMO_NUMBER_ID}{edge}"))
        .collect();
    paths.push(format!("/v23.0/{DEMO_WABA_ID}/phone_numbers"));
    for path in &paths {
        for (content_type, body) in [
            ("application/json", "{\"unterminated"),
            ("application/json", "[1, 2, 3]"),
            ("application/json", "\"just a string\""),
            ("application/json", "{\"pin\": {\"nested\": [}"),
            ("text/plain", "hello there"),
            ("application/octet-stream", "\u{1}\u{2}\u{3}"),
        ] {
            let reply = api.post_raw(path, content_type, body).await;
            reply.graph_error(400, 100);
        }
    }
    // Wrong JSON types for known fields.
    for (edge, body) in [
        ("/verify_code", json!({"code": {"a": 1}})),
        (
            "/register",
            json!({"messaging_product": "whatsapp", "pin": ["1"]}),
        ),
        (
            "/settings",
            json!({"storage_configuration": {"enabled": "sure"}}),
        ),
        (
            "/whatsapp_business_profile",
            json!({"messaging_product": "whatsapp", "websites": "https://x"}),
        ),
        (
            "",
            json!({"webhook_configuration": {"verify_token": "missing uri"}}),
        ),
    ] {
        api.post(&format!("/v23.0/{DEMO_NUMBER_ID}{edge}"), body)
            .await
            .graph_error(400, 100);
    }
    // Still serving.
    api.get(&format!("/v23.0/{DEMO_NUMBER_ID}")).await.ok();
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let api = Api::start().await;
    let huge = format!("{{\"about\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let reply = api
        .post_raw(
            &format!("/v23.0/{DEMO_NUMBER_ID}/whatsapp_business_profile"),
            "application/json",
            huge,
        )
        .await;
    let error = reply.graph_error(400, 100);
    assert!(error["message"].as_str().unwrap().contains("larger than"));
}

#[tokio::test]
async fn odd_paths_and_ids_are_graph_errors() {
    let api = Api::start().await;
    let long_id = "9".repeat(5000);
    for path in [
        "/v23.0/%F0%9F%92%A9".to_owned(),
        "/v23.0/%FF%FE".to_owned(),
        "/v23.0/..%2F..%2Fetc%2Fpasswd".to_owned(),
        format!("/v23.0/{long_id}"),
        "/v23.0/-1".to_owned(),
        "/v23.0/%00".to_owned(),
        "/v23.0/<script>alert(1)</script>".to_owned(),
    ] {
        let reply = api.get(&path).await;
        let error = reply.graph_error(400, 100);
        assert_eq!(error["error_subcode"], 33, "{path}");
    }
    for path in [
        "/",
        "/v23.0",
        "/__mock",
        "/__mock/unknown",
        "/favicon.ico",
        "/v23.0//x",
    ] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, 400, "{path}: {}", reply.text);
        assert!(reply.json()["error"]["code"].is_i64());
    }
}

#[tokio::test]
async fn odd_query_strings_are_handled() {
    let api = Api::start().await;
    let path = format!("/v23.0/{DEMO_NUMBER_ID}");
    // Empty and repeated separators mean the default fields.
    let n = api.get(&format!("{path}?fields=,,,")).await.ok();
    assert_eq!(keys(&n).len(), 5);
    // A nested selection of a field that holds no object: a clear error, not a panic.
    api.get(&format!("{path}?fields=status%7Bx%7D"))
        .await
        .graph_error(400, 100);
    // Bytes that are not UTF-8 decode lossily, into a selection that does not parse:
    // Graph's syntax error.
    api.get(&format!("{path}?fields=%FF"))
        .await
        .graph_error(400, 2500);
    api.get(&format!("{path}?%FF=%FE&&=&x")).await.ok();
    // Selections nested without end are refused, not read until the stack overflows
    // (which would abort the whole process).
    let deep = format!("{path}?fields=status{}", "%7Ba".repeat(10_000));
    api.get(&deep).await.graph_error(400, 100);
    // A query string on a POST is merged with the body.
    api.post(&format!("{path}?pin=000001"), json!({}))
        .await
        .ok();
    assert_eq!(
        api.server.state().pin(DEMO_NUMBER_ID).as_deref(),
        Some("000001")
    );
}

#[tokio::test]
async fn concurrent_requests_are_all_answered_and_counted() {
    let api = Api::start().await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let http = api.http.clone();
        let url = if i % 2 == 0 {
            api.server
                .url(&format!("/v23.0/{DEMO_NUMBER_ID}?fields=status"))
        } else {
            api.server
                .url(&format!("/v23.0/{DEMO_WABA_ID}/phone_numbers?limit=3"))
        };
        tasks.push(tokio::spawn(async move {
            http.get(url)
                .bearer_auth("mock-token")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(api.server.state().request_count(), 24);
}

/// Bodies Graph refuses are refused here too, so that an SDK regression cannot pass
/// against the mock: an explicit null, a wrong type, a body where the call takes none.
#[tokio::test]
async fn bodies_graph_would_refuse_are_refused() {
    let api = Api::start().await;
    let number = DEMO_NUMBER_ID;
    for (path, body) in [
        (format!("/v23.0/{number}"), json!({"pin": null})),
        (
            format!("/v23.0/{number}/register"),
            json!({"messaging_product": "whatsapp", "pin": null}),
        ),
        (format!("/v23.0/{number}"), json!({"new_display_name": 5})),
        (
            format!("/v23.0/{number}/register"),
            json!({"messaging_product": "whatsapp", "pin": 150954}),
        ),
        (
            format!("/v23.0/{number}/deregister"),
            json!({"force": true}),
        ),
    ] {
        let reply = api.post(&path, body.clone()).await;
        assert_eq!(reply.status, 400, "{path} {body}: {}", reply.text);
        assert_eq!(
            reply.json()["error"]["code"],
            100,
            "{path} {body}: {}",
            reply.text
        );
    }
    // A deregister without a body still works.
    let reply = api
        .send(api.request(
            reqwest::Method::POST,
            &format!("/v23.0/{number}/deregister"),
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}
