//! The shared store: PostgreSQL (feature `postgres`), for several receivers behind a load
//! balancer and several consumers on one database.
//!
//! - Every insert is one transaction, committed before the receiver answers (PostgreSQL's
//!   default `synchronous_commit = on` makes the commit durable); concurrent receivers
//!   insert side by side and the unique deduplication key keeps a change once whichever
//!   receiver got it first.
//! - Consumers take work with `FOR UPDATE SKIP LOCKED`: each change is leased by one
//!   consumer at a time, a consumer that dies releases it when its lease runs out, and an
//!   account's next change is not handed out while an earlier one is pending or leased.
//! - Connections are opened as needed and dropped when they fail, so the store comes back
//!   by itself after the server does; meanwhile every operation fails (a receiver answers
//!   503). The schema is created and migrated under an advisory lock, so that processes
//!   starting together migrate once.
//! - Connections are made without TLS: reach the server on loopback, a Unix socket
//!   (`postgres://user@%2Fvar%2Frun%2Fpostgresql/db`) or a private network.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio_postgres::{Client, NoTls, Row};

use crate::backend::{Backend, Op, state};
use crate::error::InboxError;
use crate::model::{Change, DeadLetter, Inserted, Replay, Status};
use crate::record::{Prepared, micros, time_of};

/// Idle connections kept for reuse.
const POOL: usize = 8;

/// The schema, one migration per version.
const MIGRATIONS: &[(i64, &str)] = &[(
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
)];

/// The advisory lock migrations run under.
const MIGRATION_LOCK: i64 = 0x7761_696e_626f_7831;

/// The PostgreSQL store.
pub(crate) struct Postgres {
    url: String,
    idle: Mutex<Vec<Client>>,
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
            idle: Mutex::new(Vec::new()),
            migrated: tokio::sync::OnceCell::new(),
        };
        if check {
            let client = store.client().await?;
            store.give_back(client);
        }
        Ok(store)
    }

    /// A connection: an idle one, or a new one (which migrates the schema once).
    async fn client(&self) -> Result<Client, InboxError> {
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            std::iter::from_fn(|| idle.pop()).find(|c| !c.is_closed())
        };
        if let Some(client) = reused {
            return Ok(client);
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
        Ok(client)
    }

    fn give_back(&self, client: Client) {
        if client.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < POOL {
            idle.push(client);
        }
    }

    /// Runs `job` on a connection inside a transaction; the connection is kept for reuse
    /// when the job worked.
    fn run<'a, T, F>(&'a self, job: F) -> Op<'a, T>
    where
        T: Send + 'a,
        F: for<'c> FnOnce(&'c tokio_postgres::Transaction<'c>) -> Op<'c, T> + Send + 'a,
    {
        Box::pin(async move {
            let mut client = self.client().await?;
            let result = async {
                let transaction = client
                    .transaction()
                    .await
                    .map_err(pg_error("cannot start a transaction"))?;
                let value = job(&transaction).await?;
                transaction
                    .commit()
                    .await
                    .map_err(pg_error("the commit failed"))?;
                Ok(value)
            }
            .await;
            if result.is_ok() {
                self.give_back(client);
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

impl Backend for Postgres {
    fn insert(&self, delivery: Prepared) -> Op<'_, Inserted> {
        self.run(move |tx| {
            Box::pin(async move {
                let delivery_id: i64 = tx
                    .query_one(
                        "INSERT INTO inbox_deliveries (app_id, signature, received_at, body)
                         VALUES ($1, $2, $3, $4) RETURNING id",
                        &[
                            &delivery.app_id,
                            &delivery.signature,
                            &delivery.received_at,
                            &delivery.body.as_ref(),
                        ],
                    )
                    .await
                    .map_err(pg_error("cannot keep the delivery"))?
                    .get(0);
                let statement = tx
                    .prepare(
                        "INSERT INTO inbox_changes (delivery_id, dedup_key, app_id, waba_id, field,
                            event_time, value, received_at, state, last_error)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                         ON CONFLICT (dedup_key) DO NOTHING",
                    )
                    .await
                    .map_err(pg_error("cannot keep the changes"))?;
                let mut inserted = Inserted::default();
                for change in &delivery.changes {
                    let state: i16 = if change.dead.is_some() {
                        state::DEAD as i16
                    } else {
                        state::PENDING as i16
                    };
                    let n = tx
                        .execute(
                            &statement,
                            &[
                                &delivery_id,
                                &change.dedup_key,
                                &delivery.app_id,
                                &change.waba_id,
                                &change.field,
                                &change.time,
                                &change.value,
                                &delivery.received_at,
                                &state,
                                &change.dead,
                            ],
                        )
                        .await
                        .map_err(pg_error("cannot keep a change"))?;
                    if n == 1 {
                        inserted.new += 1;
                    } else {
                        inserted.duplicates += 1;
                    }
                }
                if inserted.new == 0 {
                    tx.execute(
                        "DELETE FROM inbox_deliveries WHERE id = $1",
                        &[&delivery_id],
                    )
                    .await
                    .map_err(pg_error("cannot drop a duplicate delivery"))?;
                }
                Ok(inserted)
            })
        })
    }

    fn claim(&self, consumer: String, lease: Duration) -> Op<'_, Option<Change>> {
        self.run(move |tx| {
            Box::pin(async move {
                let now = micros(SystemTime::now());
                let until =
                    now.saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
                let row = tx
                    .query_opt(
                        "WITH next AS (
                            SELECT c.id FROM inbox_changes c
                            WHERE ((c.state = 0 AND c.not_before <= $1) OR (c.state = 1 AND c.lease_until <= $1))
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
                            c.received_at, c.attempts, c.lease_token",
                        &[&now, &consumer, &token(), &until],
                    )
                    .await
                    .map_err(pg_error("cannot lease a change"))?;
                Ok(row.as_ref().map(change_of))
            })
        })
    }

    fn extend(&self, id: i64, token: i64, lease: Duration) -> Op<'_, bool> {
        self.run(move |tx| {
            Box::pin(async move {
                let until = micros(SystemTime::now())
                    .saturating_add(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX));
                tx.execute(
                    "UPDATE inbox_changes SET lease_until = $3
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token, &until],
                )
                .await
                .map(|n| n == 1)
                .map_err(pg_error("cannot extend a lease"))
            })
        })
    }

    fn complete(&self, id: i64, token: i64) -> Op<'_, bool> {
        self.run(move |tx| {
            Box::pin(async move {
                let now = micros(SystemTime::now());
                tx.execute(
                    "UPDATE inbox_changes SET state = 2, done_at = $3, lease_owner = NULL,
                        lease_until = NULL, last_error = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token, &now],
                )
                .await
                .map(|n| n == 1)
                .map_err(pg_error("cannot finish a change"))
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
        self.run(move |tx| {
            Box::pin(async move {
                let (state, not_before): (i16, i64) = match retry_at {
                    Some(at) => (state::PENDING as i16, micros(at)),
                    None => (state::DEAD as i16, 0),
                };
                tx.execute(
                    "UPDATE inbox_changes SET state = $3, not_before = $4, last_error = $5,
                        lease_owner = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_token = $2 AND state = 1",
                    &[&id, &token, &state, &not_before, &error],
                )
                .await
                .map(|n| n == 1)
                .map_err(pg_error("cannot give a change back"))
            })
        })
    }

    fn status(&self) -> Op<'_, Status> {
        self.run(|tx| {
            Box::pin(async move {
                let mut status = Status::default();
                for row in tx
                    .query(
                        "SELECT state, COUNT(*) FROM inbox_changes GROUP BY state",
                        &[],
                    )
                    .await
                    .map_err(pg_error("cannot count"))?
                {
                    let n = count(row.get(1));
                    match i64::from(row.get::<_, i16>(0)) {
                        state::PENDING => status.pending = n,
                        state::LEASED => status.leased = n,
                        state::DONE => status.done = n,
                        state::DEAD => status.dead = n,
                        _ => {}
                    }
                }
                status.deliveries = count(
                    tx.query_one("SELECT COUNT(*) FROM inbox_deliveries", &[])
                        .await
                        .map_err(pg_error("cannot count"))?
                        .get(0),
                );
                status.oldest_pending_received_at = tx
                    .query_one(
                        "SELECT MIN(received_at) FROM inbox_changes WHERE state IN (0, 1)",
                        &[],
                    )
                    .await
                    .map_err(pg_error("cannot count"))?
                    .get::<_, Option<i64>>(0)
                    .map(|us| us / 1000);
                Ok(status)
            })
        })
    }

    fn dead_letters(&self, limit: usize) -> Op<'_, Vec<DeadLetter>> {
        self.run(move |tx| {
            Box::pin(async move {
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = tx
                    .query(
                        "SELECT id, app_id, waba_id, field, value, COALESCE(last_error, ''), attempts,
                            received_at
                         FROM inbox_changes WHERE state = 3 ORDER BY id LIMIT $1",
                        &[&limit],
                    )
                    .await
                    .map_err(pg_error("cannot read dead letters"))?;
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
        self.run(move |tx| {
            Box::pin(async move {
                let now = micros(SystemTime::now());
                let (column, bound) = match from {
                    Replay::Since(at) => ("received_at", micros(at)),
                    Replay::FromId(id) => ("id", id),
                };
                tx.execute(
                    &format!(
                        "UPDATE inbox_changes SET state = 0, attempts = 0, not_before = $2,
                            last_error = NULL, done_at = NULL, lease_owner = NULL,
                            lease_token = NULL, lease_until = NULL
                         WHERE {column} >= $1 AND state IN (2, 3) AND field IS NOT NULL"
                    ),
                    &[&bound, &now],
                )
                .await
                .map_err(pg_error("cannot replay"))
            })
        })
    }

    fn prune(&self, finished_before: SystemTime) -> Op<'_, u64> {
        self.run(move |tx| {
            Box::pin(async move {
                let pruned = tx
                    .execute(
                        "DELETE FROM inbox_changes WHERE state = 2 AND done_at < $1",
                        &[&micros(finished_before)],
                    )
                    .await
                    .map_err(pg_error("cannot prune"))?;
                tx.execute(
                    "DELETE FROM inbox_deliveries d WHERE NOT EXISTS
                        (SELECT 1 FROM inbox_changes c WHERE c.delivery_id = d.id)",
                    &[],
                )
                .await
                .map_err(pg_error("cannot prune deliveries"))?;
                Ok(pruned)
            })
        })
    }
}
