//! The directory index: every user of a snapshot, stored as columns.
//!
//! Why columns and bitmaps (DESIGN.md §9): the Users tab, the dashboard and
//! the policy engine all ask set questions ("active, in `jira-software-users`,
//! not in `contractors`, idle 90 days") over up to a million users within a
//! few milliseconds. A `Vec` of user structs with string sets cannot do that;
//! one bitmap per group, directory and status (`roaring`) answers the set
//! algebra in microseconds, and one dense column per timestamp turns "idle
//! N days" into a scan of a few MB.
//!
//! Users are numbered `0..user_count()` in snapshot order ([`UserIdx`]); the
//! numbers are stable for the life of an index (in-place changes never
//! renumber), so bitmaps and selections taken from it stay valid.
//!
//! Build one with [`DirectoryIndex::from_snapshot_json`] (a whole file) or
//! with an [`IndexBuilder`] (header, then pages, then `finish`: what the JNI
//! host does). Keep it current with [`DirectoryIndex::apply`].

pub(crate) mod build;
mod change;
pub(crate) mod last_activity;
mod pick;
pub(crate) mod rename_holders;
pub(crate) mod search;
pub(crate) mod sparse;
pub(crate) mod strings;

use std::collections::HashMap;
use std::fmt;

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

pub use build::IndexBuilder;
pub use change::{ChangeError, UserChange};
pub use pick::{PickedGroups, PickedUsers};

use crate::activity::{ActivitySettings, SignalDate, SignalDecl, SignalName};
use crate::model::{
    ApplicationKey, Directory, DirectoryId, Group, GroupName, Licence, User, UserKey, Username,
};
use crate::snapshot::SnapshotError;
use crate::time::Millis;
use sparse::SparseTimes;
use strings::{HashLookup, StringColumn, WordBuild};

/// Sentinel in the `last_login` column (and in sort keys): no value.
pub(crate) const NEVER: i64 = i64::MIN;
/// Sentinel in the `login_count` column: the product does not count logins.
pub(crate) const UNKNOWN_COUNT: u32 = u32::MAX;

/// A user's position in a [`DirectoryIndex`] (0-based, snapshot order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserIdx(pub u32);

impl UserIdx {
    /// The index as a `usize`, for column access.
    pub fn as_usize(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for UserIdx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Which activity signals count: bit 0 login, bit `i + 1` the snapshot's
/// declared signal `i` (see [`DirectoryIndex::signal_mask`]).
pub type SignalMask = u16;

/// A group's position in [`DirectoryIndex::groups`].
pub type GroupOrd = u32;

/// The column-oriented index of one directory snapshot.
#[derive(Debug, Clone)]
pub struct DirectoryIndex {
    pub(crate) taken_at: Millis,
    pub(crate) directories: Vec<Directory>,
    pub(crate) groups: Vec<Group>,
    pub(crate) licences: Vec<Licence>,
    /// Folded group name → ordinal.
    pub(crate) group_by_name: HashMap<String, GroupOrd, WordBuild>,
    /// Per group: grants a licence (flagged, or named by a licence).
    pub(crate) licence_group: Vec<bool>,
    /// Per licence: the ordinals of its groups.
    pub(crate) licence_groups: Vec<Vec<GroupOrd>>,

    pub(crate) keys: StringColumn,
    pub(crate) usernames: StringColumn,
    pub(crate) display_names: StringColumn,
    pub(crate) emails: StringColumn,
    /// Lower-cased views of the three searched columns (`search`).
    pub(crate) folded_usernames: search::FoldedColumn,
    pub(crate) folded_display_names: search::FoldedColumn,
    pub(crate) folded_emails: search::FoldedColumn,
    pub(crate) key_lookup: HashLookup,
    pub(crate) username_lookup: HashLookup,
    pub(crate) email_lookup: HashLookup,

    /// Per user: ordinal into `directories`.
    pub(crate) directory_of: Vec<u16>,
    pub(crate) created: Vec<i64>,
    pub(crate) last_login: Vec<i64>,
    pub(crate) login_count: Vec<u32>,
    /// When deactivated, for the users the host dated (few: stored sparse).
    pub(crate) deactivated_at: SparseTimes,
    /// The snapshot's declared activity signals besides login (`crate::activity`).
    pub(crate) signals: Vec<SignalDecl>,
    /// One column per declared signal (`NEVER`: no value); none at all when the
    /// host declares no signal, so a login-only index pays nothing.
    pub(crate) activity: Vec<Vec<i64>>,
    /// Memberships, one id per user into a table of distinct group sets:
    /// set `s` is `set_groups[set_offsets[s]..set_offsets[s + 1]]`, sorted.
    /// Directories hold far fewer distinct sets than users (role groups
    /// come in a few combinations), so this is ~4 bytes per user where
    /// per-user rows took 4 per user plus 4 per membership.
    pub(crate) member_set: Vec<u32>,
    pub(crate) set_offsets: Vec<u32>,
    pub(crate) set_groups: Vec<GroupOrd>,
    /// Memberships changed in place since the build (replace the user's set).
    pub(crate) member_overrides: HashMap<u32, Vec<GroupOrd>>,

    pub(crate) all: RoaringBitmap,
    pub(crate) active: RoaringBitmap,
    /// Suspended users (Atlassian Cloud's membership status; always
    /// inactive): told apart from deactivated ones for the Users filters
    /// and so a restore acts on them only.
    pub(crate) suspended: RoaringBitmap,
    pub(crate) never_logged_in: RoaringBitmap,
    pub(crate) licensed: RoaringBitmap,
    pub(crate) sysadmins: RoaringBitmap,
    pub(crate) group_members: Vec<RoaringBitmap>,
    pub(crate) directory_members: Vec<RoaringBitmap>,

    /// Users sorted by (folded username, key).
    pub(crate) by_username: Vec<u32>,
    /// Per user: position in `by_username` (the tie-breaker of the other orders).
    pub(crate) username_rank: Vec<u32>,
    /// Users sorted by (last login, never first; then username order).
    pub(crate) by_last_login: Vec<u32>,
    /// Users sorted by (created; then username order).
    pub(crate) by_created: Vec<u32>,
    /// "Last active" by the counted signals, for the Users tab (cached).
    pub(crate) last_activity: last_activity::ActivityCache,
    /// Per rename suffix, the users whose new name may be taken (made by
    /// the first plan that asks; `rename_holders.rs`).
    pub(crate) rename_holders: rename_holders::RenameHolders,
}

/// A borrowed view of one user.
#[derive(Clone, Copy, Debug)]
pub struct UserView<'a> {
    index: &'a DirectoryIndex,
    idx: UserIdx,
}

impl<'a> UserView<'a> {
    /// The user's position.
    pub fn idx(&self) -> UserIdx {
        self.idx
    }
    /// Stable key.
    pub fn key(&self) -> &'a str {
        self.index.keys.get(self.idx.as_usize())
    }
    /// Login name.
    pub fn username(&self) -> &'a str {
        self.index.usernames.get(self.idx.as_usize())
    }
    /// Full name.
    pub fn display_name(&self) -> &'a str {
        self.index.display_names.get(self.idx.as_usize())
    }
    /// Email (may be empty).
    pub fn email(&self) -> &'a str {
        self.index.emails.get(self.idx.as_usize())
    }
    /// The user's directory.
    pub fn directory(&self) -> DirectoryId {
        self.index.directory_id_of(self.idx)
    }
    /// Active or deactivated.
    pub fn active(&self) -> bool {
        self.index.active.contains(self.idx.0)
    }
    /// Account creation.
    pub fn created(&self) -> Millis {
        self.index.created(self.idx)
    }
    /// Last login, `None` if never.
    pub fn last_login(&self) -> Option<Millis> {
        self.index.last_login(self.idx)
    }
    /// Login count, `None` where unknown.
    pub fn login_count(&self) -> Option<u32> {
        self.index.login_count(self.idx)
    }
    /// When deactivated, if the host said.
    pub fn deactivated_at(&self) -> Option<Millis> {
        self.index.deactivated_at(self.idx)
    }
    /// Access suspended (Atlassian Cloud; never true of an active user).
    pub fn suspended(&self) -> bool {
        self.index.suspended.contains(self.idx.0)
    }
    /// Licensed: active and a member of a licence-granting group.
    pub fn licensed(&self) -> bool {
        self.index.licensed.contains(self.idx.0)
    }
    /// Direct group memberships.
    pub fn groups(&self) -> impl Iterator<Item = &'a GroupName> + 'a {
        self.index.groups_of(self.idx)
    }
    /// An owned copy in the engine's model type.
    pub fn to_user(&self) -> User {
        User {
            key: UserKey::from(self.key()),
            username: Username::from(self.username()),
            display_name: self.display_name().to_owned(),
            email: self.email().to_owned(),
            directory: self.directory(),
            active: self.active(),
            created: self.created(),
            last_login: self.last_login(),
            login_count: self.login_count(),
            deactivated_at: self.deactivated_at(),
            groups: self.groups().cloned().collect(),
        }
    }
}

fn opt_millis(v: i64) -> Option<Millis> {
    (v != NEVER).then_some(Millis(v))
}

impl DirectoryIndex {
    /// Parses, validates and indexes a whole snapshot file (see `docs/snapshot.md`).
    pub fn from_snapshot_json(bytes: &[u8]) -> Result<DirectoryIndex, SnapshotError> {
        crate::snapshot::index_file(bytes)
    }

    /// Number of users.
    pub fn user_count(&self) -> usize {
        self.keys.len()
    }

    /// When the snapshot was taken.
    pub fn taken_at(&self) -> Millis {
        self.taken_at
    }

    /// A borrowed view of user `idx` (`None` if out of range).
    pub fn user(&self, idx: UserIdx) -> Option<UserView<'_>> {
        (idx.as_usize() < self.user_count()).then_some(UserView { index: self, idx })
    }

    /// All users, in index order.
    pub fn users(&self) -> impl Iterator<Item = UserView<'_>> + '_ {
        (0..self.user_count()).filter_map(|i| self.user(UserIdx(u32::try_from(i).ok()?)))
    }

    /// User `idx`'s key (empty if out of range).
    pub fn key(&self, idx: UserIdx) -> &str {
        self.keys.get(idx.as_usize())
    }

    /// User `idx`'s username (empty if out of range).
    pub fn username(&self, idx: UserIdx) -> &str {
        self.usernames.get(idx.as_usize())
    }

    /// User `idx`'s last login, `None` if never (or out of range).
    pub fn last_login(&self, idx: UserIdx) -> Option<Millis> {
        self.last_login
            .get(idx.as_usize())
            .copied()
            .and_then(opt_millis)
    }

    /// The snapshot's declared activity signals besides login, in header order.
    pub fn signals(&self) -> &[SignalDecl] {
        &self.signals
    }

    /// User `idx`'s value of declared signal `signal` (a position in
    /// [`Self::signals`]); `None` when they have none (or out of range).
    pub fn activity(&self, idx: UserIdx, signal: usize) -> Option<Millis> {
        self.activity
            .get(signal)
            .and_then(|c| c.get(idx.as_usize()))
            .copied()
            .and_then(opt_millis)
    }

    /// The signals that count under `settings`, as a mask: bit 0 is login,
    /// bit `i + 1` is declared signal `i`. Never empty: with every enabled
    /// signal absent from this snapshot, login alone counts (what the index
    /// always had), so a host that declares nothing behaves as before.
    pub fn signal_mask(&self, settings: &ActivitySettings) -> SignalMask {
        let mut mask = u16::from(settings.login);
        for (i, d) in self.signals.iter().enumerate() {
            if settings.counts(d.kind) {
                mask |= 1 << (i + 1);
            }
        }
        // A host without login dates (Atlassian Cloud: per-product
        // last-active dates only) leaves the column empty; it can change no
        // decision (no value never counts), so it is left out of the mask
        // when another signal counts, and reasons do not list a "last login
        // never" the host cannot know.
        if mask & 1 != 0 && mask != 1 && self.last_login.iter().all(|&v| v == NEVER) {
            mask &= !1;
        }
        if mask == 0 { 1 } else { mask }
    }

    /// User `idx`'s latest date among the signals of `mask`; `None` when no
    /// such signal has a value for them.
    pub fn last_activity(&self, idx: UserIdx, mask: SignalMask) -> Option<Millis> {
        let login = if mask & 1 != 0 {
            self.last_login(idx)
        } else {
            None
        };
        (0..self.signals.len())
            .filter(|i| mask & (1 << (i + 1)) != 0)
            .filter_map(|i| self.activity(idx, i))
            .chain(login)
            .max()
    }

    /// The latest date of any user among the signals of `mask` (the health
    /// check's "is activity data still arriving"); `None` when none has one.
    pub fn latest_activity(&self, mask: SignalMask) -> Option<Millis> {
        let login = if mask & 1 != 0 {
            self.by_last_login
                .last()
                .and_then(|&i| self.last_login(UserIdx(i)))
        } else {
            None
        };
        self.activity
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << (i + 1)) != 0)
            .filter_map(|(_, column)| column.iter().copied().filter_map(opt_millis).max())
            .chain(login)
            .max()
    }

    /// User `idx`'s date of every signal of `mask`, latest first (no value
    /// last), for reasons. Empty when login is the only signal, so reasons
    /// read as they always did where nothing else is recorded.
    pub fn signal_dates(&self, idx: UserIdx, mask: SignalMask) -> Vec<SignalDate> {
        if mask == 1 {
            return Vec::new();
        }
        let mut out = Vec::new();
        if mask & 1 != 0 {
            out.push(SignalDate {
                signal: SignalName::Login,
                at: self.last_login(idx),
            });
        }
        for (i, d) in self.signals.iter().enumerate() {
            if mask & (1 << (i + 1)) != 0 {
                out.push(SignalDate {
                    signal: SignalName::of(d),
                    at: self.activity(idx, i),
                });
            }
        }
        // Stable: equal dates keep login first, then header order.
        out.sort_by_key(|d| std::cmp::Reverse(d.at));
        out
    }

    /// User `idx`'s creation instant (epoch if out of range).
    pub fn created(&self, idx: UserIdx) -> Millis {
        Millis(self.created.get(idx.as_usize()).copied().unwrap_or(0))
    }

    /// User `idx`'s login count, `None` where the product does not count.
    pub fn login_count(&self, idx: UserIdx) -> Option<u32> {
        self.login_count
            .get(idx.as_usize())
            .copied()
            .filter(|&c| c != UNKNOWN_COUNT)
    }

    /// When user `idx` was deactivated, if the host said.
    pub fn deactivated_at(&self, idx: UserIdx) -> Option<Millis> {
        self.deactivated_at.get(idx.0).map(Millis)
    }

    /// True when user `idx` is active.
    pub fn is_active(&self, idx: UserIdx) -> bool {
        self.active.contains(idx.0)
    }

    /// The directory user `idx` lives in.
    pub fn directory_id_of(&self, idx: UserIdx) -> DirectoryId {
        self.directory_of
            .get(idx.as_usize())
            .and_then(|&d| self.directories.get(usize::from(d)))
            .map_or(DirectoryId(0), |d| d.id)
    }

    /// The group ordinals (into [`Self::groups`]) user `idx` is a direct member of, sorted.
    pub fn group_ords_of(&self, idx: UserIdx) -> &[GroupOrd] {
        if let Some(over) = self.member_overrides.get(&idx.0) {
            return over;
        }
        let Some(&set) = self.member_set.get(idx.as_usize()) else {
            return &[];
        };
        set_members(&self.set_offsets, &self.set_groups, set)
    }

    /// The groups user `idx` is a direct member of.
    pub fn groups_of(&self, idx: UserIdx) -> impl Iterator<Item = &GroupName> + '_ {
        self.group_ords_of(idx)
            .iter()
            .filter_map(|&g| self.groups.get(g as usize).map(|g| &g.name))
    }

    /// Every user.
    pub fn all_bitmap(&self) -> &RoaringBitmap {
        &self.all
    }

    /// Active users.
    pub fn active_bitmap(&self) -> &RoaringBitmap {
        &self.active
    }

    /// Deactivated users (computed: all minus active).
    pub fn deactivated_bitmap(&self) -> RoaringBitmap {
        &self.all - &self.active
    }

    /// Suspended users (Atlassian Cloud; a subset of the inactive ones).
    pub fn suspended_bitmap(&self) -> &RoaringBitmap {
        &self.suspended
    }

    /// True when user `idx` is suspended (Atlassian Cloud).
    pub fn is_suspended(&self, idx: UserIdx) -> bool {
        self.suspended.contains(idx.0)
    }

    /// Users who never logged in.
    pub fn never_logged_in_bitmap(&self) -> &RoaringBitmap {
        &self.never_logged_in
    }

    /// Licensed users: active members of at least one licence-granting group
    /// (a group flagged `licence`, or named by a licence). Deactivated users
    /// hold no seat in either product.
    pub fn licensed_bitmap(&self) -> &RoaringBitmap {
        &self.licensed
    }

    /// Users named in the header's `sysadmins`.
    pub fn sysadmins_bitmap(&self) -> &RoaringBitmap {
        &self.sysadmins
    }

    /// The group's ordinal, matched case-insensitively.
    pub fn group_ord(&self, name: &str) -> Option<GroupOrd> {
        if let Some(&g) = self.group_by_name.get(name) {
            return Some(g);
        }
        self.group_by_name.get(&name.to_lowercase()).copied()
    }

    /// Direct members of a group (case-insensitive name), `None` if unknown.
    pub fn group_bitmap(&self, name: &GroupName) -> Option<&RoaringBitmap> {
        self.group_ord(name.as_str())
            .and_then(|g| self.group_members.get(g as usize))
    }

    /// Direct members of the group with ordinal `g`.
    pub fn group_bitmap_by_ord(&self, g: GroupOrd) -> Option<&RoaringBitmap> {
        self.group_members.get(g as usize)
    }

    /// Users of a directory, `None` if unknown.
    pub fn directory_bitmap(&self, id: DirectoryId) -> Option<&RoaringBitmap> {
        let d = self.directories.iter().position(|d| d.id == id)?;
        self.directory_members.get(d)
    }

    /// A directory by id.
    pub fn directory(&self, id: DirectoryId) -> Option<&Directory> {
        self.directories.iter().find(|d| d.id == id)
    }

    /// All directories, in header order.
    pub fn directories(&self) -> &[Directory] {
        &self.directories
    }

    /// All groups, in header order (a group's position is its [`GroupOrd`]).
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// True when the group with ordinal `g` grants a licence.
    pub fn is_licence_group(&self, g: GroupOrd) -> bool {
        self.licence_group.get(g as usize).copied().unwrap_or(false)
    }

    /// Application licences, in header order.
    pub fn licences(&self) -> &[Licence] {
        &self.licences
    }

    /// The applications whose licence groups user `idx` is in, if active.
    pub fn licensed_applications(&self, idx: UserIdx) -> Vec<&ApplicationKey> {
        if !self.licensed.contains(idx.0) {
            return Vec::new();
        }
        let mine = self.group_ords_of(idx);
        self.licences
            .iter()
            .zip(&self.licence_groups)
            .filter(|(_, gs)| gs.iter().any(|g| mine.binary_search(g).is_ok()))
            .map(|(l, _)| &l.application)
            .collect()
    }

    /// Active users holding a seat of licence number `l` (position in [`Self::licences`]).
    pub fn licence_seat_holders(&self, l: usize) -> RoaringBitmap {
        let mut seats = RoaringBitmap::new();
        if let Some(gs) = self.licence_groups.get(l) {
            for &g in gs {
                if let Some(m) = self.group_members.get(g as usize) {
                    seats |= m;
                }
            }
        }
        seats & &self.active
    }

    /// The user with this key (exact match).
    pub fn index_of_key(&self, key: &UserKey) -> Option<UserIdx> {
        self.index_of_key_str(key.as_str())
    }

    /// The user with this key (exact match).
    pub fn index_of_key_str(&self, key: &str) -> Option<UserIdx> {
        self.key_lookup
            .candidates(strings::exact_hash(key))
            .find(|&i| self.keys.get(i as usize) == key)
            .map(UserIdx)
    }

    /// The user with this username (case-insensitive).
    pub fn index_of_username(&self, username: &str) -> Option<UserIdx> {
        self.username_lookup
            .candidates(strings::folded_hash(username))
            .find(|&i| strings::eq_folded(self.usernames.get(i as usize), username))
            .map(UserIdx)
    }

    /// Users with this email (case-insensitive; emails need not be unique).
    pub fn indices_of_email<'a>(&'a self, email: &'a str) -> impl Iterator<Item = UserIdx> + 'a {
        self.email_lookup
            .candidates(strings::folded_hash(email))
            .filter(move |&i| strings::eq_folded(self.emails.get(i as usize), email))
            .map(UserIdx)
    }

    /// Users sorted by username (case-insensitive), ties by key.
    pub fn order_by_username(&self) -> &[u32] {
        &self.by_username
    }

    /// Users sorted by last login ascending (never-logged-in first), ties in username order.
    pub fn order_by_last_login(&self) -> &[u32] {
        &self.by_last_login
    }

    /// Users sorted by creation ascending, ties in username order.
    pub fn order_by_created(&self) -> &[u32] {
        &self.by_created
    }

    /// Heap bytes held by the index (bitmaps at their serialized size, vectors
    /// at capacity; hash-map overhead estimated).
    pub fn memory_bytes(&self) -> usize {
        let bitmaps =
            |bs: &[RoaringBitmap]| bs.iter().map(RoaringBitmap::serialized_size).sum::<usize>();
        let vec = |cap: usize, elem: usize| cap * elem;
        let mut total = 0usize;
        total += self.keys.heap_bytes()
            + self.usernames.heap_bytes()
            + self.display_names.heap_bytes()
            + self.emails.heap_bytes()
            + self.folded_usernames.heap_bytes()
            + self.folded_display_names.heap_bytes()
            + self.folded_emails.heap_bytes();
        total += self.key_lookup.heap_bytes()
            + self.username_lookup.heap_bytes()
            + self.email_lookup.heap_bytes();
        total += vec(self.directory_of.capacity(), 2)
            + vec(self.created.capacity(), 8)
            + vec(self.last_login.capacity(), 8)
            + vec(self.login_count.capacity(), 4)
            + self
                .activity
                .iter()
                .map(|c| vec(c.capacity(), 8))
                .sum::<usize>()
            + self.deactivated_at.heap_bytes()
            + vec(self.member_set.capacity(), 4)
            + vec(self.set_offsets.capacity(), 4)
            + vec(self.set_groups.capacity(), 4);
        total += self
            .member_overrides
            .values()
            .map(|v| 48 + v.capacity() * 4)
            .sum::<usize>();
        total += [
            &self.all,
            &self.active,
            &self.suspended,
            &self.never_logged_in,
            &self.licensed,
            &self.sysadmins,
        ]
        .iter()
        .map(|b| b.serialized_size())
        .sum::<usize>();
        total += bitmaps(&self.group_members) + bitmaps(&self.directory_members);
        total += vec(self.by_username.capacity(), 4)
            + vec(self.username_rank.capacity(), 4)
            + vec(self.by_last_login.capacity(), 4)
            + vec(self.by_created.capacity(), 4);
        total += self
            .group_by_name
            .keys()
            .map(|k| k.capacity() + 40)
            .sum::<usize>();
        total
    }
}

/// The groups of distinct group set `set` in the sets' compressed rows
/// (`groups[offsets[set]..offsets[set + 1]]`); empty for an unknown set.
/// Shared by the builder and the built index, which hold the same layout.
pub(crate) fn set_members<'a>(offsets: &[u32], groups: &'a [GroupOrd], set: u32) -> &'a [GroupOrd] {
    let start = offsets.get(set as usize).map_or(0, |&s| s as usize);
    let end = offsets.get(set as usize + 1).map_or(start, |&e| e as usize);
    groups.get(start..end).unwrap_or(&[])
}
