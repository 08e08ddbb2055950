//! What every client shares (HTTP client, credentials, version, retry policy), and how one
//! call turns a generated-client result into a [`Response`] or an [`Error`].

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::header::HeaderValue;
use whatsapp_phone_numbers_api::transport::SharedTransport;

use crate::config::{ApiVersion, ClientBuilder, RetryConfig};
use crate::error::{ApiError, DecodeError, Error, HttpError, NetworkError, body_excerpt};
use crate::meta::{Response, ResponseMeta};
use crate::secret::{AccessToken, AppSecret};
use crate::transport::CallTransport;

/// The state shared by every handle of a client. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    pub(crate) inner: Arc<CoreInner>,
}

pub(crate) struct CoreInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) api_version: ApiVersion,
    pub(crate) path_version: String,
    pub(crate) authorization: HeaderValue,
    pub(crate) appsecret_proof: Option<String>,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryConfig,
    version_warned: AtomicBool,
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_version", &self.inner.api_version)
            .field("access_token", &"<redacted>")
            .field("appsecret_proof", &self.inner.appsecret_proof.is_some())
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Core {
    pub(crate) fn new<C>(
        builder: ClientBuilder<C>,
        token: AccessToken,
        secret: Option<AppSecret>,
        base_url: String,
        api_version: ApiVersion,
    ) -> Result<Self, Error> {
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", token.expose()))
            .map_err(|_| Error::invalid("access_token", "cannot be sent in a header"))?;
        authorization.set_sensitive(true);
        let mut agent = format!("whatsapp-phone-numbers/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &builder.user_agent {
            agent.push(' ');
            agent.push_str(suffix);
        }
        let user_agent = HeaderValue::try_from(agent)
            .map_err(|_| Error::invalid("user_agent", "must be printable ASCII"))?;
        let http = match builder.http {
            Some(http) => http,
            // No redirects: a 3xx is reported, never followed, so a body holding a PIN or a
            // code cannot be replayed to another (possibly plain-http) host.
            None => reqwest::Client::builder()
                .timeout(builder.timeout)
                .connect_timeout(builder.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Self {
            inner: Arc::new(CoreInner {
                http,
                base_url,
                api_version,
                path_version: api_version.to_string(),
                authorization,
                appsecret_proof: secret.map(|s| s.proof(&token)),
                user_agent,
                retry: builder.retry,
                version_warned: AtomicBool::new(false),
            }),
        })
    }

    /// The Graph API version in every path.
    pub fn api_version(&self) -> ApiVersion {
        self.inner.api_version
    }

    /// The API host.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The version segment for paths (`v23.0`).
    pub(crate) fn path_version(&self) -> &str {
        &self.inner.path_version
    }

    /// Starts one call: the transport to give the generated client, and the handle that
    /// turns its result into ours.
    pub(crate) fn call(&self, ctx: CallContext) -> (SharedTransport, Call) {
        let state = Arc::new(Mutex::new(CallState::default()));
        let transport = CallTransport::new(self.inner.clone(), ctx, state.clone());
        (
            Arc::new(transport),
            Call {
                state,
                class: ctx.class,
            },
        )
    }

    /// Runs one generated-client call through this client's transport.
    pub(crate) async fn run<T, E, F, Fut>(
        &self,
        ctx: CallContext,
        f: F,
    ) -> Result<Response<T>, Error>
    where
        F: FnOnce(GeneratedParts) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
    {
        let (transport, call) = self.call(ctx);
        let parts = GeneratedParts {
            base_url: self.inner.base_url.clone(),
            http: self.inner.http.clone(),
            transport,
        };
        let result = f(parts).await;
        call.finish(result)
    }
}

impl CoreInner {
    /// Logs once per client when Graph serves another version than the pinned one.
    pub(crate) fn check_served_version(&self, meta: &ResponseMeta) {
        if let Some(served) = &meta.api_version
            && served != &self.path_version
            && !self.version_warned.swap(true, Ordering::Relaxed)
        {
            tracing::warn!(
                pinned = %self.path_version,
                served = %served,
                "Graph API served a different version than the client pins"
            );
        }
    }
}

/// What a generated client is built from for one call.
pub(crate) struct GeneratedParts {
    pub(crate) base_url: String,
    pub(crate) http: reqwest::Client,
    pub(crate) transport: SharedTransport,
}

/// Whether a call may be retried after it may have been processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Reads and idempotent updates: retried on any retryable failure.
    Safe,
    /// Registration calls: retried only when the failure proves the request was not
    /// processed (throttled, or never sent).
    Registration,
}

/// Static facts about one operation, for retries and tracing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallContext {
    pub(crate) operation: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) class: RetryClass,
}

/// How the last attempt of a call ended, as the transport saw it.
#[derive(Debug, Default)]
pub(crate) struct CallState {
    pub(crate) meta: Option<ResponseMeta>,
    pub(crate) last: Option<Outcome>,
}

#[derive(Debug)]
pub(crate) enum Outcome {
    /// An error status; the body was buffered.
    Status {
        body: Bytes,
        content_type: Option<String>,
        retry_after: Option<Duration>,
    },
    /// No usable answer.
    Network(NetworkError),
    /// A success answer larger than the client reads.
    Oversized { limit: usize },
}

pub(crate) struct Call {
    state: Arc<Mutex<CallState>>,
    class: RetryClass,
}

impl Call {
    fn finish<T, E>(
        self,
        result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
    ) -> Result<Response<T>, Error> {
        let state = std::mem::take(&mut *self.state.lock().unwrap_or_else(|p| p.into_inner()));
        match result {
            Ok(value) => {
                let meta = state.meta.unwrap_or_else(|| {
                    ResponseMeta::from_headers(value.status().as_u16(), value.headers(), 1)
                });
                Ok(Response::new(value.into_inner(), meta))
            }
            Err(error) => Err(convert(error, state, self.class)),
        }
    }
}

fn convert<E>(error: progenitor_client::Error<E>, state: CallState, class: RetryClass) -> Error {
    use progenitor_client::Error as G;
    let meta = state.meta.unwrap_or_default();
    match (state.last, error) {
        (Some(Outcome::Network(network)), _) => Error::Network(Box::new(network)),
        (Some(Outcome::Oversized { limit }), _) => Error::Decode(Box::new(DecodeError {
            status: meta.status,
            message: format!(
                "the answer is larger than the {} MiB this client reads",
                limit >> 20
            ),
            body_excerpt: String::new(),
            meta,
        })),
        (
            Some(Outcome::Status {
                body,
                content_type,
                retry_after,
            }),
            _,
        ) => from_error_body(meta, &body, content_type, retry_after),
        (None, G::InvalidResponsePayload(body, e)) => Error::Decode(Box::new(DecodeError {
            status: meta.status,
            message: e.to_string(),
            body_excerpt: body_excerpt(&body),
            meta,
        })),
        (None, G::ResponseBodyError(e)) | (None, G::CommunicationError(e)) => {
            let (timeout, connect) = (e.is_timeout(), e.is_connect());
            Error::Network(Box::new(NetworkError {
                message: e.without_url().to_string(),
                timeout,
                connect,
                status: (meta.status != 0).then_some(meta.status),
                attempts: meta.attempts.max(1),
                retry_safe: connect || class == RetryClass::Safe,
            }))
        }
        (None, G::UnexpectedResponse(response)) => {
            let status = response.status().as_u16();
            Error::Http(Box::new(HttpError {
                status,
                content_type: None,
                body_excerpt: String::new(),
                retry_after: None,
                meta: ResponseMeta { status, ..meta },
            }))
        }
        (None, G::InvalidRequest(message)) | (None, G::Custom(message)) => {
            Error::Config(format!("the request could not be built: {message}"))
        }
        (None, G::ErrorResponse(_)) | (None, G::InvalidUpgrade(_)) => {
            Error::Config("the transport did not record the answer it returned".into())
        }
    }
}

/// Graph's error envelope, read leniently (codes sometimes arrive as strings).
#[derive(serde::Deserialize)]
struct Envelope {
    error: Detail,
}

#[derive(serde::Deserialize)]
struct Detail {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<serde_json::Value>,
    error_subcode: Option<serde_json::Value>,
    fbtrace_id: Option<String>,
    is_transient: Option<bool>,
    error_user_title: Option<String>,
    error_user_msg: Option<String>,
    error_data: Option<serde_json::Value>,
}

fn integer(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Graph's error code and whether it called itself transient, when `body` is a Graph error.
pub(crate) fn graph_error_code(body: &[u8]) -> Option<(i64, Option<bool>, Option<String>)> {
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let code = envelope.error.code.as_ref().and_then(integer)?;
    Some((code, envelope.error.is_transient, envelope.error.fbtrace_id))
}

pub(crate) fn from_error_body(
    meta: ResponseMeta,
    body: &[u8],
    content_type: Option<String>,
    retry_after: Option<Duration>,
) -> Error {
    let status = meta.status;
    if let Ok(Envelope { error: d }) = serde_json::from_slice::<Envelope>(body)
        && let Some(code) = d.code.as_ref().and_then(integer)
    {
        let details = d.error_data.as_ref().and_then(|data| match data {
            serde_json::Value::Object(o) => {
                o.get("details").and_then(|v| v.as_str()).map(str::to_owned)
            }
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        });
        return Error::Api(Box::new(ApiError {
            status,
            code,
            subcode: d.error_subcode.as_ref().and_then(integer),
            error_type: d.kind,
            message: d.message.unwrap_or_default(),
            user_title: d.error_user_title,
            user_message: d.error_user_msg,
            fbtrace_id: d.fbtrace_id,
            is_transient: d.is_transient,
            details,
            retry_after,
            meta,
        }));
    }
    Error::Http(Box::new(HttpError {
        status,
        content_type,
        body_excerpt: body_excerpt(body),
        retry_after,
        meta,
    }))
}
