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
    replay_and_prune,
    concurrent_deliveries_are_all_kept,
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
    assert_eq!(versions, [1]);
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
