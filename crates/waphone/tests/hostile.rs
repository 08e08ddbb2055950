//! `waphone webhooks listen` under hostile traffic, as a process on loopback:
//!
//! - with 512 file descriptors, 3,000 idle or half-sent connections do not stop a valid
//!   delivery from being answered within 2 s;
//! - 5,000 deliveries of 20 KiB at 50 connections with no consumer running leave its memory
//!   flat: the backlog is on disk, not in the process.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use whatsapp_phone_numbers::AppSecret;
use whatsapp_phone_numbers::webhooks::{notification_body, sign};

mod common;
use common::{Process, Temp, append, command, free_port, wait_for_port};

const SECRET: &str = "hostile-test-app-secret";

/// Raises this process's soft limit on open files to its hard limit (a test holding
/// thousands of connections needs more than the usual 1,024).
fn more_files() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the struct passed, nothing else.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    limit.rlim_cur
}

/// The listener, with at most `files` open files when given.
fn start_listener(port: u16, inbox: &str, files: Option<u32>, log: &std::path::Path) -> Process {
    let limit = files.map_or(String::new(), |n| format!("ulimit -n {n} && "));
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(common::BIN)
        .env_clear()
        .env("WHATSAPP_APP_SECRET", SECRET)
        .args(["webhooks", "listen", "--port", &port.to_string()])
        .args(["--inbox", inbox, "--app-id", "111"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(append(log))
        .spawn()
        .expect("the waphone binary runs");
    wait_for_port(port);
    Process(child)
}

fn delivery(n: usize, padding: usize) -> (String, String) {
    let body = notification_body(
        &(n % 7).to_string(),
        1,
        "account_update",
        &serde_json::json!({"n": n, "padding": "x".repeat(padding)}),
    );
    let signature = sign(&AppSecret::new(SECRET).unwrap(), body.as_bytes());
    (body, signature)
}

async fn post(client: &reqwest::Client, url: &str, n: usize, padding: usize) -> u16 {
    let (body, signature) = delivery(n, padding);
    client
        .post(url)
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn status(inbox: &str) -> serde_json::Value {
    let out = command()
        .args(["--json", "webhooks", "inbox", "--inbox", inbox, "status"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_thousand_idle_and_half_sent_connections_do_not_stop_a_delivery() {
    let files = more_files();
    assert!(
        files >= 3_200,
        "this test holds 3,000 connections; the open-file limit is {files}"
    );
    let temp = Temp::new("hostile");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let port = free_port();
    let listener = start_listener(port, &inbox, Some(512), &temp.0.join("stderr.log"));
    let url = format!("http://127.0.0.1:{port}/whatsapp");

    // 1,000 connections that say nothing, 1,000 that stop inside their headers, 1,000 that
    // stop inside their body: each held open by this test.
    let mut held = Vec::new();
    for k in 0..3_000 {
        let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
            continue;
        };
        let partial: &[u8] = match k % 3 {
            0 => b"",
            1 => b"POST /whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le",
            _ => b"POST /whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n{\"object\":",
        };
        let _ = stream.write_all(partial).await;
        held.push(stream);
    }
    assert!(
        held.len() >= 2_900,
        "only {} connections opened",
        held.len()
    );

    let client = reqwest::Client::new();
    for n in 0..3 {
        let started = Instant::now();
        let code = tokio::time::timeout(Duration::from_secs(2), post(&client, &url, n, 10))
            .await
            .unwrap_or_else(|_| panic!("delivery {n} not answered within 2 s"));
        assert_eq!(code, 200, "delivery {n}");
        eprintln!(
            "hostile test: delivery {n} answered 200 in {} ms beside {} hostile connections",
            started.elapsed().as_millis(),
            held.len()
        );
    }
    drop(held);
    assert_eq!(status(&inbox)["pending"], 3);
    drop(listener);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_deliveries_without_a_consumer_keep_memory_flat() {
    let temp = Temp::new("memory");
    let inbox = format!("sqlite:{}", temp.0.join("inbox.sqlite3").display());
    let port = free_port();
    let listener = start_listener(port, &inbox, None, &temp.0.join("stderr.log"));
    let pid = listener.0.id();
    let url = format!("http://127.0.0.1:{port}/whatsapp");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(50)
        .build()
        .unwrap();

    // 50 at a time, 20 KiB each.
    let send = |from: usize, to: usize| {
        let (client, url) = (client.clone(), url.clone());
        async move {
            let mut tasks = Vec::new();
            for lane in 0..50 {
                let (client, url) = (client.clone(), url.clone());
                tasks.push(tokio::spawn(async move {
                    let mut refused = 0;
                    for n in (from + lane..to).step_by(50) {
                        if post(&client, &url, n, 20 * 1024).await != 200 {
                            refused += 1;
                        }
                    }
                    refused
                }));
            }
            let mut refused = 0;
            for task in tasks {
                refused += task.await.unwrap();
            }
            refused
        }
    };
    assert_eq!(send(0, 1_000).await, 0);
    let warm = rss_kib(pid);
    assert_eq!(send(1_000, 5_000).await, 0);
    let after = rss_kib(pid);
    let status = status(&inbox);
    assert_eq!(status["pending"], 5_000);
    let grown = after.saturating_sub(warm);
    eprintln!(
        "memory test: resident {} KiB after 1,000 deliveries, {} KiB after 5,000 (+{} KiB for \
         4,000 x 20 KiB = {} KiB of backlog, on disk)",
        warm,
        after,
        grown,
        4_000 * 20
    );
    // Kept in memory, the 4,000 bodies would be 80 MiB.
    assert!(grown < 16 * 1024, "grew {grown} KiB");
    drop(listener);
}
