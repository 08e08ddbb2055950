//! Two Graph API versions in one binary: each client bound to its own types and path.

use whatsapp_phone_numbers::{ApiVersion, Field, v23_0, v24_0};
use whatsapp_phone_numbers_mock::{MockServer, demo};

#[tokio::test]
async fn both_versions_side_by_side_against_the_mock() {
    let server = MockServer::start().await;
    let old = v23_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap();
    let new = v24_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap();
    assert_eq!(old.api_version(), ApiVersion::V23_0);
    assert_eq!(new.api_version(), ApiVersion::V24_0);

    let a: v23_0::types::PhoneNumber = old
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([Field::Status])
        .await
        .unwrap()
        .into_inner();
    let b: v24_0::types::PhoneNumber = new
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([Field::Status, Field::Throughput])
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        a.status.as_ref().map(|s| s.as_str()),
        b.status.as_ref().map(|s| s.as_str())
    );
    // The v24.0-only field decodes into its own type.
    assert_eq!(
        b.throughput.unwrap().level,
        Some(v24_0::types::ThroughputLevel::Standard)
    );

    let paths: Vec<String> = server
        .state()
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths,
        [
            format!("/v23.0/{}", demo::DEMO_NUMBER_ID),
            format!("/v24.0/{}", demo::DEMO_NUMBER_ID)
        ]
    );
}

#[tokio::test]
async fn a_v23_client_reads_a_v24_answer_with_the_new_field() {
    let server = MockServer::start().await;
    // v23.0 types, v24.0 in the path: the answer carries `throughput`, which v23.0 types
    // do not know; it is ignored and the rest decodes.
    let client = v23_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .api_version(ApiVersion::V24_0)
        .build()
        .unwrap();
    let number = client
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([Field::Status, Field::Throughput, Field::QualityRating])
        .await
        .unwrap();
    assert!(number.status.is_some() && number.quality_rating.is_some());
    assert_eq!(number.meta().api_version.as_deref(), Some("v24.0"));

    let numbers = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .list()
        .fields([Field::Id, Field::Throughput])
        .collect_all()
        .await
        .unwrap();
    assert_eq!(numbers.len(), demo::DEMO_NUMBER_COUNT);
}

#[tokio::test]
async fn clients_of_two_versions_share_one_configuration() {
    let server = MockServer::start().await;
    let old = v23_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .api_version(ApiVersion::V24_0)
        .build()
        .unwrap();
    // Same pool, token and path version; v24.0 types.
    let new = v24_0::Client::from(old.core().clone());
    let n = new
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([Field::Throughput])
        .await
        .unwrap();
    assert!(n.throughput.is_some());
}

#[test]
fn xtask_diff_reports_the_v24_additions() {
    let report = xtask::diff(&xtask::Layout::workspace(), "v23.0", "v24.0").unwrap();
    for line in [
        "operations: 0 added, 0 removed, 0 changed",
        "types: 2 added, 0 removed, 2 changed",
        "~ fields PhoneNumberField",
        "    + field throughput",
        "~ type PhoneNumber",
        "    + field throughput?: PhoneNumberThroughput",
        "+ type PhoneNumberThroughput (struct, 1 fields)",
        "+ type ThroughputLevel (open enum: STANDARD | HIGH | NOT_APPLICABLE)",
    ] {
        assert!(
            report.lines().any(|l| l == line),
            "missing {line:?} in\n{report}"
        );
    }
}
