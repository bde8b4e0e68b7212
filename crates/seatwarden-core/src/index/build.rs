//! Building a [`DirectoryIndex`] a page at a time, validating as it goes.
//!
//! The JNI host sends the header, then pages of users, then says "done";
//! the CLI and tests hand over a whole file, which is streamed through the
//! same builder (see `snapshot::index_file`). Per-user checks happen as each
//! user arrives; checks across users (duplicate keys and usernames, the
//! sysadmin list) happen in [`IndexBuilder::finish`]. A page that fails is
//! rolled back entirely, and `finish` either returns a complete index or an
//! error: there is never a partial index.

use std::collections::HashMap;

use super::sparse::SparseTimes;
use super::strings::{StringColumn, WordBuild};
use super::{GroupOrd, NEVER, UNKNOWN_COUNT};
use crate::activity::{ActivityValues, SignalDecl, check_signals};
use crate::model::{Directory, Group, Licence, UserKey};
use crate::snapshot::{
    FUTURE_SKEW_MS, Position, SnapshotError, SnapshotHeader, SnapshotPage, SnapshotUser, TimeField,
};
use crate::time::Millis;

/// The fields of one user as the builder receives them (borrowed from the wire).
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserFields<'a> {
    pub(crate) key: &'a str,
    pub(crate) username: &'a str,
    pub(crate) display_name: &'a str,
    pub(crate) email: &'a str,
    pub(crate) directory_id: i64,
    pub(crate) active: bool,
    pub(crate) created: i64,
    pub(crate) last_login: Option<i64>,
    pub(crate) login_count: Option<u32>,
    pub(crate) deactivated_at: Option<i64>,
    pub(crate) suspended: bool,
    pub(crate) activity: ActivityValues,
}

impl<'a> UserFields<'a> {
    /// The fields of an already-deserialised user.
    pub(crate) fn of(u: &'a SnapshotUser) -> Self {
        UserFields {
            key: &u.key,
            username: &u.username,
            display_name: &u.display_name,
            email: &u.email,
            directory_id: u.directory_id,
            active: u.active,
            created: u.created,
            last_login: u.last_login,
            login_count: u.login_count,
            deactivated_at: u.deactivated_at,
            suspended: u.suspended,
            activity: u.activity,
        }
    }
}

/// Builds a [`DirectoryIndex`] from a header and pages of users.
#[derive(Debug)]
pub struct IndexBuilder {
    taken_at: Millis,
    directories: Vec<Directory>,
    groups: Vec<Group>,
    licences: Vec<Licence>,
    sysadmins: Vec<UserKey>,
    group_by_name: HashMap<String, GroupOrd, WordBuild>,
    /// `(directory id, ordinal)` sorted by id: a binary search over the
    /// few directories costs less per user than hashing the id.
    directory_ord: Vec<(i64, u16)>,
    licence_group: Vec<bool>,
    licence_groups: Vec<Vec<GroupOrd>>,

    keys: StringColumn,
    usernames: StringColumn,
    display_names: StringColumn,
    emails: StringColumn,
    directory_of: Vec<u16>,
    active: Vec<bool>,
    created: Vec<i64>,
    last_login: Vec<i64>,
    login_count: Vec<u32>,
    deactivated_at: SparseTimes,
    /// Suspended users (Cloud), ascending.
    suspended: Vec<u32>,
    /// The header's declared signals, and one column per signal (`NEVER`: no value).
    signals: Vec<SignalDecl>,
    activity: Vec<Vec<i64>>,
    /// Per user: the id of their group set (see [`DirectoryIndex::member_set`]).
    member_set: Vec<u32>,
    set_offsets: Vec<u32>,
    set_groups: Vec<GroupOrd>,
    /// Group set → its id, so each distinct set is stored once.
    set_ids: HashMap<Vec<GroupOrd>, u32, WordBuild>,
    /// The exact JSON text of a `groups` array → the set it resolved to,
    /// for [`Self::push_user_json`]: a directory names a few hundred
    /// distinct arrays a million times. Bounded by [`MAX_GROUPS_TEXTS`].
    set_by_text: HashMap<Box<str>, u32, WordBuild>,

    /// First user index of each page.
    page_starts: Vec<u32>,
    scratch: Vec<GroupOrd>,
}

impl IndexBuilder {
    /// Starts a build from a validated header.
    pub fn new(header: SnapshotHeader) -> Result<IndexBuilder, SnapshotError> {
        let SnapshotHeader {
            taken_at,
            directories,
            groups,
            licences,
            sysadmins,
            signals,
        } = header;
        if taken_at < Millis::PLAUSIBLE_MIN {
            return Err(SnapshotError::TakenAt {
                taken_at: taken_at.0,
            });
        }
        check_signals(&signals)?;
        let activity = vec![Vec::new(); signals.len()];
        let mut seen = HashMap::with_capacity(directories.len());
        for (i, d) in directories.iter().enumerate() {
            let ord = u16::try_from(i).map_err(|_| SnapshotError::TooLarge {
                what: "more than 65535 directories",
            })?;
            if seen.insert(d.id.0, ord).is_some() {
                return Err(SnapshotError::DuplicateDirectory { id: d.id });
            }
        }
        let mut directory_ord: Vec<(i64, u16)> = seen.into_iter().collect();
        directory_ord.sort_unstable();
        let mut group_by_name =
            HashMap::with_capacity_and_hasher(groups.len() * 2, WordBuild::default());
        for (i, g) in groups.iter().enumerate() {
            let ord = u32::try_from(i).map_err(|_| SnapshotError::TooLarge {
                what: "too many groups",
            })?;
            if group_by_name.insert(g.name.folded(), ord).is_some() {
                return Err(SnapshotError::DuplicateGroup {
                    group: g.name.clone(),
                });
            }
        }
        // Exact spellings too, so the common case needs no lower-casing.
        for (i, g) in groups.iter().enumerate() {
            if let Ok(ord) = u32::try_from(i) {
                group_by_name
                    .entry(g.name.as_str().to_owned())
                    .or_insert(ord);
            }
        }
        let lookup = |name: &str| -> Option<GroupOrd> {
            group_by_name
                .get(name)
                .or_else(|| group_by_name.get(&name.to_lowercase()))
                .copied()
        };
        let mut licence_group: Vec<bool> = groups.iter().map(|g| g.licence).collect();
        let mut licence_groups = Vec::with_capacity(licences.len());
        for l in &licences {
            let mut ords = Vec::with_capacity(l.groups.len());
            for g in &l.groups {
                let ord = lookup(g.as_str()).ok_or_else(|| SnapshotError::LicenceUnknownGroup {
                    application: l.application.clone(),
                    group: g.as_str().to_owned(),
                })?;
                if let Some(flag) = licence_group.get_mut(ord as usize) {
                    *flag = true;
                }
                ords.push(ord);
            }
            ords.sort_unstable();
            ords.dedup();
            licence_groups.push(ords);
        }
        Ok(IndexBuilder {
            taken_at,
            directories,
            groups,
            licences,
            sysadmins,
            group_by_name,
            directory_ord,
            licence_group,
            licence_groups,
            keys: StringColumn::default(),
            usernames: StringColumn::default(),
            display_names: StringColumn::default(),
            emails: StringColumn::default(),
            directory_of: Vec::new(),
            active: Vec::new(),
            created: Vec::new(),
            last_login: Vec::new(),
            login_count: Vec::new(),
            deactivated_at: SparseTimes::default(),
            suspended: Vec::new(),
            signals,
            activity,
            member_set: Vec::new(),
            set_offsets: vec![0],
            set_groups: Vec::new(),
            set_ids: HashMap::default(),
            set_by_text: HashMap::default(),
            page_starts: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Parses a header message (the `header` object of a snapshot file) and starts a build.
    pub fn from_header_json(bytes: &[u8]) -> Result<IndexBuilder, SnapshotError> {
        let header: SnapshotHeader =
            serde_json::from_slice(bytes).map_err(|e| SnapshotError::from_json(&e))?;
        IndexBuilder::new(header)
    }

    /// The header's `takenAt`.
    pub fn taken_at(&self) -> Millis {
        self.taken_at
    }

    /// Users added so far.
    pub fn user_count(&self) -> usize {
        self.keys.len()
    }

    /// Pages added so far.
    pub fn page_count(&self) -> usize {
        self.page_starts.len()
    }

    /// Adds a page of already-deserialised users. On error nothing of the page is kept.
    pub fn add_page(&mut self, page: &SnapshotPage) -> Result<(), SnapshotError> {
        self.begin_page(Some(page.users.len()))?;
        for (i, u) in page.users.iter().enumerate() {
            let fields = UserFields::of(u);
            let pushed = u32::try_from(i)
                .map_err(|_| SnapshotError::TooLarge {
                    what: "page too long",
                })
                .and_then(|i| self.push_user(&fields, u.groups.iter().map(String::as_str), i));
            if let Err(e) = pushed {
                self.rollback_page();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Parses and adds one page message (`{"users": [...]}`), streaming the
    /// users straight into the columns. On error nothing of the page is kept.
    pub fn add_page_json(&mut self, bytes: &[u8]) -> Result<(), SnapshotError> {
        crate::snapshot::stream_page(self, bytes)
    }

    /// Opens a new page (rolled back by [`Self::rollback_page`]).
    pub(crate) fn begin_page(&mut self, hint: Option<usize>) -> Result<(), SnapshotError> {
        let start = u32::try_from(self.keys.len()).map_err(|_| SnapshotError::TooLarge {
            what: "more than 4294967295 users",
        })?;
        if let Some(n) = hint {
            self.reserve(n);
        }
        self.page_starts.push(start);
        Ok(())
    }

    fn reserve(&mut self, n: usize) {
        self.directory_of.reserve(n);
        self.active.reserve(n);
        self.created.reserve(n);
        self.last_login.reserve(n);
        self.login_count.reserve(n);
        self.member_set.reserve(n);
        for c in &mut self.activity {
            c.reserve(n);
        }
    }

    /// Drops every user of the current page and the page itself.
    pub(crate) fn rollback_page(&mut self) {
        let Some(start) = self.page_starts.pop() else {
            return;
        };
        let start = start as usize;
        self.keys.truncate(start);
        self.usernames.truncate(start);
        self.display_names.truncate(start);
        self.emails.truncate(start);
        self.directory_of.truncate(start);
        self.active.truncate(start);
        self.created.truncate(start);
        self.last_login.truncate(start);
        self.login_count.truncate(start);
        for c in &mut self.activity {
            c.truncate(start);
        }
        self.deactivated_at
            .truncate_users(u32::try_from(start).unwrap_or(u32::MAX));
        let first = u32::try_from(start).unwrap_or(u32::MAX);
        self.suspended.retain(|&i| i < first);
        // Group sets first seen on this page stay in the table: a later
        // user may well have the same set, and an unused one is a few bytes.
        self.member_set.truncate(start);
    }

    fn position(&self, index_in_page: u32) -> Position {
        Position {
            page: u32::try_from(self.page_starts.len().saturating_sub(1)).unwrap_or(u32::MAX),
            index: index_in_page,
        }
    }

    fn check_time(
        &self,
        key: &str,
        at: Position,
        field: TimeField,
        value: i64,
    ) -> Result<(), SnapshotError> {
        if value < Millis::PLAUSIBLE_MIN.0 {
            return Err(SnapshotError::TooEarly {
                key: UserKey::from(key),
                at,
                field,
                value,
            });
        }
        if value > self.taken_at.0.saturating_add(FUTURE_SKEW_MS) {
            return Err(SnapshotError::TooLate {
                key: UserKey::from(key),
                at,
                field,
                value,
                taken_at: self.taken_at.0,
            });
        }
        Ok(())
    }

    /// Validates one user and appends it to the current page.
    ///
    /// Checks, in order: key, username, directory, `created`, `lastLogin`,
    /// `deactivatedAt`, `loginCount`, groups. Nothing is appended on error.
    pub(crate) fn push_user<'g>(
        &mut self,
        u: &UserFields<'_>,
        groups: impl Iterator<Item = &'g str>,
        index_in_page: u32,
    ) -> Result<(), SnapshotError> {
        let at = self.position(index_in_page);
        let dir = self.check_user(u, at)?;
        let set = self.resolve_set(u, at, groups)?;
        self.append(u, dir, set)
    }

    /// [`Self::push_user`] for a user whose `groups` array read as the JSON
    /// text `groups_json`: a text seen before stands for the set it
    /// resolved to then, so the names are not looked up again.
    pub(crate) fn push_user_json<'g>(
        &mut self,
        u: &UserFields<'_>,
        groups: impl Iterator<Item = &'g str>,
        groups_json: &str,
        index_in_page: u32,
    ) -> Result<(), SnapshotError> {
        let at = self.position(index_in_page);
        let dir = self.check_user(u, at)?;
        let set = match self.set_by_text.get(groups_json) {
            Some(&set) => set,
            None => {
                let set = self.resolve_set(u, at, groups)?;
                if self.set_by_text.len() < MAX_GROUPS_TEXTS {
                    self.set_by_text.insert(groups_json.into(), set);
                }
                set
            }
        };
        self.append(u, dir, set)
    }

    /// The checks of one user's own fields; answers their directory's ordinal.
    fn check_user(&self, u: &UserFields<'_>, at: Position) -> Result<u16, SnapshotError> {
        if u.key.is_empty() {
            return Err(SnapshotError::EmptyKey { at });
        }
        let key = || UserKey::from(u.key);
        if u.username.is_empty() {
            return Err(SnapshotError::EmptyUsername { key: key(), at });
        }
        let dir = self
            .directory_ord
            .binary_search_by_key(&u.directory_id, |&(id, _)| id)
            .ok()
            .and_then(|at| self.directory_ord.get(at))
            .map(|&(_, ord)| ord)
            .ok_or_else(|| SnapshotError::UnknownDirectory {
                key: key(),
                at,
                directory: u.directory_id,
            })?;
        self.check_time(u.key, at, TimeField::Created, u.created)?;
        if let Some(t) = u.last_login {
            self.check_time(u.key, at, TimeField::LastLogin, t)?;
        }
        if let Some(t) = u.deactivated_at {
            self.check_time(u.key, at, TimeField::DeactivatedAt, t)?;
        }
        let values = u.activity.as_slice();
        if !values.is_empty() && values.len() != self.signals.len() {
            return Err(SnapshotError::ActivityLength {
                key: key(),
                at,
                found: values.len(),
                declared: self.signals.len(),
            });
        }
        for (i, v) in (0u8..).zip(values) {
            if let Some(t) = *v {
                self.check_time(u.key, at, TimeField::Activity(i), t)?;
            }
        }
        if u.login_count == Some(UNKNOWN_COUNT) {
            return Err(SnapshotError::LoginCountOutOfRange {
                key: key(),
                at,
                value: UNKNOWN_COUNT,
            });
        }
        Ok(dir)
    }

    /// The id of the set of `groups` (names matched case-insensitively,
    /// duplicates dropped), added to the table if new.
    fn resolve_set<'g>(
        &mut self,
        u: &UserFields<'_>,
        at: Position,
        groups: impl Iterator<Item = &'g str>,
    ) -> Result<u32, SnapshotError> {
        self.scratch.clear();
        for g in groups {
            let ord = self
                .group_by_name
                .get(g)
                .or_else(|| self.group_by_name.get(&g.to_lowercase()))
                .copied()
                .ok_or_else(|| SnapshotError::UnknownGroup {
                    key: UserKey::from(u.key),
                    at,
                    group: g.to_owned(),
                })?;
            self.scratch.push(ord);
        }
        self.scratch.sort_unstable();
        self.scratch.dedup();
        if let Some(&set) = self.set_ids.get(self.scratch.as_slice()) {
            return Ok(set);
        }
        let too_many = SnapshotError::TooLarge {
            what: "too many memberships",
        };
        let set = u32::try_from(self.set_ids.len()).map_err(|_| too_many.clone())?;
        let end = self
            .set_groups
            .len()
            .checked_add(self.scratch.len())
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(too_many)?;
        self.set_groups.extend_from_slice(&self.scratch);
        self.set_offsets.push(end);
        self.set_ids.insert(self.scratch.clone(), set);
        Ok(set)
    }

    /// Appends a validated user. Only the string arenas can still fail.
    fn append(&mut self, u: &UserFields<'_>, dir: u16, set: u32) -> Result<(), SnapshotError> {
        let idx = u32::try_from(self.keys.len()).map_err(|_| SnapshotError::TooLarge {
            what: "more than 4294967295 users",
        })?;
        let too_much_text = |_| SnapshotError::TooLarge {
            what: "more than 4 GiB of text in one column",
        };
        let n = self.keys.len();
        let pushed = self
            .keys
            .push(u.key)
            .and_then(|()| self.usernames.push(u.username))
            .and_then(|()| self.display_names.push(u.display_name))
            .and_then(|()| self.emails.push(u.email));
        if let Err(e) = pushed {
            self.keys.truncate(n);
            self.usernames.truncate(n);
            self.display_names.truncate(n);
            self.emails.truncate(n);
            return Err(too_much_text(e));
        }
        self.directory_of.push(dir);
        self.active.push(u.active);
        self.created.push(u.created);
        self.last_login.push(u.last_login.unwrap_or(NEVER));
        let values = u.activity.as_slice();
        for (i, c) in self.activity.iter_mut().enumerate() {
            c.push(values.get(i).copied().flatten().unwrap_or(NEVER));
        }
        self.login_count
            .push(u.login_count.unwrap_or(UNKNOWN_COUNT));
        if let Some(t) = u.deactivated_at {
            self.deactivated_at.push(idx, t);
        }
        if u.suspended && !u.active {
            self.suspended.push(idx);
        }
        self.member_set.push(set);
        Ok(())
    }
}

/// How many distinct `groups` texts [`IndexBuilder::push_user_json`]
/// remembers (a few hundred are typical; past this, users are resolved
/// name by name as before).
const MAX_GROUPS_TEXTS: usize = 1 << 14;

mod finish;
mod order;

pub(crate) use finish::sorted_bitmap;
pub(crate) use order::order_by;
