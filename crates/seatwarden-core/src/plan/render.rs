//! Turning a compact [`Plan`] into explicit actions, skips, totals, the hash
//! and the JSON document.
//!
//! This is the only place that allocates per user, and it runs only when
//! someone looks (the CLI, the journal, the admin UI, the approval hash).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    AccountOp, ActionSource, Basis, Outcome, Plan, PlanMode, PlanStatus, PlanWarning,
    PlannedAction, PlannedSkip, Reason, key_of,
};
use crate::evaluate::rename_target;
use crate::index::{DirectoryIndex, UserIdx};
use crate::model::{GroupName, UserKey, Username};
use crate::operation::Operation;
use crate::policy::Mode;
use crate::safety::{GuardTrip, HealthProblem};
use crate::time::Millis;

/// The reason user `idx` matched `outcome`.
pub(crate) fn reason_for(
    outcome: &Outcome,
    index: &DirectoryIndex,
    now: Millis,
    idx: u32,
) -> Reason {
    reason_on(outcome, index, now, idx, outcome.basis_of(idx))
}

/// [`reason_for`], given what [`Outcome::basis_of`] says for user `idx`.
fn reason_on(
    outcome: &Outcome,
    index: &DirectoryIndex,
    now: Millis,
    idx: u32,
    basis: Option<(Basis, u32)>,
) -> Reason {
    let user = UserIdx(idx);
    match basis {
        Some((Basis::Inactive, threshold)) => {
            let last_login = index.last_login(user).unwrap_or(Millis(0));
            let latest = index
                .last_activity(user, outcome.signals)
                .unwrap_or(last_login);
            Reason::Inactive {
                last_login,
                days: latest.days_until(now),
                threshold,
                signals: index.signal_dates(user, outcome.signals),
            }
        }
        Some((Basis::OnceLoggedIn, threshold)) => {
            let last_login = index.last_login(user).unwrap_or(Millis(0));
            let latest = index
                .last_activity(user, outcome.signals)
                .unwrap_or(last_login);
            Reason::OnceLoggedIn {
                last_login,
                days: latest.days_until(now),
                threshold,
                signals: index.signal_dates(user, outcome.signals),
            }
        }
        Some((Basis::NeverLoggedIn, threshold)) => {
            let created = index.created(user);
            Reason::NeverLoggedIn {
                created,
                days: created.days_until(now),
                threshold,
                signals: index.signal_dates(user, outcome.signals),
            }
        }
        Some((Basis::Deactivated, threshold)) => {
            let (since, source) = outcome
                .deactivation_time(index, idx)
                .unwrap_or((Millis(0), super::TimeSource::Host));
            Reason::Deactivated {
                since,
                source,
                days: since.days_until(now),
                threshold,
                suspended: index.is_suspended(user),
            }
        }
        Some((Basis::Selected, _)) => match &outcome.source {
            ActionSource::Bulk { admin, .. } => Reason::Selected {
                admin: admin.clone(),
            },
            ActionSource::Policy { .. } => Reason::Login,
        },
        None => Reason::Login,
    }
}

fn group_name(index: &DirectoryIndex, g: u32) -> GroupName {
    index
        .groups()
        .get(g as usize)
        .map_or_else(|| GroupName::from(""), |gr| gr.name.clone())
}

/// The writes of one outcome for one user, in order.
pub(crate) fn operations_for(
    outcome: &Outcome,
    index: &DirectoryIndex,
    idx: u32,
) -> Vec<Operation> {
    let mut ops = Vec::new();
    push_operations(outcome, index, idx, &mut None, &mut ops);
    ops
}

/// [`operations_for`], appended to `ops`; `key` is user `idx`'s key once
/// built (`None` until then), kept by the caller across that user's sources.
///
/// Why a buffer and a kept key: rendering a plan at a million users makes
/// 325k writes, and the allocator was most of its time (issue 19). The
/// caller's buffer is reused, and a [`UserKey`] is shared text: built once
/// per user, each write holds a reference to it.
pub(crate) fn push_operations(
    outcome: &Outcome,
    index: &DirectoryIndex,
    idx: u32,
    key: &mut Option<UserKey>,
    ops: &mut Vec<Operation>,
) {
    push_writes(outcome, index, idx, Writes::of(outcome, idx), key, ops);
}

/// Which of an outcome's writes one user gets: their row of its bitmaps
/// (the account operation's, and the first 64 group operations'; a later
/// group operation is looked up in its bitmap when asked).
///
/// Why: rendering in key order visits users at random places of the
/// index, and each bitmap membership test there was a chain of cache
/// misses once the outcomes' bitmaps outgrew the cache (≈ 60 bitmaps of up
/// to 128 KB at a million users): the largest part of rendering, and what
/// made it super-linear (issue 19). [`reference::actions`] reads these
/// rows walking each outcome's users in index order, where consecutive
/// users share a bitmap container, and carries them into key order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Writes {
    /// In the account operation's bitmap (and the outcome has one).
    account: bool,
    /// Bit `g`: in group operation `g`'s bitmap.
    groups: u64,
}

impl Writes {
    /// No write.
    pub(crate) const NONE: Writes = Writes {
        account: false,
        groups: 0,
    };

    /// User `idx`'s row of `outcome`'s bitmaps.
    pub(crate) fn of(outcome: &Outcome, idx: u32) -> Writes {
        let mut groups = 0u64;
        for (g, op) in outcome.group_ops.iter().take(64).enumerate() {
            if op.users.contains(idx) {
                groups |= 1 << g;
            }
        }
        Writes {
            account: outcome.account_op.is_some() && outcome.account_users.contains(idx),
            groups,
        }
    }

    /// User `idx` gets group operation `g` of `outcome`.
    fn group(self, outcome: &Outcome, g: usize, idx: u32) -> bool {
        if g < 64 {
            self.groups & (1 << g) != 0
        } else {
            outcome
                .group_ops
                .get(g)
                .is_some_and(|op| op.users.contains(idx))
        }
    }

    /// User `idx` gets no write from `outcome`.
    fn none(self, outcome: &Outcome, idx: u32) -> bool {
        !self.account
            && self.groups == 0
            && (0..outcome.group_ops.len())
                .skip(64)
                .all(|g| !self.group(outcome, g, idx))
    }
}

/// [`push_operations`], given user `idx`'s [`Writes`] in `outcome`.
fn push_writes(
    outcome: &Outcome,
    index: &DirectoryIndex,
    idx: u32,
    writes: Writes,
    key: &mut Option<UserKey>,
    ops: &mut Vec<Operation>,
) {
    // Most users of a many-source plan are in few of its outcomes: answer
    // those without building the user's key.
    if writes.none(outcome, idx) {
        return;
    }
    let in_account = writes.account;
    let key = key.get_or_insert_with(|| key_of(index, idx));
    let user = || key.clone();
    if in_account {
        match &outcome.account_op {
            Some(AccountOp::Deactivate {
                handover,
                rename_suffix,
            }) => {
                if let Some(to) = handover {
                    ops.push(Operation::ReassignIssues {
                        user: user(),
                        to: to.clone(),
                    });
                }
                if let Some(suffix) = rename_suffix {
                    if let Some(to) = rename_target(index.username(UserIdx(idx)), suffix) {
                        ops.push(Operation::Rename {
                            user: user(),
                            to: Username::from(to),
                        });
                    }
                }
                ops.push(Operation::Deactivate { user: user() });
            }
            Some(AccountOp::Suspend) => ops.push(Operation::Suspend { user: user() }),
            Some(AccountOp::Restore) => ops.push(Operation::Restore { user: user() }),
            Some(AccountOp::Delete) => ops.push(Operation::Delete { user: user() }),
            Some(AccountOp::Activate) => ops.push(Operation::Activate { user: user() }),
            None => {}
        }
    }
    for (g, op) in outcome.group_ops.iter().enumerate() {
        if writes.group(outcome, g, idx) {
            let group = group_name(index, op.group);
            ops.push(if op.add {
                Operation::AddToGroup {
                    user: user(),
                    group,
                }
            } else {
                Operation::RemoveFromGroup {
                    user: user(),
                    group,
                }
            });
        }
    }
}

/// At least as many writes as `outcome` makes (exact but for renames,
/// counted as if every deactivated user were renamed): the bitmaps' sizes,
/// no user visited.
fn most_writes(outcome: &Outcome) -> u64 {
    let per_account = match &outcome.account_op {
        Some(AccountOp::Deactivate {
            rename_suffix,
            handover,
        }) => 1 + u64::from(handover.is_some()) + u64::from(rename_suffix.is_some()),
        Some(_) => 1,
        None => 0,
    };
    let groups: u64 = outcome.group_ops.iter().map(|op| op.users.len()).sum();
    outcome.account_users.len() * per_account + groups
}

/// Figures for one source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyTotals {
    /// Users who matched the condition (before skips).
    pub matched: u64,
    /// Users who get at least one write.
    pub acted_on: u64,
    /// Users skipped (a user may be counted once per reason).
    pub skipped: u64,
    /// Writes per operation kind.
    pub operations: BTreeMap<String, u64>,
}

/// Figures for the whole plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTotals {
    /// Per source label (policy id or `bulk:<id>`).
    pub by_source: BTreeMap<String, PolicyTotals>,
    /// Writes per operation kind.
    pub by_operation: BTreeMap<String, u64>,
    /// Distinct users with at least one write.
    pub users: u64,
    /// Distinct accounts the guard counts (see [`Plan::guarded_accounts`]).
    pub mass_changed: u64,
}

impl Plan {
    /// Per source label: matched, acted-on and skipped users, straight from
    /// the compact plan's bitmaps (`operations` left empty). What
    /// [`Plan::totals`] says for them, without rendering a write: the
    /// dashboard's idle insight needs only these, and rendering its
    /// policy's 300k writes to count them was most of the dashboard's time
    /// at a million users (issue 19).
    pub fn source_totals(&self) -> BTreeMap<String, PolicyTotals> {
        let mut by_source: BTreeMap<String, PolicyTotals> = BTreeMap::new();
        for o in &self.outcomes {
            let entry = by_source.entry(o.source.label()).or_default();
            entry.matched = o.matched.iter().map(|m| m.users.len()).sum();
            entry.acted_on = o.acted_on().len();
            entry.skipped = o.skipped.iter().map(|s| s.users.len()).sum();
        }
        by_source
    }
}

/// A plan rendered once (see [`Plan::render`]): every write in key order,
/// and the hash and totals computed from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedPlan {
    /// Every write, as [`Plan::actions`] lists them.
    pub actions: Vec<PlannedAction>,
    /// [`Plan::hash`].
    pub hash: String,
    /// [`Plan::totals`].
    pub totals: PlanTotals,
}

/// A plan warning with its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningEntry {
    /// The typed warning.
    #[serde(flatten)]
    pub warning: PlanWarning,
    /// Rendered for people.
    pub message: String,
}

/// A guard trip with its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardEntry {
    /// The typed trip.
    #[serde(flatten)]
    pub trip: GuardTrip,
    /// Rendered for people.
    pub message: String,
}

/// A health problem with its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthEntry {
    /// The typed problem.
    #[serde(flatten)]
    pub problem: HealthProblem,
    /// Rendered for people.
    pub message: String,
}

/// One write in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionEntry {
    /// Source label.
    pub source: String,
    /// The source's mode.
    pub mode: Mode,
    /// The write.
    pub operation: Operation,
    /// The typed reason.
    pub reason: Reason,
    /// The reason rendered, e.g. "last login 2026-06-01, 173 days ≥ 90".
    pub because: String,
}

/// One user's writes in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntry {
    /// The user's key.
    pub user: String,
    /// The username, for people reading the plan.
    pub username: String,
    /// The writes, in order.
    pub actions: Vec<ActionEntry>,
}

/// One skipped user in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkipEntry {
    /// The user's key.
    pub user: String,
    /// The username.
    pub username: String,
    /// Source label.
    pub source: String,
    /// The typed reason.
    pub reason: super::SkipReason,
    /// The reason rendered.
    pub because: String,
}

/// The plan as JSON: what `seatwarden plan` prints and the journal stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDocument {
    /// The instant evaluated (ISO 8601).
    pub now: String,
    /// Preview or live.
    pub mode: PlanMode,
    /// Preview, ready, needs approval, paused.
    pub status: PlanStatus,
    /// The plan hash (approve exactly this plan).
    pub hash: String,
    /// Figures.
    pub totals: PlanTotals,
    /// Plan-level warnings.
    pub warnings: Vec<WarningEntry>,
    /// Guard thresholds exceeded.
    pub guard: Vec<GuardEntry>,
    /// Login-data problems.
    pub health: Vec<HealthEntry>,
    /// Per user, in key order.
    pub users: Vec<UserEntry>,
    /// Skipped users, in key order.
    pub skipped: Vec<SkipEntry>,
}

/// The document of `plan` listing `actions` and `skips` (the whole plan, or
/// a page of it: `totals` and `hash` always describe the whole plan).
pub(super) fn document(
    plan: &Plan,
    index: &DirectoryIndex,
    hash: String,
    totals: PlanTotals,
    actions: &[PlannedAction],
    skips: Vec<PlannedSkip>,
) -> PlanDocument {
    let mut users: Vec<UserEntry> = Vec::new();
    for a in actions {
        let entry = ActionEntry {
            source: a.source.label(),
            mode: a.mode,
            operation: a.operation.clone(),
            because: a.reason.to_string(),
            reason: a.reason.clone(),
        };
        let key = index.key(UserIdx(a.idx));
        match users.last_mut() {
            Some(u) if u.user == key => u.actions.push(entry),
            _ => users.push(UserEntry {
                user: key.to_owned(),
                username: index.username(UserIdx(a.idx)).to_owned(),
                actions: vec![entry],
            }),
        }
    }
    let skipped = skips
        .into_iter()
        .map(|s| {
            let username = index
                .index_of_key(&s.user)
                .map(|i| index.username(i).to_owned())
                .unwrap_or_default();
            SkipEntry {
                user: s.user.0.to_string(),
                username,
                source: s.source.label(),
                because: s.reason.describe(index),
                reason: s.reason,
            }
        })
        .collect();
    PlanDocument {
        now: plan.now.to_string(),
        mode: plan.mode(),
        status: plan.status(),
        hash,
        totals,
        warnings: plan
            .warnings
            .iter()
            .map(|w| WarningEntry {
                message: w.to_string(),
                warning: w.clone(),
            })
            .collect(),
        guard: plan
            .guard
            .iter()
            .map(|t| GuardEntry {
                message: t.to_string(),
                trip: t.clone(),
            })
            .collect(),
        health: plan
            .health
            .iter()
            .map(|p| HealthEntry {
                message: p.to_string(),
                problem: p.clone(),
            })
            .collect(),
        users,
        skipped,
    }
}

/// The whole-list rendering: every write as a row, made source by source
/// and placed in key order (see [`super::key_order`]). What
/// `Plan::actions`, `skips`, `hash`, `totals` and `document` use, and the
/// reference the paged path ([`super::PlanOrder`], bulk previews) is tested
/// against. The paged path checks every source for every user, which is
/// fast for one source (a bulk action) and slower than this for twenty
/// (a policy run: measured 16× at 100k users), so it is not used there.
#[doc(hidden)]
pub mod reference {
    use sha2::{Digest, Sha256};

    use roaring::RoaringBitmap;

    use super::super::{
        Basis, Outcome, Plan, PlanTotals, PlannedAction, PlannedSkip, key_of, key_order,
    };
    use super::{Writes, push_writes, reason_on};
    use crate::index::DirectoryIndex;
    use crate::model::UserKey;
    use crate::policy::Mode;

    /// One (user, source) pair to render: what the source's bitmaps say
    /// of the user, read in index order (see [`Writes`]).
    #[derive(Clone, Copy)]
    struct Pair {
        idx: u32,
        outcome: u32,
        basis: Option<(Basis, u32)>,
        writes: Writes,
    }

    /// Fills in `rows` (one outcome's pairs, in index order) from the
    /// outcome's bitmaps: each bitmap is walked once beside the rows, so
    /// every membership is read in order, none looked up (see [`Writes`]).
    /// The same answers as [`Outcome::basis_of`] and [`Writes::of`]
    /// (`marks_agree_with_the_lookups`).
    ///
    /// `acted` is the outcome's [`Outcome::acted_on`]: the account and group
    /// bitmaps lie within it, the match sets need not (they hold the
    /// skipped and the conflicting users too), so
    /// a match set is first narrowed to it, a word-wise AND, rather than
    /// walked whole.
    fn mark(rows: &mut [Pair], outcome: &Outcome, acted: &RoaringBitmap) {
        if outcome.account_op.is_some() {
            walk(rows, &outcome.account_users, |p| p.writes.account = true);
        }
        for (g, op) in outcome.group_ops.iter().take(64).enumerate() {
            walk(rows, &op.users, |p| p.writes.groups |= 1 << g);
        }
        // Last to first, so that a user in several sets keeps the first,
        // as `basis_of` finds it.
        for set in outcome.matched.iter().rev() {
            let basis = Some((set.basis, set.threshold_days));
            walk(rows, &(&set.users & acted), |p| p.basis = basis);
        }
    }

    /// Applies `f` to the rows whose user is in `users`: a merge of two
    /// ascending lists.
    fn walk(rows: &mut [Pair], users: &RoaringBitmap, mut f: impl FnMut(&mut Pair)) {
        let mut users = users.iter().peekable();
        for row in rows {
            while users.next_if(|&u| u < row.idx).is_some() {}
            if users.next_if_eq(&row.idx).is_some() {
                f(row);
            }
        }
    }

    /// Every write, sorted by (key, source position, sequence).
    pub fn actions(plan: &Plan, index: &DirectoryIndex) -> Vec<PlannedAction> {
        // Which sources act on whom, as (user, source) pairs with the
        // user's row of the source's bitmaps, read source by source in
        // index order (consecutive users share bitmap containers); then
        // placed in key order, and every row is made once, in its final
        // place, each (user, source)'s writes in sequence.
        let acted: Vec<_> = plan.outcomes.iter().map(|o| o.acted_on()).collect();
        let count: u64 = acted.iter().map(RoaringBitmap::len).sum();
        let mut pairs = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for ((o, outcome), users) in plan.outcomes.iter().enumerate().zip(&acted) {
            let o = u32::try_from(o).unwrap_or(u32::MAX);
            let start = pairs.len();
            pairs.extend(users.iter().map(|idx| Pair {
                idx,
                outcome: o,
                basis: None,
                writes: Writes::NONE,
            }));
            if let Some(rows) = pairs.get_mut(start..) {
                mark(rows, outcome, users);
            }
        }
        let pairs = key_order::stable(pairs.iter().copied(), index, |p| p.idx);
        // Sized once for the most writes the bitmaps allow, never regrown
        // (each regrowth of 65 MB of rows at 1M users was a copy and fresh
        // pages; a user with several writes outgrew a vector sized by pairs).
        let most: u64 = plan.outcomes.iter().map(super::most_writes).sum();
        let mut rows: Vec<PlannedAction> =
            Vec::with_capacity(usize::try_from(most).unwrap_or(pairs.len()));
        let mut ops = Vec::new();
        // The pairs come user by user: one key per user, shared by all of
        // that user's writes from every source.
        let mut key: (u32, Option<UserKey>) = (u32::MAX, None);
        for pair in pairs {
            let idx = pair.idx;
            let Some(outcome) = plan.outcomes.get(pair.outcome as usize) else {
                continue;
            };
            let mode = if plan.forced_preview {
                Mode::Safe
            } else {
                outcome.mode
            };
            if key.0 != idx {
                key = (idx, None);
            }
            let reason = reason_on(outcome, index, plan.now, idx, pair.basis);
            push_writes(outcome, index, idx, pair.writes, &mut key.1, &mut ops);
            for operation in ops.drain(..) {
                rows.push(PlannedAction {
                    idx,
                    operation,
                    source: outcome.source.clone(),
                    mode,
                    reason: reason.clone(),
                });
            }
        }
        rows
    }

    /// Every skip, sorted by (key, source position), stable.
    pub fn skips(plan: &Plan, index: &DirectoryIndex) -> Vec<PlannedSkip> {
        let refs = plan.outcomes.iter().enumerate().flat_map(|(o, outcome)| {
            outcome
                .skipped
                .iter()
                .enumerate()
                .flat_map(move |(s, set)| set.users.iter().map(move |idx| (idx, o, s)))
        });
        key_order::stable(refs, index, |&(idx, _, _)| idx)
            .into_iter()
            .filter_map(|(idx, o, s)| {
                let outcome = plan.outcomes.get(o)?;
                Some(PlannedSkip {
                    user: key_of(index, idx),
                    source: outcome.source.clone(),
                    reason: outcome.skipped.get(s)?.reason.clone(),
                })
            })
            .collect()
    }

    /// The plan hash over the whole list of writes.
    pub fn hash(actions: &[PlannedAction]) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"seatwarden-plan-v1\n");
        for a in actions {
            hasher.update(a.source.label().as_bytes());
            hasher.update(b"\t");
            if let Some(user) = a.operation.user() {
                hasher.update(user.as_str().as_bytes());
            }
            hasher.update(b"\t");
            hasher.update(
                serde_json::to_string(&a.operation)
                    .unwrap_or_default()
                    .as_bytes(),
            );
            hasher.update(b"\n");
        }
        hex::encode(hasher.finalize())
    }

    /// Totals computed from the whole list of writes.
    pub fn totals(plan: &Plan, actions: &[PlannedAction]) -> PlanTotals {
        let mut t = PlanTotals {
            by_source: plan.source_totals(),
            ..PlanTotals::default()
        };
        let mut users = roaring::RoaringBitmap::new();
        for a in actions {
            let kind = a.operation.kind_name().to_owned();
            *t.by_operation.entry(kind.clone()).or_default() += 1;
            if let Some(entry) = t.by_source.get_mut(&a.source.label()) {
                *entry.operations.entry(kind).or_default() += 1;
            }
            users.insert(a.idx);
        }
        t.users = users.len();
        t.mass_changed = plan.guarded_accounts().len();
        t
    }

    #[cfg(test)]
    mod tests {
        //! The bitmap walks against the lookups they replace.

        use proptest::prelude::*;

        use super::*;
        use crate::plan::{AccountOp, ActionSource, GroupOp, MatchSet};
        use crate::policy::{Action, PolicyId};

        /// Users on both sides of roaring's 65,536-user container edges.
        fn users(max: usize) -> impl Strategy<Value = RoaringBitmap> {
            let user = prop_oneof![0u32..300, 65_500u32..65_600, 1_000_000u32..1_000_020];
            prop::collection::vec(user, 0..max).prop_map(|u| u.into_iter().collect())
        }

        const BASES: [Basis; 5] = [
            Basis::Inactive,
            Basis::NeverLoggedIn,
            Basis::OnceLoggedIn,
            Basis::Deactivated,
            Basis::Selected,
        ];

        proptest! {
            /// Every pair marked as `basis_of` and `Writes::of` answer: with
            /// and without an account operation, past 64 group operations
            /// (those looked up) and with overlapping match sets (the first
            /// holding the user wins).
            #[test]
            fn marks_agree_with_the_lookups(
                account_op in any::<bool>(),
                account_users in users(80),
                groups in prop::collection::vec((users(12), any::<bool>()), 0..70),
                matched in prop::collection::vec(users(80), 0..4),
            ) {
                let outcome = Outcome {
                    source: ActionSource::Policy { id: PolicyId::from("p") },
                    name: "p".to_owned(),
                    mode: Mode::Safe,
                    action: Action::Delete,
                    matched: matched
                        .into_iter()
                        .zip(BASES.iter().cycle())
                        .zip(7u32..)
                        .map(|((users, &basis), threshold_days)| MatchSet { basis, threshold_days, users })
                        .collect(),
                    account_op: account_op.then_some(AccountOp::Delete),
                    account_users,
                    group_ops: groups
                        .into_iter()
                        .zip(0u32..)
                        .map(|((users, add), group)| GroupOp { group, add, users })
                        .collect(),
                    skipped: Vec::new(),
                    deactivation_times: Vec::new(),
                    signals: 1,
                    warming: Vec::new(),
                };
                let acted = outcome.acted_on();
                let mut rows: Vec<Pair> = acted
                    .iter()
                    .map(|idx| Pair { idx, outcome: 0, basis: None, writes: Writes::NONE })
                    .collect();
                mark(&mut rows, &outcome, &acted);
                for row in rows {
                    prop_assert_eq!(row.basis, outcome.basis_of(row.idx), "user {}", row.idx);
                    prop_assert_eq!(row.writes, Writes::of(&outcome, row.idx), "user {}", row.idx);
                }
            }
        }
    }
}
