//! The index's sort orders: by username, and by a time column with the
//! username order breaking ties.

use crate::index::NEVER;
use crate::index::strings::StringColumn;

/// Users in username order: by lower-cased username (`str::to_lowercase`,
/// bytewise), then by key.
///
/// A sort of plain `u128`s: each user's key is 12 bytes of their folded
/// name above their index. Users whose first 12 bytes tie (in a large
/// directory most do: shared first names) are sorted again, run by run, by
/// the next 12 bytes, and so on; only names that still tie after the last
/// level are compared as strings. Comparing `(prefix, user)` tuples with a
/// closure instead cost twice as much, and a lower-cased copy of every name.
pub(super) fn username_order(usernames: &StringColumn, keys: &StringColumn) -> Vec<u32> {
    let n = usernames.len().min(u32::MAX as usize);
    let mut sorted: Vec<u128> = (0..n)
        .zip(0u32..)
        .map(|(i, user)| chunk_key(usernames.get(i), 0, user).0)
        .collect();
    sorted.sort_unstable();
    settle_ties(&mut sorted, 0, usernames, keys);
    sorted.into_iter().map(key_user).collect()
}

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
