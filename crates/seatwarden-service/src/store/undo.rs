//! Undo: the before-state of every account a live run touched, and the
//! inverse plan that puts it back.
//!
//! A run records each account's state (active flag, username, group
//! memberships) before its first write to that account. "Revert run N" then
//! compares before-states with the states after the run and emits the
//! operations that move each account back: reactivate or deactivate (restore
//! access when the run suspended it), rename
//! back, re-add removed memberships, remove added ones. The after-states come
//! from the run's landed operations ([`after_states`]) or, when the caller
//! has it, from the live directory, which also covers drift since the run.
//! A deleted account cannot be recreated with its key and history, so it is
//! reported as [`Irreversible`] rather than silently skipped.
//!
//! The result is a list of operations with reasons (`revert of run N`), to be
//! previewed and applied as a run of its own (kind `revert`), like any plan.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use seatwarden_audit::RunId;
use seatwarden_core::{GroupName, Operation, UserKey, Username};

use super::{Store, StoreResult};

/// What undo needs to know about an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    /// The account.
    pub user: UserKey,
    /// Whether it is active.
    pub active: bool,
    /// Inactive because its access was suspended (Atlassian Cloud) rather
    /// than deactivated: undone by restoring access, not by enabling the
    /// account. Absent in states recorded before suspension existed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
    /// Its username.
    pub username: Username,
    /// Its group memberships.
    pub groups: BTreeSet<GroupName>,
}

/// One step of a revert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertStep {
    /// The write.
    pub operation: Operation,
    /// Why: `revert of run N`.
    pub reason: String,
}

/// An account a revert cannot restore.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Irreversible {
    /// The account.
    pub user: UserKey,
    /// Why not.
    pub why: String,
}

/// The inverse of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertPlan {
    /// The run it undoes.
    pub reverts: RunId,
    /// The writes, grouped by user (ordered by key), in applying order.
    pub steps: Vec<RevertStep>,
    /// Accounts it cannot restore.
    pub irreversible: Vec<Irreversible>,
}

impl RevertPlan {
    /// The operations alone, in order.
    pub fn operations(&self) -> Vec<Operation> {
        self.steps.iter().map(|s| s.operation.clone()).collect()
    }
}

/// Applies one operation to an account's state, the way a directory would.
/// `None` is a deleted (or never existing) account; operations on it change
/// nothing. Operations that do not change what undo tracks are ignored.
pub fn apply_to_state(state: &mut Option<AccountState>, op: &Operation) {
    let Some(s) = state.as_mut() else {
        return;
    };
    match op {
        Operation::Activate { .. } | Operation::Restore { .. } => {
            s.active = true;
            s.suspended = false;
        }
        Operation::Deactivate { .. } => s.active = false,
        Operation::Suspend { .. } => {
            s.active = false;
            s.suspended = true;
        }
        Operation::Rename { to, .. } => s.username = to.clone(),
        Operation::AddToGroup { group, .. } => {
            s.groups.insert(group.clone());
        }
        Operation::RemoveFromGroup { group, .. } => {
            s.groups.remove(group);
        }
        Operation::Delete { .. } => *state = None,
        Operation::CancelDeletion { .. }
        | Operation::ReassignIssues { .. }
        | Operation::CreateGroup { .. }
        | Operation::DeleteGroup { .. }
        | Operation::CreateUser { .. }
        | Operation::UpdateUser { .. } => {}
    }
}

/// The states after a run: the before-states with the landed operations
/// applied in order. Users without a before-state are not tracked.
pub fn after_states(
    before: &[AccountState],
    landed: &[Operation],
) -> BTreeMap<UserKey, Option<AccountState>> {
    let mut states: BTreeMap<UserKey, Option<AccountState>> = before
        .iter()
        .map(|s| (s.user.clone(), Some(s.clone())))
        .collect();
    for op in landed {
        if let Some(state) = op.user().and_then(|u| states.get_mut(u)) {
            apply_to_state(state, op);
        }
    }
    states
}

/// The inverse plan: the operations that move each account from its state
/// after the run (`after`; a missing key means unchanged, `None` means
/// deleted) back to its before-state.
pub fn revert_plan(
    run: RunId,
    before: &[AccountState],
    after: &BTreeMap<UserKey, Option<AccountState>>,
) -> RevertPlan {
    let reason = format!("revert of run {run}");
    let mut plan = RevertPlan {
        reverts: run,
        steps: Vec::new(),
        irreversible: Vec::new(),
    };
    let mut sorted: Vec<&AccountState> = before.iter().collect();
    sorted.sort_by(|a, b| a.user.cmp(&b.user));
    for was in sorted {
        let now = match after.get(&was.user) {
            None => continue,
            Some(None) => {
                plan.irreversible.push(Irreversible {
                    user: was.user.clone(),
                    why: format!("deleted by run {run}; a deleted account cannot be restored"),
                });
                continue;
            }
            Some(Some(now)) => now,
        };
        let user = &was.user;
        let mut push = |operation| {
            plan.steps.push(RevertStep {
                operation,
                reason: reason.clone(),
            });
        };
        // A suspension the run added is lifted first (restoring access);
        // what is left to undo is then the account's own state.
        let mut now_active = now.active;
        if now.suspended && !was.suspended {
            push(Operation::Restore { user: user.clone() });
            now_active = true;
        }
        if was.active && !now_active {
            push(Operation::Activate { user: user.clone() });
        }
        if was.username != now.username {
            push(Operation::Rename {
                user: user.clone(),
                to: was.username.clone(),
            });
        }
        for group in was.groups.difference(&now.groups) {
            push(Operation::AddToGroup {
                user: user.clone(),
                group: group.clone(),
            });
        }
        for group in now.groups.difference(&was.groups) {
            push(Operation::RemoveFromGroup {
                user: user.clone(),
                group: group.clone(),
            });
        }
        if !was.active && now_active {
            push(Operation::Deactivate { user: user.clone() });
        }
    }
    plan
}

/// "Revert run N" from what the store knows: the run's before-states and
/// its landed operations. A run without a journal inverts nothing it did not
/// record.
pub fn revert_from_store(store: &dyn Store, run: RunId) -> StoreResult<RevertPlan> {
    if store.get_run(run)?.is_none() {
        return Err(super::StoreError::RunNotFound(run));
    }
    let before = store.before_states(run)?;
    let landed = store
        .journal(run)?
        .map(|j| j.landed_operations())
        .unwrap_or_default();
    Ok(revert_plan(run, &before, &after_states(&before, &landed)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::Strategy;

    fn state(key: &str, active: bool, name: &str, groups: &[&str]) -> AccountState {
        AccountState {
            user: key.into(),
            active,
            suspended: false,
            username: name.into(),
            groups: groups.iter().map(|g| GroupName::from(*g)).collect(),
        }
    }

    #[test]
    fn a_suspension_is_undone_by_restoring_access_not_by_enabling() {
        let before = vec![
            state("K1", true, "alice", &["jira-users"]),
            state("K2", true, "bob", &["jira-users"]),
        ];
        let landed = vec![
            Operation::Suspend { user: "K1".into() },
            Operation::Deactivate { user: "K2".into() },
        ];
        let plan = revert_plan(RunId(7), &before, &after_states(&before, &landed));
        assert_eq!(
            plan.operations(),
            vec![
                Operation::Restore { user: "K1".into() },
                Operation::Activate { user: "K2".into() },
            ]
        );
        let after = after_states(&before, &landed);
        let k1 = after[&UserKey::from("K1")].clone().unwrap();
        assert!(!k1.active && k1.suspended);
        let json = serde_json::to_string(&k1).unwrap();
        assert!(json.contains("\"suspended\":true"), "{json}");
        let old: AccountState =
            serde_json::from_str(r#"{"user":"K4","active":true,"username":"d","groups":[]}"#)
                .unwrap();
        assert!(
            !old.suspended,
            "states recorded before suspension existed read as not suspended"
        );
    }

    #[test]
    fn deactivate_rename_and_revoke_are_inverted() {
        let before = vec![state("K1", true, "alice", &["jira-users", "devs"])];
        let landed = vec![
            Operation::Deactivate { user: "K1".into() },
            Operation::Rename {
                user: "K1".into(),
                to: "alice_deactivated".into(),
            },
            Operation::RemoveFromGroup {
                user: "K1".into(),
                group: "jira-users".into(),
            },
            Operation::AddToGroup {
                user: "K1".into(),
                group: "inactive".into(),
            },
        ];
        let plan = revert_plan(RunId(7), &before, &after_states(&before, &landed));
        assert_eq!(
            plan.operations(),
            vec![
                Operation::Activate { user: "K1".into() },
                Operation::Rename {
                    user: "K1".into(),
                    to: "alice".into()
                },
                Operation::AddToGroup {
                    user: "K1".into(),
                    group: "jira-users".into()
                },
                Operation::RemoveFromGroup {
                    user: "K1".into(),
                    group: "inactive".into()
                },
            ]
        );
        assert!(plan.steps.iter().all(|s| s.reason == "revert of run 7"));
    }

    /// An independent directory model (deliberately not `apply_to_state`).
    fn model_apply(dir: &mut BTreeMap<UserKey, AccountState>, op: &Operation) -> bool {
        let Some(user) = op.user() else { return false };
        if let Operation::Delete { .. } = op {
            return dir.remove(user).is_some();
        }
        let Some(s) = dir.get_mut(user) else {
            return false;
        };
        match op {
            Operation::Activate { .. } => {
                s.active = true;
                s.suspended = false;
            }
            // A plan gives a user one account operation: only an active
            // user is suspended, only a suspended one restored, and a
            // suspended one is not also deactivated in the same run.
            Operation::Suspend { .. } if s.active => {
                s.active = false;
                s.suspended = true;
            }
            Operation::Restore { .. } if s.suspended => {
                s.active = true;
                s.suspended = false;
            }
            Operation::Suspend { .. } | Operation::Restore { .. } => return false,
            Operation::Deactivate { .. } if s.suspended => return false,
            Operation::Deactivate { .. } => s.active = false,
            Operation::Rename { to, .. } => s.username = to.clone(),
            Operation::AddToGroup { group, .. } => {
                s.groups.insert(group.clone());
            }
            Operation::RemoveFromGroup { group, .. } => {
                s.groups.remove(group);
            }
            _ => return false,
        }
        true
    }

    fn arb_op(users: usize) -> impl Strategy<Value = (usize, u8, u8, bool)> {
        // (user index, op kind, argument, host refuses)
        (0..users, 0u8..13, 0u8..5, proptest::bool::weighted(0.15))
    }

    fn make_op(user: &UserKey, kind: u8, arg: u8) -> Operation {
        let group = GroupName::from(format!("g{arg}"));
        match kind {
            0 | 1 => Operation::Deactivate { user: user.clone() },
            2 => Operation::Activate { user: user.clone() },
            3 | 4 => Operation::Rename {
                user: user.clone(),
                to: format!("{user}_x{arg}").into(),
            },
            5 | 6 => Operation::AddToGroup {
                user: user.clone(),
                group,
            },
            7 | 8 => Operation::RemoveFromGroup {
                user: user.clone(),
                group,
            },
            9 => Operation::Delete { user: user.clone() },
            11 => Operation::Suspend { user: user.clone() },
            12 => Operation::Restore { user: user.clone() },
            _ => Operation::ReassignIssues {
                user: user.clone(),
                to: seatwarden_core::Handover::Unassigned,
            },
        }
    }

    proptest::proptest! {
        /// Runs random live runs against a directory model through the
        /// store's journal and undo records, then applies "revert run N":
        /// every account that still exists is exactly as before the run,
        /// and every deleted one is reported.
        #[test]
        fn revert_restores_the_before_state(
            initial in proptest::collection::vec((proptest::bool::ANY, proptest::collection::btree_set(0u8..5, 0..5)), 1..8),
            ops in proptest::collection::vec(arb_op(8), 0..30),
        ) {
            use crate::store::{ActionOutcome, JournaledPlan, MemoryStore, OutcomeStatus, PlannedAction, Store};
            use seatwarden_audit::{Initiator, NewRun, PlanHash, RunKind};
            use seatwarden_core::Millis;

            let mut dir: BTreeMap<UserKey, AccountState> = initial
                .iter()
                .enumerate()
                .map(|(i, (active, groups))| {
                    let key = UserKey::from(format!("K{i}"));
                    (key.clone(), AccountState {
                        user: key,
                        active: *active,
                        suspended: false,
                        username: format!("user{i}").into(),
                        groups: groups.iter().map(|g| GroupName::from(format!("g{g}"))).collect(),
                    })
                })
                .collect();
            let original = dir.clone();
            let store = MemoryStore::new();
            let run = store.create_run(&NewRun::new(RunKind::ScheduledCleanup, "p", Initiator::Automated, Millis(0))).unwrap();

            // The plan: one action per (user, action key).
            let mut seen = std::collections::HashSet::new();
            let mut planned = Vec::new();
            for (u, kind, arg, refused) in &ops {
                let user = UserKey::from(format!("K{}", u % initial.len()));
                let op = make_op(&user, *kind, *arg);
                let action = PlannedAction::of(op).unwrap();
                if seen.insert((action.user.clone(), action.action.clone())) {
                    planned.push((action, *refused));
                }
            }
            store.journal_plan(run, &JournaledPlan {
                hash: PlanHash("h".into()),
                json: "{}".into(),
                actions: planned.iter().map(|(a, _)| a.clone()).collect(),
            }).unwrap();

            // Apply as the service does: before-state, write, outcome.
            for (action, refused) in &planned {
                let op = action.operation.clone().unwrap();
                if let Some(state) = dir.get(&action.user) {
                    store.record_before_states(run, std::slice::from_ref(state)).unwrap();
                }
                let landed = !refused && model_apply(&mut dir, &op);
                let status = if landed { OutcomeStatus::Succeeded } else { OutcomeStatus::Failed };
                store.record_outcome(run, &ActionOutcome { user: action.user.clone(), action: action.action.clone(), status, detail: None, at: Millis(1) }).unwrap();
            }

            // Revert from what the store recorded, and from the live model.
            let from_store = revert_from_store(&store, run).unwrap();
            let live: BTreeMap<UserKey, Option<AccountState>> = store
                .before_states(run)
                .unwrap()
                .iter()
                .map(|b| (b.user.clone(), dir.get(&b.user).cloned()))
                .collect();
            let from_live = revert_plan(run, &store.before_states(run).unwrap(), &live);
            proptest::prop_assert_eq!(&from_store, &from_live);

            for step in &from_store.steps {
                proptest::prop_assert!(model_apply(&mut dir, &step.operation), "revert step {} did not apply", step.operation);
                proptest::prop_assert_eq!(&step.reason, &format!("revert of run {run}"));
            }
            let deleted: Vec<UserKey> = from_store.irreversible.iter().map(|i| i.user.clone()).collect();
            for (key, was) in &original {
                match dir.get(key) {
                    Some(now) => proptest::prop_assert_eq!(now, was),
                    None => proptest::prop_assert!(deleted.contains(key), "{} deleted but not reported", key),
                }
            }
            proptest::prop_assert_eq!(deleted.len(), original.len() - dir.len());
        }
    }

    #[test]
    fn deletion_is_reported_not_skipped() {
        let before = vec![state("K1", false, "bob", &[])];
        let landed = vec![Operation::Delete { user: "K1".into() }];
        let plan = revert_plan(RunId(3), &before, &after_states(&before, &landed));
        assert!(plan.steps.is_empty());
        assert_eq!(plan.irreversible.len(), 1);
    }
}
