//! The recorded activity counts against the per-user definition: a user
//! counts in the N-day window when their account is active and their latest
//! counted activity is at or after `now − N days`; and the 30-day count is the
//! dashboard's `activeInWindow` for a 30-day window (one definition).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use seatwarden_core::Millis;
use seatwarden_core::activity::ActivitySettings;
use seatwarden_core::activity_trend::{TREND_WINDOWS, activity_day};
use seatwarden_core::dashboard::dashboard_counting;
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use serde_json::{Value, json};

const T: i64 = 1_763_690_400_000;
const HOUR: i64 = 3_600_000;

fn snapshot(users: &[(bool, Option<i64>)]) -> DirectoryIndex {
    let users: Vec<Value> = users
        .iter()
        .enumerate()
        .map(|(i, (active, last))| {
            json!({
                "key": format!("JIRAUSER{}", 10_000 + i), "username": format!("u{i}"),
                "displayName": format!("User {i}"), "email": "", "directoryId": 1,
                "active": active, "created": T - 400 * 24 * HOUR,
                "lastLogin": last, "loginCount": 1, "groups": ["jira-software-users"]
            })
        })
        .collect();
    let file = json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": T,
            "directories": [{"id": 1, "name": "Internal", "kind": "internal", "capabilities": {}}],
            "groups": [{"name": "jira-software-users", "licence": true}],
            "licences": [], "sysadmins": []
        },
        "pages": [{"users": users}]
    });
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&file).unwrap()).unwrap()
}

/// Last logins from 40 days before `now` to a day after it (a replayed
/// instant), exactly on the window edges more often than chance would.
fn arb_last() -> impl Strategy<Value = Option<i64>> {
    prop::option::weighted(
        0.85,
        prop_oneof![
            (-40 * 24i64..24).prop_map(|h| T + h * HOUR),
            prop::sample::select(TREND_WINDOWS.to_vec())
                .prop_flat_map(|d| (-1i64..=1).prop_map(move |e| T - i64::from(d) * 24 * HOUR + e)),
        ],
    )
}

proptest! {
    #[test]
    fn recorded_counts_follow_the_per_user_definition(
        users in prop::collection::vec((any::<bool>(), arb_last()), 0..80),
        shift_hours in -30i64..30,
    ) {
        let index = snapshot(&users);
        let now = Millis(T + shift_hours * HOUR);
        let settings = ActivitySettings::default();
        let day = activity_day(&index, &settings, now);
        let mask = index.signal_mask(&settings);
        let by_hand = |days: u32| {
            let cutoff = now.minus_days(days);
            (0..users.len() as u32)
                .map(UserIdx)
                .filter(|&u| index.is_active(u))
                .filter(|&u| index.last_activity(u, mask).is_some_and(|t| t >= cutoff))
                .count() as u64
        };
        prop_assert_eq!(day.day, now.day_number());
        prop_assert_eq!(day.figures.active_accounts, users.iter().filter(|u| u.0).count() as u64);
        prop_assert_eq!(day.figures.active_1d, by_hand(1));
        prop_assert_eq!(day.figures.active_7d, by_hand(7));
        prop_assert_eq!(day.figures.active_30d, by_hand(30));
        prop_assert!(day.figures.active_1d <= day.figures.active_7d);
        prop_assert!(day.figures.active_7d <= day.figures.active_30d);
        prop_assert!(day.figures.active_30d <= day.figures.active_accounts);
        let dash = dashboard_counting(&index, now, 30, &settings);
        prop_assert_eq!(day.figures.active_30d, dash.active_in_window);
        prop_assert_eq!(day.figures.active_7d, dashboard_counting(&index, now, 7, &settings).active_in_window);
    }
}

#[test]
fn a_record_serialises_its_windows_and_hides_the_demo_flag_when_real() {
    let index = snapshot(&[
        (true, Some(T - HOUR)),
        (true, Some(T - 3 * 24 * HOUR)),
        (true, None),
        (false, Some(T)),
    ]);
    let day = activity_day(&index, &ActivitySettings::default(), Millis(T));
    let v = serde_json::to_value(&day).unwrap();
    assert_eq!(v["activeAccounts"], 3);
    assert_eq!(v["active1d"], 1);
    assert_eq!(v["active7d"], 2);
    assert_eq!(v["active30d"], 2);
    assert!(v.get("demo").is_none(), "{v}");
    assert_eq!(v["date"], Millis(T).date_string());
}
