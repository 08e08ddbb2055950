//! The global options, and turning them into a client of the version the command runs
//! with, starting the embedded mock when asked.

use std::time::Duration;

use clap::Args;
use whatsapp_phone_numbers::{ApiVersion, Client, GraphVersion};
#[cfg(feature = "mock")]
use whatsapp_phone_numbers_mock::MockServer;

/// The embedded mock a session talks to (nothing, in a build without the `mock` feature).
#[cfg(feature = "mock")]
pub type MockHandle = MockServer;
/// The embedded mock a session talks to (nothing, in a build without the `mock` feature).
#[cfg(not(feature = "mock"))]
pub type MockHandle = std::convert::Infallible;

use crate::failure::Failure;
use crate::output::Output;

/// Options for every command.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Access token (system user or user token).
    #[arg(
        id = "access_token",
        long = "token",
        env = "WHATSAPP_ACCESS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub token: Option<String>,
    /// App secret: signs every request with appsecret_proof.
    #[arg(
        long,
        env = "WHATSAPP_APP_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub app_secret: Option<String>,
    /// API host (default `https://graph.facebook.com`; `http://` only for loopback).
    #[arg(long, env = "WHATSAPP_BASE_URL", global = true)]
    pub base_url: Option<String>,
    /// Graph API version in the path, such as v24.0 (default: the newest this build has
    /// types for). Answers decode with that version's types, or the nearest older ones.
    #[arg(long, env = "WHATSAPP_API_VERSION", global = true)]
    pub api_version: Option<String>,
    /// Start the embedded mock on a free loopback port and use it (no token needed).
    #[cfg(feature = "mock")]
    #[arg(long, global = true)]
    pub mock: bool,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Retries after the first attempt.
    #[arg(long, value_name = "N", global = true)]
    pub max_retries: Option<u32>,
    /// Per-attempt timeout in seconds.
    #[arg(long, value_name = "SECS", global = true)]
    pub timeout: Option<f64>,
    /// Show each attempt, its status, waits and retries on stderr (`-vv` for more);
    /// `RUST_LOG` works too. Never shows a secret.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

impl Global {
    /// The version the command asks for: `--api-version`, or the newest enabled one (what
    /// an SDK pinned to a release sends).
    pub fn requested_version(&self) -> Result<ApiVersion, Failure> {
        match &self.api_version {
            Some(text) => Ok(text.parse::<ApiVersion>()?),
            None => whatsapp_phone_numbers::enabled_versions()
                .last()
                .copied()
                .ok_or_else(|| Failure::Usage("this build has no Graph API version".into())),
        }
    }
}

/// What a command asks of the embedded mock (with `--mock`): `watch`'s lively changes and
/// lost deliveries; nothing for the other commands.
#[derive(Clone, Copy, Debug, Default)]
pub struct MockSetup {
    /// One random change to a number per this interval.
    pub lively: Option<Duration>,
    /// The share of webhook deliveries lost on purpose (0 to 1).
    pub drop_webhooks: f64,
}

/// A configured client of version `V`, and the mock it talks to when `--mock` was given.
pub struct Session<V: GraphVersion> {
    /// The SDK client; its paths carry the requested version.
    pub client: Client<V>,
    /// How to print.
    pub out: Output,
    /// Kept alive for the whole command.
    #[cfg_attr(not(feature = "mock"), allow(dead_code))]
    pub mock: Option<MockHandle>,
}

impl<V: GraphVersion> Session<V> {
    /// Builds the client for `version` with `V`'s types. Nothing is sent.
    pub async fn open(
        global: &Global,
        version: ApiVersion,
        setup: MockSetup,
    ) -> Result<Self, Failure> {
        let out = Output::new(global.json);
        let mut builder = Client::<V>::builder().api_version(version);
        #[allow(unused_mut)]
        let mut mock: Option<MockHandle> = None;
        #[cfg(feature = "mock")]
        if global.mock {
            let mut mock_builder = MockServer::builder();
            if let Some(every) = setup.lively {
                mock_builder = mock_builder.lively(whatsapp_phone_numbers_mock::Lively {
                    every,
                    ..Default::default()
                });
            }
            if setup.drop_webhooks > 0.0 {
                mock_builder =
                    mock_builder.webhook_delivery(whatsapp_phone_numbers_mock::DeliveryPolicy {
                        drop_percent: (setup.drop_webhooks * 100.0).round().clamp(0.0, 100.0) as u8,
                        ..Default::default()
                    });
            }
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
            if global.app_secret.is_none() {
                // The mock's app secret, so that its app endpoints can be reached with
                // `APP_ID|APP_SECRET` as they would be with yours.
                builder = builder.app_secret(server.app_secret());
            }
            mock = Some(server);
        }
        if mock.is_none() {
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
        Ok(Self { client, out, mock })
    }

    /// The demo account, when the command runs against the embedded mock.
    pub fn demo_waba(&self) -> Option<&'static str> {
        #[cfg(feature = "mock")]
        if self.mock.is_some() {
            return Some(whatsapp_phone_numbers_mock::demo::DEMO_WABA_ID);
        }
        None
    }

    /// The demo business portfolio, when the command runs against the embedded mock.
    pub fn demo_business(&self) -> Option<&'static str> {
        #[cfg(feature = "mock")]
        if self.mock.is_some() {
            return Some(whatsapp_phone_numbers_mock::demo::DEMO_BUSINESS_ID);
        }
        None
    }

    /// The mock's app, when the command runs against the embedded mock.
    pub fn mock_app(&self) -> Option<&'static str> {
        #[cfg(feature = "mock")]
        if self.mock.is_some() {
            return Some(whatsapp_phone_numbers_mock::MOCK_APP_ID);
        }
        None
    }
}
