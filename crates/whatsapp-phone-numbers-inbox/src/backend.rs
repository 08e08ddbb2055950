//! The one interface every store implements, so that an [`Inbox`](crate::Inbox) is the same
//! whatever keeps it.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use crate::error::InboxError;
use crate::fleet::{FleetChange, HistoryQuery, StateValue, Write};
use crate::model::{Change, DeadLetter, Inserted, Replay, Status};
use crate::record::Prepared;

/// A boxed store operation.
pub(crate) type Op<'a, T> = Pin<Box<dyn Future<Output = Result<T, InboxError>> + Send + 'a>>;

/// Row states, shared by every store.
pub(crate) mod state {
    pub(crate) const PENDING: i64 = 0;
    pub(crate) const LEASED: i64 = 1;
    pub(crate) const DONE: i64 = 2;
    pub(crate) const DEAD: i64 = 3;
}

/// A store of deliveries and change rows.
pub(crate) trait Backend: Send + Sync + 'static {
    /// Inserts a delivery and its new changes in one transaction, durably.
    fn insert(&self, delivery: Prepared) -> Op<'_, Inserted>;
    /// Leases the next change that may be worked on for `lease`: the oldest ready one whose
    /// account has no earlier change pending or leased (a lease that ran out counts as
    /// pending again).
    fn claim(&self, consumer: String, lease: Duration) -> Op<'_, Option<Change>>;
    /// Extends a lease to `lease` from now; false when it was lost.
    fn extend(&self, id: i64, token: i64, lease: Duration) -> Op<'_, bool>;
    /// Gives a leased change back untouched: pending again at once, its attempt not
    /// counted; false when the lease was lost.
    fn release(&self, id: i64, token: i64) -> Op<'_, bool>;
    /// Marks a leased change done; false when the lease was lost.
    fn complete(&self, id: i64, token: i64) -> Op<'_, bool>;
    /// Gives a leased change back, to try again at `retry_at`, or (`None`) as a dead letter.
    fn fail(
        &self,
        id: i64,
        token: i64,
        error: String,
        retry_at: Option<SystemTime>,
    ) -> Op<'_, bool>;
    /// Counts by state.
    fn status(&self) -> Op<'_, Status>;
    /// Whether any change is pending or leased (cheap: no count).
    fn has_backlog(&self) -> Op<'_, bool>;
    /// The dead letters, oldest first.
    fn dead_letters(&self, limit: usize) -> Op<'_, Vec<DeadLetter>>;
    /// Makes finished and dead changes pending again; answers how many.
    fn replay(&self, from: Replay) -> Op<'_, u64>;
    /// Deletes finished changes (and deliveries left without changes) older than a time;
    /// answers how many changes.
    fn prune(&self, finished_before: SystemTime) -> Op<'_, u64>;
    /// Every value of the fleet state.
    fn fleet_values(&self) -> Op<'_, Vec<StateValue>>;
    /// Upserts the values and appends their history records (recorded at `now_ms`) in one
    /// durable transaction; answers the records with their IDs.
    fn fleet_write(&self, writes: Vec<Write>, now_ms: i64) -> Op<'_, Vec<FleetChange>>;
    /// History records, oldest first.
    fn fleet_history(&self, query: HistoryQuery) -> Op<'_, Vec<FleetChange>>;
    /// History records not marked emitted, oldest first.
    fn fleet_unemitted(&self, limit: usize) -> Op<'_, Vec<FleetChange>>;
    /// Marks the records up to `id` emitted.
    fn fleet_mark_emitted(&self, id: i64) -> Op<'_, ()>;
}
