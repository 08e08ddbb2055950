//! QR codes of a number: `GET`/`POST /{phone-number-id}/message_qrdls` (list, create or
//! change) and `GET`/`DELETE /{phone-number-id}/message_qrdls/{code}`.

use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, check_length, exists, page_url};
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::fields;
use crate::ids::stable_hash;
use crate::paging::{self, Position, SortKey};

/// Letters and digits of a QR code (Graph's own codes end in a digit).
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn not_found() -> GraphError {
    GraphError::new(
        axum::http::StatusCode::NOT_FOUND,
        803,
        "GraphMethodException",
        "(#803) QR code not found",
    )
}

fn wanted(call: &Call) -> Result<Vec<String>, GraphError> {
    fields::parse(
        call.params.get("fields").as_deref(),
        fields::QR_FIELDS,
        &["code", "prefilled_message", "deep_link_url"],
        fields::QR_NODE,
    )
}

/// `GET /{v}/{id}/message_qrdls`: newest first, 25 at most per page.
pub(crate) fn list(call: &Call, id: &str) -> GraphResult {
    exists(call, id)?;
    let p = call.params;
    let fields = wanted(call)?;
    let limit = paging::parse_limit(p.get("limit").as_deref())?.min(25);
    let position = match (p.get("after"), p.get("before")) {
        (Some(c), _) if !c.is_empty() => Position::After(paging::decode_cursor("after", &c)?),
        (_, Some(c)) if !c.is_empty() => Position::Before(paging::decode_cursor("before", &c)?),
        _ => Position::First,
    };
    let only = p.get("code").filter(|c| !c.is_empty());
    let codes: Vec<types::QrCode> = call
        .state
        .qr_codes(id)
        .into_iter()
        .filter(|q| only.as_deref().is_none_or(|c| q.code.as_deref() == Some(c)))
        .collect();
    // Newest first: the key is the creation time, descending.
    let mut keyed: Vec<(SortKey, types::QrCode)> = codes
        .into_iter()
        .map(|q| {
            let key = (
                q.creation_time.unwrap_or(0),
                q.code.clone().unwrap_or_default(),
            );
            (key, q)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0));
    let keys: Vec<SortKey> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let window = paging::window(&keys, false, &position, limit);
    let data = keyed[window.start..window.end]
        .iter()
        .map(|(_, q)| fields::project_qr(q, &fields))
        .collect();
    let paging = paging::paging(&keys, &window, |name, cursor| {
        page_url(call, &format!("{id}/message_qrdls"), limit, name, cursor)
    });
    Ok(ok_json(&types::QrCodePage {
        data,
        paging: Some(paging),
    }))
}

/// `POST /{v}/{id}/message_qrdls`: creates a code (no `code`) or changes one's message.
pub(crate) fn save(call: &Call, id: &str) -> GraphResult {
    exists(call, id)?;
    let request: types::QrCodeRequest = call.params.decode()?;
    if request.prefilled_message.trim().is_empty() {
        return Err(GraphError::invalid_param(
            "Param prefilled_message is required",
        ));
    }
    check_length("prefilled_message", &request.prefilled_message, 1, 140)?;
    if let Some(format) = &request.generate_qr_image
        && format.is_unknown()
    {
        return Err(super::not_one_of(
            "generate_qr_image",
            types::QrImageFormat::KNOWN,
        ));
    }
    let mut inner = call.state.lock();
    let codes = inner.qr_codes.entry(id.to_owned()).or_default();
    if let Some(code) = &request.code {
        let existing = codes
            .iter_mut()
            .find(|q| q.code.as_deref() == Some(code.as_str()))
            .ok_or_else(not_found)?;
        existing.prefilled_message = Some(request.prefilled_message.to_string());
        return Ok(ok_json(&*existing));
    }
    let count = codes.len().to_string();
    let seed = stable_hash(&[
        id.as_bytes(),
        count.as_bytes(),
        request.prefilled_message.as_bytes(),
    ]);
    let mut code: String = (0..13)
        .map(|i| ALPHABET[((seed >> (i * 5)) & 31) as usize] as char)
        .collect();
    code.push('1');
    let created = types::QrCode {
        deep_link_url: Some(format!("https://wa.me/message/{code}")),
        qr_image_url: request.generate_qr_image.as_ref().map(|f| {
            format!(
                "https://scontent.example.net/qr/{code}.{}",
                f.as_str().to_ascii_lowercase()
            )
        }),
        creation_time: Some(crate::state::unix_now() + codes.len() as i64),
        prefilled_message: Some(request.prefilled_message.to_string()),
        code: Some(code),
    };
    codes.push(created.clone());
    let mut answer = created;
    answer.creation_time = None;
    Ok(ok_json(&answer))
}

/// `GET /{v}/{id}/message_qrdls/{code}`: a one-element `data` list.
pub(crate) fn get(call: &Call, id: &str, code: &str) -> GraphResult {
    exists(call, id)?;
    let fields = wanted(call)?;
    let found = call
        .state
        .qr_codes(id)
        .into_iter()
        .find(|q| q.code.as_deref() == Some(code))
        .ok_or_else(not_found)?;
    Ok(ok_json(&types::QrCodePage {
        data: vec![fields::project_qr(&found, &fields)],
        paging: None,
    }))
}

/// `DELETE /{v}/{id}/message_qrdls/{code}`.
pub(crate) fn delete(call: &Call, id: &str, code: &str) -> GraphResult {
    exists(call, id)?;
    let mut inner = call.state.lock();
    let codes = inner.qr_codes.entry(id.to_owned()).or_default();
    let before = codes.len();
    codes.retain(|q| q.code.as_deref() != Some(code));
    if codes.len() == before {
        return Err(not_found());
    }
    Ok(success())
}
