//! QR codes of a number: `GET`/`POST /{phone-number-id}/message_qrdls` (list, create or
//! change) and `GET`/`DELETE /{phone-number-id}/message_qrdls/{code}`.
//!
//! From Meta's QR code page: a number has at most 2,000 QR codes and short links, and a
//! prefilled message at most 140 characters (the request type holds that limit). From
//! Meta's OpenAPI description: `qr_image_url.format(SVG|PNG)` chooses the image format of a
//! read, and a page holds at most 25 codes. No source gives Graph's text for the 2,001st
//! code; the mock answers error 100 saying what the limit is.

use serde_json::Value;
use whatsapp_phone_numbers_api::v24_0::types;

use super::{Call, page_url};
use crate::errors::{GraphError, GraphResult, ok_json, success};
use crate::fields::Selected;
use crate::ids::stable_hash;
use crate::paging::{self, Position, SortKey};

/// The most QR codes and short links a number may have.
pub(crate) const MAX_QR_CODES: usize = 2_000;

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

/// `q` as this read selects it, its image in the format `qr_image_url.format(..)` asks for.
fn shown(q: &types::QrCode, fields: &Selected) -> Result<Value, GraphError> {
    let mut q = q.clone();
    if let Some(format) = fields.modifier("qr_image_url", "format") {
        let format = types::QrImageFormat::from(format.to_ascii_uppercase().as_str());
        if format.is_unknown() {
            return Err(super::not_one_of(
                "qr_image_url.format",
                types::QrImageFormat::KNOWN,
            ));
        }
        if let Some(code) = &q.code {
            q.qr_image_url = Some(image_url(code, &format));
        }
    }
    fields.project(&q)
}

fn image_url(code: &str, format: &types::QrImageFormat) -> String {
    format!(
        "https://scontent.example.net/qr/{code}.{}",
        format.as_str().to_ascii_lowercase()
    )
}

/// `GET /{v}/{id}/message_qrdls`: newest first, 25 at most per page.
pub(crate) fn list(call: &Call) -> GraphResult {
    let id = call.id();
    let p = call.params;
    let fields = call.fields()?;
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
        .map(|(_, q)| shown(q, &fields))
        .collect::<Result<Vec<_>, _>>()?;
    let paging = paging::paging(&keys, &window, |name, cursor| {
        page_url(call, &format!("{id}/message_qrdls"), limit, name, cursor)
    });
    Ok(ok_json(
        &serde_json::json!({ "data": data, "paging": paging }),
    ))
}

/// `POST /{v}/{id}/message_qrdls`: creates a code (no `code`) or changes one's message.
pub(crate) fn save(call: &Call) -> GraphResult {
    let id = call.id();
    let request: types::QrCodeRequest = call.body()?;
    if request.prefilled_message.trim().is_empty() {
        return Err(GraphError::invalid_param(
            "Param prefilled_message is required",
        ));
    }
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
    if codes.len() >= MAX_QR_CODES {
        return Err(GraphError::invalid_param(format!(
            "A phone number can have at most {MAX_QR_CODES} QR codes and short links; delete one first"
        )));
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
        qr_image_url: request
            .generate_qr_image
            .as_ref()
            .map(|f| image_url(&code, f)),
        creation_time: Some(crate::clock::unix_now() + codes.len() as i64),
        prefilled_message: Some(request.prefilled_message.to_string()),
        code: Some(code),
    };
    codes.push(created.clone());
    let mut answer = created;
    answer.creation_time = None;
    Ok(ok_json(&answer))
}

/// `GET /{v}/{id}/message_qrdls/{code}`: a one-element `data` list.
pub(crate) fn get(call: &Call) -> GraphResult {
    let (id, code) = (call.id(), call.ids.get(1).map_or("", String::as_str));
    let fields = call.fields()?;
    let found = call
        .state
        .qr_codes(id)
        .into_iter()
        .find(|q| q.code.as_deref() == Some(code))
        .ok_or_else(not_found)?;
    Ok(ok_json(
        &serde_json::json!({ "data": [shown(&found, &fields)?] }),
    ))
}

/// `DELETE /{v}/{id}/message_qrdls/{code}`.
pub(crate) fn delete(call: &Call) -> GraphResult {
    let (id, code) = (call.id(), call.ids.get(1).map_or("", String::as_str));
    let mut inner = call.state.lock();
    let codes = inner.qr_codes.entry(id.to_owned()).or_default();
    let before = codes.len();
    codes.retain(|q| q.code.as_deref() != Some(code));
    if codes.len() == before {
        return Err(not_found());
    }
    Ok(success())
}
