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
//! One process applies observations at a time (it holds the state in memory, about 450
//! bytes per number; others may read the store: [`Inbox::fleet_values`],
//! [`Inbox::fleet_history`]).

mod model;
mod observe;

use std::collections::{HashMap, HashSet};
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

/// Fields whose values are unique to a number (not shared from the pool).
const UNIQUE_VALUES: &[&str] = &["display_phone_number", "verified_name"];

/// A field's index in memory: its place in [`NUMBER_FIELDS`], then [`ACCOUNT_FIELDS`]
/// (a name in both, `can_send_message`, takes the first: a record holds one or the other).
fn field_index(name: &str) -> Option<u8> {
    NUMBER_FIELDS
        .iter()
        .chain(ACCOUNT_FIELDS)
        .position(|f| *f == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// The field at `index` (see [`field_index`]).
fn field_name(index: u8) -> &'static str {
    NUMBER_FIELDS
        .iter()
        .chain(ACCOUNT_FIELDS)
        .nth(usize::from(index))
        .copied()
        .unwrap_or_default()
}

/// One field's value in memory.
struct Slot {
    field: u8,
    value: Option<Arc<str>>,
    /// When the value was last known true (see [`StateValue::as_of_ms`]).
    as_of_ms: i64,
}

/// One number's or account's values in memory.
#[derive(Default)]
struct Record {
    waba_id: Option<Arc<str>>,
    slots: Vec<Slot>,
}

/// What the applying process remembers, compactly (a fleet of 100,000 numbers has
/// 900,000 values): each number's and account's values, enumeration values shared from a
/// pool, and numbers by display digits.
#[derive(Default)]
struct Memory {
    records: HashMap<(Entity, Box<str>), Record>,
    by_display: HashMap<Box<str>, Box<str>>,
    pool: HashSet<Arc<str>>,
}

impl Memory {
    fn slot(&self, entity: Entity, id: &str, field: u8) -> Option<(&Record, &Slot)> {
        let record = self.records.get(&(entity, Box::from(id)))?;
        let slot = record.slots.iter().find(|s| s.field == field)?;
        Some((record, slot))
    }

    fn text(&mut self, field: &str, value: &str) -> Arc<str> {
        if UNIQUE_VALUES.contains(&field) {
            return Arc::from(value);
        }
        if let Some(shared) = self.pool.get(value) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(value);
        self.pool.insert(shared.clone());
        shared
    }

    fn put(&mut self, value: &StateValue) {
        let Some(field) = field_index(&value.field) else {
            return;
        };
        if value.entity == Entity::Number
            && value.field == "display_phone_number"
            && let Some(display) = &value.value
        {
            self.by_display
                .insert(digits(display).into(), value.id.as_str().into());
        }
        let text = value.value.as_deref().map(|v| self.text(&value.field, v));
        let waba = value.waba_id.as_deref().map(|w| self.text("waba_id", w));
        let record = self
            .records
            .entry((value.entity, value.id.as_str().into()))
            .or_default();
        if waba.is_some() {
            record.waba_id = waba;
        }
        match record.slots.iter_mut().find(|s| s.field == field) {
            Some(slot) => {
                slot.value = text;
                slot.as_of_ms = value.as_of_ms;
            }
            None => record.slots.push(Slot {
                field,
                value: text,
                as_of_ms: value.as_of_ms,
            }),
        }
    }

    fn confirm(&mut self, entity: Entity, id: &str, field: u8, at_ms: i64) {
        if let Some(slot) = self
            .records
            .get_mut(&(entity, Box::from(id)))
            .and_then(|r| r.slots.iter_mut().find(|s| s.field == field))
        {
            slot.as_of_ms = slot.as_of_ms.max(at_ms);
        }
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
            memory.put(&value);
        }
        Ok(Self {
            inbox: inbox.clone(),
            memory: Arc::new(Mutex::new(memory)),
        })
    }

    /// True when nothing was ever stored (the fleet has not been read yet).
    pub async fn is_empty(&self) -> bool {
        self.memory.lock().await.records.is_empty()
    }

    /// Calls `visit` with every value in memory: the entity, its ID, its account, the
    /// field and the value.
    pub async fn visit(
        &self,
        mut visit: impl FnMut(Entity, &str, Option<&str>, &str, Option<&str>),
    ) {
        let memory = self.memory.lock().await;
        for ((entity, id), record) in &memory.records {
            for slot in &record.slots {
                visit(
                    *entity,
                    id,
                    record.waba_id.as_deref(),
                    field_name(slot.field),
                    slot.value.as_deref(),
                );
            }
        }
    }

    /// A number's ID and account, by its display number's digits.
    pub async fn number_by_display(&self, digits: &str) -> Option<(String, Option<String>)> {
        let memory = self.memory.lock().await;
        let id = memory.by_display.get(digits)?;
        let waba = memory
            .records
            .get(&(Entity::Number, id.clone()))
            .and_then(|r| r.waba_id.as_deref().map(str::to_owned));
        Some((id.to_string(), waba))
    }

    /// Compares `observations` with the state, in order, and stores what differs in one
    /// transaction: changed values with one history record each, first values without.
    /// Answers the new records. Nothing is changed (in memory or in the store) when the
    /// store fails. Fields the state does not keep are left out.
    pub async fn apply(
        &self,
        observations: Vec<Observation>,
    ) -> Result<Vec<FleetChange>, InboxError> {
        let mut memory = self.memory.lock().await;
        let now = crate::record::millis(SystemTime::now());
        // Later observations of one key in this batch compare with the earlier ones.
        let mut pending: HashMap<(Entity, String, u8), usize> = HashMap::new();
        let mut writes: Vec<Write> = Vec::new();
        let mut confirmed: Vec<(Entity, String, u8, i64)> = Vec::new();
        for seen in observations {
            let Some(field) = field_index(seen.field) else {
                continue;
            };
            let key = (seen.entity, seen.id, field);
            let (current, current_waba, as_of_ms) = match pending.get(&key) {
                Some(&i) => {
                    let v = &writes[i].value;
                    (Some(v.value.as_deref()), v.waba_id.clone(), v.as_of_ms)
                }
                None => match memory.slot(key.0, &key.1, field) {
                    Some((record, slot)) => (
                        Some(slot.value.as_deref()),
                        record.waba_id.as_deref().map(str::to_owned),
                        slot.as_of_ms,
                    ),
                    None => (None, None, i64::MIN),
                },
            };
            let old = match current {
                None => None,
                Some(_) if seen.at_ms < as_of_ms => continue,
                Some(current) if current == seen.value.as_deref() => {
                    confirmed.push((key.0, key.1, field, seen.at_ms));
                    continue;
                }
                Some(current) => Some(current.map(str::to_owned)),
            };
            let write = Write {
                value: StateValue {
                    entity: seen.entity,
                    id: key.1.clone(),
                    waba_id: seen.waba_id.or(current_waba),
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
        let changes = if writes.is_empty() {
            Vec::new()
        } else {
            let values: Vec<StateValue> = writes.iter().map(|w| w.value.clone()).collect();
            let changes = self.inbox.backend.fleet_write(writes, now).await?;
            for value in &values {
                memory.put(value);
            }
            changes
        };
        // Only once the store took the batch: a failed one leaves memory as it was.
        for (entity, id, field, at_ms) in confirmed {
            memory.confirm(entity, &id, field, at_ms);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_knows_every_field_kept() {
        for field in NUMBER_FIELDS.iter().chain(ACCOUNT_FIELDS) {
            assert!(field_index(field).is_some(), "{field}");
        }
        assert!(field_index("something_new").is_none());
        for field in NUMBER_FIELDS.iter().chain(ACCOUNT_FIELDS) {
            assert_eq!(field_name(field_index(field).unwrap()), *field);
        }
    }
}
