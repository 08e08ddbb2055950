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
//! - A delivery that fails (no connection, a status other than 200) is retried with a
//!   doubling backoff, a bounded number of times ([`DeliveryPolicy`]). Each callback gets
//!   its deliveries one at a time, in the order the changes happened.
//! - Every finished delivery is recorded ([`MockState::deliveries`](crate::MockState::deliveries), `GET /__mock/webhooks`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The secret of the default app ([`MOCK_APP_ID`](crate::MOCK_APP_ID)) when the mock was given
/// none ([`MockServerBuilder::app_secret`](crate::MockServerBuilder::app_secret)).
pub const DEFAULT_APP_SECRET: &str = "mock-app-secret";

/// How many finished deliveries the mock remembers.
const LOG_LIMIT: usize = 1000;

/// How the mock retries a webhook delivery that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// The wait before the first retry; it doubles after each.
    pub first_backoff: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for DeliveryPolicy {
    /// 5 attempts, 200 ms doubling (about 3 s in all), 5 s per attempt.
    fn default() -> Self {
        Self {
            attempts: 5,
            first_backoff: Duration::from_millis(200),
            timeout: Duration::from_secs(5),
        }
    }
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
    /// How many attempts were made.
    pub attempts: u32,
    /// The status of the last answer, when there was one.
    pub status: Option<u16>,
    /// True when the callback answered 200.
    pub delivered: bool,
}

/// One notification to post.
struct Job {
    url: String,
    app_id: String,
    secret: String,
    waba_id: String,
    field: String,
    body: String,
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

    /// Queues `value` as a change of `field` for account `waba_id`, sent at `time`, to each
    /// of `targets`.
    pub(crate) fn queue(
        &self,
        targets: &[Target],
        waba_id: &str,
        time: i64,
        field: &str,
        value: Value,
    ) {
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": waba_id,
                "time": time,
                "changes": [{ "value": value, "field": field }],
            }],
        })
        .to_string();
        for target in targets {
            let _ = self.sender.send(Job {
                url: target.url.clone(),
                app_id: target.app_id.clone(),
                secret: target.secret.clone(),
                waba_id: waba_id.to_owned(),
                field: field.to_owned(),
                body: body.clone(),
            });
        }
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
    format!("sha256={}", crate::signing::hmac_hex(secret, body))
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
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
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

async fn work(outbox: Arc<Outbox>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let http = client();
    while let Some(job) = jobs.recv().await {
        let config = outbox.config();
        let signature = signature(&job.secret, job.body.as_bytes());
        let mut backoff = config.policy.first_backoff;
        let mut status = None;
        let mut attempts = 0;
        while attempts < config.policy.attempts {
            if attempts > 0 {
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
            attempts += 1;
            let answer = send(
                &http,
                hyper::Method::POST,
                &job.url,
                &[
                    ("content-type", "application/json"),
                    ("x-hub-signature-256", &signature),
                ],
                job.body.clone(),
                config.policy.timeout,
            )
            .await;
            status = answer.ok().map(|(status, _)| status);
            if status == Some(200) {
                break;
            }
        }
        outbox.record(Delivery {
            url: job.url,
            app_id: job.app_id,
            waba_id: job.waba_id,
            field: job.field,
            body: job.body,
            attempts,
            delivered: status == Some(200),
            status,
        });
    }
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
    fn signatures_are_graphs_format() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            signature("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
