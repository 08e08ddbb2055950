//! How generated clients put requests on the wire.
//!
//! Every generated `Client` carries a [`SharedTransport`] and hands it each request it has
//! built (see the `ClientHooks` implementation in each version module). Authentication,
//! retries, tracing and response metadata are the transport's business, so they are written
//! once, by hand, instead of being generated per operation. The `whatsapp-phone-numbers`
//! facade supplies its own transport; [`BearerTransport`] is enough to use a generated client
//! directly.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderValue};

/// The future a [`Transport`] returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends a request that a generated client has built.
///
/// `Debug` is required because generated clients derive it; implementations must not print
/// credentials.
pub trait Transport: fmt::Debug + Send + Sync {
    /// Sends `request` with `client` and returns the response to decode.
    ///
    /// `operation_id` is the specification's `operationId` of the call.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> TransportFuture<'a>;
}

/// The transport type generated clients hold.
pub type SharedTransport = Arc<dyn Transport>;

/// A transport that adds `Authorization: Bearer <token>` (marked sensitive, so `reqwest`
/// never prints it) and sends each request once.
#[derive(Clone)]
pub struct BearerTransport {
    authorization: Option<HeaderValue>,
}

impl BearerTransport {
    /// A transport that authenticates with `access_token`.
    ///
    /// Returns `None` when the token cannot be a header value (control characters).
    pub fn new(access_token: &str) -> Option<Self> {
        let mut value = HeaderValue::try_from(format!("Bearer {access_token}")).ok()?;
        value.set_sensitive(true);
        Some(Self {
            authorization: Some(value),
        })
    }

    /// A transport that sends requests without credentials (for mocks and tests).
    pub fn anonymous() -> Self {
        Self {
            authorization: None,
        }
    }

    /// This transport, shared, ready to give to a generated client.
    pub fn shared(self) -> SharedTransport {
        Arc::new(self)
    }
}

impl fmt::Debug for BearerTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerTransport")
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "Bearer <redacted>"),
            )
            .finish()
    }
}

impl Transport for BearerTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        _operation_id: &'static str,
    ) -> TransportFuture<'a> {
        if let Some(value) = &self.authorization {
            request.headers_mut().insert(AUTHORIZATION, value.clone());
        }
        Box::pin(client.execute(request))
    }
}
