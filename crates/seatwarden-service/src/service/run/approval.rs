//! Plans that wait for an admin: guard approvals and confirmed plans.
//!
//! Two kinds of run start from a plan an admin has seen: a policy run the
//! mass-change guard held (approved by the exact plan hash), and bulk
//! actions, imports and reverts, whose plans are kept in memory until the
//! admin confirms them by hash. Both journal exactly the confirmed plan
//! and queue it for applying; an approval can never be spent on another
//! plan.

use std::sync::Arc;

use seatwarden_audit::{
    Action as AuditAction, Actor, AuditEntry, AuditFilter, Initiator, NewRun, PlanHash, RunId,
    RunStatus, RunUpdate, Status,
};
use seatwarden_core::Millis;

use super::{Job, PendingPlan, PlanDropped, PlanState, run_lease};
use crate::service::{KeptPlan, Missing, Phase, Service, ServiceError};
use crate::store::JournaledPlan;

impl Service {
    /// Approves a run awaiting approval, if `hash` names its exact plan;
    /// queues the journaled plan for applying and returns the run id.
    pub fn approve(
        &self,
        run: RunId,
        hash: &str,
        admin: &Actor,
        now: Millis,
    ) -> Result<RunId, ServiceError> {
        let stored = self.awaiting(run)?;
        if stored.plan_hash.as_ref().map(|h| h.0.as_str()) != Some(hash) {
            return Err(ServiceError::PlanHashMismatch(KeptPlan::AwaitingApproval));
        }
        // Never apply a plan made on an organization no longer connected
        // (`service::swap`, from the store: also after a restart); its
        // discard follows at the next drive.
        self.check_planned_here(run, now)?;
        self.take_run_lease(run, now)?;
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
        self.phase(run, Phase::Queued, 0, pending.len() as u64);
        self.jobs().lock().push_back(Job::Apply {
            run,
            policy: stored.policy.clone(),
            plan: None,
        });
        Ok(run)
    }

    /// Parks journaled run `run` (of `actions` actions) until an admin
    /// approves its plan hash: the run waits, its lease is released.
    ///
    /// The hold is audited (`run_held`, once even when a crash makes the
    /// run plan again): its instant starts the approval wait that the run's
    /// duration leaves out ([`Service::approval_waits`]).
    pub(crate) fn hold_for_approval(
        &self,
        run: RunId,
        actions: usize,
        now: Millis,
    ) -> Result<(), ServiceError> {
        let held = AuditFilter {
            run: Some(run),
            actions: vec![AuditAction::RunHeld],
            ..AuditFilter::default()
        };
        if self.store().count_audit(&held)? == 0 {
            let entry =
                AuditEntry::new(now, Actor::system(), AuditAction::RunHeld, Status::Success)
                    .with_run(run)
                    .with_description(format!(
                        "run {run} held for approval: {actions} planned action(s) wait for an admin"
                    ));
            self.store().append_audit(&[entry])?;
        }
        self.store()
            .update_run(run, &RunUpdate::status(RunStatus::AwaitingApproval))?;
        self.phase(run, Phase::AwaitingApproval, 0, actions as u64);
        self.set_status(run, RunStatus::AwaitingApproval);
        self.store().release_lease(&run_lease(run), self.owner())?;
        self.run_ended(run);
        Ok(())
    }

    /// Discards a run awaiting approval: its plan is never applied, the run
    /// ends `discarded` and the audit log names the admin. The approval
    /// mail promises this ("approve or discard it"). Refused for a run
    /// that is not waiting (approved, applied or discarded already).
    pub fn discard(&self, run: RunId, admin: &Actor, now: Millis) -> Result<(), ServiceError> {
        self.discard_with(run, admin, "nothing changed", now)
    }

    /// [`Service::discard`], audited with `reason` ("nothing changed" when
    /// an admin discards; the directory left when a swap does).
    pub(crate) fn discard_with(
        &self,
        run: RunId,
        admin: &Actor,
        reason: &str,
        now: Millis,
    ) -> Result<(), ServiceError> {
        self.awaiting(run)?;
        // The run lease keeps an approval on another node from starting
        // while this one discards; read again under it.
        self.take_run_lease(run, now)?;
        let stored = match self.awaiting(run) {
            Ok(stored) => stored,
            Err(e) => {
                let _ = self.store().release_lease(&run_lease(run), self.owner());
                return Err(e);
            }
        };
        let entry = AuditEntry::new(
            now,
            admin.clone(),
            AuditAction::RunDiscarded,
            Status::Success,
        )
        .with_run(run)
        .with_description(format!("discarded the held plan of run {run}; {reason}"));
        self.store().append_audit(&[entry])?;
        // Approved review items this plan would have acted on wait again.
        self.reopen_discarded(run, admin, now)?;
        self.finish_with(run, RunStatus::Discarded, stored.counts, now)
    }

    /// The run, if it is awaiting approval.
    fn awaiting(&self, run: RunId) -> Result<seatwarden_audit::OperationRun, ServiceError> {
        let stored = self
            .store()
            .get_run(run)?
            .ok_or(ServiceError::NotFound(Missing::Run(run)))?;
        if stored.status != RunStatus::AwaitingApproval {
            return Err(ServiceError::NotAwaitingApproval {
                run,
                status: stored.status,
            });
        }
        Ok(stored)
    }

    /// Takes the run's lease for this node, or says another node holds it.
    fn take_run_lease(&self, run: RunId, now: Millis) -> Result<(), ServiceError> {
        let lease = self.store().acquire_lease(
            &run_lease(run),
            self.owner(),
            now,
            self.options().lease_ttl,
        )?;
        if lease.is_acquired() {
            Ok(())
        } else {
            Err(ServiceError::RunBusy(run))
        }
    }

    /// Keeps a plan until an admin confirms it by hash.
    ///
    /// Kept plans live in memory, so they are capped: at most
    /// [`MAX_KEPT_PLANS`] plans and [`MAX_KEPT_BYTES`] bytes (an import
    /// weighs its file, a bulk plan its bitmaps and order, other plans ~256
    /// bytes an action); past either, the oldest are dropped first
    /// (confirming or paging one then answers 410 with the reason: preview
    /// again). The new plan is always kept: the largest upload is below the
    /// byte cap.
    pub(crate) fn keep_plan(&self, plan: PendingPlan) {
        let mut pending = self.pending_plans().lock();
        // Plans older than a day are dropped: confirming one that old would
        // apply decisions about a directory that has moved on.
        let cutoff = plan.created.0 - seatwarden_core::time::DAY_MS;
        let mut dropped: Vec<(String, PlanDropped)> = pending
            .values()
            .filter(|p| p.created.0 < cutoff)
            .map(|p| (p.id.clone(), PlanDropped::Expired))
            .collect();
        pending.retain(|_, p| p.created.0 >= cutoff);
        let mut weight: usize = pending.values().map(PendingPlan::weight).sum();
        let incoming = plan.weight();
        while !pending.is_empty()
            && (pending.len() >= MAX_KEPT_PLANS || weight + incoming > MAX_KEPT_BYTES)
        {
            // Oldest first; plan ids are issued in order, so they break ties.
            let oldest = pending
                .values()
                .min_by_key(|p| (p.created.0, plan_number(&p.id)))
                .map(|p| p.id.clone());
            let Some(oldest) = oldest else { break };
            if let Some(gone) = pending.remove(&oldest) {
                weight -= gone.weight();
                dropped.push((oldest, PlanDropped::Evicted));
            }
        }
        pending.insert(plan.id.clone(), plan);
        drop(pending);
        for (id, why) in dropped {
            self.note_dropped(id, why);
        }
    }

    /// Remembers why plan `id` is gone (the last [`MAX_DROPPED`] only).
    pub(crate) fn note_dropped(&self, id: String, why: PlanDropped) {
        let mut dropped = self.dropped_plans().lock();
        if dropped.len() >= MAX_DROPPED {
            dropped.pop_front();
        }
        dropped.push_back((id, why));
    }

    /// The error for a plan id that is not kept: 410 with the reason when
    /// it was handed out and dropped, 404 otherwise.
    pub(crate) fn plan_missing(&self, plan_id: &str) -> ServiceError {
        let dropped = self.dropped_plans().lock();
        match dropped.iter().rev().find(|(id, _)| id == plan_id) {
            Some((_, why)) => ServiceError::PlanGone {
                plan: plan_id.to_owned(),
                why: *why,
            },
            None => ServiceError::NotFound(Missing::Plan(plan_id.to_owned())),
        }
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
                None => {
                    drop(pending);
                    return Err(self.plan_missing(plan_id));
                }
                Some(p) if p.bulk.as_ref().is_some_and(|b| b.is_policy_preview()) => {
                    // Kept for paging only, and left kept.
                    return Err(ServiceError::PolicyPreviewNotConfirmable(
                        plan_id.to_owned(),
                    ));
                }
                Some(p) if p.hash != hash => {
                    return Err(ServiceError::PlanHashMismatch(KeptPlan::Previewed));
                }
                Some(_) => pending.remove(plan_id),
            }
        };
        let Some(mut plan) = plan else {
            return Err(ServiceError::NotFound(Missing::Plan(plan_id.to_owned())));
        };
        if let Some(kept) = plan.import.take() {
            // Planned again from the file: refused if the directory moved
            // since the preview (the admin validates again).
            self.replan_import(&kept, &mut plan.plan, hash)?;
        }
        if let Some(kept) = plan.bulk.take() {
            // Rendered in full only now; refused if the directory moved
            // since the preview so that the writes differ.
            self.render_bulk(&kept, &mut plan.plan, hash)?;
        }

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
        self.note_dropped(plan_id.to_owned(), PlanDropped::Confirmed);
        let actions = plan.plan.journal_actions();
        let journaled = JournaledPlan {
            hash: PlanHash(plan.hash.clone()),
            json: serde_json::to_string(&plan.plan).unwrap_or_default(),
            actions: actions.clone(),
        };
        // With the directory it is planned on (`service::swap`).
        self.journal_plan(run, &journaled)?;
        if plan.plan.status == PlanState::NeedsApproval {
            // An import that would exhaust a licence: journaled, then held
            // until an admin approves its hash (`approve`).
            self.hold_for_approval(run, actions.len(), now)?;
            return Ok(run);
        }
        self.record_before_states(run, &actions)?;
        self.phase(run, Phase::Queued, 0, actions.len() as u64);
        self.jobs().lock().push_back(Job::Apply {
            run,
            policy: None,
            plan: Some(Arc::new(plan.plan)),
        });
        Ok(run)
    }
}

/// How many dropped plan ids are remembered (for 410 rather than 404).
const MAX_DROPPED: usize = 1_024;

/// How many plans are kept for confirmation at most.
pub(crate) const MAX_KEPT_PLANS: usize = 16;

/// How many bytes kept plans may weigh together (see [`PendingPlan::weight`]);
/// above the largest users import upload (128 MiB).
pub(crate) const MAX_KEPT_BYTES: usize = 256 * 1024 * 1024;

/// The number in a plan id (`p17` → 17), for ordering plans made in the same
/// millisecond.
fn plan_number(id: &str) -> u64 {
    id.trim_start_matches('p').parse().unwrap_or(0)
}
