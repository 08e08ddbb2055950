//! Graph's documented rules, as the mock keeps them (each rule's source is in the mock's
//! docs): the registration order and its 72-hour limit, a name that takes effect on
//! re-registration, the QR code limit, an 80008 window that holds, calling values in either
//! case, and the credentials of app endpoints.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use whatsapp_phone_numbers_mock::{
    DEFAULT_APP_SECRET, MOCK_APP_ID, MockEvent, MockServer, RateLimits, demo,
};

async fn register(api: &Api, id: &str) -> Reply {
    api.post(
        &format!("/v24.0/{id}/register"),
        json!({"messaging_product": "whatsapp", "pin": "150954"}),
    )
    .await
}

#[tokio::test]
async fn registration_follows_the_guides_order() {
    let api = Api::start().await;
    let id = DEMO_PENDING_NUMBER_ID;
    // Not verified: refused.
    register(&api, id).await.graph_error(400, 133006);
    // A code requested, not verified yet: still refused.
    api.post(
        &format!("/v24.0/{id}/request_code"),
        json!({"code_method": "SMS", "language": "en_US"}),
    )
    .await
    .ok();
    register(&api, id).await.graph_error(400, 133006);
    let code = api.server.state().verification_code(id).unwrap();
    api.post(&format!("/v24.0/{id}/verify_code"), json!({"code": code}))
        .await
        .ok();
    register(&api, id).await.ok();

    // A number that was verified long ago registers again without a code; once a new code
    // is requested, it waits for that code.
    let connected = DEMO_NUMBER_ID;
    register(&api, connected).await.ok();
    api.post(
        &format!("/v24.0/{connected}/request_code"),
        json!({"code_method": "VOICE", "language": "en_US"}),
    )
    .await
    .ok();
    register(&api, connected).await.graph_error(400, 133006);
}

#[tokio::test]
async fn ten_registration_requests_per_72_hours_then_133016() {
    let api = Api::start().await;
    let id = DEMO_NUMBER_ID;
    // Register and deregister both count (Meta: "Registration or Deregistration failed
    // because there were too many attempts").
    for i in 0..10 {
        if i % 2 == 0 {
            api.post(
                &format!("/v24.0/{id}/register"),
                json!({"messaging_product": "whatsapp", "pin": "150954"}),
            )
            .await
            .ok();
        } else {
            api.post(&format!("/v24.0/{id}/deregister"), json!({}))
                .await
                .ok();
        }
    }
    let error = api
        .post(
            &format!("/v24.0/{id}/register"),
            json!({"messaging_product": "whatsapp", "pin": "150954"}),
        )
        .await
        .graph_error(400, 133016);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("register deregister rate limit")
    );
    // The block holds for the number, not for others.
    api.post(&format!("/v24.0/{id}/deregister"), json!({}))
        .await
        .graph_error(400, 133016);
    api.post(
        &format!("/v24.0/{DEMO_SANDBOX_NUMBER_ID}/register"),
        json!({"messaging_product": "whatsapp", "pin": "150954"}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn an_approved_display_name_takes_effect_when_the_number_registers_again() {
    let api = Api::start().await;
    let id = DEMO_NUMBER_ID;
    api.post(
        &format!("/v24.0/{id}"),
        json!({"new_display_name": "Jaspers Market Deli"}),
    )
    .await
    .ok();
    api.server
        .state()
        .apply(MockEvent::NameReview {
            phone_number_id: id.into(),
            decision: "APPROVED".into(),
            rejection_reason: None,
        })
        .unwrap();
    let n = api
        .get(&format!("/v24.0/{id}?fields=verified_name,new_name_status"))
        .await
        .ok();
    assert_eq!(n["verified_name"], "Jaspers Market");
    assert_eq!(n["new_name_status"], "APPROVED");
    assert_eq!(
        api.server
            .state()
            .number_record(id)
            .unwrap()
            .approved_name
            .as_deref(),
        Some("Jaspers Market Deli")
    );
    api.post(
        &format!("/v24.0/{id}/register"),
        json!({"messaging_product": "whatsapp", "pin": "150954"}),
    )
    .await
    .ok();
    let n = api
        .get(&format!(
            "/v24.0/{id}?fields=verified_name,new_name_status,name_status"
        ))
        .await
        .ok();
    assert_eq!(n["verified_name"], "Jaspers Market Deli");
    assert_eq!(n["name_status"], "APPROVED");
    assert!(n.get("new_name_status").is_none(), "{n}");
}

#[tokio::test]
async fn a_number_has_at_most_2000_qr_codes() {
    let api = Api::start().await;
    let id = DEMO_SANDBOX_NUMBER_ID;
    for i in 0..2000 {
        api.post(
            &format!("/v24.0/{id}/message_qrdls"),
            json!({"prefilled_message": format!("Code {i}")}),
        )
        .await
        .ok();
    }
    let error = api
        .post(
            &format!("/v24.0/{id}/message_qrdls"),
            json!({"prefilled_message": "One more"}),
        )
        .await
        .graph_error(400, 100);
    assert!(
        error["message"].as_str().unwrap().contains("2000"),
        "{error}"
    );
    assert_eq!(api.server.state().qr_codes(id).len(), 2000);
    // Changing one is still fine, and deleting one makes room.
    let code = api.server.state().qr_codes(id)[0].code.clone().unwrap();
    api.post(
        &format!("/v24.0/{id}/message_qrdls"),
        json!({"prefilled_message": "Changed", "code": code}),
    )
    .await
    .ok();
    api.send(api.request(
        reqwest::Method::DELETE,
        &format!("/v24.0/{id}/message_qrdls/{code}"),
    ))
    .await
    .ok();
    api.post(
        &format!("/v24.0/{id}/message_qrdls"),
        json!({"prefilled_message": "One more"}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn an_account_refused_with_80008_stays_refused_for_the_time_it_was_told() {
    let api = Api::with(MockServer::builder().rate_limits(RateLimits::enforced(
        1_000,
        2,
        Duration::from_millis(300),
    )))
    .await;
    let number = format!("/v24.0/{DEMO_NUMBER_ID}");
    api.get(&number).await.ok();
    api.get(&number).await.ok();
    let refused = api.get(&number).await;
    let error = refused.graph_error(400, 80008);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("too many calls")
    );
    // The calls left the window long ago, but the account was told a minute.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = api.get(&number).await;
    again.graph_error(400, 80008);
    let usage = again.header("x-business-use-case-usage");
    assert!(
        usage.contains("\"estimated_time_to_regain_access\":1"),
        "{usage}"
    );
    // Another account is not held.
    api.get(&format!("/v24.0/{}", demo::DEMO_SECOND_WABA_ID))
        .await
        .ok();
}

#[tokio::test]
async fn calling_values_are_taken_in_either_case() {
    let api = Api::start().await;
    let id = DEMO_NUMBER_ID;
    for (sent, stored) in [("ENABLED", "enabled"), ("disabled", "disabled")] {
        api.post(
            &format!("/v24.0/{id}/settings"),
            json!({"calling": {"status": sent, "callback_permission_status": sent}}),
        )
        .await
        .ok();
        let settings = api.get(&format!("/v24.0/{id}/settings")).await.ok();
        assert_eq!(settings["calling"]["status"], stored);
        assert_eq!(settings["calling"]["callback_permission_status"], stored);
    }
    api.post(
        &format!("/v24.0/{id}/settings"),
        json!({"calling": {"status": "SOMETIMES"}}),
    )
    .await
    .graph_error(400, 100);
}

#[tokio::test]
async fn app_endpoints_take_app_tokens_and_others_take_system_user_tokens() {
    let api = Api::start().await;
    let subscriptions = format!("/v24.0/{MOCK_APP_ID}/subscriptions");
    let app_token = format!("{MOCK_APP_ID}|{DEFAULT_APP_SECRET}");
    // A system-user token on an app endpoint: Graph's (#15).
    api.get(&subscriptions).await.graph_error(400, 15);
    // The app token works there...
    let listed = api
        .send(
            api.http
                .get(api.server.url(&subscriptions))
                .bearer_auth(&app_token),
        )
        .await
        .ok();
    assert_eq!(listed["data"][0]["object"], "whatsapp_business_account");
    // ... not on a number, and not on another app's subscriptions.
    api.send(
        api.http
            .get(api.server.url(&format!("/v24.0/{DEMO_NUMBER_ID}")))
            .bearer_auth(&app_token),
    )
    .await
    .graph_error(400, 100);
    api.send(
        api.http
            .get(api.server.url(&format!(
                "/v24.0/{}/subscriptions",
                demo::DEMO_PARTNER_APP_ID
            )))
            .bearer_auth(&app_token),
    )
    .await
    .graph_error(400, 100);

    // Graph issues app tokens for the app's ID and secret, with no token at all.
    let issued = api
        .send(api.http.get(api.server.url(&format!(
            "/v24.0/oauth/access_token?client_id={MOCK_APP_ID}&client_secret={DEFAULT_APP_SECRET}&grant_type=client_credentials"
        ))))
        .await
        .ok();
    assert_eq!(issued["token_type"], "bearer");
    let token = issued["access_token"].as_str().unwrap();
    assert!(token.starts_with(&format!("{MOCK_APP_ID}|")) && !token.contains(DEFAULT_APP_SECRET));
    api.send(
        api.http
            .get(api.server.url(&subscriptions))
            .bearer_auth(token),
    )
    .await
    .ok();
    let wrong = api
        .send(api.http.get(api.server.url(&format!(
            "/v24.0/oauth/access_token?client_id={MOCK_APP_ID}&client_secret=nope&grant_type=client_credentials"
        ))))
        .await;
    wrong.graph_error(400, 1);
    // The secret never reaches the request log.
    assert!(
        api.server
            .state()
            .requests()
            .iter()
            .all(|r| !r.query.contains(DEFAULT_APP_SECRET))
    );

    // The apps, by ID and name only.
    let apps = api
        .send(api.http.get(api.server.url("/__mock/apps")))
        .await
        .ok();
    let text = apps.to_string();
    assert_eq!(apps["data"].as_array().unwrap().len(), 3, "{text}");
    assert!(text.contains(demo::DEMO_PARTNER_APP_ID));
    for secret in [
        DEFAULT_APP_SECRET,
        demo::DEMO_PARTNER_APP_SECRET,
        demo::DEMO_PARTNER_ACCESS_TOKEN,
        "mock-token",
    ] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn subscribed_apps_of_an_account_no_app_is_subscribed_to_is_an_empty_list() {
    let api = Api::start().await;
    let path = format!("/v24.0/{}/subscribed_apps", demo::DEMO_CLIENT_WABA_ID);
    assert_eq!(api.get(&path).await.ok(), json!({"data": []}));
    // An override before subscribing: Graph's error 100, and still nothing subscribed.
    let error = api
        .post(
            &path,
            json!({"override_callback_uri": "https://hooks.example.com/wa", "verify_token": "t"}),
        )
        .await
        .graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("your app must be subscribed")
    );
    assert_eq!(api.get(&path).await.ok(), json!({"data": []}));
    // Longer than 200 characters: refused by the request type.
    api.post(&path, json!({})).await.ok();
    let long = format!("https://hooks.example.com/{}", "x".repeat(175));
    let error = api
        .post(
            &path,
            json!({"override_callback_uri": long, "verify_token": "t"}),
        )
        .await
        .graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("override_callback_uri"),
        "{error}"
    );
    let listed = api.get(&path).await.ok();
    assert!(
        listed["data"][0].get("override_callback_uri").is_none(),
        "{listed}"
    );
}
