//! The demo data a mock server starts with (unless built with
//! [`MockServerBuilder::empty`](crate::MockServerBuilder::empty)).
//!
//! One WhatsApp Business Account, [`DEMO_WABA_ID`], with [`DEMO_NUMBER_COUNT`] numbers in
//! the states an operator meets: mostly connected and green, some yellow or red, flagged,
//! restricted, rate limited, pending, disconnected, banned and unverified numbers, every
//! messaging tier, names approved, pending, declined and expired, one sandbox number and a
//! few official business accounts. Display numbers use the `555-01xx` range reserved for
//! fiction. Two account-number nodes sit beside them. Everything is deterministic: the
//! same IDs, names and onboarding times on every start.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use whatsapp_phone_numbers_api::v24_0::types;

use crate::apps::{AccountSubscription, MOCK_APP_ID, MockApp};
use crate::clock::graph_time;
use crate::ids::stable_hash;
use crate::records::NumberRecord;
use crate::state::MockState;

/// ID of the demo WhatsApp Business Account.
pub const DEMO_WABA_ID: &str = "102290129340398";
/// The business portfolio that owns the demo account.
pub const DEMO_BUSINESS_ID: &str = "1002003004005006";
/// How many phone numbers the demo account has.
pub const DEMO_NUMBER_COUNT: usize = 30;
/// A connected, green demo number ("Jaspers Market", an official business account).
pub const DEMO_NUMBER_ID: &str = "106540352242922";
/// The demo number in `SANDBOX` account mode.
pub const DEMO_SANDBOX_NUMBER_ID: &str = "106540378297128";
/// A demo number that is `PENDING` and not verified yet, ready for the registration
/// lifecycle.
pub const DEMO_PENDING_NUMBER_ID: &str = "106540362335192";
/// A connected, verified account-number node.
pub const DEMO_ACCOUNT_NUMBER_ID: &str = "1234567890123456";
/// An account-number node that has not finished verification.
pub const DEMO_UNVERIFIED_ACCOUNT_NUMBER_ID: &str = "2345678901234567";

/// Onboarding time of the first demo number (2023-01-01T00:00:00Z).
const FIRST_ONBOARDED: i64 = 1_672_531_200;

/// One row of the demo table.
pub(crate) struct Row {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) area: u16,
    pub(crate) status: &'static str,
    pub(crate) quality: &'static str,
    pub(crate) tier: &'static str,
    pub(crate) name_status: &'static str,
    pub(crate) new_name_status: Option<&'static str>,
    pub(crate) verified: &'static str,
    pub(crate) host: &'static str,
    pub(crate) sandbox: bool,
    pub(crate) official: bool,
    pub(crate) username: Option<&'static str>,
    pub(crate) vertical: &'static str,
}

#[rustfmt::skip]
pub(crate) const ROWS: [Row; DEMO_NUMBER_COUNT] = [
    Row { id: "106540352242922", name: "Jaspers Market", area: 631, status: "CONNECTED", quality: "GREEN", tier: "TIER_10K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: true, username: Some("jaspersmarket"), vertical: "GROCERY" },
    Row { id: "106540353250878", name: "Jaspers Market Downtown", area: 631, status: "CONNECTED", quality: "GREEN", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "GROCERY" },
    Row { id: "106540354274672", name: "Jaspers Ice Cream", area: 631, status: "CONNECTED", quality: "YELLOW", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RESTAURANT" },
    Row { id: "106540355314304", name: "Lucky Shrub Garden Center", area: 415, status: "CONNECTED", quality: "GREEN", tier: "TIER_100K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: true, username: Some("luckyshrub"), vertical: "RETAIL" },
    Row { id: "106540356269774", name: "Lucky Shrub Support", area: 415, status: "FLAGGED", quality: "RED", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RETAIL" },
    Row { id: "106540357341082", name: "Northwind Traders", area: 212, status: "CONNECTED", quality: "GREEN", tier: "TIER_UNLIMITED", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: true, username: Some("northwind"), vertical: "RETAIL" },
    Row { id: "106540358328228", name: "Northwind Traders Returns", area: 212, status: "RESTRICTED", quality: "RED", tier: "TIER_250", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RETAIL" },
    Row { id: "106540359331212", name: "Contoso Pharmacy", area: 312, status: "CONNECTED", quality: "GREEN", tier: "TIER_10K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "HEALTH" },
    Row { id: "106540360250034", name: "Contoso Pharmacy Refills", area: 312, status: "RATE_LIMITED", quality: "YELLOW", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "HEALTH" },
    Row { id: "106540361284694", name: "Fabrikam Bikes", area: 206, status: "CONNECTED", quality: "GREEN", tier: "TIER_1K", name_status: "AVAILABLE_WITHOUT_REVIEW", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RETAIL" },
    Row { id: "106540362335192", name: "Fabrikam Bikes Service", area: 206, status: "PENDING", quality: "NA", tier: "TIER_250", name_status: "PENDING_REVIEW", new_name_status: None, verified: "NOT_VERIFIED", host: "NOT_APPLICABLE", sandbox: false, official: false, username: None, vertical: "AUTO" },
    Row { id: "106540363301528", name: "Tailspin Toys", area: 646, status: "CONNECTED", quality: "YELLOW", tier: "TIER_10K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RETAIL" },
    Row { id: "106540364283702", name: "Tailspin Toys Outlet", area: 646, status: "DISCONNECTED", quality: "NA", tier: "TIER_250", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RETAIL" },
    Row { id: "106540365281714", name: "Wide World Importers", area: 305, status: "CONNECTED", quality: "GREEN", tier: "TIER_100K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "PROF_SERVICES" },
    Row { id: "106540366295564", name: "Wide World Importers B2B", area: 305, status: "BANNED", quality: "RED", tier: "TIER_50", name_status: "DECLINED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "PROF_SERVICES" },
    Row { id: "106540367325252", name: "Adventure Works Travel", area: 512, status: "CONNECTED", quality: "GREEN", tier: "TIER_10K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "TRAVEL" },
    Row { id: "106540368270778", name: "Adventure Works Concierge", area: 512, status: "CONNECTED", quality: "GREEN", tier: "TIER_1K", name_status: "APPROVED", new_name_status: Some("PENDING_REVIEW"), verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "TRAVEL" },
    Row { id: "106540369332142", name: "Alpine Ski House", area: 720, status: "CONNECTED", quality: "NA", tier: "TIER_250", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "HOTEL" },
    Row { id: "106540370309344", name: "Alpine Ski House Rentals", area: 720, status: "PENDING", quality: "NA", tier: "TIER_250", name_status: "NONE", new_name_status: None, verified: "NOT_VERIFIED", host: "NOT_APPLICABLE", sandbox: false, official: false, username: None, vertical: "HOTEL" },
    Row { id: "106540371302384", name: "Blue Yonder Airlines", area: 425, status: "CONNECTED", quality: "GREEN", tier: "TIER_UNLIMITED", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: true, username: Some("blueyonder"), vertical: "TRAVEL" },
    Row { id: "106540372311262", name: "Blue Yonder Baggage", area: 425, status: "FLAGGED", quality: "YELLOW", tier: "TIER_10K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "TRAVEL" },
    Row { id: "106540373335978", name: "Coho Winery", area: 707, status: "CONNECTED", quality: "GREEN", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "ON_PREMISE", sandbox: false, official: false, username: None, vertical: "ALCOHOL" },
    Row { id: "106540374276532", name: "Coho Winery Club", area: 707, status: "CONNECTED", quality: "YELLOW", tier: "TIER_250", name_status: "EXPIRED", new_name_status: None, verified: "VERIFIED", host: "ON_PREMISE", sandbox: false, official: false, username: None, vertical: "ALCOHOL" },
    Row { id: "106540375332924", name: "Datum Insurance", area: 617, status: "CONNECTED", quality: "GREEN", tier: "TIER_10K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "FINANCE" },
    Row { id: "106540376305154", name: "Datum Insurance Claims", area: 617, status: "RESTRICTED", quality: "YELLOW", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "FINANCE" },
    Row { id: "106540377293222", name: "Fourth Coffee", area: 503, status: "CONNECTED", quality: "GREEN", tier: "TIER_250", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "RESTAURANT" },
    Row { id: "106540378297128", name: "Fourth Coffee Test", area: 503, status: "CONNECTED", quality: "NA", tier: "TIER_250", name_status: "AVAILABLE_WITHOUT_REVIEW", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: true, official: false, username: None, vertical: "RESTAURANT" },
    Row { id: "106540379316872", name: "Graphic Design Institute", area: 303, status: "UNVERIFIED", quality: "NA", tier: "TIER_250", name_status: "PENDING_REVIEW", new_name_status: None, verified: "UNVERIFIED", host: "NOT_APPLICABLE", sandbox: false, official: false, username: None, vertical: "EDU" },
    Row { id: "106540380252454", name: "Humongous Insurance", area: 404, status: "DISCONNECTED", quality: "GREEN", tier: "TIER_1K", name_status: "APPROVED", new_name_status: None, verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "FINANCE" },
    Row { id: "106540381303874", name: "Litware Labs", area: 650, status: "CONNECTED", quality: "YELLOW", tier: "TIER_1K", name_status: "APPROVED", new_name_status: Some("DECLINED"), verified: "VERIFIED", host: "CLOUD_API", sandbox: false, official: false, username: None, vertical: "PROF_SERVICES" },
];

/// A base64 display-name certificate, deterministic for `id` and `name`.
pub(crate) fn certificate(id: &str, name: &str) -> String {
    let hash = stable_hash(&[id.as_bytes(), name.as_bytes()]);
    STANDARD.encode(format!("\n\x0fcert:{id}:{hash:016x}\x12{name}"))
}

/// How Graph shows `number` with country code `cc`: `+1 631-555-0100` for North American
/// numbers, `+cc number` otherwise.
pub(crate) fn display_number(cc: &str, number: &str) -> String {
    if cc == "1" && number.len() == 10 {
        format!("+1 {}-{}-{}", &number[..3], &number[3..6], &number[6..])
    } else {
        format!("+{cc} {number}")
    }
}

/// ISO country of a calling code, for the codes the mock knows.
pub(crate) fn country_of(cc: &str) -> Option<&'static str> {
    Some(match cc {
        "1" => "US",
        "7" => "RU",
        "20" => "EG",
        "27" => "ZA",
        "31" => "NL",
        "33" => "FR",
        "34" => "ES",
        "39" => "IT",
        "44" => "GB",
        "49" => "DE",
        "52" => "MX",
        "55" => "BR",
        "61" => "AU",
        "62" => "ID",
        "65" => "SG",
        "81" => "JP",
        "82" => "KR",
        "91" => "IN",
        "234" => "NG",
        "254" => "KE",
        "971" => "AE",
        _ => return None,
    })
}

/// The callback URL of the default app's own subscription in the demo (an `https://` one,
/// which the mock never calls: a test or a walk-through subscribes a loopback one).
pub const APP_CALLBACK_URL: &str = "https://hooks.example.com/whatsapp";

/// A second demo app, subscribed to [`DEMO_SECOND_WABA_ID`] but with no callback of its own.
pub const DEMO_PARTNER_APP_ID: &str = "67084330902";
/// The secret of [`DEMO_PARTNER_APP_ID`].
pub const DEMO_PARTNER_APP_SECRET: &str = "mock-partner-secret";
/// The system-user token of [`DEMO_PARTNER_APP_ID`].
pub const DEMO_PARTNER_ACCESS_TOKEN: &str = "mock-partner-token";
/// A third demo app, subscribed to nothing.
pub const DEMO_IDLE_APP_ID: &str = "67084330903";
/// The secret of [`DEMO_IDLE_APP_ID`].
pub const DEMO_IDLE_APP_SECRET: &str = "mock-idle-secret";
/// The system-user token of [`DEMO_IDLE_APP_ID`].
pub const DEMO_IDLE_ACCESS_TOKEN: &str = "mock-idle-token";

/// The fields the default app's demo subscription lists: the management fields and
/// `messages`.
pub const DEMO_APP_FIELDS: &[&str] = &[
    "phone_number_quality_update",
    "phone_number_name_update",
    "account_update",
    "account_review_update",
    "business_capability_update",
    "account_alerts",
    "security",
    "messages",
];

/// The portfolio messaging limit that replaced a number's tier (`TIER_1K` became `TIER_2K`).
pub(crate) fn business_limit(tier: &str) -> types::BusinessMessagingLimit {
    match tier {
        "TIER_1K" => types::BusinessMessagingLimit::Tier2k,
        other => types::BusinessMessagingLimit::from(other),
    }
}

/// The health Graph would report for a number in `status`.
/// The throughput level a messaging tier goes with.
pub(crate) fn throughput(tier: &str) -> types::PhoneNumberThroughput {
    types::PhoneNumberThroughput {
        level: Some(if matches!(tier, "TIER_100K" | "TIER_UNLIMITED") {
            types::ThroughputLevel::High
        } else {
            types::ThroughputLevel::Standard
        }),
    }
}

/// A quality score with the rating's value and no date.
pub(crate) fn quality_score(quality: &str) -> types::QualityScore {
    types::QualityScore {
        score: Some(quality.into()),
        date: None,
    }
}

pub(crate) fn health(id: &str, status: &str) -> types::HealthStatus {
    let (can, errors) = match status {
        "BANNED" | "DISCONNECTED" => (
            types::MessagingAvailability::Blocked,
            vec![types::HealthError {
                error_code: Some(141014),
                error_description: Some(format!("The phone number is {}.", status.to_lowercase())),
                possible_solution: Some("Visit Business Support Home to appeal.".to_owned()),
            }],
        ),
        "FLAGGED" | "RESTRICTED" | "RATE_LIMITED" => {
            (types::MessagingAvailability::Limited, Vec::new())
        }
        _ => (types::MessagingAvailability::Available, Vec::new()),
    };
    let entity = |kind: types::HealthEntityType, id: &str, can: types::MessagingAvailability| {
        types::HealthEntity {
            entity_type: Some(kind),
            id: Some(id.to_owned()),
            can_send_message: Some(can),
            ..Default::default()
        }
    };
    let mut number = entity(types::HealthEntityType::PhoneNumber, id, can.clone());
    number.errors = errors;
    types::HealthStatus {
        can_send_message: Some(can),
        entities: vec![
            number,
            entity(
                types::HealthEntityType::Waba,
                DEMO_WABA_ID,
                types::MessagingAvailability::Available,
            ),
            entity(
                types::HealthEntityType::Business,
                DEMO_BUSINESS_ID,
                types::MessagingAvailability::Available,
            ),
        ],
    }
}

pub(crate) fn unified_cert_status(name_status: &str) -> types::UnifiedCertStatus {
    match name_status {
        "APPROVED" | "AVAILABLE_WITHOUT_REVIEW" => types::UnifiedCertStatus::Approved,
        "PENDING_REVIEW" | "NONE" => types::UnifiedCertStatus::NamePendingReview,
        _ => types::UnifiedCertStatus::NameNotApproved,
    }
}

fn record(index: usize, row: &Row) -> NumberRecord {
    let digits = format!("{}555{:04}", row.area, 100 + index);
    let approved = matches!(row.name_status, "APPROVED" | "AVAILABLE_WITHOUT_REVIEW");
    let number = types::PhoneNumber {
        id: Some(row.id.to_owned()),
        display_phone_number: Some(display_number("1", &digits)),
        verified_name: Some(row.name.to_owned()),
        status: Some(row.status.into()),
        quality_rating: Some(row.quality.into()),
        code_verification_status: Some(row.verified.into()),
        name_status: Some(row.name_status.into()),
        new_name_status: row.new_name_status.map(Into::into),
        certificate: approved.then(|| certificate(row.id, row.name)),
        new_certificate: row
            .new_name_status
            .map(|_| certificate(row.id, &format!("{} (new)", row.name))),
        messaging_limit_tier: Some(row.tier.into()),
        account_mode: Some(if row.sandbox {
            types::AccountMode::Sandbox
        } else {
            types::AccountMode::Live
        }),
        is_official_business_account: Some(row.official),
        country_code: Some("US".to_owned()),
        country_dial_code: Some("1".to_owned()),
        host_platform: Some(row.host.into()),
        unified_cert_status: Some(unified_cert_status(row.name_status)),
        search_visibility: Some(if index % 7 == 3 {
            types::SearchVisibility::Hidden
        } else {
            types::SearchVisibility::Visible
        }),
        username: row.username.map(str::to_owned),
        throughput: Some(throughput(row.tier)),
        whatsapp_business_manager_messaging_limit: Some(business_limit(row.tier)),
        quality_score: Some(quality_score(row.quality)),
        health_status: Some(health(row.id, row.status)),
        platform_type: Some(row.host.into()),
        is_pin_enabled: Some(row.status == "CONNECTED"),
        is_on_biz_app: Some(index % 11 == 5),
        is_preverified_number: Some(false),
        conversational_automation: index.is_multiple_of(4).then(|| {
            types::ConversationalAutomation {
                id: Some(row.id.to_owned()),
                enable_welcome_message: Some(true),
                prompts: vec!["Opening hours?".to_owned(), "Where are you?".to_owned()],
                commands: vec![types::ConversationalCommand {
                    command_name: "hours".to_owned(),
                    command_description: "Our opening hours".to_owned(),
                }],
            }
        }),
        ..Default::default()
    };
    let mut record = NumberRecord::new(DEMO_WABA_ID, number);
    let i = index as i64;
    record.onboarded_at = FIRST_ONBOARDED + i * 7 * 86_400 + (i * 3_631) % 86_400;
    record.number.last_onboarded_time = Some(graph_time(record.onboarded_at).into());
    record.settings = settings(index);
    record.profile = profile(index, row);
    record
}

fn settings(index: usize) -> types::PhoneNumberSettings {
    let on_off = |on: bool| {
        if on {
            types::FeatureStatus::Enabled
        } else {
            types::FeatureStatus::Disabled
        }
    };
    let calling = index.is_multiple_of(3);
    let local = index % 10 == 4;
    types::PhoneNumberSettings {
        calling: Some(types::CallingSettings {
            status: Some(on_off(calling)),
            call_icon_visibility: calling.then_some(types::CallIconVisibility::Visible),
            callback_permission_status: calling.then(|| on_off(index.is_multiple_of(2))),
            srtp_key_exchange_protocol: calling.then_some(types::SrtpKeyExchangeProtocol::DtlsSrtp),
            video: calling.then(|| types::FeatureToggle {
                status: Some(on_off(index.is_multiple_of(2))),
            }),
            audio: calling.then_some(types::FeatureToggle {
                status: Some(types::FeatureStatus::Enabled),
            }),
            sip: calling.then(|| types::SipSettings {
                status: Some(types::FeatureStatus::Disabled),
                servers: Vec::new(),
            }),
            call_hours: None,
        }),
        user_identity_change: Some(types::UserIdentityChangeSettings {
            enable_identity_key_check: Some(index.is_multiple_of(2)),
        }),
        payload_encryption: Some(types::PayloadEncryptionSettings {
            client_encryption_key_fingerprint: None,
            status: Some(types::FeatureStatus::Disabled),
        }),
        storage_configuration: Some(types::StorageConfiguration {
            retention_minutes: None,
            data_localization_region: local.then(|| "DE".to_owned()),
            status: Some(if local {
                types::StorageConfigurationStatus::InCountryStorageEnabled
            } else {
                types::StorageConfigurationStatus::Default
            }),
        }),
    }
}

fn profile(index: usize, row: &Row) -> types::BusinessProfile {
    let slug: String = row
        .name
        .split_whitespace()
        .next()
        .unwrap_or("business")
        .to_ascii_lowercase();
    types::BusinessProfile {
        messaging_product: Some(types::MessagingProduct::Whatsapp),
        about: Some(format!("{}: here to help, every day.", row.name)),
        address: Some(format!("{} Main Street, Springfield", 100 + index * 7)),
        description: Some(format!(
            "{} answers customers on WhatsApp. Ask about orders, opening hours and more.",
            row.name
        )),
        email: Some(format!("hello@{slug}.example")),
        profile_picture_url: Some(format!(
            "https://pps.whatsapp.net/v/t61.24694-24/{}_n.jpg",
            row.id
        )),
        websites: Some(vec![format!("https://{slug}.example")]),
        vertical: Some(row.vertical.into()),
        business_profile: None,
    }
}

fn account_numbers() -> [types::AccountNumber; 2] {
    [
        types::AccountNumber {
            id: Some(DEMO_ACCOUNT_NUMBER_ID.to_owned()),
            display_phone_number: Some("+1 631-555-0199".to_owned()),
            verified_name: Some("Jasper's Market".to_owned()),
            status: Some(types::PhoneNumberStatus::Connected),
            quality_rating: Some(types::QualityRating::Green),
            country_code: Some("US".to_owned()),
            country_dial_code: Some("1".to_owned()),
            code_verification_status: Some(types::CodeVerificationStatus::Verified),
            name_status: Some(types::NameStatus::Approved),
            messaging_limit_tier: Some(types::MessagingLimitTier::Tier1k),
            account_mode: Some(types::AccountMode::Live),
            certificate: Some(certificate(DEMO_ACCOUNT_NUMBER_ID, "Jasper's Market")),
            is_official_business_account: Some(false),
        },
        types::AccountNumber {
            id: Some(DEMO_UNVERIFIED_ACCOUNT_NUMBER_ID.to_owned()),
            display_phone_number: Some("+1 555-555-0198".to_owned()),
            status: Some(types::PhoneNumberStatus::Unverified),
            quality_rating: Some(types::QualityRating::Na),
            country_code: Some("US".to_owned()),
            country_dial_code: Some("1".to_owned()),
            code_verification_status: Some(types::CodeVerificationStatus::Unverified),
            name_status: Some(types::NameStatus::None),
            account_mode: Some(types::AccountMode::Live),
            is_official_business_account: Some(false),
            ..Default::default()
        },
    ]
}

/// Adds the demo account, its numbers and account-number nodes, the demo business's other
/// accounts, two more apps and the demo's webhook subscriptions to `state`.
pub fn seed(state: &MockState) {
    state.add_waba(DEMO_WABA_ID);
    for (index, row) in ROWS.iter().enumerate() {
        state.insert_number(record(index, row));
    }
    for node in account_numbers() {
        state.add_account_number(DEMO_WABA_ID, node);
    }
    seed_fleet(state);
    seed_apps(state);
    seed_codes_and_applications(state);
}

/// The demo's apps and subscriptions: the default app has its own subscription (an
/// `https://` callback, so nothing is sent until a test subscribes a loopback one) and is
/// subscribed to the demo account; the partner app is subscribed to the second account;
/// the idle app to nothing.
fn seed_apps(state: &MockState) {
    state.add_app(MockApp::new(
        DEMO_PARTNER_APP_ID,
        "Partner Inbox",
        DEMO_PARTNER_APP_SECRET,
        DEMO_PARTNER_ACCESS_TOKEN,
    ));
    state.add_app(MockApp::new(
        DEMO_IDLE_APP_ID,
        "Idle Dashboard",
        DEMO_IDLE_APP_SECRET,
        DEMO_IDLE_ACCESS_TOKEN,
    ));
    let mut inner = state.lock();
    let fields: Vec<String> = DEMO_APP_FIELDS.iter().map(|f| (*f).to_owned()).collect();
    inner.apps.subscribe(
        MOCK_APP_ID,
        "whatsapp_business_account",
        APP_CALLBACK_URL,
        "demo-verify-token",
        &fields,
        "v23.0",
    );
    for (waba, app) in [
        (DEMO_WABA_ID, MOCK_APP_ID),
        (DEMO_SECOND_WABA_ID, DEMO_PARTNER_APP_ID),
    ] {
        inner
            .subscriptions
            .entry(waba.to_owned())
            .or_default()
            .push(AccountSubscription {
                app_id: app.to_owned(),
                override_callback_uri: None,
                override_verify_token: None,
            });
    }
}

/// Two QR codes of the demo number (one with an image) and its Official Business Account
/// status.
fn seed_codes_and_applications(state: &MockState) {
    let mut inner = state.lock();
    let codes = [
        (
            "ANED2T5QRU7HG1",
            "Opening hours?",
            Some(types::QrImageFormat::Png),
        ),
        ("4O4YGZEG3RIVE1", "Is my order ready?", None),
    ];
    inner.qr_codes.insert(
        DEMO_NUMBER_ID.to_owned(),
        codes
            .iter()
            .enumerate()
            .map(|(i, (code, message, image))| types::QrCode {
                code: Some((*code).to_owned()),
                prefilled_message: Some((*message).to_owned()),
                deep_link_url: Some(format!("https://wa.me/message/{code}")),
                qr_image_url: image.as_ref().map(|f| {
                    format!(
                        "https://scontent.example.net/qr/{code}.{}",
                        f.as_str().to_ascii_lowercase()
                    )
                }),
                creation_time: Some(FIRST_ONBOARDED + 86_400 * (30 + i as i64)),
            })
            .collect(),
    );
    inner.oba.insert(
        DEMO_NUMBER_ID.to_owned(),
        types::OfficialBusinessAccount {
            id: Some(DEMO_NUMBER_ID.to_owned()),
            oba_status: Some(types::ObaStatus::Approved),
            status_message: Some("Your business is an Official Business Account".to_owned()),
        },
    );
}

/// A second account the demo business owns.
pub const DEMO_SECOND_WABA_ID: &str = "104996122399160";
/// An account a client shared with the demo business.
pub const DEMO_CLIENT_WABA_ID: &str = "123450000000001";

/// The demo business portfolio: it owns the demo account and a second one, and a client
/// shared a third with it; the other two accounts have a few numbers each.
fn seed_fleet(state: &MockState) {
    let account = |id: &str, name: &str, ownership: types::OwnershipType| types::BusinessAccount {
        owner_business_info: Some(types::BusinessInfo {
            id: Some(DEMO_BUSINESS_ID.to_owned()),
            name: Some("Jaspers Market Holdings".to_owned()),
        }),
        owner_business: Some(types::NodeReference {
            id: Some(DEMO_BUSINESS_ID.to_owned()),
        }),
        creation_time: Some(FIRST_ONBOARDED - 86_400 * 30),
        is_shared_with_partners: Some(false),
        primary_business_location: Some("US".to_owned()),
        primary_funding_id: Some(format!(
            "{}",
            6_000_000_000_000_000u64 + stable_hash(&[id.as_bytes()]) % 1_000_000_000
        )),
        is_enabled_for_insights: Some(true),
        disable_marketing_messages_on_cloud_api: Some(false),
        template_auto_archival_enabled: Some(true),
        marketing_messages_lite_api_status: Some(types::MarketingMessagesLiteApiStatus::Eligible),
        marketing_messages_onboarding_status: Some(
            types::MarketingMessagesOnboardingStatus::Eligible,
        ),
        id: Some(id.to_owned()),
        name: Some(name.to_owned()),
        timezone_id: Some("1".to_owned()),
        message_template_namespace: Some(format!(
            "{:x}_namespace",
            crate::ids::stable_hash(&[id.as_bytes()])
        )),
        account_review_status: Some(types::AccountReviewStatus::Approved),
        business_verification_status: Some(types::BusinessVerificationStatus::Verified),
        country: Some("US".to_owned()),
        currency: Some("USD".to_owned()),
        ownership_type: Some(ownership),
        status: Some("ACTIVE".to_owned()),
        whatsapp_business_manager_messaging_limit: Some(types::BusinessMessagingLimit::Tier10k),
        health_status: Some(types::HealthStatus {
            can_send_message: Some(types::MessagingAvailability::Available),
            entities: Vec::new(),
        }),
        ..Default::default()
    };
    let mut main = account(
        DEMO_WABA_ID,
        "Jaspers Market",
        types::OwnershipType::SelfOwned,
    );
    // The demo account also shows what only some accounts have.
    main.purchase_order_number = Some("PO-2025-0042".to_owned());
    main.marketing_messages_lite_api_status =
        Some(types::MarketingMessagesLiteApiStatus::Onboarded);
    main.marketing_messages_onboarding_status =
        Some(types::MarketingMessagesOnboardingStatus::Onboarded);
    main.linked_commerce_account = Some(types::NodeReference {
        id: Some("2210340020901".to_owned()),
    });
    main.marketing_messages_ad_account = Some(types::NodeReference {
        id: Some("act_1029384756".to_owned()),
    });
    main.auth_international_rate_eligibility = Some(types::IntlRateEligibility {
        start_time: Some(1_717_200_000),
        exception_countries: vec![types::IntlRateException {
            country_code: Some("IN".to_owned()),
            start_time: Some(1_719_792_000),
        }],
    });
    state.set_waba_node(main);
    state.set_waba_node(account(
        DEMO_SECOND_WABA_ID,
        "Lucky Shrub",
        types::OwnershipType::SelfOwned,
    ));
    let mut client = account(
        DEMO_CLIENT_WABA_ID,
        "Contoso Client",
        types::OwnershipType::ClientOwned,
    );
    client.is_shared_with_partners = Some(true);
    client.on_behalf_of_business_info = Some(types::BusinessInfo {
        id: Some(DEMO_BUSINESS_ID.to_owned()),
        name: Some("Jaspers Market Holdings".to_owned()),
    });
    client.owner_business_info = Some(types::BusinessInfo {
        id: Some("1002003004009999".to_owned()),
        name: Some("Contoso Ltd".to_owned()),
    });
    state.set_waba_node(client);
    state.add_business_account(DEMO_BUSINESS_ID, DEMO_WABA_ID, false);
    state.add_business_account(DEMO_BUSINESS_ID, DEMO_SECOND_WABA_ID, false);
    state.add_business_account(DEMO_BUSINESS_ID, DEMO_CLIENT_WABA_ID, true);
    let extra: [(&str, &str, &str, &str, &str, &str); 5] = [
        (
            DEMO_SECOND_WABA_ID,
            "106540390000001",
            "Lucky Shrub",
            "CONNECTED",
            "GREEN",
            "TIER_2K",
        ),
        (
            DEMO_SECOND_WABA_ID,
            "106540390000002",
            "Lucky Shrub Garden",
            "CONNECTED",
            "YELLOW",
            "TIER_250",
        ),
        (
            DEMO_SECOND_WABA_ID,
            "106540390000003",
            "Lucky Shrub Outlet",
            "FLAGGED",
            "RED",
            "TIER_250",
        ),
        (
            DEMO_CLIENT_WABA_ID,
            "106540390000004",
            "Contoso Support",
            "CONNECTED",
            "GREEN",
            "TIER_10K",
        ),
        (
            DEMO_CLIENT_WABA_ID,
            "106540390000005",
            "Contoso Sales",
            "CONNECTED",
            "UNKNOWN",
            "TIER_2K",
        ),
    ];
    for (i, (waba, id, name, status, quality, limit)) in extra.into_iter().enumerate() {
        let digits = format!("415555{:04}", 200 + i);
        state.add_number(
            waba,
            types::PhoneNumber {
                id: Some(id.to_owned()),
                display_phone_number: Some(display_number("1", &digits)),
                verified_name: Some(name.to_owned()),
                status: Some(status.into()),
                quality_rating: Some(quality.into()),
                // Contoso Sales' verification lapsed (Graph's EXPIRED).
                code_verification_status: Some(if i == 4 {
                    types::CodeVerificationStatus::Expired
                } else {
                    types::CodeVerificationStatus::Verified
                }),
                name_status: Some(types::NameStatus::Approved),
                whatsapp_business_manager_messaging_limit: Some(limit.into()),
                health_status: Some(health(id, status)),
                platform_type: Some(types::PlatformType::CloudApi),
                account_mode: Some(types::AccountMode::Live),
                country_code: Some("US".to_owned()),
                country_dial_code: Some("1".to_owned()),
                ..Default::default()
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_deterministic_and_unique() {
        let a = MockState::new();
        let b = MockState::new();
        seed(&a);
        seed(&b);
        assert_eq!(a.numbers(DEMO_WABA_ID), b.numbers(DEMO_WABA_ID));
        let numbers = a.numbers(DEMO_WABA_ID);
        assert_eq!(numbers.len(), DEMO_NUMBER_COUNT);
        let mut displays: Vec<_> = numbers
            .iter()
            .map(|n| n.display_phone_number.clone())
            .collect();
        displays.sort();
        displays.dedup();
        assert_eq!(displays.len(), DEMO_NUMBER_COUNT);
        assert!(a.account_number(DEMO_ACCOUNT_NUMBER_ID).is_some());
    }

    #[test]
    fn named_demo_ids_are_what_they_say() {
        let state = MockState::new();
        seed(&state);
        let sandbox = state.number(DEMO_SANDBOX_NUMBER_ID).unwrap();
        assert_eq!(sandbox.account_mode, Some(types::AccountMode::Sandbox));
        let pending = state.number(DEMO_PENDING_NUMBER_ID).unwrap();
        assert_eq!(pending.status, Some(types::PhoneNumberStatus::Pending));
        let first = state.number(DEMO_NUMBER_ID).unwrap();
        assert_eq!(first.verified_name.as_deref(), Some("Jaspers Market"));
        assert_eq!(
            first.display_phone_number.as_deref(),
            Some("+1 631-555-0100")
        );
        // Every enum value in the table is one the specification knows.
        for n in state.numbers(DEMO_WABA_ID) {
            assert!(!n.status.unwrap().is_unknown());
            assert!(!n.quality_rating.unwrap().is_unknown());
            assert!(!n.messaging_limit_tier.unwrap().is_unknown());
            assert!(!n.name_status.unwrap().is_unknown());
            assert!(!n.code_verification_status.unwrap().is_unknown());
            assert!(!n.host_platform.unwrap().is_unknown());
        }
    }

    #[test]
    fn display_numbers() {
        assert_eq!(display_number("1", "6315550100"), "+1 631-555-0100");
        assert_eq!(display_number("44", "7700900123"), "+44 7700900123");
        assert_eq!(country_of("44"), Some("GB"));
        assert_eq!(country_of("999"), None);
    }
}
