//! The fleet state's tables in SQLite (see [`crate::fleet`]).

use rusqlite::{Connection, Row, params};

use super::db_error;
use crate::error::InboxError;
use crate::fleet::{Entity, FleetChange, HistoryQuery, Source, StateValue, Write};

const HISTORY_COLUMNS: &str = "id, entity, entity_id, waba_id, field, old_value, new_value, \
     source, unannounced, observed_at, recorded_at, inbox_change_id";

fn bad_row(what: &str) -> InboxError {
    InboxError::new(format!("SQLite: a fleet row has an unknown {what}"))
}

pub(super) fn values(conn: &Connection) -> Result<Vec<StateValue>, InboxError> {
    let mut statement = conn
        .prepare(
            "SELECT entity, entity_id, waba_id, field, value, as_of, source, changed_at
             FROM fleet_state",
        )
        .map_err(db_error("cannot read the fleet state"))?;
    let rows = statement
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })
        .map_err(db_error("cannot read the fleet state"))?;
    let mut out = Vec::new();
    for row in rows {
        let (entity, id, waba_id, field, value, as_of_ms, source, changed_at_ms) =
            row.map_err(db_error("cannot read the fleet state"))?;
        out.push(StateValue {
            entity: Entity::parse(&entity).ok_or_else(|| bad_row("entity"))?,
            id,
            waba_id,
            field,
            value,
            as_of_ms,
            source: Source::parse(&source).ok_or_else(|| bad_row("source"))?,
            changed_at_ms,
        });
    }
    Ok(out)
}

pub(super) fn write(
    conn: &Connection,
    writes: Vec<Write>,
    now_ms: i64,
) -> Result<Vec<FleetChange>, InboxError> {
    let mut upsert = conn
        .prepare_cached(
            "INSERT INTO fleet_state (entity, entity_id, field, waba_id, value, as_of, source, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (entity, entity_id, field) DO UPDATE SET
                waba_id = excluded.waba_id, value = excluded.value, as_of = excluded.as_of,
                source = excluded.source, changed_at = excluded.changed_at",
        )
        .map_err(db_error("cannot write the fleet state"))?;
    let mut append = conn
        .prepare_cached(
            "INSERT INTO fleet_history (entity, entity_id, waba_id, field, old_value, new_value,
                source, unannounced, observed_at, recorded_at, inbox_change_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .map_err(db_error("cannot write the fleet history"))?;
    let mut changes = Vec::new();
    for Write { value, record } in writes {
        upsert
            .execute(params![
                value.entity.as_str(),
                value.id,
                value.field,
                value.waba_id,
                value.value,
                value.as_of_ms,
                value.source.as_str(),
                value.changed_at_ms,
            ])
            .map_err(db_error("cannot write the fleet state"))?;
        let Some(record) = record else {
            continue;
        };
        append
            .execute(params![
                value.entity.as_str(),
                value.id,
                value.waba_id,
                value.field,
                record.old,
                value.value,
                value.source.as_str(),
                record.unannounced,
                record.observed_at_ms,
                now_ms,
                record.inbox_change_id,
            ])
            .map_err(db_error("cannot write the fleet history"))?;
        changes.push(FleetChange {
            id: conn.last_insert_rowid(),
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
    Ok(changes)
}

fn change(r: &Row<'_>) -> rusqlite::Result<(FleetChange, String, String)> {
    Ok((
        FleetChange {
            id: r.get(0)?,
            entity: Entity::Number,
            entity_id: r.get(2)?,
            waba_id: r.get(3)?,
            field: r.get(4)?,
            old: r.get(5)?,
            new: r.get(6)?,
            source: Source::Webhook,
            unannounced: r.get(8)?,
            observed_at_ms: r.get(9)?,
            recorded_at_ms: r.get(10)?,
            inbox_change_id: r.get(11)?,
        },
        r.get(1)?,
        r.get(7)?,
    ))
}

fn changes(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<FleetChange>, InboxError> {
    let mut statement = conn
        .prepare_cached(sql)
        .map_err(db_error("cannot read the fleet history"))?;
    let rows = statement
        .query_map(params, change)
        .map_err(db_error("cannot read the fleet history"))?;
    let mut out = Vec::new();
    for row in rows {
        let (mut change, entity, source) =
            row.map_err(db_error("cannot read the fleet history"))?;
        change.entity = Entity::parse(&entity).ok_or_else(|| bad_row("entity"))?;
        change.source = Source::parse(&source).ok_or_else(|| bad_row("source"))?;
        out.push(change);
    }
    Ok(out)
}

pub(super) fn history(
    conn: &Connection,
    query: &HistoryQuery,
) -> Result<Vec<FleetChange>, InboxError> {
    let limit = if query.limit == 0 {
        i64::MAX
    } else {
        i64::try_from(query.limit).unwrap_or(i64::MAX)
    };
    let sql = format!(
        "SELECT {HISTORY_COLUMNS} FROM fleet_history
         WHERE (?1 IS NULL OR entity_id = ?1 OR waba_id = ?1)
           AND recorded_at >= ?2 AND id > ?3
         ORDER BY id LIMIT ?4"
    );
    changes(
        conn,
        &sql,
        &[
            &query.id,
            &query.since_ms.unwrap_or(i64::MIN),
            &query.after_id.unwrap_or(0),
            &limit,
        ],
    )
}

pub(super) fn unemitted(conn: &Connection, limit: usize) -> Result<Vec<FleetChange>, InboxError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT {HISTORY_COLUMNS} FROM fleet_history WHERE emitted = 0 ORDER BY id LIMIT ?1"
    );
    changes(conn, &sql, &[&limit])
}

pub(super) fn mark_emitted(conn: &Connection, id: i64) -> Result<(), InboxError> {
    conn.prepare_cached("UPDATE fleet_history SET emitted = 1 WHERE emitted = 0 AND id <= ?1")
        .and_then(|mut s| s.execute([id]))
        .map_err(db_error("cannot mark history records emitted"))?;
    Ok(())
}
