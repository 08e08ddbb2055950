//! A WhatsApp Business Account and its phone numbers edge: list (one page, every page, or
//! every number as a stream) and add.

use futures_util::StreamExt;
use whatsapp_phone_numbers_api::GraphVersion;

use super::into_future;
use super::paged::{self, PagedQuery};
use super::subscriptions::SubscriptionsHandle;
use crate::ResultStream;
use crate::body::Body;
use crate::client::Client;
use crate::error::Error;
use crate::fields;
use crate::meta::Response;
use crate::query::{Filter, Sort};
use crate::validate;

impl<V: GraphVersion> Client<V> {
    /// A WhatsApp Business Account, by its ID.
    pub fn business_account(&self, waba_id: impl Into<String>) -> BusinessAccountHandle<V> {
        BusinessAccountHandle {
            client: self.clone(),
            id: waba_id.into(),
        }
    }
}

/// One WhatsApp Business Account.
#[derive(Clone, Debug)]
pub struct BusinessAccountHandle<V: GraphVersion> {
    client: Client<V>,
    id: String,
}

impl<V: GraphVersion> BusinessAccountHandle<V> {
    /// The account ID this handle addresses.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the account (`GET /<WABA_ID>`): name, review and verification status,
    /// ownership, health, messaging limit.
    pub async fn get(&self) -> Result<Response<V::BusinessAccount>, Error> {
        self.get_fields(&[]).await
    }

    /// Reads the account with a field selection.
    pub async fn get_fields(
        &self,
        fields: &[V::BusinessAccountField],
    ) -> Result<Response<V::BusinessAccount>, Error> {
        let waba = validate::node_id("waba_id", &self.id)?;
        self.client
            .select(V::GET_BUSINESS_ACCOUNT, &[&waba], fields)
            .await
    }

    /// The apps subscribed to the account's webhooks.
    pub fn subscribed_apps(&self) -> SubscriptionsHandle<V> {
        SubscriptionsHandle::new(self.client.clone(), self.id.clone())
    }

    /// The account's phone numbers edge.
    pub fn phone_numbers(&self) -> PhoneNumbersHandle<V> {
        PhoneNumbersHandle {
            client: self.client.clone(),
            waba: self.id.clone(),
        }
    }
}

/// The phone numbers of one WhatsApp Business Account.
#[derive(Clone, Debug)]
pub struct PhoneNumbersHandle<V: GraphVersion> {
    client: Client<V>,
    waba: String,
}

impl<V: GraphVersion> PhoneNumbersHandle<V> {
    /// Lists the numbers, a page at a time or as a stream.
    pub fn list(&self) -> ListPhoneNumbers<V> {
        ListPhoneNumbers {
            client: self.client.clone(),
            waba: self.waba.clone(),
            fields: Vec::new(),
            filters: Vec::new(),
            sort: None,
            page_size: None,
            after: None,
            before: None,
            total_count: false,
        }
    }

    /// Adds a number: `cc` is the country calling code, `phone_number` the rest of the
    /// number (digits only), `verified_name` the display name to review.
    pub fn add(
        &self,
        cc: impl Into<String>,
        phone_number: impl Into<String>,
        verified_name: impl Into<String>,
    ) -> AddPhoneNumber<V> {
        AddPhoneNumber {
            client: self.client.clone(),
            waba: self.waba.clone(),
            cc: cc.into(),
            phone_number: phone_number.into(),
            verified_name: verified_name.into(),
            migrate: None,
            preverified_id: None,
        }
    }
}

/// `GET /<WABA_ID>/phone_numbers`: one page with [`send`](Self::send), every page with
/// [`pages`](Self::pages), every number with [`stream`](Self::stream).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited or streamed"]
pub struct ListPhoneNumbers<V: GraphVersion> {
    client: Client<V>,
    waba: String,
    fields: Vec<V::PhoneNumberField>,
    filters: Vec<Filter>,
    sort: Option<Sort>,
    page_size: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    total_count: bool,
}

impl<V: GraphVersion> ListPhoneNumbers<V> {
    /// Selects fields (replacing earlier ones).
    pub fn fields(mut self, fields: impl IntoIterator<Item = V::PhoneNumberField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Adds one field.
    pub fn field(mut self, field: V::PhoneNumberField) -> Self {
        self.fields.push(field);
        self
    }

    /// Adds a filter (all filters must match).
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Sets the order.
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort = Some(sort);
        self
    }

    /// Numbers per page, 1 to 100 (Graph's default is 25).
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

    /// Asks Graph for `summary.total_count`.
    pub fn with_total_count(mut self) -> Self {
        self.total_count = true;
        self
    }

    /// Everything that does not change from page to page, checked.
    fn prepare(&self) -> Result<PagedQuery<V>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        let mut query = Vec::new();
        if let Some(fields) = fields::join(&self.fields)? {
            query.push(("fields", fields));
        }
        if let Some(filtering) = Filter::encode(&self.filters)? {
            query.push(("filtering", filtering));
        }
        query.extend(paged::page_size(self.page_size, 100)?);
        if let Some(sort) = &self.sort {
            query.push(("sort", sort.encode()));
        }
        if self.total_count {
            query.push(("summary", "total_count".to_owned()));
        }
        Ok(PagedQuery {
            client: self.client.clone(),
            op: V::LIST_PHONE_NUMBERS,
            node: waba,
            query,
        })
    }

    /// Reads one page.
    pub async fn send(self) -> Result<Response<V::PhoneNumberPage>, Error> {
        let query = self.prepare()?;
        query.page(self.after, self.before).await
    }

    /// Every page, following the `after` cursor until a page has no `paging.next`. One page
    /// is held at a time, so memory stays flat for any count.
    pub fn pages(self) -> ResultStream<Response<V::PhoneNumberPage>> {
        match self.prepare() {
            Ok(query) => query.pages(self.after),
            Err(error) => futures_util::stream::once(async move { Err(error) }).boxed(),
        }
    }

    /// Every number of every page, in order. Ends after the first error.
    pub fn stream(self) -> ResultStream<V::PhoneNumber> {
        paged::items(self.pages())
    }

    /// Every number, collected. Prefer [`stream`](Self::stream) for large accounts.
    pub async fn collect_all(self) -> Result<Vec<V::PhoneNumber>, Error> {
        use futures_util::TryStreamExt;
        self.stream().try_collect().await
    }
}

into_future!(ListPhoneNumbers => Response<V::PhoneNumberPage>);

/// `POST /<WABA_ID>/phone_numbers`.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited"]
pub struct AddPhoneNumber<V: GraphVersion> {
    client: Client<V>,
    waba: String,
    cc: String,
    phone_number: String,
    verified_name: String,
    migrate: Option<bool>,
    preverified_id: Option<String>,
}

impl<V: GraphVersion> AddPhoneNumber<V> {
    /// Moves a number registered on another WhatsApp Business Account.
    pub fn migrate(mut self, migrate: bool) -> Self {
        self.migrate = Some(migrate);
        self
    }

    /// Uses a pre-verified number bought through a solution partner.
    pub fn preverified_id(mut self, id: impl Into<String>) -> Self {
        self.preverified_id = Some(id.into());
        self
    }

    /// Sends the request. Retried only when Graph throttled it or it was never sent.
    pub async fn send(self) -> Result<Response<V::CreatedId>, Error> {
        let waba = validate::node_id("waba_id", &self.waba)?;
        let mut body = Body::default();
        body.set("cc", validate::country_code("cc", &self.cc)?);
        body.set(
            "phone_number",
            validate::phone_digits("phone_number", &self.phone_number)?,
        );
        body.set(
            "verified_name",
            validate::display_name("verified_name", &self.verified_name)?,
        );
        if let Some(migrate) = self.migrate {
            body.set("migrate_phone_number", migrate);
        }
        if let Some(id) = self.preverified_id {
            body.set("preverified_id", id);
        }
        self.client
            .call_with_body::<V::AddPhoneNumberRequest, _>(V::ADD_PHONE_NUMBER, &[&waba], &body)
            .await
    }
}

into_future!(AddPhoneNumber => Response<V::CreatedId>);
