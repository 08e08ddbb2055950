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
    // Nothing learned or held back; every request counted.
    let status = client.throttle_status();
    assert_eq!(
        status.admitted_requests,
        server.state().request_count() as u64
    );
    assert_eq!(status, {
        let mut empty = ThrottleStatus::default();
        let defaults = ThrottleConfig::disabled();
        (empty.slow_from, empty.pause_at, empty.spacing) =
            (defaults.slow_from, defaults.pause_at, defaults.min_spacing);
        empty.admitted_requests = status.admitted_requests;
        empty
    });
}

#[tokio::test]
async fn an_account_over_its_budget_is_closed_until_graph_says_access_returns() {
    // Two accounts, 3 calls each per two-minute window: the fourth is refused with 80008
    // and a regain time of two minutes.
    let server = MockServer::builder()
        .empty()
        .rate_limits(RateLimits::enforced(1_000, 3, Duration::from_secs(120)))
        .start()
        .await
        .unwrap();
    let wabas = server.state().seed_fleet(BUSINESS, 2, 10);
    let client = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let account = client.business_account(wabas[0].as_str());
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let page = account.phone_numbers().list().page_size(1).await.unwrap();
        numbers.extend(page.into_inner().data.into_iter().filter_map(|n| n.id));
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
    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    let sent = server.state().request_count();
    // Two minutes is beyond the retry policy's ceiling (30 s by default): while the window
    // is open, the account's calls (and its numbers') fail here, typed like Graph's, with
    // nothing sent.
    for _ in 0..100 {
        let error = account
            .phone_numbers()
            .list()
            .page_size(1)
            .await
            .unwrap_err();
        assert!(error.is_throttling(), "{error}");
        assert!(error.is_retryable());
        let wait = error.retry_after().unwrap();
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120));
        match &error {
            whatsapp_phone_numbers::Error::Throttled(refused) => {
                assert_eq!(refused.business_id.as_deref(), Some(wabas[0].as_str()));
                assert_eq!(refused.code, Some(80008));
                assert!(refused.window);
            }
            other => panic!("expected a local refusal, got {other:?}"),
        }
        assert!(error.to_string().contains("nothing was sent"), "{error}");
    }
    assert_eq!(server.state().request_count(), sent, "0 requests sent");
    // A number's first call goes: which business it is charged to is learned from Graph's
    // answer (its usage header), which refuses it; from then on it is refused here too.
    let number = client.phone_number(numbers[0].as_str());
    assert_eq!(number.get().await.unwrap_err().code(), Some(80008));
    let sent = sent + 1;
    for _ in 0..10 {
        let error = number.get().await.unwrap_err();
        assert!(
            matches!(error, whatsapp_phone_numbers::Error::Throttled(_)),
            "{error}"
        );
    }
    assert_eq!(server.state().request_count(), sent, "0 requests sent");
    // Another business's calls still go.
    client
        .business_account(wabas[1].as_str())
        .phone_numbers()
        .list()
        .page_size(1)
        .await
        .unwrap();
    assert_eq!(server.state().request_count(), sent + 1);
    let status = client.throttle_status();
    assert_eq!(status.refused_requests, 110);
    assert_eq!(status.windows.len(), 1);
    assert_eq!(
        status.windows[0].business_id.as_deref(),
        Some(wabas[0].as_str())
    );
    assert_eq!(status.windows[0].code, Some(80008));
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

/// A solution provider's 50 client tokens over one core: one connection pool (the mock
/// counts its TCP connections), one throttle (the app's usage, reported to any token's
/// calls, is what every client sees), each request with its own token and proof (the mock
/// requires the proof and fingerprints the token), and no token in any output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tokens_share_one_pool_and_one_throttle() {
    use whatsapp_phone_numbers_mock::{demo, token_fingerprint};
    const SECRET: &str = "provider-app-secret";
    let tokens: Vec<String> = (0..50).map(|i| format!("EAAB-client-{i:02}-x7")).collect();
    let server = tokens
        .iter()
        .fold(
            MockServer::builder()
                .access_token("EAAB-provider-token")
                .app_secret(SECRET)
                .require_appsecret_proof()
                .rate_limits(RateLimits::enforced(
                    10_000,
                    10_000,
                    Duration::from_secs(600),
                )),
            |builder, token| builder.system_user_token(token),
        )
        .start()
        .await
        .unwrap();
    let provider = v24_0::Client::builder()
        .access_token("EAAB-provider-token")
        .app_secret(SECRET)
        .base_url(server.base_url())
        .build()
        .unwrap();
    let clients: Vec<v24_0::Client> = tokens
        .iter()
        .map(|token| provider.with_access_token(token.as_str()).unwrap())
        .collect();
    let results: Vec<(usize, Result<(), whatsapp_phone_numbers::Error>)> =
        futures_util::stream::iter(clients.iter().enumerate())
            .map(|(i, client)| async move {
                for _ in 0..4 {
                    if let Err(e) = client.phone_number(demo::DEMO_NUMBER_ID).get().await {
                        return (i, Err(e));
                    }
                }
                (i, Ok(()))
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    for (i, result) in results {
        result.unwrap_or_else(|e| panic!("client {i}: {e}"));
    }
    // Each request carried its own token, four per token, and its proof (the mock refuses
    // a missing or wrong one).
    let requests = server.state().requests();
    assert_eq!(requests.len(), 200);
    for token in &tokens {
        let fingerprint = token_fingerprint(token);
        let carried = requests
            .iter()
            .filter(|r| r.credential.as_deref() == Some(fingerprint.as_str()))
            .count();
        assert_eq!(carried, 4, "{token}");
    }
    // One pool: connections are reused across tokens. A pool per token would open at least
    // one per token (50); one pool opens about one per request in flight (8 here; a few
    // more when a connection is not back in the pool before the next request starts).
    let connections = server.state().connection_count();
    assert!(
        (1..=3 * CONCURRENCY).contains(&connections),
        "{connections} connections for 50 tokens"
    );
    // One throttle: the provider's client sent nothing, yet knows the app's usage (200
    // calls of 10,000: 2%).
    assert_eq!(provider.throttle_status().app_percent, Some(2.0));
    assert_eq!(clients[7].throttle_status(), provider.throttle_status());
    // No token in any output: a client's Debug, an error's Display and Debug.
    let error = clients[3].phone_number("999").get().await.unwrap_err();
    for text in [
        format!("{:?}", clients[3]),
        format!("{:?}", clients[3].core()),
        error.to_string(),
        format!("{error:?}"),
    ] {
        for token in tokens
            .iter()
            .map(String::as_str)
            .chain(["EAAB-provider-token", SECRET])
        {
            assert!(!text.contains(token), "{token} in {text}");
        }
    }
    // A bad token is refused before anything is sent.
    let bad = provider.with_access_token("").unwrap_err();
    assert_eq!(bad.invalid_field(), Some("access_token"));
}

/// `MockServerBuilder::latency` holds every Graph answer, to model a real round trip.
#[tokio::test]
async fn the_mock_holds_answers_for_the_latency_it_is_given() {
    let server = MockServer::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let client = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        client
            .phone_number(whatsapp_phone_numbers_mock::demo::DEMO_NUMBER_ID)
            .get()
            .await
            .unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
    assert_eq!(server.state().latency(), Duration::from_millis(150));
}
