//! The store-first receiver over real HTTP on loopback: 200 only after the store kept the
//! delivery (as received, with the app that signed it), 503 when the store fails or is too
//! slow, nothing stored for a refusal; and `serve` under hostile traffic: thousands of idle
//! and half-sent connections do not keep a valid delivery waiting, stalled bodies are
//! answered 408, idle connections are closed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use whatsapp_phone_numbers::AppSecret;
use whatsapp_phone_numbers::webhooks::{
    DeliveryStore, Received, ServeLimits, StoreError, WebhookReceiver, serve, sign,
};

const SECRET: &str = "store-test-secret";
const OTHER_SECRET: &str = "store-test-other-secret";

/// A store that keeps deliveries in memory, or fails, or takes its time, as told.
#[derive(Clone, Default)]
struct TestStore {
    kept: Arc<Mutex<Vec<Received>>>,
    failing: Arc<Mutex<bool>>,
    delay: Arc<Mutex<Duration>>,
}

impl DeliveryStore for TestStore {
    async fn store(&self, delivery: Received) -> Result<(), StoreError> {
        let delay = *self.delay.lock().unwrap();
        tokio::time::sleep(delay).await;
        if *self.failing.lock().unwrap() {
            return Err(StoreError::new("the disk is full"));
        }
        self.kept.lock().unwrap().push(delivery);
        Ok(())
    }
}

fn secret(text: &str) -> AppSecret {
    AppSecret::new(text).unwrap()
}

async fn start(store: TestStore, limits: ServeLimits) -> String {
    let receiver = WebhookReceiver::for_app("111", secret(SECRET))
        .also_app("222", secret(OTHER_SECRET))
        .store_deadline(Duration::from_millis(300))
        .body_timeout(Duration::from_millis(500));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(
        listener,
        receiver.router_with_store(store),
        limits,
        std::future::pending(),
    ));
    format!("http://{address}")
}

async fn post(url: &str, body: &str, signature: Option<String>) -> (u16, Option<String>) {
    let mut request = reqwest::Client::new().post(url).body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    let answer = request.send().await.unwrap();
    let retry = answer
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (answer.status().as_u16(), retry)
}

const BODY: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","time":2,"changes":[{"field":"account_update","value":{"event":"X", "kept":"as sent"}}]}]}"#;

#[tokio::test]
async fn a_delivery_is_answered_200_only_after_the_store_kept_it() {
    let store = TestStore::default();
    let url = start(store.clone(), ServeLimits::default()).await;

    // Kept byte for byte, with its signature and the app whose secret made it.
    let signature = sign(&secret(OTHER_SECRET), BODY.as_bytes());
    assert_eq!(post(&url, BODY, Some(signature.clone())).await.0, 200);
    {
        let kept = store.kept.lock().unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].body.as_ref(), BODY.as_bytes());
        assert_eq!(kept[0].signature, signature);
        assert_eq!(kept[0].app_id.as_deref(), Some("222"));
    }
    // A signed body that is no notification is kept too (the store makes it a dead letter).
    let junk = "not json";
    assert_eq!(
        post(&url, junk, Some(sign(&secret(SECRET), junk.as_bytes())))
            .await
            .0,
        200
    );
    assert_eq!(store.kept.lock().unwrap()[1].app_id.as_deref(), Some("111"));

    // Refusals keep nothing.
    assert_eq!(post(&url, BODY, None).await.0, 401);
    let wrong = sign(&secret("someone-else"), BODY.as_bytes());
    assert_eq!(post(&url, BODY, Some(wrong)).await.0, 403);
    assert_eq!(store.kept.lock().unwrap().len(), 2);

    // A failing store, and one slower than the deadline: 503 with Retry-After, so that
    // Graph sends it again.
    *store.failing.lock().unwrap() = true;
    let signed = || Some(sign(&secret(SECRET), BODY.as_bytes()));
    assert_eq!(
        post(&url, BODY, signed()).await,
        (503, Some("1".to_owned()))
    );
    *store.failing.lock().unwrap() = false;
    *store.delay.lock().unwrap() = Duration::from_secs(2);
    let started = Instant::now();
    assert_eq!(post(&url, BODY, signed()).await.0, 503);
    assert!(started.elapsed() < Duration::from_millis(1500));
    *store.delay.lock().unwrap() = Duration::ZERO;
    assert_eq!(post(&url, BODY, signed()).await.0, 200);
}

/// Raises this process's soft limit on open files to its hard limit: both ends of
/// thousands of loopback connections live in this process.
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

/// Opens `count` connections: half send nothing, half half a request.
async fn hostile(address: &str, count: usize) -> Vec<tokio::net::TcpStream> {
    let mut open = Vec::with_capacity(count);
    for i in 0..count {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        if i % 2 == 1 {
            let _ = stream
                .write_all(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Le")
                .await;
        }
        open.push(stream);
    }
    open
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_half_sent_connections_do_not_keep_a_delivery_waiting() {
    let files = more_files();
    assert!(
        files >= 4_200,
        "this test holds both ends of 3,000 connections; the open-file limit is {files}"
    );
    let store = TestStore::default();
    let url = start(
        store.clone(),
        ServeLimits {
            max_connections: 1024,
            idle_timeout: Duration::from_secs(30),
        },
    )
    .await;
    let address = url.trim_start_matches("http://").to_owned();
    let _attackers = hostile(&address, 3000).await;
    let started = Instant::now();
    let (status, _) = post(&url, BODY, Some(sign(&secret(SECRET), BODY.as_bytes()))).await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "answered in {:?}",
        started.elapsed()
    );
    assert_eq!(store.kept.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn idle_connections_are_closed_and_stalled_bodies_answered_408() {
    let store = TestStore::default();
    let url = start(
        store.clone(),
        ServeLimits {
            max_connections: 64,
            idle_timeout: Duration::from_millis(300),
        },
    )
    .await;
    let address = url.trim_start_matches("http://").to_owned();

    // A connection that never sends anything is closed after the idle timeout.
    let mut idle = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buffer))
        .await
        .expect("closed within 5 s");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");

    // A body that stops halfway is answered 408 after the body timeout.
    let mut stalled = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nx-hub-signature-256: {}\r\n\r\n",
        BODY.len(),
        sign(&secret(SECRET), BODY.as_bytes())
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(&BODY.as_bytes()[..10]).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stalled.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(store.kept.lock().unwrap().is_empty());
}
