//! A business portfolio and its WhatsApp Business Accounts: the owned ones and the ones
//! clients shared with it. This is where a fleet audit starts.

use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::operation::Operation;

use super::paged::List;
use crate::client::Client;

impl<V: GraphVersion> BusinessHandle<V> {
    /// The handle [`Client::business`] gives.
    pub(crate) fn new(client: Client<V>, id: String) -> Self {
        Self { client, id }
    }
}

/// One business portfolio.
#[derive(Clone, Debug)]
pub struct BusinessHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> BusinessHandle<V> {
    /// The business ID this handle addresses.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The accounts the portfolio owns (`GET /<BUSINESS_ID>/owned_whatsapp_business_accounts`).
    pub fn owned_accounts(&self) -> ListBusinessAccounts<V> {
        self.list(V::LIST_OWNED_BUSINESS_ACCOUNTS)
    }

    /// The accounts clients shared with the portfolio
    /// (`GET /<BUSINESS_ID>/client_whatsapp_business_accounts`).
    pub fn client_accounts(&self) -> ListBusinessAccounts<V> {
        self.list(V::LIST_CLIENT_BUSINESS_ACCOUNTS)
    }

    fn list(&self, op: &'static Operation) -> ListBusinessAccounts<V> {
        List::new(self.client.clone(), op, self.id.clone(), "business_id", 100)
    }
}

/// A portfolio's accounts: one page with `send` (or `.await`), every account with
/// `stream`.
pub type ListBusinessAccounts<V> =
    List<V, <V as GraphVersion>::BusinessAccountPage, <V as GraphVersion>::BusinessAccountField>;
