//! A ready receiver for axum (feature `webhook-server`): answers Graph at once and hands the
//! notifications to user code.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::error::WebhookError;
use super::notification::Notification;
use super::receiver::WebhookReceiver;
use crate::version::GraphVersion;

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
    /// the reader; read it promptly.
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
    let receiver = &shared.receiver;
    match *request.method() {
        Method::GET => match receiver.handshake(request.uri().query().unwrap_or_default()) {
            Ok(challenge) => (
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                challenge,
            )
                .into_response(),
            Err(e) => refuse(&e),
        },
        Method::POST => {
            let limit = receiver.body_limit();
            let too_large = WebhookError::BodyTooLarge { limit };
            let (parts, body) = request.into_parts();
            let declared = parts
                .headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            if declared.is_some_and(|n| n > limit as u64) {
                return refuse(&too_large);
            }
            let bytes = match Limited::new(body, limit).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<LengthLimitError>() => return refuse(&too_large),
                Err(e) => {
                    tracing::warn!(error = %e, "webhook body could not be read");
                    return StatusCode::BAD_REQUEST.into_response();
                }
            };
            match receiver.receive::<V>(&parts.headers, &bytes) {
                Ok(notification) => {
                    (shared.deliver)(notification);
                    StatusCode::OK.into_response()
                }
                Err(WebhookError::Undecodable(why)) => {
                    tracing::warn!(error = %why, "signed webhook body is not a notification; acknowledged");
                    StatusCode::OK.into_response()
                }
                Err(e) => refuse(&e),
            }
        }
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, POST")],
            Body::empty(),
        )
            .into_response(),
    }
}
