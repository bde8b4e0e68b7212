//! Undo on Atlassian Cloud: a suspension is reverted by restoring access,
//! a deletion by cancelling it within Atlassian's 14-day grace period, and
//! after that period the revert says plainly that the account is gone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{NOW, keys, org, service, start, user};
use seatwarden_audit::RunId;
use seatwarden_cloud::fake::Credentials;
use seatwarden_cloud::host::NO_LONGER_IN_THE_ORGANIZATION;
use seatwarden_cloud::wire::{AccountStatus, MembershipStatus};
use seatwarden_core::bulk::{BulkAction, BulkTarget};
use seatwarden_core::{Millis, Operation, UserKey};
use seatwarden_service::Service;

/// Plans `action` for `target` as the org admin, runs it to the end.
fn run(service: &Service, action: BulkAction, target: BulkTarget) -> RunId {
    let admin = UserKey::from("org-admin");
    let preview = service
        .plan_bulk(action, target, "bulk".into(), &admin, Millis(NOW))
        .unwrap();
    let run = service
        .run_pending(&preview.plan_id, &preview.hash, Millis(NOW))
        .unwrap();
    while service.drive(Millis(NOW)).unwrap() {}
    run
}

fn org_with_admin() -> seatwarden_cloud::fake::FakeOrg {
    let mut admin = user("org-admin", true, Some(1), &["staff"]);
    admin.platform_roles = vec!["atlassian/org-admin".to_owned()];
    org(
        vec![
            admin,
            user("m1", true, Some(100), &["staff"]),
            user("m2", true, Some(100), &["staff"]),
            user("x1", false, Some(100), &["staff"]),
            deactivated("m3"),
        ],
        100,
    )
}

/// A managed account deactivated before any run.
fn deactivated(id: &str) -> seatwarden_cloud::wire::CloudUser {
    let mut u = user(id, true, Some(200), &["staff"]);
    u.account_status = AccountStatus::Inactive;
    u
}

#[test]
fn a_suspension_is_reverted_by_restoring_access() {
    let (fake, _, _) = start(org_with_admin(), Credentials::default());
    let service = service(&fake);
    let suspended = run(&service, BulkAction::Suspend, keys(&["m1", "x1"]));
    for key in ["m1", "x1"] {
        let u = fake.user(key).unwrap();
        assert_eq!(
            (u.account_status, u.membership_status),
            (AccountStatus::Active, MembershipStatus::Suspended),
            "{key}"
        );
    }
    let plan = service.revert_plan(suspended).unwrap();
    assert_eq!(
        plan.operations(),
        vec![
            Operation::Restore { user: "m1".into() },
            Operation::Restore { user: "x1".into() },
        ]
    );
    assert!(plan.irreversible.is_empty(), "{plan:?}");
}

#[test]
fn a_deletion_is_cancelled_within_the_grace_period_and_named_final_after_it() {
    let (fake, _, _) = start(org_with_admin(), Credentials::default());
    let service = service(&fake);
    let deleted = run(&service, BulkAction::Delete, keys(&["m2", "m3", "x1"]));
    assert!(fake.user("m2").unwrap().for_deletion);
    assert!(fake.user("m3").unwrap().for_deletion);
    assert!(
        fake.user("x1").is_none(),
        "external: removed from the directory"
    );

    let plan = service.revert_plan(deleted).unwrap();
    assert_eq!(
        plan.operations(),
        vec![
            Operation::CancelDeletion { user: "m2".into() },
            Operation::CancelDeletion { user: "m3".into() },
            Operation::Deactivate { user: "m3".into() },
        ],
        "m2 was active before the run: cancelling (which activates) is its whole revert; \
         m3 was deactivated, and is deactivated again"
    );
    assert_eq!(plan.irreversible.len(), 1, "{plan:?}");
    assert_eq!(plan.irreversible[0].user, UserKey::from("x1"));
    assert_eq!(
        plan.irreversible[0].why,
        format!("deleted by run {deleted}; {NO_LONGER_IN_THE_ORGANIZATION}")
    );

    // Reverting within the grace period brings m2 back.
    let admin = UserKey::from("org-admin");
    let (pending, _) = service.plan_revert(deleted, &admin, Millis(NOW)).unwrap();
    service
        .revert(deleted, &pending.hash, &admin, Millis(NOW))
        .unwrap();
    while service.drive(Millis(NOW)).unwrap() {}
    let m2 = fake.user("m2").unwrap();
    assert!(!m2.for_deletion);
    assert_eq!(m2.account_status, AccountStatus::Active);
    let m3 = fake.user("m3").unwrap();
    assert!(!m3.for_deletion);
    assert_eq!(m3.account_status, AccountStatus::Inactive);
    let paths: Vec<String> = fake.writes().into_iter().map(|w| w.path).collect();
    for expected in [
        "/users/m2/manage/lifecycle/cancel-delete",
        "/users/m3/manage/lifecycle/cancel-delete",
        "/users/m3/manage/lifecycle/disable",
    ] {
        assert!(paths.iter().any(|p| p == expected), "{expected}: {paths:?}");
    }
}

#[test]
fn after_the_grace_period_the_revert_says_the_account_is_gone() {
    let (fake, _, _) = start(org_with_admin(), Credentials::default());
    let service = service(&fake);
    let deleted = run(&service, BulkAction::Delete, keys(&["m2"]));
    fake.expire_deletions();
    let plan = service.revert_plan(deleted).unwrap();
    assert!(plan.steps.is_empty(), "{plan:?}");
    assert_eq!(plan.irreversible.len(), 1);
    assert_eq!(
        plan.irreversible[0].why,
        format!("deleted by run {deleted}; {NO_LONGER_IN_THE_ORGANIZATION}")
    );
    assert!(NO_LONGER_IN_THE_ORGANIZATION.contains("14-day grace period has passed"));
}
