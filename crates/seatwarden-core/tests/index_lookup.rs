//! The index's accessors, lookups and in-place changes on the fixture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/fixture.rs"]
mod fixture;

use fixture::{DAY, T, index};
use seatwarden_core::index::{ChangeError, UserChange, UserIdx};
use seatwarden_core::query::{Activity, Query};
use seatwarden_core::{DirectoryId, GroupName, Millis, UserKey};

fn keys(ix: &seatwarden_core::index::DirectoryIndex, bm: &roaring::RoaringBitmap) -> Vec<String> {
    bm.iter().map(|i| ix.key(UserIdx(i)).to_owned()).collect()
}

#[test]
fn lookups_by_key_username_and_email() {
    let ix = index();
    assert_eq!(ix.user_count(), 7);
    assert_eq!(
        ix.index_of_key(&UserKey::from("JIRAUSER10002")),
        Some(UserIdx(2))
    );
    assert_eq!(
        ix.index_of_key(&UserKey::from("jirauser10002")),
        None,
        "keys are exact"
    );
    assert_eq!(ix.index_of_username("BOB"), Some(UserIdx(2)));
    assert_eq!(ix.index_of_username("bo"), None);
    let shared: Vec<UserIdx> = ix.indices_of_email("SHARED@example.TEST").collect();
    assert_eq!(shared, [UserIdx(5), UserIdx(6)]);
    assert_eq!(ix.indices_of_email("").count(), 0);
}

#[test]
fn user_view_and_columns() {
    let ix = index();
    let v = ix.user(UserIdx(3)).unwrap();
    assert_eq!(
        (v.key(), v.username(), v.display_name()),
        ("JIRAUSER10003", "carol", "Carol Cooper")
    );
    assert!(!v.active() && !v.licensed());
    assert_eq!(v.directory(), DirectoryId(1));
    assert_eq!(v.created(), Millis(T - 500 * DAY));
    assert_eq!(v.last_login(), Some(Millis(T - 200 * DAY)));
    assert_eq!(v.login_count(), Some(3));
    let user = v.to_user();
    assert_eq!(user.groups, vec![GroupName::from("jira-software-users")]);
    assert!(ix.user(UserIdx(7)).is_none());
    assert_eq!(ix.last_login(UserIdx(4)), None);
    assert_eq!(ix.created(UserIdx(4)), Millis(T - 20 * DAY));
    assert_eq!(ix.taken_at(), Millis(T));
    assert_eq!(ix.users().count(), 7);
}

#[test]
fn bitmaps() {
    let ix = index();
    assert_eq!(keys(&ix, ix.active_bitmap()).len(), 6);
    assert_eq!(keys(&ix, &ix.deactivated_bitmap()), ["JIRAUSER10003"]);
    assert_eq!(
        keys(&ix, ix.never_logged_in_bitmap()),
        ["JIRAUSER10004", "JIRAUSER10005"]
    );
    assert_eq!(
        keys(&ix, ix.licensed_bitmap()),
        ["JIRAUSER10000", "JIRAUSER10001", "JIRAUSER10004"]
    );
    assert_eq!(keys(&ix, ix.sysadmins_bitmap()), ["JIRAUSER10000"]);
    assert_eq!(
        keys(
            &ix,
            ix.group_bitmap(&GroupName::from("DEVELOPERS")).unwrap()
        ),
        ["JIRAUSER10001", "JIRAUSER10002"]
    );
    assert!(ix.group_bitmap(&GroupName::from("nope")).is_none());
    assert_eq!(
        keys(&ix, ix.directory_bitmap(DirectoryId(2)).unwrap()),
        ["JIRAUSER10002", "JIRAUSER10004"]
    );
    assert!(ix.directory_bitmap(DirectoryId(3)).is_none());
    assert_eq!(ix.directory(DirectoryId(2)).unwrap().name, "Corporate LDAP");
    assert_eq!(ix.groups().len(), 5);
    assert_eq!(ix.licences().len(), 2);
    let apps: Vec<String> = ix
        .licensed_applications(UserIdx(0))
        .into_iter()
        .map(|a| a.0.clone())
        .collect();
    assert_eq!(apps, ["jira-software"]);
    assert!(
        ix.licensed_applications(UserIdx(3)).is_empty(),
        "deactivated users hold no seat"
    );
}

#[test]
fn sort_orders() {
    let ix = index();
    let order = |o: &[u32]| {
        o.iter()
            .map(|&i| ix.username(UserIdx(i)).to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(ix.order_by_username()),
        ["admin", "alice", "Bob", "carol", "dave", "erin", "frank"]
    );
    assert_eq!(
        order(ix.order_by_last_login()),
        ["dave", "erin", "carol", "Bob", "frank", "alice", "admin"]
    );
    assert_eq!(
        order(ix.order_by_created()),
        ["admin", "carol", "alice", "Bob", "frank", "dave", "erin"]
    );
}

#[test]
fn login_moves_the_user_and_updates_everything() {
    let mut ix = index();
    let dave = ix.index_of_username("dave").unwrap();
    ix.apply(dave, &UserChange::LoginRecorded { at: Millis(T) })
        .unwrap();
    assert_eq!(ix.last_login(dave), Some(Millis(T)));
    assert_eq!(ix.login_count(dave), Some(1));
    assert!(!ix.never_logged_in_bitmap().contains(dave.0));
    assert_eq!(*ix.order_by_last_login().last().unwrap(), dave.0);
    let recent = ix
        .query(
            &Query {
                // admin's login, exactly 1 day ago, is "inactive for 1 day".
                activity: Activity::Within { days: 2 },
                ..Query::default()
            },
            Millis(T),
        )
        .unwrap();
    assert_eq!(
        recent
            .rows
            .iter()
            .map(|r| r.username.as_str())
            .collect::<Vec<_>>(),
        ["admin", "dave"]
    );
    // An older login only counts.
    ix.apply(
        dave,
        &UserChange::LoginRecorded {
            at: Millis(T - DAY),
        },
    )
    .unwrap();
    assert_eq!(
        (ix.last_login(dave), ix.login_count(dave)),
        (Some(Millis(T)), Some(2))
    );
}

#[test]
fn activation_and_membership_changes_keep_licences_right() {
    let mut ix = index();
    let carol = ix.index_of_username("carol").unwrap();
    assert!(!ix.licensed_bitmap().contains(carol.0));
    ix.apply(carol, &UserChange::Activated).unwrap();
    assert!(ix.licensed_bitmap().contains(carol.0));
    ix.apply(
        carol,
        &UserChange::RemovedFromGroup {
            group: "JIRA-SOFTWARE-USERS".into(),
        },
    )
    .unwrap();
    assert!(!ix.licensed_bitmap().contains(carol.0));
    assert_eq!(ix.groups_of(carol).count(), 0);
    ix.apply(
        carol,
        &UserChange::AddedToGroup {
            group: "confluence-users".into(),
        },
    )
    .unwrap();
    assert!(ix.licensed_bitmap().contains(carol.0));
    assert_eq!(ix.licensed_applications(carol).len(), 1);
    ix.apply(carol, &UserChange::Deactivated { at: Millis(T) })
        .unwrap();
    assert!(!ix.licensed_bitmap().contains(carol.0) && !ix.is_active(carol));
    assert_eq!(ix.deactivated_at(carol), Some(Millis(T)));
    // Re-adding an existing membership is a no-op.
    ix.apply(
        carol,
        &UserChange::AddedToGroup {
            group: "confluence-users".into(),
        },
    )
    .unwrap();
    assert_eq!(
        ix.group_bitmap(&"confluence-users".into()).unwrap().len(),
        1
    );
}

#[test]
fn change_errors_change_nothing() {
    let mut ix = index();
    let e = ix.apply(UserIdx(99), &UserChange::Activated).unwrap_err();
    assert_eq!(e, ChangeError::UnknownUser { idx: UserIdx(99) });
    assert_eq!(e.to_string(), "no user at index #99");
    let e = ix
        .apply(
            UserIdx(1),
            &UserChange::AddedToGroup {
                group: "ghosts".into(),
            },
        )
        .unwrap_err();
    assert_eq!(
        e,
        ChangeError::UnknownGroup {
            group: "ghosts".into()
        }
    );
    assert_eq!(e.to_string(), "unknown group `ghosts`");
    assert_eq!(ix.groups_of(UserIdx(1)).count(), 2);
}

#[test]
fn memory_is_reported_and_grows_with_users() {
    let ix = index();
    let small = ix.memory_bytes();
    assert!(small > 7 * 40, "{small}");
    assert!(small < 1_000_000, "{small}");
}
