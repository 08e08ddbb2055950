//! The PostgreSQL store: every shared behaviour, each in a database of its own on a
//! throwaway server, and what only a shared server has (several receivers and consumers on
//! one database, a server that stops and comes back).
//!
//! These need a server: `.ci/with-postgres` starts one and exports its address.
//!
//! ```text
//! .ci/with-postgres cargo test -p whatsapp-phone-numbers-inbox --features postgres --test postgres -- --ignored
//! ```
#![cfg(feature = "postgres")]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use whatsapp_phone_numbers_inbox::{Inbox, Location};

/// The server `.ci/with-postgres` started; a test run with `--ignored` without it fails
/// here rather than passing without having tested anything.
fn server() -> String {
    std::env::var("WAPHONE_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "WAPHONE_TEST_POSTGRES is not set: run these tests through .ci/with-postgres \
             (.ci/with-postgres cargo test -p whatsapp-phone-numbers-inbox --features postgres \
             --test postgres -- --ignored)"
        )
    })
}

/// Held for reading by every test, and for writing by the one that stops the server, so
/// that no other test sees it stopped.
static SERVER_UP: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// A new, empty database on the server; answers its URL.
async fn database(name: &str) -> String {
    let admin = server();
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .expect("the server from .ci/with-postgres answers");
    tokio::spawn(connection);
    let db = format!(
        "t_{}_{}_{}",
        name,
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    client
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{db}")
}

async fn inbox(name: &str) -> Inbox {
    Inbox::open(&database(name).await).await.unwrap()
}

macro_rules! shared {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        #[ignore = "needs PostgreSQL: run through .ci/with-postgres (see this file's docs)"]
        async fn $name() {
            let _up = SERVER_UP.read().await;
            common::$name(&inbox(stringify!($name)).await).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run through .ci/with-postgres (see this file's docs)"]
async fn several_receivers_and_consumers_share_one_database() {
    let _up = SERVER_UP.read().await;
    let url = database("shared").await;
    // Two receivers (each its own store and connections) get the same deliveries, as behind
    // a load balancer where Graph's resend lands on the other one.
    let receivers = [
        Inbox::open(&url).await.unwrap(),
        Inbox::open(&url).await.unwrap(),
    ];
    let mut stores = Vec::new();
    for n in 0..200i64 {
        for receiver in &receivers {
            let receiver = receiver.clone();
            stores.push(tokio::spawn(async move {
                let waba = format!("w{}", n % 7);
                let value = format!(r#"{{"n":{n}}}"#);
                receiver
                    .store(common::delivery(
                        "app",
                        n,
                        &[(&waba, "account_update", &value)],
                    ))
                    .await
                    .unwrap()
            }));
        }
    }
    let mut new = 0;
    for store in stores {
        new += store.await.unwrap().new;
    }
    assert_eq!(
        new, 200,
        "each change is kept once, whichever receiver got it"
    );

    // Two consumers on two more stores: every change once, one at a time per account, in
    // the order it arrived.
    let seen: Arc<Mutex<BTreeMap<String, Vec<i64>>>> = Arc::default();
    let busy: Arc<Mutex<std::collections::HashSet<String>>> = Arc::default();
    let mut consumers = Vec::new();
    for name in ["a", "b"] {
        let inbox = Inbox::open(&url).await.unwrap();
        let seen = seen.clone();
        let busy = busy.clone();
        consumers.push(tokio::spawn(async move {
            inbox
                .consume(&common::fast(name), move |change| {
                    let seen = seen.clone();
                    let busy = busy.clone();
                    async move {
                        assert!(
                            busy.lock().unwrap().insert(change.waba_id.clone()),
                            "two consumers hold {} at once",
                            change.waba_id
                        );
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        seen.lock()
                            .unwrap()
                            .entry(change.waba_id.clone())
                            .or_default()
                            .push(change.id);
                        busy.lock().unwrap().remove(&change.waba_id);
                        Ok(())
                    }
                })
                .await
                .unwrap()
        }));
    }
    let mut handled = 0;
    for consumer in consumers {
        handled += consumer.await.unwrap().done;
    }
    assert_eq!(handled, 200);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.values().map(Vec::len).sum::<usize>(), 200);
    for (waba, ids) in seen.iter() {
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{waba} out of order: {ids:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run through .ci/with-postgres (see this file's docs)"]
async fn a_stopped_server_fails_every_store_until_it_is_back() {
    let stop = std::env::var("WAPHONE_TEST_POSTGRES_STOP").expect("from .ci/with-postgres");
    let start = std::env::var("WAPHONE_TEST_POSTGRES_START").expect("from .ci/with-postgres");
    let _alone = SERVER_UP.write().await;
    let url = database("stopped").await;
    let location: Location = url.parse().unwrap();
    let inbox = Inbox::open_at(location.clone()).await.unwrap();
    let delivery = |n: i64| common::delivery("app", n, &[("w", "account_update", "{}")]);
    assert_eq!(inbox.store(delivery(1)).await.unwrap().new, 1);

    let shell = |command: &str| {
        let status = std::process::Command::new("bash")
            .arg("-c")
            .arg(command)
            .status()
            .unwrap();
        assert!(status.success(), "{command}");
    };
    shell(&stop);
    let refused = inbox.store(delivery(2)).await;
    // A receiver that starts while the server is down comes up and fails too.
    let late = Inbox::open_later(location.clone()).await.unwrap();
    let late_refused = late.store(delivery(3)).await;
    assert!(Inbox::open_at(location).await.is_err());
    shell(&start);
    let error = refused.expect_err("stored while the server was stopped");
    assert!(error.to_string().contains("PostgreSQL"), "{error}");
    assert!(late_refused.is_err());

    // Back without a restart of either.
    assert_eq!(inbox.store(delivery(2)).await.unwrap().new, 1);
    assert_eq!(late.store(delivery(3)).await.unwrap().new, 1);
    let status = inbox.status().await.unwrap();
    assert_eq!(status.pending, 3);
}
