//! Activity signals in evaluation (`docs/activity.md`): the latest date among
//! the counted signals per user, who has none, and which signals are still
//! warming up for a threshold (their unrecorded candidates need approval).

use roaring::RoaringBitmap;

use super::{Evaluator, scan};
use crate::activity::{SignalName, WarmingSignal};
use crate::index::{DirectoryIndex, NEVER, SignalMask};
use crate::plan::Warming;
use crate::time::Millis;

impl Evaluator<'_> {
    /// Users with no value for any counted signal.
    pub(super) fn never_active(&mut self) -> RoaringBitmap {
        match &self.combined {
            Some(c) => scan(c, |v| v == NEVER),
            None => self.index.never_logged_in_bitmap().clone(),
        }
    }

    /// The counted signals whose recording began after `cutoff`, with the
    /// users of `matched` they never recorded.
    pub(super) fn warming(
        &self,
        matched: &RoaringBitmap,
        cutoff: Millis,
        threshold: u32,
    ) -> Vec<Warming> {
        let mut out = Vec::new();
        for (i, d) in self.index.signals.iter().enumerate() {
            let Some(since) = d.since else { continue };
            if self.mask & (1 << (i + 1)) == 0 || since <= cutoff {
                continue;
            }
            let column = self.index.activity.get(i).map_or(&[][..], Vec::as_slice);
            let users: RoaringBitmap = matched
                .iter()
                .filter(|&u| column.get(u as usize).is_none_or(|&v| v == NEVER))
                .collect();
            if users.is_empty() {
                continue;
            }
            out.push(Warming {
                signal: WarmingSignal {
                    signal: SignalName::of(d),
                    since,
                    covered_days: since.days_until(self.now),
                    threshold_days: threshold,
                },
                users,
            });
        }
        out
    }
}

/// The latest date among the counted signals, per user; `None` when login
/// is the only counted signal (the evaluator then scans `last_login` itself).
pub(crate) fn combined_activity(index: &DirectoryIndex, mask: SignalMask) -> Option<Vec<i64>> {
    if mask == 1 {
        return None;
    }
    let mut out = if mask & 1 != 0 {
        index.last_login.clone()
    } else {
        vec![NEVER; index.last_login.len()]
    };
    for (i, column) in index.activity.iter().enumerate() {
        if mask & (1 << (i + 1)) != 0 {
            // `NEVER` is `i64::MIN`, so `max` keeps any real date.
            for (o, &v) in out.iter_mut().zip(column) {
                *o = (*o).max(v);
            }
        }
    }
    Some(out)
}

/// Adds `w` to `list`, merging with the same signal from another threshold
/// (its users joined, the larger threshold kept).
pub(super) fn merge_warming(list: &mut Vec<Warming>, w: Warming) {
    match list.iter_mut().find(|e| e.signal.signal == w.signal.signal) {
        Some(e) => {
            e.users |= w.users;
            e.signal.threshold_days = e.signal.threshold_days.max(w.signal.threshold_days);
        }
        None => list.push(w),
    }
}
