//! [`IndexBuilder::finish`]: the checks across users and the parts of the
//! index built from whole columns.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use super::IndexBuilder;
use super::order::{order_by, username_order};
use crate::index::search::FoldedColumn;
use crate::index::strings::{self, HashLookup, StringColumn};
use crate::index::{DirectoryIndex, NEVER};
use crate::model::UserKey;
use crate::snapshot::{Position, SnapshotError};

impl IndexBuilder {
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
    ///
    /// The parts are independent reads of the finished columns, so they are
    /// built on two threads (a fifth of a second each at a million users):
    /// here the hash lookups with their checks and the bitmaps; on a scoped
    /// second thread the sort orders and the folded search columns. Which
    /// thread builds a part changes nothing in it. Should no thread be had,
    /// the second half is built here after the first; a panic on it unwinds
    /// here, as it would have on one thread.
    pub fn finish(self) -> Result<DirectoryIndex, SnapshotError> {
        let n32 = u32::try_from(self.keys.len()).map_err(|_| SnapshotError::TooLarge {
            what: "more than 4294967295 users",
        })?;
        let this = &self;
        let (checked, orders) = std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("seatwarden-finish".to_owned())
                .spawn_scoped(scope, move || this.orders());
            let checked = this.lookups().map(|lookups| (lookups, this.bitmaps(n32)));
            let orders = match spawned {
                Ok(worker) => worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => this.orders(),
            };
            (checked, orders)
        });
        let (lookups, bitmaps) = checked?;
        let Lookups {
            key_lookup,
            username_lookup,
            email_lookup,
            sysadmins,
        } = lookups;
        let Bitmaps {
            all,
            active,
            never_logged_in,
            licensed,
            group_members,
            directory_members,
        } = bitmaps;
        let Orders {
            by_username,
            username_rank,
            by_last_login,
            by_created,
            folded_usernames,
            folded_display_names,
            folded_emails,
        } = orders;
        let mut index = DirectoryIndex {
            taken_at: self.taken_at,
            directories: self.directories,
            groups: self.groups,
            licences: self.licences,
            group_by_name: self.group_by_name,
            licence_group: self.licence_group,
            licence_groups: self.licence_groups,
            keys: self.keys,
            folded_usernames,
            folded_display_names,
            folded_emails,
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
            rename_holders: Default::default(),
        };
        index.shrink();
        Ok(index)
    }

    /// The three hash lookups, checked for duplicate keys and usernames,
    /// and the sysadmins found through the key lookup.
    fn lookups(&self) -> Result<Lookups, SnapshotError> {
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
        Ok(Lookups {
            key_lookup,
            username_lookup,
            email_lookup,
            sysadmins,
        })
    }

    /// The bitmaps of all, active, never-logged-in and licensed users and
    /// of each group's and directory's members.
    fn bitmaps(&self, n32: u32) -> Bitmaps {
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
            for &g in crate::index::set_members(&self.set_offsets, &self.set_groups, set) {
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
        Bitmaps {
            all,
            active,
            never_logged_in,
            licensed,
            group_members,
            directory_members,
        }
    }

    /// The sort orders and the folded (lower-cased) search columns.
    fn orders(&self) -> Orders {
        // Username first: it is every other order's tie-breaker.
        let by_username = username_order(&self.usernames, &self.keys);
        let mut username_rank = vec![0u32; by_username.len()];
        for (rank, &i) in (0u32..).zip(&by_username) {
            if let Some(r) = username_rank.get_mut(i as usize) {
                *r = rank;
            }
        }
        let by_last_login = order_by(&self.last_login, &by_username, &username_rank);
        let by_created = order_by(&self.created, &by_username, &username_rank);
        Orders {
            by_username,
            username_rank,
            by_last_login,
            by_created,
            folded_usernames: FoldedColumn::of(&self.usernames),
            folded_display_names: FoldedColumn::of(&self.display_names),
            folded_emails: FoldedColumn::of(&self.emails),
        }
    }
}

/// [`IndexBuilder::finish`]'s hash lookups and what their checks found.
struct Lookups {
    key_lookup: HashLookup,
    username_lookup: HashLookup,
    email_lookup: HashLookup,
    sysadmins: RoaringBitmap,
}

/// [`IndexBuilder::finish`]'s member bitmaps.
struct Bitmaps {
    all: RoaringBitmap,
    active: RoaringBitmap,
    never_logged_in: RoaringBitmap,
    licensed: RoaringBitmap,
    group_members: Vec<RoaringBitmap>,
    directory_members: Vec<RoaringBitmap>,
}

/// [`IndexBuilder::finish`]'s sort orders and folded columns.
struct Orders {
    by_username: Vec<u32>,
    username_rank: Vec<u32>,
    by_last_login: Vec<u32>,
    by_created: Vec<u32>,
    folded_usernames: FoldedColumn,
    folded_display_names: FoldedColumn,
    folded_emails: FoldedColumn,
}

/// A bitmap of `members`, which ascend (as every caller's do): appended
/// container by container. Should they not ascend, they are inserted one
/// by one instead, so the result is right either way.
pub(crate) fn sorted_bitmap(members: impl Iterator<Item = u32> + Clone) -> RoaringBitmap {
    RoaringBitmap::from_sorted_iter(members.clone()).unwrap_or_else(|_| members.collect())
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
