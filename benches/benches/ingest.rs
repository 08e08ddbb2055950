//! Webhook ingest: how fast a receiver answers Graph when it stores each delivery before
//! answering (the inbox on SQLite, and on PostgreSQL when one is at hand) against the
//! in-memory receiver that answers first (`WebhookReceiver::channel`, what the listener
//! did before the inbox), in the same run.
//!
//! Each round sends the same number of signed ~1 KiB deliveries (each a new change) over
//! loopback at 1 and at 50 concurrent deliveries, the arms alternating round by round; the
//! report gives throughput (deliveries answered per second: median over rounds) and the
//! time to answer (p50, p99 over every delivery of an arm), and each store's ratio to the
//! in-memory receiver. Receivers and the load run in this process on one runtime.
//!
//! `INGEST_ROUNDS` (default 9) and `INGEST_DELIVERIES` (per round at 50 concurrent,
//! default 3,000; a tenth of that at 1) change what it runs. PostgreSQL is measured when
//! `WAPHONE_TEST_POSTGRES` names a server:
//! `.ci/with-postgres cargo bench -p workspace-benches --bench ingest`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use whatsapp_phone_numbers::webhooks::{ServeLimits, WebhookReceiver, serve, sign};
use whatsapp_phone_numbers::{AppSecret, v24_0};
use whatsapp_phone_numbers_inbox::Inbox;

const SECRET: &str = "ingest-bench-app-secret";

/// One receiver under test, served on a loopback port.
struct Arm {
    name: &'static str,
    url: String,
}

fn receiver() -> WebhookReceiver {
    WebhookReceiver::for_app("111", AppSecret::new(SECRET).unwrap())
}

async fn served(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/whatsapp", listener.local_addr().unwrap());
    tokio::spawn(serve(
        listener,
        router,
        ServeLimits::default(),
        std::future::pending(),
    ));
    url
}

/// The in-memory receiver: answers, then hands the notification to a channel that a task
/// drains (what a handler would do with it).
async fn in_memory() -> Arm {
    let (router, mut notifications) = receiver().channel::<v24_0::Version>();
    tokio::spawn(async move {
        let mut changes = 0usize;
        while let Some(notification) = notifications.recv().await {
            changes += notification.len();
        }
        changes
    });
    Arm {
        name: "in-memory (answers first)",
        url: served(router).await,
    }
}

async fn stored(name: &'static str, location: &str) -> Arm {
    let inbox = Inbox::open(location).await.unwrap();
    Arm {
        name,
        url: served(receiver().router_with_store(inbox)).await,
    }
}

/// Delivery number `n`: a quality update of about 1 KiB, signed.
fn delivery(n: u64) -> (String, String) {
    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{}","time":{n},"changes":[{{"field":"phone_number_quality_update","value":{{"display_phone_number":"16505551234","event":"FLAGGED","current_limit":"TIER_10K","n":{n},"note":"{}"}}}}]}}]}}"#,
        100 + n % 50,
        "q".repeat(850)
    );
    let signature = sign(&AppSecret::new(SECRET).unwrap(), body.as_bytes());
    (body, signature)
}

/// Sends `count` deliveries numbered from `next` to `url`, `concurrency` at a time; answers
/// the wall time and each delivery's time to answer.
async fn round(
    client: &reqwest::Client,
    url: &str,
    next: &AtomicU64,
    count: u64,
    concurrency: u64,
) -> (Duration, Vec<Duration>) {
    let bodies: Vec<(String, String)> = (0..count)
        .map(|_| delivery(next.fetch_add(1, Ordering::Relaxed)))
        .collect();
    let bodies = Arc::new(bodies);
    let cursor = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut lanes = Vec::new();
    for _ in 0..concurrency {
        let (client, url, bodies, cursor) = (
            client.clone(),
            url.to_owned(),
            bodies.clone(),
            cursor.clone(),
        );
        lanes.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let k = cursor.fetch_add(1, Ordering::Relaxed);
                let Some((body, signature)) = bodies.get(k as usize) else {
                    return times;
                };
                let sent = Instant::now();
                let status = client
                    .post(&url)
                    .header("x-hub-signature-256", signature)
                    .body(body.clone())
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                assert_eq!(status, 200, "a delivery was not answered 200");
                times.push(sent.elapsed());
            }
        }));
    }
    let mut times = Vec::new();
    for lane in lanes {
        times.extend(lane.await.unwrap());
    }
    (started.elapsed(), times)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let k = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[k]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// What an arm measured over every round at one concurrency.
#[derive(Default)]
struct Measured {
    throughput: Vec<f64>,
    times: Vec<Duration>,
}

fn main() {
    let rounds: usize = std::env::var("INGEST_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    let deliveries: u64 = std::env::var("INGEST_DELIVERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    whatsapp_phone_numbers::tls::install_default_provider();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("ingest-bench-{}", std::process::id()));
    let postgres = std::env::var("WAPHONE_TEST_POSTGRES").ok();
    runtime.block_on(async {
        let mut arms = vec![
            in_memory().await,
            stored(
                "SQLite inbox (stores first)",
                &format!("sqlite:{}", dir.join("inbox.sqlite3").display()),
            )
            .await,
        ];
        match &postgres {
            Some(url) => arms.push(stored("PostgreSQL inbox (stores first)", &fresh_database(url).await).await),
            None => println!(
                "PostgreSQL: not measured (WAPHONE_TEST_POSTGRES is not set; run through .ci/with-postgres)"
            ),
        }
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .unwrap();
        let next = AtomicU64::new(0);
        for concurrency in [1u64, 50] {
            let count = if concurrency == 1 { deliveries / 10 } else { deliveries };
            // One unmeasured round each: connections, caches, the files' first pages.
            for arm in &arms {
                round(&client, &arm.url, &next, count / 4, concurrency).await;
            }
            let mut measured: Vec<Measured> = arms.iter().map(|_| Measured::default()).collect();
            for r in 0..rounds {
                // Rotate which arm goes first, so drift on a shared machine hits each.
                for k in 0..arms.len() {
                    let i = (k + r) % arms.len();
                    let (wall, times) = round(&client, &arms[i].url, &next, count, concurrency).await;
                    measured[i].throughput.push(count as f64 / wall.as_secs_f64());
                    measured[i].times.extend(times);
                }
            }
            println!(
                "\n== ingest at {concurrency} concurrent ({rounds} rounds x {count} deliveries of ~1 KiB; baseline = {})",
                arms[0].name
            );
            let base = median(measured[0].throughput.clone());
            let mut base_p99 = Duration::ZERO;
            for (arm, m) in arms.iter().zip(measured.iter_mut()) {
                m.times.sort_unstable();
                let throughput = median(m.throughput.clone());
                let (p50, p99) = (percentile(&m.times, 0.5), percentile(&m.times, 0.99));
                if base_p99.is_zero() {
                    base_p99 = p99;
                }
                println!(
                    "   {:<32} {:>8.0} deliveries/s  ({:.2}x)   p50 {:>7.2} ms   p99 {:>7.2} ms  ({:.1}x)",
                    arm.name,
                    throughput,
                    throughput / base,
                    p50.as_secs_f64() * 1e3,
                    p99.as_secs_f64() * 1e3,
                    p99.as_secs_f64() / base_p99.as_secs_f64().max(1e-9),
                );
            }
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// A new, empty database on the server at `admin`.
async fn fresh_database(admin: &str) -> String {
    let (client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .expect("the PostgreSQL server answers");
    tokio::spawn(connection);
    let name = format!("ingest_bench_{}", std::process::id());
    for statement in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&statement).await.unwrap();
    }
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}
