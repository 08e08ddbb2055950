//! Graph's Resumable Upload API, for the file handles that `profile_picture_handle` takes:
//! start a session on the app, send the bytes, get the handle (`client.app(id).upload(..)`).
//! A request that fails part-way is resumed where the session stands (`GET
//! /{upload-session-id}` answers `file_offset`), at most three times, never from 0 again.

use bytes::Bytes;
use whatsapp_phone_numbers_api::GraphVersion;

use super::into_future;
use crate::call::{Call, json};
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The file types Graph's uploads take.
pub const FILE_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/mp4",
];

/// Starts an upload session, then sends the bytes to it.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct UploadFile<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) app: String,
    pub(crate) file_name: String,
    pub(crate) file_type: String,
    pub(crate) bytes: Bytes,
}

/// An upload session ID split into its node (`upload:...`) and its signature pairs.
fn session_address(id: &str) -> Result<(String, Vec<(String, String)>), Error> {
    let (node, signature) = id.split_once('?').unwrap_or((id, ""));
    let ok = node.starts_with("upload:")
        && node.len() > "upload:".len()
        && !node.contains(['/', '#', ' '])
        && !node.chars().any(char::is_control);
    if !ok {
        return Err(Error::Config(format!(
            "Graph answered an upload session ID that is not `upload:...`: {:?}",
            validate::excerpt(id)
        )));
    }
    let pairs = url::form_urlencoded::parse(signature.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Ok((node.to_owned(), pairs))
}

impl<V: GraphVersion> UploadFile<V> {
    /// Runs both steps and answers the file's handle.
    pub async fn send(self) -> Result<Response<V::UploadedFile>, Error> {
        let app = validate::node_id("app_id", &self.app)?;
        let file_name = validate::text("file_name", &self.file_name, 1, 255)?;
        if !FILE_TYPES.contains(&self.file_type.as_str()) {
            return Err(Error::invalid(
                "file_type",
                format!("must be one of {}", FILE_TYPES.join(", ")),
            ));
        }
        if self.bytes.is_empty() {
            return Err(Error::invalid("file", "is empty"));
        }
        let length = self.bytes.len().to_string();
        let query = [
            ("file_name", file_name.as_str()),
            ("file_length", length.as_str()),
            ("file_type", self.file_type.as_str()),
        ];
        let session: Response<serde_json::Value> = self
            .client
            .call(V::START_UPLOAD_SESSION, &[&app], &query)
            .await?;
        let id = session
            .get("id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::Config("the upload session answer has no `id`".into()))?;
        let (node, signature) = session_address(id)?;
        // Graph keeps what reached it: after a failed request the session says how far it
        // got (`file_offset`), and the rest goes from there, never from 0 again.
        let total = self.bytes.len();
        let mut offset = 0usize;
        let mut resumes = 0u32;
        loop {
            let headers = [("file_offset", offset.to_string())];
            let ids = [node.as_str()];
            let call = Call {
                body: Some(self.bytes.slice(offset..)),
                content_type: "application/octet-stream",
                headers: &headers,
                address_query: &signature,
                ..Call::new(V::UPLOAD_FILE, &ids)
            };
            let error = match self
                .client
                .core
                .send(self.client.version, call, json::<serde_json::Value>)
                .await
            {
                Ok(answer) => {
                    let (value, meta) = answer.into_parts();
                    if value.get("h").is_some() {
                        let file =
                            serde_json::from_value::<V::UploadedFile>(value).map_err(|e| {
                                Error::Config(format!("the upload answer does not decode: {e}"))
                            })?;
                        return Ok(Response::new(file, meta));
                    }
                    // Part of the file arrived: Graph says where the rest starts.
                    match value.get("file_offset").and_then(serde_json::Value::as_u64) {
                        Some(at) if at > offset as u64 && at <= total as u64 => {
                            offset = at as usize;
                            continue;
                        }
                        _ => {
                            return Err(Error::Config(
                                "the upload answer has neither a handle nor a file_offset past the bytes sent"
                                    .into(),
                            ));
                        }
                    }
                }
                Err(error) => error,
            };
            if resumes >= MAX_RESUMES
                || matches!(error, Error::InvalidInput(_) | Error::Throttled(_))
            {
                return Err(error);
            }
            resumes += 1;
            // Where does the session stand? Resume there if it moved (or the failure may
            // pass), else the error stands.
            let ids = [node.as_str()];
            let call = Call {
                address_query: &signature,
                ..Call::new(V::GET_UPLOAD_SESSION, &ids)
            };
            let Ok(status) = self
                .client
                .core
                .send(self.client.version, call, json::<serde_json::Value>)
                .await
            else {
                return Err(error);
            };
            let at = status
                .get("file_offset")
                .and_then(serde_json::Value::as_u64)
                .and_then(|at| usize::try_from(at).ok());
            match at {
                Some(at) if at <= total && (at != offset || error.is_retryable()) => {
                    tracing::debug!(
                        from = offset,
                        to = at,
                        "resuming the upload where Graph's session stands"
                    );
                    offset = at;
                }
                _ => return Err(error),
            }
        }
    }
}

/// How many times one upload resumes after a failed request.
const MAX_RESUMES: u32 = 3;

into_future!(UploadFile => Response<V::UploadedFile>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_keep_their_signature() {
        let (node, sig) = session_address("upload:MTph=?sig=ARZ1").unwrap();
        assert_eq!(node, "upload:MTph=");
        assert_eq!(sig, [("sig".to_owned(), "ARZ1".to_owned())]);
        assert!(session_address("nope").is_err());
        assert!(session_address("upload:a/b").is_err());
    }
}
