//! The business profile customers see for a number.

use serde_json::Value;
use whatsapp_phone_numbers_api::build::BusinessProfileUpdate as _;
use whatsapp_phone_numbers_api::{GraphVersion, Page};

use super::{fields_query, into_future};
use crate::call::Call;
use crate::client::Client;
use crate::error::{DecodeError, Error};
use crate::fields;
use crate::meta::Response;
use crate::validate;

/// The business profile of one number.
#[derive(Clone, Debug)]
pub struct BusinessProfileHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> BusinessProfileHandle<V> {
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }

    /// Reads the profile (`GET /<ID>/whatsapp_business_profile`).
    pub fn get(&self) -> GetBusinessProfile<V> {
        GetBusinessProfile {
            client: self.client.clone(),
            id: self.id.clone(),
            fields: Vec::new(),
        }
    }

    /// Starts a profile update (`POST /<ID>/whatsapp_business_profile`).
    pub fn update(&self) -> UpdateBusinessProfile<V> {
        let body = V::BusinessProfileUpdate::new(V::MessagingProduct::from("whatsapp"));
        UpdateBusinessProfile {
            client: self.client.clone(),
            id: self.id.clone(),
            body,
            error: None,
        }
    }
}

/// `GET /<PHONE_NUMBER_ID>/whatsapp_business_profile`, answered with the profile itself
/// (Graph wraps it in a one-element list, its fields flat or nested under
/// `business_profile`; both are read).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetBusinessProfile<V: GraphVersion> {
    client: Client<V>,
    id: String,
    fields: Vec<V::BusinessProfileField>,
}

impl<V: GraphVersion> GetBusinessProfile<V> {
    /// Selects fields (replacing earlier ones).
    pub fn fields(mut self, fields: impl IntoIterator<Item = V::BusinessProfileField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<V::BusinessProfile>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        let fields = fields::join(&self.fields)?;
        let query = fields_query(fields.as_deref());
        let ids = [id.as_str()];
        let call = Call {
            query: &query,
            ..Call::new(V::GET_BUSINESS_PROFILE, &ids)
        };
        let list = self
            .client
            .core
            .send(
                self.client.version,
                call,
                flattened::<V::BusinessProfileList>,
            )
            .await?;
        let (list, meta) = list.into_parts();
        match list.into_items().into_iter().next() {
            Some(profile) => Ok(Response::new(profile, meta)),
            None => Err(Error::Decode(Box::new(DecodeError {
                status: meta.status(),
                message: "the answer holds no business profile".into(),
                body_excerpt: String::new(),
                meta,
            }))),
        }
    }
}

into_future!(GetBusinessProfile => Response<V::BusinessProfile>);

/// Decodes the profile list after moving the fields of the nested `business_profile` form
/// to the top level of each element (the flat value wins where both are present).
fn flattened<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if let Some(items) = value.get_mut("data").and_then(Value::as_array_mut) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            if let Some(Value::Object(nested)) = item.remove("business_profile") {
                for (key, field) in nested {
                    match item.get(&key) {
                        Some(existing) if !existing.is_null() => {}
                        _ => {
                            item.insert(key, field);
                        }
                    }
                }
            }
        }
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

/// `POST /<PHONE_NUMBER_ID>/whatsapp_business_profile`: send only what changes.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct UpdateBusinessProfile<V: GraphVersion> {
    client: Client<V>,
    id: String,
    body: V::BusinessProfileUpdate,
    error: Option<Error>,
}

impl<V: GraphVersion> UpdateBusinessProfile<V> {
    fn check(mut self, result: Result<(), Error>) -> Self {
        validate::keep_first(&mut self.error, result);
        self
    }

    /// Short text under the name (1 to 139 characters).
    pub fn about(mut self, about: impl Into<String>) -> Self {
        let result =
            validate::bounded("about", &about.into(), 1, 139).map(|v| self.body.set_about(v));
        self.check(result)
    }

    /// Postal address (at most 256 characters).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        let result =
            validate::bounded("address", &address.into(), 1, 256).map(|v| self.body.set_address(v));
        self.check(result)
    }

    /// Longer description (at most 256 characters, as Meta's reference says).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        let result = validate::bounded("description", &description.into(), 1, 256)
            .map(|v| self.body.set_description(v));
        self.check(result)
    }

    /// Contact email (at most 128 characters).
    pub fn email(mut self, email: impl Into<String>) -> Self {
        let email = email.into();
        let result =
            validate::bounded("email", &email, 3, 128).and_then(|v| match v.split_once('@') {
                Some((user, host)) if !user.is_empty() && host.contains('.') => {
                    self.body.set_email(v);
                    Ok(())
                }
                _ => Err(Error::invalid("email", "must look like name@example.com")),
            });
        self.check(result)
    }

    /// Websites (at most two, each an http(s) URL with a host and no credentials, of at
    /// most 256 characters).
    pub fn websites(mut self, websites: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let websites: Vec<String> = websites.into_iter().map(Into::into).collect();
        let result = if websites.len() > 2 {
            Err(Error::invalid("websites", "at most 2 websites"))
        } else {
            websites
                .iter()
                .try_for_each(|w| validate::website("websites", w).map(|_| ()))
                .map(|()| {
                    if !websites.is_empty() {
                        self.body.set_websites(websites)
                    }
                })
        };
        self.check(result)
    }

    /// Industry shown on the profile.
    pub fn vertical(mut self, vertical: V::BusinessVertical) -> Self {
        self.body.set_vertical(vertical);
        self
    }

    /// A profile picture uploaded with the Resumable Upload API.
    pub fn profile_picture_handle(mut self, handle: impl Into<String>) -> Self {
        self.body.set_profile_picture_handle(handle.into());
        self
    }

    /// The body as it will be sent, in the version's request type.
    pub fn body(&self) -> Result<V::BusinessProfileUpdate, Error> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        Ok(self.body.clone())
    }

    /// Sends the update.
    pub async fn send(self) -> Result<Response<V::SuccessResponse>, Error> {
        let id = validate::node_id("phone_number_id", &self.id)?;
        if let Some(error) = self.error {
            return Err(error);
        }
        self.client
            .call_with_body(V::UPDATE_BUSINESS_PROFILE, &[&id], &self.body)
            .await
    }
}

into_future!(UpdateBusinessProfile => Response<V::SuccessResponse>);
