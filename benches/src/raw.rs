//! The baseline: what a careful user writes by hand with reqwest and serde_json.

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Deserialize;

/// The phone number's fields, as plain strings where the facade has open enumerations.
#[derive(Debug, Deserialize)]
pub struct PhoneNumber {
    /// `id`.
    pub id: Option<String>,
    /// `display_phone_number`.
    pub display_phone_number: Option<String>,
    /// `verified_name`.
    pub verified_name: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// `quality_rating`.
    pub quality_rating: Option<String>,
    /// `whatsapp_business_manager_messaging_limit`.
    pub whatsapp_business_manager_messaging_limit: Option<String>,
    /// `name_status`.
    pub name_status: Option<String>,
    /// `health_status`.
    pub health_status: Option<HealthStatus>,
}

/// `health_status`.
#[derive(Debug, Deserialize)]
pub struct HealthStatus {
    /// `can_send_message`.
    pub can_send_message: Option<String>,
    /// `entities`.
    #[serde(default)]
    pub entities: Vec<HealthEntity>,
}

/// One entity of `health_status`.
#[derive(Debug, Deserialize)]
pub struct HealthEntity {
    /// `entity_type`.
    pub entity_type: Option<String>,
    /// `id`.
    pub id: Option<String>,
    /// `can_send_message`.
    pub can_send_message: Option<String>,
    /// `additional_info`.
    #[serde(default)]
    pub additional_info: Vec<String>,
}

/// A listed number with the audit's fields.
#[derive(Debug, Deserialize)]
pub struct ListedNumber {
    /// `id`.
    pub id: Option<String>,
    /// `display_phone_number`.
    pub display_phone_number: Option<String>,
    /// `verified_name`.
    pub verified_name: Option<String>,
    /// `status`.
    pub status: Option<String>,
    /// `quality_rating`.
    pub quality_rating: Option<String>,
    /// `messaging_limit_tier`.
    pub messaging_limit_tier: Option<String>,
    /// `whatsapp_business_manager_messaging_limit`.
    pub whatsapp_business_manager_messaging_limit: Option<String>,
    /// `name_status`.
    pub name_status: Option<String>,
}

/// A page of a list.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// The cursors.
    pub paging: Option<Paging>,
}

/// Graph's cursor paging.
#[derive(Debug, Deserialize)]
pub struct Paging {
    /// The next page's URL.
    pub next: Option<String>,
}

/// One item of a batch call's answer.
#[derive(Debug, Deserialize)]
pub struct BatchAnswer {
    /// The item's HTTP status.
    pub code: u16,
    /// The item's body, as JSON text.
    #[serde(default)]
    pub body: String,
}

/// The hand-written client: a reqwest client and the bearer header.
#[derive(Clone)]
pub struct Raw {
    http: reqwest::Client,
    authorization: HeaderValue,
    base_url: String,
}

impl Raw {
    /// A client of `base_url` with `token`, with the timeouts a careful user sets (the
    /// facade's defaults: 30 s per request, 10 s to connect). A timeout is a timer per
    /// request; [`without_timeouts`](Self::without_timeouts) shows what it costs.
    pub fn new(base_url: &str, token: &str) -> Self {
        Self::with_http(
            reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .connect_timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("a reqwest client"),
            base_url,
            token,
        )
    }

    /// The same without timeouts: a request that hangs waits forever.
    pub fn without_timeouts(base_url: &str, token: &str) -> Self {
        Self::with_http(reqwest::Client::new(), base_url, token)
    }

    fn with_http(http: reqwest::Client, base_url: &str, token: &str) -> Self {
        Self {
            http,
            authorization: HeaderValue::try_from(format!("Bearer {token}")).unwrap(),
            base_url: base_url.to_owned(),
        }
    }

    /// `GET /v24.0/{id}?fields=...`.
    pub async fn phone_number(&self, id: &str, fields: &str) -> PhoneNumber {
        self.get(&format!("{}/v24.0/{id}?fields={fields}", self.base_url))
            .await
    }

    /// `GET url`, decoded as `T`.
    pub async fn get<T: serde::de::DeserializeOwned>(&self, url: &str) -> T {
        self.send(self.http.get(url)).await
    }

    /// `request` with the bearer header, its success body decoded as `T`.
    async fn send<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> T {
        let response = request
            .header(AUTHORIZATION, self.authorization.clone())
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let body = response.bytes().await.unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// `POST /` with `batch=items`: Graph's answer, one entry per item (`None` when Graph
    /// left it unfinished).
    pub async fn batch(&self, items: &[serde_json::Value]) -> Vec<Option<BatchAnswer>> {
        let form: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("batch", &serde_json::to_string(items).unwrap())
            .append_pair("include_headers", "false")
            .finish();
        let request = self
            .http
            .post(format!("{}/", self.base_url))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form);
        self.send(request).await
    }

    /// Every item of a list, following `paging.next` from `first`; answers how many.
    pub async fn count_all<T: serde::de::DeserializeOwned>(&self, first: String) -> usize {
        let mut url = Some(first);
        let mut count = 0;
        while let Some(next) = url {
            let page: Page<T> = self.get(&next).await;
            count += page.data.len();
            url = page.paging.and_then(|p| p.next);
        }
        count
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}
