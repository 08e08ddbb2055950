//! `waphone`: the WhatsApp Business phone-number management API from the command line.
//!
//! Try it without a Meta account: `waphone --mock audit`.

mod cli;
mod commands;
mod failure;
mod flags;
mod logging;
mod metrics;
mod output;
mod session;
mod terminal;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use whatsapp_phone_numbers::{GraphVersion, VersionVisitor, visit_version};

use crate::cli::{ApiCommand, Cli, Command};
use crate::failure::Failure;
use crate::session::{Global, Session};

fn main() -> ExitCode {
    let root = Cli::command();
    let matches = root.clone().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let path = flags::path(&matches);
    logging::init(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            crate::to_stderr!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(failure) => {
            // Input errors name the flag (`--pin`), not the SDK's field.
            let failure = failure.named_by(|field| flags::flag_for(&root, &path, field));
            if let Some(line) = failure.line() {
                crate::to_stderr!("{line}");
            }
            failure.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let command = match &cli.command {
        #[cfg(feature = "mock")]
        Command::Mock(args) => {
            args.run(&cli.global).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Webhooks { action } => {
            action.run(&cli.global).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::State(args) => {
            args.run(&cli.global).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::History(args) => {
            args.run(&cli.global).await?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Completions(args) => {
            args.run()?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Api(command) => command,
    };
    // The one version decision: the requested version's types when this build has them,
    // else the nearest older ones; the path always carries the requested version.
    let requested = cli.global.requested_version()?;
    let run = Run {
        global: &cli.global,
        command,
        version: requested,
    };
    match visit_version(requested, run) {
        Some(picked) => picked.output.await,
        None => Err(Failure::Usage(
            "this build of waphone has no Graph API version feature".into(),
        )),
    }
}

/// A command, to run with the types [`visit_version`] picks.
struct Run<'a> {
    global: &'a Global,
    command: &'a ApiCommand,
    version: whatsapp_phone_numbers::ApiVersion,
}

impl<'a> VersionVisitor for Run<'a> {
    type Output = Pin<Box<dyn Future<Output = Result<ExitCode, Failure>> + 'a>>;

    fn visit<V: GraphVersion>(self) -> Self::Output {
        Box::pin(async move {
            let setup = self.command.mock_setup()?;
            let session = Session::<V>::open(self.global, self.version, setup).await?;
            self.command.run(&session).await
        })
    }
}
