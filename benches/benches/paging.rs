//! Paging: every number of an account of 10,000, at page sizes 100 and 25, through the
//! facade's stream against a hand-written loop following `paging.next`.

use std::sync::OnceLock;

use futures_util::TryStreamExt;
use whatsapp_phone_numbers::v24_0::PhoneNumberField as F;
use workspace_benches::Setup;
use workspace_benches::measure::{self, Counting};
use workspace_benches::raw::ListedNumber;
use workspace_benches::server::{self, FIRST_WABA};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const NUMBERS: u64 = 10_000;
/// Walks of the account per measured round: enough CPU time per round (about a quarter of
/// a second) that the clock's granularity does not show in the ratios.
const PASSES: u64 = 3;

const SELECTION: [F; 8] = [
    F::Id,
    F::DisplayPhoneNumber,
    F::VerifiedName,
    F::Status,
    F::QualityRating,
    F::MessagingLimitTier,
    F::WhatsappBusinessManagerMessagingLimit,
    F::NameStatus,
];

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| Setup::start(1, NUMBERS))
}

fn raw_all(s: &Setup, page: u32) {
    let fields: Vec<&str> = SELECTION.iter().map(|f| f.as_str()).collect();
    let first = format!(
        "{}/v24.0/{FIRST_WABA}/phone_numbers?fields={}&limit={page}",
        s.raw.base_url(),
        fields.join(",")
    );
    let count = s.runtime.block_on(s.raw.count_all::<ListedNumber>(first));
    assert_eq!(count as u64, NUMBERS);
}

fn facade_all(s: &Setup, page: u32) {
    let count = s.runtime.block_on(async {
        let mut stream = s
            .client
            .business_account(FIRST_WABA.to_string())
            .phone_numbers()
            .list()
            .fields(SELECTION)
            .page_size(page)
            .stream();
        let mut count = 0u64;
        while let Some(_number) = stream.try_next().await.unwrap() {
            count += 1;
        }
        count
    });
    assert_eq!(count, NUMBERS);
}

fn main() {
    if server::serve_if_child() {
        return;
    }
    let s = setup();
    for page in [100, 25] {
        measure::paired(
            &format!(
                "stream {NUMBERS} numbers, page size {page} (per number; baseline = hand-written reqwest + serde_json)"
            ),
            21,
            PASSES * NUMBERS,
            || (0..PASSES).for_each(|_| raw_all(s, page)),
            || (0..PASSES).for_each(|_| facade_all(s, page)),
        );
    }
    divan::main();
}

/// The hand-written loop, page size 100.
#[divan::bench(args = [100, 25])]
fn baseline_reqwest_serde(page: u32) {
    raw_all(setup(), page);
}

/// `list().page_size(n).stream()`.
#[divan::bench(args = [100, 25])]
fn facade(page: u32) {
    facade_all(setup(), page);
}
