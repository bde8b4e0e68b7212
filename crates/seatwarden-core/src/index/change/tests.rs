//! A batch of logins must leave the index exactly as applying them one by
//! one does: the one-by-one path is the oracle, on random directories and
//! random batches (repeats, equal and older instants, deactivated users,
//! users who never logged in, uncounted logins).

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::{DirectoryIndex, NEVER, UserIdx};
use super::{ChangeError, UserChange};
use crate::query::{Activity, Query, SortField, SortOrder};
use crate::time::Millis;

const T: i64 = 1_763_690_400_000;
const DAY: i64 = 86_400_000;

/// One generated user: username number, active, last login (days before
/// `T`), login count.
type GenUser = (u32, bool, Option<i64>, Option<u32>);

fn snapshot(users: &[GenUser]) -> Vec<u8> {
    let users: Vec<Value> = users
        .iter()
        .enumerate()
        .map(|(i, &(name, active, last, count))| {
            json!({
                "key": format!("JIRAUSER{}", 10_000 + i),
                "username": format!("user{name:03}"),
                "displayName": format!("User {i}"),
                "email": format!("user{i}@example.test"),
                "directoryId": 1,
                "active": active,
                "created": T - 1_000 * DAY + (i as i64 % 3) * DAY,
                "lastLogin": last.map(|d| T - d * DAY),
                "loginCount": count,
                "groups": if i % 2 == 0 { vec!["jira-software-users"] } else { vec![] },
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": T,
            "directories": [{"id": 1, "name": "Internal", "kind": "internal", "capabilities": {}}],
            "groups": [{"name": "jira-software-users", "licence": true}],
            "licences": [],
            "sysadmins": []
        },
        "pages": [{"users": users}]
    }))
    .unwrap()
}

fn index(users: &[GenUser]) -> DirectoryIndex {
    DirectoryIndex::from_snapshot_json(&snapshot(users)).unwrap()
}

fn queries() -> Vec<Query> {
    let mut out = Vec::new();
    for activity in [
        Activity::All,
        Activity::Within { days: 5 },
        Activity::NotWithin { days: 5 },
        Activity::Never,
    ] {
        for order in [SortOrder::Asc, SortOrder::Desc] {
            out.push(Query {
                activity,
                sort: SortField::LastLogin,
                order,
                page_size: 100,
                select_all: true,
                ..Query::default()
            });
        }
    }
    out
}

/// Every column, bitmap and order a login can touch, the whole users and
/// the answers of last-login queries.
fn assert_same(batch: &DirectoryIndex, one_by_one: &DirectoryIndex) {
    assert_eq!(batch.last_login, one_by_one.last_login);
    assert_eq!(batch.login_count, one_by_one.login_count);
    assert_eq!(batch.by_last_login, one_by_one.by_last_login);
    assert_eq!(batch.by_created, one_by_one.by_created);
    assert_eq!(batch.by_username, one_by_one.by_username);
    assert_eq!(batch.username_rank, one_by_one.username_rank);
    assert_eq!(batch.never_logged_in, one_by_one.never_logged_in);
    assert_eq!(batch.active, one_by_one.active);
    assert_eq!(batch.licensed, one_by_one.licensed);
    assert_eq!(batch.deactivated_at, one_by_one.deactivated_at);
    let users = |ix: &DirectoryIndex| ix.users().map(|u| u.to_user()).collect::<Vec<_>>();
    assert_eq!(users(batch), users(one_by_one));
    let now = Millis(T);
    for q in queries() {
        assert_eq!(batch.query(&q, now), one_by_one.query(&q, now));
    }
}

/// The last-login order is the full sort a fresh build makes.
fn assert_order_sorted(ix: &DirectoryIndex) {
    let mut expected: Vec<u32> = (0..ix.user_count() as u32).collect();
    expected.sort_by_key(|&j| (ix.last_login[j as usize], ix.username_rank[j as usize], j));
    assert_eq!(ix.by_last_login, expected);
    // Whoever the bitmap calls never-logged-in has no last login.
    for j in &ix.never_logged_in {
        assert_eq!(ix.last_login[j as usize], NEVER);
    }
}

fn users_strategy() -> impl Strategy<Value = Vec<GenUser>> {
    (1usize..40).prop_flat_map(|n| {
        (
            Just((0..n as u32).collect::<Vec<u32>>()).prop_shuffle(),
            prop::collection::vec(
                (
                    any::<bool>(),
                    prop::option::weighted(0.7, 0i64..8),
                    prop_oneof![
                        Just(None),
                        (0u32..5).prop_map(Some),
                        Just(Some(u32::MAX - 2)),
                    ],
                ),
                n,
            ),
        )
            .prop_map(|(names, rest)| {
                names
                    .into_iter()
                    .zip(rest)
                    .map(|(name, (active, last, count))| (name, active, last, count))
                    .collect()
            })
    })
}

fn instant() -> impl Strategy<Value = Millis> {
    prop_oneof![
        // Days before T: equal to, older or newer than the recorded ones.
        8 => (0i64..10).prop_map(|d| Millis(T - d * DAY)),
        1 => Just(Millis(NEVER)),
        1 => Just(Millis(T + 1)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_batch_of_logins_equals_logging_in_one_by_one(
        users in users_strategy(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), instant()), 0..60),
    ) {
        let base = index(&users);
        let n = base.user_count();
        let logins: Vec<(UserIdx, Millis)> = picks
            .iter()
            .map(|(i, at)| (UserIdx(i.index(n) as u32), *at))
            .collect();
        let mut one_by_one = base.clone();
        for &(idx, at) in &logins {
            one_by_one.apply(idx, &UserChange::LoginRecorded { at }).unwrap();
        }
        // Both ways of finding the movers' old positions, and the pick.
        for scan in [Some(true), Some(false), None] {
            let mut batch = base.clone();
            batch.record_logins_by(&logins, scan).unwrap();
            assert_same(&batch, &one_by_one);
            assert_order_sorted(&batch);
        }
    }
}

#[test]
fn an_unknown_user_fails_the_batch_and_changes_nothing() {
    let users: Vec<GenUser> = (0..5)
        .map(|i| (i, true, Some(i64::from(i)), Some(1)))
        .collect();
    let base = index(&users);
    let mut batch = base.clone();
    let err = batch
        .record_logins(&[(UserIdx(1), Millis(T)), (UserIdx(5), Millis(T))])
        .unwrap_err();
    assert_eq!(err, ChangeError::UnknownUser { idx: UserIdx(5) });
    assert_same(&batch, &base);
}

#[test]
fn a_batch_moves_users_to_the_end_of_the_last_login_order() {
    // Users 0..6 logged in 6..1 days ago: order 5,4,3,2,1,0.
    let users: Vec<GenUser> = (0..6)
        .map(|i| (i, true, Some(6 - i64::from(i)), Some(0)))
        .collect();
    let mut ix = index(&users);
    assert_eq!(ix.by_last_login, vec![0, 1, 2, 3, 4, 5]);
    // 1 and 3 log in now (3 twice), 4 logs in at an older instant.
    ix.record_logins(&[
        (UserIdx(3), Millis(T)),
        (UserIdx(1), Millis(T)),
        (UserIdx(4), Millis(T - 30 * DAY)),
        (UserIdx(3), Millis(T)),
    ])
    .unwrap();
    assert_eq!(ix.by_last_login, vec![0, 2, 4, 5, 1, 3]);
    assert_eq!(ix.login_count(UserIdx(3)), Some(2));
    assert_eq!(ix.login_count(UserIdx(4)), Some(1));
    assert_eq!(ix.last_login(UserIdx(4)), Some(Millis(T - 2 * DAY)));
}
