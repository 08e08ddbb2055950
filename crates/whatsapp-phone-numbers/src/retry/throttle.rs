//! Throttling before the limit: every answer's `X-App-Usage` and
//! `X-Business-Use-Case-Usage` feed one [`Throttle`] per configuration (shared by every
//! clone of a client), which spaces requests out as usage approaches 100% instead of
//! running into Graph's throttling errors (4, 80007, 80008) and waiting.
//!
//! Usage is tracked per budget: the app's, and each business's (Graph keys business
//! use-case usage by business or WABA ID). A request is gated by the app's budget and by
//! the budget of the business its node was last charged to.
//!
//! | usage of a budget         | requests it gates                                     |
//! |---------------------------|-------------------------------------------------------|
//! | below `slow_from` (75%)   | go at once                                            |
//! | `slow_from` to `pause_at` | start at least `spacing × (usage − slow_from) / (pause_at − slow_from)` apart |
//! | `pause_at` (95%) or more  | start a full `spacing` apart until usage falls        |
//! | Graph says access returns in T | none before T: held when T is within the retry policy's `max_wait`, refused at once (nothing sent) when it is longer |
//!
//! A call never waits longer than the retry policy's [`max_wait`](crate::RetryConfig::max_wait)
//! in this gate, queue included: a call whose turn would come later is refused with
//! [`Error::Throttled`](crate::Error::Throttled) (nothing sent, [`retry_after`](crate::Error::retry_after)
//! = when its turn or the window would come). While a window Graph announced is open, every
//! call it gates is refused this way, so a closed business costs no request and no usage;
//! another business's calls still go.
//!
//! `spacing` is learned, because Graph does not say how fast usage drains (its windows
//! roll over an hour; the mock's can be seconds). It starts at
//! [`ThrottleConfig::min_spacing`] and, judged only on answers to requests sent after its
//! last change (so that requests in flight do not count twice):
//! - doubles when a budget is at `pause_at` or above,
//! - grows by half when usage is past the middle of the spaced band and still rising,
//! - shrinks by a third when usage falls, and halves below `slow_from`,
//!
//! always within [`ThrottleConfig::max_spacing`], so the pace settles where the budget
//! drains. Waiters look at the gate again after every sleep, so a rise in usage reported
//! meanwhile holds back requests that were already waiting.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use http::{HeaderMap, HeaderValue};

use crate::meta::{AppUsage, BusinessUseCaseUsage};

/// How a client slows itself as Graph's reported usage approaches 100%.
///
/// On by default. The thresholds are percentages of a budget, as Graph reports them (the
/// highest of `call_count`, `total_cputime` and `total_time`).
///
/// ```
/// use std::time::Duration;
/// use whatsapp_phone_numbers::ThrottleConfig;
/// let gentle = ThrottleConfig::default()
///     .with_slow_from(60.0)
///     .with_max_spacing(Duration::from_secs(120));
/// assert!(gentle.enabled);
/// assert!(!ThrottleConfig::disabled().enabled);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ThrottleConfig {
    /// Whether usage is tracked and requests spaced at all (default `true`).
    pub enabled: bool,
    /// Usage from which requests are spaced out (default 75).
    pub slow_from: f64,
    /// Usage from which requests start a full spacing apart (default 95).
    pub pause_at: f64,
    /// The spacing the client starts with (default 50 ms).
    pub min_spacing: Duration,
    /// The longest spacing it grows to (default 60 s).
    pub max_spacing: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            slow_from: 75.0,
            pause_at: 95.0,
            min_spacing: Duration::from_millis(50),
            max_spacing: Duration::from_secs(60),
        }
    }
}

impl ThrottleConfig {
    /// No throttling: usage headers are neither read nor acted on.
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Sets [`slow_from`](Self::slow_from).
    pub fn with_slow_from(mut self, percent: f64) -> Self {
        self.slow_from = percent;
        self
    }

    /// Sets [`pause_at`](Self::pause_at).
    pub fn with_pause_at(mut self, percent: f64) -> Self {
        self.pause_at = percent;
        self
    }

    /// Sets [`min_spacing`](Self::min_spacing).
    pub fn with_min_spacing(mut self, spacing: Duration) -> Self {
        self.min_spacing = spacing;
        self
    }

    /// Sets [`max_spacing`](Self::max_spacing).
    pub fn with_max_spacing(mut self, spacing: Duration) -> Self {
        self.max_spacing = spacing;
        self
    }

    /// Checks the values: thresholds in `0..=100` with `slow_from < pause_at`, and
    /// `0 < min_spacing <= max_spacing`.
    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        use crate::Error;
        let percent = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !percent(self.slow_from) {
            return Err(Error::invalid(
                "throttle.slow_from",
                "must be within 0..=100",
            ));
        }
        if !percent(self.pause_at) || self.pause_at <= self.slow_from {
            return Err(Error::invalid(
                "throttle.pause_at",
                "must be within 0..=100 and above slow_from",
            ));
        }
        if self.min_spacing.is_zero() || self.min_spacing > self.max_spacing {
            return Err(Error::invalid(
                "throttle.min_spacing",
                "must be above zero and at most max_spacing",
            ));
        }
        Ok(())
    }
}

/// A regain window Graph announced and that is still open: calls it gates are refused
/// without being sent until it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThrottleWindow {
    /// The business (or WABA) Graph closed, or `None` for the app's own budget.
    pub business_id: Option<String>,
    /// How long until Graph said access returns.
    pub remaining: Duration,
    /// The Graph error code of the answer that announced it (80008, say), when it was an error.
    pub code: Option<i64>,
}

/// What a client's throttle knows right now; see [`Client::throttle_status`](crate::Client::throttle_status).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct ThrottleStatus {
    /// The app's usage in percent, from the last `X-App-Usage` seen.
    pub app_percent: Option<f64>,
    /// The business with the highest usage in `X-Business-Use-Case-Usage` and that usage.
    pub busiest_business: Option<(String, f64)>,
    /// The current learned spacing.
    pub spacing: Duration,
    /// Requests that were held back so far.
    pub delayed_requests: u64,
    /// Their total wait.
    pub total_delay: Duration,
    /// The configured `slow_from`.
    pub slow_from: f64,
    /// The configured `pause_at`.
    pub pause_at: f64,
    /// Regain windows still open, longest first.
    pub windows: Vec<ThrottleWindow>,
    /// Calls refused without being sent (a window, or a wait beyond the ceiling).
    pub refused_requests: u64,
    /// HTTP requests let through so far, retries and batch calls included (each is one
    /// call toward Graph's rate limits): compare two snapshots to count what a piece of
    /// work cost.
    pub admitted_requests: u64,
    /// Bytes of business IDs and routes the throttle remembers (bounded; see
    /// [`ThrottleStatus::MEMORY_BOUND`]).
    pub remembered_bytes: usize,
}

impl ThrottleStatus {
    /// The most bytes of business IDs and node routes a throttle remembers; past it, all
    /// but open windows are forgotten and relearned from the next answers.
    pub const MEMORY_BOUND: usize = MAX_REMEMBERED_BYTES;

    /// The highest usage known, app or business (0 when none was reported).
    pub fn highest_percent(&self) -> f64 {
        let business = self.busiest_business.as_ref().map_or(0.0, |(_, p)| *p);
        self.app_percent.unwrap_or(0.0).max(business)
    }

    /// How many requests to keep in flight, at most `max`: all of them below `slow_from`,
    /// fewer in proportion as usage climbs towards `pause_at`, and one from there on.
    ///
    /// ```
    /// use whatsapp_phone_numbers::ThrottleStatus;
    /// let mut status = ThrottleStatus::default();
    /// (status.slow_from, status.pause_at) = (75.0, 95.0);
    /// assert_eq!(status.suggested_concurrency(16), 16);
    /// status.app_percent = Some(85.0);
    /// assert_eq!(status.suggested_concurrency(16), 8);
    /// status.app_percent = Some(99.0);
    /// assert_eq!(status.suggested_concurrency(16), 1);
    /// ```
    pub fn suggested_concurrency(&self, max: usize) -> usize {
        let max = max.max(1);
        let percent = self.highest_percent();
        if percent < self.slow_from {
            return max;
        }
        if percent >= self.pause_at {
            return 1;
        }
        let room = (self.pause_at - percent) / (self.pause_at - self.slow_from);
        ((max as f64 * room).ceil() as usize).clamp(1, max)
    }
}

/// One budget's last report.
#[derive(Clone, Copy, Debug)]
struct Budget {
    percent: f64,
    /// Graph said access returns at this time.
    blocked_until: Option<Instant>,
    /// The Graph error code of the answer that closed it, if it was an error.
    closed_by: Option<i64>,
    /// The earliest start of the next request this budget gates.
    next_start: Instant,
}

impl Budget {
    fn new(now: Instant) -> Self {
        Self {
            percent: 0.0,
            blocked_until: None,
            closed_by: None,
            next_start: now,
        }
    }

    /// The end of its window, when one is open at `now`.
    fn open_window(&self, now: Instant) -> Option<Instant> {
        self.blocked_until.filter(|until| *until > now)
    }
}

/// Why a call was refused without being sent.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Refusal {
    /// The budget that refused it: a business, or `None` for the app.
    pub(crate) business_id: Option<String>,
    /// How long until it could go.
    pub(crate) retry_after: Duration,
    /// A window Graph announced (`true`), or the spacing queue (`false`).
    pub(crate) window: bool,
    /// The Graph error code that announced the window.
    pub(crate) code: Option<i64>,
}

/// Which way a report moves the spacing.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
enum Verdict {
    /// Usage is low or falling fast: halve.
    Low,
    /// Usage fell: shrink by a third.
    Falling,
    /// Nothing to learn.
    Hold,
    /// Usage is high and rising: grow by half.
    Rising,
    /// At the pause: double.
    Paused,
}

/// A request's admission: the spacing epoch it was sent in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticket(u64);

/// The most bytes of business IDs and node→business routes remembered; beyond it all but
/// open windows are forgotten (a forgotten budget is relearned from the next answer).
const MAX_REMEMBERED_BYTES: usize = 4 << 20;
/// What one remembered entry costs besides its text (hash table slot, `String` headers,
/// the budget).
const ENTRY_OVERHEAD: usize = 96;
/// The longest ID remembered. Graph's IDs are decimal numbers of 15 to 17 digits; a longer
/// one is no business Graph could close, and is not kept.
const MAX_ID_LEN: usize = 64;
/// The longest usage header read. Graph's name the few businesses a call touched (tens of
/// bytes each); a longer one is no report Graph sends, and would only cost time under the
/// throttle's lock and memory in the last parse kept.
const MAX_USAGE_HEADER: usize = 64 << 10;

/// The throttle's maps, keyed by IDs: two lookups on every request, so a seeded foldhash
/// rather than SipHash (the keys come from Graph's answers, and the map's size is bounded
/// in bytes either way).
type IdMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

#[derive(Debug)]
struct State {
    app: Budget,
    businesses: IdMap<Budget>,
    /// The business a node (a phone number, say) was last charged to, when its ID is not
    /// the business's own.
    routes: IdMap<String>,
    spacing: Duration,
    /// Bumped at every change of `spacing`: only answers to requests admitted since then
    /// may change it again.
    epoch: u64,
    delayed: u64,
    total_delay: Duration,
    refused: u64,
    /// Answers with an app usage report since the reported usage last moved.
    app_calls_since: u32,
    /// The share of the app's budget one call costs, in percent, when learned.
    per_call: Option<f64>,
    /// What `businesses` and `routes` hold, in bytes (text plus [`ENTRY_OVERHEAD`]).
    remembered_bytes: usize,
    /// The last `X-App-Usage` value and what it said.
    app_seen: Option<(HeaderValue, Level)>,
    /// The last `X-Business-Use-Case-Usage` value and what it said, business by business.
    business_seen: Option<(HeaderValue, Vec<(String, Level)>)>,
}

/// The usage tracker and request gate shared by every clone of a client.
pub(crate) struct Throttle {
    config: ThrottleConfig,
    /// The longest regain time (`estimated_time_to_regain_access`) a request is held for.
    hold_ceiling: Duration,
    state: Mutex<State>,
    /// Requests let through (see [`ThrottleStatus::admitted_requests`]).
    admitted: AtomicU64,
}

impl fmt::Debug for Throttle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Throttle")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Throttle {
    pub(crate) fn new(config: ThrottleConfig) -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                app: Budget::new(now),
                businesses: IdMap::default(),
                routes: IdMap::default(),
                spacing: config.min_spacing,
                epoch: 0,
                delayed: 0,
                refused: 0,
                app_calls_since: 0,
                per_call: None,
                remembered_bytes: 0,
                app_seen: None,
                business_seen: None,
                total_delay: Duration::ZERO,
            }),
            config,
            hold_ceiling: Duration::MAX,
            admitted: AtomicU64::new(0),
        }
    }

    /// Holds requests for Graph's regain time only when it is at most `ceiling` (the retry
    /// policy's [`max_wait`](crate::RetryConfig::max_wait)): a longer one is the caller's
    /// to decide, through the error's [`retry_after`](crate::Error::retry_after).
    pub(crate) fn holding_at_most(mut self, ceiling: Duration) -> Self {
        self.hold_ceiling = ceiling;
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The spacing a budget at `percent` asks for.
    fn spacing_for(&self, percent: f64, spacing: Duration) -> Duration {
        let c = &self.config;
        if percent < c.slow_from {
            Duration::ZERO
        } else if percent >= c.pause_at {
            spacing
        } else {
            spacing.mul_f64((percent - c.slow_from) / (c.pause_at - c.slow_from))
        }
    }

    /// Waits until a request to `node` may start, or refuses it when the gate would hold
    /// it longer than `allowance` (what is left of the call's allowed wait; `None`: no
    /// bound), a window Graph announced included. A call the gate lets through at once is
    /// never refused, however little allowance is left. Answers the ticket and how long
    /// the call waited here.
    pub(crate) async fn admit(
        &self,
        node: Option<&str>,
        allowance: Option<Duration>,
    ) -> Result<(Ticket, Duration), Refusal> {
        if !self.config.enabled {
            self.admitted.fetch_add(1, Ordering::Relaxed);
            return Ok((Ticket(0), Duration::ZERO));
        }
        let mut arrived = None;
        let mut slept = false;
        // Waiters look again after every sleep: usage and spacing may have moved meanwhile,
        // and a slot is only taken when it is due.
        loop {
            let now = Instant::now();
            let arrived = *arrived.get_or_insert(now);
            let deadline = allowance.and_then(|allowance| arrived.checked_add(allowance));
            let due = {
                let mut state = self.lock();
                let state = &mut *state;
                let spacing = state.spacing;
                let key = node.map(|n| state.routes.get(n).map_or(n, String::as_str));
                let business = key.and_then(|k| state.businesses.get_mut(k));
                let mut gates: [(Option<&str>, Option<&mut Budget>); 2] =
                    [(None, Some(&mut state.app)), (key, business)];
                let mut due = now;
                let mut limiting: (Option<&str>, Option<i64>, bool) = (None, None, false);
                for (id, budget) in gates.iter_mut() {
                    let Some(budget) = budget else { continue };
                    if budget.next_start > due {
                        due = budget.next_start;
                        limiting = (*id, None, false);
                    }
                    // Graph's own regain time: nothing goes before it.
                    if let Some(until) = budget.open_window(now)
                        && until >= due
                    {
                        due = until;
                        limiting = (*id, budget.closed_by, true);
                    }
                }
                if due > now && deadline.is_some_and(|deadline| due > deadline) {
                    state.refused += 1;
                    let (id, code, window) = limiting;
                    return Err(Refusal {
                        business_id: id.map(str::to_owned),
                        retry_after: due - now,
                        window,
                        code,
                    });
                }
                if due <= now {
                    for (_, budget) in gates.iter_mut() {
                        let Some(budget) = budget else { continue };
                        let gap = self.spacing_for(budget.percent, spacing);
                        if !gap.is_zero() {
                            budget.next_start = now + gap;
                        }
                    }
                    let waited = if slept { now - arrived } else { Duration::ZERO };
                    if slept {
                        state.delayed += 1;
                        state.total_delay += waited;
                    }
                    self.admitted.fetch_add(1, Ordering::Relaxed);
                    return Ok((Ticket(state.epoch), waited));
                }
                due
            };
            if !slept {
                slept = true;
                tracing::debug!(
                    wait_ms = (due - now).as_millis() as u64,
                    "throttling: usage is near the limit"
                );
            }
            tokio::time::sleep_until(due).await;
        }
    }

    /// How many calls fit before the app's usage reaches `pause_at`, judged from what one
    /// call was seen to cost; `None` before that is known (or with the throttle off).
    pub(crate) fn headroom(&self) -> Option<usize> {
        if !self.config.enabled {
            return None;
        }
        let state = self.lock();
        let per_call = state.per_call.filter(|p| *p > 0.0)?;
        let business = state
            .businesses
            .values()
            .map(|b| b.percent)
            .fold(0.0, f64::max);
        let used = state.app.percent.max(business);
        Some(((self.config.pause_at - used) / per_call).max(0.0) as usize)
    }

    /// Takes the usage an answer reports outside the gate (a batch item's headers): usage
    /// and windows are noted, the spacing is not learned from it.
    pub(crate) fn observe_reported(&self, node: Option<&str>, headers: &HeaderMap) {
        self.observe(node, Ticket(u64::MAX), headers);
    }

    /// The wait a call may spend in all, in the gate and in the pauses Graph asks for
    /// between attempts: the retry policy's `max_wait`.
    pub(crate) fn ceiling(&self) -> Option<Duration> {
        Some(self.hold_ceiling)
    }

    /// Opens the app's window for `wait` (an answer refusing the app's calls said when to
    /// come back), or lengthens the one open.
    pub(crate) fn app_closed_for(&self, wait: Duration) {
        if !self.config.enabled || wait.is_zero() {
            return;
        }
        let until = Instant::now() + wait.min(Duration::from_secs(86_400));
        let mut state = self.lock();
        let open = state.app.blocked_until;
        state.app.blocked_until = Some(open.map_or(until, |open| open.max(until)));
    }

    /// Notes the Graph error code of an answer for `node` that closed its budgets, so that
    /// the calls refused while the window is open name it.
    pub(crate) fn closed_by(&self, node: Option<&str>, code: i64) {
        if !self.config.enabled {
            return;
        }
        let now = Instant::now();
        let mut state = self.lock();
        let state = &mut *state;
        if state.app.open_window(now).is_some() {
            state.app.closed_by = Some(code);
        }
        let key = node.map(|n| state.routes.get(n).map_or(n, String::as_str));
        if let Some(budget) = key.and_then(|k| state.businesses.get_mut(k))
            && budget.open_window(now).is_some()
        {
            budget.closed_by = Some(code);
        }
    }

    /// How a report of `level` for a budget last at `before` moves the spacing.
    fn verdict(&self, before: f64, level: Level) -> Verdict {
        let c = &self.config;
        let p = level.percent;
        let middle = (c.slow_from + c.pause_at) / 2.0;
        if p >= c.pause_at {
            Verdict::Paused
        } else if p >= middle && p > before {
            Verdict::Rising
        } else if p < c.slow_from {
            Verdict::Low
        } else if p < before {
            Verdict::Falling
        } else {
            Verdict::Hold
        }
    }

    /// Takes the usage reported by an answer to a request for `node` admitted with
    /// `ticket`.
    pub(crate) fn observe(&self, node: Option<&str>, ticket: Ticket, headers: &HeaderMap) {
        if !self.config.enabled {
            return;
        }
        let usage = |name| {
            headers
                .get(name)
                .filter(|value| value.len() <= MAX_USAGE_HEADER)
        };
        let app_value = usage(crate::meta::APP_USAGE);
        let business_value = usage(crate::meta::BUSINESS_USE_CASE_USAGE);
        if app_value.is_none() && business_value.is_none() {
            return;
        }
        // Read the clock only when a report needs it (a regain time, a new business).
        let now = Instant::now;
        let mut state = self.lock();
        let state = &mut *state;
        // Usage moves slowly, so most answers repeat the previous header byte for byte: the
        // parse of the last one is reused.
        let app = app_value.and_then(|value| match &state.app_seen {
            Some((seen, level)) if seen == value => Some(*level),
            _ => {
                let level = app_level(value)?;
                state.app_seen = Some((value.clone(), level));
                Some(level)
            }
        });
        if let Some(value) = business_value
            && !matches!(&state.business_seen, Some((seen, _)) if seen == value)
        {
            state.business_seen = Some((value.clone(), business_levels(value)));
        }
        // The strongest verdict of the budgets in this answer wins.
        let mut verdict: Option<Verdict> = None;
        let mut note = |budget: &mut Budget, level: Level| {
            let v = self.verdict(budget.percent, level);
            verdict = Some(verdict.map_or(v, |w: Verdict| if v > w { v } else { w }));
            budget.percent = level.percent;
            let reported = level
                .regain
                .map(|d| now() + d.min(Duration::from_secs(86_400)));
            // While a window is open, an answer only lengthens it: one that names no regain
            // time (a request sent before the window opened, a batch item) does not end it.
            budget.blocked_until = match budget.blocked_until {
                Some(open) if open > now() => Some(reported.map_or(open, |r| r.max(open))),
                _ => reported,
            };
            if budget.blocked_until.is_none() {
                budget.closed_by = None;
            }
        };
        if let Some(level) = app {
            // How much of the app's budget one call costs, learned from how the reported
            // usage moves between answers (for the size of batch calls).
            state.app_calls_since += 1;
            let before = state.app.percent;
            if level.percent != before {
                if level.percent > before {
                    state.per_call =
                        Some((level.percent - before) / f64::from(state.app_calls_since));
                }
                state.app_calls_since = 0;
            }
            note(&mut state.app, level);
        }
        if business_value.is_some()
            && let Some((_, entries)) = &state.business_seen
        {
            let (businesses, routes, bytes) = (
                &mut state.businesses,
                &mut state.routes,
                &mut state.remembered_bytes,
            );
            for (index, (id, level)) in entries.iter().enumerate() {
                // Known businesses and routes are updated in place, without allocating.
                let budget = match businesses.get_mut(id.as_str()) {
                    Some(budget) => budget,
                    None => {
                        let cost = id.len() + ENTRY_OVERHEAD;
                        if *bytes + cost > MAX_REMEMBERED_BYTES {
                            forget(businesses, routes, bytes, now());
                        }
                        *bytes += cost;
                        businesses.entry(id.clone()).or_insert(Budget::new(now()))
                    }
                };
                note(budget, *level);
                // The first business an answer names is the one its node is charged to.
                if index == 0
                    && let Some(node) = node
                    && node != id
                    && node.len() <= MAX_ID_LEN
                    && routes.get(node) != Some(id)
                {
                    let cost = node.len() + id.len() + ENTRY_OVERHEAD;
                    if *bytes + cost > MAX_REMEMBERED_BYTES {
                        forget(businesses, routes, bytes, now());
                    }
                    if let Some(old) = routes.insert(node.to_owned(), id.clone()) {
                        *bytes -= node.len() + old.len() + ENTRY_OVERHEAD;
                    }
                    *bytes += cost;
                }
            }
        }
        // Only an answer to a request sent since the last change says whether it worked.
        if ticket.0 != state.epoch {
            return;
        }
        let c = &self.config;
        let spacing = match verdict {
            Some(Verdict::Paused) => state.spacing * 2,
            Some(Verdict::Rising) => state.spacing.mul_f64(1.5),
            Some(Verdict::Falling) => state.spacing.mul_f64(2.0 / 3.0),
            Some(Verdict::Low) => state.spacing / 2,
            Some(Verdict::Hold) | None => state.spacing,
        }
        .clamp(c.min_spacing, c.max_spacing);
        if spacing != state.spacing {
            state.spacing = spacing;
            state.epoch += 1;
        }
    }

    /// A snapshot for callers.
    pub(crate) fn status(&self) -> ThrottleStatus {
        let state = self.lock();
        let busiest = state
            .businesses
            .iter()
            .max_by(|a, b| a.1.percent.total_cmp(&b.1.percent))
            .map(|(id, b)| (id.clone(), b.percent));
        let now = Instant::now();
        let window = |id: Option<&String>, budget: &Budget| {
            budget.open_window(now).map(|until| ThrottleWindow {
                business_id: id.cloned(),
                remaining: until - now,
                code: budget.closed_by,
            })
        };
        let mut windows: Vec<ThrottleWindow> = window(None, &state.app)
            .into_iter()
            .chain(
                state
                    .businesses
                    .iter()
                    .filter_map(|(id, budget)| window(Some(id), budget)),
            )
            .collect();
        windows.sort_by(|a, b| {
            b.remaining
                .cmp(&a.remaining)
                .then_with(|| a.business_id.cmp(&b.business_id))
        });
        ThrottleStatus {
            windows,
            refused_requests: state.refused,
            admitted_requests: self.admitted.load(Ordering::Relaxed),
            remembered_bytes: state.remembered_bytes,
            app_percent: (state.app.percent > 0.0 || state.app.blocked_until.is_some())
                .then_some(state.app.percent),
            busiest_business: busiest,
            spacing: state.spacing,
            delayed_requests: state.delayed,
            total_delay: state.total_delay,
            slow_from: self.config.slow_from,
            pause_at: self.config.pause_at,
        }
    }
}

/// Makes room: forgets every business without an open window and every route but those to
/// a business with one (they are relearned from the next answers; a number of a closed
/// business must stay closed), or everything when windows alone fill half the bound.
fn forget(
    businesses: &mut IdMap<Budget>,
    routes: &mut IdMap<String>,
    bytes: &mut usize,
    now: Instant,
) {
    businesses.retain(|_, budget| budget.open_window(now).is_some());
    routes.retain(|_, business| businesses.contains_key(business.as_str()));
    *bytes = remembered(businesses, routes);
    if *bytes > MAX_REMEMBERED_BYTES / 2 {
        businesses.clear();
        routes.clear();
        *bytes = 0;
    }
    tracing::debug!("throttle memory bound reached: budgets relearned from the next answers");
}

/// The bytes `businesses` and `routes` hold, as [`MAX_REMEMBERED_BYTES`] counts them.
fn remembered(businesses: &IdMap<Budget>, routes: &IdMap<String>) -> usize {
    businesses
        .keys()
        .map(|id| id.len() + ENTRY_OVERHEAD)
        .sum::<usize>()
        + routes
            .iter()
            .map(|(node, id)| node.len() + id.len() + ENTRY_OVERHEAD)
            .sum::<usize>()
}

/// One usage report: the highest percentage and, when Graph says so, when access returns.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Level {
    percent: f64,
    regain: Option<Duration>,
}

impl Level {
    /// The highest of the percentages that are numbers at all, and a regain time above zero.
    fn of(percentages: [Option<f64>; 3], regain: Option<Duration>) -> Self {
        Self {
            percent: percentages
                .into_iter()
                .flatten()
                .filter(|p| p.is_finite() && *p >= 0.0)
                .fold(0.0, f64::max),
            regain: regain.filter(|d| !d.is_zero()),
        }
    }

    fn max(self, other: Self) -> Self {
        Self {
            percent: self.percent.max(other.percent),
            regain: self.regain.max(other.regain),
        }
    }
}

/// `X-App-Usage`, read by [`AppUsage::parse`]; `None` when it is not an object.
fn app_level(value: &HeaderValue) -> Option<Level> {
    let usage = AppUsage::parse(value.to_str().ok()?)?;
    Some(Level::of(
        [usage.call_count, usage.total_cputime, usage.total_time],
        None,
    ))
}

/// `X-Business-Use-Case-Usage`, read by [`BusinessUseCaseUsage::parse`]: each business once,
/// in Graph's order, at the highest level of its use cases.
fn business_levels(value: &HeaderValue) -> Vec<(String, Level)> {
    let mut levels: Vec<(String, Level)> = Vec::new();
    let Ok(text) = value.to_str() else {
        return levels;
    };
    // Where each business is in `levels`: one look-up per entry, however many there are.
    let mut at: IdMap<usize> = IdMap::default();
    for usage in BusinessUseCaseUsage::parse(text) {
        if usage.business_id.len() > MAX_ID_LEN {
            continue;
        }
        let level = Level::of(
            [usage.call_count, usage.total_cputime, usage.total_time],
            usage.estimated_time_to_regain_access,
        );
        match at.get(&usage.business_id) {
            Some(&index) => levels[index].1 = levels[index].1.max(level),
            None => {
                at.insert(usage.business_id.clone(), levels.len());
                levels.push((usage.business_id, level));
            }
        }
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throttle holding calls at most `ceiling`, told that `waba-1` (to which `number-1`
    /// is charged) is at its limit for `minutes`.
    fn closed_for(ceiling: Duration, minutes: u32) -> Throttle {
        let t = Throttle::new(ThrottleConfig::default()).holding_at_most(ceiling);
        t.observe(
            Some("number-1"),
            Ticket(0),
            &headers(
                r#"{"call_count":1}"#,
                &format!(
                    r#"{{"waba-1":[{{"call_count":100,"estimated_time_to_regain_access":{minutes}}}]}}"#
                ),
            ),
        );
        t
    }

    fn headers(app: &str, business: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-app-usage", app.parse().unwrap());
        h.insert("x-business-use-case-usage", business.parse().unwrap());
        h
    }

    #[test]
    fn levels_parse_leniently() {
        let value = |text: &str| HeaderValue::from_str(text).unwrap();
        let level = app_level(&value(
            r#"{"call_count":"12","total_cputime":40,"total_time":null,"x":[1]}"#,
        ))
        .unwrap();
        assert_eq!(level.percent, 40.0);
        assert_eq!(level.regain, None);
        let levels = business_levels(&value(
            r#"{"w":[{"call_count":100,"estimated_time_to_regain_access":2},{"call_count":"NaN"}]}"#,
        ));
        assert_eq!(levels.len(), 1);
        assert_eq!(levels[0].1.percent, 100.0);
        assert_eq!(levels[0].1.regain, Some(Duration::from_secs(120)));
        assert_eq!(
            app_level(&value(r#"{"call_count":"inf","total_time":-3}"#))
                .unwrap()
                .percent,
            0.0
        );
    }

    #[test]
    fn reports_move_the_status() {
        let t = Throttle::new(ThrottleConfig::default());
        t.observe(
            Some("111"),
            Ticket(0),
            &headers(
                r#"{"call_count":80,"total_cputime":1,"total_time":2}"#,
                r#"{"222":[{"type":"whatsapp_business_management","call_count":30}],"3\u0033":[{"call_count":"97"}]}"#,
            ),
        );
        let s = t.status();
        assert_eq!(s.app_percent, Some(80.0));
        assert_eq!(s.busiest_business, Some(("33".to_owned(), 97.0)));
        assert_eq!(s.highest_percent(), 97.0);
        assert_eq!(s.suggested_concurrency(8), 1);
        // Junk is ignored, never an error.
        t.observe(None, Ticket(0), &headers("nope", "[1,2]"));
        assert_eq!(t.status().app_percent, Some(80.0));
    }

    #[test]
    fn a_repeated_header_is_read_from_the_last_parse_and_still_routes_its_node() {
        let t = Throttle::new(ThrottleConfig::default());
        let same = headers(r#"{"call_count":5}"#, r#"{"waba-1":[{"call_count":20}]}"#);
        t.observe(Some("number-1"), Ticket(0), &same);
        t.observe(Some("number-2"), Ticket(0), &same);
        let state = t.lock();
        assert_eq!(
            state.routes.get("number-1").map(String::as_str),
            Some("waba-1")
        );
        assert_eq!(
            state.routes.get("number-2").map(String::as_str),
            Some("waba-1")
        );
        assert_eq!(state.businesses["waba-1"].percent, 20.0);
        assert_eq!(state.app.percent, 5.0);
    }

    #[test]
    fn spacing_follows_usage() {
        let t = Throttle::new(ThrottleConfig::default());
        let s = Duration::from_millis(100);
        assert_eq!(t.spacing_for(10.0, s), Duration::ZERO);
        assert_eq!(t.spacing_for(85.0, s), Duration::from_millis(50));
        assert_eq!(t.spacing_for(99.0, s), s);
    }

    #[tokio::test(start_paused = true)]
    async fn spacing_grows_while_usage_stays_at_the_pause() {
        let t = Throttle::new(ThrottleConfig::default());
        let full = headers(r#"{"call_count":96}"#, "{}");
        let (first, _) = t.admit(None, None).await.unwrap();
        // Two requests in flight under the same spacing: only the first answer counts.
        let (second, _) = t.admit(None, None).await.unwrap();
        t.observe(None, first, &full);
        let mut previous = t.status().spacing;
        assert_eq!(previous, Duration::from_millis(100));
        t.observe(None, second, &full);
        assert_eq!(t.status().spacing, previous, "counted twice");
        for _ in 0..3 {
            let (ticket, _) = t.admit(None, None).await.unwrap();
            t.observe(None, ticket, &full);
            let now = t.status().spacing;
            assert_eq!(now, previous * 2);
            previous = now;
        }
        // Rising past the middle grows it by half; falling shrinks it; low halves it.
        let (ticket, _) = t.admit(None, None).await.unwrap();
        t.observe(None, ticket, &headers(r#"{"call_count":80}"#, "{}"));
        assert_eq!(t.status().spacing, previous.mul_f64(2.0 / 3.0));
        let (ticket, _) = t.admit(None, None).await.unwrap();
        t.observe(None, ticket, &headers(r#"{"call_count":90}"#, "{}"));
        assert_eq!(t.status().spacing, previous);
        let (ticket, _) = t.admit(None, None).await.unwrap();
        t.observe(None, ticket, &headers(r#"{"call_count":10}"#, "{}"));
        assert_eq!(t.status().spacing, previous / 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_business_gates_the_nodes_charged_to_it() {
        let t = Throttle::new(ThrottleConfig::default());
        t.observe(
            Some("number-1"),
            Ticket(0),
            &headers(
                r#"{"call_count":1}"#,
                r#"{"waba-1":[{"call_count":100,"estimated_time_to_regain_access":1}]}"#,
            ),
        );
        let started = tokio::time::Instant::now();
        t.admit(Some("number-2"), None).await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(1), "another node");
        t.admit(Some("number-1"), None).await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_secs(60),
            "held a minute"
        );
        assert_eq!(t.status().delayed_requests, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_regain_time_beyond_the_ceiling_is_the_callers() {
        let t = Throttle::new(ThrottleConfig::default()).holding_at_most(Duration::from_secs(30));
        t.observe(
            Some("waba-1"),
            Ticket(0),
            &headers(
                r#"{"call_count":1}"#,
                r#"{"waba-1":[{"call_count":100,"estimated_time_to_regain_access":60}]}"#,
            ),
        );
        let started = tokio::time::Instant::now();
        let refusal = t.admit(Some("waba-1"), t.ceiling()).await.unwrap_err();
        assert!(started.elapsed().is_zero(), "refused at once");
        assert_eq!(refusal.business_id.as_deref(), Some("waba-1"));
        assert!(refusal.window);
        assert_eq!(refusal.retry_after, Duration::from_secs(3600));
    }

    /// A usage header longer than any Graph sends is not read (its parse would hold the
    /// lock, and be kept); one business named twice counts at its higher level.
    #[tokio::test(start_paused = true)]
    async fn an_oversized_usage_header_is_not_read() {
        let t = Throttle::new(ThrottleConfig::default()).holding_at_most(Duration::from_secs(30));
        let entry = r#"{"call_count":100,"estimated_time_to_regain_access":10}"#;
        let mut many = String::from("{");
        for i in 0..2_000 {
            many.push_str(&format!(r#""{}":[{entry}],"#, 100_000_000_000_000u64 + i));
        }
        many.push_str(&format!(r#""waba-1":[{entry}]}}"#));
        assert!(many.len() > MAX_USAGE_HEADER);
        t.observe(
            Some("waba-1"),
            Ticket(0),
            &headers(r#"{"call_count":1}"#, &many),
        );
        assert!(t.status().windows.is_empty());
        t.admit(Some("waba-1"), t.ceiling()).await.unwrap();
        assert!(t.lock().business_seen.is_none());

        let twice = format!(r#"{{"waba-1":[{{"call_count":5}}],"waba-1":[{entry}]}}"#);
        let levels = business_levels(&HeaderValue::from_str(&twice).unwrap());
        assert_eq!(levels.len(), 1);
        assert_eq!(levels[0].1.percent, 100.0);
    }

    /// Making room keeps the numbers charged to a business whose window is open: they stay
    /// closed while other budgets are forgotten.
    #[tokio::test(start_paused = true)]
    async fn making_room_keeps_the_routes_to_an_open_window() {
        let t = closed_for(Duration::from_secs(30), 10);
        for i in 0..60_000u64 {
            let (node, id) = (10u64.pow(15) + i, 2 * 10u64.pow(15) + i);
            t.observe(
                Some(&node.to_string()),
                Ticket(0),
                &headers(
                    r#"{"call_count":1}"#,
                    &format!(r#"{{"{id}":[{{"call_count":10}}]}}"#),
                ),
            );
        }
        assert!(t.lock().businesses.len() < 60_000, "room was made");
        assert!(
            t.admit(Some("number-1"), t.ceiling())
                .await
                .unwrap_err()
                .window
        );
        let state = t.lock();
        assert_eq!(
            state.remembered_bytes,
            remembered(&state.businesses, &state.routes)
        );
    }

    /// An answer that names the business without a regain time (sent before the window
    /// opened) leaves an open window open; a longer regain lengthens it.
    #[tokio::test(start_paused = true)]
    async fn an_open_window_is_only_lengthened() {
        let t = Throttle::new(ThrottleConfig::default()).holding_at_most(Duration::from_secs(30));
        let report = |regain: &str| {
            headers(
                r#"{"call_count":1}"#,
                &format!(r#"{{"waba-1":[{{"call_count":100{regain}}}]}}"#),
            )
        };
        t.observe(
            Some("waba-1"),
            Ticket(0),
            &report(r#","estimated_time_to_regain_access":10"#),
        );
        for quiet in [
            "",
            r#","estimated_time_to_regain_access":0"#,
            r#","estimated_time_to_regain_access":1"#,
        ] {
            t.observe(Some("waba-1"), Ticket(0), &report(quiet));
            let windows = t.status().windows;
            assert_eq!(windows.len(), 1, "{quiet}");
            assert_eq!(windows[0].remaining, Duration::from_secs(600), "{quiet}");
            assert!(
                t.admit(Some("waba-1"), t.ceiling())
                    .await
                    .unwrap_err()
                    .window
            );
        }
        t.observe(
            Some("waba-1"),
            Ticket(0),
            &report(r#","estimated_time_to_regain_access":20"#),
        );
        assert_eq!(t.status().windows[0].remaining, Duration::from_secs(1200));
        // Once it has passed, the next report decides again.
        tokio::time::advance(Duration::from_secs(1200)).await;
        t.observe(Some("waba-1"), Ticket(0), &report(""));
        assert!(t.status().windows.is_empty());
        t.admit(Some("waba-1"), t.ceiling()).await.unwrap();
    }

    /// 80008 with a two-minute window: calls for the business are refused until it ends,
    /// another business's go, and the first call after the window goes.
    #[tokio::test(start_paused = true)]
    async fn a_closed_window_refuses_its_calls_until_it_ends() {
        let t = closed_for(Duration::from_secs(30), 2);
        t.closed_by(Some("number-1"), 80008);
        for i in 0..100 {
            let node = if i % 2 == 0 { "number-1" } else { "waba-1" };
            let refusal = t.admit(Some(node), t.ceiling()).await.unwrap_err();
            assert_eq!(refusal.code, Some(80008));
            assert!(refusal.retry_after <= Duration::from_secs(120));
        }
        t.admit(Some("waba-2"), t.ceiling()).await.unwrap();
        let status = t.status();
        assert_eq!(status.refused_requests, 100);
        assert_eq!(
            status.windows,
            vec![ThrottleWindow {
                business_id: Some("waba-1".into()),
                remaining: Duration::from_secs(120),
                code: Some(80008),
            }]
        );
        // Once the rest of the window is within the ceiling, a call is held for it, then goes.
        tokio::time::advance(Duration::from_secs(90)).await;
        let started = Instant::now();
        t.admit(Some("number-1"), t.ceiling()).await.unwrap();
        assert_eq!(started.elapsed(), Duration::from_secs(30));
        assert!(t.status().windows.is_empty());
    }

    /// Concurrent calls behind a window and a spacing queue never wait longer than the
    /// ceiling: those whose turn comes later are refused, with the time their turn would
    /// have come. Swept over regain times, ceilings, usage and crowd sizes.
    #[tokio::test(start_paused = true)]
    async fn no_call_waits_longer_than_the_ceiling() {
        for (regain_secs, ceiling_ms, usage, callers) in [
            (1.5, 2_000, 100, 16),
            (0.5, 2_000, 100, 64),
            (1.5, 1_000, 100, 16),
            (0.0, 2_000, 100, 32),
            (0.0, 500, 85, 32),
            (1.0, 30_000, 100, 16),
        ] {
            let ceiling = Duration::from_millis(ceiling_ms);
            let config = ThrottleConfig::default().with_min_spacing(Duration::from_millis(400));
            let t = std::sync::Arc::new(Throttle::new(config).holding_at_most(ceiling));
            // Graph's regain time is in minutes; a fraction of one is a window of seconds.
            let minutes = regain_secs / 60.0;
            t.observe(
                Some("waba-1"),
                Ticket(0),
                &headers(
                    r#"{"call_count":1}"#,
                    &format!(
                        r#"{{"waba-1":[{{"call_count":{usage},"estimated_time_to_regain_access":{minutes}}}]}}"#
                    ),
                ),
            );
            let mut tasks = Vec::new();
            for _ in 0..callers {
                let t = t.clone();
                tasks.push(tokio::spawn(async move {
                    let started = Instant::now();
                    let outcome = t.admit(Some("waba-1"), t.ceiling()).await;
                    (started.elapsed(), outcome)
                }));
            }
            let (mut went, mut refused) = (0, 0);
            for task in tasks {
                let (waited, outcome) = task.await.unwrap();
                assert!(
                    waited <= ceiling,
                    "waited {waited:?} > {ceiling:?} (regain {regain_secs}s, usage {usage})"
                );
                match outcome {
                    Ok(_) => went += 1,
                    Err(refusal) => {
                        refused += 1;
                        assert!(waited.is_zero() || refusal.retry_after > Duration::ZERO);
                    }
                }
            }
            if Duration::from_secs_f64(regain_secs) <= ceiling {
                assert!(went >= 1, "the first call after the window goes");
            } else {
                assert_eq!(went, 0, "a window beyond the ceiling refuses every call");
            }
            if ceiling < Duration::from_secs(30) {
                assert!(refused >= 1, "a queue longer than the ceiling refuses");
            }
            assert_eq!(t.status().refused_requests, refused);
        }
    }

    /// Answers naming ever new, huge business IDs cannot grow the throttle's memory past
    /// its bound.
    #[test]
    fn a_flood_of_business_ids_stays_under_the_byte_bound() {
        let t = Throttle::new(ThrottleConfig::default());
        // 200 KiB IDs (a header longer than any read), and 60 KiB ones (read, not kept).
        for i in 0..500 {
            let huge = "9".repeat(if i % 2 == 0 { 200 << 10 } else { 60 << 10 });
            let id = format!("{i}{huge}");
            t.observe(
                Some(&id),
                Ticket(0),
                &headers(
                    r#"{"call_count":1}"#,
                    &format!(r#"{{"{id}":[{{"call_count":10}}]}}"#),
                ),
            );
        }
        // Huge IDs are no Graph IDs: not remembered at all.
        assert_eq!(t.status().remembered_bytes, 0);
        // Many short ones: remembered up to the bound, then forgotten and relearned.
        for i in 0..100_000u64 {
            let (node, id) = (
                format!("{}", 10u64.pow(15) + i),
                format!("{}", 2 * 10u64.pow(15) + i),
            );
            t.observe(
                Some(&node),
                Ticket(0),
                &headers(
                    r#"{"call_count":1}"#,
                    &format!(r#"{{"{id}":[{{"call_count":10}}]}}"#),
                ),
            );
            assert!(t.lock().remembered_bytes <= ThrottleStatus::MEMORY_BOUND);
        }
        let state = t.lock();
        assert_eq!(
            remembered(&state.businesses, &state.routes),
            state.remembered_bytes,
            "the count is the content"
        );
    }

    #[tokio::test]
    async fn disabled_does_nothing() {
        let t = Throttle::new(ThrottleConfig::disabled());
        let (ticket, _) = t.admit(None, None).await.unwrap();
        t.observe(None, ticket, &headers(r#"{"call_count":100}"#, "{}"));
        // Nothing learned, nothing held; the request is counted all the same.
        let status = t.status();
        assert_eq!(status.admitted_requests, 1);
        assert_eq!(
            ThrottleStatus {
                admitted_requests: 0,
                ..status
            },
            Throttle::new(ThrottleConfig::disabled()).status()
        );
    }

    #[test]
    fn configs_are_checked() {
        assert!(ThrottleConfig::default().check().is_ok());
        let bad = ThrottleConfig::default().with_pause_at(70.0);
        assert_eq!(
            bad.check().unwrap_err().invalid_field(),
            Some("throttle.pause_at")
        );
        let bad = ThrottleConfig::default().with_min_spacing(Duration::ZERO);
        assert_eq!(
            bad.check().unwrap_err().invalid_field(),
            Some("throttle.min_spacing")
        );
    }
}
