//! The embedded directory behaves exactly like the reference in-memory
//! directory: the Host contract's scenarios (`host::conformance`, which the
//! reference runs too) run against it, and a differential test applies the
//! same random operations to both and compares every answer and the final
//! directories.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::model::{DirectoryId, GroupName, SeatLimit, UserKey, Username};
use seatwarden_core::operation::{Handover, Operation};
use seatwarden_core::snapshot::{SnapshotFile, SnapshotPage, SnapshotUser};
use seatwarden_core::time::Millis;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::host::conformance::{Subject, T0, fixture, user};
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::host::{Host, read_snapshot};

/// The SQLite directory in its temporary folder.
struct Sqlite(SqliteDirectory, #[allow(dead_code)] tempfile::TempDir);

impl std::ops::Deref for Sqlite {
    type Target = SqliteDirectory;
    fn deref(&self) -> &SqliteDirectory {
        &self.0
    }
}

impl Subject for Sqlite {
    fn host(&self) -> &dyn Host {
        &self.0
    }
    fn set_time(&self, now: Millis) {
        self.0.set_time(now);
    }
    fn veto_delete(&self, user: &UserKey, reason: &str) {
        self.0.veto_delete(user, reason).unwrap();
    }
    fn set_open_issues(&self, user: &UserKey, count: u32) {
        self.0.set_open_issues(user, count).unwrap();
    }
    fn handovers(&self) -> Vec<(UserKey, Handover, u32)> {
        self.0.handovers().unwrap()
    }
    fn login(&self, username: &str) -> Option<UserKey> {
        self.0.record_login_at(username, self.0.now()).unwrap()
    }
}

fn sqlite(snap: &SnapshotFile) -> Sqlite {
    let dir = tempfile::tempdir().unwrap();
    let d = SqliteDirectory::open_in(dir.path()).unwrap();
    assert!(d.is_empty().unwrap());
    assert!(d.seed(snap).unwrap());
    assert!(
        !d.seed(snap).unwrap(),
        "a seeded directory is never seeded again"
    );
    d.set_time(Millis(T0));
    Sqlite(d, dir)
}

/// The reference directory over `snap`, its clock at [`T0`].
fn reference(snap: SnapshotFile) -> MemoryDirectory {
    let d = MemoryDirectory::new(snap);
    d.set_time(Millis(T0));
    d
}

fn key(k: &str) -> UserKey {
    UserKey::from(k)
}

/// The Host contract's scenarios (`seatwarden_service::host::conformance`),
/// one test each, over the kit's fixture.
mod conformance {
    use super::*;

    seatwarden_service::host_conformance_tests!(|| sqlite(&fixture()));
}

/// A directory with groups sorted per user, so the two implementations'
/// membership order (insertion vs. name) compares equal.
fn normalised(d: &dyn Host) -> SnapshotFile {
    let mut snap = read_snapshot(d, 7).unwrap();
    let users: Vec<SnapshotUser> = snap
        .pages
        .drain(..)
        .flat_map(|p| p.users)
        .map(|mut u| {
            u.groups.sort();
            u
        })
        .collect();
    snap.pages = vec![SnapshotPage { users }];
    snap
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn random_operation(rng: &mut Rng, keys: &[String]) -> Operation {
    let groups = ["admins", "app-users", "STAFF", "contractors", "nope"];
    let user = UserKey::from(keys[rng.below(keys.len())].clone());
    let group = GroupName::from(groups[rng.below(groups.len())]);
    match rng.below(12) {
        0 => Operation::Activate { user },
        1 | 2 => Operation::Deactivate { user },
        3 => Operation::Rename {
            user,
            to: Username::from(format!("u{}", rng.below(40)).as_str()),
        },
        4 => Operation::Delete { user },
        5 | 6 => Operation::AddToGroup { user, group },
        7 => Operation::RemoveFromGroup { user, group },
        8 => Operation::ReassignIssues {
            user,
            to: Handover::User(UserKey::from(keys[rng.below(keys.len())].clone())),
        },
        9 => {
            if rng.below(2) == 0 {
                Operation::CreateGroup { group }
            } else {
                Operation::DeleteGroup { group }
            }
        }
        10 => Operation::CreateUser {
            username: Username::from(format!("U{}", rng.below(40)).as_str()),
            display_name: "New".into(),
            email: String::new(),
            directory: if rng.below(3) == 0 {
                Some(DirectoryId(2))
            } else {
                None
            },
            active: rng.below(2) == 0,
        },
        _ => Operation::UpdateUser {
            user,
            display_name: Some("Renamed".into()),
            email: None,
        },
    }
}

#[test]
fn random_operations_answer_and_end_alike() {
    let mut snap = fixture();
    snap.header.licences[0].limit = SeatLimit::Limited(6);
    let mut users = Vec::new();
    for i in 0..30 {
        let dir = if i % 4 == 0 { 2 } else { 1 };
        let groups: &[&str] = match i % 3 {
            0 => &["app-users"],
            1 => &["staff", "app-users"],
            _ => &[],
        };
        let mut u = user(&format!("K{i:02}"), &format!("u{i}"), dir, groups);
        u.active = i % 5 != 0;
        users.push(u);
    }
    snap.pages = vec![SnapshotPage { users }];
    for seed in 1..=8u64 {
        let m = reference(snap.clone());
        let s = sqlite(&snap);
        m.veto_delete(&key("K03"), "reported issues");
        s.0.veto_delete(&key("K03"), "reported issues").unwrap();
        let mut keys: Vec<String> = (0..32).map(|i| format!("K{i:02}")).collect();
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        for step in 0..300 {
            let op = random_operation(&mut rng, &keys);
            let (a, b) = (m.apply(&op), s.apply(&op));
            match (&a, &b) {
                (Ok(x), Ok(y)) => {
                    assert_eq!(x.created_user.is_some(), y.created_user.is_some());
                    if let (Some(x), Some(y)) = (&x.created_user, &y.created_user) {
                        // Keys are the hosts' own; compare the users instead.
                        let (mut ux, mut uy) =
                            (m.user(x).unwrap().unwrap(), s.user(y).unwrap().unwrap());
                        ux.key = String::new();
                        uy.key = String::new();
                        assert_eq!(ux, uy);
                        // Keep both directories keyed alike for later steps.
                        m.apply(&Operation::Delete { user: x.clone() }).unwrap();
                        s.apply(&Operation::Delete { user: y.clone() }).unwrap();
                    }
                }
                _ => assert_eq!(a, b, "seed {seed} step {step}: {op:?}"),
            }
            if step % 50 == 0 {
                let t = Millis(T0 + step as i64 * 1_000);
                m.set_time(t);
                s.set_time(t);
                keys.rotate_left(1);
                let who = format!("u{}", rng.below(40));
                assert_eq!(m.record_login(&who), s.record_login_at(&who, t).unwrap());
            }
        }
        assert_eq!(normalised(&m), normalised(&*s), "seed {seed}");
        assert_eq!(m.handovers(), s.0.handovers().unwrap(), "seed {seed}");
    }
}

#[test]
fn the_demo_organisation_seeds_and_reopens_unchanged() {
    let demo = seatwarden_demo::generate(&seatwarden_demo::DemoOptions {
        users: 600,
        page_size: 250,
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let reference = reference(demo.clone());
    {
        let s = SqliteDirectory::open_in(dir.path()).unwrap();
        assert!(s.seed(&demo).unwrap());
        s.set_time(Millis(T0));
        assert_eq!(normalised(&reference), normalised(&s));
    }
    let reopened = SqliteDirectory::open_in(dir.path()).unwrap();
    reopened.set_time(Millis(T0));
    assert!(!reopened.is_empty().unwrap());
    assert!(!reopened.seed(&demo).unwrap());
    assert_eq!(normalised(&reference), normalised(&reopened));
    assert_eq!(reopened.usernames().unwrap().len(), 600);
}

#[test]
fn two_handles_on_one_file_see_each_others_writes() {
    let snap = fixture();
    let s = sqlite(&snap);
    let other = SqliteDirectory::open(s.path()).unwrap();
    other
        .apply(&Operation::Deactivate { user: key("K3") })
        .unwrap();
    assert!(!s.user(&key("K3")).unwrap().unwrap().active);
}

#[test]
fn activity_signals_are_stored_and_read_back_across_a_reopen() {
    use seatwarden_core::activity::{ActivityValues, SignalDecl, SignalKind};
    let mut snap = fixture();
    snap.header.signals = vec![
        SignalDecl::whole_product(SignalKind::LastAuthenticated, None),
        SignalDecl::whole_product(SignalKind::Seen, Some(Millis(T0 - 30 * 86_400_000))),
    ];
    let mut values = ActivityValues::EMPTY;
    values.push(None);
    values.push(Some(T0 - 86_400_000));
    let first = &mut snap.pages[0].users[0];
    first.activity = values;
    let seen_key = first.key.clone();
    let dir = tempfile::tempdir().unwrap();
    {
        let d = SqliteDirectory::open_in(dir.path()).unwrap();
        assert!(d.seed(&snap).unwrap());
    }
    let d = SqliteDirectory::open_in(dir.path()).unwrap();
    d.set_time(Millis(T0));
    let read = read_snapshot(&d, 7).unwrap();
    assert_eq!(read.header.signals, snap.header.signals);
    for u in read.pages.iter().flat_map(|p| &p.users) {
        if u.key == seen_key {
            assert_eq!(u.activity, values, "{}", u.key);
        } else {
            assert!(u.activity.is_empty(), "{}", u.key);
        }
    }
    // One user by key carries it too, and the engine reads the stored snapshot.
    let one = d.user(&UserKey::from(seen_key.clone())).unwrap().unwrap();
    assert_eq!(one.activity, values);
    let json = serde_json::to_vec(&read).unwrap();
    let index = seatwarden_core::index::DirectoryIndex::from_snapshot_json(&json).unwrap();
    let idx = index.index_of_key(&UserKey::from(seen_key)).unwrap();
    assert_eq!(index.activity(idx, 1), Some(Millis(T0 - 86_400_000)));
}

/// Pages read memberships in primary-key (folded name) order but hand each
/// user's groups over in name order, as before: `Zeta` sorts before `alpha`
/// by name (upper case first) and after it folded.
#[test]
fn a_page_lists_each_users_groups_in_name_order() {
    let mut snap = fixture();
    for name in ["Zeta", "alpha"] {
        snap.header.groups.push(seatwarden_core::model::Group {
            name: name.into(),
            admin: false,
            licence: false,
        });
    }
    snap.pages = vec![SnapshotPage {
        users: vec![
            user("K1", "ann", 1, &["alpha", "staff", "Zeta"]),
            user("K2", "bo", 1, &["staff", "alpha"]),
        ],
    }];
    let s = sqlite(&snap);
    let page = s.host().users_page(None, 10).unwrap();
    let groups: Vec<Vec<String>> = page.users.iter().map(|u| u.groups.clone()).collect();
    assert_eq!(
        groups,
        vec![
            vec!["Zeta".to_owned(), "alpha".to_owned(), "staff".to_owned()],
            vec!["alpha".to_owned(), "staff".to_owned()],
        ]
    );
}

/// The seats of `licence` asked the simple way, straight from the file: the
/// SQL join the merged count (`src/seats.rs`) replaced.
fn seats_by_join(db: &rusqlite::Connection, licence: &seatwarden_core::model::Licence) -> u32 {
    let groups: Vec<String> = licence.groups.iter().map(GroupName::folded).collect();
    let n: i64 = db
        .query_row(
            "SELECT COUNT(DISTINCT m.user_key) FROM memberships m
             JOIN users u ON u.key = m.user_key
             WHERE u.active = 1 AND m.group_folded IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(&groups).unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    u32::try_from(n).unwrap()
}

#[test]
fn seats_agree_with_the_sql_join_on_random_directories() {
    const GROUPS: &[&str] = &["Alpha", "beta", "Gamma", "delta", "unused"];
    let mut rng = Rng(0x5EA7_5EA7);
    for round in 0..40 {
        let mut snap = fixture();
        // Keys of varied length, so byte order differs from number order;
        // each user in a random subset of the first four groups.
        let users: Vec<SnapshotUser> = (0..rng.below(60))
            .map(|u| {
                let k = format!("K{}", u * 7 % 61);
                let groups: Vec<&str> = GROUPS[..4]
                    .iter()
                    .copied()
                    .filter(|_| rng.below(2) == 0)
                    .collect();
                let mut one = user(&k, &format!("user{u}"), 1, &groups);
                one.active = rng.below(3) > 0;
                one
            })
            .fold(Vec::new(), |mut kept: Vec<SnapshotUser>, u| {
                if !kept.iter().any(|k| k.key == u.key) {
                    kept.push(u);
                }
                kept
            });
        snap.pages = vec![SnapshotPage { users }];
        // Licences of none, one or several groups, overlapping, in any
        // letter case, and some counting a group nobody holds.
        snap.header.licences = (0..rng.below(5))
            .map(|i| seatwarden_core::model::Licence {
                application: format!("app{i}").as_str().into(),
                name: format!("App {i}"),
                limit: SeatLimit::Unlimited,
                seats_used: 0,
                groups: (0..rng.below(4))
                    .map(|_| {
                        let g = GROUPS[rng.below(GROUPS.len())];
                        let g = if rng.below(2) == 0 {
                            g.to_uppercase()
                        } else {
                            g.to_owned()
                        };
                        GroupName::from(g.as_str())
                    })
                    .collect(),
            })
            .collect();
        let s = sqlite(&snap);
        let merged: Vec<u32> = s
            .host()
            .header()
            .unwrap()
            .licences
            .iter()
            .map(|l| l.seats_used)
            .collect();
        let db = rusqlite::Connection::open(s.path()).unwrap();
        let joined: Vec<u32> = snap
            .header
            .licences
            .iter()
            .map(|l| seats_by_join(&db, l))
            .collect();
        assert_eq!(merged, joined, "round {round}: {:?}", snap.header.licences);
    }
}
