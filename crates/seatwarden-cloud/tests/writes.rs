//! Writes: managed-only deactivation, idempotency, and credentials that may
//! not write.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{org, start, user};
use seatwarden_cloud::fake::{Credentials, KeyKind};
use seatwarden_cloud::mapping::EXTERNAL_CANNOT_DEACTIVATE;
use seatwarden_cloud::wire::{AccountStatus, MembershipStatus};
use seatwarden_cloud::{CloudError, CloudWrite, Credential, Permission};
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_service::host::Host;

fn two_users() -> seatwarden_cloud::fake::FakeOrg {
    org(
        vec![
            user(
                "managed-1",
                true,
                Some(200),
                &["jira-software-users", "staff"],
            ),
            user("external-1", false, Some(200), &["jira-software-users"]),
        ],
        10,
    )
}

#[test]
fn external_users_are_never_sent_a_deactivate() {
    let (fake, host, _) = start(two_users(), Credentials::default());
    host.refresh().unwrap();
    assert_eq!(
        host.apply(&Operation::Deactivate {
            user: "external-1".into()
        }),
        Err(OperationFailure::Vetoed(
            EXTERNAL_CANNOT_DEACTIVATE.to_owned()
        ))
    );
    assert_eq!(
        host.write(&CloudWrite::Deactivate("external-1".into())),
        Err(OperationFailure::Vetoed(
            EXTERNAL_CANNOT_DEACTIVATE.to_owned()
        ))
    );
    assert!(
        fake.write_attempts().is_empty(),
        "nothing sent: {:?}",
        fake.write_attempts()
    );
    // Suspending an external account is allowed.
    host.write(&CloudWrite::Suspend("external-1".into()))
        .unwrap();
    assert_eq!(
        fake.user("external-1").unwrap().membership_status,
        MembershipStatus::Suspended
    );
    // A managed account is deactivated through the user management API.
    host.apply(&Operation::Deactivate {
        user: "managed-1".into(),
    })
    .unwrap();
    let writes: Vec<String> = fake.writes().into_iter().map(|w| w.path).collect();
    assert_eq!(
        writes,
        [
            "/admin/v2/orgs/org-1/directories/-/users/external-1/suspend",
            "/users/managed-1/manage/lifecycle/disable"
        ]
    );
    assert_eq!(
        fake.user("managed-1").unwrap().account_status,
        AccountStatus::Inactive
    );
}

#[test]
fn a_write_already_done_succeeds_without_a_request() {
    let (fake, host, _) = start(two_users(), Credentials::default());
    host.refresh().unwrap();
    for _ in 0..2 {
        host.write(&CloudWrite::Suspend("managed-1".into()))
            .unwrap();
        host.apply(&Operation::Deactivate {
            user: "managed-1".into(),
        })
        .unwrap();
        host.apply(&Operation::AddToGroup {
            user: "external-1".into(),
            group: "staff".into(),
        })
        .unwrap();
    }
    assert_eq!(fake.writes().len(), 3, "{:?}", fake.writes());
    // Activate undoes both the deactivation and the suspension, once.
    for _ in 0..2 {
        host.apply(&Operation::Activate {
            user: "managed-1".into(),
        })
        .unwrap();
    }
    let user = fake.user("managed-1").unwrap();
    assert_eq!(
        (user.account_status, user.membership_status),
        (AccountStatus::Active, MembershipStatus::Active)
    );
    assert_eq!(fake.writes().len(), 5);
    let snapshot = host.user(&"managed-1".into()).unwrap().unwrap();
    assert!(snapshot.active);
}

#[test]
fn product_access_is_removed_by_leaving_the_groups_that_grant_it() {
    let (fake, host, _) = start(two_users(), Credentials::default());
    host.refresh().unwrap();
    host.write(&CloudWrite::RemoveProductAccess(
        "managed-1".into(),
        "jira-software".into(),
    ))
    .unwrap();
    let groups: Vec<_> = fake
        .user("managed-1")
        .unwrap()
        .groups
        .into_iter()
        .filter_map(|g| g.name)
        .collect();
    assert_eq!(groups, ["staff"]);
    assert_eq!(
        host.write(&CloudWrite::RemoveProductAccess(
            "managed-1".into(),
            "no-such-product".into()
        )),
        Err(OperationFailure::NotFound)
    );
    assert_eq!(
        host.apply(&Operation::AddToGroup {
            user: "managed-1".into(),
            group: "no-such-group".into()
        }),
        Err(OperationFailure::NotFound)
    );
    assert_eq!(
        host.apply(&Operation::Deactivate {
            user: "nobody".into()
        }),
        Err(OperationFailure::NotFound)
    );
}

#[test]
fn a_full_licence_refuses_a_join_before_sending_it() {
    let users = vec![
        user("a", true, Some(1), &["jira-software-users"]),
        user("b", true, Some(1), &[]),
    ];
    let (fake, host, _) = start(org(users, 1), Credentials::default());
    host.refresh().unwrap();
    assert_eq!(
        host.apply(&Operation::AddToGroup {
            user: "b".into(),
            group: "jira-software-users".into()
        }),
        Err(OperationFailure::NoSeat)
    );
    assert!(fake.write_attempts().is_empty());
}

#[test]
fn a_credential_without_permission_fails_precisely_before_any_write() {
    // A key with scopes: the user management API refuses it.
    let (fake, host, _) = start(
        two_users(),
        Credentials {
            key_kind: KeyKind::Scoped,
            ..Credentials::default()
        },
    );
    let error = host.connect().unwrap_err();
    assert_eq!(
        error,
        CloudError::Forbidden {
            credential: Credential::OrgApiKey,
            call: "read what it may do to managed accounts",
            permission: Permission::ManageLifecycle,
        }
    );
    let text = error.to_string();
    assert!(text.contains("organization API key"), "{text}");
    assert!(text.contains("without scopes"), "{text}");
    assert!(
        !text.contains("fake-org-api-key"),
        "never the secret: {text}"
    );
    assert!(fake.write_attempts().is_empty());

    // The site token of an account that is not a Jira admin.
    let (fake, host, _) = start(
        two_users(),
        Credentials {
            site_admin: false,
            ..Credentials::default()
        },
    );
    let error = host.connect().unwrap_err();
    assert!(
        matches!(
            error,
            CloudError::Forbidden {
                credential: Credential::SiteToken,
                permission: Permission::AdministerJira,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("Administer Jira"), "{error}");
    assert!(fake.write_attempts().is_empty());

    // A wrong key.
    let (fake, _, _) = start(two_users(), Credentials::default());
    let mut config = fake.config();
    config.api_key = seatwarden_cloud::Secret::new("wrong");
    let host = seatwarden_cloud::CloudHost::new(seatwarden_cloud::CloudClient::new(config));
    assert_eq!(
        host.connect().unwrap_err(),
        CloudError::Unauthorized {
            credential: Credential::OrgApiKey,
            call: "read the organization"
        }
    );
}

#[test]
fn a_refused_write_is_not_repeated_for_every_user() {
    let users = (0..5)
        .map(|i| user(&format!("m{i}"), true, Some(200), &[]))
        .collect();
    let (fake, host, _) = start(
        org(users, 10),
        Credentials {
            key_kind: KeyKind::ReadOnly,
            ..Credentials::default()
        },
    );
    host.refresh().unwrap();
    let failures: Vec<_> = (0..5)
        .map(|i| host.write(&CloudWrite::Suspend(format!("m{i}").as_str().into())))
        .collect();
    assert_eq!(
        fake.write_attempts().len(),
        1,
        "one refused request, not five"
    );
    for f in failures {
        let Err(OperationFailure::Host(text)) = f else {
            panic!("{f:?}")
        };
        assert!(text.contains("write:directories:admin"), "{text}");
    }
}

#[test]
fn the_connection_check_says_what_it_reached() {
    let (_fake, host, _) = start(two_users(), Credentials::default());
    let status = host.connect().unwrap();
    assert_eq!(status.org_name, "Acme");
    assert_eq!(status.users, 2);
    assert_eq!(status.licences, 1);
    assert!(status.lifecycle_checked);
}

#[test]
fn an_index_build_within_the_max_age_reads_nothing_and_counts_the_seats_written() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let (fake, _, pause) = start(two_users(), Credentials::default());
    let now = Arc::new(AtomicI64::new(common::NOW));
    let clock = now.clone();
    let host = seatwarden_cloud::CloudHost::new(seatwarden_cloud::CloudClient::with_policy(
        fake.config(),
        common::policy(),
        pause,
    ))
    .with_clock(move || seatwarden_core::Millis(clock.load(Ordering::SeqCst)))
    .with_max_age(std::time::Duration::from_secs(600));
    assert_eq!(host.header().unwrap().licences[0].seats_used, 2);
    let reads = fake.requests();
    host.apply(&Operation::Deactivate {
        user: "managed-1".into(),
    })
    .unwrap();
    let after_write = fake.requests();
    now.fetch_add(599_000, Ordering::SeqCst);
    let header = host.header().unwrap();
    assert_eq!(
        fake.requests(),
        after_write,
        "within the max age: no request"
    );
    assert_eq!(
        header.licences[0].seats_used, 1,
        "recounted after the write"
    );
    assert!(after_write > reads);
    now.fetch_add(1_000, Ordering::SeqCst);
    host.header().unwrap();
    assert!(
        fake.requests() > after_write,
        "past the max age: read again"
    );
}

#[test]
fn deleting_a_managed_account_is_cancellable_and_an_external_one_is_removed_instead() {
    let (fake, host, _) = start(two_users(), Credentials::default());
    host.refresh().unwrap();
    for _ in 0..2 {
        host.apply(&Operation::Delete {
            user: "managed-1".into(),
        })
        .unwrap();
    }
    let pending = fake.user("managed-1").unwrap();
    assert!(pending.for_deletion);
    assert_eq!(pending.account_status, AccountStatus::Inactive);
    assert!(!host.user(&"managed-1".into()).unwrap().unwrap().active);
    assert!(host.facts(&"managed-1".into()).unwrap().pending_deletion);
    host.write(&CloudWrite::CancelDeletion("managed-1".into()))
        .unwrap();
    assert!(!fake.user("managed-1").unwrap().for_deletion);
    assert_eq!(
        host.write(&CloudWrite::DeleteAccount("external-1".into())),
        Err(OperationFailure::Vetoed(
            seatwarden_cloud::mapping::EXTERNAL_CANNOT_DELETE.to_owned()
        ))
    );
    host.apply(&Operation::Delete {
        user: "external-1".into(),
    })
    .unwrap();
    assert!(
        fake.user("external-1").is_none(),
        "removed from the directory"
    );
    let writes: Vec<String> = fake.writes().into_iter().map(|w| w.path).collect();
    assert_eq!(
        writes,
        [
            "/users/managed-1/manage/lifecycle/delete",
            "/users/managed-1/manage/lifecycle/cancel-delete",
            "/admin/v2/orgs/org-1/directories/-/users/external-1",
        ],
        "one request each, none to delete the external account"
    );
}

#[test]
fn suspend_and_restore_are_engine_operations_for_every_account() {
    let (fake, host, _) = start(two_users(), Credentials::default());
    host.refresh().unwrap();
    for key in ["managed-1", "external-1"] {
        for _ in 0..2 {
            host.apply(&Operation::Suspend { user: key.into() })
                .unwrap();
        }
        let user = fake.user(key).unwrap();
        assert_eq!(
            (user.account_status, user.membership_status),
            (AccountStatus::Active, MembershipStatus::Suspended),
            "{key}: suspended, the account itself untouched"
        );
        assert!(!host.user(&key.into()).unwrap().unwrap().active);
    }
    let writes = fake.writes();
    assert_eq!(writes.len(), 2, "once each: {writes:?}");
    assert!(
        writes.iter().all(|w| w.path.ends_with("/suspend")),
        "{writes:?}"
    );
    for key in ["managed-1", "external-1"] {
        for _ in 0..2 {
            host.apply(&Operation::Restore { user: key.into() })
                .unwrap();
        }
        let user = fake.user(key).unwrap();
        assert_eq!(user.membership_status, MembershipStatus::Active, "{key}");
        assert!(host.user(&key.into()).unwrap().unwrap().active);
    }
    let writes = fake.writes();
    assert_eq!(writes.len(), 4, "{writes:?}");
    assert!(
        writes[2..].iter().all(|w| w.path.ends_with("/restore")),
        "{writes:?}"
    );
    // What Cloud cannot do is named, not attempted.
    assert!(matches!(
        host.apply(&Operation::Rename {
            user: "managed-1".into(),
            to: "x".into()
        }),
        Err(OperationFailure::Unsupported(_))
    ));
    assert_eq!(fake.writes().len(), 4);
}
