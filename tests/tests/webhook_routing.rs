//! The mock → receiver path, routed the way Graph routes webhooks, over real HTTP on
//! loopback: management fields reach only the app callbacks whose subscription lists them
//! (never an override), messaging fields reach overrides (the number's, then the
//! account's), each app's deliveries are signed with its own secret; subscriptions are
//! verified with Graph's handshake first; failed deliveries are retried, then given up.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc::UnboundedReceiver;
use whatsapp_phone_numbers::v24_0::webhooks::Change;
use whatsapp_phone_numbers::v24_0::{self, types};
use whatsapp_phone_numbers::webhooks::WebhookReceiver;
use whatsapp_phone_numbers::{AppSecret, TwoStepPin, VerifyToken};
use whatsapp_phone_numbers_mock::{DeliveryPolicy, MOCK_APP_ID, MockEvent, MockServer, demo};

const SECRET: &str = "test-app-secret";
const TOKEN: &str = "meatyhamhock";

/// A client of the mock as one app: its system-user token and its app secret.
fn client_as(server: &MockServer, token: &str, secret: &str) -> v24_0::Client {
    v24_0::Client::builder()
        .access_token(token)
        .app_secret(secret)
        .base_url(server.base_url())
        .build()
        .unwrap()
}

/// A client of the mock's default app.
fn client(server: &MockServer) -> v24_0::Client {
    client_as(server, server.access_token(), SECRET)
}

async fn mock() -> MockServer {
    MockServer::builder()
        .app_secret(SECRET)
        .webhook_delivery(DeliveryPolicy::bounded(4, Duration::from_millis(20)))
        .start()
        .await
        .unwrap()
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/whatsapp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// A receiver checking signatures with `secret`, served on a free loopback port.
struct Listener {
    url: String,
    notifications: UnboundedReceiver<v24_0::Notification>,
}

async fn listen(secret: &str) -> Listener {
    let receiver = WebhookReceiver::new(AppSecret::new(secret).unwrap())
        .verify_token(VerifyToken::new(TOKEN).unwrap());
    let (router, notifications) = receiver.channel::<v24_0::Version>();
    Listener {
        url: serve(router).await,
        notifications,
    }
}

impl Listener {
    async fn next(&mut self) -> v24_0::Notification {
        tokio::time::timeout(Duration::from_secs(10), self.notifications.recv())
            .await
            .expect("a notification within 10 s")
            .expect("the channel is open")
    }

    /// The fields of every notification received so far.
    fn drain(&mut self) -> Vec<String> {
        let mut fields = Vec::new();
        while let Ok(n) = self.notifications.try_recv() {
            for event in n.events() {
                fields.push(event.field.to_string());
            }
        }
        fields
    }
}

/// The one change of a notification with one entry and one change.
fn only_change(notification: &v24_0::Notification) -> &Change {
    assert_eq!(notification.entry.len(), 1);
    assert_eq!(notification.entry[0].changes.len(), 1);
    &notification.entry[0].changes[0]
}

/// A `messages` change as Graph sends it, about number `id`.
fn message(id: &str) -> serde_json::Value {
    json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "16315550100", "phone_number_id": id},
        "messages": [{"from": "16315551234", "id": "wamid.1", "timestamp": "1", "type": "text", "text": {"body": "hi"}}],
    })
}

#[tokio::test]
async fn management_fields_reach_app_callbacks_and_messaging_fields_reach_overrides() {
    let server = mock().await;
    let state = server.state();
    let a = client(&server);
    let b = client_as(
        &server,
        demo::DEMO_PARTNER_ACCESS_TOKEN,
        demo::DEMO_PARTNER_APP_SECRET,
    );
    let idle = client_as(
        &server,
        demo::DEMO_IDLE_ACCESS_TOKEN,
        demo::DEMO_IDLE_APP_SECRET,
    );
    let (waba, other_waba) = (demo::DEMO_WABA_ID, demo::DEMO_CLIENT_WABA_ID);
    let (number, other_number) = (demo::DEMO_NUMBER_ID, "106540353250878");

    // Each app's own callback, checked with that app's secret; app A's account override and
    // app B's number override.
    let mut a_app = listen(SECRET).await;
    let mut a_override = listen(SECRET).await;
    let mut b_app = listen(demo::DEMO_PARTNER_APP_SECRET).await;
    let mut b_number = listen(demo::DEMO_PARTNER_APP_SECRET).await;
    let mut idle_app = listen(demo::DEMO_IDLE_APP_SECRET).await;

    // App A lists quality, account and messages; B quality, name and messages; the idle app
    // everything, but it is subscribed to no account. (Graph adds fields to a subscription,
    // so A drops the demo's first.)
    a.app(MOCK_APP_ID)
        .webhook_subscriptions()
        .unsubscribe()
        .await
        .unwrap();
    a.app(MOCK_APP_ID)
        .webhook_subscriptions()
        .subscribe(&a_app.url, TOKEN)
        .fields(["phone_number_quality_update", "account_update", "messages"])
        .await
        .unwrap();
    b.app(demo::DEMO_PARTNER_APP_ID)
        .webhook_subscriptions()
        .subscribe(&b_app.url, TOKEN)
        .fields([
            "phone_number_quality_update",
            "phone_number_name_update",
            "messages",
        ])
        .await
        .unwrap();
    idle.app(demo::DEMO_IDLE_APP_ID)
        .webhook_subscriptions()
        .subscribe(&idle_app.url, TOKEN)
        .fields([
            "phone_number_quality_update",
            "phone_number_name_update",
            "account_update",
            "messages",
        ])
        .await
        .unwrap();
    // The app's subscription lists back as Graph lists it.
    let listed = b
        .app(demo::DEMO_PARTNER_APP_ID)
        .webhook_subscriptions()
        .list()
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
    assert_eq!(
        listed.data[0].callback_url.as_deref(),
        Some(b_app.url.as_str())
    );
    assert_eq!(listed.data[0].fields.len(), 3);

    // An app not subscribed to the account cannot override its callback: Graph's error 100.
    let e = idle
        .business_account(waba)
        .subscribed_apps()
        .override_callback(&a_override.url, TOKEN)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(100), "{e}");
    assert!(e.to_string().contains("must be subscribed"), "{e}");
    // Nor a number's.
    let e = idle
        .phone_number(number)
        .update()
        .webhook(&b_number.url, Some(TOKEN.to_owned()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(100), "{e}");
    // An override longer than Graph's 200 characters is refused before sending.
    let before = state.request_count();
    let long = format!("{}/{}", a_override.url, "x".repeat(200));
    let e = a
        .business_account(waba)
        .subscribed_apps()
        .override_callback(&long, TOKEN)
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("callback_url"));
    assert_eq!(state.request_count(), before);

    // A (already subscribed in the demo) overrides the account's callback; B subscribes to
    // the account and overrides one number's.
    a.business_account(waba)
        .subscribed_apps()
        .override_callback(&a_override.url, TOKEN)
        .await
        .unwrap();
    b.business_account(waba)
        .subscribed_apps()
        .subscribe()
        .await
        .unwrap();
    b.phone_number(number)
        .update()
        .webhook(&b_number.url, Some(TOKEN.to_owned()))
        .await
        .unwrap();
    // Each app reads its own destinations back.
    let read = a
        .phone_number(number)
        .get()
        .fields([v24_0::PhoneNumberField::WebhookConfiguration])
        .await
        .unwrap();
    let destinations = read.webhook_configuration.clone().unwrap();
    assert_eq!(
        destinations.application.as_deref(),
        Some(a_app.url.as_str())
    );
    assert_eq!(
        destinations.whatsapp_business_account.as_deref(),
        Some(a_override.url.as_str())
    );
    assert_eq!(destinations.phone_number, None);

    // Each change goes exactly where Graph sends it; `apply` says how many deliveries.
    let apply = |event: MockEvent| state.apply(event).unwrap();
    // Quality: both subscribed apps list it, at their own callbacks (never A's override).
    assert_eq!(
        apply(MockEvent::Quality {
            phone_number_id: number.into(),
            quality_rating: "RED".into(),
        }),
        2
    );
    // Account update: only A lists it.
    assert_eq!(
        apply(MockEvent::Violation {
            waba_id: waba.into(),
            violation_type: "SCAM".into(),
        }),
        1
    );
    // A message to the number B overrode: A's account override, B's number override.
    assert_eq!(
        apply(MockEvent::Raw {
            waba_id: waba.into(),
            field: "messages".into(),
            value: message(number),
            phone_number_id: None,
        }),
        2
    );
    // A message to another number: A's account override, B's own callback.
    assert_eq!(
        apply(MockEvent::Raw {
            waba_id: waba.into(),
            field: "messages".into(),
            value: message(other_number),
            phone_number_id: None,
        }),
        2
    );
    // A name review: only B lists it.
    b.phone_number(other_number)
        .set_display_name("Jaspers Market North")
        .await
        .unwrap();
    assert_eq!(
        apply(MockEvent::NameReview {
            phone_number_id: other_number.into(),
            decision: "APPROVED".into(),
            rejection_reason: None,
        }),
        1
    );
    // An account no app is subscribed to: nothing, whatever the field.
    assert_eq!(
        apply(MockEvent::Violation {
            waba_id: other_waba.into(),
            violation_type: "SCAM".into(),
        }),
        0
    );
    assert_eq!(
        apply(MockEvent::Raw {
            waba_id: other_waba.into(),
            field: "messages".into(),
            value: message("106540390000004"),
            phone_number_id: None,
        }),
        0
    );

    let done = state.wait_for_deliveries(8, Duration::from_secs(10)).await;
    assert_eq!(done.len(), 8, "{done:?}");
    assert!(
        done.iter().all(|d| d.delivered && d.attempts == 1),
        "{done:?}"
    );
    let seen: BTreeSet<(String, String, String)> = done
        .iter()
        .map(|d| (d.app_id.clone(), d.url.clone(), d.field.clone()))
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        (MOCK_APP_ID, &a_app.url, "phone_number_quality_update"),
        (
            demo::DEMO_PARTNER_APP_ID,
            &b_app.url,
            "phone_number_quality_update",
        ),
        (MOCK_APP_ID, &a_app.url, "account_update"),
        (MOCK_APP_ID, &a_override.url, "messages"),
        (demo::DEMO_PARTNER_APP_ID, &b_number.url, "messages"),
        (demo::DEMO_PARTNER_APP_ID, &b_app.url, "messages"),
        (
            demo::DEMO_PARTNER_APP_ID,
            &b_app.url,
            "phone_number_name_update",
        ),
    ]
    .into_iter()
    .map(|(app, url, field)| (app.to_owned(), url.clone(), field.to_owned()))
    .collect();
    // (A's override got two messages, one per number: one entry in the set.)
    assert_eq!(seen, expected);

    // The receivers verified every signature with their own app's secret.
    let count = |listener: &mut Listener, n: usize| {
        let fields = listener.drain();
        assert_eq!(fields.len(), n, "{fields:?}");
        fields
    };
    let a_fields = count(&mut a_app, 2);
    assert!(a_fields.iter().all(|f| f != "messages"), "{a_fields:?}");
    assert_eq!(count(&mut a_override, 2), ["messages", "messages"]);
    assert_eq!(count(&mut b_app, 3).len(), 3);
    assert_eq!(count(&mut b_number, 1), ["messages"]);
    assert!(count(&mut idle_app, 0).is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn the_mock_verifies_the_callback_then_sends_signed_updates_in_order() {
    let server = mock().await;
    let client = client(&server);
    let mut listener = listen(SECRET).await;
    let app = client.app(MOCK_APP_ID);

    // A wrong verify token: the handshake fails and the subscription keeps its callback.
    let err = app
        .webhook_subscriptions()
        .subscribe(&listener.url, "not-the-token")
        .fields(["phone_number_name_update"])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(2200), "{err}");
    assert!(!err.to_string().contains("not-the-token"), "{err}");
    let (callback, _) = server
        .state()
        .app_subscription(MOCK_APP_ID, "whatsapp_business_account")
        .unwrap();
    assert_eq!(callback, demo::APP_CALLBACK_URL);

    // The management fields go to the app's callback (the demo app is subscribed to the
    // demo account already).
    app.webhook_subscriptions()
        .subscribe(&listener.url, TOKEN)
        .fields([
            "phone_number_name_update",
            "phone_number_quality_update",
            "account_update",
        ])
        .await
        .unwrap();

    // Change the display name; Meta (here, the test) reviews it.
    let number = client.phone_number(demo::DEMO_NUMBER_ID);
    number.set_display_name("Lucky Shrub Garden").await.unwrap();
    let queued = server
        .state()
        .apply(MockEvent::NameReview {
            phone_number_id: demo::DEMO_NUMBER_ID.into(),
            decision: "APPROVED".into(),
            rejection_reason: None,
        })
        .unwrap();
    assert_eq!(queued, 1);
    let n = listener.next().await;
    assert_eq!(n.entry[0].id, demo::DEMO_WABA_ID);
    let Change::PhoneNumberNameUpdate(update) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(update.decision, Some(types::ReviewDecision::Approved));
    assert_eq!(
        update.requested_verified_name.as_deref(),
        Some("Lucky Shrub Garden")
    );
    // Approved, the name waits for the number to register again (Meta's registration
    // guide), and takes effect then.
    let read = number.get().await.unwrap();
    assert_eq!(read.verified_name.as_deref(), Some("Jaspers Market"));
    let read = number
        .get()
        .fields([v24_0::PhoneNumberField::NewNameStatus])
        .await
        .unwrap();
    assert_eq!(read.new_name_status, Some(types::NameStatus::Approved));
    number
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap();
    let read = number.get().await.unwrap();
    assert_eq!(read.verified_name.as_deref(), Some("Lucky Shrub Garden"));

    // Quality falls and the limit drops, then the account is disabled: in that order.
    let state = server.state();
    state
        .apply(MockEvent::Quality {
            phone_number_id: demo::DEMO_NUMBER_ID.into(),
            quality_rating: "RED".into(),
        })
        .unwrap();
    state
        .apply(MockEvent::MessagingLimit {
            phone_number_id: demo::DEMO_NUMBER_ID.into(),
            limit: "TIER_250".into(),
        })
        .unwrap();
    state
        .apply(MockEvent::Ban {
            waba_id: demo::DEMO_WABA_ID.into(),
            state: "SCHEDULE_FOR_DISABLE".into(),
        })
        .unwrap();
    let n = listener.next().await;
    assert!(
        matches!(only_change(&n), Change::PhoneNumberQualityUpdate(q) if q.event == Some(types::QualityUpdateEvent::Flagged)),
        "{n:?}"
    );
    let n = listener.next().await;
    let Change::PhoneNumberQualityUpdate(q) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(q.event, Some(types::QualityUpdateEvent::Downgrade));
    assert_eq!(q.current_limit, Some(types::WebhookLimitTier::Tier250));
    assert!(q.old_limit.is_some());
    let n = listener.next().await;
    let Change::AccountUpdate(a) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(a.event, Some(types::AccountUpdateEvent::DisabledUpdate));
    assert_eq!(
        a.ban_info.as_ref().unwrap().waba_ban_state,
        Some(types::WabaBanState::ScheduleForDisable)
    );
    let read = number.get().await.unwrap();
    assert_eq!(read.quality_rating, Some(types::QualityRating::Red));

    let deliveries = state.wait_for_deliveries(4, Duration::from_secs(10)).await;
    assert!(
        deliveries.iter().all(|d| d.delivered && d.attempts == 1),
        "{deliveries:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_and_then_given_up() {
    let server = mock().await;
    let client = client(&server);
    // A callback that answers the handshake, then fails the first two posts.
    let posts = Arc::new(AtomicUsize::new(0));
    let seen = posts.clone();
    let verifier = WebhookReceiver::new(AppSecret::new(SECRET).unwrap())
        .verify_token(VerifyToken::new(TOKEN).unwrap());
    let router = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let seen = seen.clone();
        let verifier = verifier.clone();
        async move {
            if request.method() == axum::http::Method::GET {
                let challenge = verifier
                    .handshake(request.uri().query().unwrap_or_default())
                    .unwrap_or_default();
                return (axum::http::StatusCode::OK, challenge);
            }
            if seen.fetch_add(1, Ordering::SeqCst) < 2 {
                (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new())
            } else {
                (axum::http::StatusCode::OK, String::new())
            }
        }
    });
    let url = serve(router).await;
    let app = client.app(MOCK_APP_ID);
    app.webhook_subscriptions()
        .subscribe(&url, TOKEN)
        .fields(["account_update"])
        .await
        .unwrap();
    client
        .business_account(demo::DEMO_SECOND_WABA_ID)
        .subscribed_apps()
        .subscribe()
        .await
        .unwrap();
    let state = server.state();
    state
        .apply(MockEvent::Violation {
            waba_id: demo::DEMO_SECOND_WABA_ID.into(),
            violation_type: "SCAM".into(),
        })
        .unwrap();
    let done = state.wait_for_deliveries(1, Duration::from_secs(10)).await;
    assert_eq!(done.len(), 1);
    assert!(done[0].delivered);
    assert_eq!(done[0].attempts, 3);
    assert_eq!(done[0].field, "account_update");
    assert_eq!(done[0].app_id, MOCK_APP_ID);
    assert!(done[0].body.contains("SCAM"));

    // A callback that is gone: four attempts, then the mock gives up.
    let gone = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    {
        // The subscription itself needs a live callback; the callback dies afterwards.
        let (router, _rx) = WebhookReceiver::new(AppSecret::new(SECRET).unwrap())
            .verify_token(VerifyToken::new(TOKEN).unwrap())
            .channel::<v24_0::Version>();
        let listener = tokio::net::TcpListener::bind(gone).await.unwrap();
        let task = tokio::spawn(async move { axum::serve(listener, router).await });
        app.webhook_subscriptions()
            .subscribe(format!("http://{gone}/hook"), TOKEN)
            .fields(["account_update"])
            .await
            .unwrap();
        task.abort();
        let _ = task.await;
    }
    state
        .apply(MockEvent::Restriction {
            waba_id: demo::DEMO_WABA_ID.into(),
            restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING".into(),
            expiration: Some(1_900_000_000),
        })
        .unwrap();
    let done = state.wait_for_deliveries(2, Duration::from_secs(10)).await;
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(!done[1].delivered);
    assert_eq!(done[1].attempts, 4);
    assert_eq!(done[1].status, None);
    server.shutdown().await;
}

/// `security` and `account_alerts`, typed: a PIN reset requested and completed in WhatsApp
/// Manager (the PIN is off afterwards), an Official Business Account approved (the number
/// reads as official). Each goes to the app's callback, as management fields do.
#[tokio::test]
async fn security_and_account_alerts_arrive_typed_with_the_state_they_describe() {
    let server = mock().await;
    let client = client(&server);
    let mut listener = listen(SECRET).await;
    client
        .app(MOCK_APP_ID)
        .webhook_subscriptions()
        .subscribe(&listener.url, TOKEN)
        .fields(["security", "account_alerts"])
        .await
        .unwrap();
    let number = demo::DEMO_SANDBOX_NUMBER_ID;

    let queued = server
        .state()
        .apply(MockEvent::Security {
            phone_number_id: number.into(),
            event: "PIN_RESET_REQUEST".into(),
            requester: None,
        })
        .unwrap();
    assert_eq!(queued, 1);
    let n = listener.next().await;
    let Change::Security(update) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(update.event, Some(types::SecurityEvent::PinResetRequest));
    assert_eq!(update.requester.as_deref(), Some("61555822107539"));
    assert!(
        update
            .display_phone_number
            .as_deref()
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    );

    server
        .state()
        .apply(MockEvent::Security {
            phone_number_id: number.into(),
            event: "PIN_REQUEST_SUCCESS".into(),
            requester: None,
        })
        .unwrap();
    let n = listener.next().await;
    let Change::Security(update) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(update.event, Some(types::SecurityEvent::PinRequestSuccess));
    assert_eq!(update.requester, None);
    let read = client
        .phone_number(number)
        .get()
        .fields([v24_0::PhoneNumberField::IsPinEnabled])
        .await
        .unwrap();
    assert_eq!(read.is_pin_enabled, Some(false));

    server
        .state()
        .apply(MockEvent::OfficialBusinessAccountDecision {
            phone_number_id: number.into(),
            decision: "APPROVED".into(),
        })
        .unwrap();
    let n = listener.next().await;
    let Change::AccountAlerts(alert) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(alert.entity_type, Some(types::AlertEntityType::PhoneNumber));
    assert_eq!(alert.entity_id.as_deref(), Some(number));
    let info = alert.alert_info.as_ref().unwrap();
    assert_eq!(info.alert_type, Some(types::AlertType::ObaApproved));
    assert_eq!(
        info.alert_severity,
        Some(types::AlertSeverity::Informational)
    );
    let oba = client
        .phone_number(number)
        .official_business_account()
        .get()
        .await
        .unwrap();
    assert_eq!(oba.oba_status, Some(types::ObaStatus::Approved));
    assert!(
        server
            .state()
            .apply(MockEvent::Security {
                phone_number_id: number.into(),
                event: "PIN_FORGOTTEN".into(),
                requester: None,
            })
            .is_err()
    );

    // A messaging-limit increase deferred: about the portfolio, not a number.
    server
        .state()
        .apply(MockEvent::LimitIncreaseAlert {
            waba_id: demo::DEMO_WABA_ID.into(),
            outcome: "DEFERRED".into(),
        })
        .unwrap();
    let n = listener.next().await;
    let Change::AccountAlerts(alert) = only_change(&n) else {
        panic!("{n:?}")
    };
    assert_eq!(alert.entity_type, Some(types::AlertEntityType::Business));
    assert_eq!(alert.entity_id.as_deref(), Some(demo::DEMO_BUSINESS_ID));
    let info = alert.alert_info.as_ref().unwrap();
    assert_eq!(
        info.alert_type,
        Some(types::AlertType::IncreasedCapabilitiesEligibilityDeferred)
    );
    assert_eq!(info.alert_status, Some(types::AlertStatus::Active));
}
