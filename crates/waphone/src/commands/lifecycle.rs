//! `add`, `request-code`, `verify-code`, `register`, `deregister`, `set-pin`, `update`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use whatsapp_phone_numbers::{GraphVersion, TwoStepPin, VerificationCode};

use super::done;
use crate::failure::Failure;
use crate::session::Session;

/// `add <WABA_ID> --cc CC --phone-number N --verified-name NAME [--migrate]`
#[derive(Debug, Args)]
pub struct AddArgs {
    /// WhatsApp Business Account ID.
    pub waba_id: String,
    /// Country calling code, such as 1.
    #[arg(long)]
    pub cc: String,
    /// The number without country code.
    #[arg(long)]
    pub phone_number: String,
    /// Display name to submit for review.
    #[arg(long)]
    pub verified_name: String,
    /// Move a number registered on another account.
    #[arg(long)]
    pub migrate: bool,
}

impl AddArgs {
    /// Adds the number and prints its ID.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let mut request = session
            .client
            .business_account(&self.waba_id)
            .phone_numbers()
            .add(&self.cc, &self.phone_number, &self.verified_name);
        if self.migrate {
            request = request.migrate(true);
        }
        let created = request.await?;
        session.out.record(&*created)?;
        Ok(done())
    }
}

/// Verification code delivery.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CodeMethodArg {
    /// Text message.
    Sms,
    /// Voice call.
    Voice,
}

/// `request-code <ID> --method sms|voice --language LOCALE`
#[derive(Debug, Args)]
pub struct RequestCodeArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Delivery method.
    #[arg(long, value_enum)]
    pub method: CodeMethodArg,
    /// Locale of the message, such as en_US.
    #[arg(long)]
    pub language: String,
}

impl RequestCodeArgs {
    /// Sends the code.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let method = V::CodeMethod::from(match self.method {
            CodeMethodArg::Sms => "SMS",
            CodeMethodArg::Voice => "VOICE",
        });
        let answer = session
            .client
            .phone_number(&self.phone_number_id)
            .request_code(method, &self.language)
            .await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}

/// `verify-code <ID> --code CODE`
#[derive(Debug, Args)]
pub struct VerifyCodeArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The six-digit code (or WHATSAPP_VERIFICATION_CODE, kept out of the process list).
    #[arg(long, env = "WHATSAPP_VERIFICATION_CODE", hide_env_values = true)]
    pub code: String,
}

impl VerifyCodeArgs {
    /// Verifies the code.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let code = VerificationCode::new(&self.code)?;
        let answer = session
            .client
            .phone_number(&self.phone_number_id)
            .verify_code(code)
            .await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}

/// `register <ID> --pin PIN`
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Six-digit two-step verification PIN (or WHATSAPP_PIN, kept out of the process list).
    #[arg(long, env = "WHATSAPP_PIN", hide_env_values = true)]
    pub pin: String,
}

impl RegisterArgs {
    /// Registers the number.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let pin = TwoStepPin::new(&self.pin)?;
        let answer = session
            .client
            .phone_number(&self.phone_number_id)
            .register(pin)
            .await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}

/// `deregister <ID>`
#[derive(Debug, Args)]
pub struct DeregisterArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

impl DeregisterArgs {
    /// Deregisters the number.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let answer = session
            .client
            .phone_number(&self.phone_number_id)
            .deregister()
            .await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}

/// `set-pin <ID> --pin PIN`
#[derive(Debug, Args)]
pub struct SetPinArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// New six-digit PIN (or WHATSAPP_PIN, kept out of the process list).
    #[arg(long, env = "WHATSAPP_PIN", hide_env_values = true)]
    pub pin: String,
}

impl SetPinArgs {
    /// Changes the PIN.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let pin = TwoStepPin::new(&self.pin)?;
        let answer = session
            .client
            .phone_number(&self.phone_number_id)
            .set_pin(pin)
            .await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}

/// Search visibility.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VisibilityArg {
    /// Findable.
    Visible,
    /// Hidden.
    Hidden,
}

/// `update <ID> [...]`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// Request a new display name.
    #[arg(long)]
    pub new_display_name: Option<String>,
    /// Send this number's webhooks to this https URL.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// Verify token for --webhook-url.
    #[arg(long, requires = "webhook_url")]
    pub verify_token: Option<String>,
    /// Remove the webhook override.
    #[arg(long, conflicts_with = "webhook_url")]
    pub remove_webhook: bool,
    /// Whether the business is found through WhatsApp search.
    #[arg(long, value_enum)]
    pub search_visibility: Option<VisibilityArg>,
}

impl UpdateArgs {
    /// Sends the update.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let mut request = session.client.phone_number(&self.phone_number_id).update();
        if let Some(name) = &self.new_display_name {
            request = request.new_display_name(name);
        }
        if let Some(url) = &self.webhook_url {
            request = request.webhook(url, self.verify_token.clone());
        }
        if self.remove_webhook {
            request = request.remove_webhook_override();
        }
        if let Some(visibility) = self.search_visibility {
            request = request.search_visibility(V::SearchVisibility::from(match visibility {
                VisibilityArg::Visible => "VISIBLE",
                VisibilityArg::Hidden => "HIDDEN",
            }));
        }
        let answer = request.await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}
