//! A timestamp column that stores only the users that have a value.
//!
//! Why: `deactivatedAt` is known for the deactivated users the host dated,
//! a small minority of a directory; a dense `i64` per user spent 8 MB per
//! million users mostly on "no value". Kept sorted by user, so a lookup is
//! a binary search, a build appends, and "dated on or before X" is one pass
//! over the few values.

use roaring::RoaringBitmap;

/// `(user, instant)` pairs, sorted by user, at most one per user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SparseTimes {
    users: Vec<u32>,
    times: Vec<i64>,
}

impl SparseTimes {
    /// User `i`'s value, if any.
    pub(crate) fn get(&self, i: u32) -> Option<i64> {
        let at = self.users.binary_search(&i).ok()?;
        self.times.get(at).copied()
    }

    /// Appends a value for user `i`, which must come after every user held
    /// (the build's order); an out-of-order user is placed with [`Self::set`].
    pub(crate) fn push(&mut self, i: u32, t: i64) {
        if self.users.last().is_none_or(|&last| last < i) {
            self.users.push(i);
            self.times.push(t);
        } else {
            self.set(i, Some(t));
        }
    }

    /// Sets (or, with `None`, clears) user `i`'s value.
    pub(crate) fn set(&mut self, i: u32, t: Option<i64>) {
        match (self.users.binary_search(&i), t) {
            (Ok(at), Some(t)) => {
                if let Some(slot) = self.times.get_mut(at) {
                    *slot = t;
                }
            }
            (Ok(at), None) => {
                self.users.remove(at);
                self.times.remove(at);
            }
            (Err(at), Some(t)) => {
                self.users.insert(at, i);
                self.times.insert(at, t);
            }
            (Err(_), None) => {}
        }
    }

    /// Drops the values of users `start..` (builder rollback).
    pub(crate) fn truncate_users(&mut self, start: u32) {
        let keep = self.users.partition_point(|&u| u < start);
        self.users.truncate(keep);
        self.times.truncate(keep);
    }

    /// Users whose value is `≤ cutoff`.
    pub(crate) fn at_or_before(&self, cutoff: i64) -> RoaringBitmap {
        // Users ascend, so the bitmap is appended to.
        super::build::sorted_bitmap(
            self.users
                .iter()
                .zip(&self.times)
                .filter(move |&(_, &t)| t <= cutoff)
                .map(|(&u, _)| u),
        )
    }

    /// Releases spare capacity.
    pub(crate) fn shrink(&mut self) {
        self.users.shrink_to_fit();
        self.times.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.users.capacity() * 4 + self.times.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any sequence of sets and pushes agrees with a dense column.
        #[test]
        fn agrees_with_a_dense_column(
            ops in proptest::collection::vec((0u32..40, proptest::option::of(-5i64..5), any::<bool>()), 0..120),
            cutoff in -5i64..5,
            truncate in 0u32..45,
        ) {
            let mut sparse = SparseTimes::default();
            let mut dense: Vec<Option<i64>> = vec![None; 40];
            for (i, t, push) in ops {
                match (push, t) {
                    (true, Some(t)) => sparse.push(i, t),
                    _ => sparse.set(i, t),
                }
                // Both a push and a set leave exactly `t`.
                dense[i as usize] = t;
            }
            for i in 0..40u32 {
                prop_assert_eq!(sparse.get(i), dense[i as usize]);
            }
            let expected: RoaringBitmap = (0..40u32)
                .filter(|&i| dense[i as usize].is_some_and(|t| t <= cutoff))
                .collect();
            prop_assert_eq!(sparse.at_or_before(cutoff), expected);
            sparse.truncate_users(truncate);
            for i in 0..40u32 {
                let want = if i < truncate { dense[i as usize] } else { None };
                prop_assert_eq!(sparse.get(i), want);
            }
        }
    }
}
