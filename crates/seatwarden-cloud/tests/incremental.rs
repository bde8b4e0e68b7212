//! Incremental refresh (issue 20) on the fake Atlassian Cloud: after the
//! first full read, a refresh reads the audit log since the last read,
//! re-reads the accounts it names and a rolling window of pages, and ends
//! with exactly what a full read gives; 429s are waited out; a refused
//! cursor falls back to a full read that says why.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use common::{NOW, policy};
use parking_lot::Mutex;
use seatwarden_cloud::fake::{self, Credentials, FakeCloud, Faults};
use seatwarden_cloud::wire::{AccountStatus, MembershipStatus, UserGroup};
use seatwarden_cloud::{CloudClient, CloudHost, Refreshed};
use seatwarden_core::Millis;
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_service::host::read_snapshot;

/// The host's clock: a minute after the fake's (events are stamped with
/// the fake's `now`).
const LATER: i64 = NOW + 60_000;

/// An incremental host over `fake` that refreshes at every index build
/// (max age zero), recording how each refresh went.
fn incremental_host(fake: &FakeCloud) -> (CloudHost, Arc<Mutex<Vec<Refreshed>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    let host = CloudHost::new(CloudClient::with_policy(
        fake.config(),
        policy(),
        Arc::new(common::RecordingPause::default()),
    ))
    .with_clock(|| Millis(LATER))
    .with_max_age(std::time::Duration::ZERO)
    .incremental()
    .on_refresh(move |r| seen.lock().push(r));
    (host, log)
}

/// What a fresh host reading the whole organization sees.
fn full_read(fake: &FakeCloud) -> SnapshotFile {
    let host = CloudHost::new(CloudClient::with_policy(
        fake.config(),
        policy(),
        Arc::new(common::RecordingPause::default()),
    ))
    .with_clock(|| Millis(LATER));
    read_snapshot(&host, 1000).unwrap()
}

/// `a` and `b` hold the same directory (the read instant aside).
fn assert_same(a: &SnapshotFile, b: &SnapshotFile) {
    let mut ha = a.header.clone();
    let mut hb = b.header.clone();
    ha.taken_at = Millis(0);
    hb.taken_at = Millis(0);
    assert_eq!(ha, hb, "headers");
    let users =
        |s: &SnapshotFile| -> Vec<_> { s.pages.iter().flat_map(|p| p.users.clone()).collect() };
    let (ua, ub) = (users(a), users(b));
    assert_eq!(ua.len(), ub.len(), "user counts");
    for (x, y) in ua.iter().zip(&ub) {
        assert_eq!(x, y, "user {}", x.key);
    }
}

/// Ten changes made in Atlassian's admin screens: three suspensions, two
/// deactivations, two group changes, a new email, a restore, a new user.
fn ten_changes(fake: &FakeCloud) {
    let ids: Vec<String> = fake
        .users()
        .iter()
        .filter(|u| {
            u.account_status == AccountStatus::Active
                && u.membership_status == MembershipStatus::Active
        })
        .take(9)
        .map(|u| u.account_id.clone())
        .collect();
    for id in &ids[0..3] {
        fake.admin_change(id, "user_suspended", |u| {
            u.membership_status = MembershipStatus::Suspended;
        });
    }
    for id in &ids[3..5] {
        fake.admin_change(id, "user_deactivated", |u| {
            u.account_status = AccountStatus::Inactive;
            u.deactivated_on = Some(common::iso(NOW));
        });
    }
    fake.admin_change(&ids[5], "group_membership_removed", |u| {
        u.groups.clear();
    });
    let a_group = fake
        .users()
        .iter()
        .flat_map(|u| u.groups.clone())
        .next()
        .unwrap();
    fake.admin_change(&ids[6], "group_membership_added", |u| {
        u.groups.retain(|g| g.id != a_group.id);
        u.groups.push(UserGroup {
            id: a_group.id.clone(),
            name: a_group.name.clone(),
        });
    });
    fake.admin_change(&ids[7], "user_email_updated", |u| {
        u.email = Some("renamed@acme.example".to_owned());
    });
    fake.admin_change(&ids[0], "user_restored", |u| {
        u.membership_status = MembershipStatus::Active;
    });
    let mut newcomer = fake.users()[8].clone();
    newcomer.account_id = "zz-newcomer".to_owned();
    newcomer.email = Some("newcomer@acme.example".to_owned());
    newcomer.name = Some("New Comer".to_owned());
    fake.admin_add_user(newcomer);
}

#[test]
fn after_ten_changes_in_100k_users_a_refresh_reads_far_less_and_ends_as_a_full_read() {
    let fake = FakeCloud::start(fake::generate(100_000, 11, NOW), Credentials::default()).unwrap();
    let (host, log) = incremental_host(&fake);
    let before = fake.requests();
    read_snapshot(&host, 1000).unwrap();
    let full = fake.requests() - before;
    assert_eq!(
        log.lock().as_slice(),
        [Refreshed::Full { reason: None }],
        "the first read is whole"
    );

    ten_changes(&fake);
    let before = fake.requests();
    let incremental = read_snapshot(&host, 1000).unwrap();
    let fewer = fake.requests() - before;
    assert!(
        fewer * 20 < full,
        "an incremental refresh sends far fewer requests: {fewer} vs {full}"
    );
    match log.lock().last().unwrap() {
        Refreshed::Incremental {
            events,
            named,
            window,
            removed,
        } => {
            assert_eq!((*events, *named, *removed), (10, 9, 0));
            assert_eq!(*window, 100, "one page of the rolling window");
        }
        other => panic!("not incremental: {other:?}"),
    }
    assert_same(&incremental, &full_read(&fake));
}

#[test]
fn the_rolling_window_brings_every_last_active_date_within_a_cycle() {
    let fake = FakeCloud::start(fake::generate(250, 3, NOW), Credentials::default()).unwrap();
    let (host, log) = incremental_host(&fake);
    read_snapshot(&host, 1000).unwrap();
    // Activity leaves no audit-log event: only the window finds it.
    let last = fake.users().last().unwrap().account_id.clone();
    fake.record_activity(&last, "jira-software", &common::iso(NOW));
    fake.settle_activity();
    // 250 users are 3 pages, 1 page per refresh: 3 refreshes cover all.
    for _ in 0..3 {
        read_snapshot(&host, 1000).unwrap();
    }
    assert!(
        log.lock()
            .iter()
            .skip(1)
            .all(|r| matches!(r, Refreshed::Incremental { events: 0, .. })),
        "{:?}",
        log.lock()
    );
    assert_same(&read_snapshot(&host, 1000).unwrap(), &full_read(&fake));
}

#[test]
fn a_refresh_waits_out_429s_and_a_lost_cursor_falls_back_to_a_full_read_saying_why() {
    let fake = FakeCloud::start(fake::generate(300, 5, NOW), Credentials::default()).unwrap();
    let (host, log) = incremental_host(&fake);
    read_snapshot(&host, 1000).unwrap();

    // 429 with Retry-After on every 3rd request: still incremental, right.
    ten_changes(&fake);
    fake.set_faults(Faults {
        rate_limit_every: Some(3),
        retry_after_secs: 1,
        ..Faults::default()
    });
    let read = read_snapshot(&host, 1000).unwrap();
    assert!(matches!(
        log.lock().last().unwrap(),
        Refreshed::Incremental { events: 10, .. }
    ));
    assert!(fake.log().iter().any(|l| l.status == 429));
    fake.set_faults(Faults::default());
    assert_same(&read, &full_read(&fake));

    // More than a page of events, and the audit log refuses the cursor of
    // its second page: a full read, which says why.
    for i in 0..120 {
        let id = fake.users()[i].account_id.clone();
        fake.admin_change(&id, "user_email_updated", |u| {
            u.email = Some(format!("moved{i}@acme.example"));
        });
    }
    fake.set_faults(Faults {
        lose_event_cursors: true,
        ..Faults::default()
    });
    let read = read_snapshot(&host, 1000).unwrap();
    match log.lock().last().unwrap() {
        Refreshed::Full { reason: Some(why) } => assert!(
            why.contains("the audit log's page cursor was refused")
                && why.contains("the whole organization was read again"),
            "{why}"
        ),
        other => panic!("not a full read with its reason: {other:?}"),
    }
    fake.set_faults(Faults::default());
    assert_same(&read, &full_read(&fake));
}
