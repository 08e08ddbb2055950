//! Exit codes and the one-line error report.

use std::process::ExitCode;

use whatsapp_phone_numbers::{Error, InvalidInput};

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or input; nothing was sent (exit 2).
    Usage(String),
    /// An input the SDK refused before sending (exit 2).
    Input(InvalidInput),
    /// The API or the network failed after retries (exit 1).
    Api(Error),
    /// Something local failed, such as starting the mock (exit 1).
    Local(String),
    /// Whoever read stdout went away (a closed pipe): exit 1 without a message.
    Closed,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidInput(input) => Failure::Input(input),
            Error::Config(_) => Failure::Usage(error.to_string()),
            other => Failure::Api(other),
        }
    }
}

impl Failure {
    /// This failure with an input field named as the command line names it (`--website`
    /// for the SDK's `business_website_url`), looked up by `name` (see [`crate::flags`]).
    pub fn named_by(self, name: impl Fn(&str) -> Option<String>) -> Self {
        match self {
            Failure::Input(input) => match name(input.field) {
                Some(flag) => Failure::Usage(format!(
                    "invalid {flag}: {} (nothing was sent)",
                    input.reason
                )),
                None => Failure::Input(input),
            },
            other => other,
        }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Failure::Usage(_) | Failure::Input(_) => ExitCode::from(2),
            Failure::Api(_) | Failure::Local(_) | Failure::Closed => ExitCode::from(1),
        }
    }

    /// One line for stderr: Graph code, subcode, message and fbtrace_id for API errors.
    /// Built from `Display` impls that never contain credentials.
    pub fn line(&self) -> Option<String> {
        let text = match self {
            Failure::Closed => return None,
            Failure::Usage(message) => format!("error: {message}"),
            Failure::Input(input) => format!(
                "error: invalid {}: {} (nothing was sent)",
                input.field, input.reason
            ),
            Failure::Local(message) => format!("error: {message}"),
            Failure::Api(error) => {
                let mut line = format!("error: {error}");
                if let Some(id) = error.request_id() {
                    line.push_str(&format!(" [x-fb-request-id {id}]"));
                }
                line
            }
        };
        Some(crate::terminal::safe(&text.replace(['\r', '\n'], " ")))
    }
}

/// Exit code 3: `audit` found a number at risk.
pub fn at_risk() -> ExitCode {
    ExitCode::from(3)
}
