//! Applying what the watch sees: a webhook change from the inbox, or a full read.

use std::time::{Duration, Instant};

use whatsapp_phone_numbers::{Error, Field, GraphVersion};
use whatsapp_phone_numbers_inbox::fleet::{Source, display_digits, from_number, from_webhook};
use whatsapp_phone_numbers_inbox::{Change, HandlerError};

use super::Watcher;
use super::resync::{now_ms, read_fleet};
use crate::terminal::safe;

/// How long a full read waits for the inbox's backlog to be consumed before comparing
/// (so that what a webhook in it announced is not taken for unannounced).
const BACKLOG_WAIT: Duration = Duration::from_secs(3);

impl<V: GraphVersion> Watcher<'_, V> {
    /// Applies one webhook change. The values it names are applied as they are; a field it
    /// says changed without naming the new value (`UNFLAGGED`, a name review) is read
    /// first. Fails (the inbox retries it) when that read or the store fails.
    pub(super) async fn on_change(&self, change: Change) -> Result<(), HandlerError> {
        let number = match display_digits(&change) {
            Some(digits) => self.fleet.number_by_display(&digits).await,
            None => None,
        };
        let facts = from_webhook(&change, number);
        let mut observations = facts.observations;
        for (id, waba_id, fields) in facts.reads {
            let at_ms = now_ms();
            let wanted: Vec<V::PhoneNumberField> = std::iter::once("id")
                .chain(fields.iter().copied())
                .map(Field::parse)
                .collect();
            match self
                .session
                .client
                .phone_number(&id)
                .get()
                .fields(wanted)
                .await
            {
                Ok(number) => {
                    let value = serde_json::to_value(&*number).unwrap_or_default();
                    observations.extend(
                        from_number(waba_id.as_deref(), &value, &fields, at_ms, Source::Webhook)
                            .into_iter()
                            .map(|mut o| {
                                o.inbox_change_id = Some(change.id);
                                o
                            }),
                    );
                }
                Err(error) => {
                    self.metrics.graph_error(error.code());
                    if error.is_retryable() {
                        return Err(format!("cannot read number {id}: {error}").into());
                    }
                    // A number Graph no longer shows: the next full read settles it.
                    crate::to_stderr!(
                        "waphone: watch: cannot read number {id} after a webhook: {}",
                        safe(&error.to_string())
                    );
                }
            }
        }
        let changes = self
            .fleet
            .apply(observations)
            .await
            .map_err(|e| format!("cannot store the fleet state: {e}"))?;
        self.metrics.consumed(&change.field);
        if !changes.is_empty() {
            self.metrics.changed(&changes);
            self.emitted.notify_one();
        }
        Ok(())
    }

    /// One full read, compared with the state once the inbox's backlog is consumed.
    /// Failures are reported on stderr and counted (the next read tries again), and
    /// answered, so that a first read refused for good (a token Graph rejects) ends the
    /// watch.
    pub(super) async fn resync(&self) -> Result<(), Error> {
        let first = self.fleet.is_empty().await;
        let waited = Instant::now();
        let mut changed = 0;
        let mut store_error = None;
        let read = read_fleet(
            &self.session.client,
            &self.business,
            self.client_accounts,
            async |observations| {
                // What a webhook already in the inbox announced is not unannounced.
                while waited.elapsed() < BACKLOG_WAIT {
                    match self.inbox.has_backlog().await {
                        Ok(true) => tokio::time::sleep(Duration::from_millis(50)).await,
                        _ => break,
                    }
                }
                match self.fleet.apply(observations).await {
                    Ok(changes) => {
                        changed += changes.len();
                        self.metrics.changed(&changes);
                        if !changes.is_empty() {
                            self.emitted.notify_one();
                        }
                    }
                    Err(error) => store_error = Some(error),
                }
            },
        )
        .await;
        let read = match read {
            Ok(read) => read,
            Err(error) => {
                self.failed_read(&error);
                return Err(error);
            }
        };
        for error in &read.errors {
            self.metrics.graph_error(error.code());
        }
        let seconds = read.duration.as_secs_f64();
        if let Some(error) = store_error {
            self.metrics.resynced(false, seconds, read.requests);
            crate::to_stderr!(
                "waphone: resync: cannot store the fleet state: {}",
                safe(&error.to_string())
            );
            return Ok(());
        }
        self.metrics.resynced(true, seconds, read.requests);
        if first {
            self.metrics.load(&self.fleet).await;
        }
        let what = if first { "first read" } else { "resync" };
        crate::to_stderr!(
            "waphone: {what}: {} accounts, {} numbers in {} requests, {seconds:.1} s: {changed} unannounced differences{}",
            read.accounts,
            read.numbers,
            read.requests,
            if read.errors.is_empty() {
                String::new()
            } else {
                format!("; {} accounts not read in full", read.errors.len())
            }
        );
        Ok(())
    }

    fn failed_read(&self, error: &Error) {
        self.metrics.graph_error(error.code());
        self.metrics.resynced(false, 0.0, 0);
        crate::to_stderr!(
            "waphone: resync failed (tried again at the next): {}",
            safe(&error.to_string())
        );
    }
}
