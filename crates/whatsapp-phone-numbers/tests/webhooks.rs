//! Webhooks over real HTTP on loopback: Meta's documented sample payloads through the axum
//! receiver, signature, handshake and size refusals, unknown fields, a slow handler, and a
//! bounded random loop into the verifier and parser. The mock → receiver path is in the
//! workspace tests (`tests/tests/webhook_routing.rs`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use whatsapp_phone_numbers::v24_0::webhooks::Change;
use whatsapp_phone_numbers::v24_0::{self, types};
use whatsapp_phone_numbers::webhooks::{WebhookError, WebhookReceiver, sign};
use whatsapp_phone_numbers::{AppSecret, VerifyToken};

const SECRET: &str = "test-app-secret";
const TOKEN: &str = "meatyhamhock";

fn secret() -> AppSecret {
    AppSecret::new(SECRET).unwrap()
}

fn receiver() -> WebhookReceiver {
    WebhookReceiver::new(secret()).verify_token(VerifyToken::new(TOKEN).unwrap())
}

/// A receiver served on a free loopback port, its notifications in a channel.
struct Listener {
    url: String,
    notifications: UnboundedReceiver<v24_0::Notification>,
    http: reqwest::Client,
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/whatsapp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

async fn listen(receiver: WebhookReceiver) -> Listener {
    let (router, notifications) = receiver.channel::<v24_0::Version>();
    Listener {
        url: serve(router).await,
        notifications,
        http: reqwest::Client::new(),
    }
}

impl Listener {
    async fn post(&self, body: &[u8], signature: Option<&str>) -> (u16, String) {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("X-Hub-Signature-256", signature);
        }
        let answer = request.send().await.unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    }

    /// Posts `body` signed with the app secret; answers the notification it became.
    async fn deliver(&mut self, body: &str) -> v24_0::Notification {
        let (status, _) = self
            .post(body.as_bytes(), Some(&sign(&secret(), body.as_bytes())))
            .await;
        assert_eq!(status, 200, "{body}");
        self.next().await
    }

    async fn next(&mut self) -> v24_0::Notification {
        tokio::time::timeout(Duration::from_secs(10), self.notifications.recv())
            .await
            .expect("a notification within 10 s")
            .expect("the channel is open")
    }

    fn nothing_delivered(&mut self) {
        assert!(
            self.notifications.try_recv().is_err(),
            "nothing reaches the handler"
        );
    }
}

/// The one change of a notification with one entry and one change.
fn only_change(notification: &v24_0::Notification) -> &Change {
    assert_eq!(notification.entry.len(), 1);
    assert_eq!(notification.entry[0].changes.len(), 1);
    &notification.entry[0].changes[0]
}

fn envelope(id: &str, time: i64, field: &str, value: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(value).expect("a test value is JSON");
    whatsapp_phone_numbers::webhooks::notification_body(id, time, field, &value)
}

/// The same envelope with `value`'s text kept byte for byte (escapes and all), for the
/// tests about raw bytes: writing it through JSON would normalise them.
fn raw_envelope(id: &str, time: i64, field: &str, value: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{id}","time":{time},"changes":[{{"value":{value},"field":"{field}"}}]}}]}}"#
    )
}

#[tokio::test]
async fn metas_documented_samples_decode_into_their_types() {
    let mut listener = listen(receiver()).await;

    // phone_number_quality_update, current reference.
    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1748454394,
            "phone_number_quality_update",
            r#"{"display_phone_number":"15550783881","event":"THROUGHPUT_UPGRADE","current_limit":"TIER_UNLIMITED"}"#,
        ))
        .await;
    assert_eq!(n.object, "whatsapp_business_account");
    assert_eq!(n.entry[0].id, "102290129340398");
    assert_eq!(n.entry[0].time, Some(1748454394));
    let Change::PhoneNumberQualityUpdate(q) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(q.display_phone_number.as_deref(), Some("15550783881"));
    assert_eq!(q.event, Some(types::QualityUpdateEvent::ThroughputUpgrade));
    assert_eq!(
        q.current_limit,
        Some(types::WebhookLimitTier::TierUnlimited)
    );
    assert_eq!(q.old_limit, None);

    // phone_number_quality_update, the solution-provider guide's flagged sample.
    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1731617831,
            "phone_number_quality_update",
            r#"{"display_phone_number":"16505551111","event":"FLAGGED","current_limit":"TIER_10K"}"#,
        ))
        .await;
    let Change::PhoneNumberQualityUpdate(q) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(q.event, Some(types::QualityUpdateEvent::Flagged));
    assert_eq!(q.current_limit, Some(types::WebhookLimitTier::Tier10k));

    // phone_number_name_update, with `rejection_reason: null`.
    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1739321024,
            "phone_number_name_update",
            r#"{"display_phone_number":"15550783881","decision":"APPROVED","requested_verified_name":"Lucky Shrub","rejection_reason":null}"#,
        ))
        .await;
    let Change::PhoneNumberNameUpdate(u) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(u.decision, Some(types::ReviewDecision::Approved));
    assert_eq!(u.requested_verified_name.as_deref(), Some("Lucky Shrub"));
    assert_eq!(u.rejection_reason, None);

    // account_update: a restriction with two entries.
    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1641330498,
            "account_update",
            r#"{"event":"ACCOUNT_RESTRICTION","restriction_info":[{"restriction_type":"RESTRICTED_BIZ_INITIATED_MESSAGING","expiration":1641330498},{"restriction_type":"RESTRICTED_ADD_PHONE_NUMBER_ACTION","expiration":1641330498}]}"#,
        ))
        .await;
    let Change::AccountUpdate(a) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(a.event, Some(types::AccountUpdateEvent::AccountRestriction));
    assert_eq!(a.restriction_info.len(), 2);
    assert_eq!(
        a.restriction_info[1].restriction_type,
        Some(types::RestrictionType::RestrictedAddPhoneNumberAction)
    );
    assert_eq!(
        a.restriction_info[0].expiration,
        Some(types::WebhookTime::Int64(1641330498))
    );

    // account_update: a ban lifted, a violation, a partner, and the legacy verified account.
    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1743451903,
            "account_update",
            r#"{"event":"DISABLED_UPDATE","ban_info":{"waba_ban_state":"REINSTATE","waba_ban_date":"April 17, 2025"}}"#,
        ))
        .await;
    let Change::AccountUpdate(a) = only_change(&n) else {
        panic!("{n:?}")
    };
    let ban = a.ban_info.as_ref().unwrap();
    assert_eq!(ban.waba_ban_state, Some(types::WabaBanState::Reinstate));
    assert_eq!(ban.waba_ban_date.as_deref(), Some("April 17, 2025"));

    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1743451903,
            "account_update",
            r#"{"event":"ACCOUNT_VIOLATION","violation_info":{"violation_type":"ADULT"}}"#,
        ))
        .await;
    let Change::AccountUpdate(a) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(
        a.violation_info.as_ref().unwrap().violation_type.as_deref(),
        Some("ADULT")
    );

    let n = listener
        .deliver(&envelope(
            "2949482758682047",
            1744823932,
            "account_update",
            r#"{"event":"PARTNER_ADDED","waba_info":{"waba_id":"980198427658004","owner_business_id":"2329417887457253","solution_id":"1715120619246906","solution_partner_business_ids":["2949482758682047","520744086200222"]}}"#,
        ))
        .await;
    let Change::AccountUpdate(a) = only_change(&n) else {
        panic!("{n:?}")
    };
    let waba = a.waba_info.as_ref().unwrap();
    assert_eq!(waba.waba_id.as_deref(), Some("980198427658004"));
    assert_eq!(waba.solution_partner_business_ids.len(), 2);

    let n = listener
        .deliver(&envelope(
            "495709166956424",
            1731617831,
            "account_update",
            r#"{"phone_number":"124545784358810","event":"VERIFIED_ACCOUNT"}"#,
        ))
        .await;
    let Change::AccountUpdate(a) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(a.event, Some(types::AccountUpdateEvent::VerifiedAccount));
    assert_eq!(a.phone_number.as_deref(), Some("124545784358810"));

    // account_review_update.
    let n = listener
        .deliver(&envelope(
            "102290129340398",
            1739321024,
            "account_review_update",
            r#"{"decision":"APPROVED"}"#,
        ))
        .await;
    let Change::AccountReviewUpdate(r) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(r.decision, Some(types::ReviewDecision::Approved));

    // business_capability_update: the example's number, and the reference table's tier.
    let n = listener
        .deliver(&envelope(
            "524126980791429",
            1739321024,
            "business_capability_update",
            r#"{"max_daily_conversations_per_business":2000,"max_phone_numbers_per_waba":25}"#,
        ))
        .await;
    let Change::BusinessCapabilityUpdate(c) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(
        c.max_daily_conversations_per_business,
        Some(types::WebhookLimit::Int64(2000))
    );
    assert_eq!(c.max_phone_numbers_per_waba, Some(25));
    assert_eq!(c.max_phone_numbers_per_business, None);
    let n = listener
        .deliver(&envelope(
            "524126980791429",
            1739321024,
            "business_capability_update",
            r#"{"max_daily_conversations_per_business":"TIER_2K","max_phone_numbers_per_business":2}"#,
        ))
        .await;
    let Change::BusinessCapabilityUpdate(c) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(
        c.max_daily_conversations_per_business,
        Some(types::WebhookLimit::WebhookLimitTier(
            types::WebhookLimitTier::Tier2k
        ))
    );
}

#[tokio::test]
async fn the_raw_bytes_are_verified_so_json_escapes_survive() {
    let mut listener = listen(receiver()).await;
    // Re-serialising this body would turn `\u00e9` into `é` and `\/` into `/`, and change
    // the signature; the receiver checks the bytes as sent.
    let body = raw_envelope(
        "102290129340398",
        1739321024,
        "phone_number_name_update",
        r#"{"display_phone_number":"15550783881","decision":"APPROVED","requested_verified_name":"Caf\u00e9 \/ Bar"}"#,
    );
    assert!(body.contains(r"\u00e9") && body.contains(r"\/"));
    let reserialised =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&body).unwrap()).unwrap();
    assert_ne!(
        sign(&secret(), body.as_bytes()),
        sign(&secret(), reserialised.as_bytes())
    );

    let n = listener.deliver(&body).await;
    let Change::PhoneNumberNameUpdate(u) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(u.requested_verified_name.as_deref(), Some("Café / Bar"));
}

#[tokio::test]
async fn unsigned_missigned_and_malformed_posts_are_refused_and_never_handed_on() {
    let mut listener = listen(receiver()).await;
    let body = envelope(
        "1",
        1,
        "account_review_update",
        r#"{"decision":"REJECTED"}"#,
    );
    let good = sign(&secret(), body.as_bytes());
    let other_secret = sign(&AppSecret::new("another-secret").unwrap(), body.as_bytes());
    let other_body = sign(&secret(), b"{}");
    let cases: Vec<(Option<String>, u16)> = vec![
        (None, 401),
        (Some(String::new()), 401),
        (Some("sha256=".into()), 401),
        (Some(good.trim_start_matches("sha256=").to_owned()), 401),
        (Some(good.replace("sha256=", "sha1=")), 401),
        (Some(format!("{}zz", &good[..good.len() - 2])), 401),
        (Some(format!("{good}00")), 401),
        (Some(other_secret.clone()), 403),
        (Some(other_body), 403),
    ];
    for (signature, status) in cases {
        let (got, text) = listener.post(body.as_bytes(), signature.as_deref()).await;
        assert_eq!(got, status, "{signature:?}: {text}");
        // The refusal never tells what the signature should have been.
        assert!(!text.contains(good.trim_start_matches("sha256=")), "{text}");
        assert!(!text.contains(SECRET), "{text}");
    }
    // Two signature headers: ambiguous, refused.
    let answer = listener
        .http
        .post(&listener.url)
        .header("X-Hub-Signature-256", &good)
        .header("X-Hub-Signature-256", &other_secret)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 401);
    listener.nothing_delivered();

    // The same body, signed right, goes through.
    let (status, _) = listener.post(body.as_bytes(), Some(&good)).await;
    assert_eq!(status, 200);
    let n = listener.next().await;
    assert!(matches!(only_change(&n), Change::AccountReviewUpdate(_)));
}

#[tokio::test]
async fn the_handshake_answers_the_challenge_only_for_the_right_token() {
    let listener = listen(receiver()).await;
    let get = |query: &'static str| {
        let http = listener.http.clone();
        let url = format!("{}?{query}", listener.url);
        async move {
            let answer = http.get(url).send().await.unwrap();
            (answer.status().as_u16(), answer.text().await.unwrap())
        }
    };
    assert_eq!(
        get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock").await,
        (200, "1158201444".to_owned())
    );
    for query in [
        "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=wrong",
        "hub.mode=subscribe&hub.challenge=1158201444",
        "hub.mode=other&hub.challenge=1158201444&hub.verify_token=meatyhamhock",
        "hub.mode=subscribe&hub.verify_token=meatyhamhock",
        "",
    ] {
        let (status, text) = get(query).await;
        assert_eq!(status, 403, "{query}");
        assert!(
            !text.contains("1158201444") && !text.contains(TOKEN),
            "{text}"
        );
    }
    // Without a configured token, every handshake is refused.
    let bare = listen(WebhookReceiver::new(secret())).await;
    let answer = bare
        .http
        .get(format!(
            "{}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=meatyhamhock",
            bare.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 403);
    // Other methods are not webhooks.
    let answer = bare.http.put(&bare.url).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 405);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_before_its_signature_is_checked() {
    let mut listener = listen(receiver().max_body_bytes(1024)).await;
    let big = envelope(
        "1",
        1,
        "raw_field",
        &format!(r#"{{"pad":"{}"}}"#, "x".repeat(2000)),
    );
    let (status, text) = listener
        .post(big.as_bytes(), Some(&sign(&secret(), big.as_bytes())))
        .await;
    assert_eq!(status, 413, "{text}");
    let (status, _) = listener.post(big.as_bytes(), None).await;
    assert_eq!(status, 413);
    listener.nothing_delivered();
    let small = envelope("1", 1, "account_review_update", r#"{"decision":"PENDING"}"#);
    listener.deliver(&small).await;
}

#[tokio::test]
async fn unknown_fields_and_undecodable_values_are_kept_raw() {
    let mut listener = listen(receiver()).await;
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":"1739321024","changes":[
        {"field":"brand_new_field","value":{"anything":[1,2,3]}},
        {"field":"phone_number_quality_update","value":"not an object"},
        {"value":{"event":"FLAGGED","future_key":true},"field":"phone_number_quality_update"},
        {"field":"account_update","value":{"event":"SOMETHING_META_ADDED"}},
        {"no_field":1}
    ]},{"id":2}],"extra":"ignored"}"#;
    let n = listener.deliver(body).await;
    assert_eq!(n.len(), 5);
    assert_eq!(
        n.entry[0].time,
        Some(1739321024),
        "a numeric string is a time too"
    );
    assert_eq!(n.entry[1].id, "2");
    let changes = &n.entry[0].changes;

    let Change::Other(other) = &changes[0] else {
        panic!("{changes:?}")
    };
    assert_eq!(other.field, "brand_new_field");
    assert_eq!(other.value, serde_json::json!({"anything": [1, 2, 3]}));
    assert_eq!(other.error, None);

    let Change::Other(other) = &changes[1] else {
        panic!("{changes:?}")
    };
    assert_eq!(other.field, "phone_number_quality_update");
    assert_eq!(other.value, serde_json::json!("not an object"));
    assert!(
        other
            .error
            .as_deref()
            .unwrap()
            .contains("phone_number_quality_update")
    );

    assert!(
        matches!(&changes[2], Change::PhoneNumberQualityUpdate(q) if q.event == Some(types::QualityUpdateEvent::Flagged))
    );
    let Change::AccountUpdate(a) = &changes[3] else {
        panic!("{changes:?}")
    };
    assert_eq!(
        a.event,
        Some(types::AccountUpdateEvent::Unknown(
            "SOMETHING_META_ADDED".into()
        ))
    );
    assert!(matches!(&changes[4], Change::Other(o) if o.field.is_empty()));

    // Events carry the entry, and print unknown fields with their raw value.
    let first = n.events().next().unwrap();
    assert_eq!(
        serde_json::to_value(&first).unwrap(),
        serde_json::json!({"field": "brand_new_field", "waba_id": "1", "time": 1739321024, "value": {"anything": [1, 2, 3]}})
    );

    // A signed body that is not a notification is acknowledged (Graph would resend it
    // forever) and handed to nobody.
    let junk = b"this is not json";
    let (status, _) = listener.post(junk, Some(&sign(&secret(), junk))).await;
    assert_eq!(status, 200);
    listener.nothing_delivered();
}

#[tokio::test]
async fn graph_gets_its_200_while_a_slow_handler_is_still_running() {
    let started = Arc::new(tokio::sync::Notify::new());
    let release = Arc::new(tokio::sync::Notify::new());
    let (s, r) = (started.clone(), release.clone());
    let router = receiver().router(move |_n: v24_0::Notification| {
        let (s, r) = (s.clone(), r.clone());
        async move {
            s.notify_one();
            r.notified().await;
        }
    });
    let url = serve(router).await;
    let body = envelope(
        "1",
        1,
        "account_review_update",
        r#"{"decision":"APPROVED"}"#,
    );
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        reqwest::Client::new()
            .post(&url)
            .header("X-Hub-Signature-256", sign(&secret(), body.as_bytes()))
            .body(body)
            .send(),
    )
    .await
    .expect("answered while the handler waits")
    .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    tokio::time::timeout(Duration::from_secs(10), started.notified())
        .await
        .expect("the handler ran");
    release.notify_one();
}

/// xorshift64*: a deterministic generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_bodies_and_headers_never_panic_the_verifier_or_the_parser() {
    let receiver = receiver();
    let seeds = [
        envelope(
            "1",
            1,
            "phone_number_quality_update",
            r#"{"event":"FLAGGED","current_limit":"TIER_1K","old_limit":"TIER_2K"}"#,
        ),
        envelope(
            "1",
            1,
            "account_update",
            r#"{"event":"ACCOUNT_RESTRICTION","restriction_info":[{"restriction_type":"X","expiration":"2026-04-19T13:59:20+0000"}],"ban_info":{"waba_ban_state":"DISABLE"}}"#,
        ),
        envelope(
            "1",
            1,
            "business_capability_update",
            r#"{"max_daily_conversations_per_business":"TIER_2K","max_phone_numbers_per_waba":-1}"#,
        ),
        envelope(
            "1",
            1,
            "phone_number_name_update",
            r#"{"decision":"REJECTED","rejection_reason":"NAME_FORMAT_UNACCEPTABLE"}"#,
        ),
    ];
    let tokens: [&[u8]; 12] = [
        b"{", b"}", b"[", b"]", b"\"", b":", b",", b"null", b"1e999", b"-", b"\\u0000", b"\xff",
    ];
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut ok, mut refused, mut undecodable) = (0, 0, 0);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for i in 0..20_000 {
            // A body: random bytes, or a sample with random edits.
            let body: Vec<u8> = if i % 3 == 0 {
                rng.bytes(256)
            } else {
                let mut b = seeds[rng.below(seeds.len())].clone().into_bytes();
                for _ in 0..=rng.below(4) {
                    let at = rng.below(b.len() + 1);
                    match rng.below(3) {
                        0 if at < b.len() => {
                            b.remove(at);
                        }
                        1 => {
                            let t = tokens[rng.below(tokens.len())];
                            b.splice(at..at, t.iter().copied());
                        }
                        _ if at < b.len() => b[at] = rng.next() as u8,
                        _ => {}
                    }
                }
                b
            };
            // A header: none, random bytes, the right signature, or a near miss.
            let right = sign(&secret(), &body);
            let header: Option<Vec<u8>> = match rng.below(4) {
                0 => None,
                1 => Some(rng.bytes(80)),
                2 => Some(right.into_bytes()),
                _ => {
                    let mut h = right.into_bytes();
                    let at = rng.below(h.len());
                    h[at] = rng.next() as u8;
                    Some(h)
                }
            };
            match receiver.receive_signed::<v24_0::Version>(header.as_deref(), &body) {
                Ok(n) => {
                    ok += 1;
                    // Whatever decoded prints again.
                    for event in n.events() {
                        serde_json::to_string(&event).unwrap();
                    }
                }
                Err(WebhookError::Undecodable(_)) => undecodable += 1,
                Err(e) => {
                    assert!(e.is_unauthenticated() || e.status() == 413, "{e}");
                    refused += 1;
                }
            }
            let query = String::from_utf8_lossy(&rng.bytes(64)).into_owned();
            let _ = receiver.handshake(&query);
            let _ = receiver.handshake(&format!(
                "hub.mode=subscribe&hub.verify_token={TOKEN}&hub.challenge={query}"
            ));
        }
    }));
    assert!(outcome.is_ok(), "a random input panicked");
    assert_eq!(ok + refused + undecodable, 20_000);
    // The loop reached every outcome, so it exercised the parser and the verifier.
    assert!(
        ok > 100 && refused > 5_000 && undecodable > 100,
        "{ok} {refused} {undecodable}"
    );
}
