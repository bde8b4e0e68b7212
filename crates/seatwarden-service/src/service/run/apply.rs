//! Applying a journaled plan: host write → journal outcome → audit →
//! progress, then the run's counts and final status.
//!
//! This is the hot loop of a live run and the part that must never repeat
//! work: each action is written under its user's stripe lock (so a login
//! cannot interleave), recorded in the journal, and audited only when the
//! journal accepted it as new. It lives apart from planning and resuming
//! because all three paths (a fresh run, an approval, a resume) end here.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use seatwarden_audit::{
    Action as AuditAction, Actor, AuditEntry, AuditFilter, Initiator, PolicyId, RunCounts, RunId,
    RunKind, RunStatus, RunUpdate, Status,
};
use seatwarden_core::{Millis, Operation, UserKey};

use super::{ActionInfo, RunPlan, policy_lease, run_lease};
use crate::service::{Phase, Progress, Service, ServiceError, admin_mail};
use crate::store::{
    AccountState, ActionKey, ActionOutcome, OutcomeStatus, PlannedAction, StoreError,
};
use seatwarden_mail::TemplateKind;

impl Service {
    /// Records the before-state of every user the actions touch.
    pub(crate) fn record_before_states(
        &self,
        run: RunId,
        actions: &[PlannedAction],
    ) -> Result<(), ServiceError> {
        let users: Vec<UserKey> = {
            let mut seen = HashSet::new();
            actions
                .iter()
                .filter(|a| seen.insert(a.user.clone()))
                .map(|a| a.user.clone())
                .collect()
        };
        let states: Vec<AccountState> = {
            let slot = self.index.read();
            let Some(index) = slot.index.as_ref() else {
                return Ok(());
            };
            users
                .iter()
                .filter_map(|u| {
                    let idx = index.index_of_key(u)?;
                    Some(AccountState {
                        user: u.clone(),
                        active: index.is_active(idx),
                        // The index does not tell suspended from
                        // deactivated; a run only suspends active users.
                        suspended: false,
                        username: index.username(idx).into(),
                        groups: index.groups_of(idx).cloned().collect(),
                    })
                })
                .collect()
        };
        self.store().record_before_states(run, &states)?;
        Ok(())
    }

    /// Applies up to `limit` pending actions; `Ok(true)` when more remain.
    pub(super) fn apply_slice(
        &self,
        run: RunId,
        policy: Option<&PolicyId>,
        plan: &mut Option<Arc<RunPlan>>,
        now: Millis,
        limit: usize,
    ) -> Result<bool, ServiceError> {
        let ttl = self.options().lease_ttl;
        if self
            .store()
            .renew_lease(&run_lease(run), self.owner(), now, ttl)?
            .is_none()
        {
            // Another node took the run over; stop here without finishing it.
            self.run_ended(run);
            return Ok(false);
        }
        if let Some(p) = policy {
            let _ = self
                .store()
                .renew_lease(&policy_lease(p), self.owner(), now, ttl);
        }
        let journal = self
            .store()
            .journal(run)?
            .ok_or(ServiceError::Store(StoreError::NoPlan(run)))?;
        let run_plan = match plan {
            Some(p) => p.clone(),
            None => {
                let parsed: RunPlan = serde_json::from_str(&journal.plan.json)
                    .map_err(|_| StoreError::Corrupt(format!("plan of run `{run}`")))?;
                let parsed = Arc::new(parsed);
                *plan = Some(parsed.clone());
                parsed
            }
        };
        let infos: BTreeMap<(&UserKey, &ActionKey), &ActionInfo> = run_plan
            .actions
            .iter()
            .map(|a| ((&a.user, &a.action), a))
            .collect();
        // Bulk and revert plans were made a while ago from the index:
        // each action is re-checked against the user as the host has them
        // now (see `stale`).
        let recheck = self
            .store()
            .get_run(run)?
            .is_some_and(|r| matches!(r.kind, RunKind::ManualBulkAction | RunKind::Revert));
        let pending = self.store().pending_actions(run)?;
        let total = journal.plan.actions.len() as u64;
        let mut done = journal.outcomes.len() as u64;
        self.phase(run, Phase::Applying, done, total);
        for action in pending.iter().take(limit.max(1)) {
            let info = infos.get(&(&action.user, &action.action)).copied();
            self.apply_action(run, &run_plan.actor, info, action, recheck, now)?;
            done += 1;
            self.phase(run, Phase::Applying, done, total);
        }
        if pending.len() > limit.max(1) {
            return Ok(true);
        }
        self.finish(run, now)?;
        self.release_policy(policy);
        Ok(false)
    }

    /// Applies one action: host write under the user's stripe lock, index
    /// kept current, outcome journaled, then audited.
    pub(super) fn apply_action(
        &self,
        run: RunId,
        actor: &Actor,
        info: Option<&ActionInfo>,
        action: &PlannedAction,
        recheck: bool,
        now: Millis,
    ) -> Result<(), ServiceError> {
        let (status, detail) = match &action.operation {
            None => (OutcomeStatus::Skipped, Some("nothing to write".to_owned())),
            Some(op) => 'write: {
                let _user = self.stripe(action.user.as_str()).lock();
                // A failed read is not a reason to skip: the write itself
                // then reports what the host says.
                if recheck
                    && let Some(user) = op.user()
                    && let Ok(current) = self.host().user(user)
                    && let Some(why) = super::stale::stale_reason(op, current.as_ref())
                {
                    break 'write (OutcomeStatus::Skipped, Some(why));
                }
                // Imports resolve their new users' placeholders here; every
                // other action is exactly `host.apply(op)`.
                match super::super::import::apply(self, run, info, op, now) {
                    Ok((landed, _)) => {
                        self.note_applied(&landed, now);
                        (OutcomeStatus::Succeeded, None)
                    }
                    Err(failure) => (OutcomeStatus::Failed, Some(failure.to_string())),
                }
            }
        };
        let outcome = ActionOutcome {
            user: action.user.clone(),
            action: action.action.clone(),
            status,
            detail,
            at: now,
        };
        if self.store().record_outcome(run, &outcome)?
            && let Some(op) = &action.operation
        {
            let entry = audit_entry(run, actor, info, op, &outcome);
            self.store().append_audit(&[entry])?;
        }
        Ok(())
    }

    /// Finishes a run from its journal's outcomes.
    pub(super) fn finish(&self, run: RunId, now: Millis) -> Result<(), ServiceError> {
        let journal = self.store().journal(run)?;
        let mut counts = RunCounts::default();
        let mut users = HashSet::new();
        if let Some(j) = &journal {
            for o in &j.outcomes {
                match o.status {
                    OutcomeStatus::Succeeded => {
                        counts.succeeded += 1;
                        users.insert(o.user.clone());
                    }
                    OutcomeStatus::Failed => counts.failed += 1,
                    OutcomeStatus::Skipped => counts.skipped += 1,
                }
            }
        }
        counts.users_affected = users.len() as u64;
        let status = if counts.failed == 0 {
            RunStatus::Succeeded
        } else if counts.succeeded == 0 {
            RunStatus::Failed
        } else {
            RunStatus::PartiallyFailed
        };
        let stored = self.store().get_run(run)?;
        // A revert marks the run it undid before finishing itself: a crash
        // in between resumes here, and the mark and its audit entry are
        // written once.
        if let Some(stored) = &stored
            && stored.kind == RunKind::Revert
            && let Some(original) = stored.reverts
            && counts.succeeded > 0
        {
            self.store()
                .update_run(original, &RunUpdate::status(RunStatus::Reverted))?;
            let already = AuditFilter {
                run: Some(run),
                actions: vec![AuditAction::RunReverted],
                ..AuditFilter::default()
            };
            if self.store().count_audit(&already)? == 0 {
                let actor = match &stored.initiator {
                    Initiator::Manual { user, name } => Actor::user(user.clone(), name.clone()),
                    Initiator::Automated => Actor::system(),
                };
                let entry = AuditEntry::new(now, actor, AuditAction::RunReverted, Status::Success)
                    .with_run(run)
                    .with_description(format!("run {original} reverted by run {run}"));
                self.store().append_audit(&[entry])?;
            }
        }
        self.finish_with(run, status, counts, now)?;
        // The licence chart shows the drop on the day it happened (the
        // scheduler's next daily write repairs a failure here).
        if counts.succeeded > 0 {
            let _ = self.record_licence_history(now);
        }
        // Users whose access a policy run removed get the "access removed"
        // notice when the policy asks for it (once per user and run).
        if counts.succeeded > 0
            && let (Some(stored), Some(journal)) = (&stored, &journal)
            && stored.kind == RunKind::ScheduledCleanup
        {
            let _ = crate::access::queue_removal_notices(self, stored, journal, now);
        }
        // Policy runs report to the admins (when the run-report template
        // is on); the outbox sends one per run even if this is resumed.
        if stored.is_some_and(|s| s.kind == RunKind::ScheduledCleanup) {
            let _ = admin_mail::queue_run_mail(
                self,
                TemplateKind::RunReport,
                run,
                &admin_mail::counts_summary(&counts),
                now,
            );
        }
        Ok(())
    }

    pub(super) fn finish_with(
        &self,
        run: RunId,
        status: RunStatus,
        counts: RunCounts,
        now: Millis,
    ) -> Result<(), ServiceError> {
        self.store()
            .update_run(run, &RunUpdate::finish(status, now, counts))?;
        // Ended: where it was planned no longer matters (`service::swap`).
        self.forget_run_directory(run, now);
        let total = counts.succeeded + counts.failed + counts.skipped;
        self.set_progress(run, Progress::new(total, total, Phase::Done, status));
        let _ = self.store().release_lease(&run_lease(run), self.owner());
        self.run_ended(run);
        Ok(())
    }

    pub(super) fn phase(&self, run: RunId, phase: Phase, done: u64, total: u64) {
        let status = if phase == Phase::AwaitingApproval {
            RunStatus::AwaitingApproval
        } else {
            RunStatus::InProgress
        };
        self.set_progress(run, Progress::new(done, total, phase, status));
    }

    pub(super) fn set_status(&self, run: RunId, status: RunStatus) {
        if let Some(p) = self.progress.write().get_mut(&run) {
            p.status = status;
        }
    }
}

pub(super) fn audit_entry(
    run: RunId,
    actor: &Actor,
    info: Option<&ActionInfo>,
    op: &Operation,
    outcome: &ActionOutcome,
) -> AuditEntry {
    let status = match outcome.status {
        OutcomeStatus::Succeeded => Status::Success,
        OutcomeStatus::Failed => Status::Failed,
        OutcomeStatus::Skipped => Status::Skipped,
    };
    let group = match op {
        Operation::AddToGroup { group, .. } | Operation::RemoveFromGroup { group, .. } => {
            Some(group.clone())
        }
        Operation::CreateGroup { group } | Operation::DeleteGroup { group } => Some(group.clone()),
        _ => None,
    };
    let target = seatwarden_audit::Target {
        user: op.user().cloned(),
        user_name: info.map(|i| i.username.clone()).filter(|n| !n.is_empty()),
        group,
    };
    let mut description = op.to_string();
    if let Some(detail) = &outcome.detail {
        description = format!("{description}: {detail}");
    }
    let mut entry = AuditEntry::new(
        outcome.at,
        actor.clone(),
        AuditAction::of_operation(op, false),
        status,
    )
    .with_target(target)
    .with_description(description)
    .with_run(run);
    if let Some(info) = info {
        entry = entry.with_reason(info.reason.clone());
        if let Some(p) = &info.policy {
            entry = entry.with_policy(p.clone());
        }
    }
    entry
}
