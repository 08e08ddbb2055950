//! The mock at load-test scale: seeded fleets, paging through tens of thousands of numbers
//! over real HTTP, and the bounded request log. No test here times anything.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;
use whatsapp_phone_numbers_mock::{DEFAULT_REQUEST_LOG_LIMIT, MockServer, MockState};

const FLEET_BUSINESS: &str = "1009000000000001";

/// A full URL's path and query, to request it from the mock.
fn path_of(url: &str, api: &Api) -> String {
    url.strip_prefix(&api.server.base_url())
        .unwrap_or_else(|| panic!("{url} is not on the mock"))
        .to_owned()
}

/// Follows `paging.next` (or, with `backwards`, `paging.previous`) from `first` to the end;
/// answers the IDs in the order they come, how many pages there were and the last page's
/// path.
async fn walk(api: &Api, first: &str, backwards: bool) -> (Vec<String>, usize, String) {
    let link = if backwards { "previous" } else { "next" };
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut path = first.to_owned();
    loop {
        let page = api.get(&path).await.ok();
        pages += 1;
        let mut page_ids = ids(&page);
        if backwards {
            page_ids.reverse();
        }
        seen.extend(page_ids);
        match page["paging"][link].as_str() {
            Some(url) => path = path_of(url, api),
            None => break,
        }
    }
    (seen, pages, path)
}

#[tokio::test]
async fn paging_a_50k_account_visits_every_number_once_in_order() {
    const COUNT: usize = 50_000;
    let api = Api::with(MockServer::builder().empty()).await;
    let state = api.server.state();
    let wabas = state.seed_fleet(FLEET_BUSINESS, 1, COUNT);
    let waba = &wabas[0];
    assert_eq!(state.number_count(waba), COUNT);
    // The list's default order, newest first, as the state sees it.
    let expected: Vec<String> = state
        .numbers(waba)
        .into_iter()
        .map(|n| n.id.unwrap())
        .collect();
    assert_eq!(expected.len(), COUNT);

    let mut last_page = String::new();
    for limit in [25, 100] {
        let first = format!("/v23.0/{waba}/phone_numbers?limit={limit}&summary=total_count");
        let page = api.get(&first).await.ok();
        assert_eq!(page["summary"]["total_count"], COUNT);
        let (seen, pages, last) = walk(&api, &first, false).await;
        assert_eq!(pages, COUNT / limit, "limit {limit}");
        assert_eq!(
            seen, expected,
            "limit {limit}: every number once, newest first"
        );
        last_page = last;
    }

    // Oldest first, then back again from the last page with `before` cursors.
    let mut oldest_first = expected.clone();
    oldest_first.reverse();
    let first = format!("/v23.0/{waba}/phone_numbers?limit=100&sort=creation_time.asc");
    let (seen, _, _) = walk(&api, &first, false).await;
    assert_eq!(seen, oldest_first);

    // `last_page` is the last page of 100 in the default order, reached with `after`.
    let last = api.get(&last_page).await.ok();
    assert_eq!(ids(&last).len(), 100);
    assert!(last["paging"].get("next").is_none());
    assert!(last["paging"]["previous"].is_string());
    let (mut seen, pages, _) = walk(&api, &last_page, true).await;
    assert_eq!(pages, COUNT / 100);
    seen.reverse();
    assert_eq!(
        seen, expected,
        "walking back with `before` meets every number"
    );

    // Every request above is counted; the log holds them all (fewer than its limit).
    assert!(state.request_count() < DEFAULT_REQUEST_LOG_LIMIT);
    assert_eq!(state.requests().len(), state.request_count());
}

#[tokio::test]
async fn filters_on_a_seeded_account_count_what_they_match() {
    let api = Api::with(MockServer::builder().empty()).await;
    let state = api.server.state();
    let waba = state.seed_fleet(FLEET_BUSINESS, 1, 3_000).remove(0);
    let tier_1k = state
        .numbers(&waba)
        .into_iter()
        .filter(|n| n.messaging_limit_tier.as_ref().map(|t| t.as_str()) == Some("TIER_1K"))
        .map(|n| n.id.unwrap())
        .collect::<Vec<_>>();
    assert!(!tier_1k.is_empty() && tier_1k.len() < 3_000);
    let filtering = r#"[{"field":"messaging_limit_tier","operator":"EQUAL","value":"TIER_1K"}]"#;
    let filtering: String = url_encode(filtering);
    let first =
        format!("/v23.0/{waba}/phone_numbers?limit=100&summary=total_count&filtering={filtering}");
    let page = api.get(&first).await.ok();
    assert_eq!(page["summary"]["total_count"], tier_1k.len());
    let (seen, _, _) = walk(&api, &first, false).await;
    assert_eq!(seen, tier_1k);
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn seed_fleet_creates_exactly_the_numbers_asked_for_with_distinct_ids() {
    let state = MockState::new();
    whatsapp_phone_numbers_mock::demo::seed(&state);
    let wabas = state.seed_fleet(FLEET_BUSINESS, 7, 1_500);
    assert_eq!(wabas.len(), 7);
    assert_eq!(wabas.iter().collect::<HashSet<_>>().len(), 7);
    assert_eq!(state.business(FLEET_BUSINESS).unwrap().owned, wabas);

    let mut ids = HashSet::new();
    let mut displays = HashSet::new();
    let mut statuses = HashSet::new();
    let mut qualities = HashSet::new();
    for waba in &wabas {
        assert_eq!(state.number_count(waba), 1_500);
        for number in state.numbers(waba) {
            assert!(ids.insert(number.id.clone().unwrap()), "{:?}", number.id);
            assert!(displays.insert(number.display_phone_number.clone().unwrap()));
            statuses.insert(number.status.clone().unwrap());
            qualities.insert(number.quality_rating.clone().unwrap());
        }
    }
    assert_eq!(ids.len(), 7 * 1_500);
    assert!(statuses.len() > 5, "varied statuses: {statuses:?}");
    assert!(qualities.len() > 2, "varied quality: {qualities:?}");
    // None of them is a demo number.
    for demo in state.numbers(whatsapp_phone_numbers_mock::demo::DEMO_WABA_ID) {
        assert!(!ids.contains(demo.id.as_deref().unwrap()));
    }

    // The same calls on another state give the same fleet.
    let again = MockState::new();
    whatsapp_phone_numbers_mock::demo::seed(&again);
    assert_eq!(again.seed_fleet(FLEET_BUSINESS, 7, 1_500), wabas);
    assert_eq!(again.numbers(&wabas[3]), state.numbers(&wabas[3]));

    // A second fleet under another business takes new IDs and display numbers.
    let more = state.seed_fleet("1009000000000002", 2, 10);
    for waba in &more {
        for number in state.numbers(waba) {
            assert!(ids.insert(number.id.unwrap()));
            assert!(displays.insert(number.display_phone_number.unwrap()));
        }
    }
}

#[tokio::test]
async fn a_seeded_fleet_is_listed_by_its_business() {
    let api = Api::start().await;
    let wabas = api.server.state().seed_fleet(FLEET_BUSINESS, 30, 3);
    let first = format!("/v23.0/{FLEET_BUSINESS}/owned_whatsapp_business_accounts?limit=7");
    let (seen, pages, _) = walk(&api, &first, false).await;
    assert_eq!(seen, wabas);
    assert_eq!(pages, 5);
    let page = api
        .get(&format!(
            "/v23.0/{}/phone_numbers?summary=total_count&fields=status,health_status",
            wabas[4]
        ))
        .await
        .ok();
    assert_eq!(page["summary"]["total_count"], 3);
    assert_eq!(ids(&page).len(), 3);
    let entities = &page["data"][0]["health_status"]["entities"];
    assert_eq!(entities[1]["id"], wabas[4].as_str());
    assert_eq!(entities[2]["id"], FLEET_BUSINESS);
}

#[tokio::test]
async fn the_request_log_keeps_the_last_n_and_the_count_keeps_counting() {
    let api = Api::with(MockServer::builder().request_log_limit(5)).await;
    let state = api.server.state();
    assert_eq!(state.request_log_limit(), 5);
    for i in 0..12 {
        api.get(&format!(
            "/v23.0/{DEMO_WABA_ID}/phone_numbers?limit={}",
            i + 1
        ))
        .await
        .ok();
    }
    assert_eq!(state.request_count(), 12);
    let limits: Vec<String> = state
        .requests()
        .iter()
        .map(|r| r.query_param("limit").unwrap())
        .collect();
    assert_eq!(
        limits,
        ["8", "9", "10", "11", "12"],
        "the last five, oldest first"
    );

    let log = api.get("/__mock/requests").await.ok();
    assert_eq!(log["count"], 5);
    assert_eq!(log["total"], 12);
    assert_eq!(log["data"].as_array().unwrap().len(), 5);
    assert_eq!(log["data"][4]["query"], "limit=12");

    // Shrinking the limit drops the oldest at once; the count stays.
    state.set_request_log_limit(2);
    assert_eq!(state.requests().len(), 2);
    assert_eq!(state.requests()[0].query, "limit=11");
    assert_eq!(state.request_count(), 12);

    // A limit of 0 logs nothing but still counts.
    state.set_request_log_limit(0);
    api.get(&format!("/v23.0/{DEMO_NUMBER_ID}")).await.ok();
    assert!(state.requests().is_empty());
    assert_eq!(state.request_count(), 13);

    state.clear_requests();
    assert_eq!(state.request_count(), 0);
    let log: Value = api.get("/__mock/requests").await.ok();
    assert_eq!(log["total"], 0);
}

#[tokio::test]
async fn the_default_log_limit_is_ten_thousand() {
    let api = Api::start().await;
    assert_eq!(api.server.state().request_log_limit(), 10_000);
    assert_eq!(DEFAULT_REQUEST_LOG_LIMIT, 10_000);
}
