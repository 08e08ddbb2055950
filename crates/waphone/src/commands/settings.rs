//! `settings get` and `settings set`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use whatsapp_phone_numbers::GraphVersion;

use super::done;
use crate::failure::Failure;
use crate::session::Session;

/// On or off.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Switch {
    /// Enable.
    On,
    /// Disable.
    Off,
}

/// `settings get <ID>`
#[derive(Debug, Args)]
pub struct SettingsGetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

impl SettingsGetArgs {
    /// Reads and prints the settings.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let settings = session
            .client
            .phone_number(&self.phone_number_id)
            .settings()
            .get()
            .await?;
        session.out.record(&*settings)?;
        Ok(done())
    }
}

/// `settings set <ID> [--identity-key-check on|off] [--calling on|off]`
#[derive(Debug, Args)]
pub struct SettingsSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The identity change check.
    #[arg(long, value_enum)]
    pub identity_key_check: Option<Switch>,
    /// Business calling.
    #[arg(long, value_enum)]
    pub calling: Option<Switch>,
}

impl SettingsSetArgs {
    /// Sends the change.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let mut request = session
            .client
            .phone_number(&self.phone_number_id)
            .settings()
            .update();
        if let Some(switch) = self.identity_key_check {
            request = request.identity_key_check(matches!(switch, Switch::On));
        }
        if let Some(switch) = self.calling {
            let status = match switch {
                Switch::On => "enabled",
                Switch::Off => "disabled",
            };
            let calling: V::CallingSettingsUpdate =
                serde_json::from_value(serde_json::json!({ "status": status })).map_err(|e| {
                    Failure::Local(format!("this API version's calling settings differ: {e}"))
                })?;
            request = request.calling(calling);
        }
        let answer = request.await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}
