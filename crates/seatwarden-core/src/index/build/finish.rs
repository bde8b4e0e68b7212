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
    /// here the key and username lookups with their checks, the sysadmins
    /// and the bitmaps; on a scoped second thread the email lookup (which
    /// nothing checks), the sort orders and the folded search columns. The
    /// email lookup sits there to even the halves out: with it here this
    /// thread's half was the longer by about half (≈ 150 against ≈ 100 ms
    /// CPU at 1M, session 9). Which thread builds a part changes nothing
    /// in it. Should no thread be had, the second half
    /// is built here after the first; a panic on it unwinds here, as it
    /// would have on one thread.
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
            email_lookup,
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

    /// The key and username lookups, checked for duplicates, and the
    /// sysadmins found through the key lookup.
    fn lookups(&self) -> Result<Lookups, SnapshotError> {
        let mut hashes = Vec::new();
        let key_lookup = HashLookup::build_with(&self.keys, strings::exact_hash, &mut hashes);
        if let Some((first, later)) = Self::first_duplicate(&key_lookup, &self.keys, |a, b| a == b)
        {
            return Err(SnapshotError::DuplicateKey {
                key: UserKey::from(self.keys.get(later as usize)),
                at: self.position_of(later),
                first: self.position_of(first),
            });
        }
        let username_lookup =
            HashLookup::build_with(&self.usernames, strings::folded_hash, &mut hashes);
        drop(hashes);
        if let Some((first, later)) =
            Self::first_duplicate(&username_lookup, &self.usernames, strings::eq_folded)
        {
            return Err(SnapshotError::DuplicateUsername {
                key: UserKey::from(self.keys.get(later as usize)),
                at: self.position_of(later),
                other: UserKey::from(self.keys.get(first as usize)),
            });
        }

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
        // Each group set's users first, then each group's members as the
        // union of its sets' users (and the licensed as the active among
        // the licensing sets' users): a directory has a few hundred distinct
        // sets, so that is one append per user and a few hundred unions,
        // where a list per group cost one append per membership (2.5 per
        // user) and a bitmap built from each list. The users are listed in
        // `Vec`s first: appending to a bitmap one by one checks its maximum
        // each time, which scans a full bitmap container's words.
        let mut set_lists: Vec<Vec<u32>> = vec![Vec::new(); set_licensed.len()];
        let mut directory_lists: Vec<Vec<u32>> = vec![Vec::new(); self.directories.len()];
        for (i, (&d, &set)) in (0..n32).zip(self.directory_of.iter().zip(&self.member_set)) {
            if let Some(list) = directory_lists.get_mut(usize::from(d)) {
                list.push(i);
            }
            if let Some(list) = set_lists.get_mut(set as usize) {
                list.push(i);
            }
        }
        let directory_members: Vec<RoaringBitmap> = directory_lists
            .into_iter()
            .map(|l| sorted_bitmap(l.into_iter()))
            .collect();
        let set_users: Vec<RoaringBitmap> = set_lists
            .into_iter()
            .map(|l| sorted_bitmap(l.into_iter()))
            .collect();
        let mut group_members = vec![RoaringBitmap::new(); self.groups.len()];
        let mut licensing = RoaringBitmap::new();
        for ((set, users), &grants) in (0u32..).zip(&set_users).zip(&set_licensed) {
            for &g in crate::index::set_members(&self.set_offsets, &self.set_groups, set) {
                if let Some(members) = group_members.get_mut(g as usize) {
                    *members |= users;
                }
            }
            if grants {
                licensing |= users;
            }
        }
        let licensed = licensing & &active;
        Bitmaps {
            all,
            active,
            never_logged_in,
            licensed,
            group_members,
            directory_members,
        }
    }

    /// The email lookup, the sort orders and the folded (lower-cased)
    /// search columns.
    fn orders(&self) -> Orders {
        let email_lookup = HashLookup::build(&self.emails, strings::folded_hash);
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
            email_lookup,
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

/// [`IndexBuilder::finish`]'s checked hash lookups and what their checks found.
struct Lookups {
    key_lookup: HashLookup,
    username_lookup: HashLookup,
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

/// [`IndexBuilder::finish`]'s second half: the email lookup, the sort
/// orders and the folded columns.
struct Orders {
    email_lookup: HashLookup,
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_763_690_400_000;
    /// Group names (the header's spelling) and whether each grants a licence.
    const GROUPS: [(&str, bool); 5] = [
        ("eng", false),
        ("Sales", false),
        ("jira-users", true),
        ("conf-users", true),
        ("contractors", false),
    ];

    /// Builds an index of `users` (`(directory id, active, group ordinals)`),
    /// groups named in upper case half the time.
    fn build(users: &[(i64, bool, Vec<usize>)]) -> DirectoryIndex {
        let groups: Vec<String> = GROUPS
            .iter()
            .map(|(name, licence)| format!(r#"{{"name":"{name}","licence":{licence}}}"#))
            .collect();
        let header = format!(
            r#"{{"takenAt":{NOW},"directories":[{{"id":1,"name":"Internal","kind":"internal","capabilities":{{}}}},{{"id":2,"name":"LDAP","kind":"ldap","capabilities":{{}}}}],"groups":[{}]}}"#,
            groups.join(",")
        );
        let mut builder = IndexBuilder::from_header_json(header.as_bytes()).unwrap();
        let users: Vec<String> = users
            .iter()
            .enumerate()
            .map(|(i, (dir, active, gs))| {
                let names: Vec<String> = gs
                    .iter()
                    .map(|&g| {
                        let name = GROUPS[g].0;
                        let name = if (i + g) % 2 == 0 { name.to_uppercase() } else { name.to_owned() };
                        format!("\"{name}\"")
                    })
                    .collect();
                format!(
                    r#"{{"key":"K{i}","username":"u{i}","displayName":"U {i}","email":"u{i}@x.invalid","directoryId":{dir},"active":{active},"created":{},"lastLogin":null,"groups":[{}]}}"#,
                    NOW - 1000,
                    names.join(",")
                )
            })
            .collect();
        // Two pages, so page boundaries are crossed too.
        let (a, b) = users.split_at(users.len() / 2);
        for page in [a, b] {
            let json = format!(r#"{{"users":[{}]}}"#, page.join(","));
            builder.add_page_json(json.as_bytes()).unwrap();
        }
        builder.finish().unwrap()
    }

    proptest! {
        /// The group, directory and licensed bitmaps built from each group
        /// set's users agree with one membership test per user (group names
        /// matched case-insensitively, repeats ignored).
        #[test]
        fn set_unions_agree_with_per_user_membership(
            users in prop::collection::vec(
                (1i64..=2, any::<bool>(), prop::collection::vec(0usize..GROUPS.len(), 0..4)),
                0..300,
            ),
        ) {
            let index = build(&users);
            for g in 0..GROUPS.len() {
                let want: RoaringBitmap = (0u32..)
                    .zip(&users)
                    .filter(|(_, (_, _, gs))| gs.contains(&g))
                    .map(|(i, _)| i)
                    .collect();
                prop_assert_eq!(&index.group_members[g], &want, "group {}", g);
            }
            for (d, id) in [1i64, 2].into_iter().enumerate() {
                let want: RoaringBitmap = (0u32..)
                    .zip(&users)
                    .filter(|(_, (dir, _, _))| *dir == id)
                    .map(|(i, _)| i)
                    .collect();
                prop_assert_eq!(&index.directory_members[d], &want, "directory {}", id);
            }
            let want: RoaringBitmap = (0u32..)
                .zip(&users)
                .filter(|(_, (_, active, gs))| *active && gs.iter().any(|&g| GROUPS[g].1))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(&index.licensed, &want);
        }
    }

    /// The email lookup, built on the second thread now, finds every user
    /// by their email in any case.
    #[test]
    fn email_lookup_from_the_second_thread_finds_every_user() {
        let index = build(&[
            (1, true, vec![0]),
            (2, false, vec![]),
            (1, true, vec![2, 2]),
        ]);
        for i in 0..3u32 {
            let email = format!("U{i}@X.invalid");
            let found: Vec<u32> = index
                .email_lookup
                .candidates(strings::folded_hash(&email))
                .filter(|&j| strings::eq_folded(index.emails.get(j as usize), &email))
                .collect();
            assert_eq!(found, vec![i]);
        }
    }
}
