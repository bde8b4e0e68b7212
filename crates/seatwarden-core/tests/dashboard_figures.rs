//! Dashboard figures on the hand-made fixture, each worked out by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/fixture.rs"]
mod fixture;

use fixture::{DAY, T, index};
use seatwarden_core::dashboard::dashboard;
use seatwarden_core::index::{DirectoryIndex, UserChange};
use seatwarden_core::query::{Activity, Query, StatusFilter};
use seatwarden_core::{Millis, SeatLimit};

#[test]
fn counts_for_a_30_day_window() {
    let d = dashboard(&index(), Millis(T), 30);
    assert_eq!(d.window_start, Millis(T - 30 * DAY));
    assert_eq!((d.total_users, d.active, d.deactivated), (7, 6, 1));
    // admin (-1d) and alice (-10d) logged in within 30 days.
    assert_eq!((d.active_in_window, d.inactive_in_window), (2, 4));
    assert_eq!((d.never_logged_in, d.never_logged_in_licensed), (2, 1));
    assert_eq!(
        (
            d.licensed,
            d.licensed_active_in_window,
            d.licensed_inactive_in_window
        ),
        (3, 2, 1)
    );
    assert_eq!(d.seen_in_window, 2);
    assert_eq!(d.reactivated_in_window, None);
}

#[test]
fn seats_per_application() {
    let d = dashboard(&index(), Millis(T), 30);
    let jira = &d.applications[0];
    assert_eq!(jira.application.as_str(), "jira-software");
    assert_eq!(
        (jira.seats_used, jira.host_seats_used, jira.seats_available),
        (3, 2, Some(7))
    );
    assert_eq!(jira.limit, SeatLimit::Limited(10));
    let confluence = &d.applications[1];
    assert_eq!(
        (confluence.seats_used, confluence.seats_available),
        (0, None)
    );
}

#[test]
fn bar_chart_has_one_bucket_per_day_and_sums_to_seen() {
    let d = dashboard(&index(), Millis(T), 30);
    assert_eq!(d.last_seen_per_day.len(), 31);
    assert_eq!(d.last_seen_per_day.first().unwrap().date, "2025-10-22");
    assert_eq!(d.last_seen_per_day.last().unwrap().date, "2025-11-21");
    let on = |date: &str| {
        d.last_seen_per_day
            .iter()
            .find(|b| b.date == date)
            .unwrap()
            .users
    };
    assert_eq!(on("2025-11-20"), 1); // admin
    assert_eq!(on("2025-11-11"), 1); // alice
    assert_eq!(
        d.last_seen_per_day.iter().map(|b| b.users).sum::<u64>(),
        d.seen_in_window
    );
}

#[test]
fn window_length_changes_the_split() {
    let d = dashboard(&index(), Millis(T), 90);
    // frank (-40d) joins the active-in-window users.
    assert_eq!((d.active_in_window, d.inactive_in_window), (3, 3));
    assert_eq!(d.last_seen_per_day.len(), 91);
}

#[test]
fn agrees_with_the_users_tab_and_follows_in_place_changes() {
    let mut ix = index();
    let erin = ix.index_of_username("erin").unwrap();
    ix.apply(
        erin,
        &UserChange::LoginRecorded {
            at: Millis(T - DAY / 2),
        },
    )
    .unwrap();
    let d = dashboard(&ix, Millis(T), 30);
    let within = Query {
        status: StatusFilter::Active,
        activity: Activity::Within { days: 30 },
        ..Query::default()
    };
    assert_eq!(
        d.active_in_window,
        ix.query(&within, Millis(T)).unwrap().total
    );
    assert_eq!(d.active_in_window, 3);
    assert_eq!(d.never_logged_in, 1);
    let json = serde_json::to_value(&d).unwrap();
    assert!(json["reactivatedInWindow"].is_null());
    assert_eq!(json["lastSeenPerDay"][29]["users"], 2); // admin and erin, 2025-11-20
}

const HOUR: i64 = DAY / 24;

/// A random directory: `(active, licensed, last login hours ago or never,
/// created days ago)` per user, the last login sometimes (up to 23 hours)
/// in the future, as a clock skew the snapshot allows.
fn random_directory(users: &[(bool, bool, Option<i64>, i64)]) -> DirectoryIndex {
    let rows: Vec<serde_json::Value> = users
        .iter()
        .enumerate()
        .map(|(i, &(active, licensed, login, created))| {
            serde_json::json!({
                "key": format!("K{i:04}"), "username": format!("user{i:04}"),
                "directoryId": 1, "active": active,
                "created": T - created * DAY,
                "lastLogin": login.map(|h| T - h * HOUR - 1_000),
                "groups": if licensed { vec!["jira-software-users"] } else { vec![] },
            })
        })
        .collect();
    let json = serde_json::json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": T,
            "directories": [{"id": 1, "name": "Internal", "kind": "internal", "capabilities": {}}],
            "groups": [{"name": "jira-software-users", "licence": true}],
            "licences": [{"application": "jira-software", "name": "Jira Software",
                          "limit": {"kind": "unlimited"}, "seatsUsed": 0,
                          "groups": ["jira-software-users"]}],
            "sysadmins": []
        },
        "pages": [{"users": rows}]
    });
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&json).unwrap())
        .unwrap_or_else(|e| panic!("{e}"))
}

proptest::proptest! {
    /// The window counts (one column scan and bitmap intersections) are
    /// the per-user definitions, over random directories and windows.
    #[test]
    fn window_counts_are_the_per_user_definitions(
        users in proptest::collection::vec(
            (
                proptest::bool::ANY,
                proptest::bool::ANY,
                proptest::option::of(-23i64..2_900),
                120i64..400,
            ),
            0..90,
        ),
        days in 1u32..100,
    ) {
        let ix = random_directory(&users);
        let d = dashboard(&ix, Millis(T), days);
        let cutoff = T - i64::from(days) * DAY;
        let last = |&(_, _, login, _): &(bool, bool, Option<i64>, i64)| login.map(|h| T - h * HOUR - 1_000);
        let since = |u: &&(bool, bool, Option<i64>, i64)| last(u).is_some_and(|l| l >= cutoff);
        let active_in = users.iter().filter(since).filter(|u| u.0).count() as u64;
        let licensed_in = users.iter().filter(since).filter(|u| u.0 && u.1).count() as u64;
        let seen = users.iter().filter(since).filter(|u| last(u).is_some_and(|l| l <= T)).count() as u64;
        proptest::prop_assert_eq!(d.active_in_window, active_in);
        proptest::prop_assert_eq!(d.licensed_active_in_window, licensed_in);
        proptest::prop_assert_eq!(d.seen_in_window, seen);
        proptest::prop_assert_eq!(d.last_seen_per_day.iter().map(|b| b.users).sum::<u64>(), seen);
        proptest::prop_assert_eq!(d.inactive_in_window, d.active - active_in);
    }
}
