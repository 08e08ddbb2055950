//! The SQLite store: every shared behaviour on a temporary file, and what only a file has
//! (created on first use, a read-only file answered with errors until it is writable).
#![cfg(feature = "sqlite")]

mod common;

use std::path::PathBuf;

use whatsapp_phone_numbers_inbox::{Inbox, Location};

/// A fresh database path in its own temporary folder (removed when dropped).
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "inbox-test-{}-{name}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        Temp(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("nested/inbox.sqlite3")
    }

    async fn inbox(&self) -> Inbox {
        Inbox::open(&format!("sqlite:{}", self.db().display()))
            .await
            .unwrap()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

macro_rules! shared {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let temp = Temp::new(stringify!($name));
            common::$name(&temp.inbox().await).await;
        }
    )*};
}

shared!(
    each_change_is_kept_once,
    unreadable_parts_are_dead_letters_and_hide_nothing,
    changes_are_consumed_in_order_per_account_and_retried,
    a_change_that_keeps_failing_becomes_a_dead_letter,
    a_consumer_that_dies_releases_its_change_when_the_lease_runs_out,
    a_slow_handler_keeps_its_change_past_the_lease,
    a_stopped_consumer_gives_its_change_back_at_once,
    replay_and_prune,
    concurrent_deliveries_are_all_kept,
    the_fleet_state_records_each_difference_once,
);

#[tokio::test]
async fn the_file_is_created_on_first_use_and_kept_across_opens() {
    let temp = Temp::new("reopen");
    assert!(!temp.db().exists());
    let inbox = temp.inbox().await;
    assert!(temp.db().exists());
    inbox
        .store(common::delivery("1", 1, &[("w", "account_update", "{}")]))
        .await
        .unwrap();
    drop(inbox);
    let again = temp.inbox().await;
    assert_eq!(again.status().await.unwrap().pending, 1);
    // The schema is versioned, and was migrated once.
    let db = rusqlite::Connection::open(temp.db()).unwrap();
    let versions: Vec<i64> = db
        .prepare("SELECT version FROM inbox_schema")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, [1, 2, 3]);
    let mode: String = db
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_store_that_cannot_be_written_fails_until_it_can() {
    use std::os::unix::fs::PermissionsExt;
    // A store whose folder cannot be made (a file stands where it goes): unavailable to
    // every user, root included.
    let temp = Temp::new("unavailable");
    std::fs::create_dir_all(&temp.0).unwrap();
    std::fs::write(temp.0.join("nested"), b"a file, not a folder").unwrap();
    let location: Location = format!("sqlite:{}", temp.db().display()).parse().unwrap();
    assert!(Inbox::open_at(location.clone()).await.is_err());
    let inbox = Inbox::open_later(location).await.unwrap();
    let delivery = || common::delivery("1", 1, &[("w", "account_update", "{}")]);
    assert!(inbox.store(delivery()).await.is_err());
    assert!(inbox.status().await.is_err());
    std::fs::remove_file(temp.0.join("nested")).unwrap();
    assert_eq!(inbox.store(delivery()).await.unwrap().new, 1);

    // A read-only file (which root can still write: then this part proves nothing, and
    // says so by skipping its refusal checks).
    let temp = Temp::new("readonly");
    drop(temp.inbox().await);
    std::fs::set_permissions(temp.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    let refused = std::fs::OpenOptions::new()
        .write(true)
        .open(temp.db())
        .is_err();
    let location: Location = format!("sqlite:{}", temp.db().display()).parse().unwrap();
    let inbox = Inbox::open_later(location).await.unwrap();
    if refused {
        assert!(inbox.store(delivery()).await.is_err());
    }
    std::fs::set_permissions(temp.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(inbox.store(delivery()).await.unwrap().new, 1);
}

/// Schema version 1 as it was, frozen: a file written by an older build.
const VERSION_1: &str = "CREATE TABLE inbox_schema (version INTEGER NOT NULL);
    INSERT INTO inbox_schema (version) VALUES (1);
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY, app_id TEXT, signature TEXT NOT NULL,
        received_at INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        dedup_key TEXT NOT NULL UNIQUE, app_id TEXT, waba_id TEXT NOT NULL, field TEXT,
        event_time INTEGER, value TEXT NOT NULL, received_at INTEGER NOT NULL,
        state INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        not_before INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_token INTEGER,
        lease_until INTEGER, last_error TEXT, done_at INTEGER);
    CREATE INDEX changes_active ON changes(id) WHERE state IN (0, 1);
    CREATE INDEX changes_active_waba ON changes(waba_id, id) WHERE state IN (0, 1);
    CREATE INDEX changes_done ON changes(done_at) WHERE state = 2;
    CREATE INDEX changes_received ON changes(received_at);
    CREATE INDEX changes_delivery ON changes(delivery_id);";

#[tokio::test]
async fn a_file_of_an_older_schema_is_migrated_and_keeps_its_work() {
    let temp = Temp::new("migrate");
    std::fs::create_dir_all(temp.db().parent().unwrap()).unwrap();
    {
        let db = rusqlite::Connection::open(temp.db()).unwrap();
        db.execute_batch(VERSION_1).unwrap();
        // Account a: one done, two pending; account b: one pending.
        db.execute_batch(
            "INSERT INTO deliveries VALUES (1, '1', 'sha256=00', 0, X'7B7D');
             INSERT INTO changes (delivery_id, dedup_key, app_id, waba_id, field, value, received_at, state)
             VALUES (1, 'k1', '1', 'a', 'account_update', '{\"n\":1}', 0, 2),
                    (1, 'k2', '1', 'a', 'account_update', '{\"n\":2}', 0, 0),
                    (1, 'k3', '1', 'b', 'account_update', '{\"n\":3}', 0, 0),
                    (1, 'k4', '1', 'a', 'account_update', '{\"n\":4}', 0, 0);",
        )
        .unwrap();
    }
    let inbox = temp.inbox().await;
    let mut order = Vec::new();
    inbox
        .consume(&common::fast("after-migration"), |change| {
            order.push((change.waba_id.clone(), change.value.clone()));
            async { Ok(()) }
        })
        .await
        .unwrap();
    assert_eq!(
        order,
        [
            ("a".to_owned(), r#"{"n":2}"#.to_owned()),
            ("b".to_owned(), r#"{"n":3}"#.to_owned()),
            ("a".to_owned(), r#"{"n":4}"#.to_owned()),
        ]
    );
    let db = rusqlite::Connection::open(temp.db()).unwrap();
    let versions: Vec<i64> = db
        .prepare("SELECT version FROM inbox_schema ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(versions, [1, 2, 3]);
}
