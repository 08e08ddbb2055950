//! `waphone watch` with real processes on loopback: the mock's numbers change at random
//! (lively mode) while 30% of webhook deliveries are lost on purpose; the listener
//! (`webhooks listen`) and the watch are each killed with SIGKILL during the run. At the
//! end every change the mock made is in the fleet history exactly once (0 missed, 0
//! duplicates), the ones whose webhook was delivered within 2 s of the change, the rest
//! within one resync interval; every record reached stdout at least once.
//!
//! The short run is part of `cargo test`; the long one (2,000 numbers for 2 minutes, two
//! kills of each process) is `#[ignore]`d and run by `.ci/run`:
//! `cargo test -p waphone --test watch -- --ignored`.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use whatsapp_phone_numbers_inbox::Inbox;
use whatsapp_phone_numbers_inbox::fleet::{FleetChange, HistoryQuery, Source};
use whatsapp_phone_numbers_mock::{
    DeliveryPolicy, Lively, MOCK_APP_ID, MockChange, MockServer, WebhookOutcome,
};

mod common;
use common::{Process, Temp, append, command, free_port, wait_for_port};

const SECRET: &str = "watch-test-app-secret";
const TOKEN: &str = "watch-test-verify-token";
const BUSINESS: &str = "1009000000000001";
const FIELDS: &[&str] = &[
    "phone_number_quality_update",
    "phone_number_name_update",
    "account_update",
    "account_alerts",
];
/// How often the watch reads the whole fleet.
const RESYNC: Duration = Duration::from_secs(4);
/// A killed watch's lease on the change it held runs out after this (its `--lease`), and
/// its first read after a restart takes a moment: changes then wait for both.
const RESTART_GRACE: Duration = Duration::from_secs(7);

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn start_listener(port: u16, inbox: &str, log: &Path) -> Process {
    let child = command()
        .args(["webhooks", "listen", "--port", &port.to_string()])
        .args(["--inbox", inbox, "--verify-token", TOKEN])
        .args(["--app-secret", SECRET, "--app-id", MOCK_APP_ID])
        .stdout(Stdio::null())
        .stderr(append(log))
        .spawn()
        .expect("the waphone binary runs");
    wait_for_port(port);
    Process(child)
}

fn start_watch(server: &MockServer, inbox: &str, out: &Path, log: &Path) -> Process {
    let child = command()
        .args([
            "--base-url",
            &server.base_url(),
            "--token",
            server.access_token(),
        ])
        .args(["--app-secret", SECRET, "watch", "--business", BUSINESS])
        .args([
            "--inbox",
            inbox,
            "--resync",
            &format!("{}s", RESYNC.as_secs()),
        ])
        .stdout(append(out))
        .stderr(append(log))
        .spawn()
        .expect("the waphone binary runs");
    Process(child)
}

/// Waits until the watch's first read stored the fleet.
async fn wait_for_first_read(inbox: &Inbox, numbers: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let values = inbox.fleet_values().await.unwrap_or_default();
        if values.iter().filter(|v| v.field == "status").count() >= numbers {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the watch's first read never came"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Run {
    wabas: usize,
    numbers_per_waba: usize,
    duration: Duration,
    change_every: Duration,
    kills_each: usize,
    /// The inbox (default: an SQLite file in the test's folder).
    inbox: Option<String>,
}

async fn completeness(run: Run) {
    let temp = Temp::new("watch");
    let inbox_at = run
        .inbox
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", temp.0.join("inbox.sqlite3").display()));
    let log = temp.0.join("stderr.log");
    let out = temp.0.join("watch.jsonl");
    let port = free_port();
    let mut listener = start_listener(port, &inbox_at, &log);
    let callback = format!("http://127.0.0.1:{port}/whatsapp");

    let seed = now_ms() as u64;
    eprintln!("watch test: lively seed {seed}");
    let server = MockServer::builder()
        .app_secret(SECRET)
        .webhook_delivery(DeliveryPolicy {
            drop_percent: 30,
            first_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(400),
            ..DeliveryPolicy::default()
        })
        .lively(Lively {
            every: run.change_every,
            // Longer than a resync and its read: a change a lost webhook announced is
            // found by the next read before the number changes again.
            cooldown: RESYNC * 2 + Duration::from_secs(1),
            seed,
        })
        .start()
        .await
        .unwrap();
    let state = server.state();
    state.pause_lively(true);
    let wabas = state.seed_fleet(BUSINESS, run.wabas, run.numbers_per_waba);
    let client = common::client_as(&server, server.access_token(), SECRET);
    client
        .app(MOCK_APP_ID)
        .webhook_subscriptions()
        .subscribe(&callback, TOKEN)
        .fields(FIELDS.iter().copied())
        .await
        .unwrap();
    for waba in &wabas {
        client
            .business_account(waba)
            .subscribed_apps()
            .subscribe()
            .await
            .unwrap();
    }
    let fleet: HashSet<&str> = wabas.iter().map(String::as_str).collect();
    let total = run.wabas * run.numbers_per_waba;

    let inbox = Inbox::open(&inbox_at).await.unwrap();
    let mut watch = start_watch(&server, &inbox_at, &out, &log);
    wait_for_first_read(&inbox, total).await;

    // Changes start; the listener and the watch are killed in turn at even intervals.
    state.pause_lively(false);
    let began = Instant::now();
    let kills = run.kills_each * 2;
    let mut windows: Vec<(i64, i64)> = Vec::new();
    for k in 0..kills {
        let at = run.duration * (k as u32 + 1) / (kills as u32 + 1);
        tokio::time::sleep(at.saturating_sub(began.elapsed())).await;
        let killed = now_ms();
        if k % 2 == 0 {
            listener.kill();
            tokio::time::sleep(Duration::from_millis(800)).await;
            listener = start_listener(port, &inbox_at, &log);
        } else {
            watch.kill();
            tokio::time::sleep(Duration::from_millis(800)).await;
            watch = start_watch(&server, &inbox_at, &out, &log);
        }
        windows.push((killed, now_ms() + RESTART_GRACE.as_millis() as i64));
    }
    tokio::time::sleep(run.duration.saturating_sub(began.elapsed())).await;
    state.pause_lively(true);

    // Every delivery answered or lost on purpose, then two more reads.
    let stats = state
        .wait_for_webhooks_settled(Duration::from_secs(60))
        .await;
    assert_eq!(stats.pending, 0, "{stats:?}");
    assert_eq!(stats.given_up, 0, "{stats:?}");
    let made: Vec<MockChange> = state
        .changes()
        .into_iter()
        .filter(|c| fleet.contains(c.waba_id.as_str()))
        .collect();
    let settle = Instant::now() + RESYNC * 3;
    let mut history: Vec<FleetChange>;
    loop {
        history = inbox.fleet_history(HistoryQuery::default()).await.unwrap();
        if history.len() >= made.len() || Instant::now() > settle {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(RESYNC + Duration::from_secs(1)).await;
    history = inbox.fleet_history(HistoryQuery::default()).await.unwrap();
    drop(watch);
    drop(listener);

    // Each (number, field): the mock's changes and the history's records, in order.
    type Key = (String, String);
    let mut expected: BTreeMap<Key, Vec<&MockChange>> = BTreeMap::new();
    for change in &made {
        expected
            .entry((change.phone_number_id.clone(), change.field.clone()))
            .or_default()
            .push(change);
    }
    let mut recorded: BTreeMap<Key, Vec<&FleetChange>> = BTreeMap::new();
    for record in &history {
        recorded
            .entry((record.entity_id.clone(), record.field.clone()))
            .or_default()
            .push(record);
    }
    let mut missed = 0;
    let mut extra = 0;
    let mut late = Vec::new();
    let (mut by_webhook, mut unannounced) = (0, 0);
    // The longest delay outside the kills' windows: (webhook delivered, the others).
    let mut slowest = (0_i64, 0_i64);
    let in_window = |at: i64| windows.iter().any(|(from, to)| (*from..=*to).contains(&at));
    for (key, changes) in &expected {
        let records = recorded.get(key).map(Vec::as_slice).unwrap_or_default();
        let want: Vec<(Option<&str>, &str)> = changes
            .iter()
            .map(|c| (c.old.as_deref(), c.new.as_str()))
            .collect();
        let got: Vec<(Option<&str>, &str)> = records
            .iter()
            .map(|r| (r.old.as_deref(), r.new.as_deref().unwrap_or("")))
            .collect();
        if want != got {
            eprintln!("{key:?}: the mock made {want:?}, the history has {got:?}");
            missed += want
                .len()
                .saturating_sub(got.len())
                .max(usize::from(want != got));
            extra += got.len().saturating_sub(want.len());
            continue;
        }
        for (change, record) in changes.iter().zip(records) {
            let delay = record.recorded_at_ms - change.at_ms;
            match record.source {
                Source::Webhook => by_webhook += 1,
                Source::Resync => unannounced += 1,
            }
            let delivered = matches!(change.webhook, WebhookOutcome::Queued { .. });
            // A delivered webhook: 2 s. Otherwise the next read finds it: one interval and
            // the read itself (2 s allowed for it and the wait for the inbox's backlog).
            let bound = if delivered {
                2_000
            } else {
                (RESYNC.as_millis() as i64) + 2_000
            };
            if in_window(change.at_ms) {
                continue;
            }
            let worst = if delivered {
                &mut slowest.0
            } else {
                &mut slowest.1
            };
            *worst = (*worst).max(delay);
            if delay > bound {
                late.push((key.clone(), delivered, delay));
            }
        }
    }
    for (key, records) in &recorded {
        if !expected.contains_key(key)
            && ["quality_rating", "messaging_limit", "status"].contains(&key.1.as_str())
        {
            eprintln!(
                "{key:?}: recorded {} change(s) the mock never made",
                records.len()
            );
            extra += records.len();
        }
    }
    let dropped = made
        .iter()
        .filter(|c| c.webhook == WebhookOutcome::Dropped)
        .count();
    eprintln!(
        "watch test: {} changes made in {:?} ({dropped} webhooks lost on purpose, {} none sent); {} records ({by_webhook} from webhooks, {unannounced} unannounced); missed {missed}, extra {extra}, late {}; slowest outside the kills: {} ms with a delivered webhook, {} ms without (resync {:?})",
        made.len(),
        run.duration,
        made.iter()
            .filter(|c| c.webhook == WebhookOutcome::None)
            .count(),
        history.len(),
        late.len(),
        slowest.0,
        slowest.1,
        RESYNC,
    );
    assert!(made.len() >= 20, "the mock made too few changes to tell");
    assert!(dropped > 0, "no webhook was lost: the test shows nothing");
    assert_eq!((missed, extra), (0, 0), "see above");
    assert!(
        late.is_empty(),
        "recorded too late (key, webhook delivered, ms): {late:?}"
    );
    assert!(unannounced > 0 && by_webhook > 0);

    // Stdout: every record at least once (a killed watch may print one again).
    let text = std::fs::read_to_string(&out).unwrap();
    let printed: HashSet<i64> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["id"].as_i64())
        .collect();
    let unprinted: Vec<i64> = history
        .iter()
        .map(|r| r.id)
        .filter(|id| !printed.contains(id))
        .collect();
    assert!(unprinted.is_empty(), "records never printed: {unprinted:?}");
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!log.contains(SECRET), "a secret reached stderr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_change_is_recorded_once_despite_lost_webhooks_and_kills() {
    completeness(Run {
        wabas: 4,
        numbers_per_waba: 50,
        duration: Duration::from_secs(14),
        change_every: Duration::from_millis(100),
        kills_each: 1,
        inbox: None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: run through .ci/with-postgres (cargo test -p waphone --test watch -- --ignored on_postgresql)"]
async fn on_postgresql_every_change_is_recorded_once() {
    let url = common::postgres_database("watch").await;
    completeness(Run {
        wabas: 4,
        numbers_per_waba: 50,
        duration: Duration::from_secs(14),
        change_every: Duration::from_millis(100),
        kills_each: 1,
        inbox: Some(url),
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "runs for 2 minutes: cargo test -p waphone --test watch -- --ignored (.ci/run runs it)"]
async fn two_thousand_numbers_for_two_minutes_with_two_kills_each() {
    completeness(Run {
        wabas: 40,
        numbers_per_waba: 50,
        duration: Duration::from_secs(120),
        change_every: Duration::from_millis(50),
        kills_each: 2,
        inbox: None,
    })
    .await;
}

/// A full read of 2,000 accounts × 50 numbers takes at most 60 requests (pages of 100
/// accounts, numbers embedded, chained in batch calls): with the mock's default app budget (Graph's hourly
/// 10,000 calls per window here) a one-minute resync keeps the app's usage below 75%.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resync_of_two_thousand_accounts_costs_at_most_sixty_requests() {
    let server = MockServer::builder()
        .empty()
        .request_log_limit(0)
        .start()
        .await
        .unwrap();
    let state = server.state();
    state.seed_fleet(BUSINESS, 2_000, 50);
    let temp = Temp::new("cost");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let log = temp.0.join("stderr.log");
    let mut watch = Process(
        command()
            .args([
                "--base-url",
                &server.base_url(),
                "--token",
                server.access_token(),
            ])
            .args([
                "watch",
                "--business",
                BUSINESS,
                "--inbox",
                &inbox,
                "--resync",
                "1s",
            ])
            .stdout(Stdio::null())
            .stderr(append(&log))
            .spawn()
            .unwrap(),
    );
    // The first read, then one resync.
    let deadline = Instant::now() + Duration::from_secs(300);
    let reads: Vec<u64> = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let reads: Vec<u64> = text
            .lines()
            .filter(|l| l.contains("first read:") || l.contains("resync:"))
            .filter_map(|l| {
                let (_, rest) = l.split_once("numbers in ")?;
                rest.split(' ').next()?.parse().ok()
            })
            .collect();
        if reads.len() >= 2 {
            break reads;
        }
        assert!(Instant::now() < deadline, "no resync: {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    watch.kill();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("first read: 2000 accounts, 100000 numbers"),
        "{text}"
    );
    assert!(
        text.contains("resync: 2000 accounts, 100000 numbers"),
        "{text}"
    );
    // What the mock ran: at most what the watch counted (every item of a chain, those past
    // the last page that Graph does not run too), and a third read begun before the kill.
    let sent = state.request_count() as u64;
    assert!(sent <= reads[0] + reads[1] + 60, "{reads:?} {sent}");
    let budget = whatsapp_phone_numbers_mock::RateLimits::default().app_calls;
    for requests in &reads[..2] {
        assert!(*requests <= 60, "{requests} requests for one read");
        // 60 reads an hour (a one-minute resync) against the hourly budget.
        let usage = (60 * requests) as f64 / budget as f64;
        assert!(usage < 0.75, "usage {usage}");
        eprintln!(
            "a read: {requests} requests; one-minute resync: {:.0}% of the app's budget",
            usage * 100.0
        );
    }
}

/// `waphone` against `server` (or none), to completion.
async fn waphone(server: Option<&MockServer>, args: &[&str]) -> std::process::Output {
    let mut cmd = command();
    if let Some(server) = server {
        cmd.args([
            "--base-url",
            &server.base_url(),
            "--token",
            server.access_token(),
        ]);
    }
    cmd.args(args);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `--exec` gets each record on stdin and marks it handed on only when it exits 0: a
/// failing command leaves the records for the next run, which prints them first. `state`
/// and `history` read what was stored, without Graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_state_and_history() {
    use whatsapp_phone_numbers_mock::{MockEvent, demo};
    let server = MockServer::start().await;
    let temp = Temp::new("exec");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let got = temp.0.join("exec.jsonl");
    let number = demo::DEMO_NUMBER_ID;
    let watch = |exec: String, run_for: &'static str| {
        let (server, inbox) = (&server, inbox.clone());
        async move {
            let mut args = vec![
                "watch".to_owned(),
                "--business".into(),
                demo::DEMO_BUSINESS_ID.into(),
                "--inbox".into(),
                inbox,
                "--resync".into(),
                "1s".into(),
                "--for".into(),
                run_for.into(),
            ];
            if !exec.is_empty() {
                args.extend(["--exec".to_owned(), exec]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            waphone(Some(server), &args).await
        }
    };
    // The first read, then a change no webhook announces (a status), found by a resync
    // and given to a command that fails: nothing is marked handed on.
    let state = server.state();
    let changer = {
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            state
                .apply(MockEvent::Status {
                    phone_number_id: number.into(),
                    status: "RESTRICTED".into(),
                })
                .unwrap();
        })
    };
    let failing = watch("cat > /dev/null; exit 3".into(), "4s").await;
    changer.await.unwrap();
    assert_eq!(failing.status.code(), Some(0), "{}", text(&failing.stderr));
    assert!(failing.stdout.is_empty());
    assert!(
        text(&failing.stderr).contains("--exec failed for record 1"),
        "{}",
        text(&failing.stderr)
    );

    // The next run hands it on first: the record on the command's stdin.
    let exec = format!("cat >> {}", got.display());
    let handed = watch(exec, "2s").await;
    assert_eq!(handed.status.code(), Some(0), "{}", text(&handed.stderr));
    let lines = std::fs::read_to_string(&got).unwrap();
    let record: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(record["entity_id"], number);
    assert_eq!(
        (&record["field"], &record["old"], &record["new"]),
        (&"status".into(), &"CONNECTED".into(), &"RESTRICTED".into())
    );
    assert_eq!(
        (&record["source"], &record["unannounced"]),
        (&"resync".into(), &true.into())
    );
    assert_eq!(lines.lines().count(), 1, "{lines}");

    // `state`: the number as stored, at risk now.
    let shown = waphone(None, &["--json", "state", "--inbox", &inbox, "--at-risk"]).await;
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    let fleet: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    let numbers = fleet["numbers"].as_array().unwrap();
    let ours = numbers.iter().find(|n| n["id"] == number).expect("at risk");
    assert_eq!(ours["fields"]["status"], "RESTRICTED");
    assert!(numbers.iter().all(|n| n["at_risk"] == true));
    assert_eq!(fleet["accounts"].as_array().unwrap().len(), 2);
    let table = waphone(None, &["state", "--inbox", &inbox]).await;
    assert!(
        text(&table.stdout).contains("AT RISK"),
        "{}",
        text(&table.stdout)
    );

    // `history`: by number and by its account; --since filters.
    for id in [number, demo::DEMO_WABA_ID] {
        let out = waphone(
            None,
            &["--json", "history", id, "--inbox", &inbox, "--since", "1h"],
        )
        .await;
        let records: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(records.as_array().unwrap().len(), 1, "{records}");
    }
    let later = waphone(
        None,
        &[
            "--json",
            "history",
            number,
            "--inbox",
            &inbox,
            "--since",
            "2099-01-01T00:00:00Z",
        ],
    )
    .await;
    assert_eq!(text(&later.stdout).trim(), "[]");
}

/// Bad flags are usage errors naming the flag, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_flags_name_the_flag() {
    let server = MockServer::start().await;
    let temp = Temp::new("flags");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    for (args, flag) in [
        (
            vec![
                "watch",
                "--business",
                "1",
                "--resync",
                "0s",
                "--inbox",
                &inbox,
            ],
            "--resync",
        ),
        (
            vec![
                "watch",
                "--business",
                "1",
                "--resync",
                "soon",
                "--inbox",
                &inbox,
            ],
            "--resync",
        ),
        (
            vec!["watch", "--business", "12ab", "--inbox", &inbox],
            "--business",
        ),
        (
            vec![
                "watch",
                "--business",
                "1",
                "--drop-webhooks",
                "0.3",
                "--inbox",
                &inbox,
            ],
            "--drop-webhooks",
        ),
        (
            vec![
                "watch",
                "--business",
                "1",
                "--for",
                "later",
                "--inbox",
                &inbox,
            ],
            "--for",
        ),
        (vec!["history", "12ab", "--inbox", &inbox], "id"),
        (
            vec!["history", "1", "--since", "yesterday", "--inbox", &inbox],
            "--since",
        ),
    ] {
        let out = waphone(Some(&server), &args).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains(flag),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let lively = waphone(
        None,
        &["--mock", "watch", "--lively", "0", "--inbox", &inbox],
    )
    .await;
    assert_eq!(lively.status.code(), Some(2));
    assert!(
        text(&lively.stderr).contains("--lively"),
        "{}",
        text(&lively.stderr)
    );
    assert_eq!(server.state().request_count(), 0);
}

/// `--client`: the accounts clients shared with the business are watched too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_accounts_are_watched_with_client() {
    use whatsapp_phone_numbers_mock::demo;
    let server = MockServer::start().await;
    let mut accounts = Vec::new();
    for client in [false, true] {
        let temp = Temp::new("client");
        let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
        let mut args = vec![
            "watch",
            "--business",
            demo::DEMO_BUSINESS_ID,
            "--inbox",
            &inbox,
        ];
        args.extend(["--resync", "1h", "--for", "1500ms"]);
        if client {
            args.push("--client");
        }
        let out = waphone(Some(&server), &args).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let shown = waphone(None, &["--json", "state", "--inbox", &inbox]).await;
        let fleet: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
        let ids: Vec<String> = fleet["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        accounts.push(ids);
    }
    assert!(
        !accounts[0].contains(&demo::DEMO_CLIENT_WABA_ID.to_owned()),
        "{accounts:?}"
    );
    assert!(
        accounts[1].contains(&demo::DEMO_CLIENT_WABA_ID.to_owned()),
        "{accounts:?}"
    );
    assert_eq!(accounts[1].len(), accounts[0].len() + 1);
}
