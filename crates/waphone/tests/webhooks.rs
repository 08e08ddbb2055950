//! `waphone webhooks listen` as a subprocess: the mock verifies it and sends it a signed
//! name update after `subscriptions add` and `update --new-display-name`; it prints one JSON
//! line per change, refuses bad signatures and oversized bodies without printing, and never
//! prints a secret.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use whatsapp_phone_numbers::AppSecret;
use whatsapp_phone_numbers::webhooks::{notification_body, sign};
use whatsapp_phone_numbers_mock::{MockServer, demo};

mod common;
use common::{Temp, command};

const SECRET: &str = "cli-app-secret-value";
const TOKEN: &str = "cli-verify-token-value";

/// A running `webhooks listen`: its URL, and its stdout and stderr lines as they come.
struct Listen {
    child: Child,
    url: String,
    lines: mpsc::Receiver<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Drop for Listen {
    /// A failing test must not leave the listener running.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn listen(extra: &[&str]) -> Listen {
    listen_with(extra, &[])
}

fn listen_with(extra: &[&str], env: &[(&str, &str)]) -> Listen {
    let mut child = command()
        .args(["webhooks", "listen", "--port", "0"])
        .args(extra)
        .envs(env.iter().copied())
        .env("WHATSAPP_APP_SECRET", SECRET)
        .env("WHATSAPP_WEBHOOK_VERIFY_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the waphone binary runs");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    let stderr = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = stderr.read_to_string(&mut rest);
        format!("{first}{rest}")
    });
    let (send, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    Listen {
        child,
        url,
        lines,
        stderr: Some(stderr),
    }
}

impl Listen {
    fn next_raw_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(15))
            .expect("a line within 15 s")
    }

    fn next_line(&self) -> serde_json::Value {
        let line = self.next_raw_line();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    /// Stops the listener; answers what it printed after the lines already read.
    fn stop(mut self) -> (String, String) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let rest: Vec<String> = self.lines.try_iter().collect();
        let stderr = self
            .stderr
            .take()
            .map(|t| t.join().unwrap())
            .unwrap_or_default();
        (rest.join("\n"), stderr)
    }
}

async fn run(server: &MockServer, args: &[&str]) -> Output {
    let mut command = command();
    command
        .args([
            "--base-url",
            &server.base_url(),
            "--token",
            server.access_token(),
            "--app-secret",
            SECRET,
        ])
        .args(args);
    tokio::task::spawn_blocking(move || command.output().expect("the waphone binary runs"))
        .await
        .unwrap()
}

async fn post(url: &str, body: &str, signature: Option<String>) -> u16 {
    let mut request = reqwest::Client::new().post(url).body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

// Two workers: the test blocks on the listener's stdout while the in-process mock delivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_sends_the_listener_a_signed_name_update() {
    let server = MockServer::builder()
        .app_secret(SECRET)
        .review_names_after(Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    let listener = listen(&["--no-inbox", "--max-body-bytes", "4096"]);

    // Management fields go to the app's own callback: the mock verifies it with the
    // handshake, which the listener answers (an app access token from --app-secret).
    let out = run(
        &server,
        &[
            "app",
            "subscriptions",
            "add",
            whatsapp_phone_numbers_mock::MOCK_APP_ID,
            "--callback-url",
            &listener.url,
            "--verify-token",
            TOKEN,
            "--fields",
            "phone_number_name_update,phone_number_quality_update",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The app is subscribed to the account (the demo's is; subscribing again is harmless).
    let out = run(&server, &["subscriptions", "add", demo::DEMO_WABA_ID]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &server,
        &[
            "--json",
            "app",
            "subscriptions",
            "list",
            whatsapp_phone_numbers_mock::MOCK_APP_ID,
        ],
    )
    .await;
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["data"][0]["callback_url"], listener.url.as_str());
    for output in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(output);
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }

    let out = run(
        &server,
        &[
            "update",
            demo::DEMO_NUMBER_ID,
            "--new-display-name",
            "Lucky Shrub Garden",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let done = server
        .state()
        .wait_for_deliveries(1, Duration::from_secs(15))
        .await;
    assert!(done.iter().all(|d| d.delivered), "{done:?}");
    let event = listener.next_line();
    assert_eq!(event["field"], "phone_number_name_update");
    assert_eq!(event["waba_id"], demo::DEMO_WABA_ID);
    assert!(event["time"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(event["value"]["decision"], "APPROVED");
    assert_eq!(
        event["value"]["requested_verified_name"],
        "Lucky Shrub Garden"
    );

    // Unsigned, missigned and oversized posts are refused and print nothing; the unknown
    // field after them is printed with its raw value, so nothing came before it.
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"42","time":7,"changes":[{"field":"brand_new_field","value":{"k": [1],  "z":null}}]}]}"#;
    assert_eq!(post(&listener.url, body, None).await, 401);
    let wrong = sign(&AppSecret::new("not-the-secret").unwrap(), body.as_bytes());
    assert_eq!(post(&listener.url, body, Some(wrong)).await, 403);
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(8 * 1024));
    let big_signature = sign(&AppSecret::new(SECRET).unwrap(), big.as_bytes());
    assert_eq!(post(&listener.url, &big, Some(big_signature)).await, 413);
    let right = sign(&AppSecret::new(SECRET).unwrap(), body.as_bytes());
    assert_eq!(post(&listener.url, body, Some(right)).await, 200);
    let line = listener.next_raw_line();
    // The value exactly as sent: spacing, order and null kept.
    assert!(
        line.ends_with(r#","value":{"k": [1],  "z":null}}"#),
        "{line}"
    );
    let mut event: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(event["received_at"].as_i64().unwrap() > 1_700_000_000_000);
    event.as_object_mut().unwrap().remove("received_at");
    assert_eq!(
        event,
        serde_json::json!({"field": "brand_new_field", "waba_id": "42", "time": 7, "value": {"k": [1], "z": null}})
    );

    // The handshake: the challenge for the right token, 403 for a wrong one.
    let http = reqwest::Client::new();
    let answer = http
        .get(format!(
            "{}/any/path?hub.mode=subscribe&hub.challenge=8472&hub.verify_token={TOKEN}",
            listener.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(answer.text().await.unwrap(), "8472");
    let answer = http
        .get(format!(
            "{}?hub.mode=subscribe&hub.challenge=8472&hub.verify_token=nope",
            listener.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 403);

    let (stdout, stderr) = listener.stop();
    assert!(stdout.is_empty(), "nothing else was printed: {stdout}");
    for secret in [SECRET, TOKEN] {
        assert!(!stderr.contains(secret), "{stderr}");
        assert!(!stdout.contains(secret), "{stdout}");
    }
    server.shutdown().await;
}

#[test]
fn listening_needs_the_app_secret() {
    let out = command()
        .args(["webhooks", "listen", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--app-secret"), "{stderr}");
    assert!(out.stdout.is_empty());
}

fn waphone(args: &[&str], env: &[(&str, &str)]) -> Output {
    command()
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the waphone binary runs")
}

fn signed(secret: &str, body: &str) -> String {
    sign(&AppSecret::new(secret).unwrap(), body.as_bytes())
}

// The durable default: deliveries are stored before they are answered, `consume` prints
// each change's value exactly as sent and marks it done, the inbox reports and replays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_stores_before_answering_and_consume_hands_each_change_on() {
    let temp = Temp::new("inbox");
    let data = temp.0.join("data");
    let data = data.to_str().unwrap();
    // Two apps: the one of --app-secret/--app-id, and one from --apps-file.
    let apps = temp.0.join("apps");
    std::fs::write(&apps, "# id=secret\n\n222=second-app-secret\n").unwrap();
    let listener = listen_with(
        &["--app-id", "111", "--apps-file", apps.to_str().unwrap()],
        &[("XDG_DATA_HOME", data)],
    );
    let body = |n: u32| {
        format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"42","time":{n},"changes":[{{"field":"phone_number_quality_update","value":{{"event": "FLAGGED", "n":{n}, "new_key":[true]}}}}]}},{{"id":"43","changes":null}}]}}"#
        )
    };
    // Each app's copy is kept; Graph's resend is kept once and answered 200 again.
    for (secret, n) in [
        (SECRET, 1),
        (SECRET, 1),
        ("second-app-secret", 1),
        (SECRET, 2),
    ] {
        assert_eq!(
            post(&listener.url, &body(n), Some(signed(secret, &body(n)))).await,
            200
        );
    }
    assert_eq!(
        post(&listener.url, &body(3), Some(signed("other", &body(3)))).await,
        403
    );

    let env = [("XDG_DATA_HOME", data)];
    let status = waphone(&["--json", "webhooks", "inbox", "status"], &env);
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["pending"], 3, "{status}");
    // The entry without changes, from each app, once each: dead letters, the rest kept.
    assert_eq!(status["dead"], 2, "{status}");
    let dead = waphone(&["--json", "webhooks", "inbox", "dead"], &env);
    let dead: serde_json::Value = serde_json::from_slice(&dead.stdout).unwrap();
    assert_eq!(dead[0]["waba_id"], "43");
    assert_eq!(dead[0]["reason"], "the entry's `changes` is not a list");

    let consumed = waphone(&["--json", "webhooks", "consume", "--until-empty"], &env);
    assert_eq!(
        consumed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&consumed.stderr)
    );
    let stdout = String::from_utf8(consumed.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    for line in &lines {
        // Graph's text, spacing and the key no version types included.
        assert!(
            line.contains(r#""value":{"event": "FLAGGED", "n":"#),
            "{line}"
        );
        assert!(line.contains(r#""new_key":[true]}"#), "{line}");
    }
    let parsed: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let apps: Vec<&str> = parsed
        .iter()
        .map(|p| p["app_id"].as_str().unwrap())
        .collect();
    assert_eq!(apps, ["111", "222", "111"]);
    assert_eq!(parsed[2]["value"]["n"], 2);
    assert!(
        parsed
            .iter()
            .all(|p| p["waba_id"] == "42" && p["attempt"] == 1)
    );

    // Nothing pending: a second consumer prints nothing; replay hands them out again, and
    // the text form shows each on one line.
    let again = waphone(&["webhooks", "consume", "--until-empty"], &env);
    assert!(again.stdout.is_empty());
    let replay = waphone(
        &["--json", "webhooks", "inbox", "replay", "--from", "1h"],
        &env,
    );
    let replay: serde_json::Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert_eq!(replay["changes"], 3);
    let text = waphone(&["webhooks", "consume", "--until-empty"], &env);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("#1  42  phone_number_quality_update  {\"event\": \"FLAGGED\""),
        "{text}"
    );
    let pruned = waphone(
        &["--json", "webhooks", "inbox", "prune", "--older-than", "0s"],
        &env,
    );
    let pruned: serde_json::Value = serde_json::from_slice(&pruned.stdout).unwrap();
    assert_eq!(pruned["changes"], 3);

    let (stdout, stderr) = listener.stop();
    assert!(
        stdout.is_empty(),
        "a durable listener prints nothing: {stdout}"
    );
    let default = format!("sqlite:{data}/waphone/inbox.sqlite3");
    assert!(
        stderr.contains(&default),
        "the default inbox is named: {stderr}"
    );
    for secret in [SECRET, TOKEN, "second-app-secret"] {
        assert!(!stderr.contains(secret), "{stderr}");
    }
}

// --exec: the change on stdin and in the environment; exit 0 is done, anything else is
// retried and, after --max-attempts, a dead letter with the reason.
#[test]
fn consume_exec_marks_done_only_on_success() {
    let temp = Temp::new("exec");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let listener = listen(&["--inbox", &inbox]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (waba, n) in [("7", 1), ("8", 2)] {
        let body = notification_body(waba, n, "account_update", &serde_json::json!({"n": n}));
        let code = runtime.block_on(post(&listener.url, &body, Some(signed(SECRET, &body))));
        assert_eq!(code, 200);
    }
    let seen = temp.0.join("seen");
    // Account 8's change always fails; account 7's is written down.
    let script = format!(
        r#"test "$WAPHONE_WABA_ID" = 8 && exit 3; {{ cat; echo "$WAPHONE_FIELD $WAPHONE_ATTEMPT"; }} >> '{}'"#,
        seen.display()
    );
    let out = waphone(
        &[
            "webhooks",
            "consume",
            "--inbox",
            &inbox,
            "--until-empty",
            "--exec",
            &script,
            "--max-attempts",
            "2",
            "--poll-interval",
            "0.05",
        ],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen = std::fs::read_to_string(seen).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(lines.len(), 2, "{seen}");
    assert!(lines[0].contains(r#""value":{"n":1}"#), "{seen}");
    assert_eq!(lines[1], "account_update 1");
    let dead = waphone(
        &["--json", "webhooks", "inbox", "--inbox", &inbox, "dead"],
        &[],
    );
    let dead: serde_json::Value = serde_json::from_slice(&dead.stdout).unwrap();
    assert_eq!(dead[0]["waba_id"], "8");
    assert_eq!(dead[0]["attempts"], 2);
    assert_eq!(dead[0]["reason"], "--exec exited with exit status: 3");
    drop(listener);
}

#[test]
fn inbox_flags_are_checked_before_anything_is_opened() {
    let temp = Temp::new("flags");
    let path = temp.0.join("never.sqlite3");
    let inbox = format!("sqlite:{}", path.display());
    for (args, flag) in [
        (
            vec!["webhooks", "inbox", "--inbox", "mysql://x", "status"],
            "--inbox",
        ),
        (
            vec![
                "webhooks",
                "inbox",
                "--inbox",
                &inbox,
                "prune",
                "--older-than",
                "soon",
            ],
            "--older-than",
        ),
        (
            vec![
                "webhooks",
                "inbox",
                "--inbox",
                &inbox,
                "replay",
                "--from",
                "yesterday-ish",
            ],
            "--from",
        ),
        (
            vec!["webhooks", "consume", "--inbox", &inbox, "--lease", "0"],
            "--lease",
        ),
        (
            vec![
                "webhooks",
                "consume",
                "--inbox",
                &inbox,
                "--max-attempts",
                "0",
            ],
            "--max-attempts",
        ),
        (
            vec![
                "webhooks",
                "listen",
                "--port",
                "0",
                "--inbox",
                &inbox,
                "--idle-timeout",
                "0",
            ],
            "--idle-timeout",
        ),
    ] {
        let out = command()
            .args(&args)
            .env("WHATSAPP_APP_SECRET", SECRET)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
    assert!(!path.exists(), "nothing was created");
    let apps = temp.0.join("apps");
    std::fs::write(&apps, "not-a-number=secret\n").unwrap();
    let out = command()
        .args([
            "webhooks",
            "listen",
            "--port",
            "0",
            "--no-inbox",
            "--apps-file",
        ])
        .arg(&apps)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--apps-file") && stderr.contains("line 1"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret\n"), "{stderr}");
}

// `waphone mock --webhook-duplicates 100` sends every delivery twice, as Graph may: the
// listener's inbox keeps the change once and the consumer hands it out once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_mock_sends_duplicates_and_the_inbox_keeps_one() {
    for (flag, value) in [
        ("--webhook-concurrency", "0"),
        ("--webhook-duplicates", "101"),
        ("--latency-ms", "60001"),
    ] {
        let out = command()
            .args(["mock", "--port", "0", flag, value])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {stderr}");
        assert!(stderr.contains(flag), "{stderr}");
    }

    let temp = Temp::new("duplicates");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let mut mock = command()
        .args([
            "mock",
            "--port",
            "0",
            "--webhook-duplicates",
            "100",
            "--webhook-concurrency",
            "4",
        ])
        .env("WHATSAPP_APP_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut base = String::new();
    BufReader::new(mock.stdout.take().unwrap())
        .read_line(&mut base)
        .unwrap();
    let base = base.trim().to_owned();
    let mock = common::Process(mock);
    let listener = listen(&["--inbox", &inbox]);
    let cli = |args: &[&str]| {
        let out = command()
            .args([
                "--base-url",
                &base,
                "--token",
                "mock-token",
                "--app-secret",
                SECRET,
            ])
            .args(args)
            .env("WHATSAPP_WEBHOOK_VERIFY_TOKEN", TOKEN)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(&[
        "app",
        "subscriptions",
        "add",
        whatsapp_phone_numbers_mock::MOCK_APP_ID,
        "--callback-url",
        &listener.url,
        "--fields",
        "phone_number_quality_update",
    ]);
    let http = reqwest::Client::new();
    let queued = http
        .post(format!("{base}/__mock/events"))
        .body(format!(
            r#"{{"kind":"quality","phone_number_id":"{}","quality_rating":"RED"}}"#,
            demo::DEMO_NUMBER_ID
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 200);
    let mut deliveries = serde_json::Value::Null;
    for _ in 0..200 {
        deliveries = http
            .get(format!("{base}/__mock/webhooks"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if deliveries["data"].as_array().is_some_and(|d| d.len() == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let deliveries = deliveries["data"]
        .as_array()
        .expect("the mock's delivery log");
    assert_eq!(deliveries.len(), 2, "{deliveries:?}");
    assert!(deliveries.iter().all(|d| d["delivered"] == true));
    assert_eq!(deliveries[1]["duplicate"], true);
    assert_eq!(deliveries[0]["body"], deliveries[1]["body"]);

    let consumed = command()
        .args([
            "--json",
            "webhooks",
            "consume",
            "--inbox",
            &inbox,
            "--until-empty",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(consumed.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "kept once: {stdout}");
    assert!(stdout.contains(r#""event":"FLAGGED""#), "{stdout}");
    drop(listener);
    drop(mock);
}

// A consumer stopped by SIGTERM while it handles a change gives the change back at once:
// the next consumer gets it as its first attempt, without waiting for the lease.
#[test]
fn a_consumer_stopped_mid_change_gives_it_back() {
    let temp = Temp::new("stop");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let listener = listen(&["--inbox", &inbox]);
    let body = &notification_body("5", 1, "account_update", &serde_json::json!({"n": 1}));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let code = runtime.block_on(post(&listener.url, body, Some(signed(SECRET, body))));
    assert_eq!(code, 200);
    let started = temp.0.join("started");
    let mut slow = command()
        .args([
            "webhooks", "consume", "--inbox", &inbox, "--lease", "60", "--exec",
        ])
        .arg(format!("touch '{}'; sleep 30", started.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waiting = std::time::Instant::now();
    while !started.exists() {
        assert!(
            waiting.elapsed() < Duration::from_secs(15),
            "the consumer never ran --exec"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let stopped = std::time::Instant::now();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &slow.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = slow.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "stopped promptly"
    );
    let out = waphone(
        &[
            "--json",
            "webhooks",
            "consume",
            "--inbox",
            &inbox,
            "--until-empty",
        ],
        &[],
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        line["attempt"], 1,
        "given back without counting the attempt"
    );
    assert_eq!(line["value"]["n"], 1);
    drop(listener);
}
