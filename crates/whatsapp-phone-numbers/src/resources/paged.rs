//! Paged edges, written once: [`List`] is the builder of every list (phone numbers, a
//! business's accounts, QR codes), read a page at a time or followed by cursor as a stream.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use futures_util::StreamExt;
use whatsapp_phone_numbers_api::field::Field;
use whatsapp_phone_numbers_api::operation::Operation;
use whatsapp_phone_numbers_api::{GraphVersion, Page};

use crate::ResultStream;
use crate::client::Client;
use crate::error::Error;
use crate::fields;
use crate::meta::Response;
use crate::paging;
use crate::query::{Filter, Sort};
use crate::validate;

/// A list of one edge: one page with [`send`](Self::send) (or `.await`), every page with
/// [`pages`](Self::pages), every item with [`stream`](Self::stream). `P` is the version's
/// page type, `F` its field selection.
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the builder is awaited or streamed"]
pub struct List<V: GraphVersion, P, F> {
    client: Client<V>,
    op: &'static Operation,
    node: String,
    node_field: &'static str,
    max_page_size: u32,
    fields: Vec<F>,
    page_size: Option<u32>,
    after: Option<String>,
    before: Option<String>,
    filters: Vec<Filter>,
    sort: Option<Sort>,
    total_count: bool,
    _page: std::marker::PhantomData<fn() -> P>,
}

impl<V: GraphVersion, P: Page, F: Field> List<V, P, F> {
    /// A list of `op` on `node` (validated as `node_field`), pages of at most
    /// `max_page_size` items.
    pub(crate) fn new(
        client: Client<V>,
        op: &'static Operation,
        node: String,
        node_field: &'static str,
        max_page_size: u32,
    ) -> Self {
        Self {
            client,
            op,
            node,
            node_field,
            max_page_size,
            fields: Vec::new(),
            page_size: None,
            after: None,
            before: None,
            filters: Vec::new(),
            sort: None,
            total_count: false,
            _page: std::marker::PhantomData,
        }
    }

    /// Selects fields (replacing earlier ones).
    pub fn fields(mut self, fields: impl IntoIterator<Item = F>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Adds one field.
    pub fn field(mut self, field: F) -> Self {
        self.fields.push(field);
        self
    }

    /// Items per page, from 1 to the edge's maximum (100; 25 for QR codes).
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

    /// The client, the fields chosen, the page size asked for and the operation.
    pub(crate) fn parts(&self) -> (Client<V>, Vec<F>, Option<u32>, &'static Operation) {
        (
            self.client.clone(),
            self.fields.clone(),
            self.page_size,
            self.op,
        )
    }

    /// The operation the list reads.
    pub(crate) fn op(&self) -> &'static Operation {
        self.op
    }

    /// The cursor the list starts after, when one was given.
    pub(crate) fn start_cursor(&self) -> Option<String> {
        self.after.clone()
    }

    /// Everything that does not change from page to page, checked.
    fn prepare(&self) -> Result<PagedQuery<V>, Error> {
        let node = validate::node_id(self.node_field, &self.node)?;
        let mut query = Vec::new();
        if let Some(fields) = fields::join(&self.fields)? {
            query.push(("fields", fields));
        }
        if let Some(filtering) = Filter::encode(&self.filters)? {
            query.push(("filtering", filtering));
        }
        if let Some(size) = self.page_size {
            if !(1..=self.max_page_size).contains(&size) {
                return Err(Error::invalid(
                    "page_size",
                    format!("must be 1 to {}, got {size}", self.max_page_size),
                ));
            }
            query.push(("limit", size.to_string()));
        }
        if let Some(sort) = &self.sort {
            query.push(("sort", sort.encode()));
        }
        if self.total_count {
            query.push(("summary", "total_count".to_owned()));
        }
        Ok(PagedQuery {
            client: self.client.clone(),
            op: self.op,
            node,
            query,
        })
    }

    /// Reads one page.
    pub async fn send(self) -> Result<Response<P>, Error> {
        self.prepare()?.page(self.after, self.before).await
    }

    /// Reads one page and keeps its body undecoded, for
    /// [`Core::decode_kept`](crate::core::Core::decode_kept).
    pub(crate) async fn send_kept(self) -> Result<Response<bytes::Bytes>, Error> {
        self.prepare()?
            .page_decoded(self.after, self.before, crate::call::keep)
            .await
    }

    /// Every page, following the `after` cursor until a page has no `paging.next`. One page
    /// is held at a time, so memory stays flat for any count.
    pub fn pages(self) -> ResultStream<Response<P>> {
        match self.prepare() {
            Ok(query) => query.pages(self.after),
            Err(error) => futures_util::stream::once(async move { Err(error) }).boxed(),
        }
    }

    /// Every item of every page, in order. Ends after the first error.
    pub fn stream(self) -> ResultStream<P::Item> {
        // The page's own vector is yielded from, item by item (no second vector).
        Box::pin(paging::Items::new(self.pages()))
    }

    /// Every item, collected. Prefer [`stream`](Self::stream) for large edges.
    pub async fn collect_all(self) -> Result<Vec<P::Item>, Error> {
        use futures_util::TryStreamExt;
        self.stream().try_collect().await
    }
}

/// The filters, order and total count only the phone-number list takes.
impl<V: GraphVersion> List<V, V::PhoneNumberPage, V::PhoneNumberField> {
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

    /// Asks Graph for `summary.total_count`.
    pub fn with_total_count(mut self) -> Self {
        self.total_count = true;
        self
    }
}

impl<V: GraphVersion, P: Page, F: Field> IntoFuture for List<V, P, F> {
    type Output = Result<Response<P>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'static>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// An edge's checked, encoded query: everything that does not change from page to page.
#[derive(Clone, Debug)]
struct PagedQuery<V: GraphVersion> {
    client: Client<V>,
    op: &'static Operation,
    node: String,
    query: Vec<(&'static str, String)>,
}

impl<V: GraphVersion> PagedQuery<V> {
    /// One page, after or before a cursor.
    async fn page<P: Page>(
        &self,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<Response<P>, Error> {
        self.page_decoded(after, before, crate::paging::page_json::<P>)
            .await
    }

    /// One page, after or before a cursor, its answer decoded with `decode`.
    async fn page_decoded<T>(
        &self,
        after: Option<String>,
        before: Option<String>,
        decode: fn(&[u8]) -> Result<T, String>,
    ) -> Result<Response<T>, Error> {
        let mut query: Vec<(&'static str, &str)> =
            self.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(after) = &after {
            query.push(("after", after));
        }
        if let Some(before) = &before {
            query.push(("before", before));
        }
        self.client
            .call_decoded(self.op, &[&self.node], &query, decode)
            .await
    }

    /// Every page from `after` on.
    fn pages<P: Page>(self, after: Option<String>) -> ResultStream<Response<P>> {
        let fetch = move |after: Option<String>| {
            let query = self.clone();
            async move { query.page::<P>(after, None).await }
        };
        paging::pages(after, fetch).boxed()
    }
}
