//! Changing one user in place, so login hooks and the standalone host keep
//! the index current without rebuilding it from a new snapshot.
//!
//! Only the changes hosts report one at a time are supported (a login, an
//! activation, a membership change); anything structural (new users,
//! renames, deletions, new groups) is a rebuild from a fresh snapshot. Every
//! column, bitmap and sort order a change touches is updated before
//! `apply` returns.
//!
//! Logins also come in batches ([`DirectoryIndex::record_logins`]): the
//! service queues them off the login path and records the queue when the
//! index is next read. Moving one user within the last-login order copies
//! memory in proportion to the directory, so a batch restores the order in
//! one pass instead of one move per login.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{DirectoryIndex, GroupOrd, NEVER, UNKNOWN_COUNT, UserIdx};
use crate::model::GroupName;
use crate::time::Millis;

/// One change to one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "change")]
pub enum UserChange {
    /// The user logged in at `at`. An older login than the recorded one
    /// only bumps the count.
    LoginRecorded {
        /// When.
        at: Millis,
    },
    /// The user was (re)activated.
    Activated,
    /// The user was deactivated at `at`.
    Deactivated {
        /// When.
        at: Millis,
    },
    /// The user's access was suspended at `at` (Atlassian Cloud): inactive,
    /// and told apart from a deactivation (see
    /// [`DirectoryIndex::suspended_bitmap`]).
    Suspended {
        /// When.
        at: Millis,
    },
    /// The user joined a group.
    AddedToGroup {
        /// The group (case-insensitive).
        group: GroupName,
    },
    /// The user left a group.
    RemovedFromGroup {
        /// The group (case-insensitive).
        group: GroupName,
    },
}

/// Why a change could not be applied. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    /// No user at that index.
    #[error("no user at index {idx}")]
    UnknownUser {
        /// The index.
        idx: UserIdx,
    },
    /// No such group in the index.
    #[error("unknown group `{group}`")]
    UnknownGroup {
        /// The group.
        group: GroupName,
    },
}

impl DirectoryIndex {
    /// Applies `change` to user `idx`. On error nothing changes.
    pub fn apply(&mut self, idx: UserIdx, change: &UserChange) -> Result<(), ChangeError> {
        if idx.as_usize() >= self.user_count() {
            return Err(ChangeError::UnknownUser { idx });
        }
        self.last_activity.clear();
        match change {
            UserChange::LoginRecorded { at } => self.record_login(idx, *at),
            UserChange::Activated => {
                self.active.insert(idx.0);
                self.suspended.remove(idx.0);
                self.deactivated_at.set(idx.0, None);
                self.refresh_licensed(idx);
            }
            UserChange::Deactivated { at } => {
                self.active.remove(idx.0);
                self.deactivated_at
                    .set(idx.0, Some(at.0).filter(|&t| t != NEVER));
                self.refresh_licensed(idx);
            }
            UserChange::Suspended { at } => {
                // Already deactivated: the account state wins (a restore
                // would not bring the user back), so nothing changes.
                if self.active.remove(idx.0) {
                    self.suspended.insert(idx.0);
                    self.deactivated_at
                        .set(idx.0, Some(at.0).filter(|&t| t != NEVER));
                    self.refresh_licensed(idx);
                }
            }
            UserChange::AddedToGroup { group } => {
                let g = self.known_group(group)?;
                self.set_membership(idx, g, true);
            }
            UserChange::RemovedFromGroup { group } => {
                let g = self.known_group(group)?;
                self.set_membership(idx, g, false);
            }
        }
        Ok(())
    }

    fn known_group(&self, group: &GroupName) -> Result<GroupOrd, ChangeError> {
        self.group_ord(group.as_str())
            .ok_or_else(|| ChangeError::UnknownGroup {
                group: group.clone(),
            })
    }

    fn record_login(&mut self, idx: UserIdx, at: Millis) {
        let i = idx.as_usize();
        if let Some(c) = self.login_count.get_mut(i) {
            if *c != UNKNOWN_COUNT {
                *c = c.saturating_add(1).min(UNKNOWN_COUNT - 1);
            }
        }
        let old = self.last_login.get(i).copied().unwrap_or(NEVER);
        if old != NEVER && at.0 <= old {
            return;
        }
        let rank = self.username_rank.get(i).copied().unwrap_or(0);
        let last_login = &self.last_login;
        let ranks = &self.username_rank;
        let sort_key = |j: u32| {
            (
                last_login.get(j as usize).copied().unwrap_or(NEVER),
                ranks.get(j as usize).copied().unwrap_or(0),
            )
        };
        let pos = self
            .by_last_login
            .partition_point(|&j| sort_key(j) < (old, rank));
        if self.by_last_login.get(pos) == Some(&idx.0) {
            self.by_last_login.remove(pos);
        }
        if let Some(l) = self.last_login.get_mut(i) {
            *l = at.0;
        }
        let last_login = &self.last_login;
        let sort_key = |j: u32| {
            (
                last_login.get(j as usize).copied().unwrap_or(NEVER),
                ranks.get(j as usize).copied().unwrap_or(0),
            )
        };
        let new_pos = self
            .by_last_login
            .partition_point(|&j| sort_key(j) < (at.0, rank));
        self.by_last_login.insert(new_pos, idx.0);
        self.never_logged_in.remove(idx.0);
    }

    /// Records `logins` (user, instant) as if each were applied in turn with
    /// [`UserChange::LoginRecorded`], in slice order: every login bumps the
    /// user's count, a login newer than the recorded one (or a first login)
    /// becomes the last login, and the last-login order is restored once
    /// for the whole batch (O(n + k log k) for k moved users rather than
    /// one O(n) move per login). On error (a user out of range) nothing
    /// changes.
    pub fn record_logins(&mut self, logins: &[(UserIdx, Millis)]) -> Result<(), ChangeError> {
        self.record_logins_by(logins, None)
    }

    /// [`DirectoryIndex::record_logins`], finding the movers' old
    /// positions by a scan (`Some(true)`), by binary searches
    /// (`Some(false)`) or by whichever reads less (`None`; tests pin it).
    fn record_logins_by(
        &mut self,
        logins: &[(UserIdx, Millis)],
        scan: Option<bool>,
    ) -> Result<(), ChangeError> {
        let n = self.user_count();
        if let Some(&(idx, _)) = logins.iter().find(|(idx, _)| idx.as_usize() >= n) {
            return Err(ChangeError::UnknownUser { idx });
        }
        self.last_activity.clear();
        // User → (last login before the batch, last login after it), for
        // the users the batch moves; the column is only written once every
        // old position has been found.
        let mut moved: HashMap<u32, (i64, i64)> = HashMap::new();
        for &(idx, at) in logins {
            let i = idx.as_usize();
            if let Some(c) = self.login_count.get_mut(i)
                && *c != UNKNOWN_COUNT
            {
                *c = c.saturating_add(1).min(UNKNOWN_COUNT - 1);
            }
            let recorded = self.last_login.get(i).copied().unwrap_or(NEVER);
            let current = moved.get(&idx.0).map_or(recorded, |&(_, new)| new);
            if current != NEVER && at.0 <= current {
                continue;
            }
            moved.entry(idx.0).or_insert((recorded, at.0)).1 = at.0;
        }
        if moved.is_empty() {
            return Ok(());
        }
        let rank_of = |j: u32| self.username_rank.get(j as usize).copied().unwrap_or(0);
        // Old positions: a binary search each for a few movers (with the
        // column as it was), one scan of the order against a bitset for
        // many (k searches cost k·log n scattered reads; the scan n
        // sequential ones).
        let n_bits = usize::try_from(usize::BITS - n.leading_zeros()).unwrap_or(64);
        let scan =
            scan.unwrap_or_else(|| moved.len().saturating_mul(n_bits).saturating_mul(32) >= n);
        let mut removed: Vec<usize> = Vec::with_capacity(if scan { 0 } else { moved.len() });
        if scan {
            let mut bits = vec![0u64; n.div_ceil(64)];
            for &j in moved.keys() {
                if let Some(w) = bits.get_mut(j as usize / 64) {
                    *w |= 1 << (j % 64);
                }
            }
            self.by_last_login.retain(|&j| {
                bits.get(j as usize / 64)
                    .is_none_or(|w| w & (1 << (j % 64)) == 0)
            });
        } else {
            for (&j, &(old, _)) in &moved {
                let key = (old, rank_of(j));
                let pos = self
                    .by_last_login
                    .partition_point(|&o| self.last_login_key(o) < key);
                if self.by_last_login.get(pos) == Some(&j) {
                    removed.push(pos);
                }
            }
        }
        removed.sort_unstable();
        let mut inserted: Vec<(i64, u32, u32)> = moved
            .iter()
            .map(|(&j, &(_, new))| (new, rank_of(j), j))
            .collect();
        inserted.sort_unstable();
        for (&j, &(_, new)) in &moved {
            if let Some(l) = self.last_login.get_mut(j as usize) {
                *l = new;
            }
            self.never_logged_in.remove(j);
        }
        // Close the gaps the searched-for movers leave (one pass, block
        // copies; nothing to do after a scan).
        let order = &mut self.by_last_login;
        let old_len = order.len();
        let mut write = removed.first().copied().unwrap_or(old_len);
        for (r, &pos) in removed.iter().enumerate() {
            let next = removed.get(r + 1).copied().unwrap_or(old_len);
            order.copy_within(pos + 1..next, write);
            write += next - pos - 1;
        }
        order.truncate(write);
        // Where each moved user goes among the rest (their keys did not
        // change), then open the gaps from the back in one pass.
        let mut at_pos: Vec<usize> = Vec::with_capacity(inserted.len());
        let mut from = 0usize;
        for &(new, rank, _) in &inserted {
            let rest = self.by_last_login.get(from..).unwrap_or_default();
            from += rest.partition_point(|&o| self.last_login_key(o) < (new, rank));
            at_pos.push(from);
        }
        let order = &mut self.by_last_login;
        let kept = order.len();
        order.resize(kept + inserted.len(), 0);
        let mut end = order.len();
        let mut src_end = kept;
        for (&(_, _, j), &pos) in inserted.iter().zip(&at_pos).rev() {
            let len = src_end - pos;
            order.copy_within(pos..src_end, end - len);
            end -= len;
            end -= 1;
            if let Some(slot) = order.get_mut(end) {
                *slot = j;
            }
            src_end = pos;
        }
        Ok(())
    }

    /// User `j`'s key in the last-login order.
    fn last_login_key(&self, j: u32) -> (i64, u32) {
        (
            self.last_login.get(j as usize).copied().unwrap_or(NEVER),
            self.username_rank.get(j as usize).copied().unwrap_or(0),
        )
    }

    fn set_membership(&mut self, idx: UserIdx, g: GroupOrd, member: bool) {
        let mut groups = self.group_ords_of(idx).to_vec();
        match (groups.binary_search(&g), member) {
            (Err(at), true) => groups.insert(at, g),
            (Ok(at), false) => {
                groups.remove(at);
            }
            _ => return,
        }
        if let Some(bm) = self.group_members.get_mut(g as usize) {
            if member {
                bm.insert(idx.0);
            } else {
                bm.remove(idx.0);
            }
        }
        self.member_overrides.insert(idx.0, groups);
        self.refresh_licensed(idx);
    }

    fn refresh_licensed(&mut self, idx: UserIdx) {
        let holds = self.active.contains(idx.0)
            && self
                .group_ords_of(idx)
                .iter()
                .any(|&g| self.is_licence_group(g));
        if holds {
            self.licensed.insert(idx.0);
        } else {
            self.licensed.remove(idx.0);
        }
    }
}

#[cfg(test)]
mod tests;
