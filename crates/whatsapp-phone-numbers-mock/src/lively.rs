//! Lively mode ([`MockServerBuilder::lively`](crate::MockServerBuilder::lively)): numbers
//! change by themselves, as a real fleet's do, for testing a fleet watcher.
//!
//! Every [`Lively::every`] the mock picks one number at random (from a seeded generator, so
//! a run can be repeated) among those whose status is `CONNECTED`, `FLAGGED` or
//! `RESTRICTED` (numbers still pending, disconnected, banned, ... are left alone) and that
//! have not changed within [`Lively::cooldown`], and changes one of:
//!
//! - its quality rating, to another of `GREEN`, `YELLOW`, `RED`
//!   ([`MockEvent::Quality`]: falling to or leaving `RED` sends
//!   `phone_number_quality_update`);
//! - its messaging limit (`whatsapp_business_manager_messaging_limit`), one step up or down
//!   `TIER_50`, `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`, `TIER_UNLIMITED`
//!   ([`MockEvent::MessagingLimit`]: `phone_number_quality_update` with `UPGRADE` or
//!   `DOWNGRADE`); a number whose limit is none of these keeps it;
//! - its status, to another of `CONNECTED`, `FLAGGED`, `RESTRICTED`
//!   ([`MockEvent::Status`]: no webhook).
//!
//! Each change goes through [`MockState::apply`], so it sends the webhook Graph would
//! (subject to [`DeliveryPolicy::drop_percent`](crate::DeliveryPolicy::drop_percent)) and is
//! written to the [change log](crate::MockChange). [`MockState::pause_lively`] stops and
//! resumes the changes (to seed a fleet first, or to read the numbers while they hold
//! still).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use whatsapp_phone_numbers_api::v24_0::types;

use crate::events::{LIMIT_ORDER, MockEvent};
use crate::records::NumberRecord;
use crate::state::MockState;

/// How lively mode changes numbers (see [`MockServerBuilder::lively`](crate::MockServerBuilder::lively)).
///
/// The default makes one change every 2 seconds, each number at most once every 30
/// seconds, from seed 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lively {
    /// One change per this interval (at least a millisecond is used). When every number is
    /// cooling down, or none can change, the interval passes without a change.
    pub every: Duration,
    /// A number changes at most once per this long. A watcher that polls can only see
    /// changes slower than its interval (two changes between two reads look like one, or
    /// like none), and Graph does not flip a number's rating several times a second; the
    /// cooldown keeps the mock's changes to what a real fleet does and a poll can see.
    pub cooldown: Duration,
    /// Seeds the generator that picks numbers, fields and values: the same seed over the
    /// same state picks the same changes in the same order.
    pub seed: u64,
}

impl Default for Lively {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(2),
            cooldown: Duration::from_secs(30),
            seed: 0,
        }
    }
}

/// The statuses lively mode changes numbers in and moves them between.
const STATUSES: [&str; 3] = ["CONNECTED", "FLAGGED", "RESTRICTED"];
/// The quality ratings lively mode moves numbers between.
const QUALITIES: [&str; 3] = ["GREEN", "YELLOW", "RED"];
/// Random picks tried before the runner lists every number that may change.
const PROBES: usize = 32;
/// Changes after which the runner reads the numbers' IDs again even when their count did
/// not change (a number removed and another added).
const REFRESH_EVERY: u32 = 64;

/// The messaging limits lively mode steps between: the mock's order of limits, without
/// those the node's `whatsapp_business_manager_messaging_limit` does not know (`TIER_1K`,
/// which that field replaced with `TIER_2K`).
fn limit_ladder() -> impl Iterator<Item = &'static str> {
    LIMIT_ORDER
        .iter()
        .copied()
        .filter(|l| !types::BusinessMessagingLimit::from(*l).is_unknown())
}

/// Splitmix64: a small, fast generator, good enough to pick numbers and values.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// One of `items`, when there is one.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

/// Lively mode's picks, from one change to the next.
#[derive(Debug)]
pub(crate) struct Runner {
    rng: Rng,
    cooldown: Duration,
    /// The numbers' IDs when last read, to pick from by index.
    ids: Vec<String>,
    /// How many numbers the state had when `ids` was read.
    known: Option<usize>,
    /// Changes made since `ids` was read.
    since_refresh: u32,
    /// When each number cooling down last changed.
    last: HashMap<String, Instant>,
}

impl Runner {
    pub(crate) fn new(lively: &Lively) -> Self {
        Self {
            rng: Rng(lively.seed),
            cooldown: lively.cooldown,
            ids: Vec::new(),
            known: None,
            since_refresh: 0,
            last: HashMap::new(),
        }
    }

    /// Makes one change, as of `now`: answers the event applied, or `None` when no number
    /// may change or lively mode is [paused](MockState::pause_lively).
    pub(crate) fn step(&mut self, state: &MockState, now: Instant) -> Option<MockEvent> {
        // Held until the change is made and logged, so a pause waits for it.
        let paused = state.lively_gate();
        if *paused {
            return None;
        }
        self.refresh(state);
        let cooldown = self.cooldown;
        self.last
            .retain(|_, at| now.saturating_duration_since(*at) < cooldown);
        let event = self.choose(state)?;
        let id = match &event {
            MockEvent::Quality {
                phone_number_id, ..
            }
            | MockEvent::MessagingLimit {
                phone_number_id, ..
            }
            | MockEvent::Status {
                phone_number_id, ..
            } => phone_number_id.clone(),
            _ => return None,
        };
        state.apply(event.clone()).ok()?;
        // From after the change was logged, so that two logged changes of one number are
        // at least a cooldown apart.
        self.last.insert(id, Instant::now().max(now));
        self.since_refresh += 1;
        Some(event)
    }

    /// Reads the numbers' IDs again when their count changed, or after a while.
    fn refresh(&mut self, state: &MockState) {
        let inner = state.lock();
        let count = inner.numbers.len();
        if self.known != Some(count) || self.since_refresh >= REFRESH_EVERY {
            self.ids = inner.numbers.keys().cloned().collect();
            self.known = Some(count);
            self.since_refresh = 0;
        }
    }

    /// A change for a number picked at random among those that may change: a few random
    /// picks first (cheap however many numbers there are), then, when they all missed,
    /// every number listed.
    fn choose(&mut self, state: &MockState) -> Option<MockEvent> {
        if self.ids.is_empty() {
            return None;
        }
        let inner = state.lock();
        for _ in 0..PROBES {
            let id = &self.ids[self.rng.below(self.ids.len())];
            if self.last.contains_key(id) {
                continue;
            }
            if let Some(record) = inner.numbers.get(id).filter(|r| may_change(r)) {
                return change_for(&mut self.rng, id, record);
            }
        }
        let open: Vec<usize> = self
            .ids
            .iter()
            .enumerate()
            .filter(|(_, id)| {
                !self.last.contains_key(*id)
                    && inner.numbers.get(*id).is_some_and(|r| may_change(r))
            })
            .map(|(i, _)| i)
            .collect();
        let id = &self.ids[*self.rng.pick(&open)?];
        let record = inner.numbers.get(id)?;
        change_for(&mut self.rng, id, record)
    }
}

/// Whether lively mode changes this number: its status is one it moves numbers between.
fn may_change(record: &NumberRecord) -> bool {
    record
        .number
        .status
        .as_ref()
        .is_some_and(|s| STATUSES.contains(&s.as_str()))
}

/// A change of number `id` to a value it does not have: of its quality rating, its
/// messaging limit (when it has one lively mode steps between) or its status.
fn change_for(rng: &mut Rng, id: &str, record: &NumberRecord) -> Option<MockEvent> {
    let number = &record.number;
    let ladder: Vec<&str> = limit_ladder().collect();
    let limit = number
        .whatsapp_business_manager_messaging_limit
        .as_ref()
        .and_then(|l| ladder.iter().position(|k| *k == l.as_str()));
    let kinds: &[u8] = if limit.is_some() { &[0, 1, 2] } else { &[0, 2] };
    let phone_number_id = id.to_owned();
    Some(match rng.pick(kinds)? {
        0 => {
            let current = number.quality_rating.as_ref().map(|q| q.as_str());
            let others: Vec<&str> = QUALITIES
                .into_iter()
                .filter(|q| Some(*q) != current)
                .collect();
            MockEvent::Quality {
                phone_number_id,
                quality_rating: (*rng.pick(&others)?).to_owned(),
            }
        }
        1 => {
            let at = limit?;
            let steps: Vec<usize> = [at.checked_sub(1), Some(at + 1)]
                .into_iter()
                .flatten()
                .filter(|i| *i < ladder.len())
                .collect();
            MockEvent::MessagingLimit {
                phone_number_id,
                limit: ladder[*rng.pick(&steps)?].to_owned(),
            }
        }
        _ => {
            let current = number.status.as_ref().map(|s| s.as_str());
            let others: Vec<&str> = STATUSES
                .into_iter()
                .filter(|s| Some(*s) != current)
                .collect();
            MockEvent::Status {
                phone_number_id,
                status: (*rng.pick(&others)?).to_owned(),
            }
        }
    })
}

/// Lively mode over `state`: one change every `lively.every`, until the task is dropped.
pub(crate) async fn run(state: MockState, lively: Lively) {
    let every = lively.every.max(Duration::from_millis(1));
    let mut runner = Runner::new(&lively);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        runner.step(&state, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{FIELD_MESSAGING_LIMIT, FIELD_QUALITY_RATING, FIELD_STATUS};

    fn fleet() -> MockState {
        let state = MockState::new();
        state.seed_fleet("1", 2, 30);
        state
    }

    #[test]
    fn a_seed_repeats_its_changes() {
        let run = |seed| {
            let state = fleet();
            let mut runner = Runner::new(&Lively {
                seed,
                ..Lively::default()
            });
            let now = Instant::now();
            (0..20)
                .map(|_| runner.step(&state, now))
                .collect::<Vec<_>>()
        };
        let first = run(7);
        assert!(first.iter().all(Option::is_some), "{first:?}");
        assert_eq!(first, run(7));
        assert_ne!(first, run(8));
    }

    #[test]
    fn changes_only_open_numbers_to_new_values_once_per_cooldown() {
        let state = fleet();
        let open: Vec<String> = state
            .waba_ids()
            .iter()
            .flat_map(|w| state.numbers(w))
            .filter(|n| {
                n.status
                    .as_ref()
                    .is_some_and(|s| STATUSES.contains(&s.as_str()))
            })
            .filter_map(|n| n.id)
            .collect();
        assert!(open.len() >= 10 && open.len() < 60, "{}", open.len());
        let mut runner = Runner::new(&Lively::default());
        let now = Instant::now();
        // Every open number changes once, then none may until the cooldown passes.
        for _ in 0..open.len() {
            assert!(runner.step(&state, now).is_some());
        }
        assert_eq!(runner.step(&state, now), None);
        let changes = state.changes();
        assert_eq!(changes.len(), open.len());
        let mut changed: Vec<String> = changes.iter().map(|c| c.phone_number_id.clone()).collect();
        changed.sort();
        let mut expected = open.clone();
        expected.sort();
        assert_eq!(changed, expected);
        for change in &changes {
            assert_ne!(
                change.old.as_deref(),
                Some(change.new.as_str()),
                "{change:?}"
            );
            let number = state.number(&change.phone_number_id).unwrap();
            let now = match change.field.as_str() {
                FIELD_QUALITY_RATING => number.quality_rating.map(|q| q.as_str().to_owned()),
                FIELD_MESSAGING_LIMIT => number
                    .whatsapp_business_manager_messaging_limit
                    .map(|l| l.as_str().to_owned()),
                FIELD_STATUS => number.status.map(|s| s.as_str().to_owned()),
                other => panic!("unexpected field {other}"),
            };
            assert_eq!(now.as_deref(), Some(change.new.as_str()), "{change:?}");
        }
        // All three kinds of change happen.
        for field in [FIELD_QUALITY_RATING, FIELD_MESSAGING_LIMIT, FIELD_STATUS] {
            assert!(changes.iter().any(|c| c.field == field), "{field}");
        }
        // After the cooldown they may change again.
        let later = now + Lively::default().cooldown + Duration::from_millis(1);
        assert!(runner.step(&state, later).is_some());
    }

    #[test]
    fn limits_step_once_up_or_down() {
        let ladder: Vec<&str> = limit_ladder().collect();
        assert_eq!(
            ladder,
            [
                "TIER_50",
                "TIER_250",
                "TIER_2K",
                "TIER_10K",
                "TIER_100K",
                "TIER_UNLIMITED"
            ]
        );
        let state = fleet();
        let mut runner = Runner::new(&Lively::default());
        let mut now = Instant::now();
        for _ in 0..300 {
            now += Lively::default().cooldown;
            runner.step(&state, now);
        }
        let limits: Vec<_> = state
            .changes()
            .into_iter()
            .filter(|c| c.field == FIELD_MESSAGING_LIMIT)
            .collect();
        assert!(limits.len() > 20, "{}", limits.len());
        for change in limits {
            let old = ladder
                .iter()
                .position(|l| Some(*l) == change.old.as_deref());
            let new = ladder.iter().position(|l| *l == change.new);
            let (Some(old), Some(new)) = (old, new) else {
                panic!("{change:?}");
            };
            assert_eq!(old.abs_diff(new), 1, "{change:?}");
        }
    }

    #[test]
    fn a_paused_mock_changes_nothing() {
        let state = fleet();
        let mut runner = Runner::new(&Lively::default());
        state.pause_lively(true);
        assert!(state.lively_paused());
        assert_eq!(runner.step(&state, Instant::now()), None);
        assert!(state.changes().is_empty());
        state.pause_lively(false);
        assert!(runner.step(&state, Instant::now()).is_some());
        assert_eq!(state.changes().len(), 1);
    }

    #[test]
    fn an_empty_state_changes_nothing() {
        let mut runner = Runner::new(&Lively::default());
        assert_eq!(runner.step(&MockState::new(), Instant::now()), None);
    }
}
