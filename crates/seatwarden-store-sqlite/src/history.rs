//! Licence history: one row per (day, application), the figures as JSON; the
//! activity trend beside it, one row per day.
//!
//! Why JSON figures: the row is written once a day and read as a whole for a
//! chart; a column per figure would cost a migration for every figure added.

use rusqlite::{Connection, Transaction};

use seatwarden_core::ApplicationKey;
use seatwarden_core::Millis;
use seatwarden_core::activity_trend::{ActivityDay, ActivityFigures};
use seatwarden_core::forecast::{LicenceDay, SeatFigures};
use seatwarden_core::time::DAY_MS;
use seatwarden_service::store::StoreResult;

use crate::{backend, corrupt};

pub(crate) fn put(
    tx: &Transaction<'_>,
    days: &[LicenceDay],
    keep_from_day: i64,
) -> StoreResult<()> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO licence_history (day, application, figures) VALUES (?1, ?2, ?3)
             ON CONFLICT (day, application) DO UPDATE SET figures = excluded.figures",
        )
        .map_err(backend)?;
    for d in days {
        let figures = serde_json::to_string(&d.figures).map_err(|_| corrupt("licence figures"))?;
        insert
            .execute(rusqlite::params![d.day, d.application.as_str(), figures])
            .map_err(backend)?;
    }
    tx.execute(
        "DELETE FROM licence_history WHERE day < ?1",
        [keep_from_day],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn range(conn: &Connection, from_day: i64, to_day: i64) -> StoreResult<Vec<LicenceDay>> {
    let mut q = conn
        .prepare_cached(
            "SELECT day, application, figures FROM licence_history
             WHERE day BETWEEN ?1 AND ?2 ORDER BY day, application",
        )
        .map_err(backend)?;
    let rows = q
        .query_map([from_day, to_day], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (day, application, figures) = row.map_err(backend)?;
        let figures: SeatFigures =
            serde_json::from_str(&figures).map_err(|_| corrupt("licence history figures"))?;
        out.push(LicenceDay {
            date: Millis(day.saturating_mul(DAY_MS)).date_string(),
            day,
            application: ApplicationKey(application),
            figures,
        });
    }
    Ok(out)
}

/// The stored part of an activity record: the figures and the demo mark.
#[derive(serde::Serialize, serde::Deserialize)]
struct ActivityRow {
    #[serde(flatten)]
    figures: ActivityFigures,
    #[serde(default)]
    demo: bool,
}

pub(crate) fn put_activity(
    tx: &Transaction<'_>,
    days: &[ActivityDay],
    keep_from_day: i64,
) -> StoreResult<()> {
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO activity_history (day, figures) VALUES (?1, ?2)
             ON CONFLICT (day) DO UPDATE SET figures = excluded.figures",
        )
        .map_err(backend)?;
    for d in days {
        let row = ActivityRow {
            figures: d.figures,
            demo: d.demo,
        };
        let figures = serde_json::to_string(&row).map_err(|_| corrupt("activity figures"))?;
        insert
            .execute(rusqlite::params![d.day, figures])
            .map_err(backend)?;
    }
    tx.execute(
        "DELETE FROM activity_history WHERE day < ?1",
        [keep_from_day],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn activity_range(
    conn: &Connection,
    from_day: i64,
    to_day: i64,
) -> StoreResult<Vec<ActivityDay>> {
    let mut q = conn
        .prepare_cached(
            "SELECT day, figures FROM activity_history WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
        )
        .map_err(backend)?;
    let rows = q
        .query_map([from_day, to_day], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let (day, figures) = row.map_err(backend)?;
        let row: ActivityRow =
            serde_json::from_str(&figures).map_err(|_| corrupt("activity history figures"))?;
        out.push(ActivityDay {
            demo: row.demo,
            ..ActivityDay::new(day, row.figures)
        });
    }
    Ok(out)
}
