//! Shared helpers: a real HTTP client over loopback and Graph-error assertions.
#![allow(dead_code, unused_imports)]

use reqwest::header::HeaderMap;
use serde_json::Value;
use whatsapp_phone_numbers_mock::{MockServer, MockServerBuilder};

pub use whatsapp_phone_numbers_mock::demo::{
    DEMO_ACCOUNT_NUMBER_ID, DEMO_NUMBER_COUNT, DEMO_NUMBER_ID, DEMO_PENDING_NUMBER_ID,
    DEMO_SANDBOX_NUMBER_ID, DEMO_WABA_ID,
};

/// A mock server and a client that talks to it.
pub struct Api {
    pub server: MockServer,
    pub http: reqwest::Client,
}

/// One answer, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): status {} body {}", self.status, self.text))
    }

    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts a 200 and returns the JSON body.
    pub fn ok(&self) -> Value {
        assert_eq!(
            self.status, 200,
            "expected 200, got {}: {}",
            self.status, self.text
        );
        self.json()
    }

    /// Asserts a Graph error envelope with `status` and `code`; returns `error`.
    pub fn graph_error(&self, status: u16, code: i64) -> Value {
        assert_eq!(self.status, status, "status; body {}", self.text);
        let body = self.json();
        let error = body["error"].clone();
        assert_eq!(error["code"], code, "code; body {}", self.text);
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            self.text
        );
        assert!(
            error["type"].as_str().is_some_and(|t| !t.is_empty()),
            "{}",
            self.text
        );
        let trace = error["fbtrace_id"].as_str().expect("fbtrace_id");
        assert!(!trace.is_empty());
        assert_eq!(
            self.header("x-fb-trace-id"),
            trace,
            "trace header matches the body"
        );
        error
    }
}

/// A client that never goes through a proxy.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client")
}

impl Api {
    /// A mock with demo data and the default token.
    pub async fn start() -> Self {
        Self {
            server: MockServer::start().await,
            http: http_client(),
        }
    }

    /// A mock from `builder`.
    pub async fn with(builder: MockServerBuilder) -> Self {
        Self {
            server: builder.start().await.expect("mock server starts"),
            http: http_client(),
        }
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request reaches the mock");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply {
            status,
            headers,
            text,
        }
    }

    /// An authenticated request.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.server.url(path))
            .bearer_auth(self.server.access_token())
    }

    /// An authenticated `GET`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(reqwest::Method::GET, path)).await
    }

    /// An authenticated `POST` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(
            self.request(reqwest::Method::POST, path)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
    }

    /// An authenticated `POST` with a raw body and content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<String>) -> Reply {
        self.send(
            self.request(reqwest::Method::POST, path)
                .header("content-type", content_type)
                .body(body.into()),
        )
        .await
    }
}

/// The `id`s of a page's `data`.
pub fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data array")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The keys of a JSON object, sorted.
pub fn keys(object: &Value) -> Vec<String> {
    let mut keys: Vec<String> = object
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}
