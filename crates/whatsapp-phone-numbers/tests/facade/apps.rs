//! An app's own endpoints: app access tokens (given, or `APP_ID|APP_SECRET`), the proof that
//! goes with them, the token request that sends none, and the subscription builders.

use serde_json::json;
use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{AppAccessToken, AppSecret};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const APP: &str = "67084330901";

fn signed_client(server: &MockServer) -> Client {
    Client::builder()
        .access_token(TOKEN)
        .app_secret(APP_SECRET)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn header(request: &wiremock::Request, name: &str) -> String {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn query(request: &wiremock::Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn app_endpoints_send_the_app_access_token_and_its_proof() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{APP}/subscriptions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"object": "whatsapp_business_account", "callback_url": "https://hooks.example.com/wa",
             "active": true, "fields": [{"name": "account_update", "version": "v23.0"}]}
        ]})))
        .mount(&server)
        .await;
    let list = signed_client(&server)
        .app(APP)
        .webhook_subscriptions()
        .list()
        .await
        .unwrap();
    assert_eq!(
        list.data[0].fields[0].name.as_deref(),
        Some("account_update")
    );

    // A token given to the handle replaces APP_ID|APP_SECRET.
    let given = AppAccessToken::new(format!("{APP}|issued-TOKEN-0003")).unwrap();
    signed_client(&server)
        .app(APP)
        .app_access_token(given)
        .webhook_subscriptions()
        .list()
        .await
        .unwrap();

    let sent = requests(&server).await;
    let secret = AppSecret::new(APP_SECRET).unwrap();
    let derived = format!("{APP}|{APP_SECRET}");
    for (request, token) in sent
        .iter()
        .zip([derived.as_str(), &format!("{APP}|issued-TOKEN-0003")])
    {
        assert_eq!(header(request, "authorization"), format!("Bearer {token}"));
        // The proof proves the token that was sent, not the system-user token.
        let proof = query(request, "appsecret_proof").unwrap();
        let expected = AppAccessToken::new(token).unwrap();
        assert_eq!(proof.len(), 64);
        assert_ne!(
            proof,
            secret.proof(&whatsapp_phone_numbers::AccessToken::new(TOKEN).unwrap())
        );
        assert_eq!(
            proof,
            secret.proof(&whatsapp_phone_numbers::AccessToken::new(expected.expose()).unwrap())
        );
        assert!(!request.url.to_string().contains(APP_SECRET));
    }
}

#[tokio::test]
async fn without_an_app_token_or_secret_nothing_is_sent() {
    let server = MockServer::start().await;
    let e = client(&server)
        .app(APP)
        .webhook_subscriptions()
        .list()
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("app_access_token"));
    let e = client(&server).app(APP).access_token().await.unwrap_err();
    assert_eq!(e.invalid_field(), Some("app_secret"));
    // Bad subscriptions are refused before sending.
    let subs = signed_client(&server).app(APP).webhook_subscriptions();
    let e = subs
        .subscribe("https://hooks.example.com/wa", "verify-me")
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("fields"));
    let e = subs
        .subscribe("https://hooks.example.com/wa", "verify-me")
        .fields(["Account Update"])
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("fields"));
    let e = subs
        .subscribe("http://hooks.example.com/wa", "verify-me")
        .fields(["account_update"])
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("callback_url"));
    let e = subs
        .unsubscribe()
        .every_object()
        .fields(["account_update"])
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("fields"));
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn subscribing_sends_the_fields_as_a_list_and_the_token_redacted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v23.0/{APP}/subscriptions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/v23.0/{APP}/subscriptions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .mount(&server)
        .await;
    let subs = signed_client(&server).app(APP).webhook_subscriptions();
    let builder = subs
        .subscribe("https://hooks.example.com/wa", "verify-SECRET-9")
        .fields([
            "account_update",
            "phone_number_quality_update",
            "account_update",
        ]);
    assert!(!format!("{builder:?}").contains("verify-SECRET-9"));
    builder.await.unwrap();
    subs.unsubscribe().fields(["account_update"]).await.unwrap();
    let sent = requests(&server).await;
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "object": "whatsapp_business_account",
            "callback_url": "https://hooks.example.com/wa",
            "verify_token": "verify-SECRET-9",
            "fields": ["account_update", "phone_number_quality_update"],
        })
    );
    assert_eq!(
        query(&sent[1], "object").as_deref(),
        Some("whatsapp_business_account")
    );
    assert_eq!(query(&sent[1], "fields").as_deref(), Some("account_update"));
}

#[tokio::test]
async fn the_token_request_sends_no_token_and_keeps_the_secret_out_of_errors() {
    let server = MockServer::start().await;
    // A server that echoes the secret back in its error.
    Mock::given(method("GET"))
        .and(path("/v23.0/oauth/access_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(graph_error(
            1,
            &format!("Error validating client secret {APP_SECRET}."),
        )))
        .mount(&server)
        .await;
    let e = signed_client(&server)
        .app(APP)
        .access_token()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(1));
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(APP_SECRET), "{text}");
    }
    let sent = requests(&server).await;
    assert!(sent[0].headers.get("authorization").is_none());
    assert_eq!(query(&sent[0], "appsecret_proof"), None);
    assert_eq!(
        query(&sent[0], "grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(query(&sent[0], "client_id").as_deref(), Some(APP));
}
