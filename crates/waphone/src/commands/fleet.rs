//! `accounts`, `account` and `subscriptions`: a business's accounts, one account, and the
//! apps subscribed to an account's webhooks.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use futures_util::TryStreamExt;
use whatsapp_phone_numbers::view::BusinessAccount as _;
use whatsapp_phone_numbers::{GraphVersion, Page};

use super::done;

use super::list::text;
use crate::failure::Failure;
use crate::output::{emit, emit_line, table};
use crate::session::Session;

/// `accounts BUSINESS_ID [--client]`
#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// Business portfolio ID.
    pub business_id: String,
    /// The accounts clients shared with the business, instead of the ones it owns.
    #[arg(long)]
    pub client: bool,
    /// Follow the cursor through every page (default: one page).
    #[arg(long)]
    pub all: bool,
    /// Start after this cursor.
    #[arg(long)]
    pub after: Option<String>,
}

impl AccountsArgs {
    /// Lists every account (all pages) and prints them.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let business = session.client.business(&self.business_id);
        let list = if self.client {
            business.client_accounts()
        } else {
            business.owned_accounts()
        };
        let mut list = list.page_size(100);
        if let Some(after) = &self.after {
            list = list.after(after);
        }
        let (accounts, more): (Vec<V::BusinessAccount>, Option<String>) = if self.all {
            (list.stream().try_collect().await?, None)
        } else {
            let page = list.await?.into_inner();
            let more = page
                .next_page()
                .map(|_| page.after_cursor().unwrap_or("?").to_owned());
            (page.into_items(), more)
        };
        let kind = if self.client { "client" } else { "owned" };
        if session.out.json {
            session.out.json(&accounts)?;
            // The document is the page's accounts; where the next page starts goes beside it.
            if let Some(after) = &more {
                crate::to_stderr!(
                    "waphone: {} {kind} accounts on this page; more with --after {} (or --all)",
                    accounts.len(),
                    crate::terminal::safe(after)
                );
            }
            return Ok(done());
        }
        let rows: Vec<Vec<String>> = accounts
            .iter()
            .map(|a| {
                vec![
                    text(a.id()),
                    text(a.name()),
                    text(a.timezone_id()),
                    text(a.message_template_namespace()),
                ]
            })
            .collect();
        emit(&table(
            &["ID", "NAME", "TIMEZONE", "TEMPLATE NAMESPACE"],
            &rows,
        ))?;
        match more {
            Some(after) => emit_line(&format!(
                "{} {kind} accounts on this page; more with --after {} (or --all)",
                accounts.len(),
                crate::terminal::safe(&after)
            ))?,
            None => emit_line(&format!("{} {kind} accounts", accounts.len()))?,
        }
        Ok(done())
    }
}

/// `account WABA_ID`
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// WhatsApp Business Account ID.
    pub waba_id: String,
    /// Comma-separated fields (default: Graph's default fields).
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
}

impl AccountArgs {
    /// Reads the account and prints it.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let fields = super::parse_fields::<V::BusinessAccountField>(&self.fields);
        let account = session
            .client
            .business_account(&self.waba_id)
            .get_fields(&fields)
            .await?;
        session.out.record(&*account)?;
        Ok(done())
    }
}

/// `subscriptions list|add|remove WABA_ID`
#[derive(Debug, Subcommand)]
pub enum SubscriptionsAction {
    /// Show the apps subscribed to the account's webhooks.
    List(WabaArg),
    /// Subscribe this app; with --callback-url and --verify-token, then also override the
    /// account's callback for the messaging fields (Graph takes an override only from a
    /// subscribed app).
    Add(SubscribeArgs),
    /// Unsubscribe this app.
    Remove(WabaArg),
}

/// An account ID.
#[derive(Debug, Args)]
pub struct WabaArg {
    /// WhatsApp Business Account ID.
    pub waba_id: String,
}

/// `subscriptions add WABA_ID [--callback-url URL --verify-token T]`
#[derive(Debug, Args)]
pub struct SubscribeArgs {
    /// WhatsApp Business Account ID.
    pub waba_id: String,
    /// Send this account's messaging webhooks (the fields overrides carry) to this https
    /// URL, at most 200 characters; management fields keep going to the app's callback.
    #[arg(long, requires = "verify_token")]
    pub callback_url: Option<String>,
    /// The token Graph's verification handshake sends to --callback-url (unused without
    /// it, so that WHATSAPP_WEBHOOK_VERIFY_TOKEN can stay set for other commands).
    #[arg(long, env = "WHATSAPP_WEBHOOK_VERIFY_TOKEN", hide_env_values = true)]
    pub verify_token: Option<String>,
}

impl SubscriptionsAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let client = &session.client;
        match self {
            SubscriptionsAction::List(args) => {
                let apps = client
                    .business_account(&args.waba_id)
                    .subscribed_apps()
                    .list()
                    .await?;
                session.out.record(&*apps)?;
            }
            SubscriptionsAction::Add(args) => {
                let apps = client.business_account(&args.waba_id).subscribed_apps();
                let answer = match (&args.callback_url, &args.verify_token) {
                    (Some(url), Some(token)) => {
                        // Graph takes an override only from an app already subscribed:
                        // two requests, both checked before the first goes.
                        crate::to_stderr!(
                            "subscribing the app to account {}, then overriding its callback \
                             for the messaging fields (management fields keep going to the \
                             app's own callback: see `waphone app subscriptions`)",
                            args.waba_id
                        );
                        apps.subscribe_and_override(url, token).await?
                    }
                    _ => apps.subscribe().await?,
                };
                session.out.record(&*answer)?;
            }
            SubscriptionsAction::Remove(args) => {
                let answer = client
                    .business_account(&args.waba_id)
                    .subscribed_apps()
                    .unsubscribe()
                    .await?;
                session.out.record(&*answer)?;
            }
        }
        Ok(done())
    }
}
