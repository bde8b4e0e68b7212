//! "Last active" by the counted signals, as a column and a sort order, for
//! the Users tab (issue 23).
//!
//! Why a cache: the engine decides inactivity from the latest date among the
//! counted signals (`crate::evaluate`), and the Users tab's "inactive for N
//! days" filter and "last active" sort must read exactly that date, or an
//! admin would see a user listed as idle whom no policy will ever touch (or
//! the reverse). Combining the columns is one pass over the users; sorting by
//! the result is not cheap enough to repeat for every page an admin turns
//! (DESIGN.md §9), so the combined column and its order are kept for the one
//! signal choice in use (the settings rarely change) and dropped on every
//! in-place change of the index.
//!
//! When login is the only counted signal (every Data Center host without the
//! `seen` filter) nothing is computed: the index's own `last_login` column,
//! never-logged-in bitmap and last-login order are used as they are.

use std::sync::{Arc, Mutex, OnceLock};

use roaring::RoaringBitmap;

use super::{DirectoryIndex, NEVER, SignalMask, build::sorted_bitmap};
use crate::activity::SignalRef;

/// The last activity of every user by the signals of one mask.
#[derive(Debug)]
pub(crate) struct LastActivity {
    mask: SignalMask,
    column: Vec<i64>,
    never: RoaringBitmap,
    order: OnceLock<Vec<u32>>,
}

/// Borrowed "last active" view: the index's own columns for login alone, the
/// cached combination otherwise.
pub(crate) enum ActivityView<'a> {
    Login(&'a DirectoryIndex),
    Combined(&'a DirectoryIndex, Arc<LastActivity>),
}

impl ActivityView<'_> {
    /// Per user, the latest date among the counted signals (`NEVER`: none).
    pub(crate) fn column(&self) -> &[i64] {
        match self {
            ActivityView::Login(ix) => &ix.last_login,
            ActivityView::Combined(_, c) => &c.column,
        }
    }

    /// Users with no date by any counted signal.
    pub(crate) fn never(&self) -> &RoaringBitmap {
        match self {
            ActivityView::Login(ix) => &ix.never_logged_in,
            ActivityView::Combined(_, c) => &c.never,
        }
    }

    /// Users sorted by last activity ascending (no activity first), ties in
    /// username order, like the index's last-login order.
    pub(crate) fn order(&self) -> &[u32] {
        match self {
            ActivityView::Login(ix) => &ix.by_last_login,
            ActivityView::Combined(ix, c) => c.order.get_or_init(|| {
                super::build::order_by(&c.column, &ix.by_username, &ix.username_rank)
            }),
        }
    }
}

/// The one cached combination (its mask says which); empty after a clone or
/// an in-place change.
#[derive(Debug, Default)]
pub(crate) struct ActivityCache(Mutex<Option<Arc<LastActivity>>>);

impl Clone for ActivityCache {
    fn clone(&self) -> Self {
        ActivityCache::default()
    }
}

impl ActivityCache {
    /// Forgets the cached combination (the index changed).
    pub(crate) fn clear(&mut self) {
        if let Ok(slot) = self.0.get_mut() {
            *slot = None;
        }
    }
}

impl DirectoryIndex {
    /// The signals `refs` name (a policy's or a query's own choice), as a
    /// mask of this directory's signals, and the names that cover none of
    /// them. Login counts as unrecorded where the host
    /// declares other signals and no user has a login date (Atlassian Cloud has
    /// no login): counting it alone would make everyone look never active.
    pub fn mask_of(&self, refs: &[SignalRef]) -> (SignalMask, Vec<SignalRef>) {
        let no_logins = !self.signals.is_empty() && self.last_login.iter().all(|&v| v == NEVER);
        let mut mask: SignalMask = 0;
        let mut unrecorded = Vec::new();
        for r in refs {
            let mut covered: SignalMask = 0;
            match r {
                SignalRef::Login if !no_logins => covered = 1,
                SignalRef::Login => {}
                SignalRef::Declared { .. } => {
                    for (i, d) in self.signals.iter().enumerate() {
                        if r.covers(d) {
                            covered |= 1 << (i + 1);
                        }
                    }
                }
            }
            if covered == 0 {
                unrecorded.push(r.clone());
            }
            mask |= covered;
        }
        (mask, unrecorded)
    }

    /// "Last active" by the signals of `mask` (see [`Self::signal_mask`]).
    pub(crate) fn activity_view(&self, mask: SignalMask) -> ActivityView<'_> {
        if mask == 1 {
            return ActivityView::Login(self);
        }
        // A poisoned lock only means another reader panicked while filling
        // it; the value is rebuilt, never trusted half-made.
        let mut slot = match self.last_activity.0.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        if let Some(c) = slot.as_ref().filter(|c| c.mask == mask) {
            return ActivityView::Combined(self, Arc::clone(c));
        }
        let column = self.combined_column(mask);
        let never = sorted_bitmap(
            column
                .iter()
                .enumerate()
                .filter(|(_, v)| **v == NEVER)
                .filter_map(|(i, _)| u32::try_from(i).ok()),
        );
        let made = Arc::new(LastActivity {
            mask,
            column,
            never,
            order: OnceLock::new(),
        });
        *slot = Some(Arc::clone(&made));
        ActivityView::Combined(self, made)
    }

    /// Per user, the latest date among the signals of `mask` (`NEVER`: none).
    pub(crate) fn combined_column(&self, mask: SignalMask) -> Vec<i64> {
        let mut out = if mask & 1 != 0 {
            self.last_login.clone()
        } else {
            vec![NEVER; self.last_login.len()]
        };
        for (i, column) in self.activity.iter().enumerate() {
            if mask & (1 << (i + 1)) != 0 {
                // `NEVER` is `i64::MIN`, so `max` keeps any real date.
                for (o, &v) in out.iter_mut().zip(column) {
                    *o = (*o).max(v);
                }
            }
        }
        out
    }
}
