//! A business's accounts read with their numbers in the same requests: Graph's field
//! expansion (`fields=id,name,phone_numbers.limit(100){id,status}`) answers each account
//! with the first page of its numbers, so a fleet of accounts costs one request per page of
//! accounts instead of one (or more) per account. Accounts with more numbers than the
//! nested limit have the rest read from their own `paging`: those follow-up pages of one
//! page of accounts go together in Graph batch requests (50 per call, see
//! [`Batch`](crate::Batch)).
//!
//! Pages of accounts follow one another through cursors, so each needs the one before it.
//! After the first page, the next ones are read as a chain inside one batch call (2, then
//! 4, 8, ... up to 50 pages; no more than the throttle's headroom, nor than 12 MiB of
//! answer judged by the last page's size): each item reads from the cursor of the item
//! before it, which Graph fills in as it runs them in order (the guide's dependent
//! operations, `{result=NAME:$.paging.cursors.after}`). The pages wait as text until their
//! turn (decoded one at a time), and the next chain is asked for as soon as one arrives,
//! its cursor read from the last page's text. A fleet of 20 pages costs 5 round trips
//! instead of 20; the price is the chain's items past the last page (each counted by Graph
//! as a call), fewer than the pages read. A chain broken by an item that failed, came back
//! `null` or was throttled keeps the pages before it, and the next chain starts from there
//! as long as the pages it kept. One whose first page failed (the whole call refused, or an
//! answer larger than the client reads) has that page read alone (the error, if any, is
//! that read's), and the next chain is half as long; after a refused chain of 2 or 3 the
//! rest of the stream goes a page at a time, as without chains.
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
use crate::meta::Response;
use crate::paging::{Trail, page_json};

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

/// The longest chain of pages read in one batch call.
const MAX_CHAIN: usize = crate::batch::MAX_BATCH_ITEMS;
/// The bytes a chain's pages may hold together, judged by the size of the last page read:
/// the batch answer carries them all (as JSON text, escaped) and is read whole, within
/// the 16 MiB a client reads of one answer (escaping adds about a tenth).
const CHAIN_BYTES: usize = 12 << 20;

/// What the stream carries from one page of accounts to the next.
struct Walk<V: GraphVersion> {
    query: AccountsWithNumbers<V>,
    after: Option<String>,
    /// The nested limit in use (lowered when Graph answers error 1).
    nested: Option<u32>,
    first: bool,
    /// The next pages, already asked for while this one is completed and consumed.
    ahead: Option<Ahead<V>>,
    /// Pages read by a chain and not yet yielded, in order.
    ready: std::collections::VecDeque<Read<V>>,
    /// How many pages the last chain asked for (doubled for the next one); 0 once Graph
    /// refused the first page of a chain of 2 or 3: the rest is read a page at a time.
    chain: usize,
    /// The cursors followed and the run of empty pages, to end a server that loops.
    trail: Trail,
    /// An error to end with after the page just yielded.
    failed: Option<Error>,
}

/// A page of accounts as read, with the sizes Graph accepted for it.
struct Read<V: GraphVersion> {
    page: PageRead<V>,
    /// The page's size as Graph sent it, in bytes.
    bytes: usize,
    page_size: u32,
    nested: Option<u32>,
}

/// A page decoded, or a chain's page kept as Graph's text until its turn (text is a
/// fraction of the decoded size, and a chain holds several pages), or the next page in
/// turn being decoded on a blocking thread while the consumer works through the one before.
enum PageRead<V: GraphVersion> {
    Decoded(V::BusinessAccountPage),
    Kept(Box<Response<bytes::Bytes>>),
    Decoding(tokio::task::JoinHandle<Result<V::BusinessAccountPage, Error>>),
}

/// The read of the next pages, running on the runtime while the stream's consumer works
/// through the page before them; aborted when the stream is dropped.
struct Ahead<V: GraphVersion>(tokio::task::JoinHandle<Result<Chain<V>, Error>>);

/// The pages a chain read, and whether Graph refused its first page (read alone then).
type Chain<V> = (Vec<Read<V>>, bool);

impl<V: GraphVersion> Drop for Ahead<V> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<V: GraphVersion> Ahead<V> {
    async fn wait(mut self) -> Result<Chain<V>, Error> {
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
        let after = self.accounts.start_cursor();
        let walk = Walk {
            trail: Trail::starting_at(after.as_deref()),
            after,
            nested: self.numbers.limit,
            query: self,
            first: true,
            ahead: None,
            ready: std::collections::VecDeque::new(),
            chain: 1,
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
    /// pages after it are asked for before the consumer takes it (a chain's next pages as
    /// soon as the chain arrives, a lone page's once its follow-ups are done), so their
    /// round trip overlaps the work on this one.
    async fn page(&mut self) -> Result<(Vec<AccountNumbers<V>>, Option<String>), Error> {
        if self.ready.is_empty() {
            let (reads, refused) = match self.ahead.take() {
                Some(ahead) => ahead.wait().await?,
                None => (
                    vec![read_page(self.query.clone(), self.after.clone(), self.nested).await?],
                    false,
                ),
            };
            if refused {
                // The next chain (doubled from this) is half the refused one, while that is
                // a chain at all: an answer too large for the client is read in smaller
                // chains, a server that takes no batch is asked at most a few times.
                self.chain = if self.chain >= 4 { self.chain / 4 } else { 0 };
            } else if reads.len() < self.chain {
                // A chain that broke before its pages ran out: the next one starts from
                // what this one read.
                self.chain = reads.len();
            }
            self.ready.extend(reads);
            // The pages after a chain are asked for as soon as it arrives: its last page's
            // cursor is read from its text (the pages stay undecoded), so the next round
            // trip overlaps the work on this chain's pages.
            if let Some(last) = self.ready.back()
                && let PageRead::Kept(kept) = &last.page
                && let Some(cursor) = peek_next(kept.as_ref())
            {
                let bytes = last.bytes;
                self.read_ahead(cursor, bytes);
            }
        }
        let Some(read) = self.ready.pop_front() else {
            return Err(paging_error("a read of accounts answered no page"));
        };
        self.decode_ahead();
        self.query.page_size = read.page_size;
        self.nested = read.nested;
        let bytes = read.bytes;
        let page = match read.page {
            PageRead::Decoded(page) => page,
            PageRead::Kept(kept) => self.decoder()(*kept)?,
            PageRead::Decoding(decoding) => decoding.await.map_err(|stopped| {
                paging_error(&format!("decoding a page of accounts stopped: {stopped}"))
            })??,
        };
        let mut next = crate::paging::next_cursor(page.next_page(), page.after_cursor())
            .map_err(|message| paging_error(&message))?;
        if next.is_none() {
            // The last page: what a chain read after it is past the end.
            self.ready.clear();
        }
        // A cursor seen before would read the same accounts again, forever, and so would
        // a server that answers empty pages without end: this page's accounts are
        // yielded, then the error.
        if let Some(cursor) = &next
            && let Err(reason) = self.trail.follow(page.items().is_empty(), cursor)
        {
            self.failed = Some(paging_error(&format!("cannot continue paging: {reason}")));
            next = None;
        }
        let items = complete(
            &self.query.client,
            &self.query.numbers.fields,
            page.into_items(),
        )
        .await;
        // After a page read alone (not a chain's), the pages after it are asked for once
        // its follow-ups are done, before the consumer takes it.
        if self.ready.is_empty()
            && self.ahead.is_none()
            && let Some(cursor) = next.clone()
        {
            self.read_ahead(cursor, bytes);
        }
        Ok((items, next))
    }

    /// How a kept page of accounts is decoded (a decode error names the field, secrets
    /// redacted, as for a page read alone).
    fn decoder(
        &self,
    ) -> impl FnOnce(Response<bytes::Bytes>) -> Result<V::BusinessAccountPage, Error> + Send + 'static
    {
        let op = self.query.accounts.op();
        let core = self.query.client.core.clone();
        move |kept| {
            core.decode_kept(op, kept, page_json::<V::BusinessAccountPage>)
                .map(Response::into_inner)
        }
    }

    /// Starts decoding the next kept page in turn on a blocking thread, so that it is
    /// decoded while the consumer works through the page before it (the two use both cores
    /// where one would decode, then hand over, then wait).
    fn decode_ahead(&mut self) {
        let Some(mut next) = self.ready.pop_front() else {
            return;
        };
        next.page = match next.page {
            PageRead::Kept(kept) => {
                let decode = self.decoder();
                PageRead::Decoding(tokio::task::spawn_blocking(move || decode(*kept)))
            }
            other => other,
        };
        self.ready.push_front(next);
    }

    /// Starts reading the pages after `cursor` (a chain twice as long as the last one,
    /// within the answer's byte budget judged by a page of `bytes`, and the throttle's
    /// headroom), to be waited for when the pages in hand are done.
    fn read_ahead(&mut self, cursor: String, bytes: usize) {
        if self.chain > 0 {
            let room = self.query.client.core.inner.throttle.headroom();
            self.chain = (self.chain * 2)
                .min(MAX_CHAIN)
                .min(room.unwrap_or(MAX_CHAIN))
                .min(CHAIN_BYTES / bytes.max(1))
                .max(1);
        }
        self.ahead = Some(Ahead(tokio::spawn(read_chain(
            self.query.clone(),
            cursor,
            self.nested,
            self.chain.max(1),
        ))));
    }
}

/// The cursor of the page after this one, read from a page's text without decoding its
/// accounts; `None` on the last page (or text that does not say).
fn peek_next(kept: &Response<bytes::Bytes>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Only {
        paging: Option<Paging>,
    }
    #[derive(serde::Deserialize)]
    struct Paging {
        next: Option<String>,
        cursors: Option<Cursors>,
    }
    #[derive(serde::Deserialize)]
    struct Cursors {
        after: Option<String>,
    }
    let paging = serde_json::from_slice::<Only>(kept).ok()?.paging?;
    let after = paging.cursors.and_then(|c| c.after);
    crate::paging::next_cursor(paging.next.as_deref(), after.as_deref())
        .ok()
        .flatten()
}

/// Up to `length` pages of accounts from `after`, chained in one batch call (one plain
/// request when `length` is 1), kept as text until their turn: the pages up to the first
/// item that failed; when even the first item failed, a plain read from `after` (which
/// asks for less data on error 1, and answers Graph's error otherwise), marked refused.
async fn read_chain<V: GraphVersion>(
    query: AccountsWithNumbers<V>,
    after: String,
    nested: Option<u32>,
    length: usize,
) -> Result<Chain<V>, Error> {
    if length <= 1 {
        return Ok((vec![read_page(query, Some(after), nested).await?], false));
    }
    let expansion = query.numbers.expansion(nested)?;
    let mut chain = query.client.chain();
    let slots = chain.add_all((0..length).map(|index| {
        let cursor = if index == 0 {
            after.clone()
        } else {
            crate::collect::PREVIOUS_AFTER.to_owned()
        };
        query
            .accounts
            .clone()
            .fields(query.account_fields.iter().cloned())
            .field(Field::parse(&expansion))
            .page_size(query.page_size)
            .after(cursor)
            .send_kept()
    }));
    // The pages up to the first item that failed; those past the last page are dropped
    // when it is decoded.
    let mut reads = Vec::new();
    for result in chain.send().await.take_all(slots) {
        match result {
            Ok(kept) => reads.push(Read {
                bytes: kept.meta().body_len(),
                page: PageRead::Kept(Box::new(kept)),
                page_size: query.page_size,
                nested,
            }),
            Err(error) => {
                tracing::debug!(%error, pages = reads.len(), "a chain of pages ended early");
                break;
            }
        }
    }
    if reads.is_empty() {
        tracing::debug!("the chain's first page failed: reading it alone, and the rest too");
        return Ok((vec![read_page(query, Some(after), nested).await?], true));
    }
    Ok((reads, false))
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
                    bytes: page.meta().body_len(),
                    page: PageRead::Decoded(page.into_inner()),
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
    // (position in `out`, account ID, cursor of its next page, the account's trail)
    let mut pending: Vec<(usize, String, String, Trail)> = Vec::new();
    for mut account in accounts {
        let mut error = None;
        let numbers = match account.take_phone_numbers() {
            Some(page) => {
                match crate::paging::next_cursor(page.next_page(), page.after_cursor()) {
                    Ok(Some(after)) => match account.id() {
                        Some(id) => {
                            let trail = Trail::starting_at(Some(&after));
                            pending.push((out.len(), id.to_owned(), after, trail));
                        }
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
        let slots = batch.add_all(pending.iter().map(|(_, id, after, _)| {
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
        for ((at, id, _, mut trail), result) in pending.into_iter().zip(results) {
            match result {
                Ok(page) => {
                    let page = page.into_inner();
                    match crate::paging::next_cursor(page.next_page(), page.after_cursor()) {
                        // A cursor that came back, or empty pages without end: the numbers
                        // read so far are kept, and the error says the rest is missing.
                        Ok(Some(after)) => match trail.follow(page.items().is_empty(), &after) {
                            Ok(()) => next.push((at, id, after, trail)),
                            Err(reason) => {
                                out[at].error =
                                    Some(paging_error(&format!("cannot continue paging: {reason}")))
                            }
                        },
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
