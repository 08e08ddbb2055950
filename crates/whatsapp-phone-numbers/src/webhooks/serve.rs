//! Serving a receiver on the open internet (feature `webhook-server`): a bounded number of
//! connections, idle and half-sent ones closed after a timeout, and an accept loop that
//! keeps accepting when the process runs out of file descriptors.
//!
//! `axum::serve` keeps every connection until its client closes it: a few thousand idle or
//! half-sent connections then exhaust the process's file descriptors, and Graph's next
//! delivery is not accepted at all. [`serve`] closes a connection that has been idle (no
//! request in flight) longer than [`ServeLimits::idle_timeout`], and at
//! [`ServeLimits::max_connections`] (or when `accept` fails for want of descriptors) closes
//! the longest-idle connection to make room. A request whose body stalls is answered 408
//! by the receiver (its body timeout).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::AbortHandle;
use tower_service::Service;

/// Limits of [`serve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeLimits {
    /// Connections open at once (default 1,024). At the limit, the connection idle the
    /// longest is closed to make room for a new one.
    pub max_connections: usize,
    /// How long a connection may stay open without a request in flight (default 10 s):
    /// before its first request's headers are complete, and between requests.
    pub idle_timeout: Duration,
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            idle_timeout: Duration::from_secs(10),
        }
    }
}

/// One open connection.
struct Open {
    abort: AbortHandle,
    /// Requests in flight.
    busy: u32,
    /// When it was last busy (or opened).
    since: Instant,
}

#[derive(Clone, Default)]
struct Connections(Arc<Mutex<HashMap<u64, Open>>>);

impl Connections {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Open>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn started(&self, id: u64) {
        if let Some(open) = self.lock().get_mut(&id) {
            open.busy += 1;
        }
    }

    fn finished(&self, id: u64) {
        if let Some(open) = self.lock().get_mut(&id) {
            open.busy = open.busy.saturating_sub(1);
            open.since = Instant::now();
        }
    }

    /// Closes the connection idle the longest; false when every connection is busy.
    fn shed_one(&self) -> bool {
        let mut open = self.lock();
        let oldest = open
            .iter()
            .filter(|(_, o)| o.busy == 0)
            .min_by_key(|(_, o)| o.since)
            .map(|(id, _)| *id);
        match oldest.and_then(|id| open.remove(&id)) {
            Some(connection) => {
                connection.abort.abort();
                true
            }
            None => false,
        }
    }

    /// Closes every connection idle longer than `timeout`.
    fn reap(&self, timeout: Duration) {
        let now = Instant::now();
        self.lock().retain(|_, o| {
            let idle = o.busy == 0 && now.duration_since(o.since) > timeout;
            if idle {
                o.abort.abort();
            }
            !idle
        });
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes.
///
/// ```no_run
/// use whatsapp_phone_numbers::webhooks::{ServeLimits, WebhookReceiver, serve};
/// # async fn run(
/// #     store: impl whatsapp_phone_numbers::webhooks::DeliveryStore,
/// #     stop: tokio::sync::oneshot::Receiver<()>,
/// # ) -> std::io::Result<()> {
/// let receiver = WebhookReceiver::new(whatsapp_phone_numbers::AppSecret::new("app-secret").unwrap());
/// let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
/// // Serves until `stop` fires (or its sender is dropped): wire it to your signal handling.
/// serve(listener, receiver.router_with_store(store), ServeLimits::default(), async {
///     let _ = stop.await;
/// })
/// .await
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let connections = Connections::default();
    let next_id = AtomicU64::new(0);
    let reaper = {
        let connections = connections.clone();
        let every = (limits.idle_timeout / 4).max(Duration::from_millis(10));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                connections.reap(limits.idle_timeout);
            }
        })
    };
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of descriptors (or a connection that died before it was accepted):
                // make room and go on.
                tracing::warn!(error = %e, "accept failed; closing an idle connection");
                if !connections.shed_one() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                continue;
            }
        };
        while connections.lock().len() >= limits.max_connections.max(1) {
            if !connections.shed_one() {
                break;
            }
        }
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let tracked = connections.clone();
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let tracked = tracked.clone();
            let mut router = router.clone();
            tracked.started(id);
            async move {
                let answer = router.call(request).await;
                tracked.finished(id);
                answer
            }
        });
        let done = connections.clone();
        // The entry exists before the connection can start a request.
        let mut open = connections.lock();
        let task = tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.idle_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            done.lock().remove(&id);
        });
        open.insert(
            id,
            Open {
                abort: task.abort_handle(),
                busy: 0,
                since: Instant::now(),
            },
        );
    }
    reaper.abort();
    for (_, open) in connections.lock().drain() {
        open.abort.abort();
    }
    Ok(())
}
