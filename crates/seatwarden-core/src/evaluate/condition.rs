//! Who a policy looks at and who meets its condition: the scope (status ∩
//! directories ∩ target) and the condition as set algebra over column scans.
//!
//! The scans are cached per evaluation and shared (`Rc`), never copied: a
//! whole-directory bitmap is 16 containers of 8 KB at 1M users, and copying or
//! rebuilding one per policy was most of a 20-policy plan's time (issue 19).

use std::rc::Rc;

use roaring::RoaringBitmap;

use super::Evaluator;
use super::signals::merge_warming;
use crate::config::DeactivationTimeSource;
use crate::index::{NEVER, SignalMask};
use crate::plan::ActionSource;
use crate::plan::{Basis, MatchSet, PlanWarning, TimeSource, Warming};
use crate::policy::{Condition, DirectorySelection, Policy, Target};
use crate::time::Millis;

/// The users whose `column` value is set (not `NEVER`) and at most
/// `cutoff`: the interval `[NEVER + 1, cutoff]`, scanned with the
/// runtime-dispatched unsigned compare (`crate::scan`; AVX2 where the CPU
/// has it).
fn at_or_before(column: &[i64], cutoff: i64) -> RoaringBitmap {
    scan(column, NEVER.saturating_add(1), cutoff)
}

/// A bitmap of the positions whose column value lies in `[lo, hi]`: one
/// bit per user from the runtime-dispatched scan (`crate::scan`), then one
/// hand-over to roaring.
pub(super) fn scan(column: &[i64], lo: i64, hi: i64) -> RoaringBitmap {
    RoaringBitmap::from_lsb0_bytes(0, &crate::scan::interval_bytes(column, lo, hi))
}

/// Logged in exactly once: by the count, or where the count is unknown, a
/// last login within `window` of creation.
fn logged_in_once(count: u32, last: i64, created: i64, window: i64) -> bool {
    let unknown = count == crate::index::UNKNOWN_COUNT;
    let by_time = (last != NEVER) & (last.saturating_sub(created) <= window);
    (unknown & by_time) | (!unknown & (count == 1))
}

/// [`logged_in_once`] per row of the three columns (as far as all three
/// go), one bit per row in a buffer sized for `count`. Eight rows to a
/// byte, branch-free within them, and the time columns read only for
/// eight rows with an unknown count among them: the branchy loop with a
/// bounds-checked bit set per hit read three whole-directory columns
/// (20 MB at 1M users) whatever the counts (issue 19).
fn once_bytes(count: &[u32], last: &[i64], created: &[i64], window: i64) -> Vec<u8> {
    let mut bytes = vec![0u8; count.len().div_ceil(8)];
    let rows = count.len().min(last.len()).min(created.len());
    let (count, last, created) = (
        count.get(..rows).unwrap_or_default(),
        last.get(..rows).unwrap_or_default(),
        created.get(..rows).unwrap_or_default(),
    );
    let chunks = count.chunks(8).zip(last.chunks(8)).zip(created.chunks(8));
    for (byte, ((c8, l8), t8)) in bytes.iter_mut().zip(chunks) {
        let mut b = 0u8;
        if c8.iter().all(|&c| c != crate::index::UNKNOWN_COUNT) {
            // Every count known: the counts alone answer, and the two time
            // columns (16 of the 20 bytes per user) are not read.
            for (k, &c) in c8.iter().enumerate() {
                b |= u8::from(c == 1) << k;
            }
        } else {
            for (k, ((&c, &l), &t)) in c8.iter().zip(l8).zip(t8).enumerate() {
                b |= u8::from(logged_in_once(c, l, t, window)) << k;
            }
        }
        *byte = b;
    }
    bytes
}

/// The result of a condition.
pub(crate) struct Cond {
    pub(crate) matched: Vec<MatchSet>,
    /// Deactivated users in scope whose deactivation time nobody knows.
    pub(crate) unknown_time: RoaringBitmap,
    pub(crate) times: Vec<(u32, Millis, TimeSource)>,
    /// Signals warming up for a matched threshold, with the matched users
    /// they never recorded.
    pub(crate) warming: Vec<Warming>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Column {
    /// The latest date among the signals of the mask (login alone by default).
    LastActivity(SignalMask),
    Created,
    Deactivated,
}

/// A policy's scope: the index's own bitmap, or one made for this
/// evaluation (shared, never copied).
pub(crate) enum Scope<'a> {
    Index(&'a RoaringBitmap),
    Shared(Rc<RoaringBitmap>),
}

impl std::ops::Deref for Scope<'_> {
    type Target = RoaringBitmap;

    fn deref(&self) -> &RoaringBitmap {
        match self {
            Scope::Index(b) => b,
            Scope::Shared(b) => b,
        }
    }
}

impl<'a> Evaluator<'a> {
    fn column_le(&mut self, column: Column, cutoff: i64) -> Rc<RoaringBitmap> {
        if let Some(b) = self.cache.get(&(column, cutoff)) {
            return Rc::clone(b);
        }
        // `NEVER` (no value) never matches.
        let b = match column {
            Column::LastActivity(mask) => {
                let column: &[i64] = match self.combined.get(&mask) {
                    Some(c) => c,
                    None => &self.index.last_login,
                };
                at_or_before(column, cutoff)
            }
            Column::Created => at_or_before(&self.index.created, cutoff),
            Column::Deactivated => self.index.deactivated_at.at_or_before(cutoff),
        };
        let b = Rc::new(b);
        self.cache.insert((column, cutoff), Rc::clone(&b));
        b
    }

    /// Scans every cutoff `policies` will ask of a dense column at `at`
    /// in one pass per column ([`crate::scan::intervals_bytes`]), into the
    /// cache [`Self::column_le`] answers from: a 20-policy plan asks the
    /// last-login column for five cutoffs, and each separate scan read all
    /// of it again (8 MB at 1M users). Columns asked for one cutoff are
    /// left to the lazy scan. The answers are the lazy scan's, bit for bit.
    pub(crate) fn prefetch(&mut self, policies: &[&Policy], at: Millis) {
        let mut wanted: Vec<(Column, Vec<i64>)> = Vec::new();
        let mut want =
            |column: Column, cutoff: i64| match wanted.iter_mut().find(|(c, _)| *c == column) {
                Some((_, cutoffs)) => cutoffs.push(cutoff),
                None => wanted.push((column, vec![cutoff])),
            };
        for p in policies {
            let Condition::Inactive(inact) = &p.condition else {
                continue;
            };
            let mask = match &p.signals {
                None => self.settings_mask,
                Some(refs) => self.index.mask_of(refs).0,
            };
            if mask == 0 {
                continue;
            }
            let activity = Column::LastActivity(mask);
            want(activity, at.minus_days(inact.days).0);
            if let Some(days) = inact.once_logged_in_days {
                want(activity, at.minus_days(days).0);
            }
            if let Some(days) = inact.never_logged_in_days {
                want(Column::Created, at.minus_days(days).0);
            }
        }
        for (column, mut cutoffs) in wanted {
            cutoffs.sort_unstable();
            cutoffs.dedup();
            cutoffs.retain(|c| !self.cache.contains_key(&(column, *c)));
            if cutoffs.len() < 2 {
                continue;
            }
            if let Column::LastActivity(mask) = column
                && mask > 1
                && !self.combined.contains_key(&mask)
            {
                self.combined.insert(mask, self.index.combined_column(mask));
            }
            let values: &[i64] = match column {
                Column::LastActivity(mask) => match self.combined.get(&mask) {
                    Some(c) => c,
                    None => &self.index.last_login,
                },
                Column::Created => &self.index.created,
                Column::Deactivated => continue,
            };
            // As `at_or_before`: `[NEVER + 1, cutoff]`.
            let scans = crate::scan::intervals_bytes(values, NEVER.saturating_add(1), &cutoffs);
            for (cutoff, bytes) in cutoffs.into_iter().zip(scans) {
                let b = RoaringBitmap::from_lsb0_bytes(0, &bytes);
                self.cache.insert((column, cutoff), Rc::new(b));
            }
        }
    }

    /// Users who logged in exactly once (or, where logins are not counted,
    /// whose last login lies within the window after creation).
    fn once_logged_in(&mut self) -> Rc<RoaringBitmap> {
        if let Some(b) = &self.once {
            return Rc::clone(b);
        }
        let window = i64::from(self.settings.once_logged_in_window_hours) * 3_600_000;
        let idx = self.index;
        let bytes = once_bytes(&idx.login_count, &idx.last_login, &idx.created, window);
        let b = Rc::new(RoaringBitmap::from_lsb0_bytes(0, &bytes));
        self.once = Some(Rc::clone(&b));
        b
    }

    /// Status ∩ directories ∩ target. The index's own active bitmap, not a
    /// copy, when nothing narrows it (see `cache`: a copy per policy was
    /// most of a plan's time), and the deactivated users computed once per
    /// evaluation and shared; narrowed, only the intersection is made, in
    /// place in the (owned) union of the directories or groups.
    pub(crate) fn scope(&mut self, p: &Policy, source: &ActionSource, warn: bool) -> Scope<'a> {
        let mut scope = match p.condition {
            Condition::Deactivated { .. } => Scope::Shared(self.deactivated()),
            _ => self.active(),
        };
        if let DirectorySelection::Only(ids) = &p.scope.directories {
            let mut dirs = RoaringBitmap::new();
            for id in ids {
                match self.directory_users(*id) {
                    Some(b) => dirs |= &*b,
                    None if warn => self.warnings.push(PlanWarning::UnknownDirectory {
                        source: source.clone(),
                        directory: *id,
                    }),
                    None => {}
                }
            }
            dirs &= &*scope;
            scope = Scope::Shared(Rc::new(dirs));
        }
        if let Target::OnlyGroups(groups) = &p.scope.target {
            let mut members = RoaringBitmap::new();
            for name in groups {
                if let Some(g) = self.group(source, name, warn) {
                    members |= &*self.members(g);
                }
            }
            members &= &*scope;
            scope = Scope::Shared(Rc::new(members));
        }
        scope
    }

    /// The deactivated users (every user minus the active ones), made once
    /// per evaluation: each delete policy's scope used to make its own.
    /// Without run containers ([`super::flat`]): the difference of the
    /// index's two compressed bitmaps has them, and taking the dated users
    /// out of it removed them from the runs one at a time.
    fn deactivated(&mut self) -> Rc<RoaringBitmap> {
        Rc::clone(self.deactivated.get_or_insert_with(|| {
            let b = self.index.deactivated_bitmap();
            Rc::new(super::flat::without_runs(&b).unwrap_or(b))
        }))
    }

    /// Who meets the condition at instant `at`.
    pub(crate) fn condition(&mut self, c: &Condition, scope: &RoaringBitmap, at: Millis) -> Cond {
        let mut out = Cond {
            matched: Vec::new(),
            unknown_time: RoaringBitmap::new(),
            times: Vec::new(),
            warming: Vec::new(),
        };
        match c {
            // None of the policy's own signals is recorded by this
            // directory: nothing can show anyone idle (a plan warning says
            // which signals are missing).
            Condition::Inactive(_) if self.mask == 0 => {}
            Condition::Inactive(inact) => {
                let last_activity = Column::LastActivity(self.mask);
                // "Active" by any counted signal: someone who never logged in
                // but was seen is judged by the seen date, never as
                // "never logged in". Every idle set lies within "has a
                // date" (a cutoff is at most `i64::MAX` and `NEVER` never
                // matches), so "in scope, has a date, idle" is "in scope,
                // idle": one intersection per basis, and no intermediate
                // whole-directory sets (each was an allocation and a pass
                // over 16 containers per policy at 1M users, issue 19).
                let once = inact.once_logged_in_days.map(|_| self.once_logged_in());
                let idle = self.column_le(last_activity, at.minus_days(inact.days).0);
                let mut regular = scope & &*idle;
                if let Some(once) = &once {
                    regular -= &**once;
                }
                out.matched.push(MatchSet {
                    basis: Basis::Inactive,
                    threshold_days: inact.days,
                    users: regular,
                });
                if let (Some(days), Some(once)) = (inact.once_logged_in_days, &once) {
                    let idle = self.column_le(last_activity, at.minus_days(days).0);
                    out.matched.push(MatchSet {
                        basis: Basis::OnceLoggedIn,
                        threshold_days: days,
                        // The small set first: the result is never larger.
                        users: (&**once & &*idle) & scope,
                    });
                }
                if let Some(days) = inact.never_logged_in_days {
                    let old = self.column_le(Column::Created, at.minus_days(days).0);
                    out.matched.push(MatchSet {
                        basis: Basis::NeverLoggedIn,
                        threshold_days: days,
                        users: (&*self.never_active() & &*old) & scope,
                    });
                }
                if !self.index.signals.is_empty() {
                    for m in &out.matched {
                        let cutoff = at.minus_days(m.threshold_days);
                        for w in self.warming(&m.users, cutoff, m.threshold_days) {
                            merge_warming(&mut out.warming, w);
                        }
                    }
                }
            }
            Condition::Deactivated { days } => {
                let cutoff = at.minus_days(*days).0;
                if self.audit.is_empty() {
                    // Fast path: only the host's times, two column scans.
                    let known = self.column_le(Column::Deactivated, i64::MAX);
                    let old = self.column_le(Column::Deactivated, cutoff);
                    out.unknown_time = scope - &*known;
                    // `old` lies within `known`.
                    out.matched.push(MatchSet {
                        basis: Basis::Deactivated,
                        threshold_days: *days,
                        users: scope & &*old,
                    });
                    return out;
                }
                let mut hits = RoaringBitmap::new();
                for i in scope {
                    let host = self.index.deactivated_at.get(i);
                    let audit = self.audit.get(&i).copied();
                    let chosen = match (host, audit, self.settings.deactivation_time) {
                        (None, None, _) => None,
                        (Some(h), None, _) => Some((h, TimeSource::Host)),
                        (None, Some(a), _) => Some((a, TimeSource::Audit)),
                        (Some(h), Some(a), DeactivationTimeSource::Latest) => Some(if a > h {
                            (a, TimeSource::Audit)
                        } else {
                            (h, TimeSource::Host)
                        }),
                        (Some(h), Some(_), DeactivationTimeSource::HostFirst) => {
                            Some((h, TimeSource::Host))
                        }
                        (Some(_), Some(a), DeactivationTimeSource::AuditFirst) => {
                            Some((a, TimeSource::Audit))
                        }
                    };
                    match chosen {
                        None => {
                            out.unknown_time.insert(i);
                        }
                        Some((t, src)) if t <= cutoff => {
                            hits.insert(i);
                            if src == TimeSource::Audit {
                                out.times.push((i, Millis(t), src));
                            }
                        }
                        Some(_) => {}
                    }
                }
                out.matched.push(MatchSet {
                    basis: Basis::Deactivated,
                    threshold_days: *days,
                    users: hits,
                });
            }
            Condition::Login => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    //! The branch-free once-logged-in bits against the per-row definition.

    use proptest::prelude::*;

    use super::*;
    use crate::index::UNKNOWN_COUNT;

    /// Counts, times and windows at the edges: unknown and single counts,
    /// `NEVER`, extremes that saturate.
    fn row() -> impl Strategy<Value = (u32, i64, i64)> {
        let count = prop_oneof![
            Just(UNKNOWN_COUNT),
            Just(0u32),
            Just(1u32),
            Just(2u32),
            any::<u32>()
        ];
        let time = prop_oneof![Just(NEVER), Just(i64::MAX), -5i64..5, any::<i64>()];
        (count, time.clone(), time)
    }

    proptest! {
        #[test]
        fn once_bytes_are_the_definition_row_by_row(
            rows in proptest::collection::vec(row(), 0..70),
            extra in 0usize..10,
            window in prop_oneof![Just(0i64), 0i64..10, any::<i64>()],
        ) {
            // The count column may be longer than the others: its extra
            // rows are no one.
            let mut count: Vec<u32> = rows.iter().map(|r| r.0).collect();
            count.extend(std::iter::repeat_n(1, extra));
            let last: Vec<i64> = rows.iter().map(|r| r.1).collect();
            let created: Vec<i64> = rows.iter().map(|r| r.2).collect();
            let mut want = vec![0u8; count.len().div_ceil(8)];
            for (i, &(c, l, t)) in rows.iter().enumerate() {
                let once = match c {
                    UNKNOWN_COUNT => l != NEVER && l.saturating_sub(t) <= window,
                    c => c == 1,
                };
                if once {
                    want[i / 8] |= 1 << (i % 8);
                }
            }
            prop_assert_eq!(once_bytes(&count, &last, &created, window), want);
        }
    }
}
