//! The shared directory rules' view of a Cloud organization, and the seat
//! count both the rules and the header use.

use seatwarden_core::model::{Directory, Group, Licence, UserKey};
use seatwarden_core::operation::OperationFailure;
use seatwarden_core::snapshot::SnapshotUser;
use seatwarden_service::host::rules::DirectoryView;

use super::CloudHost;
use crate::mapping;

/// Seats of `licence` held by `users` (active, in one of its groups), with
/// `fresh` standing in for its cached self. Recounted from the users as last
/// read (each write re-reads its user), as every directory recounts:
/// Atlassian's own `userCount` is as of the last full read.
pub(super) fn seats_held(
    users: &[SnapshotUser],
    licence: &Licence,
    fresh: Option<&SnapshotUser>,
) -> u32 {
    let holds = |u: &SnapshotUser| {
        u.active
            && u.groups
                .iter()
                .any(|g| licence.groups.iter().any(|l| l.0.eq_ignore_ascii_case(g)))
    };
    let count = users
        .iter()
        .map(|u| match fresh {
            Some(f) if f.key == u.key => f,
            _ => u,
        })
        .filter(|u| holds(u))
        .count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// The shared directory rules' view: one fresh user over the cached groups
/// and licences.
pub(super) struct View<'a> {
    host: &'a CloudHost,
    user: SnapshotUser,
    pub(super) directories: Vec<Directory>,
    groups: Vec<Group>,
    licences: Vec<Licence>,
}

impl<'a> View<'a> {
    pub(super) fn new(host: &'a CloudHost, user: SnapshotUser) -> View<'a> {
        let cache = host.cache.read();
        View {
            host,
            user,
            directories: mapping::directories(),
            groups: cache.groups.values().map(|g| g.group.clone()).collect(),
            licences: cache.licences.clone(),
        }
    }
}

impl DirectoryView for View<'_> {
    fn directories(&self) -> &[Directory] {
        &self.directories
    }
    fn groups(&self) -> &[Group] {
        &self.groups
    }
    fn licences(&self) -> &[Licence] {
        &self.licences
    }
    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, OperationFailure> {
        if key.as_str() == self.user.key {
            return Ok(Some(self.user.clone()));
        }
        let cache = self.host.cache.read();
        Ok(cache
            .by_key
            .get(key.as_str())
            .and_then(|&i| cache.users.get(i).cloned()))
    }
    fn username_owner(&self, folded: &str) -> Result<Option<String>, OperationFailure> {
        let cache = self.host.cache.read();
        Ok(cache
            .by_username
            .get(folded)
            .and_then(|&i| cache.users.get(i))
            .map(|u| u.key.clone()))
    }
    fn seats_used(&self, licence: usize) -> Result<u32, OperationFailure> {
        let Some(licence) = self.licences.get(licence) else {
            return Ok(0);
        };
        Ok(seats_held(
            &self.host.cache.read().users,
            licence,
            Some(&self.user),
        ))
    }
    fn delete_veto(&self, _user: &UserKey) -> Result<Option<String>, OperationFailure> {
        Ok(None)
    }
}
