//! Replacing the host while the service runs (issue 20: saving a Cloud
//! connection takes effect without a restart).
//!
//! Why between runs: a run plans against one directory and journals its
//! actions by user key; applying half of them to another organization would
//! act on accounts nobody planned for. So a swap asked for while a run is in
//! progress waits in `next_host` and is installed by whoever ends the last
//! run in progress ([`Service::run_ended`]); a run keeps the host it started
//! on to its end. Both the check "no run in progress" and the install happen
//! under the `active` lock that a run takes to start, so no run can begin
//! between them.
//!
//! Why held runs are discarded when the organization changes: a run the
//! mass-change guard held journaled actions on the old organization's
//! accounts; approving it after the swap would apply them to the new one
//! (an Atlassian account id can be a member of both). So an install that
//! moves to another directory ([`Host::identity`] differs) asks for a
//! check, and the held runs planned elsewhere are discarded with that
//! reason by [`Service::discard_held_after_swap`], called by the connection
//! route and by every `drive`. Not inside the install: the install holds
//! the `active` lock, and ending a run (`finish_with` → `run_ended`) takes
//! it again. Belt and braces, in case an approval comes between the two:
//! an approval of a run planned on another identity is refused (409,
//! `HeldOnAnotherHost`).
//!
//! Why the identity a run was planned on is kept in the store, not in
//! memory: a restart can change the host too (the connection file edited
//! to another organization, `serve --cloud-connection` pointed elsewhere),
//! and a memory map would start empty, so a run held before it would look
//! like this organization's. So the identity is a marker of kind
//! [`RUN_DIRECTORY`] keyed by run id, written just before the plan is
//! journaled (a journal never exists without it), read by the approval, by
//! the discard and by the resumption of an interrupted run
//! (`run::resume`), which refuses to apply a plan made elsewhere. The check
//! is asked for once at start (the first `drive` runs it): a held run
//! planned on another directory than the one the service started on is
//! discarded like after a swap. The store is the one source of truth;
//! nothing about it is cached.
//!
//! Why no marker for `None` (the product's own directory, every Data
//! Center host): such a host never changes under the service, so writing
//! one row per run there would be pure cost; a missing marker reads as
//! `None`. That reading is also the safe one for a run journaled by an
//! older version on a Cloud organization: it names no organization, so it
//! is never applied to one (held, it is discarded at start; interrupted,
//! it is not resumed) and the admin runs the policy again.
//!
//! Why the marker lapses when its run ends ([`Service::forget_run_directory`],
//! from `finish_with` and the interruptions) and goes with the daily prune
//! of lapsed markers (`access::prune`), not with the audit retention:
//! only a run still awaiting approval or in progress is ever checked, and
//! the audit entries say where a finished run acted.
//!
//! Why only on another identity, not on every swap: a connection saved
//! again for the same organization (a rotated key or token) acts on the
//! same accounts, so the plan an admin is asked to approve still describes
//! them; discarding it would only make the admin wait for the next run.
//!
//! Why the index is dropped, not patched: it describes the old directory.
//! The install holds the build lock (no rebuild reads the old host
//! meanwhile), drops the index and the login cache, and the next reader
//! rebuilds from the new host ([`Service::ensure_index`]). Kept bulk
//! previews are dropped too (a confirm answers 410 "replaced"): their
//! decisions are about the old organization's accounts, and an Atlassian
//! account id can be a member of both organizations.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use seatwarden_audit::{Actor, RunFilter, RunId, RunQuery, RunStatus};
use seatwarden_core::Millis;

use super::{PlanDropped, Service, ServiceError};
use crate::host::{Host, HostIdentity};
use crate::store::{JournaledPlan, Marker, NEVER};

/// The marker kind of the directory each run was planned on: key the run
/// id, value the host's identity; none for the product's own directory
/// (see the module docs).
pub(crate) const RUN_DIRECTORY: &str = "run-directory";

/// When a replaced host takes over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostSwap {
    /// At once: no run was in progress.
    Now,
    /// When the runs in progress end (they finish on the previous host).
    AfterRuns,
}

impl Service {
    /// Makes `host` the service's host: at once when no run is in progress,
    /// else as soon as the last run in progress ends. The index is rebuilt
    /// from the new host by its next reader. A later call before the
    /// install replaces the waiting host.
    pub fn replace_host(&self, host: Arc<dyn Host>) -> HostSwap {
        let active = self.active_runs().lock();
        if active.is_empty() {
            *self.next_host.lock() = None;
            self.install_host(host);
            HostSwap::Now
        } else {
            *self.next_host.lock() = Some(host);
            HostSwap::AfterRuns
        }
    }

    /// Whether a replaced host waits for the runs in progress to end.
    pub fn host_swap_pending(&self) -> bool {
        self.next_host.lock().is_some()
    }

    /// `run` is no longer in progress on this node; the last one to end
    /// installs a host waiting for it.
    pub(crate) fn run_ended(&self, run: RunId) {
        let mut active = self.active_runs().lock();
        active.remove(&run);
        if active.is_empty()
            && let Some(host) = self.next_host.lock().take()
        {
            self.install_host(host);
        }
        drop(active);
    }

    fn install_host(&self, host: Arc<dyn Host>) {
        let _build = self.build_lock.lock();
        if host.identity() != self.host.read().identity() {
            // Held runs planned on the directory left are discarded by the
            // next `discard_held_after_swap`.
            self.held_check_due.store(true, Ordering::SeqCst);
        }
        *self.host.write() = host;
        {
            let mut slot = self.index.write();
            slot.index = None;
            slot.stale = true;
            slot.replay.clear();
        }
        *self.login_cache.write() = None;
        let kept: Vec<String> = self
            .pending_plans()
            .lock()
            .drain()
            .map(|(id, _)| id)
            .collect();
        for id in kept {
            self.note_dropped(id, PlanDropped::HostReplaced);
        }
    }
}

/// How an admin reads an identity, `None` being the product's own directory.
pub(crate) fn directory_label(identity: Option<&HostIdentity>) -> String {
    identity.map_or_else(|| "the previous directory".to_owned(), ToString::to_string)
}

/// How an admin reads the identity connected now.
pub(crate) fn current_label(identity: Option<&HostIdentity>) -> String {
    identity.map_or_else(
        || "this instance's directory".to_owned(),
        ToString::to_string,
    )
}

impl Service {
    /// Discards every run held for approval that was planned on another
    /// directory than the one connected now (see the module docs); a no-op
    /// unless a check is due: once after start, and after a swap to
    /// another directory. Each discard is audited with the directory it
    /// was planned on, and the approved review items it would have acted
    /// on wait again. Returns how many runs were discarded.
    pub fn discard_held_after_swap(&self, now: Millis) -> Result<usize, ServiceError> {
        if !self.held_check_due.swap(false, Ordering::SeqCst) {
            return Ok(0);
        }
        let outcome = self.discard_held_elsewhere(now);
        if outcome.is_err() {
            // Try again at the next drive.
            self.held_check_due.store(true, Ordering::SeqCst);
        }
        outcome
    }

    fn discard_held_elsewhere(&self, now: Millis) -> Result<usize, ServiceError> {
        let current = self.host().identity();
        let mut discarded = 0;
        let mut after = None;
        loop {
            let page = self.store().query_runs(&RunQuery {
                filter: RunFilter {
                    statuses: vec![RunStatus::AwaitingApproval],
                    ..RunFilter::default()
                },
                after,
                limit: 100,
            })?;
            for run in page.items {
                let planned_on = self.run_directory(run.id, now)?;
                if planned_on == current {
                    continue;
                }
                match self.discard_with(
                    run.id,
                    &Actor::system(),
                    &left_reason(planned_on.as_ref()),
                    now,
                ) {
                    Ok(()) => discarded += 1,
                    // Approved or discarded meanwhile: nothing to do.
                    Err(ServiceError::NotAwaitingApproval { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(discarded)
    }

    /// Journals run `run`'s plan, after recording the directory it is
    /// planned on (nothing for the product's own directory): the one way a
    /// plan is journaled, so a journal never exists without its directory.
    pub(crate) fn journal_plan(
        &self,
        run: RunId,
        plan: &JournaledPlan,
    ) -> Result<(), ServiceError> {
        if let Some(identity) = self.host().identity() {
            let marker = Marker::new(RUN_DIRECTORY, &run.to_string(), identity.0, NEVER);
            self.store().put_marker(&marker)?;
        }
        self.store().journal_plan(run, plan)?;
        Ok(())
    }

    /// The directory run `run` was planned on, from the store; `None` for
    /// the product's own directory (or a run whose marker lapsed: ended).
    pub(crate) fn run_directory(
        &self,
        run: RunId,
        now: Millis,
    ) -> Result<Option<HostIdentity>, ServiceError> {
        Ok(self
            .store()
            .marker(RUN_DIRECTORY, &run.to_string(), now)?
            .map(|m| HostIdentity(m.value)))
    }

    /// Lets run `run`'s directory marker lapse: the run ended, and the daily
    /// prune removes it. Best effort: a marker left live only keeps a row
    /// naming a finished run, which nothing reads.
    pub(crate) fn forget_run_directory(&self, run: RunId, now: Millis) {
        let key = run.to_string();
        if let Ok(Some(mut marker)) = self.store().marker(RUN_DIRECTORY, &key, now) {
            marker.expires_at = now;
            let _ = self.store().put_marker(&marker);
        }
    }

    /// Refuses to apply run `run`'s plan if it was planned on another
    /// directory than the one connected now; answers that directory.
    pub(crate) fn check_planned_here(&self, run: RunId, now: Millis) -> Result<(), ServiceError> {
        let current = self.host().identity();
        let planned_on = self.run_directory(run, now)?;
        if planned_on == current {
            return Ok(());
        }
        Err(ServiceError::HeldOnAnotherHost {
            run,
            planned_on: directory_label(planned_on.as_ref()),
            current: current_label(current.as_ref()),
        })
    }
}

/// The audited reason a held run planned on `planned_on` is discarded.
pub(crate) fn left_reason(planned_on: Option<&HostIdentity>) -> String {
    format!(
        "planned on {}, which is no longer connected; nothing changed",
        directory_label(planned_on)
    )
}
