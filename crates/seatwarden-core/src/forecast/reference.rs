//! The forecast's crossing pass as it was before the column scans (session
//! 3), kept only so `seatwarden bench --only forecast` can time both paths
//! in one run, alternating (A/B on the same machine period). It ignores a
//! policy's own signals and exemptions that lapse inside the horizon, so it
//! agrees with [`super::effects`] only without those (the benchmark's
//! configuration, which the bench checks).

use super::NEVER_DAY;
use super::effects::{Effects, crossing_day, record};
use crate::config::Config;
use crate::evaluate::{EvalContext, Evaluator};
use crate::index::{DirectoryIndex, GroupOrd};
use crate::plan::{ActionSource, Basis, Outcome};
use crate::policy::Policy;
use crate::time::Millis;
use crate::warning::cycle_of;

/// Evaluates `policies` once at the horizon and records, per user, the day
/// each seat-relevant effect starts.
pub(super) fn effects(
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
        record(&mut out, &outcome, index, &day_of);
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
pub(super) fn freed_per_day(index: &DirectoryIndex, fx: &Effects, horizon: u32) -> Vec<Vec<u64>> {
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
