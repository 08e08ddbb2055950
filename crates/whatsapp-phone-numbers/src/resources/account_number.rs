//! A WhatsApp account number node.

use whatsapp_phone_numbers_api::GraphVersion;

use super::into_future;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::validate;

impl<V: GraphVersion> AccountNumberHandle<V> {
    /// The handle [`Client::account_number`] gives.
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }
}

/// One WhatsApp account number node.
#[derive(Clone, Debug)]
pub struct AccountNumberHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> AccountNumberHandle<V> {
    /// Reads the node (`GET /<ACCOUNT_NUMBER_ID>`).
    pub fn get(&self) -> GetAccountNumber<V> {
        GetAccountNumber {
            client: self.client.clone(),
            id: self.id.clone(),
            fields: Vec::new(),
        }
    }
}

/// `GET /<WHATSAPP_ACCOUNT_NUMBER_ID>`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct GetAccountNumber<V: GraphVersion> {
    client: Client<V>,
    id: String,
    fields: Vec<V::AccountNumberField>,
}

impl<V: GraphVersion> GetAccountNumber<V> {
    /// Selects fields (replacing earlier ones).
    pub fn fields(mut self, fields: impl IntoIterator<Item = V::AccountNumberField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<V::AccountNumber>, Error> {
        let id = validate::node_id("account_number_id", &self.id)?;
        self.client
            .select(V::GET_ACCOUNT_NUMBER, &[&id], &self.fields)
            .await
    }
}

into_future!(GetAccountNumber => Response<V::AccountNumber>);
