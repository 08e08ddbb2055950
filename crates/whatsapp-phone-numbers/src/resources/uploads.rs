//! Graph's Resumable Upload API, for the file handles that `profile_picture_handle` takes:
//! start a session on the app, send the bytes, get the handle (`client.app(id).upload(..)`).

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
        let headers = [("file_offset", "0".to_owned())];
        let ids = [node.as_str()];
        let call = Call {
            body: Some(self.bytes.clone()),
            content_type: "application/octet-stream",
            headers: &headers,
            address_query: &signature,
            ..Call::new(V::UPLOAD_FILE, &ids)
        };
        self.client
            .core
            .send(self.client.version, call, json::<V::UploadedFile>)
            .await
    }
}

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
