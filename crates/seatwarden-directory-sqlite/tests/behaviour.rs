//! The embedded directory behaves exactly like the reference in-memory
//! directory: the reference's own scenarios run against both, and a
//! differential test applies the same random operations to both and
//! compares every answer and the final directories.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::model::{
    ApplicationKey, Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName,
    Licence, SeatLimit, UserKey, Username,
};
use seatwarden_core::operation::{Handover, Operation, OperationFailure};
use seatwarden_core::snapshot::{
    FORMAT, SnapshotFile, SnapshotHeader, SnapshotPage, SnapshotUser, VERSION,
};
use seatwarden_core::time::Millis;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::host::{Applied, Host, read_snapshot};

/// What the scenarios need beyond the Host port.
trait Subject: Host {
    fn set_time(&self, now: Millis);
    fn veto_delete(&self, user: &UserKey, reason: &str);
    fn set_open_issues(&self, user: &UserKey, count: u32);
    fn handovers(&self) -> Vec<(UserKey, Handover, u32)>;
    fn login(&self, username: &str) -> Option<UserKey>;
}

impl Subject for MemoryDirectory {
    fn set_time(&self, now: Millis) {
        MemoryDirectory::set_time(self, now);
    }
    fn veto_delete(&self, user: &UserKey, reason: &str) {
        MemoryDirectory::veto_delete(self, user, reason);
    }
    fn set_open_issues(&self, user: &UserKey, count: u32) {
        MemoryDirectory::set_open_issues(self, user, count);
    }
    fn handovers(&self) -> Vec<(UserKey, Handover, u32)> {
        MemoryDirectory::handovers(self)
    }
    fn login(&self, username: &str) -> Option<UserKey> {
        MemoryDirectory::record_login(self, username)
    }
}

struct Sqlite(SqliteDirectory, #[allow(dead_code)] tempfile::TempDir);

impl std::ops::Deref for Sqlite {
    type Target = SqliteDirectory;
    fn deref(&self) -> &SqliteDirectory {
        &self.0
    }
}

impl Subject for SqliteDirectory {
    fn set_time(&self, now: Millis) {
        SqliteDirectory::set_time(self, now);
    }
    fn veto_delete(&self, user: &UserKey, reason: &str) {
        SqliteDirectory::veto_delete(self, user, reason).unwrap();
    }
    fn set_open_issues(&self, user: &UserKey, count: u32) {
        SqliteDirectory::set_open_issues(self, user, count).unwrap();
    }
    fn handovers(&self) -> Vec<(UserKey, Handover, u32)> {
        SqliteDirectory::handovers(self).unwrap()
    }
    fn login(&self, username: &str) -> Option<UserKey> {
        self.record_login_at(username, self.now()).unwrap()
    }
}

const T0: i64 = 1_795_226_400_000;

fn user(key: &str, name: &str, dir: i64, groups: &[&str]) -> SnapshotUser {
    SnapshotUser {
        key: key.to_owned(),
        username: name.to_owned(),
        display_name: name.to_owned(),
        email: format!("{name}@example.com"),
        directory_id: dir,
        active: true,
        created: 1_700_000_000_000,
        last_login: None,
        login_count: Some(0),
        deactivated_at: None,
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

fn snapshot() -> SnapshotFile {
    let header = SnapshotHeader {
        taken_at: Millis(T0),
        directories: vec![
            Directory {
                id: DirectoryId(1),
                name: "internal".into(),
                kind: DirectoryKind::Internal,
                capabilities: DirectoryCapabilities::ALL,
                local_groups: vec![],
            },
            Directory {
                id: DirectoryId(2),
                name: "ldap".into(),
                kind: DirectoryKind::Ldap,
                capabilities: DirectoryCapabilities::NONE,
                local_groups: vec![GroupName::from("app-users")],
            },
        ],
        groups: vec![
            Group {
                name: "admins".into(),
                admin: true,
                licence: false,
            },
            Group {
                name: "app-users".into(),
                admin: false,
                licence: true,
            },
            Group {
                name: "staff".into(),
                admin: false,
                licence: false,
            },
        ],
        licences: vec![Licence {
            application: ApplicationKey::from("app"),
            name: "App".into(),
            limit: SeatLimit::Limited(2),
            seats_used: 99,
            groups: vec![GroupName::from("app-users")],
        }],
        sysadmins: vec![],
    };
    SnapshotFile {
        format: FORMAT.into(),
        version: VERSION,
        header,
        pages: vec![SnapshotPage {
            users: vec![
                user("K1", "ann", 1, &["app-users", "staff"]),
                user("K2", "bob", 2, &["staff"]),
                user("K3", "cy", 1, &[]),
            ],
        }],
    }
}

fn memory(snap: SnapshotFile) -> MemoryDirectory {
    let d = MemoryDirectory::new(snap);
    d.set_time(Millis(T0));
    d
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

/// Runs `scenario` against both directories.
fn both(scenario: impl Fn(&dyn Subject)) {
    scenario(&memory(snapshot()));
    scenario(&*sqlite(&snapshot()));
}

fn key(k: &str) -> UserKey {
    UserKey::from(k)
}

#[test]
fn seats_are_recounted_and_enforced() {
    both(|d| {
        assert_eq!(d.header().unwrap().licences[0].seats_used, 1);
        let add = |k: &str| {
            d.apply(&Operation::AddToGroup {
                user: key(k),
                group: "app-users".into(),
            })
        };
        assert_eq!(
            add("K2"),
            Ok(Applied::default()),
            "local group of a read-only directory"
        );
        assert_eq!(add("K3"), Err(OperationFailure::NoSeat));
        d.apply(&Operation::Deactivate { user: key("K1") }).unwrap();
        assert_eq!(d.header().unwrap().licences[0].seats_used, 1);
        assert_eq!(add("K3"), Ok(Applied::default()));
        assert_eq!(
            d.apply(&Operation::Activate { user: key("K1") }),
            Err(OperationFailure::NoSeat),
            "reactivating a licensed user needs a free seat"
        );
    });
}

#[test]
fn read_only_directory_refuses_user_writes_and_foreign_groups() {
    both(|d| {
        assert_eq!(
            d.apply(&Operation::Deactivate { user: key("K2") }),
            Err(OperationFailure::ReadOnlyDirectory)
        );
        assert_eq!(
            d.apply(&Operation::RemoveFromGroup {
                user: key("K2"),
                group: "staff".into()
            }),
            Err(OperationFailure::ReadOnlyDirectory)
        );
        assert_eq!(
            d.apply(&Operation::Rename {
                user: key("K2"),
                to: Username::from("bob_old")
            }),
            Err(OperationFailure::ReadOnlyDirectory)
        );
    });
}

#[test]
fn renames_collide_case_insensitively_and_deactivation_is_stamped() {
    both(|d| {
        assert_eq!(
            d.apply(&Operation::Rename {
                user: key("K1"),
                to: Username::from("CY")
            }),
            Err(OperationFailure::AlreadyExists)
        );
        d.apply(&Operation::Rename {
            user: key("K1"),
            to: Username::from("ann_old"),
        })
        .unwrap();
        assert_eq!(d.user_by_username("ANN_OLD").unwrap().unwrap().key, "K1");
        assert!(d.user_by_username("ann").unwrap().is_none());
        d.set_time(Millis(1_800_000_000_000));
        d.apply(&Operation::Deactivate { user: key("K1") }).unwrap();
        assert_eq!(
            d.user(&key("K1")).unwrap().unwrap().deactivated_at,
            Some(1_800_000_000_000)
        );
        assert_eq!(d.login("ann_old"), None, "deactivated users cannot log in");
    });
}

#[test]
fn vetoes_admin_groups_and_missing_things_are_typed() {
    both(|d| {
        d.veto_delete(&key("K3"), "leads a project");
        assert_eq!(
            d.apply(&Operation::Delete { user: key("K3") }),
            Err(OperationFailure::Vetoed("leads a project".into()))
        );
        assert!(matches!(
            d.apply(&Operation::DeleteGroup {
                group: "ADMINS".into()
            }),
            Err(OperationFailure::Vetoed(_))
        ));
        assert_eq!(
            d.apply(&Operation::Deactivate {
                user: key("nobody")
            }),
            Err(OperationFailure::NotFound)
        );
        d.apply(&Operation::DeleteGroup {
            group: "staff".into(),
        })
        .unwrap();
        assert!(
            d.user(&key("K1"))
                .unwrap()
                .unwrap()
                .groups
                .iter()
                .all(|g| g != "staff")
        );
    });
}

#[test]
fn creates_users_and_hands_issues_over() {
    both(|d| {
        let created = d
            .apply(&Operation::CreateUser {
                username: Username::from("dee"),
                display_name: "Dee".into(),
                email: "dee@example.com".into(),
                directory: None,
                active: true,
            })
            .unwrap();
        let new_key = created.created_user.unwrap();
        let dee = d.user(&new_key).unwrap().unwrap();
        assert_eq!(
            (dee.directory_id, dee.created, dee.login_count),
            (1, T0, Some(0))
        );
        d.set_open_issues(&key("K1"), 4);
        d.apply(&Operation::ReassignIssues {
            user: key("K1"),
            to: Handover::ProjectLead,
        })
        .unwrap();
        assert_eq!(d.handovers(), vec![(key("K1"), Handover::ProjectLead, 4)]);
    });
}

#[test]
fn pages_cover_every_user_once() {
    both(|d| {
        let snap = read_snapshot(d, 2).unwrap();
        assert_eq!(snap.pages.len(), 2);
        let keys: Vec<_> = snap
            .pages
            .iter()
            .flat_map(|p| &p.users)
            .map(|u| &u.key)
            .collect();
        assert_eq!(keys, ["K1", "K2", "K3"]);
    });
}

#[test]
fn logins_stamp_and_count() {
    both(|d| {
        d.set_time(Millis(T0 + 5_000));
        assert_eq!(d.login("ANN"), Some(key("K1")));
        assert_eq!(d.login("nobody"), None);
        let ann = d.user(&key("K1")).unwrap().unwrap();
        assert_eq!(
            (ann.last_login, ann.login_count),
            (Some(T0 + 5_000), Some(1))
        );
    });
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
    let user = UserKey(keys[rng.below(keys.len())].clone());
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
            to: Handover::User(UserKey(keys[rng.below(keys.len())].clone())),
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
    let mut snap = snapshot();
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
        let m = memory(snap.clone());
        let s = sqlite(&snap);
        m.veto_delete(&key("K03"), "reported issues");
        s.veto_delete(&key("K03"), "reported issues").unwrap();
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
        assert_eq!(m.handovers(), s.handovers().unwrap(), "seed {seed}");
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
    let reference = memory(demo.clone());
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
    let snap = snapshot();
    let s = sqlite(&snap);
    let other = SqliteDirectory::open(s.path()).unwrap();
    other
        .apply(&Operation::Deactivate { user: key("K3") })
        .unwrap();
    assert!(!s.user(&key("K3")).unwrap().unwrap().active);
}
