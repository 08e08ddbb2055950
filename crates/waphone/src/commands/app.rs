//! `app subscriptions list|add|remove APP_ID`: an app's own webhook subscriptions, where
//! Graph sends the app's webhooks (the management fields only ever go there).
//!
//! These calls take an app access token: `--app-access-token`
//! (`WHATSAPP_APP_ACCESS_TOKEN`), or `APP_ID|APP_SECRET` made from `--app-secret`
//! (`WHATSAPP_APP_SECRET`). Neither is ever printed.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use whatsapp_phone_numbers::{AppAccessToken, GraphVersion, view::AppSubscriptionList as _};

use super::done;
use crate::failure::Failure;
use crate::output::{emit, table};
use crate::session::Session;

/// `app subscriptions ...`
#[derive(Debug, Subcommand)]
pub enum AppAction {
    /// The app's own webhook subscriptions: its callback URL and fields.
    Subscriptions {
        #[command(subcommand)]
        action: AppSubscriptionsAction,
    },
}

/// `app subscriptions list|add|remove APP_ID`
#[derive(Debug, Subcommand)]
pub enum AppSubscriptionsAction {
    /// Show the app's subscriptions (object, callback URL, fields).
    List(AppArg),
    /// Subscribe the app to webhook fields of WhatsApp Business Accounts at a callback URL
    /// (Graph verifies it first; fields already subscribed stay).
    Add(AppSubscribeArgs),
    /// Remove fields (with --fields) or the whole WhatsApp Business Account subscription.
    Remove(AppRemoveArgs),
}

/// An app ID, and the app access token its endpoints take.
#[derive(Debug, Args)]
pub struct AppArg {
    /// Meta app ID.
    pub app_id: String,
    /// An app access token (default: APP_ID|APP_SECRET from --app-secret).
    #[arg(long, env = "WHATSAPP_APP_ACCESS_TOKEN", hide_env_values = true)]
    pub app_access_token: Option<String>,
}

/// `app subscriptions add APP_ID --callback-url URL --verify-token T --fields f1,f2`
#[derive(Debug, Args)]
pub struct AppSubscribeArgs {
    #[command(flatten)]
    pub app: AppArg,
    /// Where Graph posts the app's webhooks (https; http:// only on loopback, for a mock).
    #[arg(long)]
    pub callback_url: String,
    /// The token Graph's verification handshake sends to --callback-url.
    #[arg(long, env = "WHATSAPP_WEBHOOK_VERIFY_TOKEN", hide_env_values = true)]
    pub verify_token: String,
    /// Comma-separated webhook fields, such as
    /// phone_number_quality_update,phone_number_name_update,account_update.
    #[arg(long, value_delimiter = ',', required = true)]
    pub fields: Vec<String>,
}

/// `app subscriptions remove APP_ID [--fields f1,f2]`
#[derive(Debug, Args)]
pub struct AppRemoveArgs {
    #[command(flatten)]
    pub app: AppArg,
    /// Comma-separated fields to remove (default: the whole subscription).
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
}

impl AppArg {
    /// The handle of the app, with the token given on the command line.
    fn handle<V: GraphVersion>(
        &self,
        session: &Session<V>,
    ) -> Result<whatsapp_phone_numbers::AppHandle<V>, Failure> {
        let mut app = session.client.app(&self.app_id);
        if let Some(token) = &self.app_access_token {
            app = app.app_access_token(AppAccessToken::new(token)?);
        }
        Ok(app)
    }
}

impl AppAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let AppAction::Subscriptions { action } = self;
        match action {
            AppSubscriptionsAction::List(args) => {
                let list = args.handle(session)?.webhook_subscriptions().list().await?;
                if session.out.json {
                    session.out.json(&*list)?;
                    return Ok(done());
                }
                let rows: Vec<Vec<String>> = serde_json::to_value(&*list)
                    .ok()
                    .and_then(|v| v.get("data").and_then(|d| d.as_array()).cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(|s| {
                        let text = |key: &str| {
                            s.get(key)
                                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                                .unwrap_or_default()
                        };
                        let fields: Vec<String> = s
                            .get("fields")
                            .and_then(|f| f.as_array())
                            .into_iter()
                            .flatten()
                            .filter_map(|f| f.get("name").and_then(|n| n.as_str()))
                            .map(str::to_owned)
                            .collect();
                        vec![
                            text("object"),
                            text("callback_url"),
                            text("active"),
                            fields.join(","),
                        ]
                    })
                    .collect();
                let count = list.data().len();
                emit(&table(
                    &["OBJECT", "CALLBACK URL", "ACTIVE", "FIELDS"],
                    &rows,
                ))?;
                emit(&format!(
                    "{count} subscription{}\n",
                    if count == 1 { "" } else { "s" }
                ))?;
            }
            AppSubscriptionsAction::Add(args) => {
                let answer = args
                    .app
                    .handle(session)?
                    .webhook_subscriptions()
                    .subscribe(&args.callback_url, &args.verify_token)
                    .fields(&args.fields)
                    .await?;
                session.out.record(&*answer)?;
            }
            AppSubscriptionsAction::Remove(args) => {
                let answer = args
                    .app
                    .handle(session)?
                    .webhook_subscriptions()
                    .unsubscribe()
                    .fields(&args.fields)
                    .await?;
                session.out.record(&*answer)?;
            }
        }
        Ok(done())
    }
}
