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

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::evaluate::{Cond, EvalContext, Evaluator, ordered_policies};
use crate::index::{DirectoryIndex, UserIdx};
use crate::model::UserKey;
use crate::plan::{ActionSource, Basis, MatchSet, key_of};
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

/// The warnings due at `now` for the scheduled policies of `config`.
pub fn due_warnings(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    ctx: &EvalContext,
) -> Vec<WarningDue> {
    let mut ev = Evaluator::new(&config.settings, index, now, ctx);
    let mut out = Vec::new();
    for policy in ordered_policies(config, ctx) {
        let Some(warning) = &policy.warning else {
            continue;
        };
        let source = ActionSource::Policy {
            id: policy.id.clone(),
        };
        let scope = ev.scope(policy, &source, false);
        let later = ev.condition(
            &policy.condition,
            &scope,
            now.plus_days(warning.days_before),
        );
        let current = ev.condition(&policy.condition, &scope, now);
        let mut already = RoaringBitmap::new();
        for m in &current.matched {
            already |= &m.users;
        }
        let matched: Vec<MatchSet> = later
            .matched
            .into_iter()
            .filter(|m| warning.never_logged_in || m.basis != Basis::NeverLoggedIn)
            .map(|m| MatchSet {
                users: m.users - &already,
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
        let mut rows: Vec<(&str, WarningDue)> = Vec::new();
        for idx in &outcome.acted_on() {
            let Some((basis, threshold)) = outcome.basis_of(idx) else {
                continue;
            };
            let user = UserIdx(idx);
            let cycle = match basis {
                Basis::Inactive | Basis::OnceLoggedIn => index.last_activity(user, outcome.signals),
                Basis::NeverLoggedIn => Some(index.created(user)),
                Basis::Deactivated => outcome.deactivation_time(index, idx).map(|(t, _)| t),
                Basis::Selected => None,
            };
            let Some(cycle) = cycle else { continue };
            let acts_at = Millis(
                cycle
                    .0
                    .saturating_add(i64::from(threshold).saturating_mul(DAY_MS)),
            );
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
