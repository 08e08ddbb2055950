//! `mock [--port P] [--review-names-after S]`: serve the mock until interrupted.

use clap::Args;
use whatsapp_phone_numbers_mock::{MockServer, serve_until_ctrl_c};

use crate::failure::Failure;
use crate::output::emit_line;
use crate::session::Global;

/// `mock [--port P] [--review-names-after S]`
///
/// Webhooks go to the loopback `http://` callbacks of `subscriptions add --callback-url`,
/// signed with `--app-secret` (or the mock's default, `mock-app-secret`).
#[derive(Debug, Args)]
pub struct MockArgs {
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Approve a requested display name this many seconds after `update
    /// --new-display-name` (sending `phone_number_name_update`); 0 leaves names waiting
    /// for `POST /__mock/events`.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub review_names_after: f64,
}

impl MockArgs {
    /// Binds 127.0.0.1:`port`, prints the base URL (and the mock's token), serves until
    /// Ctrl-C.
    pub async fn run(&self, global: &Global) -> Result<(), Failure> {
        serve(global, self.port, self.review_names_after).await
    }
}

async fn serve(global: &Global, port: u16, review_names_after: f64) -> Result<(), Failure> {
    if !(review_names_after.is_finite() && (0.0..=86_400.0).contains(&review_names_after)) {
        return Err(Failure::Usage(
            "--review-names-after must be a number of seconds from 0 to 86400".into(),
        ));
    }
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
    if review_names_after > 0.0 {
        builder =
            builder.review_names_after(std::time::Duration::from_secs_f64(review_names_after));
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
