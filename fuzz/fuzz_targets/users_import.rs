//! Fuzzes the users-import parser and validator with arbitrary bytes: it
//! must never panic, and every problem it reports must have a position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seatwarden_core::{
    Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName, Millis, User,
    UserKey, Username,
};
use seatwarden_csv::{ImportOptions, InMemoryDirectory, validate_users};

fn directory() -> InMemoryDirectory {
    let dir = |id, name: &str, capabilities| Directory {
        id: DirectoryId(id),
        name: name.into(),
        kind: DirectoryKind::Internal,
        capabilities,
        local_groups: vec![GroupName::from("local")],
    };
    let user = User {
        key: UserKey::from("K1"),
        username: Username::from("bob"),
        display_name: "Bob".into(),
        email: "bob@example.test".into(),
        directory: DirectoryId(1),
        active: true,
        created: Millis(0),
        last_login: None,
        login_count: None,
        deactivated_at: None,
        groups: vec![GroupName::from("developers")],
    };
    let group = |n: &str| Group {
        name: GroupName::from(n),
        admin: false,
        licence: false,
    };
    InMemoryDirectory::new(
        vec![user],
        vec![group("developers"), group("local")],
        vec![
            dir(1, "Internal", DirectoryCapabilities::ALL),
            dir(2, "LDAP", DirectoryCapabilities::NONE),
        ],
        vec![UserKey::from("K1")],
    )
}

fuzz_target!(|data: &[u8]| {
    let target = directory();
    for options in [
        ImportOptions::default(),
        ImportOptions {
            create_missing_groups: true,
            remove_unlisted_groups: true,
            ..ImportOptions::default()
        },
    ] {
        if let Err(rejected) = validate_users(data, &target, &options) {
            assert!(rejected.0.total() >= 1);
            for p in rejected.0.kept() {
                assert!(p.position.line >= 1);
                let _ = p.to_string();
            }
        }
    }
});
