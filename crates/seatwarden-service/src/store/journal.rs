//! Run journals: what makes a live run resumable and idempotent.
//!
//! Before its first write a run stores its plan (opaque JSON plus hash) and
//! the list of actions it will take, each keyed by (user, action). Each
//! outcome is recorded as it lands under the same key; recording it twice is
//! a no-op. After a crash, [`super::Store::pending_actions`] lists exactly
//! what has not landed, so a resume never repeats a landed action.

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_audit::{PlanHash, RunId};
use seatwarden_core::{Millis, Operation, UserKey};

/// Names one action of a plan for one user, stable across retries
/// (e.g. `deactivate`, `remove_from_group:jira-users`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActionKey(pub String);

impl ActionKey {
    /// The key an operation gets by default: its kind, plus the group for
    /// membership changes and the new name for renames.
    pub fn of(op: &Operation) -> ActionKey {
        ActionKey(match op {
            Operation::AddToGroup { group, .. } | Operation::RemoveFromGroup { group, .. } => {
                format!("{}:{}", op.kind_name(), group)
            }
            Operation::Rename { to, .. } => format!("rename:{to}"),
            _ => op.kind_name().to_owned(),
        })
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One action of a journaled plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAction {
    /// The user it is for.
    pub user: UserKey,
    /// Which action.
    pub action: ActionKey,
    /// The directory write, if the action is one (a warning mail is not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
}

impl PlannedAction {
    /// An action for a directory write, keyed by [`ActionKey::of`].
    pub fn of(op: Operation) -> Option<PlannedAction> {
        let user = op.user()?.clone();
        Some(PlannedAction {
            user,
            action: ActionKey::of(&op),
            operation: Some(op),
        })
    }
}

/// A plan as journaled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournaledPlan {
    /// The plan's hash (approvals name it).
    pub hash: PlanHash,
    /// The plan itself, JSON (opaque to the store).
    pub json: String,
    /// The actions, in the order they will be applied.
    pub actions: Vec<PlannedAction>,
}

/// How an action went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// It landed.
    Succeeded,
    /// The host refused it.
    Failed,
    /// It was not attempted.
    Skipped,
}

impl OutcomeStatus {
    /// A small integer code for compact storage.
    pub fn code(self) -> i64 {
        match self {
            OutcomeStatus::Succeeded => 0,
            OutcomeStatus::Failed => 1,
            OutcomeStatus::Skipped => 2,
        }
    }

    /// The inverse of [`OutcomeStatus::code`].
    pub fn from_code(code: i64) -> Option<OutcomeStatus> {
        match code {
            0 => Some(OutcomeStatus::Succeeded),
            1 => Some(OutcomeStatus::Failed),
            2 => Some(OutcomeStatus::Skipped),
            _ => None,
        }
    }
}

/// One action's recorded outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionOutcome {
    /// The user.
    pub user: UserKey,
    /// The action.
    pub action: ActionKey,
    /// How it went.
    pub status: OutcomeStatus,
    /// The failure or skip reason (no personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When it landed.
    pub at: Millis,
}

/// A run's journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunJournal {
    /// The run.
    pub run: RunId,
    /// The plan.
    pub plan: JournaledPlan,
    /// Outcomes recorded so far, in plan order.
    pub outcomes: Vec<ActionOutcome>,
}

impl RunJournal {
    /// The operations that landed, in plan order (what undo must invert).
    pub fn landed_operations(&self) -> Vec<Operation> {
        let landed: std::collections::HashSet<(&UserKey, &ActionKey)> = self
            .outcomes
            .iter()
            .filter(|o| o.status == OutcomeStatus::Succeeded)
            .map(|o| (&o.user, &o.action))
            .collect();
        self.plan
            .actions
            .iter()
            .filter(|a| landed.contains(&(&a.user, &a.action)))
            .filter_map(|a| a.operation.clone())
            .collect()
    }
}
