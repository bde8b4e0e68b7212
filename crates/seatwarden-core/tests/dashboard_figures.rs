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
use seatwarden_core::index::UserChange;
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
