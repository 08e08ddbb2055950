//! `GET`/`POST`/`DELETE /{phone-number-id}/username` and `GET /{phone-number-id}/username_suggestions`:
//! a number's business username, one per number and unique (compared without regard to
//! case), written to the number's `username` field too.
//!
//! Sources: Meta's business-username guide, as Vonage's and Kapso's documentation of Meta's
//! API relay it: the rule (`whatsapp_phone_numbers_api::wire::username_problem`, shared with
//! the client), the answers (`{username, status}`, `{status: reserved}` after a claim,
//! `{success: true}` after a removal, `{data: [{username_suggestions: [...]}]}`), and
//! `transfer_action` (`none` fails when another number of the same business portfolio
//! holds the name, `force_transfer` moves it). Not documented there, and so the mock's own
//! choices: the error codes (Graph's invalid-parameter error 100 for a bad or taken name),
//! that a removal without a username still succeeds, how suggestions are made (from the
//! verified name), and that a claimed name stays `reserved` (tests move it on with
//! [`MockState::set_username_status`](crate::MockState::set_username_status)). The
//! `business_username_updates` webhook is not sent.

use serde_json::json;
use whatsapp_phone_numbers_api::v24_0::types;
use whatsapp_phone_numbers_api::wire::username_problem;

use super::{Call, with_number};
use crate::errors::{GraphError, GraphResult, ok_json, success};

/// `GET /{v}/{id}/username`.
pub(crate) fn get(call: &Call) -> GraphResult {
    let answer = with_number(call, |record| {
        Ok(match &record.number.username {
            Some(username) => json!({
                "username": username,
                "status": record.username_status.as_deref().unwrap_or("approved"),
            }),
            None => json!({}),
        })
    })?;
    Ok(ok_json(&answer))
}

/// `POST /{v}/{id}/username`.
pub(crate) fn set(call: &Call) -> GraphResult {
    let id = call.id().to_owned();
    let update: types::UsernameUpdate = call.body()?;
    if let Some(problem) = username_problem(&update.username) {
        return Err(GraphError::invalid_param(format!(
            "Param username {problem}"
        )));
    }
    let force = match &update.transfer_action {
        None | Some(types::UsernameTransferAction::None) => false,
        Some(types::UsernameTransferAction::ForceTransfer) => true,
        Some(other) => {
            return Err(GraphError::invalid_param(format!(
                "Param transfer_action must be one of {{none, force_transfer}}, got {other}"
            )));
        }
    };
    let mut inner = call.state.lock();
    let Some(own_waba) = inner.numbers.get(&id).map(|r| r.waba_id.clone()) else {
        return Err(GraphError::unsupported(call.op.method.as_str(), &id));
    };
    let holder = inner
        .numbers
        .iter()
        .find(|(other, record)| {
            **other != id
                && record
                    .number
                    .username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(&update.username))
        })
        .map(|(other, record)| (other.clone(), record.waba_id.clone()));
    if let Some((holder, holder_waba)) = holder {
        let same_portfolio = inner
            .portfolio_of(&own_waba)
            .is_some_and(|p| inner.portfolio_of(&holder_waba) == Some(p));
        if !same_portfolio {
            return Err(GraphError::invalid_param(
                "Param username is not available: another business holds it",
            ));
        }
        if !force {
            return Err(GraphError::invalid_param(
                "Param username belongs to another phone number of this business portfolio; send transfer_action force_transfer to move it",
            ));
        }
        if let Some(record) = inner.numbers.get_mut(&holder) {
            record.number.username = None;
            record.username_status = None;
        }
    }
    let record = inner
        .numbers
        .get_mut(&id)
        .ok_or_else(|| GraphError::unsupported(call.op.method.as_str(), &id))?;
    record.number.username = Some(update.username.clone());
    record.username_status = Some("reserved".to_owned());
    Ok(ok_json(&json!({ "status": "reserved" })))
}

/// `DELETE /{v}/{id}/username`.
pub(crate) fn delete(call: &Call) -> GraphResult {
    with_number(call, |record| {
        record.number.username = None;
        record.username_status = None;
        Ok(())
    })?;
    Ok(success())
}

/// `GET /{v}/{id}/username_suggestions`: names made from the verified name that follow
/// the rule and no other number holds.
pub(crate) fn suggestions(call: &Call) -> GraphResult {
    let id = call.id();
    let inner = call.state.lock();
    let record = inner
        .numbers
        .get(id)
        .ok_or_else(|| GraphError::unsupported(call.op.method.as_str(), id))?;
    let name = record.number.verified_name.clone().unwrap_or_default();
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut candidates = vec![words.join("_"), words.join(""), words.join(".")];
    if let Some(first) = words.first() {
        candidates.push(format!("{first}_official"));
        candidates.push(format!("{first}_shop"));
    }
    let taken = |candidate: &str| {
        inner.numbers.values().any(|r| {
            r.number
                .username
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(candidate))
        })
    };
    let mut suggestions: Vec<String> = Vec::new();
    for candidate in candidates {
        if username_problem(&candidate).is_none()
            && !taken(&candidate)
            && !suggestions.contains(&candidate)
        {
            suggestions.push(candidate);
        }
    }
    Ok(ok_json(
        &json!({ "data": [{ "username_suggestions": suggestions }] }),
    ))
}
