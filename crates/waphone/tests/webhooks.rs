//! `waphone webhooks listen` as a subprocess: the mock verifies it and sends it a signed
//! name update after `subscriptions add` and `update --new-display-name`; it prints one JSON
//! line per change, refuses bad signatures and oversized bodies without printing, and never
//! prints a secret.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use whatsapp_phone_numbers::AppSecret;
use whatsapp_phone_numbers::webhooks::sign;
use whatsapp_phone_numbers_mock::{MockServer, demo};

mod common;
use common::command;

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
    let mut child = command()
        .args(["webhooks", "listen", "--port", "0"])
        .args(extra)
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
    fn next_line(&self) -> serde_json::Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(15))
            .expect("a line within 15 s");
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
    let listener = listen(&["--max-body-bytes", "4096"]);

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
    let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"42","time":7,"changes":[{"field":"brand_new_field","value":{"k":[1]}}]}]}"#;
    assert_eq!(post(&listener.url, body, None).await, 401);
    let wrong = sign(&AppSecret::new("not-the-secret").unwrap(), body.as_bytes());
    assert_eq!(post(&listener.url, body, Some(wrong)).await, 403);
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(8 * 1024));
    let big_signature = sign(&AppSecret::new(SECRET).unwrap(), big.as_bytes());
    assert_eq!(post(&listener.url, &big, Some(big_signature)).await, 413);
    let right = sign(&AppSecret::new(SECRET).unwrap(), body.as_bytes());
    assert_eq!(post(&listener.url, body, Some(right)).await, 200);
    let event = listener.next_line();
    assert_eq!(
        event,
        serde_json::json!({"field": "brand_new_field", "waba_id": "42", "time": 7, "value": {"k": [1]}})
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
