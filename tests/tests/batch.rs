//! Graph batch requests through the facade against the mock: any request joins a batch,
//! items come back typed (or as their own errors) in order, `null` items are sent again,
//! calls hold at most 50 items, item headers feed the throttle, writes and per-item tokens
//! work, and operations that must not be repeated join only when allowed.

use whatsapp_phone_numbers::v24_0::{self, PhoneNumberField as F, types};
use whatsapp_phone_numbers::{Error, Response};
use whatsapp_phone_numbers_mock::{Fault, MockServer, demo, token_fingerprint};

const BUSINESS: &str = "1009000000000090";

fn client(server: &MockServer) -> v24_0::Client {
    v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// 500 numbers of one account.
async fn numbers(server: &MockServer, client: &v24_0::Client) -> Vec<String> {
    let waba = server.state().seed_fleet(BUSINESS, 1, 500).remove(0);
    let listed = client
        .business_account(waba.as_str())
        .phone_numbers()
        .list()
        .fields([F::Id])
        .page_size(100)
        .collect_all()
        .await
        .unwrap();
    server.state().clear_requests();
    listed.into_iter().filter_map(|n| n.id).collect()
}

/// The batch calls the mock received (its items are logged as requests of their own).
fn batch_calls(server: &MockServer) -> usize {
    server
        .state()
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.trim_end_matches('/').is_empty())
        .count()
}

#[tokio::test]
async fn five_hundred_reads_take_ten_calls_and_come_back_typed_in_order() {
    let server = MockServer::builder()
        .empty()
        .request_log_limit(100_000)
        .start()
        .await
        .unwrap();
    let client = client(&server);
    let ids = numbers(&server, &client).await;
    let mut batch = client.batch();
    let slots = batch.add_all(ids.iter().map(|id| {
        client
            .phone_number(id.as_str())
            .get()
            .fields([F::Id, F::Status])
    }));
    assert_eq!(batch.len(), 500);
    let mut results = batch.send().await;
    let numbers: Vec<Response<types::PhoneNumber>> = results
        .take_all(slots)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let got: Vec<String> = numbers.iter().map(|n| n.id.clone().unwrap()).collect();
    assert_eq!(got, ids, "in order");
    assert!(numbers.iter().all(|n| n.status.is_some()));
    assert_eq!(batch_calls(&server), 10);
    // 500 items were run (and charged) one by one behind the 10 calls.
    assert_eq!(server.state().request_count(), 510);
    // Each item's usage headers reached the throttle.
    assert!(client.throttle_status().app_percent.is_some());
}

#[tokio::test]
async fn failed_items_are_their_own_errors_and_null_items_are_sent_again() {
    let server = MockServer::builder()
        .empty()
        .request_log_limit(100_000)
        .start()
        .await
        .unwrap();
    let client = client(&server);
    let mut ids = numbers(&server, &client).await;
    // Three items fail: numbers that do not exist.
    for (at, missing) in [
        (3, "999000000000001"),
        (250, "999000000000002"),
        (499, "999000000000003"),
    ] {
        ids[at] = missing.to_owned();
    }
    // Graph does not finish two items of the first call: they come back null, once.
    server.faults().push(Fault::batch_items_null([7, 41]));
    let mut batch = client.batch();
    let slots = batch.add_all(ids.iter().map(|id| client.phone_number(id.as_str()).get()));
    let results = batch.send().await.take_all(slots);
    let (ok, failed): (Vec<_>, Vec<_>) = results.iter().partition(|r| r.is_ok());
    assert_eq!((ok.len(), failed.len()), (497, 3));
    for at in [3, 250, 499] {
        let error = results[at].as_ref().unwrap_err();
        assert_eq!(error.status(), Some(400), "{error}");
        assert_eq!(error.code(), Some(100), "{error}");
    }
    for at in [7, 41] {
        let number = results[at].as_ref().unwrap();
        assert_eq!(number.id.as_deref(), Some(ids[at].as_str()));
        assert_eq!(number.meta().attempts(), 2, "sent again once");
    }
    // 10 calls of 50, and one more for the two items sent again.
    assert_eq!(batch_calls(&server), 11);
}

#[tokio::test]
async fn writes_tokens_and_refusals() {
    let other = "EAAB-client-business-7";
    let server = MockServer::builder()
        .system_user_token(other)
        .start()
        .await
        .unwrap();
    let client = client(&server);
    let number = client.phone_number(demo::DEMO_NUMBER_ID);
    let mut batch = client.batch();
    let read = batch.add(number.get());
    let write = batch.add(
        number
            .update()
            .search_visibility(types::SearchVisibility::Hidden),
    );
    // An item built on another token carries it (the batch's token is the fallback).
    let as_other = client.with_access_token(other).unwrap();
    let other_read = batch.add(as_other.phone_number(demo::DEMO_SANDBOX_NUMBER_ID).get());
    // Refused before anything is sent: bad input, and an operation that must not be
    // repeated once processed.
    let bad = batch.add(client.phone_number("not-an-id").get());
    let code = batch.add(number.request_code(types::CodeMethod::Sms, "en_US"));
    let mut results = batch.send().await;
    results.take(read).unwrap();
    results.take(write).unwrap();
    assert_eq!(
        server
            .state()
            .number(demo::DEMO_NUMBER_ID)
            .unwrap()
            .search_visibility,
        Some(types::SearchVisibility::Hidden)
    );
    results.take(other_read).unwrap();
    assert_eq!(
        results.take(bad).unwrap_err().invalid_field(),
        Some("phone_number_id")
    );
    let refused = results.take(code).unwrap_err();
    assert_eq!(refused.invalid_field(), Some("batch"), "{refused}");
    // Three items went, in one call; each carried the token it was built with.
    let requests = server.state().requests();
    assert_eq!(requests.len(), 4, "{requests:#?}");
    let items = &requests[1..];
    let mine = token_fingerprint(server.access_token());
    let theirs = token_fingerprint(other);
    let carried: Vec<&str> = items
        .iter()
        .map(|r| r.credential.as_deref().unwrap())
        .collect();
    assert_eq!(carried, [mine.as_str(), mine.as_str(), theirs.as_str()]);
    assert!(!format!("{requests:?}").contains(other));

    // With allow_unprocessed_only, the code request joins.
    let mut batch = client.batch().allow_unprocessed_only();
    let code = batch.add(number.request_code(types::CodeMethod::Sms, "en_US"));
    batch.send().await.take(code).unwrap();

    // A slot of another batch, or one already taken, is an error, not a panic.
    let mut small = client.batch();
    let read = small.add(number.get());
    let mut big = client.batch();
    let first = big.add(number.get());
    let foreign = big.add(number.get());
    let mut results = small.send().await;
    // Another batch's slot at an index this batch has, of the same type, takes nothing.
    assert_eq!(
        results.take(first).unwrap_err().invalid_field(),
        Some("slot")
    );
    results.take(read).unwrap();
    let error: Error = results.take(foreign).unwrap_err();
    assert_eq!(error.invalid_field(), Some("slot"));
    // A slot of another type at an index this batch has leaves that item in place.
    let mut mixed = client.batch();
    let read = mixed.add(number.get());
    let mut other = client.batch();
    let wrong_type = other.add(
        number
            .update()
            .search_visibility(types::SearchVisibility::Visible),
    );
    let mut results = mixed.send().await;
    assert_eq!(
        results.take(wrong_type).unwrap_err().invalid_field(),
        Some("slot")
    );
    results.take(read).unwrap();
}

#[tokio::test]
async fn a_batch_call_is_retried_only_when_nothing_in_it_was_processed() {
    let server = MockServer::start().await;
    let client = client(&server);
    let number = client.phone_number(demo::DEMO_NUMBER_ID);
    // Throttled as a whole: nothing ran, so it goes again.
    server.faults().push(Fault::rate_limited(0).on_path("/"));
    let mut batch = client.batch();
    let read = batch.add(number.get());
    batch.send().await.take(read).unwrap();
    // A 500 may have run some items: the call is not sent again as it was. Each item is
    // then read like a request that got that answer: reads (safe to repeat) go again in
    // the next call; a code request (never repeated once it may have been processed) keeps
    // the error.
    server.faults().push(Fault::server_error(500).on_path("/"));
    server.state().clear_requests();
    let mut batch = client.batch().allow_unprocessed_only();
    let code = batch.add(number.request_code(types::CodeMethod::Sms, "en_US"));
    let reads = batch.add_all([number.get(), number.get()]);
    let mut results = batch.send().await;
    for read in results.take_all(reads) {
        read.unwrap();
    }
    assert_eq!(results.take(code).unwrap_err().status(), Some(500));
    let codes = server
        .state()
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/request_code"))
        .count();
    assert_eq!(codes, 0, "the code request never went again");
    assert!(batch_calls(&server) >= 2, "the reads went again");
}
