//! One call, start to finish: the request built from the operation table, credentials,
//! retries with backoff, one tracing span per attempt, each answer read once and parsed
//! once into a [`Response`] or an [`Error`].

use std::time::Instant;

use bytes::{Bytes, BytesMut};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use tracing::Instrument;
use whatsapp_phone_numbers_api::operation::{Auth, Method, Operation, RetryClass};

use crate::codes::GraphErrorCode;
use crate::config::ApiVersion;
use crate::core::{Core, Credential, Inner};
use crate::error::{DecodeError, Error, NetworkError};
use crate::error_body::{body_excerpt, from_error_body};
use crate::meta::{Response, ResponseMeta};
use crate::retry::{self, Failure, wait};

/// The most a success answer may hold (Graph's pages are far smaller).
const MAX_SUCCESS_BODY: usize = 16 * 1024 * 1024;
/// The most of an error answer that is kept.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// What one call sends.
pub(crate) struct Call<'a> {
    /// The operation, from the version's operation table.
    pub op: &'static Operation,
    /// The path parameters after the version, in template order (already validated).
    pub ids: &'a [&'a str],
    /// Query parameters; each must be one the operation declares.
    pub query: &'a [(&'static str, &'a str)],
    /// A JSON body.
    pub body: Option<Bytes>,
    /// Secrets the body carries (a PIN, a code), kept out of error excerpts even when a
    /// server echoes them.
    pub secrets: &'a [String],
    /// Query parameters that are part of the node's address (an upload session's
    /// signature), sent as given and not checked against the operation.
    pub address_query: &'a [(String, String)],
    /// Extra request headers.
    pub headers: &'a [(&'static str, String)],
    /// The body's content type (`application/json` unless said otherwise).
    pub content_type: &'static str,
    /// Credentials instead of the configuration's (an app access token for the
    /// operations whose `auth` is [`Auth::App`]). Operations of [`Auth::None`] send none.
    pub credential: Option<&'a Credential>,
}

impl<'a> Call<'a> {
    /// A call without query or body.
    pub(crate) fn new(op: &'static Operation, ids: &'a [&'a str]) -> Self {
        Self {
            op,
            ids,
            query: &[],
            body: None,
            secrets: &[],
            address_query: &[],
            headers: &[],
            content_type: "application/json",
            credential: None,
        }
    }
}

/// Decodes a JSON success body; the message names the field that did not decode
/// (`data[2].id: invalid type: ...`). The path is only tracked on a second pass, after a
/// failure, so that a good body is decoded once at serde_json's own speed.
///
/// The body is checked as UTF-8 once, as a whole, and then read as text: serde_json reading
/// bytes checks each string and each key on its own (dozens of short checks for one phone
/// number, millions for a fleet's pages), reading text it checks none.
pub(crate) fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let decoded = match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    };
    if let Ok(value) = decoded {
        return Ok(value);
    }
    let mut reader = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.into_inner().to_string()
        } else {
            format!("{path}: {}", e.into_inner())
        }
    })?;
    reader.end().map_err(|e| e.to_string())?;
    Ok(value)
}

impl Core {
    /// Sends `call` to the path of `version` and decodes a success answer with `decode`.
    pub(crate) async fn send<T>(
        &self,
        version: ApiVersion,
        call: Call<'_>,
        decode: fn(&[u8]) -> Result<T, String>,
    ) -> Result<Response<T>, Error> {
        if let Some((batch, index)) = crate::collect::current() {
            // Inside a batch: the request joins it instead of being sent. That path is its
            // own future, boxed, so that a plain request's state machine (copied as it is
            // moved into place) does not carry a batch item's.
            return Box::pin(self.join_batch(version, call, decode, &batch, index)).await;
        }
        let inner = &*self.inner;
        let url = inner.url(version, &call)?;
        let class = call.op.retry;
        let redact = |text: String| redact_secrets(inner, &call, text);
        let node = call.ids.first().copied();
        // The call's whole wait, in the throttle and in the pauses Graph asks for, every
        // attempt's, is bounded by the ceiling (the time spent on requests is not a wait).
        let mut allowance = inner.throttle.ceiling();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let may_retry = attempt <= inner.retry.max_retries;
            let request = inner.request(&call, url.clone())?;
            let ticket = match inner.throttle.admit(node, allowance).await {
                Ok((ticket, waited)) => {
                    allowance = allowance.map(|left| left.saturating_sub(waited));
                    ticket
                }
                Err(refusal) => return Err(Error::throttled(refusal)),
            };
            let span = tracing::info_span!(
                "whatsapp.request",
                operation = call.op.name,
                method = call.op.method.as_str(),
                path = call.op.path,
                attempt,
                status = tracing::field::Empty,
                duration_ms = tracing::field::Empty,
                fbtrace_id = tracing::field::Empty,
            );
            // The clock is read only for a span someone listens to.
            let started = (!span.is_disabled()).then(Instant::now);

            // The answer's head.
            let mut response = match inner.http.execute(request).instrument(span.clone()).await {
                Ok(response) => response,
                Err(error) => {
                    record_duration(&span, started);
                    let failure = network(error, None, attempt, class, &span);
                    if may_retry && failure.retry_safe {
                        wait::pause(wait::backoff(&inner.retry, attempt), attempt, &span).await;
                        continue;
                    }
                    return Err(Error::Network(Box::new(failure)));
                }
            };
            let status = response.status().as_u16();
            span.record("status", status);
            inner.throttle.observe(node, ticket, response.headers());
            // The headers move into the answer's metadata (the body is read without them).
            let headers = std::mem::take(response.headers_mut());
            let meta = ResponseMeta::from_headers(status, headers, attempt);
            inner.check_served_version(version, &meta);
            if !span.is_disabled()
                && let Some(trace) = meta.trace_id()
            {
                span.record("fbtrace_id", trace);
            }
            let success = (200..300).contains(&status);

            // The body, read here so that a failure while reading it is retried like any
            // other network failure, and bounded so that no answer can exhaust memory.
            let limit = if success {
                MAX_SUCCESS_BODY
            } else {
                MAX_ERROR_BODY
            };
            let (body, oversized) = match read_body(response, limit).instrument(span.clone()).await
            {
                Ok(read) => read,
                Err(error) => {
                    record_duration(&span, started);
                    let failure = network(error, Some(status), attempt, class, &span);
                    if may_retry && failure.retry_safe {
                        wait::pause(wait::backoff(&inner.retry, attempt), attempt, &span).await;
                        continue;
                    }
                    return Err(Error::Network(Box::new(failure)));
                }
            };
            record_duration(&span, started);

            if success {
                return decoded(meta, &body, oversized, decode, redact);
            }

            // An error answer: parsed once, classified by the one classifier.
            let mut error = failed(inner, &call, meta, &body);
            if let Some(trace) = error.fbtrace_id() {
                span.record("fbtrace_id", trace);
            }
            if may_retry
                && error.is_retryable()
                && let Some(wait) =
                    wait::wait_for(&inner.retry, attempt, error.retry_after(), allowance, &span)
            {
                allowance = allowance.map(|left| left.saturating_sub(wait));
                wait::pause(wait, attempt, &span).await;
                continue;
            }
            redact_error(&mut error, redact);
            return Err(error);
        }
    }

    /// [`send`](Self::send) for a request made inside a batch: it joins the batch as an
    /// item, and its answer (or the failure of the batch call it went in) is read as this
    /// call's would be.
    async fn join_batch<T>(
        &self,
        version: ApiVersion,
        call: Call<'_>,
        decode: fn(&[u8]) -> Result<T, String>,
        batch: &crate::collect::Collector,
        index: usize,
    ) -> Result<Response<T>, Error> {
        let inner = &*self.inner;
        batch.check(
            call.op,
            call.body.is_some() && call.content_type != "application/json",
        )?;
        let node = call.ids.first().copied();
        // As for a request: the gate's waits and the pauses between attempts together stay
        // within the ceiling.
        let mut allowance = inner.throttle.ceiling();
        let mut attempt = 0;
        loop {
            attempt += 1;
            // Graph counts each item as a call of its own: each passes the gate as a
            // request would (spaced as usage climbs, refused while a window is closed).
            match inner.throttle.admit(node, allowance).await {
                Ok((_, waited)) => allowance = allowance.map(|left| left.saturating_sub(waited)),
                Err(refusal) => return Err(Error::throttled(refusal)),
            }
            let own_token = batch.is_own_token(&inner.token);
            let item = inner.batch_item(version, &call, own_token)?;
            // An item's answer, or the failure of the batch call it went in: either is
            // judged as this call's answer would be.
            // What the item carries that the batch call's error must not show: the call's
            // own secrets, and its token and proof when not the batch's (whose are
            // redacted anyway).
            let own = own_token.then(|| inner.credentials()).into_iter().flatten();
            let secrets = secrets_of(&call).chain(own).map(str::to_owned).collect();
            let result = match batch
                .submit(index, item, node, call.op.retry, secrets)
                .await
            {
                Ok(answer) => read_answer(
                    inner,
                    version,
                    &call,
                    answer.status,
                    answer.headers,
                    &answer.body,
                    answer.attempts,
                    decode,
                ),
                Err(error) => Err(error),
            };
            let Err(error) = &result else { return result };
            let span = tracing::Span::current();
            if attempt <= inner.retry.max_retries
                && !batch.is_chained()
                && error.is_retryable()
                && !matches!(error, Error::Throttled(_) | Error::Network(_))
                && let Some(wait) =
                    wait::wait_for(&inner.retry, attempt, error.retry_after(), allowance, &span)
            {
                allowance = allowance.map(|left| left.saturating_sub(wait));
                batch.pause(index, wait).await;
                continue;
            }
            return result;
        }
    }
}

/// An answer read into the typed value or the call's error, secrets redacted: how a batch
/// item's answer is read (a request's is read the same way, inline in [`Core::send`], where
/// retries interleave).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_answer<T>(
    inner: &Inner,
    version: ApiVersion,
    call: &Call<'_>,
    status: u16,
    headers: http::HeaderMap,
    body: &[u8],
    attempts: u32,
    decode: fn(&[u8]) -> Result<T, String>,
) -> Result<Response<T>, Error> {
    let redact = |text: String| redact_secrets(inner, call, text);
    let meta = ResponseMeta::from_headers(status, headers, attempts);
    inner.check_served_version(version, &meta);
    if (200..300).contains(&status) {
        return decoded(meta, body, body.len() > MAX_SUCCESS_BODY, decode, redact);
    }
    let body = &body[..body.len().min(MAX_ERROR_BODY)];
    let mut error = failed(inner, call, meta, body);
    redact_error(&mut error, redact);
    Err(error)
}

/// A "decoder" that keeps a success body as received, to be decoded later with
/// [`Core::decode_kept`] (a chain's pages wait in memory as text, smaller than decoded).
pub(crate) fn keep(body: &[u8]) -> Result<Bytes, String> {
    Ok(Bytes::copy_from_slice(body))
}

impl Core {
    /// Decodes a body [`keep`] kept from an answer to `op`, as it would have been decoded
    /// then (a decode error names the field, secrets redacted).
    pub(crate) fn decode_kept<T>(
        &self,
        op: &'static Operation,
        kept: Response<Bytes>,
        decode: fn(&[u8]) -> Result<T, String>,
    ) -> Result<Response<T>, Error> {
        let inner = &*self.inner;
        let call = Call::new(op, &[]);
        let (body, meta) = kept.into_parts();
        decoded(meta, &body, false, decode, |text| {
            redact_secrets(inner, &call, text)
        })
    }
}

/// A success answer's body decoded, or the decode error (secrets redacted); `oversized`
/// when the body was larger than this client reads.
fn decoded<T>(
    mut meta: ResponseMeta,
    body: &[u8],
    oversized: bool,
    decode: fn(&[u8]) -> Result<T, String>,
    redact: impl Fn(String) -> String,
) -> Result<Response<T>, Error> {
    if oversized {
        return Err(decode_error(
            meta,
            format!(
                "the answer is larger than the {} MiB this client reads",
                MAX_SUCCESS_BODY >> 20
            ),
            String::new(),
        ));
    }
    meta.body_len = body.len();
    match decode(body) {
        Ok(value) => Ok(Response::new(value, meta)),
        Err(message) => Err(decode_error(
            meta,
            redact(message),
            body_excerpt(body, &redact),
        )),
    }
}

/// An error answer parsed once into the call's error (an excerpt of a body other than
/// Graph's redacted; Graph's texts not yet: a retry may still read them), Graph's regain
/// time as its `retry_after` when no `Retry-After` came, and a throttling error noted as
/// what closed the call's budget.
fn failed(inner: &Inner, call: &Call<'_>, meta: ResponseMeta, body: &[u8]) -> Error {
    let content_type = meta
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let told = wait::retry_after_header(meta.headers());
    let retry_after = told.or_else(|| meta.regain_access_in());
    let error = from_error_body(
        meta,
        body,
        content_type,
        retry_after,
        call.op.retry,
        |text| redact_secrets(inner, call, text),
    );
    if let (true, Some(code)) = (error.is_throttling(), error.code()) {
        // The app's own limit (error 4) with a `Retry-After`: the app's window, as a
        // business's opens from the regain time its usage header gives.
        if code == GraphErrorCode::ApiTooManyCalls.code()
            && let Some(wait) = told
        {
            inner.throttle.app_closed_for(wait);
        }
        inner.throttle.closed_by(call.ids.first().copied(), code);
    }
    error
}

impl Inner {
    /// One batch item for `call`: `{method, relative_url, body?}`. The URL is the one the
    /// call would be sent to, relative to the host (with its `appsecret_proof`, and its
    /// token when `own_token`: the batch's is the fallback); a JSON body becomes Graph's
    /// form body, objects and arrays as JSON text.
    pub(crate) fn batch_item(
        &self,
        version: ApiVersion,
        call: &Call<'_>,
        own_token: bool,
    ) -> Result<serde_json::Value, Error> {
        let mut url = self.url(version, call)?;
        let token = match call.credential {
            Some(credential) => Some(credential.token.as_str()),
            None if own_token && call.op.auth != Auth::None => Some(self.token.expose()),
            None => None,
        };
        if let Some(token) = token {
            url.query_pairs_mut().append_pair("access_token", token);
        }
        let base = self.base_url.path().trim_end_matches('/');
        let path = url.path();
        let mut relative = path
            .strip_prefix(base)
            .unwrap_or(path)
            .trim_start_matches('/')
            .to_owned();
        if let Some(query) = url.query() {
            relative.push('?');
            relative.push_str(query);
        }
        let mut item = serde_json::json!({
            "method": call.op.method.as_str(),
            "relative_url": relative,
        });
        if let Some(body) = &call.body {
            let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
                .map_err(|_| {
                Error::invalid(
                    "batch",
                    "a request body that is not a JSON object cannot join a batch",
                )
            })?;
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in &object {
                match value {
                    serde_json::Value::String(text) => form.append_pair(key, text),
                    other => form.append_pair(key, &other.to_string()),
                };
            }
            item["body"] = serde_json::Value::String(form.finish());
        }
        Ok(item)
    }

    /// `base/{version}/{ids...}` from the path template, with the query parameters and
    /// `appsecret_proof`.
    fn url(&self, version: ApiVersion, call: &Call<'_>) -> Result<reqwest::Url, Error> {
        let op = call.op;
        let mut url = self.base_url.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|()| Error::invalid("base_url", "cannot hold a path"))?;
            segments.pop_if_empty();
            let mut ids = call.ids.iter();
            let mut buffer = [0u8; 16];
            for segment in op.path.split('/').filter(|s| !s.is_empty()) {
                if segment == "{Version}" {
                    segments.push(version_segment(version, &mut buffer));
                } else if segment.starts_with('{') {
                    let id = ids.next().ok_or_else(|| {
                        Error::Config(format!("`{}` needs the path parameter {segment}", op.id))
                    })?;
                    segments.push(id);
                } else {
                    segments.push(segment);
                }
            }
            if ids.next().is_some() {
                return Err(Error::Config(format!(
                    "`{}` has fewer path parameters than given",
                    op.id
                )));
            }
        }
        if let Some((name, _)) = call.query.iter().find(|(name, _)| !op.has_query(name)) {
            return Err(Error::Config(format!(
                "`{}` declares no query parameter `{name}` in Graph API {version}",
                op.id
            )));
        }
        // The proof goes with the token it proves: none for an operation that takes no
        // token, the call's own for an app access token.
        let proof = match (op.auth, call.credential) {
            (Auth::None, _) => None,
            (_, Some(credential)) => credential.proof.as_ref(),
            (_, None) => self.appsecret_proof.as_ref(),
        };
        if !call.query.is_empty() || !call.address_query.is_empty() || proof.is_some() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in call.address_query {
                pairs.append_pair(name, value);
            }
            for (name, value) in call.query {
                pairs.append_pair(name, value);
            }
            if let Some(proof) = proof {
                pairs.append_pair("appsecret_proof", proof);
            }
        }
        Ok(url)
    }

    /// One attempt's request: credentials, user agent, extra headers, body.
    fn request(&self, call: &Call<'_>, url: reqwest::Url) -> Result<reqwest::Request, Error> {
        let mut request = reqwest::Request::new(method(call.op.method), url);
        let headers = request.headers_mut();
        match (call.op.auth, call.credential) {
            (Auth::None, _) => {}
            (_, Some(credential)) => {
                headers.insert(AUTHORIZATION, credential.authorization.clone());
            }
            (_, None) => {
                headers.insert(AUTHORIZATION, self.authorization.clone());
            }
        }
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value) in call.headers {
            let value = HeaderValue::try_from(value.as_str())
                .map_err(|_| Error::invalid(name, "cannot be sent in a header"))?;
            headers.insert(*name, value);
        }
        if let Some(body) = &call.body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(call.content_type));
            *request.body_mut() = Some(body.clone().into());
        }
        Ok(request)
    }
}

/// `v24.0`, written into `buffer` (at most `v65535.65535`) rather than a new string.
fn version_segment(version: ApiVersion, buffer: &mut [u8; 16]) -> &str {
    let mut cursor = std::io::Cursor::new(&mut buffer[..]);
    let _ = std::io::Write::write_fmt(&mut cursor, format_args!("{version}"));
    let written = cursor.position() as usize;
    std::str::from_utf8(&buffer[..written]).unwrap_or_default()
}

/// Notes on `span` how long the attempt started at `started` took (nothing when the span
/// is disabled and the clock was not read).
fn record_duration(span: &tracing::Span, started: Option<Instant>) {
    if let Some(started) = started {
        span.record("duration_ms", started.elapsed().as_millis() as u64);
    }
}

/// The method as reqwest spells it.
fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Delete => reqwest::Method::DELETE,
    }
}

/// A failed attempt without a (complete) answer.
///
/// A refused connection was never sent, so any call may be retried. Anything else may have
/// reached Graph, which only calls that are safe to repeat may risk.
fn network(
    error: reqwest::Error,
    status: Option<u16>,
    attempt: u32,
    class: RetryClass,
    span: &tracing::Span,
) -> NetworkError {
    let error = error.without_url();
    let connect = error.is_connect() && status.is_none();
    let kind = NetworkError::kind_of(&error, status.is_some());
    let retry_safe = retry::retryable(
        class,
        Failure {
            not_sent: connect,
            ..Failure::default()
        },
    );
    let mut message = match status {
        Some(status) => format!("reading the HTTP {status} answer: {error}"),
        None => error.to_string(),
    };
    // The causes say what happened (refused, no such host, a certificate problem).
    let mut cause = std::error::Error::source(&error);
    while let Some(e) = cause {
        let text = e.to_string();
        if !text.is_empty() && !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = e.source();
    }
    span.in_scope(|| {
        tracing::debug!(
            timeout = error.is_timeout(),
            connect,
            kind = kind.describe(),
            "request failed"
        )
    });
    NetworkError {
        message,
        timeout: error.is_timeout(),
        connect,
        status,
        attempts: attempt,
        retry_safe,
        kind,
        source: Some(std::sync::Arc::new(error)),
    }
}

fn decode_error(meta: ResponseMeta, message: String, body_excerpt: String) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: meta.status(),
        message,
        body_excerpt,
        meta,
    }))
}

/// Reads a body, stopping at `limit` bytes: `(bytes, true)` when there was more. A body
/// that arrives in one chunk is kept as it came, without copying.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Bytes, bool)> {
    // Chunk by chunk rather than with reqwest's `bytes()`, whose larger future every
    // request's state machine would carry.
    let mut single: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let held = single.as_ref().map_or(joined.len(), Bytes::len);
        if single.is_none() && joined.is_empty() && chunk.len() <= limit {
            single = Some(chunk);
            continue;
        }
        if let Some(first) = single.take() {
            let declared = response.content_length().unwrap_or(0) as usize;
            joined.reserve(declared.max(held + chunk.len()).min(limit) - held);
            joined.extend_from_slice(&first);
        }
        let room = limit - held;
        if chunk.len() > room {
            joined.extend_from_slice(&chunk[..room]);
            return Ok((joined.freeze(), true));
        }
        joined.extend_from_slice(&chunk);
    }
    Ok((single.unwrap_or_else(|| joined.freeze()), false))
}

/// Secrets shorter than this are not searched for: cutting every `t` out of a message
/// protects nothing (PINs and codes have six characters, tokens far more).
const MIN_REDACTED_LEN: usize = 6;

/// The secrets `call` carries itself: a PIN or code of its body, and the token and proof
/// of a credential it was given.
fn secrets_of<'c>(call: &'c Call<'_>) -> impl Iterator<Item = &'c str> {
    call.secrets.iter().map(String::as_str).chain(
        call.credential
            .into_iter()
            .flat_map(|c| [Some(c.token.as_str()), c.proof.as_deref()])
            .flatten(),
    )
}

/// `text` without any secret of `call` or of its configuration.
fn redact_secrets(inner: &Inner, call: &Call<'_>, text: String) -> String {
    redact(text, inner.credentials().chain(secrets_of(call)))
}

/// The texts of a Graph error answer (its messages) through `redact`; an excerpt of any
/// other body was redacted as it was cut.
fn redact_error(error: &mut Error, redact: impl Fn(String) -> String) {
    if let Error::Api(api) = error {
        api.message = redact(std::mem::take(&mut api.message));
        for text in [&mut api.user_title, &mut api.user_message, &mut api.details]
            .into_iter()
            .flatten()
        {
            *text = redact(std::mem::take(text));
        }
    }
}

/// `text` with every secret replaced by `<redacted>`.
fn redact<'s>(mut text: String, secrets: impl Iterator<Item = &'s str>) -> String {
    for secret in secrets.filter(|s| s.len() >= MIN_REDACTED_LEN) {
        if text.contains(secret) {
            text = text.replace(secret, "<redacted>");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_segments_fit_the_buffer() {
        let mut buffer = [0u8; 16];
        assert_eq!(
            version_segment(ApiVersion::new(24, 0), &mut buffer),
            "v24.0"
        );
        assert_eq!(
            version_segment(ApiVersion::new(u16::MAX, u16::MAX), &mut buffer),
            "v65535.65535"
        );
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("pin 150954 and 150954".into(), ["150954", ""].into_iter()),
            "pin <redacted> and <redacted>"
        );
        assert_eq!(redact("text".into(), ["t"].into_iter()), "text");
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Named {
        name: String,
        items: Vec<u32>,
    }

    #[test]
    fn bodies_decode_as_text_and_as_bytes_alike() {
        // Valid UTF-8, escapes included: read as text.
        assert_eq!(
            json::<Named>(r#"{"name":"caf\u00e9 \"x\" é","items":[1,2]}"#.as_bytes()),
            Ok(Named {
                name: "café \"x\" é".into(),
                items: vec![1, 2]
            })
        );
        // Not UTF-8: read as bytes, and refused with serde_json's own message.
        let invalid = json::<Named>(b"{\"name\":\"\xff\",\"items\":[]}").unwrap_err();
        assert!(invalid.contains("invalid unicode"), "{invalid}");
        // Invalid bytes where serde_json skips them (an unknown field) do not matter.
        assert_eq!(
            json::<Named>(b"{\"other\":\"\xff\",\"name\":\"n\",\"items\":[]}"),
            Ok(Named {
                name: "n".into(),
                items: vec![]
            })
        );
        // A decode failure still names the field, whichever way the body was read.
        assert_eq!(
            json::<Named>(br#"{"name":"n","items":[1,"two"]}"#).unwrap_err(),
            "items[1]: invalid type: string \"two\", expected u32 at line 1 column 28"
        );
    }
}
