//! Behaviours 8 and 9: Credentials travel only where they should; metadata is exposed.

use serde_json::json;
use whatsapp_phone_numbers::v23_0::Client;
use whatsapp_phone_numbers::{AccessToken, AppSecret};
use wiremock::matchers::{header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn token_is_only_in_the_authorization_header_and_proof_is_added() {
    let server = MockServer::start().await;
    let proof = AppSecret::new(APP_SECRET)
        .unwrap()
        .proof(&AccessToken::new(TOKEN).unwrap());
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(query_param("appsecret_proof", proof.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": PHONE})))
        .expect(2)
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .app_secret(APP_SECRET)
        .base_url(server.uri())
        .build()
        .unwrap();
    client.phone_number(PHONE).get().await.unwrap();
    client
        .business_account(WABA)
        .phone_numbers()
        .list()
        .send()
        .await
        .unwrap_err(); // no list mock: 404 from wiremock, still signed
    for request in requests(&server).await {
        let url = request.url.to_string();
        assert!(!url.contains(TOKEN) && !url.contains(APP_SECRET), "{url}");
        assert!(!url.contains("access_token"), "{url}");
        assert_eq!(
            request
                .url
                .query_pairs()
                .filter(|(k, _)| k == "appsecret_proof")
                .count(),
            1,
            "{url}"
        );
    }
}

#[tokio::test]
async fn every_response_exposes_usage_and_request_metadata() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PHONE}))
                .insert_header("x-fb-request-id", "AGaOBl2yM-g8gdON")
                .insert_header("x-fb-trace-id", "E7riEe9OW2e")
                .insert_header("facebook-api-version", "v23.0")
                .insert_header("x-app-usage", r#"{"call_count":7,"total_cputime":1,"total_time":3}"#)
                .insert_header(
                    "x-business-use-case-usage",
                    r#"{"102290129340398":[{"type":"whatsapp_business_management","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#,
                ),
        )
        .mount(&server)
        .await;
    let number = client(&server).phone_number(PHONE).get().await.unwrap();
    let meta = number.meta();
    assert_eq!(meta.request_id(), Some("AGaOBl2yM-g8gdON"));
    assert_eq!(meta.trace_id(), Some("E7riEe9OW2e"));
    assert_eq!(meta.api_version(), Some("v23.0"));
    assert_eq!(meta.app_usage().unwrap().call_count, Some(7.0));
    assert_eq!(meta.business_use_case_usage().len(), 1);
    assert_eq!(
        meta.business_use_case_usage()[0].use_case,
        "whatsapp_business_management"
    );
    assert_eq!(meta.regain_access_in(), None);
    assert_eq!(meta.attempts(), 1);
}
