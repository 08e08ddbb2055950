//! The fleet state's tables in PostgreSQL (see [`crate::fleet`]).

use tokio_postgres::Row;

use super::{Conn, pg_error};
use crate::error::InboxError;
use crate::fleet::{Entity, FleetChange, HistoryQuery, Source, StateValue, Write};

fn bad_row(what: &str) -> InboxError {
    InboxError::new(format!("PostgreSQL: a fleet row has an unknown {what}"))
}

pub(super) async fn values(conn: &mut Conn) -> Result<Vec<StateValue>, InboxError> {
    let rows = conn
        .query(
            "SELECT entity, entity_id, waba_id, field, value, as_of, source, changed_at
             FROM fleet_state",
            &[],
            "cannot read the fleet state",
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StateValue {
                entity: Entity::parse(r.get(0)).ok_or_else(|| bad_row("entity"))?,
                id: r.get(1),
                waba_id: r.get(2),
                field: r.get(3),
                value: r.get(4),
                as_of_ms: r.get(5),
                source: Source::parse(r.get(6)).ok_or_else(|| bad_row("source"))?,
                changed_at_ms: r.get(7),
            })
        })
        .collect()
}

pub(super) async fn write(
    conn: &mut Conn,
    writes: Vec<Write>,
    now_ms: i64,
) -> Result<Vec<FleetChange>, InboxError> {
    let upsert = conn
        .prepared(
            "INSERT INTO fleet_state (entity, entity_id, field, waba_id, value, as_of, source, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (entity, entity_id, field) DO UPDATE SET
                waba_id = excluded.waba_id, value = excluded.value, as_of = excluded.as_of,
                source = excluded.source, changed_at = excluded.changed_at",
        )
        .await?;
    let append = conn
        .prepared(
            "INSERT INTO fleet_history (entity, entity_id, waba_id, field, old_value, new_value,
                source, unannounced, observed_at, recorded_at, inbox_change_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .await?;
    let transaction = conn
        .client
        .transaction()
        .await
        .map_err(pg_error("cannot write the fleet state"))?;
    let mut changes = Vec::new();
    for Write { value, record } in writes {
        transaction
            .execute(
                &upsert,
                &[
                    &value.entity.as_str(),
                    &value.id,
                    &value.field,
                    &value.waba_id,
                    &value.value,
                    &value.as_of_ms,
                    &value.source.as_str(),
                    &value.changed_at_ms,
                ],
            )
            .await
            .map_err(pg_error("cannot write the fleet state"))?;
        let Some(record) = record else {
            continue;
        };
        let row = transaction
            .query_one(
                &append,
                &[
                    &value.entity.as_str(),
                    &value.id,
                    &value.waba_id,
                    &value.field,
                    &record.old,
                    &value.value,
                    &value.source.as_str(),
                    &record.unannounced,
                    &record.observed_at_ms,
                    &now_ms,
                    &record.inbox_change_id,
                ],
            )
            .await
            .map_err(pg_error("cannot write the fleet history"))?;
        changes.push(FleetChange {
            id: row.get(0),
            entity: value.entity,
            entity_id: value.id,
            waba_id: value.waba_id,
            field: value.field,
            old: record.old,
            new: value.value,
            source: value.source,
            unannounced: record.unannounced,
            observed_at_ms: record.observed_at_ms,
            recorded_at_ms: now_ms,
            inbox_change_id: record.inbox_change_id,
        });
    }
    transaction
        .commit()
        .await
        .map_err(pg_error("cannot commit the fleet state"))?;
    Ok(changes)
}

fn change(r: &Row) -> Result<FleetChange, InboxError> {
    Ok(FleetChange {
        id: r.get(0),
        entity: Entity::parse(r.get(1)).ok_or_else(|| bad_row("entity"))?,
        entity_id: r.get(2),
        waba_id: r.get(3),
        field: r.get(4),
        old: r.get(5),
        new: r.get(6),
        source: Source::parse(r.get(7)).ok_or_else(|| bad_row("source"))?,
        unannounced: r.get(8),
        observed_at_ms: r.get(9),
        recorded_at_ms: r.get(10),
        inbox_change_id: r.get(11),
    })
}

pub(super) async fn history(
    conn: &mut Conn,
    query: &HistoryQuery,
) -> Result<Vec<FleetChange>, InboxError> {
    let limit = if query.limit == 0 {
        i64::MAX
    } else {
        i64::try_from(query.limit).unwrap_or(i64::MAX)
    };
    let rows = conn
        .query(
            "SELECT id, entity, entity_id, waba_id, field, old_value, new_value, source,
                unannounced, observed_at, recorded_at, inbox_change_id
             FROM fleet_history
             WHERE ($1::TEXT IS NULL OR entity_id = $1 OR waba_id = $1)
               AND recorded_at >= $2 AND id > $3
             ORDER BY id LIMIT $4",
            &[
                &query.id,
                &query.since_ms.unwrap_or(i64::MIN),
                &query.after_id.unwrap_or(0),
                &limit,
            ],
            "cannot read the fleet history",
        )
        .await?;
    rows.iter().map(change).collect()
}

pub(super) async fn unemitted(
    conn: &mut Conn,
    limit: usize,
) -> Result<Vec<FleetChange>, InboxError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = conn
        .query(
            "SELECT id, entity, entity_id, waba_id, field, old_value, new_value, source,
                unannounced, observed_at, recorded_at, inbox_change_id
             FROM fleet_history WHERE NOT emitted ORDER BY id LIMIT $1",
            &[&limit],
            "cannot read the fleet history",
        )
        .await?;
    rows.iter().map(change).collect()
}

pub(super) async fn mark_emitted(conn: &mut Conn, id: i64) -> Result<(), InboxError> {
    conn.execute(
        "UPDATE fleet_history SET emitted = TRUE WHERE NOT emitted AND id <= $1",
        &[&id],
        "cannot mark history records emitted",
    )
    .await?;
    Ok(())
}
