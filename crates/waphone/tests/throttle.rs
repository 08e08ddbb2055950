//! `waphone audit` at its default settings against a mock that enforces Graph-style rate
//! limits: it reads the whole fleet with no call refused, while a hand-written loop at the
//! same concurrency is refused.

use std::time::Duration;

use futures_util::StreamExt;
use whatsapp_phone_numbers_mock::{MockServer, RateLimits};

mod common;
use common::command;

const BUSINESS: &str = "1009000000000055";
const WABAS: usize = 120;
const NUMBERS: usize = 150;
/// `waphone audit`'s default `--concurrency`.
const CONCURRENCY: usize = 8;

/// 100 app calls every 3 s; the audit needs about 125: pages of accounts with their first
/// 100 numbers embedded (the first asks for 100 accounts, too much for the mock's expansion
/// limit, so 50 per page), then each account's second page of numbers.
async fn limited_fleet() -> MockServer {
    let server = MockServer::builder()
        .empty()
        .rate_limits(RateLimits::enforced(100, 1_000, Duration::from_secs(3)))
        .start()
        .await
        .unwrap();
    server.state().seed_fleet(BUSINESS, WABAS, NUMBERS);
    server
}

/// The fleet read by hand at `CONCURRENCY`, ignoring the usage headers: how many calls
/// Graph refused.
async fn naive_refusals(server: &MockServer) -> usize {
    let http = reqwest::Client::new();
    let ids = server.state().waba_ids();
    assert_eq!(ids.len(), WABAS);
    let refused: Vec<usize> = futures_util::stream::iter(ids)
        .map(|waba| {
            let http = http.clone();
            let mut next = Some(server.url(&format!(
                "/v24.0/{waba}/phone_numbers?fields=id,status,quality_rating&limit=100"
            )));
            async move {
                let mut refused = 0;
                while let Some(url) = next.take() {
                    let answer = http
                        .get(&url)
                        .bearer_auth(server.access_token())
                        .send()
                        .await
                        .unwrap();
                    let ok = answer.status().is_success();
                    let body: serde_json::Value = answer.json().await.unwrap();
                    if !ok {
                        assert_eq!(body["error"]["code"], 4, "{body}");
                        refused += 1;
                        break;
                    }
                    next = body["paging"]["next"].as_str().map(str::to_owned);
                }
                refused
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    refused.iter().sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_stays_under_the_limit_where_a_naive_loop_is_refused() {
    let server = limited_fleet().await;
    let refused = naive_refusals(&server).await;
    assert!(refused > 0, "the naive loop was never refused");

    let server = limited_fleet().await;
    let mut audit = command();
    audit.args([
        "--base-url",
        &server.base_url(),
        "--token",
        server.access_token(),
        "--json",
        "audit",
        "--business",
        BUSINESS,
    ]);
    let out = tokio::task::spawn_blocking(move || audit.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 3: some seeded numbers are at risk; never 1 (an account that could not be read).
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stderr}{}",
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.contains("\"error\""))
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), WABAS * NUMBERS);
    assert!(rows.iter().all(|r| r.get("error").is_none()));
    assert_eq!(server.state().refused_count(), 0, "{stderr}");
    assert!(stderr.contains("held back"), "{stderr}");
}
