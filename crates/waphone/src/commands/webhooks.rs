//! `webhooks listen`: receive Graph's webhooks on this machine and print each change.

use std::future::Future;
use std::pin::Pin;

use clap::{Args, Subcommand};
use whatsapp_phone_numbers::webhooks::{DEFAULT_MAX_BODY_BYTES, WebhookReceiver};
use whatsapp_phone_numbers::{AppSecret, GraphVersion, VerifyToken, VersionVisitor, with_version};

use crate::failure::Failure;
use crate::output::emit_line;
use crate::session::Global;

/// `webhooks` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhooksAction {
    /// Answer Graph's verification handshake and print each verified change as one JSON
    /// line on stdout, until interrupted.
    Listen(ListenArgs),
}

/// `webhooks listen --port P [--verify-token T] [--host H] [--max-body-bytes N]`
///
/// Signatures are checked with the app secret (`--app-secret` / `WHATSAPP_APP_SECRET`).
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Port to listen on (0: a free one; the address is printed on stderr).
    #[arg(long)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The token Graph's verification handshake must carry (without it every handshake
    /// is refused).
    #[arg(long, env = "WHATSAPP_WEBHOOK_VERIFY_TOKEN", hide_env_values = true)]
    pub verify_token: Option<String>,
    /// Largest body accepted; larger ones are answered 413.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
}

impl WebhooksAction {
    /// Runs the subcommand with the types of the requested version.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        let WebhooksAction::Listen(args) = self;
        let secret = global.app_secret.as_deref().ok_or_else(|| {
            Failure::Usage(
                "--app-secret (or WHATSAPP_APP_SECRET) is required: it checks each webhook's signature"
                    .into(),
            )
        })?;
        let mut receiver = WebhookReceiver::new(
            AppSecret::new(secret).map_err(|e| Failure::from(e).with_flags(FLAGS))?,
        )
        .max_body_bytes(args.max_body_bytes);
        match &args.verify_token {
            Some(token) => {
                receiver = receiver.verify_token(
                    VerifyToken::new(token.as_str())
                        .map_err(|e| Failure::from(e).with_flags(FLAGS))?,
                );
            }
            None => eprintln!(
                "waphone: no --verify-token (or WHATSAPP_WEBHOOK_VERIFY_TOKEN): every verification handshake will be refused"
            ),
        }
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
            .await
            .map_err(|e| {
                Failure::Local(format!("cannot listen on {}:{}: {e}", args.host, args.port))
            })?;
        let requested = global.requested_version()?;
        match with_version(requested, Listen { receiver, listener }) {
            Some(picked) => picked.output.await,
            None => Err(Failure::Usage(
                "this build of waphone has no Graph API version feature".into(),
            )),
        }
    }
}

const FLAGS: &[(&str, &str)] = &[
    ("app_secret", "--app-secret"),
    ("verify_token", "--verify-token"),
];

struct Listen {
    receiver: WebhookReceiver,
    listener: tokio::net::TcpListener,
}

impl VersionVisitor for Listen {
    type Output = Pin<Box<dyn Future<Output = Result<(), Failure>>>>;

    fn visit<V: GraphVersion>(self) -> Self::Output {
        Box::pin(listen::<V>(self.receiver, self.listener))
    }
}

/// Serves the receiver and prints every change of every verified notification, in the
/// order they arrived, until Ctrl-C (or until stdout closes).
async fn listen<V: GraphVersion>(
    receiver: WebhookReceiver,
    listener: tokio::net::TcpListener,
) -> Result<(), Failure> {
    let address = listener
        .local_addr()
        .map_err(|e| Failure::Local(e.to_string()))?;
    let (router, mut notifications) = receiver.channel::<V>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    });
    eprintln!(
        "waphone: listening for {} webhooks on http://{address} (any path); Ctrl-C stops",
        V::NAME
    );
    while let Some(notification) = notifications.recv().await {
        for event in notification.events() {
            let line = serde_json::to_string(&event)
                .map_err(|e| Failure::Local(format!("cannot encode a change: {e}")))?;
            emit_line(&line)?;
        }
    }
    match server.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(Failure::Local(format!("the listener stopped: {e}"))),
        Err(e) => Err(Failure::Local(format!("the listener stopped: {e}"))),
    }
}
