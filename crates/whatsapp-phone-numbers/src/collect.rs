//! The batch an item's future runs in: a [`Batch`](crate::Batch) runs each added builder
//! inside a task-local scope, where the one place requests are sent (`Core::send`) hands
//! the request to the batch instead of sending it, and waits for the item's answer.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use tokio::sync::{mpsc, oneshot};
use whatsapp_phone_numbers_api::operation::{Operation, RetryClass};

use crate::error::Error;
use crate::secret::AccessToken;

tokio::task_local! {
    /// The batch an item's future runs in, and the item's position in it.
    static COLLECTING: (Arc<Collector>, usize);
}

/// What a batch's items tell the batch.
pub(crate) enum Event {
    /// The item asks to send a request.
    Submitted(usize, Submitted),
    /// The item waits before asking again (a retry after a throttled answer).
    Pausing(usize),
    /// The item runs again after its pause.
    Resumed(usize),
    /// The item has its result.
    Finished(usize),
}

/// One item's request, waiting to be sent, and where its answer goes.
pub(crate) struct Submitted {
    /// `{method, relative_url, body?}`.
    pub(crate) item: serde_json::Value,
    /// The node the item's path starts from, whose business its usage is charged to.
    pub(crate) node: Option<String>,
    /// The item's retry class: a failed batch call is the item's failure, judged by it.
    pub(crate) retry: RetryClass,
    /// What the item carries that no error may show (its own token and proof when it has
    /// them, a PIN or code of its body): the batch call's error is redacted of every
    /// item's.
    pub(crate) secrets: Vec<String>,
    pub(crate) reply: oneshot::Sender<Result<RawAnswer, Error>>,
}

/// An item's answer as Graph sent it.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// Batch calls it took (more than one when it came back `null`).
    pub(crate) attempts: u32,
}

/// The batch one item's future runs in.
pub(crate) struct Collector {
    events: mpsc::UnboundedSender<Event>,
    allow_unprocessed_only: bool,
    /// The batch's own token: every item's fallback.
    token: AccessToken,
    /// Whether the items are a chain of pages (`Client::chain`).
    chained: bool,
}

/// In a chained item's URL, where the previous item's `after` cursor goes: Graph puts it
/// there when it runs the item (`{result=NAME:$.paging.cursors.after}`). Letters only, so
/// that it passes URL encoding unchanged.
pub(crate) const PREVIOUS_AFTER: &str = "wpnPreviousItemsAfterCursor";

/// Runs `future` as item `index` of the batch `collector` gathers.
pub(crate) fn scope<F: Future>(
    collector: Arc<Collector>,
    index: usize,
    future: F,
) -> impl Future<Output = F::Output> {
    COLLECTING.scope((collector, index), future)
}

/// The batch the current future runs in, when it runs in one.
pub(crate) fn current() -> Option<(Arc<Collector>, usize)> {
    COLLECTING.try_with(|(c, i)| (Arc::clone(c), *i)).ok()
}

impl Collector {
    pub(crate) fn new(
        events: mpsc::UnboundedSender<Event>,
        allow_unprocessed_only: bool,
        token: AccessToken,
        chained: bool,
    ) -> Self {
        Self {
            events,
            allow_unprocessed_only,
            token,
            chained,
        }
    }

    /// Whether the items are a chain of pages, each read after the one before it: such an
    /// item is never sent again on its own (the item it uses would not be in that call).
    pub(crate) fn is_chained(&self) -> bool {
        self.chained
    }

    /// Whether `op` may join this batch: operations that must not be repeated once
    /// processed only when allowed, and no file upload (`sends_file`).
    pub(crate) fn check(&self, op: &Operation, sends_file: bool) -> Result<(), Error> {
        if op.retry == RetryClass::UnprocessedOnly && !self.allow_unprocessed_only {
            return Err(Error::invalid(
                "batch",
                format!(
                    "`{}` must not be repeated once processed, so it joins a batch only with \
                     allow_unprocessed_only()",
                    op.id
                ),
            ));
        }
        if sends_file {
            return Err(Error::invalid(
                "batch",
                format!("`{}` sends a file, which a batch cannot carry", op.id),
            ));
        }
        Ok(())
    }

    /// Whether a request made with `token` carries it in the batch (another token than the
    /// batch's own).
    pub(crate) fn is_own_token(&self, token: &AccessToken) -> bool {
        self.token != *token
    }

    /// Tells the batch the item pauses before asking again, and that it runs again.
    pub(crate) async fn pause(&self, index: usize, wait: Duration) {
        let _ = self.events.send(Event::Pausing(index));
        tokio::time::sleep(wait).await;
        let _ = self.events.send(Event::Resumed(index));
    }

    /// Tells the batch item `index` has its result.
    pub(crate) fn finished(&self, index: usize) {
        let _ = self.events.send(Event::Finished(index));
    }

    /// Joins `item` (a request for `node`, of retry class `retry`) to the batch and waits
    /// for its answer, or for the failure of the batch call it went in.
    pub(crate) async fn submit(
        &self,
        index: usize,
        item: serde_json::Value,
        node: Option<&str>,
        retry: RetryClass,
        secrets: Vec<String>,
    ) -> Result<RawAnswer, Error> {
        let mut item = item;
        if self.chained {
            // Named, so that the next item can use its cursor; included in the answer,
            // which Graph leaves out by default for an item another one uses.
            item["name"] = serde_json::Value::String(item_name(index));
            item["omit_response_on_success"] = serde_json::Value::Bool(false);
            if index > 0
                && let Some(url) = item["relative_url"].as_str()
            {
                let reference =
                    format!("{{result={}:$.paging.cursors.after}}", item_name(index - 1));
                item["relative_url"] =
                    serde_json::Value::String(url.replace(PREVIOUS_AFTER, &reference));
            }
        }
        let (reply, answer) = oneshot::channel();
        let dropped = || Error::Config("the batch was dropped before it was sent".into());
        self.events
            .send(Event::Submitted(
                index,
                Submitted {
                    item,
                    node: node.map(str::to_owned),
                    retry,
                    secrets,
                    reply,
                },
            ))
            .map_err(|_| dropped())?;
        answer.await.map_err(|_| dropped())?
    }
}

/// A chained item's name.
fn item_name(index: usize) -> String {
    format!("page{index}")
}
