//! The index's bitmaps as the set algebra of one evaluation reads them:
//! without run containers.
//!
//! Why: the index compresses its bitmaps when it is built (`optimize`:
//! long stretches of consecutive users, as the active users and most
//! directories and groups are, become run containers, which is what keeps
//! it small). The roaring crate (0.12) combines a run container with a
//! bitmap container by first expanding the run into a new 8 KB bitmap
//! (`IntervalStore::to_bitmap`), and subtracts an array from a run one
//! value at a time (`IntervalStore::remove`, each a search and a shift).
//! Every policy intersects its sets with the active users, its groups and
//! the refusing directories, so a 20-policy plan expanded the same runs
//! again and again: about a tenth of its instructions at 300k users
//! (callgrind, issue 19). Here each index bitmap a plan asks for is
//! expanded once per evaluation (only when it has a run container; else
//! the index's own is borrowed) and shared; the sets are the same, only
//! their containers' kind differs, so every answer is unchanged.

use std::collections::HashMap;
use std::rc::Rc;

use roaring::RoaringBitmap;

use super::condition::Scope;
use crate::index::GroupOrd;
use crate::model::DirectoryId;

/// Which index bitmap.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Active,
    NeverLoggedIn,
    Group(GroupOrd),
    Directory(DirectoryId),
}

/// The expanded copies made so far in this evaluation (`None`: the index's
/// bitmap has no run container and is borrowed as it is).
#[derive(Default)]
pub(super) struct Flat {
    made: HashMap<Key, Option<Rc<RoaringBitmap>>>,
}

impl Flat {
    /// `bitmap` (the index's bitmap `key`) without run containers.
    pub(super) fn view<'a>(&mut self, key: Key, bitmap: &'a RoaringBitmap) -> Scope<'a> {
        let made = self
            .made
            .entry(key)
            .or_insert_with(|| without_runs(bitmap).map(Rc::new));
        match made {
            Some(b) => Scope::Shared(Rc::clone(b)),
            None => Scope::Index(bitmap),
        }
    }
}

/// A copy of `bitmap` whose run containers are array or bitmap ones (as
/// their cardinality says); `None` when it has none.
pub(super) fn without_runs(bitmap: &RoaringBitmap) -> Option<RoaringBitmap> {
    if bitmap.statistics().n_run_containers == 0 {
        return None;
    }
    let mut b = bitmap.clone();
    b.remove_run_compression();
    Some(b)
}

#[cfg(test)]
mod tests {
    //! The expanded copies are the same sets, and the set algebra over them
    //! answers as over the index's compressed ones.

    use proptest::prelude::*;

    use super::*;

    /// Sets with long runs, scattered values and everything between, over
    /// a few 65,536-value chunks.
    fn arb_set() -> impl Strategy<Value = RoaringBitmap> {
        let run = (0u32..200_000, 0u32..70_000)
            .prop_map(|(start, len)| RoaringBitmap::from_iter(start..start.saturating_add(len)));
        let scattered =
            prop::collection::vec(0u32..200_000, 0..3_000).prop_map(RoaringBitmap::from_iter);
        prop::collection::vec(prop_oneof![run, scattered], 0..4).prop_map(|parts| {
            let mut b = RoaringBitmap::new();
            for p in parts {
                b ^= p;
            }
            b.optimize();
            b
        })
    }

    proptest! {
        #[test]
        fn expanded_sets_are_the_index_sets(a in arb_set(), b in arb_set()) {
            let fa = without_runs(&a).unwrap_or_else(|| a.clone());
            let fb = without_runs(&b).unwrap_or_else(|| b.clone());
            prop_assert_eq!(fa.statistics().n_run_containers, 0);
            prop_assert!(fa.iter().eq(a.iter()));
            prop_assert!((&fa & &fb).iter().eq((&a & &b).iter()));
            prop_assert!((&fa - &fb).iter().eq((&a - &b).iter()));
            prop_assert!((&fa | &fb).iter().eq((&a | &b).iter()));
            let mut in_place = fa.clone();
            in_place -= &fb;
            in_place &= &fa;
            prop_assert!(in_place.iter().eq((&a - &b).iter()));
            prop_assert_eq!(fa.is_disjoint(&fb), a.is_disjoint(&b));
        }

        #[test]
        fn a_view_is_made_once_and_shared(a in arb_set()) {
            let mut flat = Flat::default();
            let first = flat.view(Key::Active, &a);
            let second = flat.view(Key::Active, &a);
            prop_assert!(first.iter().eq(a.iter()));
            prop_assert!(std::ptr::eq(&*first, &*second));
        }
    }
}
