//! What the mock knows: accounts, numbers, account-number nodes and the request log.
//!
//! [`MockState`] is a cheap, cloneable handle; every clone sees the same data. Tests use it
//! to seed numbers before a request and to inspect what requests changed afterwards.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use whatsapp_phone_numbers_api::v24_0::types;

use crate::apps::{AccountSubscription, Apps, MockApp};
use crate::clock::unix_now;

use crate::rate_limits::{Charge, Ledger, RateLimits};
use crate::records::{BusinessRecord, NumberRecord, UploadRecord};
use crate::request_log::{DEFAULT_REQUEST_LOG_LIMIT, RecordedRequest};
use crate::table::NodeKind;

/// What the `x-app-usage` and `x-business-use-case-usage` headers of one answer say.
#[derive(Clone, Debug)]
pub(crate) struct Usage {
    /// The account the request is charged to, when there is one.
    pub(crate) waba_id: Option<String>,
    /// The percentages of the app's and that account's budgets used, and whether the
    /// request was refused.
    pub(crate) charge: Charge,
}

/// First ID handed to numbers created at run time.
const FIRST_RUNTIME_ID: u64 = 109_900_000_000_001;
/// The sort key of a number in its account's index: onboarding time, then node ID.
pub(crate) type IndexKey = (i64, String);

/// The most objects (accounts plus the numbers embedded in them) one answer with field
/// expansion holds before the mock answers Graph's error 1 (see
/// [`MockServerBuilder::expansion_limit`](crate::MockServerBuilder::expansion_limit)).
pub const DEFAULT_EXPANSION_LIMIT: usize = 10_000;

#[derive(Debug)]
pub(crate) struct Inner {
    /// Account IDs in the order they were added (for [`MockState::waba_ids`] and the
    /// account a request without one is charged to). Membership is answered by
    /// `by_waba`, which has a key for every account in this list.
    pub(crate) wabas: Vec<String>,
    /// Each account's numbers by `(onboarded_at, id)`, ascending: the phone numbers list
    /// reads a page from here in O(log N + page). Kept in step with `numbers` by
    /// [`Inner::insert`], [`Inner::reindex`] and [`Inner::move_number`]; nothing else may
    /// change a record's `waba_id` or `onboarded_at`.
    pub(crate) by_waba: HashMap<String, BTreeSet<IndexKey>>,
    /// The latest onboarding time any number has had (a running maximum, so that
    /// [`Inner::fresh_onboarding_time`] needs no scan).
    latest_onboarded: Option<i64>,
    /// Business portfolios by ID.
    pub(crate) businesses: BTreeMap<String, BusinessRecord>,
    /// What `GET /{waba-id}` answers, by account.
    pub(crate) waba_nodes: BTreeMap<String, types::BusinessAccount>,
    /// The apps, their tokens and their own webhook subscriptions.
    pub(crate) apps: Apps,
    /// Apps subscribed to each account's webhooks, in the order they subscribed.
    pub(crate) subscriptions: BTreeMap<String, Vec<AccountSubscription>>,
    /// Official Business Account applications, by number.
    pub(crate) oba: BTreeMap<String, types::OfficialBusinessAccount>,
    /// QR codes by number, oldest first.
    pub(crate) qr_codes: BTreeMap<String, Vec<types::QrCode>>,
    /// Resumable uploads by session ID.
    pub(crate) uploads: BTreeMap<String, UploadRecord>,
    /// Upload requests still to cut short: each keeps this many of its bytes and answers
    /// 500, as when a connection drops after part of the file reached Graph.
    pub(crate) upload_cuts: std::collections::VecDeque<usize>,
    /// Every number by node ID. Records are boxed: they are large (well over a kilobyte)
    /// and a map node moves its entries around as it splits.
    pub(crate) numbers: BTreeMap<String, Box<NumberRecord>>,
    pub(crate) account_numbers: BTreeMap<String, (String, types::AccountNumber)>,
    /// The last `request_log_limit` requests, oldest first.
    pub(crate) requests: VecDeque<RecordedRequest>,
    /// How many requests `requests` keeps.
    request_log_limit: usize,
    /// Requests received since the state was made or the log last cleared, including
    /// those the bounded log dropped.
    request_total: usize,
    /// TCP connections accepted by a server over this state.
    connections: usize,
    /// How long every Graph answer is held.
    latency: Duration,
    /// The most objects (accounts plus embedded numbers) one expanded answer holds.
    expansion_limit: usize,
    next_id: u64,
    /// Calls per app and account in the rate-limit window.
    pub(crate) ledger: Ledger,
    /// The last [`CHANGE_LOG_LIMIT`](crate::CHANGE_LOG_LIMIT) changes made to numbers'
    /// quality ratings, messaging limits and statuses, oldest first.
    pub(crate) changes: VecDeque<crate::changes::MockChange>,
}

impl Inner {
    /// The apps subscribed to account `waba_id`, as Graph lists them.
    pub(crate) fn subscribed_apps(&self, waba_id: &str) -> Vec<types::SubscribedApp> {
        self.subscriptions
            .get(waba_id)
            .into_iter()
            .flatten()
            .map(|s| types::SubscribedApp {
                whatsapp_business_api_data: self.apps.get(&s.app_id).map(|app| types::AppInfo {
                    id: Some(app.id().to_owned()),
                    name: Some(app.name().to_owned()),
                    link: Some(format!(
                        "https://www.facebook.com/games/?app_id={}",
                        app.id()
                    )),
                }),
                override_callback_uri: s.override_callback_uri.clone(),
            })
            .collect()
    }

    /// App `app_id`'s subscription to account `waba_id`, when it has one.
    pub(crate) fn account_subscription(
        &self,
        waba_id: &str,
        app_id: &str,
    ) -> Option<&AccountSubscription> {
        self.subscriptions
            .get(waba_id)?
            .iter()
            .find(|s| s.app_id == app_id)
    }

    pub(crate) fn kind_of(&self, id: &str) -> Option<NodeKind> {
        if id.starts_with("upload:") {
            return self
                .uploads
                .contains_key(id)
                .then_some(NodeKind::UploadSession);
        }
        if self.apps.contains(id) {
            Some(NodeKind::App)
        } else if self.businesses.contains_key(id) {
            Some(NodeKind::Business)
        } else if self.numbers.contains_key(id) {
            Some(NodeKind::Number)
        } else if self.account_numbers.contains_key(id) {
            Some(NodeKind::AccountNumber)
        } else if self.has_waba(id) {
            Some(NodeKind::Waba)
        } else {
            None
        }
    }

    /// Whether account `waba_id` exists (O(1)).
    pub(crate) fn has_waba(&self, waba_id: &str) -> bool {
        self.by_waba.contains_key(waba_id)
    }

    /// The business portfolio that owns account `waba_id`.
    pub(crate) fn portfolio_of(&self, waba_id: &str) -> Option<&str> {
        self.businesses
            .iter()
            .find(|(_, business)| business.owned.iter().any(|w| w == waba_id))
            .map(|(id, _)| id.as_str())
    }

    /// Number `id`'s Official Business Account application, `NOT_STARTED` without one.
    pub(crate) fn oba_status(&self, id: &str) -> types::OfficialBusinessAccount {
        self.oba
            .get(id)
            .cloned()
            .unwrap_or_else(|| types::OfficialBusinessAccount {
                id: Some(id.to_owned()),
                oba_status: Some(types::ObaStatus::NotStarted),
                status_message: None,
            })
    }

    /// A node ID no number, account number or account uses yet. The IDs come from a
    /// counter; a candidate is skipped only when a seeded node already took it, so this
    /// is O(log N) per ID, not a scan.
    pub(crate) fn fresh_id(&mut self) -> String {
        loop {
            let id = self.next_id.to_string();
            self.next_id += 1;
            if self.kind_of(&id).is_none() {
                return id;
            }
        }
    }

    /// An onboarding time later than every existing one (and not before now), from the
    /// running maximum.
    pub(crate) fn fresh_onboarding_time(&self) -> i64 {
        unix_now().max(self.latest_onboarded.map_or(i64::MIN, |t| t + 1))
    }

    pub(crate) fn ensure_waba(&mut self, waba_id: &str) {
        if !self.by_waba.contains_key(waba_id) {
            self.by_waba.insert(waba_id.to_owned(), BTreeSet::new());
            self.wabas.push(waba_id.to_owned());
        }
    }

    /// Stores `record` (replacing a number with the same ID) and returns its ID: a fresh
    /// one when the record has none. O(log N).
    pub(crate) fn insert(&mut self, mut record: NumberRecord) -> String {
        let id = match record.number.id.clone() {
            Some(id) if !id.is_empty() => id,
            _ => self.fresh_id(),
        };
        record.number.id = Some(id.clone());
        self.ensure_waba(&record.waba_id);
        if let Some(old) = self.numbers.get(&id) {
            let old_key = (old.onboarded_at, id.clone());
            if let Some(index) = self.by_waba.get_mut(&old.waba_id) {
                index.remove(&old_key);
            }
        }
        self.note_onboarding(record.onboarded_at);
        if let Some(index) = self.by_waba.get_mut(&record.waba_id) {
            index.insert((record.onboarded_at, id.clone()));
        }
        self.numbers.insert(id.clone(), Box::new(record));
        id
    }

    fn note_onboarding(&mut self, at: i64) {
        self.latest_onboarded = Some(self.latest_onboarded.map_or(at, |t| t.max(at)));
    }

    /// Brings number `id`'s index entry up to date after its record changed, given where
    /// it was filed before (`old_waba`, `old_time`).
    pub(crate) fn reindex(&mut self, id: &str, old_waba: &str, old_time: i64) {
        let Some(record) = self.numbers.get(id) else {
            return;
        };
        let (waba, time) = (record.waba_id.clone(), record.onboarded_at);
        if waba == old_waba && time == old_time {
            return;
        }
        if let Some(index) = self.by_waba.get_mut(old_waba) {
            index.remove(&(old_time, id.to_owned()));
        }
        self.ensure_waba(&waba);
        self.note_onboarding(time);
        if let Some(index) = self.by_waba.get_mut(&waba) {
            index.insert((time, id.to_owned()));
        }
    }

    /// Moves number `id` to account `waba_id` (created when missing), keeping its
    /// onboarding time; false for an unknown number.
    pub(crate) fn move_number(&mut self, id: &str, waba_id: &str) -> bool {
        let Some(record) = self.numbers.get_mut(id) else {
            return false;
        };
        let (old_waba, old_time) = (
            std::mem::replace(&mut record.waba_id, waba_id.to_owned()),
            record.onboarded_at,
        );
        self.reindex(id, &old_waba, old_time);
        true
    }

    /// The records of account `waba_id`, oldest onboarding first (empty for an unknown
    /// account).
    pub(crate) fn records_of<'a>(
        &'a self,
        waba_id: &str,
    ) -> impl DoubleEndedIterator<Item = &'a NumberRecord> + 'a {
        self.by_waba
            .get(waba_id)
            .into_iter()
            .flatten()
            .filter_map(|(_, id)| self.numbers.get(id).map(|r| &**r))
    }

    /// Appends `request` to the bounded log and counts it.
    fn log_request(&mut self, request: RecordedRequest) {
        self.request_total += 1;
        if self.request_log_limit == 0 {
            return;
        }
        while self.requests.len() >= self.request_log_limit {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }
}

/// A handle on the mock's data, shared by the server and every clone.
#[derive(Clone, Debug)]
pub struct MockState {
    inner: Arc<Mutex<Inner>>,
    outbox: Arc<crate::webhooks::Outbox>,
    /// Whether lively mode is paused; held while lively mode makes a change.
    lively_paused: Arc<Mutex<bool>>,
}

impl Default for MockState {
    fn default() -> Self {
        Self::new()
    }
}

impl MockState {
    /// An empty state: no accounts, no numbers, no requests.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                wabas: Vec::new(),
                by_waba: HashMap::new(),
                latest_onboarded: None,
                businesses: BTreeMap::new(),
                waba_nodes: BTreeMap::new(),
                apps: Apps::default(),
                subscriptions: BTreeMap::new(),
                oba: BTreeMap::new(),
                qr_codes: BTreeMap::new(),
                uploads: BTreeMap::new(),
                upload_cuts: std::collections::VecDeque::new(),
                numbers: BTreeMap::new(),
                account_numbers: BTreeMap::new(),
                requests: VecDeque::new(),
                request_log_limit: DEFAULT_REQUEST_LOG_LIMIT,
                request_total: 0,
                connections: 0,
                latency: Duration::ZERO,
                expansion_limit: DEFAULT_EXPANSION_LIMIT,
                next_id: FIRST_RUNTIME_ID,
                ledger: Ledger::default(),
                changes: VecDeque::new(),
            })),
            outbox: crate::webhooks::Outbox::new(),
            lively_paused: Arc::new(Mutex::new(false)),
        }
    }

    /// The webhook queue, configuration and log.
    pub(crate) fn outbox(&self) -> Arc<crate::webhooks::Outbox> {
        self.outbox.clone()
    }

    /// Every finished webhook delivery, oldest first (the last 1,000), those lost on
    /// purpose included ([`Delivery::dropped`](crate::Delivery::dropped)).
    pub fn deliveries(&self) -> Vec<crate::webhooks::Delivery> {
        self.outbox.deliveries()
    }

    /// Pauses [lively mode](crate::Lively) (`true`) or lets it go on (`false`). While it
    /// is paused, lively mode makes no change (its intervals pass without one); once
    /// `pause_lively(true)` returns, no lively change is under way either (one that was
    /// has finished and is in the [change log](Self::changes)), so a test can read the log
    /// and the numbers while they hold still. Changes made with [`apply`](Self::apply) are
    /// not affected, nor is a mock without lively mode.
    pub fn pause_lively(&self, paused: bool) {
        *self.lively_gate() = paused;
    }

    /// Whether lively mode is paused ([`pause_lively`](Self::pause_lively)).
    pub fn lively_paused(&self) -> bool {
        *self.lively_gate()
    }

    /// The lively-mode pause: held by lively mode while it makes a change.
    pub(crate) fn lively_gate(&self) -> MutexGuard<'_, bool> {
        self.lively_paused.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The changes made to numbers' quality ratings, messaging limits and statuses
    /// ([`MockEvent::Quality`](crate::MockEvent::Quality),
    /// [`MessagingLimit`](crate::MockEvent::MessagingLimit),
    /// [`Status`](crate::MockEvent::Status), [lively mode](crate::Lively)), oldest first,
    /// each with what became of its webhook: the last
    /// [`CHANGE_LOG_LIMIT`](crate::CHANGE_LOG_LIMIT). An event that left the value as it
    /// was is not logged.
    pub fn changes(&self) -> Vec<crate::changes::MockChange> {
        self.lock().changes.iter().cloned().collect()
    }

    /// Counts of every webhook delivery since the mock started.
    pub fn webhook_stats(&self) -> crate::webhooks::WebhookStats {
        self.outbox.stats()
    }

    /// Waits until no webhook delivery is pending (every one delivered or given up), up to
    /// `timeout`; answers the counts then.
    pub async fn wait_for_webhooks_settled(
        &self,
        timeout: Duration,
    ) -> crate::webhooks::WebhookStats {
        let until = tokio::time::Instant::now() + timeout;
        loop {
            let stats = self.webhook_stats();
            if stats.pending == 0 || tokio::time::Instant::now() >= until {
                return stats;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until at least `count` webhook deliveries have finished (delivered or given
    /// up), up to `timeout`; answers them all.
    pub async fn wait_for_deliveries(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Vec<crate::webhooks::Delivery> {
        let until = tokio::time::Instant::now() + timeout;
        loop {
            let done = self.deliveries();
            if done.len() >= count || tokio::time::Instant::now() >= until {
                return done;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock is held cannot leave the maps half-written in a way that
        // matters to a mock, so keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a WhatsApp Business Account (no-op when it exists).
    pub fn add_waba(&self, waba_id: impl Into<String>) {
        self.lock().ensure_waba(&waba_id.into());
    }

    /// Adds account `waba_id` (created when missing) to business `business_id` (created
    /// when missing), as an owned account or, with `client`, a shared one.
    pub fn add_business_account(&self, business_id: &str, waba_id: &str, client: bool) {
        let mut inner = self.lock();
        inner.ensure_waba(waba_id);
        let business = inner.businesses.entry(business_id.to_owned()).or_default();
        let list = if client {
            &mut business.client
        } else {
            &mut business.owned
        };
        if !list.iter().any(|w| w == waba_id) {
            list.push(waba_id.to_owned());
        }
    }

    /// Sets what `GET /{waba-id}` answers for an account (created when missing).
    pub fn set_waba_node(&self, mut node: types::BusinessAccount) -> String {
        let mut inner = self.lock();
        let id = node.id.clone().unwrap_or_else(|| inner.fresh_id());
        node.id = Some(id.clone());
        inner.ensure_waba(&id);
        inner.waba_nodes.insert(id.clone(), node);
        id
    }

    /// A business portfolio's accounts, or `None` for an unknown ID.
    pub fn business(&self, business_id: &str) -> Option<BusinessRecord> {
        self.lock().businesses.get(business_id).cloned()
    }

    /// The apps subscribed to an account's webhooks, as `GET /{waba-id}/subscribed_apps`
    /// lists them.
    pub fn subscriptions(&self, waba_id: &str) -> Vec<types::SubscribedApp> {
        self.lock().subscribed_apps(waba_id)
    }

    /// Adds an app (or replaces the app with its ID, keeping its subscriptions).
    pub fn add_app(&self, app: MockApp) {
        self.lock().apps.insert(app);
    }

    /// The app with ID `id`.
    pub fn app(&self, id: &str) -> Option<MockApp> {
        self.lock().apps.get(id).cloned()
    }

    /// Every app, in ID order.
    pub fn apps(&self) -> Vec<MockApp> {
        self.lock().apps.all().cloned().collect()
    }

    /// The fields app `app_id`'s own subscription for `object` lists (empty when it has
    /// none), with its callback URL.
    pub fn app_subscription(&self, app_id: &str, object: &str) -> Option<(String, Vec<String>)> {
        let inner = self.lock();
        let subscription = inner.apps.subscription(app_id, object)?;
        Some((
            subscription.callback_url.clone(),
            subscription.fields.iter().map(|(n, _)| n.clone()).collect(),
        ))
    }

    /// A number's Official Business Account application, if any.
    pub fn official_business_account(&self, id: &str) -> Option<types::OfficialBusinessAccount> {
        self.lock().oba.get(id).cloned()
    }

    /// Moves a number's Official Business Account application to `status` (as Meta's review
    /// would); false when the number has no application.
    pub fn set_oba_status(&self, id: &str, status: types::ObaStatus) -> bool {
        match self.lock().oba.get_mut(id) {
            Some(oba) => {
                oba.oba_status = Some(status);
                true
            }
            None => false,
        }
    }

    /// Moves a number's username to `status` (`approved` when usernames go live where its
    /// customers are); false when the number has no username.
    pub fn set_username_status(&self, id: &str, status: &str) -> bool {
        match self.lock().numbers.get_mut(id) {
            Some(record) if record.number.username.is_some() => {
                record.username_status = Some(status.to_owned());
                true
            }
            _ => false,
        }
    }

    /// Cuts the next upload requests short, one per entry: each keeps the first
    /// `keep_bytes` of what it carries and answers 500, as when a connection drops after
    /// part of a file reached Graph. `GET /{upload-session-id}` then tells how far it got.
    pub fn interrupt_uploads(&self, keep_bytes: impl IntoIterator<Item = usize>) {
        self.lock().upload_cuts.extend(keep_bytes);
    }

    /// A number's QR codes, oldest first.
    pub fn qr_codes(&self, id: &str) -> Vec<types::QrCode> {
        self.lock().qr_codes.get(id).cloned().unwrap_or_default()
    }

    /// The bytes an upload session has received so far.
    pub fn upload_bytes(&self, session_id: &str) -> Option<Vec<u8>> {
        self.lock().uploads.get(session_id).map(|u| u.bytes.clone())
    }

    /// IDs of the accounts, in the order they were added.
    pub fn waba_ids(&self) -> Vec<String> {
        self.lock().wabas.clone()
    }

    /// Adds `number` to account `waba_id` (created when missing), onboarded after every
    /// number already there, and returns its ID (`number.id`, or a fresh one when `None`).
    /// An existing number with the same ID is replaced.
    pub fn add_number(&self, waba_id: &str, number: types::PhoneNumber) -> String {
        let mut inner = self.lock();
        let mut record = NumberRecord::new(waba_id, number);
        record.onboarded_at = inner.fresh_onboarding_time();
        inner.insert(record)
    }

    /// Inserts a complete record (replacing one with the same ID) and returns its ID.
    pub fn insert_number(&self, record: NumberRecord) -> String {
        self.lock().insert(record)
    }

    /// The phone number node with every stored field, or `None` for an unknown ID.
    pub fn number(&self, id: &str) -> Option<types::PhoneNumber> {
        self.lock().numbers.get(id).map(|r| r.number.clone())
    }

    /// The full record of a number.
    pub fn number_record(&self, id: &str) -> Option<NumberRecord> {
        self.lock().numbers.get(id).map(|r| NumberRecord::clone(r))
    }

    /// Changes a number's record in place; returns false for an unknown ID. Changing
    /// `waba_id` moves the number to that account (created when missing); changing
    /// `onboarded_at` moves it in the list's order.
    pub fn update_number(&self, id: &str, change: impl FnOnce(&mut NumberRecord)) -> bool {
        let mut inner = self.lock();
        let Some(record) = inner.numbers.get_mut(id) else {
            return false;
        };
        let (old_waba, old_time) = (record.waba_id.clone(), record.onboarded_at);
        change(record);
        inner.reindex(id, &old_waba, old_time);
        true
    }

    /// The numbers of account `waba_id`, most recently onboarded first (the list's default
    /// order).
    pub fn numbers(&self, waba_id: &str) -> Vec<types::PhoneNumber> {
        let inner = self.lock();
        inner
            .records_of(waba_id)
            .rev()
            .map(|r| r.number.clone())
            .collect()
    }

    /// How many numbers account `waba_id` has (0 for an unknown account). O(1).
    pub fn number_count(&self, waba_id: &str) -> usize {
        self.lock().by_waba.get(waba_id).map_or(0, BTreeSet::len)
    }

    /// Adds a WhatsApp account-number node owned by `waba_id` and returns its ID
    /// (`node.id`, or a fresh one when `None`).
    pub fn add_account_number(&self, waba_id: &str, mut node: types::AccountNumber) -> String {
        let mut inner = self.lock();
        let id = match node.id.clone() {
            Some(id) if !id.is_empty() => id,
            _ => inner.fresh_id(),
        };
        node.id = Some(id.clone());
        inner.ensure_waba(waba_id);
        inner
            .account_numbers
            .insert(id.clone(), (waba_id.to_owned(), node));
        id
    }

    /// The account-number node with every stored field.
    pub fn account_number(&self, id: &str) -> Option<types::AccountNumber> {
        self.lock().account_numbers.get(id).map(|(_, n)| n.clone())
    }

    /// The last verification code `request_code` sent to number `id`.
    pub fn verification_code(&self, id: &str) -> Option<String> {
        self.lock()
            .numbers
            .get(id)
            .and_then(|r| r.verification_code.clone())
    }

    /// The two-step verification PIN of number `id`, when one is set.
    pub fn pin(&self, id: &str) -> Option<String> {
        self.lock().numbers.get(id).and_then(|r| r.pin.clone())
    }

    /// The settings of number `id`.
    pub fn settings(&self, id: &str) -> Option<types::PhoneNumberSettings> {
        self.lock().numbers.get(id).map(|r| r.settings.clone())
    }

    /// The business profile of number `id`.
    pub fn business_profile(&self, id: &str) -> Option<types::BusinessProfile> {
        self.lock().numbers.get(id).map(|r| r.profile.clone())
    }

    /// How many Graph requests the mock has received (faulted ones included) since it
    /// started or [`clear_requests`](Self::clear_requests) was last called. This counts
    /// every request, also those the bounded log no longer holds.
    pub fn request_count(&self) -> usize {
        self.lock().request_total
    }

    /// How many TCP connections the server accepted: a client that keeps its connections
    /// alive and shares one pool opens few, however many tokens it sends.
    pub fn connection_count(&self) -> usize {
        self.lock().connections
    }

    /// Holds every Graph answer for `latency` from now on (see
    /// [`MockServerBuilder::latency`](crate::MockServerBuilder::latency)).
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// How long every Graph answer is held.
    pub fn latency(&self) -> Duration {
        self.lock().latency
    }

    /// Sets the most objects one expanded answer may hold (see
    /// [`MockServerBuilder::expansion_limit`](crate::MockServerBuilder::expansion_limit)).
    pub fn set_expansion_limit(&self, objects: usize) {
        self.lock().expansion_limit = objects;
    }

    /// The most objects one expanded answer may hold.
    pub fn expansion_limit(&self) -> usize {
        self.lock().expansion_limit
    }

    pub(crate) fn count_connection(&self) {
        self.lock().connections += 1;
    }

    /// The Graph requests received so far, oldest first: at most the last
    /// [`request_log_limit`](Self::request_log_limit) of them (default
    /// [`DEFAULT_REQUEST_LOG_LIMIT`]); older ones are dropped as new ones arrive.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.iter().cloned().collect()
    }

    /// Forgets the requests received so far and resets
    /// [`request_count`](Self::request_count) to 0.
    pub fn clear_requests(&self) {
        let mut inner = self.lock();
        inner.requests.clear();
        inner.request_total = 0;
    }

    /// How many requests the log keeps (the most recent ones).
    pub fn request_log_limit(&self) -> usize {
        self.lock().request_log_limit
    }

    /// Keeps only the last `limit` requests in the log from now on (0 keeps none; the
    /// count goes on regardless), dropping the oldest ones beyond it right away.
    pub fn set_request_log_limit(&self, limit: usize) {
        let mut inner = self.lock();
        inner.request_log_limit = limit;
        while inner.requests.len() > limit {
            inner.requests.pop_front();
        }
    }

    /// Logs a request without charging it (a batch call: its items are charged).
    pub(crate) fn log_only(
        &self,
        method: &str,
        path: &str,
        query: &str,
        credential: Option<String>,
    ) {
        self.lock().log_request(RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: crate::request_log::redacted_query(query),
            credential,
        });
    }

    /// Logs a request and charges it to the app and to the account behind `node_id`.
    pub(crate) fn record_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        node_id: Option<&str>,
        credential: Option<String>,
    ) -> Usage {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.log_request(RecordedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: crate::request_log::redacted_query(query),
            credential,
        });
        let waba_id = node_id
            .and_then(|id| match inner.kind_of(id)? {
                NodeKind::Waba => Some(id.to_owned()),
                NodeKind::Business | NodeKind::App | NodeKind::UploadSession => None,
                NodeKind::Number => inner.numbers.get(id).map(|r| r.waba_id.clone()),
                NodeKind::AccountNumber => inner.account_numbers.get(id).map(|(w, _)| w.clone()),
            })
            .or_else(|| inner.wabas.first().cloned());
        let charge = inner.ledger.charge(waba_id.as_deref(), now);
        Usage { waba_id, charge }
    }

    /// The rate-limit model (default [`RateLimits::default`]: reported, not enforced).
    pub fn rate_limits(&self) -> RateLimits {
        self.lock().ledger.limits
    }

    /// Replaces the rate-limit model; calls already charged stay in the window.
    pub fn set_rate_limits(&self, limits: RateLimits) {
        self.lock().ledger.limits = limits;
    }

    /// How many requests were refused for being over a budget (see [`RateLimits`]).
    pub fn refused_count(&self) -> u64 {
        self.lock().ledger.refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_a_query_are_not_logged() {
        let state = MockState::new();
        state.record_request(
            "GET",
            "/v24.0/oauth/access_token",
            "client_id=1&client_secret=s3cr3t&grant_type=client_credentials",
            None,
            None,
        );
        state.record_request(
            "GET",
            "/v24.0/1",
            "access_token=tok3n&fields=id",
            None,
            None,
        );
        let logged = state.requests();
        assert_eq!(
            logged[0].query,
            "client_id=1&client_secret=%3Credacted%3E&grant_type=client_credentials"
        );
        assert_eq!(
            logged[1].query_param("access_token").as_deref(),
            Some("<redacted>")
        );
        assert_eq!(logged[1].query_param("fields").as_deref(), Some("id"));
    }

    #[test]
    fn added_numbers_get_fresh_ids_and_come_first() {
        let state = MockState::new();
        let a = state.add_number("1", types::PhoneNumber::default());
        let b = state.add_number("1", types::PhoneNumber::default());
        assert_ne!(a, b);
        let listed: Vec<_> = state
            .numbers("1")
            .into_iter()
            .map(|n| n.id.unwrap())
            .collect();
        assert_eq!(listed, vec![b, a]);
        assert_eq!(state.waba_ids(), vec!["1".to_owned()]);
    }

    fn listed(state: &MockState, waba: &str) -> Vec<String> {
        state
            .numbers(waba)
            .into_iter()
            .map(|n| n.id.unwrap())
            .collect()
    }

    #[test]
    fn the_index_follows_inserts_updates_and_moves() {
        let state = MockState::new();
        let a = state.add_number("1", types::PhoneNumber::default());
        let b = state.add_number("1", types::PhoneNumber::default());
        let c = state.add_number("2", types::PhoneNumber::default());
        assert_eq!(listed(&state, "1"), vec![b.clone(), a.clone()]);

        // An older onboarding time moves a number back in the list.
        assert!(state.update_number(&b, |r| r.onboarded_at = 0));
        assert_eq!(listed(&state, "1"), vec![a.clone(), b.clone()]);
        // Changing the account moves it there (creating the account).
        assert!(state.update_number(&a, |r| r.waba_id = "3".to_owned()));
        assert_eq!(listed(&state, "1"), vec![b.clone()]);
        assert_eq!(listed(&state, "3"), vec![a.clone()]);
        assert!(state.waba_ids().contains(&"3".to_owned()));
        // Replacing a record by ID refiles it.
        let mut record = state.number_record(&c).unwrap();
        record.waba_id = "1".to_owned();
        state.insert_number(record);
        assert_eq!(listed(&state, "2"), Vec::<String>::new());
        assert_eq!(listed(&state, "1"), vec![c.clone(), b.clone()]);
        assert!(state.lock().move_number(&c, "2"));
        assert_eq!(listed(&state, "2"), vec![c]);
        assert_eq!(state.number_count("1"), 1);
        assert_eq!(state.number_count("nope"), 0);

        // The running maximum still puts new numbers first after all that.
        let d = state.add_number("1", types::PhoneNumber::default());
        assert_eq!(listed(&state, "1"), vec![d, b]);
    }
}
