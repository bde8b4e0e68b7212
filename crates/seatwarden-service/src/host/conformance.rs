//! The Host contract as executable scenarios, run against every embedded
//! directory (the in-memory reference's unit tests, the standalone server's
//! SQLite directory; next, the Cloud connector's fake-backed host), as
//! [`crate::store::conformance`] is for stores.
//!
//! The scenarios were written once per directory and drifted into copies;
//! here they are one list over one fixture ([`fixture`]: an internal
//! directory, a read-only LDAP directory whose local group is `app-users`,
//! a licence of 2 seats on `app-users`). A directory runs them all with
//! [`host_conformance_tests!`](crate::host_conformance_tests), which writes
//! one `#[test]` per scenario. A broken promise panics, as an assertion in a
//! test does: the kit is for test binaries only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test kit: a broken promise panics, as an assertion in a #[test] does"
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

use super::memory::MemoryDirectory;
use super::{Applied, Host, read_snapshot};

/// What the scenarios need: the Host port, and the knobs a test turns that
/// the port does not have (the directory's clock, vetoes, open issues,
/// logins).
pub trait Subject {
    /// The directory under test, through its port.
    fn host(&self) -> &dyn Host;
    /// Sets the directory's clock.
    fn set_time(&self, now: Millis);
    /// Makes the product refuse to delete `user`, giving `reason`.
    fn veto_delete(&self, user: &UserKey, reason: &str);
    /// Gives `user` `count` open issues.
    fn set_open_issues(&self, user: &UserKey, count: u32);
    /// Issue handovers done so far.
    fn handovers(&self) -> Vec<(UserKey, Handover, u32)>;
    /// A login by `username` at the directory's time; who logged in.
    fn login(&self, username: &str) -> Option<UserKey>;
}

impl Subject for MemoryDirectory {
    fn host(&self) -> &dyn Host {
        self
    }
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

/// The fixture's clock: 2026-11-21T02:00:00Z.
pub const T0: i64 = 1_795_226_400_000;

/// An active user of directory `dir` in `groups`, created before [`T0`].
pub fn user(key: &str, name: &str, dir: i64, groups: &[&str]) -> SnapshotUser {
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
        suspended: false,
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        activity: Default::default(),
    }
}

/// Internal directory 1, read-only LDAP directory 2 whose local group is
/// `app-users`; groups `admins` (admin), `app-users` (licence), `staff`; a
/// licence of 2 seats on `app-users` (its `seats_used` deliberately wrong:
/// a directory recounts).
pub fn header() -> SnapshotHeader {
    SnapshotHeader {
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
        signals: Vec::new(),
    }
}

/// [`header`] with `ann` (K1, internal, licensed, staff), `bob` (K2, LDAP,
/// staff) and `cy` (K3, internal, no groups).
pub fn fixture() -> SnapshotFile {
    SnapshotFile {
        format: FORMAT.into(),
        version: VERSION,
        header: header(),
        pages: vec![SnapshotPage {
            users: vec![
                user("K1", "ann", 1, &["app-users", "staff"]),
                user("K2", "bob", 2, &["staff"]),
                user("K3", "cy", 1, &[]),
            ],
        }],
    }
}

/// The reference directory over [`fixture`], its clock at [`T0`].
pub fn memory() -> MemoryDirectory {
    let d = MemoryDirectory::new(fixture());
    d.set_time(Millis(T0));
    d
}

fn key(k: &str) -> UserKey {
    UserKey::from(k)
}

/// A scenario: a name and its check.
pub type Scenario = (&'static str, fn(&dyn Subject));

/// Declares the list of scenarios once: [`ALL`] and
/// [`host_conformance_tests!`](crate::host_conformance_tests) (one `#[test]`
/// each). `$d` is a `$` handed in, so the inner macro can have
/// metavariables of its own.
macro_rules! scenarios {
    ($d:tt $($name:ident),* $(,)?) => {
        /// Every scenario, by name (for a runner that wants a list rather than tests).
        pub const ALL: &[Scenario] = &[$((stringify!($name), $name)),*];

        /// One `#[test]` per scenario of `seatwarden_service::host::conformance`,
        /// each over a fresh subject from `$make` (callable with no
        /// arguments, returning something that implements `Subject`, over
        /// the kit's `fixture` with its clock at `T0`).
        #[macro_export]
        macro_rules! host_conformance_tests {
            ($d make:expr) => {
                $(
                    #[test]
                    fn $name() {
                        $d crate::host::conformance::$name(&$d make());
                    }
                )*
            };
        }
    };
}

scenarios!($
    seats_are_recounted_and_enforced,
    read_only_directory_refuses_user_writes_and_foreign_groups,
    renames_collide_case_insensitively_and_deactivation_is_stamped,
    vetoes_admin_groups_and_missing_things_are_typed,
    creates_users_and_hands_issues_over,
    pages_cover_every_user_once,
    logins_stamp_and_count,
);

/// Seats are recounted after every change and enforced: a licence group of a read-only directory's local groups can be joined; a full licence refuses joins and reactivations.
pub fn seats_are_recounted_and_enforced(d: &dyn Subject) {
    assert_eq!(d.host().header().unwrap().licences[0].seats_used, 1);
    let add = |k: &str| {
        d.host().apply(&Operation::AddToGroup {
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
    d.host()
        .apply(&Operation::Deactivate { user: key("K1") })
        .unwrap();
    assert_eq!(d.host().header().unwrap().licences[0].seats_used, 1);
    assert_eq!(add("K3"), Ok(Applied::default()));
    assert_eq!(
        d.host().apply(&Operation::Activate { user: key("K1") }),
        Err(OperationFailure::NoSeat),
        "reactivating a licensed user needs a free seat"
    );
}

/// A read-only directory refuses user writes and memberships of its foreign groups.
pub fn read_only_directory_refuses_user_writes_and_foreign_groups(d: &dyn Subject) {
    assert_eq!(
        d.host().apply(&Operation::Deactivate { user: key("K2") }),
        Err(OperationFailure::ReadOnlyDirectory)
    );
    assert_eq!(
        d.host().apply(&Operation::RemoveFromGroup {
            user: key("K2"),
            group: "staff".into()
        }),
        Err(OperationFailure::ReadOnlyDirectory)
    );
    assert_eq!(
        d.host().apply(&Operation::Rename {
            user: key("K2"),
            to: Username::from("bob_old")
        }),
        Err(OperationFailure::ReadOnlyDirectory)
    );
}

/// Renames collide case-insensitively; deactivation is stamped with the directory's time and stops logins.
pub fn renames_collide_case_insensitively_and_deactivation_is_stamped(d: &dyn Subject) {
    assert_eq!(
        d.host().apply(&Operation::Rename {
            user: key("K1"),
            to: Username::from("CY")
        }),
        Err(OperationFailure::AlreadyExists)
    );
    d.host()
        .apply(&Operation::Rename {
            user: key("K1"),
            to: Username::from("ann_old"),
        })
        .unwrap();
    assert_eq!(
        d.host().user_by_username("ANN_OLD").unwrap().unwrap().key,
        "K1"
    );
    assert!(d.host().user_by_username("ann").unwrap().is_none());
    d.set_time(Millis(1_800_000_000_000));
    d.host()
        .apply(&Operation::Deactivate { user: key("K1") })
        .unwrap();
    assert_eq!(
        d.host().user(&key("K1")).unwrap().unwrap().deactivated_at,
        Some(1_800_000_000_000)
    );
    assert_eq!(d.login("ann_old"), None, "deactivated users cannot log in");
}

/// Vetoes (a delete, an admin group) and missing users come back as typed failures; deleting a group removes its memberships.
pub fn vetoes_admin_groups_and_missing_things_are_typed(d: &dyn Subject) {
    d.veto_delete(&key("K3"), "leads a project");
    assert_eq!(
        d.host().apply(&Operation::Delete { user: key("K3") }),
        Err(OperationFailure::Vetoed("leads a project".into()))
    );
    assert!(matches!(
        d.host().apply(&Operation::DeleteGroup {
            group: "ADMINS".into()
        }),
        Err(OperationFailure::Vetoed(_))
    ));
    assert_eq!(
        d.host().apply(&Operation::Deactivate {
            user: key("nobody")
        }),
        Err(OperationFailure::NotFound)
    );
    d.host()
        .apply(&Operation::DeleteGroup {
            group: "staff".into(),
        })
        .unwrap();
    assert!(
        d.host()
            .user(&key("K1"))
            .unwrap()
            .unwrap()
            .groups
            .iter()
            .all(|g| g != "staff")
    );
}

/// A created user gets the internal directory, the directory's time and no logins; issue handovers are recorded.
pub fn creates_users_and_hands_issues_over(d: &dyn Subject) {
    let created = d
        .host()
        .apply(&Operation::CreateUser {
            username: Username::from("dee"),
            display_name: "Dee".into(),
            email: "dee@example.com".into(),
            directory: None,
            active: true,
        })
        .unwrap();
    let new_key = created.created_user.unwrap();
    let dee = d.host().user(&new_key).unwrap().unwrap();
    assert_eq!(
        (dee.directory_id, dee.created, dee.login_count),
        (1, T0, Some(0))
    );
    d.set_open_issues(&key("K1"), 4);
    d.host()
        .apply(&Operation::ReassignIssues {
            user: key("K1"),
            to: Handover::ProjectLead,
        })
        .unwrap();
    assert_eq!(d.handovers(), vec![(key("K1"), Handover::ProjectLead, 4)]);
}

/// Paging covers every user once, in key order.
pub fn pages_cover_every_user_once(d: &dyn Subject) {
    let snap = read_snapshot(d.host(), 2).unwrap();
    assert_eq!(snap.pages.len(), 2);
    let keys: Vec<_> = snap
        .pages
        .iter()
        .flat_map(|p| &p.users)
        .map(|u| &u.key)
        .collect();
    assert_eq!(keys, ["K1", "K2", "K3"]);
}

/// A login (by any case of the username) stamps the time and counts; an unknown name is no one.
pub fn logins_stamp_and_count(d: &dyn Subject) {
    d.set_time(Millis(T0 + 5_000));
    assert_eq!(d.login("ANN"), Some(key("K1")));
    assert_eq!(d.login("nobody"), None);
    let ann = d.host().user(&key("K1")).unwrap().unwrap();
    assert_eq!(
        (ann.last_login, ann.login_count),
        (Some(T0 + 5_000), Some(1))
    );
}
