//! Every Graph route over real HTTP: numbers, account numbers, settings, profiles, versions,
//! Graph headers, authentication and the server's own API.

mod common;

use common::*;
use serde_json::json;
use whatsapp_phone_numbers_api::transport::BearerTransport;
use whatsapp_phone_numbers_api::v24_0::{Client, Error};
use whatsapp_phone_numbers_mock::{MOCK_APP_ID, MockServer, appsecret_proof, serve, types};

#[tokio::test]
async fn get_number_answers_graph_default_fields() {
    let api = Api::start().await;
    let number = api.get(&format!("/v23.0/{DEMO_NUMBER_ID}")).await.ok();
    assert_eq!(
        keys(&number),
        [
            "code_verification_status",
            "display_phone_number",
            "id",
            "quality_rating",
            "verified_name"
        ]
    );
    assert_eq!(number["id"], DEMO_NUMBER_ID);
    assert_eq!(number["display_phone_number"], "+1 631-555-0100");
    assert_eq!(number["verified_name"], "Jaspers Market");
    assert_eq!(number["quality_rating"], "GREEN");
    assert_eq!(number["code_verification_status"], "VERIFIED");
}

#[tokio::test]
async fn get_number_honours_fields() {
    let api = Api::start().await;
    let n = api
        .get(&format!(
            "/v23.0/{DEMO_NUMBER_ID}?fields=status,messaging_limit_tier,name_status,account_mode,is_official_business_account,host_platform"
        ))
        .await
        .ok();
    assert_eq!(
        keys(&n),
        [
            "account_mode",
            "host_platform",
            "id",
            "is_official_business_account",
            "messaging_limit_tier",
            "name_status",
            "status"
        ]
    );
    assert_eq!(n["status"], "CONNECTED");
    assert_eq!(n["messaging_limit_tier"], "TIER_10K");
    assert_eq!(n["is_official_business_account"], true);
    assert_eq!(n["account_mode"], "LIVE");

    let only_status = api
        .get(&format!("/v23.0/{DEMO_NUMBER_ID}?fields=status"))
        .await
        .ok();
    assert_eq!(keys(&only_status), ["id", "status"]);

    let error = api
        .get(&format!(
            "/v23.0/{DEMO_NUMBER_ID}?fields=status,throughput_bogus"
        ))
        .await
        .graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("nonexisting field (throughput_bogus)"),
        "{error}"
    );
}

#[tokio::test]
async fn account_number_ids_answer_the_account_number_shape() {
    let api = Api::start().await;
    let node = api
        .get(&format!("/v23.0/{DEMO_ACCOUNT_NUMBER_ID}"))
        .await
        .ok();
    // Without `fields`: the account number's own defaults (Meta's reference page:
    // `id`, `display_phone_number`, `status`).
    assert_eq!(keys(&node), ["display_phone_number", "id", "status"]);
    let node = api
        .get(&format!(
            "/v23.0/{DEMO_ACCOUNT_NUMBER_ID}?fields=verified_name,code_verification_status"
        ))
        .await
        .ok();
    assert_eq!(node["verified_name"], "Jasper's Market");
    let typed: types::AccountNumber = serde_json::from_value(node).unwrap();
    assert_eq!(
        typed.code_verification_status,
        Some(types::CodeVerificationStatus::Verified)
    );

    let node = api
        .get(&format!(
            "/v23.0/{DEMO_ACCOUNT_NUMBER_ID}?fields=status,country_code,country_dial_code,messaging_limit_tier"
        ))
        .await
        .ok();
    assert_eq!(
        keys(&node),
        [
            "country_code",
            "country_dial_code",
            "id",
            "messaging_limit_tier",
            "status"
        ]
    );
    assert_eq!(node["country_code"], "US");

    // A phone-number-only field is not on the account number node.
    let error = api
        .get(&format!(
            "/v23.0/{DEMO_ACCOUNT_NUMBER_ID}?fields=host_platform"
        ))
        .await
        .graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("WhatsAppAccountNumber")
    );

    // Account numbers cannot be updated.
    api.post(
        &format!("/v23.0/{DEMO_ACCOUNT_NUMBER_ID}"),
        json!({"pin": "123456"}),
    )
    .await
    .graph_error(400, 100);
}

#[tokio::test]
async fn unknown_ids_and_paths_are_graph_errors() {
    let api = Api::start().await;
    let error = api.get("/v23.0/999000111").await.graph_error(400, 100);
    assert_eq!(error["error_subcode"], 33);
    assert_eq!(error["type"], "GraphMethodException");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported get request. Object with ID '999000111' does not exist"),
        "{error}"
    );
    let error = api
        .post(
            "/v23.0/999000111/register",
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        )
        .await
        .graph_error(400, 100);
    assert_eq!(error["error_subcode"], 33);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported post request")
    );

    // Known node, unknown edge.
    let error = api
        .get(&format!("/v23.0/{DEMO_NUMBER_ID}/conversations"))
        .await
        .graph_error(400, 2500);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("/conversations")
    );
    // Edges of the wrong kind of node.
    api.get(&format!("/v23.0/{DEMO_WABA_ID}/settings"))
        .await
        .graph_error(400, 2500);
    api.get(&format!("/v23.0/{DEMO_NUMBER_ID}/phone_numbers"))
        .await
        .graph_error(400, 2500);
    // Known edge, wrong method.
    let error = api
        .get(&format!("/v23.0/{DEMO_NUMBER_ID}/register"))
        .await
        .graph_error(400, 100);
    assert_eq!(error["error_subcode"], 33);
    let reply = api
        .send(api.request(reqwest::Method::DELETE, &format!("/v23.0/{DEMO_NUMBER_ID}")))
        .await;
    let error = reply.graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("Unsupported delete request")
    );
    // Too deep.
    api.get(&format!("/v23.0/{DEMO_NUMBER_ID}/settings/calling"))
        .await
        .graph_error(400, 2500);
    api.get("/v23.0/").await.graph_error(400, 2500);
}

#[tokio::test]
async fn any_version_prefix_works_and_others_are_rejected() {
    let api = Api::start().await;
    // A retired version is served as the oldest one, and named so (Graph's versioning:
    // calls to a version no longer available default to the oldest usable one); a version
    // newer than every specification is served by the newest.
    for (version, served) in [
        ("v23.0", "v23.0"),
        ("v24.0", "v24.0"),
        ("v19.0", "v23.0"),
        ("v100.1", "v100.1"),
    ] {
        let reply = api.get(&format!("/{version}/{DEMO_NUMBER_ID}")).await;
        assert_eq!(reply.ok()["id"], DEMO_NUMBER_ID);
        assert_eq!(reply.header("facebook-api-version"), served);
    }
    let page = api
        .get(&format!("/v24.0/{DEMO_WABA_ID}/phone_numbers?limit=1"))
        .await
        .ok();
    assert!(page["paging"]["next"].as_str().unwrap().contains("/v24.0/"));

    for bad in ["/foo", "/23.0", "/v23", "/V23.0", "/latest", "/"] {
        let reply = api.get(&format!("{bad}/{DEMO_NUMBER_ID}")).await;
        let error = reply.graph_error(400, 2500);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("Unknown path components")
        );
        assert_eq!(reply.header("facebook-api-version"), "v23.0");
    }
}

#[tokio::test]
async fn every_answer_carries_graph_headers() {
    let api = Api::start().await;
    let ok = api.get(&format!("/v23.0/{DEMO_NUMBER_ID}")).await;
    let error = api.get("/v23.0/404404").await;
    let unauthenticated = api
        .send(
            api.http
                .get(api.server.url(&format!("/v23.0/{DEMO_NUMBER_ID}"))),
        )
        .await;
    let mut request_ids = Vec::new();
    for reply in [&ok, &error, &unauthenticated] {
        for name in [
            "x-fb-request-id",
            "x-fb-trace-id",
            "facebook-api-version",
            "x-app-usage",
            "x-business-use-case-usage",
        ] {
            assert!(!reply.header(name).is_empty(), "{name} missing: {reply:?}");
        }
        assert!(reply.header("content-type").starts_with("application/json"));
        request_ids.push(reply.header("x-fb-request-id").to_owned());
        let app: serde_json::Value = serde_json::from_str(reply.header("x-app-usage")).unwrap();
        for key in ["call_count", "total_cputime", "total_time"] {
            assert!(app[key].is_u64(), "{app}");
        }
        let buc: serde_json::Value =
            serde_json::from_str(reply.header("x-business-use-case-usage")).unwrap();
        let entry = &buc[DEMO_WABA_ID][0];
        assert_eq!(entry["type"], "whatsapp_business_management");
        assert!(entry["call_count"].is_u64());
        assert_eq!(entry["estimated_time_to_regain_access"], 0);
    }
    request_ids.sort();
    request_ids.dedup();
    assert_eq!(request_ids.len(), 3, "fresh request IDs");
    // Two errors, two fresh trace IDs.
    assert_ne!(
        error.json()["error"]["fbtrace_id"],
        unauthenticated.json()["error"]["fbtrace_id"]
    );
}

#[tokio::test]
async fn update_number_changes_what_later_gets_show() {
    let api = Api::start().await;
    let path = format!("/v23.0/{DEMO_NUMBER_ID}");
    let reply = api
        .post(
            &path,
            json!({
                "new_display_name": "Jaspers Market Uptown",
                "search_visibility": "HIDDEN",
                "username": "jaspers.uptown",
                "webhook_configuration": {
                    "override_callback_uri": "https://hooks.example.com/wa",
                    "verify_token": "rotate-me"
                }
            }),
        )
        .await
        .ok();
    assert_eq!(reply, json!({"success": true}));
    let n = api
        .get(&format!(
            "{path}?fields=new_name_status,search_visibility,username,new_certificate"
        ))
        .await
        .ok();
    assert_eq!(n["new_name_status"], "PENDING_REVIEW");
    assert_eq!(n["search_visibility"], "HIDDEN");
    assert_eq!(n["username"], "jaspers.uptown");
    assert!(n["new_certificate"].is_string());
    // The override belongs to the app that set it, and reads back as that app's.
    let record = api.server.state().number_record(DEMO_NUMBER_ID).unwrap();
    let own = record.webhook_overrides.get(MOCK_APP_ID).unwrap();
    assert_eq!(own.callback_uri, "https://hooks.example.com/wa");
    assert_eq!(own.verify_token.as_deref(), Some("rotate-me"));
    let n = api
        .get(&format!("{path}?fields=webhook_configuration"))
        .await
        .ok();
    assert_eq!(
        n["webhook_configuration"]["phone_number"],
        "https://hooks.example.com/wa"
    );

    // An empty callback removes the override.
    api.post(
        &path,
        json!({"webhook_configuration": {"override_callback_uri": ""}}),
    )
    .await
    .ok();
    let record = api.server.state().number_record(DEMO_NUMBER_ID).unwrap();
    assert!(record.webhook_overrides.is_empty());

    // Connection status writes the status or the tier.
    api.post(
        &path,
        json!({"connection_status": "MESSAGING_LIMIT_TIER_4"}),
    )
    .await
    .ok();
    api.post(&path, json!({"connection_status": "FLAGGED"}))
        .await
        .ok();
    let n = api
        .get(&format!("{path}?fields=status,messaging_limit_tier"))
        .await
        .ok();
    assert_eq!(n["messaging_limit_tier"], "TIER_UNLIMITED");
    assert_eq!(n["status"], "FLAGGED");

    // Invalid values are refused and change nothing.
    for bad in [
        json!({"pin": "12345"}),
        json!({"pin": "abcdef"}),
        json!({"new_display_name": "J"}),
        json!({"search_visibility": "SOMETIMES"}),
        json!({"username": "no spaces allowed"}),
        json!({"webhook_configuration": {"override_callback_uri": "http://plain.example"}}),
        json!({"connection_status": "ASLEEP"}),
    ] {
        api.post(&path, bad.clone()).await.graph_error(400, 100);
    }
    assert_eq!(api.server.state().pin(DEMO_NUMBER_ID), None);
}

#[tokio::test]
async fn settings_read_and_write() {
    let api = Api::start().await;
    let path = format!("/v23.0/{DEMO_NUMBER_ID}/settings");
    let settings = api.get(&path).await.ok();
    assert_eq!(settings["calling"]["status"], "enabled");
    assert_eq!(settings["storage_configuration"]["status"], "default");
    let typed: types::PhoneNumberSettings = serde_json::from_value(settings).unwrap();
    assert!(typed.user_identity_change.is_some());

    let done = api
        .post(
            &path,
            json!({
                "calling": {"status": "disabled", "call_icon_visibility": "hidden", "sip": {"status": "enabled"}},
                "user_identity_change": {"enable_identity_key_check": false},
                "payload_encryption": {"status": "enabled", "client_encryption_key": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0="},
                "storage_configuration": {"enabled": true, "region": "IN"}
            }),
        )
        .await
        .ok();
    assert_eq!(done, json!({"success": true}));
    let settings = api.get(&path).await.ok();
    assert_eq!(settings["calling"]["status"], "disabled");
    assert_eq!(settings["calling"]["call_icon_visibility"], "hidden");
    assert_eq!(settings["calling"]["sip"]["status"], "enabled");
    assert_eq!(
        settings["calling"]["srtp_key_exchange_protocol"], "DTLS-SRTP",
        "untouched"
    );
    assert_eq!(
        settings["user_identity_change"]["enable_identity_key_check"],
        false
    );
    assert_eq!(settings["payload_encryption"]["status"], "enabled");
    assert_eq!(
        settings["payload_encryption"]["client_encryption_key_fingerprint"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(
        settings["storage_configuration"]["status"],
        "in_country_storage_enabled"
    );
    assert_eq!(
        settings["storage_configuration"]["data_localization_region"],
        "IN"
    );

    for bad in [
        json!({"storage_configuration": {"enabled": true}}),
        json!({"payload_encryption": {"status": "enabled"}}),
        json!({"calling": {"status": "maybe"}}),
        json!({"calling": {"video": {"status": "on"}}}),
        json!({"user_identity_change": {"enable_identity_key_check": "yes please"}}),
    ] {
        api.post(&path, bad).await.graph_error(400, 100);
    }
    // A read of another number's settings is unaffected.
    let other = api
        .get(&format!("/v23.0/{DEMO_PENDING_NUMBER_ID}/settings"))
        .await
        .ok();
    assert_eq!(other["storage_configuration"]["status"], "default");
}

#[tokio::test]
async fn business_profile_read_and_write() {
    let api = Api::start().await;
    let path = format!("/v23.0/{DEMO_NUMBER_ID}/whatsapp_business_profile");
    let list = api.get(&path).await.ok();
    let profile = &list["data"][0];
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(profile["messaging_product"], "whatsapp");
    assert_eq!(profile["vertical"], "GROCERY");
    assert!(profile["websites"].is_array());

    let only = api.get(&format!("{path}?fields=about,email")).await.ok();
    assert_eq!(
        keys(&only["data"][0]),
        ["about", "email", "messaging_product"]
    );
    api.get(&format!("{path}?fields=about,shoe_size"))
        .await
        .graph_error(400, 100);

    let done = api
        .post(
            &path,
            json!({
                "messaging_product": "whatsapp",
                "about": "Open 7am to 9pm.",
                "websites": ["https://jaspers.example", "https://shop.jaspers.example"],
                "vertical": "RETAIL",
                "profile_picture_handle": "4::aW1hZ2UvanBlZw==:ARb"
            }),
        )
        .await
        .ok();
    assert_eq!(done, json!({"success": true}));
    let profile = api.get(&path).await.ok()["data"][0].clone();
    assert_eq!(profile["about"], "Open 7am to 9pm.");
    assert_eq!(profile["vertical"], "RETAIL");
    assert_eq!(profile["websites"].as_array().unwrap().len(), 2);
    assert!(
        profile["profile_picture_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(profile["email"], "hello@jaspers.example", "untouched");
    let typed: types::BusinessProfileList =
        serde_json::from_value(api.get(&path).await.ok()).unwrap();
    assert_eq!(
        typed.data[0].vertical,
        Some(types::BusinessVertical::Retail)
    );

    let long_about = "a".repeat(140);
    for bad in [
        json!({"about": "no product"}),
        json!({"messaging_product": "sms", "about": "x"}),
        json!({"messaging_product": "whatsapp", "about": long_about}),
        json!({"messaging_product": "whatsapp", "about": ""}),
        json!({"messaging_product": "whatsapp", "websites": ["https://a", "https://b", "https://c"]}),
        json!({"messaging_product": "whatsapp", "websites": ["ftp://a"]}),
        json!({"messaging_product": "whatsapp", "email": "not-an-email"}),
        json!({"messaging_product": "whatsapp", "vertical": "SPACESHIPS"}),
    ] {
        api.post(&path, bad).await.graph_error(400, 100);
    }
}

#[tokio::test]
async fn missing_and_wrong_tokens_are_oauth_errors() {
    let api = Api::start().await;
    let url = api.server.url(&format!("/v23.0/{DEMO_NUMBER_ID}"));
    let missing = api.send(api.http.get(&url)).await;
    let error = missing.graph_error(401, 190);
    assert_eq!(error["type"], "OAuthException");
    assert!(missing.header("www-authenticate").contains("OAuth"));

    let wrong = api
        .send(api.http.get(&url).bearer_auth("not-the-token"))
        .await;
    let error = wrong.graph_error(401, 190);
    assert_eq!(error["type"], "OAuthException");

    // The token can also come as the access_token parameter.
    let in_query = api
        .send(api.http.get(format!("{url}?access_token=mock-token")))
        .await;
    assert_eq!(in_query.ok()["id"], DEMO_NUMBER_ID);
    let in_form = api
        .send(
            api.http
                .post(format!("{url}/deregister"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("access_token=mock-token"),
        )
        .await;
    assert_eq!(in_form.ok(), json!({"success": true}));
}

#[tokio::test]
async fn a_custom_token_replaces_the_default() {
    let api = Api::with(MockServer::builder().access_token("s3cr3t-token")).await;
    assert_eq!(api.server.access_token(), "s3cr3t-token");
    api.get(&format!("/v23.0/{DEMO_NUMBER_ID}")).await.ok();
    let old = api
        .send(
            api.http
                .get(api.server.url(&format!("/v23.0/{DEMO_NUMBER_ID}")))
                .bearer_auth("mock-token"),
        )
        .await;
    old.graph_error(401, 190);
}

#[tokio::test]
async fn appsecret_proof_is_required_and_checked() {
    // An app secret alone (it signs webhooks) demands no proof.
    let relaxed = Api::with(MockServer::builder().app_secret("app-secret-123")).await;
    relaxed.get(&format!("/v23.0/{DEMO_NUMBER_ID}")).await.ok();

    // Graph's "Require App Secret" setting does.
    let api = Api::with(
        MockServer::builder()
            .app_secret("app-secret-123")
            .require_appsecret_proof(),
    )
    .await;
    let path = format!("/v23.0/{DEMO_NUMBER_ID}");

    let error = api.get(&path).await.graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("appsecret_proof")
    );

    let error = api
        .get(&format!("{path}?appsecret_proof=deadbeef"))
        .await
        .graph_error(400, 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("appsecret_proof")
    );
    api.get(&format!("{path}?appsecret_proof=not-hex-at-all"))
        .await
        .graph_error(400, 100);
    // A proof made with another secret is refused.
    let forged = appsecret_proof("mock-token", "other-secret");
    api.get(&format!("{path}?appsecret_proof={forged}"))
        .await
        .graph_error(400, 100);

    let proof = appsecret_proof("mock-token", "app-secret-123");
    assert_eq!(proof.len(), 64);
    assert_eq!(proof, proof.to_lowercase());
    let n = api
        .get(&format!("{path}?appsecret_proof={proof}"))
        .await
        .ok();
    assert_eq!(n["id"], DEMO_NUMBER_ID);
    // In a form body too.
    let done = api
        .post_raw(
            &format!("{path}/deregister"),
            "application/x-www-form-urlencoded",
            format!("appsecret_proof={proof}"),
        )
        .await
        .ok();
    assert_eq!(done, json!({"success": true}));
    // A wrong token is still a 401, whatever the proof.
    let wrong = api
        .send(
            api.http
                .get(api.server.url(&format!("{path}?appsecret_proof={proof}")))
                .bearer_auth("wrong"),
        )
        .await;
    wrong.graph_error(401, 190);
}

#[tokio::test]
async fn the_generated_client_round_trips_against_the_mock() {
    let server = MockServer::start().await;
    let transport = BearerTransport::new(server.access_token())
        .unwrap()
        .shared();
    let client = Client::new_with_client(&server.base_url(), http_client(), transport);

    let number = client
        .get_phone_number("v23.0", DEMO_NUMBER_ID, Some("status,quality_rating"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(number.status, Some(types::PhoneNumberStatus::Connected));
    assert_eq!(number.quality_rating, Some(types::QualityRating::Green));

    let page = client
        .list_phone_numbers(
            "v23.0",
            DEMO_WABA_ID,
            None,
            None,
            None,
            None,
            std::num::NonZeroU32::new(5),
            None,
            Some("total_count"),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data.len(), 5);
    assert_eq!(
        page.summary.unwrap().total_count,
        Some(DEMO_NUMBER_COUNT as i64)
    );
    assert!(page.paging.unwrap().next.is_some());

    let account = client
        .get_account_number("v23.0", DEMO_ACCOUNT_NUMBER_ID, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(account.id.as_deref(), Some(DEMO_ACCOUNT_NUMBER_ID));

    let settings = client
        .get_settings("v23.0", DEMO_NUMBER_ID, None)
        .await
        .unwrap()
        .into_inner();
    assert!(settings.calling.is_some());
    let profile = client
        .get_business_profile("v23.0", DEMO_NUMBER_ID, Some("about"))
        .await
        .unwrap()
        .into_inner();
    assert!(profile.data[0].about.is_some());

    let created = client
        .add_phone_number(
            "v23.0",
            DEMO_WABA_ID,
            &types::AddPhoneNumberRequest {
                cc: "44".into(),
                phone_number: "7700900123".into(),
                verified_name: "Generated Client Ltd".into(),
                migrate_phone_number: None,
                preverified_id: None,
            },
        )
        .await
        .unwrap()
        .into_inner();
    let added = server.state().number(&created.id).unwrap();
    assert_eq!(
        added.display_phone_number.as_deref(),
        Some("+44 7700900123")
    );
    assert_eq!(added.country_code.as_deref(), Some("GB"));

    match client.get_phone_number("v23.0", "31337", None).await {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 400);
            assert_eq!(response.error.code, 100);
            assert_eq!(response.error.error_subcode, Some(33));
            assert!(response.error.fbtrace_id.is_some());
        }
        other => panic!("expected a Graph error, got {other:?}"),
    }
}

#[tokio::test]
async fn state_handle_seeds_and_inspects() {
    let api = Api::with(MockServer::builder().empty()).await;
    let state = api.server.state();
    // No demo data.
    api.get(&format!("/v23.0/{DEMO_WABA_ID}/phone_numbers"))
        .await
        .graph_error(400, 100);
    assert!(state.waba_ids().is_empty());

    state.add_waba("555000");
    let id = state.add_number(
        "555000",
        types::PhoneNumber {
            display_phone_number: Some("+1 555-555-0142".into()),
            verified_name: Some("Seeded".into()),
            status: Some(types::PhoneNumberStatus::RateLimited),
            quality_rating: Some(types::QualityRating::Red),
            ..Default::default()
        },
    );
    let fixed = state.add_number(
        "555000",
        types::PhoneNumber {
            id: Some("777".into()),
            quality_rating: Some(types::QualityRating::Unknown("PURPLE".into())),
            ..Default::default()
        },
    );
    assert_eq!(fixed, "777");
    let page = api
        .get("/v23.0/555000/phone_numbers?fields=status,quality_rating")
        .await
        .ok();
    assert_eq!(ids(&page), vec!["777".to_owned(), id.clone()]);
    assert_eq!(page["data"][0]["quality_rating"], "PURPLE");
    assert_eq!(page["data"][1]["status"], "RATE_LIMITED");

    assert!(state.update_number(&id, |r| r.pin = Some("000111".into())));
    assert_eq!(state.pin(&id).as_deref(), Some("000111"));
    assert!(!state.update_number("nope", |_| {}));
    assert_eq!(
        state.settings(&id).unwrap().calling.unwrap().status,
        Some(types::FeatureStatus::Disabled)
    );
    assert!(state.business_profile(&id).is_some());

    let account = state.add_account_number(
        "555000",
        types::AccountNumber {
            verified_name: Some("Sibling".into()),
            ..Default::default()
        },
    );
    let node = api
        .get(&format!("/v23.0/{account}?fields=verified_name"))
        .await
        .ok();
    assert_eq!(node["verified_name"], "Sibling");
    assert_eq!(
        state
            .account_number(&account)
            .unwrap()
            .verified_name
            .as_deref(),
        Some("Sibling")
    );

    let log = state.requests();
    assert_eq!(state.request_count(), 3);
    assert_eq!(
        log[1].as_tuple(),
        (
            "GET",
            "/v23.0/555000/phone_numbers",
            "fields=status,quality_rating"
        )
    );
    assert_eq!(
        log[1].query_param("fields").as_deref(),
        Some("status,quality_rating")
    );
    state.clear_requests();
    assert_eq!(state.request_count(), 0);
}

#[tokio::test]
async fn builder_port_and_shutdown() {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = MockServer::builder().port(port).start().await.unwrap();
    assert_eq!(server.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(server.address().port(), port);
    let http = http_client();
    let url = server.url(&format!("/v23.0/{DEMO_NUMBER_ID}"));
    assert_eq!(
        http.get(&url)
            .bearer_auth("mock-token")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    server.shutdown().await;
    assert!(http_client().get(&url).send().await.is_err(), "stopped");

    // Dropping stops the server too.
    let server = MockServer::start().await;
    let url = server.url(&format!("/v23.0/{DEMO_NUMBER_ID}"));
    drop(server);
    let mut stopped = false;
    for _ in 0..50 {
        if http_client().get(&url).send().await.is_err() {
            stopped = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(stopped, "a dropped server stops");
}

#[tokio::test]
async fn serve_runs_a_service_until_told_to_stop() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let service = MockServer::builder().access_token("cli-token").service();
    assert_eq!(service.access_token(), "cli-token");
    assert_eq!(
        service.app_secret(),
        whatsapp_phone_numbers_mock::DEFAULT_APP_SECRET
    );
    let state = service.state();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, service, async {
        let _ = stopped.await;
    }));
    let reply = http_client()
        .get(format!(
            "http://{address}/v23.0/{DEMO_WABA_ID}/phone_numbers?summary=total_count&limit=1"
        ))
        .bearer_auth("cli-token")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let page: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(page["summary"]["total_count"], DEMO_NUMBER_COUNT);
    assert_eq!(state.request_count(), 1);
    stop.send(()).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(5), task)
        .await
        .expect("serve returns after shutdown")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn throughput_is_a_v24_field() {
    let api = Api::start().await;
    let n = api
        .get(&format!("/v24.0/{DEMO_NUMBER_ID}?fields=throughput"))
        .await
        .ok();
    assert_eq!(n["throughput"]["level"], "STANDARD");
    let listed = api
        .get(&format!(
            "/v24.0/{DEMO_WABA_ID}/phone_numbers?fields=throughput&limit=100"
        ))
        .await
        .ok();
    let levels: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["throughput"]["level"].as_str().unwrap())
        .collect();
    assert!(
        levels.contains(&"HIGH") && levels.contains(&"STANDARD"),
        "{levels:?}"
    );

    // v23.0 does not have the field, as on Graph.
    let old = api
        .get(&format!("/v23.0/{DEMO_NUMBER_ID}?fields=throughput"))
        .await;
    old.graph_error(400, 100);
}
