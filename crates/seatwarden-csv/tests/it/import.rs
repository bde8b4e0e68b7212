use seatwarden_core::{DirectoryId, GroupName, Operation, UserKey, Username};
use seatwarden_csv::import::NoteKind;
use seatwarden_csv::{
    ImportOptions, NewUserNotices, RowPlan, TEMPLATE, plan_users, stream_users, validate_users,
};

use crate::common::{directory, empty_directory, problems};

const HEADER: &str = "username,email,display name,groups,active,directory\r\n";

#[test]
fn plans_creates_updates_and_unchanged_rows() {
    let file = format!(
        "{HEADER}\
         dave,dave@example.test,Dave Example,developers;JIRA-SOFTWARE-USERS,,\r\n\
         BOB,,,developers;contractors,false,\r\n\
         alice,alice@example.test,alice Example,developers,,Internal\r\n"
    );
    let options = ImportOptions {
        notices: NewUserNotices {
            welcome: true,
            password_reset: false,
        },
        ..ImportOptions::default()
    };
    let plan = plan_users(file.as_bytes(), &directory(), &options).unwrap();
    assert_eq!(
        (
            plan.summary.rows,
            plan.summary.create,
            plan.summary.update,
            plan.summary.unchanged
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(plan.rows[0].line, 2);
    assert_eq!(
        plan.rows[0].plan,
        RowPlan::Create {
            create: Operation::CreateUser {
                username: Username::from("dave"),
                display_name: "Dave Example".into(),
                email: "dave@example.test".into(),
                directory: Some(DirectoryId(1)),
                active: true,
            },
            groups: vec![
                GroupName::from("developers"),
                GroupName::from("jira-software-users")
            ],
            notices: NewUserNotices {
                welcome: true,
                password_reset: false,
            },
        }
    );
    let key = UserKey::from("K9");
    assert_eq!(plan.rows[0].operations(Some(&key)).len(), 3);
    assert_eq!(
        plan.rows[1].plan,
        RowPlan::Update {
            user: UserKey::from("K2"),
            operations: vec![
                Operation::Deactivate {
                    user: UserKey::from("K2")
                },
                Operation::AddToGroup {
                    user: UserKey::from("K2"),
                    group: GroupName::from("Contractors"),
                },
            ],
        }
    );
    assert_eq!(
        plan.rows[2].plan,
        RowPlan::Unchanged {
            user: UserKey::from("K1")
        }
    );
}

#[test]
fn every_problem_has_line_column_and_reason() {
    let file = format!(
        "{HEADER}\
         ok1,ok1@example.test,Ok One,developers,,\r\n\
         ,x@example.test,No Name,,,\r\n\
         newbie,not-an-email,,ghost;developers,maybe,Nowhere\r\n\
         dup,dup@example.test,Dup,,,\r\n\
         DUP,dup2@example.test,Dup Two,,,\r\n\
         short,row\r\n"
    );
    let err = validate_users(file.as_bytes(), &directory(), &ImportOptions::default()).unwrap_err();
    assert_eq!(
        problems(&err),
        vec![
            "line 3, column 1 (`username`): a value is required",
            "line 4, column 2 (`email`): invalid email address",
            "line 4, column 3 (`display name`): a value is required",
            "line 4, column 4 (`groups`): unknown group `ghost`",
            "line 4, column 5 (`active`): expected true/false, yes/no, y/n, 1/0 or active/inactive (any case)",
            "line 4, column 6 (`directory`): unknown directory `Nowhere`",
            "line 6, column 1 (`username`): duplicate username: first on line 5",
            "line 7: expected 6 field(s), found 2",
        ]
    );
    assert_eq!(
        err.to_string(),
        "the file has 8 problem(s); nothing was changed"
    );
    // No personal data in any message.
    for p in problems(&err) {
        assert!(!p.contains("not-an-email") && !p.contains("dup@"), "{p}");
    }
}

#[test]
fn missing_groups_become_notes_when_allowed() {
    let file = format!(
        "{HEADER}newbie,n@example.test,New Bie,ghost;Ghost;developers,,\r\nother,o@example.test,O,ghost,,\r\n"
    );
    let options = ImportOptions {
        create_missing_groups: true,
        ..ImportOptions::default()
    };
    let plan = plan_users(file.as_bytes(), &directory(), &options).unwrap();
    assert_eq!(
        plan.summary.groups_to_create,
        vec![GroupName::from("ghost")]
    );
    assert_eq!(
        plan.group_operations,
        vec![Operation::CreateGroup {
            group: GroupName::from("ghost")
        }]
    );
    assert_eq!(plan.summary.notes.len(), 1);
    assert_eq!(
        plan.summary.notes[0].position.to_string(),
        "line 2, column 4 (`groups`)"
    );
    assert_eq!(
        plan.summary.notes[0].kind,
        NoteKind::GroupWillBeCreated("ghost".into())
    );
    match &plan.rows[0].plan {
        RowPlan::Create { groups, .. } => {
            assert_eq!(
                groups,
                &vec![GroupName::from("ghost"), GroupName::from("developers")]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn read_only_directories_and_sysadmins_are_respected() {
    let file = format!(
        "{HEADER}\
         carol,carol@example.test,Carol Renamed,jira-software-users;developers,,\r\n\
         newbie,n@example.test,New,,,Corporate LDAP\r\n\
         alice,,,,false,\r\n\
         bob,,,,,Corporate LDAP\r\n"
    );
    let err = validate_users(file.as_bytes(), &directory(), &ImportOptions::default()).unwrap_err();
    assert_eq!(
        problems(&err),
        vec![
            "line 2, column 3 (`display name`): directory `Corporate LDAP` does not allow updating users",
            "line 2, column 4 (`groups`): directory `Corporate LDAP` does not allow changing memberships of `developers`",
            "line 3, column 6 (`directory`): directory `Corporate LDAP` does not allow creating users",
            "line 4, column 5 (`active`): the user is a system administrator and is protected from this change",
            "line 5, column 6 (`directory`): the user lives in directory `Internal`; moving users between directories is not supported",
        ]
    );
}

#[test]
fn local_groups_of_a_read_only_directory_can_change() {
    let file = format!("{HEADER}carol,,,jira-software-users,,\r\n");
    let summary = validate_users(file.as_bytes(), &directory(), &ImportOptions::default()).unwrap();
    assert_eq!(summary.unchanged, 1);
}

#[test]
fn remove_unlisted_groups_syncs_memberships() {
    let file = format!("{HEADER}bob,,,contractors,,\r\n");
    let options = ImportOptions {
        remove_unlisted_groups: true,
        ..ImportOptions::default()
    };
    let plan = plan_users(file.as_bytes(), &directory(), &options).unwrap();
    assert_eq!(
        plan.rows[0].operations(None),
        vec![
            Operation::AddToGroup {
                user: UserKey::from("K2"),
                group: GroupName::from("Contractors")
            },
            Operation::RemoveFromGroup {
                user: UserKey::from("K2"),
                group: GroupName::from("developers")
            },
        ]
    );
    // Never strip a sysadmin.
    let file = format!("{HEADER}alice,,,developers,,\r\n");
    let err = validate_users(file.as_bytes(), &directory(), &options).unwrap_err();
    assert_eq!(
        problems(&err),
        vec![
            "line 2, column 4 (`groups`): the user is a system administrator and is protected from this change"
        ]
    );
}

#[test]
fn template_is_a_valid_import() {
    let summary =
        validate_users(TEMPLATE.as_bytes(), &directory(), &ImportOptions::default()).unwrap();
    assert_eq!((summary.rows, summary.create), (1, 1));
}

#[test]
fn all_or_nothing_a_late_error_rejects_the_file() {
    let mut file = String::from(HEADER);
    for i in 0..500 {
        file.push_str(&format!("u{i},u{i}@example.test,User {i},developers,,\r\n"));
    }
    file.push_str("broken,broken,Broken,developers,,\r\n");
    let err = plan_users(
        file.as_bytes(),
        &empty_directory(),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        problems(&err),
        vec!["line 502, column 2 (`email`): invalid email address"]
    );
    // Streaming hands out rows, but still reports the problem at the end.
    let mut streamed = 0;
    let r = stream_users(
        file.as_bytes(),
        &empty_directory(),
        &ImportOptions::default(),
        |_| streamed += 1,
    );
    assert!(r.is_err());
    assert_eq!(streamed, 500);
}

#[test]
fn problem_list_is_bounded() {
    let mut file = String::from(HEADER);
    for _ in 0..50 {
        file.push_str("x,bad,X,,,\r\n");
    }
    let options = ImportOptions {
        max_problems: 10,
        ..ImportOptions::default()
    };
    let err = validate_users(file.as_bytes(), &empty_directory(), &options).unwrap_err();
    // 50 bad emails + 49 duplicates.
    assert_eq!(err.0.total(), 99);
    assert_eq!(err.0.kept().len(), 10);
    assert!(err.0.to_string().ends_with("… and 89 more problem(s)\n"));
}

#[test]
fn export_only_columns_are_ignored_but_unknown_ones_rejected() {
    let file = "key,username,email,display name,groups,last login,licensed applications\r\nK2,bob,,,,,\r\n";
    let s = validate_users(file.as_bytes(), &directory(), &ImportOptions::default()).unwrap();
    assert_eq!(s.unchanged, 1);
    let file = "username,emial,email,display name,groups\r\n";
    let err = validate_users(file.as_bytes(), &directory(), &ImportOptions::default()).unwrap_err();
    assert_eq!(
        problems(&err),
        vec!["line 1, column 2 (`emial`): unknown column `emial`"]
    );
}
