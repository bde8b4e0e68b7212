//! Licence history: the last write of a day wins, ranges are inclusive and
//! ordered, retention deletes only older days.

use seatwarden_core::ApplicationKey;
use seatwarden_core::Millis;
use seatwarden_core::forecast::{LicenceDay, SeatFigures};
use seatwarden_core::time::DAY_MS;

use super::{Check, e2s};
use crate::store::Store;

fn day(day: i64, app: &str, used: u64) -> LicenceDay {
    LicenceDay {
        date: Millis(day * DAY_MS).date_string(),
        day,
        application: ApplicationKey::from(app),
        figures: SeatFigures {
            seats_used: used,
            limit: if app == "confluence" { None } else { Some(500) },
            active: used / 2,
            idle30: used / 4,
            idle60: used / 8,
            idle90: used / 16,
            never_logged_in: 3,
        },
    }
}

/// One record per day and application; rewriting a day replaces it; a range
/// is inclusive, oldest day first then by application; retention deletes the
/// days before it and nothing else.
pub fn licence_history_last_write_wins(s: &dyn Store) -> Check {
    let base = 20_000;
    ensure!(
        s.licence_history(0, i64::MAX).map_err(e2s)?.is_empty(),
        "a fresh store has history"
    );
    let first: Vec<LicenceDay> = (0..5)
        .flat_map(|i| {
            [
                day(base + i, "jira-software", 100 + i as u64),
                day(base + i, "confluence", 50),
            ]
        })
        .collect();
    s.put_licence_days(&first, 0).map_err(e2s)?;
    // The same day again, after a live run: it replaces the morning's record.
    let later = day(base + 4, "jira-software", 90);
    s.put_licence_days(std::slice::from_ref(&later), 0)
        .map_err(e2s)?;
    s.put_licence_days(std::slice::from_ref(&later), 0)
        .map_err(e2s)?;
    let all = s.licence_history(base, base + 4).map_err(e2s)?;
    ensure!(all.len() == 10, "expected 10 records, got {}", all.len());
    let keys: Vec<(i64, &str)> = all
        .iter()
        .map(|d| (d.day, d.application.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    ensure!(
        keys == sorted,
        "records not ordered by day then application: {keys:?}"
    );
    let last = all
        .iter()
        .find(|d| d.day == base + 4 && d.application.as_str() == "jira-software");
    ensure!(
        last == Some(&later),
        "the last write of a day did not win: {last:?}"
    );
    ensure!(
        all.iter().all(|d| first.contains(d) || *d == later),
        "a record came back changed"
    );
    let middle = s.licence_history(base + 1, base + 2).map_err(e2s)?;
    ensure!(
        middle.len() == 4
            && middle
                .iter()
                .all(|d| (base + 1..=base + 2).contains(&d.day)),
        "range {}..={} answered {:?}",
        base + 1,
        base + 2,
        middle.iter().map(|d| d.day).collect::<Vec<_>>()
    );
    ensure!(
        s.licence_history(base + 3, base + 2)
            .map_err(e2s)?
            .is_empty(),
        "an empty range answered records"
    );
    // Retention: keep from day base+2.
    s.put_licence_days(&[day(base + 5, "confluence", 51)], base + 2)
        .map_err(e2s)?;
    let kept = s.licence_history(0, i64::MAX / DAY_MS).map_err(e2s)?;
    let days: Vec<i64> = kept.iter().map(|d| d.day).collect();
    ensure!(
        days == vec![
            base + 2,
            base + 2,
            base + 3,
            base + 3,
            base + 4,
            base + 4,
            base + 5
        ],
        "retention kept days {days:?}"
    );
    Ok(())
}
