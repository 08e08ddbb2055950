//! A full read of the fleet through the fast path: each page of accounts with their
//! numbers embedded (Graph's field expansion), pages chained in batch calls, larger
//! accounts' further pages in batch requests. What it read becomes observations to compare with the state.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use whatsapp_phone_numbers::{Client, Error, Field, GraphVersion};
use whatsapp_phone_numbers_inbox::fleet::{
    ACCOUNT_READ_FIELDS, NUMBER_READ_FIELDS, Observation, Source, from_account, from_number,
};

/// A read begins this long before its first request, for comparisons: a webhook's time
/// is whole seconds, so a change in the second a read began may be newer than the read
/// or not; taking the read as older lets such a webhook through (its value is compared,
/// never applied twice).
pub const READ_SLACK_MS: i64 = 1_000;

/// Observations handed to the sink at a time (about 2,200 numbers' worth): a fleet of
/// 100,000 numbers is compared in pieces, never held whole.
const CHUNK: usize = 20_000;

/// What one full read found.
pub struct FleetRead {
    /// Accounts read.
    pub accounts: usize,
    /// Numbers read.
    pub numbers: usize,
    /// HTTP requests it took (retries and batch calls included).
    pub requests: u64,
    /// How long it took.
    pub duration: Duration,
    /// Accounts whose numbers could not all be read (their other values still count).
    pub errors: Vec<Error>,
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Reads every account `business_id` owns (and, with `client_accounts`, those clients
/// shared with it) with every number, handing the values to `sink` as observations from
/// [`Source::Resync`], a chunk at a time.
pub async fn read_fleet<V: GraphVersion>(
    client: &Client<V>,
    business_id: &str,
    client_accounts: bool,
    mut sink: impl AsyncFnMut(Vec<Observation>),
) -> Result<FleetRead, Error> {
    let started = Instant::now();
    let at_ms = now_ms() - READ_SLACK_MS;
    let requests_before = client.throttle_status().admitted_requests;
    let business = client.business(business_id);
    let mut lists = vec![business.owned_accounts()];
    if client_accounts {
        lists.push(business.client_accounts());
    }
    let account_fields: Vec<V::BusinessAccountField> = ACCOUNT_READ_FIELDS
        .iter()
        .map(|f| Field::parse(f))
        .collect();
    let number_fields: Vec<V::PhoneNumberField> =
        NUMBER_READ_FIELDS.iter().map(|f| Field::parse(f)).collect();
    let mut observations: Vec<Observation> = Vec::with_capacity(CHUNK);
    let mut read = FleetRead {
        accounts: 0,
        numbers: 0,
        requests: 0,
        duration: Duration::ZERO,
        errors: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    for list in lists {
        let mut accounts = list
            .fields(account_fields.iter().cloned())
            .page_size(100)
            .with_phone_numbers(|numbers| numbers.fields(number_fields.iter().cloned()).limit(100))
            .stream();
        while let Some(account) = accounts.try_next().await? {
            let value = serde_json::to_value(&account.account).unwrap_or_default();
            let Some(waba_id) = value.get("id").and_then(|v| v.as_str()).map(str::to_owned) else {
                continue;
            };
            if !seen.insert(waba_id.clone()) {
                continue;
            }
            read.accounts += 1;
            observations.extend(from_account(&value, at_ms, Source::Resync));
            for number in &account.numbers {
                let number = serde_json::to_value(number).unwrap_or_default();
                read.numbers += 1;
                observations.extend(from_number(
                    Some(&waba_id),
                    &number,
                    &[],
                    at_ms,
                    Source::Resync,
                ));
            }
            if let Some(error) = account.error {
                read.errors.push(error);
            }
            if observations.len() >= CHUNK {
                sink(std::mem::replace(
                    &mut observations,
                    Vec::with_capacity(CHUNK),
                ))
                .await;
            }
        }
    }
    if !observations.is_empty() {
        sink(observations).await;
    }
    read.requests = client
        .throttle_status()
        .admitted_requests
        .saturating_sub(requests_before);
    read.duration = started.elapsed();
    Ok(read)
}
