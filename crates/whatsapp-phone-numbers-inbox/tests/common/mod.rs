//! What every store must do, written once: the SQLite tests run it on a temporary file, the
//! PostgreSQL tests on a throwaway server.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use whatsapp_phone_numbers::v24_0;
use whatsapp_phone_numbers::webhooks::Received;
use whatsapp_phone_numbers_inbox::{ConsumeOptions, Inbox, Inserted, Replay};

/// A delivery of `changes` (`(waba, field, value)`) signed for `app`, at entry time `time`.
pub fn delivery(app: &str, time: i64, changes: &[(&str, &str, &str)]) -> Received {
    let entries: Vec<String> = changes
        .iter()
        .map(|(waba, field, value)| {
            format!(r#"{{"id":"{waba}","time":{time},"changes":[{{"field":"{field}","value":{value}}}]}}"#)
        })
        .collect();
    raw(
        app,
        &format!(
            r#"{{"object":"whatsapp_business_account","entry":[{}]}}"#,
            entries.join(",")
        ),
    )
}

/// A delivery of `body` as is.
pub fn raw(app: &str, body: &str) -> Received {
    Received {
        app_id: Some(app.to_owned()),
        body: Bytes::from(body.to_owned()),
        signature: "sha256=0000".into(),
        received_at: SystemTime::now(),
    }
}

pub fn fast(consumer: &str) -> ConsumeOptions {
    ConsumeOptions {
        consumer: consumer.into(),
        lease: Duration::from_secs(30),
        max_attempts: 3,
        first_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(40),
        poll_interval: Duration::from_millis(10),
        until_empty: true,
    }
}

pub async fn each_change_is_kept_once(inbox: &Inbox) {
    let value = r#"{"event":"FLAGGED","display_phone_number":"16315550100"}"#;
    let first = inbox
        .store(delivery(
            "1",
            100,
            &[
                ("w1", "phone_number_quality_update", value),
                ("w1", "account_update", "{}"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        first,
        Inserted {
            new: 2,
            duplicates: 0
        }
    );
    // Graph sends it again: nothing new.
    let again = inbox
        .store(delivery(
            "1",
            100,
            &[
                ("w1", "phone_number_quality_update", value),
                ("w1", "account_update", "{}"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        again,
        Inserted {
            new: 0,
            duplicates: 2
        }
    );
    // With other spacing and key order: the same change.
    let reordered = r#"{ "display_phone_number": "16315550100", "event": "FLAGGED" }"#;
    let spaced = inbox
        .store(delivery(
            "1",
            100,
            &[("w1", "phone_number_quality_update", reordered)],
        ))
        .await
        .unwrap();
    assert_eq!(spaced.duplicates, 1);
    // Another app's copy, and a later repeat, are changes of their own.
    assert_eq!(
        inbox
            .store(delivery(
                "2",
                100,
                &[("w1", "phone_number_quality_update", value)]
            ))
            .await
            .unwrap()
            .new,
        1
    );
    assert_eq!(
        inbox
            .store(delivery(
                "1",
                200,
                &[("w1", "phone_number_quality_update", value)]
            ))
            .await
            .unwrap()
            .new,
        1
    );
    let status = inbox.status().await.unwrap();
    assert_eq!((status.pending, status.deliveries), (4, 3), "{status:?}");
}

pub async fn unreadable_parts_are_dead_letters_and_hide_nothing(inbox: &Inbox) {
    let body = r#"{"object":"whatsapp_business_account","entry":[
        {"id":"w1","time":1,"changes":[{"field":"account_update","value":{"event":"X"}}]},
        {"id":"w2","time":1,"changes":null}]}"#;
    assert_eq!(
        inbox.store(raw("1", body)).await.unwrap(),
        Inserted {
            new: 2,
            duplicates: 0
        }
    );
    assert_eq!(
        inbox.store(raw("1", "not json at all")).await.unwrap().new,
        1
    );
    let status = inbox.status().await.unwrap();
    assert_eq!((status.pending, status.dead), (1, 2));
    let dead = inbox.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 2);
    assert!(dead[0].reason.contains("changes"), "{dead:?}");
    assert!(dead[1].value.contains("not json"));
    // A dead letter born unreadable is not replayed as a change.
    assert_eq!(inbox.replay(Replay::FromId(0)).await.unwrap(), 0);
    // A signed body with no change in it (content nobody reads yet) is kept as it came,
    // not answered and dropped like a resend.
    let before = inbox.status().await.unwrap().deliveries;
    let empty = r#"{"object":"whatsapp_business_account","entry":[{"id":"w3","time":2,"changes":[],"new_key":{"x":1}}],"also_new":true}"#;
    assert_eq!(
        inbox.store(raw("1", empty)).await.unwrap(),
        Inserted {
            new: 0,
            duplicates: 0
        }
    );
    assert_eq!(inbox.status().await.unwrap().deliveries, before + 1);
}

pub async fn changes_are_consumed_in_order_per_account_and_retried(inbox: &Inbox) {
    for (i, waba) in ["a", "b", "a", "b", "a"].iter().enumerate() {
        let value = format!(r#"{{"n":{i}}}"#);
        inbox
            .store(delivery("1", i as i64, &[(waba, "account_update", &value)]))
            .await
            .unwrap();
    }
    let handled: Arc<Mutex<Vec<(String, String, u32)>>> = Arc::default();
    let failed_once = Arc::new(Mutex::new(false));
    let log = handled.clone();
    let consumed = inbox
        .consume(&fast("c1"), move |change| {
            let log = log.clone();
            let failed_once = failed_once.clone();
            async move {
                // The first change of account "a" fails once.
                if change.waba_id == "a" && change.value == r#"{"n":0}"# {
                    let mut failed = failed_once.lock().unwrap();
                    if !*failed {
                        *failed = true;
                        return Err("not yet".into());
                    }
                }
                // Typed with the consumer's version.
                assert!(matches!(
                    change.decode::<v24_0::Version>(),
                    v24_0::webhooks::Change::AccountUpdate(_)
                ));
                log.lock().unwrap().push((
                    change.waba_id.clone(),
                    change.value.clone(),
                    change.attempt,
                ));
                Ok(())
            }
        })
        .await
        .unwrap();
    assert_eq!((consumed.done, consumed.retried, consumed.dead), (5, 1, 0));
    let handled = handled.lock().unwrap().clone();
    let of = |waba: &str| -> Vec<String> {
        handled
            .iter()
            .filter(|(w, _, _)| w == waba)
            .map(|(_, v, _)| v.clone())
            .collect()
    };
    assert_eq!(of("a"), [r#"{"n":0}"#, r#"{"n":2}"#, r#"{"n":4}"#]);
    assert_eq!(of("b"), [r#"{"n":1}"#, r#"{"n":3}"#]);
    assert_eq!(
        handled
            .iter()
            .find(|(_, v, _)| v == r#"{"n":0}"#)
            .unwrap()
            .2,
        2
    );
    let status = inbox.status().await.unwrap();
    assert_eq!((status.done, status.backlog()), (5, 0));
}

pub async fn a_change_that_keeps_failing_becomes_a_dead_letter(inbox: &Inbox) {
    inbox
        .store(delivery("1", 1, &[("a", "account_update", "{}")]))
        .await
        .unwrap();
    inbox
        .store(delivery(
            "1",
            2,
            &[("a", "account_update", r#"{"next":1}"#)],
        ))
        .await
        .unwrap();
    let consumed = inbox
        .consume(&fast("c1"), |change| async move {
            if change.value == "{}" {
                Err(format!("refused attempt {}", change.attempt).into())
            } else {
                Ok(())
            }
        })
        .await
        .unwrap();
    assert_eq!((consumed.done, consumed.dead, consumed.retried), (1, 1, 2));
    let dead = inbox.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].attempts, dead[0].reason.as_str()),
        (3, "refused attempt 3")
    );
    // Replayed, it is handed out again (from its ID).
    assert_eq!(inbox.replay(Replay::FromId(dead[0].id)).await.unwrap(), 2);
    let again = inbox
        .consume(&fast("c2"), |_| async { Ok(()) })
        .await
        .unwrap();
    assert_eq!(again.done, 2);
}

pub async fn a_consumer_that_dies_releases_its_change_when_the_lease_runs_out(inbox: &Inbox) {
    inbox
        .store(delivery("1", 1, &[("a", "account_update", "{}")]))
        .await
        .unwrap();
    inbox
        .store(delivery("1", 2, &[("a", "account_update", r#"{"n":2}"#)]))
        .await
        .unwrap();
    let mut options = fast("dies");
    options.lease = Duration::from_millis(300);
    options.until_empty = false;
    let (started, mut taken) = tokio::sync::mpsc::unbounded_channel();
    let dying = inbox.clone();
    let task = tokio::spawn(async move {
        let _ = dying
            .consume(&options, move |change| {
                let started = started.clone();
                async move {
                    let _ = started.send(change.id);
                    std::future::pending::<()>().await;
                    Ok(())
                }
            })
            .await;
    });
    let first = taken.recv().await.unwrap();
    task.abort();
    let _ = task.await;
    // While the lease lasts, the account's later change waits too (order).
    let status = inbox.status().await.unwrap();
    assert_eq!(status.leased, 1);
    let order: Arc<Mutex<Vec<(i64, u32)>>> = Arc::default();
    let seen = order.clone();
    let started_at = std::time::Instant::now();
    inbox
        .consume(&fast("survivor"), move |change| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push((change.id, change.attempt));
                Ok(())
            }
        })
        .await
        .unwrap();
    assert!(
        started_at.elapsed() >= Duration::from_millis(200),
        "waited for the lease"
    );
    let order = order.lock().unwrap().clone();
    assert_eq!(
        order[0],
        (first, 2),
        "the dead consumer's change first, its second attempt"
    );
    assert_eq!(order.len(), 2);
}

pub async fn a_slow_handler_keeps_its_change_past_the_lease(inbox: &Inbox) {
    inbox
        .store(delivery("1", 1, &[("a", "account_update", "{}")]))
        .await
        .unwrap();
    let handled: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let consumer = |name: &'static str, slow: bool| {
        let inbox = inbox.clone();
        let handled = handled.clone();
        async move {
            let mut options = fast(name);
            options.lease = Duration::from_millis(150);
            inbox
                .consume(&options, move |change| {
                    let handled = handled.clone();
                    async move {
                        handled.lock().unwrap().push((name.to_owned(), change.id));
                        if slow {
                            // Four leases long: renewed meanwhile.
                            tokio::time::sleep(Duration::from_millis(600)).await;
                        }
                        Ok(())
                    }
                })
                .await
                .unwrap()
        }
    };
    let slow = tokio::spawn(consumer("slow", true));
    while handled.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let other = consumer("other", false).await;
    assert_eq!(other.done, 0, "the change was taken while its handler ran");
    assert_eq!(slow.await.unwrap().done, 1);
    assert_eq!(handled.lock().unwrap().len(), 1);
    assert_eq!(inbox.status().await.unwrap().done, 1);
}

pub async fn a_stopped_consumer_gives_its_change_back_at_once(inbox: &Inbox) {
    for n in 1..=2 {
        inbox
            .store(delivery(
                "1",
                n,
                &[("a", "account_update", &format!(r#"{{"n":{n}}}"#))],
            ))
            .await
            .unwrap();
    }
    let (started, taken) = tokio::sync::oneshot::channel::<i64>();
    let started = Mutex::new(Some(started));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopping = async move {
        let first = taken.await.unwrap();
        let _ = stop.send(());
        first
    };
    let mut options = fast("stopped");
    options.until_empty = false;
    let (consumed, first) = tokio::join!(
        inbox.consume_until(
            &options,
            |change| {
                if let Some(started) = started.lock().unwrap().take() {
                    let _ = started.send(change.id);
                }
                std::future::pending::<Result<(), whatsapp_phone_numbers_inbox::HandlerError>>()
            },
            async move {
                let _ = stopped.await;
            },
        ),
        stopping,
    );
    assert_eq!(consumed.unwrap().done, 0);
    // Given back, not leased: the next consumer takes it at once, as its first attempt.
    let status = inbox.status().await.unwrap();
    assert_eq!((status.pending, status.leased), (2, 0));
    let seen: Arc<Mutex<Vec<(i64, u32)>>> = Arc::default();
    let record = seen.clone();
    let started_at = std::time::Instant::now();
    inbox
        .consume(&fast("next"), move |change| {
            record.lock().unwrap().push((change.id, change.attempt));
            async { Ok(()) }
        })
        .await
        .unwrap();
    assert!(
        started_at.elapsed() < Duration::from_secs(5),
        "waited for a lease"
    );
    assert_eq!(seen.lock().unwrap()[0], (first, 1));
    assert_eq!(seen.lock().unwrap().len(), 2);
}

pub async fn replay_and_prune(inbox: &Inbox) {
    for i in 0..4 {
        inbox
            .store(delivery(
                "1",
                i,
                &[("a", "account_update", &format!(r#"{{"n":{i}}}"#))],
            ))
            .await
            .unwrap();
    }
    let middle = SystemTime::now();
    tokio::time::sleep(Duration::from_millis(5)).await;
    inbox
        .store(delivery("1", 9, &[("b", "account_update", "{}")]))
        .await
        .unwrap();
    inbox
        .consume(&fast("c"), |_| async { Ok(()) })
        .await
        .unwrap();
    assert_eq!(inbox.replay(Replay::Since(middle)).await.unwrap(), 1);
    assert_eq!(inbox.status().await.unwrap().pending, 1);
    inbox
        .consume(&fast("c"), |_| async { Ok(()) })
        .await
        .unwrap();
    // Everything finished before now goes; the deliveries with it.
    let pruned = inbox
        .prune(SystemTime::now() + Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(pruned, 5);
    let status = inbox.status().await.unwrap();
    assert_eq!((status.done, status.deliveries), (0, 0));
}

pub async fn concurrent_deliveries_are_all_kept(inbox: &Inbox) {
    let mut tasks = Vec::new();
    for i in 0..200 {
        let inbox = inbox.clone();
        tasks.push(tokio::spawn(async move {
            inbox
                .store(delivery(
                    "1",
                    i,
                    &[(
                        &format!("w{}", i % 7),
                        "account_update",
                        &format!(r#"{{"i":{i}}}"#),
                    )],
                ))
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().new, 1);
    }
    let seen: Arc<Mutex<BTreeMap<String, u32>>> = Arc::default();
    let count = seen.clone();
    inbox
        .consume(&fast("c"), move |change| {
            let count = count.clone();
            async move {
                *count
                    .lock()
                    .unwrap()
                    .entry(change.value.clone())
                    .or_default() += 1;
                Ok(())
            }
        })
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 200);
    assert!(seen.values().all(|n| *n == 1));
}

/// One observation of `field` of number `id` (account `w1`).
fn seen(
    id: &str,
    field: &'static str,
    value: &str,
    at_ms: i64,
    source: whatsapp_phone_numbers_inbox::fleet::Source,
) -> whatsapp_phone_numbers_inbox::fleet::Observation {
    whatsapp_phone_numbers_inbox::fleet::Observation {
        entity: whatsapp_phone_numbers_inbox::fleet::Entity::Number,
        id: id.into(),
        waba_id: Some("w1".into()),
        field,
        value: Some(value.into()),
        at_ms,
        source,
        inbox_change_id: None,
    }
}

fn seen_at(
    id: &str,
    field: &'static str,
    value: &str,
    at_ms: i64,
) -> whatsapp_phone_numbers_inbox::fleet::Observation {
    seen(
        id,
        field,
        value,
        at_ms,
        whatsapp_phone_numbers_inbox::fleet::Source::Webhook,
    )
}

pub async fn the_fleet_state_records_each_difference_once(inbox: &Inbox) {
    use whatsapp_phone_numbers_inbox::fleet::{Fleet, HistoryQuery, Source};
    // The backlog a full read waits for: none, one change, none once consumed.
    assert!(!inbox.has_backlog().await.unwrap());
    inbox
        .store(delivery("1", 100, &[("w1", "account_update", "{}")]))
        .await
        .unwrap();
    assert!(inbox.has_backlog().await.unwrap());
    inbox
        .consume(&fast("fleet"), |_| async { Ok(()) })
        .await
        .unwrap();
    assert!(!inbox.has_backlog().await.unwrap());
    let fleet = Fleet::open(inbox).await.unwrap();
    assert!(fleet.is_empty().await);
    // First values: stored, no history.
    let first = fleet
        .apply(vec![
            seen("n1", "quality_rating", "GREEN", 1_000, Source::Resync),
            seen(
                "n1",
                "display_phone_number",
                "+1 555-0100",
                1_000,
                Source::Resync,
            ),
            seen("n2", "quality_rating", "GREEN", 1_000, Source::Resync),
        ])
        .await
        .unwrap();
    assert!(first.is_empty(), "{first:?}");
    // A webhook's change: one record; the same webhook again (at least once): nothing.
    let mut flagged = seen("n1", "quality_rating", "RED", 5_000, Source::Webhook);
    flagged.inbox_change_id = Some(7);
    let changed = fleet.apply(vec![flagged.clone()]).await.unwrap();
    assert_eq!(changed.len(), 1);
    let record = &changed[0];
    assert_eq!(
        (record.old.as_deref(), record.new.as_deref(), record.source),
        (Some("GREEN"), Some("RED"), Source::Webhook)
    );
    assert!(!record.unannounced);
    assert_eq!(record.inbox_change_id, Some(7));
    assert_eq!(record.waba_id.as_deref(), Some("w1"));
    assert!(fleet.apply(vec![flagged]).await.unwrap().is_empty());
    // A read that began before the webhook's change is stale: it does not undo it.
    let stale = seen("n1", "quality_rating", "GREEN", 4_000, Source::Resync);
    assert!(fleet.apply(vec![stale]).await.unwrap().is_empty());
    // A read finds a difference no webhook announced.
    let found = fleet
        .apply(vec![
            seen("n1", "quality_rating", "RED", 9_000, Source::Resync),
            seen("n2", "quality_rating", "YELLOW", 9_000, Source::Resync),
        ])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].unannounced && found[0].entity_id == "n2");
    // A webhook older than what that read confirmed is stale too.
    let late = seen("n2", "quality_rating", "GREEN", 8_000, Source::Webhook);
    assert!(fleet.apply(vec![late]).await.unwrap().is_empty());
    // Two changes of one field in one batch: both recorded, in order.
    let both = fleet
        .apply(vec![
            seen("n2", "quality_rating", "RED", 10_000, Source::Webhook),
            seen("n2", "quality_rating", "GREEN", 11_000, Source::Webhook),
        ])
        .await
        .unwrap();
    let steps: Vec<_> = both
        .iter()
        .map(|c| (c.old.clone().unwrap(), c.new.clone().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("YELLOW".into(), "RED".into()),
            ("RED".into(), "GREEN".into())
        ]
    );

    // Kept in the store: a new process sees the same state and history.
    let again = Fleet::open(inbox).await.unwrap();
    let mut values = inbox.fleet_values().await.unwrap();
    values.sort_by(|a, b| (&a.id, &a.field).cmp(&(&b.id, &b.field)));
    let shown: Vec<_> = values
        .iter()
        .map(|v| (v.id.as_str(), v.field.as_str(), v.value.as_deref().unwrap()))
        .collect();
    assert_eq!(
        shown,
        [
            ("n1", "display_phone_number", "+1 555-0100"),
            ("n1", "quality_rating", "RED"),
            ("n2", "quality_rating", "GREEN"),
        ]
    );
    assert_eq!(
        again.number_by_display("15550100").await,
        Some(("n1".into(), Some("w1".into())))
    );
    let mut seen = Vec::new();
    again
        .visit(|_, id, waba, field, value| {
            seen.push(format!(
                "{id} {} {field} {}",
                waba.unwrap_or("-"),
                value.unwrap_or("-")
            ))
        })
        .await;
    seen.sort();
    assert_eq!(
        seen,
        [
            "n1 w1 display_phone_number +1 555-0100",
            "n1 w1 quality_rating RED",
            "n2 w1 quality_rating GREEN"
        ]
    );
    // What the reloaded memory says about staleness: the last change's time.
    assert!(
        again
            .apply(vec![seen_at("n2", "quality_rating", "RED", 10_500)])
            .await
            .unwrap()
            .is_empty()
    );
    let all = inbox.fleet_history(HistoryQuery::default()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let n2 = inbox
        .fleet_history(HistoryQuery {
            id: Some("n2".into()),
            ..HistoryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(n2.len(), 3);
    let by_account = inbox
        .fleet_history(HistoryQuery {
            id: Some("w1".into()),
            after_id: Some(all[0].id),
            limit: 2,
            ..HistoryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_account.iter().map(|c| c.id).collect::<Vec<_>>(),
        [all[1].id, all[2].id]
    );
    let future = inbox
        .fleet_history(HistoryQuery {
            since_ms: Some(all[3].recorded_at_ms + 60_000),
            ..HistoryQuery::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
    // Emitted marks: handed on once, the rest still waiting after a restart.
    let waiting = again.unemitted(10).await.unwrap();
    assert_eq!(waiting, all);
    again.mark_emitted(all[1].id).await.unwrap();
    let rest = Fleet::open(inbox)
        .await
        .unwrap()
        .unemitted(10)
        .await
        .unwrap();
    assert_eq!(rest, all[2..]);
}
