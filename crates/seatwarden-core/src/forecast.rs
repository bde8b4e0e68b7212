//! Forecast: the seats the enabled policies would free on each of the next days.
//!
//! Why this can be computed at all: evaluation is a pure function of
//! `(policies, directory, now)`, so "what would the plan of day *d* free" is the
//! plan of `now + d` over the same directory, under the assumption that nobody
//! logs in again (an **upper bound**: every login only removes candidates).
//!
//! Why it is not computed as 90 plans: a plan at 1M users takes tens of
//! milliseconds, and 90 of them miss the 0.5 s budget. Under "nobody logs in
//! again" every condition is monotone in time and everything else a plan
//! decides (scope, protections, read-only directories, rename collisions) does
//! not depend on the instant. So the forecast evaluates each policy **once**, at
//! the horizon's last day, without conflicts (they never change whether a seat
//! is freed: two account operations both free it, and a group added and removed
//! can never concern the same user, since an add targets non-members and a
//! removal members), and then computes for each user acted on the first day the
//! condition holds: the crossing day `⌈(last activity + threshold − now) / day⌉`,
//! the very comparison the evaluator makes. A seat of application *A* is freed
//! on the first day its holder's account is deactivated, suspended or deleted,
//! or every licence group of *A* the holder is in has been removed.
//!
//! Warnings: a policy that warns first acts on a user `daysBefore` days after the
//! warning was delivered. A delivered warning gives that day exactly; a user not
//! warned yet is assumed warned by the scheduler as soon as they come within
//! `daysBefore` days of the threshold, so acted on at `max(crossing, daysBefore)`.
//!
//! The **likely** curve discounts the upper bound by the return rate observed
//! over the last 90 days (`r`: the share of accounts freed by runs that came back
//! at login within the window, measured by the service from the audit trail): a
//! seat that would be freed in *k* days stays taken with probability
//! `1 − (1 − r)^(k/90)` — its holder logs in again first. Day 0 is the plan of
//! now in both curves. Without freed accounts in the window there is no rate,
//! and the forecast says so instead of guessing.

mod history;
mod seats;
mod whatif;

pub use history::{
    GROWTH_WINDOW_DAYS, LicenceDay, MIN_HISTORY_DAYS, RETENTION_DAYS, RunOut, SeatFigures,
    licence_days, run_out,
};
pub use seats::{SeatsFreed, freed_by_plan};
pub use whatif::{LATER_DAYS, WhatIf, WhatIfSeats, what_if};

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::evaluate::{EvalContext, Evaluator, ordered_policies};
use crate::index::{DirectoryIndex, GroupOrd};
use crate::model::{ApplicationKey, SeatLimit};
use crate::plan::{AccountOp, ActionSource, Basis, Outcome};
use crate::policy::Policy;
use crate::time::{DAY_MS, Millis};
use crate::warning::cycle_of;

/// The default and largest horizon, in days.
pub const HORIZON_DAYS: u32 = 90;

/// The window the return rate is observed over, in days.
pub const RETURN_WINDOW_DAYS: u32 = 90;

/// "Never within the horizon" in the per-user day arrays.
const NEVER_DAY: u8 = u8::MAX;

/// One application's forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationForecast {
    /// Application key.
    pub application: ApplicationKey,
    /// Display name.
    pub name: String,
    /// The licence's limit.
    pub limit: SeatLimit,
    /// Seats in use now (counted from the index).
    pub seats_used: u64,
    /// Upper bound: seats the plan of day `d` would free, `d = 0..=horizon`
    /// (cumulative, so monotone; nobody logs in again).
    pub upper: Vec<u64>,
    /// Likely case (the upper bound discounted by the observed return rate);
    /// `None` without a rate.
    pub likely: Option<Vec<u64>>,
}

/// The forecast of every licensed application.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Forecast {
    /// The instant of day 0.
    pub now: Millis,
    /// Days forecast after day 0.
    pub horizon_days: u32,
    /// The return rate the likely curve assumes (0..=1), `None` when the last
    /// 90 days freed no account to observe one.
    pub return_rate: Option<f64>,
    /// Per licence, in the index's order.
    pub applications: Vec<ApplicationForecast>,
}

/// Per user, the first forecast day each seat-relevant effect happens.
struct Effects {
    /// Day the account is deactivated, suspended or deleted.
    account: Vec<u8>,
    /// Per licence group: day the user is removed from it.
    removed: Vec<(GroupOrd, Vec<u8>)>,
    /// Users with any effect.
    touched: RoaringBitmap,
}

impl Effects {
    fn new(users: usize) -> Effects {
        Effects {
            account: vec![NEVER_DAY; users],
            removed: Vec::new(),
            touched: RoaringBitmap::new(),
        }
    }

    /// The removal days of licence group `g`, created on first use.
    fn removed_mut(&mut self, g: GroupOrd, users: usize) -> Option<&mut Vec<u8>> {
        let pos = match self.removed.iter().position(|(o, _)| *o == g) {
            Some(p) => p,
            None => {
                self.removed.push((g, vec![NEVER_DAY; users]));
                self.removed.len() - 1
            }
        };
        self.removed.get_mut(pos).map(|(_, days)| days)
    }
}

fn lower(slot: Option<&mut u8>, day: u8) {
    if let Some(s) = slot {
        *s = (*s).min(day);
    }
}

/// The first day in `0..=horizon` at which `value ≤ now + d − threshold`.
fn crossing_day(value: Millis, threshold: u32, now: Millis, horizon: u32) -> u8 {
    let need = value
        .0
        .saturating_add(i64::from(threshold).saturating_mul(DAY_MS))
        .saturating_sub(now.0);
    let day = if need <= 0 {
        0
    } else {
        need.div_euclid(DAY_MS) + i64::from(need.rem_euclid(DAY_MS) != 0)
    };
    u8::try_from(day.min(i64::from(horizon))).unwrap_or(NEVER_DAY)
}

/// Evaluates `policies` once at the horizon and records, per user, the day
/// each seat-relevant effect starts.
fn effects(
    config: &Config,
    policies: &[&Policy],
    index: &DirectoryIndex,
    now: Millis,
    horizon: u32,
    ctx: &EvalContext,
) -> Effects {
    let n = index.last_login.len();
    let end = now.plus_days(horizon);
    let mut ev = Evaluator::new(&config.settings, index, end, ctx);
    let mut out = Effects::new(n);
    let mut day_of = vec![NEVER_DAY; n];
    let today = now.day_number();
    // The latest counted activity per user, read once (not per user and policy).
    let mask = index.signal_mask(&config.settings.activity);
    let combined = crate::evaluate::combined_activity(index, mask);
    let activity: &[i64] = combined.as_deref().unwrap_or(&index.last_login);
    for policy in policies {
        let source = ActionSource::Policy {
            id: policy.id.clone(),
        };
        let scope = ev.scope(policy, &source, false);
        let cond = ev.condition(&policy.condition, &scope, end);
        let outcome = ev.finish(policy, source, cond, false);
        let acted = outcome.acted_on();
        if acted.is_empty() {
            continue;
        }
        for m in &outcome.matched {
            for u in &(&m.users & &acted) {
                let column = match m.basis {
                    Basis::Inactive | Basis::OnceLoggedIn => Some(activity),
                    Basis::NeverLoggedIn => Some(&index.created[..]),
                    Basis::Deactivated | Basis::Selected => None,
                };
                let day = match column.map(|c| c.get(u as usize).copied()) {
                    Some(Some(v)) if v != crate::index::NEVER => {
                        crossing_day(Millis(v), m.threshold_days, now, horizon)
                    }
                    Some(_) => continue,
                    None => {
                        match first_day(index, &outcome, m.basis, m.threshold_days, u, now, horizon)
                        {
                            Some(d) => d,
                            None => continue,
                        }
                    }
                };
                let day = match &policy.warning {
                    Some(w) if m.basis != Basis::NeverLoggedIn || w.never_logged_in => {
                        warned_day(&ev, w, &outcome, m.basis, u, day, today, index)
                    }
                    _ => day,
                };
                if let Some(slot) = day_of.get_mut(u as usize) {
                    *slot = day;
                }
            }
        }
        let day = |u: u32| day_of.get(u as usize).copied().unwrap_or(NEVER_DAY);
        if matches!(
            outcome.account_op,
            Some(AccountOp::Deactivate { .. } | AccountOp::Suspend | AccountOp::Delete)
        ) {
            let freeing = &outcome.account_users & index.active_bitmap();
            for u in &freeing {
                lower(out.account.get_mut(u as usize), day(u));
            }
            out.touched |= freeing;
        }
        for op in outcome.group_ops.iter().filter(|op| !op.add) {
            if !index.is_licence_group(op.group) {
                continue;
            }
            let days: Vec<(u32, u8)> = op.users.iter().map(|u| (u, day(u))).collect();
            if let Some(removed) = out.removed_mut(op.group, n) {
                for (u, d) in days {
                    lower(removed.get_mut(u as usize), d);
                }
            }
            out.touched |= &op.users;
        }
    }
    out
}

/// The crossing day of user `u` for one matched basis.
fn first_day(
    index: &DirectoryIndex,
    outcome: &Outcome,
    basis: Basis,
    threshold: u32,
    u: u32,
    now: Millis,
    horizon: u32,
) -> Option<u8> {
    let value = match basis {
        Basis::Deactivated => outcome.deactivation_time(index, u).map(|(t, _)| t)?,
        Basis::Selected => return Some(0),
        other => cycle_of(index, u, other, &[], outcome.signals)?,
    };
    Some(crossing_day(value, threshold, now, horizon))
}

/// The day a warning policy may act on user `u` who crosses on `day`: a
/// delivered warning's day plus `daysBefore`; without one, warned when they
/// come within `daysBefore` days, so `max(day, daysBefore)`.
#[expect(clippy::too_many_arguments, reason = "one private helper of `effects`")]
fn warned_day(
    ev: &Evaluator<'_>,
    w: &crate::policy::WarningSettings,
    outcome: &Outcome,
    basis: Basis,
    u: u32,
    day: u8,
    today: i64,
    index: &DirectoryIndex,
) -> u8 {
    let cycle = match basis {
        Basis::Deactivated => outcome.deactivation_time(index, u).map(|(t, _)| t),
        other => cycle_of(
            index,
            u,
            other,
            &outcome.deactivation_times,
            outcome.signals,
        ),
    };
    let sent = cycle.and_then(|c| ev.warned.get(&(u, c.0)).copied().flatten());
    let wait = match sent {
        Some(sent) => sent.day_number() + i64::from(w.days_before) - today,
        None if w.act_on_overdue_at_once => 0,
        None => i64::from(w.days_before),
    };
    let wait = u8::try_from(wait.clamp(0, i64::from(NEVER_DAY))).unwrap_or(NEVER_DAY);
    day.max(wait)
}

/// Per licence, how many seats are freed on each day `0..=horizon`
/// (not cumulative).
fn freed_per_day(index: &DirectoryIndex, fx: &Effects, horizon: u32) -> Vec<Vec<u64>> {
    let days = horizon as usize + 1;
    let mut out = Vec::with_capacity(index.licences().len());
    for l in 0..index.licences().len() {
        let mut per_day = vec![0u64; days];
        let groups: &[GroupOrd] = index.licence_groups.get(l).map_or(&[], Vec::as_slice);
        let removals: Vec<(Option<&roaring::RoaringBitmap>, Option<&Vec<u8>>)> = groups
            .iter()
            .map(|g| {
                (
                    index.group_bitmap_by_ord(*g),
                    fx.removed.iter().find(|(o, _)| o == g).map(|(_, d)| d),
                )
            })
            .collect();
        let candidates = index.licence_seat_holders(l) & &fx.touched;
        for u in &candidates {
            let account = fx.account.get(u as usize).copied().unwrap_or(NEVER_DAY);
            // The seat goes when the last of the user's licence groups goes.
            let mut groups_gone = 0u8;
            for (members, removed) in &removals {
                if members.is_some_and(|m| m.contains(u)) {
                    let d = removed
                        .and_then(|r| r.get(u as usize).copied())
                        .unwrap_or(NEVER_DAY);
                    groups_gone = groups_gone.max(d);
                }
            }
            let day = account.min(groups_gone);
            if let Some(slot) = per_day.get_mut(usize::from(day)) {
                *slot += 1;
            }
        }
        out.push(per_day);
    }
    out
}

/// The forecast of the enabled scheduled policies of `config` (or of
/// `ctx.only`) over `horizon` days (at most [`HORIZON_DAYS`]) after `now`.
/// `return_rate` is the observed share of freed accounts that came back within
/// [`RETURN_WINDOW_DAYS`] (clamped to 0..=1); `None` leaves out the likely curve.
pub fn forecast(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    horizon: u32,
    ctx: &EvalContext,
    return_rate: Option<f64>,
) -> Forecast {
    let horizon = horizon.min(HORIZON_DAYS);
    let policies = ordered_policies(config, ctx);
    let fx = effects(config, &policies, index, now, horizon, ctx);
    let rate = return_rate
        .filter(|r| r.is_finite())
        .map(|r| r.clamp(0.0, 1.0));
    let applications = freed_per_day(index, &fx, horizon)
        .into_iter()
        .zip(index.licences())
        .enumerate()
        .map(|(l, (per_day, lic))| {
            let upper = cumulative(&per_day);
            let likely = rate.map(|r| {
                let mut acc = 0.0f64;
                per_day
                    .iter()
                    .enumerate()
                    .map(|(k, &n)| {
                        let stays = (1.0 - r).powf(k as f64 / f64::from(RETURN_WINDOW_DAYS));
                        acc += n as f64 * stays;
                        acc.round() as u64
                    })
                    .collect()
            });
            ApplicationForecast {
                application: lic.application.clone(),
                name: lic.name.clone(),
                limit: lic.limit,
                seats_used: index.licence_seat_holders(l).len(),
                upper,
                likely,
            }
        })
        .collect();
    Forecast {
        now,
        horizon_days: horizon,
        return_rate: rate,
        applications,
    }
}

fn cumulative(per_day: &[u64]) -> Vec<u64> {
    let mut acc = 0u64;
    per_day
        .iter()
        .map(|n| {
            acc += n;
            acc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_day_matches_the_evaluators_comparison() {
        let now = Millis(100 * DAY_MS + 5);
        // Idle exactly the threshold now: day 0.
        assert_eq!(crossing_day(Millis(10 * DAY_MS + 5), 90, now, 90), 0);
        // One millisecond short: tomorrow.
        assert_eq!(crossing_day(Millis(10 * DAY_MS + 6), 90, now, 90), 1);
        // Far beyond the horizon: the horizon (callers only ask for matched users).
        assert_eq!(crossing_day(Millis(500 * DAY_MS), 90, now, 90), 90);
        // Long idle: day 0.
        assert_eq!(crossing_day(Millis(0), 1, now, 90), 0);
    }

    #[test]
    fn cumulative_sums() {
        assert_eq!(cumulative(&[1, 0, 2]), vec![1, 1, 3]);
    }
}
