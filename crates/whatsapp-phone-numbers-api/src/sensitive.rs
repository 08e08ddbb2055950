//! Secrets inside generated types.
//!
//! Schemas marked `x-sensitive: true` in the specification (two-step PINs, verification
//! codes, webhook verify tokens, backup passwords) are generated as [`SensitiveString`], so
//! that deriving `Debug` on a request body never prints them.

use std::fmt;

/// A string that is sent on the wire as is but never shown by `Debug`.
///
/// ```
/// use whatsapp_phone_numbers_api::sensitive::SensitiveString;
/// let pin = SensitiveString::from("150954");
/// assert_eq!(format!("{pin:?}"), "<redacted>");
/// assert_eq!(pin.expose(), "150954");
/// assert_eq!(serde_json::to_string(&pin).unwrap(), "\"150954\"");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SensitiveString(String);

impl SensitiveString {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Keep what you do with it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SensitiveString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for SensitiveString {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for SensitiveString {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

impl serde::Serialize for SensitiveString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for SensitiveString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for SensitiveString {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SensitiveString".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "writeOnly": true })
    }
}
