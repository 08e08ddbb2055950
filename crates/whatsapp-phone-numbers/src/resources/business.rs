//! A business portfolio and its WhatsApp Business Accounts: the owned ones and the ones
//! clients shared with it. This is where a fleet audit starts.

use futures_util::StreamExt;
use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::operation::Operation;

use super::into_future;
use super::paged::{self, PagedQuery};
use crate::ResultStream;
use crate::client::Client;
use crate::error::Error;
use crate::fields;
use crate::meta::Response;
use crate::validate;

impl<V: GraphVersion> Client<V> {
    /// A business portfolio, by its ID.
    pub fn business(&self, business_id: impl Into<String>) -> BusinessHandle<V> {
        BusinessHandle {
            client: self.clone(),
            id: business_id.into(),
        }
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
        ListBusinessAccounts {
            client: self.client.clone(),
            op,
            business: self.id.clone(),
            fields: Vec::new(),
            page_size: None,
            after: None,
            before: None,
        }
    }
}

/// A portfolio's accounts: one page with [`send`](Self::send), every account with
/// [`stream`](Self::stream).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited or streamed"]
pub struct ListBusinessAccounts<V: GraphVersion> {
    client: Client<V>,
    op: &'static Operation,
    business: String,
    fields: Vec<V::BusinessAccountField>,
    page_size: Option<u32>,
    after: Option<String>,
    before: Option<String>,
}

impl<V: GraphVersion> ListBusinessAccounts<V> {
    /// Selects account fields (replacing earlier ones).
    pub fn fields(mut self, fields: impl IntoIterator<Item = V::BusinessAccountField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Accounts per page, 1 to 100.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Starts after this cursor.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    /// Returns the page before this cursor (single-page reads only).
    pub fn before(mut self, cursor: impl Into<String>) -> Self {
        self.before = Some(cursor.into());
        self
    }

    fn prepare(&self) -> Result<PagedQuery<V>, Error> {
        let business = validate::node_id("business_id", &self.business)?;
        let mut query = Vec::new();
        if let Some(fields) = fields::join(&self.fields)? {
            query.push(("fields", fields));
        }
        query.extend(paged::page_size(self.page_size, 100)?);
        Ok(PagedQuery {
            client: self.client.clone(),
            op: self.op,
            node: business,
            query,
        })
    }

    /// Reads one page.
    pub async fn send(self) -> Result<Response<V::BusinessAccountPage>, Error> {
        self.prepare()?.page(self.after, self.before).await
    }

    /// Every page, following the cursor.
    pub fn pages(self) -> ResultStream<Response<V::BusinessAccountPage>> {
        match self.prepare() {
            Ok(query) => query.pages(self.after),
            Err(error) => futures_util::stream::once(async move { Err(error) }).boxed(),
        }
    }

    /// Every account of every page, in order. Ends after the first error.
    pub fn stream(self) -> ResultStream<V::BusinessAccount> {
        paged::items(self.pages())
    }

    /// Every account, collected.
    pub async fn collect_all(self) -> Result<Vec<V::BusinessAccount>, Error> {
        use futures_util::TryStreamExt;
        self.stream().try_collect().await
    }
}

into_future!(ListBusinessAccounts => Response<V::BusinessAccountPage>);
