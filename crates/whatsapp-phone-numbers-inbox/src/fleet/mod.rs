//! The fleet's state, kept beside the inbox (same store): each number's and account's last
//! known values, and a history with one record per difference seen.
//!
//! A [`Fleet`] is fed [`Observation`]s from two sources, as Kubernetes' informers combine a
//! watch with periodic lists: webhooks, as they are consumed from the inbox
//! ([`from_webhook`]), and full reads of the fleet ([`from_number`], [`from_account`]).
//! [`Fleet::apply`] compares each with the stored value and, when it differs, updates the
//! value and appends a [`FleetChange`] in the same transaction:
//!
//! - **Idempotent**: seeing the same value again records nothing, so a webhook handed out
//!   twice (the inbox is at least once) or confirmed by a read is recorded once.
//! - **Stale observations are ignored**: each value keeps the time it was known from
//!   (a webhook's entry time, or when a read began); an observation older than that (a
//!   webhook Graph retried for minutes, a read that began before a webhook's change) does
//!   not undo a newer value.
//! - **Unannounced differences**: a difference a read finds is marked `unannounced`: no
//!   webhook said so (one was lost, not subscribed to, or Graph sends none for that field).
//! - **First values** (a fleet read for the first time, a number added) are stored without
//!   a history record: there is no previous value to differ from.
//! - **Emitted at least once**: records carry an `emitted` mark;
//!   [`Fleet::unemitted`] and [`Fleet::mark_emitted`] let a watcher hand each one on (print
//!   it, run a command) after it was committed, again after a crash if it had not finished.
//!
//! One process applies observations at a time (it holds the state in memory; others may
//! read the store: [`Inbox::fleet_values`], [`Inbox::fleet_history`]).

mod model;
mod observe;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

pub use model::{Entity, FleetChange, HistoryQuery, Observation, Source, StateValue};
pub(crate) use model::{NewRecord, Write};
pub use observe::{
    ACCOUNT_FIELDS, ACCOUNT_READ_FIELDS, NUMBER_FIELDS, NUMBER_READ_FIELDS, WebhookFacts, digits,
    display_digits, from_account, from_number, from_webhook,
};
use tokio::sync::Mutex;

use crate::{Inbox, InboxError};

type Key = (Entity, String, String);

/// What the applying process remembers: every value, and numbers by display digits.
#[derive(Default)]
struct Memory {
    values: HashMap<Key, StateValue>,
    by_display: HashMap<String, (String, Option<String>)>,
}

impl Memory {
    fn put(&mut self, value: StateValue) {
        if value.entity == Entity::Number
            && value.field == "display_phone_number"
            && let Some(display) = &value.value
        {
            self.by_display
                .insert(digits(display), (value.id.clone(), value.waba_id.clone()));
        }
        self.values
            .insert((value.entity, value.id.clone(), value.field.clone()), value);
    }
}

/// The fleet state of an inbox's store, held by the one process that applies
/// observations (see the [module docs](self)). Cheap to clone; clones share it.
#[derive(Clone)]
pub struct Fleet {
    inbox: Inbox,
    memory: Arc<Mutex<Memory>>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("inbox", &self.inbox)
            .finish_non_exhaustive()
    }
}

impl Fleet {
    /// The fleet state kept in `inbox`'s store, loaded into memory.
    pub async fn open(inbox: &Inbox) -> Result<Self, InboxError> {
        let mut memory = Memory::default();
        for value in inbox.backend.fleet_values().await? {
            memory.put(value);
        }
        Ok(Self {
            inbox: inbox.clone(),
            memory: Arc::new(Mutex::new(memory)),
        })
    }

    /// True when nothing was ever stored (the fleet has not been read yet).
    pub async fn is_empty(&self) -> bool {
        self.memory.lock().await.values.is_empty()
    }

    /// Every value, in no particular order.
    pub async fn values(&self) -> Vec<StateValue> {
        self.memory.lock().await.values.values().cloned().collect()
    }

    /// A number's ID and account, by its display number's digits.
    pub async fn number_by_display(&self, digits: &str) -> Option<(String, Option<String>)> {
        self.memory.lock().await.by_display.get(digits).cloned()
    }

    /// Looks up several display numbers at once (see [`number_by_display`](Self::number_by_display)).
    pub async fn display_index(&self) -> HashMap<String, (String, Option<String>)> {
        self.memory.lock().await.by_display.clone()
    }

    /// Compares `observations` with the state, in order, and stores what differs in one
    /// transaction: changed values with one history record each, first values without.
    /// Answers the new records. Nothing is changed (in memory or in the store) when the
    /// store fails.
    pub async fn apply(
        &self,
        observations: Vec<Observation>,
    ) -> Result<Vec<FleetChange>, InboxError> {
        let mut memory = self.memory.lock().await;
        let now = crate::record::millis(SystemTime::now());
        // Later observations of one key in this batch compare with the earlier ones.
        let mut pending: HashMap<Key, usize> = HashMap::new();
        let mut writes: Vec<Write> = Vec::new();
        let mut confirmed: Vec<(Key, i64)> = Vec::new();
        for seen in observations {
            let key: Key = (seen.entity, seen.id.clone(), seen.field.to_owned());
            let current = match pending.get(&key) {
                Some(&i) => Some(&writes[i].value),
                None => memory.values.get(&key),
            };
            let old = match current {
                None => None,
                Some(current) if seen.at_ms < current.as_of_ms => continue,
                Some(current) if current.value == seen.value => {
                    confirmed.push((key, seen.at_ms));
                    continue;
                }
                Some(current) => Some(current.value.clone()),
            };
            let waba_id = seen
                .waba_id
                .clone()
                .or_else(|| current.and_then(|c| c.waba_id.clone()));
            let write = Write {
                value: StateValue {
                    entity: seen.entity,
                    id: seen.id,
                    waba_id,
                    field: seen.field.to_owned(),
                    value: seen.value,
                    as_of_ms: seen.at_ms,
                    source: seen.source,
                    changed_at_ms: now,
                },
                record: old.map(|old| NewRecord {
                    old,
                    unannounced: seen.source == Source::Resync,
                    observed_at_ms: seen.at_ms,
                    inbox_change_id: seen.inbox_change_id,
                }),
            };
            // A second change of one key in one batch is written after the first: both
            // records are kept, the state row ends with the last.
            writes.push(write);
            pending.insert(key, writes.len() - 1);
        }
        for (key, at_ms) in confirmed {
            if let Some(value) = memory.values.get_mut(&key) {
                value.as_of_ms = value.as_of_ms.max(at_ms);
            }
        }
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let values: Vec<StateValue> = writes.iter().map(|w| w.value.clone()).collect();
        let changes = self.inbox.backend.fleet_write(writes, now).await?;
        for value in values {
            memory.put(value);
        }
        Ok(changes)
    }

    /// History records not handed on yet ([`mark_emitted`](Self::mark_emitted)), oldest
    /// first, at most `limit`.
    pub async fn unemitted(&self, limit: usize) -> Result<Vec<FleetChange>, InboxError> {
        self.inbox.backend.fleet_unemitted(limit).await
    }

    /// Marks every record up to `id` handed on.
    pub async fn mark_emitted(&self, id: i64) -> Result<(), InboxError> {
        self.inbox.backend.fleet_mark_emitted(id).await
    }
}

impl Inbox {
    /// The fleet state as stored (see [`fleet`](crate::fleet)), without loading it into a
    /// [`Fleet`]: for readers beside the process that applies observations.
    pub async fn fleet_values(&self) -> Result<Vec<StateValue>, InboxError> {
        self.backend.fleet_values().await
    }

    /// History records, oldest first.
    pub async fn fleet_history(&self, query: HistoryQuery) -> Result<Vec<FleetChange>, InboxError> {
        self.backend.fleet_history(query).await
    }
}
