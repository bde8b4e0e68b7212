//! Resuming runs a stopped process left in progress.
//!
//! A run can be cut short at any instant (a `kill -9`, a node lost, a JVM
//! restart), and what the next tick must do depends on how far it got,
//! which only the store knows:
//!
//! - **no journaled plan**: the process died while planning, before any
//!   write. A policy run is planned again, now, and completed under the
//!   same run id: the admin asked for that policy to run (or the schedule
//!   did), nothing happened yet, and planning afresh acts on today's
//!   directory, exactly as the run would have had it started now. Its
//!   audit entries name that run, as an uninterrupted run's would. Runs
//!   whose plan only lived in memory until journaled (bulk actions,
//!   imports, reverts: the admin confirmed a plan by its hash) cannot be
//!   rebuilt faithfully, so they are marked interrupted and changed
//!   nothing; the admin confirms them again.
//! - **a journaled preview or paused plan**: the run finishes as it would
//!   have (previewed, or failed with the health check's reason).
//! - **a plan held by the mass-change guard and not yet approved**: back to
//!   awaiting approval; a crash never spends an approval nobody gave.
//! - **a plan made on another directory** (an organization no longer
//!   connected: a restart or a swap since, `service::swap`): never applied
//!   here. Not yet approved, it is discarded as a held run would be after a
//!   swap; approved or ready (possibly half applied on the old
//!   organization), the run ends interrupted, audited `run_refused` with
//!   the organization it was planned on, and nothing is written to the
//!   current one. The admin runs the policy again on this directory.
//! - **a ready or approved plan**: before-states are completed (a crash
//!   may have come between journaling and recording them), audit entries
//!   lost between "outcome recorded" and "audit written" are repaired from
//!   the journal, then the pending actions are applied: landed actions are
//!   never repeated.

use std::collections::{BTreeMap, HashMap, HashSet};

use seatwarden_audit::{
    Action as AuditAction, Actor, AuditEntry, AuditFilter, OperationRun, RunCounts, RunFilter,
    RunId, RunKind, RunQuery, RunStatus, RunUpdate, Status as AuditStatus,
};
use seatwarden_core::{Millis, Operation, UserKey};

use super::apply::audit_entry;
use super::plan::{PREVIEW_REQUESTED, distinct_users};
use super::{Job, PlanState, RunPlan, policy_lease, run_lease};
use crate::host::HostIdentity;
use crate::service::swap::{current_label, directory_label, left_reason};
use crate::service::{Phase, Service, ServiceError};
use crate::store::{ActionKey, LeaseOutcome, RunJournal, StoreError};

/// What resuming one run came to.
enum Resumed {
    /// The run ran to its end (or to its awaiting-approval hold).
    Completed,
    /// Left for a later tick (its policy is busy elsewhere).
    Deferred,
    /// Nothing to resume: marked interrupted, or handed back to approval.
    Closed,
}

impl Service {
    /// Resumes runs left in progress by a process that stopped (their lease
    /// lapsed, or it was ours); returns the runs resumed to completion.
    pub(super) fn resume_interrupted(&self, now: Millis) -> Result<Vec<RunId>, ServiceError> {
        let query = RunQuery {
            filter: RunFilter {
                statuses: vec![RunStatus::InProgress],
                ..RunFilter::default()
            },
            after: None,
            limit: 100,
        };
        let runs = self.store().query_runs(&query)?.items;
        let mut resumed = Vec::new();
        for stored in runs {
            let run = stored.id;
            if self.active_runs().lock().contains(&run) {
                continue;
            }
            let lease = self.store().acquire_lease(
                &run_lease(run),
                self.owner(),
                now,
                self.options().lease_ttl,
            )?;
            if !matches!(lease, LeaseOutcome::Acquired(_)) {
                continue;
            }
            if !self.active_runs().lock().insert(run) {
                continue;
            }
            match self.resume_one(&stored, now) {
                Ok(Resumed::Completed) => resumed.push(run),
                Ok(Resumed::Deferred | Resumed::Closed) => self.let_go(run),
                Err(e) => {
                    // Still in progress in the store: a later tick retries.
                    self.let_go(run);
                    return Err(e);
                }
            }
        }
        Ok(resumed)
    }

    /// Gives up this node's hold on a run (lease and active mark).
    fn let_go(&self, run: RunId) {
        // A failed release only delays the next attempt until the lease lapses.
        let _ = self.store().release_lease(&run_lease(run), self.owner());
        self.run_ended(run);
    }

    /// Resumes one run this node now holds; see the module docs.
    fn resume_one(&self, stored: &OperationRun, now: Millis) -> Result<Resumed, ServiceError> {
        let run = stored.id;
        match self.store().journal(run)? {
            None => self.resume_unplanned(stored, now),
            Some(journal) => self.resume_journaled(stored, &journal, now),
        }
    }

    /// A run that died before its plan was journaled: nothing was written.
    fn resume_unplanned(
        &self,
        stored: &OperationRun,
        now: Millis,
    ) -> Result<Resumed, ServiceError> {
        let run = stored.id;
        let policy = match (&stored.kind, &stored.policy) {
            (RunKind::ScheduledCleanup, Some(policy))
                if self.settings().config.policy(policy).is_some() =>
            {
                policy.clone()
            }
            _ => {
                // A confirmed plan that never reached the journal (or a
                // policy deleted since): nothing happened, and nothing can
                // be replayed faithfully.
                self.store().mark_interrupted(run, now)?;
                self.forget_run_directory(run, now);
                return Ok(Resumed::Closed);
            }
        };
        let lease = self.store().acquire_lease(
            &policy_lease(&policy),
            self.owner(),
            now,
            self.options().lease_ttl,
        )?;
        if !lease.is_acquired() {
            return Ok(Resumed::Deferred);
        }
        let preview = stored
            .plan_hash
            .as_ref()
            .is_some_and(|h| h.0 == PREVIEW_REQUESTED);
        self.run_job_to_end(
            Job::Plan {
                run,
                policies: vec![policy],
                preview,
            },
            now,
        )?;
        Ok(Resumed::Completed)
    }

    /// A run with a journaled plan: finish it the way it was headed.
    fn resume_journaled(
        &self,
        stored: &OperationRun,
        journal: &RunJournal,
        now: Millis,
    ) -> Result<Resumed, ServiceError> {
        let run = stored.id;
        let plan: RunPlan = serde_json::from_str(&journal.plan.json)
            .map_err(|_| StoreError::Corrupt(format!("plan of run `{run}`")))?;
        if !matches!(plan.status, PlanState::Preview | PlanState::Paused) {
            // A plan that writes: only on the directory it was planned on.
            let planned_on = self.run_directory(run, now)?;
            if planned_on != self.host().identity() {
                return self.refuse_elsewhere(stored, &plan, planned_on.as_ref(), now);
            }
        }
        match plan.status {
            PlanState::Preview => {
                let counts = RunCounts {
                    users_affected: distinct_users(&plan),
                    ..RunCounts::default()
                };
                self.finish_with(run, RunStatus::Previewed, counts, now)?;
                self.release_policy(stored.policy.as_ref());
                return Ok(Resumed::Completed);
            }
            PlanState::Paused => {
                self.finish_with(run, RunStatus::Failed, RunCounts::default(), now)?;
                self.release_policy(stored.policy.as_ref());
                return Ok(Resumed::Completed);
            }
            PlanState::NeedsApproval if !self.was_approved(run)? => {
                self.store()
                    .update_run(run, &RunUpdate::status(RunStatus::AwaitingApproval))?;
                self.phase(
                    run,
                    Phase::AwaitingApproval,
                    0,
                    journal.plan.actions.len() as u64,
                );
                self.release_policy(stored.policy.as_ref());
                return Ok(Resumed::Closed);
            }
            _ => {}
        }
        self.ensure_index()?;
        if journal.outcomes.is_empty() {
            // The crash may have come between journaling the plan and
            // recording the before-states; the first state recorded per
            // user wins, so recording again is harmless.
            self.record_before_states(run, &journal.plan.actions)?;
        }
        self.repair_audit(run, journal, &plan)?;
        self.run_job_to_end(
            Job::Apply {
                run,
                policy: stored.policy.clone(),
                plan: Some(std::sync::Arc::new(plan)),
            },
            now,
        )?;
        Ok(Resumed::Completed)
    }

    /// A journaled plan made on another directory than the one connected
    /// now (see the module docs): nothing is written here.
    fn refuse_elsewhere(
        &self,
        stored: &OperationRun,
        plan: &RunPlan,
        planned_on: Option<&HostIdentity>,
        now: Millis,
    ) -> Result<Resumed, ServiceError> {
        let run = stored.id;
        self.release_policy(stored.policy.as_ref());
        if plan.status == PlanState::NeedsApproval && !self.was_approved(run)? {
            // Held when the process stopped: discarded as a held run is
            // after a swap, with the same reason.
            self.store()
                .update_run(run, &RunUpdate::status(RunStatus::AwaitingApproval))?;
            let reason = left_reason(planned_on);
            return match self.discard_with(run, &Actor::system(), &reason, now) {
                Ok(()) | Err(ServiceError::NotAwaitingApproval { .. }) => Ok(Resumed::Closed),
                Err(e) => Err(e),
            };
        }
        let current = self.host().identity();
        let entry = AuditEntry::new(
            now,
            Actor::system(),
            AuditAction::RunRefused,
            AuditStatus::Failed,
        )
        .with_run(run)
        .with_description(format!(
            "run {run} was not resumed: planned on {}, which is no longer connected (now: {}); \
             the actions it had not applied are not applied here",
            directory_label(planned_on),
            current_label(current.as_ref()),
        ));
        self.store().append_audit(&[entry])?;
        self.store().mark_interrupted(run, now)?;
        self.forget_run_directory(run, now);
        Ok(Resumed::Closed)
    }

    /// Whether an admin approved `run`'s plan (the approval is audited
    /// before the run is queued to apply).
    fn was_approved(&self, run: RunId) -> Result<bool, ServiceError> {
        let filter = AuditFilter {
            run: Some(run),
            actions: vec![AuditAction::RunApproved],
            ..AuditFilter::default()
        };
        Ok(self.store().count_audit(&filter)? > 0)
    }

    /// Writes audit entries for journaled outcomes that have none (a crash
    /// between the two writes).
    fn repair_audit(
        &self,
        run: RunId,
        journal: &RunJournal,
        plan: &RunPlan,
    ) -> Result<(), ServiceError> {
        if journal.outcomes.is_empty() {
            return Ok(());
        }
        let mut seen: HashSet<(String, String, String)> = HashSet::new();
        let filter = AuditFilter {
            run: Some(run),
            ..AuditFilter::default()
        };
        self.store().scan_audit(&filter, &mut |e| {
            seen.insert(audit_identity(&e.entry));
            Ok(())
        })?;
        let infos: HashMap<(&UserKey, &ActionKey), _> = plan
            .actions
            .iter()
            .map(|a| ((&a.user, &a.action), a))
            .collect();
        let ops: BTreeMap<(&UserKey, &ActionKey), &Operation> = journal
            .plan
            .actions
            .iter()
            .filter_map(|a| a.operation.as_ref().map(|op| ((&a.user, &a.action), op)))
            .collect();
        let mut missing = Vec::new();
        for outcome in &journal.outcomes {
            let Some(op) = ops.get(&(&outcome.user, &outcome.action)) else {
                continue;
            };
            let info = infos.get(&(&outcome.user, &outcome.action)).copied();
            let entry = audit_entry(run, &plan.actor, info, op, outcome);
            if !seen.contains(&audit_identity(&entry)) {
                missing.push(entry);
            }
        }
        if !missing.is_empty() {
            self.store().append_audit(&missing)?;
        }
        Ok(())
    }
}

fn audit_identity(e: &AuditEntry) -> (String, String, String) {
    (
        e.target
            .user
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        e.action.as_str().to_owned(),
        e.target
            .group
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
    )
}
