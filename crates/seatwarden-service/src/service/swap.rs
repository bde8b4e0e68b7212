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
//! moves to another directory ([`Host::identity`] differs) marks the old
//! one left, and the held runs are discarded with that reason by
//! [`Service::discard_held_after_swap`], called by the connection route and
//! by every `drive`. Not inside the install: the install holds the `active`
//! lock, and ending a run (`finish_with` → `run_ended`) takes it again.
//! Belt and braces, in case an approval comes between the two: each run
//! held on this node remembers the identity it was planned on and an
//! approval on another one is refused (409, `HeldOnAnotherHost`).
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

use seatwarden_audit::{Actor, RunFilter, RunId, RunQuery, RunStatus};
use seatwarden_core::Millis;

use super::{PlanDropped, Service, ServiceError};
use crate::host::{Host, HostIdentity};

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
        let left = self.host.read().identity();
        if host.identity() != left {
            // The first directory left is the one the held runs name; a
            // second swap before the discard keeps it.
            let mut marker = self.left_directory.lock();
            if marker.is_none() {
                *marker = Some(left);
            }
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

impl Service {
    /// Discards every run held for approval on a directory this service has
    /// left (see the module docs); a no-op unless a swap moved to another
    /// directory. Each discard is audited with the directory it was planned
    /// on, and the approved review items it would have acted on wait again.
    /// Returns how many runs were discarded.
    pub fn discard_held_after_swap(&self, now: Millis) -> Result<usize, ServiceError> {
        let Some(left) = self.left_directory.lock().take() else {
            return Ok(0);
        };
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
                let planned_on = self
                    .held_on
                    .lock()
                    .get(&run.id)
                    .cloned()
                    .unwrap_or_else(|| left.clone());
                if planned_on.is_some() && planned_on == current {
                    continue;
                }
                let reason = format!(
                    "planned on {}, which is no longer connected; nothing changed",
                    directory_label(planned_on.as_ref())
                );
                match self.discard_with(run.id, &Actor::system(), &reason, now) {
                    Ok(()) => discarded += 1,
                    // Approved or discarded meanwhile: nothing to do.
                    Err(ServiceError::NotAwaitingApproval { .. }) => {}
                    Err(e) => {
                        // Try again at the next drive.
                        *self.left_directory.lock() = Some(left);
                        return Err(e);
                    }
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        Ok(discarded)
    }

    /// Remembers the directory run `run` was planned on, as it is held.
    pub(crate) fn note_held_on(&self, run: RunId) {
        let identity = self.host().identity();
        self.held_on.lock().insert(run, identity);
    }

    /// Refuses the approval of `run` if it was held on another directory
    /// than the one connected now.
    pub(crate) fn check_held_here(&self, run: RunId) -> Result<(), ServiceError> {
        let current = self.host().identity();
        match self.held_on.lock().get(&run) {
            Some(planned_on) if *planned_on != current => Err(ServiceError::HeldOnAnotherHost {
                run,
                planned_on: directory_label(planned_on.as_ref()),
                current: current
                    .map_or_else(|| "this instance's directory".to_owned(), |c| c.to_string()),
            }),
            _ => Ok(()),
        }
    }

    /// Forgets where `run` was held (approved or discarded).
    pub(crate) fn forget_held(&self, run: RunId) {
        self.held_on.lock().remove(&run);
    }
}
