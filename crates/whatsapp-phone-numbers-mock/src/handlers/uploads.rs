//! Graph's Resumable Upload API: `POST /{app-id}/uploads` starts a session,
//! `POST /{upload-session-id}` (header `file_offset`) sends bytes and answers the handle
//! once the file is complete, `GET /{upload-session-id}` tells how far it got.

use serde_json::json;

use super::Call;
use crate::errors::{GraphError, GraphResult, ok_json};
use crate::ids::stable_hash;
use crate::records::UploadRecord;
use crate::state::Inner;

/// MIME types Graph's uploads take.
const FILE_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/mp4",
];

/// `POST /{v}/{app-id}/uploads?file_length=N&file_type=T[&file_name=F]`.
pub(crate) fn start(call: &Call) -> GraphResult {
    let app_id = call.id();
    let p = call.params;
    let length: u64 = p
        .get("file_length")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0)
        .ok_or_else(|| GraphError::invalid_param("Param file_length must be a positive integer"))?;
    let file_type = p.get("file_type").unwrap_or_default();
    if !FILE_TYPES.contains(&file_type.as_str()) {
        return Err(GraphError::invalid_param(format!(
            "Param file_type must be one of {{{}}}",
            FILE_TYPES.join(", ")
        )));
    }
    let mut inner = call.state.lock();
    let serial = inner.uploads.len().to_string();
    let seed = stable_hash(&[app_id.as_bytes(), serial.as_bytes()]);
    let id = format!("upload:{seed:016x}");
    inner.uploads.insert(
        id.clone(),
        UploadRecord {
            file_type,
            file_length: length,
            bytes: Vec::new(),
        },
    );
    // Graph's session IDs carry a signature, which clients must send back as it is.
    Ok(ok_json(&json!({ "id": format!("{id}?sig=ARZ{seed:08x}") })))
}

fn session(call: &Call) -> Result<String, GraphError> {
    let id = call.id();
    if call.params.get("sig").is_none_or(|s| s.is_empty()) {
        return Err(GraphError::invalid_param(
            "Param sig is required: send the upload session ID as it was given",
        ));
    }
    Ok(id.to_owned())
}

/// `POST /{v}/{upload-session-id}` with `file_offset` and the bytes as the body.
pub(crate) fn upload(call: &Call) -> GraphResult {
    let id = session(call)?;
    let offset: usize = call
        .header("file_offset")
        .and_then(|o| o.trim().parse().ok())
        .ok_or_else(|| GraphError::invalid_param("Header file_offset is required"))?;
    let mut inner = call.state.lock();
    let Inner {
        uploads,
        upload_cuts,
        ..
    } = &mut *inner;
    let upload = uploads
        .get_mut(&id)
        .ok_or_else(|| GraphError::unsupported("post", &id))?;
    if offset != upload.bytes.len() {
        return Err(GraphError::invalid_param(format!(
            "Header file_offset must be {}, the bytes received so far",
            upload.bytes.len()
        )));
    }
    if let Some(keep) = upload_cuts.pop_front() {
        let kept = keep.min(call.body.len());
        upload.bytes.extend_from_slice(&call.body[..kept]);
        return Err(GraphError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            2,
            "OAuthException",
            "An unexpected error has occurred. Please retry your request later.",
        ));
    }
    upload.bytes.extend_from_slice(call.body);
    if upload.bytes.len() as u64 > upload.file_length {
        upload.bytes.truncate(offset);
        return Err(GraphError::invalid_param(
            "The upload is longer than the file_length the session was started with",
        ));
    }
    if (upload.bytes.len() as u64) < upload.file_length {
        return Ok(ok_json(
            &json!({ "id": id, "file_offset": upload.bytes.len() }),
        ));
    }
    let digest = stable_hash(&[&upload.bytes]);
    Ok(ok_json(&json!({
        "h": format!("4:{digest:016x}:{}:e:1767225600:ARZmock", upload.file_type)
    })))
}

/// `GET /{v}/{upload-session-id}`: how many bytes the session has.
pub(crate) fn status(call: &Call) -> GraphResult {
    let id = session(call)?;
    let inner = call.state.lock();
    let upload = inner
        .uploads
        .get(&id)
        .ok_or_else(|| GraphError::unsupported("get", &id))?;
    Ok(ok_json(
        &json!({ "id": id, "file_offset": upload.bytes.len() }),
    ))
}
