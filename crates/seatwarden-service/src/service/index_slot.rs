//! The service's in-memory index of the directory: its slot, builds and
//! rebuilds from the host, and keeping it current between builds (logins
//! queued and replayed, landed writes applied in place or marking it
//! stale). Split out of `service.rs`, which had grown past what one person
//! holds in mind; the methods are `Service`'s own.

use seatwarden_core::index::{DirectoryIndex, UserChange};
use seatwarden_core::{Millis, Operation, UserKey};

use super::login::record_logins;
use super::{Service, ServiceError};

/// The current index and what keeps it current.
pub(crate) struct IndexSlot {
    pub(crate) index: Option<DirectoryIndex>,
    /// Bumped on every rebuild (the compiled login policies follow it).
    pub(crate) generation: u64,
    /// A structural change (rename, delete, new user) happened: rebuild
    /// before the next use that needs it.
    pub(crate) stale: bool,
    /// A rebuild is reading the host: writes landing meanwhile are logged
    /// here and replayed onto the new index before it replaces this one.
    pub(crate) building: bool,
    pub(crate) replay: Vec<(Operation, Millis)>,
    /// The host announced a build it runs in the background
    /// ([`Service::build_index_in_background`]); until it ends (and while
    /// there is no index), the default Users pages come from the host.
    pub(crate) announced: bool,
}

/// Logins queued for the index before a rebuild is cheaper than replaying
/// them (recording one login moves the user in the index's last-login
/// order: ~14 µs at 100k users; a rebuild reads 100k users in ~0.15 s).
const MAX_QUEUED_LOGINS: usize = 8_192;

impl Service {
    /// Reads the whole directory from the host into a new index and makes
    /// it current. The host is read with no lock held.
    pub fn rebuild_index(&self) -> Result<(), ServiceError> {
        let _build = self.build_lock.lock();
        self.rebuild_locked()
    }

    fn rebuild_locked(&self) -> Result<(), ServiceError> {
        {
            let mut slot = self.index.write();
            slot.building = true;
            slot.replay.clear();
        }
        let built = self.read_index();
        let mut slot = self.index.write();
        slot.building = false;
        let replay = std::mem::take(&mut slot.replay);
        let mut index = built?;
        // Writes that landed while the host was being read: the pages may
        // predate them. Replaying is idempotent per user, in landing order.
        let mut stale = false;
        for (op, at) in &replay {
            stale |= !apply_to_index(&mut index, op, *at);
        }
        // Logins seen meanwhile waited in the buffer (a flush leaves them
        // there while a rebuild runs): they go onto the new index.
        record_logins(
            &mut index,
            std::mem::take(&mut *self.pending_logins.lock()),
            true,
        );
        slot.index = Some(index);
        slot.generation = slot.generation.wrapping_add(1);
        slot.stale = stale;
        Ok(())
    }

    /// Builds the index if there is none (or a structural change made it
    /// stale). Waits for a rebuild already under way rather than repeating it.
    pub fn ensure_index(&self) -> Result<(), ServiceError> {
        let ready = || {
            let slot = self.index.read();
            slot.index.is_some() && !slot.stale
        };
        if ready() {
            return Ok(());
        }
        let _build = self.build_lock.lock();
        if ready() {
            return Ok(());
        }
        self.rebuild_locked()
    }

    /// Runs `f` over the current index (building it first if needed),
    /// holding the read lock only for `f`.
    pub fn with_index<T>(&self, f: impl FnOnce(&DirectoryIndex) -> T) -> Result<T, ServiceError> {
        self.ensure_index()?;
        self.flush_logins();
        let slot = self.index.read();
        match slot.index.as_ref() {
            Some(index) => Ok(f(index)),
            None => Err(ServiceError::IndexNotBuilt),
        }
    }

    /// As [`Service::with_index`], also passing the index generation (which
    /// changes on every rebuild, when user positions may move).
    pub(crate) fn with_index_generation<T>(
        &self,
        f: impl FnOnce(&DirectoryIndex, u64) -> T,
    ) -> Result<T, ServiceError> {
        self.ensure_index()?;
        self.flush_logins();
        let slot = self.index.read();
        match slot.index.as_ref() {
            Some(index) => Ok(f(index, slot.generation)),
            None => Err(ServiceError::IndexNotBuilt),
        }
    }

    /// Runs `f` over the current index as it is (no rebuild); `None` when
    /// there is none or a structural change made it stale.
    pub fn current_index<T>(&self, f: impl FnOnce(&DirectoryIndex) -> T) -> Option<T> {
        self.flush_logins();
        let slot = self.index.read();
        if slot.stale {
            return None;
        }
        slot.index.as_ref().map(f)
    }

    fn read_index(&self) -> Result<DirectoryIndex, ServiceError> {
        super::ingest::read_index(&*self.host(), self.options.page_size.max(1))
    }

    /// Notes a login for the index. The login hook only queues it: the
    /// index keeps users ordered by last login, and moving one user in that
    /// order costs a copy proportional to the directory (most of a login's
    /// time at 100k users, under the index's write lock, which every other
    /// login then waits for). Whoever next reads the index for last-login
    /// facts (queries, plans, warnings) applies the queue first, in one
    /// write-locked pass.
    ///
    /// The queue is bounded: past `MAX_QUEUED_LOGINS`, re-reading the
    /// directory (which recorded the logins itself) costs less than
    /// replaying the queue, so the queue is dropped and the index marked
    /// for a rebuild instead.
    pub(crate) fn note_login(&self, user: UserKey, at: Millis) {
        {
            let mut pending = self.pending_logins.lock();
            pending.push((user, at));
            if pending.len() < MAX_QUEUED_LOGINS {
                return;
            }
        }
        let mut slot = self.index.write();
        if slot.building {
            // The rebuild under way takes the queue when it finishes.
            return;
        }
        self.pending_logins.lock().clear();
        slot.stale = true;
    }

    /// Applies queued logins to the index (see [`Service::note_login`]).
    /// While a rebuild reads the host they stay queued: the rebuild applies
    /// them to the index it builds, so none is lost to the swap.
    pub(crate) fn flush_logins(&self) {
        if self.pending_logins.lock().is_empty() {
            return;
        }
        let mut slot = self.index.write();
        if slot.building {
            return;
        }
        let pending = std::mem::take(&mut *self.pending_logins.lock());
        if let Some(index) = slot.index.as_mut() {
            record_logins(index, pending, false);
        }
    }

    /// Applies a landed operation to the index in place (or marks it stale
    /// when the change is structural). Takes the write lock briefly.
    pub(crate) fn note_applied(&self, op: &Operation, now: Millis) {
        if matches!(
            op,
            Operation::ReassignIssues { .. } | Operation::UpdateUser { .. }
        ) {
            return;
        }
        let mut slot = self.index.write();
        if slot.building {
            slot.replay.push((op.clone(), now));
        }
        let applied = match slot.index.as_mut() {
            Some(index) => apply_to_index(index, op, now),
            None => false,
        };
        if !applied {
            slot.stale = true;
        }
        // The generation (which invalidates the compiled login policies) is
        // not bumped: recompiling per write would cost milliseconds per
        // login at 100k users. Their seat counts may lag until the next
        // rebuild; the host is the authority on seats and refuses a write
        // past the limit (recorded as failed).
    }
}

/// Applies a landed operation to `index` in place; `false` when it cannot
/// be (structural changes: renames, deletions, new users or groups).
fn apply_to_index(index: &mut DirectoryIndex, op: &Operation, at: Millis) -> bool {
    let change = match op {
        Operation::Activate { .. } | Operation::Restore { .. } => UserChange::Activated,
        Operation::Deactivate { .. } => UserChange::Deactivated { at },
        Operation::Suspend { .. } => UserChange::Suspended { at },
        Operation::AddToGroup { group, .. } => UserChange::AddedToGroup {
            group: group.clone(),
        },
        Operation::RemoveFromGroup { group, .. } => UserChange::RemovedFromGroup {
            group: group.clone(),
        },
        Operation::ReassignIssues { .. } | Operation::UpdateUser { .. } => return true,
        _ => return false,
    };
    let Some(idx) = op.user().and_then(|u| index.index_of_key(u)) else {
        return false;
    };
    index.apply(idx, &change).is_ok()
}
