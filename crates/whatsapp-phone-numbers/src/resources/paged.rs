//! The part every paged list shares: the checked query of one edge, sent a page at a time
//! and followed by cursor.

use futures_util::StreamExt;
use whatsapp_phone_numbers_api::operation::Operation;
use whatsapp_phone_numbers_api::{GraphVersion, Page};

use crate::ResultStream;
use crate::client::Client;
use crate::error::Error;
use crate::meta::Response;
use crate::paging;

/// An edge's checked, encoded query: everything that does not change from page to page.
#[derive(Clone, Debug)]
pub(crate) struct PagedQuery<V: GraphVersion> {
    pub(crate) client: Client<V>,
    pub(crate) op: &'static Operation,
    pub(crate) node: String,
    pub(crate) query: Vec<(&'static str, String)>,
}

impl<V: GraphVersion> PagedQuery<V> {
    /// One page, after or before a cursor.
    pub(crate) async fn page<P: Page>(
        &self,
        after: Option<String>,
        before: Option<String>,
    ) -> Result<Response<P>, Error> {
        let mut query: Vec<(&'static str, &str)> =
            self.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        if let Some(after) = &after {
            query.push(("after", after));
        }
        if let Some(before) = &before {
            query.push(("before", before));
        }
        self.client.call(self.op, &[&self.node], &query).await
    }

    /// Every page from `after` on; one page in memory at a time.
    pub(crate) fn pages<P: Page>(self, after: Option<String>) -> ResultStream<Response<P>> {
        let fetch = move |after: Option<String>| {
            let query = self.clone();
            async move { query.page::<P>(after, None).await }
        };
        paging::pages(after, fetch).boxed()
    }
}

/// The items of every page of `pages`, in order; ends after the first error.
pub(crate) fn items<P: Page>(pages: ResultStream<Response<P>>) -> ResultStream<P::Item> {
    pages
        .flat_map(|page| {
            let items: Vec<Result<P::Item, Error>> = match page {
                Ok(page) => page.into_inner().into_items().into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            futures_util::stream::iter(items)
        })
        .boxed()
}

/// A `(field, value)` pair for a page size in `1..=max`.
pub(crate) fn page_size(
    size: Option<u32>,
    max: u32,
) -> Result<Option<(&'static str, String)>, Error> {
    match size {
        Some(size) if !(1..=max).contains(&size) => Err(Error::invalid(
            "page_size",
            format!("must be 1 to {max}, got {size}"),
        )),
        Some(size) => Ok(Some(("limit", size.to_string()))),
        None => Ok(None),
    }
}
