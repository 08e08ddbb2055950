//! `mock [--port P]`: serve the mock until interrupted.

use clap::Args;
use whatsapp_phone_numbers_mock::{MockServer, serve_until_ctrl_c};

use crate::failure::Failure;
use crate::output::emit_line;
use crate::session::Global;

/// `mock [--port P]`
#[derive(Debug, Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

impl MockArgs {
    /// Binds 127.0.0.1:`port`, prints the base URL (and the mock's token), serves until
    /// Ctrl-C.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        serve(global, self.port).await
    }
}

async fn serve(global: &Global, port: u16) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Failure::Local(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::Local(e.to_string()))?;
    let mut builder = MockServer::builder();
    if let Some(secret) = &global.app_secret {
        builder = builder.app_secret(secret.clone());
    }
    let service = builder.service();
    let base_url = format!("http://{address}");
    if global.json {
        emit_line(
            &serde_json::json!({"base_url": base_url, "access_token": service.access_token()})
                .to_string(),
        )?;
    } else {
        emit_line(&base_url)?;
        eprintln!(
            "mock Graph API serving on {base_url} (token: {}, demo account {}); Ctrl-C stops it",
            service.access_token(),
            whatsapp_phone_numbers_mock::demo::DEMO_WABA_ID
        );
    }
    serve_until_ctrl_c(listener, service)
        .await
        .map_err(|e| Failure::Local(format!("the mock stopped: {e}")))
}
