//! A number's other edges in Meta's description: its commerce settings (whether it shows
//! its catalog and a cart) and the business public key Flows encrypt their data channel with.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::build::BusinessEncryptionUpdate as _;

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

/// The longest public key accepted (a 4096-bit RSA key in PEM is about 800 bytes).
pub const MAX_PUBLIC_KEY_LEN: usize = 16 * 1024;

/// `GET /<PHONE_NUMBER_ID>/whatsapp_commerce_settings`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetCommerceSettings<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) id: String,
}

impl<V: GraphVersion> GetCommerceSettings<V> {
    /// Sends the read.
    pub async fn send(self) -> Result<Response<V::CommerceSettingsList>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client
            .call(V::GET_COMMERCE_SETTINGS, &[&id], &[])
            .await
    }
}

into_future!(GetCommerceSettings => Response<V::CommerceSettingsList>);

/// `POST /<PHONE_NUMBER_ID>/whatsapp_commerce_settings`: send only what changes.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SetCommerceSettings<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) id: String,
    pub(crate) cart: Option<bool>,
    pub(crate) catalog: Option<bool>,
}

impl<V: GraphVersion> SetCommerceSettings<V> {
    /// Whether customers can add products to a cart.
    pub fn cart_enabled(mut self, enabled: bool) -> Self {
        self.cart = Some(enabled);
        self
    }

    /// Whether the catalog shows in the chat and the business profile.
    pub fn catalog_visible(mut self, visible: bool) -> Self {
        self.catalog = Some(visible);
        self
    }

    /// Sends the change.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let text = |b: bool| if b { "true" } else { "false" };
        let mut query: Vec<(&'static str, &str)> = Vec::new();
        if let Some(cart) = self.cart {
            query.push(("is_cart_enabled", text(cart)));
        }
        if let Some(catalog) = self.catalog {
            query.push(("is_catalog_visible", text(catalog)));
        }
        if query.is_empty() {
            return Err(Error::invalid("commerce_settings", "nothing to set"));
        }
        self.client
            .call(V::SET_COMMERCE_SETTINGS, &[&id], &query)
            .await
    }
}

into_future!(SetCommerceSettings => Response<V::SuccessResponse>);

/// `GET /<PHONE_NUMBER_ID>/whatsapp_business_encryption`: the key and whether Meta's
/// signature of it matches.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetBusinessEncryption<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) id: String,
}

impl<V: GraphVersion> GetBusinessEncryption<V> {
    /// Sends the read.
    pub async fn send(self) -> Result<Response<V::BusinessEncryptionList>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        self.client
            .call(V::GET_BUSINESS_ENCRYPTION, &[&id], &[])
            .await
    }
}

into_future!(GetBusinessEncryption => Response<V::BusinessEncryptionList>);

/// `POST /<PHONE_NUMBER_ID>/whatsapp_business_encryption`: uploads a business public key
/// (an RSA public key in PEM), which Meta signs. `Debug` shows the key's length only (a
/// private key passed by mistake must not reach a log).
#[derive(Clone)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct SetBusinessEncryption<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) id: String,
    pub(crate) key: String,
}

impl<V: GraphVersion> std::fmt::Debug for SetBusinessEncryption<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetBusinessEncryption")
            .field("id", &self.id)
            .field("key_bytes", &self.key.len())
            .finish_non_exhaustive()
    }
}

impl<V: GraphVersion> SetBusinessEncryption<V> {
    /// Sends the key.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let key = public_key(&self.key)?;
        let body = V::BusinessEncryptionUpdate::new(key);
        self.client
            .call_with_body(V::SET_BUSINESS_ENCRYPTION, &[&id], &body)
            .await
    }
}

into_future!(SetBusinessEncryption => Response<V::SuccessResponse>);

/// `key` as a PEM public key: one `PUBLIC KEY` block whose body is base64, at most
/// [`MAX_PUBLIC_KEY_LEN`] bytes. A private key is refused (and never echoed).
pub(crate) fn public_key(key: &str) -> Result<String, Error> {
    const FIELD: &str = "business_public_key";
    if key.contains("PRIVATE KEY") {
        return Err(Error::invalid(
            FIELD,
            "is a private key: upload the public key only (keep the private one secret)",
        ));
    }
    if key.len() > MAX_PUBLIC_KEY_LEN {
        return Err(Error::invalid(
            FIELD,
            format!("must be at most {MAX_PUBLIC_KEY_LEN} bytes"),
        ));
    }
    let trimmed = key.trim();
    let body = trimmed
        .strip_prefix("-----BEGIN PUBLIC KEY-----")
        .and_then(|rest| rest.strip_suffix("-----END PUBLIC KEY-----"))
        .ok_or_else(|| {
            Error::invalid(
                FIELD,
                "must be a PEM public key (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)",
            )
        })?;
    let base64: String = body.split_whitespace().collect();
    let valid = !base64.is_empty()
        && base64
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if !valid {
        return Err(Error::invalid(FIELD, "the PEM body must be base64"));
    }
    Ok(format!("{trimmed}\n"))
}

#[cfg(test)]
mod tests {
    use super::public_key;

    #[test]
    fn public_keys_are_pem_public_keys() {
        let good = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOC\nAQ8AMIIBCgKCAQEA+/=\n-----END PUBLIC KEY-----\n";
        assert_eq!(public_key(good).unwrap(), good);
        for bad in [
            "",
            "MIIBIjANBgkqhkiG9w0BAQEFAAOC",
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
        ] {
            let error = public_key(bad).unwrap_err();
            assert_eq!(error.invalid_field(), Some("business_public_key"), "{bad}");
            assert!(!error.to_string().contains("MIIE"), "{error}");
        }
    }
}
