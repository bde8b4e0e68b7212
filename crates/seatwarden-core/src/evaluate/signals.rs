//! Activity signals in evaluation (`docs/activity.md`): the latest date among
//! the counted signals per user, who has none, and which signals are still
//! warming up for a threshold (their unrecorded candidates need approval).

use std::rc::Rc;

use roaring::RoaringBitmap;

use super::condition::Scope;
use super::flat::Key;
use super::{Evaluator, scan};
use crate::activity::{SignalName, WarmingSignal};
use crate::index::{DirectoryIndex, NEVER, SignalMask};
use crate::plan::Warming;
use crate::plan::{ActionSource, PlanWarning};
use crate::policy::Policy;
use crate::time::Millis;

impl<'a> Evaluator<'a> {
    /// Users with no value for any counted signal: the index's own bitmap
    /// for login alone; for a combined mask, one scan per evaluation, shared
    /// (every policy with a never-logged-in threshold scanned it again).
    pub(super) fn never_active(&mut self) -> Scope<'a> {
        if let Some(b) = self.never.get(&self.mask) {
            return Scope::Shared(Rc::clone(b));
        }
        match self.combined.get(&self.mask) {
            Some(c) => {
                let b = Rc::new(scan(c, NEVER, NEVER));
                self.never.insert(self.mask, Rc::clone(&b));
                Scope::Shared(b)
            }
            None => self
                .flat
                .view(Key::NeverLoggedIn, self.index.never_logged_in_bitmap()),
        }
    }

    /// Counts the signals `p` chooses (`Policy::signals`), else the
    /// settings', for the conditions, reasons and warnings that follow.
    /// Each named signal this directory does not record is a plan warning
    /// (when `warn`); with none recorded the policy matches nobody.
    pub(crate) fn count_signals_of(&mut self, p: &Policy, source: &ActionSource, warn: bool) {
        let mask = match &p.signals {
            None => self.settings_mask,
            Some(refs) => {
                let (mask, unrecorded) = self.index.mask_of(refs);
                if warn {
                    for signal in unrecorded {
                        let w = PlanWarning::UnrecordedSignal {
                            source: source.clone(),
                            signal,
                            matches_nobody: mask == 0,
                        };
                        if !self.warnings.contains(&w) {
                            self.warnings.push(w);
                        }
                    }
                }
                mask
            }
        };
        self.mask = mask;
        if mask > 1 && !self.combined.contains_key(&mask) {
            self.combined.insert(mask, self.index.combined_column(mask));
        }
    }

    /// The counted signals that did not record all of `(cutoff, now]`
    /// (recording began after `cutoff`, or a gap since), with the users of
    /// `matched` they cannot vouch for: no date, or a date before the
    /// latest unrecorded stretch (they may have been active while nothing
    /// recorded).
    pub(super) fn warming(
        &mut self,
        matched: &RoaringBitmap,
        cutoff: Millis,
        threshold: u32,
    ) -> Vec<Warming> {
        let mut out = Vec::new();
        for (i, d) in self.index.signals.iter().enumerate() {
            let Some(since) = d.since else { continue };
            if self.mask & (1 << (i + 1)) == 0 {
                continue;
            }
            let Some(end) = d.last_uncovered_end(cutoff, self.now) else {
                continue;
            };
            let users = matched & &*self.unvouched(i, end);
            if users.is_empty() {
                continue;
            }
            let window = cutoff.days_until(self.now);
            let gap = d
                .gaps
                .iter()
                .rev()
                .find(|g| g.to > cutoff && g.from < self.now)
                .copied()
                .filter(|_| since <= cutoff);
            out.push(Warming {
                signal: WarmingSignal {
                    signal: SignalName::of(d),
                    since,
                    covered_days: window - d.uncovered_days(cutoff, self.now),
                    threshold_days: threshold,
                    gap,
                },
                users,
            });
        }
        out
    }
}

impl Evaluator<'_> {
    /// The users signal `i` cannot vouch for before `end`: no date (`NEVER`,
    /// or no row in its column), or a date before `end`. One scan of the
    /// column per (signal, end), shared: every matched set of every policy
    /// asked each of its users in turn (most of the 3-signals plan's
    /// condition time, issue 19), and the ends repeat across policies.
    fn unvouched(&mut self, i: usize, end: Millis) -> Rc<RoaringBitmap> {
        if let Some(b) = self.unvouched.get(&(i, end.0)) {
            return Rc::clone(b);
        }
        let column = self.index.activity.get(i).map_or(&[][..], Vec::as_slice);
        // `v == NEVER || v < end` is `[NEVER, end − 1]` (`NEVER` is the
        // least value; an `end` of `NEVER` leaves `NEVER` alone).
        let mut b = scan(column, NEVER, end.0.saturating_sub(1));
        let rows = u32::try_from(column.len()).unwrap_or(u32::MAX);
        let users = u32::try_from(self.index.user_count()).unwrap_or(u32::MAX);
        if rows < users {
            b.insert_range(rows..users);
        }
        let b = Rc::new(b);
        self.unvouched.insert((i, end.0), Rc::clone(&b));
        b
    }
}

/// The latest date among the counted signals, per user; `None` when login
/// is the only counted signal (the evaluator then scans `last_login` itself).
pub(crate) fn combined_activity(index: &DirectoryIndex, mask: SignalMask) -> Option<Vec<i64>> {
    (mask != 1).then(|| index.combined_column(mask))
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
