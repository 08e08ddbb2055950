//! The embedded store: one SQLite file (feature `sqlite`).
//!
//! - **Durable commits**: WAL journal with `synchronous = FULL`, so a committed delivery
//!   survives a crash of the process and of the machine. A consumer's bookkeeping (leases,
//!   done marks, retries) is committed with `synchronous = NORMAL` when no delivery shares
//!   its transaction: it survives a crash of the process (SQLite has written it to the
//!   operating system), and what a power loss may roll back is at most a change handed out
//!   again, which at-least-once allows. That spares a consumer two flushes per change.
//! - **Group commit**: one writer thread owns the connection and runs every operation that
//!   is waiting in one transaction (each in its own savepoint), so concurrent deliveries
//!   share one commit and its one flush instead of waiting for one each. Nothing is
//!   answered before its commit.
//! - **Order per account** through `heads`: one row per account with changes pending or
//!   leased, naming the oldest, which alone may be handed out; a finished change passes
//!   the head on. An insert writes a head only for an account that had none, so a commit
//!   rewrites a few pages rather than one per account it touched.
//! - **Deduplication keys** begin with the entry's time, so the unique index grows at its
//!   end instead of at a random page per change.
//! - **Created on first use** (with its folder), schema versioned (`inbox_schema`) and
//!   migrated forward when opened. Other processes may open the same file (a listener and a
//!   consumer): SQLite's locks serialise their writes, waiting up to five seconds.
//! - **Recovers**: after a failed batch (a read-only file, a full disk) the connection is
//!   opened again for the next one, so the store comes back by itself once the cause is
//!   gone; meanwhile every operation fails and a receiver answers 503.

mod fleet;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use tokio::sync::oneshot;

use crate::backend::{Backend, Op, state};
use crate::error::InboxError;
use crate::fleet::{FleetChange, HistoryQuery, StateValue, Write};
use crate::model::{Change, DeadLetter, Inserted, Replay, Status};
use crate::record::{Prepared, micros, time_of};

/// The most operations one transaction holds.
const MAX_BATCH: usize = 512;

/// The schema, one migration per version.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        app_id TEXT,
        signature TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        body BLOB NOT NULL
    );
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        dedup_key TEXT NOT NULL UNIQUE,
        app_id TEXT,
        waba_id TEXT NOT NULL,
        field TEXT,
        event_time INTEGER,
        value TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        state INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_token INTEGER,
        lease_until INTEGER,
        last_error TEXT,
        done_at INTEGER
    );
    CREATE INDEX changes_active ON changes(id) WHERE state IN (0, 1);
    CREATE INDEX changes_active_waba ON changes(waba_id, id) WHERE state IN (0, 1);
    CREATE INDEX changes_done ON changes(done_at) WHERE state = 2;
    CREATE INDEX changes_received ON changes(received_at);
    CREATE INDEX changes_delivery ON changes(delivery_id);",
    ),
    // Cheaper inserts (each commit rewrote a page of `changes_active_waba` per account it
    // touched, and `changes_received` served only `replay --from TIME`, which scans):
    // an account's order is kept by `heads` instead, one row per account with changes
    // pending or leased, naming its oldest such change, which alone may be handed out.
    (
        2,
        "DROP INDEX changes_received;
    DROP INDEX changes_active_waba;
    CREATE TABLE heads (
        waba_id TEXT PRIMARY KEY,
        change_id INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX heads_change ON heads(change_id);
    INSERT INTO heads (waba_id, change_id)
        SELECT waba_id, MIN(id) FROM changes WHERE state IN (0, 1) GROUP BY waba_id;",
    ),
    // The fleet state (`crate::fleet`): one row per field of a number or account, and one
    // history record per difference seen.
    (
        3,
        "CREATE TABLE fleet_state (
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        field TEXT NOT NULL,
        waba_id TEXT,
        value TEXT,
        as_of INTEGER NOT NULL,
        source TEXT NOT NULL,
        changed_at INTEGER NOT NULL,
        PRIMARY KEY (entity, entity_id, field)
    ) WITHOUT ROWID;
    CREATE TABLE fleet_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        waba_id TEXT,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        source TEXT NOT NULL,
        unannounced INTEGER NOT NULL,
        observed_at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        inbox_change_id INTEGER,
        emitted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX fleet_history_entity ON fleet_history(entity_id, id);
    CREATE INDEX fleet_history_waba ON fleet_history(waba_id, id);
    CREATE INDEX fleet_history_unemitted ON fleet_history(id) WHERE emitted = 0;",
    ),
];

/// After its operation ran (inside the transaction): how to answer once the commit is
/// known.
type Answer = Box<dyn FnOnce(Option<&InboxError>) + Send>;

/// One operation for the writer thread.
trait Job: Send {
    /// Runs it inside the open transaction; the answer waits for the commit. Also says
    /// whether it failed because of the store itself (see [`store_failed`]).
    fn run(self: Box<Self>, conn: &Connection) -> (Answer, bool);
    /// Answers without running it: the store is not there.
    fn refuse(self: Box<Self>, error: &InboxError);
    /// Whether its commit must reach the disk before it is answered (`synchronous = FULL`).
    fn durable(&self) -> bool;
}

type Work = Box<dyn Job>;

struct Task<T, F> {
    job: F,
    reply: oneshot::Sender<Result<T, InboxError>>,
    durable: bool,
}

impl<T, F> Job for Task<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, InboxError> + Send,
{
    fn run(self: Box<Self>, conn: &Connection) -> (Answer, bool) {
        let Task { job, reply, .. } = *self;
        let result = savepoint(conn, job);
        let broken = result.as_ref().err().is_some_and(store_failed);
        let answer: Answer = Box::new(move |commit: Option<&InboxError>| {
            let result = match commit {
                None => result,
                Some(e) => Err(InboxError::new(format!("not committed: {e}"))),
            };
            let _ = reply.send(result);
        });
        (answer, broken)
    }

    fn refuse(self: Box<Self>, error: &InboxError) {
        let _ = self.reply.send(Err(InboxError::new(format!(
            "the store is not there: {error}"
        ))));
    }

    fn durable(&self) -> bool {
        self.durable
    }
}

/// The SQLite store.
pub(crate) struct Sqlite {
    sender: mpsc::Sender<Work>,
}

impl Sqlite {
    /// The store at `path` (created with its folder when missing). With `check`, it must
    /// open now; without, a store that cannot be opened yet is tried again for every
    /// operation (which fails until then).
    pub(crate) async fn open(path: &Path, check: bool) -> Result<Self, InboxError> {
        let (sender, receiver) = mpsc::channel::<Work>();
        let path: PathBuf = path.to_owned();
        let first = open(&path);
        let opened = first
            .as_ref()
            .map(|_| ())
            .map_err(|e| InboxError::new(e.to_string()));
        std::thread::Builder::new()
            .name("inbox-sqlite-writer".into())
            .spawn(move || writer(path, first.ok(), receiver))
            .map_err(|e| InboxError::with("cannot start the SQLite writer", e))?;
        if check {
            opened?;
        }
        Ok(Self { sender })
    }

    /// Runs `job` on the writer thread, in the next transaction; answers once committed
    /// to the disk.
    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, InboxError> + Send + 'static,
    ) -> Op<'_, T> {
        self.submit(true, job)
    }

    /// Like [`run`](Self::run), answering once committed to the operating system (a
    /// consumer's bookkeeping: see the module docs).
    fn run_relaxed<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, InboxError> + Send + 'static,
    ) -> Op<'_, T> {
        self.submit(false, job)
    }

    fn submit<T: Send + 'static>(
        &self,
        durable: bool,
        job: impl FnOnce(&Connection) -> Result<T, InboxError> + Send + 'static,
    ) -> Op<'_, T> {
        let (reply, answer) = oneshot::channel::<Result<T, InboxError>>();
        let sent = self.sender.send(Box::new(Task {
            job,
            reply,
            durable,
        }));
        Box::pin(async move {
            sent.map_err(|_| InboxError::new("the SQLite writer has stopped"))?;
            answer
                .await
                .map_err(|_| InboxError::new("the SQLite writer has stopped"))?
        })
    }
}

/// Whether `error` came from the store itself (a file that cannot be written any more, a
/// full disk, an I/O error, a damaged file) rather than from one operation: the writer
/// then opens the file again for the next batch, so that it recovers once the cause is
/// gone.
fn store_failed(error: &InboxError) -> bool {
    use rusqlite::ErrorCode::{
        CannotOpen, DatabaseCorrupt, DiskFull, NotADatabase, ReadOnly, SystemIoFailure,
    };
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(code) = e
            .downcast_ref::<rusqlite::Error>()
            .and_then(rusqlite::Error::sqlite_error_code)
        {
            return matches!(
                code,
                CannotOpen | DatabaseCorrupt | DiskFull | NotADatabase | ReadOnly | SystemIoFailure
            );
        }
        source = e.source();
    }
    false
}

/// Runs `job` in a savepoint: its changes are undone when it fails, and kept (until the
/// transaction's commit) when it succeeds.
fn savepoint<T>(
    conn: &Connection,
    job: impl FnOnce(&Connection) -> Result<T, InboxError>,
) -> Result<T, InboxError> {
    // Cached statements: parsed once per connection, not once per operation.
    let run = |sql: &str| conn.prepare_cached(sql).and_then(|mut s| s.execute([]));
    run("SAVEPOINT op").map_err(|e| InboxError::with("cannot start an operation", e))?;
    let result = job(conn);
    let ended = if result.is_ok() {
        run("RELEASE op")
    } else {
        run("ROLLBACK TO op").and_then(|_| run("RELEASE op"))
    };
    ended.map_err(|e| InboxError::with("cannot end an operation", e))?;
    result
}

/// Opens the database at `path` (creating its folder) for durable writes and brings its
/// schema up to date.
fn open(path: &Path) -> Result<Connection, InboxError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| InboxError::with(format!("cannot create {}", dir.display()), e))?;
    }
    let fail = |what: &str| {
        let what = what.to_owned();
        let shown = path.display().to_string();
        move |e: rusqlite::Error| InboxError::with(format!("SQLite {shown}: {what}"), e)
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail("cannot open"))?;
    // SQLite opens a file it may not write read-only, silently: that is no inbox.
    if conn
        .is_readonly(rusqlite::MAIN_DB)
        .map_err(fail("cannot open"))?
    {
        return Err(InboxError::new(format!(
            "SQLite {}: the file cannot be written",
            path.display()
        )));
    }
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(fail("cannot set the busy timeout"))?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(fail("cannot use the WAL journal"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(InboxError::new(format!(
            "SQLite {}: the journal is {mode}, not WAL",
            path.display()
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 10000;",
    )
    .map_err(fail("cannot make commits durable"))?;
    conn.execute_batch("BEGIN IMMEDIATE")
        .map_err(fail("cannot lock the schema"))?;
    let migrated = migrate(&conn);
    let end = if migrated.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    conn.execute_batch(end).map_err(fail("cannot migrate"))?;
    migrated.map_err(fail("cannot migrate"))?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS inbox_schema (version INTEGER NOT NULL)")?;
    let current: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM inbox_schema",
        [],
        |r| r.get(0),
    )?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        conn.execute_batch(sql)?;
        conn.execute("INSERT INTO inbox_schema (version) VALUES (?1)", [version])?;
    }
    Ok(())
}

/// The writer thread: takes every waiting operation, runs them in one transaction, commits
/// once, answers each. Reopens the connection after a failed batch.
fn writer(path: PathBuf, mut conn: Option<Connection>, receiver: mpsc::Receiver<Work>) {
    // `open` leaves the connection with `synchronous = FULL`.
    let mut full = true;
    while let Ok(first) = receiver.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(work) => batch.push(work),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            match open(&path) {
                Ok(opened) => {
                    conn = Some(opened);
                    full = true;
                }
                Err(e) => {
                    for work in batch {
                        work.refuse(&e);
                    }
                    continue;
                }
            }
        }
        let Some(db) = conn.as_ref() else { continue };
        let durable = batch.iter().any(|work| work.durable());
        if durable != full {
            let pragma = if durable {
                "PRAGMA synchronous = FULL"
            } else {
                "PRAGMA synchronous = NORMAL"
            };
            match db.execute_batch(pragma) {
                Ok(()) => full = durable,
                Err(e) => {
                    let error = InboxError::with("SQLite: cannot set durability", e);
                    for work in batch {
                        work.refuse(&error);
                    }
                    conn = None;
                    continue;
                }
            }
        }
        let outcome = match db.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => {
                let mut broken = false;
                let answers: Vec<Answer> = batch
                    .into_iter()
                    .map(|work| {
                        let (answer, failed) = work.run(db);
                        broken |= failed;
                        answer
                    })
                    .collect();
                let committed = db
                    .execute_batch("COMMIT")
                    .map_err(|e| InboxError::with("SQLite: the commit failed", e));
                if committed.is_err() {
                    let _ = db.execute_batch("ROLLBACK");
                }
                let error = committed.err();
                for answer in answers {
                    answer(error.as_ref());
                }
                match error {
                    Some(error) => Some(error),
                    None if broken => Some(InboxError::new(
                        "SQLite: an operation found the store failing",
                    )),
                    None => None,
                }
            }
            Err(e) => {
                let error = InboxError::with("SQLite: cannot start a transaction", e);
                for work in batch {
                    work.refuse(&error);
                }
                Some(error)
            }
        };
        if let Some(error) = outcome {
            tracing::error!(%error, "inbox store failed; reopening it for the next operation");
            conn = None;
        }
    }
}

/// Change `id` left the active states: when it was its account's head, the account's next
/// active change (the oldest after it) becomes the head, or the account has none.
fn advance_head(conn: &Connection, id: i64) -> Result<(), InboxError> {
    let fail = db_error("cannot move an account's head");
    let waba: Option<String> = conn
        .prepare_cached("SELECT waba_id FROM heads WHERE change_id = ?1")
        .and_then(|mut head| head.query_row([id], |r| r.get(0)).optional())
        .map_err(&fail)?;
    let Some(waba) = waba else { return Ok(()) };
    // Active changes after it, in order, through the partial index of active rows.
    let next: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM changes WHERE state IN (0, 1) AND id > ?1 AND waba_id = ?2
             ORDER BY id LIMIT 1",
        )
        .and_then(|mut next| next.query_row(params![id, waba], |r| r.get(0)).optional())
        .map_err(&fail)?;
    match next {
        Some(next) => conn
            .prepare_cached("UPDATE heads SET change_id = ?2 WHERE waba_id = ?1")
            .and_then(|mut head| head.execute(params![waba, next])),
        None => conn
            .prepare_cached("DELETE FROM heads WHERE waba_id = ?1")
            .and_then(|mut head| head.execute([waba])),
    }
    .map(drop)
    .map_err(fail)
}

fn db_error(what: &'static str) -> impl Fn(rusqlite::Error) -> InboxError {
    move |e| InboxError::with(format!("SQLite: {what}"), e)
}

/// A random lease token.
fn token() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    (h.finish() & (i64::MAX as u64)) as i64
}

fn change_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Change> {
    Ok(Change {
        id: row.get(0)?,
        app_id: row.get(1)?,
        waba_id: row.get(2)?,
        field: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        time: row.get(4)?,
        value: row.get(5)?,
        received_at: time_of(row.get(6)?),
        attempt: u32::try_from(row.get::<_, i64>(7)?).unwrap_or(u32::MAX),
        lease_token: row.get(8)?,
    })
}

impl Backend for Sqlite {
    fn fleet_values(&self) -> Op<'_, Vec<StateValue>> {
        self.run_relaxed(fleet::values)
    }

    fn fleet_write(&self, writes: Vec<Write>, now_ms: i64) -> Op<'_, Vec<FleetChange>> {
        self.run(move |conn| fleet::write(conn, writes, now_ms))
    }

    fn fleet_history(&self, query: HistoryQuery) -> Op<'_, Vec<FleetChange>> {
        self.run_relaxed(move |conn| fleet::history(conn, &query))
    }

    fn fleet_unemitted(&self, limit: usize) -> Op<'_, Vec<FleetChange>> {
        self.run_relaxed(move |conn| fleet::unemitted(conn, limit))
    }

    fn fleet_mark_emitted(&self, id: i64) -> Op<'_, ()> {
        self.run_relaxed(move |conn| fleet::mark_emitted(conn, id))
    }

    fn insert(&self, delivery: Prepared) -> Op<'_, Inserted> {
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO deliveries (app_id, signature, received_at, body) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut insert| {
                insert.execute(params![
                    delivery.app_id,
                    delivery.signature,
                    delivery.received_at,
                    delivery.body.as_ref()
                ])
            })
            .map_err(db_error("cannot keep the delivery"))?;
            let delivery_id = conn.last_insert_rowid();
            let mut statement = conn
                .prepare_cached(
                    "INSERT INTO changes (delivery_id, dedup_key, app_id, waba_id, field, event_time, value,
                        received_at, state, last_error)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (dedup_key) DO NOTHING",
                )
                .map_err(db_error("cannot keep the changes"))?;
            let mut inserted = Inserted::default();
            for change in &delivery.changes {
                let state = if change.dead.is_some() {
                    state::DEAD
                } else {
                    state::PENDING
                };
                let n = statement
                    .execute(params![
                        delivery_id,
                        change.dedup_key,
                        delivery.app_id,
                        change.waba_id,
                        change.field,
                        change.time,
                        change.value,
                        delivery.received_at,
                        state,
                        change.dead,
                    ])
                    .map_err(db_error("cannot keep a change"))?;
                if n == 1 {
                    inserted.new += 1;
                    if change.dead.is_none() {
                        // The account's head, unless an older change already is.
                        let id = conn.last_insert_rowid();
                        conn.prepare_cached(
                            "INSERT OR IGNORE INTO heads (waba_id, change_id) VALUES (?1, ?2)",
                        )
                        .and_then(|mut head| head.execute(params![change.waba_id, id]))
                        .map_err(db_error("cannot keep a change's place"))?;
                    }
                } else {
                    inserted.duplicates += 1;
                }
            }
            if inserted.new == 0 && inserted.duplicates > 0 {
                // Graph sent it again: nothing new to keep. (A body with no change at all is
                // kept: it is all there is of what was answered.)
                conn.prepare_cached("DELETE FROM deliveries WHERE id = ?1")
                    .and_then(|mut delete| delete.execute([delivery_id]))
                    .map_err(db_error("cannot drop a duplicate delivery"))?;
            }
            Ok(inserted)
        })
    }

    fn claim(&self, consumer: String, lease: Duration) -> Op<'_, Option<Change>> {
        self.run_relaxed(move |conn| {
            let now = micros(SystemTime::now());
            // Only an account's oldest active change may be handed out: walk the heads
            // oldest first.
            let id: Option<i64> = conn
                .prepare_cached(
                    "SELECT c.id FROM heads h JOIN changes c ON c.id = h.change_id
                     WHERE (c.state = 0 AND c.not_before <= ?1) OR (c.state = 1 AND c.lease_until <= ?1)
                     ORDER BY h.change_id LIMIT 1",
                )
                .and_then(|mut next| next.query_row([now], |r| r.get(0)).optional())
                .map_err(db_error("cannot look for work"))?;
            let Some(id) = id else { return Ok(None) };
            let token = token();
            let until = now.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
            conn.prepare_cached(
                "UPDATE changes SET state = 1, attempts = attempts + 1, lease_owner = ?2,
                    lease_token = ?3, lease_until = ?4 WHERE id = ?1",
            )
            .and_then(|mut lease| lease.execute(params![id, consumer, token, until]))
            .map_err(db_error("cannot lease a change"))?;
            conn.prepare_cached(
                "SELECT id, app_id, waba_id, field, event_time, value, received_at, attempts, lease_token
                 FROM changes WHERE id = ?1",
            )
            .and_then(|mut read| read.query_row([id], change_of))
            .map(Some)
            .map_err(db_error("cannot read a leased change"))
        })
    }

    fn extend(&self, id: i64, token: i64, lease: Duration) -> Op<'_, bool> {
        self.run_relaxed(move |conn| {
            let until = micros(SystemTime::now())
                .saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
            conn.execute(
                "UPDATE changes SET lease_until = ?3 WHERE id = ?1 AND lease_token = ?2 AND state = 1",
                params![id, token, until],
            )
            .map(|n| n == 1)
            .map_err(db_error("cannot extend a lease"))
        })
    }

    fn release(&self, id: i64, token: i64) -> Op<'_, bool> {
        self.run_relaxed(move |conn| {
            conn.execute(
                "UPDATE changes SET state = 0, attempts = MAX(attempts - 1, 0), lease_owner = NULL,
                    lease_token = NULL, lease_until = NULL
                 WHERE id = ?1 AND lease_token = ?2 AND state = 1",
                params![id, token],
            )
            .map(|n| n == 1)
            .map_err(db_error("cannot give a change back"))
        })
    }

    fn complete(&self, id: i64, token: i64) -> Op<'_, bool> {
        self.run_relaxed(move |conn| {
            let now = micros(SystemTime::now());
            let done = conn
                .prepare_cached(
                    "UPDATE changes SET state = 2, done_at = ?3, lease_owner = NULL, lease_until = NULL,
                        last_error = NULL
                     WHERE id = ?1 AND lease_token = ?2 AND state = 1",
                )
                .and_then(|mut finish| finish.execute(params![id, token, now]))
                .map(|n| n == 1)
                .map_err(db_error("cannot finish a change"))?;
            if done {
                advance_head(conn, id)?;
            }
            Ok(done)
        })
    }

    fn fail(
        &self,
        id: i64,
        token: i64,
        error: String,
        retry_at: Option<SystemTime>,
    ) -> Op<'_, bool> {
        self.run_relaxed(move |conn| {
            let (state, not_before) = match retry_at {
                Some(at) => (state::PENDING, micros(at)),
                None => (state::DEAD, 0),
            };
            let given_back = conn
                .execute(
                    "UPDATE changes SET state = ?3, not_before = ?4, last_error = ?5, lease_owner = NULL,
                        lease_until = NULL
                     WHERE id = ?1 AND lease_token = ?2 AND state = 1",
                    params![id, token, state, not_before, error],
                )
                .map(|n| n == 1)
                .map_err(db_error("cannot give a change back"))?;
            if given_back && state == state::DEAD {
                advance_head(conn, id)?;
            }
            Ok(given_back)
        })
    }

    fn has_backlog(&self) -> Op<'_, bool> {
        self.run_relaxed(|conn| {
            // An account with changes pending or leased has a head.
            conn.query_row("SELECT EXISTS (SELECT 1 FROM heads)", [], |r| r.get(0))
                .map_err(db_error("cannot look for pending changes"))
        })
    }

    fn status(&self) -> Op<'_, Status> {
        self.run_relaxed(|conn| {
            let mut status = Status::default();
            let mut statement = conn
                .prepare("SELECT state, COUNT(*) FROM changes GROUP BY state")
                .map_err(db_error("cannot count"))?;
            let rows = statement
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .map_err(db_error("cannot count"))?;
            for row in rows {
                let (state, count) = row.map_err(db_error("cannot count"))?;
                let count = u64::try_from(count).unwrap_or(0);
                match state {
                    state::PENDING => status.pending = count,
                    state::LEASED => status.leased = count,
                    state::DONE => status.done = count,
                    state::DEAD => status.dead = count,
                    _ => {}
                }
            }
            status.deliveries = conn
                .query_row("SELECT COUNT(*) FROM deliveries", [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(db_error("cannot count"))?;
            status.oldest_pending_received_at = conn
                .query_row(
                    // The oldest active change is the oldest head (ids grow with arrival).
                    "SELECT MIN(c.received_at) FROM heads h JOIN changes c ON c.id = h.change_id",
                    [],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .map_err(db_error("cannot count"))?
                .map(|us| us / 1000);
            Ok(status)
        })
    }

    fn dead_letters(&self, limit: usize) -> Op<'_, Vec<DeadLetter>> {
        self.run_relaxed(move |conn| {
            let mut statement = conn
                .prepare(
                    "SELECT id, app_id, waba_id, field, value, COALESCE(last_error, ''), attempts, received_at
                     FROM changes WHERE state = 3 ORDER BY id LIMIT ?1",
                )
                .map_err(db_error("cannot read dead letters"))?;
            let rows = statement
                .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    Ok(DeadLetter {
                        id: r.get(0)?,
                        app_id: r.get(1)?,
                        waba_id: r.get(2)?,
                        field: r.get(3)?,
                        value: r.get(4)?,
                        reason: r.get(5)?,
                        attempts: u32::try_from(r.get::<_, i64>(6)?).unwrap_or(u32::MAX),
                        received_at: r.get::<_, i64>(7)? / 1000,
                    })
                })
                .map_err(db_error("cannot read dead letters"))?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(db_error("cannot read dead letters"))
        })
    }

    fn replay(&self, from: Replay) -> Op<'_, u64> {
        self.run(move |conn| {
            let now = micros(SystemTime::now());
            let (column, bound) = match from {
                Replay::Since(at) => ("received_at", micros(at)),
                Replay::FromId(id) => ("id", id),
            };
            let replayed = conn
                .execute(
                    &format!(
                        "UPDATE changes SET state = 0, attempts = 0, not_before = ?2, last_error = NULL,
                            done_at = NULL, lease_owner = NULL, lease_token = NULL, lease_until = NULL
                         WHERE {column} >= ?1 AND state IN (2, 3) AND field IS NOT NULL"
                    ),
                    params![bound, now],
                )
                .map(|n| n as u64)
                .map_err(db_error("cannot replay"))?;
            // Older changes are active again: every account's head is recomputed.
            conn.execute_batch(
                "DELETE FROM heads;
                 INSERT INTO heads (waba_id, change_id)
                    SELECT waba_id, MIN(id) FROM changes WHERE state IN (0, 1) GROUP BY waba_id;",
            )
            .map_err(db_error("cannot replay"))?;
            Ok(replayed)
        })
    }

    fn prune(&self, finished_before: SystemTime) -> Op<'_, u64> {
        self.run(move |conn| {
            let pruned = conn
                .execute(
                    "DELETE FROM changes WHERE state = 2 AND done_at < ?1",
                    [micros(finished_before)],
                )
                .map_err(db_error("cannot prune"))?;
            conn.execute(
                "DELETE FROM deliveries WHERE NOT EXISTS
                    (SELECT 1 FROM changes WHERE changes.delivery_id = deliveries.id)",
                [],
            )
            .map_err(db_error("cannot prune deliveries"))?;
            Ok(pruned as u64)
        })
    }
}
