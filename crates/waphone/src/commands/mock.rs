//! `mock [--port P] [--review-names-after S] [--wabas N [--numbers-per-waba M]]
//! [--app-calls-per-window N] [--account-calls-per-window N] [--rate-window S]
//! [--webhook-concurrency N] [--webhook-duplicates PERCENT] [--drop-webhooks FRACTION]
//! [--lively SECS [--lively-cooldown SECS]]`: serve the mock until interrupted.

use std::time::Duration;

use clap::Args;
use whatsapp_phone_numbers_mock::{
    DeliveryPolicy, Lively, MockServer, MockServerBuilder, RateLimits, serve_until_ctrl_c,
};

use crate::failure::Failure;
use crate::output::emit_line;
use crate::session::Global;

/// The business the `--wabas` fleet is seeded under.
pub const FLEET_BUSINESS_ID: &str = "1009000000000001";
/// The most numbers `--wabas` times `--numbers-per-waba` may ask for: a seeded number
/// takes about 3 KB of memory, so this is about 3 GB.
pub const MAX_FLEET_NUMBERS: u64 = 1_000_000;
/// Numbers per account when `--wabas` comes without `--numbers-per-waba`.
pub const DEFAULT_NUMBERS_PER_WABA: u64 = 100;
/// How long a number rests between two `--lively` changes unless `--lively-cooldown` says
/// otherwise, in seconds.
pub const DEFAULT_LIVELY_COOLDOWN_SECS: f64 = 30.0;
/// The longest `--lively` interval and `--lively-cooldown`, in seconds (a day).
pub const MAX_LIVELY_SECS: f64 = 86_400.0;

/// `mock [--port P] [--review-names-after S] [--wabas N [--numbers-per-waba M]]
/// [--drop-webhooks FRACTION] [--lively SECS [--lively-cooldown SECS]]`
///
/// Webhooks go where Graph sends them: to the loopback `http://` callbacks of the apps'
/// own subscriptions (`app subscriptions add`) for the fields they list, and, for the
/// messaging fields, to account or number overrides (`subscriptions add --callback-url`);
/// the default app's are signed with `--app-secret` (or the mock's default,
/// `mock-app-secret`).
///
/// For testing a fleet watcher (`watch`), `--lively` makes numbers change by themselves
/// and `--drop-webhooks` loses some of their webhooks on purpose; `GET /__mock/changes`
/// lists every change made, with what became of its webhook.
#[derive(Debug, Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Approve a requested display name this many seconds after `update
    /// --new-display-name` (sending `phone_number_name_update`); 0 leaves names waiting
    /// for `POST /__mock/events`.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub review_names_after: f64,
    /// For load tests: also seed a fleet of N accounts, owned by business
    /// 1009000000000001 (printed on stderr), beside the demo data, which stays as it is.
    /// Each account gets `--numbers-per-waba` numbers with varied, deterministic states;
    /// the account IDs are listed by `GET /{business}/owned_whatsapp_business_accounts`.
    #[arg(long, value_name = "N")]
    pub wabas: Option<u64>,
    /// Numbers on each `--wabas` account (default 100). N times M may be at most 1,000,000
    /// (about 3 KB of memory per number).
    #[arg(long, value_name = "M", requires = "wabas")]
    pub numbers_per_waba: Option<u64>,
    /// Enforce Graph's app rate limit: refuse calls beyond N per `--rate-window` with
    /// Graph error 4 (without it, usage is reported against 10,000 but nothing refused).
    #[arg(long, value_name = "N")]
    pub app_calls_per_window: Option<u64>,
    /// Enforce a per-account limit: refuse calls to an account beyond N per
    /// `--rate-window` with Graph error 80008 (default with `--app-calls-per-window`:
    /// 5,000).
    #[arg(long, value_name = "N")]
    pub account_calls_per_window: Option<u64>,
    /// The rolling window of the rate limits, in seconds (default 3600, Graph's hour).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600.0)]
    pub rate_window: f64,
    /// Turn on the default app's "Require App Secret" setting: every request with its
    /// tokens must carry appsecret_proof (made with --app-secret, or the mock's default).
    #[arg(long)]
    pub require_appsecret_proof: bool,
    /// Webhook deliveries in flight at once to one callback (default 1: in the order the
    /// changes happened). Graph delivers concurrently; a receiver should cope.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub webhook_concurrency: usize,
    /// Send this share (0 to 100 %) of webhook deliveries a second time after they were
    /// answered 200, as Graph sometimes does: for testing a receiver's deduplication.
    #[arg(long, default_value_t = 0, value_name = "PERCENT")]
    pub webhook_duplicates: u8,
    /// Hold every Graph answer this many milliseconds (at most 60,000), to model a real
    /// round trip to Graph (100 to 300 ms from most regions) on loopback.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub latency_ms: u64,
    /// Lose this share (0.0 to 1.0; 0.3 loses 30 %) of webhook deliveries on purpose:
    /// never posted, logged as dropped in `GET /__mock/webhooks` and `GET
    /// /__mock/changes`. For testing a receiver that must notice a change without its
    /// webhook.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub drop_webhooks: f64,
    /// Lively mode: every SECS seconds, change one number's quality rating, messaging
    /// limit or status (a CONNECTED, FLAGGED or RESTRICTED number, picked at random),
    /// sending the webhook Graph would. Every change is listed by `GET /__mock/changes`.
    #[arg(long, value_name = "SECS")]
    pub lively: Option<f64>,
    /// With `--lively`: a number changes at most once per this many seconds (default 30),
    /// since a watcher that polls sees only changes slower than its interval, and Graph
    /// does not flip a number's rating several times a second.
    #[arg(long, value_name = "SECS", requires = "lively")]
    pub lively_cooldown: Option<f64>,
}

/// A validated `--wabas`/`--numbers-per-waba` pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FleetSize {
    wabas: usize,
    numbers_per_waba: usize,
}

impl MockArgs {
    /// Binds 127.0.0.1:`port`, seeds the `--wabas` fleet if asked, prints the base URL
    /// (and the mock's token), serves until Ctrl-C.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        let fleet = fleet_size(self.wabas, self.numbers_per_waba)?;
        let limits = self.rate_limits()?;
        if self.latency_ms > 60_000 {
            return Err(Failure::Usage(
                "--latency-ms must be at most 60000 (one minute)".into(),
            ));
        }
        let mut builder = MockServer::builder()
            .rate_limits(limits)
            .latency(std::time::Duration::from_millis(self.latency_ms))
            .webhook_delivery(self.delivery()?);
        if self.require_appsecret_proof {
            builder = builder.require_appsecret_proof();
        }
        if let Some(lively) = lively(self.lively, self.lively_cooldown)? {
            builder = builder.lively(lively);
        }
        serve(global, builder, self.port, self.review_names_after, fleet).await
    }

    /// How webhooks are delivered: Graph's retries, with the concurrency and duplicates the
    /// flags ask for.
    fn delivery(&self) -> Result<DeliveryPolicy, Failure> {
        if !(1..=1024).contains(&self.webhook_concurrency) {
            return Err(Failure::Usage(
                "--webhook-concurrency must be from 1 to 1024".into(),
            ));
        }
        if self.webhook_duplicates > 100 {
            return Err(Failure::Usage(
                "--webhook-duplicates is a percentage: from 0 to 100".into(),
            ));
        }
        Ok(DeliveryPolicy {
            concurrency: self.webhook_concurrency,
            duplicate_percent: self.webhook_duplicates,
            drop_percent: drop_percent(self.drop_webhooks)?,
            ..DeliveryPolicy::default()
        })
    }

    /// The rate-limit model the flags ask for.
    fn rate_limits(&self) -> Result<RateLimits, Failure> {
        if !(self.rate_window.is_finite() && self.rate_window > 0.0 && self.rate_window <= 86_400.0)
        {
            return Err(Failure::Usage(
                "--rate-window must be a number of seconds above 0, at most 86400".into(),
            ));
        }
        let window = Duration::from_secs_f64(self.rate_window);
        for (flag, value) in [
            ("--app-calls-per-window", self.app_calls_per_window),
            ("--account-calls-per-window", self.account_calls_per_window),
        ] {
            if value == Some(0) {
                return Err(Failure::Usage(format!("{flag} must be at least 1")));
            }
        }
        let defaults = RateLimits::default();
        Ok(
            match (self.app_calls_per_window, self.account_calls_per_window) {
                (None, None) => defaults.with_window(window),
                (app, account) => RateLimits::enforced(
                    app.unwrap_or(defaults.app_calls),
                    account.unwrap_or(defaults.account_calls),
                    window,
                ),
            },
        )
    }
}

/// The `--drop-webhooks` fraction as a percentage (rounded to the nearest whole one).
fn drop_percent(fraction: f64) -> Result<u8, Failure> {
    if !(fraction.is_finite() && (0.0..=1.0).contains(&fraction)) {
        return Err(Failure::Usage(
            "--drop-webhooks is a fraction of deliveries: from 0.0 to 1.0 (0.3 loses 30 %)".into(),
        ));
    }
    // At most 100.0 here, so the cast neither wraps nor saturates.
    Ok((fraction * 100.0).round() as u8)
}

/// Lively mode as `--lively` and `--lively-cooldown` ask for it (none without `--lively`):
/// an interval above 0 and a cooldown from 0, each at most [`MAX_LIVELY_SECS`].
fn lively(every: Option<f64>, cooldown: Option<f64>) -> Result<Option<Lively>, Failure> {
    let Some(every) = every else {
        return match cooldown {
            Some(_) => Err(Failure::Usage(
                "--lively-cooldown needs --lively (how often a number changes)".into(),
            )),
            None => Ok(None),
        };
    };
    if !(every.is_finite() && (0.001..=MAX_LIVELY_SECS).contains(&every)) {
        return Err(Failure::Usage(format!(
            "--lively must be a number of seconds from 0.001 to {MAX_LIVELY_SECS}"
        )));
    }
    let cooldown = cooldown.unwrap_or(DEFAULT_LIVELY_COOLDOWN_SECS);
    if !(cooldown.is_finite() && (0.0..=MAX_LIVELY_SECS).contains(&cooldown)) {
        return Err(Failure::Usage(format!(
            "--lively-cooldown must be a number of seconds from 0 to {MAX_LIVELY_SECS}"
        )));
    }
    Ok(Some(Lively {
        every: Duration::from_secs_f64(every),
        cooldown: Duration::from_secs_f64(cooldown),
        ..Lively::default()
    }))
}

/// Checks the fleet flags: `--wabas` at least 1, `--numbers-per-waba` at least 1 (and
/// only with `--wabas`), their product at most [`MAX_FLEET_NUMBERS`].
fn fleet_size(
    wabas: Option<u64>,
    numbers_per_waba: Option<u64>,
) -> Result<Option<FleetSize>, Failure> {
    let Some(wabas) = wabas else {
        return match numbers_per_waba {
            Some(_) => Err(Failure::Usage(
                "--numbers-per-waba needs --wabas (how many accounts to seed)".into(),
            )),
            None => Ok(None),
        };
    };
    if wabas == 0 {
        return Err(Failure::Usage(
            "--wabas must be at least 1 (leave it out for the demo data only)".into(),
        ));
    }
    let per_waba = numbers_per_waba.unwrap_or(DEFAULT_NUMBERS_PER_WABA);
    if per_waba == 0 {
        return Err(Failure::Usage(
            "--numbers-per-waba must be at least 1".into(),
        ));
    }
    if wabas > MAX_FLEET_NUMBERS || wabas.saturating_mul(per_waba) > MAX_FLEET_NUMBERS {
        return Err(Failure::Usage(format!(
            "--wabas {wabas} times --numbers-per-waba {per_waba} is more than \
             {MAX_FLEET_NUMBERS} numbers; ask for fewer"
        )));
    }
    // Both are at most MAX_FLEET_NUMBERS here, which fits any usize.
    Ok(Some(FleetSize {
        wabas: wabas as usize,
        numbers_per_waba: per_waba as usize,
    }))
}

async fn serve(
    global: &Global,
    builder: MockServerBuilder,
    port: u16,
    review_names_after: f64,
    fleet: Option<FleetSize>,
) -> Result<(), Failure> {
    if !(review_names_after.is_finite() && (0.0..=86_400.0).contains(&review_names_after)) {
        return Err(Failure::Usage(
            "--review-names-after must be a number of seconds from 0 to 86400".into(),
        ));
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Failure::Local(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::Local(e.to_string()))?;
    let mut builder = builder;
    if let Some(secret) = &global.app_secret {
        builder = builder.app_secret(secret.clone());
    }
    if review_names_after > 0.0 {
        builder = builder.review_names_after(Duration::from_secs_f64(review_names_after));
    }
    let service = builder.service();
    // Seeded before the base URL is printed, so a script that waits for it finds the fleet.
    let seeded = fleet.map(|size| {
        let state = service.state();
        let wabas = state.seed_fleet(FLEET_BUSINESS_ID, size.wabas, size.numbers_per_waba);
        (size, wabas)
    });
    let base_url = format!("http://{address}");
    if global.json {
        let mut line = serde_json::json!({"base_url": base_url, "access_token": service.access_token(), "app_id": service.app_id()});
        if let Some((size, wabas)) = &seeded {
            line["fleet"] = serde_json::json!({
                "business_id": FLEET_BUSINESS_ID,
                "wabas": size.wabas,
                "numbers_per_waba": size.numbers_per_waba,
                "first_waba_id": wabas.first(),
            });
        }
        emit_line(&line.to_string())?;
    } else {
        emit_line(&base_url)?;
    }
    if let Some((size, wabas)) = &seeded {
        crate::to_stderr!(
            "fleet: business {FLEET_BUSINESS_ID} owns {} account{} ({} to {}) with {} numbers each",
            size.wabas,
            if size.wabas == 1 { "" } else { "s" },
            wabas.first().map_or("", String::as_str),
            wabas.last().map_or("", String::as_str),
            size.numbers_per_waba,
        );
    }
    if !global.json {
        crate::to_stderr!(
            "mock Graph API serving on {base_url} (app {}, token: {}, demo account {}); Ctrl-C stops it",
            service.app_id(),
            service.access_token(),
            whatsapp_phone_numbers_mock::demo::DEMO_WABA_ID
        );
        if let Some(lively) = service.lively() {
            crate::to_stderr!(
                "lively: one number changes every {:.3} s (each at most once per {:.3} s); \
                 GET {base_url}/__mock/changes lists every change",
                lively.every.as_secs_f64(),
                lively.cooldown.as_secs_f64(),
            );
        }
    }
    serve_until_ctrl_c(listener, service)
        .await
        .map_err(|e| Failure::Local(format!("the mock stopped: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(result: Result<Option<FleetSize>, Failure>) -> String {
        match result {
            Err(Failure::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn fleet_flags_are_checked() {
        assert_eq!(fleet_size(None, None).unwrap(), None);
        assert_eq!(
            fleet_size(Some(3), None).unwrap(),
            Some(FleetSize {
                wabas: 3,
                numbers_per_waba: 100
            })
        );
        assert_eq!(
            fleet_size(Some(100), Some(10_000)).unwrap(),
            Some(FleetSize {
                wabas: 100,
                numbers_per_waba: 10_000
            })
        );
        assert!(usage(fleet_size(Some(0), Some(5))).contains("--wabas"));
        assert!(usage(fleet_size(Some(5), Some(0))).contains("--numbers-per-waba"));
        assert!(usage(fleet_size(None, Some(5))).contains("--numbers-per-waba"));
        let too_many = usage(fleet_size(Some(101), Some(10_000)));
        assert!(too_many.contains("--wabas") && too_many.contains("--numbers-per-waba"));
        let overflow = usage(fleet_size(Some(u64::MAX), Some(u64::MAX)));
        assert!(overflow.contains("1000000"), "{overflow}");
    }

    fn refused<T: std::fmt::Debug>(result: Result<T, Failure>) -> String {
        match result {
            Err(Failure::Usage(message)) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn drop_webhooks_is_a_fraction() {
        assert_eq!(drop_percent(0.0).unwrap(), 0);
        assert_eq!(drop_percent(0.3).unwrap(), 30);
        assert_eq!(drop_percent(0.057).unwrap(), 6);
        assert_eq!(drop_percent(1.0).unwrap(), 100);
        for bad in [-0.1, 1.01, 30.0, f64::NAN, f64::INFINITY] {
            assert!(
                refused(drop_percent(bad)).contains("--drop-webhooks"),
                "{bad}"
            );
        }
    }

    #[test]
    fn lively_flags_are_checked() {
        assert_eq!(lively(None, None).unwrap(), None);
        assert_eq!(
            lively(Some(2.0), None).unwrap(),
            Some(Lively {
                every: Duration::from_secs(2),
                cooldown: Duration::from_secs(30),
                ..Lively::default()
            })
        );
        assert_eq!(
            lively(Some(0.5), Some(0.0)).unwrap(),
            Some(Lively {
                every: Duration::from_millis(500),
                cooldown: Duration::ZERO,
                ..Lively::default()
            })
        );
        for bad in [0.0, -1.0, 86_401.0, f64::NAN] {
            assert!(
                refused(lively(Some(bad), None)).contains("--lively"),
                "{bad}"
            );
        }
        for bad in [-1.0, 86_401.0, f64::INFINITY] {
            assert!(
                refused(lively(Some(1.0), Some(bad))).contains("--lively-cooldown"),
                "{bad}"
            );
        }
        assert!(refused(lively(None, Some(5.0))).contains("--lively-cooldown"));
    }
}
