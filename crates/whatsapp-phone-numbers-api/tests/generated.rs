//! The generated v23.0 client and types, exercised directly.

use whatsapp_phone_numbers_api::transport::BearerTransport;
use whatsapp_phone_numbers_api::v23_0::{Client, Error, types};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn unknown_values_nulls_and_new_fields_decode() {
    let page: types::PhoneNumberPage = serde_json::from_value(serde_json::json!({
        "data": [
            { "id": "1", "quality_rating": "GREEN", "status": "CONNECTED" },
            { "id": "2", "quality_rating": "PURPLE", "status": null, "verified_name": null,
              "throughput": { "level": "HIGH" }, "username": null },
            { "id": "3", "messaging_limit_tier": "TIER_2K", "account_mode": "SANDBOX" }
        ],
        "paging": { "cursors": { "after": "A", "before": null }, "next": null },
        "something_new": [1, 2, 3]
    }))
    .unwrap();
    assert_eq!(page.data.len(), 3);
    assert_eq!(
        page.data[0].quality_rating,
        Some(types::QualityRating::Green)
    );
    assert_eq!(
        page.data[1].quality_rating,
        Some(types::QualityRating::Unknown("PURPLE".into()))
    );
    assert_eq!(page.data[1].status, None);
    assert_eq!(
        page.data[2].messaging_limit_tier,
        Some(types::MessagingLimitTier::Unknown("TIER_2K".into()))
    );
    assert_eq!(page.data[2].account_mode, Some(types::AccountMode::Sandbox));
    assert_eq!(page.paging.unwrap().next, None);

    // Unknown values round-trip unchanged.
    let back = serde_json::to_value(&page.data[1]).unwrap();
    assert_eq!(back["quality_rating"], "PURPLE");
    let back = serde_json::to_value(&page.data[2]).unwrap();
    assert_eq!(back["messaging_limit_tier"], "TIER_2K");
}

#[test]
fn open_enums_behave_like_strings() {
    use types::QualityRating;
    assert_eq!("RED".parse::<QualityRating>().unwrap(), QualityRating::Red);
    // Graph's own UNKNOWN is a known value, told apart from a value this SDK lacks.
    assert_eq!(QualityRating::from("UNKNOWN"), QualityRating::GraphUnknown);
    assert_eq!(QualityRating::GraphUnknown.as_str(), "UNKNOWN");
    assert!(!QualityRating::from("UNKNOWN").is_unknown());
    assert!(QualityRating::from("PURPLE").is_unknown());
    assert_eq!(QualityRating::from("PURPLE").as_str(), "PURPLE");
    assert_eq!(QualityRating::Na.to_string(), "NA");
    assert_eq!(
        QualityRating::KNOWN,
        &[
            QualityRating::Green,
            QualityRating::Yellow,
            QualityRating::Red,
            QualityRating::Na,
            QualityRating::GraphUnknown
        ]
    );
    // A number where a string belongs is kept as text instead of failing the response.
    let odd: QualityRating = serde_json::from_str("7").unwrap();
    assert_eq!(odd, QualityRating::Unknown("7".into()));
    let v: types::PhoneNumberSortKey =
        serde_json::from_str("\"last_onboarded_time_ascending\"").unwrap();
    assert_eq!(v, types::PhoneNumberSortKey::LastOnboardedTimeAscending);
}

#[cfg(feature = "schemars")]
#[test]
fn json_schemas_describe_open_enums() {
    let schema = schemars::schema_for!(types::PhoneNumber);
    let text = serde_json::to_string(&schema).unwrap();
    assert!(text.contains("\"QualityRating\""), "{text}");
    assert!(text.contains("\"anyOf\""), "{text}");
    assert!(text.contains("\"GREEN\""), "{text}");
}

#[test]
fn secrets_in_request_bodies_are_redacted_in_debug() {
    let body = types::RegisterRequest {
        messaging_product: types::MessagingProduct::Whatsapp,
        pin: "150954".into(),
        data_localization_region: None,
        tier: None,
        meta_store_retention_minutes: None,
        backup: Some(types::RegistrationBackup {
            data: Some("blob".into()),
            password: Some("hunter22".into()),
        }),
    };
    let debug = format!("{body:?}");
    assert!(
        !debug.contains("150954") && !debug.contains("hunter22"),
        "{debug}"
    );
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(json["pin"], "150954");
    let code = types::VerifyCodeRequest {
        code: "123456".into(),
    };
    assert!(!format!("{code:?}").contains("123456"));
}

#[tokio::test]
async fn generated_client_round_trips_over_loopback() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v23.0/106540352242922"))
        .and(query_param("fields", "status,quality_rating"))
        .and(header("authorization", "Bearer test-token-123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "106540352242922", "status": "CONNECTED", "quality_rating": "YELLOW"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v23.0/106540352242922/register"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": { "message": "(#100) Invalid parameter", "type": "OAuthException",
                       "code": 100, "fbtrace_id": "AbC" }
        })))
        .mount(&server)
        .await;

    let transport = BearerTransport::new("test-token-123").unwrap().shared();
    let client = Client::new_with_client(&server.uri(), reqwest::Client::new(), transport);
    assert!(!format!("{client:?}").contains("test-token-123"));

    let number = client
        .get_phone_number("v23.0", "106540352242922", Some("status,quality_rating"))
        .await
        .unwrap();
    assert_eq!(number.status, Some(types::PhoneNumberStatus::Connected));
    assert_eq!(number.quality_rating, Some(types::QualityRating::Yellow));

    let body = types::RegisterRequest {
        messaging_product: types::MessagingProduct::Whatsapp,
        pin: "000000".into(),
        data_localization_region: None,
        tier: None,
        meta_store_retention_minutes: None,
        backup: None,
    };
    match client
        .register_phone_number("v23.0", "106540352242922", &body)
        .await
    {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 400);
            assert_eq!(response.error.code, 100);
            assert_eq!(response.error.fbtrace_id.as_deref(), Some("AbC"));
        }
        other => panic!("expected a Graph error, got {other:?}"),
    }
}

/// Meta's SDKs and reference write `verified`, Meta's OpenAPI description `VERIFIED`: both
/// are the same value (the specification's `x-uppercase-aliases`), which encodes as the
/// specification spells it; any other spelling stays `Unknown` with its text.
#[test]
fn business_verification_status_reads_either_case() {
    use whatsapp_phone_numbers_api::v24_0::types as v24;
    for text in ["verified", "VERIFIED"] {
        let status: types::BusinessVerificationStatus =
            serde_json::from_value(serde_json::json!(text)).unwrap();
        assert_eq!(
            status,
            types::BusinessVerificationStatus::Verified,
            "{text}"
        );
        assert_eq!(serde_json::to_value(&status).unwrap(), "verified");
        assert_eq!(
            v24::BusinessVerificationStatus::from(text),
            v24::BusinessVerificationStatus::Verified
        );
    }
    assert_eq!(
        types::BusinessVerificationStatus::from("PENDING_NEED_MORE_INFO"),
        types::BusinessVerificationStatus::PendingNeedMoreInfo
    );
    let odd = types::BusinessVerificationStatus::from(String::from("Verified"));
    assert_eq!(
        odd,
        types::BusinessVerificationStatus::Unknown("Verified".into())
    );
    assert_eq!(odd.as_str(), "Verified");
}
