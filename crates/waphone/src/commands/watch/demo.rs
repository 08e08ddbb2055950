//! `--mock watch`: what the main job would run beside the watch, started in this process
//! (an inbox in a temporary folder, a listener storing into it, the mock's app subscribed
//! to it), so that a newcomer sees webhooks arrive and full reads find the lost ones.

use std::path::PathBuf;

use whatsapp_phone_numbers::webhooks::{ServeLimits, WebhookReceiver, serve};
use whatsapp_phone_numbers::{AppSecret, GraphVersion, VerifyToken};
use whatsapp_phone_numbers_inbox::{Inbox, Location};
use whatsapp_phone_numbers_mock::MOCK_APP_ID;

use crate::commands::webhooks::listen::Reporting;
use crate::failure::Failure;
use crate::metrics::{Metrics, counting_refusals};
use crate::session::Session;

/// The management fields the demo subscribes to.
const FIELDS: &[&str] = &[
    "phone_number_quality_update",
    "phone_number_name_update",
    "account_update",
    "account_review_update",
    "account_alerts",
];

/// The demo's inbox and listener; the folder is removed and the listener stopped when
/// dropped.
pub struct Demo {
    /// The inbox the listener stores into.
    pub inbox: Inbox,
    folder: PathBuf,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.listener.abort();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

impl Demo {
    /// Starts the inbox and the listener, and subscribes the mock's app to it.
    pub async fn start<V: GraphVersion>(
        session: &Session<V>,
        metrics: &Metrics,
    ) -> Result<Self, Failure> {
        let Some(mock) = &session.mock else {
            return Err(Failure::Local("the demo needs the mock".into()));
        };
        let folder = std::env::temp_dir().join(format!("waphone-watch-{}", std::process::id()));
        let inbox = Inbox::open_at(Location::Sqlite(folder.join("inbox.sqlite3")))
            .await
            .map_err(|e| Failure::Local(format!("cannot open the demo inbox: {e}")))?;
        let token = format!("watch-demo-{}", std::process::id());
        let secret = AppSecret::new(mock.app_secret()).map_err(Failure::from)?;
        let receiver = WebhookReceiver::for_app(MOCK_APP_ID, secret)
            .verify_token(VerifyToken::new(token.as_str()).map_err(Failure::from)?);
        let store = Reporting::new(inbox.clone(), Some(metrics.clone()));
        let router = counting_refusals(receiver.router_with_store(store), metrics.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| Failure::Local(format!("cannot start the demo listener: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| Failure::Local(e.to_string()))?;
        let listener = tokio::spawn(async move {
            let _ = serve(
                listener,
                router,
                ServeLimits::default(),
                std::future::pending(),
            )
            .await;
        });
        let demo = Self {
            inbox,
            folder,
            listener,
        };
        let url = format!("http://{address}/webhooks");
        session
            .client
            .app(MOCK_APP_ID)
            .webhook_subscriptions()
            .subscribe(&url, &token)
            .fields(FIELDS)
            .await?;
        crate::to_stderr!(
            "waphone: mock at {}: a number changes every few seconds; webhooks go to {url} and wait in {}",
            mock.base_url(),
            demo.inbox.location()
        );
        Ok(demo)
    }
}
