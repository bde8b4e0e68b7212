//! Every snapshot validation rule, each with the exact error it produces.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::index::{DirectoryIndex, IndexBuilder};
use seatwarden_core::snapshot::{
    self, Position, SnapshotError, SnapshotErrorKind, SnapshotHeader, TimeField,
};
use seatwarden_core::{DirectoryId, GroupName, Millis, UserKey};
use serde_json::{Value, json};

const T: i64 = 1_763_690_400_000; // 2025-11-21T02:00:00Z
const DAY: i64 = 86_400_000;

fn header() -> Value {
    json!({
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
            {"name": "developers"}
        ],
        "licences": [
            {"application": "jira-software", "name": "Jira Software",
             "limit": {"kind": "limited", "seats": 10}, "seatsUsed": 2,
             "groups": ["jira-software-users"]}
        ],
        "sysadmins": ["JIRAUSER10000"]
    })
}

fn user(key: &str, username: &str) -> Value {
    json!({
        "key": key, "username": username, "displayName": "Test Person",
        "email": format!("{username}@example.test"), "directoryId": 1, "active": true,
        "created": T - 400 * DAY, "lastLogin": T - 3 * DAY, "loginCount": 5,
        "groups": ["jira-software-users"]
    })
}

fn admin() -> Value {
    user("JIRAUSER10000", "admin")
}

fn file_with(header: Value, pages: Vec<Vec<Value>>) -> Vec<u8> {
    let pages: Vec<Value> = pages
        .into_iter()
        .map(|users| json!({ "users": users }))
        .collect();
    serde_json::to_vec(&json!({
        "format": "seatwarden-snapshot", "version": 1, "header": header, "pages": pages
    }))
    .unwrap()
}

fn file(pages: Vec<Vec<Value>>) -> Vec<u8> {
    file_with(header(), pages)
}

fn err(bytes: &[u8]) -> SnapshotError {
    let e = DirectoryIndex::from_snapshot_json(bytes).unwrap_err();
    // parse_file applies exactly the same rules.
    assert_eq!(snapshot::parse_file(bytes).unwrap_err(), e);
    e
}

fn at(page: u32, index: u32) -> Position {
    Position { page, index }
}

fn with(mut u: Value, field: &str, v: Value) -> Value {
    u[field] = v;
    u
}

#[test]
fn valid_snapshot_builds_an_index() {
    let bytes = file(vec![
        vec![admin(), user("JIRAUSER10001", "alice")],
        vec![with(user("JIRAUSER10002", "bob"), "lastLogin", Value::Null)],
    ]);
    let index = DirectoryIndex::from_snapshot_json(&bytes).unwrap();
    assert_eq!(index.user_count(), 3);
    assert_eq!(index.taken_at(), Millis(T));
    assert_eq!(index.never_logged_in_bitmap().len(), 1);
    let parsed = snapshot::parse_file(&bytes).unwrap();
    assert_eq!(parsed.pages.len(), 2);
    assert_eq!(parsed.pages[1].users[0].key, "JIRAUSER10002");
}

#[test]
fn malformed_json_reports_line_and_column() {
    let e = err(b"{\"format\": \"seatwarden-snapshot\",\n \"version\": 1,\n \"header\": {,}}");
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
    match e {
        SnapshotError::Json { line, column, .. } => assert_eq!((line, column), (3, 13)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_user_field_is_rejected_by_name() {
    let e = err(&file(vec![vec![with(admin(), "nickname", json!("x"))]]));
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
    assert!(e.to_string().contains("unknown field `nickname`"), "{e}");
}

#[test]
fn json_errors_never_echo_string_values() {
    // A username where a number belongs: the value must not appear in the error.
    let e = err(&file(vec![vec![with(
        admin(),
        "directoryId",
        json!("alice@example.test"),
    )]]));
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
    assert!(!e.to_string().contains("alice"), "{e}");
    assert!(
        e.to_string().contains("invalid type: string, expected i64"),
        "{e}"
    );
}

#[test]
fn wrong_format() {
    let mut v: Value = serde_json::from_slice(&file(vec![vec![admin()]])).unwrap();
    v["format"] = json!("something-else");
    let e = err(&serde_json::to_vec(&v).unwrap());
    assert_eq!(
        e,
        SnapshotError::Format {
            found: "something-else".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "field `format`: expected `seatwarden-snapshot`, found `something-else`"
    );
}

#[test]
fn wrong_version() {
    let mut v: Value = serde_json::from_slice(&file(vec![vec![admin()]])).unwrap();
    v["version"] = json!(2);
    let e = err(&serde_json::to_vec(&v).unwrap());
    assert_eq!(
        e,
        SnapshotError::Version {
            found: 2,
            supported: 1
        }
    );
    assert_eq!(
        e.to_string(),
        "field `version`: unsupported snapshot version 2, this build reads version 1"
    );
}

#[test]
fn missing_format_is_a_json_error() {
    let bytes =
        serde_json::to_vec(&json!({"version": 1, "header": header(), "pages": []})).unwrap();
    let e = err(&bytes);
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
    assert!(e.to_string().contains("missing field `format`"), "{e}");
}

#[test]
fn implausible_taken_at() {
    let mut h = header();
    h["takenAt"] = json!(1_763_690_400); // seconds, not ms
    let e = err(&file_with(h, vec![]));
    assert_eq!(
        e,
        SnapshotError::TakenAt {
            taken_at: 1_763_690_400
        }
    );
    assert_eq!(
        e.to_string(),
        "header: field `takenAt`: 1763690400 is before 1990-01-01, not a plausible instant"
    );
}

#[test]
fn duplicate_directory_id() {
    let mut h = header();
    h["directories"][1]["id"] = json!(1);
    let e = err(&file_with(h, vec![]));
    assert_eq!(e, SnapshotError::DuplicateDirectory { id: DirectoryId(1) });
    assert_eq!(
        e.to_string(),
        "header: field `directories`: duplicate directory id 1"
    );
}

#[test]
fn duplicate_group_case_insensitive() {
    let mut h = header();
    h["groups"][2]["name"] = json!("Jira-Administrators");
    let e = err(&file_with(h, vec![]));
    assert_eq!(
        e,
        SnapshotError::DuplicateGroup {
            group: GroupName::from("Jira-Administrators")
        }
    );
    assert_eq!(
        e.to_string(),
        "header: field `groups`: duplicate group `Jira-Administrators` (group names compare case-insensitively)"
    );
}

#[test]
fn licence_naming_unknown_group() {
    let mut h = header();
    h["licences"][0]["groups"] = json!(["jira-software-users", "jira-core-users"]);
    let e = err(&file_with(h, vec![]));
    assert_eq!(
        e,
        SnapshotError::LicenceUnknownGroup {
            application: "jira-software".into(),
            group: "jira-core-users".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "header: licence `jira-software`: field `groups`: unknown group `jira-core-users`"
    );
}

#[test]
fn unknown_sysadmin() {
    let e = err(&file(vec![vec![user("JIRAUSER10001", "alice")]]));
    assert_eq!(
        e,
        SnapshotError::UnknownSysadmin {
            key: UserKey::from("JIRAUSER10000")
        }
    );
    assert_eq!(
        e.to_string(),
        "header: field `sysadmins`: unknown user `JIRAUSER10000`"
    );
}

#[test]
fn empty_key() {
    let e = err(&file(vec![vec![admin(), user("", "alice")]]));
    assert_eq!(e, SnapshotError::EmptyKey { at: at(0, 1) });
    assert_eq!(
        e.to_string(),
        "user at pages[0].users[1]: field `key`: empty key"
    );
}

#[test]
fn empty_username() {
    let e = err(&file(vec![vec![admin(), user("JIRAUSER10001", "")]]));
    assert_eq!(
        e,
        SnapshotError::EmptyUsername {
            key: "JIRAUSER10001".into(),
            at: at(0, 1)
        }
    );
    assert_eq!(
        e.to_string(),
        "user `JIRAUSER10001` at pages[0].users[1]: field `username`: empty username"
    );
}

#[test]
fn duplicate_key_across_pages_names_both_positions() {
    let e = err(&file(vec![
        vec![admin(), user("JIRAUSER10001", "alice")],
        vec![user("JIRAUSER10002", "bob"), user("JIRAUSER10001", "carol")],
    ]));
    assert_eq!(
        e,
        SnapshotError::DuplicateKey {
            key: "JIRAUSER10001".into(),
            at: at(1, 1),
            first: at(0, 1)
        }
    );
    assert_eq!(
        e.to_string(),
        "user `JIRAUSER10001` at pages[1].users[1]: field `key`: duplicate key, first used at pages[0].users[1]"
    );
}

#[test]
fn duplicate_username_case_insensitive_names_keys_not_usernames() {
    let e = err(&file(vec![vec![
        admin(),
        user("JIRAUSER10001", "alice"),
        user("JIRAUSER10002", "ALICE"),
    ]]));
    assert_eq!(
        e,
        SnapshotError::DuplicateUsername {
            key: "JIRAUSER10002".into(),
            at: at(0, 2),
            other: "JIRAUSER10001".into()
        }
    );
    let text = e.to_string();
    assert_eq!(
        text,
        "user `JIRAUSER10002` at pages[0].users[2]: field `username`: already used by user `JIRAUSER10001` (usernames compare case-insensitively)"
    );
    assert!(!text.to_lowercase().contains("alice"));
}

#[test]
fn duplicate_username_with_non_ascii_case() {
    let e = err(&file(vec![vec![
        admin(),
        user("JIRAUSER10001", "émile"),
        user("JIRAUSER10002", "ÉMILE"),
    ]]));
    assert_eq!(e.kind(), SnapshotErrorKind::DuplicateUsername);
}

#[test]
fn membership_of_unknown_group() {
    let e = err(&file(vec![vec![
        admin(),
        with(
            user("JIRAUSER10432", "alice"),
            "groups",
            json!(["developers", "jira-admns"]),
        ),
    ]]));
    assert_eq!(
        e,
        SnapshotError::UnknownGroup {
            key: "JIRAUSER10432".into(),
            at: at(0, 1),
            group: "jira-admns".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "user `JIRAUSER10432` at pages[0].users[1]: field `groups`: unknown group `jira-admns`"
    );
    assert_eq!(e.position(), Some(at(0, 1)));
}

#[test]
fn membership_matches_group_names_case_insensitively() {
    let bytes = file(vec![vec![with(admin(), "groups", json!(["DEVELOPERS"]))]]);
    let index = DirectoryIndex::from_snapshot_json(&bytes).unwrap();
    assert_eq!(index.group_bitmap(&"developers".into()).unwrap().len(), 1);
}

#[test]
fn unknown_directory() {
    let e = err(&file(vec![vec![
        admin(),
        with(user("JIRAUSER10001", "alice"), "directoryId", json!(7)),
    ]]));
    assert_eq!(
        e,
        SnapshotError::UnknownDirectory {
            key: "JIRAUSER10001".into(),
            at: at(0, 1),
            directory: 7
        }
    );
    assert_eq!(
        e.to_string(),
        "user `JIRAUSER10001` at pages[0].users[1]: field `directoryId`: unknown directory 7"
    );
}

#[test]
fn created_before_1990() {
    let e = err(&file(vec![vec![with(admin(), "created", json!(0))]]));
    assert_eq!(
        e,
        SnapshotError::TooEarly {
            key: "JIRAUSER10000".into(),
            at: at(0, 0),
            field: TimeField::Created,
            value: 0
        }
    );
    assert_eq!(
        e.to_string(),
        "user `JIRAUSER10000` at pages[0].users[0]: field `created`: 0 is before 1990-01-01, not a plausible instant"
    );
}

#[test]
fn last_login_in_seconds_is_too_early() {
    let e = err(&file(vec![vec![with(
        admin(),
        "lastLogin",
        json!(1_700_000_000),
    )]]));
    assert_eq!(
        e,
        SnapshotError::TooEarly {
            key: "JIRAUSER10000".into(),
            at: at(0, 0),
            field: TimeField::LastLogin,
            value: 1_700_000_000
        }
    );
}

#[test]
fn last_login_after_taken_at_plus_a_day() {
    let e = err(&file(vec![vec![with(
        admin(),
        "lastLogin",
        json!(T + DAY + 1),
    )]]));
    assert_eq!(
        e,
        SnapshotError::TooLate {
            key: "JIRAUSER10000".into(),
            at: at(0, 0),
            field: TimeField::LastLogin,
            value: T + DAY + 1,
            taken_at: T
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "user `JIRAUSER10000` at pages[0].users[0]: field `lastLogin`: {} is more than a day after the snapshot's `takenAt` ({T})",
            T + DAY + 1
        )
    );
}

#[test]
fn last_login_within_the_skew_allowance_is_accepted() {
    let bytes = file(vec![vec![with(admin(), "lastLogin", json!(T + DAY))]]);
    DirectoryIndex::from_snapshot_json(&bytes).unwrap();
}

#[test]
fn created_in_the_future() {
    let e = err(&file(vec![vec![with(
        admin(),
        "created",
        json!(T + 2 * DAY),
    )]]));
    assert_eq!(e.kind(), SnapshotErrorKind::TooLate);
    assert!(e.to_string().contains("field `created`"));
}

#[test]
fn deactivated_at_checked_too() {
    let u = with(
        with(admin(), "active", json!(false)),
        "deactivatedAt",
        json!(12),
    );
    let e = err(&file(vec![vec![u]]));
    assert_eq!(
        e,
        SnapshotError::TooEarly {
            key: "JIRAUSER10000".into(),
            at: at(0, 0),
            field: TimeField::DeactivatedAt,
            value: 12
        }
    );
}

#[test]
fn last_login_before_created_is_accepted() {
    // Real directories have this (users re-synced from LDAP, migrated
    // instances): the account row is newer than the person's last login.
    let u = with(admin(), "lastLogin", json!(T - 500 * DAY));
    let index = DirectoryIndex::from_snapshot_json(&file(vec![vec![u]])).unwrap();
    assert_eq!(index.user_count(), 1);
}

#[test]
fn login_count_sentinel_is_out_of_range() {
    let e = err(&file(vec![vec![with(
        admin(),
        "loginCount",
        json!(u32::MAX),
    )]]));
    assert_eq!(
        e,
        SnapshotError::LoginCountOutOfRange {
            key: "JIRAUSER10000".into(),
            at: at(0, 0),
            value: u32::MAX
        }
    );
}

#[test]
fn negative_login_count_is_a_type_error() {
    let e = err(&file(vec![vec![with(admin(), "loginCount", json!(-1))]]));
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
}

#[test]
fn too_many_directories() {
    let mut header: SnapshotHeader = serde_json::from_value(header()).unwrap();
    let template = header.directories[0].clone();
    header.directories = (0..=65_536)
        .map(|i| {
            let mut d = template.clone();
            d.id = DirectoryId(i);
            d
        })
        .collect();
    let e = IndexBuilder::new(header).unwrap_err();
    assert_eq!(
        e,
        SnapshotError::TooLarge {
            what: "more than 65535 directories"
        }
    );
}

#[test]
fn pages_before_header_are_still_validated_and_indexed() {
    let bytes = serde_json::to_vec(&json!({
        "pages": [{"users": [admin(), user("JIRAUSER10001", "alice")]}],
        "header": header(), "version": 1, "format": "seatwarden-snapshot"
    }))
    .unwrap();
    let index = DirectoryIndex::from_snapshot_json(&bytes).unwrap();
    assert_eq!(index.user_count(), 2);
    let bad = serde_json::to_vec(&json!({
        "pages": [{"users": [admin(), with(user("JIRAUSER10001", "alice"), "directoryId", json!(9))]}],
        "header": header(), "version": 1, "format": "seatwarden-snapshot"
    }))
    .unwrap();
    assert_eq!(err(&bad).kind(), SnapshotErrorKind::UnknownDirectory);
}

#[test]
fn paged_build_rolls_back_a_bad_page_and_continues() {
    let mut b = IndexBuilder::from_header_json(&serde_json::to_vec(&header()).unwrap()).unwrap();
    b.add_page_json(&serde_json::to_vec(&json!({"users": [admin()]})).unwrap())
        .unwrap();
    let bad = json!({"users": [user("JIRAUSER10001", "alice"), with(user("JIRAUSER10002", "bob"), "groups", json!(["nope"]))]});
    let e = b
        .add_page_json(&serde_json::to_vec(&bad).unwrap())
        .unwrap_err();
    assert_eq!(
        e,
        SnapshotError::UnknownGroup {
            key: "JIRAUSER10002".into(),
            at: at(1, 1),
            group: "nope".into()
        }
    );
    assert_eq!(b.user_count(), 1, "the bad page left nothing behind");
    assert_eq!(b.page_count(), 1);
    // Truncated JSON also rolls back.
    let e = b
        .add_page_json(br#"{"users": [{"key": "JIRAUSER10001""#)
        .unwrap_err();
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
    assert_eq!((b.user_count(), b.page_count()), (1, 1));
    let good = json!({"users": [user("JIRAUSER10001", "alice"), user("JIRAUSER10002", "bob")]});
    b.add_page_json(&serde_json::to_vec(&good).unwrap())
        .unwrap();
    let index = b.finish().unwrap();
    assert_eq!(index.user_count(), 3);
    assert_eq!(
        index.key(index.index_of_username("BOB").unwrap()),
        "JIRAUSER10002"
    );
}

#[test]
fn paged_build_positions_count_pages_sent() {
    let mut b = IndexBuilder::from_header_json(&serde_json::to_vec(&header()).unwrap()).unwrap();
    b.add_page_json(&serde_json::to_vec(&json!({"users": [admin()]})).unwrap())
        .unwrap();
    b.add_page_json(
        &serde_json::to_vec(&json!({"users": [user("JIRAUSER10001", "alice")]})).unwrap(),
    )
    .unwrap();
    b.add_page_json(
        &serde_json::to_vec(
            &json!({"users": [user("JIRAUSER10002", "x"), user("JIRAUSER10001", "bob")]}),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        b.finish().unwrap_err(),
        SnapshotError::DuplicateKey {
            key: "JIRAUSER10001".into(),
            at: at(2, 1),
            first: at(1, 0)
        }
    );
}

#[test]
fn header_message_validates_like_the_file() {
    let mut h = header();
    h["groups"][1]["name"] = json!("JIRA-SOFTWARE-USERS");
    let e = snapshot::parse_header(&serde_json::to_vec(&h).unwrap()).unwrap_err();
    assert_eq!(e.kind(), SnapshotErrorKind::DuplicateGroup);
    let ok = snapshot::parse_header(&serde_json::to_vec(&header()).unwrap()).unwrap();
    assert_eq!(ok.taken_at, Millis(T));
}

#[test]
fn escaped_strings_are_read_correctly() {
    let u = with(
        user("JIRAUSER10001", "al\\\"ice"),
        "displayName",
        json!("Ål \"quoted\""),
    );
    let index = DirectoryIndex::from_snapshot_json(&file(vec![vec![admin(), u]])).unwrap();
    let i = index.index_of_username("AL\\\"ICE").unwrap();
    assert_eq!(index.user(i).unwrap().display_name(), "Ål \"quoted\"");
}

#[test]
fn invalid_utf8_is_located() {
    let mut bytes = file(vec![vec![admin()]]);
    let at = bytes.windows(5).position(|w| w == b"admin").unwrap();
    bytes[at] = 0xff;
    let e = err(&bytes);
    assert_eq!(e.kind(), SnapshotErrorKind::Json);
    match e {
        SnapshotError::Json {
            line,
            column,
            message,
        } => {
            assert_eq!(
                (line, column, message.as_str()),
                (1, at + 1, "invalid UTF-8")
            );
        }
        other => panic!("{other:?}"),
    }
}
