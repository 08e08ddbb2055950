//! `POST /{phone-number-id}/conversational_automation`: stored on the number, read back
//! with `fields=conversational_automation`.

use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_length, with_number};
use crate::errors::{GraphError, GraphResult, success};

/// The live API's limits (Meta's reference says 3 prompts and 30-character names).
const MAX_PROMPTS: usize = 4;
const MAX_COMMANDS: usize = 30;
const MAX_COMMAND_NAME: usize = 32;

/// `POST /{v}/{id}/conversational_automation`.
pub(crate) fn set(call: &Call) -> GraphResult {
    let id = call.id();
    let update: types::ConversationalAutomationUpdate = call.body()?;
    if update.prompts.len() > MAX_PROMPTS {
        return Err(GraphError::new(
            axum::http::StatusCode::BAD_REQUEST,
            105,
            "OAuthException",
            format!(
                "(#105) The parameter prompts must have at most {MAX_PROMPTS} elements, {} found.",
                update.prompts.len()
            ),
        ));
    }
    for (i, prompt) in update.prompts.iter().enumerate() {
        check_length(&format!("prompts[{i}]"), prompt, 1, 80)?;
    }
    if update.commands.len() > MAX_COMMANDS {
        return Err(GraphError::invalid_param(format!(
            "Param commands must have at most {MAX_COMMANDS} elements"
        )));
    }
    let mut names = Vec::new();
    for (i, command) in update.commands.iter().enumerate() {
        let name = &command.command_name;
        let valid = !name.is_empty()
            && name.len() <= MAX_COMMAND_NAME
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(GraphError::invalid_param(format!(
                "Param commands[{i}]['command_name'] must be 1 to {MAX_COMMAND_NAME} letters, digits or underscores"
            )));
        }
        if names.contains(name) {
            return Err(GraphError::invalid_param(format!(
                "Param commands[{i}]['command_name'] repeats {name}"
            )));
        }
        names.push(name.clone());
        check_length(
            &format!("commands[{i}]['command_description']"),
            &command.command_description,
            1,
            256,
        )?;
    }
    with_number(call, |record| {
        let current = record
            .number
            .conversational_automation
            .get_or_insert_with(|| types::ConversationalAutomation {
                id: Some(id.to_owned()),
                ..Default::default()
            });
        if let Some(welcome) = update.enable_welcome_message {
            current.enable_welcome_message = Some(welcome);
        }
        current.prompts = update.prompts.iter().map(|p| p.to_string()).collect();
        current.commands = update.commands.clone();
        Ok(())
    })?;
    Ok(success())
}
