//! Large fleets for load tests ([`MockState::seed_fleet`]): accounts and numbers varied the
//! way the demo data is, deterministic for a given state.

use whatsapp_phone_numbers_api::v24_0::types;

use crate::clock::graph_time;
use crate::demo::{
    ROWS, business_limit, certificate, display_number, health, quality_score, throughput,
    unified_cert_status,
};
use crate::ids::stable_hash;
use crate::records::NumberRecord;
use crate::state::MockState;

/// Onboarding time of the first number of a seeded fleet (2023-07-01T00:00:00Z).
const FLEET_FIRST_ONBOARDED: i64 = 1_688_169_600;
/// A fleet account's numbers are onboarded over about this many seconds (a year).
const FLEET_SPAN: i64 = 365 * 86_400;

/// The node of account number `w` of a seeded fleet ([`MockState::seed_fleet`]).
pub(crate) fn fleet_waba_node(waba_id: &str, w: usize) -> types::BusinessAccount {
    types::BusinessAccount {
        id: Some(waba_id.to_owned()),
        name: Some(format!("Fleet Account {}", w + 1)),
        timezone_id: Some("1".to_owned()),
        account_review_status: Some(types::AccountReviewStatus::Approved),
        business_verification_status: Some(types::BusinessVerificationStatus::Verified),
        country: Some("US".to_owned()),
        currency: Some("USD".to_owned()),
        ownership_type: Some(types::OwnershipType::SelfOwned),
        status: Some("ACTIVE".to_owned()),
        ..Default::default()
    }
}

/// Number `i` (of `per_waba`) of fleet account `w`, node ID `id`: the states cycle through
/// the demo table, the display number follows from the ID (so it is distinct from every
/// other fleet number) and onboarding times rise with `i`.
pub(crate) fn fleet_number(
    business_id: &str,
    waba_id: &str,
    id: &str,
    w: usize,
    i: usize,
    per_waba: usize,
) -> NumberRecord {
    let row = &ROWS[(w * 7 + i) % ROWS.len()];
    // Fresh IDs are numeric; 8e9 consecutive ones give distinct 10-digit numbers with an
    // area code from 200 to 999.
    let serial = id
        .parse::<u64>()
        .unwrap_or_else(|_| stable_hash(&[id.as_bytes()]));
    let digits = format!("{}", 2_000_000_000 + serial % 8_000_000_000);
    let approved = matches!(row.name_status, "APPROVED" | "AVAILABLE_WITHOUT_REVIEW");
    let name = format!("{} {}", row.name, i + 1);
    let mut health = health(id, row.status);
    if let [_, waba, business] = health.entities.as_mut_slice() {
        waba.id = Some(waba_id.to_owned());
        business.id = Some(business_id.to_owned());
    }
    let number = types::PhoneNumber {
        id: Some(id.to_owned()),
        display_phone_number: Some(display_number("1", &digits)),
        status: Some(row.status.into()),
        quality_rating: Some(row.quality.into()),
        code_verification_status: Some(row.verified.into()),
        name_status: Some(row.name_status.into()),
        certificate: approved.then(|| certificate(id, &name)),
        verified_name: Some(name),
        messaging_limit_tier: Some(row.tier.into()),
        account_mode: Some(types::AccountMode::Live),
        is_official_business_account: Some(row.official && i == 0),
        country_code: Some("US".to_owned()),
        country_dial_code: Some("1".to_owned()),
        host_platform: Some(row.host.into()),
        platform_type: Some(row.host.into()),
        unified_cert_status: Some(unified_cert_status(row.name_status)),
        search_visibility: Some(if i % 7 == 3 {
            types::SearchVisibility::Hidden
        } else {
            types::SearchVisibility::Visible
        }),
        throughput: Some(throughput(row.tier)),
        whatsapp_business_manager_messaging_limit: Some(business_limit(row.tier)),
        quality_score: Some(quality_score(row.quality)),
        health_status: Some(health),
        is_pin_enabled: Some(row.status == "CONNECTED"),
        is_preverified_number: Some(false),
        ..Default::default()
    };
    let mut record = NumberRecord::new(waba_id, number);
    let stride = (FLEET_SPAN / per_waba.max(1) as i64).max(1);
    let i = i as i64;
    let jitter = (i * 7_919 + w as i64 * 104_729) % stride;
    record.onboarded_at = FLEET_FIRST_ONBOARDED + (w as i64 % 24) * 3_600 + i * stride + jitter;
    record.number.last_onboarded_time = Some(graph_time(record.onboarded_at).into());
    record.profile.vertical = Some(row.vertical.into());
    record
}

impl MockState {
    /// Seeds a fleet for load tests: business `business_id` (created when missing) comes
    /// to own `wabas` new accounts, each with `numbers_per_waba` new numbers, and the new
    /// account IDs are answered in order. Takes O(N log N) for N numbers in all (each
    /// insert is a few map operations), never a scan of what is already there.
    ///
    /// The data is deterministic for a given state (IDs come from the mock's counter) and
    /// varied the way the [demo data](crate::demo) is: statuses, quality ratings,
    /// messaging tiers, name reviews and platforms cycle through the demo table, and every
    /// number has its own display number (`+1 2xx-xxx-xxxx`, distinct across fleets) and
    /// name. Onboarding times are spread over about a year, ending before 2025, so numbers
    /// added afterwards list first.
    pub fn seed_fleet(
        &self,
        business_id: &str,
        wabas: usize,
        numbers_per_waba: usize,
    ) -> Vec<String> {
        let mut inner = self.lock();
        inner.businesses.entry(business_id.to_owned()).or_default();
        let mut ids = Vec::with_capacity(wabas);
        for w in 0..wabas {
            let waba_id = inner.fresh_id();
            inner.ensure_waba(&waba_id);
            inner
                .waba_nodes
                .insert(waba_id.clone(), fleet_waba_node(&waba_id, w));
            inner
                .businesses
                .entry(business_id.to_owned())
                .or_default()
                .owned
                .push(waba_id.clone());
            for i in 0..numbers_per_waba {
                let id = inner.fresh_id();
                let record = fleet_number(business_id, &waba_id, &id, w, i, numbers_per_waba);
                inner.insert(record);
            }
            ids.push(waba_id);
        }
        ids
    }
}
