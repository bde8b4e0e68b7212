//! Bulk user actions: what an admin asks for on the Users tab ("deactivate
//! these 300 users", "add everyone matching this filter to `review`"),
//! turned into a [`Plan`].
//!
//! Why a plan and not a loop of writes: a bulk action is as dangerous as a
//! policy, so it gets exactly the same treatment. The request's users (a
//! selection of keys, or everyone a Users-tab [`Query`] matches) become the
//! matched set of a one-off source ([`ActionSource::Bulk`], whose reasons
//! name the admin) and go through [`evaluate_bulk`]: system administrators
//! and the acting admin are skipped, read-only directories are respected, and
//! the mass-change guard stops a live plan that deactivates, deletes or
//! revokes too many accounts until that exact plan is approved.
//!
//! This module only checks the request (unknown users and groups are
//! errors, not silent no-ops) and resolves it; the plan machinery is the
//! policy engine's.

use roaring::RoaringBitmap;

use crate::config::Config;
use crate::evaluate::{BulkRequest, EvalContext, evaluate_bulk, select_keys};
use crate::index::DirectoryIndex;
use crate::model::{GroupName, UserKey};
use crate::plan::Plan;
use crate::policy::{Action, Mode};
use crate::query::{Query, QueryError};
use crate::time::Millis;

/// What to do to every chosen user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkAction {
    /// Reactivate deactivated users (active ones are left alone).
    Activate,
    /// Deactivate active users.
    Deactivate,
    /// Suspend the access of active users (Atlassian Cloud).
    Suspend,
    /// Restore the access of suspended users (Atlassian Cloud).
    Restore,
    /// Delete the accounts.
    Delete,
    /// Add the users to these groups.
    AddToGroups(Vec<GroupName>),
    /// Remove the users from these groups.
    RemoveFromGroups(Vec<GroupName>),
}

/// Which users the action applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkTarget {
    /// The users the admin ticked, by key.
    Selected(Vec<UserKey>),
    /// Every user matching the Users-tab filter (paging and sort ignored).
    Filter(Query),
}

/// An admin's bulk action request.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkActionRequest {
    /// Identifier of the request (the operation run it becomes).
    pub id: String,
    /// The admin asking; also protected from the action.
    pub admin: UserKey,
    /// Preview only, or apply.
    pub mode: Mode,
    /// What to do.
    pub action: BulkAction,
    /// To whom.
    pub target: BulkTarget,
}

/// Why a bulk request cannot be planned.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BulkError {
    /// Selected keys that are not in the directory.
    #[error("{} selected user(s) are not in the directory, e.g. `{}`", .0.len(), .0.first().map(UserKey::as_str).unwrap_or(""))]
    UnknownUsers(Vec<UserKey>),
    /// A group the action names does not exist.
    #[error("unknown group `{0}`")]
    UnknownGroup(GroupName),
    /// A group action names no group.
    #[error("the action names no group")]
    NoGroups,
    /// The filter is invalid.
    #[error("invalid filter: {0}")]
    Filter(#[from] QueryError),
}

/// Resolves the request's users to an index selection.
pub fn resolve_target(
    index: &DirectoryIndex,
    target: &BulkTarget,
    now: Millis,
    activity: &crate::activity::ActivitySettings,
) -> Result<RoaringBitmap, BulkError> {
    match target {
        BulkTarget::Selected(keys) => {
            let (selected, unknown) = select_keys(index, keys);
            if unknown.is_empty() {
                Ok(selected)
            } else {
                Err(BulkError::UnknownUsers(unknown))
            }
        }
        BulkTarget::Filter(query) => Ok(index.matching_counted(query, now, activity)?),
    }
}

fn checked_groups(
    index: &DirectoryIndex,
    groups: &[GroupName],
) -> Result<Vec<GroupName>, BulkError> {
    if groups.is_empty() {
        return Err(BulkError::NoGroups);
    }
    groups
        .iter()
        .map(|g| {
            index
                .group_ord(g.as_str())
                .and_then(|o| index.groups().get(o as usize))
                .map(|grp| grp.name.clone())
                .ok_or_else(|| BulkError::UnknownGroup(g.clone()))
        })
        .collect()
}

/// The policy action a bulk action is planned as.
pub fn policy_action(index: &DirectoryIndex, action: &BulkAction) -> Result<Action, BulkError> {
    Ok(match action {
        BulkAction::Activate => Action::Reactivate {
            restricted_groups: Vec::new(),
            add_groups: Vec::new(),
            remove_groups: Vec::new(),
        },
        BulkAction::Deactivate => Action::Deactivate {
            rename_suffix: None,
            handover: None,
        },
        BulkAction::Suspend => Action::Suspend,
        BulkAction::Restore => Action::Restore,
        BulkAction::Delete => Action::Delete,
        BulkAction::AddToGroups(groups) => Action::AddGroups {
            groups: checked_groups(index, groups)?,
        },
        BulkAction::RemoveFromGroups(groups) => Action::RemoveGroups {
            groups: checked_groups(index, groups)?,
        },
    })
}

/// Plans a bulk action at `now` with the protections, read-only handling and
/// guard of `config`. The requesting admin is the acting admin of this plan
/// (never acted on); `ctx` carries the rest (approval hash, preview).
pub fn plan_bulk_action(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    ctx: &EvalContext,
    request: &BulkActionRequest,
) -> Result<Plan, BulkError> {
    let users = resolve_target(index, &request.target, now, &config.settings.activity)?;
    let action = policy_action(index, &request.action)?;
    let ctx = EvalContext {
        acting_admin: Some(request.admin.clone()),
        ..ctx.clone()
    };
    let bulk = BulkRequest {
        id: request.id.clone(),
        admin: request.admin.clone(),
        mode: request.mode,
        action,
        users,
    };
    Ok(evaluate_bulk(config, index, now, &ctx, &bulk))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::Operation;
    use crate::plan::{PlanStatus, SkipReason};
    use crate::query::StatusFilter;
    use serde_json::json;

    const T: i64 = 1_763_690_400_000;

    /// admin (sysadmin), me (the acting admin), u0..u{n} in the internal
    /// directory, ldap1 in a read-only directory.
    fn index(n: usize) -> DirectoryIndex {
        let mut users = vec![
            json!({"key": "K-admin", "username": "admin", "directoryId": 1, "active": true,
                   "created": T, "lastLogin": T, "groups": ["jira-administrators", "jira-software-users"]}),
            json!({"key": "K-me", "username": "me", "directoryId": 1, "active": true,
                   "created": T, "lastLogin": T, "groups": ["jira-software-users"]}),
            json!({"key": "K-ldap1", "username": "ldap1", "directoryId": 2, "active": true,
                   "created": T, "lastLogin": T, "groups": ["jira-software-users"]}),
            json!({"key": "K-gone", "username": "gone", "directoryId": 1, "active": false,
                   "created": T, "lastLogin": T, "groups": []}),
        ];
        for i in 0..n {
            users.push(json!({"key": format!("K{i}"), "username": format!("u{i}"), "directoryId": 1,
                              "active": true, "created": T, "lastLogin": T, "groups": ["jira-software-users"]}));
        }
        let snap = json!({
            "format": "seatwarden-snapshot", "version": 1,
            "header": {
                "takenAt": T,
                "directories": [
                    {"id": 1, "name": "Internal", "kind": "internal",
                     "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                                      "createUser": true, "updateMembership": true}},
                    {"id": 2, "name": "LDAP", "kind": "ldap", "capabilities": {}}
                ],
                "groups": [{"name": "jira-administrators", "admin": true},
                           {"name": "jira-software-users", "licence": true},
                           {"name": "review"}],
                "licences": [{"application": "jira-software", "name": "Jira Software",
                              "limit": {"kind": "limited", "seats": 10000}, "seatsUsed": 0,
                              "groups": ["jira-software-users"]}],
                "sysadmins": ["K-admin"]
            },
            "pages": [{"users": users}]
        });
        DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snap).unwrap()).unwrap()
    }

    fn request(action: BulkAction, target: BulkTarget, mode: Mode) -> BulkActionRequest {
        BulkActionRequest {
            id: "run-7".into(),
            admin: UserKey::from("K-me"),
            mode,
            action,
            target,
        }
    }

    fn keys(list: &[&str]) -> BulkTarget {
        BulkTarget::Selected(list.iter().map(|k| UserKey::from(*k)).collect())
    }

    #[test]
    fn deactivate_selection_skips_protected_and_read_only() {
        let idx = index(2);
        let req = request(
            BulkAction::Deactivate,
            keys(&["K-admin", "K-me", "K-ldap1", "K0", "K1"]),
            Mode::Live,
        );
        let plan = plan_bulk_action(
            &Config::default(),
            &idx,
            Millis(T),
            &EvalContext::default(),
            &req,
        )
        .unwrap();
        let ops: Vec<Operation> = plan
            .actions(&idx)
            .into_iter()
            .map(|a| a.operation)
            .collect();
        assert_eq!(
            ops,
            vec![
                Operation::Deactivate {
                    user: UserKey::from("K0")
                },
                Operation::Deactivate {
                    user: UserKey::from("K1")
                },
            ]
        );
        let action = &plan.actions(&idx)[0];
        assert_eq!(action.source.to_string(), "bulk action `run-7` by `K-me`");
        let skips: Vec<(String, SkipReason)> = plan
            .skips(&idx)
            .into_iter()
            .map(|s| (s.user.to_string(), s.reason))
            .collect();
        assert!(skips.contains(&("K-admin".into(), SkipReason::Sysadmin)));
        assert!(skips.contains(&("K-me".into(), SkipReason::ActingAdmin)));
        assert!(
            skips
                .iter()
                .any(|(k, r)| k == "K-ldap1" && matches!(r, SkipReason::ReadOnlyDirectory { .. }))
        );
        assert_eq!(plan.status(), PlanStatus::Ready);
    }

    #[test]
    fn filter_target_and_group_actions() {
        let idx = index(3);
        let query = Query {
            status: StatusFilter::Deactivated,
            ..Query::default()
        };
        let plan = plan_bulk_action(
            &Config::default(),
            &idx,
            Millis(T),
            &EvalContext::default(),
            &request(BulkAction::Activate, BulkTarget::Filter(query), Mode::Safe),
        )
        .unwrap();
        let ops: Vec<Operation> = plan
            .actions(&idx)
            .into_iter()
            .map(|a| a.operation)
            .collect();
        assert_eq!(
            ops,
            vec![Operation::Activate {
                user: UserKey::from("K-gone")
            }]
        );
        assert_eq!(plan.status(), PlanStatus::Preview);
        assert!(plan.operations_to_apply(&idx).is_empty());

        let plan = plan_bulk_action(
            &Config::default(),
            &idx,
            Millis(T),
            &EvalContext::default(),
            &request(
                BulkAction::AddToGroups(vec!["REVIEW".into()]),
                keys(&["K0", "K2"]),
                Mode::Live,
            ),
        )
        .unwrap();
        let ops: Vec<Operation> = plan.operations_to_apply(&idx);
        assert_eq!(
            ops,
            vec![
                Operation::AddToGroup {
                    user: UserKey::from("K0"),
                    group: GroupName::from("review")
                },
                Operation::AddToGroup {
                    user: UserKey::from("K2"),
                    group: GroupName::from("review")
                },
            ]
        );
    }

    #[test]
    fn bad_requests_are_errors() {
        let idx = index(1);
        let cfg = Config::default();
        let ctx = EvalContext::default();
        let err = plan_bulk_action(
            &cfg,
            &idx,
            Millis(T),
            &ctx,
            &request(BulkAction::Delete, keys(&["K0", "nope"]), Mode::Live),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 selected user(s) are not in the directory, e.g. `nope`"
        );
        let err = plan_bulk_action(
            &cfg,
            &idx,
            Millis(T),
            &ctx,
            &request(
                BulkAction::RemoveFromGroups(vec!["ghost".into()]),
                keys(&["K0"]),
                Mode::Live,
            ),
        )
        .unwrap_err();
        assert_eq!(err, BulkError::UnknownGroup("ghost".into()));
        let err = plan_bulk_action(
            &cfg,
            &idx,
            Millis(T),
            &ctx,
            &request(BulkAction::AddToGroups(vec![]), keys(&["K0"]), Mode::Live),
        )
        .unwrap_err();
        assert_eq!(err, BulkError::NoGroups);
    }

    #[test]
    fn mass_change_guard_stops_a_large_live_bulk_deactivation() {
        let idx = index(600);
        let all: Vec<UserKey> = (0..600).map(|i| UserKey::from(format!("K{i}"))).collect();
        let req = request(
            BulkAction::Deactivate,
            BulkTarget::Selected(all),
            Mode::Live,
        );
        let plan = plan_bulk_action(
            &Config::default(),
            &idx,
            Millis(T),
            &EvalContext::default(),
            &req,
        )
        .unwrap();
        assert!(matches!(plan.status(), PlanStatus::NeedsApproval { .. }));
        assert!(plan.operations_to_apply(&idx).is_empty());
        // Approving that exact plan lets it through.
        let ctx = EvalContext {
            approved_hash: Some(plan.hash(&idx)),
            ..EvalContext::default()
        };
        let plan = plan_bulk_action(&Config::default(), &idx, Millis(T), &ctx, &req).unwrap();
        assert_eq!(plan.status(), PlanStatus::Ready);
        assert_eq!(plan.operations_to_apply(&idx).len(), 600);
    }
}
