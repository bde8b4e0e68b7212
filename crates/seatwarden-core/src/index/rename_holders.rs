//! Per rename suffix, the users whose renamed username another account may
//! already hold: kept with the index, made by the first plan that asks.
//!
//! Why here: a deactivation with a `renameSuffix` skips the users whose new
//! name is taken (`crate::evaluate`'s rename check). Finding them takes one
//! pass over every username's last byte and a look-up per holder (a tenth
//! of a million in the benchmark's organisation, whose earlier runs renamed
//! its deactivated accounts): about 4 % of a 20-policy plan's instructions,
//! paid again by every plan (issue 19). The answer depends on the usernames
//! alone, which no in-place change of the index touches (`change.rs` records
//! logins, states and memberships; a renamed user arrives with the next
//! snapshot, that is a new index), so it is computed once per index and
//! suffix, on first use: an ingest that no plan follows pays nothing.

use std::sync::{Arc, Mutex};

use roaring::RoaringBitmap;

/// More suffixes than any configuration names: beyond it the oldest answer
/// is dropped (recomputed if asked again), so a caller trying many suffixes
/// cannot grow the index without bound.
const KEPT: usize = 8;

/// The answers so far, by suffix (empty after a clone: a copy starts
/// afresh, as the activity cache does).
#[derive(Debug, Default)]
pub(crate) struct RenameHolders(Mutex<Vec<(String, Arc<RoaringBitmap>)>>);

impl Clone for RenameHolders {
    fn clone(&self) -> Self {
        RenameHolders::default()
    }
}

impl RenameHolders {
    /// The answer for `suffix`, made by `make` when not kept yet. `make`
    /// runs under the lock: two plans asking at once compute it once.
    pub(crate) fn get_or_make(
        &self,
        suffix: &str,
        make: impl FnOnce() -> RoaringBitmap,
    ) -> Arc<RoaringBitmap> {
        // A panic while the lock was held left no partial entry (entries are
        // pushed whole): the list is still good.
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, b)) = kept.iter().find(|(s, _)| s == suffix) {
            return Arc::clone(b);
        }
        let b = Arc::new(make());
        if kept.len() >= KEPT {
            kept.remove(0);
        }
        kept.push((suffix.to_owned(), Arc::clone(&b)));
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_per_suffix_and_bounded() {
        let holders = RenameHolders::default();
        let mut made = 0;
        for _ in 0..3 {
            let b = holders.get_or_make("_old", || {
                made += 1;
                RoaringBitmap::from_iter([1, 2])
            });
            assert_eq!(b.len(), 2);
        }
        assert_eq!(made, 1);
        for i in 0..KEPT + 2 {
            holders.get_or_make(&format!("_{i}"), RoaringBitmap::new);
        }
        let kept = holders.0.lock().map(|k| k.len()).unwrap_or_default();
        assert_eq!(kept, KEPT);
        assert_eq!(holders.clone().0.lock().map(|k| k.len()).ok(), Some(0));
    }
}
