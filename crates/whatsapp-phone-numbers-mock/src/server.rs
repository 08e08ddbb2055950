//! Starting, serving and stopping the mock.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::apps::{MOCK_APP_ID, MOCK_APP_NAME, MockApp};
use crate::demo;
use crate::faults::Faults;
use crate::lively::Lively;
use crate::rate_limits::RateLimits;
use crate::request_log::DEFAULT_REQUEST_LOG_LIMIT;
use crate::service::MockService;
use crate::state::MockState;
use crate::webhooks::DeliveryPolicy;

/// The access token a mock accepts unless told otherwise.
pub const DEFAULT_ACCESS_TOKEN: &str = "mock-token";

/// How long [`MockServer::shutdown`] waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Configures a [`MockServer`] (or a [`MockService`] to [`serve`]).
#[derive(Clone, Debug)]
#[must_use]
pub struct MockServerBuilder {
    port: u16,
    access_token: String,
    app_secret: String,
    require_appsecret_proof: bool,
    apps: Vec<MockApp>,
    demo: bool,
    delivery: DeliveryPolicy,
    review_names_after: Option<Duration>,
    request_log_limit: usize,
    rate_limits: RateLimits,
    system_user_tokens: Vec<String>,
    latency: Duration,
    expansion_limit: usize,
    lively: Option<Lively>,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            port: 0,
            access_token: DEFAULT_ACCESS_TOKEN.to_owned(),
            app_secret: crate::DEFAULT_APP_SECRET.to_owned(),
            require_appsecret_proof: false,
            apps: Vec::new(),
            demo: true,
            delivery: DeliveryPolicy::default(),
            review_names_after: None,
            request_log_limit: DEFAULT_REQUEST_LOG_LIMIT,
            rate_limits: RateLimits::default(),
            system_user_tokens: Vec::new(),
            latency: Duration::ZERO,
            expansion_limit: crate::state::DEFAULT_EXPANSION_LIMIT,
            lively: None,
        }
    }
}

impl MockServerBuilder {
    /// Listens on `127.0.0.1:port` (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The system-user token of the default app ([`MOCK_APP_ID`](crate::MOCK_APP_ID)),
    /// which the account and number endpoints accept (default [`DEFAULT_ACCESS_TOKEN`]).
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = token.into();
        self
    }

    /// The default app's secret (default [`DEFAULT_APP_SECRET`](crate::DEFAULT_APP_SECRET)):
    /// its webhooks are signed with it and its app access token is `APP_ID|APP_SECRET`.
    /// `appsecret_proof` is checked against it only with
    /// [`require_appsecret_proof`](Self::require_appsecret_proof).
    pub fn app_secret(mut self, secret: impl Into<String>) -> Self {
        self.app_secret = secret.into();
        self
    }

    /// Accepts `token` as another system user's token of the default app, beside
    /// [`access_token`](Self::access_token): a solution provider holds one per client
    /// business, and Graph counts every one toward the same app's usage.
    pub fn system_user_token(mut self, token: impl Into<String>) -> Self {
        self.system_user_tokens.push(token.into());
        self
    }

    /// Holds every Graph answer for `latency` before sending it (default none), so that a
    /// benchmark or a test can model a real round trip to Graph (100–300 ms from most
    /// regions) on loopback.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// The most objects, accounts plus the numbers embedded in them, that one answer with
    /// field expansion (`fields=phone_numbers.limit(100){...}`) may hold before the mock
    /// refuses it with Graph's error 1, "Please reduce the amount of data you're asking
    /// for" (default [`DEFAULT_EXPANSION_LIMIT`](crate::DEFAULT_EXPANSION_LIMIT)). Graph's
    /// own threshold is not documented.
    pub fn expansion_limit(mut self, objects: usize) -> Self {
        self.expansion_limit = objects;
        self
    }

    /// Turns on the default app's "Require App Secret" setting: every Graph request made
    /// with its tokens must carry `appsecret_proof`, the hex HMAC-SHA256 of the token keyed
    /// by the app secret (see [`appsecret_proof`](crate::appsecret_proof)).
    pub fn require_appsecret_proof(mut self) -> Self {
        self.require_appsecret_proof = true;
        self
    }

    /// Adds an app beside the default one (and the demo's), or replaces the app with its
    /// ID: a test of webhook routing can have several apps, each with its own secret and
    /// token.
    pub fn app(mut self, app: MockApp) -> Self {
        self.apps.push(app);
        self
    }

    /// How webhook deliveries are retried (default [`DeliveryPolicy::default`]).
    pub fn webhook_delivery(mut self, policy: DeliveryPolicy) -> Self {
        self.delivery = policy;
        self
    }

    /// Reviews every requested display name `delay` after the request, approving it (and
    /// sending `phone_number_name_update`). Without this, names wait for a
    /// [`MockEvent::NameReview`](crate::MockEvent::NameReview).
    pub fn review_names_after(mut self, delay: Duration) -> Self {
        self.review_names_after = Some(delay);
        self
    }

    /// Keeps only the last `limit` Graph requests in the request log
    /// ([`MockState::requests`], `GET /__mock/requests`); default
    /// [`DEFAULT_REQUEST_LOG_LIMIT`]. Older requests are dropped as new ones arrive, so a
    /// long load test runs in bounded memory; [`MockState::request_count`] still counts
    /// every request. 0 logs none.
    pub fn request_log_limit(mut self, limit: usize) -> Self {
        self.request_log_limit = limit;
        self
    }

    /// The rate-limit model (default [`RateLimits::default`]: usage reported against
    /// Graph-like hourly budgets, nothing refused). [`RateLimits::enforced`] refuses calls
    /// over a budget, as Graph does, to test code that must stay under it.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// Turns on [lively mode](crate::Lively): while the server runs (from
    /// [`start`](Self::start), or [`serve`] of this builder's
    /// [`service`](Self::service)), a background task changes one number's quality
    /// rating, messaging limit or status every [`Lively::every`], each number at most once
    /// per [`Lively::cooldown`], sending the webhooks Graph would and writing each change to
    /// the [change log](crate::MockState::changes). It stops with the server;
    /// [`MockState::pause_lively`] pauses it meanwhile.
    pub fn lively(mut self, lively: Lively) -> Self {
        self.lively = Some(lively);
        self
    }

    /// Starts without the demo data: no accounts, no numbers.
    pub fn empty(mut self) -> Self {
        self.demo = false;
        self
    }

    /// The service this configuration describes, ready for [`serve`].
    pub fn service(&self) -> MockService {
        let state = MockState::new();
        state.set_request_log_limit(self.request_log_limit);
        state.set_rate_limits(self.rate_limits);
        state
            .outbox()
            .configure(self.delivery, self.review_names_after);
        state.set_latency(self.latency);
        state.set_expansion_limit(self.expansion_limit);
        let default_app = self.system_user_tokens.iter().fold(
            MockApp::new(
                MOCK_APP_ID,
                MOCK_APP_NAME,
                &self.app_secret,
                &self.access_token,
            )
            .require_appsecret_proof(self.require_appsecret_proof),
            |app, token| app.with_system_user_token(token),
        );
        state.add_app(default_app.clone());
        if self.demo {
            demo::seed(&state);
        }
        for app in &self.apps {
            state.add_app(app.clone());
        }
        MockService {
            state,
            faults: Faults::default(),
            default_app,
            lively: self.lively,
        }
    }

    /// Binds `127.0.0.1` and starts serving on the current tokio runtime.
    pub async fn start(self) -> io::Result<MockServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await?;
        let address = listener.local_addr()?;
        let service = self.service();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, service.clone(), async move {
            // A dropped sender stops the server as well.
            let _ = stopped.await;
        }));
        Ok(MockServer {
            service,
            address,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running mock, serving on loopback until it is dropped or shut down.
#[derive(Debug)]
pub struct MockServer {
    service: MockService,
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl MockServer {
    /// Starts a mock with the demo data on a free loopback port, accepting
    /// [`DEFAULT_ACCESS_TOKEN`].
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound; use [`MockServer::builder`] to get the error
    /// instead.
    pub async fn start() -> MockServer {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(e) => panic!("cannot start the mock server on 127.0.0.1: {e}"),
        }
    }

    /// A builder for a mock with another port, token, app secret, more apps or no demo
    /// data.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The base URL followed by `path` (such as `/v23.0/106540352242922`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The socket address the mock listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The system-user token of the default app, which the account and number endpoints
    /// accept.
    pub fn access_token(&self) -> &str {
        self.service.access_token()
    }

    /// The default app's secret (its webhooks are signed with it).
    pub fn app_secret(&self) -> &str {
        self.service.app_secret()
    }

    /// The state handle: seed data before requests, inspect it after.
    pub fn state(&self) -> MockState {
        self.service.state()
    }

    /// The fault queue.
    pub fn faults(&self) -> Faults {
        self.service.faults()
    }

    /// The service behind the server.
    pub fn service(&self) -> &MockService {
        &self.service
    }

    /// Stops accepting connections, lets requests in flight finish (up to five seconds)
    /// and waits for the server to stop.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Serves `service` on `listener` until `shutdown` completes, then finishes the requests
/// in flight and returns. Webhook deliveries, and [lively mode](crate::Lively) when the
/// service was built with it, run meanwhile and stop with it.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use whatsapp_phone_numbers_mock::{MockServer, serve};
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// let service = MockServer::builder().access_token("local-dev").service();
/// serve(listener, service, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    service: MockService,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let deliveries = tokio::spawn(crate::webhooks::run(service.state().outbox()));
    let lively = service
        .lively
        .map(|lively| tokio::spawn(crate::lively::run(service.state(), lively)));
    let state = service.state();
    let listener = axum::serve::ListenerExt::tap_io(listener, move |_| state.count_connection());
    let served = axum::serve(listener, service.router())
        .with_graceful_shutdown(shutdown)
        .await;
    deliveries.abort();
    if let Some(lively) = lively {
        lively.abort();
    }
    served
}

/// Serves `service` on `listener` until Ctrl-C.
pub async fn serve_until_ctrl_c(listener: TcpListener, service: MockService) -> io::Result<()> {
    serve(listener, service, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
