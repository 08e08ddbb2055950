//! Behaviours 3 and 4: Paging streams follow `after` until `paging.next` is absent, one page at a
//! time, and a page with odd items still decodes.

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use whatsapp_phone_numbers::Error;
use whatsapp_phone_numbers::v23_0::types;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn page(items: serde_json::Value, after: &str, next: bool) -> ResponseTemplate {
    let mut paging = json!({"cursors": {"before": "B", "after": after}});
    if next {
        paging["next"] = json!(format!(
            "https://graph.facebook.com/v23.0/{WABA}/phone_numbers?after={after}"
        ));
    }
    ResponseTemplate::new(200)
        .set_body_json(json!({"data": items, "paging": paging}))
        .insert_header("x-fb-request-id", format!("req-{after}").as_str())
}

/// Three pages; page 2 is short and carries an unknown quality rating, a `null`, a field
/// nobody has heard of, and an unknown tier.
async fn three_pages() -> MockServer {
    let server = MockServer::start().await;
    let list = format!("/v23.0/{WABA}/phone_numbers");
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(page(
            json!([
                {"id": "1", "quality_rating": "GREEN", "status": "CONNECTED"},
                {"id": "2", "quality_rating": "YELLOW", "status": "FLAGGED"}
            ]),
            "P2",
            true,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param("after", "P2"))
        .respond_with(page(
            json!([
                {"id": "3", "quality_rating": "PURPLE", "status": null, "verified_name": null,
                 "messaging_limit_tier": "TIER_2K", "brand_new_field": {"x": [1, 2]}}
            ]),
            "P3",
            true,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("after", "P3"))
        .respond_with(page(
            json!([
                {"id": "4", "quality_rating": "RED"},
                {"id": "5", "quality_rating": "NA"}
            ]),
            "P4",
            false,
        ))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn stream_walks_every_page_and_keeps_unknown_values() {
    let server = three_pages().await;
    let numbers: Vec<types::PhoneNumber> = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = numbers.iter().map(|n| n.id.clone().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    let odd = &numbers[2];
    assert_eq!(
        odd.quality_rating,
        Some(types::QualityRating::Unknown("PURPLE".into()))
    );
    assert_eq!(odd.quality_rating.as_ref().unwrap().as_str(), "PURPLE");
    assert_eq!(odd.status, None);
    assert_eq!(
        odd.messaging_limit_tier,
        Some(types::MessagingLimitTier::Unknown("TIER_2K".into()))
    );
    // The short page 2 was not taken as the end; the page without `next` was.
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn pages_carry_their_metadata() {
    let server = three_pages().await;
    let pages: Vec<_> = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .pages()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = pages
        .iter()
        .map(|p| p.meta().request_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["req-P2", "req-P3", "req-P4"]);
}

#[tokio::test]
async fn streams_are_lazy_one_page_at_a_time() {
    let server = three_pages().await;
    let mut stream = Box::pin(
        client(&server)
            .business_account(WABA)
            .phone_numbers()
            .list()
            .stream(),
    );
    assert_eq!(
        requests(&server).await.len(),
        0,
        "nothing is sent before polling"
    );
    stream.next().await.unwrap().unwrap();
    stream.next().await.unwrap().unwrap();
    assert_eq!(
        requests(&server).await.len(),
        1,
        "page 2 is fetched only when needed"
    );
    stream.next().await.unwrap().unwrap();
    assert_eq!(requests(&server).await.len(), 2);
    let rest: Vec<_> = stream.collect().await;
    assert_eq!(rest.len(), 2);
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn cursor_is_read_from_next_when_cursors_are_missing() {
    let server = MockServer::start().await;
    let list = format!("/v23.0/{WABA}/phone_numbers");
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "1"}],
            "paging": {"next": format!("https://graph.facebook.com/v23.0/{WABA}/phone_numbers?limit=1&after=QVFIU%3D")}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("after", "QVFIU="))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [{"id": "2"}]})))
        .mount(&server)
        .await;
    let all = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_ends_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(page(json!([{"id": "1"}]), "SAME", true))
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .stream()
        .collect()
        .await;
    // Page 1 (after none), page 2 (after SAME) yield items; then the loop is detected.
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[1].is_ok());
    match &items[2] {
        Err(Error::Decode(e)) => assert!(e.message.contains("came back"), "{e:?}"),
        other => panic!("expected a paging error, got {other:?}"),
    }
}

/// A first page with number `1` pointing on to `P2`, and `second` as the answer for `P2`.
async fn one_good_page_then(second: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    let list = format!("/v23.0/{WABA}/phone_numbers");
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(page(json!([{"id": "1"}]), "P2", true))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("after", "P2"))
        .respond_with(second)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_error_mid_stream_is_yielded_once_and_ends_the_stream() {
    let server = one_good_page_then(
        ResponseTemplate::new(400).set_body_json(graph_error(100, "Invalid cursor")),
    )
    .await;
    let items: Vec<_> = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].as_ref().unwrap_err().code(), Some(100));
}

#[tokio::test]
async fn a_cursor_cycle_ends_with_an_error() {
    // A -> B -> A -> ... would never end.
    let server = MockServer::start().await;
    let list = format!("/v23.0/{WABA}/phone_numbers");
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(page(json!([{"id": "1"}]), "A", true))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param("after", "A"))
        .respond_with(page(json!([{"id": "2"}]), "B", true))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("after", "B"))
        .respond_with(page(json!([{"id": "3"}]), "A", true))
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(items[..3].iter().all(Result::is_ok));
    assert!(matches!(&items[3], Err(Error::Decode(e)) if e.message.contains("loop")));
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn endless_empty_pages_end_with_an_error() {
    let server = MockServer::start().await;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = counter.clone();
    Mock::given(method("GET"))
        .respond_with(move |_: &wiremock::Request| {
            let n = c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            page(json!([]), &format!("C{n}"), true)
        })
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(Error::Decode(e)) if e.message.contains("empty pages")),
        "{items:?}"
    );
    assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 20);
}

/// Decided: a page whose `data` is `null` or missing is an error naming `data`, not an empty
/// page. Read as empty, a broken answer would make a fleet look smaller than it is (an audit
/// would pass over the numbers it never saw). The error comes once, after the good pages, and
/// ends the stream.
#[tokio::test]
async fn a_page_without_data_is_an_error_naming_data_not_an_empty_page() {
    for broken in [
        json!({"data": null, "paging": {"cursors": {"after": "P3"}}}),
        json!({"paging": {"cursors": {"after": "P3"}}}),
    ] {
        let server =
            one_good_page_then(ResponseTemplate::new(200).set_body_json(broken.clone())).await;
        let items: Vec<_> = client(&server)
            .business_account(WABA)
            .phone_numbers()
            .list()
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 2, "{broken}: one number, then one error");
        assert_eq!(items[0].as_ref().unwrap().id.as_deref(), Some("1"));
        let Err(Error::Decode(e)) = &items[1] else {
            panic!("{broken}: {:?}", items[1]);
        };
        assert_eq!(e.status, 200);
        assert!(
            e.message.starts_with("data: invalid type: null")
                || e.message.starts_with("missing field `data`"),
            "{broken}: {}",
            e.message
        );
        assert!(e.body_excerpt.contains("paging"), "{}", e.body_excerpt);
        assert_eq!(requests(&server).await.len(), 2);
    }
}

#[tokio::test]
async fn a_decode_error_names_the_item_and_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{WABA}/phone_numbers")))
        .respond_with(page(json!([{"id": "1"}, {"id": 2}]), "P2", false))
        .mount(&server)
        .await;
    let err = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .send()
        .await
        .unwrap_err();
    let Error::Decode(e) = &err else {
        panic!("{err:?}")
    };
    assert!(
        e.message.starts_with("data[1].id: invalid type"),
        "{}",
        e.message
    );
    assert!(err.to_string().contains("data[1].id"), "{err}");
}

#[tokio::test]
async fn accounts_with_numbers_end_a_cursor_cycle_with_an_error() {
    // Accounts A -> B -> A -> ...: the expansion stream must end too.
    let server = MockServer::start().await;
    let business = "1002003004005006";
    let list = format!("/v23.0/{business}/owned_whatsapp_business_accounts");
    let accounts = |id: &str, after: &str| {
        ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": id, "phone_numbers": {"data": [{"id": format!("n{id}")}]}}],
            "paging": {"cursors": {"after": after}, "next": format!("https://graph.facebook.com/v23.0/{business}/owned_whatsapp_business_accounts?after={after}")}
        }))
    };
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param_is_missing("after"))
        .respond_with(accounts("1", "A"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list.clone()))
        .and(query_param("after", "A"))
        .respond_with(accounts("2", "B"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(list))
        .and(query_param("after", "B"))
        .respond_with(accounts("3", "A"))
        .mount(&server)
        .await;
    let items: Vec<_> = client(&server)
        .business(business)
        .owned_accounts()
        .with_phone_numbers(|n| n.limit(10))
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(items[..3].iter().all(Result::is_ok));
    assert_eq!(items[1].as_ref().unwrap().numbers.len(), 1);
    assert!(matches!(&items[3], Err(Error::Decode(e)) if e.message.contains("cycle")));
    // Each page read once; the chain of pages 2 and 3 was a batch call this server does not
    // answer (404), so they were read one at a time.
    let requests = requests(&server).await;
    let reads: Vec<_> = requests
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .collect();
    assert_eq!(reads.len(), 3, "{requests:?}");
    assert_eq!(requests.len(), 4, "one batch call tried");
}

/// One account whose embedded numbers say more follow after `after`.
fn one_account_with_more_numbers(after: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": [{"id": "1", "phone_numbers": {
            "data": [{"id": "n1"}],
            "paging": {"cursors": {"after": after}, "next": format!("https://graph.facebook.com/v23.0/1/phone_numbers?after={after}")}
        }}],
        "paging": {"cursors": {"after": "END"}}
    }))
}

/// A batch answer of one item: a page of numbers whose next page starts after `after`.
fn batch_of_one_numbers_page(items: serde_json::Value, after: &str) -> ResponseTemplate {
    let body = json!({
        "data": items,
        "paging": {"cursors": {"after": after}, "next": format!("https://graph.facebook.com/v23.0/1/phone_numbers?after={after}")}
    });
    ResponseTemplate::new(200)
        .set_body_json(json!([{"code": 200, "headers": [], "body": body.to_string()}]))
}

/// The accounts of a business read with their numbers, against `server`, within 20 s (a
/// server that loops must end the stream, not hang it).
async fn accounts_with_numbers(
    server: &MockServer,
    start: Option<&str>,
) -> Vec<
    Result<whatsapp_phone_numbers::AccountNumbers<whatsapp_phone_numbers::v23_0::Version>, Error>,
> {
    let mut list = client(server).business("1002003004005006").owned_accounts();
    if let Some(start) = start {
        list = list.after(start);
    }
    let read = list.with_phone_numbers(|n| n.limit(1)).stream().collect();
    tokio::time::timeout(std::time::Duration::from_secs(20), read)
        .await
        .expect("the stream ends")
}

#[tokio::test]
async fn an_accounts_numbers_that_come_back_to_a_cursor_end_with_that_accounts_error() {
    // The follow-up page of account 1's numbers says the next starts after X again.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(one_account_with_more_numbers("X"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(batch_of_one_numbers_page(json!([{"id": "n2"}]), "X"))
        .mount(&server)
        .await;
    let items = accounts_with_numbers(&server, None).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let account = items[0].as_ref().unwrap();
    let ids: Vec<_> = account.numbers.iter().map(|n| n.id.as_deref()).collect();
    assert_eq!(ids, [Some("n1"), Some("n2")], "what was read is kept");
    assert!(
        matches!(&account.error, Some(Error::Decode(e)) if e.message.contains("loop")),
        "{:?}",
        account.error
    );
    let batches = requests(&server)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(batches, 1);
}

#[tokio::test]
async fn an_accounts_numbers_in_endless_empty_pages_end_with_that_accounts_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(one_account_with_more_numbers("C"))
        .mount(&server)
        .await;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = counter.clone();
    Mock::given(method("POST"))
        .and(path("/"))
        .respond_with(move |_: &wiremock::Request| {
            let n = c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            batch_of_one_numbers_page(json!([]), &format!("C{n}"))
        })
        .mount(&server)
        .await;
    let items = accounts_with_numbers(&server, None).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let account = items[0].as_ref().unwrap();
    assert_eq!(account.numbers.len(), 1);
    assert!(
        matches!(&account.error, Some(Error::Decode(e)) if e.message.contains("empty pages")),
        "{:?}",
        account.error
    );
    assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 20);
}

#[tokio::test]
async fn accounts_with_numbers_end_endless_empty_pages_with_an_error() {
    // Account 1, then empty pages of accounts, each with a new cursor; this server takes no
    // batch call (404), so after one refused chain the pages are read one at a time.
    let server = MockServer::start().await;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = counter.clone();
    Mock::given(method("GET"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": "1", "phone_numbers": {"data": [{"id": "n1"}]}}],
            "paging": {"cursors": {"after": "C"}, "next": "https://graph.facebook.com/v23.0/x?after=C"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param_contains("after", "C"))
        .respond_with(move |_: &wiremock::Request| {
            let n = c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            ResponseTemplate::new(200).set_body_json(json!({
                "data": [],
                "paging": {"cursors": {"after": format!("C{n}")}, "next": format!("https://graph.facebook.com/v23.0/x?after=C{n}")}
            }))
        })
        .mount(&server)
        .await;
    let items = accounts_with_numbers(&server, None).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().numbers.len(), 1);
    assert!(
        matches!(&items[1], Err(Error::Decode(e)) if e.message.contains("empty pages")),
        "{:?}",
        items[1]
    );
    assert_eq!(counter.load(std::sync::atomic::Ordering::Relaxed), 20);
}

#[tokio::test]
async fn accounts_with_numbers_from_a_cursor_do_not_read_its_page_twice() {
    // Started after S: S -> A -> S would read S's accounts again.
    let server = MockServer::start().await;
    let accounts = |id: &str, after: &str| {
        ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": id, "phone_numbers": {"data": [{"id": format!("n{id}")}]}}],
            "paging": {"cursors": {"after": after}, "next": format!("https://graph.facebook.com/v23.0/x?after={after}")}
        }))
    };
    Mock::given(method("GET"))
        .and(query_param("after", "S"))
        .respond_with(accounts("1", "A"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "A"))
        .respond_with(accounts("2", "S"))
        .mount(&server)
        .await;
    let items = accounts_with_numbers(&server, Some("S")).await;
    assert_eq!(items.len(), 3, "{items:?}");
    let ids: Vec<_> = items[..2]
        .iter()
        .map(|i| i.as_ref().unwrap().numbers[0].id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["n1", "n2"]);
    assert!(matches!(&items[2], Err(Error::Decode(e)) if e.message.contains("loop")));
    let reads = requests(&server)
        .await
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(reads, 2, "each page read once");
}
