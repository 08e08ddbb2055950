//! A lively fleet, over real HTTP on loopback: status changes read but never announced,
//! webhooks lost on purpose, numbers changing by themselves, and the change log that lets
//! a test check a watcher saw each change.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{StatusCode, Uri};
use common::{Api, DEMO_NUMBER_ID, DEMO_WABA_ID};
use serde_json::{Value, json};
use whatsapp_phone_numbers_mock::{
    DEFAULT_APP_SECRET, DeliveryPolicy, FIELD_MESSAGING_LIMIT, FIELD_QUALITY_RATING, FIELD_STATUS,
    Lively, MOCK_APP_ID, MockChange, MockServer, WebhookOutcome,
};

/// Every management field Graph sends for an account's numbers.
const ALL_FIELDS: [&str; 7] = [
    "account_alerts",
    "account_review_update",
    "account_update",
    "business_capability_update",
    "phone_number_name_update",
    "phone_number_quality_update",
    "security",
];

/// The bodies a loopback callback was posted.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Value>>>);

impl Received {
    fn bodies(&self) -> Vec<Value> {
        self.0.lock().unwrap().clone()
    }

    /// Waits up to five seconds for at least `count` bodies; answers them all.
    async fn wait_for(&self, count: usize) -> Vec<Value> {
        for _ in 0..500 {
            let bodies = self.bodies();
            if bodies.len() >= count {
                return bodies;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.bodies()
    }
}

/// A webhook callback on loopback: answers Graph's verification with the challenge and
/// keeps every body posted to it.
async fn callback() -> (String, Received) {
    let received = Received::default();
    let kept = received.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::get(|uri: Uri| async move {
            form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .find(|(k, _)| k == "hub.challenge")
                .map(|(_, v)| (StatusCode::OK, v.into_owned()))
                .unwrap_or((StatusCode::BAD_REQUEST, String::new()))
        })
        .post(move |body: axum::body::Bytes| async move {
            let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            kept.0.lock().unwrap().push(value);
            StatusCode::OK
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, received)
}

/// Points the default app's own subscription at `url` for every management field, and
/// subscribes the app to account `waba_id`.
async fn subscribe(api: &Api, url: &str, waba_id: &str) {
    let app_token = format!("{MOCK_APP_ID}|{DEFAULT_APP_SECRET}");
    let reply = api
        .send(
            api.http
                .post(
                    api.server
                        .url(&format!("/v24.0/{MOCK_APP_ID}/subscriptions")),
                )
                .bearer_auth(&app_token)
                .json(&json!({
                    "object": "whatsapp_business_account",
                    "callback_url": url,
                    "verify_token": "lively",
                    "fields": ALL_FIELDS,
                })),
        )
        .await;
    reply.ok();
    api.post(&format!("/v24.0/{waba_id}/subscribed_apps"), json!({}))
        .await
        .ok();
}

/// `POST /__mock/events`.
async fn event(api: &Api, event: Value) -> common::Reply {
    api.send(api.http.post(api.server.url("/__mock/events")).json(&event))
        .await
}

/// The message of a `/__mock/` refusal (400, Graph's error 100).
fn refused_message(reply: &common::Reply) -> String {
    assert_eq!(reply.status, 400, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["error"]["code"], 100, "{}", reply.text);
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `GET /__mock/changes`, read back as the crate's type.
async fn changes_over_http(api: &Api) -> Vec<MockChange> {
    let reply = api
        .send(api.http.get(api.server.url("/__mock/changes")))
        .await;
    serde_json::from_value(reply.ok()).expect("the change log reads as MockChange")
}

/// What `GET /{id}` answers for a change-log field.
async fn read_field(api: &Api, id: &str, field: &str) -> Option<String> {
    let node = api
        .get(&format!(
            "/v24.0/{id}?fields=quality_rating,status,whatsapp_business_manager_messaging_limit"
        ))
        .await
        .ok();
    let key = match field {
        FIELD_QUALITY_RATING => "quality_rating",
        FIELD_MESSAGING_LIMIT => "whatsapp_business_manager_messaging_limit",
        FIELD_STATUS => "status",
        other => panic!("unexpected change-log field {other}"),
    };
    node[key].as_str().map(str::to_owned)
}

#[tokio::test]
async fn a_status_change_is_read_but_never_announced() {
    let api = Api::start().await;
    let (url, received) = callback().await;
    subscribe(&api, &url, DEMO_WABA_ID).await;
    let status = || async {
        api.get(&format!("/v24.0/{DEMO_NUMBER_ID}?fields=status"))
            .await
            .ok()["status"]
            .clone()
    };
    assert_eq!(status().await, "CONNECTED");

    let reply = event(
        &api,
        json!({"kind": "status", "phone_number_id": DEMO_NUMBER_ID, "status": "FLAGGED"}),
    )
    .await;
    assert_eq!(reply.ok(), json!({"queued": 0}));
    assert_eq!(status().await, "FLAGGED");

    // The same status again changes nothing and is not logged; an unknown status or
    // number is refused, naming what is wrong.
    let reply = event(
        &api,
        json!({"kind": "status", "phone_number_id": DEMO_NUMBER_ID, "status": "FLAGGED"}),
    )
    .await;
    assert_eq!(reply.ok(), json!({"queued": 0}));
    let refused = event(
        &api,
        json!({"kind": "status", "phone_number_id": DEMO_NUMBER_ID, "status": "ASLEEP"}),
    )
    .await;
    let message = refused_message(&refused);
    assert!(
        message.contains("`status`") && message.contains("RATE_LIMITED"),
        "{message}"
    );
    let refused = event(
        &api,
        json!({"kind": "status", "phone_number_id": "999", "status": "BANNED"}),
    )
    .await;
    assert!(refused_message(&refused).contains("999"));
    assert_eq!(status().await, "FLAGGED");

    // Then a change that is announced: deliveries to one callback go in order, so once
    // its webhook arrived, anything the status change had sent would have too.
    let reply = event(
        &api,
        json!({"kind": "quality", "phone_number_id": DEMO_NUMBER_ID, "quality_rating": "RED"}),
    )
    .await;
    assert_eq!(reply.ok(), json!({"queued": 1}));
    let bodies = received.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let bodies_then = received.bodies();
    assert_eq!(bodies_then.len(), 1, "{bodies_then:?}");
    let change = &bodies[0]["entry"][0]["changes"][0];
    assert_eq!(change["field"], "phone_number_quality_update");
    assert_eq!(change["value"]["event"], "FLAGGED");

    let log = api.server.state().changes();
    assert_eq!(log, changes_over_http(&api).await);
    let summary: Vec<_> = log
        .iter()
        .map(|c| {
            (
                c.phone_number_id.as_str(),
                c.waba_id.as_str(),
                c.field.as_str(),
                c.old.as_deref(),
                c.new.as_str(),
                c.webhook,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                DEMO_NUMBER_ID,
                DEMO_WABA_ID,
                FIELD_STATUS,
                Some("CONNECTED"),
                "FLAGGED",
                WebhookOutcome::None
            ),
            (
                DEMO_NUMBER_ID,
                DEMO_WABA_ID,
                FIELD_QUALITY_RATING,
                Some("GREEN"),
                "RED",
                WebhookOutcome::Queued { deliveries: 1 }
            ),
        ]
    );
    assert!(log[0].at_ms > 1_700_000_000_000 && log[0].at_ms <= log[1].at_ms);
}

#[tokio::test]
async fn a_share_of_webhooks_is_lost_on_purpose_and_the_log_says_which() {
    const CHANGES: usize = 200;
    let api = Api::with(MockServer::builder().webhook_delivery(DeliveryPolicy {
        drop_percent: 30,
        first_backoff: Duration::from_millis(20),
        ..DeliveryPolicy::default()
    }))
    .await;
    let state = api.server.state();
    let waba = state.seed_fleet("1009000000000077", 1, CHANGES).remove(0);
    let (url, received) = callback().await;
    subscribe(&api, &url, &waba).await;

    // One messaging-limit change per number, so each webhook names its number.
    let mut digits_of = HashMap::new();
    let mut answered = HashMap::new();
    for number in state.numbers(&waba) {
        let id = number.id.clone().unwrap();
        let current = number
            .whatsapp_business_manager_messaging_limit
            .map(|l| l.as_str().to_owned());
        let limit = if current.as_deref() == Some("TIER_UNLIMITED") {
            "TIER_100K"
        } else {
            "TIER_UNLIMITED"
        };
        let reply = event(
            &api,
            json!({"kind": "messaging_limit", "phone_number_id": id, "limit": limit}),
        )
        .await;
        answered.insert(id.clone(), reply.ok()["queued"].as_u64().unwrap());
        let digits: String = number
            .display_phone_number
            .unwrap()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits_of.insert(id, digits);
    }
    assert_eq!(answered.len(), CHANGES);

    let stats = state
        .wait_for_webhooks_settled(Duration::from_secs(20))
        .await;
    assert_eq!(stats.pending, 0, "{stats:?}");
    let log = changes_over_http(&api).await;
    assert_eq!(log, state.changes());
    assert_eq!(log.len(), CHANGES);

    // About 30 % lost, as many as the change log and the delivery log say, and never
    // posted; every other one delivered.
    let dropped = log
        .iter()
        .filter(|c| c.webhook == WebhookOutcome::Dropped)
        .count();
    assert!((40..=80).contains(&dropped), "{dropped} of {CHANGES} lost");
    assert_eq!(stats.dropped, dropped as u64, "{stats:?}");
    assert_eq!(stats.queued as usize, CHANGES - dropped, "{stats:?}");
    assert_eq!(stats.delivered, stats.queued, "{stats:?}");
    let deliveries = state.deliveries();
    let lost: Vec<_> = deliveries.iter().filter(|d| d.dropped).collect();
    assert_eq!(lost.len(), dropped);
    assert!(
        lost.iter()
            .all(|d| d.attempts == 0 && d.status.is_none() && !d.delivered && !d.duplicate),
        "{lost:?}"
    );
    let over_http = api
        .send(api.http.get(api.server.url("/__mock/webhooks")))
        .await
        .ok();
    let lost_over_http = over_http["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["dropped"] == true)
        .count();
    assert_eq!(lost_over_http, dropped);

    // Each change's outcome agrees with what the callback got: its one webhook, or none.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let bodies = received.bodies();
    assert_eq!(bodies.len(), CHANGES - dropped);
    let mut by_digits: HashMap<String, Vec<Value>> = HashMap::new();
    for body in bodies {
        let value = body["entry"][0]["changes"][0]["value"].clone();
        let digits = value["display_phone_number"].as_str().unwrap().to_owned();
        by_digits.entry(digits).or_default().push(value);
    }
    for change in &log {
        assert_eq!(change.field, FIELD_MESSAGING_LIMIT);
        assert_eq!(change.waba_id, waba);
        assert_ne!(change.old.as_deref(), Some(change.new.as_str()));
        let got = by_digits
            .get(&digits_of[&change.phone_number_id])
            .cloned()
            .unwrap_or_default();
        let queued = answered[&change.phone_number_id];
        match change.webhook {
            WebhookOutcome::Queued { deliveries } => {
                assert_eq!((deliveries, queued), (1, 1), "{change:?}");
                assert_eq!(got.len(), 1, "{change:?}: {got:?}");
                assert_eq!(got[0]["current_limit"], change.new.as_str(), "{change:?}");
                assert_eq!(
                    got[0]["old_limit"].as_str(),
                    change.old.as_deref(),
                    "{change:?}"
                );
            }
            WebhookOutcome::Dropped => {
                assert_eq!(queued, 0, "{change:?}");
                assert!(got.is_empty(), "{change:?}: {got:?}");
            }
            other => panic!("{other:?} for {change:?}"),
        }
    }
}

#[tokio::test]
async fn lively_numbers_change_by_themselves_within_their_cooldown() {
    let cooldown = Duration::from_millis(300);
    let api = Api::with(MockServer::builder().empty().lively(Lively {
        every: Duration::from_millis(20),
        cooldown,
        seed: 42,
    }))
    .await;
    let state = api.server.state();
    // Paused while the fleet is seeded, so every change is of a fleet number.
    state.pause_lively(true);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(state.changes().is_empty());
    let waba = state.seed_fleet("1009000000000078", 1, 24).remove(0);
    let fleet: Vec<String> = state
        .numbers(&waba)
        .into_iter()
        .filter_map(|n| n.id)
        .collect();
    let mut initial: HashMap<(String, &str), Option<String>> = HashMap::new();
    for id in &fleet {
        for field in [FIELD_QUALITY_RATING, FIELD_MESSAGING_LIMIT, FIELD_STATUS] {
            initial.insert((id.clone(), field), read_field(&api, id, field).await);
        }
    }
    state.pause_lively(false);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    // Held still while the numbers are read.
    state.pause_lively(true);

    let log = changes_over_http(&api).await;
    assert!(log.len() >= 10, "only {} changes in a second", log.len());
    let mut per_number: BTreeMap<&str, Vec<&MockChange>> = BTreeMap::new();
    for change in &log {
        assert!(fleet.contains(&change.phone_number_id), "{change:?}");
        assert_eq!(change.waba_id, waba);
        assert_ne!(
            change.old.as_deref(),
            Some(change.new.as_str()),
            "{change:?}"
        );
        let allowed: &[&str] = match change.field.as_str() {
            FIELD_QUALITY_RATING => &["GREEN", "YELLOW", "RED"],
            FIELD_STATUS => &["CONNECTED", "FLAGGED", "RESTRICTED"],
            FIELD_MESSAGING_LIMIT => &[
                "TIER_50",
                "TIER_250",
                "TIER_2K",
                "TIER_10K",
                "TIER_100K",
                "TIER_UNLIMITED",
            ],
            other => panic!("unexpected field {other}"),
        };
        assert!(allowed.contains(&change.new.as_str()), "{change:?}");
        // No webhook callback is set up: Graph would send one for some, none for others.
        let expected = if change.field == FIELD_STATUS
            || (change.field == FIELD_QUALITY_RATING
                && change.old.as_deref() != Some("RED")
                && change.new != "RED")
        {
            WebhookOutcome::None
        } else {
            WebhookOutcome::NoCallback
        };
        assert_eq!(change.webhook, expected, "{change:?}");
        per_number
            .entry(change.phone_number_id.as_str())
            .or_default()
            .push(change);
    }
    // Never one number twice within the cooldown; with fewer numbers than a second's
    // changes, some changed again after it.
    for (id, changes) in &per_number {
        for pair in changes.windows(2) {
            let gap = pair[1].at_ms - pair[0].at_ms;
            assert!(
                gap >= cooldown.as_millis() as i64 - 1,
                "{id} changed twice {gap} ms apart"
            );
        }
    }
    assert!(
        per_number.values().any(|c| c.len() > 1),
        "no number changed twice: {per_number:?}"
    );
    // Each field's changes follow on from one another.
    let mut chains: BTreeMap<(&str, &str), Vec<&MockChange>> = BTreeMap::new();
    for change in &log {
        chains
            .entry((change.phone_number_id.as_str(), change.field.as_str()))
            .or_default()
            .push(change);
    }
    for ((id, field), chain) in &chains {
        // The first change starts from the value the number was seeded with.
        assert_eq!(
            chain[0].old,
            initial[&(id.to_string(), *field)],
            "{id} {field}"
        );
        for pair in chain.windows(2) {
            assert_eq!(
                pair[1].old.as_deref(),
                Some(pair[0].new.as_str()),
                "{pair:?}"
            );
        }
    }
    // Nothing changes while paused, and a read shows each field's last logged value.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(state.changes(), log);
    for ((id, field), chain) in &chains {
        let last = chain.last().map(|c| c.new.clone());
        assert_eq!(read_field(&api, id, field).await, last, "{id} {field}");
    }

    // Unpaused, it goes on.
    state.pause_lively(false);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(state.changes().len() > log.len());

    // Lively mode stops with the server.
    api.server.shutdown().await;
    let stopped = state.changes().len();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(state.changes().len(), stopped);
}

#[tokio::test]
async fn without_lively_mode_nothing_changes_by_itself() {
    let api = Api::start().await;
    api.server.state().seed_fleet("1009000000000079", 1, 10);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(changes_over_http(&api).await.is_empty());
    assert_eq!(api.server.service().lively(), None);
    let lively = MockServer::builder().lively(Lively::default()).service();
    assert_eq!(
        lively.lively(),
        Some(Lively {
            every: Duration::from_secs(2),
            cooldown: Duration::from_secs(30),
            seed: 0
        })
    );
}
