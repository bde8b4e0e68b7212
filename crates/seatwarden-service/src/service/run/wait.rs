//! How long held runs waited for an admin, so a run's duration is the
//! time it worked, not the time it sat on the approval screen.
//!
//! Why from the audit trail: the wait starts when the guard holds the run
//! (`run_held`) and ends when an admin approves or discards it
//! (`run_approved`, `run_discarded`). Both are audited anyway, with their
//! instants, on every node; keeping a second copy on the run record would
//! need a store migration and could disagree with the log. A run held
//! before `run_held` existed waited from its start (the hold followed its
//! planning at once). A run whose entries were purged by retention shows
//! no wait: its duration is then start to finish, as before.

use std::collections::HashMap;

use seatwarden_audit::{Action as AuditAction, AuditFilter, AuditQuery, OperationRun, RunId};
use seatwarden_core::Millis;

use crate::service::{Service, ServiceError};

/// One run's approval wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApprovalWait {
    /// When the run was held (its start for runs held before `run_held`).
    pub held_at: Millis,
    /// When an admin approved or discarded it; `None` while it waits.
    pub ended_at: Option<Millis>,
}

impl ApprovalWait {
    /// The wait in milliseconds, once it ended.
    pub fn millis(&self) -> Option<i64> {
        self.ended_at
            .map(|end| end.0.saturating_sub(self.held_at.0).max(0))
    }
}

impl Service {
    /// The approval waits of `runs` (only runs that were held appear): one
    /// audit query over the runs' time span, paged through to its end.
    pub fn approval_waits(
        &self,
        runs: &[OperationRun],
    ) -> Result<HashMap<RunId, ApprovalWait>, ServiceError> {
        let Some(from) = runs.iter().map(|r| r.started_at).min() else {
            return Ok(HashMap::new());
        };
        let wanted: HashMap<RunId, Millis> = runs.iter().map(|r| (r.id, r.started_at)).collect();
        let mut held: HashMap<RunId, Millis> = HashMap::new();
        let mut ended: HashMap<RunId, Millis> = HashMap::new();
        let mut query = AuditQuery::first(
            AuditFilter {
                actions: vec![
                    AuditAction::RunHeld,
                    AuditAction::RunApproved,
                    AuditAction::RunDiscarded,
                ],
                from: Some(from),
                ..AuditFilter::default()
            },
            seatwarden_audit::query::MAX_PAGE,
        );
        loop {
            let page = self.store().query_audit(&query)?;
            for stored in &page.items {
                let entry = &stored.entry;
                let Some(run) = entry.run.filter(|r| wanted.contains_key(r)) else {
                    continue;
                };
                let slot = if entry.action == AuditAction::RunHeld {
                    &mut held
                } else {
                    &mut ended
                };
                // The first hold and the first decision (a run is decided once).
                slot.entry(run)
                    .and_modify(|at| *at = (*at).min(entry.at))
                    .or_insert(entry.at);
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let mut waits = HashMap::new();
        for (run, started) in wanted {
            let held_at = held.get(&run).copied();
            let ended_at = ended.get(&run).copied();
            if held_at.is_none() && ended_at.is_none() {
                continue;
            }
            waits.insert(
                run,
                ApprovalWait {
                    held_at: held_at.unwrap_or(started),
                    ended_at,
                },
            );
        }
        Ok(waits)
    }
}
