//! Request bodies built generically: values set by wire name, then checked against the
//! version's generated request type before anything is sent.
//!
//! Builders are written once for every version, so they cannot name the fields of a
//! version's request struct. They record what the caller set as JSON by wire name; `encode`
//! reads that strictly into the version's type (proving the version has those fields, with
//! those types and with every required field present: the same check the mock holds
//! requests to), and sends what that type serialises to.
//! A field a version does not have is an [`Error::InvalidInput`] naming it, before
//! anything goes on the wire.

use std::fmt;

use bytes::Bytes;
use serde_json::{Map, Value};
use whatsapp_phone_numbers_api::Schema;
use whatsapp_phone_numbers_api::request::{self, Problem, Segment};

use crate::config::ApiVersion;
use crate::error::Error;

/// A request body being built.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Body {
    fields: Map<String, Value>,
    /// The names of the fields set, for errors that name them.
    names: Vec<&'static str>,
    /// Top-level fields holding a secret; their values print as `<redacted>`.
    secret_fields: Vec<&'static str>,
    /// The secrets themselves, to keep them out of error text even when echoed.
    secrets: Vec<String>,
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in &self.fields {
            if self.secret_fields.contains(&key.as_str()) {
                map.entry(key, &"<redacted>");
            } else {
                map.entry(key, value);
            }
        }
        map.finish()
    }
}

/// A body ready to send: what the version's request type serialises to.
pub(crate) struct Encoded {
    pub(crate) bytes: Bytes,
    pub(crate) secrets: Vec<String>,
}

impl Body {
    /// Sets `field` to `value`.
    pub(crate) fn set(&mut self, field: &'static str, value: impl serde::Serialize) {
        // Values are strings, booleans and generated types: serialising them cannot fail.
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.fields.insert(field.to_owned(), value);
        if !self.names.contains(&field) {
            self.names.push(field);
        }
    }

    /// Sets `field` of the object in `object` (created when missing) to `value`, keeping the
    /// object's other fields.
    pub(crate) fn set_in(
        &mut self,
        object: &'static str,
        field: &str,
        value: impl serde::Serialize,
    ) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        let slot = self
            .fields
            .entry(object.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(map) = slot {
            map.insert(field.to_owned(), value);
        }
        if !self.names.contains(&object) {
            self.names.push(object);
        }
    }

    /// Merges the fields of `value` (an object) into the object in `object`.
    pub(crate) fn merge_in(&mut self, object: &'static str, value: impl serde::Serialize) {
        match serde_json::to_value(value) {
            Ok(Value::Object(fields)) => {
                for (field, value) in fields {
                    self.set_in(object, &field, value);
                }
            }
            Ok(other) => self.set(object, other),
            Err(_) => self.set(object, Value::Null),
        }
    }

    /// Sets `field` to `value`, which holds the secret `secret`.
    pub(crate) fn set_secret(
        &mut self,
        field: &'static str,
        value: impl serde::Serialize,
        secret: &str,
    ) {
        self.set(field, value);
        if !self.secret_fields.contains(&field) {
            self.secret_fields.push(field);
        }
        self.secrets.push(secret.to_owned());
    }

    /// True when nothing was set.
    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The version's request type `B` holding what was set, checked field by field with
    /// the API crate's strict reading (`request::decode`, the one the mock holds bodies
    /// to): a field the version lacks is an [`Error::InvalidInput`] naming it.
    pub(crate) fn typed<B: Schema>(&self, version: ApiVersion) -> Result<B, Error> {
        let sent = Value::Object(self.fields.clone());
        request::decode::<B>(&sent).map_err(|e| match (&e.problem, e.path.first()) {
            (Problem::UnknownKey, Some(Segment::Key(field))) => Error::invalid(
                self.static_name(field),
                format!("Graph API {version} has no such field in this request"),
            ),
            _ => {
                // The problem's text can quote a value; only show it when no secret was set.
                let detail = if self.secrets.is_empty() {
                    format!(": {e}")
                } else {
                    String::new()
                };
                Error::Config(format!(
                    "the Graph API {version} request body does not accept these values{detail}"
                ))
            }
        })
    }

    /// [`typed`](Self::typed), serialised.
    pub(crate) fn encode<B: Schema>(&self, version: ApiVersion) -> Result<Encoded, Error> {
        let typed: B = self.typed(version)?;
        let bytes = serde_json::to_vec(&typed)
            .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))?;
        Ok(Encoded {
            bytes: Bytes::from(bytes),
            secrets: self.secrets.clone(),
        })
    }

    /// The `'static` name of a field that was set.
    fn static_name(&self, field: &str) -> &'static str {
        self.names
            .iter()
            .copied()
            .find(|name| *name == field)
            .unwrap_or("body")
    }
}

#[cfg(all(test, feature = "v23_0"))]
mod tests {
    use super::*;
    use whatsapp_phone_numbers_api::v23_0::types::RegisterRequest;

    #[test]
    fn bodies_are_checked_against_the_version_type() {
        let v = ApiVersion::V23_0;
        let mut body = Body::default();
        body.set("messaging_product", "whatsapp");
        body.set_secret("pin", "150954", "150954");
        let encoded = body.encode::<RegisterRequest>(v).unwrap();
        assert_eq!(
            &encoded.bytes[..],
            br#"{"messaging_product":"whatsapp","pin":"150954"}"#
        );
        assert_eq!(encoded.secrets, ["150954"]);
        assert!(!format!("{body:?}").contains("150954"));

        // A field the type does not have is named.
        body.set("username", "x");
        let e = body.typed::<RegisterRequest>(v).unwrap_err();
        assert_eq!(e.invalid_field(), Some("username"));
        assert!(e.to_string().contains("v23.0"), "{e}");

        // A wrong type, or a missing required field, is refused without quoting secrets.
        let mut wrong = Body::default();
        wrong.set("messaging_product", "whatsapp");
        wrong.set_secret("pin", 150954, "150954");
        let e = wrong.typed::<RegisterRequest>(v).unwrap_err();
        assert!(!e.to_string().contains("150954"), "{e}");
        assert!(Body::default().typed::<RegisterRequest>(v).is_err());
    }
}
