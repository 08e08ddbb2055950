//! Command-line syntax.

use clap::{Args, Parser, Subcommand, ValueEnum};

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

/// Options for every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Access token (system user or user token).
    #[arg(
        long,
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
    /// Graph API version in the path, such as v23.0.
    #[arg(long, global = true)]
    pub api_version: Option<String>,
    /// Start the embedded mock on a free loopback port and use it (no token needed).
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
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Commands that call the API.
    #[command(flatten)]
    Api(ApiCommand),
    /// Serve the mock Graph API until interrupted (prints its base URL first).
    Mock {
        /// Port on 127.0.0.1 (default: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
}

/// Commands that call the API (through a client, or the embedded mock with `--mock`).
#[derive(Debug, Subcommand)]
pub enum ApiCommand {
    /// Read one phone number.
    Get {
        /// Phone number ID.
        phone_number_id: String,
        /// Comma-separated fields (default: Graph's default fields).
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
    },
    /// Read a WhatsApp account number node.
    AccountNumber {
        /// Account number ID.
        id: String,
        /// Comma-separated fields.
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
    },
    /// List the phone numbers of a WhatsApp Business Account.
    List {
        /// WhatsApp Business Account ID.
        waba_id: String,
        /// Comma-separated fields.
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
        /// Page size (1 to 100).
        #[arg(long)]
        limit: Option<u32>,
        /// Follow the cursor through every page.
        #[arg(long)]
        all: bool,
        /// Start after this cursor.
        #[arg(long)]
        after: Option<String>,
        /// Sort order: asc or desc (by onboarding time), or a Graph sort key.
        #[arg(long)]
        sort: Option<String>,
        /// Filter as FIELD=VALUE (repeatable), e.g. account_mode=SANDBOX.
        #[arg(long = "filter", value_name = "FIELD=VALUE")]
        filters: Vec<String>,
    },
    /// Table of every number of the given accounts, flagging those at risk (exit 3 if any).
    Audit {
        /// WhatsApp Business Account IDs (with --mock and none: the demo account).
        waba_ids: Vec<String>,
        /// Accounts read at the same time.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
    /// Add a phone number to an account.
    Add {
        /// WhatsApp Business Account ID.
        waba_id: String,
        /// Country calling code, such as 1.
        #[arg(long)]
        cc: String,
        /// The number without country code.
        #[arg(long)]
        phone_number: String,
        /// Display name to submit for review.
        #[arg(long)]
        verified_name: String,
        /// Move a number registered on another account.
        #[arg(long)]
        migrate: bool,
    },
    /// Send a verification code.
    RequestCode {
        /// Phone number ID.
        phone_number_id: String,
        /// Delivery method.
        #[arg(long, value_enum)]
        method: CodeMethodArg,
        /// Locale of the message, such as en_US.
        #[arg(long)]
        language: String,
    },
    /// Verify the code that was sent.
    VerifyCode {
        /// Phone number ID.
        phone_number_id: String,
        /// The six-digit code.
        #[arg(long)]
        code: String,
    },
    /// Register the number with Cloud API.
    Register {
        /// Phone number ID.
        phone_number_id: String,
        /// Six-digit two-step verification PIN.
        #[arg(long)]
        pin: String,
    },
    /// Deregister the number from Cloud API.
    Deregister {
        /// Phone number ID.
        phone_number_id: String,
    },
    /// Change the two-step verification PIN.
    SetPin {
        /// Phone number ID.
        phone_number_id: String,
        /// New six-digit PIN.
        #[arg(long)]
        pin: String,
    },
    /// Update display name, webhook override or search visibility.
    Update {
        /// Phone number ID.
        phone_number_id: String,
        /// Request a new display name.
        #[arg(long)]
        new_display_name: Option<String>,
        /// Send this number's webhooks to this https URL.
        #[arg(long)]
        webhook_url: Option<String>,
        /// Verify token for --webhook-url.
        #[arg(long, requires = "webhook_url")]
        verify_token: Option<String>,
        /// Remove the webhook override.
        #[arg(long, conflicts_with = "webhook_url")]
        remove_webhook: bool,
        /// Whether the business is found through WhatsApp search.
        #[arg(long, value_enum)]
        search_visibility: Option<VisibilityArg>,
    },
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
    Get {
        /// Phone number ID.
        phone_number_id: String,
    },
    /// Change settings.
    Set {
        /// Phone number ID.
        phone_number_id: String,
        /// The identity change check.
        #[arg(long, value_enum)]
        identity_key_check: Option<Switch>,
        /// Business calling.
        #[arg(long, value_enum)]
        calling: Option<Switch>,
    },
}

/// `profile` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Show the business profile.
    Get {
        /// Phone number ID.
        phone_number_id: String,
    },
    /// Change the business profile.
    Set {
        /// Phone number ID.
        phone_number_id: String,
        /// Short text under the name.
        #[arg(long)]
        about: Option<String>,
        /// Postal address.
        #[arg(long)]
        address: Option<String>,
        /// Longer description.
        #[arg(long)]
        description: Option<String>,
        /// Contact email.
        #[arg(long)]
        email: Option<String>,
        /// Website (repeat for a second one).
        #[arg(long = "website")]
        websites: Vec<String>,
        /// Industry, such as RETAIL.
        #[arg(long)]
        vertical: Option<String>,
    },
}

/// Verification code delivery.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CodeMethodArg {
    /// Text message.
    Sms,
    /// Voice call.
    Voice,
}

/// On or off.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Switch {
    /// Enable.
    On,
    /// Disable.
    Off,
}

/// Search visibility.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VisibilityArg {
    /// Findable.
    Visible,
    /// Hidden.
    Hidden,
}
