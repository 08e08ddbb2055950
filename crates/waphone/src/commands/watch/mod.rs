//! `watch --business ID`: the fleet state kept current from webhooks (through the inbox)
//! and reconciled by periodic full reads, every difference recorded once in the history
//! and printed as one JSON line.
//!
//! The pattern is Kubernetes' list-and-watch informer: a full read first (the state's
//! first values), then each webhook change taken from the inbox applied as it comes, and
//! every `--resync` a full read through the fast path (field expansion and batch requests)
//! compared with the state. A difference a read finds that no webhook announced is marked
//! `"unannounced": true`: a lost webhook, a field the app is not subscribed to, or a change
//! Graph sends no webhook for.

mod consume;
#[cfg(feature = "mock")]
mod demo;
mod emit;
pub mod resync;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use tokio::sync::Notify;
use whatsapp_phone_numbers::GraphVersion;
use whatsapp_phone_numbers_inbox::fleet::Fleet;
use whatsapp_phone_numbers_inbox::{ConsumeOptions, Inbox};

use super::webhooks::location::InboxFlag;
use super::webhooks::stop::stop_signal;
use crate::failure::Failure;
use crate::metrics::Metrics;
use crate::session::Session;

/// How often the inbox's counts (backlog, dead letters) are read for the metrics.
const INBOX_COUNT_EVERY: Duration = Duration::from_secs(5);

/// `watch --business ID [--client] [--inbox LOCATION] [--resync 15m] [--exec CMD]
/// [--metrics-addr ADDR]`
///
/// Each difference is one JSON line on stdout:
/// `{"id", "entity", "entity_id", "waba_id", "field", "old", "new", "source",
/// "unannounced", "observed_at_ms", "recorded_at_ms", "inbox_change_id"}`. Progress and
/// each full read's summary go to stderr.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The business portfolio whose accounts are watched (with --mock: the demo's).
    #[arg(long, value_name = "BUSINESS_ID")]
    pub business: Option<String>,
    /// Also the accounts clients shared with the business.
    #[arg(long)]
    pub client: bool,
    /// Where webhooks wait (`webhooks listen` stores them) and the fleet state and history
    /// are kept. With --mock and no --inbox: a temporary SQLite file, with a listener of
    /// this process's own subscribed to the mock.
    #[command(flatten)]
    pub inbox: InboxFlag,
    /// How often the whole fleet is read and compared (`90s`, `15m`, `1h`; at least 1s).
    #[arg(long, default_value = "15m", value_name = "DURATION")]
    pub resync: String,
    /// Run this shell command for each difference instead of printing it: the JSON line on
    /// its stdin. Exit 0 marks it handed on; anything else retries it (in order) a second
    /// later.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Serve Prometheus metrics at http://ADDR/metrics (`127.0.0.1:9464`).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Stop after this long (`30s`, `10m`); default: until Ctrl-C or SIGTERM.
    #[arg(long = "for", value_name = "DURATION")]
    pub run_for: Option<String>,
    /// With --mock: one random change to a number every SECS (quality, messaging limit or
    /// status).
    #[arg(long, default_value_t = 2.0, value_name = "SECS")]
    pub lively: f64,
    /// With --mock: lose this share of webhook deliveries on purpose (0.3: 30%), so that
    /// the full reads find what they announced.
    #[arg(long, default_value_t = 0.0, value_name = "FRACTION")]
    pub drop_webhooks: f64,
}

/// A duration flag: `90s`, `15m`, `1h 30m`.
fn duration(text: &str, flag: &str, at_least: Duration) -> Result<Duration, Failure> {
    let parsed = humantime::parse_duration(text.trim())
        .map_err(|e| Failure::Usage(format!("invalid {flag}: {text:?}: {e}")))?;
    if parsed < at_least {
        return Err(Failure::Usage(format!(
            "invalid {flag}: {text:?} (at least {})",
            humantime::format_duration(at_least)
        )));
    }
    Ok(parsed)
}

impl WatchArgs {
    /// What the mock should do for this command (with --mock).
    pub fn mock_options(&self) -> Result<(f64, f64), Failure> {
        if !(self.lively.is_finite() && self.lively > 0.0 && self.lively <= 3600.0) {
            return Err(Failure::Usage(format!(
                "invalid --lively: {} (seconds, more than 0 and at most 3600)",
                self.lively
            )));
        }
        if !(self.drop_webhooks.is_finite() && (0.0..=1.0).contains(&self.drop_webhooks)) {
            return Err(Failure::Usage(format!(
                "invalid --drop-webhooks: {} (a fraction from 0 to 1)",
                self.drop_webhooks
            )));
        }
        Ok((self.lively, self.drop_webhooks))
    }

    /// Watches until Ctrl-C, SIGTERM or `--for`.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let resync_every = duration(&self.resync, "--resync", Duration::from_secs(1))?;
        let run_for = self
            .run_for
            .as_deref()
            .map(|t| duration(t, "--for", Duration::from_millis(1)))
            .transpose()?;
        let numeric = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        let business = match (&self.business, session.demo_business()) {
            (Some(b), _) if !numeric(b) => {
                return Err(Failure::Usage(format!(
                    "invalid --business: must be a numeric Graph ID, got {b:?} (nothing was sent)"
                )));
            }
            (Some(b), _) => b.clone(),
            (None, Some(demo)) => demo.to_owned(),
            (None, None) => {
                return Err(Failure::Usage(
                    "watch needs --business BUSINESS_ID (or --mock for the demo business)".into(),
                ));
            }
        };
        if session.mock.is_none() && (self.drop_webhooks != 0.0) {
            return Err(Failure::Usage(
                "--drop-webhooks needs --mock (it makes the mock lose deliveries)".into(),
            ));
        }
        let metrics = Metrics::new();
        // The mock's own listener and temporary inbox, unless --inbox names one.
        #[cfg(feature = "mock")]
        let demo = match (&session.mock, &self.inbox.inbox) {
            (Some(_), None) => Some(demo::Demo::start(session, &metrics).await?),
            _ => None,
        };
        #[cfg(feature = "mock")]
        let inbox = match &demo {
            Some(demo) => demo.inbox.clone(),
            None => self.inbox.open().await?,
        };
        #[cfg(not(feature = "mock"))]
        let inbox = self.inbox.open().await?;
        let fleet = Fleet::open(&inbox)
            .await
            .map_err(|e| Failure::Local(format!("cannot read the fleet state: {e}")))?;
        if let Some(address) = self.metrics_addr {
            let bound = metrics.serve(address).await?;
            crate::to_stderr!("waphone: metrics at http://{bound}/metrics");
        }
        let watcher = Watcher {
            session,
            inbox,
            fleet,
            business,
            client_accounts: self.client,
            metrics,
            emitted: Notify::new(),
            exec: self.exec.clone(),
        };
        watcher.run(resync_every, run_for).await?;
        #[cfg(feature = "mock")]
        drop(demo);
        Ok(ExitCode::SUCCESS)
    }
}

/// One watch: its client, inbox, state and metrics.
struct Watcher<'a, V: GraphVersion> {
    session: &'a Session<V>,
    inbox: Inbox,
    fleet: Fleet,
    business: String,
    client_accounts: bool,
    metrics: Metrics,
    /// Told when records wait to be handed on.
    emitted: Notify,
    exec: Option<String>,
}

impl<V: GraphVersion> Watcher<'_, V> {
    /// The loop: a full read at once (the first values, or a restarted watch's catch-up,
    /// compared once the inbox's backlog is consumed), webhooks as they come, and a full
    /// read every `resync_every`, until stopped.
    async fn run(&self, resync_every: Duration, run_for: Option<Duration>) -> Result<(), Failure> {
        self.metrics.load(&self.fleet).await;
        let stop = Arc::new(Notify::new());
        let options = ConsumeOptions {
            consumer: format!("watch-{}", std::process::id()),
            // A watch killed while it held a change blocks that account's later changes
            // until the lease runs out: keep it short (it is renewed while handled).
            lease: Duration::from_secs(5),
            poll_interval: Duration::from_millis(100),
            max_attempts: 20,
            ..ConsumeOptions::default()
        };
        let consuming = self
            .inbox
            .consume_until(&options, |change| self.on_change(change), {
                let stop = stop.clone();
                async move { stop.notified().await }
            });
        let reading = async {
            // The first read gives the state its first values (and a restarted watch its
            // catch-up); the backlog is consumed meanwhile and waited for before comparing.
            // A first read Graph refuses for good ends the watch; later failures are
            // retried at the next read.
            if let Err(error) = self.resync().await
                && self.fleet.is_empty().await
                && !error.is_retryable()
            {
                return Err(Failure::Api(error));
            }
            loop {
                tokio::time::sleep(resync_every).await;
                let _ = self.resync().await;
            }
        };
        // Records a crash left before they were handed on go first.
        let emitting = async {
            let mut counted: Option<Instant> = None;
            loop {
                self.emit(false).await?;
                // The inbox's counts read every row: every few seconds is enough.
                let status = match counted {
                    Some(at) if at.elapsed() < INBOX_COUNT_EVERY => None,
                    _ => {
                        counted = Some(Instant::now());
                        self.inbox.status().await.ok()
                    }
                };
                self.metrics
                    .observe(status.as_ref(), &self.session.client.throttle_status());
                let _ =
                    tokio::time::timeout(Duration::from_millis(500), self.emitted.notified()).await;
            }
        };
        let until = async {
            match run_for {
                Some(limit) => tokio::time::sleep(limit).await,
                None => std::future::pending().await,
            }
        };
        let control = async {
            let outcome: Result<(), Failure> = tokio::select! {
                read = reading => read,
                emitted = emitting => emitted,
                () = stop_signal() => Ok(()),
                () = until => Ok(()),
            };
            outcome
        };
        tokio::pin!(consuming);
        let outcome: Result<(), Failure> = tokio::select! {
            consumed = &mut consuming => {
                return Err(match consumed {
                    Ok(_) => Failure::Local("the inbox consumer stopped".into()),
                    Err(e) => Failure::Local(format!("the inbox failed: {e}")),
                });
            }
            outcome = control => outcome,
        };
        // The change in hand, if any, is given back at once for the next watch.
        stop.notify_one();
        let _ = consuming.await;
        outcome?;
        // What was recorded before the stop is handed on before exiting.
        self.emit(true).await
    }
}
