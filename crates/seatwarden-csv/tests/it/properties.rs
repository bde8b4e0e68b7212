//! Properties: export → import round-trips every user field; no exported
//! cell can start a formula; no input makes the importers panic.

use proptest::prelude::*;
use seatwarden_core::{
    ApplicationKey, DirectoryId, GroupName, Licence, Millis, SeatLimit, User, UserKey, Username,
};
use seatwarden_csv::cell::starts_formula;
use seatwarden_csv::{
    ExportContext, ExportOptions, ImportOptions, InMemoryDirectory, RowPlan, UserColumn,
    export_users, plan_users, read_users_export, validate_users,
};

use crate::common::{directories, groups};

/// Text that starts with formula triggers, quotes, separators and
/// non-ASCII as often as with letters.
fn tricky_text() -> impl Strategy<Value = String> {
    let start = prop_oneof![
        Just(""),
        Just("="),
        Just("+"),
        Just("-"),
        Just("@"),
        Just("'"),
        Just("''"),
        Just("\""),
        Just("＝"),
        Just(" "),
        Just("é"),
    ];
    (start, "[a-zA-Z0-9 ,;\"'=+@.é漢-]{0,12}", "[a-zA-Z0-9]{1,4}")
        .prop_map(|(s, mid, end)| format!("{s}{mid}{end}"))
}

fn username() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(""),
            Just("="),
            Just("-"),
            Just("@"),
            Just("'"),
            Just("+")
        ],
        "[a-z0-9._@ -]{0,10}",
        "[a-z0-9]{1,6}",
    )
        .prop_map(|(s, m, e)| format!("{s}u{m}{e}"))
}

fn email() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just(""), Just("="), Just("-"), Just("+"), Just("'")],
        "[a-z0-9_+=-]{0,8}",
        "[a-z0-9]{1,5}",
        "[a-z]{2,6}",
    )
        .prop_map(|(s, m, e, tld)| format!("{s}e{m}{e}@example.{tld}"))
}

const GROUPS: [&str; 4] = [
    "jira-software-users",
    "developers",
    "Contractors",
    "jira-administrators",
];

fn users() -> impl Strategy<Value = Vec<User>> {
    prop::collection::vec(
        (
            username(),
            tricky_text(),
            email(),
            any::<bool>(),
            prop_oneof![Just(1i64), Just(2i64)],
            631_152_000_000i64..4_102_444_800_000,
            prop::option::of(631_152_000_000i64..4_102_444_800_000),
            prop::option::of(any::<u32>()),
            prop::sample::subsequence(GROUPS.to_vec(), 0..=4),
        ),
        1..20,
    )
    .prop_map(|rows| {
        let mut seen = std::collections::HashSet::new();
        rows.into_iter()
            .enumerate()
            .filter(|(_, r)| seen.insert(r.0.to_lowercase()))
            .map(
                |(i, (name, display, email, active, dir, created, last, count, groups))| User {
                    key: UserKey::from(format!("KEY-{i}")),
                    username: Username::from(name),
                    display_name: display,
                    email,
                    directory: DirectoryId(dir),
                    active,
                    created: Millis(created),
                    last_login: last.map(Millis),
                    login_count: count,
                    deactivated_at: None,
                    groups: groups.into_iter().map(GroupName::from).collect(),
                },
            )
            .collect()
    })
}

fn context() -> ExportContext {
    let licence = Licence {
        application: ApplicationKey::from("jira-software"),
        name: "Jira Software".into(),
        limit: SeatLimit::Unlimited,
        seats_used: 0,
        groups: vec![GroupName::from("jira-software-users")],
    };
    ExportContext::new(&directories(), &[licence])
}

fn export(users: &[User], bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let options = ExportOptions {
        columns: UserColumn::ALL.to_vec(),
        bom,
    };
    export_users(&mut out, &options, &context(), users).unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn export_then_read_round_trips_every_field(users in users(), bom in any::<bool>()) {
        let bytes = export(&users, bom);
        let back = read_users_export(bytes.as_slice()).unwrap();
        prop_assert_eq!(back.len(), users.len());
        for (u, r) in users.iter().zip(&back) {
            prop_assert_eq!(r.key.as_deref(), Some(u.key.as_str()));
            prop_assert_eq!(r.username.as_deref(), Some(u.username.as_str()));
            prop_assert_eq!(r.display_name.as_deref(), Some(u.display_name.as_str()));
            prop_assert_eq!(r.email.as_deref(), Some(u.email.as_str()));
            let dir = directories().into_iter().find(|d| d.id == u.directory).unwrap();
            prop_assert_eq!(r.directory.as_deref(), Some(dir.name.as_str()));
            prop_assert_eq!(r.active, Some(u.active));
            // No Data Center directory has the state: the cell is empty.
            prop_assert_eq!(r.suspended, Some(None));
            prop_assert_eq!(r.created, Some(u.created));
            prop_assert_eq!(r.last_login, Some(u.last_login));
            prop_assert_eq!(r.login_count, Some(u.login_count));
            let groups: Vec<String> = u.groups.iter().map(ToString::to_string).collect();
            prop_assert_eq!(r.groups.as_ref(), Some(&groups));
            let licensed = u.groups.iter().any(|g| g.as_str() == "jira-software-users");
            let apps: Vec<String> = if licensed { vec!["jira-software".into()] } else { vec![] };
            prop_assert_eq!(r.licensed_applications.as_ref(), Some(&apps));
        }
    }

    #[test]
    fn export_then_import_recreates_every_user(users in users()) {
        // Only the internal directory accepts new users and any membership.
        let users: Vec<User> = users.into_iter().map(|mut u| { u.directory = DirectoryId(1); u }).collect();
        let bytes = export(&users, true);
        let empty = InMemoryDirectory::new(vec![], groups(), directories(), vec![]);
        let plan = plan_users(bytes.as_slice(), &empty, &ImportOptions::default()).unwrap();
        prop_assert_eq!(plan.rows.len(), users.len());
        for (u, row) in users.iter().zip(&plan.rows) {
            let RowPlan::Create { create, groups, .. } = &row.plan else {
                return Err(TestCaseError::fail("expected a create"));
            };
            prop_assert_eq!(create, &seatwarden_core::Operation::CreateUser {
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                email: u.email.clone(),
                directory: Some(u.directory),
                active: u.active,
            });
            prop_assert_eq!(groups, &u.groups);
        }
        // Importing the export into the directory it came from changes nothing.
        let same = InMemoryDirectory::new(users.clone(), groups(), directories(), vec![]);
        let summary = validate_users(bytes.as_slice(), &same, &ImportOptions::default()).unwrap();
        prop_assert_eq!(summary.unchanged, users.len() as u64);
    }

    #[test]
    fn no_exported_cell_starts_a_formula(
        texts in prop::collection::vec(any::<String>(), 3),
        group in any::<String>(),
    ) {
        let user = User {
            key: UserKey::from(texts[0].clone()),
            username: Username::from(texts[1].clone()),
            display_name: texts[2].clone(),
            email: texts[0].clone(),
            directory: DirectoryId(99),
            active: true,
            created: Millis(-1),
            last_login: None,
            login_count: None,
            deactivated_at: None,
            groups: vec![GroupName::from(group)],
        };
        let bytes = export(&[user], false);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
        for record in reader.byte_records() {
            for cell in record.unwrap().iter() {
                prop_assert!(!starts_formula(cell), "{:?}", String::from_utf8_lossy(cell));
            }
        }
    }

    /// The stable-Rust stand-in for the fuzz target: arbitrary bytes never
    /// make the importers panic, and every problem has a real position.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_no_panic(&bytes)?;
    }

    /// Arbitrary CSV-shaped input: the same, with the structure bytes
    /// (quotes, separators, line ends, BOM pieces) much more frequent.
    #[test]
    fn arbitrary_csv_never_panics(parts in prop::collection::vec(prop_oneof![
        Just(&b"username,email,display name,groups,active,directory\r\n"[..]),
        Just(&b","[..]), Just(&b"\""[..]), Just(&b"\r"[..]), Just(&b"\n"[..]), Just(&b";"[..]),
        Just(&b"\xEF\xBB\xBF"[..]), Just(&b"\xFF"[..]), Just(&b"bob"[..]), Just(&b"x@y.z"[..]),
        Just(&b"developers"[..]), Just(&b"true"[..]), Just(&b"Internal"[..]), Just(&b"="[..]),
    ], 0..200)) {
        let bytes: Vec<u8> = parts.concat();
        check_no_panic(&bytes)?;
    }
}

fn check_no_panic(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = crate::common::directory();
    for options in [
        ImportOptions::default(),
        ImportOptions {
            create_missing_groups: true,
            remove_unlisted_groups: true,
            ..ImportOptions::default()
        },
    ] {
        if let Err(e) = validate_users(bytes, &dir, &options) {
            prop_assert!(e.0.total() >= 1);
            for p in e.0.kept() {
                prop_assert!(p.position.line >= 1, "{}", p);
            }
        }
    }
    let _ = seatwarden_csv::atlassian::read_atlassian_export(bytes, Millis(0));
    let _ = seatwarden_csv::groups::plan_group_file(bytes, &dir);
    let _ = read_users_export(bytes);
    Ok(())
}
