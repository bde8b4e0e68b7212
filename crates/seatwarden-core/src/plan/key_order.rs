//! Users sorted by key, without a cache miss per comparison.
//!
//! Why: every rendering of a plan lists users in key order, so it sorts the
//! acted-on users (a few hundred thousand at a million users) by their key
//! strings. Compared through the index, each comparison reads two keys from
//! a 15 MB arena at random places: at 100k users the arena sits in the
//! cache, at 1M it does not, and the sort became the super-linear part of
//! rendering (issue 19). Here each user's key is read once, in index order
//! (a sequential walk of the arena), into a 16-byte big-endian prefix beside
//! its position; the sort compares those in-place integers and reads the
//! full keys only when two prefixes are equal.
//!
//! Why the prefix decides: pad each key with zero bytes to 16 and read it as
//! a big-endian number. If two padded prefixes differ, they differ first at
//! some byte; before it the keys agree, and at it either both keys have a
//! byte there (the smaller byte is the smaller key) or one key has ended
//! (its 0 is below the other's byte, or both are 0 and the difference lies
//! further on, where again the ended key reads 0). In every case the key
//! with the smaller prefix is the smaller key, so only equal prefixes need
//! the full comparison, and the order is exactly `str::cmp` of the keys.

use crate::index::{DirectoryIndex, UserIdx};

/// The first 16 bytes of `key`, zero-padded, as a big-endian number.
fn prefix(key: &str) -> u128 {
    let mut bytes = [0u8; 16];
    for (slot, b) in bytes.iter_mut().zip(key.as_bytes()) {
        *slot = *b;
    }
    u128::from_be_bytes(bytes)
}

/// `users` (index positions) sorted by their keys. Keys are unique in an
/// index, so the order is fully determined.
pub(crate) fn by_key(users: impl IntoIterator<Item = u32>, index: &DirectoryIndex) -> Vec<u32> {
    let mut keyed: Vec<(u128, u32)> = users
        .into_iter()
        .map(|u| (prefix(index.key(UserIdx(u))), u))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| index.key(UserIdx(a.1)).cmp(index.key(UserIdx(b.1))))
    });
    keyed.into_iter().map(|(_, u)| u).collect()
}

/// `refs` (small copies: a user and where their row comes from) in
/// their users' key order, stable (refs of one user keep their order).
///
/// Why not a sort of the rendered rows: sorting 325k writes (rows of ≈
/// 200 bytes, compared by key string) was super-linear, ×17 from 100k
/// to 1M users, and so was permuting the rendered rows in place (a
/// cache miss per 200-byte swap) (issue 19). Here only the distinct
/// users are sorted ([`by_key`]), then a counting sort on
/// each user's rank places the small refs; the caller renders each row
/// once, in order.
pub(crate) fn stable<T: Copy>(
    refs: impl Iterator<Item = T> + Clone,
    index: &DirectoryIndex,
    idx_of: impl Fn(&T) -> u32,
) -> Vec<T> {
    const UNSEEN: u32 = u32::MAX;
    let mut rank = vec![UNSEEN; index.user_count()];
    let mut users: Vec<u32> = Vec::new();
    let mut count = 0usize;
    for r in refs.clone() {
        count += 1;
        let idx = idx_of(&r);
        if let Some(slot) = rank.get_mut(idx as usize)
            && *slot == UNSEEN
        {
            *slot = 0;
            users.push(idx);
        }
    }
    let users = by_key(users, index);
    for (r, &u) in users.iter().enumerate() {
        if let Some(slot) = rank.get_mut(u as usize) {
            *slot = u32::try_from(r).unwrap_or(UNSEEN);
        }
    }
    // Where each rank's refs start: counts, then running sums.
    let rank_of = |r: &T| -> usize {
        rank.get(idx_of(r) as usize)
            .map_or(users.len(), |&r| r as usize)
    };
    let mut starts = vec![0usize; users.len() + 2];
    for r in refs.clone() {
        if let Some(n) = starts.get_mut(rank_of(&r) + 1) {
            *n += 1;
        }
    }
    let mut total = 0usize;
    for n in &mut starts {
        total += *n;
        *n = total;
    }
    // Every slot is written exactly once (the running sums give each ref
    // its own place), so the first ref only fills the vector until then:
    // no `Option` per slot to widen it and to strip afterwards.
    let Some(first) = refs.clone().next() else {
        return Vec::new();
    };
    let mut placed: Vec<T> = vec![first; count];
    for r in refs {
        if let Some(at) = starts.get_mut(rank_of(&r))
            && let Some(slot) = placed.get_mut(*at)
        {
            *slot = r;
            *at += 1;
        }
    }
    placed
}

#[cfg(test)]
pub(crate) mod tests {
    //! The prefix sort against the plain comparison of whole keys, on keys
    //! built to share long prefixes, end inside the prefix, hold zero bytes
    //! and non-ASCII characters.

    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// Pieces that make long shared prefixes, prefixes of one another and
    /// multi-byte characters (`\u{0}` sorts below everything, as padding).
    const PIECES: &[&str] = &[
        "JIRAUSER",
        "1",
        "10",
        "0",
        "a",
        "A",
        "\u{0}",
        "\u{e9}",
        "\u{ff}",
        "\u{10000}",
        "z",
        "ff808081",
    ];

    /// A one-directory index of active users with these (key, username)
    /// pairs; `None` when the index refuses them. Shared with the rename
    /// check's tests.
    pub(crate) fn directory(users: &[(String, String)]) -> Option<DirectoryIndex> {
        let users: Vec<Value> = users
            .iter()
            .enumerate()
            .map(|(i, (key, name))| {
                json!({
                    "key": key, "username": name,
                    "displayName": format!("User {i}"), "email": "",
                    "directoryId": 1, "active": true,
                    "created": 1_700_000_000_000_i64, "groups": [],
                })
            })
            .collect();
        let json = serde_json::to_vec(&json!({
            "format": "seatwarden-snapshot", "version": 1,
            "header": {
                "takenAt": 1_763_690_400_000_i64,
                "directories": [{"id": 1, "name": "Internal", "kind": "internal", "capabilities": {}}],
                "groups": [], "licences": [], "sysadmins": []
            },
            "pages": [{"users": users}]
        }))
        .ok()?;
        DirectoryIndex::from_snapshot_json(&json).ok()
    }

    fn index(keys: &[String]) -> Option<DirectoryIndex> {
        let users: Vec<(String, String)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), format!("user{i}")))
            .collect();
        directory(&users)
    }

    fn arb_key() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 1..6).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn the_prefix_sort_is_the_key_order(
            keys in prop::collection::vec(arb_key(), 1..60),
            pick in prop::collection::vec(any::<bool>(), 60),
        ) {
            let mut seen = std::collections::HashSet::new();
            let keys: Vec<String> = keys.into_iter().filter(|k| seen.insert(k.clone())).collect();
            let index = index(&keys);
            prop_assert!(index.is_some(), "directory refused: {:?}", keys);
            let Some(index) = index else { return Ok(()) };
            let users: Vec<u32> = (0..u32::try_from(index.user_count()).unwrap_or(0))
                .filter(|&i| pick.get(i as usize).copied().unwrap_or(true))
                .collect();
            let mut simple = users.clone();
            simple.sort_by(|&a, &b| index.key(UserIdx(a)).cmp(index.key(UserIdx(b))));
            prop_assert_eq!(by_key(users, &index), simple);
        }
    }

    /// Keys that end inside the prefix and keys that share all 16 bytes
    /// are ordered as strings are.
    #[test]
    fn short_and_long_shared_prefixes_sort_as_strings() {
        let keys: Vec<String> = [
            "JIRAUSER10000000b",
            "JIRAUSER10000000a",
            "JIRAUSER1",
            "JIRAUSER",
            "JIRAUSER10000000",
            "JIRAUSER\u{0}",
            "\u{e9}",
            "z",
        ]
        .map(String::from)
        .to_vec();
        let index = index(&keys).expect("a valid directory");
        let sorted: Vec<&str> = by_key(0..8, &index)
            .into_iter()
            .map(|u| index.key(UserIdx(u)))
            .collect();
        assert_eq!(
            sorted,
            [
                "JIRAUSER",
                "JIRAUSER\u{0}",
                "JIRAUSER1",
                "JIRAUSER10000000",
                "JIRAUSER10000000a",
                "JIRAUSER10000000b",
                "z",
                "\u{e9}",
            ]
        );
    }
}
