//! Ready receivers for axum (feature `webhook-server`): one that stores each delivery before
//! it answers Graph ([`WebhookReceiver::router_with_store`]), and two that answer first and
//! hand the notifications to user code, losing what a crash catches in between.

use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::error::WebhookError;
use super::receiver::WebhookReceiver;
use super::store::{DeliveryStore, Received};
use crate::GraphVersion;
use whatsapp_phone_numbers_api::webhook::Notification;

type Deliver<V> = Box<dyn Fn(Notification<V>) + Send + Sync>;

struct Shared<V: GraphVersion> {
    receiver: WebhookReceiver,
    deliver: Deliver<V>,
}

#[cfg_attr(docsrs, doc(cfg(feature = "webhook-server")))]
impl WebhookReceiver {
    /// An axum [`Router`] answering on every path: `GET` is the verification handshake
    /// (the challenge with 200, or 403), `POST` a notification. A notification that passes
    /// the size limit and the signature is acknowledged with 200 at once and handed to
    /// `handler` on a new task, so a slow handler never makes Graph wait; a signed body that
    /// is not a notification is acknowledged too (and logged), since Graph would only send
    /// it again. Refusals answer 401, 403 or 413 and reach no handler.
    ///
    /// **Answering first loses events**: a crash, a restart or a deploy between the 200
    /// and the end of `handler` loses that notification for good (Graph never sends an
    /// answered one again), and so does a handler that fails. Use
    /// [`router_with_store`](Self::router_with_store) wherever an event must not be lost.
    ///
    /// ```no_run
    /// use whatsapp_phone_numbers::webhooks::WebhookReceiver;
    /// use whatsapp_phone_numbers::{AppSecret, VerifyToken, v24_0};
    ///
    /// # async fn run() -> std::io::Result<()> {
    /// let receiver = WebhookReceiver::new(AppSecret::new("app-secret").unwrap())
    ///     .verify_token(VerifyToken::new("my-verify-token").unwrap());
    /// let app = axum::Router::new().nest_service(
    ///     "/webhooks/whatsapp",
    ///     receiver.router(|notification: v24_0::Notification| async move {
    ///         for event in notification.events() {
    ///             if let v24_0::webhooks::Change::PhoneNumberQualityUpdate(update) = &event.change {
    ///                 println!("{} {:?}", event.waba_id, update.event);
    ///             }
    ///         }
    ///     }),
    /// );
    /// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    /// axum::serve(listener, app).await
    /// # }
    /// ```
    pub fn router<V, F, Fut>(self, handler: F) -> Router
    where
        V: GraphVersion,
        F: Fn(Notification<V>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.with_delivery(Box::new(move |notification| {
            tokio::spawn(handler(notification));
        }))
    }

    /// Like [`router`](Self::router), handing the notifications to a channel in the order
    /// they arrived. The channel is unbounded so that the answer to Graph never waits on
    /// the reader; read it promptly. What the channel holds is lost in a crash, as with
    /// [`router`](Self::router).
    pub fn channel<V: GraphVersion>(
        self,
    ) -> (
        Router,
        tokio::sync::mpsc::UnboundedReceiver<Notification<V>>,
    ) {
        let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
        let router = self.with_delivery(Box::new(move |notification| {
            // A closed channel means nobody reads any more: acknowledging is still right.
            let _ = sender.send(notification);
        }));
        (router, receiver)
    }

    fn with_delivery<V: GraphVersion>(self, deliver: Deliver<V>) -> Router {
        let shared = Arc::new(Shared {
            receiver: self,
            deliver,
        });
        Router::new().fallback(handle::<V>).with_state(shared)
    }

    /// An axum [`Router`] that **stores first and answers second**: a `POST` whose signature
    /// checks out is handed to `store` ([`DeliveryStore`]) as received, and answered 200
    /// only once the store kept it; when the store fails or takes longer than the
    /// [store deadline](Self::store_deadline), 503 (with `Retry-After`), so that Graph sends
    /// it again. A signed body that is not a notification is stored too (the store keeps it
    /// as a dead letter). `GET` is the handshake; refusals answer 401, 403, 408 or 413 and
    /// store nothing. Serve it with [`serve`](super::serve) to bound connections and close
    /// idle ones.
    pub fn router_with_store<S: DeliveryStore>(self, store: S) -> Router {
        let shared = Arc::new(Stored {
            receiver: self,
            store,
        });
        Router::new()
            .fallback(handle_stored::<S>)
            .with_state(shared)
    }
}

struct Stored<S> {
    receiver: WebhookReceiver,
    store: S,
}

/// A `POST`'s body, within the receiver's size limit and body timeout.
async fn read_body(
    receiver: &WebhookReceiver,
    parts: &Parts,
    body: Body,
) -> Result<Bytes, Response> {
    let limit = receiver.body_limit();
    let too_large = WebhookError::BodyTooLarge { limit };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(refuse(&too_large));
    }
    match tokio::time::timeout(receiver.body_wait(), Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(refuse(&too_large)),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "webhook body could not be read");
            Err(StatusCode::BAD_REQUEST.into_response())
        }
        Err(_) => {
            tracing::warn!("webhook body did not arrive in time");
            Err((
                StatusCode::REQUEST_TIMEOUT,
                [(header::CONNECTION, "close")],
                Body::empty(),
            )
                .into_response())
        }
    }
}

fn handshake(receiver: &WebhookReceiver, request: &Request) -> Response {
    match receiver.handshake(request.uri().query().unwrap_or_default()) {
        Ok(challenge) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        Err(e) => refuse(&e),
    }
}

fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "GET, POST")],
        Body::empty(),
    )
        .into_response()
}

async fn handle_stored<S: DeliveryStore>(
    State(shared): State<Arc<Stored<S>>>,
    request: Request,
) -> Response {
    let (receiver, store) = (&shared.receiver, &shared.store);
    dispatch(receiver, request, |parts, bytes| async move {
        let app = match receiver.verify_headers_app(&parts.headers, &bytes) {
            Ok(app) => app.map(str::to_owned),
            Err(e) => return refuse(&e),
        };
        let signature = parts
            .headers
            .get(super::SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let received = Received {
            app_id: app,
            body: bytes,
            signature,
            received_at: SystemTime::now(),
        };
        match tokio::time::timeout(receiver.store_wait(), store.store(received)).await {
            Ok(Ok(())) => StatusCode::OK.into_response(),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "webhook not stored; answered 503 so that Graph sends it again");
                unavailable()
            }
            Err(_) => {
                tracing::error!(
                    deadline_ms = receiver.store_wait().as_millis() as u64,
                    "webhook store too slow; answered 503 so that Graph sends it again"
                );
                unavailable()
            }
        }
    })
    .await
}

/// What every receiver route does first: `GET` is the handshake, a `POST`'s body is read
/// within the receiver's limits and handed to `post`, any other method is 405.
async fn dispatch<F, Fut>(receiver: &WebhookReceiver, request: Request, post: F) -> Response
where
    F: FnOnce(Parts, Bytes) -> Fut,
    Fut: Future<Output = Response>,
{
    match *request.method() {
        Method::GET => handshake(receiver, &request),
        Method::POST => {
            let (parts, body) = request.into_parts();
            match read_body(receiver, &parts, body).await {
                Ok(bytes) => post(parts, bytes).await,
                Err(answer) => answer,
            }
        }
        _ => method_not_allowed(),
    }
}

/// 503 with a short `Retry-After`.
fn unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "1")],
        Body::empty(),
    )
        .into_response()
}

fn refuse(error: &WebhookError) -> Response {
    tracing::warn!(status = error.status(), error = %error, "webhook request refused");
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN);
    (status, error.to_string()).into_response()
}

async fn handle<V: GraphVersion>(
    State(shared): State<Arc<Shared<V>>>,
    request: Request,
) -> Response {
    let (receiver, deliver) = (&shared.receiver, &shared.deliver);
    dispatch(receiver, request, |parts, bytes| async move {
        match receiver.receive::<V>(&parts.headers, &bytes) {
            Ok(notification) => {
                deliver(notification);
                StatusCode::OK.into_response()
            }
            Err(WebhookError::Undecodable(why)) => {
                tracing::warn!(error = %why, "signed webhook body is not a notification; acknowledged");
                StatusCode::OK.into_response()
            }
            Err(e) => refuse(&e),
        }
    })
    .await
}
