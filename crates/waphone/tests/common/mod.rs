//! What every `waphone` subprocess test starts from.

use std::process::{Command, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_waphone");

/// `waphone` with none of the environment variables it reads, and no stdin.
pub fn command() -> Command {
    let mut command = Command::new(BIN);
    for var in [
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_BASE_URL",
        "WHATSAPP_API_VERSION",
        "WHATSAPP_APP_ID",
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN",
        "WHATSAPP_PIN",
        "WHATSAPP_VERIFICATION_CODE",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command.stdin(Stdio::null());
    command
}
