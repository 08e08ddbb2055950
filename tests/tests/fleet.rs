//! The fleet surface, through the facade against the mock: a business's accounts, one
//! account, subscriptions, Official Business Account, QR codes, conversational
//! automation, profile-picture uploads, and today's read fields.

use whatsapp_phone_numbers::prelude::*;
use whatsapp_phone_numbers::v24_0::{self, BusinessAccountField, PhoneNumberField, types};
use whatsapp_phone_numbers_mock::{MockServer, demo};

fn client(server: &MockServer) -> v24_0::Client {
    v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_business_lists_its_owned_and_client_accounts_page_by_page() {
    let server = MockServer::start().await;
    let client = client(&server);
    let business = client.business(demo::DEMO_BUSINESS_ID);
    let owned = business
        .owned_accounts()
        .page_size(1)
        .fields([
            BusinessAccountField::Id,
            BusinessAccountField::Name,
            BusinessAccountField::WhatsappBusinessManagerMessagingLimit,
        ])
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<_> = owned.iter().map(|a| a.id.clone().unwrap()).collect();
    assert_eq!(ids, [demo::DEMO_WABA_ID, demo::DEMO_SECOND_WABA_ID]);
    assert_eq!(owned[1].name.as_deref(), Some("Lucky Shrub"));
    assert_eq!(
        owned[0].whatsapp_business_manager_messaging_limit,
        Some(types::BusinessMessagingLimit::Tier10k)
    );
    let shared = business.client_accounts().await.unwrap();
    assert_eq!(shared.data.len(), 1);
    assert_eq!(
        shared.data[0].ownership_type, None,
        "not among the default fields"
    );
    // Two pages were read for the owned accounts (page size 1, two accounts).
    let requests = server.state().requests();
    let owned_calls = requests
        .iter()
        .filter(|r| r.path.ends_with("/owned_whatsapp_business_accounts"))
        .count();
    assert_eq!(owned_calls, 2);

    let account = client
        .business_account(demo::DEMO_WABA_ID)
        .get_fields(&[
            BusinessAccountField::Name,
            BusinessAccountField::AccountReviewStatus,
            BusinessAccountField::HealthStatus,
        ])
        .await
        .unwrap();
    assert_eq!(account.name.as_deref(), Some("Jaspers Market"));
    assert_eq!(
        account.account_review_status,
        Some(types::AccountReviewStatus::Approved)
    );
    assert!(account.health_status.is_some());

    // Bad input: nothing is sent.
    let before = server.state().request_count();
    let e = client
        .business("12ab")
        .owned_accounts()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("business_id"));
    let e = business
        .owned_accounts()
        .page_size(101)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("page_size"));
    assert_eq!(server.state().request_count(), before);
}

#[tokio::test]
async fn subscriptions_with_and_without_a_callback_override() {
    let server = MockServer::start().await;
    let client = client(&server);
    // The client's account: no app is subscribed to it, and the list says so with `data`.
    let subs = client
        .business_account(demo::DEMO_CLIENT_WABA_ID)
        .subscribed_apps();
    assert!(subs.list().await.unwrap().data.is_empty());

    // An override from an app that is not subscribed yet: Graph's error 100.
    let e = subs
        .override_callback("https://hooks.example.com/wa", "verify-me")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(100), "{e}");
    assert!(e.to_string().contains("must be subscribed"), "{e}");
    assert!(subs.list().await.unwrap().data.is_empty());

    // Subscribe, then override: both requests, in Graph's order.
    subs.subscribe_and_override("https://hooks.example.com/wa", "verify-me")
        .await
        .unwrap();
    let listed = subs.list().await.unwrap();
    assert_eq!(listed.data.len(), 1);
    assert_eq!(
        listed.data[0].override_callback_uri.as_deref(),
        Some("https://hooks.example.com/wa")
    );
    let app = listed.data[0].whatsapp_business_api_data.clone().unwrap();
    assert_eq!(
        app.id.as_deref(),
        Some(whatsapp_phone_numbers_mock::MOCK_APP_ID)
    );
    // Subscribing again without an override removes it.
    subs.remove_override().await.unwrap();
    assert_eq!(
        subs.list().await.unwrap().data[0].override_callback_uri,
        None
    );
    subs.unsubscribe().await.unwrap();
    assert!(subs.list().await.unwrap().data.is_empty());

    // Refused before anything is sent: a plain-http callback, an empty token, and an
    // override longer than Graph's 200 characters.
    let before = server.state().request_count();
    let e = subs
        .override_callback("http://plain.example.com", "t")
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("callback_url"));
    let e = subs
        .subscribe_and_override("https://hooks.example.com", "")
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("verify_token"));
    assert!(!format!("{e:?}").contains("verify-me"));
    let long = format!("https://hooks.example.com/{}", "a".repeat(175));
    assert_eq!(long.chars().count(), 201);
    for e in [
        subs.override_callback(&long, "t").await.unwrap_err(),
        subs.subscribe_and_override(&long, "t").await.unwrap_err(),
    ] {
        assert_eq!(e.invalid_field(), Some("callback_url"));
        assert!(e.to_string().contains("200"), "{e}");
    }
    assert_eq!(server.state().request_count(), before);
}

#[tokio::test]
async fn official_business_account_moves_through_its_states() {
    let server = MockServer::start().await;
    let client = client(&server);
    // A number without an application (the demo number's is approved already).
    let number = demo::DEMO_SANDBOX_NUMBER_ID;
    let oba = client.phone_number(number).official_business_account();
    assert_eq!(
        oba.get().await.unwrap().oba_status,
        Some(types::ObaStatus::NotStarted)
    );
    let links = (1..=5).map(|i| format!("https://press.example.com/{i}"));
    oba.request("https://jaspers.example.com", "United States of America")
        .primary_language("English")
        .supporting_links(links)
        .await
        .unwrap();
    assert_eq!(
        oba.get().await.unwrap().oba_status,
        Some(types::ObaStatus::Pending)
    );
    server
        .state()
        .set_oba_status(number, types::ObaStatus::Approved);
    assert_eq!(
        oba.get().await.unwrap().oba_status,
        Some(types::ObaStatus::Approved)
    );

    let before = server.state().request_count();
    let e = oba
        .request("https://jaspers.example.com", "US")
        .supporting_links(["https://a.example.com"])
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("supporting_links"));
    let e = oba.request("ftp://x", "US").await.unwrap_err();
    assert_eq!(e.invalid_field(), Some("business_website_url"));
    assert_eq!(server.state().request_count(), before);
}

#[tokio::test]
async fn qr_codes_are_created_listed_changed_and_deleted() {
    let server = MockServer::start().await;
    let client = client(&server);
    // A number without codes (the demo number has two).
    let qr = client.phone_number(demo::DEMO_SANDBOX_NUMBER_ID).qr_codes();
    let first = qr
        .create("Opening hours?")
        .image(types::QrImageFormat::Png)
        .await
        .unwrap();
    let code = first.code.clone().unwrap();
    assert!(first.qr_image_url.as_deref().unwrap().ends_with(".png"));
    assert_eq!(
        first.deep_link_url.as_deref(),
        Some(format!("https://wa.me/message/{code}").as_str())
    );
    qr.create("Deals?").await.unwrap();
    let all: Vec<types::QrCode> = qr.list().page_size(1).stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].prefilled_message.as_deref(),
        Some("Deals?"),
        "newest first"
    );

    qr.update(&code, "Opening hours, please").await.unwrap();
    assert_eq!(
        qr.get(&code).await.unwrap().prefilled_message.as_deref(),
        Some("Opening hours, please")
    );
    qr.delete(&code).await.unwrap();
    let e = qr.get(&code).await.unwrap_err();
    assert_eq!(e.code(), Some(803));

    let before = server.state().request_count();
    let e = qr.create("x".repeat(141)).await.unwrap_err();
    assert_eq!(e.invalid_field(), Some("prefilled_message"));
    let e = qr.delete("../etc").await.unwrap_err();
    assert_eq!(e.invalid_field(), Some("code"));
    assert_eq!(server.state().request_count(), before);
}

#[tokio::test]
async fn conversational_automation_is_set_and_read_back() {
    let server = MockServer::start().await;
    let client = client(&server);
    let number = client.phone_number(demo::DEMO_NUMBER_ID);
    number
        .conversational_automation()
        .welcome_message(true)
        .prompts(["Book a flight", "Plan a vacation"])
        .commands([("tickets", "Book flight tickets")])
        .await
        .unwrap();
    let read = number
        .get()
        .fields([PhoneNumberField::ConversationalAutomation])
        .await
        .unwrap();
    let automation = read.conversational_automation.clone().unwrap();
    assert_eq!(automation.enable_welcome_message, Some(true));
    assert_eq!(automation.prompts, ["Book a flight", "Plan a vacation"]);
    assert_eq!(automation.commands[0].command_name, "tickets");

    let before = server.state().request_count();
    let e = number
        .conversational_automation()
        .prompts(["a", "b", "c", "d", "e"])
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("prompts"));
    let e = number
        .conversational_automation()
        .commands([("/start", "Start")])
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("commands"));
    assert_eq!(server.state().request_count(), before);
}

#[tokio::test]
async fn a_profile_picture_is_uploaded_and_set() {
    let server = MockServer::start().await;
    let client = client(&server);
    let image = vec![0xFFu8, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5];
    let uploaded = client
        .app(whatsapp_phone_numbers_mock::MOCK_APP_ID)
        .upload("logo.jpg", "image/jpeg", image.clone())
        .await
        .unwrap();
    assert!(uploaded.h.starts_with("4:"), "{}", uploaded.h);
    client
        .phone_number(demo::DEMO_NUMBER_ID)
        .business_profile()
        .update()
        .profile_picture_handle(uploaded.h.clone())
        .await
        .unwrap();
    let requests = server.state().requests();
    let upload = requests
        .iter()
        .find(|r| r.path.contains("/upload:"))
        .expect("the bytes went to the session");
    assert!(upload.query_param("sig").is_some(), "{upload:?}");

    let e = client
        .app(whatsapp_phone_numbers_mock::MOCK_APP_ID)
        .upload("logo.gif", "image/gif", image)
        .await
        .unwrap_err();
    assert_eq!(e.invalid_field(), Some("file_type"));
}

#[tokio::test]
async fn todays_read_fields_and_graphs_own_unknown() {
    let server = MockServer::start().await;
    let client = client(&server);
    let number = client
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([
            PhoneNumberField::WhatsappBusinessManagerMessagingLimit,
            PhoneNumberField::HealthStatus,
            PhoneNumberField::PlatformType,
            PhoneNumberField::LastOnboardedTime,
            PhoneNumberField::IsPinEnabled,
            PhoneNumberField::WebhookConfiguration,
            PhoneNumberField::QualityScore,
        ])
        .await
        .unwrap();
    assert!(number.whatsapp_business_manager_messaging_limit.is_some());
    assert_eq!(
        number.health_status.as_ref().unwrap().can_send_message,
        Some(types::MessagingAvailability::Available)
    );
    assert_eq!(number.platform_type, Some(types::PlatformType::CloudApi));
    assert!(number.last_onboarded_time.as_ref().unwrap().is_string());
    assert!(
        number
            .webhook_configuration
            .as_ref()
            .unwrap()
            .application
            .is_some()
    );

    // Graph's own UNKNOWN quality is a known value, not the catch-all.
    let contoso = client
        .phone_number("106540390000005")
        .get()
        .fields([PhoneNumberField::QualityRating])
        .await
        .unwrap();
    assert_eq!(
        contoso.quality_rating,
        Some(types::QualityRating::GraphUnknown)
    );
    // Generic code reads the new limit through the views too.
    assert_eq!(
        number.whatsapp_business_manager_messaging_limit(),
        number.whatsapp_business_manager_messaging_limit.as_ref()
    );
}
