//! The `waphone` binary driven as a subprocess: exit codes, `--json` output, one-line errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use whatsapp_phone_numbers_mock::{MockServer, demo, types};

mod common;
use common::{BIN, command};

const SECRET_TOKEN: &str = "EAA-cli-SECRET-token";

fn waphone(args: &[&str]) -> Output {
    command()
        .args(args)
        .output()
        .expect("the waphone binary runs")
}

/// Runs the binary off the async runtime, so an in-process mock keeps serving.
async fn waphone_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        waphone(&args)
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn mock_audit_prints_the_demo_table_and_exits_3() {
    let out = waphone(&["--mock", "audit"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stdout(&out);
    let header = text.lines().next().unwrap();
    for column in [
        "ID",
        "NUMBER",
        "VERIFIED NAME",
        "STATUS",
        "QUALITY",
        "TIER",
        "NAME STATUS",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(text.contains("Jaspers Market"), "{text}");
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("30 numbers in 1 account: "),
        "{summary}"
    );
    assert!(summary.contains("at risk (quality RED"), "{summary}");
    assert!(
        stderr(&out).is_empty(),
        "no progress when stderr is not a terminal"
    );
}

#[test]
fn json_audit_is_one_array() {
    let out = waphone(&["--mock", "--json", "audit"]);
    assert_eq!(out.status.code(), Some(3));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), demo::DEMO_NUMBER_COUNT);
    let risky: Vec<_> = rows.iter().filter(|r| r["at_risk"] == true).collect();
    assert!(!risky.is_empty());
    for row in &risky {
        let status = row["status"].as_str().unwrap_or_default();
        assert!(
            row["quality_rating"] == "RED"
                || [
                    "FLAGGED",
                    "RESTRICTED",
                    "BANNED",
                    "RATE_LIMITED",
                    "DISCONNECTED"
                ]
                .contains(&status),
            "{row}"
        );
    }
}

#[test]
fn json_get_and_list_all() {
    let out = waphone(&[
        "--mock",
        "--json",
        "get",
        demo::DEMO_NUMBER_ID,
        "--fields",
        "status,quality_rating",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let number: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(number["id"], demo::DEMO_NUMBER_ID);
    assert!(number["status"].is_string());

    let out = waphone(&[
        "--mock",
        "--json",
        "list",
        demo::DEMO_WABA_ID,
        "--all",
        "--limit",
        "7",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(all.len(), demo::DEMO_NUMBER_COUNT);

    let out = waphone(&[
        "--mock",
        "--json",
        "list",
        demo::DEMO_WABA_ID,
        "--limit",
        "5",
        "--filter",
        "account_mode=SANDBOX",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(page["data"].is_array());
}

#[test]
fn usage_and_validation_errors_exit_2_before_sending() {
    let out = waphone(&["--mock", "register", demo::DEMO_NUMBER_ID, "--pin", "12x"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim_end(),
        "error: invalid --pin: must be exactly 6 ASCII digits (nothing was sent)"
    );
    assert!(stdout(&out).is_empty());

    let out = waphone(&["get", demo::DEMO_NUMBER_ID]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no access token"), "{}", stderr(&out));

    // The flag, not the SDK's field name.
    let out = waphone(&["--mock", "list", demo::DEMO_WABA_ID, "--limit", "500"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid --page-size: must be 1 to 100"),
        "{}",
        stderr(&out)
    );

    let out = waphone(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));

    let out = waphone(&["--mock", "get", "../etc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid PHONE_NUMBER_ID"),
        "{}",
        stderr(&out)
    );

    let out = waphone(&[
        "--token",
        SECRET_TOKEN,
        "--base-url",
        "http://example.com",
        "get",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains(SECRET_TOKEN));
}

#[test]
fn api_errors_exit_1_with_one_line() {
    let out = waphone(&["--mock", "get", "999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: Graph API error 100/33 "), "{err}");
    assert!(err.contains("fbtrace_id "), "{err}");
    assert!(err.contains("x-fb-request-id "), "{err}");
}

#[test]
fn network_errors_exit_1_without_leaking_the_token() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let out = waphone(&[
        "--token",
        SECRET_TOKEN,
        "--base-url",
        &base,
        "--max-retries",
        "0",
        "get",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: could not connect after 1 attempt(s)"),
        "{err}"
    );
    assert!(!err.contains(SECRET_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_enum_values_are_printed_as_graph_sent_them() {
    let server = MockServer::builder().empty().start().await.unwrap();
    server.state().add_waba("555000111");
    let mut odd: types::PhoneNumber = serde_json::from_value(serde_json::json!({
        "id": "777000111", "display_phone_number": "+1 555-0000", "verified_name": "Odd",
        "quality_rating": "PURPLE", "status": "HIBERNATING", "messaging_limit_tier": "TIER_2K"
    }))
    .unwrap();
    odd.id = Some("777000111".into());
    server.state().add_number("555000111", odd);
    let base = server.base_url();
    let token = server.access_token().to_owned();

    let out = waphone_async(
        [
            "--base-url",
            &base,
            "--token",
            &token,
            "--json",
            "get",
            "777000111",
            "--fields",
            "status,quality_rating,messaging_limit_tier",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let number: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(number["quality_rating"], "PURPLE");
    assert_eq!(number["status"], "HIBERNATING");
    assert_eq!(number["messaging_limit_tier"], "TIER_2K");

    let out = waphone_async(
        [
            "--base-url",
            &base,
            "--token",
            &token,
            "--json",
            "audit",
            "555000111",
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "an unknown status is not at risk: {}",
        stderr(&out)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["status"], "HIBERNATING");
}

#[test]
fn mock_command_prints_its_base_url_first_and_serves() {
    let mut child = Command::new(BIN)
        .args(["mock", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let out = waphone(&[
        "--base-url",
        &base,
        "--token",
        "mock-token",
        "--json",
        "get",
        demo::DEMO_NUMBER_ID,
    ]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn api_version_v24_uses_the_v24_types_and_path() {
    let out = waphone(&[
        "--mock",
        "--api-version",
        "v24.0",
        "--json",
        "get",
        demo::DEMO_NUMBER_ID,
        "--fields",
        "throughput",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let number: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(number["throughput"]["level"], "STANDARD");

    // The default is the newest version with types: v24.0 here.
    let out = waphone(&[
        "--mock",
        "--json",
        "get",
        demo::DEMO_NUMBER_ID,
        "--fields",
        "throughput",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // v23.0 has no such field: Graph (and the mock) refuse it.
    let out = waphone(&[
        "--mock",
        "--api-version",
        "v23.0",
        "get",
        demo::DEMO_NUMBER_ID,
        "--fields",
        "throughput",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nonexisting field (throughput)"),
        "{}",
        stderr(&out)
    );

    let out = waphone(&["--mock", "--api-version", "v24.0", "--json", "audit"]);
    assert_eq!(out.status.code(), Some(3));
    let out = waphone(&["--mock", "--api-version", "24", "get", demo::DEMO_NUMBER_ID]);
    assert_eq!(out.status.code(), Some(2), "bad version is a usage error");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let mut child = Command::new(BIN)
        .args(["--mock", "list", demo::DEMO_WABA_ID, "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away before anything is printed
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn audit_checks_every_account_id_before_sending() {
    let out = waphone(&["--mock", "audit", demo::DEMO_WABA_ID, "12ab"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid waba_id"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

/// A page printed with `--json` keeps Graph's paging links without the credentials they
/// echo: the mock, as Graph, repeats the request's query (`appsecret_proof` among it) in
/// `paging.next`.
#[test]
fn json_pages_print_no_credentials_from_their_links() {
    let out = waphone(&["--mock", "--json", "list", demo::DEMO_WABA_ID]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let page: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let next = page["paging"]["next"].as_str().expect("more than one page");
    assert!(next.contains("appsecret_proof=redacted"), "{next}");
    for (key, value) in reqwest::Url::parse(next).unwrap().query_pairs() {
        if key == "appsecret_proof" || key == "access_token" {
            assert_eq!(value, "redacted", "{next}");
        }
    }
}

/// A closed stderr (`waphone ... 2>&1 | head -1` once `head` is gone) is no panic: the line
/// is dropped and the exit code stays the command's own (2 for bad input here, not 101).
#[test]
fn a_closed_stderr_keeps_the_exit_code() {
    let mut child = command()
        .args(["--mock", "get", "../etc"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the waphone binary runs");
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
}
