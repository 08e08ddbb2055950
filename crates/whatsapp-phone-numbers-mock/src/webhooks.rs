//! Webhooks the mock sends, routed the way Graph routes them.
//!
//! - **Where a change goes** (Meta's "Webhook overrides" page and the webhook guides): a
//!   change of an account goes to each app subscribed to that account
//!   (`POST /{waba-id}/subscribed_apps`) whose own subscription
//!   (`POST /{app-id}/subscriptions`, object `whatsapp_business_account`) lists the field,
//!   at that subscription's callback URL. Only the fields a callback override carries
//!   (`messages`, `calls`, the `group_*` fields, ... : the version table's
//!   `overridable_webhook_fields`) go to an override instead: the number's override set by
//!   that app, else its account-level one. Management fields (`phone_number_quality_update`,
//!   `phone_number_name_update`, `account_update`, ...) never go to an override. No source
//!   says whether an overridden field must also be listed in the app's own subscription;
//!   the mock requires it, as for every field.
//! - **Verification**: registering an `http://` callback on a loopback host (an app
//!   subscription, an account or number override) makes the mock verify it first with
//!   Graph's `GET` handshake (`hub.mode=subscribe`, a random `hub.challenge`, the
//!   `hub.verify_token`); the callback must answer 200 with the challenge, or the call
//!   fails with Graph's error 2200. An `https://` callback is stored as Graph would after
//!   verifying it, but the mock, which never leaves the machine, sends it nothing.
//! - **Delivery**: the mock posts
//!   `{"object": "whatsapp_business_account", "entry": [{"id", "time", "changes": [...]}]}`,
//!   signed with `X-Hub-Signature-256` (HMAC-SHA256 of the body, keyed by the receiving
//!   app's secret).
//! - **Retries** (Meta's "Set up webhooks" guide for the WhatsApp Business Platform: a
//!   delivery answered with anything but 200, or not delivered at all, is tried again "with
//!   decreasing frequency until the request succeeds, for up to 7 days"): the mock retries
//!   with a doubling backoff up to a ceiling, until a 200 or until
//!   [`DeliveryPolicy::give_up_after`] (7 days by default) or
//!   [`DeliveryPolicy::attempts`] runs out. Meta publishes no schedule; the backoff figures
//!   are the mock's own.
//! - **Concurrency**: no Meta page says how many deliveries Graph has in flight to one
//!   callback; Business Solution Providers' guidance (360dialog's "Receiving messages")
//!   asks receivers to handle concurrent requests. Each callback gets its deliveries one at
//!   a time, in the order the changes happened, unless
//!   [`DeliveryPolicy::concurrency`] allows more.
//! - **Duplicates**: Graph may send a delivery again after it was answered 200 (receivers
//!   are told to be idempotent); [`DeliveryPolicy::duplicate_percent`] makes the mock do
//!   so for that share of deliveries, to test a receiver's deduplication.
//! - **Lost deliveries**: [`DeliveryPolicy::drop_percent`] makes the mock lose that share
//!   of deliveries on purpose (never posted, not retried), as when a notification never
//!   reaches a receiver: for testing code that must notice a change without its webhook
//!   (by reading the number again). Which ones is decided when a change is queued, so
//!   the [change log](crate::MockChange) knows each change's fate.
//! - Every finished delivery is recorded (the last ones:
//!   [`MockState::deliveries`](crate::MockState::deliveries), `GET /__mock/webhooks`) and
//!   counted ([`MockState::webhook_stats`](crate::MockState::webhook_stats)).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;

/// The secret of the default app ([`MOCK_APP_ID`](crate::MOCK_APP_ID)) when the mock was given
/// none ([`MockServerBuilder::app_secret`](crate::MockServerBuilder::app_secret)).
pub const DEFAULT_APP_SECRET: &str = "mock-app-secret";

/// How many finished deliveries the mock remembers.
const LOG_LIMIT: usize = 1000;

/// How the mock delivers webhooks: retries, concurrency, deliberate duplicates and
/// deliberately lost deliveries.
///
/// The default is Graph's documented behaviour: retried until answered 200, for up to 7
/// days, with a backoff that doubles from 200 ms up to a minute (Meta gives no schedule),
/// one delivery at a time per callback, no duplicates, nothing lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Attempts in all, the first included (at least 1; `u32::MAX`: no limit but
    /// [`give_up_after`](Self::give_up_after)).
    pub attempts: u32,
    /// How long after the first attempt the mock stops trying (Graph: 7 days).
    pub give_up_after: Duration,
    /// The wait before the first retry; it doubles after each.
    pub first_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// Deliveries in flight at once to one callback (at least 1). With 1, a callback gets
    /// changes in the order they happened.
    pub concurrency: usize,
    /// The share of deliveries (0 to 100 %) sent a second time after they were answered
    /// 200, as Graph sometimes does: for testing a receiver's deduplication. Which ones
    /// is deterministic (every twentieth, for 5 %, spread out).
    pub duplicate_percent: u8,
    /// The share of deliveries (0 to 100 %; more counts as 100) lost on purpose: never
    /// posted nor retried, counted in [`WebhookStats::dropped`] and logged with
    /// [`Delivery::dropped`]. For testing code that must not rely on every webhook
    /// arriving. Which ones is deterministic, from the delivery's sequence number (spread
    /// out, and independent of which ones are duplicated).
    pub drop_percent: u8,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            attempts: u32::MAX,
            give_up_after: Duration::from_secs(7 * 24 * 60 * 60),
            first_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(60),
            timeout: Duration::from_secs(5),
            concurrency: 1,
            duplicate_percent: 0,
            drop_percent: 0,
        }
    }
}

impl DeliveryPolicy {
    /// A few quick attempts and then give up: for tests of a callback that stays down
    /// (`attempts` in all, `first_backoff` doubling, no ceiling to speak of).
    pub fn bounded(attempts: u32, first_backoff: Duration) -> Self {
        Self {
            attempts,
            first_backoff,
            ..Self::default()
        }
    }

    /// Whether delivery number `n` (counted from 0 across the mock) is sent twice.
    fn duplicates(&self, n: u64) -> bool {
        // A multiplicative hash spreads the chosen ones out instead of bunching them.
        let percent = u64::from(self.duplicate_percent.min(100));
        percent > 0 && (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) % 100 < percent
    }

    /// Whether delivery number `n` (counted from 0 across the mock) is lost on purpose.
    fn drops(&self, n: u64) -> bool {
        // Another multiplier than `duplicates`, so the lost ones do not follow the
        // duplicated ones' pattern.
        let percent = u64::from(self.drop_percent.min(100));
        percent > 0 && (n.wrapping_mul(0xD1B5_4A32_D192_ED03) >> 32) % 100 < percent
    }
}

/// Counts of every webhook delivery since the mock started (not only the logged ones).
///
/// Each change sends one delivery per callback: it is either lost on purpose (`dropped`)
/// or `queued`; a queued one ends delivered or given up, or is still `pending`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WebhookStats {
    /// Deliveries queued to be posted (one per change and callback), deliberate
    /// duplicates and deliberately lost ones not included.
    pub queued: u64,
    /// Deliveries answered 200, deliberate duplicates included.
    pub delivered: u64,
    /// Deliberate duplicates answered 200 (see [`DeliveryPolicy::duplicate_percent`]).
    pub duplicates: u64,
    /// Deliveries the mock gave up on.
    pub given_up: u64,
    /// Attempts made, retries included.
    pub attempts: u64,
    /// Deliveries not finished yet (queued, in flight or waiting to be retried).
    pub pending: u64,
    /// Deliveries lost on purpose, never posted (see [`DeliveryPolicy::drop_percent`]).
    pub dropped: u64,
}

#[derive(Debug, Default)]
struct Counters {
    queued: AtomicU64,
    delivered: AtomicU64,
    duplicates: AtomicU64,
    given_up: AtomicU64,
    attempts: AtomicU64,
    finished: AtomicU64,
    dropped: AtomicU64,
    sequence: AtomicU64,
}

/// One finished webhook delivery, as [`MockState::deliveries`](crate::MockState::deliveries)
/// reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The callback posted to.
    pub url: String,
    /// The app the notification was for (and signed with the secret of).
    pub app_id: String,
    /// The account the notification is about (`entry[0].id`).
    pub waba_id: String,
    /// The webhook field (`phone_number_name_update`).
    pub field: String,
    /// The body posted, exactly as signed.
    pub body: String,
    /// How many attempts were made (0 for a delivery lost on purpose).
    pub attempts: u32,
    /// The status of the last answer, when there was one.
    pub status: Option<u16>,
    /// True when the callback answered 200.
    pub delivered: bool,
    /// True for a deliberate second sending of a delivered body
    /// ([`DeliveryPolicy::duplicate_percent`]).
    pub duplicate: bool,
    /// True for a delivery lost on purpose ([`DeliveryPolicy::drop_percent`]): never
    /// posted, so `attempts` is 0, `status` `None` and `delivered` false.
    pub dropped: bool,
}

/// One notification to post.
struct Job {
    url: String,
    app_id: String,
    secret: String,
    waba_id: String,
    field: String,
    body: String,
    /// The delivery's number, counted from 0 across the mock in the order deliveries
    /// were queued: what decides whether it is lost or duplicated.
    sequence: u64,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("url", &self.url)
            .field("app_id", &self.app_id)
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// Where one change goes: a callback of one app.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub(crate) url: String,
    pub(crate) app_id: String,
    pub(crate) secret: String,
}

/// The mock's webhook configuration, queue and log, shared by every clone of a state.
#[derive(Debug)]
pub(crate) struct Outbox {
    config: Mutex<Config>,
    sender: mpsc::UnboundedSender<Job>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
    log: Mutex<VecDeque<Delivery>>,
    counters: Counters,
}

#[derive(Clone, Debug)]
struct Config {
    policy: DeliveryPolicy,
    review_names_after: Option<Duration>,
}

impl Outbox {
    pub(crate) fn new() -> Arc<Self> {
        let (sender, receiver) = mpsc::unbounded_channel();
        Arc::new(Self {
            config: Mutex::new(Config {
                policy: DeliveryPolicy::default(),
                review_names_after: None,
            }),
            sender,
            receiver: Mutex::new(Some(receiver)),
            log: Mutex::new(VecDeque::new()),
            counters: Counters::default(),
        })
    }

    fn config(&self) -> Config {
        self.config
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn configure(&self, policy: DeliveryPolicy, review_names_after: Option<Duration>) {
        let mut config = self.config.lock().unwrap_or_else(|e| e.into_inner());
        config.policy = DeliveryPolicy {
            attempts: policy.attempts.max(1),
            concurrency: policy.concurrency.max(1),
            ..policy
        };
        config.review_names_after = review_names_after;
    }

    pub(crate) fn review_names_after(&self) -> Option<Duration> {
        self.config().review_names_after
    }

    pub(crate) fn deliveries(&self) -> Vec<Delivery> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn stats(&self) -> WebhookStats {
        let c = &self.counters;
        let queued = c.queued.load(Ordering::SeqCst);
        let finished = c.finished.load(Ordering::SeqCst);
        WebhookStats {
            queued,
            delivered: c.delivered.load(Ordering::SeqCst),
            duplicates: c.duplicates.load(Ordering::SeqCst),
            given_up: c.given_up.load(Ordering::SeqCst),
            attempts: c.attempts.load(Ordering::SeqCst),
            pending: queued.saturating_sub(finished),
            dropped: c.dropped.load(Ordering::SeqCst),
        }
    }

    /// Queues `value` as a change of `field` for account `waba_id`, sent at `time`, to each
    /// of `targets`, except the deliveries the policy loses on purpose (recorded and
    /// counted as dropped right away). Answers how many were queued to be posted.
    pub(crate) fn queue(
        &self,
        targets: &[Target],
        waba_id: &str,
        time: i64,
        field: &str,
        value: Value,
    ) -> usize {
        let body =
            whatsapp_phone_numbers_api::webhook::notification_body(waba_id, time, field, &value);
        let policy = self.config().policy;
        let mut posted = 0;
        for target in targets {
            let sequence = self.counters.sequence.fetch_add(1, Ordering::SeqCst);
            if policy.drops(sequence) {
                self.counters.dropped.fetch_add(1, Ordering::SeqCst);
                self.record(Delivery {
                    url: target.url.clone(),
                    app_id: target.app_id.clone(),
                    waba_id: waba_id.to_owned(),
                    field: field.to_owned(),
                    body: body.clone(),
                    attempts: 0,
                    status: None,
                    delivered: false,
                    duplicate: false,
                    dropped: true,
                });
                continue;
            }
            posted += 1;
            self.counters.queued.fetch_add(1, Ordering::SeqCst);
            let _ = self.sender.send(Job {
                url: target.url.clone(),
                app_id: target.app_id.clone(),
                secret: target.secret.clone(),
                waba_id: waba_id.to_owned(),
                field: field.to_owned(),
                body: body.clone(),
                sequence,
            });
        }
        posted
    }

    fn record(&self, delivery: Delivery) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == LOG_LIMIT {
            log.pop_front();
        }
        log.push_back(delivery);
    }
}

/// `sha256=` and the lowercase hex HMAC-SHA256 of `body` keyed by `secret`.
pub(crate) fn signature(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        whatsapp_phone_numbers_api::wire::hmac_sha256_hex(secret.as_bytes(), body)
    )
}

/// True for an `http://` URL on a loopback host: a callback the mock can verify and call.
pub(crate) fn is_local_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    whatsapp_phone_numbers_api::wire::is_loopback_host(host)
}

type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

fn client() -> Http {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// Why an attempt got no answer.
#[derive(Debug)]
enum Unanswered {
    Timeout,
    Refused,
    Failed,
}

/// One plain-http request to a loopback callback: the status and the body.
async fn send(
    http: &Http,
    method: hyper::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: String,
    timeout: Duration,
) -> Result<(u16, bytes::Bytes), Unanswered> {
    use http_body_util::BodyExt;
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(url)
        .header("user-agent", "facebookexternalua");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))
        .map_err(|_| Unanswered::Failed)?;
    let exchange = async {
        let response = http.request(request).await.map_err(|e| {
            if e.is_connect() {
                Unanswered::Refused
            } else {
                Unanswered::Failed
            }
        })?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| Unanswered::Failed)?
            .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Err(Unanswered::Timeout))
}

/// Graph's verification request to `url`: answers `Err` with the reason when the callback
/// does not echo the challenge with 200.
pub(crate) async fn verify_callback(url: &str, verify_token: &str) -> Result<(), String> {
    let challenge = crate::ids::challenge();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "subscribe")
        .append_pair("hub.challenge", &challenge)
        .append_pair("hub.verify_token", verify_token)
        .finish();
    let separator = if url.contains('?') { '&' } else { '?' };
    let (status, body) = send(
        &client(),
        hyper::Method::GET,
        &format!("{url}{separator}{query}"),
        &[],
        String::new(),
        DeliveryPolicy::default().timeout,
    )
    .await
    .map_err(|e| format!("URL couldn't be validated: {}", describe(&e)))?;
    if status != 200 {
        return Err(format!(
            "The URL couldn't be validated. Response status code {status} does not match the expected HTTP code 200"
        ));
    }
    if String::from_utf8_lossy(&body).trim() != challenge {
        return Err(
            "The URL couldn't be validated. Callback verification failed: the response did not match the challenge".to_owned(),
        );
    }
    Ok(())
}

fn describe(e: &Unanswered) -> &'static str {
    match e {
        Unanswered::Timeout => "the request timed out",
        Unanswered::Refused => "the connection was refused",
        Unanswered::Failed => "the request failed",
    }
}

/// Delivers what the outbox queues until it closes: one worker per callback, each posting
/// its notifications in order, with retries. Runs at most once per outbox.
pub(crate) async fn run(outbox: Arc<Outbox>) {
    let Some(mut jobs) = outbox
        .receiver
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    else {
        return;
    };
    let mut workers: HashMap<String, mpsc::UnboundedSender<Job>> = HashMap::new();
    while let Some(job) = jobs.recv().await {
        let worker = workers.entry(job.url.clone()).or_insert_with(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(work(outbox.clone(), receiver));
            sender
        });
        let _ = worker.send(job);
    }
}

/// One callback's worker: takes its jobs in order, at most `concurrency` in flight.
async fn work(outbox: Arc<Outbox>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let http = client();
    let slots = Arc::new(tokio::sync::Semaphore::new(
        outbox.config().policy.concurrency,
    ));
    while let Some(job) = jobs.recv().await {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let (outbox, http) = (outbox.clone(), http.clone());
        tokio::spawn(async move {
            deliver(&outbox, &http, job).await;
            drop(slot);
        });
    }
}

/// Posts one job until it is answered 200 or the policy gives up, then (for the chosen
/// share) once more as a deliberate duplicate; records and counts each.
async fn deliver(outbox: &Outbox, http: &Http, job: Job) {
    let policy = outbox.config().policy;
    let signature = signature(&job.secret, job.body.as_bytes());
    let twice = policy.duplicates(job.sequence);
    for duplicate in [false, true] {
        let (attempts, status) = post(outbox, http, &job, &signature, &policy).await;
        let delivered = status == Some(200);
        let counters = &outbox.counters;
        if delivered {
            counters.delivered.fetch_add(1, Ordering::SeqCst);
            if duplicate {
                counters.duplicates.fetch_add(1, Ordering::SeqCst);
            }
        } else if !duplicate {
            counters.given_up.fetch_add(1, Ordering::SeqCst);
        }
        outbox.record(Delivery {
            url: job.url.clone(),
            app_id: job.app_id.clone(),
            waba_id: job.waba_id.clone(),
            field: job.field.clone(),
            body: job.body.clone(),
            attempts,
            delivered,
            status,
            duplicate,
            dropped: false,
        });
        if duplicate || !delivered || !twice {
            break;
        }
    }
    outbox.counters.finished.fetch_add(1, Ordering::SeqCst);
}

/// The attempts at one delivery: how many, and the last status.
async fn post(
    outbox: &Outbox,
    http: &Http,
    job: &Job,
    signature: &str,
    policy: &DeliveryPolicy,
) -> (u32, Option<u16>) {
    let started = tokio::time::Instant::now();
    let mut backoff = policy.first_backoff;
    let mut status = None;
    let mut attempts = 0;
    while attempts < policy.attempts {
        if attempts > 0 {
            if started.elapsed() + backoff > policy.give_up_after {
                break;
            }
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2).min(policy.max_backoff);
        }
        attempts += 1;
        outbox.counters.attempts.fetch_add(1, Ordering::SeqCst);
        let answer = send(
            http,
            hyper::Method::POST,
            &job.url,
            &[
                ("content-type", "application/json"),
                ("x-hub-signature-256", signature),
            ],
            job.body.clone(),
            policy.timeout,
        )
        .await;
        status = answer.ok().map(|(status, _)| status);
        if status == Some(200) {
            break;
        }
    }
    (attempts, status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_is_called() {
        for ok in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/",
            "http://[::1]:9/x",
            "http://127.1.2.3",
        ] {
            assert!(is_local_http(ok), "{ok}");
        }
        for no in [
            "https://127.0.0.1/",
            "http://example.com/",
            "http://10.0.0.1/",
            "http://user@127.0.0.1/",
            "http://127.0.0.1.example.com/",
        ] {
            assert!(!is_local_http(no), "{no}");
        }
    }

    #[test]
    fn the_share_of_duplicates_is_the_one_asked_for() {
        for percent in [0u8, 5, 50, 100] {
            let policy = DeliveryPolicy {
                duplicate_percent: percent,
                ..DeliveryPolicy::default()
            };
            let chosen = (0..10_000).filter(|n| policy.duplicates(*n)).count();
            let expected = usize::from(percent) * 100;
            assert!(chosen.abs_diff(expected) <= 150, "{percent}%: {chosen}");
        }
    }

    #[test]
    fn the_share_of_drops_is_the_one_asked_for_and_apart_from_duplicates() {
        for percent in [0u8, 5, 30, 100, 200] {
            let policy = DeliveryPolicy {
                drop_percent: percent,
                duplicate_percent: 30,
                ..DeliveryPolicy::default()
            };
            let dropped = (0..10_000).filter(|n| policy.drops(*n)).count();
            let expected = usize::from(percent.min(100)) * 100;
            assert!(dropped.abs_diff(expected) <= 150, "{percent}%: {dropped}");
            // Independent choices: about 30 % of the dropped ones would have been
            // duplicated, not all or none of them.
            let both = (0..10_000)
                .filter(|n| policy.drops(*n) && policy.duplicates(*n))
                .count();
            let expected_both = expected * 30 / 100;
            assert!(both.abs_diff(expected_both) <= 150, "{percent}%: {both}");
        }
        // Spread out: at 30 %, no long run of losses in the first thousand.
        let policy = DeliveryPolicy {
            drop_percent: 30,
            ..DeliveryPolicy::default()
        };
        let longest = (0..1_000u64)
            .fold((0, 0), |(run, longest), n| {
                let run = if policy.drops(n) { run + 1 } else { 0 };
                (run, longest.max(run))
            })
            .1;
        assert!(longest <= 8, "{longest}");
    }

    #[test]
    fn signatures_are_graphs_format() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            signature("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
