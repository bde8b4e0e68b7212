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

use roaring::RoaringBitmap;

use super::search::FoldedColumn;
use super::sparse::SparseTimes;
use super::strings::{self, HashLookup, StringColumn, WordBuild};
use super::{DirectoryIndex, GroupOrd, NEVER, UNKNOWN_COUNT};
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
                group_by_name.entry(g.name.0.clone()).or_insert(ord);
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
                    group: g.0.clone(),
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

    fn position_of(&self, idx: u32) -> Position {
        let page = self
            .page_starts
            .partition_point(|&s| s <= idx)
            .saturating_sub(1);
        let start = self.page_starts.get(page).copied().unwrap_or(0);
        Position {
            page: u32::try_from(page).unwrap_or(u32::MAX),
            index: idx - start,
        }
    }

    /// Finds the earliest user (by index) that repeats an earlier user's
    /// string under `eq`; returns `(first, later)`.
    fn first_duplicate(
        lookup: &HashLookup,
        column: &StringColumn,
        eq: fn(&str, &str) -> bool,
    ) -> Option<(u32, u32)> {
        let mut best: Option<(u32, u32)> = None;
        let mut earlier: Vec<u32> = Vec::new();
        for run in lookup.collision_runs() {
            earlier.clear();
            for later in run.users() {
                let first = earlier
                    .iter()
                    .copied()
                    .find(|&i| eq(column.get(i as usize), column.get(later as usize)));
                if let Some(first) = first {
                    if best.is_none_or(|(_, b)| later < b) {
                        best = Some((first, later));
                    }
                    break;
                }
                earlier.push(later);
            }
        }
        best
    }

    /// Checks the cross-user rules and produces the index.
    ///
    /// Duplicate keys are reported before duplicate usernames, and each for
    /// the earliest user that repeats an earlier one; then unknown sysadmins
    /// in header order.
    pub fn finish(self) -> Result<DirectoryIndex, SnapshotError> {
        let n = self.keys.len();
        let n32 = u32::try_from(n).map_err(|_| SnapshotError::TooLarge {
            what: "more than 4294967295 users",
        })?;
        let key_lookup = HashLookup::build(&self.keys, strings::exact_hash);
        if let Some((first, later)) = Self::first_duplicate(&key_lookup, &self.keys, |a, b| a == b)
        {
            return Err(SnapshotError::DuplicateKey {
                key: UserKey::from(self.keys.get(later as usize)),
                at: self.position_of(later),
                first: self.position_of(first),
            });
        }
        let username_lookup = HashLookup::build(&self.usernames, strings::folded_hash);
        if let Some((first, later)) =
            Self::first_duplicate(&username_lookup, &self.usernames, strings::eq_folded)
        {
            return Err(SnapshotError::DuplicateUsername {
                key: UserKey::from(self.keys.get(later as usize)),
                at: self.position_of(later),
                other: UserKey::from(self.keys.get(first as usize)),
            });
        }
        let email_lookup = HashLookup::build(&self.emails, strings::folded_hash);

        let find_key = |k: &str| {
            key_lookup
                .candidates(strings::exact_hash(k))
                .find(|&i| self.keys.get(i as usize) == k)
        };
        let mut sysadmins = RoaringBitmap::new();
        for k in &self.sysadmins {
            let i = find_key(k.as_str())
                .ok_or_else(|| SnapshotError::UnknownSysadmin { key: k.clone() })?;
            sysadmins.insert(i);
        }

        let mut all = RoaringBitmap::new();
        all.insert_range(0..n32);
        // Per group set, once: does it grant a licence.
        let set_licensed: Vec<bool> = self
            .set_offsets
            .windows(2)
            .map(|w| match *w {
                [lo, hi] => self
                    .set_groups
                    .get(lo as usize..hi as usize)
                    .unwrap_or(&[])
                    .iter()
                    .any(|&g| self.licence_group.get(g as usize).copied().unwrap_or(false)),
                _ => false,
            })
            .collect();
        // Every bitmap is built from its members in ascending order
        // (`from_sorted_iter` appends to the last container) rather than by
        // `insert`s that each search the bitmap.
        let active = sorted_bitmap(
            (0..n32)
                .zip(&self.active)
                .filter(|(_, a)| **a)
                .map(|(i, _)| i),
        );
        let never_logged_in = sorted_bitmap(
            (0..n32)
                .zip(&self.last_login)
                .filter(|(_, l)| **l == NEVER)
                .map(|(i, _)| i),
        );
        let licensed = sorted_bitmap(
            (0..n32)
                .zip(self.active.iter().zip(&self.member_set))
                .filter(|(_, (a, s))| {
                    **a && set_licensed.get(**s as usize).copied().unwrap_or(false)
                })
                .map(|(i, _)| i),
        );
        let mut directory_lists: Vec<Vec<u32>> = vec![Vec::new(); self.directories.len()];
        let mut group_lists: Vec<Vec<u32>> = vec![Vec::new(); self.groups.len()];
        for (i, (&d, &set)) in (0..n32).zip(self.directory_of.iter().zip(&self.member_set)) {
            if let Some(list) = directory_lists.get_mut(usize::from(d)) {
                list.push(i);
            }
            for &g in super::set_members(&self.set_offsets, &self.set_groups, set) {
                if let Some(list) = group_lists.get_mut(g as usize) {
                    list.push(i);
                }
            }
        }
        let directory_members: Vec<RoaringBitmap> = directory_lists
            .into_iter()
            .map(|l| sorted_bitmap(l.into_iter()))
            .collect();
        let group_members: Vec<RoaringBitmap> = group_lists
            .into_iter()
            .map(|l| sorted_bitmap(l.into_iter()))
            .collect();

        // Sort orders. Username first: it is every other order's tie-breaker.
        let by_username = username_order(&self.usernames, &self.keys);
        let mut username_rank = vec![0u32; n];
        for (rank, &i) in (0u32..).zip(&by_username) {
            if let Some(r) = username_rank.get_mut(i as usize) {
                *r = rank;
            }
        }
        let by_last_login = order_by(&self.last_login, &by_username, &username_rank);
        let by_created = order_by(&self.created, &by_username, &username_rank);

        let mut index = DirectoryIndex {
            taken_at: self.taken_at,
            directories: self.directories,
            groups: self.groups,
            licences: self.licences,
            group_by_name: self.group_by_name,
            licence_group: self.licence_group,
            licence_groups: self.licence_groups,
            keys: self.keys,
            folded_usernames: FoldedColumn::of(&self.usernames),
            folded_display_names: FoldedColumn::of(&self.display_names),
            folded_emails: FoldedColumn::of(&self.emails),
            usernames: self.usernames,
            display_names: self.display_names,
            emails: self.emails,
            key_lookup,
            username_lookup,
            email_lookup,
            directory_of: self.directory_of,
            created: self.created,
            last_login: self.last_login,
            login_count: self.login_count,
            deactivated_at: self.deactivated_at,
            suspended: sorted_bitmap(self.suspended.into_iter()),
            signals: self.signals,
            activity: self.activity,
            member_set: self.member_set,
            set_offsets: self.set_offsets,
            set_groups: self.set_groups,
            member_overrides: HashMap::new(),
            all,
            active,
            never_logged_in,
            licensed,
            sysadmins,
            group_members,
            directory_members,
            by_username,
            username_rank,
            by_last_login,
            by_created,
            last_activity: Default::default(),
        };
        index.shrink();
        Ok(index)
    }
}

/// A bitmap of `members`, which ascend (as every caller's do): appended
/// container by container. Should they not ascend, they are inserted one
/// by one instead, so the result is right either way.
pub(crate) fn sorted_bitmap(members: impl Iterator<Item = u32> + Clone) -> RoaringBitmap {
    RoaringBitmap::from_sorted_iter(members.clone()).unwrap_or_else(|_| members.collect())
}

/// Users in username order: by lower-cased username (`str::to_lowercase`,
/// bytewise), then by key.
///
/// A sort of plain `u128`s: each user's key is 12 bytes of their folded
/// name above their index. Users whose first 12 bytes tie (in a large
/// directory most do: shared first names) are sorted again, run by run, by
/// the next 12 bytes, and so on; only names that still tie after the last
/// level are compared as strings. Comparing `(prefix, user)` tuples with a
/// closure instead cost twice as much, and a lower-cased copy of every name.
fn username_order(usernames: &StringColumn, keys: &StringColumn) -> Vec<u32> {
    let n = usernames.len().min(u32::MAX as usize);
    let mut sorted: Vec<u128> = (0..n)
        .zip(0u32..)
        .map(|(i, user)| chunk_key(usernames.get(i), 0, user).0)
        .collect();
    sorted.sort_unstable();
    settle_ties(&mut sorted, 0, usernames, keys);
    sorted.into_iter().map(key_user).collect()
}

/// How many distinct `groups` texts [`IndexBuilder::push_user_json`]
/// remembers (a few hundred are typical; past this, users are resolved
/// name by name as before).
const MAX_GROUPS_TEXTS: usize = 1 << 14;

/// Bytes of the folded name per sort level.
const CHUNK: usize = 12;
/// Levels of chunks (96 bytes) before tied names are compared as strings.
const LEVELS: usize = 8;

/// The user in the low 32 bits of a sort key.
fn key_user(key: u128) -> u32 {
    key as u32
}

/// Bytes `level * CHUNK ..` of `name` lower-cased, zero-padded, big-endian
/// in the top 96 bits; `user` in the low 32. Also the length of the whole
/// lower-cased name (a non-ASCII name is lower-cased once for both).
fn chunk_key(name: &str, level: usize, user: u32) -> (u128, usize) {
    let mut bytes = [0u8; 16];
    let mut fill = |folded: &[u8]| {
        let from = (level * CHUNK).min(folded.len());
        let to = (from + CHUNK).min(folded.len());
        if let (Some(dst), Some(src)) = (bytes.get_mut(..to - from), folded.get(from..to)) {
            dst.copy_from_slice(src);
        }
        folded.len()
    };
    let folded_len = if name.is_ascii() {
        let len = fill(name.as_bytes());
        bytes.make_ascii_lowercase();
        len
    } else {
        fill(name.to_lowercase().as_bytes())
    };
    (u128::from_be_bytes(bytes) | u128::from(user), folded_len)
}

/// Orders the runs of `sorted` whose keys tie at `level` (same chunk,
/// different users) by the rest of their names, then by key.
fn settle_ties(sorted: &mut [u128], level: usize, usernames: &StringColumn, keys: &StringColumn) {
    let name = |k: u128| usernames.get(key_user(k) as usize);
    let mut start = 0;
    while let Some(&first) = sorted.get(start) {
        let len = sorted
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&k| k >> 32 == first >> 32)
            .count()
            .max(1);
        if len > 1
            && let Some(run) = sorted.get_mut(start..start + len)
        {
            // Re-key the run by its next chunk, learning on the way whether
            // every name already ended within this one.
            let next = level + 1;
            let mut all_end = true;
            for k in run.iter_mut() {
                let (key, folded_len) = chunk_key(name(*k), next, key_user(*k));
                *k = key;
                all_end &= folded_len <= next * CHUNK;
            }
            if all_end || next == LEVELS {
                run.sort_unstable_by(|&a, &b| {
                    cmp_lowercase(name(a), name(b)).then_with(|| {
                        keys.get(key_user(a) as usize)
                            .cmp(keys.get(key_user(b) as usize))
                    })
                });
            } else {
                run.sort_unstable();
                settle_ties(run, next, usernames, keys);
            }
        }
        start += len;
    }
}

/// Orders two names by their `str::to_lowercase` forms, without
/// allocating when both are ASCII.
fn cmp_lowercase(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.to_lowercase().cmp(&b.to_lowercase())
    }
}

/// Users sorted by `(col[user], username_rank[user])`, `NEVER` first.
///
/// The rank is unique per user, so the pair alone orders users and the
/// user is recovered from the rank (`by_username[rank]`). When the column's
/// spread and the rank fit in 64 bits together (timestamps span ~41 bits, a
/// million ranks 20) each pair is packed into one `u64` whose integer order
/// is the pair's order: an 8-byte sort key instead of a 16-byte tuple
/// compared field by field. Otherwise pairs are sorted as `u128`s.
pub(crate) fn order_by(col: &[i64], by_username: &[u32], username_rank: &[u32]) -> Vec<u32> {
    let n = col.len().min(username_rank.len());
    let real = || col.iter().copied().filter(|&v| v != NEVER);
    let (Some(min), Some(max)) = (real().min(), real().max()) else {
        // No values at all: username order.
        return by_username.to_vec();
    };
    // `NEVER` ↦ 0, a value ↦ its distance from the smallest, plus one.
    let spread = max.abs_diff(min).saturating_add(1);
    let value_bits = u64::BITS - spread.leading_zeros();
    let rank_bits = usize::BITS - n.leading_zeros();
    let offset = |v: i64| if v == NEVER { 0 } else { v.abs_diff(min) + 1 };
    let user_of = |rank: u64| {
        usize::try_from(rank)
            .ok()
            .and_then(|r| by_username.get(r))
            .copied()
            .unwrap_or(0)
    };
    let pairs = col.iter().zip(username_rank).take(n);
    if value_bits + rank_bits <= 64 {
        let mut keys: Vec<u64> = pairs
            .map(|(&v, &r)| (offset(v) << rank_bits) | u64::from(r))
            .collect();
        keys.sort_unstable();
        let mask = (1u64 << rank_bits) - 1;
        keys.into_iter().map(|k| user_of(k & mask)).collect()
    } else {
        let mut keys: Vec<u128> = pairs
            .map(|(&v, &r)| (u128::from(offset(v)) << 32) | u128::from(r))
            .collect();
        keys.sort_unstable();
        keys.into_iter()
            .map(|k| user_of(u64::from(k as u32)))
            .collect()
    }
}

impl DirectoryIndex {
    fn shrink(&mut self) {
        self.keys.shrink();
        self.usernames.shrink();
        self.display_names.shrink();
        self.emails.shrink();
        self.directory_of.shrink_to_fit();
        self.created.shrink_to_fit();
        self.last_login.shrink_to_fit();
        self.login_count.shrink_to_fit();
        for c in &mut self.activity {
            c.shrink_to_fit();
        }
        self.deactivated_at.shrink();
        self.member_set.shrink_to_fit();
        self.set_offsets.shrink_to_fit();
        self.set_groups.shrink_to_fit();
        for b in self
            .group_members
            .iter_mut()
            .chain(self.directory_members.iter_mut())
        {
            b.optimize();
        }
        self.all.optimize();
        self.active.optimize();
        self.suspended.optimize();
        self.never_logged_in.optimize();
        self.licensed.optimize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: sort `(value, rank, user)` tuples.
    fn reference(col: &[i64], rank: &[u32]) -> Vec<u32> {
        let mut keyed: Vec<(i64, u32, u32)> = (0u32..)
            .zip(col)
            .map(|(i, &v)| (v, rank[i as usize], i))
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, _, i)| i).collect()
    }

    fn column(strings: &[String]) -> StringColumn {
        let mut c = StringColumn::default();
        for s in strings {
            c.push(s).unwrap();
        }
        c
    }

    /// Names that tie for long stretches, in any case, non-ASCII and NULs
    /// included: the chunked sort must not need them to differ early.
    fn arb_name() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec![
                "",
                "christopher.",
                "CHRISTOPHER.",
                "Ωmega.",
                "a\0",
                "abcdefghijkl",
            ]),
            prop::collection::vec(
                prop::sample::select(vec![
                    "a",
                    "A",
                    "b",
                    "\0",
                    "é",
                    "É",
                    "ς",
                    "Σ",
                    "ab",
                    "abcdefghijkl",
                ]),
                0..12,
            ),
        )
            .prop_map(|(head, tail)| format!("{head}{}", tail.concat()))
    }

    proptest! {
        /// The chunked username order is the order of lower-cased names
        /// (`str::to_lowercase`, bytewise), then keys.
        #[test]
        fn username_order_is_lowercase_then_key(
            names in prop::collection::vec(arb_name(), 0..60),
        ) {
            let keys: Vec<String> = (0..names.len()).rev().map(|i| format!("K{i}")).collect();
            let mut expected: Vec<u32> = (0..u32::try_from(names.len()).unwrap()).collect();
            expected.sort_by(|&a, &b| {
                let (a, b) = (a as usize, b as usize);
                names[a].to_lowercase().cmp(&names[b].to_lowercase()).then(keys[a].cmp(&keys[b]))
            });
            prop_assert_eq!(username_order(&column(&names), &column(&keys)), expected);
        }
    }

    proptest! {
        /// Packed (`u64`) and wide (`u128`) keys both order like the tuples,
        /// `NEVER` first, ties by username rank.
        #[test]
        fn order_by_agrees_with_tuple_sort(
            values in proptest::collection::vec(
                prop_oneof![Just(NEVER), 0i64..50, Just(i64::MAX), Just(i64::MIN + 1)],
                0..150,
            ),
            seed in any::<u64>(),
        ) {
            let n = values.len();
            // A permutation for the username order.
            let mut by_username: Vec<u32> = (0..u32::try_from(n).unwrap()).collect();
            let mut x = seed | 1;
            for i in (1..n).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                by_username.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let mut rank = vec![0u32; n];
            for (r, &u) in (0u32..).zip(&by_username) {
                rank[u as usize] = r;
            }
            prop_assert_eq!(order_by(&values, &by_username, &rank), reference(&values, &rank));
            // Narrow values only: the packed path.
            let narrow: Vec<i64> = values.iter().map(|&v| if v == NEVER { v } else { v.rem_euclid(50) }).collect();
            prop_assert_eq!(order_by(&narrow, &by_username, &rank), reference(&narrow, &rank));
        }
    }
}
