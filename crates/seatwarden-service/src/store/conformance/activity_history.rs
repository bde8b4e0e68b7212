//! Activity trend: the last write of a day wins, ranges are inclusive and
//! ordered, retention deletes only older days, the demo mark survives, and
//! activity and licence records of the same days never mix (the record
//! stores keep both in one table).

use seatwarden_core::ApplicationKey;
use seatwarden_core::Millis;
use seatwarden_core::activity_trend::{ActivityDay, ActivityFigures};
use seatwarden_core::forecast::{LicenceDay, SeatFigures};
use seatwarden_core::time::DAY_MS;

use super::{Check, e2s};
use crate::store::Store;

fn day(day: i64, active: u64) -> ActivityDay {
    ActivityDay::new(
        day,
        ActivityFigures {
            active_accounts: 1_000 + active,
            active_1d: active / 3,
            active_7d: active / 2,
            active_30d: active,
        },
    )
}

fn licence(day: i64) -> LicenceDay {
    LicenceDay {
        date: Millis(day * DAY_MS).date_string(),
        day,
        application: ApplicationKey::from("jira-software"),
        figures: SeatFigures {
            seats_used: 7,
            limit: Some(10),
            active: 5,
            idle30: 2,
            idle60: 1,
            idle90: 0,
            never_logged_in: 0,
        },
    }
}

/// One record per day; rewriting a day replaces it; a range is inclusive and
/// oldest first; retention deletes the days before it and nothing else; a
/// day with licence records and no activity record reads as not recorded.
pub fn activity_history_last_write_wins(s: &dyn Store) -> Check {
    let base = 30_000;
    let all_days = |s: &dyn Store| s.activity_history(base - 10, base + 10).map_err(e2s);
    ensure!(
        all_days(s)?.is_empty(),
        "a fresh store has an activity trend"
    );
    // A day recorded by a build before the trend: licence records only.
    s.put_licence_days(&[licence(base - 1)], 0).map_err(e2s)?;
    ensure!(
        all_days(s)?.is_empty(),
        "licence records read as activity records"
    );
    let mut first: Vec<ActivityDay> = (0..5).map(|i| day(base + i, 600 + i as u64)).collect();
    if let Some(d) = first.first_mut() {
        d.demo = true;
    }
    s.put_activity_days(&first, 0).map_err(e2s)?;
    let later = day(base + 4, 590);
    s.put_activity_days(std::slice::from_ref(&later), 0)
        .map_err(e2s)?;
    s.put_activity_days(std::slice::from_ref(&later), 0)
        .map_err(e2s)?;
    let all = all_days(s)?;
    let days: Vec<i64> = all.iter().map(|d| d.day).collect();
    ensure!(
        days == (base..base + 5).collect::<Vec<_>>(),
        "expected one record per day, oldest first, got {days:?}"
    );
    ensure!(
        all.last() == Some(&later),
        "the last write of a day did not win: {:?}",
        all.last()
    );
    ensure!(
        all.iter().take(4).eq(first.iter().take(4)),
        "a record came back changed (the demo mark included)"
    );
    ensure!(
        all.first().is_some_and(|d| d.demo) && all.iter().skip(1).all(|d| !d.demo),
        "the demo mark was lost or spread"
    );
    let licences = s.licence_history(base - 10, base + 10).map_err(e2s)?;
    ensure!(
        licences == vec![licence(base - 1)],
        "activity records read as licence records: {} records",
        licences.len()
    );
    let middle = s.activity_history(base + 1, base + 2).map_err(e2s)?;
    ensure!(
        middle.iter().map(|d| d.day).eq(base + 1..=base + 2),
        "range answered {:?}",
        middle.iter().map(|d| d.day).collect::<Vec<_>>()
    );
    ensure!(
        s.activity_history(base + 3, base + 2)
            .map_err(e2s)?
            .is_empty(),
        "an empty range answered records"
    );
    // Retention: keep from day base+2.
    s.put_activity_days(&[day(base + 5, 610)], base + 2)
        .map_err(e2s)?;
    let days: Vec<i64> = all_days(s)?.iter().map(|d| d.day).collect();
    ensure!(
        days == (base + 2..=base + 5).collect::<Vec<_>>(),
        "retention kept days {days:?}"
    );
    Ok(())
}
