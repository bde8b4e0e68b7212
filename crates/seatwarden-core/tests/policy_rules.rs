//! Rules of the policy engine that the golden scenarios do not show:
//! approval by hash, bulk actions, handover, read-only directories with
//! membership-only handling, the Confluence once-logged-in fallback, the
//! warning de-duplication key, licence alerts and login protection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{BulkRequest, EvalContext, evaluate, evaluate_bulk, select_keys};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::licence_alert::licence_alerts;
use seatwarden_core::login::LoginEvaluator;
use seatwarden_core::operation::{Handover, Operation};
use seatwarden_core::plan::{PlanStatus, Reason, SkipReason};
use seatwarden_core::policy::{Action, Mode};
use seatwarden_core::warning::due_warnings;
use seatwarden_core::{GroupName, Millis, UserKey, Username};
use serde_json::{Value, json};

const NOW: i64 = 1_795_226_400_000; // 2026-11-21T02:00:00Z
const DAY: i64 = 86_400_000;

fn user(key: &str, name: &str, idle: Option<i64>, groups: &[&str]) -> Value {
    json!({"key": key, "username": name, "directoryId": 1, "active": true,
           "created": NOW - 900 * DAY, "lastLogin": idle.map(|d| NOW - d * DAY),
           "loginCount": idle.map(|_| 9), "groups": groups})
}

fn index(
    users: Vec<Value>,
    extra_dirs: Vec<Value>,
    licences: Value,
    sysadmins: &[&str],
) -> DirectoryIndex {
    let mut dirs = vec![json!({"id": 1, "name": "Internal", "kind": "internal",
        "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true, "createUser": true, "updateMembership": true}})];
    dirs.extend(extra_dirs);
    let doc = json!({"format": "seatwarden-snapshot", "version": 1,
        "header": {"takenAt": NOW, "directories": dirs,
            "groups": [{"name": "jira-software-users", "licence": true}, {"name": "confluence-users", "licence": true},
                       {"name": "staff"}, {"name": "vip"}, {"name": "jira-administrators", "admin": true}],
            "licences": licences, "sysadmins": sysadmins},
        "pages": [{"users": users}]});
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&doc).unwrap()).unwrap()
}

fn config(policies: Value) -> Config {
    Config::from_value(
        json!({"version": 1, "settings": {"protectedGroups": ["vip"]}, "policies": policies}),
    )
    .unwrap()
}

#[test]
fn a_tripped_guard_is_released_only_by_the_exact_plan_hash() {
    let users: Vec<Value> = (0..12)
        .map(|i| {
            user(
                &format!("K{i:02}"),
                &format!("u{i:02}"),
                Some(if i < 8 { 100 } else { 1 }),
                &["jira-software-users"],
            )
        })
        .collect();
    let idx = index(users, vec![], json!([]), &[]);
    let cfg = Config::from_value(json!({"version": 1,
        "settings": {"guard": {"maxAccounts": 5}},
        "policies": [{"id": "d", "mode": "live", "condition": {"kind": "inactive", "days": 90}, "action": {"kind": "deactivate"}}]}))
        .unwrap();
    let now = Millis(NOW);
    let plan = evaluate(&cfg, &idx, now, &EvalContext::default());
    assert!(matches!(plan.status(), PlanStatus::NeedsApproval { .. }));
    assert!(
        plan.operations_to_apply(&idx).is_empty(),
        "nothing is applied before approval"
    );
    let hash = plan.hash(&idx);
    let wrong = EvalContext {
        approved_hash: Some("0".repeat(64)),
        ..EvalContext::default()
    };
    assert!(matches!(
        evaluate(&cfg, &idx, now, &wrong).status(),
        PlanStatus::NeedsApproval { .. }
    ));
    let approved = EvalContext {
        approved_hash: Some(hash),
        ..EvalContext::default()
    };
    let plan = evaluate(&cfg, &idx, now, &approved);
    assert_eq!(plan.status(), PlanStatus::Ready);
    assert_eq!(plan.operations_to_apply(&idx).len(), 8);
    // Forced preview: same writes, nothing applied.
    let preview = EvalContext {
        preview: true,
        ..EvalContext::default()
    };
    let plan = evaluate(&cfg, &idx, now, &preview);
    assert_eq!(plan.status(), PlanStatus::Preview);
    assert!(plan.operations_to_apply(&idx).is_empty());
}

#[test]
fn bulk_actions_are_planned_like_a_policy() {
    let idx = index(
        vec![
            user("K1", "ann", Some(3), &["staff"]),
            user("K2", "ben", Some(3), &["vip"]),
            user("K3", "cid", Some(3), &[]),
            user("K4", "dee", Some(3), &[]),
        ],
        vec![],
        json!([]),
        &["K3"],
    );
    let (users, unknown) = select_keys(
        &idx,
        &[
            UserKey::from("K1"),
            UserKey::from("K2"),
            UserKey::from("K3"),
            UserKey::from("K4"),
            UserKey::from("NOPE"),
        ],
    );
    assert_eq!(unknown, vec![UserKey::from("NOPE")]);
    let request = BulkRequest {
        id: "run-7".into(),
        admin: UserKey::from("K4"),
        mode: Mode::Live,
        action: Action::Deactivate {
            rename_suffix: None,
            handover: None,
        },
        users,
    };
    let ctx = EvalContext {
        acting_admin: Some(UserKey::from("K4")),
        ..EvalContext::default()
    };
    let plan = evaluate_bulk(&config(json!([])), &idx, Millis(NOW), &ctx, &request);
    let actions = plan.actions(&idx);
    assert_eq!(actions.len(), 1);
    assert_eq!(
        actions[0].operation,
        Operation::Deactivate {
            user: UserKey::from("K1")
        }
    );
    assert_eq!(
        actions[0].reason,
        Reason::Selected {
            admin: UserKey::from("K4")
        }
    );
    assert_eq!(actions[0].reason.to_string(), "bulk action by `K4`");
    let skips: Vec<(String, SkipReason)> = plan
        .skips(&idx)
        .into_iter()
        .map(|s| (s.user.0.to_string(), s.reason))
        .collect();
    assert_eq!(
        skips,
        vec![
            (
                "K2".into(),
                SkipReason::ProtectedGroup {
                    group: GroupName::from("vip")
                }
            ),
            ("K3".into(), SkipReason::Sysadmin),
            ("K4".into(), SkipReason::ActingAdmin),
        ]
    );
    assert_eq!(plan.document(&idx).users[0].actions[0].source, "bulk:run-7");
}

#[test]
fn handover_and_rename_come_before_deactivation() {
    let idx = index(
        vec![
            user("K1", "qa.engineer", Some(50), &[]),
            user("LEAD", "test.lead", Some(1), &[]),
        ],
        vec![],
        json!([]),
        &[],
    );
    let cfg = config(
        json!([{"id": "d", "condition": {"kind": "inactive", "days": 30},
        "action": {"kind": "deactivate", "renameSuffix": "_deactivated", "handover": {"to": "user", "user": "LEAD"}}}]),
    );
    let plan = evaluate(&cfg, &idx, Millis(NOW), &EvalContext::default());
    let ops: Vec<Operation> = plan
        .actions(&idx)
        .into_iter()
        .map(|a| a.operation)
        .collect();
    assert_eq!(
        ops,
        vec![
            Operation::ReassignIssues {
                user: UserKey::from("K1"),
                to: Handover::User(UserKey::from("LEAD"))
            },
            Operation::Rename {
                user: UserKey::from("K1"),
                to: Username::from("qa.engineer_deactivated")
            },
            Operation::Deactivate {
                user: UserKey::from("K1")
            },
        ]
    );
    assert!(plan.warnings.is_empty());
    // A handover user who does not exist is a plan warning.
    let cfg = config(
        json!([{"id": "d", "condition": {"kind": "inactive", "days": 30},
        "action": {"kind": "deactivate", "handover": {"to": "user", "user": "GONE"}}}]),
    );
    let plan = evaluate(&cfg, &idx, Millis(NOW), &EvalContext::default());
    assert_eq!(plan.warnings.len(), 1);
}

#[test]
fn membership_only_turns_deactivation_into_licence_removal_in_read_only_directories() {
    let ldap = json!({"id": 2, "name": "LDAP", "kind": "ldap", "capabilities": {}, "localGroups": ["jira-software-users"]});
    let mut u = user(
        "K1",
        "ldap.user",
        Some(100),
        &["jira-software-users", "confluence-users"],
    );
    u["directoryId"] = json!(2);
    let idx = index(vec![u], vec![ldap], json!([]), &[]);
    let skip = config(
        json!([{"id": "d", "condition": {"kind": "inactive", "days": 30}, "action": {"kind": "deactivate"}}]),
    );
    let plan = evaluate(&skip, &idx, Millis(NOW), &EvalContext::default());
    assert!(plan.actions(&idx).is_empty());
    assert_eq!(
        plan.skips(&idx)[0].reason,
        SkipReason::ReadOnlyDirectory {
            directory: seatwarden_core::DirectoryId(2)
        }
    );
    let membership = config(json!([{"id": "d", "scope": {"readOnly": "membership_only"},
        "condition": {"kind": "inactive", "days": 30}, "action": {"kind": "deactivate"}}]));
    let plan = evaluate(&membership, &idx, Millis(NOW), &EvalContext::default());
    let ops: Vec<Operation> = plan
        .actions(&idx)
        .into_iter()
        .map(|a| a.operation)
        .collect();
    assert_eq!(
        ops,
        vec![Operation::RemoveFromGroup {
            user: UserKey::from("K1"),
            group: GroupName::from("jira-software-users")
        }]
    );
}

#[test]
fn confluence_users_without_a_login_count_use_the_first_day_window() {
    let mut once = user("K1", "signed.up.once", Some(20), &[]);
    once["loginCount"] = Value::Null;
    once["created"] = json!(NOW - 20 * DAY - 3_600_000); // last login 1 h after creation
    let mut regular = user("K2", "regular", Some(20), &[]);
    regular["loginCount"] = Value::Null; // created 900 days ago: not "once"
    let mut counted = user("K3", "counted.once", Some(20), &[]);
    counted["loginCount"] = json!(1);
    let idx = index(vec![once, regular, counted], vec![], json!([]), &[]);
    let cfg = config(
        json!([{"id": "d", "condition": {"kind": "inactive", "days": 90, "onceLoggedInDays": 14},
        "action": {"kind": "deactivate"}}]),
    );
    let plan = evaluate(&cfg, &idx, Millis(NOW), &EvalContext::default());
    let users: Vec<String> = plan
        .actions(&idx)
        .iter()
        .map(|a| a.operation.user().unwrap().0.to_string())
        .collect();
    assert_eq!(users, vec!["K1", "K3"]);
    assert!(
        plan.actions(&idx)[0]
            .reason
            .to_string()
            .starts_with("logged in once, on ")
    );
}

#[test]
fn the_warning_key_is_stable_through_the_window_and_changes_with_a_new_cycle() {
    let idx_at = |idle_days: i64| {
        index(
            vec![user("K1", "w", Some(idle_days), &[])],
            vec![],
            json!([]),
            &[],
        )
    };
    let cfg = config(
        json!([{"id": "d", "condition": {"kind": "inactive", "days": 30},
        "action": {"kind": "deactivate"}, "warning": {"daysBefore": 7}}]),
    );
    let ctx = EvalContext::default();
    // The same idle period seen on two consecutive days gives one key.
    let idx = idx_at(24);
    let day1 = due_warnings(&cfg, &idx, Millis(NOW), &ctx);
    let day2 = due_warnings(&cfg, &idx, Millis(NOW + DAY), &ctx);
    assert_eq!(day1.len(), 1);
    assert_eq!(day1[0].dedup_key, day2[0].dedup_key);
    // Outside the window: none.
    assert!(due_warnings(&cfg, &idx_at(10), Millis(NOW), &ctx).is_empty());
    // The user came back and went idle again: a new cycle, a new key.
    let later = due_warnings(&cfg, &idx_at(25), Millis(NOW), &ctx);
    assert_ne!(later[0].dedup_key, day1[0].dedup_key);
}

#[test]
fn licence_alerts_follow_the_threshold_per_application() {
    let licences = json!([
        {"application": "jira-software", "name": "Jira Software", "limit": {"kind": "limited", "seats": 100}, "seatsUsed": 91, "groups": ["jira-software-users"]},
        {"application": "confluence", "name": "Confluence", "limit": {"kind": "limited", "seats": 100}, "seatsUsed": 91, "groups": ["confluence-users"]},
        {"application": "jira-servicedesk", "name": "JSM", "limit": {"kind": "unlimited"}, "seatsUsed": 5000, "groups": []}
    ]);
    let idx = index(vec![user("K1", "a", Some(1), &[])], vec![], licences, &[]);
    let cfg = Config::from_value(json!({"version": 1, "settings": {"licenceAlert": {
        "enabled": true, "percent": 90, "recipients": ["admins@example.test"],
        "applications": [{"application": "confluence", "percent": 95}]}}}))
    .unwrap();
    let alerts = licence_alerts(&cfg.settings.licence_alert, &idx, Millis(NOW));
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].application.as_str(), "jira-software");
    assert_eq!(alerts[0].dedup_key, "licence/jira-software/2026-11-21");
    let off = Config::default();
    assert!(licence_alerts(&off.settings.licence_alert, &idx, Millis(NOW)).is_empty());
}

#[test]
fn login_policies_never_touch_protected_users_or_the_acting_admin() {
    let mut deactivated = user("K1", "back", Some(100), &["staff"]);
    deactivated["active"] = json!(false);
    let mut vip = user("K2", "vip", Some(100), &["vip"]);
    vip["active"] = json!(false);
    let idx = index(
        vec![deactivated, vip, user("K3", "admin", Some(1), &["staff"])],
        vec![],
        json!([]),
        &[],
    );
    let cfg =
        config(json!([{"id": "r", "action": {"kind": "reactivate", "removeGroups": ["staff"]}}]));
    let acting = UserKey::from("K3");
    let eval = LoginEvaluator::new(&cfg, &idx, Some(&acting));
    let plan = eval.evaluate(&idx, idx.index_of_username("back").unwrap(), Millis(NOW));
    assert_eq!(plan.steps.len(), 2, "reactivated and staff removed");
    let plan = eval.evaluate(&idx, idx.index_of_username("vip").unwrap(), Millis(NOW));
    assert!(plan.steps.is_empty());
    let doc = eval.document(&idx, &plan);
    assert_eq!(
        doc.skipped[0].reason,
        SkipReason::ProtectedGroup {
            group: GroupName::from("vip")
        }
    );
    let plan = eval.evaluate(&idx, idx.index_of_username("admin").unwrap(), Millis(NOW));
    assert!(plan.steps.is_empty());
    assert_eq!(
        eval.document(&idx, &plan).skipped[0].reason,
        SkipReason::ActingAdmin
    );
}

/// Issue 18: a deactivation that renames onto a username another account
/// holds is skipped with the holder named; the plan never promises a
/// rename that cannot happen. The holder itself, and a user whose new
/// name is free, are planned as usual.
#[test]
fn a_rename_onto_a_taken_username_is_skipped_naming_the_holder() {
    let (ops, skips) = renamed_after_90_days(vec![
        user("K1", "bob", Some(200), &["staff"]),
        user("K2", "BOB_old", Some(1), &["staff"]),
        user("K3", "carol", Some(200), &["staff"]),
    ]);
    assert!(
        ops.iter().all(|op| op.user() != Some(&UserKey::from("K1"))),
        "{ops:?}"
    );
    assert!(ops.contains(&Operation::Rename {
        user: UserKey::from("K3"),
        to: Username::from("carol_old"),
    }));
    assert_eq!(
        skips,
        vec![(
            "K1".into(),
            SkipReason::RenameTargetTaken {
                holder: UserKey::from("K2")
            }
        )]
    );
    assert!(skips[0].1.to_string().contains("`K2`"));
}

/// An account an earlier run renamed (`bob_OLD`) is deactivated without a
/// second rename, so whoever holds `bob_OLD_old` does not stop it: the
/// rename check asks about the rename the plan would make, not one it
/// would not.
#[test]
fn an_already_renamed_account_is_not_skipped_for_a_rename_it_does_not_need() {
    let (ops, skips) = renamed_after_90_days(vec![
        user("K1", "bob_OLD", Some(200), &["staff"]),
        user("K2", "bob_old_old", Some(1), &["staff"]),
    ]);
    assert_eq!(skips, vec![]);
    assert_eq!(
        ops,
        vec![Operation::Deactivate {
            user: UserKey::from("K1")
        }]
    );
}

/// The writes and skips (by user key) of one live policy deactivating
/// `users` idle 90 days, renaming them with `_old`.
fn renamed_after_90_days(users: Vec<Value>) -> (Vec<Operation>, Vec<(String, SkipReason)>) {
    let idx = index(users, vec![], json!([]), &[]);
    let cfg = config(json!([{"id": "idle", "mode": "live",
        "condition": {"kind": "inactive", "days": 90},
        "action": {"kind": "deactivate", "renameSuffix": "_old"}}]));
    let plan = evaluate(&cfg, &idx, Millis(NOW), &EvalContext::default());
    let ops = plan
        .actions(&idx)
        .into_iter()
        .map(|a| a.operation)
        .collect();
    let skips = plan
        .skips(&idx)
        .into_iter()
        .map(|s| (s.user.0.to_string(), s.reason))
        .collect();
    (ops, skips)
}
