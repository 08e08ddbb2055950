//! `waphone watch --metrics-addr`: Prometheus' text format, scraped over HTTP. The at-risk
//! gauge counts what the mock holds; `promtool check metrics` passes on a scrape and a real
//! Prometheus server scrapes the watch (`#[ignore]`d without one: run through
//! `.ci/with-prometheus cargo test -p waphone --test metrics -- --ignored`).

use std::process::Stdio;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use whatsapp_phone_numbers::view::PhoneNumber as _;
use whatsapp_phone_numbers::{Field, OpenEnum, RiskyStatus};
use whatsapp_phone_numbers_mock::{MockServer, demo};

mod common;
use common::{Process, Temp, command, free_port};

/// The numbers of the demo business's accounts that are at risk, read from the mock.
async fn at_risk_in_the_mock(server: &MockServer) -> usize {
    let client = common::client_as(server, server.access_token(), server.app_secret());
    let accounts: Vec<_> = client
        .business(demo::DEMO_BUSINESS_ID)
        .owned_accounts()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut count = 0;
    for account in accounts {
        let id = account.id.clone().unwrap();
        let numbers: Vec<_> = client
            .business_account(&id)
            .phone_numbers()
            .list()
            .fields(["id", "status", "quality_rating"].map(Field::parse))
            .stream()
            .try_collect()
            .await
            .unwrap();
        count += numbers
            .iter()
            .filter(|n| {
                n.quality_rating().map(OpenEnum::as_str) == Some("RED")
                    || n.status()
                        .map(OpenEnum::as_str)
                        .and_then(RiskyStatus::from_wire)
                        .is_some()
            })
            .count();
    }
    count
}

fn start_watch(server: &MockServer, temp: &Temp, metrics: &str) -> Process {
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let child = command()
        .args([
            "--base-url",
            &server.base_url(),
            "--token",
            server.access_token(),
        ])
        .args(["--app-secret", server.app_secret(), "watch"])
        .args(["--business", demo::DEMO_BUSINESS_ID, "--inbox", &inbox])
        .args(["--metrics-addr", metrics, "--resync", "1h"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the waphone binary runs");
    Process(child)
}

/// Scrapes until the at-risk gauge is there; answers the text.
async fn scrape(address: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(response) = reqwest::get(format!("http://{address}/metrics")).await {
            let text = response.text().await.unwrap_or_default();
            if text.contains("waphone_fleet_numbers_at_risk{") {
                return text;
            }
        }
        assert!(Instant::now() < deadline, "no metrics at {address}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The sum of a gauge family's samples in `text`.
fn sum(text: &str, family: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{family}{{")) || l.starts_with(&format!("{family} ")))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_at_risk_gauge_counts_what_the_mock_holds() {
    let server = MockServer::start().await;
    let expected = at_risk_in_the_mock(&server).await;
    assert!(expected > 0);
    let temp = Temp::new("metrics");
    let address = format!("127.0.0.1:{}", free_port());
    let _watch = start_watch(&server, &temp, &address);
    let text = scrape(&address).await;
    assert_eq!(
        sum(&text, "waphone_fleet_numbers_at_risk") as usize,
        expected,
        "{text}"
    );
    // Every number has one quality state set to 1.
    let numbers = sum(&text, "waphone_fleet_numbers");
    assert_eq!(
        sum(&text, "waphone_number_quality_state"),
        numbers,
        "{text}"
    );
    assert!(
        text.contains("# TYPE waphone_fleet_changes_total counter")
            || !text.contains("waphone_fleet_changes_total")
    );
    assert!(text.contains("waphone_resync_requests 1\n"), "{text}");
    assert!(!text.contains(server.access_token()) && !text.contains(server.app_secret()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_read_graph_refuses_ends_the_watch() {
    let server = MockServer::start().await;
    let temp = Temp::new("refused");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let out = command()
        .args([
            "--base-url",
            &server.base_url(),
            "--token",
            "EAAG-not-the-mocks-token",
        ])
        .args([
            "watch",
            "--business",
            demo::DEMO_BUSINESS_ID,
            "--inbox",
            &inbox,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("190"), "{stderr}");
    assert!(!stderr.contains("EAAG-not-the-mocks-token"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Prometheus: run through .ci/with-prometheus (cargo test -p waphone --test metrics -- --ignored)"]
async fn prometheus_scrapes_the_watch_and_promtool_accepts_it() {
    let prometheus = std::env::var("WAPHONE_TEST_PROMETHEUS")
        .expect("WAPHONE_TEST_PROMETHEUS is not set: run through .ci/with-prometheus");
    let address = std::env::var("WAPHONE_TEST_METRICS_ADDR").unwrap();
    let promtool = std::env::var("WAPHONE_TEST_PROMTOOL").unwrap();
    let server = MockServer::start().await;
    let expected = at_risk_in_the_mock(&server).await;
    let temp = Temp::new("prometheus");
    let _watch = start_watch(&server, &temp, &address);
    let text = scrape(&address).await;

    // promtool's linter on a scrape: names, types, help, units.
    let mut check = std::process::Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        check
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let checked = check.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    // The server scrapes it: the at-risk query answers the mock's count.
    let query = format!("{prometheus}/api/v1/query?query=sum(waphone_fleet_numbers_at_risk)");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer: serde_json::Value = reqwest::get(&query).await.unwrap().json().await.unwrap();
        let value = answer["data"]["result"][0]["value"][1]
            .as_str()
            .and_then(|v| v.parse::<f64>().ok());
        if value == Some(expected as f64) {
            eprintln!("prometheus: sum(waphone_fleet_numbers_at_risk) = {expected}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus answered {answer}, not {expected}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `webhooks listen --metrics-addr`: each delivery's outcome counted: kept, kept before
/// (Graph's resend), refused (a bad signature).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_listener_counts_deliveries_by_outcome() {
    use whatsapp_phone_numbers_mock::{DeliveryPolicy, MOCK_APP_ID, MockEvent};
    const SECRET: &str = "metrics-test-app-secret";
    const TOKEN: &str = "metrics-test-verify-token";
    let temp = Temp::new("listener-metrics");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let (port, metrics) = (free_port(), format!("127.0.0.1:{}", free_port()));
    let child = command()
        .args([
            "webhooks",
            "listen",
            "--port",
            &port.to_string(),
            "--inbox",
            &inbox,
        ])
        .args([
            "--app-secret",
            SECRET,
            "--app-id",
            MOCK_APP_ID,
            "--verify-token",
            TOKEN,
        ])
        .args(["--metrics-addr", &metrics])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _listener = Process(child);
    common::wait_for_port(port);
    let server = MockServer::builder()
        .app_secret(SECRET)
        .webhook_delivery(DeliveryPolicy {
            duplicate_percent: 100,
            ..DeliveryPolicy::default()
        })
        .start()
        .await
        .unwrap();
    let client = common::client_as(&server, server.access_token(), SECRET);
    let callback = format!("http://127.0.0.1:{port}/whatsapp");
    client
        .app(MOCK_APP_ID)
        .webhook_subscriptions()
        .subscribe(&callback, TOKEN)
        .fields(["phone_number_quality_update"])
        .await
        .unwrap();
    let queued = server
        .state()
        .apply(MockEvent::Quality {
            phone_number_id: demo::DEMO_NUMBER_ID.into(),
            quality_rating: "RED".into(),
        })
        .unwrap();
    assert_eq!(queued, 1);
    server
        .state()
        .wait_for_webhooks_settled(Duration::from_secs(30))
        .await;
    let forged = reqwest::Client::new()
        .post(&callback)
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .body(r#"{"object":"whatsapp_business_account","entry":[]}"#)
        .send()
        .await
        .unwrap();
    assert!(forged.status().is_client_error());
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "waphone_webhook_deliveries_total{outcome=\"accepted\"} 1\n",
        "waphone_webhook_deliveries_total{outcome=\"duplicated\"} 1\n",
        "waphone_webhook_deliveries_total{outcome=\"refused\"} 1\n",
    ] {
        assert!(text.contains(line), "{line}{text}");
    }
    assert!(!text.contains(SECRET));
}
