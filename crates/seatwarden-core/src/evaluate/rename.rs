//! Renames that cannot happen: a deactivation with a `renameSuffix` whose
//! new username another account already holds (`bob_old` exists).
//!
//! Why in the plan: the host would refuse the rename (and with it the
//! deactivation that follows it) at apply time, after the preview had
//! promised it. Skipping the user while planning, naming the holder, keeps
//! the preview honest; choosing another name by some rule would surprise
//! the admin who chose the suffix.

use roaring::RoaringBitmap;

use crate::index::{DirectoryIndex, UserIdx};
use crate::model::UserKey;

/// The users of `candidates` whose `username + suffix` is held by another
/// account, each with the holder's key.
pub(super) fn taken(
    index: &DirectoryIndex,
    candidates: &RoaringBitmap,
    suffix: &str,
) -> Vec<(u32, UserKey)> {
    candidates
        .iter()
        .filter_map(|i| {
            let target = format!("{}{suffix}", index.username(UserIdx(i)));
            let holder = index.index_of_username(&target)?;
            (holder.0 != i).then(|| (i, crate::plan::key_of(index, holder.0)))
        })
        .collect()
}

/// [`taken`] remembered per suffix for one evaluation: the policies of a
/// plan (and the forecast's one evaluation at its horizon, where most idle
/// users are candidates of most policies) share their suffix and most of
/// their candidates, and each check costs a formatted name and a hash
/// look-up. The directory does not change during an evaluation, so a user's
/// answer for a suffix is computed once.
#[derive(Default)]
pub(super) struct Taken {
    by_suffix: Vec<Checked>,
}

/// One suffix, the users checked for it, and those whose target is held
/// (by user, with the holder).
type Checked = (String, RoaringBitmap, Vec<(u32, UserKey)>);

impl Taken {
    /// [`taken`] of `candidates`, in user order.
    pub(super) fn of(
        &mut self,
        index: &DirectoryIndex,
        candidates: &RoaringBitmap,
        suffix: &str,
    ) -> Vec<(u32, UserKey)> {
        if !self.by_suffix.iter().any(|(s, _, _)| s == suffix) {
            self.by_suffix
                .push((suffix.to_owned(), RoaringBitmap::new(), Vec::new()));
        }
        let Some((_, checked, held)) = self.by_suffix.iter_mut().find(|(s, _, _)| s == suffix)
        else {
            return taken(index, candidates, suffix);
        };
        let new = candidates - &*checked;
        if !new.is_empty() {
            held.extend(taken(index, &new, suffix));
            held.sort_unstable_by_key(|(i, _)| *i);
            *checked |= new;
        }
        held.iter()
            .filter(|(i, _)| candidates.contains(*i))
            .cloned()
            .collect()
    }
}
