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
