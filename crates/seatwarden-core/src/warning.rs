//! Warnings before action: who should be told, N days ahead, that a policy
//! will act on them.
//!
//! A user is due a warning from a policy when the policy would act on them
//! at `now + daysBefore` but does not act on them at `now`: they are inside
//! the warning window. Protection, read-only directories and the action's
//! effect apply exactly as for the plan (a protected user is never warned;
//! someone not in the group a revoke policy removes is not warned either).
//! Never-logged-in users are warned only when the policy's separate switch is
//! on.
//!
//! Every due warning carries a **de-duplication key** `(policy, user,
//! cycle)`: the cycle is the instant the idle period started (last login,
//! account creation for never-logged-in users, deactivation for delete
//! policies). The mail outbox sends each key once, so a scheduler running
//! daily through the window warns once, and a user who logs in and goes idle
//! again starts a new cycle and is warned again. If the scheduler missed the
//! first day of the window, the user is still warned on a later day.
//!
//! **Nobody is acted on without the notice (issue 24).** A policy with a
//! warning acts on a user only when that user's warning for the current
//! cycle was *delivered* at least `daysBefore` days earlier (day
//! granularity, UTC): the engine skips everyone else with
//! [`crate::plan::SkipReason::NotWarnedYet`]. So users already past the
//! threshold when the policy goes live (or when its warning is switched
//! on) are warned first, like everyone else, and acted on `daysBefore`
//! days after their mail went out; a warning stuck in the outbox (no mail
//! server) holds the action instead of letting it happen silently. The
//! policy's `actOnOverdueAtOnce` switch is the explicit way out: users
//! without a delivered warning are then acted on at once. Never-logged-in
//! users are waited for only when the policy warns them.
//!
//! **One warning per user and cycle.** A user matched by two policies of
//! the same cycle (deactivate after 90 days, revoke licences after 60) gets
//! one mail, from the first policy in priority order; a user with any
//! warning already queued or delivered for the cycle gets none. The policies
//! of a delete (counted from deactivation) have their own cycle.

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::evaluate::{Cond, EvalContext, Evaluator, ordered_policies};
use crate::index::{DirectoryIndex, SignalMask, UserIdx};
use crate::model::UserKey;
use crate::plan::{ActionSource, Basis, MatchSet, TimeSource, key_of};
use crate::policy::PolicyId;
use crate::time::{DAY_MS, Millis};

/// One warning email that is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarningDue {
    /// The policy that will act.
    pub policy: PolicyId,
    /// The user.
    pub user: UserKey,
    /// Which fact will make the policy act.
    pub basis: Basis,
    /// When the idle period began (last login, creation or deactivation).
    pub cycle: Millis,
    /// When the policy will act (the start of the first day the threshold is met).
    pub acts_at: Millis,
    /// The policy's warning lead time.
    pub days_before: u32,
    /// The mail template, if the policy names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// `policy/user-key/cycle-ms`: send each once.
    pub dedup_key: String,
}

/// A warning already in the outbox for `user`'s idle cycle `cycle`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warned {
    /// The user.
    pub user: UserKey,
    /// The cycle (when the idle period began), as [`WarningDue::cycle`].
    pub cycle: Millis,
    /// When it was delivered; `None` while it is queued or failing.
    pub sent_at: Option<Millis>,
}

/// When user `idx`'s idle period on `basis` began: last activity by the
/// counted `signals`, creation,
/// or deactivation (`times`: the audit trail's deactivation times, sorted
/// by user, else the host's).
pub(crate) fn cycle_of(
    index: &DirectoryIndex,
    idx: u32,
    basis: Basis,
    times: &[(u32, Millis, TimeSource)],
    signals: SignalMask,
) -> Option<Millis> {
    let user = UserIdx(idx);
    match basis {
        Basis::Inactive | Basis::OnceLoggedIn => index.last_activity(user, signals),
        Basis::NeverLoggedIn => Some(index.created(user)),
        Basis::Deactivated => match times.binary_search_by_key(&idx, |(i, _, _)| *i) {
            Ok(pos) => times.get(pos).map(|(_, t, _)| *t),
            Err(_) => index.deactivated_at(user),
        },
        Basis::Selected => None,
    }
}

/// The warnings due at `now` for the scheduled policies of `config`.
pub fn due_warnings(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    ctx: &EvalContext,
) -> Vec<WarningDue> {
    let mut ev = Evaluator::new(&config.settings, index, now, ctx);
    // (user, cycle) already warned: in the outbox, or earlier in this call.
    let mut warned: std::collections::HashSet<(u32, i64)> = ev.warned.keys().copied().collect();
    let today = now.day_number();
    let mut out = Vec::new();
    for policy in ordered_policies(config, ctx) {
        let Some(warning) = &policy.warning else {
            continue;
        };
        let source = ActionSource::Policy {
            id: policy.id.clone(),
        };
        let scope = ev.scope(policy, &source, false);
        ev.count_signals_of(policy, &source, false);
        // Everyone the policy acts on within `daysBefore` days, including
        // those it would act on today (overdue users are warned first).
        let later = ev.condition(
            &policy.condition,
            &scope,
            now.plus_days(warning.days_before),
        );
        let matched: Vec<MatchSet> = later
            .matched
            .into_iter()
            .filter(|m| warning.never_logged_in || m.basis != Basis::NeverLoggedIn)
            .collect();
        // Acting at once on the overdue: those acted on today get no
        // warning that would name a later date.
        let mut overdue = RoaringBitmap::new();
        if warning.act_on_overdue_at_once {
            for m in ev.condition(&policy.condition, &scope, now).matched {
                overdue |= m.users;
            }
        }
        let matched: Vec<MatchSet> = matched
            .into_iter()
            .map(|m| MatchSet {
                users: m.users - &overdue,
                ..m
            })
            .collect();
        let cond = Cond {
            matched,
            unknown_time: RoaringBitmap::new(),
            times: later.times,
            warming: later.warming,
        };
        let outcome = ev.finish(policy, source, cond, false);
        let earliest = Millis(
            today
                .saturating_add(i64::from(warning.days_before))
                .saturating_mul(DAY_MS),
        );
        let mut rows: Vec<(&str, WarningDue)> = Vec::new();
        for idx in &outcome.acted_on() {
            let Some((basis, threshold)) = outcome.basis_of(idx) else {
                continue;
            };
            let user = UserIdx(idx);
            let cycle = match basis {
                Basis::Deactivated => outcome.deactivation_time(index, idx).map(|(t, _)| t),
                other => cycle_of(index, idx, other, &[], outcome.signals),
            };
            let Some(cycle) = cycle else { continue };
            if !warned.insert((idx, cycle.0)) {
                continue;
            }
            // Not before the threshold, and not before the warning has
            // been out `daysBefore` days (the engine waits that long).
            let acts_at = Millis(
                cycle
                    .0
                    .saturating_add(i64::from(threshold).saturating_mul(DAY_MS)),
            )
            .max(earliest);
            let key = key_of(index, idx);
            rows.push((
                index.key(user),
                WarningDue {
                    dedup_key: format!("{}/{}/{}", policy.id, key, cycle.0),
                    policy: policy.id.clone(),
                    user: key,
                    basis,
                    cycle,
                    acts_at,
                    days_before: warning.days_before,
                    template: warning.template.clone(),
                },
            ));
        }
        rows.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(rows.into_iter().map(|(_, w)| w));
    }
    out
}

/// What a policy's warning rule does to a plan, for the policy editor: how
/// many users wait for their warning, and from which day they may be acted
/// on ("163 users are overdue: warned first, acted on from 2026-12-13").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarningNotice {
    /// The policy.
    pub policy: PolicyId,
    /// Users waiting.
    pub users: u64,
    /// Whether their warning is delivered already (else: not yet sent, or
    /// still in the outbox).
    pub warned: bool,
    /// The first day they may be acted on: the delivery day plus the lead
    /// time, or for those not yet warned, today plus the lead time if the
    /// warning goes out today.
    pub acts_from: Millis,
    /// The sentence the editor shows.
    pub text: String,
}

/// The notices of `plan`, one per (policy, first day), earliest first.
pub fn notices(plan: &crate::plan::Plan) -> Vec<WarningNotice> {
    let today = plan.now.day_number();
    let mut out = Vec::new();
    for outcome in &plan.outcomes {
        let ActionSource::Policy { id } = &outcome.source else {
            continue;
        };
        for set in &outcome.skipped {
            let crate::plan::SkipReason::NotWarnedYet {
                days_before,
                acts_from,
            } = &set.reason
            else {
                continue;
            };
            let users = set.users.len();
            let (warned, at) = match acts_from {
                Some(at) => (true, *at),
                None => (
                    false,
                    Millis(
                        today
                            .saturating_add(i64::from(*days_before))
                            .saturating_mul(DAY_MS),
                    ),
                ),
            };
            let who = if users == 1 {
                "1 user".to_owned()
            } else {
                format!("{users} users")
            };
            let text = if warned {
                format!(
                    "{who} {} warned: acted on from {}",
                    if users == 1 { "was" } else { "were" },
                    at.date_string()
                )
            } else {
                format!(
                    "{who} {} overdue: warned first, acted on from {} at the earliest ({days_before} days after the warning is delivered)",
                    if users == 1 { "is" } else { "are" },
                    at.date_string()
                )
            };
            out.push(WarningNotice {
                policy: id.clone(),
                users,
                warned,
                acts_from: at,
                text,
            });
        }
    }
    out.sort_by_key(|n| (n.acts_from, n.warned));
    out
}
