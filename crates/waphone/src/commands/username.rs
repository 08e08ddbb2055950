//! `username get|set|delete|suggest PHONE_ID`: a number's business username.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use whatsapp_phone_numbers::view::UsernameSuggestions as _;
use whatsapp_phone_numbers::{GraphVersion, Page as _};

use super::done;
use crate::failure::Failure;
use crate::session::Session;

/// `username` subcommands.
#[derive(Debug, Subcommand)]
pub enum UsernameAction {
    /// The number's username and its status (reserved, approved).
    Get(UsernamePhoneArgs),
    /// Claim or change the username (3 to 35 letters, digits, `.` or `_`; Meta's rule).
    Set(UsernameSetArgs),
    /// Remove the username.
    Delete(UsernamePhoneArgs),
    /// Usernames Meta suggests for the number.
    Suggest(UsernamePhoneArgs),
}

/// `username get|delete|suggest PHONE_ID`.
#[derive(Debug, Args)]
pub struct UsernamePhoneArgs {
    /// Phone number ID.
    pub phone_number_id: String,
}

/// `username set PHONE_ID USERNAME [--force-transfer]`.
#[derive(Debug, Args)]
pub struct UsernameSetArgs {
    /// Phone number ID.
    pub phone_number_id: String,
    /// The username to claim.
    pub username: String,
    /// Move the username from another number of the same business portfolio that holds it
    /// (without this flag, such a claim fails).
    #[arg(long)]
    pub force_transfer: bool,
}

impl UsernameAction {
    /// Runs the subcommand.
    pub async fn run<V: GraphVersion>(&self, session: &Session<V>) -> Result<ExitCode, Failure> {
        let client = &session.client;
        match self {
            UsernameAction::Get(args) => {
                let answer = client
                    .phone_number(&args.phone_number_id)
                    .username()
                    .get()
                    .await?;
                session.out.record(&*answer)?;
            }
            UsernameAction::Set(args) => {
                let mut request = client
                    .phone_number(&args.phone_number_id)
                    .username()
                    .set(args.username.clone());
                if args.force_transfer {
                    request = request.force_transfer();
                }
                let answer = request.await?;
                session.out.record(&*answer)?;
            }
            UsernameAction::Delete(args) => {
                let answer = client
                    .phone_number(&args.phone_number_id)
                    .username()
                    .delete()
                    .await?;
                session.out.record(&*answer)?;
            }
            UsernameAction::Suggest(args) => {
                let answer = client
                    .phone_number(&args.phone_number_id)
                    .username()
                    .suggestions()
                    .await?;
                if session.out.json {
                    session.out.json(&*answer)?;
                } else {
                    let names: Vec<String> = answer
                        .items()
                        .iter()
                        .flat_map(|item| item.username_suggestions())
                        .map(|name| crate::terminal::safe(name))
                        .collect();
                    crate::output::emit(&format!("{}\n", names.join("\n")))?;
                }
            }
        }
        Ok(done())
    }
}
