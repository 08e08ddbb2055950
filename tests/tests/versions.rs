//! Graph API versions side by side: each client bound to its own types and path, one
//! version decision per client, generic code over any version, and run-time choice.

use whatsapp_phone_numbers::prelude::*;
use whatsapp_phone_numbers::{Picked, VersionVisitor, v23_0, v24_0, visit_version};
use whatsapp_phone_numbers_mock::{MockServer, demo};

fn paths(server: &MockServer) -> Vec<String> {
    server
        .state()
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect()
}

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
        .fields([v23_0::PhoneNumberField::Status])
        .await
        .unwrap()
        .into_inner();
    let b: v24_0::types::PhoneNumber = new
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([
            v24_0::PhoneNumberField::Status,
            v24_0::PhoneNumberField::Throughput,
        ])
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
    assert_eq!(
        paths(&server),
        [
            format!("/v23.0/{}", demo::DEMO_NUMBER_ID),
            format!("/v24.0/{}", demo::DEMO_NUMBER_ID)
        ]
    );
}

/// What the README's side-by-side program does (`tests/readme.rs` runs the program itself), with the paths it sends checked.
#[tokio::test]
async fn the_readme_side_by_side_snippet() {
    let server = MockServer::start().await;
    let (token, base_url) = (server.access_token().to_owned(), server.base_url());
    let result: Result<(), whatsapp_phone_numbers::Error> = async {
        // --- README: versions side by side ---
        let old = v23_0::Client::builder()
            .access_token(token)
            .base_url(base_url)
            .build()?;
        // Same pool and credentials; v24.0 types, and v24.0 in every path.
        let new = v24_0::Client::from(old.core().clone());
        let number = new
            .phone_number(demo::DEMO_NUMBER_ID)
            .get()
            .fields([v24_0::PhoneNumberField::Throughput])
            .await?;
        println!("{:?}", number.throughput);
        // The same, from the client itself.
        let also_new: v24_0::Client = old.for_version();
        assert_eq!(also_new.api_version(), ApiVersion::V24_0);
        // --- end ---
        assert!(number.throughput.is_some());
        let status = old.phone_number(demo::DEMO_NUMBER_ID).get().await?;
        assert!(status.id.is_some());
        Ok(())
    }
    .await;
    result.unwrap();
    assert_eq!(
        paths(&server),
        [
            format!("/v24.0/{}", demo::DEMO_NUMBER_ID),
            format!("/v23.0/{}", demo::DEMO_NUMBER_ID)
        ],
        "a client built from another's configuration sends its own version"
    );
}

#[tokio::test]
async fn only_an_explicit_pin_sends_another_version() {
    let server = MockServer::start().await;
    // v23.0 types, v24.0 in the path: the answer carries `throughput`, which v23.0 types
    // do not know; it is ignored and the rest decodes. Selecting it takes the explicit
    // escape hatch, `Unknown`.
    let client = v23_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .api_version(ApiVersion::V24_0)
        .build()
        .unwrap();
    let number = client
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .fields([
            v23_0::PhoneNumberField::Status,
            v23_0::PhoneNumberField::Unknown("throughput".into()),
            v23_0::PhoneNumberField::QualityRating,
        ])
        .await
        .unwrap();
    assert!(number.status.is_some() && number.quality_rating.is_some());
    assert_eq!(number.meta().api_version(), Some("v24.0"));

    let numbers = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .list()
        .fields([v23_0::PhoneNumberField::Id])
        .collect_all()
        .await
        .unwrap();
    assert_eq!(numbers.len(), demo::DEMO_NUMBER_COUNT);

    // The same pin on a built client, and back.
    let pinned = v24_0::Client::from(client.core().clone()).with_api_version(ApiVersion::V23_0);
    pinned
        .phone_number(demo::DEMO_NUMBER_ID)
        .get()
        .await
        .unwrap();
    let all = paths(&server);
    assert_eq!(
        all.first().unwrap(),
        &format!("/v24.0/{}", demo::DEMO_NUMBER_ID)
    );
    assert!(all[1].starts_with("/v24.0/"));
    assert_eq!(
        all.last().unwrap(),
        &format!("/v23.0/{}", demo::DEMO_NUMBER_ID)
    );
}

#[test]
fn a_v23_selection_has_no_v24_only_field() {
    // `v23_0::PhoneNumberField::Throughput` does not compile (see the compile_fail example
    // in the crate documentation); the name parses as the explicit escape hatch.
    assert!(
        v23_0::PhoneNumberField::KNOWN
            .iter()
            .all(|f| f.as_str() != "throughput")
    );
    assert!(
        v24_0::PhoneNumberField::KNOWN
            .iter()
            .any(|f| f.as_str() == "throughput")
    );
    assert_eq!(
        v23_0::PhoneNumberField::parse("throughput"),
        v23_0::PhoneNumberField::Unknown("throughput".into())
    );
    // One vocabulary with the open enumerations: KNOWN, Unknown, is_unknown, From<&str>.
    let field = v23_0::PhoneNumberField::from("throughput");
    assert!(field.is_unknown() && field.as_str() == "throughput");
    assert!(!v23_0::PhoneNumberField::from("status").is_unknown());
    let status = v23_0::types::PhoneNumberStatus::from("SOMETHING_NEW");
    assert!(status.is_unknown() && status.as_str() == "SOMETHING_NEW");
    assert!(
        v23_0::types::PhoneNumberStatus::KNOWN
            .contains(&v23_0::types::PhoneNumberStatus::from("FLAGGED"))
    );
}

/// Code written once, generic over the version, reading fields every version has.
async fn statuses<V: GraphVersion>(client: &Client<V>) -> Vec<String> {
    let numbers = client
        .business_account(demo::DEMO_WABA_ID)
        .phone_numbers()
        .list()
        .fields(["id", "status"].map(V::PhoneNumberField::parse))
        .collect_all()
        .await
        .unwrap();
    numbers
        .iter()
        .map(|n| n.status().map_or("-".into(), |s| s.as_str().to_owned()))
        .collect()
}

#[tokio::test]
async fn generic_code_runs_with_every_version() {
    let server = MockServer::start().await;
    let old = v23_0::Client::builder()
        .access_token(server.access_token())
        .base_url(server.base_url())
        .build()
        .unwrap();
    let a = statuses(&old).await;
    let b = statuses(&old.for_version::<v24_0::Version>()).await;
    assert_eq!(a.len(), demo::DEMO_NUMBER_COUNT);
    assert_eq!(a, b);
    assert!(a.iter().any(|s| s == "CONNECTED"));
}

struct Name;

impl VersionVisitor for Name {
    type Output = &'static str;
    fn visit<V: GraphVersion>(self) -> &'static str {
        V::NAME
    }
}

#[test]
fn a_version_chosen_at_run_time() {
    let exact = visit_version(ApiVersion::V24_0, Name).unwrap();
    assert_eq!(
        exact,
        Picked {
            output: "v24.0",
            types: ApiVersion::V24_0,
            exact: true
        }
    );
    let between = visit_version(ApiVersion::new(23, 5), Name).unwrap();
    assert_eq!((between.output, between.exact), ("v23.0", false));
    let newer = visit_version(ApiVersion::new(99, 0), Name).unwrap();
    assert_eq!(newer.output, "v24.0");
    let older = visit_version(ApiVersion::new(1, 0), Name).unwrap();
    assert_eq!(older.output, "v23.0");
    assert_eq!(
        whatsapp_phone_numbers::enabled_versions(),
        [ApiVersion::V23_0, ApiVersion::V24_0]
    );
}

#[test]
fn xtask_diff_reports_the_v24_additions() {
    let report = xtask::diff(&xtask::Layout::workspace(), "v23.0", "v24.0").unwrap();
    for line in [
        "operations: 0 added, 0 removed, 0 changed",
        "types: 2 added, 0 removed, 2 changed",
        "~ type PhoneNumber",
        "    + field throughput?: PhoneNumberThroughput",
        "+ type PhoneNumberThroughput (struct, 1 fields)",
        "+ type ThroughputLevel (open enum: STANDARD | HIGH)",
        "~ fields PhoneNumberField",
        "    + field throughput",
    ] {
        assert!(
            report.lines().any(|l| l == line),
            "missing {line:?} in\n{report}"
        );
    }
}
