//! The request log: what the mock received on Graph routes, with secrets kept out.

/// One request the mock received on a Graph route (mock-only `/__mock/` routes are not
/// logged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// HTTP method, such as `GET`.
    pub method: String,
    /// Path, such as `/v23.0/106540352242922`.
    pub path: String,
    /// Raw query string without `?` (empty when there was none).
    pub query: String,
    /// Which token the request carried, as its [`token_fingerprint`] (never the token).
    pub credential: Option<String>,
}

/// A token's fingerprint, as [`RecordedRequest::credential`] shows it: 16 hex digits of a
/// keyed SHA-256 of the token, so that a test can tell which of its tokens a request
/// carried without the log holding any of them.
pub fn token_fingerprint(token: &str) -> String {
    let mut digest = whatsapp_phone_numbers_api::wire::hmac_sha256_hex(
        b"whatsapp-phone-numbers-mock/token-fingerprint",
        token.as_bytes(),
    );
    digest.truncate(16);
    digest
}

impl RecordedRequest {
    /// `(method, path, query)`, handy for `assert_eq!`.
    pub fn as_tuple(&self) -> (&str, &str, &str) {
        (&self.method, &self.path, &self.query)
    }

    /// The first value of query parameter `name`, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

/// How many requests the log keeps unless told otherwise (see
/// [`MockServerBuilder::request_log_limit`](crate::MockServerBuilder::request_log_limit)).
pub const DEFAULT_REQUEST_LOG_LIMIT: usize = 10_000;

/// Query parameters whose values are secrets, kept out of the request log.
const SECRET_PARAMETERS: &[&str] = &["access_token", "client_secret"];

/// `query` with the values of [`SECRET_PARAMETERS`] replaced by `<redacted>`.
pub(crate) fn redacted_query(query: &str) -> String {
    if !SECRET_PARAMETERS.iter().any(|p| query.contains(p)) {
        return query.to_owned();
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if SECRET_PARAMETERS.contains(&key.as_ref()) {
            out.append_pair(&key, "<redacted>");
        } else {
            out.append_pair(&key, &value);
        }
    }
    out.finish()
}
