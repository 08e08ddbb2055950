//! `automation set PHONE_ID`: welcome message, prompts and commands.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use whatsapp_phone_numbers::GraphVersion;

use super::done;

use super::settings::Switch;
use crate::failure::Failure;
use crate::session::Session;

/// `automation` subcommands.
#[derive(Debug, Subcommand)]
pub enum AutomationAction {
    /// Set the welcome message, prompts and commands (prompts and commands replace the
    /// current ones).
    Set(AutomationSetArgs),
}

/// `automation set PHONE_ID [--welcome on|off] [--prompt TEXT]... [--command NAME=DESCRIPTION]...`
#[derive(Debug, Args)]
pub struct AutomationSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The welcome message.
    #[arg(long, value_enum)]
    pub welcome: Option<Switch>,
    /// An ice-breaker prompt (repeat, at most 4).
    #[arg(long = "prompt", value_name = "TEXT")]
    pub prompts: Vec<String>,
    /// A command as NAME=DESCRIPTION (repeat, at most 30).
    #[arg(long = "command", value_name = "NAME=DESCRIPTION")]
    pub commands: Vec<String>,
}

impl AutomationAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        self.run_inner(session).await
    }

    async fn run_inner<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let AutomationAction::Set(args) = self;
        let mut commands = Vec::new();
        for command in &args.commands {
            match command.split_once('=') {
                Some((name, description)) => commands.push((name.trim(), description.trim())),
                None => {
                    return Err(Failure::Usage(format!(
                        "invalid --command: expected NAME=DESCRIPTION, got {command:?} (nothing was sent)"
                    )));
                }
            }
        }
        let mut request = session
            .client
            .phone_number(&args.phone_number_id)
            .conversational_automation();
        if let Some(switch) = args.welcome {
            request = request.welcome_message(matches!(switch, Switch::On));
        }
        if !args.prompts.is_empty() {
            request = request.prompts(args.prompts.iter().cloned());
        }
        if !commands.is_empty() {
            request = request.commands(commands);
        }
        let answer = request.await?;
        session.out.record(&*answer)?;
        Ok(done())
    }
}
