//! Evaluation: `(config, directory index, now, context) → Plan`.
//!
//! Deterministic and pure: the same inputs give the same plan, bit for bit.
//! Fast because it never looks at one user at a time where a set will do:
//! a policy's scope is bitmap algebra over the index (status ∩ directories ∩
//! target), its condition is a column scan turned into a bitmap ("last login
//! ≤ cutoff", cached per cutoff so twenty policies with a handful of
//! thresholds scan a handful of times), and protection, read-only
//! directories and conflicts are more bitmap algebra. Reasons are not built
//! here at all: the plan keeps *which* basis and threshold matched each user
//! and renders "last login 2026-06-01, 173 days ≥ 90" when someone asks.
//!
//! **Priority and conflicts.** Sources are evaluated in priority order
//! (higher `priority` first, ties in document order). A user gets at most
//! one account operation (deactivate, delete): a later source wanting one
//! too is skipped for that user with [`SkipReason::Conflict`]. Group
//! operations conflict when one source adds a group another removes: the
//! earlier (higher-priority) one wins for that group. Two sources doing the
//! same group operation are not a conflict; the later one's copy is dropped.
//! Every conflict is also a [`PlanWarning::Conflict`] with a count.
//!
//! **Order of skips.** A matched user is skipped for the first of: system
//! administrator, acting admin, protected group (global groups first, then
//! the policy's own, in listed order), restricted group, rename target
//! taken, read-only directory, conflict.

mod exempt;
mod rename;
mod signals;

pub(crate) use signals::combined_activity;
use signals::merge_warming;

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use roaring::RoaringBitmap;

use crate::config::{Config, DeactivationTimeSource, Settings};
use crate::index::{DirectoryIndex, GroupOrd, NEVER, SignalMask, UserIdx};
use crate::model::{GroupName, UserKey};
use crate::plan::{
    AccountOp, ActionSource, Basis, GroupOp, MatchSet, Outcome, Plan, PlanWarning, SkipReason,
    SkipSet, TimeSource, Warming,
};
use crate::policy::{
    Action, Condition, DirectorySelection, Mode, Policy, PolicyId, ReadOnlyHandling, Target,
    Trigger,
};
use crate::safety;
use crate::time::Millis;
use crate::warning::{Warned, cycle_of};

/// Facts from outside the directory that evaluation needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvalContext {
    /// The admin account automation acts as (always protected).
    pub acting_admin: Option<UserKey>,
    /// Deactivation times from our audit trail (the latest per user). Which
    /// of these and the host's wins is the settings' `deactivationTime`.
    pub audit_deactivations: Vec<(UserKey, Millis)>,
    /// The never-logged-in share (basis points) the previous run reported,
    /// for the health check's jump test.
    pub previous_never_logged_in_bp: Option<u32>,
    /// Evaluate only these policies (run now, `--policy`, the due ones); a
    /// policy named here is evaluated even when disabled. `None`: every
    /// enabled scheduled policy.
    pub only: Option<Vec<PolicyId>>,
    /// Force preview: nothing is applied whatever the policies' modes.
    pub preview: bool,
    /// The hash of a plan an admin approved despite the guard.
    pub approved_hash: Option<String>,
    /// Warnings already in the outbox (queued or delivered), by user and
    /// idle cycle: a policy with warnings acts only on users whose warning
    /// was delivered long enough ago ([`crate::warning`]).
    pub warned: Vec<Warned>,
    /// Exemptions (any state; lapsed ones at `now` are ignored): a policy
    /// skips the users they cover with [`SkipReason::Exempt`].
    pub exemptions: Vec<crate::exemption::Exemption>,
    /// Review-mode policies: the (policy, user) items an admin approved (or
    /// that timed out with "act"). Those users are acted on; every other
    /// user such a policy would act on is skipped with
    /// [`SkipReason::AwaitingReview`] (the service queues them).
    pub review_approved: Vec<(PolicyId, UserKey)>,
}

/// A bulk action by an admin, planned like a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct BulkRequest {
    /// Identifier of the request (e.g. the operation run).
    pub id: String,
    /// The admin asking.
    pub admin: UserKey,
    /// Safe (preview) or live.
    pub mode: Mode,
    /// What to do: any scheduled action, or `Reactivate` to activate.
    pub action: Action,
    /// The selected users.
    pub users: RoaringBitmap,
}

/// Evaluates the scheduled policies of `config` against `index` at `now`.
pub fn evaluate(config: &Config, index: &DirectoryIndex, now: Millis, ctx: &EvalContext) -> Plan {
    let mut ev = Evaluator::new(&config.settings, index, now, ctx);
    let mut outcomes = Vec::new();
    for policy in ordered_policies(config, ctx) {
        let source = ActionSource::Policy {
            id: policy.id.clone(),
        };
        let scope = ev.scope(policy, &source, true);
        ev.count_signals_of(policy, &source, true);
        let cond = ev.condition(&policy.condition, &scope, now);
        outcomes.push(ev.finish(policy, source, cond, true));
    }
    ev.into_plan(outcomes, ctx)
}

/// Plans an admin's bulk action with the same protections, read-only
/// handling, conflict rules and guard as a policy.
pub fn evaluate_bulk(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    ctx: &EvalContext,
    request: &BulkRequest,
) -> Plan {
    let mut ev = Evaluator::new(&config.settings, index, now, ctx);
    let source = ActionSource::Bulk {
        id: request.id.clone(),
        admin: request.admin.clone(),
    };
    let policy = Policy {
        id: PolicyId::from(format!("bulk:{}", request.id)),
        name: format!("bulk action {}", request.id),
        enabled: true,
        mode: request.mode,
        priority: 0,
        trigger: Trigger::Scheduler,
        scope: Default::default(),
        condition: Condition::Login,
        signals: None,
        action: request.action.clone(),
        warning: None,
        review: None,
    };
    let selected = &request.users & index.all_bitmap();
    let cond = Cond {
        matched: vec![MatchSet {
            basis: Basis::Selected,
            threshold_days: 0,
            users: selected,
        }],
        unknown_time: RoaringBitmap::new(),
        times: Vec::new(),
        warming: Vec::new(),
    };
    let outcome = ev.finish(&policy, source, cond, true);
    ev.into_plan(vec![outcome], ctx)
}

/// The scheduled policies to evaluate, in priority order.
pub(crate) fn ordered_policies<'c>(config: &'c Config, ctx: &EvalContext) -> Vec<&'c Policy> {
    let mut list: Vec<(usize, &Policy)> = config
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.action.is_login())
        .filter(|(_, p)| match &ctx.only {
            Some(ids) => ids.contains(&p.id),
            None => p.enabled,
        })
        .collect();
    list.sort_by(|(ia, a), (ib, b)| b.priority.cmp(&a.priority).then(ia.cmp(ib)));
    list.into_iter().map(|(_, p)| p).collect()
}

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
fn scan(column: &[i64], lo: i64, hi: i64) -> RoaringBitmap {
    RoaringBitmap::from_lsb0_bytes(0, &crate::scan::interval_bytes(column, lo, hi))
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
enum Column {
    /// The latest date among the signals of the mask (login alone by default).
    LastActivity(SignalMask),
    Created,
    Deactivated,
}

pub(crate) struct Evaluator<'a> {
    settings: &'a Settings,
    index: &'a DirectoryIndex,
    now: Millis,
    acting: Option<u32>,
    audit: HashMap<u32, i64>,
    /// Column scans by (column, cutoff), shared rather than copied: a
    /// whole-directory bitmap is 16 containers of 8 KB at 1M users, and
    /// copying one per policy was most of a 20-policy plan's time (the
    /// allocator's, issue 19).
    cache: HashMap<(Column, i64), Rc<RoaringBitmap>>,
    /// The signals counted for the policy being evaluated (its own choice,
    /// else the settings'); 0: none of its signals is recorded here.
    mask: SignalMask,
    /// The signals the settings count.
    settings_mask: SignalMask,
    /// Per mask in use, per user, the latest date among its signals; none
    /// for login alone (its column is used as is: no copy, no cost).
    combined: HashMap<SignalMask, Vec<i64>>,
    once: Option<Rc<RoaringBitmap>>,
    account_claims: Vec<(ActionSource, RoaringBitmap)>,
    group_claims: HashMap<GroupOrd, Vec<(ActionSource, bool, RoaringBitmap)>>,
    warnings: Vec<PlanWarning>,
    /// (user, idle cycle start) → delivery time of its warning (`None`:
    /// queued, not delivered).
    pub(crate) warned: HashMap<(u32, i64), Option<Millis>>,
    exempt: exempt::Exempt,
    approved: HashMap<PolicyId, RoaringBitmap>,
    renames: rename::Taken,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(
        settings: &'a Settings,
        index: &'a DirectoryIndex,
        now: Millis,
        ctx: &EvalContext,
    ) -> Evaluator<'a> {
        let acting = ctx
            .acting_admin
            .as_ref()
            .and_then(|k| index.index_of_key(k))
            .map(|i| i.0);
        let audit = ctx
            .audit_deactivations
            .iter()
            .filter_map(|(k, t)| index.index_of_key(k).map(|i| (i.0, t.0)))
            .collect();
        let mut warned: HashMap<(u32, i64), Option<Millis>> = HashMap::new();
        for w in &ctx.warned {
            let Some(i) = index.index_of_key(&w.user) else {
                continue;
            };
            // Two messages for one cycle (an older key format): the earliest
            // delivery counts.
            let slot = warned.entry((i.0, w.cycle.0)).or_insert(w.sent_at);
            *slot = match (*slot, w.sent_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        let mask = index.signal_mask(&settings.activity);
        Evaluator {
            settings,
            index,
            now,
            acting,
            audit,
            cache: HashMap::new(),
            mask,
            settings_mask: mask,
            combined: combined_activity(index, mask)
                .map(|c| HashMap::from([(mask, c)]))
                .unwrap_or_default(),
            once: None,
            account_claims: Vec::new(),
            group_claims: HashMap::new(),
            warnings: Vec::new(),
            warned,
            exempt: exempt::Exempt::new(index, &ctx.exemptions, now),
            approved: exempt::approvals(index, &ctx.review_approved),
            renames: rename::Taken::default(),
        }
    }

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

    /// Users who logged in exactly once (or, where logins are not counted,
    /// whose last login lies within the window after creation).
    fn once_logged_in(&mut self) -> Rc<RoaringBitmap> {
        if let Some(b) = &self.once {
            return Rc::clone(b);
        }
        let window = i64::from(self.settings.once_logged_in_window_hours) * 3_600_000;
        let idx = self.index;
        let mut bytes = vec![0u8; idx.login_count.len().div_ceil(8)];
        let rows = idx
            .login_count
            .iter()
            .zip(idx.last_login.iter())
            .zip(idx.created.iter());
        for (i, ((count, last), created)) in rows.enumerate() {
            let once = match *count {
                crate::index::UNKNOWN_COUNT => {
                    *last != NEVER && last.saturating_sub(*created) <= window
                }
                c => c == 1,
            };
            if once && let Some(b) = bytes.get_mut(i / 8) {
                *b |= 1 << (i % 8);
            }
        }
        let b = Rc::new(RoaringBitmap::from_lsb0_bytes(0, &bytes));
        self.once = Some(Rc::clone(&b));
        b
    }

    fn group(&mut self, source: &ActionSource, name: &GroupName, warn: bool) -> Option<GroupOrd> {
        let g = self.index.group_ord(name.as_str());
        if g.is_none() && warn {
            let w = PlanWarning::UnknownGroup {
                source: source.clone(),
                group: name.clone(),
            };
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        g
    }

    fn members(&self, g: GroupOrd) -> &'a RoaringBitmap {
        static EMPTY: std::sync::OnceLock<RoaringBitmap> = std::sync::OnceLock::new();
        self.index
            .group_bitmap_by_ord(g)
            .unwrap_or_else(|| EMPTY.get_or_init(RoaringBitmap::new))
    }

    /// Status ∩ directories ∩ target. The index's own active bitmap, not a
    /// copy, when nothing narrows it (see `cache`: a copy per policy was
    /// most of a plan's time); narrowed, only the intersection is made.
    pub(crate) fn scope(
        &mut self,
        p: &Policy,
        source: &ActionSource,
        warn: bool,
    ) -> Cow<'a, RoaringBitmap> {
        let mut scope: Cow<'a, RoaringBitmap> = match p.condition {
            Condition::Deactivated { .. } => Cow::Owned(self.index.deactivated_bitmap()),
            _ => Cow::Borrowed(self.index.active_bitmap()),
        };
        if let DirectorySelection::Only(ids) = &p.scope.directories {
            let mut dirs = RoaringBitmap::new();
            for id in ids {
                match self.index.directory_bitmap(*id) {
                    Some(b) => dirs |= b,
                    None if warn => self.warnings.push(PlanWarning::UnknownDirectory {
                        source: source.clone(),
                        directory: *id,
                    }),
                    None => {}
                }
            }
            scope = Cow::Owned(&*scope & &dirs);
        }
        if let Target::OnlyGroups(groups) = &p.scope.target {
            let mut members = RoaringBitmap::new();
            for name in groups {
                if let Some(g) = self.group(source, name, warn) {
                    members |= self.members(g);
                }
            }
            scope = Cow::Owned(&*scope & &members);
        }
        scope
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
                // "never logged in".
                let logged = scope & &*self.column_le(last_activity, i64::MAX);
                let once = match inact.once_logged_in_days {
                    Some(_) => &logged & &*self.once_logged_in(),
                    None => RoaringBitmap::new(),
                };
                let regular = &logged - &once;
                let idle = self.column_le(last_activity, at.minus_days(inact.days).0);
                out.matched.push(MatchSet {
                    basis: Basis::Inactive,
                    threshold_days: inact.days,
                    users: regular & &*idle,
                });
                if let Some(days) = inact.once_logged_in_days {
                    let idle = self.column_le(last_activity, at.minus_days(days).0);
                    out.matched.push(MatchSet {
                        basis: Basis::OnceLoggedIn,
                        threshold_days: days,
                        users: once & &*idle,
                    });
                }
                if let Some(days) = inact.never_logged_in_days {
                    let old = self.column_le(Column::Created, at.minus_days(days).0);
                    out.matched.push(MatchSet {
                        basis: Basis::NeverLoggedIn,
                        threshold_days: days,
                        users: (scope & &*self.never_active()) & &*old,
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
                    out.matched.push(MatchSet {
                        basis: Basis::Deactivated,
                        threshold_days: *days,
                        users: (scope & &*known) & &*old,
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

    /// Applies the action's effect, protections, read-only handling and
    /// (when `claim`) conflicts with higher-priority sources.
    pub(crate) fn finish(
        &mut self,
        p: &Policy,
        source: ActionSource,
        cond: Cond,
        claim: bool,
    ) -> Outcome {
        let index = self.index;
        let mut hits = RoaringBitmap::new();
        for m in &cond.matched {
            hits |= &m.users;
        }
        // The effect: what each user would get.
        let mut account_op = None;
        let mut account_users = RoaringBitmap::new();
        // Users the action cannot change in their current state, with why.
        let mut state_skips: Vec<(SkipReason, RoaringBitmap)> = Vec::new();
        let mut group_sets: Vec<(GroupOrd, bool, RoaringBitmap)> = Vec::new();
        let mut restricted_groups: Vec<(GroupName, GroupOrd)> = Vec::new();
        match &p.action {
            Action::Deactivate {
                rename_suffix,
                handover,
            } => {
                account_op = Some(AccountOp::Deactivate {
                    rename_suffix: rename_suffix.clone(),
                    handover: handover.clone(),
                });
                account_users = &hits & index.active_bitmap();
                if claim
                    && let Some(crate::operation::Handover::User(k)) = handover
                    && index.index_of_key(k).is_none_or(|i| !index.is_active(i))
                {
                    self.warnings.push(PlanWarning::HandoverUserMissing {
                        source: source.clone(),
                        user: k.clone(),
                    });
                }
            }
            Action::Suspend => {
                // Only users who still have access: a deactivated or already
                // suspended user is inactive, and suspending them changes
                // nothing. The suspended ones a bulk action named are
                // listed with their reason rather than dropped.
                account_op = Some(AccountOp::Suspend);
                account_users = &hits & index.active_bitmap();
                state_skips.push((
                    SkipReason::AlreadySuspended,
                    &hits & index.suspended_bitmap(),
                ));
            }
            Action::Restore => {
                // Only suspended users: restoring a deactivated account does
                // nothing in Cloud (it needs enabling), so those are listed
                // with their reason.
                account_op = Some(AccountOp::Restore);
                account_users = &hits & index.suspended_bitmap();
                state_skips.push((
                    SkipReason::NotSuspended,
                    (&hits - index.active_bitmap()) - index.suspended_bitmap(),
                ));
            }
            Action::Delete => {
                account_op = Some(AccountOp::Delete);
                account_users = hits.clone();
            }
            Action::RemoveGroups { groups } => {
                for name in groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, false, &hits & self.members(g)));
                    }
                }
            }
            Action::RemoveLicenceGroups { applications } => {
                for g in self.licence_group_ords(applications) {
                    group_sets.push((g, false, &hits & self.members(g)));
                }
            }
            Action::AddGroups { groups } => {
                for name in groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, true, &hits - self.members(g)));
                    }
                }
            }
            Action::Reactivate {
                restricted_groups: restricted,
                add_groups,
                remove_groups,
            } => {
                // Bulk "activate" (login reactivation has its own evaluator).
                for name in restricted {
                    if let Some(g) = self.group(&source, name, claim) {
                        restricted_groups.push((name.clone(), g));
                    }
                }
                account_op = Some(AccountOp::Activate);
                account_users = &hits - index.active_bitmap();
                for name in add_groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, true, &account_users - self.members(g)));
                    }
                }
                for name in remove_groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, false, &hits & self.members(g)));
                    }
                }
            }
            Action::FloatingLicence { .. } => {}
        }
        let mut effect = account_users.clone();
        for (_, _, set) in &group_sets {
            effect |= set;
        }

        // Protections.
        let mut skipped: Vec<SkipSet> = state_skips
            .into_iter()
            .filter(|(_, users)| !users.is_empty())
            .map(|(reason, users)| SkipSet { reason, users })
            .collect();
        let mut remaining = effect;
        let mut take =
            |reason: SkipReason, users: &RoaringBitmap, remaining: &mut RoaringBitmap| {
                let users = &*remaining & users;
                if !users.is_empty() {
                    *remaining -= &users;
                    skipped.push(SkipSet { reason, users });
                }
            };
        take(
            SkipReason::Sysadmin,
            index.sysadmins_bitmap(),
            &mut remaining,
        );
        if let Some(a) = self.acting {
            let mut b = RoaringBitmap::new();
            b.insert(a);
            take(SkipReason::ActingAdmin, &b, &mut remaining);
        }
        // A protection naming no group protects nobody: the plan says so.
        if claim {
            for name in &self.settings.protected_groups {
                let w = PlanWarning::UnknownProtectedGroup {
                    group: name.clone(),
                };
                if index.group_ord(name.as_str()).is_none() && !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
            }
            for name in &p.scope.exclude_groups {
                let _ = self.group(&source, name, true);
            }
        }
        let protected: Vec<&GroupName> = self
            .settings
            .protected_groups
            .iter()
            .chain(p.scope.exclude_groups.iter())
            .collect();
        for name in protected {
            if let Some(g) = index.group_ord(name.as_str()) {
                take(
                    SkipReason::ProtectedGroup {
                        group: name.clone(),
                    },
                    self.members(g),
                    &mut remaining,
                );
            }
        }
        for (name, g) in &restricted_groups {
            take(
                SkipReason::RestrictedGroup {
                    group: name.clone(),
                },
                &(self.members(*g) & &account_users),
                &mut remaining,
            );
        }

        // Exemptions spare users from policies (not from an admin's bulk
        // action, which names its users itself).
        if let ActionSource::Policy { id } = &source {
            for (reason, users) in self.exempt.for_policy(id) {
                take(reason.clone(), users, &mut remaining);
            }
        }

        // A rename onto a username another account holds cannot happen.
        if let Some(AccountOp::Deactivate {
            rename_suffix: Some(suffix),
            ..
        }) = &account_op
        {
            let candidates = &remaining & &account_users;
            for (i, holder) in self.renames.of(index, &candidates, suffix) {
                let mut one = RoaringBitmap::new();
                one.insert(i);
                take(
                    SkipReason::RenameTargetTaken { holder },
                    &one,
                    &mut remaining,
                );
            }
        }

        // Read-only directories.
        let mut extra_ops: Vec<(GroupOrd, RoaringBitmap)> = Vec::new();
        for dir in index.directories() {
            let caps = dir.capabilities;
            let ok = match &account_op {
                Some(AccountOp::Deactivate { rename_suffix, .. }) => {
                    caps.update_user && (rename_suffix.is_none() || caps.rename_user)
                }
                Some(AccountOp::Suspend | AccountOp::Restore) => caps.suspend_user,
                // A policy deletes managed accounts only: Cloud cannot
                // delete an external account, and removing it from the
                // directory instead is an admin's explicit bulk choice,
                // never a policy's ("delete after N days suspended").
                Some(AccountOp::Delete) => {
                    caps.delete_user
                        && !(matches!(source, ActionSource::Policy { .. })
                            && dir.kind == crate::model::DirectoryKind::CloudExternal)
                }
                Some(AccountOp::Activate) => caps.update_user && caps.update_membership,
                None => caps.update_membership,
            };
            if ok {
                continue;
            }
            let Some(dir_users) = index.directory_bitmap(dir.id) else {
                continue;
            };
            let users_d = &remaining & dir_users;
            if users_d.is_empty() {
                continue;
            }
            let membership_only = p.scope.read_only == ReadOnlyHandling::MembershipOnly
                && matches!(account_op, Some(AccountOp::Deactivate { .. }) | None);
            if !membership_only {
                take(refused(dir), &users_d, &mut remaining);
                continue;
            }
            let mut kept = RoaringBitmap::new();
            if account_op.is_some() {
                // Deactivate becomes "remove every changeable licence group".
                account_users -= &users_d;
                for (g, group) in index.groups().iter().enumerate() {
                    let Ok(g) = GroupOrd::try_from(g) else {
                        continue;
                    };
                    if index.is_licence_group(g) && dir.can_change_membership(&group.name) {
                        let set = &users_d & self.members(g);
                        if !set.is_empty() {
                            kept |= &set;
                            extra_ops.push((g, set));
                        }
                    }
                }
            } else {
                for (g, _, set) in &mut group_sets {
                    let changeable = index
                        .groups()
                        .get(*g as usize)
                        .is_some_and(|gr| dir.can_change_membership(&gr.name));
                    if changeable {
                        kept |= &*set & &users_d;
                    } else {
                        *set -= &users_d;
                    }
                }
            }
            take(refused(dir), &(users_d - kept), &mut remaining);
        }
        // A policy that promises a warning acts only on users warned long
        // enough ago (before conflicts: a user it waits for is not claimed).
        if claim && let Some(w) = &p.warning {
            for (acts_from, users) in self.not_warned(w, &cond, &remaining) {
                remaining -= &users;
                skipped.push(SkipSet {
                    reason: SkipReason::NotWarnedYet {
                        days_before: w.days_before,
                        acts_from,
                    },
                    users,
                });
            }
        }
        // Review mode: only approved users are acted on; the others wait on
        // the review list (not when computing warnings: they are warned as
        // a live policy's would be).
        if claim && p.mode == Mode::Review {
            let waiting = match self.approved.get(&p.id) {
                Some(ok) => &remaining - ok,
                None => remaining.clone(),
            };
            if !waiting.is_empty() {
                remaining -= &waiting;
                skipped.push(SkipSet {
                    reason: SkipReason::AwaitingReview,
                    users: waiting,
                });
            }
        }
        account_users &= &remaining;
        for (_, _, set) in &mut group_sets {
            *set &= &remaining;
        }
        for (g, set) in extra_ops {
            group_sets.push((g, false, set & &remaining));
        }

        // Conflicts with higher-priority sources.
        if claim {
            for (winner, claimed) in &self.account_claims {
                let c = &account_users & claimed;
                if !c.is_empty() {
                    account_users -= &c;
                    self.warnings.push(PlanWarning::Conflict {
                        winner: winner.clone(),
                        loser: source.clone(),
                        group: None,
                        users: c.len(),
                    });
                    skipped.push(SkipSet {
                        reason: SkipReason::Conflict {
                            winner: winner.clone(),
                            group: None,
                        },
                        users: c,
                    });
                }
            }
            for (g, add, set) in &mut group_sets {
                let Some(claims) = self.group_claims.get(g) else {
                    continue;
                };
                for (winner, other_add, claimed) in claims {
                    let c = &*set & claimed;
                    if c.is_empty() {
                        continue;
                    }
                    *set -= &c;
                    if other_add != add {
                        let group = index.groups().get(*g as usize).map(|gr| gr.name.clone());
                        self.warnings.push(PlanWarning::Conflict {
                            winner: winner.clone(),
                            loser: source.clone(),
                            group: group.clone(),
                            users: c.len(),
                        });
                        skipped.push(SkipSet {
                            reason: SkipReason::Conflict {
                                winner: winner.clone(),
                                group,
                            },
                            users: c,
                        });
                    }
                }
            }
            if account_op.is_some() && !account_users.is_empty() {
                self.account_claims
                    .push((source.clone(), account_users.clone()));
            }
            for (g, add, set) in &group_sets {
                if !set.is_empty() {
                    self.group_claims.entry(*g).or_default().push((
                        source.clone(),
                        *add,
                        set.clone(),
                    ));
                }
            }
        }
        if !cond.unknown_time.is_empty() {
            let users = &cond.unknown_time - index.sysadmins_bitmap();
            skipped.push(SkipSet {
                reason: SkipReason::DeactivationTimeUnknown,
                users,
            });
        }
        let mut times = cond.times;
        times.retain(|(i, _, _)| account_users.contains(*i));
        let mut outcome = Outcome {
            source,
            name: p.name.clone(),
            mode: p.mode,
            action: p.action.clone(),
            matched: cond.matched,
            account_op,
            account_users,
            group_ops: group_sets
                .into_iter()
                .filter(|(_, _, s)| !s.is_empty())
                .map(|(group, add, users)| GroupOp { group, add, users })
                .collect(),
            skipped,
            deactivation_times: times,
            signals: self.mask,
            warming: Vec::new(),
        };
        // Only the users this outcome acts on need confirming.
        let acted = outcome.acted_on();
        outcome.warming = cond
            .warming
            .into_iter()
            .map(|w| Warming {
                users: w.users & &acted,
                signal: w.signal,
            })
            .filter(|w| !w.users.is_empty())
            .collect();
        outcome
    }

    /// Of `users` (matched by `cond`), those a policy with warning `w` must
    /// not act on yet, grouped by the first day it may: warned (delivered)
    /// fewer than `days_before` days ago, or not delivered at all (`None`).
    /// Never-logged-in users are exempt when the policy does not warn them;
    /// users without a delivered warning are exempt when the admin chose to
    /// act at once.
    fn not_warned(
        &self,
        w: &crate::policy::WarningSettings,
        cond: &Cond,
        users: &RoaringBitmap,
    ) -> Vec<(Option<Millis>, RoaringBitmap)> {
        let today = self.now.day_number();
        let mut waiting: std::collections::BTreeMap<Option<Millis>, RoaringBitmap> =
            std::collections::BTreeMap::new();
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

    fn licence_group_ords(&self, applications: &[crate::model::ApplicationKey]) -> Vec<GroupOrd> {
        let index = self.index;
        let mut out: Vec<GroupOrd> = Vec::new();
        if applications.is_empty() {
            for g in 0..index.groups().len() {
                if let Ok(g) = GroupOrd::try_from(g)
                    && index.is_licence_group(g)
                {
                    out.push(g);
                }
            }
        } else {
            for (l, licence) in index.licences().iter().enumerate() {
                if applications.contains(&licence.application)
                    && let Some(gs) = index.licence_groups.get(l)
                {
                    out.extend(gs.iter().copied());
                }
            }
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    pub(crate) fn into_plan(self, outcomes: Vec<Outcome>, ctx: &EvalContext) -> Plan {
        let index = self.index;
        let mut plan = Plan {
            now: self.now,
            outcomes,
            warnings: self.warnings,
            guard: Vec::new(),
            health: Vec::new(),
            approved: false,
            forced_preview: ctx.preview,
        };
        let counted = plan.guarded_accounts();
        plan.guard = safety::guard(
            &self.settings.guard,
            counted.len(),
            index.licensed_bitmap().len(),
        );
        plan.guard.extend(safety::warming_trips(&plan, &counted));
        plan.health = safety::health_check(
            &self.settings.health,
            index,
            index.signal_mask(&self.settings.activity),
            self.now,
            ctx.previous_never_logged_in_bp,
        )
        .problems;
        if !plan.guard.is_empty()
            && let Some(approved) = &ctx.approved_hash
        {
            plan.approved = plan.hash(index) == *approved;
        }
        plan
    }
}

/// Resolves user keys to an index selection (unknown keys are ignored and
/// Why a directory's users are skipped when it refuses the write: a Cloud
/// organization's external accounts have a reason of their own (the
/// organization does not manage them; it can only suspend them), every
/// other refusal is the directory's.
fn refused(dir: &crate::model::Directory) -> SkipReason {
    match dir.kind {
        crate::model::DirectoryKind::CloudExternal => {
            SkipReason::ExternalAccount { directory: dir.id }
        }
        _ => SkipReason::ReadOnlyDirectory { directory: dir.id },
    }
}

/// returned separately), for bulk callers.
pub fn select_keys(index: &DirectoryIndex, keys: &[UserKey]) -> (RoaringBitmap, Vec<UserKey>) {
    let mut selected = RoaringBitmap::new();
    let mut unknown = Vec::new();
    for k in keys {
        match index.index_of_key(k) {
            Some(UserIdx(i)) => {
                selected.insert(i);
            }
            None => unknown.push(k.clone()),
        }
    }
    (selected, unknown)
}
