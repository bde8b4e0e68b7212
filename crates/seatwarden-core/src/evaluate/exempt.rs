//! Exemptions and review approvals, as bitmaps the evaluator subtracts.
//!
//! Built once per evaluation from the context: the active exemptions
//! (lapsed ones are ignored here, which is what makes them lapse on time)
//! grouped by identical skip reason, so a thousand users exempted in one
//! bulk grant cost one bitmap, and per review-mode policy the users an admin
//! approved.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use crate::exemption::{Exemption, ExemptionScope};
use crate::index::DirectoryIndex;
use crate::model::UserKey;
use crate::plan::SkipReason;
use crate::policy::PolicyId;
use crate::time::Millis;

/// Active exemptions by (scope, reason), policy-scoped ones first (the more
/// specific reason is the one a plan shows).
#[derive(Default)]
pub(crate) struct Exempt {
    sets: Vec<(ExemptionScope, SkipReason, RoaringBitmap)>,
}

impl Exempt {
    pub(crate) fn new(index: &DirectoryIndex, exemptions: &[Exemption], now: Millis) -> Exempt {
        let mut by: HashMap<(ExemptionScope, SkipReason), RoaringBitmap> = HashMap::new();
        for e in exemptions.iter().filter(|e| e.is_active(now)) {
            if let Some(i) = index.index_of_key(&e.user) {
                by.entry((e.scope.clone(), e.skip_reason()))
                    .or_default()
                    .insert(i.0);
            }
        }
        let mut sets: Vec<(ExemptionScope, SkipReason, RoaringBitmap)> =
            by.into_iter().map(|((s, r), b)| (s, r, b)).collect();
        // Policy-scoped first, then deterministic by scope and reason text.
        sets.sort_by(|a, b| {
            let rank = |s: &ExemptionScope| u8::from(matches!(s, ExemptionScope::All));
            rank(&a.0)
                .cmp(&rank(&b.0))
                .then_with(|| a.0.cmp(&b.0))
                .then_with(|| a.1.to_string().cmp(&b.1.to_string()))
        });
        Exempt { sets }
    }

    /// The skip sets that apply to policy `id`, in precedence order.
    pub(crate) fn for_policy<'s>(
        &'s self,
        id: &'s PolicyId,
    ) -> impl Iterator<Item = (&'s SkipReason, &'s RoaringBitmap)> + 's {
        self.sets
            .iter()
            .filter(move |(s, _, _)| s.covers(id))
            .map(|(_, r, b)| (r, b))
    }
}

/// Per review-mode policy, the users whose review item is approved.
pub(crate) fn approvals(
    index: &DirectoryIndex,
    approved: &[(PolicyId, UserKey)],
) -> HashMap<PolicyId, RoaringBitmap> {
    let mut out: HashMap<PolicyId, RoaringBitmap> = HashMap::new();
    for (p, k) in approved {
        if let Some(i) = index.index_of_key(k) {
            out.entry(p.clone()).or_default().insert(i.0);
        }
    }
    out
}
