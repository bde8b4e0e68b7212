//! What the audit trail knows that the host does not: when Seatwarden
//! deactivated each user, and the never-logged-in share the last run saw.
//!
//! Why this exists: Jira and Confluence keep no deactivation time (their
//! hosts send `deactivatedAt: null`), so a "delete users deactivated for N
//! days" policy can only work from our own audit trail, which is what
//! `docs/policies.md` promises (the settings' `deactivationTime` chooses
//! between the two sources when both exist). Without it every delete
//! candidate inside a product is skipped as `deactivation_time_unknown`.
//!
//! Why incremental: at a million users the trail holds about as many
//! deactivation entries, and re-reading all of them before every run would
//! make planning pay for the whole history each time. The service keeps the
//! latest state per user in memory and, before each plan, reads only the
//! entries from its watermark on (minus an overlap, so an entry another node
//! appended a little late, with a slightly older time, is still seen). The
//! entries are replayed oldest first, so re-reading the overlap is
//! harmless: a user's state is that of the newest entry about them.
//!
//! Why activations and deletions count too: a user Seatwarden deactivated,
//! someone reactivated and the product deactivated again has no valid
//! audited deactivation time any more (the product's later deactivation is
//! unknown); using the old one would delete them too early.
//!
//! Why suspensions count as deactivations: on Atlassian Cloud "delete after
//! N days suspended (or deactivated)" needs the suspension time, which the
//! organization APIs do not report (no such field in the users search; see
//! `docs/cloud.md`). Our own audited suspension is that time, and a restore
//! clears it like an activation.

use std::collections::HashMap;
use std::sync::Arc;

use seatwarden_audit::{Action, AuditFilter, RunFilter, RunId, RunKind, RunQuery, Status};
use seatwarden_core::{Millis, UserKey};

use crate::store::{Store, StoreResult};

/// Entries this much older than the watermark are read again on the next
/// refresh (another node's late append, clock skew between nodes).
const OVERLAP_MS: i64 = 60 * 60 * 1000;

/// How many recent runs are looked at for the previous health figure.
const RECENT_RUNS: u32 = 20;

/// The latest audited deactivation per user, refreshed incrementally.
#[derive(Debug, Default)]
pub(crate) struct DeactivationTrail {
    latest: HashMap<UserKey, Millis>,
    /// `latest` as the engine takes it, rebuilt only when it changed.
    list: Arc<Vec<(UserKey, Millis)>>,
    /// Entries at or after this instant have not been read yet (`None`:
    /// nothing was read).
    watermark: Option<Millis>,
}

impl DeactivationTrail {
    /// Reads the entries appended since the last refresh; returns the
    /// latest audited deactivation per user still deactivated by us.
    pub(crate) fn refresh(
        &mut self,
        store: &dyn Store,
        now: Millis,
    ) -> StoreResult<Arc<Vec<(UserKey, Millis)>>> {
        let filter = AuditFilter {
            actions: vec![
                Action::UserDeactivated,
                Action::UserSuspended,
                Action::UserActivated,
                Action::UserReactivated,
                Action::UserRestored,
                Action::UserDeleted,
            ],
            statuses: vec![Status::Success],
            from: self
                .watermark
                .map(|w| Millis(w.0.saturating_sub(OVERLAP_MS))),
            ..AuditFilter::default()
        };
        let mut seen: Vec<(UserKey, Millis, bool)> = Vec::new();
        let mut newest = self.watermark.unwrap_or(Millis(i64::MIN));
        store.scan_audit(&filter, &mut |e| {
            if let Some(user) = &e.entry.target.user {
                seen.push((
                    user.clone(),
                    e.entry.at,
                    matches!(
                        e.entry.action,
                        Action::UserDeactivated | Action::UserSuspended
                    ),
                ));
                newest = newest.max(e.entry.at);
            }
            Ok(())
        })?;
        // The scan is newest first; replay oldest first.
        let changed = !seen.is_empty();
        for (user, at, deactivated) in seen.into_iter().rev() {
            if deactivated {
                self.latest.insert(user, at);
            } else {
                self.latest.remove(&user);
            }
        }
        // An entry stamped in the future (a skewed clock) must not push the
        // watermark past entries still to come.
        self.watermark = Some(newest.min(now));
        if changed {
            self.list = Arc::new(self.latest.iter().map(|(k, t)| (k.clone(), *t)).collect());
        }
        Ok(self.list.clone())
    }
}

/// The facts from the store that evaluation needs, kept between plans.
#[derive(Debug, Default)]
pub(crate) struct Trail {
    deactivations: DeactivationTrail,
    /// The latest policy run whose plan recorded the health figure, and it
    /// (so the journal, which can be large, is read once per run).
    health: Option<(RunId, u32)>,
    facts: Facts,
}

/// What [`Trail::refresh`] found.
#[derive(Clone, Debug, Default)]
pub(crate) struct Facts {
    /// The latest audited deactivation per user (shared: at a million
    /// users it is copied once per plan, into the engine's context).
    pub(crate) deactivations: Arc<Vec<(UserKey, Millis)>>,
    /// The never-logged-in share the previous planned run reported.
    pub(crate) previous_never_logged_in_bp: Option<u32>,
}

impl Trail {
    /// Reads what changed in the store since the last refresh.
    pub(crate) fn refresh(&mut self, store: &dyn Store, now: Millis) -> StoreResult<Facts> {
        let deactivations = self.deactivations.refresh(store, now)?;
        let previous = previous_never_logged_in_bp(store, &mut self.health)?;
        self.facts = Facts {
            deactivations,
            previous_never_logged_in_bp: previous,
        };
        Ok(self.facts.clone())
    }

    /// The facts of the last successful refresh.
    pub(crate) fn last(&self) -> Facts {
        self.facts.clone()
    }
}

/// The key of the health figure inside a journaled policy plan's document.
pub(crate) const NEVER_LOGGED_IN_BP: &str = "neverLoggedInBp";

/// The never-logged-in share (basis points) the most recent planned
/// policy run reported, from its journaled plan; `None` when no recent run
/// recorded one (the first run, or they were purged).
fn previous_never_logged_in_bp(
    store: &dyn Store,
    cache: &mut Option<(RunId, u32)>,
) -> StoreResult<Option<u32>> {
    let query = RunQuery {
        filter: RunFilter {
            kinds: vec![RunKind::ScheduledCleanup],
            ..RunFilter::default()
        },
        limit: RECENT_RUNS,
        ..RunQuery::default()
    };
    for run in store.query_runs(&query)?.items {
        if let Some((id, bp)) = *cache
            && id == run.id
        {
            return Ok(Some(bp));
        }
        let Some(journal) = store.journal(run.id)? else {
            continue;
        };
        let bp = serde_json::from_str::<serde_json::Value>(&journal.plan.json)
            .ok()
            .and_then(|v| {
                v.pointer(&format!("/document/{NEVER_LOGGED_IN_BP}"))
                    .and_then(serde_json::Value::as_u64)
            })
            .and_then(|bp| u32::try_from(bp).ok());
        if let Some(bp) = bp {
            *cache = Some((run.id, bp));
            return Ok(Some(bp));
        }
    }
    Ok(None)
}
