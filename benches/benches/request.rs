//! One read: `GET /{phone-number-id}?fields=` (7 fields, about 740 bytes) through the facade
//! against the same call written by hand with reqwest + serde_json, on loopback, with the
//! server in a child process so that only the client is measured.

use std::sync::OnceLock;

use whatsapp_phone_numbers::v24_0::{self, PhoneNumberField as F};
use workspace_benches::Setup;
use workspace_benches::measure::{self, Counting};
use workspace_benches::raw::Raw;
use workspace_benches::server::{self, PHONE_ID};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SELECTION: [F; 7] = workspace_benches::REQUEST_SELECTION;

static SETUP: OnceLock<Setup> = OnceLock::new();

fn setup() -> &'static Setup {
    SETUP.get_or_init(|| Setup::start(1, 100))
}

/// The selection as the baseline writes it, joined once.
fn fields() -> &'static str {
    static FIELDS: OnceLock<String> = OnceLock::new();
    FIELDS.get_or_init(|| server::FIELDS.join(","))
}

fn raw_get(s: &Setup, raw: &Raw) {
    s.runtime.block_on(async {
        let n = raw.phone_number(PHONE_ID, fields()).await;
        assert_eq!(n.status.as_deref(), Some("CONNECTED"));
    });
}

fn facade_get(s: &Setup, client: &v24_0::Client) {
    s.runtime.block_on(async {
        let n = client
            .phone_number(PHONE_ID)
            .get()
            .fields(SELECTION)
            .await
            .unwrap();
        assert_eq!(n.status, Some(v24_0::types::PhoneNumberStatus::Connected));
    });
}

fn main() {
    if server::serve_if_child() {
        return;
    }
    let s = setup();
    const OPS: u64 = 2_000;
    measure::paired(
        "GET one phone number (7 fields; baseline = hand-written reqwest + serde_json)",
        41,
        OPS,
        || (0..OPS).for_each(|_| raw_get(s, &s.raw)),
        || (0..OPS).for_each(|_| facade_get(s, &s.client)),
    );
    // What the baseline's timeouts cost (a timer per request).
    measure::paired(
        "GET one phone number, hand-written: timeouts vs baseline = no timeouts",
        15,
        OPS,
        || (0..OPS).for_each(|_| raw_get(s, &s.raw_untimed)),
        || (0..OPS).for_each(|_| raw_get(s, &s.raw)),
    );
    // What reading the usage headers and passing the throttle's gate costs.
    measure::paired(
        "GET one phone number: throttle on (default) vs baseline = ThrottleConfig::disabled()",
        15,
        OPS,
        || (0..OPS).for_each(|_| facade_get(s, &s.unthrottled)),
        || (0..OPS).for_each(|_| facade_get(s, &s.client)),
    );
    divan::main();
}

/// The hand-written reqwest + serde_json call.
#[divan::bench]
fn baseline_reqwest_serde() {
    let s = setup();
    raw_get(s, &s.raw);
}

/// The facade: `client.phone_number(id).get().fields([..7]).await`.
#[divan::bench]
fn facade() {
    let s = setup();
    facade_get(s, &s.client);
}
