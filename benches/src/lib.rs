//! What the benchmarks share: a static Graph server run in a child process (so that the
//! measured process holds only the client), the hand-written reqwest + serde_json baseline,
//! and a paired measurement of CPU time and allocations that reports ratios.
//!
//! Run with `cargo bench -p workspace-benches` (or `--bench request`, `--bench paging`,
//! `--bench audit`). Each benchmark first prints the paired report (baseline and facade
//! alternating, several rounds, min and median of the ratios), then divan's timings.
//!
//! `--bench audit` measures the fleet audit end to end: the release `waphone --json audit
//! --business B` (which it builds first) against `raw_audit` (this crate's binary, the same
//! audit written by hand), both child processes reading 2,000 accounts × 50 numbers from the
//! server child at concurrency 4 and 16, reporting wall and CPU ratios per round, min and
//! median, and the time after the last page (the output path). `AUDIT_ROUNDS` and
//! `AUDIT_CONCURRENCY` (`4,16`) change what it runs.

pub mod measure;
pub mod raw;
pub mod server;

use whatsapp_phone_numbers::v24_0;

/// What a benchmark measures with: the server child, a single-threaded runtime (so that
/// only this thread's work is the client's), the hand-written client and the facade, both
/// pointed at the server.
pub struct Setup {
    _server: server::Server,
    /// The runtime both clients run on.
    pub runtime: tokio::runtime::Runtime,
    /// The hand-written baseline (with the facade's default timeouts).
    pub raw: raw::Raw,
    /// The hand-written baseline without timeouts.
    pub raw_untimed: raw::Raw,
    /// The facade, at its defaults.
    pub client: v24_0::Client,
    /// The facade without its throttle (usage headers not read).
    pub unthrottled: v24_0::Client,
}

impl Setup {
    /// Starts a server with `wabas` accounts of `numbers` numbers and both clients.
    pub fn start(wabas: u64, numbers: u64) -> Self {
        // The baseline's reqwest client may be built first; it needs the crypto provider
        // the SDK would install.
        whatsapp_phone_numbers::tls::install_default_provider();
        let server = server::spawn(wabas, numbers);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let raw = raw::Raw::new(&server.base_url, "bench-token");
        let raw_untimed = raw::Raw::without_timeouts(&server.base_url, "bench-token");
        let client = v24_0::Client::builder()
            .access_token("bench-token")
            .base_url(&server.base_url)
            .build()
            .expect("a client of the server");
        let unthrottled = v24_0::Client::builder()
            .access_token("bench-token")
            .base_url(&server.base_url)
            .throttle(whatsapp_phone_numbers::ThrottleConfig::disabled())
            .build()
            .expect("a client of the server");
        Self {
            _server: server,
            runtime,
            raw,
            raw_untimed,
            client,
            unthrottled,
        }
    }
}

/// The selection the request bench (and `get_loop`) reads: 7 fields, about 740 bytes.
pub const REQUEST_SELECTION: [whatsapp_phone_numbers::v24_0::PhoneNumberField; 7] = {
    use whatsapp_phone_numbers::v24_0::PhoneNumberField as F;
    [
        F::DisplayPhoneNumber,
        F::VerifiedName,
        F::Status,
        F::QualityRating,
        F::WhatsappBusinessManagerMessagingLimit,
        F::NameStatus,
        F::HealthStatus,
    ]
};
