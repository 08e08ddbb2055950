//! The shared store: PostgreSQL (feature `postgres`), for several receivers behind a load
//! balancer and several consumers on one database.
//!
//! - Every insert is one statement (the delivery and its changes, one round trip),
//!   committed before the receiver answers, with `synchronous_commit = on` (durable);
//!   concurrent receivers insert side by side and the unique deduplication key keeps a
//!   change once whichever receiver got it first.
//! - A consumer's bookkeeping (leases, done marks, retries) goes through connections with
//!   `synchronous_commit = off`: a server crash may roll back its last moments, never
//!   corrupts anything, and at worst hands a change out again, which at-least-once allows.
//!   Statements are prepared once per connection.
//! - Consumers take work with `FOR UPDATE SKIP LOCKED`: each change is leased by one
//!   consumer at a time, a consumer that dies releases it when its lease runs out, and an
//!   account's next change is not handed out while an earlier one is pending or leased.
//! - Connections are opened as needed and dropped when they fail, so the store comes back
//!   by itself after the server does; meanwhile every operation fails (a receiver answers
//!   503). The schema is created and migrated under an advisory lock, so that processes
//!   starting together migrate once.
//! - Connections are made without TLS: reach the server on loopback, a Unix socket
//!   (`postgres://user@%2Fvar%2Frun%2Fpostgresql/db`) or a private network.

mod fleet;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Row, Statement};

use crate::backend::{Backend, Op, state};
use crate::error::InboxError;
use crate::fleet::{FleetChange, HistoryQuery, StateValue, Write};
use crate::model::{Change, DeadLetter, Inserted, Replay, Status};
use crate::record::{Prepared, micros, time_of};

/// Connections of each kind open at once: more operations than that wait for one (a new
/// connection per operation would cost more than the wait: PostgreSQL already shares one
/// flush among the commits of concurrent connections).
const POOL: usize = 16;

/// The schema, one migration per version.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE inbox_deliveries (
        id BIGSERIAL PRIMARY KEY,
        app_id TEXT,
        signature TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        body BYTEA NOT NULL
    );
    CREATE TABLE inbox_changes (
        id BIGSERIAL PRIMARY KEY,
        delivery_id BIGINT NOT NULL REFERENCES inbox_deliveries(id) ON DELETE CASCADE,
        dedup_key TEXT NOT NULL UNIQUE,
        app_id TEXT,
        waba_id TEXT NOT NULL,
        field TEXT,
        event_time BIGINT,
        value TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        state SMALLINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before BIGINT NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_token BIGINT,
        lease_until BIGINT,
        last_error TEXT,
        done_at BIGINT
    );
    CREATE INDEX inbox_changes_active ON inbox_changes(id) WHERE state IN (0, 1);
    CREATE INDEX inbox_changes_active_waba ON inbox_changes(waba_id, id) WHERE state IN (0, 1);
    CREATE INDEX inbox_changes_done ON inbox_changes(done_at) WHERE state = 2;
    CREATE INDEX inbox_changes_received ON inbox_changes(received_at);
    CREATE INDEX inbox_changes_delivery ON inbox_changes(delivery_id);",
    ),
    // Every insert paid for an index that only replay by time and status read: they scan.
    (2, "DROP INDEX inbox_changes_received;"),
    // The fleet state (`crate::fleet`).
    (
        3,
        "CREATE TABLE fleet_state (
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        field TEXT NOT NULL,
        waba_id TEXT,
        value TEXT,
        as_of BIGINT NOT NULL,
        source TEXT NOT NULL,
        changed_at BIGINT NOT NULL,
        PRIMARY KEY (entity, entity_id, field)
    );
    CREATE TABLE fleet_history (
        id BIGSERIAL PRIMARY KEY,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        waba_id TEXT,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        source TEXT NOT NULL,
        unannounced BOOLEAN NOT NULL,
        observed_at BIGINT NOT NULL,
        recorded_at BIGINT NOT NULL,
        inbox_change_id BIGINT,
        emitted BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE INDEX fleet_history_entity ON fleet_history(entity_id, id);
    CREATE INDEX fleet_history_waba ON fleet_history(waba_id, id);
    CREATE INDEX fleet_history_unemitted ON fleet_history(id) WHERE NOT emitted;",
    ),
];

/// The advisory lock migrations run under.
const MIGRATION_LOCK: i64 = 0x7761_696e_626f_7831;

/// A connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    /// `sql` prepared on this connection (once).
    async fn prepared(&mut self, sql: &'static str) -> Result<Statement, InboxError> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .prepare(sql)
            .await
            .map_err(pg_error("cannot prepare a statement"))?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    /// Runs `sql` (prepared once) and answers its rows.
    async fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
        what: &'static str,
    ) -> Result<Vec<Row>, InboxError> {
        let statement = self.prepared(sql).await?;
        self.client
            .query(&statement, params)
            .await
            .map_err(pg_error(what))
    }

    /// Runs `sql` (prepared once) and answers how many rows it changed.
    async fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
        what: &'static str,
    ) -> Result<u64, InboxError> {
        let statement = self.prepared(sql).await?;
        self.client
            .execute(&statement, params)
            .await
            .map_err(pg_error(what))
    }
}

/// How a connection commits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Commit {
    /// `synchronous_commit = on`: answered once on disk (deliveries, replay, prune).
    Durable,
    /// `synchronous_commit = off`: a consumer's bookkeeping (see the module docs).
    Relaxed,
}

/// The PostgreSQL store.
pub(crate) struct Postgres {
    url: String,
    durable: Mutex<Vec<Conn>>,
    relaxed: Mutex<Vec<Conn>>,
    durable_slots: tokio::sync::Semaphore,
    relaxed_slots: tokio::sync::Semaphore,
    /// Whether the schema is known to be up to date.
    migrated: tokio::sync::OnceCell<()>,
}

fn pg_error(what: &'static str) -> impl Fn(tokio_postgres::Error) -> InboxError {
    move |e| InboxError::with(format!("PostgreSQL: {what}"), e)
}

impl Postgres {
    /// The store at `url`. With `check`, it must be reachable (and is migrated) now.
    pub(crate) async fn open(url: &str, check: bool) -> Result<Self, InboxError> {
        url.parse::<tokio_postgres::Config>()
            .map_err(|e| InboxError::with("not a PostgreSQL connection string", e))?;
        let store = Self {
            url: url.to_owned(),
            durable: Mutex::new(Vec::new()),
            relaxed: Mutex::new(Vec::new()),
            durable_slots: tokio::sync::Semaphore::new(POOL),
            relaxed_slots: tokio::sync::Semaphore::new(POOL),
            migrated: tokio::sync::OnceCell::new(),
        };
        if check {
            store
                .with(Commit::Durable, |_| Box::pin(async { Ok(()) }))
                .await?;
        }
        Ok(store)
    }

    fn idle(&self, kind: Commit) -> std::sync::MutexGuard<'_, Vec<Conn>> {
        let pool = match kind {
            Commit::Durable => &self.durable,
            Commit::Relaxed => &self.relaxed,
        };
        pool.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection of `kind`: an idle one, or a new one (the first of which migrates the
    /// schema).
    async fn conn(&self, kind: Commit) -> Result<Conn, InboxError> {
        let reused = {
            let mut idle = self.idle(kind);
            std::iter::from_fn(|| idle.pop()).find(|c| !c.client.is_closed())
        };
        if let Some(conn) = reused {
            return Ok(conn);
        }
        let (mut client, connection) = tokio_postgres::connect(&self.url, NoTls)
            .await
            .map_err(pg_error("cannot connect"))?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "PostgreSQL connection ended");
            }
        });
        self.migrated
            .get_or_try_init(|| migrate(&mut client))
            .await?;
        // Set on every connection, durable ones included: a role or database configured
        // with `synchronous_commit = off` would otherwise let a delivery be answered 200
        // before its commit reached the disk.
        let commits = match kind {
            Commit::Relaxed => "SET synchronous_commit = off",
            Commit::Durable => "SET synchronous_commit = on",
        };
        client
            .batch_execute(commits)
            .await
            .map_err(pg_error("cannot set how commits are made durable"))?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }

    fn give_back(&self, kind: Commit, conn: Conn) {
        if conn.client.is_closed() {
            return;
        }
        self.idle(kind).push(conn);
    }

    /// Runs `job` on a connection of `kind`; the connection is kept for reuse when the job
    /// worked (after a failure its state is unknown: it is dropped).
    fn with<'a, T, F>(&'a self, kind: Commit, job: F) -> Op<'a, T>
    where
        T: Send + 'a,
        F: for<'c> FnOnce(&'c mut Conn) -> Op<'c, T> + Send + 'a,
    {
        Box::pin(async move {
            let slots = match kind {
                Commit::Durable => &self.durable_slots,
                Commit::Relaxed => &self.relaxed_slots,
            };
            // At most POOL connections of a kind in use; the slot is freed when this ends.
            let _slot = slots
                .acquire()
                .await
                .map_err(|_| InboxError::new("PostgreSQL: the store is closed"))?;
            let mut conn = self.conn(kind).await?;
            let result = job(&mut conn).await;
            if result.is_ok() {
                self.give_back(kind, conn);
            }
            result
        })
    }
}

async fn migrate(client: &mut Client) -> Result<(), InboxError> {
    let transaction = client
        .transaction()
        .await
        .map_err(pg_error("cannot migrate"))?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg_error("cannot lock the schema"))?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS inbox_schema (version BIGINT NOT NULL)")
        .await
        .map_err(pg_error("cannot migrate"))?;
    let current: i64 = transaction
        .query_one("SELECT COALESCE(MAX(version), 0) FROM inbox_schema", &[])
        .await
        .map_err(pg_error("cannot migrate"))?
        .get(0);
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        transaction
            .batch_execute(sql)
            .await
            .map_err(pg_error("cannot migrate"))?;
        transaction
            .execute("INSERT INTO inbox_schema (version) VALUES ($1)", &[version])
            .await
            .map_err(pg_error("cannot migrate"))?;
    }
    transaction
        .commit()
        .await
        .map_err(pg_error("cannot migrate"))
}

/// A random lease token.
fn token() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(micros(SystemTime::now()) as u128);
    (h.finish() & (i64::MAX as u64)) as i64
}

fn change_of(row: &Row) -> Change {
    Change {
        id: row.get(0),
        app_id: row.get(1),
        waba_id: row.get(2),
        field: row.get::<_, Option<String>>(3).unwrap_or_default(),
        time: row.get(4),
        value: row.get(5),
        received_at: time_of(row.get(6)),
        attempt: u32::try_from(row.get::<_, i32>(7)).unwrap_or(0),
        lease_token: row.get(8),
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn until(lease: Duration) -> i64 {
    micros(SystemTime::now()).saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX))
}

/// A delivery and its changes in one statement (so one round trip, atomic by itself):
/// the changes as parallel arrays, kept in their order, duplicates skipped.
const INSERT: &str = "WITH d AS (
        INSERT INTO inbox_deliveries (app_id, signature, received_at, body)
        VALUES ($1, $2, $3, $4) RETURNING id
    ), c AS (
        INSERT INTO inbox_changes (delivery_id, dedup_key, app_id, waba_id, field, event_time,
            value, received_at, state, last_error)
        SELECT d.id, u.dedup_key, $1, u.waba_id, u.field, u.event_time, u.value, $3, u.state,
            u.last_error
        FROM d, UNNEST($5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[],
                       $10::smallint[], $11::text[])
             WITH ORDINALITY AS u(dedup_key, waba_id, field, event_time, value, state,
                                  last_error, n)
        ORDER BY u.n
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING 1
    )
    SELECT (SELECT id FROM d), (SELECT COUNT(*) FROM c)";

const CLAIM: &str = "WITH next AS (
        SELECT c.id FROM inbox_changes c
        WHERE c.state IN (0, 1)
          AND ((c.state = 0 AND c.not_before <= $1) OR (c.state = 1 AND c.lease_until <= $1))
          AND NOT EXISTS (SELECT 1 FROM inbox_changes e
                          WHERE e.waba_id = c.waba_id AND e.state IN (0, 1) AND e.id < c.id)
        ORDER BY c.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    UPDATE inbox_changes c SET state = 1, attempts = c.attempts + 1,
        lease_owner = $2, lease_token = $3, lease_until = $4
    FROM next WHERE c.id = next.id
    RETURNING c.id, c.app_id, c.waba_id, c.field, c.event_time, c.value,
        c.received_at, c.attempts, c.lease_token";

impl Backend for Postgres {
    fn fleet_values(&self) -> Op<'_, Vec<StateValue>> {
        self.with(Commit::Relaxed, |conn| Box::pin(fleet::values(conn)))
    }

    fn fleet_write(&self, writes: Vec<Write>, now_ms: i64) -> Op<'_, Vec<FleetChange>> {
        self.with(Commit::Durable, move |conn| {
            Box::pin(fleet::write(conn, writes, now_ms))
        })
    }

    fn fleet_history(&self, query: HistoryQuery) -> Op<'_, Vec<FleetChange>> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move { fleet::history(conn, &query).await })
        })
    }

    fn fleet_unemitted(&self, limit: usize) -> Op<'_, Vec<FleetChange>> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(fleet::unemitted(conn, limit))
        })
    }

    fn fleet_mark_emitted(&self, id: i64) -> Op<'_, ()> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(fleet::mark_emitted(conn, id))
        })
    }

    fn insert(&self, delivery: Prepared) -> Op<'_, Inserted> {
        self.with(Commit::Durable, move |conn| {
            Box::pin(async move {
                let rows = &delivery.changes;
                let keys: Vec<&str> = rows.iter().map(|c| c.dedup_key.as_str()).collect();
                let wabas: Vec<&str> = rows.iter().map(|c| c.waba_id.as_str()).collect();
                let fields: Vec<Option<&str>> = rows.iter().map(|c| c.field.as_deref()).collect();
                let times: Vec<Option<i64>> = rows.iter().map(|c| c.time).collect();
                let values: Vec<&str> = rows.iter().map(|c| c.value.as_str()).collect();
                let states: Vec<i16> = rows
                    .iter()
                    .map(|c| {
                        if c.dead.is_some() {
                            state::DEAD as i16
                        } else {
                            state::PENDING as i16
                        }
                    })
                    .collect();
                let errors: Vec<Option<&str>> = rows.iter().map(|c| c.dead.as_deref()).collect();
                let row = conn
                    .query(
                        INSERT,
                        &[
                            &delivery.app_id,
                            &delivery.signature,
                            &delivery.received_at,
                            &delivery.body.as_ref(),
                            &keys,
                            &wabas,
                            &fields,
                            &times,
                            &values,
                            &states,
                            &errors,
                        ],
                        "cannot keep the delivery",
                    )
                    .await?;
                let (delivery_id, new): (i64, i64) = row
                    .first()
                    .map(|r| (r.get(0), r.get(1)))
                    .ok_or_else(|| InboxError::new("PostgreSQL: the insert answered nothing"))?;
                let new = count(new);
                if new == 0 && !rows.is_empty() {
                    // Only resends: their delivery row is not needed (a body with no change
                    // at all is kept: it is all there is of what was answered). Committed already, so
                    // a failure here changes nothing that was answered (prune removes it).
                    if let Err(error) = conn
                        .execute(
                            "DELETE FROM inbox_deliveries WHERE id = $1",
                            &[&delivery_id],
                            "cannot drop a duplicate delivery",
                        )
                        .await
                    {
                        tracing::warn!(%error, "a duplicate delivery row was left for prune");
                    }
                }
                Ok(Inserted {
                    new,
                    duplicates: rows.len() as u64 - new.min(rows.len() as u64),
                })
            })
        })
    }

    fn claim(&self, consumer: String, lease: Duration) -> Op<'_, Option<Change>> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move {
                let now = micros(SystemTime::now());
                let rows = conn
                    .query(
                        CLAIM,
                        &[&now, &consumer, &token(), &until(lease)],
                        "cannot lease a change",
                    )
                    .await?;
                Ok(rows.first().map(change_of))
            })
        })
    }

    fn extend(&self, id: i64, token: i64, lease: Duration) -> Op<'_, bool> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move {
                conn.execute(
                    "UPDATE inbox_changes SET lease_until = $3
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token, &until(lease)],
                    "cannot extend a lease",
                )
                .await
                .map(|n| n == 1)
            })
        })
    }

    fn release(&self, id: i64, token: i64) -> Op<'_, bool> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move {
                conn.execute(
                    "UPDATE inbox_changes SET state = 0, attempts = GREATEST(attempts - 1, 0),
                        lease_owner = NULL, lease_token = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token],
                    "cannot give a change back",
                )
                .await
                .map(|n| n == 1)
            })
        })
    }

    fn complete(&self, id: i64, token: i64) -> Op<'_, bool> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move {
                let now = micros(SystemTime::now());
                conn.execute(
                    "UPDATE inbox_changes SET state = 2, done_at = $3, lease_owner = NULL,
                        lease_until = NULL, last_error = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token, &now],
                    "cannot finish a change",
                )
                .await
                .map(|n| n == 1)
            })
        })
    }

    fn fail(
        &self,
        id: i64,
        token: i64,
        error: String,
        retry_at: Option<SystemTime>,
    ) -> Op<'_, bool> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move {
                let (state, not_before): (i16, i64) = match retry_at {
                    Some(at) => (state::PENDING as i16, micros(at)),
                    None => (state::DEAD as i16, 0),
                };
                conn.execute(
                    "UPDATE inbox_changes SET state = $3, not_before = $4, last_error = $5,
                        lease_owner = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token, &state, &not_before, &error],
                    "cannot give a change back",
                )
                .await
                .map(|n| n == 1)
            })
        })
    }

    fn has_backlog(&self) -> Op<'_, bool> {
        self.with(Commit::Relaxed, |conn| {
            Box::pin(async move {
                let rows = conn
                    .query(
                        // The partial index of active changes answers this.
                        "SELECT EXISTS (SELECT 1 FROM inbox_changes WHERE state IN (0, 1))",
                        &[],
                        "cannot look for pending changes",
                    )
                    .await?;
                Ok(rows.first().is_some_and(|r| r.get::<_, bool>(0)))
            })
        })
    }

    fn status(&self) -> Op<'_, Status> {
        self.with(Commit::Relaxed, |conn| {
            Box::pin(async move {
                let rows = conn
                    .query(
                        "SELECT COUNT(*) FILTER (WHERE state = 0),
                                COUNT(*) FILTER (WHERE state = 1),
                                COUNT(*) FILTER (WHERE state = 2),
                                COUNT(*) FILTER (WHERE state = 3),
                                MIN(received_at) FILTER (WHERE state IN (0, 1)),
                                (SELECT COUNT(*) FROM inbox_deliveries)
                         FROM inbox_changes",
                        &[],
                        "cannot count",
                    )
                    .await?;
                let row = rows
                    .first()
                    .ok_or_else(|| InboxError::new("PostgreSQL: the count answered nothing"))?;
                Ok(Status {
                    pending: count(row.get(0)),
                    leased: count(row.get(1)),
                    done: count(row.get(2)),
                    dead: count(row.get(3)),
                    oldest_pending_received_at: row.get::<_, Option<i64>>(4).map(|us| us / 1000),
                    deliveries: count(row.get(5)),
                })
            })
        })
    }

    fn dead_letters(&self, limit: usize) -> Op<'_, Vec<DeadLetter>> {
        self.with(Commit::Relaxed, move |conn| {
            Box::pin(async move {
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = conn
                    .query(
                        "SELECT id, app_id, waba_id, field, value, COALESCE(last_error, ''), attempts,
                            received_at
                         FROM inbox_changes WHERE state = 3 ORDER BY id LIMIT $1",
                        &[&limit],
                        "cannot read dead letters",
                    )
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| DeadLetter {
                        id: r.get(0),
                        app_id: r.get(1),
                        waba_id: r.get(2),
                        field: r.get(3),
                        value: r.get(4),
                        reason: r.get(5),
                        attempts: u32::try_from(r.get::<_, i32>(6)).unwrap_or(0),
                        received_at: r.get::<_, i64>(7) / 1000,
                    })
                    .collect())
            })
        })
    }

    fn replay(&self, from: Replay) -> Op<'_, u64> {
        self.with(Commit::Durable, move |conn| {
            Box::pin(async move {
                let now = micros(SystemTime::now());
                let (sql, bound): (&'static str, i64) = match from {
                    Replay::Since(at) => (
                        "UPDATE inbox_changes SET state = 0, attempts = 0, not_before = $2,
                            last_error = NULL, done_at = NULL, lease_owner = NULL,
                            lease_token = NULL, lease_until = NULL
                         WHERE received_at >= $1 AND state IN (2, 3) AND field IS NOT NULL",
                        micros(at),
                    ),
                    Replay::FromId(id) => (
                        "UPDATE inbox_changes SET state = 0, attempts = 0, not_before = $2,
                            last_error = NULL, done_at = NULL, lease_owner = NULL,
                            lease_token = NULL, lease_until = NULL
                         WHERE id >= $1 AND state IN (2, 3) AND field IS NOT NULL",
                        id,
                    ),
                };
                conn.execute(sql, &[&bound, &now], "cannot replay").await
            })
        })
    }

    fn prune(&self, finished_before: SystemTime) -> Op<'_, u64> {
        self.with(Commit::Durable, move |conn| {
            Box::pin(async move {
                let pruned = conn
                    .execute(
                        "DELETE FROM inbox_changes WHERE state = 2 AND done_at < $1",
                        &[&micros(finished_before)],
                        "cannot prune",
                    )
                    .await?;
                // Deliveries left without changes (those pruned, and resends whose row
                // was not dropped). A failure here leaves them for the next prune.
                conn.execute(
                    "DELETE FROM inbox_deliveries d WHERE NOT EXISTS
                        (SELECT 1 FROM inbox_changes c WHERE c.delivery_id = d.id)",
                    &[],
                    "cannot prune deliveries",
                )
                .await?;
                Ok(pruned)
            })
        })
    }
}
