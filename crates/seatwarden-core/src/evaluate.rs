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

mod condition;
mod exempt;
mod flat;
mod groups;
mod rename;
pub(crate) use rename::rename_target;
mod signals;
mod warned;

pub(crate) use condition::Cond;
use condition::{Column, scan};
use groups::refused;
pub(crate) use signals::combined_activity;

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use roaring::RoaringBitmap;

use crate::config::{Config, Settings};
use crate::index::{DirectoryIndex, GroupOrd, SignalMask, UserIdx};
use crate::model::{GroupName, UserKey};
use crate::plan::{
    AccountOp, ActionSource, Basis, GroupOp, MatchSet, Outcome, Plan, PlanWarning, SkipReason,
    SkipSet, Warming,
};
use crate::policy::{Action, Condition, Mode, Policy, PolicyId, ReadOnlyHandling, Trigger};
use crate::safety;
use crate::time::Millis;
use crate::warning::Warned;

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
    let policies = ordered_policies(config, ctx);
    ev.prefetch(&policies, now);
    for policy in policies {
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
    /// Per combined mask, the users with no value for any of its signals.
    never: HashMap<SignalMask, Rc<RoaringBitmap>>,
    /// Every user minus the active ones, once made (the delete policies'
    /// scope).
    deactivated: Option<Rc<RoaringBitmap>>,
    /// Per (signal, end), the users a warming signal cannot vouch for
    /// (`signals.rs`), scanned once and shared.
    unvouched: HashMap<(usize, i64), Rc<RoaringBitmap>>,
    account_claims: Vec<(ActionSource, RoaringBitmap)>,
    group_claims: HashMap<GroupOrd, Vec<(ActionSource, bool, RoaringBitmap)>>,
    warnings: Vec<PlanWarning>,
    /// (user, idle cycle start) → delivery time of its warning (`None`:
    /// queued, not delivered).
    pub(crate) warned: HashMap<(u32, i64), Option<Millis>>,
    exempt: exempt::Exempt,
    approved: HashMap<PolicyId, RoaringBitmap>,
    /// The index's bitmaps without run containers, expanded once
    /// (`flat.rs`).
    flat: flat::Flat,
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
            never: HashMap::new(),
            deactivated: None,
            unvouched: HashMap::new(),
            account_claims: Vec::new(),
            group_claims: HashMap::new(),
            warnings: Vec::new(),
            warned,
            exempt: exempt::Exempt::new(index, &ctx.exemptions, now),
            approved: exempt::approvals(index, &ctx.review_approved),
            flat: flat::Flat::default(),
        }
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
        // Most conditions match one set: borrowed, not copied.
        let hits: Cow<'_, RoaringBitmap> = match cond.matched.as_slice() {
            [one] => Cow::Borrowed(&one.users),
            many => {
                let mut all = RoaringBitmap::new();
                for m in many {
                    all |= &m.users;
                }
                Cow::Owned(all)
            }
        };
        let hits = &*hits;
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
                account_users = hits & &*self.active();
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
                account_users = hits & &*self.active();
                state_skips.push((
                    SkipReason::AlreadySuspended,
                    hits & index.suspended_bitmap(),
                ));
            }
            Action::Restore => {
                // Only suspended users: restoring a deactivated account does
                // nothing in Cloud (it needs enabling), so those are listed
                // with their reason.
                account_op = Some(AccountOp::Restore);
                account_users = hits & index.suspended_bitmap();
                state_skips.push((
                    SkipReason::NotSuspended,
                    (hits - &*self.active()) - index.suspended_bitmap(),
                ));
            }
            Action::Delete => {
                account_op = Some(AccountOp::Delete);
                account_users = hits.clone();
            }
            Action::RemoveGroups { groups } => {
                for name in groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, false, hits & &*self.members(g)));
                    }
                }
            }
            Action::RemoveLicenceGroups { applications } => {
                for g in self.licence_group_ords(applications) {
                    group_sets.push((g, false, hits & &*self.members(g)));
                }
            }
            Action::AddGroups { groups } => {
                for name in groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, true, hits - &*self.members(g)));
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
                account_users = hits - &*self.active();
                for name in add_groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, true, &account_users - &*self.members(g)));
                    }
                }
                for name in remove_groups {
                    if let Some(g) = self.group(&source, name, claim) {
                        group_sets.push((g, false, hits & &*self.members(g)));
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
                    &self.members(g),
                    &mut remaining,
                );
            }
        }
        for (name, g) in &restricted_groups {
            take(
                SkipReason::RestrictedGroup {
                    group: name.clone(),
                },
                &(&*self.members(*g) & &account_users),
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
            let held = rename::taken_among(index, &remaining, &account_users, suffix);
            for (i, holder) in held {
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
            let Some(dir_users) = self.directory_users(dir.id) else {
                continue;
            };
            let users_d = &remaining & &*dir_users;
            if users_d.is_empty() {
                continue;
            }
            let membership_only = p.scope.read_only == ReadOnlyHandling::MembershipOnly
                && matches!(account_op, Some(AccountOp::Deactivate { .. }) | None);
            // `users_d` lies within `remaining`: it is skipped as it is (the
            // general `take` would intersect the two again).
            if !membership_only {
                remaining -= &users_d;
                skipped.push(SkipSet {
                    reason: refused(dir),
                    users: users_d,
                });
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
                        let set = &users_d & &*self.members(g);
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
            let refused_users = users_d - kept;
            if !refused_users.is_empty() {
                remaining -= &refused_users;
                skipped.push(SkipSet {
                    reason: refused(dir),
                    users: refused_users,
                });
            }
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
                // Most pairs share nobody (a delete policy's deactivated
                // users and a deactivation's active ones): asked without
                // making the empty intersection.
                if account_users.is_disjoint(claimed) {
                    continue;
                }
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
                    if set.is_disjoint(claimed) {
                        continue;
                    }
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
        // Only the users this outcome acts on need confirming (and with no
        // signal warming up, there is nothing to narrow).
        if !cond.warming.is_empty() {
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
        }
        outcome
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
