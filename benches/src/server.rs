//! A static Graph server for benchmarks, run as a child process of the benchmark itself:
//! one phone number node, and accounts of generated numbers behind cursor paging, with
//! Graph's headers on every answer. Nothing it does is measured.
//!
//! The account list answers Graph's field expansion of `phone_numbers`
//! (`fields=id,phone_numbers.limit(100){...}`): each account embeds its first numbers with
//! their own paging. [`spawn_with_latency`] holds every answer for a fixed time, to model
//! a real round trip to Graph.
//!
//! `GET /__bench/stats` answers what the server has done so far (see [`Stats`]), so that a
//! benchmark can tell when a client's last page was served and what serving cost.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Query, Request};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The environment variable that makes a benchmark binary serve instead of measure.
const ROLE: &str = "WA_BENCH_SERVE";

/// The phone number node the request benchmark reads.
pub const PHONE_ID: &str = "106540352242922";
/// The first account ID; accounts are numbered from it.
pub const FIRST_WABA: u64 = 300_000_000_000_001;
/// The business that owns the accounts.
pub const BUSINESS_ID: &str = "900000000000001";

/// The 7 fields the request benchmark selects.
pub const FIELDS: &[&str] = &[
    "display_phone_number",
    "verified_name",
    "status",
    "quality_rating",
    "whatsapp_business_manager_messaging_limit",
    "name_status",
    "health_status",
];

/// The phone number node (about 740 bytes).
pub fn phone_number() -> Value {
    json!({
        "display_phone_number": "+1 631-555-0100",
        "verified_name": "Jaspers Market",
        "status": "CONNECTED",
        "quality_rating": "GREEN",
        "whatsapp_business_manager_messaging_limit": "TIER_10K",
        "name_status": "APPROVED",
        "health_status": {
            "can_send_message": "AVAILABLE",
            "entities": [
                {"entity_type": "PHONE_NUMBER", "id": PHONE_ID, "can_send_message": "AVAILABLE"},
                {"entity_type": "WABA", "id": "102290129340398", "can_send_message": "AVAILABLE"},
                {"entity_type": "BUSINESS", "id": "506914307656634", "can_send_message": "AVAILABLE"},
                {"entity_type": "APP", "id": "334206429729224", "can_send_message": "LIMITED",
                 "additional_info": ["The app has not completed business verification; its messaging limit stays at 250 until it does."]}
            ]
        },
        "id": PHONE_ID
    })
}

/// Number `j` of account `waba`, as a list returns it with the audit's fields.
pub fn listed_number(waba: u64, j: u64) -> Value {
    let quality = ["GREEN", "GREEN", "GREEN", "YELLOW", "RED"][(j % 5) as usize];
    json!({
        "id": (waba % 1_000_000 * 1000 + j + 100_000_000_000_000).to_string(),
        "display_phone_number": format!("+1 555-{:03}-{:04}", waba % 1000, j),
        "verified_name": format!("Business {} number {j}", waba % 100_000),
        "status": if j.is_multiple_of(17) { "FLAGGED" } else { "CONNECTED" },
        "quality_rating": quality,
        "messaging_limit_tier": null,
        "whatsapp_business_manager_messaging_limit": "TIER_2K",
        "name_status": "APPROVED"
    })
}

/// Requests answered (the stats endpoint not counted).
static REQUESTS: AtomicU64 = AtomicU64::new(0);
/// [`monotonic_ns`] when the last answer was built.
static LAST_ANSWER_NS: AtomicU64 = AtomicU64::new(0);

/// `CLOCK_MONOTONIC` in nanoseconds: one clock for every process of the machine, so the
/// server's timestamps compare with the benchmark's.
pub fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime fills the struct it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// What the server has done since it started (`GET /__bench/stats`).
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct Stats {
    /// Requests answered, the stats requests not counted.
    pub requests: u64,
    /// [`monotonic_ns`] when the last answer was built.
    pub last_answer_ns: u64,
    /// The server process's CPU time (user + system), in nanoseconds.
    pub cpu_ns: u64,
}

/// A running server child process; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Asks the server for its [`Stats`] (a plain HTTP/1.1 request on a new connection, so
    /// that no client under measurement is involved).
    pub fn stats(&self) -> Stats {
        let address = self
            .base_url
            .strip_prefix("http://")
            .expect("the server's URL is http://");
        let mut stream = std::net::TcpStream::connect(address).expect("the server accepts");
        write!(
            stream,
            "GET /__bench/stats HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )
        .expect("the stats request is sent");
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .expect("the stats answer is read");
        let body = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|at| &answer[at + 4..])
            .expect("an HTTP answer with a body");
        serde_json::from_slice(body).expect("the stats are JSON")
    }
}

/// Starts this benchmark binary as the server, with `wabas` accounts of `numbers` numbers.
pub fn spawn(wabas: u64, numbers: u64) -> Server {
    spawn_with_latency(wabas, numbers, 0)
}

/// [`spawn`], holding every answer `latency_ms` milliseconds before it is sent.
pub fn spawn_with_latency(wabas: u64, numbers: u64, latency_ms: u64) -> Server {
    let mut child = Command::new(std::env::current_exe().expect("the benchmark's own path"))
        .env(ROLE, format!("{wabas}:{numbers}:{latency_ms}"))
        // The child serves until this pipe closes: when the benchmark exits, however it
        // exits, the server goes too.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the server child starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped"))
        .read_line(&mut line)
        .expect("the server prints its address");
    Server {
        child,
        base_url: line.trim().to_owned(),
    }
}

/// In the child: serves until killed, and returns true. In the benchmark: returns false.
pub fn serve_if_child() -> bool {
    let Ok(role) = std::env::var(ROLE) else {
        return false;
    };
    let parts: Vec<u64> = role.split(':').filter_map(|p| p.parse().ok()).collect();
    let (wabas, numbers, latency_ms) = match parts.as_slice() {
        [w, n, l] => (*w, *n, *l),
        [w, n] => (*w, *n, 0),
        _ => (1, 100, 0),
    };
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        std::process::exit(0);
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("http://{}", listener.local_addr().unwrap());
        let phone = serde_json::to_vec(&phone_number()).unwrap();
        let router = axum::Router::new().fallback(
            move |query: Query<Vec<(String, String)>>, request: Request| {
                let phone = phone.clone();
                async move {
                    if latency_ms > 0 && request.uri().path() != "/__bench/stats" {
                        tokio::time::sleep(std::time::Duration::from_millis(latency_ms)).await;
                    }
                    answer(&request, &query.0, &phone, wabas, numbers)
                }
            },
        );
        axum::serve(listener, router).await.unwrap();
    });
    true
}

/// The nested `limit` of a `phone_numbers` expansion in `fields` (25 without one, at most
/// 100), or `None` when the connection is not expanded.
fn expansion_limit(fields: &str) -> Option<u64> {
    let at = fields.find("phone_numbers")?;
    let rest = &fields[at + "phone_numbers".len()..];
    let limit = rest
        .strip_prefix(".limit(")
        .and_then(|r| r.split_once(')'))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(25u64);
    Some(limit.clamp(1, 100))
}

/// The first `limit` numbers of account `waba` as an embedded connection, with its paging.
fn embedded(host: &str, version: &str, waba: u64, numbers: u64, limit: u64) -> Value {
    let end = limit.min(numbers);
    let data: Vec<Value> = (0..end).map(|j| listed_number(waba, j)).collect();
    let mut paging = json!({"cursors": {"before": "0", "after": end.to_string()}});
    if end < numbers {
        paging["next"] = Value::String(format!(
            "http://{host}/{version}/{waba}/phone_numbers?limit={limit}&after={end}"
        ));
    }
    json!({"data": data, "paging": paging})
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn answer(
    request: &Request,
    query: &[(String, String)],
    phone: &[u8],
    wabas: u64,
    numbers: u64,
) -> Response {
    let path = request.uri().path();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let limit: u64 = param(query, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25);
    let after: u64 = param(query, "after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let page = |total: u64, edge: &str, item: &dyn Fn(u64) -> Value| {
        let end = (after + limit).min(total);
        let data: Vec<Value> = (after..end).map(item).collect();
        let mut paging =
            json!({"cursors": {"before": after.to_string(), "after": end.to_string()}});
        if end < total {
            // Graph's `next` keeps the request's other parameters (`fields`, an expansion).
            let mut next = form_urlencoded::Serializer::new(String::new());
            for (key, value) in query.iter().filter(|(k, _)| k != "limit" && k != "after") {
                next.append_pair(key, value);
            }
            next.append_pair("limit", &limit.to_string());
            next.append_pair("after", &end.to_string());
            paging["next"] = Value::String(format!(
                "http://{host}/{}/{edge}?{}",
                segments[..2].join("/"),
                next.finish()
            ));
        }
        serde_json::to_vec(&json!({"data": data, "paging": paging})).unwrap()
    };
    if segments == ["__bench", "stats"] {
        let stats = Stats {
            requests: REQUESTS.load(Ordering::Relaxed),
            last_answer_ns: LAST_ANSWER_NS.load(Ordering::Relaxed),
            cpu_ns: crate::measure::cpu_time().as_nanos() as u64,
        };
        return serde_json::to_vec(&stats).unwrap().into_response();
    }
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    let (body, waba) = match segments.as_slice() {
        [_, id] if *id == PHONE_ID => (phone.to_vec(), "102290129340398".to_owned()),
        [version, _, "owned_whatsapp_business_accounts"] => {
            let nested = param(query, "fields").and_then(expansion_limit);
            let account = |i: u64| {
                let id = FIRST_WABA + i;
                let mut account = json!({"id": id.to_string(), "name": format!("Account {i}")});
                if let Some(limit) = nested {
                    account["phone_numbers"] = embedded(&host, version, id, numbers, limit);
                }
                account
            };
            (
                page(wabas, "owned_whatsapp_business_accounts", &account),
                BUSINESS_ID.to_owned(),
            )
        }
        [_, waba, "phone_numbers"] => {
            let id: u64 = waba.parse().unwrap_or(FIRST_WABA);
            (
                page(numbers, "phone_numbers", &|j| listed_number(id, j)),
                (*waba).to_owned(),
            )
        }
        _ => return (axum::http::StatusCode::NOT_FOUND, "{}").into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    headers.insert(
        "x-fb-request-id",
        HeaderValue::from_static("AGaOBl2yM-g8gdON7riEe9OW2e"),
    );
    headers.insert("x-fb-trace-id", HeaderValue::from_static("E7riEe9OW2eAGaO"));
    headers.insert("facebook-api-version", HeaderValue::from_static("v24.0"));
    headers.insert(
        "x-app-usage",
        HeaderValue::from_static(r#"{"call_count":3,"total_cputime":1,"total_time":2}"#),
    );
    if let Ok(value) = HeaderValue::try_from(format!(
        r#"{{"{waba}":[{{"type":"whatsapp_business_management","call_count":4,"total_cputime":1,"total_time":2,"estimated_time_to_regain_access":0}}]}}"#
    )) {
        headers.insert("x-business-use-case-usage", value);
    }
    LAST_ANSWER_NS.store(monotonic_ns(), Ordering::Relaxed);
    response
}
