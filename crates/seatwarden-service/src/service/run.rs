//! Runs: plan → health check and guard → journal → apply → audit → finish.
//!
//! Every run that writes follows one path, whatever started it (the
//! scheduler, "run now", an approval, a bulk action, an import, a revert):
//! its plan is journaled with the list of actions before the first write;
//! each action is applied through the host and its outcome recorded in the
//! journal as it lands, then audited; the run record gets counts and a
//! status at the end. A run holds the Store lease `run:<id>` (renewed every
//! slice) while it executes, so a run whose process died is found by the
//! next tick on any node (in progress, lease lapsed) and resumed from the
//! journal's pending actions: landed actions are never repeated, and audit
//! entries lost between "outcome recorded" and "audit written" are repaired
//! from the journal first.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use seatwarden_audit::{
    Action as AuditAction, Actor, AuditEntry, AuditFilter, Initiator, NewRun, PlanHash, PolicyId,
    Retention, RunCounts, RunFilter, RunId, RunKind, RunQuery, RunStatus, RunUpdate, Status,
};
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{Plan, PlanStatus};
use seatwarden_core::policy::{Mode, Trigger};
use seatwarden_core::schedule::{Recurrence, Schedule};
use seatwarden_core::{Millis, Operation, UserKey};

use super::{Progress, Service, ServiceError, TickReport};
use crate::store::{
    AccountState, ActionKey, ActionOutcome, JournaledPlan, LeaseOutcome, OutcomeStatus,
    PlannedAction, StoreError,
};

/// One action of a run's plan, with everything an admin needs to see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionInfo {
    /// The user.
    pub user: UserKey,
    /// Their username when planned (a label).
    pub username: String,
    /// The journal's key for this action.
    pub action: ActionKey,
    /// The write.
    pub operation: Operation,
    /// Who planned it (policy id, `bulk:<id>`, `revert`, `import`).
    pub source: String,
    /// The policy, for policy runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyId>,
    /// Whether it is applied (false for safe-mode sources).
    pub live: bool,
    /// Why.
    pub reason: String,
}

/// What a run journals as its plan: the admin-facing document plus every
/// action with its reason, in applying order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    /// `preview`, `ready`, `needs_approval` or `paused`.
    pub status: String,
    /// Who the run's audit entries name as actor.
    pub actor: Actor,
    /// The engine's plan document (totals, skips with reasons, guard and
    /// health verdicts), or another kind's preview.
    #[serde(default)]
    pub document: serde_json::Value,
    /// Every action with its reason.
    pub actions: Vec<ActionInfo>,
}

impl RunPlan {
    /// The live actions, de-duplicated by (user, action), as the journal
    /// lists them.
    pub fn journal_actions(&self) -> Vec<PlannedAction> {
        let mut seen = HashSet::new();
        self.actions
            .iter()
            .filter(|a| a.live)
            .filter(|a| seen.insert((a.user.clone(), a.action.clone())))
            .map(|a| PlannedAction {
                user: a.user.clone(),
                action: a.action.clone(),
                operation: Some(a.operation.clone()),
            })
            .collect()
    }

    /// A hash of the live writes (for plans the engine did not hash).
    pub fn writes_hash(&self) -> String {
        let mut h = Sha256::new();
        for a in self.actions.iter().filter(|a| a.live) {
            h.update(serde_json::to_vec(&(&a.source, &a.operation)).unwrap_or_default());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }
}

/// A plan kept until an admin confirms it by hash (bulk, import, revert).
#[derive(Clone, Debug)]
pub struct PendingPlan {
    /// The plan id the API hands out.
    pub id: String,
    /// What kind of run it becomes.
    pub kind: RunKind,
    /// The run's name.
    pub name: String,
    /// The hash the admin must name.
    pub hash: String,
    /// The plan.
    pub plan: RunPlan,
    /// Who asked.
    pub admin: UserKey,
    /// When it was made.
    pub created: Millis,
    /// The run it reverts.
    pub reverts: Option<RunId>,
}

/// Queued background work.
pub(crate) enum Job {
    /// Plan (and then apply) a policy run.
    Plan {
        run: RunId,
        policies: Vec<PolicyId>,
        preview: bool,
    },
    /// Apply a journaled run's pending actions.
    Apply {
        run: RunId,
        policy: Option<PolicyId>,
        plan: Option<Arc<RunPlan>>,
    },
}

fn run_lease(run: RunId) -> PolicyId {
    PolicyId(format!("run:{run}"))
}

fn policy_lease(policy: &PolicyId) -> PolicyId {
    PolicyId(format!("policy:{policy}"))
}

impl Service {
    /// Creates a run record and takes its lease; the run is this node's.
    pub(crate) fn start_run(&self, new: &NewRun, now: Millis) -> Result<RunId, ServiceError> {
        let run = self.store().create_run(new)?;
        self.store()
            .acquire_lease(&run_lease(run), self.owner(), now, self.options().lease_ttl)?;
        self.active_runs().lock().insert(run);
        self.set_progress(
            run,
            Progress {
                done: 0,
                total: 0,
                phase: "queued".to_owned(),
                status: RunStatus::InProgress,
            },
        );
        Ok(run)
    }

    /// Plans the given policies at `now` over the current index.
    pub(crate) fn plan_policies(
        &self,
        index: &DirectoryIndex,
        now: Millis,
        only: Option<Vec<PolicyId>>,
        preview: bool,
    ) -> (Plan, RunPlan, String) {
        let settings = self.settings();
        let ctx = EvalContext {
            acting_admin: settings.automation_account.clone(),
            audit_deactivations: Vec::new(),
            previous_never_logged_in_bp: None,
            only,
            preview,
            approved_hash: None,
        };
        let plan = evaluate(&settings.config, index, now, &ctx);
        let status = plan.status();
        let ready =
            status == PlanStatus::Ready || matches!(status, PlanStatus::NeedsApproval { .. });
        let actions = plan
            .actions(index)
            .into_iter()
            .map(|a| {
                let policy = match &a.source {
                    seatwarden_core::plan::ActionSource::Policy { id } => Some(id.clone()),
                    seatwarden_core::plan::ActionSource::Bulk { .. } => None,
                };
                ActionInfo {
                    user: a
                        .operation
                        .user()
                        .cloned()
                        .unwrap_or_else(|| UserKey::from("")),
                    username: index
                        .index_of_key(a.operation.user().unwrap_or(&UserKey::from("")))
                        .map(|i| index.username(i).to_owned())
                        .unwrap_or_default(),
                    action: ActionKey::of(&a.operation),
                    operation: a.operation,
                    source: a.source.label(),
                    policy,
                    live: ready && a.mode == Mode::Live,
                    reason: a.reason.to_string(),
                }
            })
            .collect();
        let hash = plan.hash(index);
        let run_plan = RunPlan {
            status: status_name(&status).to_owned(),
            actor: Actor::system(),
            document: serde_json::to_value(plan.document(index)).unwrap_or_default(),
            actions,
        };
        (plan, run_plan, hash)
    }

    /// Runs the planning phase of a policy run; returns the apply job when
    /// there is something to apply.
    fn plan_run(
        &self,
        run: RunId,
        policies: &[PolicyId],
        preview: bool,
        now: Millis,
    ) -> Result<Option<Job>, ServiceError> {
        self.phase(run, "planning", 0, 0);
        let single = match policies {
            [one] => Some(one.clone()),
            _ => None,
        };
        if let Some(policy) = &single {
            let lease = self.store().acquire_lease(
                &policy_lease(policy),
                self.owner(),
                now,
                self.options().lease_ttl,
            )?;
            if !lease.is_acquired() {
                self.finish_with(run, RunStatus::Failed, RunCounts::default(), now)?;
                return Ok(None);
            }
        }
        self.rebuild_index()?;
        self.reload_settings()?;
        let planned = {
            let slot = self.index.read();
            slot.index
                .as_ref()
                .map(|index| self.plan_policies(index, now, Some(policies.to_vec()), preview))
        };
        let Some((plan, mut run_plan, hash)) = planned else {
            return Err(ServiceError::Snapshot(
                "the directory index is not built".to_owned(),
            ));
        };
        if let Some(policy) = &single {
            run_plan.actor = Actor::policy(policy.clone());
        }
        let status = plan.status();
        let journal_actions = run_plan.journal_actions();
        let json = serde_json::to_string(&run_plan).unwrap_or_default();
        let journaled = JournaledPlan {
            hash: PlanHash(hash),
            json,
            actions: if matches!(status, PlanStatus::Ready | PlanStatus::NeedsApproval { .. }) {
                journal_actions.clone()
            } else {
                Vec::new()
            },
        };
        self.store().journal_plan(run, &journaled)?;
        match status {
            PlanStatus::Preview => {
                let counts = RunCounts {
                    users_affected: distinct_users(&run_plan),
                    ..RunCounts::default()
                };
                self.finish_with(run, RunStatus::Previewed, counts, now)?;
                self.release_policy(single.as_ref());
                Ok(None)
            }
            PlanStatus::Paused { .. } => {
                self.finish_with(run, RunStatus::Failed, RunCounts::default(), now)?;
                self.release_policy(single.as_ref());
                Ok(None)
            }
            PlanStatus::NeedsApproval { .. } => {
                self.store()
                    .update_run(run, &RunUpdate::status(RunStatus::AwaitingApproval))?;
                self.phase(run, "awaiting approval", 0, journal_actions.len() as u64);
                self.set_status(run, RunStatus::AwaitingApproval);
                self.release_policy(single.as_ref());
                self.store().release_lease(&run_lease(run), self.owner())?;
                self.active_runs().lock().remove(&run);
                Ok(None)
            }
            PlanStatus::Ready => {
                self.record_before_states(run, &journal_actions)?;
                Ok(Some(Job::Apply {
                    run,
                    policy: single,
                    plan: Some(Arc::new(run_plan)),
                }))
            }
        }
    }

    fn release_policy(&self, policy: Option<&PolicyId>) {
        if let Some(p) = policy {
            // A failed release only delays the next run until the lease lapses.
            let _ = self.store().release_lease(&policy_lease(p), self.owner());
        }
    }

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
    fn apply_slice(
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
            self.active_runs().lock().remove(&run);
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
        let pending = self.store().pending_actions(run)?;
        let total = journal.plan.actions.len() as u64;
        let mut done = journal.outcomes.len() as u64;
        self.phase(run, "applying", done, total);
        for action in pending.iter().take(limit.max(1)) {
            let info = infos.get(&(&action.user, &action.action)).copied();
            self.apply_action(run, &run_plan.actor, info, action, now)?;
            done += 1;
            self.phase(run, "applying", done, total);
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
    fn apply_action(
        &self,
        run: RunId,
        actor: &Actor,
        info: Option<&ActionInfo>,
        action: &PlannedAction,
        now: Millis,
    ) -> Result<(), ServiceError> {
        let (status, detail) = match &action.operation {
            None => (OutcomeStatus::Skipped, Some("nothing to write".to_owned())),
            Some(op) => {
                let _user = self.stripe(action.user.as_str()).lock();
                match self.host().apply(op) {
                    Ok(_) => {
                        self.note_applied(op, now);
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

    /// Writes audit entries for journaled outcomes that have none (a crash
    /// between the two writes).
    fn repair_audit(&self, run: RunId) -> Result<(), ServiceError> {
        let Some(journal) = self.store().journal(run)? else {
            return Ok(());
        };
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
        let plan: Option<RunPlan> = serde_json::from_str(&journal.plan.json).ok();
        let actor = plan
            .as_ref()
            .map_or_else(Actor::system, |p| p.actor.clone());
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
            let info = plan.as_ref().and_then(|p| {
                p.actions
                    .iter()
                    .find(|a| a.user == outcome.user && a.action == outcome.action)
            });
            let entry = audit_entry(run, &actor, info, op, outcome);
            if !seen.contains(&audit_identity(&entry)) {
                missing.push(entry);
            }
        }
        if !missing.is_empty() {
            self.store().append_audit(&missing)?;
        }
        Ok(())
    }

    /// Finishes a run from its journal's outcomes.
    fn finish(&self, run: RunId, now: Millis) -> Result<(), ServiceError> {
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
        self.finish_with(run, status, counts, now)?;
        if let Some(stored) = self.store().get_run(run)?
            && stored.kind == RunKind::Revert
            && let Some(original) = stored.reverts
            && counts.succeeded > 0
        {
            self.store()
                .update_run(original, &RunUpdate::status(RunStatus::Reverted))?;
            let actor = match &stored.initiator {
                Initiator::Manual { user, name } => Actor::user(user.clone(), name.clone()),
                Initiator::Automated => Actor::system(),
            };
            let entry = AuditEntry::new(now, actor, AuditAction::RunReverted, Status::Success)
                .with_run(run)
                .with_description(format!("run {original} reverted by run {run}"));
            self.store().append_audit(&[entry])?;
        }
        Ok(())
    }

    fn finish_with(
        &self,
        run: RunId,
        status: RunStatus,
        counts: RunCounts,
        now: Millis,
    ) -> Result<(), ServiceError> {
        self.store()
            .update_run(run, &RunUpdate::finish(status, now, counts))?;
        let total = counts.succeeded + counts.failed + counts.skipped;
        self.set_progress(
            run,
            Progress {
                done: total,
                total,
                phase: "done".to_owned(),
                status,
            },
        );
        let _ = self.store().release_lease(&run_lease(run), self.owner());
        self.active_runs().lock().remove(&run);
        Ok(())
    }

    fn phase(&self, run: RunId, phase: &str, done: u64, total: u64) {
        let status = if phase == "awaiting approval" {
            RunStatus::AwaitingApproval
        } else {
            RunStatus::InProgress
        };
        self.set_progress(
            run,
            Progress {
                done,
                total,
                phase: phase.to_owned(),
                status,
            },
        );
    }

    fn set_status(&self, run: RunId, status: RunStatus) {
        if let Some(p) = self.progress.write().get_mut(&run) {
            p.status = status;
        }
    }

    /// Queues a policy run ("run now" or "preview"); returns its id at once.
    pub fn queue_policy_run(
        &self,
        policy: &PolicyId,
        initiator: Initiator,
        preview: bool,
        now: Millis,
    ) -> Result<RunId, ServiceError> {
        let settings = self.reload_settings()?;
        let found = settings
            .config
            .policy(policy)
            .ok_or_else(|| ServiceError::NotFound(format!("policy `{policy}`")))?;
        let mut new = NewRun::new(
            RunKind::ScheduledCleanup,
            found.name.clone(),
            initiator,
            now,
        );
        new.policy = Some(policy.clone());
        let run = self.start_run(&new, now)?;
        self.jobs().lock().push_back(Job::Plan {
            run,
            policies: vec![policy.clone()],
            preview,
        });
        Ok(run)
    }

    /// Approves a run awaiting approval, if `hash` names its exact plan;
    /// queues the journaled plan for applying and returns the run id.
    pub fn approve(
        &self,
        run: RunId,
        hash: &str,
        admin: &Actor,
        now: Millis,
    ) -> Result<RunId, ServiceError> {
        let stored = self
            .store()
            .get_run(run)?
            .ok_or_else(|| ServiceError::NotFound(format!("run `{run}`")))?;
        if stored.status != RunStatus::AwaitingApproval {
            return Err(ServiceError::Conflict(format!(
                "run `{run}` is not awaiting approval (it is {})",
                stored.status.as_str()
            )));
        }
        if stored.plan_hash.as_ref().map(|h| h.0.as_str()) != Some(hash) {
            return Err(ServiceError::Conflict(
                "the plan hash does not match the plan awaiting approval".to_owned(),
            ));
        }
        let lease = self.store().acquire_lease(
            &run_lease(run),
            self.owner(),
            now,
            self.options().lease_ttl,
        )?;
        if !lease.is_acquired() {
            return Err(ServiceError::Conflict(format!(
                "run `{run}` is being approved elsewhere"
            )));
        }
        self.store()
            .update_run(run, &RunUpdate::status(RunStatus::InProgress))?;
        let entry = AuditEntry::new(
            now,
            admin.clone(),
            AuditAction::RunApproved,
            Status::Success,
        )
        .with_run(run)
        .with_description(format!("approved plan {hash}"));
        self.store().append_audit(&[entry])?;
        self.ensure_index()?;
        let pending = self.store().pending_actions(run)?;
        self.record_before_states(run, &pending)?;
        self.active_runs().lock().insert(run);
        self.phase(run, "queued", 0, pending.len() as u64);
        self.jobs().lock().push_back(Job::Apply {
            run,
            policy: stored.policy.clone(),
            plan: None,
        });
        Ok(run)
    }

    /// Keeps a plan until an admin confirms it by hash.
    pub(crate) fn keep_plan(&self, plan: PendingPlan) {
        let mut pending = self.pending_plans().lock();
        // Plans older than a day are dropped: confirming one that old would
        // apply decisions about a directory that has moved on.
        let cutoff = plan.created.0 - seatwarden_core::time::DAY_MS;
        pending.retain(|_, p| p.created.0 >= cutoff);
        pending.insert(plan.id.clone(), plan);
    }

    /// Turns a kept plan into a run, if `hash` matches; returns its id.
    pub fn run_pending(
        &self,
        plan_id: &str,
        hash: &str,
        now: Millis,
    ) -> Result<RunId, ServiceError> {
        let plan = {
            let mut pending = self.pending_plans().lock();
            match pending.get(plan_id) {
                None => return Err(ServiceError::NotFound(format!("plan `{plan_id}`"))),
                Some(p) if p.hash != hash => {
                    return Err(ServiceError::Conflict(
                        "the plan hash does not match the previewed plan".to_owned(),
                    ));
                }
                Some(_) => pending.remove(plan_id),
            }
        };
        let Some(plan) = plan else {
            return Err(ServiceError::NotFound(format!("plan `{plan_id}`")));
        };
        let mut new = NewRun::new(
            plan.kind,
            plan.name.clone(),
            Initiator::Manual {
                user: plan.admin.clone(),
                name: None,
            },
            now,
        );
        new.reverts = plan.reverts;
        let run = self.start_run(&new, now)?;
        let actions = plan.plan.journal_actions();
        let journaled = JournaledPlan {
            hash: PlanHash(plan.hash.clone()),
            json: serde_json::to_string(&plan.plan).unwrap_or_default(),
            actions: actions.clone(),
        };
        self.store().journal_plan(run, &journaled)?;
        self.record_before_states(run, &actions)?;
        self.phase(run, "queued", 0, actions.len() as u64);
        self.jobs().lock().push_back(Job::Apply {
            run,
            policy: None,
            plan: Some(Arc::new(plan.plan)),
        });
        Ok(run)
    }

    /// Runs one job to completion (the scheduler's synchronous path).
    fn run_job_to_end(&self, mut job: Job, now: Millis) -> Result<(), ServiceError> {
        loop {
            match self.step(job, now)? {
                Some(next) => job = next,
                None => return Ok(()),
            }
        }
    }

    /// One slice of a job; the job to continue with, if any.
    fn step(&self, job: Job, now: Millis) -> Result<Option<Job>, ServiceError> {
        match job {
            Job::Plan {
                run,
                policies,
                preview,
            } => self.plan_run(run, &policies, preview, now),
            Job::Apply {
                run,
                policy,
                mut plan,
            } => {
                let more = self.apply_slice(
                    run,
                    policy.as_ref(),
                    &mut plan,
                    now,
                    self.options().slice_size,
                )?;
                Ok(more.then_some(Job::Apply { run, policy, plan }))
            }
        }
    }

    /// Resumes runs left in progress by a process that stopped (their lease
    /// lapsed, or it was ours); returns the runs resumed to completion.
    fn resume_interrupted(&self, now: Millis) -> Result<Vec<RunId>, ServiceError> {
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
            if self.store().journal(run)?.is_none() {
                self.store().mark_interrupted(run, now)?;
                let _ = self.store().release_lease(&run_lease(run), self.owner());
                self.active_runs().lock().remove(&run);
                continue;
            }
            self.ensure_index()?;
            self.repair_audit(run)?;
            self.run_job_to_end(
                Job::Apply {
                    run,
                    policy: None,
                    plan: None,
                },
                now,
            )?;
            resumed.push(run);
        }
        Ok(resumed)
    }

    /// The policies due at `now`.
    fn due_policies(&self, now: Millis) -> Result<Vec<PolicyId>, ServiceError> {
        let settings = self.settings();
        let mut due = Vec::new();
        for policy in &settings.config.policies {
            if !policy.enabled || policy.action.is_login() {
                continue;
            }
            if self.is_due(&policy.id, &policy.trigger, now)? {
                due.push(policy.id.clone());
            }
        }
        Ok(due)
    }

    /// The next scheduled run of a policy after `after`, if it has a schedule.
    pub fn next_run(&self, trigger: &Trigger, after: Millis) -> Option<Millis> {
        let settings = self.settings();
        let schedule = match trigger {
            Trigger::Scheduler => Schedule {
                recurrence: Recurrence::Daily {
                    at: settings.config.settings.scheduler_at,
                },
                timezone: None,
            },
            Trigger::Schedule { schedule } => schedule.clone(),
            Trigger::Login => return None,
        };
        schedule
            .compile(&settings.config.settings.timezone)
            .ok()?
            .next_after(after)
    }

    /// When the policy last ran on schedule (or was saved, or a day ago).
    pub fn schedule_anchor(&self, policy: &PolicyId, now: Millis) -> Result<Millis, ServiceError> {
        let last = self.last_run(policy)?;
        Ok(match last {
            Some(run) => run.started_at,
            None => self
                .settings()
                .saved_at
                .get(policy.as_str())
                .copied()
                .unwrap_or(now.minus_days(1)),
        })
    }

    /// The policy's most recent run.
    pub fn last_run(
        &self,
        policy: &PolicyId,
    ) -> Result<Option<seatwarden_audit::OperationRun>, ServiceError> {
        let query = RunQuery {
            filter: RunFilter {
                policy: Some(policy.clone()),
                kinds: vec![RunKind::ScheduledCleanup],
                ..RunFilter::default()
            },
            after: None,
            limit: 1,
        };
        Ok(self.store().query_runs(&query)?.items.into_iter().next())
    }

    fn is_due(
        &self,
        policy: &PolicyId,
        trigger: &Trigger,
        now: Millis,
    ) -> Result<bool, ServiceError> {
        let anchor = self.schedule_anchor(policy, now)?;
        Ok(self
            .next_run(trigger, anchor)
            .is_some_and(|next| next <= now))
    }
}

fn status_name(status: &PlanStatus) -> &'static str {
    match status {
        PlanStatus::Preview => "preview",
        PlanStatus::Ready => "ready",
        PlanStatus::NeedsApproval { .. } => "needs_approval",
        PlanStatus::Paused { .. } => "paused",
    }
}

fn distinct_users(plan: &RunPlan) -> u64 {
    plan.actions
        .iter()
        .map(|a| &a.user)
        .collect::<HashSet<_>>()
        .len() as u64
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

fn audit_entry(
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

/// The scheduler tick; see [`Service::tick`].
pub(crate) fn tick(service: &Service, now: Millis) -> Result<TickReport, ServiceError> {
    let mut report = TickReport::default();
    service.reload_settings()?;
    report.resumed = service.resume_interrupted(now)?;
    for policy in service.due_policies(now)? {
        let lease = service.store().acquire_lease(
            &policy_lease(&policy),
            service.owner(),
            now,
            service.options().lease_ttl,
        )?;
        if !lease.is_acquired() {
            report.skipped_leased += 1;
            continue;
        }
        // Another node may have run it between our check and our lease.
        let settings = service.settings();
        let still_due = match settings.config.policy(&policy) {
            Some(p) => service.is_due(&policy, &p.trigger, now)?,
            None => false,
        };
        if !still_due {
            service.release_policy(Some(&policy));
            report.skipped_leased += 1;
            continue;
        }
        let name = settings
            .config
            .policy(&policy)
            .map_or_else(|| policy.to_string(), |p| p.name.clone());
        let mut new = NewRun::new(RunKind::ScheduledCleanup, name, Initiator::Automated, now);
        new.policy = Some(policy.clone());
        let run = service.start_run(&new, now)?;
        service.run_job_to_end(
            Job::Plan {
                run,
                policies: vec![policy.clone()],
                preview: false,
            },
            now,
        )?;
        service.release_policy(Some(&policy));
        report.runs.push(run);
    }
    report.mails_queued = super::mail::queue_due(service, now)?;
    report.purged_entries = purge(service, now)?;
    Ok(report)
}

fn purge(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let days = service.settings().config.settings.audit_retention_days;
    if days == 0 {
        return Ok(0);
    }
    // Once per UTC day and node: each purge writes a `logs purged` entry.
    let day = now.day_number();
    {
        let mut last = service.last_purge_day.lock();
        if *last == Some(day) {
            return Ok(0);
        }
        *last = Some(day);
    }
    let report = service
        .store()
        .purge_audit(Retention::days(days), Actor::system(), now)?;
    Ok(report.entries)
}

/// One slice of background work; see [`Service::drive`].
pub(crate) fn drive(service: &Service, now: Millis) -> Result<bool, ServiceError> {
    let job = service.jobs().lock().pop_front();
    let Some(job) = job else {
        return Ok(false);
    };
    let run = match &job {
        Job::Plan { run, .. } | Job::Apply { run, .. } => *run,
    };
    match service.step(job, now) {
        Ok(Some(next)) => service.jobs().lock().push_front(next),
        Ok(None) => {}
        Err(e) => {
            // The run stays in progress with its lease: the next tick resumes
            // it from the journal. Forget it here so that is possible.
            let _ = service
                .store()
                .release_lease(&run_lease(run), service.owner());
            service.active_runs().lock().remove(&run);
            return Err(e);
        }
    }
    Ok(!service.jobs().lock().is_empty())
}
