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

use std::collections::BTreeSet;

use seatwarden_audit::RunId;
use seatwarden_core::{GroupName, Operation, UserKey};

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
