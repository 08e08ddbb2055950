//! Dependent items of a batch call, over loopback: a named item's result used by later
//! items (`{result=NAME:$.path}` in their URL or body), `depends_on`, run in order; a used
//! item left out of the answer unless it asks to be included; references that cannot be
//! resolved answer the item an error, and the item is not run.

mod common;

use common::Api;
use serde_json::{Value, json};
use whatsapp_phone_numbers_mock::{Fault, MockServer};

const BUSINESS: &str = "1009000000000077";

/// Posts `items` as a batch call and answers Graph's array.
async fn batch(api: &Api, items: Value) -> Vec<Value> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("batch", &items.to_string())
        .append_pair("include_headers", "false")
        .finish();
    let reply = api
        .post_raw("/v24.0/", "application/x-www-form-urlencoded", body)
        .await;
    reply.ok().as_array().expect("an array").clone()
}

/// An item's body, decoded.
fn body(item: &Value) -> Value {
    serde_json::from_str(item["body"].as_str().expect("a body")).expect("JSON")
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn chained_pages_read_each_from_the_cursor_before_it() {
    let api = Api::with(MockServer::builder().empty()).await;
    let wabas = api.server.state().seed_fleet(BUSINESS, 7, 1);
    let list = format!("v24.0/{BUSINESS}/owned_whatsapp_business_accounts?fields=id&limit=2");
    let answers = batch(
        &api,
        json!([
            {"method": "GET", "relative_url": list, "name": "p0", "omit_response_on_success": false},
            {"method": "GET", "name": "p1", "omit_response_on_success": false,
             "relative_url": format!("{list}&after={{result=p0:$.paging.cursors.after}}")},
            {"method": "GET", "name": "p2", "omit_response_on_success": false,
             "relative_url": format!("{list}&after={{result=p1:$.paging.cursors.after}}")},
            {"method": "GET", "name": "p3", "omit_response_on_success": false,
             "relative_url": format!("{list}&after={{result=p2:$.paging.cursors.after}}")},
            // Past the last page: its cursor leads to an empty page, which has none.
            {"method": "GET", "name": "p4",
             "relative_url": format!("{list}&after={{result=p3:$.paging.cursors.after}}")},
            {"method": "GET",
             "relative_url": format!("{list}&after={{result=p4:$.paging.cursors.after}}")},
        ]),
    )
    .await;
    let pages: Vec<Value> = answers[..4].iter().map(body).collect();
    let read: Vec<String> = pages.iter().flat_map(ids).collect();
    assert_eq!(read, wabas, "every account once, in order");
    assert!(pages[2]["paging"]["next"].is_string());
    assert!(pages[3]["paging"]["next"].is_null(), "the last page");
    // p4 is used by the last item and did not ask to be included: left out (null).
    assert!(answers[4].is_null(), "{:?}", answers[4]);
    // The empty page has no cursor: the last item is not run, and says why.
    assert_eq!(answers[5]["code"], 400);
    let error = body(&answers[5])["error"].clone();
    assert_eq!(error["code"], 100);
    assert!(error["message"].as_str().unwrap().contains("p4"), "{error}");
    // Run: the 5 pages; not run: the last item.
    let requests = api.server.state().requests();
    assert_eq!(requests.iter().filter(|r| r.method == "GET").count(), 5);
}

#[tokio::test]
async fn references_lists_depends_on_and_failures() {
    let api = Api::with(MockServer::builder().empty()).await;
    let wabas = api.server.state().seed_fleet(BUSINESS, 3, 1);
    let answers = batch(
        &api,
        json!([
            {"method": "GET", "name": "accounts",
             "relative_url": format!("v24.0/{BUSINESS}/owned_whatsapp_business_accounts?fields=id")},
            // The second account the first item found (a list of matches is joined with
            // commas: the unit tests show that, as the mock has no `?ids=` read).
            {"method": "GET", "relative_url": "v24.0/{result=accounts:$.data[1].id}?fields=id"},
            // Waits for an item that fails; is not run.
            {"method": "GET", "name": "missing", "relative_url": "v24.0/999000000000404"},
            {"method": "GET", "relative_url": format!("v24.0/{}", wabas[0]), "depends_on": "missing"},
            // A name no earlier item has.
            {"method": "GET", "relative_url": "v24.0/{result=later:$.id}"},
            {"method": "GET", "name": "later", "relative_url": format!("v24.0/{}", wabas[1])},
        ]),
    )
    .await;
    assert!(answers[0].is_null(), "used and not asked to be included");
    assert_eq!(body(&answers[1])["id"], wabas[1].as_str());
    assert_eq!(answers[2]["code"], 400, "{:?}", answers[2]);
    for (at, name) in [(3, "missing"), (4, "later")] {
        assert_eq!(answers[at]["code"], 400);
        let error = body(&answers[at])["error"].clone();
        assert_eq!(error["code"], 100);
        assert!(error["message"].as_str().unwrap().contains(name), "{error}");
    }
    assert_eq!(answers[5]["code"], 200);
}

/// An item Graph did not finish (`null`) has no result: the items using it are not run.
#[tokio::test]
async fn an_unfinished_item_fails_the_items_that_use_it() {
    let api = Api::with(MockServer::builder().empty()).await;
    api.server.state().seed_fleet(BUSINESS, 4, 1);
    api.server.faults().push(Fault::batch_items_null([0]));
    let list = format!("v24.0/{BUSINESS}/owned_whatsapp_business_accounts?fields=id&limit=1");
    let answers = batch(
        &api,
        json!([
            {"method": "GET", "relative_url": list, "name": "p0", "omit_response_on_success": false},
            {"method": "GET", "relative_url": format!("{list}&after={{result=p0:$.paging.cursors.after}}")},
        ]),
    )
    .await;
    assert!(answers[0].is_null());
    assert_eq!(answers[1]["code"], 400);
    assert_eq!(
        api.server
            .state()
            .requests()
            .iter()
            .filter(|r| r.method == "GET")
            .count(),
        0
    );
}

/// An item that is itself a batch request is refused as that item's error: one call could
/// otherwise run 50 × 50 items (and more, nested deeper).
#[tokio::test]
async fn a_batch_inside_an_item_is_refused() {
    let api = Api::with(MockServer::builder().empty()).await;
    api.server.state().seed_fleet(BUSINESS, 1, 1);
    let inner: String = form_urlencoded::Serializer::new(String::new())
        .append_pair(
            "batch",
            &json!([{"method": "GET", "relative_url": format!("v24.0/{BUSINESS}/owned_whatsapp_business_accounts")}])
                .to_string(),
        )
        .finish();
    for relative_url in ["", "v24.0", "v24.0/", "/v24.0?x=1"] {
        let answers = batch(
            &api,
            json!([{"method": "POST", "relative_url": relative_url, "body": inner}]),
        )
        .await;
        assert_eq!(
            answers[0]["code"], 400,
            "{relative_url:?}: {:?}",
            answers[0]
        );
        assert_eq!(body(&answers[0])["error"]["code"], 100);
        assert!(body(&answers[0])["error"]["fbtrace_id"].is_string());
    }
    let reads = api.server.state().requests();
    assert_eq!(reads.iter().filter(|r| r.method == "GET").count(), 0);
}
