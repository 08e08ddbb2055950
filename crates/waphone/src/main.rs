//! `waphone`: the WhatsApp Business phone-number management API from the command line.
//!
//! Try it without a Meta account: `waphone --mock audit`.

mod cli;
mod commands;
mod failure;
mod output;
mod session;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{ApiCommand as Command, Cli, Command as Top, ProfileAction, SettingsAction};
use crate::commands::versioned::{self, v23_0, v24_0};
use crate::commands::{lifecycle, profile, settings};
use crate::failure::Failure;
use crate::session::Session;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(failure) => {
            if let Some(line) = failure.line() {
                eprintln!("{line}");
            }
            failure.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let command = match cli.command {
        Top::Mock { port } => {
            commands::mock::serve(&cli.global, port).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Top::Api(command) => command,
    };
    let session = Session::open(&cli.global).await?;
    let s = &session;
    match &command {
        Command::Get {
            phone_number_id,
            fields,
        } if s.uses_v24() => v24_0::get(s, phone_number_id, fields).await?,
        Command::Get {
            phone_number_id,
            fields,
        } => v23_0::get(s, phone_number_id, fields).await?,
        Command::AccountNumber { id, fields } if s.uses_v24() => {
            v24_0::account_number(s, id, fields).await?
        }
        Command::AccountNumber { id, fields } => v23_0::account_number(s, id, fields).await?,
        Command::List {
            waba_id,
            fields,
            limit,
            all,
            after,
            sort,
            filters,
        } => {
            let args = versioned::ListArgs {
                waba_id,
                fields,
                limit: *limit,
                all: *all,
                after: after.as_deref(),
                sort: sort.as_deref(),
                filters,
            };
            if s.uses_v24() {
                v24_0::list(s, args).await?
            } else {
                v23_0::list(s, args).await?
            }
        }
        Command::Audit {
            waba_ids,
            concurrency,
        } => {
            let at_risk = if s.uses_v24() {
                v24_0::audit(s, waba_ids, *concurrency).await?
            } else {
                v23_0::audit(s, waba_ids, *concurrency).await?
            };
            if at_risk {
                return Ok(failure::at_risk());
            }
        }
        Command::Add {
            waba_id,
            cc,
            phone_number,
            verified_name,
            migrate,
        } => lifecycle::add(s, waba_id, cc, phone_number, verified_name, *migrate).await?,
        Command::RequestCode {
            phone_number_id,
            method,
            language,
        } => lifecycle::request_code(s, phone_number_id, *method, language).await?,
        Command::VerifyCode {
            phone_number_id,
            code,
        } => lifecycle::verify_code(s, phone_number_id, code).await?,
        Command::Register {
            phone_number_id,
            pin,
        } => lifecycle::register(s, phone_number_id, pin).await?,
        Command::Deregister { phone_number_id } => {
            lifecycle::deregister(s, phone_number_id).await?
        }
        Command::SetPin {
            phone_number_id,
            pin,
        } => lifecycle::set_pin(s, phone_number_id, pin).await?,
        Command::Update {
            phone_number_id,
            new_display_name,
            webhook_url,
            verify_token,
            remove_webhook,
            search_visibility,
        } => {
            lifecycle::update(
                s,
                phone_number_id,
                lifecycle::UpdateArgs {
                    new_display_name: new_display_name.as_deref(),
                    webhook_url: webhook_url.as_deref(),
                    verify_token: verify_token.as_deref(),
                    remove_webhook: *remove_webhook,
                    search_visibility: *search_visibility,
                },
            )
            .await?
        }
        Command::Settings { action } => match action {
            SettingsAction::Get { phone_number_id } => settings::get(s, phone_number_id).await?,
            SettingsAction::Set {
                phone_number_id,
                identity_key_check,
                calling,
            } => settings::set(s, phone_number_id, *identity_key_check, *calling).await?,
        },
        Command::Profile { action } => match action {
            ProfileAction::Get { phone_number_id } => profile::get(s, phone_number_id).await?,
            ProfileAction::Set {
                phone_number_id,
                about,
                address,
                description,
                email,
                websites,
                vertical,
            } => {
                profile::set(
                    s,
                    phone_number_id,
                    profile::ProfileArgs {
                        about: about.as_deref(),
                        address: address.as_deref(),
                        description: description.as_deref(),
                        email: email.as_deref(),
                        websites,
                        vertical: vertical.as_deref(),
                    },
                )
                .await?
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
