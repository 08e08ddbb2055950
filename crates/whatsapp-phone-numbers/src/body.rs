//! Request bodies on the wire: a version's generated request type, built through the
//! generated [`build`](whatsapp_phone_numbers_api::build) traits, serialised as sent.
//!
//! Builders are written once for every version: they hold `V::RegisterRequest` (say) and
//! fill it through `build::RegisterRequest<V>`, which offers only the fields every version
//! has. A field a version lacks has no setter, so it cannot be set: the compiler checks what
//! the run-time check against the version's type used to.

use bytes::Bytes;
use whatsapp_phone_numbers_api::request::Body;

use crate::error::Error;

/// A body ready to send.
pub(crate) struct Encoded {
    /// What goes on the wire.
    pub(crate) bytes: Bytes,
    /// The secrets the body holds, kept out of error text and logs.
    pub(crate) secrets: Vec<String>,
}

/// `body` serialised, with the secrets it holds.
pub(crate) fn encode<B: Body>(body: &B) -> Result<Encoded, Error> {
    let mut secrets = Vec::new();
    body.secrets(&mut secrets);
    secrets.retain(|s| !s.is_empty());
    // Generated request types are maps of strings, numbers and lists: serialising them
    // cannot fail, but an error is still an error, not a panic.
    let bytes = serde_json::to_vec(body)
        .map_err(|_| Error::Config("cannot encode the request body".to_owned()))?;
    Ok(Encoded {
        bytes: Bytes::from(bytes),
        secrets,
    })
}

#[cfg(all(test, feature = "v23_0"))]
mod tests {
    use super::*;
    use whatsapp_phone_numbers_api::build::{RegisterRequest as _, RegistrationBackup as _};
    use whatsapp_phone_numbers_api::sensitive::SensitiveString;
    use whatsapp_phone_numbers_api::v23_0::types::{
        MessagingProduct, RegisterRequest, RegistrationBackup,
    };

    #[test]
    fn bodies_carry_their_secrets_nested_ones_included() {
        let mut body = RegisterRequest::new(MessagingProduct::from("whatsapp"), "150954".into());
        let encoded = encode(&body).unwrap();
        assert_eq!(
            &encoded.bytes[..],
            br#"{"messaging_product":"whatsapp","pin":"150954"}"#
        );
        assert_eq!(encoded.secrets, ["150954"]);
        assert!(!format!("{body:?}").contains("150954"));

        let mut backup = RegistrationBackup::new();
        backup.set_data("blob".to_owned());
        backup.set_password(SensitiveString::new("hunter2"));
        body.set_backup(backup);
        let encoded = encode(&body).unwrap();
        assert_eq!(encoded.secrets, ["hunter2", "150954"]);
        assert!(!format!("{body:?}").contains("hunter2"));
        let sent: serde_json::Value = serde_json::from_slice(&encoded.bytes).unwrap();
        assert_eq!(sent["backup"]["password"], "hunter2");
    }
}
