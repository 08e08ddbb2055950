//! Store outages, with real processes on loopback: while the inbox cannot keep deliveries,
//! `waphone webhooks listen` answers 503 (with `Retry-After`), the mock keeps sending
//! them again, and once the store is back every change is kept exactly once; nothing
//! answered 200 is lost.
//!
//! - SQLite: the inbox file is read-only (the listener runs as `nobody` when the tests run
//!   as root, whom file modes do not stop), then writable again.
//! - PostgreSQL: the server is stopped, then started again; needs a server:
//!   `.ci/with-postgres cargo test -p waphone --test outage -- --ignored`.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::json;
use whatsapp_phone_numbers::AppSecret;
use whatsapp_phone_numbers::webhooks::{notification_body, sign};
use whatsapp_phone_numbers_mock::{
    DeliveryPolicy, MOCK_APP_ID, MockEvent, MockServer, WebhookStats, demo,
};

mod common;
use common::{Process, Temp, append, command, free_port, wait_for_port};

const SECRET: &str = "outage-test-app-secret";
const TOKEN: &str = "outage-test-verify-token";
const FIELD: &str = "account_update";

fn is_root() -> bool {
    let id = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

/// `waphone webhooks listen` on `port`; as `nobody` when asked (and running as root).
fn start_listener(port: u16, inbox: &str, as_nobody: bool, log: &Path) -> Process {
    let mut listener = if as_nobody {
        let mut setpriv = std::process::Command::new("setpriv");
        setpriv
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(common::BIN);
        setpriv
    } else {
        command()
    };
    listener
        .env_clear()
        .env("WHATSAPP_APP_SECRET", SECRET)
        .args(["webhooks", "listen", "--port", &port.to_string()])
        .args(["--inbox", inbox, "--verify-token", TOKEN])
        .args(["--app-id", MOCK_APP_ID])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(append(log));
    let child = listener.spawn().expect("the waphone binary runs");
    wait_for_port(port);
    Process(child)
}

/// A mock retrying quickly, whose default app posts `field` changes to `callback`.
async fn mock(callback: &str) -> MockServer {
    let server = MockServer::builder()
        .app_secret(SECRET)
        .webhook_delivery(DeliveryPolicy {
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(250),
            concurrency: 4,
            ..DeliveryPolicy::default()
        })
        .start()
        .await
        .unwrap();
    let client = common::client_as(&server, server.access_token(), SECRET);
    client
        .app(MOCK_APP_ID)
        .webhook_subscriptions()
        .subscribe(callback, TOKEN)
        .fields([FIELD])
        .await
        .unwrap();
    server
}

/// Changes `from..to` for the demo account.
fn emit(server: &MockServer, from: u64, to: u64) {
    for n in from..to {
        let queued = server
            .state()
            .apply(MockEvent::Raw {
                waba_id: demo::DEMO_WABA_ID.to_owned(),
                field: FIELD.to_owned(),
                value: json!({"n": n}),
                phone_number_id: None,
            })
            .unwrap();
        assert_eq!(queued, 1);
    }
}

/// Waits until the mock made `attempts` more attempts than `before` without delivering
/// anything more: the listener is refusing.
async fn refused_for_a_while(server: &MockServer, before: WebhookStats) -> WebhookStats {
    let started = tokio::time::Instant::now();
    loop {
        let now = server.state().webhook_stats();
        assert_eq!(
            now.delivered, before.delivered,
            "delivered during the outage: {now:?}"
        );
        if now.attempts >= before.attempts + 40 {
            return now;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the mock stopped trying: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A signed delivery posted by hand during the outage: 503 with `Retry-After`.
async fn answered_503(url: &str) {
    let body = notification_body("9", 1, "account_update", &json!({"by_hand": true}));
    let answer = reqwest::Client::new()
        .post(url)
        .header(
            "x-hub-signature-256",
            sign(&AppSecret::new(SECRET).unwrap(), body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 503);
    assert!(answer.headers().contains_key("retry-after"));
}

/// After the outage: every delivery answered, each of `0..100` consumed exactly once, the
/// listener said when the store failed and when it came back, and never a secret.
async fn recovered(server: &MockServer, inbox: &str, log: &Path, what: &str, refused: u64) {
    let after = server
        .state()
        .wait_for_webhooks_settled(Duration::from_secs(60))
        .await;
    assert_eq!(after.pending, 0, "{after:?}");
    assert_eq!(after.delivered, 100, "{after:?}");
    consumed_exactly(inbox, 100);
    let stderr = std::fs::read_to_string(log).unwrap();
    assert!(
        stderr.contains("the inbox cannot keep deliveries"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the inbox keeps deliveries again"),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET));
    eprintln!("outage test ({what}): {refused} refused attempts, then all 100 changes kept once");
}

/// Consumes everything (`--until-empty`) and checks each of `0..count` came exactly once.
fn consumed_exactly(inbox: &str, count: u64) {
    let out = command()
        .args([
            "--json",
            "webhooks",
            "consume",
            "--inbox",
            inbox,
            "--until-empty",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen: Vec<u64> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let change: serde_json::Value = serde_json::from_str(line).unwrap();
            change["value"]["n"].as_u64().unwrap()
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..count).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_sqlite_inbox_answers_503_until_it_is_writable() {
    use std::os::unix::fs::PermissionsExt;
    let temp = Temp::new("outage-sqlite");
    let log = temp.0.join("stderr.log");
    let as_nobody = is_root();
    // A folder `nobody` may write in, and an inbox made (and migrated) before the listener
    // starts, then made read-only.
    let dir = temp.0.join("store");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = dir.join("inbox.sqlite3");
    let inbox = format!("sqlite:{}", file.display());
    let made = command()
        .args(["webhooks", "inbox", "--inbox", &inbox, "status"])
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if as_nobody {
            std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }

    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/whatsapp");
    let _listener = start_listener(port, &inbox, as_nobody, &log);
    // The handshake needs no store: the subscription is verified.
    let server = mock(&url).await;
    emit(&server, 0, 100);
    let before = server.state().webhook_stats();
    let during = refused_for_a_while(&server, before).await;
    answered_503(&url).await;

    // Writable again: the listener recovers by itself, and the mock's next attempts land.
    for entry in std::fs::read_dir(&dir).unwrap() {
        std::fs::set_permissions(
            entry.unwrap().path(),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    recovered(
        &server,
        &inbox,
        &log,
        "SQLite read-only",
        during.attempts - before.attempts,
    )
    .await;
    server.shutdown().await;
}

fn shell(variable: &str) {
    let command = std::env::var(variable).expect("set by .ci/with-postgres");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(&command)
        .status()
        .unwrap();
    assert!(status.success(), "{variable} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: .ci/with-postgres cargo test -p waphone --test outage -- --ignored"]
async fn a_stopped_postgres_answers_503_until_it_is_back() {
    let temp = Temp::new("outage-postgres");
    let log = temp.0.join("stderr.log");
    let inbox = common::postgres_database("outage").await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/whatsapp");
    let _listener = start_listener(port, &inbox, false, &log);
    let server = mock(&url).await;
    emit(&server, 0, 50);
    let first = server
        .state()
        .wait_for_webhooks_settled(Duration::from_secs(60))
        .await;
    assert_eq!(first.delivered, 50, "{first:?}");

    shell("WAPHONE_TEST_POSTGRES_STOP");
    emit(&server, 50, 100);
    let during = refused_for_a_while(&server, first).await;
    answered_503(&url).await;
    shell("WAPHONE_TEST_POSTGRES_START");

    recovered(
        &server,
        &inbox,
        &log,
        "PostgreSQL stopped",
        during.attempts - first.attempts,
    )
    .await;
    server.shutdown().await;
}
