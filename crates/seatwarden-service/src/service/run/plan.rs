//! Planning a policy run: evaluate → health check and guard → journal.
//!
//! Planning is the only phase that reads the whole directory (a fresh
//! index) and the only one that decides *what* a run will do; everything
//! after it works from the journaled plan. Kept apart so that the
//! decision (engine call, reasons, the run's admin-facing plan document)
//! and the hand-over to applying (before-states, the apply job) read as one
//! short path, and so a resume can re-enter it for a run that died while
//! planning.

use std::collections::HashSet;
use std::sync::Arc;

use seatwarden_audit::{
    Action as AuditAction, AuditEntry, AuditFilter, RunFilter, RunQuery, Status as AuditStatus,
};
use seatwarden_audit::{
    Actor, Initiator, NewRun, PlanHash, PolicyId, RunCounts, RunId, RunKind, RunStatus,
};
use seatwarden_core::Millis;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{Plan, PlanStatus};
use seatwarden_core::safety::never_logged_in_share_bp;
use seatwarden_core::warning::Warned;

use super::{ActionInfo, Job, PlanState, RunPlan, policy_lease};
use crate::service::trail::{Facts, NEVER_LOGGED_IN_BP};
use crate::service::{Missing, Phase, Service, ServiceError, admin_mail};
use crate::store::{JournaledPlan, LeaseOutcome};
use seatwarden_mail::TemplateKind;

/// The plan hash a queued preview run carries until its plan is journaled.
pub(super) const PREVIEW_REQUESTED: &str = "preview-requested";

impl Service {
    /// The facts evaluation needs besides the index: the automation account,
    /// the audit's deactivation times, the last never-logged-in share and
    /// the warnings sent. The forecast and the what-if use the same, so their
    /// day 0 is exactly the plan.
    pub(crate) fn eval_context(
        &self,
        now: Millis,
        only: Option<Vec<PolicyId>>,
        preview: bool,
        warned: Vec<Warned>,
        people: super::super::People,
    ) -> EvalContext {
        let settings = self.settings();
        // A store failure here keeps the last facts read: `plan_run` has
        // refreshed them (reporting any failure) just before taking the
        // index, so this read is the few entries appended since.
        let facts = self
            .refresh_facts(now)
            .unwrap_or_else(|_| self.trail.lock().last());
        EvalContext {
            acting_admin: settings.automation_account.clone(),
            audit_deactivations: facts.deactivations.as_ref().clone(),
            previous_never_logged_in_bp: facts.previous_never_logged_in_bp,
            only,
            preview,
            approved_hash: None,
            warned,
            exemptions: people.exemptions,
            review_approved: people.approved,
        }
    }

    /// Plans the given policies at `now` over the current index.
    pub(crate) fn plan_policies(
        &self,
        index: &DirectoryIndex,
        now: Millis,
        only: Option<Vec<PolicyId>>,
        preview: bool,
        warned: Vec<Warned>,
        people: super::super::People,
    ) -> (Plan, RunPlan, String) {
        let settings = self.settings();
        let ctx = self.eval_context(now, only, preview, warned, people);
        let plan = evaluate(&settings.config, index, now, &ctx);
        let status = plan.status();
        let ready =
            status == PlanStatus::Ready || matches!(status, PlanStatus::NeedsApproval { .. });
        // Rendered once: the document, the hash and the journal's actions
        // all come from the same writes.
        let rendered = plan.render(index);
        let mut document =
            serde_json::to_value(plan.document_of(index, &rendered)).unwrap_or_default();
        let hash = rendered.hash;
        let actions = rendered
            .actions
            .into_iter()
            .map(|a| ActionInfo::planned(index, a, ready))
            .collect();
        if let Some(fields) = document.as_object_mut() {
            // Journaled with the plan: the next run's health check compares
            // its share with this one (see `trail`).
            fields.insert(
                NEVER_LOGGED_IN_BP.to_owned(),
                never_logged_in_share_bp(
                    index,
                    index.signal_mask(&settings.config.settings.activity),
                )
                .into(),
            );
        }
        let run_plan = RunPlan {
            status: PlanState::from(&status),
            actor: Actor::system(),
            document: document.into(),
            actions,
        };
        (plan, run_plan, hash)
    }

    /// Ends a run that could not proceed as failed, with an audit entry
    /// saying why (a run that fails silently leaves admins guessing).
    fn refuse_run(
        &self,
        run: RunId,
        actor: Actor,
        policy: Option<&PolicyId>,
        reason: String,
        now: Millis,
    ) -> Result<(), ServiceError> {
        let mut entry = AuditEntry::new(now, actor, AuditAction::RunRefused, AuditStatus::Failed)
            .with_run(run)
            .with_description(format!("run {run} refused"))
            .with_reason(reason);
        if let Some(policy) = policy {
            entry = entry.with_policy(policy.clone());
        }
        self.store().append_audit(&[entry])?;
        self.finish_with(run, RunStatus::Failed, RunCounts::default(), now)
    }

    /// Reads the audit-trail facts evaluation needs (incrementally).
    pub(crate) fn refresh_facts(&self, now: Millis) -> Result<Facts, ServiceError> {
        Ok(self.trail.lock().refresh(self.store(), now)?)
    }

    /// Reads what the audit trail adds to evaluation now (done before every
    /// plan anyway; hosts and benchmarks may warm it at start): answers how
    /// many users have an audited deactivation time.
    pub fn refresh_audit_facts(&self, now: Millis) -> Result<usize, ServiceError> {
        Ok(self.refresh_facts(now)?.deactivations.len())
    }

    /// Runs the planning phase of a policy run; returns the apply job when
    /// there is something to apply.
    pub(super) fn plan_run(
        &self,
        run: RunId,
        policies: &[PolicyId],
        preview: bool,
        now: Millis,
    ) -> Result<Option<Job>, ServiceError> {
        self.phase(run, Phase::Planning, 0, 0);
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
            if let LeaseOutcome::Held(held) = lease {
                let reason = format!(
                    "policy `{policy}` is being run by node `{}` (its lease lapses at {}); this run changed nothing",
                    held.owner,
                    held.expires_at
                        .to_datetime()
                        .map_or_else(|| held.expires_at.0.to_string(), |t| t.to_rfc3339())
                );
                self.refuse_run(
                    run,
                    Actor::policy(policy.clone()),
                    Some(policy),
                    reason,
                    now,
                )?;
                return Ok(None);
            }
        }
        self.rebuild_index()?;
        self.reload_settings()?;
        self.refresh_facts(now)?;
        let warned = self.warned_users()?;
        if !preview {
            self.apply_review_timeouts(policies, now)?;
        }
        let people = self.people()?;
        let slot = self.index.read();
        let Some(index) = slot.index.as_ref() else {
            return Err(ServiceError::IndexNotBuilt);
        };
        let (plan, mut run_plan, hash) =
            self.plan_policies(index, now, Some(policies.to_vec()), preview, warned, people);
        // The review list follows every real run (a preview changes nothing).
        let review = if preview {
            None
        } else {
            Some(self.review_sync(run, &plan, index, now)?)
        };
        drop(slot);
        if let Some(review) = review {
            self.record_review(run, review, now)?;
        }
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
        // With the directory it is planned on (`service::swap`).
        self.journal_plan(run, &journaled)?;
        match status {
            PlanStatus::Preview => {
                let counts = RunCounts {
                    users_affected: distinct_users(&run_plan),
                    ..RunCounts::default()
                };
                // A preview changes nothing but is a run an admin asked
                // for (or a safe-mode schedule): the log shows it.
                let mut entry = AuditEntry::new(
                    now,
                    run_plan.actor.clone(),
                    AuditAction::RunPreviewed,
                    AuditStatus::Success,
                )
                .with_run(run)
                .with_description(format!(
                    "preview: {} action(s) for {} user(s) planned, nothing changed",
                    run_plan.actions.len(),
                    counts.users_affected
                ));
                if let Some(policy) = &single {
                    entry = entry.with_policy(policy.clone());
                }
                // Once, even when a crash makes this preview plan again.
                let logged = AuditFilter {
                    run: Some(run),
                    actions: vec![AuditAction::RunPreviewed],
                    ..AuditFilter::default()
                };
                if self.store().count_audit(&logged)? == 0 {
                    self.store().append_audit(&[entry])?;
                }
                self.finish_with(run, RunStatus::Previewed, counts, now)?;
                self.release_policy(single.as_ref());
                Ok(None)
            }
            PlanStatus::Paused { problems } => {
                let reason = format!(
                    "the health check paused the run, nothing changed: {}",
                    problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                self.refuse_run(run, run_plan.actor.clone(), single.as_ref(), reason, now)?;
                self.release_policy(single.as_ref());
                Ok(None)
            }
            PlanStatus::NeedsApproval { .. } => {
                self.release_policy(single.as_ref());
                self.hold_for_approval(run, journal_actions.len(), now)?;
                // Somebody must hear about it: a held 02:00 run otherwise
                // waits for ever. Queuing is best effort; the run is held
                // whatever happens to the mail.
                let _ = admin_mail::queue_run_mail(
                    self,
                    TemplateKind::GuardTripped,
                    run,
                    &admin_mail::plan_summary(&journal_actions),
                    now,
                );
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
            .ok_or_else(|| ServiceError::NotFound(Missing::Policy(policy.clone())))?;
        // One unfinished run per policy: a second would wait for the first
        // one's lease and end refused, after answering 202. Checked under a
        // lock so two clicks on this node cannot both pass; another node's
        // run is seen in the store (its lease still refuses a race).
        let _one = self.run_now_lock().lock();
        let unfinished = self.store().query_runs(&RunQuery {
            filter: RunFilter {
                statuses: vec![RunStatus::InProgress, RunStatus::AwaitingApproval],
                policy: Some(policy.clone()),
                ..RunFilter::default()
            },
            after: None,
            limit: 1,
        })?;
        if let Some(active) = unfinished.items.first() {
            return Err(ServiceError::PolicyRunActive {
                policy: policy.clone(),
                run: active.id,
                status: active.status,
            });
        }
        let mut new = NewRun::new(
            RunKind::ScheduledCleanup,
            found.name.clone(),
            initiator,
            now,
        );
        new.policy = Some(policy.clone());
        if preview {
            // Until the plan is journaled (which replaces it), this marks
            // the run as a preview, so a resume after a crash in planning
            // plans it again as a preview and never writes.
            new.plan_hash = Some(PlanHash(PREVIEW_REQUESTED.to_owned()));
        }
        let run = self.start_run(&new, now)?;
        self.jobs().lock().push_back(Job::Plan {
            run,
            policies: vec![policy.clone()],
            preview,
        });
        Ok(run)
    }
}

pub(super) fn distinct_users(plan: &RunPlan) -> u64 {
    plan.actions
        .iter()
        .map(|a| &a.user)
        .collect::<HashSet<_>>()
        .len() as u64
}
