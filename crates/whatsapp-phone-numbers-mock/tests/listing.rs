//! The phone numbers edge: fields, cursor paging, filtering, sort and summary.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;

fn list_path(query: &str) -> String {
    format!("/v23.0/{DEMO_WABA_ID}/phone_numbers{query}")
}

/// A full URL's path and query, to request it from the mock.
fn path_of(url: &str, api: &Api) -> String {
    url.strip_prefix(&api.server.base_url())
        .unwrap_or_else(|| panic!("{url} is not on the mock"))
        .to_owned()
}

#[tokio::test]
async fn list_answers_default_fields_and_default_page_size() {
    let api = Api::start().await;
    let page = api.get(&list_path("")).await.ok();
    let data = page["data"].as_array().unwrap();
    assert_eq!(data.len(), 25, "default limit");
    for number in data {
        assert_eq!(
            keys(number),
            [
                "code_verification_status",
                "display_phone_number",
                "id",
                "quality_rating",
                "verified_name"
            ]
        );
    }
    assert!(page["paging"]["cursors"]["before"].is_string());
    assert!(page["paging"]["cursors"]["after"].is_string());
    assert!(page["paging"]["next"].is_string());
    assert!(page["paging"].get("previous").is_none());
    assert!(page.get("summary").is_none());

    let page = api
        .get(&list_path("?fields=status,account_mode&limit=3"))
        .await
        .ok();
    for number in page["data"].as_array().unwrap() {
        assert_eq!(keys(number), ["account_mode", "id", "status"]);
    }
    api.get(&list_path("?fields=status,nonsense"))
        .await
        .graph_error(400, 100);
}

#[tokio::test]
async fn paging_with_limit_7_visits_every_number_once() {
    let api = Api::start().await;
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut path = list_path("?limit=7&fields=id,verified_name");
    loop {
        let reply = api.get(&path).await;
        let page = reply.ok();
        pages += 1;
        let page_ids = ids(&page);
        assert!(!page_ids.is_empty() && page_ids.len() <= 7);
        let cursors = &page["paging"]["cursors"];
        assert!(
            cursors["before"].is_string() && cursors["after"].is_string(),
            "{page}"
        );
        seen.extend(page_ids);
        match page["paging"].get("next").and_then(Value::as_str) {
            Some(next) => {
                assert!(
                    next.starts_with(&format!(
                        "{}/v23.0/{DEMO_WABA_ID}/phone_numbers?",
                        api.server.base_url()
                    )),
                    "{next}"
                );
                assert!(
                    next.contains("limit=7") && next.contains("fields=id%2Cverified_name"),
                    "{next}"
                );
                path = path_of(next, &api);
            }
            None => break,
        }
        assert!(pages < 20, "paging does not end");
    }
    assert_eq!(pages, 5);
    assert_eq!(seen.len(), DEMO_NUMBER_COUNT);
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), DEMO_NUMBER_COUNT, "no duplicates");
    let all: HashSet<String> = ids(&api.get(&list_path("?limit=100")).await.ok())
        .into_iter()
        .collect();
    assert_eq!(unique.into_iter().cloned().collect::<HashSet<_>>(), all);
}

#[tokio::test]
async fn previous_and_before_walk_back() {
    let api = Api::start().await;
    let first = api.get(&list_path("?limit=4")).await.ok();
    let next = first["paging"]["next"].as_str().unwrap();
    let second = api.get(&path_of(next, &api)).await.ok();
    let previous = second["paging"]["previous"]
        .as_str()
        .expect("previous on page 2");
    assert!(previous.contains("before="));
    let back = api.get(&path_of(previous, &api)).await.ok();
    assert_eq!(ids(&back), ids(&first));
    assert!(back["paging"].get("previous").is_none());

    // `before` with the second page's own cursor gives the first page too.
    let before = second["paging"]["cursors"]["before"].as_str().unwrap();
    let again = api
        .get(&list_path(&format!("?limit=4&before={before}")))
        .await
        .ok();
    assert_eq!(ids(&again), ids(&first));
}

#[tokio::test]
async fn default_sort_is_newest_first_and_sort_reverses_it() {
    let api = Api::start().await;
    let newest = ids(&api.get(&list_path("?limit=100")).await.ok());
    assert_eq!(newest.len(), DEMO_NUMBER_COUNT);
    let descending = ids(&api
        .get(&list_path(
            "?limit=100&sort=%5B%22last_onboarded_time_descending%22%5D",
        ))
        .await
        .ok());
    assert_eq!(descending, newest);
    let oldest = ids(&api
        .get(&list_path(
            "?limit=100&sort=%5B%22last_onboarded_time_ascending%22%5D",
        ))
        .await
        .ok());
    let mut reversed = newest.clone();
    reversed.reverse();
    assert_eq!(oldest, reversed);
    assert_eq!(
        oldest[0], DEMO_NUMBER_ID,
        "Jaspers Market was onboarded first"
    );

    // Ascending pages chain too.
    let page = api
        .get(&list_path(
            "?limit=10&sort=%5B%22last_onboarded_time_ascending%22%5D",
        ))
        .await
        .ok();
    let next = api
        .get(&path_of(page["paging"]["next"].as_str().unwrap(), &api))
        .await
        .ok();
    assert_eq!(ids(&next), oldest[10..20].to_vec());

    api.get(&list_path("?sort=%5B%22by_mood%22%5D"))
        .await
        .graph_error(400, 100);
    api.get(&list_path("?sort=%5Bnot-json"))
        .await
        .graph_error(400, 100);
}

fn filter(field: &str, value: &str) -> String {
    let json = format!(r#"[{{"field":"{field}","operator":"EQUAL","value":"{value}"}}]"#);
    form_encode(&json)
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn filtering_and_summary() {
    let api = Api::start().await;
    let sandbox = api
        .get(&list_path(&format!(
            "?filtering={}&fields=account_mode&summary=total_count",
            filter("account_mode", "SANDBOX")
        )))
        .await
        .ok();
    assert_eq!(ids(&sandbox), vec![DEMO_SANDBOX_NUMBER_ID.to_owned()]);
    assert_eq!(sandbox["data"][0]["account_mode"], "SANDBOX");
    assert_eq!(sandbox["summary"]["total_count"], 1);
    assert!(sandbox["paging"].get("next").is_none());

    let official = api
        .get(&list_path(&format!(
            "?filtering={}&fields=is_official_business_account&summary=total_count",
            filter("is_official_business_account", "true")
        )))
        .await
        .ok();
    assert_eq!(official["summary"]["total_count"], 4);
    assert!(
        official["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["is_official_business_account"] == true)
    );

    // A JSON boolean works as well as the string.
    let official_bool = api
        .get(&list_path(&format!(
            "?filtering={}",
            form_encode(
                r#"[{"field":"is_official_business_account","operator":"EQUAL","value":true}]"#
            )
        )))
        .await
        .ok();
    assert_eq!(ids(&official_bool).len(), 4);

    // Two filters are both applied, with paging and sort on top.
    let both = form_encode(
        r#"[{"field":"messaging_limit_tier","operator":"EQUAL","value":"TIER_UNLIMITED"},{"field":"is_official_business_account","operator":"EQUAL","value":"true"}]"#,
    );
    let page = api
        .get(&list_path(&format!(
            "?filtering={both}&limit=1&summary=total_count&sort=%5B%22last_onboarded_time_ascending%22%5D&fields=messaging_limit_tier"
        )))
        .await
        .ok();
    assert_eq!(page["summary"]["total_count"], 2);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["messaging_limit_tier"], "TIER_UNLIMITED");
    let next = page["paging"]["next"].as_str().unwrap();
    assert!(next.contains("filtering="), "filters carry over: {next}");
    let last = api.get(&path_of(next, &api)).await.ok();
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
    assert_ne!(ids(&last), ids(&page));
    assert!(last["paging"].get("next").is_none());

    // Summary without filters counts the whole account.
    let all = api
        .get(&list_path("?summary=total_count&limit=1"))
        .await
        .ok();
    assert_eq!(all["summary"]["total_count"], DEMO_NUMBER_COUNT);

    // Nothing matches: an empty page, still with paging.
    let none = api
        .get(&list_path(&format!(
            "?filtering={}",
            filter("messaging_limit_tier", "TIER_2K")
        )))
        .await
        .ok();
    assert_eq!(none["data"], serde_json::json!([]));
    assert!(none["paging"]["cursors"].is_object());
    assert!(none["paging"].get("next").is_none());
}

#[tokio::test]
async fn malformed_filtering_is_a_graph_error() {
    let api = Api::start().await;
    for bad in [
        form_encode("[{"),
        form_encode("{}"),
        form_encode("not json"),
        form_encode(r#"[{"field":"account_mode"}]"#),
        filter("favourite_colour", "blue"),
        form_encode(r#"[{"field":"account_mode","operator":"LIKE","value":"LIVE"}]"#),
        filter("is_official_business_account", "perhaps"),
    ] {
        let error = api
            .get(&list_path(&format!("?filtering={bad}")))
            .await
            .graph_error(400, 100);
        assert!(
            error["message"].as_str().unwrap().contains("filtering"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn limits_and_cursors_are_checked() {
    let api = Api::start().await;
    let huge = api
        .get(&list_path("?limit=100000000000000000000000000000"))
        .await
        .ok();
    assert_eq!(
        ids(&huge).len(),
        DEMO_NUMBER_COUNT,
        "capped at 100, all 30 fit"
    );
    let big = api.get(&list_path("?limit=250")).await.ok();
    assert_eq!(ids(&big).len(), DEMO_NUMBER_COUNT);
    for bad in ["0", "-1", "ten", "1.5", "%00"] {
        api.get(&list_path(&format!("?limit={bad}")))
            .await
            .graph_error(400, 100);
    }
    for bad in ["garbage", "QVFIUmxpZAEZD", "%FF%FE", "!!!!", "d2FwbjE6eDox"] {
        api.get(&list_path(&format!("?after={bad}")))
            .await
            .graph_error(400, 100);
        api.get(&list_path(&format!("?before={bad}")))
            .await
            .graph_error(400, 100);
    }
    // An empty cursor means no cursor.
    assert_eq!(
        ids(&api.get(&list_path("?after=&limit=2")).await.ok()).len(),
        2
    );
}

#[tokio::test]
async fn added_numbers_show_up_first_and_paging_survives_them() {
    let api = Api::start().await;
    let first = api.get(&list_path("?limit=5")).await.ok();
    let created = api
        .post(
            &list_path(""),
            serde_json::json!({"cc": "1", "phone_number": "2025550177", "verified_name": "Late Arrival"}),
        )
        .await
        .ok();
    let id = created["id"].as_str().unwrap().to_owned();
    // The next page continues after the old cursor, unaffected by the insert.
    let next = api
        .get(&path_of(first["paging"]["next"].as_str().unwrap(), &api))
        .await
        .ok();
    assert!(!ids(&next).contains(&id));
    assert!(!ids(&next).iter().any(|i| ids(&first).contains(i)));
    // A fresh first page starts with the new number.
    let fresh = api
        .get(&list_path("?limit=5&summary=total_count"))
        .await
        .ok();
    assert_eq!(ids(&fresh)[0], id);
    assert_eq!(fresh["summary"]["total_count"], DEMO_NUMBER_COUNT + 1);
}

#[tokio::test]
async fn unknown_accounts_are_graph_errors() {
    let api = Api::start().await;
    let error = api
        .get("/v23.0/123123123/phone_numbers")
        .await
        .graph_error(400, 100);
    assert_eq!(error["error_subcode"], 33);
}
