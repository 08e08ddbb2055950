//! A business's accounts read with their numbers in the same requests: Graph's field
//! expansion (`fields=id,name,phone_numbers.limit(100){id,status}`) answers each account
//! with the first page of its numbers, so a fleet of accounts costs one request per page of
//! accounts instead of one (or more) per account. Accounts with more numbers than the
//! nested limit have the rest read from their own `paging`: those follow-up pages of one
//! page of accounts go together in Graph batch requests (50 per call, see
//! [`Batch`](crate::Batch)).
//!
//! Graph refuses an expansion that asks for too much at once with error 1 ("Please reduce
//! the amount of data you're asking for"); the stream then asks again from the same cursor
//! with half as many accounts per page, down to one, and then with half as many numbers per
//! account, so what it yields does not depend on where Graph drew the line.

use futures_util::{StreamExt, stream};
use whatsapp_phone_numbers_api::field::Field;
use whatsapp_phone_numbers_api::view::BusinessAccount as _;
use whatsapp_phone_numbers_api::{GraphVersion, Page};

use super::business::ListBusinessAccounts;
use crate::ResultStream;
use crate::client::Client;
use crate::error::Error;
use crate::fields;

/// Graph's page size for a nested connection when no `limit` is given.
pub const NESTED_DEFAULT_LIMIT: u32 = 25;
/// Graph's page size for an edge (the accounts) when no `limit` is given.
const DEFAULT_PAGE_SIZE: u32 = 25;
/// The largest nested page Graph returns.
pub const NESTED_MAX_LIMIT: u32 = 100;

/// The numbers each account embeds: their fields and how many per account (Graph's nested
/// `limit`, 1 to 100; 25 when not given).
///
/// ```
/// # use whatsapp_phone_numbers::v24_0::{self, PhoneNumberField as N};
/// # let client = v24_0::Client::builder().access_token("t").build().unwrap();
/// let accounts = client
///     .business("1002003004005006")
///     .owned_accounts()
///     .with_phone_numbers(|numbers| numbers.fields([N::Id, N::Status]).limit(100));
/// ```
#[derive(Clone, Debug)]
pub struct NestedNumbers<V: GraphVersion> {
    fields: Vec<V::PhoneNumberField>,
    limit: Option<u32>,
}

impl<V: GraphVersion> Default for NestedNumbers<V> {
    fn default() -> Self {
        Self {
            fields: Vec::new(),
            limit: None,
        }
    }
}

impl<V: GraphVersion> NestedNumbers<V> {
    /// Selects the numbers' fields (replacing earlier ones); without any, Graph's defaults.
    pub fn fields(mut self, fields: impl IntoIterator<Item = V::PhoneNumberField>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Adds one field.
    pub fn field(mut self, field: V::PhoneNumberField) -> Self {
        self.fields.push(field);
        self
    }

    /// Numbers embedded per account, 1 to 100 (Graph's default 25).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// `phone_numbers.limit(N){fields}` with `limit` numbers.
    fn expansion(&self, limit: Option<u32>) -> Result<String, Error> {
        let mut text = String::from("phone_numbers");
        if let Some(limit) = limit {
            text.push_str(&format!(".limit({limit})"));
        }
        if let Some(fields) = fields::join(&self.fields)? {
            text.push('{');
            text.push_str(&fields);
            text.push('}');
        }
        Ok(text)
    }
}

/// One account and every one of its numbers.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AccountNumbers<V: GraphVersion> {
    /// The account, with the fields asked for (its embedded `phone_numbers` taken out).
    pub account: V::BusinessAccount,
    /// Its numbers, in Graph's order: the embedded page, then the pages that follow it.
    pub numbers: Vec<V::PhoneNumber>,
    /// Why `numbers` is incomplete: a page after the embedded one could not be read.
    pub error: Option<Error>,
}

/// A business's accounts with their numbers: see [`ListBusinessAccounts::with_phone_numbers`].
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until the stream is polled"]
pub struct AccountsWithNumbers<V: GraphVersion> {
    client: Client<V>,
    accounts: ListBusinessAccounts<V>,
    account_fields: Vec<V::BusinessAccountField>,
    numbers: NestedNumbers<V>,
    page_size: u32,
}

impl<V: GraphVersion> ListBusinessAccounts<V> {
    /// Reads each account with its numbers, in the same request: Graph's field expansion
    /// of the `phone_numbers` connection. `numbers` chooses their fields and how many each
    /// account embeds; accounts with more are completed from their own paging.
    ///
    /// Without account fields chosen on this list, the accounts' default fields are asked
    /// for (an expansion alone would answer only `id`). Pages of accounts hold 25 unless
    /// [`page_size`](Self::page_size) says otherwise.
    pub fn with_phone_numbers(
        self,
        numbers: impl FnOnce(NestedNumbers<V>) -> NestedNumbers<V>,
    ) -> AccountsWithNumbers<V> {
        let (client, fields, page_size, op) = self.parts();
        let account_fields = if fields.is_empty() {
            op.selection
                .map(|s| s.default_fields.iter().map(|f| Field::parse(f)).collect())
                .unwrap_or_default()
        } else {
            fields
        };
        AccountsWithNumbers {
            client,
            accounts: self,
            account_fields,
            numbers: numbers(NestedNumbers::default()),
            page_size: page_size.unwrap_or(DEFAULT_PAGE_SIZE),
        }
    }
}

/// What the stream carries from one page of accounts to the next.
struct Walk<V: GraphVersion> {
    query: AccountsWithNumbers<V>,
    after: Option<String>,
    /// The nested limit in use (lowered when Graph answers error 1).
    nested: Option<u32>,
    first: bool,
    /// The next page, already asked for while this one is completed and consumed.
    ahead: Option<Ahead<V>>,
    /// Fingerprints of the cursors followed, to end a cycle with an error.
    seen: std::collections::HashSet<u64>,
    /// An error to end with after the page just yielded.
    failed: Option<Error>,
}

/// A page of accounts as read, with the sizes Graph accepted for it.
struct Read<V: GraphVersion> {
    page: V::BusinessAccountPage,
    page_size: u32,
    nested: Option<u32>,
}

/// The read of the next page, running on the runtime while the stream's consumer works
/// through the page before it; aborted when the stream is dropped.
struct Ahead<V: GraphVersion>(tokio::task::JoinHandle<Result<Read<V>, Error>>);

impl<V: GraphVersion> Drop for Ahead<V> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<V: GraphVersion> Ahead<V> {
    async fn wait(mut self) -> Result<Read<V>, Error> {
        match (&mut self.0).await {
            Ok(read) => read,
            // The read itself never panics on an answer; a panic is a bug, surfaced as one.
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(_) => Err(Error::Config(
                "the runtime shut down before the next page of accounts was read".into(),
            )),
        }
    }
}
impl<V: GraphVersion> AccountsWithNumbers<V> {
    /// Everything checked before a request is sent.
    fn check(&self) -> Result<(), Error> {
        if let Some(limit) = self.numbers.limit
            && !(1..=NESTED_MAX_LIMIT).contains(&limit)
        {
            return Err(Error::invalid(
                "phone_numbers.limit",
                format!("must be 1 to {NESTED_MAX_LIMIT}, got {limit}"),
            ));
        }
        self.numbers.expansion(None).map(|_| ())
    }

    /// Every account with every one of its numbers, in Graph's order. Ends after the first
    /// page of accounts that cannot be read; a follow-up page of one account's numbers that
    /// cannot be read is that account's [`AccountNumbers::error`].
    pub fn stream(self) -> ResultStream<AccountNumbers<V>> {
        if let Err(error) = self.check() {
            return stream::once(async move { Err(error) }).boxed();
        }
        let walk = Walk {
            after: self.accounts.start_cursor(),
            nested: self.numbers.limit,
            query: self,
            first: true,
            ahead: None,
            seen: std::collections::HashSet::new(),
            failed: None,
        };
        stream::unfold(Some(walk), |walk| async move {
            let mut walk = walk?;
            if let Some(error) = walk.failed.take() {
                return Some((Err(error), None));
            }
            if !walk.first && walk.after.is_none() {
                return None;
            }
            walk.first = false;
            match walk.page().await {
                Ok((items, next)) => {
                    walk.after = next;
                    Some((Ok(items), Some(walk)))
                }
                Err(error) => Some((Err(error), None)),
            }
        })
        .flat_map(|page| {
            stream::iter(match page {
                Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(error) => vec![Err(error)],
            })
        })
        .boxed()
    }

    /// Every account with its numbers, collected.
    pub async fn collect_all(self) -> Result<Vec<AccountNumbers<V>>, Error> {
        use futures_util::TryStreamExt;
        self.stream().try_collect().await
    }
}

impl<V: GraphVersion> Walk<V> {
    /// One page of accounts from `self.after`, each completed, and the next cursor. The
    /// page after it is asked for as soon as this one is complete, so its round trip
    /// overlaps the consumer's work on this one.
    async fn page(&mut self) -> Result<(Vec<AccountNumbers<V>>, Option<String>), Error> {
        let read = match self.ahead.take() {
            Some(ahead) => ahead.wait().await?,
            None => read_page(self.query.clone(), self.after.clone(), self.nested).await?,
        };
        self.query.page_size = read.page_size;
        self.nested = read.nested;
        let page = read.page;
        let mut next = crate::paging::next_cursor(page.next_page(), page.after_cursor())
            .map_err(|message| paging_error(&message))?;
        // A cursor seen before would read the same accounts again, forever: this page's
        // accounts are yielded, then the error.
        if let Some(cursor) = &next
            && !self.seen.insert(crate::paging::fingerprint(cursor))
        {
            self.failed = Some(paging_error(
                "the next page's cursor was seen before (the pages form a cycle)",
            ));
            next = None;
        }
        let items = complete(
            &self.query.client,
            &self.query.numbers.fields,
            page.into_items(),
        )
        .await;
        // Asked for once this page's follow-ups are done (so the stream's calls still go one
        // after another, as the throttle paces them), before the consumer takes this page.
        if let Some(cursor) = &next {
            self.ahead = Some(Ahead(tokio::spawn(read_page(
                self.query.clone(),
                Some(cursor.clone()),
                self.nested,
            ))));
        }
        Ok((items, next))
    }
}

/// One page of accounts after `after`, asked again with less data while Graph answers
/// error 1: fewer accounts, then fewer numbers each.
async fn read_page<V: GraphVersion>(
    mut query: AccountsWithNumbers<V>,
    after: Option<String>,
    mut nested: Option<u32>,
) -> Result<Read<V>, Error> {
    loop {
        let expansion = query.numbers.expansion(nested)?;
        let mut list = query
            .accounts
            .clone()
            .fields(query.account_fields.iter().cloned())
            .field(Field::parse(&expansion))
            .page_size(query.page_size);
        if let Some(after) = &after {
            list = list.after(after.clone());
        }
        match list.send().await {
            Ok(page) => {
                return Ok(Read {
                    page: page.into_inner(),
                    page_size: query.page_size,
                    nested,
                });
            }
            Err(error) if error.is_too_much_data() => {
                let limit = nested.unwrap_or(NESTED_DEFAULT_LIMIT);
                if query.page_size > 1 {
                    query.page_size = (query.page_size / 2).max(1);
                } else if limit > 1 {
                    nested = Some((limit / 2).max(1));
                } else {
                    return Err(error);
                }
                tracing::debug!(
                    accounts = query.page_size,
                    numbers = nested.unwrap_or(NESTED_DEFAULT_LIMIT),
                    "Graph asked for less data: reading smaller pages"
                );
            }
            Err(error) => return Err(error),
        }
    }
}

/// The accounts of one page with their embedded numbers, and for those with more, the
/// pages that follow: each round of follow-up pages goes in Graph batch requests.
async fn complete<V: GraphVersion>(
    client: &Client<V>,
    fields: &[V::PhoneNumberField],
    accounts: Vec<V::BusinessAccount>,
) -> Vec<AccountNumbers<V>> {
    let mut out: Vec<AccountNumbers<V>> = Vec::with_capacity(accounts.len());
    // (position in `out`, account ID, cursor of its next page)
    let mut pending: Vec<(usize, String, String)> = Vec::new();
    for mut account in accounts {
        let mut error = None;
        let numbers = match account.take_phone_numbers() {
            Some(page) => {
                match crate::paging::next_cursor(page.next_page(), page.after_cursor()) {
                    Ok(Some(after)) => match account.id() {
                        Some(id) => pending.push((out.len(), id.to_owned(), after)),
                        None => {
                            error = Some(paging_error("an account with more numbers has no id"))
                        }
                    },
                    Ok(None) => {}
                    Err(message) => error = Some(paging_error(&message)),
                }
                page.into_items()
            }
            None => Vec::new(),
        };
        out.push(AccountNumbers {
            account,
            numbers,
            error,
        });
    }
    while !pending.is_empty() {
        let mut batch = client.batch();
        let slots = batch.add_all(pending.iter().map(|(_, id, after)| {
            client
                .business_account(id.as_str())
                .phone_numbers()
                .list()
                .fields(fields.iter().cloned())
                .page_size(NESTED_MAX_LIMIT)
                .after(after.clone())
        }));
        let results = batch.send().await.take_all(slots);
        let mut next = Vec::new();
        for ((at, id, _), result) in pending.into_iter().zip(results) {
            match result {
                Ok(page) => {
                    let page = page.into_inner();
                    match crate::paging::next_cursor(page.next_page(), page.after_cursor()) {
                        Ok(Some(after)) => next.push((at, id, after)),
                        Ok(None) => {}
                        Err(message) => out[at].error = Some(paging_error(&message)),
                    }
                    out[at].numbers.extend(page.into_items());
                }
                Err(error) => out[at].error = Some(error),
            }
        }
        pending = next;
    }
    out
}

fn paging_error(message: &str) -> Error {
    Error::Decode(Box::new(crate::error::DecodeError::paging(
        message.to_owned(),
    )))
}
