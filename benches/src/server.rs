//! A static Graph server for benchmarks, run as a child process of the benchmark itself:
//! one phone number node, and accounts of generated numbers behind cursor paging, with
//! Graph's headers on every answer. Nothing it does is measured, but it shares the machine's
//! two cores with the client under measurement, where Graph's own work would not: so it
//! writes its pages straight into bytes (no `serde_json::Value` per number, no second parse
//! of a page a batch item refers to), spending about 0.15 s of CPU on the 100,000 numbers of
//! an audit where building values cost 0.8–1.0 s.
//!
//! The account list answers Graph's field expansion of `phone_numbers`
//! (`fields=id,phone_numbers.limit(100){...}`): each account embeds its first numbers with
//! their own paging. [`spawn_with_latency`] holds every answer for a fixed time, to model
//! a real round trip to Graph.
//!
//! `POST /` (or `POST /v24.0`) is Graph's batch call: the items run one after another (a
//! chain of dependent pages runs that way on Graph too), `{result=NAME:$.dotted.path}` in an
//! item's URL takes a value from an earlier named item's answer, and the call is held for
//! the round trip once, as one HTTP request is.
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

/// Writes number `j` of account `waba`, as a list returns it with the audit's fields.
fn write_listed_number(out: &mut Vec<u8>, waba: u64, j: u64) {
    let quality = ["GREEN", "GREEN", "GREEN", "YELLOW", "RED"][(j % 5) as usize];
    let status = if j.is_multiple_of(17) {
        "FLAGGED"
    } else {
        "CONNECTED"
    };
    let _ = write!(
        out,
        r#"{{"id":"{}","display_phone_number":"+1 555-{:03}-{j:04}","verified_name":"Business {} number {j}","status":"{status}","quality_rating":"{quality}","messaging_limit_tier":null,"whatsapp_business_manager_messaging_limit":"TIER_2K","name_status":"APPROVED"}}"#,
        waba % 1_000_000 * 1000 + j + 100_000_000_000_000,
        waba % 1000,
        waba % 100_000,
    );
}

/// Graph calls answered (the stats endpoint not counted; each batch item one).
static REQUESTS: AtomicU64 = AtomicU64::new(0);
/// HTTP requests answered (the stats endpoint not counted).
static CALLS: AtomicU64 = AtomicU64::new(0);
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
    /// Graph calls answered as Graph counts them (each batch item one), the stats requests
    /// not counted.
    pub requests: u64,
    /// HTTP requests answered (a batch call one), the stats requests not counted.
    #[serde(default)]
    pub calls: u64,
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
        // The phone number node is rendered once; every answer borrows it.
        let phone: &'static [u8] = Box::leak(
            serde_json::to_vec(&phone_number())
                .unwrap()
                .into_boxed_slice(),
        );
        let router = axum::Router::new().fallback(
            move |query: Query<Vec<(String, String)>>, request: Request| async move {
                if request.uri().path() == "/__bench/stats" {
                    return stats().into_response();
                }
                CALLS.fetch_add(1, Ordering::Relaxed);
                if latency_ms > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(latency_ms)).await;
                }
                if request.method() == axum::http::Method::POST {
                    return batch(request, phone, wabas, numbers).await;
                }
                let host = host_of(&request);
                answer(request.uri().path(), &query.0, &host, phone, wabas, numbers).into_response()
            },
        );
        axum::serve(listener, router).await.unwrap();
    });
    true
}

/// The `Host` the request named (the base of the `next` links the server writes).
fn host_of(request: &Request) -> String {
    request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned()
}

/// The server's [`Stats`] so far.
fn stats() -> Vec<u8> {
    let stats = Stats {
        requests: REQUESTS.load(Ordering::Relaxed),
        calls: CALLS.load(Ordering::Relaxed),
        last_answer_ns: LAST_ANSWER_NS.load(Ordering::Relaxed),
        cpu_ns: crate::measure::cpu_time().as_nanos() as u64,
    };
    serde_json::to_vec(&stats).unwrap()
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

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Writes the items `after..` of `total` (at most `limit`) as Graph's page,
/// `{"data":[...],"paging":{...}}`, `next` building the link to the page that starts at the
/// cursor it is given; answers the paging written (none past the end, where Graph answers
/// no items and no cursors).
///
/// Pages are written straight into bytes, not built as `serde_json::Value`s first: the
/// server stands for Graph, whose work does not run on the client's machine, so it spends
/// as little of the two cores the benchmark shares with it as it can.
fn write_page(
    out: &mut Vec<u8>,
    (after, limit, total): (u64, u64, u64),
    next: impl FnOnce(u64) -> String,
    mut item: impl FnMut(&mut Vec<u8>, u64),
) -> Option<Value> {
    let end = (after + limit).min(total);
    out.extend_from_slice(br#"{"data":["#);
    for i in after..end {
        if i > after {
            out.push(b',');
        }
        item(out, i);
    }
    out.push(b']');
    if end <= after {
        out.push(b'}');
        return None;
    }
    let mut paging = json!({"cursors": {"before": after.to_string(), "after": end.to_string()}});
    if end < total {
        paging["next"] = Value::String(next(end));
    }
    out.extend_from_slice(br#","paging":"#);
    serde_json::to_writer(&mut *out, &paging).unwrap();
    out.push(b'}');
    Some(paging)
}

/// One answer, before it goes out as an HTTP response or as a batch item.
struct Answer {
    status: axum::http::StatusCode,
    body: Vec<u8>,
    /// The page's `paging`, kept aside so that a batch item's reference to
    /// `$.paging...` reads it without parsing the page again.
    paging: Option<Value>,
    /// The account or business whose usage the answer's headers report (none on a 404).
    usage_of: Option<String>,
}

impl Answer {
    /// Graph's headers on a successful answer: content type, request and trace IDs, the
    /// version, the app's and the business's usage.
    fn headers(&self) -> Vec<(header::HeaderName, HeaderValue)> {
        let Some(usage_of) = &self.usage_of else {
            return Vec::new();
        };
        let mut headers = vec![
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=UTF-8"),
            ),
            (
                header::HeaderName::from_static("x-fb-request-id"),
                HeaderValue::from_static("AGaOBl2yM-g8gdON7riEe9OW2e"),
            ),
            (
                header::HeaderName::from_static("x-fb-trace-id"),
                HeaderValue::from_static("E7riEe9OW2eAGaO"),
            ),
            (
                header::HeaderName::from_static("facebook-api-version"),
                HeaderValue::from_static("v24.0"),
            ),
            (
                header::HeaderName::from_static("x-app-usage"),
                HeaderValue::from_static(r#"{"call_count":3,"total_cputime":1,"total_time":2}"#),
            ),
        ];
        if let Ok(value) = HeaderValue::try_from(format!(
            r#"{{"{usage_of}":[{{"type":"whatsapp_business_management","call_count":4,"total_cputime":1,"total_time":2,"estimated_time_to_regain_access":0}}]}}"#
        )) {
            headers.push((
                header::HeaderName::from_static("x-business-use-case-usage"),
                value,
            ));
        }
        headers
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let headers = self.headers();
        let mut response = (self.status, self.body).into_response();
        response.headers_mut().extend(headers);
        response
    }
}

/// The answer to a GET of `path?query`.
fn answer(
    path: &str,
    query: &[(String, String)],
    host: &str,
    phone: &[u8],
    wabas: u64,
    numbers: u64,
) -> Answer {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let limit: u64 = param(query, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25);
    let after: u64 = param(query, "after")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    // Graph's `next` keeps the request's other parameters (`fields`, an expansion).
    let next = |edge: &str, end: u64| {
        let mut next = form_urlencoded::Serializer::new(String::new());
        for (key, value) in query.iter().filter(|(k, _)| k != "limit" && k != "after") {
            next.append_pair(key, value);
        }
        next.append_pair("limit", &limit.to_string());
        next.append_pair("after", &end.to_string());
        format!(
            "http://{host}/{}/{edge}?{}",
            segments[..2.min(segments.len())].join("/"),
            next.finish()
        )
    };
    REQUESTS.fetch_add(1, Ordering::Relaxed);
    let mut body = Vec::new();
    let (paging, usage_of) = match segments.as_slice() {
        [_, id] if *id == PHONE_ID => {
            body.extend_from_slice(phone);
            (None, "102290129340398".to_owned())
        }
        [version, _, "owned_whatsapp_business_accounts"] => {
            let nested = param(query, "fields").and_then(expansion_limit);
            let paging = write_page(
                &mut body,
                (after, limit, wabas),
                |end| next("owned_whatsapp_business_accounts", end),
                |out, i| {
                    let id = FIRST_WABA + i;
                    let _ = write!(out, r#"{{"id":"{id}","name":"Account {i}""#);
                    if let Some(limit) = nested {
                        // The account's first numbers, with their own paging.
                        out.extend_from_slice(br#","phone_numbers":"#);
                        write_page(
                            out,
                            (0, limit, numbers),
                            |end| {
                                format!(
                                    "http://{host}/{version}/{id}/phone_numbers?limit={limit}&after={end}"
                                )
                            },
                            |out, j| write_listed_number(out, id, j),
                        );
                    }
                    out.push(b'}');
                },
            );
            (paging, BUSINESS_ID.to_owned())
        }
        [_, waba, "phone_numbers"] => {
            let id: u64 = waba.parse().unwrap_or(FIRST_WABA);
            let paging = write_page(
                &mut body,
                (after, limit, numbers),
                |end| next("phone_numbers", end),
                |out, j| write_listed_number(out, id, j),
            );
            (paging, (*waba).to_owned())
        }
        _ => {
            return Answer {
                status: axum::http::StatusCode::NOT_FOUND,
                body: b"{}".to_vec(),
                paging: None,
                usage_of: None,
            };
        }
    };
    LAST_ANSWER_NS.store(monotonic_ns(), Ordering::Relaxed);
    Answer {
        status: axum::http::StatusCode::OK,
        body,
        paging,
        usage_of: Some(usage_of),
    }
}

/// A batch call: each item answered in turn, `{code, headers, body}` with the body as JSON
/// text; an item whose reference cannot be resolved answers 400 and is not run.
async fn batch(request: Request, phone: &[u8], wabas: u64, numbers: u64) -> Response {
    let host = host_of(&request);
    let Ok(body) = axum::body::to_bytes(request.into_body(), 16 << 20).await else {
        return (axum::http::StatusCode::BAD_REQUEST, "{}").into_response();
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let items: Vec<Value> = param(&form, "batch")
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or_default();
    let include_headers = param(&form, "include_headers") != Some("false");
    // Named items' answers: a reference reads only what it names.
    let mut named: std::collections::HashMap<String, Answer> = Default::default();
    let mut out = b"[".to_vec();
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let Some(url) = resolve(item["relative_url"].as_str().unwrap_or_default(), &named) else {
            let unresolved = json!({"code": 400, "body": r#"{"error":{"code":100,"message":"unresolved reference"}}"#});
            serde_json::to_writer(&mut out, &unresolved).unwrap();
            continue;
        };
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let path = format!("/{}", path.trim_start_matches('/'));
        let answer = answer(&path, &query, &host, phone, wabas, numbers);
        let _ = write!(out, r#"{{"code":{}"#, answer.status.as_u16());
        if include_headers {
            let headers: Vec<Value> = answer
                .headers()
                .iter()
                .filter_map(|(n, v)| Some(json!({"name": n.as_str(), "value": v.to_str().ok()?})))
                .collect();
            out.extend_from_slice(br#","headers":"#);
            serde_json::to_writer(&mut out, &headers).unwrap();
        }
        // The body as JSON text (the server writes only ASCII).
        out.extend_from_slice(br#","body":"#);
        serde_json::to_writer(&mut out, std::str::from_utf8(&answer.body).unwrap_or("{}")).unwrap();
        out.push(b'}');
        if let Some(name) = item["name"].as_str()
            && answer.status.is_success()
        {
            named.insert(name.to_owned(), answer);
        }
    }
    out.push(b']');
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    LAST_ANSWER_NS.store(monotonic_ns(), Ordering::Relaxed);
    response
}

/// `url` with each `{result=NAME:$.a.b}` replaced by that value of NAME's answer; `None`
/// when one cannot be resolved.
fn resolve(url: &str, named: &std::collections::HashMap<String, Answer>) -> Option<String> {
    let mut out = url.to_owned();
    while let Some(start) = out.find("{result=") {
        let end = start + out[start..].find('}')?;
        let (name, path) = out[start + "{result=".len()..end].split_once(':')?;
        let answer = named.get(name)?;
        let steps: Vec<&str> = path.strip_prefix("$.")?.split('.').collect();
        let value = match steps.split_first() {
            // Paging paths read the paging kept aside, without parsing the page.
            Some((&"paging", rest)) => rest
                .iter()
                .try_fold(answer.paging.as_ref()?, |v, step| v.get(step))?
                .clone(),
            _ => {
                let root: Value = serde_json::from_slice(&answer.body).ok()?;
                steps.iter().try_fold(&root, |v, step| v.get(step))?.clone()
            }
        };
        let value = match value {
            Value::String(s) => s,
            Value::Null => return None,
            other => other.to_string(),
        };
        out.replace_range(start..=end, &value);
    }
    Some(out)
}
