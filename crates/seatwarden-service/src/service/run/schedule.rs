//! The scheduler tick: which policies are due, running them once across
//! all nodes, and the daily retention purge.
//!
//! Kept apart from the run mechanics because "when" (recurrences, anchors,
//! the policy lease that makes two nodes ticking at the same instant run a
//! policy once) is a separate concern from "how" a run executes.

use seatwarden_audit::{
    Actor, Initiator, NewRun, PolicyId, Retention, RunFilter, RunKind, RunQuery,
};
use seatwarden_core::Millis;
use seatwarden_core::policy::Trigger;
use seatwarden_core::schedule::{Recurrence, Schedule};

use super::{Job, policy_lease};
use crate::service::{Service, ServiceError, TickReport};

impl Service {
    /// The policies due at `now`.
    pub(super) fn due_policies(&self, now: Millis) -> Result<Vec<PolicyId>, ServiceError> {
        let settings = self.settings();
        let mut due = Vec::new();
        // A preview-only server schedules nothing: a live policy written
        // there is a draft for the real instance.
        if self.options().preview_only {
            return Ok(due);
        }
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

    pub(super) fn is_due(
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
    // Logins queued since the last reader: recorded at least once a tick.
    service.flush_logins();
    // Nobody in a loaded snapshot is warned: the preview shows who would be.
    if !service.options().preview_only {
        report.mails_queued = crate::service::mail::queue_due(service, now)?;
    }
    report.purged_entries = purge(service, now)?;
    report.licence_history = service.daily_licence_history(now)?;
    Ok(report)
}

pub(super) fn purge(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let days = service.settings().config.settings.audit_retention_days;
    // Once per UTC day and node: each purge writes a `logs purged` entry.
    let day = now.day_number();
    {
        let mut last = service.last_purge_day.lock();
        if *last == Some(day) {
            return Ok(0);
        }
        *last = Some(day);
    }
    // A failed prune is retried tomorrow; it never stops the tick.
    let _ = crate::access::prune(service, days, now);
    if days == 0 {
        return Ok(0);
    }
    let report = service
        .store()
        .purge_audit(Retention::days(days), Actor::system(), now)?;
    Ok(report.entries)
}
