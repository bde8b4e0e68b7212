//! "Revert run N" as the service plans it: the store's inverse of the
//! run's recorded changes, plus what an import did to accounts that did
//! not exist before it.
//!
//! Why: the store's undo works from before-states, and an import's new
//! accounts have none (their journal names them by a placeholder until the
//! host creates them). Reverting a 600-user import therefore planned zero
//! steps and reported success for doing nothing. Here each account the run
//! created is found by username and deactivated (an account cannot be
//! un-created: deleting it would also delete what its user did since), and
//! the memberships the import gave it are removed. Profile changes
//! (display name, email) are listed as irreversible: the values before the
//! import were not recorded. A plan with nothing to do and nothing to
//! report is refused by the caller, never run as an empty success.
//!
//! Deletions: the store can only say "deleted". The host is asked
//! ([`crate::host::Host::deletion_undo`]) whether each account the run
//! deleted can still come back: Atlassian Cloud keeps a deleted managed
//! account for a 14-day grace period, so within it the revert cancels the
//! deletion (and deactivates the account again when it was inactive before
//! the run, since cancelling also activates it); after it, or on Data
//! Center, the account is listed as irreversible with the host's plain
//! reason.

use std::collections::BTreeSet;

use seatwarden_audit::RunId;
use seatwarden_core::{GroupName, Operation, UserKey};

use crate::host::DeletionUndo;
use crate::service::import::placeholder;
use crate::service::{Service, ServiceError};
use crate::store::{Irreversible, RevertPlan, RevertStep, revert_from_store};

impl Service {
    /// The revert plan of `run` (see the module docs).
    pub fn revert_plan(&self, run: RunId) -> Result<RevertPlan, ServiceError> {
        let mut plan = revert_from_store(self.store(), run)?;
        let Some(journal) = self.store().journal(run)? else {
            return Ok(plan);
        };
        let landed = journal.landed_operations();
        let reason = format!("revert of run {run}");
        self.revert_deletions(run, &landed, &mut plan)?;
        // Accounts the run created, by username, with the groups it gave them.
        let mut created: Vec<(String, BTreeSet<GroupName>)> = Vec::new();
        for op in &landed {
            if let Operation::CreateUser { username, .. } = op {
                created.push((username.as_str().to_owned(), BTreeSet::new()));
            }
        }
        for op in &landed {
            match op {
                Operation::AddToGroup { user, group } => {
                    if let Some((_, groups)) = created
                        .iter_mut()
                        .find(|(name, _)| placeholder(name) == *user)
                    {
                        groups.insert(group.clone());
                    }
                }
                Operation::UpdateUser { user, .. } => plan.irreversible.push(Irreversible {
                    user: user.clone(),
                    why: format!(
                        "profile changed by run {run} (display name or email); the earlier values were not recorded"
                    ),
                }),
                _ => {}
            }
        }
        for (username, groups) in created {
            let Some(now) = self.host().user_by_username(&username)? else {
                plan.irreversible.push(Irreversible {
                    user: placeholder(&username),
                    why: format!("created by run {run}; the account no longer exists"),
                });
                continue;
            };
            let key = UserKey::from(now.key.as_str());
            let mut push = |operation| {
                plan.steps.push(RevertStep {
                    operation,
                    reason: format!("{reason}: the run created this account"),
                });
            };
            for group in groups {
                if now
                    .groups
                    .iter()
                    .any(|g| g.eq_ignore_ascii_case(group.as_str()))
                {
                    push(Operation::RemoveFromGroup {
                        user: key.clone(),
                        group,
                    });
                }
            }
            if now.active {
                push(Operation::Deactivate { user: key.clone() });
            }
        }
        Ok(plan)
    }
}

impl Service {
    /// Replaces "deleted, cannot be restored" by a cancellation where the
    /// host still can (see the module docs).
    fn revert_deletions(
        &self,
        run: RunId,
        landed: &[Operation],
        plan: &mut RevertPlan,
    ) -> Result<(), ServiceError> {
        let before = self.store().before_states(run)?;
        for op in landed {
            let Operation::Delete { user } = op else {
                continue;
            };
            let Some(pos) = plan.irreversible.iter().position(|i| &i.user == user) else {
                continue;
            };
            match self.host().deletion_undo(user)? {
                DeletionUndo::Cancellable => {
                    plan.irreversible.remove(pos);
                    plan.steps.push(RevertStep {
                        operation: Operation::CancelDeletion { user: user.clone() },
                        reason: format!(
                            "revert of run {run}: the deletion is cancelled within Atlassian's 14-day grace period"
                        ),
                    });
                    let was_inactive = before.iter().any(|b| &b.user == user && !b.active);
                    if was_inactive {
                        plan.steps.push(RevertStep {
                            operation: Operation::Deactivate { user: user.clone() },
                            reason: format!(
                                "revert of run {run}: cancelling the deletion activates the account, which was inactive before"
                            ),
                        });
                    }
                }
                DeletionUndo::Final(why) => {
                    if let Some(entry) = plan.irreversible.get_mut(pos) {
                        entry.why = format!("deleted by run {run}; {why}");
                    }
                }
            }
        }
        Ok(())
    }
}
