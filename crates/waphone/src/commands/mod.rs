//! One module per group of commands; each command is an `Args` struct with an
//! `async fn run<V: GraphVersion>(&self, session)`, written once for every version.

pub mod app;
pub mod audit;
pub mod automation;
pub mod commerce;
pub mod exec;
pub mod fleet;
pub mod lifecycle;
pub mod list;
#[cfg(feature = "mock")]
pub mod mock;
pub mod number;
pub mod oba;
pub mod profile;
pub mod qr;
pub mod settings;
pub mod state;
pub mod username;
pub mod watch;
pub mod webhooks;

use std::process::ExitCode;

use whatsapp_phone_numbers::Field;

/// Parses `--fields` values into a version's field selection (unknown names are sent as
/// written, and checked by the SDK before sending).
pub fn parse_fields<F: Field>(names: &[String]) -> Vec<F> {
    names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| F::parse(n))
        .collect()
}

/// The first `max + 1` bytes of the file at `path` at most: a file named as input is read
/// no further than its limit, so one more than the limit says it is too large (a path to
/// `/dev/zero` or a huge file is refused, not read into memory).
pub fn read_at_most(path: &std::path::Path, max: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A command that finished normally.
pub fn done() -> ExitCode {
    ExitCode::SUCCESS
}
