//! A plan in key order, paged: the hash, the totals and any page of actions
//! or skips without materialising the whole plan.
//!
//! Why: a bulk action over every active user plans a write per user. At a
//! million users, rendering them all (a `PlannedAction` per write, then a
//! document, then JSON) took 18 s and kept gigabytes per preview (issue 19).
//! A [`PlanOrder`] keeps only the order: the acted-on users sorted by key
//! (4 bytes a user), where each user's writes start in the flat list (4
//! bytes a user) and the skips in order (12 bytes each). One walk in that
//! order feeds the hash and the totals; a page renders only its own rows,
//! from the compact [`Plan`] and the index, when someone asks for it.
//!
//! It checks every source for every ordered user, which suits a bulk
//! action (one source) and not a policy run of twenty sources (16× slower
//! than the whole-list sort at 100k users), so [`Plan::actions`] and the
//! rest keep the straightforward rendering in [`super::reference`]; the
//! property tests check that the two agree on every plan they generate.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::render::{operations_for, reason_for};
use super::{Plan, PlanTotals, PlannedAction, PlannedSkip, SkipReason, key_of};
use crate::index::DirectoryIndex;
use crate::operation::Operation;
use crate::policy::Mode;

/// One skipped user of one skip set, by position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SkipRef {
    idx: u32,
    outcome: u32,
    set: u32,
}

/// How many users were skipped for one reason (over all sources).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipTotal {
    /// Why.
    pub reason: SkipReason,
    /// How many skip entries (a user skipped by two sources counts twice,
    /// as in [`PlanOrder::skip_count`]).
    pub users: u64,
}

/// A plan's order, hash and totals; pages are rendered from it on demand.
///
/// Valid for the plan and the index it was made from: positions are index
/// positions, so a rebuilt index needs a new order (the service plans again).
#[derive(Clone, Debug, PartialEq)]
pub struct PlanOrder {
    /// Users with at least one write, in key order.
    users: Vec<u32>,
    /// Where `users[i]`'s writes start in the flat action list.
    starts: Vec<u32>,
    /// Skipped users in (key, source, reason) order.
    skips: Vec<SkipRef>,
    action_count: u64,
    hash: String,
    totals: PlanTotals,
}

/// Feeds one write into the plan hash (see [`Plan::hash`] for the form).
fn hash_write(hasher: &mut Sha256, label: &str, operation: &Operation, buf: &mut Vec<u8>) {
    hasher.update(label.as_bytes());
    hasher.update(b"\t");
    if let Some(user) = operation.user() {
        hasher.update(user.as_str().as_bytes());
    }
    hasher.update(b"\t");
    buf.clear();
    // Serialising an `Operation` (plain strings and enums) cannot fail; an
    // empty buffer would be hashed as the old path hashed a failure.
    if serde_json::to_writer(&mut *buf, operation).is_err() {
        buf.clear();
    }
    hasher.update(buf.as_slice());
    hasher.update(b"\n");
}

impl PlanOrder {
    /// Orders `plan`'s users by key and walks them once for the hash and the
    /// totals.
    pub fn new(plan: &Plan, index: &DirectoryIndex) -> PlanOrder {
        let mut acted = roaring::RoaringBitmap::new();
        for outcome in &plan.outcomes {
            acted |= outcome.acted_on();
        }
        let users = super::key_order::by_key(&acted, index);

        let labels: Vec<String> = plan.outcomes.iter().map(|o| o.source.label()).collect();
        let mut per_source: Vec<BTreeMap<&'static str, u64>> =
            vec![BTreeMap::new(); plan.outcomes.len()];
        let mut hasher = Sha256::new();
        hasher.update(b"seatwarden-plan-v1\n");
        let mut buf = Vec::new();
        let mut starts = Vec::with_capacity(users.len());
        let mut count: u64 = 0;
        let mut with_writes: u64 = 0;
        for &idx in &users {
            starts.push(u32::try_from(count).unwrap_or(u32::MAX));
            let before = count;
            for (o, outcome) in plan.outcomes.iter().enumerate() {
                for operation in operations_for(outcome, index, idx) {
                    let label = labels.get(o).map_or("", String::as_str);
                    hash_write(&mut hasher, label, &operation, &mut buf);
                    if let Some(kinds) = per_source.get_mut(o) {
                        *kinds.entry(operation.kind_name()).or_default() += 1;
                    }
                    count += 1;
                }
            }
            with_writes += u64::from(count > before);
        }

        let mut totals = PlanTotals {
            by_source: plan.source_totals(),
            ..PlanTotals::default()
        };
        for (o, kinds) in per_source.iter().enumerate() {
            let label = labels.get(o).map_or("", String::as_str);
            for (kind, n) in kinds {
                *totals.by_operation.entry((*kind).to_owned()).or_default() += n;
                if let Some(entry) = totals.by_source.get_mut(label) {
                    *entry.operations.entry((*kind).to_owned()).or_default() += n;
                }
            }
        }
        totals.users = with_writes;
        totals.mass_changed = plan.guarded_accounts().len();

        // Made in (source, reason) order, so a stable placement by key
        // gives (key, source, reason).
        let refs = plan.outcomes.iter().enumerate().flat_map(|(o, outcome)| {
            let outcome_pos = u32::try_from(o).unwrap_or(u32::MAX);
            outcome
                .skipped
                .iter()
                .enumerate()
                .flat_map(move |(s, set)| {
                    let set_pos = u32::try_from(s).unwrap_or(u32::MAX);
                    set.users.iter().map(move |idx| SkipRef {
                        idx,
                        outcome: outcome_pos,
                        set: set_pos,
                    })
                })
        });
        let skips = super::key_order::stable(refs, index, |r| r.idx);

        PlanOrder {
            users,
            starts,
            skips,
            action_count: count,
            hash: hex::encode(hasher.finalize()),
            totals,
        }
    }

    /// How many writes the plan has.
    pub fn action_count(&self) -> u64 {
        self.action_count
    }

    /// How many skip entries the plan has.
    pub fn skip_count(&self) -> usize {
        self.skips.len()
    }

    /// The plan hash ([`Plan::hash`]).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The plan's totals ([`Plan::totals`]).
    pub fn totals(&self) -> &PlanTotals {
        &self.totals
    }

    /// Roughly the bytes this order holds (for caps on kept plans).
    pub fn weight(&self) -> usize {
        self.users.capacity() * 4
            + self.starts.capacity() * 4
            + self.skips.capacity() * std::mem::size_of::<SkipRef>()
            + self.hash.len()
            + self.totals.by_source.len() * 128
    }

    /// Writes `offset..offset + limit` of the flat action list (users in key
    /// order, each user's writes in source priority order).
    pub fn actions_page(
        &self,
        plan: &Plan,
        index: &DirectoryIndex,
        offset: u64,
        limit: usize,
    ) -> Vec<PlannedAction> {
        let mut out = Vec::with_capacity(limit.min(4096));
        // The last user whose writes start at or before `offset`.
        let mut pos = self
            .starts
            .partition_point(|&s| u64::from(s) <= offset)
            .saturating_sub(1);
        let mut at = self.starts.get(pos).map_or(0, |&s| u64::from(s));
        while out.len() < limit {
            let Some(&idx) = self.users.get(pos) else {
                break;
            };
            for outcome in &plan.outcomes {
                let operations = operations_for(outcome, index, idx);
                if operations.is_empty() {
                    continue;
                }
                let reason = reason_for(outcome, index, plan.now, idx);
                let mode = if plan.forced_preview {
                    Mode::Safe
                } else {
                    outcome.mode
                };
                for operation in operations {
                    if at >= offset && out.len() < limit {
                        out.push(PlannedAction {
                            idx,
                            operation,
                            source: outcome.source.clone(),
                            mode,
                            reason: reason.clone(),
                        });
                    }
                    at += 1;
                }
            }
            pos += 1;
        }
        out
    }

    /// Skips `offset..offset + limit` (users in key order).
    pub fn skips_page(
        &self,
        plan: &Plan,
        index: &DirectoryIndex,
        offset: usize,
        limit: usize,
    ) -> Vec<PlannedSkip> {
        self.skips
            .iter()
            .skip(offset)
            .take(limit)
            .filter_map(|r| {
                let outcome = plan.outcomes.get(r.outcome as usize)?;
                let set = outcome.skipped.get(r.set as usize)?;
                Some(PlannedSkip {
                    user: key_of(index, r.idx),
                    source: outcome.source.clone(),
                    reason: set.reason.clone(),
                })
            })
            .collect()
    }

    /// Skip entries per reason, equal reasons of different sources merged,
    /// in the order the reasons first appear.
    pub fn skip_totals(plan: &Plan) -> Vec<SkipTotal> {
        let mut out: Vec<SkipTotal> = Vec::new();
        for set in plan.outcomes.iter().flat_map(|o| &o.skipped) {
            let n = set.users.len();
            match out.iter_mut().find(|t| t.reason == set.reason) {
                Some(t) => t.users += n,
                None => out.push(SkipTotal {
                    reason: set.reason.clone(),
                    users: n,
                }),
            }
        }
        out.retain(|t| t.users > 0);
        out
    }
}

impl Plan {
    /// Roughly the bytes the compact plan holds (its bitmaps), for caps on
    /// plans kept in memory.
    pub fn approx_bytes(&self) -> usize {
        let bitmap = |b: &roaring::RoaringBitmap| b.serialized_size();
        self.outcomes
            .iter()
            .map(|o| {
                o.matched.iter().map(|m| bitmap(&m.users)).sum::<usize>()
                    + bitmap(&o.account_users)
                    + o.group_ops.iter().map(|g| bitmap(&g.users)).sum::<usize>()
                    + o.skipped.iter().map(|s| bitmap(&s.users)).sum::<usize>()
                    + o.warming.iter().map(|w| bitmap(&w.users)).sum::<usize>()
                    + o.deactivation_times.len() * 24
                    + 512
            })
            .sum()
    }
}
