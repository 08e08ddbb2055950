//! The facade against the project's mock Graph API over loopback: every operation, the
//! registration lifecycle, authentication, and each fault mode.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use whatsapp_phone_numbers::v23_0::{AccountNumberField, Client, PhoneNumberField as Field, types};
use whatsapp_phone_numbers::{
    ApiVersion, Error, Filter, RetryConfig, Sort, TwoStepPin, VerificationCode,
};
use whatsapp_phone_numbers_mock::{Fault, MockServer, demo};

fn fast() -> RetryConfig {
    RetryConfig::default()
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(5))
}

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .retry(fast())
        .build()
        .unwrap()
}

#[tokio::test]
async fn registration_lifecycle() {
    let server = MockServer::start().await;
    let client = client_for(&server);

    let created = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .add("1", "6315559876", "Jaspers Market Annex")
        .await
        .unwrap();
    let phone = client.phone_number(created.id.clone());
    let fresh = phone
        .get()
        .fields([Field::Status, Field::CodeVerificationStatus])
        .await
        .unwrap();
    assert_eq!(fresh.status, Some(types::PhoneNumberStatus::Pending));
    assert_ne!(
        fresh.code_verification_status,
        Some(types::CodeVerificationStatus::Verified)
    );

    // Registering before verification is refused by the mock, as by Graph.
    assert!(
        phone
            .register(TwoStepPin::new("150954").unwrap())
            .await
            .is_err()
    );

    phone
        .request_code(types::CodeMethod::Sms, "en_US")
        .await
        .unwrap();
    let code = server
        .state()
        .verification_code(&created.id)
        .expect("a code was sent");
    // The code is also discoverable over HTTP, for tests outside Rust.
    let over_http: serde_json::Value =
        reqwest::get(server.url(&format!("/__mock/verification_code/{}", created.id)))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(over_http["code"], code.as_str());

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let error = phone
        .verify_code(VerificationCode::new(wrong).unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(136025));
    assert_eq!(error.status(), Some(400));
    assert!(error.fbtrace_id().is_some());
    assert_eq!(
        server
            .state()
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/verify_code"))
            .count(),
        1,
        "not retried"
    );

    phone
        .verify_code(VerificationCode::new(&code).unwrap())
        .await
        .unwrap();
    phone
        .register(TwoStepPin::new("150954").unwrap())
        .await
        .unwrap();
    let live = phone
        .get()
        .fields([Field::Status, Field::CodeVerificationStatus])
        .await
        .unwrap();
    assert_eq!(live.status, Some(types::PhoneNumberStatus::Connected));
    assert_eq!(
        live.code_verification_status,
        Some(types::CodeVerificationStatus::Verified)
    );

    phone
        .set_pin(TwoStepPin::new("246810").unwrap())
        .await
        .unwrap();
    assert_eq!(server.state().pin(&created.id).as_deref(), Some("246810"));
    phone.deregister().await.unwrap();
    let gone = phone.get().fields([Field::Status]).await.unwrap();
    assert_eq!(gone.status, Some(types::PhoneNumberStatus::Disconnected));

    // Registering again needs the PIN that is set.
    let mismatch = phone
        .register(TwoStepPin::new("999999").unwrap())
        .await
        .unwrap_err();
    assert_eq!(mismatch.code(), Some(133005));
    phone
        .register(TwoStepPin::new("246810").unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn every_read_and_write_operation() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let phone = client.phone_number(demo::DEMO_NUMBER_ID);

    let number = phone
        .get()
        .fields([
            Field::Status,
            Field::QualityRating,
            Field::MessagingLimitTier,
            Field::NameStatus,
        ])
        .await
        .unwrap();
    assert!(number.status.is_some() && number.quality_rating.is_some());
    assert_eq!(number.meta().api_version(), Some("v23.0"));
    assert!(number.meta().request_id().is_some());
    assert!(!number.meta().business_use_case_usage().is_empty());
    assert!(number.meta().app_usage().is_some());

    let account = client
        .account_number(demo::DEMO_ACCOUNT_NUMBER_ID)
        .get()
        .fields([
            AccountNumberField::Status,
            AccountNumberField::DisplayPhoneNumber,
        ])
        .await
        .unwrap();
    assert!(account.display_phone_number.is_some());

    // Stream every demo number, 7 per page: all of them, no duplicates.
    let all: Vec<types::PhoneNumber> = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .list()
        .page_size(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut ids: Vec<_> = all.iter().map(|n| n.id.clone().unwrap()).collect();
    assert_eq!(ids.len(), demo::DEMO_NUMBER_COUNT);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), demo::DEMO_NUMBER_COUNT);

    let sandbox: Vec<types::PhoneNumber> = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .list()
        .fields([Field::Id, Field::AccountMode])
        .filter(Filter::account_mode(types::AccountMode::Sandbox))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!sandbox.is_empty());
    assert!(
        sandbox
            .iter()
            .all(|n| n.account_mode == Some(types::AccountMode::Sandbox))
    );

    let ascending = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .list()
        .sort(Sort::LastOnboardedAscending)
        .with_total_count()
        .page_size(100)
        .await
        .unwrap();
    assert_eq!(
        ascending.summary.as_ref().unwrap().total_count,
        Some(demo::DEMO_NUMBER_COUNT as i64)
    );
    let first_desc = &all[0].id;
    assert_eq!(
        &ascending.data.last().unwrap().id,
        first_desc,
        "ascending is the reverse order"
    );

    phone
        .set_display_name("Jaspers Market Central")
        .await
        .unwrap();
    let renamed = phone.get().fields([Field::NewNameStatus]).await.unwrap();
    assert_eq!(
        renamed.new_name_status,
        Some(types::NameStatus::PendingReview)
    );

    phone
        .set_webhook("https://hooks.example.com/wa", Some("verify-me".into()))
        .await
        .unwrap();

    phone.settings().set_identity_key_check(true).await.unwrap();
    let settings = phone.settings().get().await.unwrap();
    assert_eq!(
        settings
            .user_identity_change
            .as_ref()
            .and_then(|u| u.enable_identity_key_check),
        Some(true)
    );

    phone
        .business_profile()
        .update()
        .about("Fresh produce every day")
        .email("hello@jaspers.example")
        .websites(["https://jaspers.example"])
        .vertical(types::BusinessVertical::Grocery)
        .await
        .unwrap();
    let profile = phone.business_profile().get().await.unwrap();
    assert_eq!(profile.about.as_deref(), Some("Fresh produce every day"));
    assert_eq!(profile.vertical, Some(types::BusinessVertical::Grocery));
}

#[tokio::test]
async fn authentication_and_appsecret_proof() {
    let server = MockServer::builder()
        .app_secret("shh-app-secret")
        .require_appsecret_proof()
        .start()
        .await
        .unwrap();
    let signed = Client::builder()
        .access_token(server.access_token())
        .app_secret("shh-app-secret")
        .base_url(server.base_url())
        .build()
        .unwrap();
    signed
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .await
        .unwrap();

    let wrong_secret = Client::builder()
        .access_token(server.access_token())
        .app_secret("not-the-secret")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let error = wrong_secret
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(100));
    assert!(error.to_string().contains("appsecret_proof"), "{error}");

    let wrong_token = Client::builder()
        .access_token("EAA-not-valid")
        .app_secret("shh-app-secret")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let error = wrong_token
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .await
        .unwrap_err();
    assert!(error.is_auth(), "{error}");
    assert_eq!(error.status(), Some(401));
    assert!(!format!("{error:?}").contains("EAA-not-valid"));
}

#[tokio::test]
async fn versions_in_the_path_are_served() {
    let server = MockServer::start().await;
    let v24 = Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .api_version(ApiVersion::V24_0)
        .build()
        .unwrap();
    let number = v24.phone_number(demo::DEMO_NUMBER_ID).get().await.unwrap();
    assert_eq!(number.meta().api_version(), Some("v24.0"));
    assert!(
        server
            .state()
            .requests()
            .iter()
            .all(|r| r.path.starts_with("/v24.0/"))
    );
}

#[tokio::test]
async fn each_fault_mode_surfaces_as_a_typed_error_or_a_successful_retry() {
    let server = MockServer::start().await;
    let client = client_for(&server);
    let phone = client.phone_number(demo::DEMO_NUMBER_ID);
    let faults = server.faults();

    // 429 + Retry-After: waited, then succeeded.
    faults.rate_limited(1);
    let started = Instant::now();
    let number = phone.get().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(number.meta().attempts(), 2);

    // 5xx: retried.
    faults.server_error(503);
    assert_eq!(phone.get().await.unwrap().meta().attempts(), 2);

    // Throttling code: retried.
    faults.graph_error(400, 80007, None, false);
    assert_eq!(phone.get().await.unwrap().meta().attempts(), 2);

    // Delay within the timeout: just slower.
    faults.delay(Duration::from_millis(50));
    phone.get().await.unwrap();

    // HTML page, every attempt: typed HTTP error with status and excerpt.
    faults.push(Fault::html(502).times(3));
    match phone.get().await.unwrap_err() {
        Error::Http(e) => {
            assert_eq!(e.status, 502);
            assert!(
                e.body_excerpt.to_ascii_lowercase().contains("<html"),
                "{e:?}"
            );
            assert_eq!(e.meta.attempts(), 3);
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }

    // Truncated JSON on a 200: decode error, status kept.
    faults.truncated();
    match phone.get().await.unwrap_err() {
        Error::Decode(e) => assert_eq!(e.status, 200),
        other => panic!("expected a decode error, got {other:?}"),
    }

    // Registration throttling: never retried.
    faults.push(Fault::graph_error(400, 133016, None, false).times(3));
    let error = phone.deregister().await.unwrap_err();
    assert_eq!(error.code(), Some(133016));
    assert!(!error.is_retryable());
    assert_eq!(
        faults.pending().iter().map(|f| f.times).sum::<u32>(),
        2,
        "one attempt only"
    );
    faults.clear();

    // Business use case throttle beyond the wait ceiling: returned at once with retry_after.
    faults.usage_throttled(5);
    let error = phone.get().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(300)));
    assert!(error.is_throttling());

    // A delay beyond the timeout: a timeout error after the retries.
    let impatient = Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .timeout(Duration::from_millis(100))
        .retry(fast().with_max_retries(1))
        .build()
        .unwrap();
    faults.push(Fault::delay(Duration::from_millis(600)).times(2));
    match impatient
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .await
        .unwrap_err()
    {
        Error::Network(e) => {
            assert!(e.timeout);
            assert_eq!(e.attempts, 2);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}
