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
//! Why the index is dropped, not patched: it describes the old directory.
//! The install holds the build lock (no rebuild reads the old host
//! meanwhile), drops the index and the login cache, and the next reader
//! rebuilds from the new host ([`Service::ensure_index`]). Kept bulk
//! previews are dropped too (a confirm answers 410 "replaced"): their
//! decisions are about the old organization's accounts, and an Atlassian
//! account id can be a member of both organizations.

use std::sync::Arc;

use seatwarden_audit::RunId;

use super::{PlanDropped, Service};
use crate::host::Host;

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
