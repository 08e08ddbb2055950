//! Command-line syntax: the global options and one `Args` struct per subcommand (each
//! defined beside its `run`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use whatsapp_phone_numbers::GraphVersion;

use crate::commands::app::AppAction;
use crate::commands::audit::AuditArgs;
use crate::commands::automation::AutomationAction;
use crate::commands::commerce::{CommerceAction, EncryptionAction};
use crate::commands::fleet::{AccountArgs, AccountsArgs, SubscriptionsAction};
use crate::commands::lifecycle::{
    AddArgs, DeregisterArgs, RegisterArgs, RequestCodeArgs, SetPinArgs, UpdateArgs, VerifyCodeArgs,
};
use crate::commands::list::ListArgs;
#[cfg(feature = "mock")]
use crate::commands::mock::MockArgs;
use crate::commands::number::{AccountNumberArgs, GetArgs};
use crate::commands::oba::ObaAction;
use crate::commands::profile::{ProfileGetArgs, ProfilePhotoArgs, ProfileSetArgs};
use crate::commands::qr::QrAction;
use crate::commands::settings::{SettingsGetArgs, SettingsSetArgs};
use crate::commands::state::{HistoryArgs, StateArgs};
use crate::commands::username::UsernameAction;
use crate::commands::watch::WatchArgs;
use crate::commands::webhooks::WebhooksAction;
use crate::failure::Failure;
use crate::session::{Global, MockSetup, Session};

/// Manage WhatsApp Business phone numbers through the Graph API.
///
/// Exit codes: 0 success; 1 API or network error (after retries); 2 usage or validation
/// error (nothing was sent); 3 `audit` found a number at risk.
#[derive(Debug, Parser)]
#[command(name = "waphone", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Commands that call the API.
    #[command(flatten)]
    Api(ApiCommand),
    /// Serve the mock Graph API until interrupted (prints its base URL first).
    #[cfg(feature = "mock")]
    Mock(MockArgs),
    /// Receive Graph's webhooks (signature checked with --app-secret) and print each change.
    Webhooks {
        #[command(subcommand)]
        action: WebhooksAction,
    },
    /// The fleet as `watch` stored it (no call to Graph): each number's status, quality,
    /// limit and last change.
    State(StateArgs),
    /// The recorded changes of a number or an account (its numbers' too), oldest first.
    History(HistoryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

/// `completions <SHELL>`
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

impl CompletionsArgs {
    /// Writes the script to stdout (a closed pipe ends quietly).
    pub fn run(&self) -> Result<(), Failure> {
        use clap::CommandFactory;
        let mut command = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut command, "waphone", &mut script);
        crate::output::emit(&String::from_utf8_lossy(&script))
    }
}

/// Commands that call the API (through a client, or the embedded mock with `--mock`).
#[derive(Debug, Subcommand)]
pub enum ApiCommand {
    /// Read one phone number.
    Get(GetArgs),
    /// Read a WhatsApp account number node.
    AccountNumber(AccountNumberArgs),
    /// List the phone numbers of a WhatsApp Business Account.
    List(ListArgs),
    /// Table of every number of the given accounts, flagging those at risk (exit 3 if any).
    Audit(AuditArgs),
    /// Keep the fleet's state current from webhooks and periodic full reads; print each
    /// difference as one JSON line (a lost webhook shows as "unannounced").
    Watch(WatchArgs),
    /// List a business portfolio's WhatsApp Business Accounts.
    Accounts(AccountsArgs),
    /// Read one WhatsApp Business Account.
    Account(AccountArgs),
    /// The apps subscribed to an account's webhooks, and the account's callback override.
    Subscriptions {
        #[command(subcommand)]
        action: SubscriptionsAction,
    },
    /// An app's own webhook subscriptions (its callback URL and fields), with an app access
    /// token.
    App {
        #[command(subcommand)]
        action: AppAction,
    },
    /// Official Business Account status of a number.
    Oba {
        #[command(subcommand)]
        action: ObaAction,
    },
    /// QR codes (and wa.me links) of a number.
    Qr {
        #[command(subcommand)]
        action: QrAction,
    },
    /// Welcome message, prompts and commands of a number.
    Automation {
        #[command(subcommand)]
        action: AutomationAction,
    },
    /// The business username of a number: get, set, delete, suggest.
    Username {
        #[command(subcommand)]
        action: UsernameAction,
    },
    /// Whether a number shows its catalog and a cart.
    Commerce {
        #[command(subcommand)]
        action: CommerceAction,
    },
    /// The business public key Flows encrypt their data channel with.
    Encryption {
        #[command(subcommand)]
        action: EncryptionAction,
    },
    /// Add a phone number to an account.
    Add(AddArgs),
    /// Send a verification code.
    RequestCode(RequestCodeArgs),
    /// Verify the code that was sent.
    VerifyCode(VerifyCodeArgs),
    /// Register the number with Cloud API.
    Register(RegisterArgs),
    /// Deregister the number from Cloud API.
    Deregister(DeregisterArgs),
    /// Change the two-step verification PIN.
    SetPin(SetPinArgs),
    /// Update display name, webhook override or search visibility.
    Update(UpdateArgs),
    /// Read or change a number's settings.
    Settings {
        #[command(subcommand)]
        action: SettingsAction,
    },
    /// Read or change a number's business profile.
    Profile {
        #[command(subcommand)]
        action: ProfileAction,
    },
}

/// `settings` subcommands.
#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Show the settings.
    Get(SettingsGetArgs),
    /// Change settings.
    Set(SettingsSetArgs),
}

/// `profile` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Show the business profile.
    Get(ProfileGetArgs),
    /// Change the business profile.
    Set(ProfileSetArgs),
    /// Upload an image and make it the profile picture.
    Photo(ProfilePhotoArgs),
}

impl ApiCommand {
    /// What this command asks of the embedded mock (with `--mock`).
    pub fn mock_setup(&self) -> Result<MockSetup, Failure> {
        match self {
            ApiCommand::Watch(args) => {
                let (lively, drop_webhooks) = args.mock_options()?;
                Ok(MockSetup {
                    lively: Some(std::time::Duration::from_secs_f64(lively)),
                    drop_webhooks,
                })
            }
            _ => Ok(MockSetup::default()),
        }
    }

    /// Runs the command with version `V`'s types: the one place that maps syntax to code.
    /// Input errors name the flag (`--pin`), not the SDK's field.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.dispatch(session).await
    }

    async fn dispatch<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        match self {
            ApiCommand::Get(args) => args.run(session).await,
            ApiCommand::AccountNumber(args) => args.run(session).await,
            ApiCommand::List(args) => args.run(session).await,
            ApiCommand::Audit(args) => args.run(session).await,
            ApiCommand::Watch(args) => args.run(session).await,
            ApiCommand::Accounts(args) => args.run(session).await,
            ApiCommand::Account(args) => args.run(session).await,
            ApiCommand::Subscriptions { action } => action.run(session).await,
            ApiCommand::App { action } => action.run(session).await,
            ApiCommand::Oba { action } => action.run(session).await,
            ApiCommand::Qr { action } => action.run(session).await,
            ApiCommand::Automation { action } => action.run(session).await,
            ApiCommand::Username { action } => action.run(session).await,
            ApiCommand::Commerce { action } => action.run(session).await,
            ApiCommand::Encryption { action } => action.run(session).await,
            ApiCommand::Add(args) => args.run(session).await,
            ApiCommand::RequestCode(args) => args.run(session).await,
            ApiCommand::VerifyCode(args) => args.run(session).await,
            ApiCommand::Register(args) => args.run(session).await,
            ApiCommand::Deregister(args) => args.run(session).await,
            ApiCommand::SetPin(args) => args.run(session).await,
            ApiCommand::Update(args) => args.run(session).await,
            ApiCommand::Settings { action } => match action {
                SettingsAction::Get(args) => args.run(session).await,
                SettingsAction::Set(args) => args.run(session).await,
            },
            ApiCommand::Profile { action } => match action {
                ProfileAction::Get(args) => args.run(session).await,
                ProfileAction::Set(args) => args.run(session).await,
                ProfileAction::Photo(args) => args.run(session).await,
            },
        }
    }
}
