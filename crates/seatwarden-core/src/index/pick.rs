//! What a searchable picker offers while the admin types: the few users or
//! groups that best match a fragment, best first.
//!
//! Why not the Users tab's query: that answers a page in username order, so
//! typing `ann` at a million users lists `aanna…` first and the user called
//! exactly `ann` may be on page 200. A picker must put the obvious answer on
//! top, so matches come in tiers, each tier in username (or group name)
//! order:
//!
//! 1. exact: the user key (an admin pastes `JIRAUSER12345` from a log), the
//!    username or an email, case-insensitively (keys exactly);
//! 2. the username (group name) starts with the text;
//! 3. the text is anywhere in the username, display name or email (group
//!    name).
//!
//! Cost at a million users: tier 2 is a binary search, because the index
//! keeps users sorted by lower-cased username, so the names sharing a prefix
//! are one run of that order; tier 3 is the Users tab's arena search (SIMD
//! over each column once) and then either the few hits ranked directly or,
//! when hits are dense, a walk of the username order that stops after
//! `limit`. Groups are few (thousands), so they are scanned.

use roaring::RoaringBitmap;

use super::search::SearchColumns;
use super::{DirectoryIndex, GroupOrd, UserIdx};

/// The best-matching users for a fragment, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedUsers {
    /// At most `limit` users, best match first.
    pub users: Vec<UserIdx>,
    /// How many users match at all (the picker says "20 of 1,234: type
    /// more"); every user when the text is empty.
    pub total: u64,
}

/// The best-matching groups for a fragment, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedGroups {
    /// At most `limit` groups, best match first.
    pub groups: Vec<GroupOrd>,
    /// How many groups match at all.
    pub total: u64,
}

impl DirectoryIndex {
    /// The users a picker offers for `text` (see the module docs for the
    /// order); an empty `text` offers the first users by username.
    pub fn pick_users(&self, text: &str, limit: usize) -> PickedUsers {
        let text = text.trim();
        let n = self.user_count();
        if text.is_empty() || limit == 0 {
            let users = if limit == 0 {
                Vec::new()
            } else {
                self.by_username
                    .iter()
                    .take(limit)
                    .map(|&i| UserIdx(i))
                    .collect()
            };
            return PickedUsers {
                users,
                total: n as u64,
            };
        }
        let needle = text.to_lowercase();
        let mut out: Vec<UserIdx> = Vec::with_capacity(limit);
        let push = |out: &mut Vec<UserIdx>, i: UserIdx| {
            if out.len() < limit && !out.contains(&i) {
                out.push(i);
            }
        };

        // Tier 1: exact key, username, email.
        let exact_key = self.index_of_key_str(text);
        if let Some(i) = exact_key {
            push(&mut out, i);
        }
        if let Some(i) = self.index_of_username(text) {
            push(&mut out, i);
        }
        for i in self.indices_of_email(text) {
            push(&mut out, i);
        }

        // Tier 2: the run of the username order whose folded name starts
        // with the needle.
        let folded = self.folded_usernames.pick(&self.usernames);
        let name = |i: u32| folded.get(i as usize);
        let from = self
            .by_username
            .partition_point(|&i| name(i) < needle.as_str());
        let run = self.by_username.get(from..).unwrap_or(&[]);
        let len = run.partition_point(|&i| name(i).starts_with(needle.as_str()));
        for &i in run.iter().take(len) {
            if out.len() >= limit {
                break;
            }
            push(&mut out, UserIdx(i));
        }

        // Tier 3: anywhere in username, display name or email.
        let columns = SearchColumns {
            columns: [
                (&self.usernames, &self.folded_usernames),
                (&self.display_names, &self.folded_display_names),
                (&self.emails, &self.folded_emails),
            ],
        };
        let hits = columns.matches(&needle, &self.all, n);
        let mut total = hits.len();
        if let Some(i) = exact_key
            && !hits.contains(i.0)
        {
            // A key is not a searched column: count its exact hit too.
            total += 1;
        }
        if out.len() < limit {
            for i in self.in_username_order(&hits, limit.saturating_mul(2)) {
                if out.len() >= limit {
                    break;
                }
                push(&mut out, UserIdx(i));
            }
        }
        PickedUsers { users: out, total }
    }

    /// Up to `want` users of `set`, in username order: the few ranked
    /// directly, or, when `set` is dense, the username order walked until
    /// `want` are found (on average `want × users / |set|` steps).
    fn in_username_order(&self, set: &RoaringBitmap, want: usize) -> Vec<u32> {
        let n = self.user_count() as u64;
        if set.len().saturating_mul(16) < n {
            let mut ranked: Vec<(u32, u32)> = set
                .iter()
                .map(|i| {
                    let rank = self.username_rank.get(i as usize).copied();
                    (rank.unwrap_or(u32::MAX), i)
                })
                .collect();
            if ranked.len() > want && want > 0 {
                ranked.select_nth_unstable(want - 1);
                ranked.truncate(want);
            }
            ranked.sort_unstable();
            ranked.into_iter().map(|(_, i)| i).collect()
        } else {
            self.by_username
                .iter()
                .copied()
                .filter(|&i| set.contains(i))
                .take(want)
                .collect()
        }
    }

    /// The groups a picker offers for `text`: exact name, then names that
    /// start with it, then names that contain it, each by lower-cased name.
    /// An empty `text` offers every group by name.
    pub fn pick_groups(&self, text: &str, limit: usize) -> PickedGroups {
        let needle = text.trim().to_lowercase();
        let mut ranked: Vec<(u8, String, GroupOrd)> = Vec::new();
        for (ord, g) in (0..).zip(&self.groups) {
            let folded = g.name.as_str().to_lowercase();
            let tier = if needle.is_empty() || folded == needle {
                0
            } else if folded.starts_with(&needle) {
                1
            } else if folded.contains(&needle) {
                2
            } else {
                continue;
            };
            ranked.push((tier, folded, ord));
        }
        let total = ranked.len() as u64;
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable(limit - 1);
        }
        ranked.truncate(limit);
        ranked.sort_unstable();
        PickedGroups {
            groups: ranked.into_iter().map(|(_, _, g)| g).collect(),
            total,
        }
    }
}
