//! Conversational automation of a number: the welcome message, ice-breaker prompts and
//! commands customers see when they open a chat.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::{
    ConversationalAutomationUpdate as _, ConversationalCommand as _,
};

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// At most this many prompts (the live API's limit; Meta's reference says 3).
pub const MAX_PROMPTS: usize = 4;
/// At most this many commands.
pub const MAX_COMMANDS: usize = 30;

/// `POST /<PHONE_NUMBER_ID>/conversational_automation`. Prompts and commands replace the
/// current ones (an empty list clears them).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SetConversationalAutomation<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::ConversationalAutomationUpdate,
    error: Option<Error>,
}

impl<V: GraphVersion> SetConversationalAutomation<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self {
            client,
            id,
            body: V::ConversationalAutomationUpdate::new(),
            error: None,
        }
    }

    fn check(mut self, result: Result<(), Error>) -> Self {
        validate::keep_first(&mut self.error, result);
        self
    }

    /// Whether a `request_welcome` message arrives when a customer first opens the chat.
    pub fn welcome_message(mut self, enabled: bool) -> Self {
        self.body.set_enable_welcome_message(enabled);
        self
    }

    /// Ice-breaker prompts: at most 4, each 1 to 80 characters.
    pub fn prompts(mut self, prompts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let prompts: Vec<String> = prompts.into_iter().map(Into::into).collect();
        let result = if prompts.len() > MAX_PROMPTS {
            Err(Error::invalid(
                "prompts",
                format!("at most {MAX_PROMPTS} prompts, got {}", prompts.len()),
            ))
        } else {
            prompts
                .iter()
                .map(|p| {
                    let p = validate::text("prompts", p, 1, 80)?;
                    validate::convert("prompts", &p)
                })
                .collect::<Result<Vec<_>, _>>()
                .map(|p| self.body.set_prompts(p))
        };
        self.check(result)
    }

    /// Commands as `(name, description)`: at most 30; a name is 1 to 32 letters, digits or
    /// `_` (no leading `/`), unique; a description 1 to 256 characters.
    pub fn commands<N: Into<String>, D: Into<String>>(
        mut self,
        commands: impl IntoIterator<Item = (N, D)>,
    ) -> Self {
        let commands: Vec<(String, String)> = commands
            .into_iter()
            .map(|(n, d)| (n.into(), d.into()))
            .collect();
        let result = check_commands(&commands).map(|()| {
            let list = commands
                .into_iter()
                .map(|(name, description)| V::ConversationalCommand::new(description, name))
                .collect();
            self.body.set_commands(list)
        });
        self.check(result)
    }

    /// Sends the automation.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        if self.body == V::ConversationalAutomationUpdate::new() {
            return Err(Error::invalid("automation", "nothing to set"));
        }
        self.client
            .call_with_body(V::SET_CONVERSATIONAL_AUTOMATION, &[&id], &self.body)
            .await
    }
}

into_future!(SetConversationalAutomation => Response<V::SuccessResponse>);

fn check_commands(commands: &[(String, String)]) -> Result<(), Error> {
    if commands.len() > MAX_COMMANDS {
        return Err(Error::invalid(
            "commands",
            format!("at most {MAX_COMMANDS} commands, got {}", commands.len()),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (name, description) in commands {
        let valid = !name.is_empty()
            && name.len() <= 32
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(Error::invalid(
                "commands",
                format!(
                    "a command name is 1 to 32 letters, digits or `_` without `/`, got {:?}",
                    validate::excerpt(name)
                ),
            ));
        }
        if !seen.insert(name.as_str()) {
            return Err(Error::invalid(
                "commands",
                format!("`{name}` is listed twice"),
            ));
        }
        validate::text("commands", description, 1, 256)?;
    }
    Ok(())
}
