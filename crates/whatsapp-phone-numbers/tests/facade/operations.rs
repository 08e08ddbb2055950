//! Every operation sends the right method, path, query and body, and decodes the answer.

use serde_json::json;
use whatsapp_phone_numbers::v23_0::{
    AccountNumberField, BusinessProfileField, PhoneNumberField as Field, types,
};
use whatsapp_phone_numbers::{Filter, Sort, TwoStepPin, VerificationCode};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

fn ok(body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn success() -> ResponseTemplate {
    ok(json!({"success": true}))
}

#[tokio::test]
async fn reads() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE}")))
        .and(query_param(
            "fields",
            "status,quality_rating,throughput{level}",
        ))
        .respond_with(ok(json!({
            "id": PHONE, "status": "CONNECTED", "quality_rating": "GREEN",
            "throughput": {"level": "STANDARD"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/1234567890123456"))
        .and(query_param("fields", "status,messaging_limit_tier"))
        .respond_with(ok(json!({"id": "1234567890123456", "status": "CONNECTED", "messaging_limit_tier": "TIER_1K"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE}/settings")))
        .respond_with(ok(json!({
            "calling": {"status": "enabled", "call_icon_visibility": "visible"},
            "user_identity_change": {"enable_identity_key_check": true},
            "storage_configuration": {"status": "in_country_storage_enabled", "data_localization_region": "DE"}
        })))
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let number = client
        .phone_number(PHONE)
        .get()
        .fields([Field::Status, Field::QualityRating])
        .field(Field::Unknown("throughput{level}".into()))
        .await
        .unwrap();
    assert_eq!(number.status, Some(types::PhoneNumberStatus::Connected));
    assert_eq!(number.quality_rating, Some(types::QualityRating::Green));
    assert_eq!(number.meta().status(), 200);

    let account = client
        .account_number("1234567890123456")
        .get()
        .fields([
            AccountNumberField::Status,
            AccountNumberField::MessagingLimitTier,
        ])
        .await
        .unwrap();
    assert_eq!(
        account.messaging_limit_tier,
        Some(types::MessagingLimitTier::Tier1k)
    );

    let settings = client.phone_number(PHONE).settings().get().await.unwrap();
    assert_eq!(
        settings
            .user_identity_change
            .as_ref()
            .unwrap()
            .enable_identity_key_check,
        Some(true)
    );
    assert_eq!(
        settings.storage_configuration.as_ref().unwrap().status,
        Some(types::StorageConfigurationStatus::InCountryStorageEnabled)
    );
}

#[tokio::test]
async fn list_sends_fields_filters_sort_and_paging_parameters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{WABA}/phone_numbers")))
        .and(query_param("fields", "id,status"))
        .and(query_param(
            "filtering",
            r#"[{"field":"account_mode","operator":"EQUAL","value":"SANDBOX"},{"field":"is_official_business_account","operator":"EQUAL","value":"false"}]"#,
        ))
        .and(query_param("sort", r#"["last_onboarded_time_ascending"]"#))
        .and(query_param("limit", "50"))
        .and(query_param("after", "CURSOR"))
        .and(query_param("summary", "total_count"))
        .respond_with(ok(json!({
            "data": [{"id": "1", "status": "CONNECTED"}],
            "summary": {"total_count": 31}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = client(&server)
        .business_account(WABA)
        .phone_numbers()
        .list()
        .fields([Field::Id, Field::Status])
        .filter(Filter::account_mode(types::AccountMode::Sandbox))
        .filter(Filter::is_official_business_account(false))
        .sort(Sort::LastOnboardedAscending)
        .page_size(50)
        .after("CURSOR")
        .with_total_count()
        .await
        .unwrap();
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.summary.as_ref().unwrap().total_count, Some(31));
}

#[tokio::test]
async fn writes_send_the_documented_bodies() {
    let server = MockServer::start().await;
    let phone_path = format!("/v23.0/{PHONE}");
    let expectations = [
        (
            format!("/v23.0/{WABA}/phone_numbers"),
            json!({"cc": "1", "phone_number": "6315551000", "verified_name": "Jaspers Market", "migrate_phone_number": true}),
            ok(json!({"id": "1906385232743451"})),
        ),
        (
            format!("{phone_path}/request_code"),
            json!({"code_method": "SMS", "language": "en_US"}),
            success(),
        ),
        (
            format!("{phone_path}/verify_code"),
            json!({"code": "000000"}),
            success(),
        ),
        (
            format!("{phone_path}/register"),
            json!({"messaging_product": "whatsapp", "pin": "150954", "data_localization_region": "DE"}),
            success(),
        ),
        (phone_path.clone(), json!({"pin": "246810"}), success()),
        (
            phone_path.clone(),
            json!({"new_display_name": "Jaspers Downtown"}),
            success(),
        ),
        (
            phone_path.clone(),
            json!({"webhook_configuration": {"override_callback_uri": "https://hooks.example.com/wa", "verify_token": "vt"}}),
            success(),
        ),
        (
            phone_path.clone(),
            json!({"webhook_configuration": {"override_callback_uri": ""}}),
            success(),
        ),
        (
            format!("{phone_path}/settings"),
            json!({"user_identity_change": {"enable_identity_key_check": false}}),
            success(),
        ),
        (
            format!("{phone_path}/whatsapp_business_profile"),
            json!({"messaging_product": "whatsapp", "about": "Open 7-21", "websites": ["https://jaspers.example"], "vertical": "GROCERY"}),
            success(),
        ),
    ];
    for (p, body, answer) in expectations {
        Mock::given(method("POST"))
            .and(path(p))
            .and(body_json(body))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(format!("{phone_path}/deregister")))
        .respond_with(success())
        .expect(1)
        .mount(&server)
        .await;

    let client = client(&server);
    let phone = client.phone_number(PHONE);
    let created = client
        .business_account(WABA)
        .phone_numbers()
        .add("+1", "6315551000", "Jaspers Market")
        .migrate(true)
        .await
        .unwrap();
    assert_eq!(created.id, "1906385232743451");
    assert!(
        phone
            .request_code(types::CodeMethod::Sms, "en_US")
            .await
            .unwrap()
            .success
    );
    assert!(
        phone
            .verify_code(VerificationCode::new("000000").unwrap())
            .await
            .unwrap()
            .success
    );
    phone
        .register(TwoStepPin::new("150954").unwrap())
        .data_localization_region(types::DataLocalizationRegion::De)
        .await
        .unwrap();
    let updated = phone
        .set_pin(TwoStepPin::new("246810").unwrap())
        .await
        .unwrap();
    assert!(matches!(&*updated, types::PhoneNumberUpdateResult::SuccessResponse(s) if s.success));
    phone.set_display_name("Jaspers Downtown").await.unwrap();
    phone
        .set_webhook("https://hooks.example.com/wa", Some("vt".into()))
        .await
        .unwrap();
    phone.update().remove_webhook_override().await.unwrap();
    phone
        .settings()
        .set_identity_key_check(false)
        .await
        .unwrap();
    phone
        .business_profile()
        .update()
        .about("Open 7-21")
        .websites(["https://jaspers.example"])
        .vertical(types::BusinessVertical::Grocery)
        .await
        .unwrap();
    assert!(phone.deregister().await.unwrap().success);
}

#[tokio::test]
async fn business_profile_is_read_flat_or_nested() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE}/whatsapp_business_profile")))
        .and(query_param("fields", "about,vertical"))
        .respond_with(ok(json!({"data": [{"about": "Flat", "vertical": "RETAIL", "messaging_product": "whatsapp"}]})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE}/whatsapp_business_profile")))
        .respond_with(ok(json!({"data": [{"business_profile": {"about": "Nested", "vertical": "SPACE_TRAVEL", "websites": null}}]})))
        .mount(&server)
        .await;
    let profile = client(&server).phone_number(PHONE).business_profile();
    let flat = profile
        .get()
        .fields([BusinessProfileField::About, BusinessProfileField::Vertical])
        .await
        .unwrap();
    assert_eq!(flat.about.as_deref(), Some("Flat"));
    assert_eq!(flat.vertical, Some(types::BusinessVertical::Retail));
    let nested = profile.get().await.unwrap();
    assert_eq!(nested.about.as_deref(), Some("Nested"));
    assert_eq!(
        nested.vertical,
        Some(types::BusinessVertical::Unknown("SPACE_TRAVEL".into()))
    );
    assert!(nested.business_profile.is_none());
}

#[tokio::test]
async fn futures_and_streams_are_send() {
    fn assert_send<T: Send + 'static>(_: T) {}
    let client = whatsapp_phone_numbers::v23_0::Client::builder()
        .access_token(TOKEN)
        .build()
        .unwrap();
    assert_send(client.phone_number(PHONE).get().send());
    assert_send(std::future::IntoFuture::into_future(
        client.phone_number(PHONE).deregister(),
    ));
    assert_send(
        client
            .business_account(WABA)
            .phone_numbers()
            .list()
            .stream(),
    );
}

/// Graph writes `null` for values it has none of; an optional list that comes back `null`
/// reads as empty and the rest of the answer is kept (it used to fail the whole read).
#[tokio::test]
async fn null_lists_and_values_in_a_settings_read_are_empty_not_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v23.0/{PHONE}/settings")))
        .respond_with(ok(json!({
            "calling": {
                "status": "enabled",
                "sip": { "status": "enabled", "servers": null },
                "call_hours": { "status": "enabled", "weekly_operating_hours": null, "holiday_schedule": null }
            },
            "user_identity_change": { "enable_identity_key_check": null },
            "storage_configuration": null
        })))
        .mount(&server)
        .await;
    let settings = client(&server)
        .phone_number(PHONE)
        .settings()
        .get()
        .await
        .unwrap();
    let calling = settings.calling.as_ref().unwrap();
    assert_eq!(calling.status, Some(types::FeatureStatus::Enabled));
    assert!(calling.sip.as_ref().unwrap().servers.is_empty());
    let hours = calling.call_hours.as_ref().unwrap();
    assert!(hours.holiday_schedule.is_empty());
    assert!(settings.storage_configuration.is_none());
}
