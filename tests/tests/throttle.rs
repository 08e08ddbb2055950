//! Throttling before the limit, against the mock's enforced rate limits: the same fleet
//! read at the same concurrency is refused when read naively, and is not when read through
//! the facade at its default settings (whose throttle every clone shares).

use std::future::IntoFuture;
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use whatsapp_phone_numbers::v24_0::{self, PhoneNumberField as F};
use whatsapp_phone_numbers::{ThrottleConfig, ThrottleStatus};
use whatsapp_phone_numbers_mock::{MockServer, RateLimits};

const BUSINESS: &str = "1009000000000077";
const WABAS: usize = 120;
const NUMBERS: usize = 150;
const CONCURRENCY: usize = 8;
/// 100 calls per app every 3 s: the fleet needs 240 list pages, so the budget has to be
/// spread over several windows (and a loop that does not look at usage is refused even
/// on a slow, busy machine: it only has to send 34 calls a second).
fn limits() -> RateLimits {
    RateLimits::enforced(100, 1_000, Duration::from_secs(3))
}

async fn fleet() -> (MockServer, Vec<String>) {
    let server = MockServer::builder()
        .empty()
        .rate_limits(limits())
        .start()
        .await
        .unwrap();
    let wabas = server.state().seed_fleet(BUSINESS, WABAS, NUMBERS);
    (server, wabas)
}

/// What a hand-written loop does: every account's pages at `CONCURRENCY`, no looking at the
/// usage headers. Returns (numbers read, answers refused with Graph error 4).
async fn naive(server: &MockServer, wabas: &[String]) -> (usize, usize) {
    let http = reqwest::Client::new();
    let results: Vec<(usize, usize)> = futures_util::stream::iter(wabas)
        .map(|waba| {
            let http = http.clone();
            let mut url = Some(server.url(&format!(
                "/v24.0/{waba}/phone_numbers?fields=id,status&limit=100"
            )));
            async move {
                let (mut read, mut refused) = (0, 0);
                while let Some(next) = url.take() {
                    let answer = http
                        .get(&next)
                        .bearer_auth(server.access_token())
                        .send()
                        .await
                        .unwrap();
                    let status = answer.status();
                    let body: serde_json::Value = answer.json().await.unwrap();
                    if !status.is_success() {
                        assert_eq!(body["error"]["code"], 4, "{body}");
                        refused += 1;
                        break;
                    }
                    read += body["data"].as_array().unwrap().len();
                    url = body["paging"]["next"].as_str().map(str::to_owned);
                }
                (read, refused)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    results
        .iter()
        .fold((0, 0), |(r, f), (read, refused)| (r + read, f + refused))
}

/// The same through the facade: each account read by its own clone of one client, at
/// `CONCURRENCY`. The count of each account, or the error that ended it.
async fn through_the_facade(
    client: &v24_0::Client,
    wabas: &[String],
) -> Vec<Result<usize, whatsapp_phone_numbers::Error>> {
    futures_util::stream::iter(wabas)
        .map(|waba| {
            let client = client.clone();
            async move {
                client
                    .business_account(waba.as_str())
                    .phone_numbers()
                    .list()
                    .fields([F::Id, F::Status])
                    .page_size(100)
                    .stream()
                    .try_fold(0, |n, _| async move { Ok(n + 1) })
                    .await
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_client_stays_under_the_limit_where_a_naive_loop_is_refused() {
    // The naive loop runs into the app's limit.
    let (server, wabas) = fleet().await;
    let (read, refused) = naive(&server, &wabas).await;
    assert!(refused > 0, "the naive loop was never refused");
    assert_eq!(server.state().refused_count(), refused as u64);
    assert!(read < WABAS * NUMBERS);

    // The facade at its defaults reads all of it, and Graph refuses nothing.
    let (server, wabas) = fleet().await;
    let client = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap();
    let read: usize = through_the_facade(&client, &wabas)
        .await
        .into_iter()
        .map(Result::unwrap)
        .sum();
    assert_eq!(read, WABAS * NUMBERS);
    assert_eq!(
        server.state().refused_count(),
        0,
        "a throttling error reached the client"
    );
    let status = client.throttle_status();
    assert!(status.delayed_requests > 0, "{status:?}");
    assert!(status.app_percent.is_some_and(|p| p < 100.0), "{status:?}");
    assert!(
        server.state().request_count() >= WABAS * 2,
        "every page was read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_throttle_off_the_facade_is_refused_too() {
    let (server, wabas) = fleet().await;
    let client = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .throttle(ThrottleConfig::disabled())
        .max_retries(0)
        .build()
        .unwrap();
    let results = through_the_facade(&client, &wabas).await;
    let refused: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(!refused.is_empty());
    assert!(refused.iter().all(|e| e.is_throttling()), "{refused:?}");
    assert_eq!(client.throttle_status(), {
        let mut empty = ThrottleStatus::default();
        let defaults = ThrottleConfig::disabled();
        (empty.slow_from, empty.pause_at, empty.spacing) =
            (defaults.slow_from, defaults.pause_at, defaults.min_spacing);
        empty
    });
}

#[tokio::test]
async fn an_account_over_its_budget_is_held_until_graph_says_access_returns() {
    // One account, 3 calls per window: the fourth is refused with 80008 and a regain time.
    let server = MockServer::builder()
        .empty()
        .rate_limits(RateLimits::enforced(1_000, 3, Duration::from_secs(3600)))
        .start()
        .await
        .unwrap();
    let wabas = server.state().seed_fleet(BUSINESS, 1, 10);
    let client = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let account = client.business_account(wabas[0].as_str());
    for _ in 0..3 {
        account.phone_numbers().list().page_size(1).await.unwrap();
    }
    let status = client.throttle_status();
    assert_eq!(status.busiest_business, Some((wabas[0].clone(), 100.0)));
    // At 100% the next call waits a spacing, goes, and is refused with Graph's regain time.
    let error = account
        .phone_numbers()
        .list()
        .page_size(1)
        .await
        .unwrap_err();
    assert!(error.is_throttling(), "{error}");
    assert_eq!(error.code(), Some(80008));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    // An hour is beyond the retry policy's ceiling (30 s by default): the caller decides, so
    // the next call is not held but goes, and Graph's refusal says the same again.
    let again = tokio::time::timeout(
        Duration::from_secs(5),
        account.phone_numbers().list().page_size(1).into_future(),
    )
    .await
    .expect("not held for an hour")
    .unwrap_err();
    assert_eq!(again.retry_after(), Some(Duration::from_secs(3600)));
    // A client that accepts waits of two hours holds its next call instead.
    let patient = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .max_retries(0)
        .max_retry_wait(Duration::from_secs(7200))
        .build()
        .unwrap();
    let account = patient.business_account(wabas[0].as_str());
    account
        .phone_numbers()
        .list()
        .page_size(1)
        .await
        .unwrap_err();
    let held = tokio::time::timeout(
        Duration::from_millis(300),
        account.phone_numbers().list().page_size(1).into_future(),
    )
    .await;
    assert!(held.is_err(), "the call after a refusal went at once");
    assert_eq!(server.state().refused_count(), 3);
}
