//! The warning gate: a policy that promises a warning acts only on users
//! whose warning was delivered long enough ago (`crate::warning`).

use std::collections::BTreeMap;

use roaring::RoaringBitmap;

use super::{Cond, Evaluator};
use crate::plan::Basis;
use crate::time::Millis;
use crate::warning::cycle_of;

impl Evaluator<'_> {
    /// Of `users` (matched by `cond`), those a policy with warning `w` must
    /// not act on yet, grouped by the first day it may: warned (delivered)
    /// fewer than `days_before` days ago, or not delivered at all (`None`).
    /// Never-logged-in users are exempt when the policy does not warn them;
    /// users without a delivered warning are exempt when the admin chose to
    /// act at once.
    pub(super) fn not_warned(
        &self,
        w: &crate::policy::WarningSettings,
        cond: &Cond,
        users: &RoaringBitmap,
    ) -> Vec<(Option<Millis>, RoaringBitmap)> {
        let today = self.now.day_number();
        let mut waiting: BTreeMap<Option<Millis>, RoaringBitmap> = BTreeMap::new();
        for m in &cond.matched {
            if m.basis == Basis::Selected || (m.basis == Basis::NeverLoggedIn && !w.never_logged_in)
            {
                continue;
            }
            for idx in &(&m.users & users) {
                let Some(cycle) = cycle_of(self.index, idx, m.basis, &cond.times, self.mask) else {
                    continue;
                };
                let acts_from = match self.warned.get(&(idx, cycle.0)) {
                    Some(Some(sent)) => {
                        let from = sent.day_number() + i64::from(w.days_before);
                        if today >= from {
                            continue;
                        }
                        Some(Millis(from.saturating_mul(crate::time::DAY_MS)))
                    }
                    // Delivered mail promised a date: that date holds even
                    // when acting at once was chosen for the others.
                    _ if w.act_on_overdue_at_once => continue,
                    Some(None) | None => None,
                };
                waiting.entry(acts_from).or_default().insert(idx);
            }
        }
        waiting.into_iter().collect()
    }
}
