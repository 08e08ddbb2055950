//! The fleet surface, through the facade against the mock: a business's accounts, one
//! account, subscriptions, Official Business Account, QR codes, conversational
//! automation, profile-picture uploads, and today's read fields.

use whatsapp_phone_numbers::prelude::*;
use whatsapp_phone_numbers::v24_0::{self, BusinessAccountField, PhoneNumberField, types};
use whatsapp_phone_numbers_mock::{Fault, MockServer, demo};

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
    let submitted = oba
        .request("https://jaspers.example.com", "United States of America")
        .primary_language("English")
        .supporting_links(links)
        .await
        .unwrap();
    assert!(submitted.success);
    assert_eq!(
        submitted.updated_status.as_ref().unwrap().oba_status,
        Some(types::ObaStatus::Pending)
    );
    assert_eq!(
        oba.get().await.unwrap().oba_status,
        Some(types::ObaStatus::Pending)
    );
    // The number's `official_business_account` field reads the same application (how
    // Meta's guide reads the status).
    let node = client
        .phone_number(number)
        .get()
        .fields([PhoneNumberField::OfficialBusinessAccount])
        .await
        .unwrap();
    assert_eq!(
        node.official_business_account.as_ref().unwrap().oba_status,
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

/// An upload cut short after part of the file reached Graph resumes where the session
/// stands (`GET /{upload-session-id}` answers `file_offset`), never from 0 again: the file
/// Graph assembles is byte for byte the one sent (the mock's handle is a digest of it).
#[tokio::test]
async fn an_interrupted_upload_resumes_from_the_sessions_offset() {
    let server = MockServer::start().await;
    let client = client(&server);
    let app = client.app(whatsapp_phone_numbers_mock::MOCK_APP_ID);
    let image: Vec<u8> = (0..5_000u32).map(|i| (i % 251) as u8).collect();
    let whole = app
        .upload("logo.png", "image/png", image.clone())
        .await
        .unwrap();

    // Twice: 1,200 bytes arrive, then the request fails; later 700 more, then it fails.
    server.state().interrupt_uploads([1_200, 700]);
    let resumed = app
        .upload("logo.png", "image/png", image.clone())
        .await
        .unwrap();
    assert_eq!(resumed.h, whole.h, "the same bytes, assembled once each");
    let requests = server.state().requests();
    let status_reads = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/upload:"))
        .count();
    assert!(status_reads >= 2, "{requests:#?}");
    let start = requests
        .iter()
        .find(|r| r.path.ends_with("/uploads"))
        .unwrap();
    assert_eq!(start.query_param("file_name").as_deref(), Some("logo.png"));
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

/// Every account's numbers read one account at a time: what the expansion must equal.
async fn per_account(
    client: &v24_0::Client,
    wabas: &[String],
    fields: &[PhoneNumberField],
) -> Vec<(String, Vec<types::PhoneNumber>)> {
    let mut out = Vec::new();
    for waba in wabas {
        let numbers = client
            .business_account(waba.as_str())
            .phone_numbers()
            .list()
            .fields(fields.iter().cloned())
            .page_size(100)
            .collect_all()
            .await
            .unwrap();
        out.push((waba.clone(), numbers));
    }
    out
}

/// Every account of `business` with its numbers (`fields`, up to 100 embedded), read through
/// the expansion `page_size` accounts per page.
async fn expanded(
    client: &v24_0::Client,
    business: &str,
    page_size: u32,
    fields: &[PhoneNumberField],
) -> Vec<whatsapp_phone_numbers::AccountNumbers<v24_0::Version>> {
    client
        .business(business)
        .owned_accounts()
        .page_size(page_size)
        .with_phone_numbers(|n| n.fields(fields.iter().cloned()).limit(100))
        .collect_all()
        .await
        .unwrap()
}

/// Field expansion: a business's accounts read with their numbers embedded, the accounts
/// with more numbers than the nested limit completed from their own paging, in the same
/// order and with the same content as one account at a time, in 1 + (large accounts)
/// requests.
#[tokio::test]
async fn accounts_are_read_with_their_numbers_in_one_request_per_page() {
    const BUSINESS: &str = "1009000000000042";
    let server = MockServer::builder().empty().start().await.unwrap();
    let mut wabas = server.state().seed_fleet(BUSINESS, 3, 130);
    wabas.extend(server.state().seed_fleet(BUSINESS, 9, 7));
    let client = client(&server);
    let fields = [
        PhoneNumberField::Id,
        PhoneNumberField::Status,
        PhoneNumberField::QualityRating,
    ];
    let expected = per_account(&client, &wabas, &fields).await;
    server.state().clear_requests();

    let read = client
        .business(BUSINESS)
        .owned_accounts()
        .fields([BusinessAccountField::Id, BusinessAccountField::Name])
        .with_phone_numbers(|n| n.fields(fields.clone()).limit(100))
        .collect_all()
        .await
        .unwrap();
    let got: Vec<(String, Vec<types::PhoneNumber>)> = read
        .iter()
        .map(|a| {
            assert!(a.error.is_none(), "{:?}", a.error);
            assert!(a.account.name.is_some());
            assert!(a.account.phone_numbers.is_none(), "taken out");
            (a.account.id.clone().unwrap(), a.numbers.clone())
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got[0].1.len(), 130);
    // One page of accounts, then one batch call holding a follow-up page for each of the
    // 3 large accounts (the mock logs the batch call and each of its items).
    let requests = server.state().requests();
    assert_eq!(requests.len(), 5, "{requests:#?}");
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("POST", "/")
    );
    let first = &requests[0];
    assert_eq!(
        first.query_param("fields").as_deref(),
        Some("id,name,phone_numbers.limit(100){id,status,quality_rating}")
    );
    // The follow-ups are the nested paging's own `next`: the nested fields, the edge.
    for follow_up in &requests[2..] {
        assert!(follow_up.path.ends_with("/phone_numbers"), "{follow_up:?}");
        assert_eq!(
            follow_up.query_param("fields").as_deref(),
            Some("id,status,quality_rating")
        );
    }
}

/// The next pages of accounts are asked for as soon as a page is complete (its numbers'
/// follow-up pages read): while the consumer still holds the first account of a page, the
/// mock has already received the next pages' batch call (the stream is not polled in
/// between). After the first page, pages come as a chain in one batch call, each item
/// reading from the cursor of the page before it.
#[tokio::test]
async fn the_next_page_of_accounts_is_read_while_this_one_is_consumed() {
    use futures_util::StreamExt;
    const BUSINESS: &str = "1009000000000043";
    let server = MockServer::builder().empty().start().await.unwrap();
    server.state().seed_fleet(BUSINESS, 6, 3);
    let client = client(&server);
    let mut stream = client
        .business(BUSINESS)
        .owned_accounts()
        .fields([BusinessAccountField::Id])
        .page_size(2)
        .with_phone_numbers(|n| n.fields([PhoneNumberField::Id]))
        .stream();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.numbers.len(), 3);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.state().requests().len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the next pages were never asked for"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // The first page alone; then one batch call (logged, then each of its items) with the
    // second page, from the first page's cursor, and the third, from the second's (the
    // mock filled in the reference).
    let requests = server.state().requests();
    assert!(requests[0].query_param("after").is_none());
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("POST", "/")
    );
    let cursors: Vec<Option<String>> = requests[2..]
        .iter()
        .map(|r| r.query_param("after"))
        .collect();
    assert!(cursors.iter().all(Option::is_some), "{requests:#?}");
    assert_ne!(cursors[0], cursors[1]);
    // The rest comes in order, each page read once.
    let mut ids = vec![first.account.id.clone().unwrap()];
    while let Some(item) = stream.next().await {
        ids.push(item.unwrap().account.id.unwrap());
    }
    assert_eq!(ids.len(), 6);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 6);
    assert_eq!(server.state().requests().len(), 4);
}

/// A chain Graph left unfinished keeps the pages before the break and goes on from the last
/// one's cursor: a chain whose second item came back `null`, then a chain whose first item
/// did (that page read alone, and the rest a page at a time). Every account comes once, in
/// order, with its numbers.
#[tokio::test]
async fn a_broken_chain_keeps_its_pages_and_goes_on_from_the_last_one() {
    const BUSINESS: &str = "1009000000000044";
    let server = MockServer::builder().empty().start().await.unwrap();
    let wabas = server.state().seed_fleet(BUSINESS, 12, 3);
    let client = client(&server);
    let fields = [PhoneNumberField::Id, PhoneNumberField::Status];
    let expected = per_account(&client, &wabas, &fields).await;
    server.state().clear_requests();
    server.faults().push(Fault::batch_items_null([1]));
    server.faults().push(Fault::batch_items_null([0]));
    let read = client
        .business(BUSINESS)
        .owned_accounts()
        .page_size(1)
        .with_phone_numbers(|n| n.fields(fields.clone()))
        .collect_all()
        .await
        .unwrap();
    let got: Vec<_> = read
        .iter()
        .map(|a| {
            assert!(a.error.is_none(), "{:?}", a.error);
            (a.account.id.clone().unwrap(), a.numbers.clone())
        })
        .collect();
    assert_eq!(got, expected);
    // Page 1 alone; a chain of 2 (page 2, then page 3 unfinished); a chain broken after
    // one page starts again from one, doubled: a chain of 2 from page 2 whose first item
    // was unfinished (nothing after it runs): page 3 alone, and from then on one page at a
    // time, as without chains.
    let requests = server.state().requests();
    let shape: Vec<&str> = requests
        .iter()
        .map(|r| if r.path == "/" { "batch" } else { "page" })
        .collect();
    let mut want = vec!["page", "batch", "page", "batch", "page"];
    want.extend(["page"; 9]);
    assert_eq!(shape, want, "{requests:#?}");
}

/// A chain sized by small pages that meets large ones: its answer is larger than the client
/// reads (16 MiB), so the call is refused as a whole; that page is read alone and the next
/// chain is half as long, and the read ends with every account and number, still chaining.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chain_too_large_to_read_is_read_in_smaller_chains() {
    const BUSINESS: &str = "1009000000000045";
    let server = MockServer::builder()
        .empty()
        .expansion_limit(1_000_000)
        .request_log_limit(100_000)
        .start()
        .await
        .unwrap();
    // 8 pages of 100 small accounts, then 12 pages of 100 accounts of 100 numbers.
    server.state().seed_fleet(BUSINESS, 800, 2);
    server.state().seed_fleet(BUSINESS, 1_200, 100);
    let client = client(&server);
    let fields = [
        PhoneNumberField::Id,
        PhoneNumberField::DisplayPhoneNumber,
        PhoneNumberField::VerifiedName,
        PhoneNumberField::Status,
        PhoneNumberField::QualityRating,
        PhoneNumberField::NameStatus,
        PhoneNumberField::CodeVerificationStatus,
        PhoneNumberField::PlatformType,
        PhoneNumberField::Throughput,
    ];
    let read = expanded(&client, BUSINESS, 100, &fields).await;
    assert_eq!(read.len(), 2_000);
    let numbers: usize = read.iter().map(|a| a.numbers.len()).sum();
    assert_eq!(numbers, 800 * 2 + 1_200 * 100);
    let unique: std::collections::HashSet<_> = read.iter().map(|a| a.account.id.clone()).collect();
    assert_eq!(unique.len(), 2_000);
    // B: a batch call, p: a page the mock served. The refused call's pages were served
    // and thrown away (more than 20 served), its first page read again alone, and chains
    // went on after it (this data: p Bpp Bpppp B+8 served p Bpppp Bpppp Bpppp).
    let requests = server.state().requests();
    let shape: String = requests
        .iter()
        .map(|r| if r.path == "/" { 'B' } else { 'p' })
        .collect();
    let calls = shape.matches('B').count();
    let served = shape.len() - calls;
    assert!(served > 20, "a chain was refused: {shape}");
    assert!(served <= 20 + 16, "{shape}");
    let after_refusal = shape.split("ppppppppp").nth(1).unwrap_or_default();
    assert!(
        after_refusal.contains('B'),
        "still chaining after it: {shape}"
    );
}

/// Graph's error 1 ("reduce the amount of data"): the stream asks again from the same
/// cursor with fewer accounts per page, then fewer numbers per account; the result is the
/// same. The mock's limit counts accounts plus embedded numbers.
#[tokio::test]
async fn too_much_data_is_asked_again_in_smaller_pages() {
    const BUSINESS: &str = "1009000000000043";
    let server = MockServer::builder()
        .empty()
        .expansion_limit(120)
        .start()
        .await
        .unwrap();
    let wabas = server.state().seed_fleet(BUSINESS, 10, 60);
    let client = client(&server);
    let fields = [PhoneNumberField::Id, PhoneNumberField::Status];
    let expected = per_account(&client, &wabas, &fields).await;
    server.state().clear_requests();
    let read = expanded(&client, BUSINESS, 100, &fields).await;
    let got: Vec<_> = read
        .iter()
        .map(|a| (a.account.id.clone().unwrap(), a.numbers.clone()))
        .collect();
    assert_eq!(got, expected);
    // Default account fields were asked for beside the expansion.
    assert!(read[0].account.name.is_some());
    // 100 accounts → 50 → 25 → 12 → 6 → 3 → 1 (61 objects ≤ 120): each refusal was sent
    // once, never retried as it was.
    let requests = server.state().requests();
    let limits: Vec<String> = requests
        .iter()
        .take(7)
        .map(|r| r.query_param("limit").unwrap())
        .collect();
    assert_eq!(limits, ["100", "50", "25", "12", "6", "3", "1"]);
    // Then one account per page, the 9 pages in chains of 2, 4 and 8 (the last chain
    // reads 3 pages and the empty page after the last one; the items after it are not
    // run, as their cursor is not there).
    let batches: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.method == "POST" && r.path == "/")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(batches, [7, 10, 15], "{requests:#?}");
    assert_eq!(requests.len(), 7 + 3 + 5 + 5);
    assert!(
        requests[7..]
            .iter()
            .filter(|r| r.path != "/")
            .all(|r| r.query_param("limit").as_deref() == Some("1"))
    );

    // One account over the limit on its own: its numbers are asked for in halves.
    server.state().set_expansion_limit(40);
    server.state().clear_requests();
    let read = client
        .business(BUSINESS)
        .owned_accounts()
        .page_size(1)
        .with_phone_numbers(|n| n.fields(fields.clone()).limit(100))
        .collect_all()
        .await
        .unwrap();
    let got: Vec<_> = read
        .iter()
        .map(|a| (a.account.id.clone().unwrap(), a.numbers.clone()))
        .collect();
    assert_eq!(got, expected);
    let first = server.state().requests()[2].query_param("fields").unwrap();
    assert!(first.contains("phone_numbers.limit(25){"), "{first}");
}

/// A nested limit outside 1..=100 and a nested selection that is not one are refused
/// before anything is sent; the mock refuses a nested field the numbers do not have.
#[tokio::test]
async fn bad_nested_selections_are_refused() {
    let server = MockServer::start().await;
    let client = client(&server);
    for limit in [0, 101] {
        let error = client
            .business(demo::DEMO_BUSINESS_ID)
            .owned_accounts()
            .with_phone_numbers(|n| n.limit(limit))
            .collect_all()
            .await
            .unwrap_err();
        assert_eq!(
            error.invalid_field(),
            Some("phone_numbers.limit"),
            "{error}"
        );
    }
    let error = client
        .business(demo::DEMO_BUSINESS_ID)
        .owned_accounts()
        .with_phone_numbers(|n| n.field(PhoneNumberField::parse("id}")))
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(error.invalid_field(), Some("fields"), "{error}");
    assert_eq!(server.state().request_count(), 0, "nothing sent");
    let error = client
        .business(demo::DEMO_BUSINESS_ID)
        .owned_accounts()
        .with_phone_numbers(|n| n.field(PhoneNumberField::parse("no_such_field")))
        .collect_all()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(100), "{error}");
    // A single account read expands too.
    let account: serde_json::Value = reqwest::Client::new()
        .get(server.url(&format!(
            "/v24.0/{}?fields=phone_numbers.limit(2){{id}}",
            demo::DEMO_WABA_ID
        )))
        .bearer_auth(server.access_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        account["phone_numbers"]["data"].as_array().unwrap().len(),
        2
    );
    assert!(account["phone_numbers"]["paging"]["next"].is_string());
    assert_eq!(account["id"], demo::DEMO_WABA_ID);
}

/// The username edge: read, suggestions, a claim refused while another number of the
/// portfolio holds the name and moved with `force_transfer`, the rule checked before
/// sending, removal; the number's `username` field follows.
#[tokio::test]
async fn a_username_is_claimed_moved_and_removed() {
    use whatsapp_phone_numbers::Error;
    let server = MockServer::start().await;
    let client = client(&server);
    let holder = client.phone_number(demo::DEMO_NUMBER_ID).username();
    let current = holder.get().await.unwrap();
    assert_eq!(current.username.as_deref(), Some("jaspersmarket"));
    assert_eq!(current.status, Some(types::UsernameStatus::Approved));

    let other_id = "106540353250878"; // Jaspers Market Downtown, same portfolio
    let other = client.phone_number(other_id).username();
    assert_eq!(other.get().await.unwrap().username, None);
    let suggested = other.suggestions().await.unwrap();
    let names = &suggested.data[0].username_suggestions;
    assert!(
        names.contains(&"jaspers_market_downtown".to_owned()),
        "{names:?}"
    );
    assert!(
        names.iter().all(|n| n != "jaspersmarket"),
        "taken: {names:?}"
    );

    // Held by another number of the portfolio: refused, then moved.
    let refused = other.set("JaspersMarket").await.unwrap_err();
    assert!(
        matches!(&refused, Error::Api(api) if api.code == 100),
        "{refused:?}"
    );
    let moved = other.set("jaspersmarket").force_transfer().await.unwrap();
    assert_eq!(moved.status, Some(types::UsernameStatus::Reserved));
    assert_eq!(holder.get().await.unwrap().username, None);
    let read = client
        .phone_number(other_id)
        .get()
        .fields([PhoneNumberField::Username])
        .await
        .unwrap();
    assert_eq!(read.username.as_deref(), Some("jaspersmarket"));
    assert!(server.state().set_username_status(other_id, "approved"));
    assert_eq!(
        other.get().await.unwrap().status,
        Some(types::UsernameStatus::Approved)
    );

    // Meta's rule, before anything is sent.
    let before = server.state().requests().len();
    for bad in [
        "ab",
        "www.jaspers",
        "jaspers.com",
        "jas..pers",
        "123",
        "jaspers-market",
    ] {
        let error = other.set(bad).await.unwrap_err();
        assert_eq!(error.invalid_field(), Some("username"), "{bad}");
    }
    assert_eq!(server.state().requests().len(), before);

    assert!(other.delete().await.unwrap().success);
    assert_eq!(other.get().await.unwrap().username, None);
}

/// Commerce settings (catalog and cart, set by query parameters) and the business public
/// key (uploaded in PEM, read back with Meta's signature status); a private key is refused
/// before anything is sent and never echoed.
#[tokio::test]
async fn commerce_settings_and_the_business_public_key() {
    let server = MockServer::start().await;
    let client = client(&server);
    let phone = client.phone_number(demo::DEMO_NUMBER_ID);
    let before = phone.commerce_settings().await.unwrap();
    assert_eq!(before.data[0].is_cart_enabled, Some(false));
    phone
        .set_commerce_settings()
        .cart_enabled(true)
        .catalog_visible(true)
        .await
        .unwrap();
    let after = phone.commerce_settings().await.unwrap();
    assert_eq!(after.data[0].is_cart_enabled, Some(true));
    assert_eq!(after.data[0].is_catalog_visible, Some(true));
    let last = server.state().requests().last().unwrap().clone();
    assert_eq!(last.method, "GET");
    let set = server
        .state()
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(set.query_param("is_cart_enabled").as_deref(), Some("true"));

    assert!(phone.business_encryption().await.unwrap().data.is_empty());
    let key = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
    assert!(phone.set_business_encryption(key).await.unwrap().success);
    let read = phone.business_encryption().await.unwrap();
    assert_eq!(read.data[0].business_public_key.as_deref(), Some(key));
    assert_eq!(
        read.data[0].business_public_key_signature_status,
        Some(types::BusinessPublicKeySignatureStatus::Valid)
    );

    let count = server.state().requests().len();
    let private = "-----BEGIN PRIVATE KEY-----\nMIIEvQSECRET\n-----END PRIVATE KEY-----\n";
    let error = phone.set_business_encryption(private).await.unwrap_err();
    assert_eq!(error.invalid_field(), Some("business_public_key"));
    assert!(!error.to_string().contains("SECRET"), "{error}");
    let builder = format!("{:?}", phone.set_business_encryption(private));
    assert!(!builder.contains("SECRET"), "{builder}");
    let error = phone.set_commerce_settings().await.unwrap_err();
    assert_eq!(error.invalid_field(), Some("commerce_settings"));
    assert_eq!(server.state().requests().len(), count);
}
