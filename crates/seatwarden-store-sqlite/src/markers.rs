//! Markers (see `seatwarden_service::store::marker`) in SQL: one table keyed
//! by (kind, key). A claim runs inside the caller's immediate transaction,
//! so "look, then insert" is atomic across processes.

use rusqlite::{Connection, OptionalExtension, Transaction};

use seatwarden_core::Millis;
use seatwarden_service::store::marker::{RATE, RateCount};
use seatwarden_service::store::{Marker, StoreResult};

use crate::backend;

pub(crate) fn claim(
    tx: &Transaction<'_>,
    marker: &Marker,
    now: Millis,
) -> StoreResult<Option<Marker>> {
    // Lapsed markers of this kind go as claims pass, so used links do not
    // pile up beyond the live ones.
    tx.execute(
        "DELETE FROM markers WHERE kind = ?1 AND expires_at <= ?2",
        rusqlite::params![marker.kind, now.0],
    )
    .map_err(backend)?;
    let existing: Option<(String, i64)> = tx
        .query_row(
            "SELECT value, expires_at FROM markers WHERE kind = ?1 AND key = ?2",
            rusqlite::params![marker.kind, marker.key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(backend)?;
    if let Some((value, expires_at)) = existing {
        return Ok(Some(Marker {
            value,
            expires_at: Millis(expires_at),
            ..marker.clone()
        }));
    }
    put(tx, marker)?;
    Ok(None)
}

pub(crate) fn put(tx: &Transaction<'_>, marker: &Marker) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO markers (kind, key, value, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
        rusqlite::params![marker.kind, marker.key, marker.value, marker.expires_at.0],
    )
    .map_err(backend)?;
    Ok(())
}

/// One `UPDATE … WHERE value = ?` (inside the caller's immediate
/// transaction): the check and the write are one statement, so a second
/// writer naming the same `expected` finds the new value and changes no row.
pub(crate) fn replace(
    tx: &Transaction<'_>,
    marker: &Marker,
    expected: &str,
    now: Millis,
) -> StoreResult<bool> {
    let changed = tx
        .execute(
            "UPDATE markers SET value = ?3, expires_at = ?4
              WHERE kind = ?1 AND key = ?2 AND value = ?5 AND expires_at > ?6",
            rusqlite::params![
                marker.kind,
                marker.key,
                marker.value,
                marker.expires_at.0,
                expected,
                now.0
            ],
        )
        .map_err(backend)?;
    Ok(changed == 1)
}

pub(crate) fn list(c: &Connection, kind: &str, now: Millis) -> StoreResult<Vec<Marker>> {
    let mut stmt = c
        .prepare_cached(
            "SELECT key, value, expires_at FROM markers WHERE kind = ?1 AND expires_at > ?2 ORDER BY key",
        )
        .map_err(backend)?;
    let rows = stmt
        .query_map(rusqlite::params![kind, now.0], |r| {
            Ok(Marker {
                kind: kind.to_owned(),
                key: r.get(0)?,
                value: r.get(1)?,
                expires_at: Millis(r.get(2)?),
            })
        })
        .map_err(backend)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(backend)
}

pub(crate) fn get(
    c: &Connection,
    kind: &str,
    key: &str,
    now: Millis,
) -> StoreResult<Option<Marker>> {
    c.query_row(
        "SELECT value, expires_at FROM markers WHERE kind = ?1 AND key = ?2 AND expires_at > ?3",
        rusqlite::params![kind, key, now.0],
        |r| {
            Ok(Marker {
                kind: kind.to_owned(),
                key: key.to_owned(),
                value: r.get(0)?,
                expires_at: Millis(r.get(1)?),
            })
        },
    )
    .optional()
    .map_err(backend)
}

pub(crate) fn prune(tx: &Transaction<'_>, kinds: &[&str], cutoff: Millis) -> StoreResult<u64> {
    let mut gone = 0;
    for kind in kinds {
        gone += tx
            .execute(
                "DELETE FROM markers WHERE kind = ?1 AND expires_at <= ?2",
                rusqlite::params![kind, cutoff.0],
            )
            .map_err(backend)?;
    }
    Ok(gone as u64)
}

/// One statement counts or refuses, inside the caller's immediate
/// transaction: the row is created at 1, or raised by one while below the
/// limit (`changes() == 0` then means the limit was reached).
pub(crate) fn count(tx: &Transaction<'_>, c: &RateCount<'_>) -> StoreResult<bool> {
    if c.limit == 0 {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM markers WHERE kind = ?1 AND expires_at <= ?2",
        rusqlite::params![RATE, c.now.0],
    )
    .map_err(backend)?;
    let changed = tx
        .execute(
            "INSERT INTO markers (kind, key, value, expires_at) VALUES (?1, ?2, '1', ?3)
             ON CONFLICT (kind, key) DO UPDATE
                SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
              WHERE CAST(value AS INTEGER) < ?4",
            rusqlite::params![RATE, c.key(), c.window_end.0, c.limit],
        )
        .map_err(backend)?;
    Ok(changed == 1)
}
