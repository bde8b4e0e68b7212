//! "Suspended" is its own state (issue 20): an Atlassian Cloud user whose
//! access is suspended is inactive like a deactivated one, but the index
//! tells them apart, the Users filters list them apart, a bulk suspend skips
//! the already suspended with a reason and a bulk restore acts on suspended
//! users only (a deactivated account needs enabling, not restoring).
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use seatwarden_core::bulk::{BulkAction, BulkActionRequest, BulkTarget, plan_bulk_action};
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::index::{DirectoryIndex, UserChange, UserIdx};
use seatwarden_core::operation::Operation;
use seatwarden_core::plan::SkipReason;
use seatwarden_core::policy::Mode;
use seatwarden_core::query::{Query, StatusFilter};
use seatwarden_core::{Millis, UserKey};
use serde_json::json;

const T: i64 = 1_795_226_400_000;

/// A Cloud organization: the acting admin, an active user, a suspended
/// one, a deactivated one, and a suspended external account.
fn index() -> DirectoryIndex {
    let user = |key: &str, dir: i64, active: bool, suspended: bool| {
        let mut u = json!({"key": key, "username": format!("{key}@acme.example"),
                           "directoryId": dir, "active": active, "created": T - 1,
                           "groups": ["jira-software-users"]});
        if suspended {
            u["suspended"] = json!(true);
        }
        u
    };
    let caps = |update: bool| {
        json!({"updateUser": update, "deleteUser": true, "updateMembership": true,
               "suspendUser": true})
    };
    let snap = json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": T,
            "directories": [
                {"id": 1, "name": "Managed accounts", "kind": "cloud_managed", "capabilities": caps(true)},
                {"id": 2, "name": "External accounts", "kind": "cloud_external", "capabilities": caps(false)}
            ],
            "groups": [{"name": "jira-software-users", "licence": true}],
            "licences": [],
            "sysadmins": []
        },
        "pages": [{"users": [
            user("ADMIN", 1, true, false),
            user("ACTIVE", 1, true, false),
            user("SUSP", 1, false, true),
            user("DEACT", 1, false, false),
            user("EXT-SUSP", 2, false, true),
        ]}]
    });
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snap).unwrap()).unwrap()
}

fn listed(index: &DirectoryIndex, status: StatusFilter) -> Vec<String> {
    let query = Query {
        status,
        ..Query::default()
    };
    let mut keys: Vec<String> = index
        .matching(&query, Millis(T))
        .unwrap()
        .iter()
        .map(|i| index.key(UserIdx(i)).to_owned())
        .collect();
    keys.sort();
    keys
}

fn bulk(index: &DirectoryIndex, action: BulkAction) -> (Vec<Operation>, Vec<(String, SkipReason)>) {
    let request = BulkActionRequest {
        id: "bulk-1".into(),
        admin: UserKey::from("ADMIN"),
        mode: Mode::Live,
        action,
        target: BulkTarget::Selected(
            ["ACTIVE", "SUSP", "DEACT", "EXT-SUSP"]
                .iter()
                .map(|k| UserKey::from(*k))
                .collect(),
        ),
    };
    let plan = plan_bulk_action(
        &Config::default(),
        index,
        Millis(T),
        &EvalContext::default(),
        &request,
    )
    .unwrap();
    let ops = plan
        .actions(index)
        .into_iter()
        .map(|a| a.operation)
        .collect();
    let mut skips: Vec<(String, SkipReason)> = plan
        .skips(index)
        .into_iter()
        .map(|s| (s.user.to_string(), s.reason))
        .collect();
    skips.sort_by(|a, b| a.0.cmp(&b.0));
    (ops, skips)
}

#[test]
fn the_status_filters_tell_suspended_from_deactivated() {
    let index = index();
    assert_eq!(listed(&index, StatusFilter::Active), ["ACTIVE", "ADMIN"]);
    assert_eq!(
        listed(&index, StatusFilter::Suspended),
        ["EXT-SUSP", "SUSP"]
    );
    assert_eq!(listed(&index, StatusFilter::Deactivated), ["DEACT"]);
    assert_eq!(listed(&index, StatusFilter::All).len(), 5);
    let susp = index.index_of_key(&UserKey::from("SUSP")).unwrap();
    assert!(index.is_suspended(susp) && !index.is_active(susp));
    let row = seatwarden_core::query::QueryRow::of(&index, susp, Millis(T));
    assert!(row.suspended && !row.active);
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(json["suspended"], json!(true));
    let active = index.index_of_key(&UserKey::from("ACTIVE")).unwrap();
    let json = serde_json::to_value(seatwarden_core::query::QueryRow::of(
        &index,
        active,
        Millis(T),
    ))
    .unwrap();
    assert!(json.get("suspended").is_none(), "absent when false: {json}");
}

#[test]
fn a_suspension_skips_the_already_suspended_with_a_reason() {
    let index = index();
    let (ops, skips) = bulk(&index, BulkAction::Suspend);
    assert_eq!(
        ops,
        [Operation::Suspend {
            user: UserKey::from("ACTIVE")
        }]
    );
    assert_eq!(
        skips,
        [
            ("EXT-SUSP".to_owned(), SkipReason::AlreadySuspended),
            ("SUSP".to_owned(), SkipReason::AlreadySuspended),
        ]
    );
    assert_eq!(
        SkipReason::AlreadySuspended.to_string(),
        "access already suspended"
    );
}

#[test]
fn a_restore_acts_on_suspended_users_only() {
    let index = index();
    let (ops, skips) = bulk(&index, BulkAction::Restore);
    assert_eq!(
        ops,
        [
            Operation::Restore {
                user: UserKey::from("EXT-SUSP")
            },
            Operation::Restore {
                user: UserKey::from("SUSP")
            },
        ]
    );
    assert_eq!(skips, [("DEACT".to_owned(), SkipReason::NotSuspended)]);
    assert!(
        SkipReason::NotSuspended
            .to_string()
            .contains("activate the account")
    );
}

#[test]
fn a_landed_suspension_and_restore_move_the_user_between_states() {
    let mut index = index();
    let active = index.index_of_key(&UserKey::from("ACTIVE")).unwrap();
    index
        .apply(active, &UserChange::Suspended { at: Millis(T) })
        .unwrap();
    assert_eq!(
        listed(&index, StatusFilter::Suspended),
        ["ACTIVE", "EXT-SUSP", "SUSP"]
    );
    assert_eq!(index.deactivated_at(active), Some(Millis(T)));
    // Suspending a deactivated account changes nothing: it stays deactivated.
    let deact = index.index_of_key(&UserKey::from("DEACT")).unwrap();
    index
        .apply(deact, &UserChange::Suspended { at: Millis(T) })
        .unwrap();
    assert_eq!(listed(&index, StatusFilter::Deactivated), ["DEACT"]);
    index.apply(active, &UserChange::Activated).unwrap();
    assert_eq!(
        listed(&index, StatusFilter::Suspended),
        ["EXT-SUSP", "SUSP"]
    );
    assert_eq!(listed(&index, StatusFilter::Active), ["ACTIVE", "ADMIN"]);
    assert_eq!(index.deactivated_at(active), None);
}
