//! Consumers: at least once, in order per account, retried with backoff, dead letters after
//! a number of failures.

use std::future::Future;
use std::time::{Duration, SystemTime};

use crate::Inbox;
use crate::error::InboxError;
use crate::model::Change;

/// What a handler answers when it could not handle a change: the change is tried again
/// later, and given up on (a dead letter with this text) after the last attempt.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// How a consumer takes changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumeOptions {
    /// The consumer's name, kept with its leases (for `status` and debugging).
    pub consumer: String,
    /// How long a change stays leased to this consumer without a renewal: the lease is
    /// renewed every third of it while the handler runs, and a consumer that dies releases
    /// its change when the lease runs out, to another (default 30 s).
    pub lease: Duration,
    /// Attempts before a failing change becomes a dead letter (default 8).
    pub max_attempts: u32,
    /// The wait before the first retry; it doubles after each (default 1 s).
    pub first_backoff: Duration,
    /// The longest wait between retries (default 5 minutes).
    pub max_backoff: Duration,
    /// How often an idle consumer looks for new changes (default 200 ms).
    pub poll_interval: Duration,
    /// Return once nothing is pending or leased, instead of waiting for more.
    pub until_empty: bool,
}

impl Default for ConsumeOptions {
    fn default() -> Self {
        Self {
            consumer: format!("consumer-{}", std::process::id()),
            lease: Duration::from_secs(30),
            max_attempts: 8,
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            poll_interval: Duration::from_millis(200),
            until_empty: false,
        }
    }
}

impl ConsumeOptions {
    /// The wait after failed attempt `attempt` (1 for the first).
    fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(30);
        self.first_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }
}

/// What a consumer did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Consumed {
    /// Changes handled.
    pub done: u64,
    /// Failures given back for another attempt.
    pub retried: u64,
    /// Changes given up on.
    pub dead: u64,
}

impl Inbox {
    /// Hands each change to `handler`, one at a time, oldest first; a change is marked done
    /// only after `handler` answered `Ok` (so a crash before that hands it out again: at
    /// least once), retried with a doubling backoff after an `Err`, and kept as a dead letter
    /// after [`max_attempts`](ConsumeOptions::max_attempts). Changes of one account are
    /// handed out in the order they arrived, one at a time across every consumer: the next
    /// waits while an earlier one is leased or waiting for its retry. Several consumers
    /// (threads, processes, machines on PostgreSQL) may run at once.
    ///
    /// Runs until the inbox is empty with [`until_empty`](ConsumeOptions::until_empty),
    /// else forever (drop the future to stop; a change in flight is handed out again when
    /// its lease runs out, or use [`consume_until`](Self::consume_until)). A store that
    /// fails is tried again with the same backoff.
    pub async fn consume<F, Fut>(
        &self,
        options: &ConsumeOptions,
        handler: F,
    ) -> Result<Consumed, InboxError>
    where
        F: FnMut(Change) -> Fut,
        Fut: Future<Output = Result<(), HandlerError>>,
    {
        self.consume_until(options, handler, std::future::pending())
            .await
    }

    /// [`consume`](Self::consume) until `stop` completes (a signal, a shutdown). A change
    /// in flight then is given back at once, as if it had not been handed out (its
    /// handler is dropped, its attempt not counted), so another consumer takes it without
    /// waiting for the lease to run out.
    pub async fn consume_until<F, Fut>(
        &self,
        options: &ConsumeOptions,
        mut handler: F,
        stop: impl Future<Output = ()>,
    ) -> Result<Consumed, InboxError>
    where
        F: FnMut(Change) -> Fut,
        Fut: Future<Output = Result<(), HandlerError>>,
    {
        tokio::pin!(stop);
        let mut consumed = Consumed::default();
        let mut store_failures = 0;
        loop {
            let claim = self.backend.claim(options.consumer.clone(), options.lease);
            tokio::pin!(claim);
            let claimed = tokio::select! {
                biased;
                () = &mut stop => {
                    // A claim already sent may still take a change: let it finish, and give
                    // back whatever it took.
                    if let Ok(Some(change)) = claim.await {
                        let (id, token) = (change.id, change.lease_token);
                        self.settle(|| self.backend.release(id, token), options).await;
                    }
                    return Ok(consumed);
                }
                claimed = &mut claim => claimed,
            };
            let claimed = match claimed {
                Ok(claimed) => {
                    store_failures = 0;
                    claimed
                }
                Err(error) => {
                    store_failures += 1;
                    let wait = options.backoff(store_failures);
                    tracing::warn!(%error, wait_ms = wait.as_millis() as u64, "inbox unavailable; trying again");
                    tokio::select! {
                        () = &mut stop => return Ok(consumed),
                        () = tokio::time::sleep(wait) => {}
                    }
                    continue;
                }
            };
            let Some(change) = claimed else {
                if options.until_empty && self.status().await?.backlog() == 0 {
                    return Ok(consumed);
                }
                tokio::select! {
                    () = &mut stop => return Ok(consumed),
                    () = tokio::time::sleep(options.poll_interval) => {}
                }
                continue;
            };
            let (id, token, attempt) = (change.id, change.lease_token, change.attempt);
            let handled = tokio::select! {
                handled = self.holding(id, token, options, handler(change)) => handled,
                () = &mut stop => {
                    self.settle(|| self.backend.release(id, token), options).await;
                    return Ok(consumed);
                }
            };
            match handled {
                Ok(()) => {
                    self.settle(|| self.backend.complete(id, token), options)
                        .await;
                    consumed.done += 1;
                }
                Err(error) => {
                    let text = error.to_string();
                    let retry_at = (attempt < options.max_attempts)
                        .then(|| SystemTime::now() + options.backoff(attempt));
                    if retry_at.is_some() {
                        consumed.retried += 1;
                    } else {
                        consumed.dead += 1;
                    }
                    tracing::warn!(id, attempt, error = %text, dead = retry_at.is_none(), "change not handled");
                    self.settle(
                        || self.backend.fail(id, token, text.clone(), retry_at),
                        options,
                    )
                    .await;
                }
            }
        }
    }

    /// Runs `work` while renewing the lease on change `id` every third of the lease, so a
    /// handler slower than the lease keeps its change (a consumer that dies stops renewing
    /// and the change is released when the lease runs out).
    async fn holding<T>(
        &self,
        id: i64,
        token: i64,
        options: &ConsumeOptions,
        work: impl Future<Output = T>,
    ) -> T {
        let every = (options.lease / 3).max(Duration::from_millis(10));
        let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return done,
                _ = renew.tick() => match self.backend.extend(id, token, options.lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(id, "the lease on a change was lost; another consumer may take it"),
                    Err(error) => tracing::warn!(id, %error, "cannot renew the lease on a change"),
                },
            }
        }
    }

    /// Runs a store update until it succeeds (a lost update would hand the change out
    /// again, which at-least-once allows, but retrying keeps that rare).
    async fn settle<'a, F>(&'a self, update: F, options: &ConsumeOptions)
    where
        F: Fn() -> crate::backend::Op<'a, bool>,
    {
        for attempt in 1..=5 {
            match update().await {
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(%error, "cannot record a change's outcome; trying again");
                    tokio::time::sleep(options.backoff(attempt)).await;
                }
            }
        }
    }
}
