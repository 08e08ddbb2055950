//! `webhooks consume`: hand each stored change on, at least once, and mark it done only
//! after it was printed and flushed, or after `--exec`'s command exited 0.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use tokio::sync::Notify;
use whatsapp_phone_numbers_inbox::{Change, ConsumeOptions, HandlerError};

use super::location::InboxFlag;
use super::stop::stop_signal;
use crate::failure::Failure;
use crate::session::Global;
use crate::terminal::safe;

/// `webhooks consume [--inbox LOCATION] [--consumer NAME] [--exec CMD] [--until-empty]`
///
/// Changes of one account come in the order they arrived, one at a time across every
/// consumer of the inbox. With `--json`, each change is one JSON line:
/// `{"id", "app_id", "waba_id", "field", "time", "received_at", "attempt", "value"}`, its
/// value exactly as Graph sent it.
#[derive(Debug, Args)]
pub struct ConsumeArgs {
    #[command(flatten)]
    pub inbox: InboxFlag,
    /// This consumer's name, kept with its leases (default: consumer-PID).
    #[arg(long, value_name = "NAME")]
    pub consumer: Option<String>,
    /// Run this shell command for each change instead of printing it: the change's JSON
    /// line on its stdin, WAPHONE_CHANGE_ID, WAPHONE_APP_ID, WAPHONE_WABA_ID,
    /// WAPHONE_FIELD and WAPHONE_ATTEMPT in its environment. Exit 0 marks the change done;
    /// anything else retries it later.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Exit 0 once no change is pending, instead of waiting for more.
    #[arg(long)]
    pub until_empty: bool,
    /// Attempts before a failing change becomes a dead letter.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub max_attempts: u32,
    /// Seconds a change stays leased without a renewal (renewed while it is handled); a
    /// consumer that dies gives its change up after this.
    #[arg(long, default_value_t = 30.0, value_name = "SECS")]
    pub lease: f64,
    /// Seconds between looks for new changes while there are none.
    #[arg(long, default_value_t = 0.2, value_name = "SECS")]
    pub poll_interval: f64,
}

impl ConsumeArgs {
    /// Consumes until the inbox is empty (`--until-empty`), Ctrl-C, SIGTERM, or stdout
    /// closes.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        let positive = |value: f64, flag: &str| {
            if value.is_finite() && value > 0.0 && value < 86_400.0 {
                Ok(Duration::from_secs_f64(value))
            } else {
                Err(Failure::Usage(format!(
                    "invalid {flag}: {value} (seconds, more than 0 and less than a day)"
                )))
            }
        };
        if self.max_attempts == 0 {
            return Err(Failure::Usage(
                "invalid --max-attempts: 0 (at least 1)".into(),
            ));
        }
        let options = ConsumeOptions {
            consumer: self
                .consumer
                .clone()
                .unwrap_or_else(|| format!("consumer-{}", std::process::id())),
            lease: positive(self.lease, "--lease")?,
            max_attempts: self.max_attempts,
            poll_interval: positive(self.poll_interval, "--poll-interval")?,
            until_empty: self.until_empty,
            ..ConsumeOptions::default()
        };
        let inbox = self.inbox.open().await?;
        let closed = Arc::new(Closed::default());
        let json = global.json;
        let exec = self.exec.clone();
        let handler = {
            let closed = closed.clone();
            move |change: Change| {
                let closed = closed.clone();
                let exec = exec.clone();
                async move {
                    match exec {
                        Some(command) => run_command(&command, &change).await,
                        None => print(&change, json, &closed).await,
                    }
                }
            }
        };
        // Ctrl-C, SIGTERM or a closed stdout: the change in hand is given back at once.
        let signalled = Arc::new(AtomicBool::new(false));
        let stop = {
            let (closed, signalled) = (closed.clone(), signalled.clone());
            async move {
                tokio::select! {
                    () = stop_signal() => signalled.store(true, Ordering::SeqCst),
                    () = closed.notify.notified() => {}
                }
            }
        };
        let consumed = inbox
            .consume_until(&options, handler, stop)
            .await
            .map_err(|e| Failure::Local(format!("the inbox failed: {e}")))?;
        if closed.flag.load(Ordering::SeqCst) {
            return Err(Failure::Closed);
        }
        if signalled.load(Ordering::SeqCst) {
            return Ok(());
        }
        crate::to_stderr!(
            "waphone: {} done, {} to retry, {} dead letters; nothing pending",
            consumed.done,
            consumed.retried,
            consumed.dead
        );
        Ok(())
    }
}

/// Whether stdout was found closed, and who to tell.
#[derive(Default)]
struct Closed {
    flag: AtomicBool,
    notify: Notify,
}

/// Prints `change` and flushes. A closed stdout stops the consumer: the handler never
/// answers, and the change is given back for another consumer.
async fn print(change: &Change, json: bool, closed: &Closed) -> Result<(), HandlerError> {
    let mut line = if json {
        change.to_json()
    } else {
        format!(
            "#{}  {}  {}  {}",
            change.id,
            safe(&change.waba_id),
            safe(&change.field),
            safe(&change.value)
        )
    };
    line.push('\n');
    let written = tokio::task::spawn_blocking(move || {
        let mut out = std::io::stdout().lock();
        out.write_all(line.as_bytes()).and_then(|()| out.flush())
    })
    .await
    .map_err(|e| format!("cannot print: {e}"))?;
    match written {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            closed.flag.store(true, Ordering::SeqCst);
            closed.notify.notify_one();
            std::future::pending().await
        }
        Err(error) => Err(format!("cannot print: {error}").into()),
    }
}

/// Runs `command` with `change`: done when it exits 0.
async fn run_command(command: &str, change: &Change) -> Result<(), HandlerError> {
    let (id, attempt) = (change.id.to_string(), change.attempt.to_string());
    let env = [
        ("WAPHONE_CHANGE_ID", id.as_str()),
        (
            "WAPHONE_APP_ID",
            change.app_id.as_deref().unwrap_or_default(),
        ),
        ("WAPHONE_WABA_ID", change.waba_id.as_str()),
        ("WAPHONE_FIELD", change.field.as_str()),
        ("WAPHONE_ATTEMPT", attempt.as_str()),
    ];
    crate::commands::exec::run(command, &env, &change.to_json())
        .await
        .map_err(HandlerError::from)
}
