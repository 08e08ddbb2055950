//! `webhooks listen`: answer Graph's handshake and store each verified delivery in the
//! inbox before answering it 200.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use whatsapp_phone_numbers::webhooks::{
    DEFAULT_MAX_BODY_BYTES, DeliveryStore, Received, ServeLimits, StoreError, WebhookReceiver,
    serve,
};
use whatsapp_phone_numbers::{AppSecret, VerifyToken};
use whatsapp_phone_numbers_inbox::Inbox;

use super::location::InboxFlag;
use super::print::PrintStore;
use super::stop::stop_signal;
use crate::failure::Failure;
use crate::metrics::{Metrics, counting_refusals};
use crate::session::Global;

/// `webhooks listen --port P [--inbox LOCATION | --no-inbox] [--verify-token T] ...`
///
/// Signatures are checked with the app secret (`--app-secret` / `WHATSAPP_APP_SECRET`,
/// the app named by `--app-id`) and with each secret of `--apps-file`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port to listen on (0: a free one; the address is printed on stderr).
    #[arg(long)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The token Graph's verification handshake must carry (without it every handshake
    /// is refused).
    #[arg(long, env = "WHATSAPP_WEBHOOK_VERIFY_TOKEN", hide_env_values = true)]
    pub verify_token: Option<String>,
    /// Largest body accepted; larger ones are answered 413.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    #[command(flatten)]
    pub inbox: InboxFlag,
    /// Keep nothing: print each change on stdout and answer 200 once it is flushed. A
    /// change answered but not yet handled by whoever reads stdout is lost if that reader
    /// or this process stops.
    #[arg(long, conflicts_with = "inbox")]
    pub no_inbox: bool,
    /// The app `--app-secret` belongs to: kept with each delivery it signed.
    #[arg(long, env = "WHATSAPP_APP_ID", value_name = "APP_ID")]
    pub app_id: Option<String>,
    /// More apps posting to this callback: a file of `APP_ID=APP_SECRET` lines (`#`
    /// comments and blank lines allowed; keep it readable by you alone).
    #[arg(long, value_name = "PATH")]
    pub apps_file: Option<PathBuf>,
    /// Connections open at once; at the limit, the one idle the longest is closed.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub max_connections: usize,
    /// Seconds a connection may stay open without a request in flight, and a request may
    /// take to send its body (then 408).
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub idle_timeout: f64,
    /// Seconds the inbox may take to keep a delivery before it is answered 503.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub store_deadline: f64,
    /// Serve Prometheus metrics at http://ADDR/metrics: deliveries accepted, duplicated,
    /// refused and unavailable (`waphone_webhook_deliveries_total`).
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,
}

impl ListenArgs {
    /// Serves until Ctrl-C or SIGTERM (or, with `--no-inbox`, until stdout closes).
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        let mut notes = Vec::new();
        let receiver = self.receiver(global, &mut notes)?;
        let limits = ServeLimits {
            max_connections: self.max_connections.max(1),
            idle_timeout: seconds(self.idle_timeout, "--idle-timeout")?,
        };
        let location = if self.no_inbox {
            None
        } else {
            Some(self.inbox.location()?)
        };
        let listener = tokio::net::TcpListener::bind((self.host.as_str(), self.port))
            .await
            .map_err(|e| {
                Failure::Local(format!("cannot listen on {}:{}: {e}", self.host, self.port))
            })?;
        let address = listener
            .local_addr()
            .map_err(|e| Failure::Local(e.to_string()))?;
        crate::to_stderr!(
            "waphone: listening for webhooks on http://{address} (any path); Ctrl-C stops"
        );
        let metrics = match self.metrics_addr {
            Some(at) => {
                let metrics = Metrics::new();
                let bound = metrics.serve(at).await?;
                crate::to_stderr!("waphone: metrics at http://{bound}/metrics");
                Some(metrics)
            }
            None => None,
        };
        for note in notes {
            crate::to_stderr!("waphone: {note}");
        }
        let served = match location {
            None => {
                crate::to_stderr!(
                    "waphone: --no-inbox: each change is printed and answered once flushed, and \
                     kept nowhere: what the reader of stdout has not handled when it or this \
                     process stops is lost (Graph will not send it again)"
                );
                let (store, closed) = PrintStore::new();
                let router = receiver.router_with_store(store);
                serve(listener, router, limits, async move {
                    tokio::select! {
                        () = stop_signal() => {}
                        () = closed.notified() => {}
                    }
                })
                .await
            }
            Some(location) => {
                let inbox = Inbox::open_later(location.clone())
                    .await
                    .map_err(|e| Failure::Local(format!("cannot use the inbox: {e}")))?;
                crate::to_stderr!(
                    "waphone: each delivery is stored in {location} before it is answered \
                     (`waphone webhooks consume` hands the changes on)"
                );
                let store = Reporting::new(inbox.clone(), metrics.clone());
                if let Err(error) = inbox.status().await {
                    store.failed(&error.to_string());
                }
                let mut router = receiver.router_with_store(store);
                if let Some(metrics) = metrics {
                    router = counting_refusals(router, metrics);
                }
                serve(listener, router, limits, stop_signal()).await
            }
        };
        served.map_err(|e| Failure::Local(format!("the listener stopped: {e}")))
    }

    /// The receiver: every app's secret, the verify token and the limits.
    /// Warnings for the operator go to `notes`, printed after the address.
    fn receiver(
        &self,
        global: &Global,
        notes: &mut Vec<String>,
    ) -> Result<WebhookReceiver, Failure> {
        let mut apps: Vec<(Option<String>, AppSecret)> = Vec::new();
        if let Some(secret) = global.app_secret.as_deref() {
            let secret = AppSecret::new(secret).map_err(Failure::from)?;
            apps.push((self.app_id.clone(), secret));
        }
        if let Some(path) = &self.apps_file {
            apps.extend(read_apps_file(path, notes)?);
        }
        let mut apps = apps.into_iter();
        let Some((first_id, first_secret)) = apps.next() else {
            return Err(Failure::Usage(
                "--app-secret (or WHATSAPP_APP_SECRET) or --apps-file is required: it checks each webhook's signature"
                    .into(),
            ));
        };
        let mut receiver = match first_id {
            Some(id) => WebhookReceiver::for_app(id, first_secret),
            None => WebhookReceiver::new(first_secret),
        };
        for (id, secret) in apps {
            // Every app of the file has an ID.
            receiver = receiver.also_app(id.unwrap_or_default(), secret);
        }
        receiver = receiver
            .max_body_bytes(self.max_body_bytes)
            .body_timeout(seconds(self.idle_timeout, "--idle-timeout")?)
            .store_deadline(seconds(self.store_deadline, "--store-deadline")?);
        match &self.verify_token {
            Some(token) => {
                Ok(receiver.verify_token(VerifyToken::new(token.as_str()).map_err(Failure::from)?))
            }
            None => {
                notes.push(
                    "no --verify-token (or WHATSAPP_WEBHOOK_VERIFY_TOKEN): every verification handshake will be refused"
                        .into(),
                );
                Ok(receiver)
            }
        }
    }
}

/// A positive, finite number of seconds.
fn seconds(value: f64, flag: &str) -> Result<Duration, Failure> {
    if value.is_finite() && value > 0.0 && value < 86_400.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Failure::Usage(format!(
            "invalid {flag}: {value} (seconds, more than 0 and less than a day)"
        )))
    }
}

/// The apps of an `--apps-file`: `APP_ID=APP_SECRET` lines.
fn read_apps_file(
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<Vec<(Option<String>, AppSecret)>, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::Usage(format!(
            "invalid --apps-file: cannot read {}: {e}",
            path.display()
        ))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o077 != 0) {
            notes.push(format!(
                "warning: --apps-file {} holds app secrets and others may read it (chmod 600)",
                path.display()
            ));
        }
    }
    let mut apps = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let invalid = |why: &str| {
            Failure::Usage(format!(
                "invalid --apps-file: {} line {}: {why} (APP_ID=APP_SECRET)",
                path.display(),
                n + 1
            ))
        };
        let (id, secret) = line.split_once('=').ok_or_else(|| invalid("no `=`"))?;
        let id = id.trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("the app ID is not a number"));
        }
        let secret = AppSecret::new(secret.trim())
            .map_err(|_| invalid("the app secret is empty or not valid"))?;
        apps.push((Some(id.to_owned()), secret));
    }
    if apps.is_empty() {
        return Err(Failure::Usage(format!(
            "invalid --apps-file: {} names no app (APP_ID=APP_SECRET lines)",
            path.display()
        )));
    }
    Ok(apps)
}

/// The inbox, saying on stderr when it stops keeping deliveries (they are answered 503)
/// and when it keeps them again: once per change of state, not once per delivery; and
/// counting each delivery's outcome in the metrics, when there are some.
#[derive(Clone)]
pub(crate) struct Reporting {
    inbox: Inbox,
    failing: Arc<AtomicBool>,
    metrics: Option<Metrics>,
}

impl Reporting {
    pub(crate) fn new(inbox: Inbox, metrics: Option<Metrics>) -> Self {
        Self {
            inbox,
            failing: Arc::default(),
            metrics,
        }
    }

    fn count(&self, outcome: &'static str) {
        if let Some(metrics) = &self.metrics {
            metrics.delivery(outcome);
        }
    }

    fn failed(&self, error: &str) {
        if !self.failing.swap(true, Ordering::SeqCst) {
            crate::to_stderr!(
                "waphone: the inbox cannot keep deliveries ({}); answering 503 until it can, so that Graph sends them again",
                crate::terminal::safe(error)
            );
        }
    }
}

impl DeliveryStore for Reporting {
    async fn store(&self, delivery: Received) -> Result<(), StoreError> {
        match self.inbox.store(delivery).await {
            Ok(inserted) => {
                if self.failing.swap(false, Ordering::SeqCst) {
                    crate::to_stderr!("waphone: the inbox keeps deliveries again");
                }
                self.count(if inserted.new == 0 && inserted.duplicates > 0 {
                    "duplicated"
                } else {
                    "accepted"
                });
                Ok(())
            }
            Err(error) => {
                self.failed(&error.to_string());
                self.count("unavailable");
                Err(StoreError::from(error))
            }
        }
    }
}
