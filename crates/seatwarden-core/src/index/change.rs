//! Changing one user in place, so login hooks and the standalone host keep
//! the index current without rebuilding it from a new snapshot.
//!
//! Only the changes hosts report one at a time are supported (a login, an
//! activation, a membership change); anything structural (new users,
//! renames, deletions, new groups) is a rebuild from a fresh snapshot. Every
//! column, bitmap and sort order a change touches is updated before
//! `apply` returns.

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
        match change {
            UserChange::LoginRecorded { at } => self.record_login(idx, *at),
            UserChange::Activated => {
                self.active.insert(idx.0);
                if let Some(d) = self.deactivated_at.get_mut(idx.as_usize()) {
                    *d = NEVER;
                }
                self.refresh_licensed(idx);
            }
            UserChange::Deactivated { at } => {
                self.active.remove(idx.0);
                if let Some(d) = self.deactivated_at.get_mut(idx.as_usize()) {
                    *d = at.0;
                }
                self.refresh_licensed(idx);
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
