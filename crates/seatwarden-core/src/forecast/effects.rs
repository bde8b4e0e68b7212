//! The forecast's crossing pass: per user, the first day each seat-relevant
//! effect starts, and per application the seats freed on each day.
//!
//! Why column scans: at a million users the forecast touches every user of
//! every policy's outcome. Per user it does only array reads and writes (the
//! activity column of the policy's counted signals, built once per distinct
//! signal choice; a `u8` day per user), never a bitmap membership test or a
//! hash look-up; the seats are then bucketed by day with one counting pass per
//! application. Membership questions ("is the user in this licence group?")
//! are answered by iterating the group's bitmap, in order, not by asking it.
//!
//! Exemptions: the plan of day *d* skips users exempt at `now + d`. The one
//! evaluation at the horizon's end already skips those still exempt then; an
//! exemption that lapses on day *d* inside the horizon holds its user back
//! until *d* (the later of all that cover them for the policy). A policy that
//! warns first warns them only once the exemption lapsed (the warning pass
//! skips exempt users too), so acts `daysBefore` days after that.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use super::NEVER_DAY;
use crate::config::Config;
use crate::evaluate::{EvalContext, Evaluator, combined_activity};
use crate::exemption::Exemption;
use crate::index::{DirectoryIndex, GroupOrd, NEVER, SignalMask};
use crate::plan::{AccountOp, ActionSource, Basis, Outcome};
use crate::policy::{Policy, PolicyId};
use crate::time::{DAY_MS, Millis};
use crate::warning::cycle_of;

/// Per user, the first forecast day each seat-relevant effect happens.
pub(super) struct Effects {
    /// Day the account is deactivated, suspended or deleted.
    pub(super) account: Vec<u8>,
    /// Per licence group: day the user is removed from it.
    pub(super) removed: Vec<(GroupOrd, Vec<u8>)>,
    /// Users with any effect.
    pub(super) touched: RoaringBitmap,
}

impl Effects {
    pub(super) fn new(users: usize) -> Effects {
        Effects {
            account: vec![NEVER_DAY; users],
            removed: Vec::new(),
            touched: RoaringBitmap::new(),
        }
    }

    /// The removal days of licence group `g`, created on first use.
    pub(super) fn removed_mut(&mut self, g: GroupOrd, users: usize) -> Option<&mut Vec<u8>> {
        if !self.removed.iter().any(|(o, _)| *o == g) {
            self.removed.push((g, vec![NEVER_DAY; users]));
        }
        self.removed
            .iter_mut()
            .find(|(o, _)| *o == g)
            .map(|(_, days)| days)
    }

    fn removed(&self, g: GroupOrd) -> Option<&[u8]> {
        self.removed
            .iter()
            .find(|(o, _)| *o == g)
            .map(|(_, d)| d.as_slice())
    }
}

/// `slot = min(slot, day)`.
pub(super) fn lower(slot: Option<&mut u8>, day: u8) {
    if let Some(s) = slot {
        *s = (*s).min(day);
    }
}

/// The first day in `0..=horizon` at which `value ≤ now + d − threshold`.
pub(super) fn crossing_day(value: Millis, threshold: u32, now: Millis, horizon: u32) -> u8 {
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

/// Exemptions active now that lapse inside the horizon, by user, with the
/// day they stop holding (`until` is the first instant they no longer hold:
/// the first day `d` with `now + d ≥ until`).
struct Lapsing<'c> {
    users: HashMap<u32, Vec<(&'c Exemption, u8)>>,
}

impl<'c> Lapsing<'c> {
    fn new(index: &DirectoryIndex, exemptions: &'c [Exemption], now: Millis, horizon: u32) -> Self {
        let mut users: HashMap<u32, Vec<(&'c Exemption, u8)>> = HashMap::new();
        let end = now.plus_days(horizon);
        for e in exemptions {
            let Some(until) = e.until else { continue };
            // Lapsed already (the plan of now ignores it) or still holding
            // at the end (the evaluation at the end skips the user).
            if until <= now || until > end {
                continue;
            }
            if let Some(i) = index.index_of_key(&e.user) {
                let day = crossing_day(until, 0, now, horizon);
                users.entry(i.0).or_default().push((e, day));
            }
        }
        Lapsing { users }
    }

    /// Per user, the day the last exemption covering `policy` lapses.
    fn for_policy(&self, policy: &PolicyId) -> HashMap<u32, u8> {
        self.users
            .iter()
            .filter_map(|(&u, es)| {
                es.iter()
                    .filter(|(e, _)| e.scope.covers(policy))
                    .map(|(_, d)| *d)
                    .max()
                    .map(|d| (u, d))
            })
            .collect()
    }
}

/// The activity columns, one per distinct signal choice, built on first use.
struct Columns<'i> {
    index: &'i DirectoryIndex,
    built: Vec<(SignalMask, Option<Vec<i64>>)>,
}

impl<'i> Columns<'i> {
    fn get(&mut self, mask: SignalMask) -> &[i64] {
        let pos = match self.built.iter().position(|(m, _)| *m == mask) {
            Some(p) => p,
            None => {
                self.built.push((mask, combined_activity(self.index, mask)));
                self.built.len() - 1
            }
        };
        match self.built.get(pos) {
            Some((_, Some(c))) => c,
            _ => &self.index.last_login,
        }
    }
}

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
    let lapsing = Lapsing::new(index, &ctx.exemptions, now, horizon);
    let mut columns = Columns {
        index,
        built: Vec::new(),
    };
    for policy in policies {
        let source = ActionSource::Policy {
            id: policy.id.clone(),
        };
        let scope = ev.scope(policy, &source, false);
        // The policy's own counted signals, as the plan counts them.
        ev.count_signals_of(policy, &source, false);
        let cond = ev.condition(&policy.condition, &scope, end);
        let outcome = ev.finish(policy, source, cond, false);
        let acted = outcome.acted_on();
        if acted.is_empty() {
            continue;
        }
        let lapse = if lapsing.users.is_empty() {
            HashMap::new()
        } else {
            lapsing.for_policy(&policy.id)
        };
        let activity = columns.get(outcome.signals);
        for m in &outcome.matched {
            let users = &m.users & &acted;
            let warning = policy
                .warning
                .as_ref()
                .filter(|w| m.basis != Basis::NeverLoggedIn || w.never_logged_in);
            let column = match m.basis {
                Basis::Inactive | Basis::OnceLoggedIn => Some(activity),
                Basis::NeverLoggedIn => Some(&index.created[..]),
                Basis::Deactivated | Basis::Selected => None,
            };
            for u in &users {
                let crossing = match column {
                    // No date in the column: the condition holds whatever the
                    // day (never active), so from day 0.
                    Some(c) => match c.get(u as usize).copied() {
                        Some(v) if v != NEVER => {
                            crossing_day(Millis(v), m.threshold_days, now, horizon)
                        }
                        _ => 0,
                    },
                    None => first_day(index, &outcome, m.basis, m.threshold_days, u, now, horizon),
                };
                let held = if lapse.is_empty() {
                    0
                } else {
                    lapse.get(&u).copied().unwrap_or(0)
                };
                let mut day = crossing.max(held);
                if let Some(w) = warning {
                    let warned = Warned {
                        ev: &ev,
                        index,
                        outcome: &outcome,
                        today,
                    };
                    day = warned.day(w, m.basis, u, day, held);
                }
                if let Some(slot) = day_of.get_mut(u as usize) {
                    *slot = day;
                }
            }
        }
        record(&mut out, &outcome, index, &day_of);
    }
    out
}

/// Records one policy's seat-relevant effects, each user's from `day_of[u]`:
/// the account going (deactivated, suspended, deleted) and removals from
/// licence groups, each kept at its earliest day over the policies.
pub(super) fn record(out: &mut Effects, outcome: &Outcome, index: &DirectoryIndex, day_of: &[u8]) {
    let n = index.last_login.len();
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
        if let Some(removed) = out.removed_mut(op.group, n) {
            for u in &op.users {
                lower(removed.get_mut(u as usize), day(u));
            }
        }
        out.touched |= &op.users;
    }
}

/// The crossing day of user `u` for a basis without a column.
fn first_day(
    index: &DirectoryIndex,
    outcome: &Outcome,
    basis: Basis,
    threshold: u32,
    u: u32,
    now: Millis,
    horizon: u32,
) -> u8 {
    let value = match basis {
        Basis::Deactivated => outcome.deactivation_time(index, u).map(|(t, _)| t),
        Basis::Selected => return 0,
        other => cycle_of(index, u, other, &[], outcome.signals),
    };
    // Matched at the end without a date: the condition holds from day 0.
    value.map_or(0, |v| crossing_day(v, threshold, now, horizon))
}

/// What a warning policy's acting day depends on.
struct Warned<'a, 'e> {
    ev: &'a Evaluator<'e>,
    index: &'a DirectoryIndex,
    outcome: &'a Outcome,
    today: i64,
}

impl Warned<'_, '_> {
    /// The day a warning policy may act on user `u` who crosses on `day`
    /// and is exempt until day `held`: a delivered warning's day plus
    /// `daysBefore`; without one, warned when they come within `daysBefore`
    /// days and are no longer exempt, so `max(day, held + daysBefore)`.
    fn day(
        &self,
        w: &crate::policy::WarningSettings,
        basis: Basis,
        u: u32,
        day: u8,
        held: u8,
    ) -> u8 {
        // Without any warning on record (the common case, and every bench
        // run) the cycle is not needed.
        let sent = if self.ev.warned.is_empty() {
            None
        } else {
            let cycle = match basis {
                Basis::Deactivated => self
                    .outcome
                    .deactivation_time(self.index, u)
                    .map(|(t, _)| t),
                other => cycle_of(
                    self.index,
                    u,
                    other,
                    &self.outcome.deactivation_times,
                    self.outcome.signals,
                ),
            };
            cycle.and_then(|c| self.ev.warned.get(&(u, c.0)).copied().flatten())
        };
        let wait = match sent {
            Some(sent) => sent.day_number() + i64::from(w.days_before) - self.today,
            None if w.act_on_overdue_at_once && held == 0 => 0,
            None => i64::from(held) + i64::from(w.days_before),
        };
        let wait = u8::try_from(wait.clamp(0, i64::from(NEVER_DAY))).unwrap_or(NEVER_DAY);
        day.max(wait)
    }
}

/// Per licence, how many seats are freed on each day `0..=horizon`
/// (not cumulative): a seat goes on the earlier of its holder's account
/// going and the last of their licence groups of that application going.
pub(super) fn freed_per_day(index: &DirectoryIndex, fx: &Effects, horizon: u32) -> Vec<Vec<u64>> {
    let days = horizon as usize + 1;
    let mut out = Vec::with_capacity(index.licences().len());
    // Per user, the day the last licence group of the application goes
    // (scratch, reset after each application).
    let mut gone = vec![0u8; fx.account.len()];
    for l in 0..index.licences().len() {
        let mut per_day = vec![0u64; days];
        let groups: &[GroupOrd] = index.licence_groups.get(l).map_or(&[], Vec::as_slice);
        let candidates = index.licence_seat_holders(l) & &fx.touched;
        // Members of a licence group nobody is removed from keep the seat
        // through it: only their account can free it.
        let mut kept = RoaringBitmap::new();
        for g in groups {
            if fx.removed(*g).is_none()
                && let Some(members) = index.group_bitmap_by_ord(*g)
            {
                kept |= members & &candidates;
            }
        }
        for g in groups {
            let (Some(removed), Some(members)) = (fx.removed(*g), index.group_bitmap_by_ord(*g))
            else {
                continue;
            };
            for u in &((members & &candidates) - &kept) {
                let d = removed.get(u as usize).copied().unwrap_or(NEVER_DAY);
                if let Some(slot) = gone.get_mut(u as usize) {
                    *slot = (*slot).max(d);
                }
            }
        }
        let mut count = |day: u8| {
            if let Some(slot) = per_day.get_mut(usize::from(day)) {
                *slot += 1;
            }
        };
        for u in &(&candidates & &kept) {
            count(fx.account.get(u as usize).copied().unwrap_or(NEVER_DAY));
        }
        for u in &(&candidates - &kept) {
            let account = fx.account.get(u as usize).copied().unwrap_or(NEVER_DAY);
            let groups_gone = gone
                .get_mut(u as usize)
                .map_or(NEVER_DAY, |slot| std::mem::replace(slot, 0));
            count(account.min(groups_gone));
        }
        out.push(per_day);
    }
    out
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
}
