//! Graph batch requests: many of the facade's requests in one HTTP call.
//!
//! `POST /` with `batch=[{method, relative_url, body}, ...]` (at most 50 items) answers one
//! array in the items' order, each item with its own status, headers and body; each item is
//! counted toward the rate limits as a call of its own, and an item Graph could not finish
//! in time comes back `null`, to be sent again (Meta's Graph API guide, "Batch Requests").
//!
//! [`Batch::add`] takes any request builder of the facade (a read, an update, a
//! subscription...) exactly as it would be awaited; the builder runs as usual (its input is
//! checked, and refused before anything is sent), and where it would send its request, the
//! request joins the batch instead. [`Batch::send`] sends the items in calls of at most 50,
//! sends `null` items again, feeds each item's usage headers to the throttle, and hands
//! back each item's typed result, or its own [`Error`], through the [`Slot`] `add` gave.
//!
//! An item is read like a request: an answer that asks for a retry (a throttled item,
//! nothing processed; a server error of a read) is sent again in a later batch call after
//! the retry policy's wait, and each item passes the throttle's gate as a request would
//! (Graph counts it as one). A builder that sends several requests (a stream of pages)
//! sends each of them as an item, one batch call after another.
//!
//! An item's request carries the batch's credentials unless it was built on a client with
//! another token ([`Client::with_access_token`]): then it carries its own token and proof,
//! which Meta's guide allows per item ("Multiple Access Tokens"; the batch's token is the
//! fallback). The batch call itself is retried only when nothing in it was processed (a
//! refused connection, a throttled call); operations of retry class `unprocessed-only`
//! (registration, codes, adding a number) join a batch only after
//! [`allow_unprocessed_only`](Batch::allow_unprocessed_only).

use std::any::Any;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::join_all;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use tokio::sync::mpsc;
use whatsapp_phone_numbers_api::GraphVersion;
use whatsapp_phone_numbers_api::operation::{Auth, Method, Operation, RetryClass};

use crate::call::{Call, json};
use crate::client::Client;
use crate::collect::{self, Collector, Event, RawAnswer, Submitted};
use crate::config::ApiVersion;
use crate::core::Core;
use crate::error::{Error, NetworkError, NetworkErrorKind};
use crate::meta::ResponseMeta;

/// The most items Graph takes in one batch call.
pub const MAX_BATCH_ITEMS: usize = 50;
/// How many times an item Graph left unprocessed (`null`) is sent again.
const NULL_RESENDS: u32 = 3;

/// The batch call: `POST /` with the items in a form body. Retried only when nothing in it
/// was processed.
static BATCH_CALL: Operation = Operation {
    id: "batch",
    name: "Graph batch request",
    method: Method::Post,
    path: "/",
    query: &[],
    has_body: true,
    request: None,
    response: None,
    selection: None,
    auth: Auth::User,
    retry: RetryClass::UnprocessedOnly,
};

/// A typed handle on one item's result.
#[derive(Debug)]
#[must_use = "the item's result is read with BatchResults::take"]
pub struct Slot<T> {
    /// The batch it was given by.
    batch: u64,
    index: usize,
    _result: PhantomData<fn() -> T>,
}

impl<T> Slot<T> {
    /// The item's position in the batch (from 0).
    pub fn index(&self) -> usize {
        self.index
    }
}

type ItemFuture = Pin<Box<dyn Future<Output = Box<dyn Any + Send>> + Send>>;

/// Requests gathered to be sent together; see the [module docs](self).
#[must_use = "nothing is sent until the batch is sent"]
pub struct Batch<V: GraphVersion> {
    /// This batch among the process's, to know its slots by.
    id: u64,
    client: Client<V>,
    items: Vec<ItemFuture>,
    allow_unprocessed_only: bool,
    /// A chain of pages: see [`Client::chain`].
    chained: bool,
}

impl<V: GraphVersion> std::fmt::Debug for Batch<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("items", &self.items.len())
            .field("allow_unprocessed_only", &self.allow_unprocessed_only)
            .finish_non_exhaustive()
    }
}

impl<V: GraphVersion> Client<V> {
    /// A batch of requests sent through this client's credentials and connection pool.
    ///
    /// ```no_run
    /// # async fn run(client: whatsapp_phone_numbers::v24_0::Client) -> Result<(), whatsapp_phone_numbers::Error> {
    /// let mut batch = client.batch();
    /// let first = batch.add(client.phone_number("106540352242922").get());
    /// let second = batch.add(client.phone_number("106540378297128").get());
    /// let mut results = batch.send().await;
    /// let number = results.take(first)?.into_inner();
    /// let other = results.take(second);
    /// # Ok(()) }
    /// ```
    pub fn batch(&self) -> Batch<V> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Batch {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            client: self.clone(),
            items: Vec::new(),
            allow_unprocessed_only: false,
            chained: false,
        }
    }

    /// A batch of pages read one after another inside one call (at most 50): each item
    /// after the first reads from the `after` cursor of the page before it, which Graph
    /// fills in when it runs the item (`{result=NAME:$.paging.cursors.after}`: the guide's
    /// dependent operations, run in order). Each item's cursor is
    /// [`PREVIOUS_AFTER`](crate::collect::PREVIOUS_AFTER) in its request. Nothing is sent
    /// again inside the batch: an item left `null`, throttled or failed is its own error,
    /// and the items after it are not to be used (they read from a page that is not there).
    pub(crate) fn chain(&self) -> Batch<V> {
        Batch {
            chained: true,
            ..self.batch()
        }
    }
}

impl<V: GraphVersion> Batch<V> {
    /// Adds a request: any builder of the facade, as it would be awaited.
    pub fn add<R, T>(&mut self, request: R) -> Slot<T>
    where
        R: IntoFuture<Output = Result<T, Error>>,
        R::IntoFuture: Send + 'static,
        T: Send + 'static,
    {
        let index = self.items.len();
        let future = request.into_future();
        self.items.push(Box::pin(async move {
            let result: Result<T, Error> = future.await;
            Box::new(result) as Box<dyn Any + Send>
        }));
        Slot {
            batch: self.id,
            index,
            _result: PhantomData,
        }
    }

    /// Adds several requests of one kind; the slots keep their order.
    pub fn add_all<R, T>(&mut self, requests: impl IntoIterator<Item = R>) -> Vec<Slot<T>>
    where
        R: IntoFuture<Output = Result<T, Error>>,
        R::IntoFuture: Send + 'static,
        T: Send + 'static,
    {
        requests.into_iter().map(|r| self.add(r)).collect()
    }

    /// Lets operations that must not be repeated once processed (retry class
    /// `unprocessed-only`: registration, verification codes, adding a number) join the
    /// batch. Without it they are refused with [`Error::InvalidInput`] (field `batch`),
    /// nothing sent: a batch call that fails after Graph processed part of it cannot say
    /// which items ran.
    pub fn allow_unprocessed_only(mut self) -> Self {
        self.allow_unprocessed_only = true;
        self
    }

    /// How many requests were added.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sends the batch: every item's request in calls of at most 50, `null` items again.
    /// Never fails as a whole: each item has its own result.
    pub async fn send(self) -> BatchResults {
        let count = self.items.len();
        let (events, mut inbox) = mpsc::unbounded_channel();
        let collector = Arc::new(Collector::new(
            events,
            self.allow_unprocessed_only,
            self.client.core.inner.token.clone(),
            self.chained,
        ));
        let items = self.items.into_iter().enumerate().map(|(index, item)| {
            let collector = Arc::clone(&collector);
            collect::scope(Arc::clone(&collector), index, async move {
                let out = item.await;
                collector.finished(index);
                out
            })
        });
        let client = self.client.clone();
        let driver = async move {
            // Each item runs until it asks to send a request, pauses before asking again (a
            // retry), or finishes. Whenever no item is still running, the requests asked
            // for go; an item whose answer asks for a retry runs again and asks later.
            let mut state = vec![ItemState::Running; count];
            let mut waiting: Vec<(usize, Submitted)> = Vec::new();
            while state.iter().any(|s| *s != ItemState::Finished) {
                if !waiting.is_empty() && !state.contains(&ItemState::Running) {
                    waiting.sort_by_key(|(index, _)| *index);
                    for (index, _) in &waiting {
                        state[*index] = ItemState::Running;
                    }
                    let items = std::mem::take(&mut waiting);
                    let items = items.into_iter().map(|(_, item)| item).collect();
                    deliver(&client, items, self.chained).await;
                    continue;
                }
                match inbox.recv().await {
                    Some(Event::Submitted(index, item)) => {
                        state[index] = ItemState::Waiting;
                        waiting.push((index, item));
                    }
                    Some(Event::Pausing(index)) => state[index] = ItemState::Pausing,
                    Some(Event::Resumed(index)) => state[index] = ItemState::Running,
                    Some(Event::Finished(index)) => state[index] = ItemState::Finished,
                    None => break,
                }
            }
        };
        let (results, ()) = futures_util::future::join(join_all(items), driver).await;
        BatchResults {
            batch: self.id,
            results: results.into_iter().map(Some).collect(),
        }
    }
}

impl<V: GraphVersion> IntoFuture for Batch<V> {
    type Output = BatchResults;
    type IntoFuture = Pin<Box<dyn Future<Output = BatchResults> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Each item's result, taken by its [`Slot`].
#[derive(Debug)]
pub struct BatchResults {
    /// The batch these are the results of.
    batch: u64,
    results: Vec<Option<Box<dyn Any + Send>>>,
}

impl BatchResults {
    /// The result of the item `slot` names. Taking it twice, or with a slot of another
    /// batch, answers [`Error::InvalidInput`] (field `slot`).
    pub fn take<T: 'static>(&mut self, slot: Slot<T>) -> Result<T, Error> {
        let unknown =
            || Error::invalid("slot", "names no item of this batch, or one already taken");
        if slot.batch != self.batch {
            return Err(unknown());
        }
        let Some(entry) = self.results.get_mut(slot.index) else {
            return Err(unknown());
        };
        // Only a result of the slot's type is taken (a slot is typed; this is a check).
        if !entry
            .as_ref()
            .is_some_and(|any| any.is::<Result<T, Error>>())
        {
            return Err(unknown());
        }
        match entry.take().map(|any| any.downcast::<Result<T, Error>>()) {
            Some(Ok(result)) => *result,
            _ => Err(unknown()),
        }
    }

    /// The results of `slots`, in their order.
    pub fn take_all<T: 'static>(&mut self, slots: Vec<Slot<T>>) -> Vec<Result<T, Error>> {
        slots.into_iter().map(|slot| self.take(slot)).collect()
    }

    /// How many items the batch had.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether the batch had no items.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

/// Where an item is, as the batch sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ItemState {
    /// Running its builder's code: it may still ask to send.
    Running,
    /// Asked to send; waits for the next batch call.
    Waiting,
    /// Waits before asking again.
    Pausing,
    Finished,
}

/// An item of Graph's answer.
#[derive(Deserialize)]
struct AnswerItem {
    code: u16,
    #[serde(default)]
    headers: Option<Vec<HeaderItem>>,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct HeaderItem {
    name: String,
    value: String,
}

/// Sends `items` in calls of at most 50 and answers each one; `null` items go again in
/// the next call, up to [`NULL_RESENDS`] times. A chain goes in one call, whole, and its
/// `null` items are not sent again.
async fn deliver<V: GraphVersion>(client: &Client<V>, items: Vec<Submitted>, chained: bool) {
    let resends = if chained { 0 } else { NULL_RESENDS };
    let mut queue: Vec<(Submitted, u32)> = items.into_iter().map(|item| (item, 1)).collect();
    while !queue.is_empty() {
        // As many items as the app's budget has room for (each is a call to Graph), so
        // that a batch is no burst past the limit; one at a time near it, when the gate
        // spaces the batch calls themselves. A chain's caller sized it to that room.
        let room = if chained {
            MAX_BATCH_ITEMS
        } else {
            client
                .core
                .inner
                .throttle
                .headroom()
                .unwrap_or(MAX_BATCH_ITEMS)
        };
        let rest = queue.split_off(queue.len().min(room.clamp(1, MAX_BATCH_ITEMS)));
        let chunk = std::mem::replace(&mut queue, rest);
        let body: Vec<&serde_json::Value> = chunk.iter().map(|(s, _)| &s.item).collect();
        let secrets: Vec<String> = chunk
            .iter()
            .flat_map(|(s, _)| s.secrets.iter().cloned())
            .collect();
        let answer = send_batch(&client.core, client.version, &body, &secrets).await;
        match answer {
            Err(error) => {
                for (submitted, _) in chunk {
                    let _ = submitted.reply.send(Err(error.for_class(submitted.retry)));
                }
            }
            Ok(answers) => {
                let mut answers = answers.into_iter();
                for (submitted, attempts) in chunk {
                    match answers.next().flatten() {
                        Some(item) => {
                            let mut headers = HeaderMap::new();
                            for h in item.headers.into_iter().flatten() {
                                if let (Ok(name), Ok(value)) = (
                                    HeaderName::try_from(h.name.as_str()),
                                    HeaderValue::try_from(h.value.as_str()),
                                ) {
                                    headers.append(name, value);
                                }
                            }
                            // In the items' order, the order Graph charged them in: the
                            // last report of a batch is its highest.
                            client
                                .core
                                .inner
                                .throttle
                                .observe_reported(submitted.node.as_deref(), &headers);
                            let _ = submitted.reply.send(Ok(RawAnswer {
                                status: item.code,
                                headers,
                                body: Bytes::from(item.body.unwrap_or_default()),
                                attempts,
                            }));
                        }
                        // Not processed: again, in the next call.
                        None if attempts <= resends => queue.push((submitted, attempts + 1)),
                        None => {
                            let _ = submitted.reply.send(Err(unprocessed(attempts)));
                        }
                    }
                }
            }
        }
    }
}

/// The error of an item Graph left unprocessed every time.
fn unprocessed(attempts: u32) -> Error {
    Error::Network(Box::new(NetworkError {
        message: format!("Graph left this batch item unprocessed (null) in {attempts} batch calls"),
        timeout: false,
        connect: false,
        status: None,
        retry_safe: true,
        attempts,
        kind: NetworkErrorKind::Other,
        source: None,
    }))
}

/// One batch call: the items as a form body, Graph's array back (an item `None` when it
/// came back `null`). An answer that is not an array of the items' length is an error of
/// every item. The call's error is redacted of the items' `secrets` too (it goes to each
/// item, and the body it was sent with carried them all).
async fn send_batch(
    core: &Core,
    version: ApiVersion,
    items: &[&serde_json::Value],
    secrets: &[String],
) -> Result<Vec<Option<AnswerItem>>, Error> {
    let batch = serde_json::to_string(items)
        .map_err(|e| Error::Config(format!("a batch item did not encode: {e}")))?;
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("batch", &batch)
        .append_pair("include_headers", "true")
        .finish();
    let call = Call {
        body: Some(Bytes::from(body)),
        secrets,
        content_type: "application/x-www-form-urlencoded",
        ..Call::new(&BATCH_CALL, &[])
    };
    let expected = items.len();
    let answer = core
        .send(version, call, json::<Vec<Option<AnswerItem>>>)
        .await?
        .into_inner();
    if answer.len() != expected {
        return Err(Error::Decode(Box::new(crate::error::DecodeError {
            status: 200,
            message: format!(
                "the batch answer holds {} items for {expected} requests",
                answer.len()
            ),
            body_excerpt: String::new(),
            meta: ResponseMeta::default(),
        })));
    }
    Ok(answer)
}
