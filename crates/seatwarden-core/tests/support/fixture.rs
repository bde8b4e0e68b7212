//! A small hand-made directory whose every query answer can be worked out
//! by reading it. Shared by the `index_`, `query_` and `dashboard_` tests.
#![allow(dead_code)]

use seatwarden_core::index::DirectoryIndex;
use serde_json::{Value, json};

/// 2025-11-21T02:00:00Z.
pub(crate) const T: i64 = 1_763_690_400_000;
pub(crate) const DAY: i64 = 86_400_000;

#[allow(clippy::too_many_arguments)]
fn user(
    n: u32,
    username: &str,
    display: &str,
    email: &str,
    dir: i64,
    active: bool,
    created_days_ago: i64,
    last_login_days_ago: Option<i64>,
    groups: &[&str],
) -> Value {
    json!({
        "key": format!("JIRAUSER{}", 10_000 + n),
        "username": username, "displayName": display, "email": email,
        "directoryId": dir, "active": active,
        "created": T - created_days_ago * DAY,
        "lastLogin": last_login_days_ago.map(|d| T - d * DAY),
        "loginCount": if last_login_days_ago.is_some() { Some(3) } else { Some(0) },
        "groups": groups,
    })
}

/// Users (key JIRAUSER1000n), in index order:
/// 0 admin  dir 1, active, created -900d, last login -1d,   jira-administrators + jira-software-users (sysadmin)
/// 1 alice  dir 1, active, created -400d, last login -10d,  jira-software-users + developers
/// 2 Bob    dir 2, active, created -300d, last login -100d, developers
/// 3 carol  dir 1, DEACTIVATED, created -500d, last login -200d, jira-software-users
/// 4 dave   dir 2, active, created -20d, never,             jira-software-users + contractors
/// 5 erin   dir 1, active, created -5d,  never,             (no groups), shared@example.test
/// 6 frank  dir 1, active, created -60d, last login -40d,   contractors, shared@example.test
/// Licensed (active ∧ jira-software-users): admin, alice, dave.
pub(crate) fn snapshot_json() -> Vec<u8> {
    let users = [
        user(
            0,
            "admin",
            "Site Admin",
            "admin@example.test",
            1,
            true,
            900,
            Some(1),
            &["jira-administrators", "jira-software-users"],
        ),
        user(
            1,
            "alice",
            "Alice Archer",
            "alice@example.test",
            1,
            true,
            400,
            Some(10),
            &["jira-software-users", "developers"],
        ),
        user(
            2,
            "Bob",
            "Bob Baker",
            "bob@example.test",
            2,
            true,
            300,
            Some(100),
            &["Developers"],
        ),
        user(
            3,
            "carol",
            "Carol Cooper",
            "carol@example.test",
            1,
            false,
            500,
            Some(200),
            &["jira-software-users"],
        ),
        user(
            4,
            "dave",
            "Dave Dunn",
            "dave@example.test",
            2,
            true,
            20,
            None,
            &["jira-software-users", "contractors"],
        ),
        user(
            5,
            "erin",
            "Erin Ellis",
            "shared@example.test",
            1,
            true,
            5,
            None,
            &[],
        ),
        user(
            6,
            "frank",
            "Frank Ford",
            "Shared@Example.test",
            1,
            true,
            60,
            Some(40),
            &["contractors"],
        ),
    ];
    serde_json::to_vec(&json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": T,
            "directories": [
                {"id": 1, "name": "Internal", "kind": "internal",
                 "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                                  "createUser": true, "updateMembership": true}},
                {"id": 2, "name": "Corporate LDAP", "kind": "ldap", "capabilities": {}}
            ],
            "groups": [
                {"name": "jira-software-users", "licence": true},
                {"name": "jira-administrators", "admin": true},
                {"name": "developers"},
                {"name": "contractors"},
                {"name": "confluence-users", "licence": true}
            ],
            "licences": [
                {"application": "jira-software", "name": "Jira Software",
                 "limit": {"kind": "limited", "seats": 10}, "seatsUsed": 2,
                 "groups": ["jira-software-users"]},
                {"application": "confluence", "name": "Confluence",
                 "limit": {"kind": "unlimited"}, "seatsUsed": 0,
                 "groups": ["confluence-users"]}
            ],
            "sysadmins": ["JIRAUSER10000"]
        },
        "pages": [{"users": users[..4].to_vec()}, {"users": users[4..].to_vec()}]
    }))
    .unwrap()
}

pub(crate) fn index() -> DirectoryIndex {
    DirectoryIndex::from_snapshot_json(&snapshot_json()).unwrap()
}
