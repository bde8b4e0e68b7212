//! An in-memory directory that behaves like a product's.
//!
//! Used by the service's tests, by the JNI bridge's tests through Java, and
//! as the reference behaviour the embedded SQLite directory must match. It
//! enforces what a real Jira or Confluence enforces (the rules live in
//! [`super::rules`], shared with the embedded SQLite directory), because a
//! test host that accepts everything would hide the failures a run must
//! survive:
//!
//! - directory capabilities: a read-only directory refuses user writes, and
//!   membership changes outside its local groups;
//! - admin groups cannot be deleted;
//! - a username is unique case-insensitively (renames and creations collide);
//! - licence seats: adding an active user to a licence group of a full
//!   application fails with [`OperationFailure::NoSeat`];
//! - delete vetoes, configured per user, stand in for the products' "this
//!   user has reported issues / leads a project" refusals.
//!
//! Time is explicit: [`MemoryDirectory::set_time`] sets the instant the
//! directory stamps on deactivations and logins, so tests are reproducible.

use std::collections::{BTreeMap, HashMap};

use parking_lot::RwLock;
use seatwarden_core::model::UserKey;
use seatwarden_core::operation::{Handover, Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotFile, SnapshotHeader, SnapshotUser};
use seatwarden_core::time::Millis;

use super::rules::{self, Change, DirectoryView};
use super::{Applied, Host, HostError, UsersPage};

/// A directory held in memory; see the module docs for what it enforces.
pub struct MemoryDirectory {
    state: RwLock<State>,
}

struct State {
    header: SnapshotHeader,
    /// Users by key; the key order is the stable paging order.
    users: BTreeMap<String, SnapshotUser>,
    /// Folded username → key.
    by_username: HashMap<String, String>,
    /// Users whose deletion the "product" vetoes, with the reason it gives.
    delete_vetoes: HashMap<String, String>,
    /// Open issues assigned to each user (for handover).
    open_issues: HashMap<String, u32>,
    /// Where handed-over issues went, in order.
    handovers: Vec<(UserKey, Handover, u32)>,
    now: Millis,
    next_user: u64,
    /// Like Jira and Confluence: deactivations are not time-stamped.
    untimed_deactivations: bool,
}

impl MemoryDirectory {
    /// A directory holding `snapshot`'s contents. Seat counts are recomputed
    /// from the memberships, so they are consistent from the start.
    pub fn new(snapshot: SnapshotFile) -> MemoryDirectory {
        let now = snapshot.header.taken_at;
        let mut users = BTreeMap::new();
        let mut by_username = HashMap::new();
        for user in snapshot.pages.into_iter().flat_map(|p| p.users) {
            by_username.insert(user.username.to_lowercase(), user.key.clone());
            users.insert(user.key.clone(), user);
        }
        let mut state = State {
            header: snapshot.header,
            users,
            by_username,
            delete_vetoes: HashMap::new(),
            open_issues: HashMap::new(),
            handovers: Vec::new(),
            now,
            next_user: 1,
            untimed_deactivations: false,
        };
        state.recount_seats();
        MemoryDirectory {
            state: RwLock::new(state),
        }
    }

    /// Sets the instant stamped on deactivations, logins and creations.
    pub fn set_time(&self, now: Millis) {
        let mut state = self.state.write();
        state.now = now;
        state.header.taken_at = now;
    }

    /// Stops stamping deactivations with a time, as Jira and Confluence do
    /// (their hosts send `deactivatedAt: null`): only the audit trail then
    /// knows when a user was deactivated.
    pub fn untimed_deactivations(&self) {
        self.state.write().untimed_deactivations = true;
    }

    /// Makes the directory refuse to delete `user`, giving `reason`.
    pub fn veto_delete(&self, user: &UserKey, reason: &str) {
        self.state
            .write()
            .delete_vetoes
            .insert(user.0.to_string(), reason.to_owned());
    }

    /// Gives `user` `count` open issues (for handover tests).
    pub fn set_open_issues(&self, user: &UserKey, count: u32) {
        self.state
            .write()
            .open_issues
            .insert(user.0.to_string(), count);
    }

    /// The handovers performed so far: whose issues, to where, how many.
    pub fn handovers(&self) -> Vec<(UserKey, Handover, u32)> {
        self.state.read().handovers.clone()
    }

    /// Records a successful login of `username` at the directory's current
    /// time. Returns the user's key, or `None` if no such user exists or the
    /// account is deactivated (a deactivated user cannot log in).
    pub fn record_login(&self, username: &str) -> Option<UserKey> {
        let mut state = self.state.write();
        let now = state.now;
        let key = state.by_username.get(&username.to_lowercase())?.clone();
        let user = state.users.get_mut(&key)?;
        if !user.active {
            return None;
        }
        user.last_login = Some(now.0);
        user.login_count = user.login_count.map(|c| c.saturating_add(1));
        Some(UserKey::from(key))
    }

    /// The whole directory as a snapshot file (one page).
    pub fn to_snapshot(&self) -> SnapshotFile {
        let state = self.state.read();
        SnapshotFile {
            format: seatwarden_core::snapshot::FORMAT.to_owned(),
            version: seatwarden_core::snapshot::VERSION,
            header: state.header.clone(),
            pages: vec![seatwarden_core::snapshot::SnapshotPage {
                users: state.users.values().cloned().collect(),
            }],
        }
    }
}

impl State {
    fn recount_seats(&mut self) {
        let mut counts = vec![0u32; self.header.licences.len()];
        for user in self.users.values().filter(|u| u.active) {
            for app in rules::applications_of(&self.header.licences, &user.groups) {
                if let Some(c) = counts.get_mut(app) {
                    *c = c.saturating_add(1);
                }
            }
        }
        for (licence, count) in self.header.licences.iter_mut().zip(counts) {
            licence.seats_used = count;
        }
    }

    fn user_mut(&mut self, key: &UserKey) -> Result<&mut SnapshotUser, OperationFailure> {
        self.users
            .get_mut(key.as_str())
            .ok_or(OperationFailure::NotFound)
    }

    /// Decides `operation` by the shared rules, then stores the change.
    fn apply(&mut self, operation: &Operation) -> Result<Applied, OperationFailure> {
        match rules::decide(&*self, operation)? {
            Change::Nothing => {}
            Change::Activate { user } => {
                let u = self.user_mut(&user)?;
                u.active = true;
                u.deactivated_at = None;
                self.recount_seats();
            }
            Change::Deactivate { user } => {
                let stamp = (!self.untimed_deactivations).then_some(self.now.0);
                let u = self.user_mut(&user)?;
                u.active = false;
                u.deactivated_at = stamp;
                self.recount_seats();
            }
            Change::Rename { user, from, to } => {
                self.by_username.remove(&from.to_lowercase());
                self.by_username.insert(to.folded(), user.0.to_string());
                self.user_mut(&user)?.username = to.0.to_string();
            }
            Change::Delete { user, username } => {
                self.users.remove(user.as_str());
                self.by_username.remove(&username.to_lowercase());
                self.recount_seats();
            }
            Change::AddMembership { user, group } => {
                let u = self.user_mut(&user)?;
                u.groups.push(group.as_str().to_owned());
                u.groups.sort();
                self.recount_seats();
            }
            Change::RemoveMembership { user, group } => {
                self.user_mut(&user)?
                    .groups
                    .retain(|g| !g.eq_ignore_ascii_case(group.as_str()));
                self.recount_seats();
            }
            Change::HandOver { user, to } => {
                let moved = self.open_issues.remove(user.as_str()).unwrap_or(0);
                self.handovers.push((user, to, moved));
            }
            Change::CreateGroup { group } => {
                self.header.groups.push(seatwarden_core::model::Group {
                    name: group,
                    admin: false,
                    licence: false,
                });
            }
            Change::DeleteGroup { group } => {
                let folded = group.folded();
                self.header.groups.retain(|g| g.name.folded() != folded);
                for user in self.users.values_mut() {
                    user.groups.retain(|g| g.to_lowercase() != folded);
                }
                self.recount_seats();
            }
            Change::CreateUser {
                username,
                display_name,
                email,
                directory,
                active,
            } => {
                let key = loop {
                    let candidate = format!("MEMUSER{}", self.next_user);
                    self.next_user += 1;
                    if !self.users.contains_key(&candidate) {
                        break candidate;
                    }
                };
                let user = SnapshotUser {
                    key: key.clone(),
                    username: username.0.to_string(),
                    display_name,
                    email,
                    directory_id: directory.0,
                    active,
                    created: self.now.0,
                    last_login: None,
                    login_count: Some(0),
                    deactivated_at: None,
                    suspended: false,
                    groups: Vec::new(),
                    activity: Default::default(),
                };
                self.by_username.insert(username.folded(), key.clone());
                self.users.insert(key.clone(), user);
                return Ok(Applied {
                    created_user: Some(UserKey::from(key)),
                });
            }
            Change::UpdateUser {
                user,
                display_name,
                email,
            } => {
                let u = self.user_mut(&user)?;
                if let Some(name) = display_name {
                    u.display_name = name;
                }
                if let Some(address) = email {
                    u.email = address;
                }
            }
        }
        Ok(Applied::default())
    }
}

/// The shared rules read the state directly: seats are the counts kept
/// current after every change.
impl DirectoryView for State {
    fn directories(&self) -> &[seatwarden_core::model::Directory] {
        &self.header.directories
    }

    fn groups(&self) -> &[seatwarden_core::model::Group] {
        &self.header.groups
    }

    fn licences(&self) -> &[seatwarden_core::model::Licence] {
        &self.header.licences
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, OperationFailure> {
        Ok(self.users.get(key.as_str()).cloned())
    }

    fn username_owner(&self, folded: &str) -> Result<Option<String>, OperationFailure> {
        Ok(self.by_username.get(folded).cloned())
    }

    fn seats_used(&self, licence: usize) -> Result<u32, OperationFailure> {
        Ok(self
            .header
            .licences
            .get(licence)
            .map_or(0, |l| l.seats_used))
    }

    fn delete_veto(&self, user: &UserKey) -> Result<Option<String>, OperationFailure> {
        Ok(self.delete_vetoes.get(user.as_str()).cloned())
    }
}

impl Host for MemoryDirectory {
    fn replace_directory(&self, snapshot: &SnapshotFile) -> Result<(), HostError> {
        let fresh = MemoryDirectory::new(snapshot.clone());
        let mut state = self.state.write();
        let now = state.now;
        *state = fresh.state.into_inner();
        state.now = now;
        Ok(())
    }

    fn header(&self) -> Result<SnapshotHeader, HostError> {
        Ok(self.state.read().header.clone())
    }

    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        use std::ops::Bound;
        let state = self.state.read();
        let start = match cursor {
            Some(c) => Bound::Excluded(c.to_owned()),
            None => Bound::Unbounded,
        };
        let users: Vec<SnapshotUser> = state
            .users
            .range((start, Bound::Unbounded))
            .take(limit.max(1))
            .map(|(_, u)| u.clone())
            .collect();
        let next = match users.last() {
            Some(last) if state.users.range(last.key.clone()..).nth(1).is_some() => {
                Some(last.key.clone())
            }
            _ => None,
        };
        Ok(UsersPage { users, next })
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError> {
        Ok(self.state.read().users.get(key.as_str()).cloned())
    }

    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError> {
        let state = self.state.read();
        Ok(state
            .by_username
            .get(&username.to_lowercase())
            .and_then(|k| state.users.get(k))
            .cloned())
    }

    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure> {
        self.state.write().apply(operation)
    }
}

#[cfg(test)]
mod tests {
    // The reference directory runs the Host contract like every other one.
    host_conformance_tests!(crate::host::conformance::memory);
}
