//! Turning global options into a client, starting the embedded mock when asked.

use std::time::Duration;

use whatsapp_phone_numbers::{ApiVersion, Client, Core};
use whatsapp_phone_numbers_mock::MockServer;

use crate::cli::Global;
use crate::failure::Failure;
use crate::output::Output;

/// A configured client, and the mock it talks to when `--mock` was given.
pub struct Session {
    /// The SDK client (default version's types; the path carries the chosen version).
    pub client: Client,
    /// The configuration, for clients bound to another version's types.
    pub core: Core,
    /// How to print.
    pub out: Output,
    /// Kept alive for the whole command.
    pub mock: Option<MockServer>,
}

impl Session {
    /// True when the chosen API version is v24.0 or later, so reads decode with the v24.0
    /// types.
    pub fn uses_v24(&self) -> bool {
        self.core.api_version() >= ApiVersion::V24_0
    }

    /// Builds the client. Nothing is sent.
    pub async fn open(global: &Global) -> Result<Self, Failure> {
        let out = Output { json: global.json };
        let mut builder = Client::builder();
        let mut mock = None;
        if global.mock {
            let mut mock_builder = MockServer::builder();
            if let Some(secret) = &global.app_secret {
                mock_builder = mock_builder.app_secret(secret.clone());
            }
            let server = mock_builder
                .start()
                .await
                .map_err(|e| Failure::Local(format!("cannot start the mock: {e}")))?;
            builder = builder
                .base_url(server.base_url())
                .access_token(server.access_token());
            mock = Some(server);
        } else {
            if let Some(url) = &global.base_url {
                builder = builder.base_url(url);
            }
            match &global.token {
                Some(token) => builder = builder.access_token(token),
                None => {
                    return Err(Failure::Usage(
                        "no access token: pass --token, set WHATSAPP_ACCESS_TOKEN, or use --mock"
                            .into(),
                    ));
                }
            }
        }
        if let Some(secret) = &global.app_secret {
            builder = builder.app_secret(secret);
        }
        if let Some(version) = &global.api_version {
            builder = builder.api_version(version.parse::<ApiVersion>()?);
        }
        if let Some(retries) = global.max_retries {
            builder = builder.max_retries(retries);
        }
        if let Some(secs) = global.timeout {
            if !(secs.is_finite() && secs > 0.0) {
                return Err(Failure::Usage(
                    "--timeout must be a positive number of seconds".into(),
                ));
            }
            builder = builder.timeout(Duration::from_secs_f64(secs.min(3600.0)));
        }
        let client = builder
            .user_agent_suffix(concat!("waphone/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let core = client.core().clone();
        Ok(Self {
            client,
            core,
            out,
            mock,
        })
    }
}
