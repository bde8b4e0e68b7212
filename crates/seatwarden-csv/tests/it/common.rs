//! A small synthetic directory the tests import into.

use seatwarden_core::{
    Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName, Millis, User,
    UserKey, Username,
};
use seatwarden_csv::InMemoryDirectory;

pub(crate) fn group(name: &str, admin: bool) -> Group {
    Group {
        name: GroupName::from(name),
        admin,
        licence: false,
    }
}

pub(crate) fn directories() -> Vec<Directory> {
    vec![
        Directory {
            id: DirectoryId(1),
            name: "Internal".into(),
            kind: DirectoryKind::Internal,
            capabilities: DirectoryCapabilities::ALL,
            local_groups: vec![],
        },
        Directory {
            id: DirectoryId(2),
            name: "Corporate LDAP".into(),
            kind: DirectoryKind::Ldap,
            capabilities: DirectoryCapabilities::NONE,
            local_groups: vec![GroupName::from("jira-software-users")],
        },
    ]
}

pub(crate) fn user(key: &str, name: &str, dir: i64, groups: &[&str]) -> User {
    User {
        key: UserKey::from(key),
        username: Username::from(name),
        display_name: format!("{name} Example"),
        email: format!("{name}@example.test"),
        directory: DirectoryId(dir),
        active: true,
        created: Millis(1_700_000_000_000),
        last_login: Some(Millis(1_750_000_000_000)),
        login_count: Some(7),
        deactivated_at: None,
        groups: groups.iter().map(|g| GroupName::from(*g)).collect(),
    }
}

pub(crate) fn groups() -> Vec<Group> {
    vec![
        group("jira-administrators", true),
        group("jira-software-users", false),
        group("developers", false),
        group("Contractors", false),
    ]
}

/// alice (internal, admin), bob (internal), carol (LDAP).
pub(crate) fn directory() -> InMemoryDirectory {
    InMemoryDirectory::new(
        vec![
            user("K1", "alice", 1, &["jira-administrators", "developers"]),
            user("K2", "bob", 1, &["developers"]),
            user("K3", "carol", 2, &["jira-software-users"]),
        ],
        groups(),
        directories(),
        vec![UserKey::from("K1")],
    )
}

pub(crate) fn empty_directory() -> InMemoryDirectory {
    InMemoryDirectory::new(vec![], groups(), directories(), vec![])
}

pub(crate) fn problems(err: &seatwarden_csv::Rejected) -> Vec<String> {
    err.0.kept().iter().map(ToString::to_string).collect()
}
