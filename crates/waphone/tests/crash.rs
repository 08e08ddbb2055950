//! Crash tests, with real processes on loopback: the mock delivers 10,000 changes to each of
//! two apps (mixed fields, two accounts, 5 % of deliveries sent twice) to
//! `waphone webhooks listen`, which is killed with SIGKILL at 20 random moments and
//! restarted, while `waphone webhooks consume` runs throughout and is killed 5 times. At
//! the end every change the mock had answered 200 is in the inbox exactly once and reached
//! a consumer at least once.
//!
//! - SQLite: one listener, one consumer.
//! - PostgreSQL: two listeners behind a load balancer (a TCP proxy here), two consumers;
//!   needs a server: `.ci/with-postgres cargo test -p waphone --test crash -- --ignored`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use whatsapp_phone_numbers_mock::{DeliveryPolicy, MOCK_APP_ID, MockEvent, MockServer, demo};

mod common;
use common::{Process, Temp, append, command, free_port, wait_for_port};

const SECRET: &str = "crash-test-app-secret";
const TOKEN: &str = "crash-test-verify-token";
const CHANGES: usize = 10_000;
const LISTENER_KILLS: usize = 20;
const CONSUMER_KILLS: usize = 5;
const FIELDS: &[&str] = &[
    "phone_number_quality_update",
    "account_update",
    "phone_number_name_update",
    "business_capability_update",
];

/// A small random number generator (xorshift), seeded from the clock; the seed is
/// printed so that a failure can be run again the same way.
struct Random(u64);

impl Random {
    fn new() -> Self {
        let seed = std::env::var("CRASH_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("crash test: CRASH_TEST_SEED={seed}");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }

    fn millis(&mut self, from: u64, to: u64) -> Duration {
        Duration::from_millis(from + self.below(to - from))
    }
}

/// `waphone webhooks listen` on `port`, its stderr appended to `log`.
fn start_listener(port: u16, inbox: &str, apps: &Path, log: &Path) -> Process {
    let child = command()
        .args(["webhooks", "listen", "--port", &port.to_string()])
        .args(["--inbox", inbox, "--verify-token", TOKEN, "--apps-file"])
        .arg(apps)
        .stdout(Stdio::null())
        .stderr(append(log))
        .spawn()
        .expect("the waphone binary runs");
    wait_for_port(port);
    Process(child)
}

/// What consumers printed (one JSON line per change handed out): how many times each
/// `(app, n)` was handed out, how many lines, and any line that was not a change.
#[derive(Default)]
struct Printed {
    count: BTreeMap<(String, u64), usize>,
    lines: usize,
    bad: Vec<String>,
}

type Seen = Arc<Mutex<Printed>>;

fn key_of(line: &str) -> Option<(String, u64)> {
    let change: serde_json::Value = serde_json::from_str(line).ok()?;
    Some((
        change["app_id"].as_str()?.to_owned(),
        change["value"]["n"].as_u64()?,
    ))
}

/// `waphone webhooks consume` (JSON lines), its lines appended to `seen`.
fn start_consumer(inbox: &str, name: &str, seen: &Seen, log: &Path) -> Process {
    let mut child = command()
        .args(["--json", "webhooks", "consume", "--inbox", inbox])
        .args([
            "--consumer",
            name,
            "--lease",
            "1",
            "--poll-interval",
            "0.02",
        ])
        .stdout(Stdio::piped())
        .stderr(append(log))
        .spawn()
        .expect("the waphone binary runs");
    let stdout = child.stdout.take().unwrap();
    let seen = seen.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let key = key_of(&line);
            let mut seen = seen.lock().unwrap();
            seen.lines += 1;
            match key {
                Some(key) => *seen.count.entry(key).or_insert(0) += 1,
                None => seen.bad.push(line),
            }
        }
    });
    Process(child)
}

/// A TCP load balancer on a free port: each connection goes to the next backend that
/// accepts it (round robin); none accepting drops it, as a balancer with no healthy
/// backend would.
async fn balancer(backends: Vec<u16>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let next = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let backends = backends.clone();
            let start = next.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                for k in 0..backends.len() {
                    let port = backends[(start + k) % backends.len()];
                    if let Ok(mut outbound) =
                        tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        return;
                    }
                }
            });
        }
    });
    port
}

/// How a crash test is laid out.
struct Layout {
    /// The inbox every process shares.
    inbox: String,
    listeners: usize,
    consumers: usize,
}

async fn crash_test(layout: Layout) {
    let mut random = Random::new();
    let temp = Temp::new("run");
    let log = temp.0.join("stderr.log");
    let apps = temp.0.join("apps");
    std::fs::write(
        &apps,
        format!(
            "{MOCK_APP_ID}={SECRET}\n{}={}\n",
            demo::DEMO_PARTNER_APP_ID,
            demo::DEMO_PARTNER_APP_SECRET
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&apps, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    // The listeners, on ports of their own, behind a balancer when there are several.
    let ports: Vec<u16> = (0..layout.listeners).map(|_| free_port()).collect();
    let mut listeners: Vec<Process> = ports
        .iter()
        .map(|port| start_listener(*port, &layout.inbox, &apps, &log))
        .collect();
    let callback_port = if ports.len() == 1 {
        ports[0]
    } else {
        balancer(ports.clone()).await
    };
    let callback = format!("http://127.0.0.1:{callback_port}/whatsapp");

    let server = MockServer::builder()
        .app_secret(SECRET)
        .webhook_delivery(DeliveryPolicy {
            give_up_after: Duration::from_secs(600),
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(500),
            timeout: Duration::from_secs(5),
            concurrency: 16,
            duplicate_percent: 5,
            ..DeliveryPolicy::default()
        })
        .start()
        .await
        .unwrap();
    // Both apps have their own subscription with the callback (verified by the
    // listener's handshake) and are subscribed to both accounts.
    let a = common::client_as(&server, server.access_token(), SECRET);
    let b = common::client_as(
        &server,
        demo::DEMO_PARTNER_ACCESS_TOKEN,
        demo::DEMO_PARTNER_APP_SECRET,
    );
    let wabas = [demo::DEMO_WABA_ID, demo::DEMO_SECOND_WABA_ID];
    for (client, app) in [(&a, MOCK_APP_ID), (&b, demo::DEMO_PARTNER_APP_ID)] {
        client
            .app(app)
            .webhook_subscriptions()
            .subscribe(&callback, TOKEN)
            .fields(FIELDS.iter().copied())
            .await
            .unwrap();
        for waba in wabas {
            client
                .business_account(waba)
                .subscribed_apps()
                .subscribe()
                .await
                .unwrap();
        }
    }

    let seen: Seen = Arc::default();
    let mut consumers: Vec<Process> = (0..layout.consumers)
        .map(|k| start_consumer(&layout.inbox, &format!("c{k}"), &seen, &log))
        .collect();

    // The changes go out in twenty batches; after each, at a random moment, a listener is
    // killed and restarted, and every fourth time a consumer too.
    let started = Instant::now();
    let state = server.state();
    let batch = CHANGES / LISTENER_KILLS;
    let mut consumer_kills = 0;
    for kill in 0..LISTENER_KILLS {
        for n in kill * batch..(kill + 1) * batch {
            let queued = state
                .apply(MockEvent::Raw {
                    waba_id: wabas[n % 2].to_owned(),
                    field: FIELDS[n % FIELDS.len()].to_owned(),
                    value: json!({"n": n, "crash_test": true}),
                    phone_number_id: None,
                })
                .unwrap();
            assert_eq!(queued, 2, "each change goes to both apps");
        }
        tokio::time::sleep(random.millis(20, 400)).await;
        let which = kill % listeners.len();
        listeners[which].kill();
        tokio::time::sleep(random.millis(0, 150)).await;
        listeners[which] = start_listener(ports[which], &layout.inbox, &apps, &log);
        if kill % 4 == 3 && consumer_kills < CONSUMER_KILLS {
            let which = consumer_kills % consumers.len();
            consumers[which].kill();
            consumers[which] = start_consumer(
                &layout.inbox,
                &format!("c{which}-{consumer_kills}"),
                &seen,
                &log,
            );
            consumer_kills += 1;
        }
    }
    assert_eq!(consumer_kills, CONSUMER_KILLS);

    // Every delivery answered (none given up), then every change consumed.
    let stats = state
        .wait_for_webhooks_settled(Duration::from_secs(600))
        .await;
    let delivered_after = started.elapsed();
    assert_eq!(stats.pending, 0, "the mock still had deliveries: {stats:?}");
    assert_eq!(stats.given_up, 0, "{stats:?}");
    assert_eq!(stats.queued, 2 * CHANGES as u64, "{stats:?}");
    assert_eq!(
        stats.delivered,
        stats.queued + stats.duplicates,
        "{stats:?}"
    );
    assert!(stats.duplicates > 0, "{stats:?}");
    let wanted: BTreeSet<(String, u64)> = (0..CHANGES as u64)
        .flat_map(|n| {
            [
                (MOCK_APP_ID.to_owned(), n),
                (demo::DEMO_PARTNER_APP_ID.to_owned(), n),
            ]
        })
        .collect();
    let drained = Instant::now();
    loop {
        let distinct = seen.lock().unwrap().count.len();
        if distinct >= wanted.len() {
            break;
        }
        assert!(
            drained.elapsed() < Duration::from_secs(300),
            "consumers did not finish: {distinct} of {} seen",
            wanted.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let consumed_after = started.elapsed();
    for consumer in &mut consumers {
        consumer.kill();
    }
    let printed = std::mem::take(&mut *seen.lock().unwrap());
    assert!(
        printed.bad.is_empty(),
        "lines that are not changes: {:?}",
        printed.bad
    );
    let (count, lines) = (printed.count, printed.lines);
    let unexpected: Vec<_> = count.keys().filter(|k| !wanted.contains(*k)).collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    let missing: Vec<_> = wanted.iter().filter(|k| !count.contains_key(*k)).collect();
    assert!(missing.is_empty(), "never consumed: {missing:?}");

    // The inbox: exactly one row per (app, change), all done.
    let status = command()
        .args([
            "--json",
            "webhooks",
            "inbox",
            "--inbox",
            &layout.inbox,
            "status",
        ])
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let rows = ["pending", "leased", "done", "dead"]
        .iter()
        .map(|k| status[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(rows, wanted.len() as u64, "one row per change: {status}");
    assert_eq!(status["done"], wanted.len() as u64, "{status}");
    eprintln!(
        "crash test: {} changes x 2 apps; {} listener(s) killed {LISTENER_KILLS} times, \
         {} consumer(s) killed {CONSUMER_KILLS} times; mock: {} deliveries answered 200 \
         ({} deliberate duplicates) in {} attempts; all delivered after {:.1} s, consumed \
         after {:.1} s; consumers printed {lines} lines for {} changes ({} handed out more \
         than once); inbox rows {rows}",
        CHANGES,
        layout.listeners,
        layout.consumers,
        stats.delivered,
        stats.duplicates,
        stats.attempts,
        delivered_after.as_secs_f64(),
        consumed_after.as_secs_f64(),
        wanted.len(),
        count.values().filter(|n| **n > 1).count(),
    );
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!stderr.contains(SECRET), "a secret in stderr");
    assert!(!stderr.contains("panicked"), "{stderr}");
    drop(listeners);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_listener_killed_20_times_and_consumer_5_times_loses_nothing() {
    let temp = Temp::new("sqlite");
    crash_test(Layout {
        inbox: format!("sqlite:{}", temp.0.join("inbox.sqlite3").display()),
        listeners: 1,
        consumers: 1,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: .ci/with-postgres cargo test -p waphone --test crash -- --ignored"]
async fn postgres_two_listeners_and_two_consumers_killed_lose_nothing() {
    crash_test(Layout {
        inbox: common::postgres_database("crash").await,
        listeners: 2,
        consumers: 2,
    })
    .await;
}
