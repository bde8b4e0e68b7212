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

mod effects;
mod history;
mod reference;
mod seats;
mod whatif;

pub use history::{
    GROWTH_WINDOW_DAYS, LicenceDay, MIN_HISTORY_DAYS, RETENTION_DAYS, RunOut, SeatFigures,
    licence_days, run_out,
};
pub use seats::{SeatsFreed, freed_by_plan};
pub use whatif::{LATER_DAYS, WhatIf, WhatIfSeats, what_if};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::evaluate::{EvalContext, ordered_policies};
use crate::index::DirectoryIndex;
use crate::model::{ApplicationKey, SeatLimit};
use crate::time::Millis;

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
    let fx = effects::effects(config, &policies, index, now, horizon, ctx);
    let per_day = effects::freed_per_day(index, &fx, horizon);
    curves(index, now, horizon, return_rate, per_day)
}

/// [`forecast`] through the crossing pass of session 3 (per-user loops),
/// for the benchmark's A/B comparison only: it ignores per-policy signals
/// and exemptions lapsing inside the horizon.
#[doc(hidden)]
pub fn forecast_before_column_scans(
    config: &Config,
    index: &DirectoryIndex,
    now: Millis,
    horizon: u32,
    ctx: &EvalContext,
    return_rate: Option<f64>,
) -> Forecast {
    let horizon = horizon.min(HORIZON_DAYS);
    let policies = ordered_policies(config, ctx);
    let fx = reference::effects(config, &policies, index, now, horizon, ctx);
    let per_day = reference::freed_per_day(index, &fx, horizon);
    curves(index, now, horizon, return_rate, per_day)
}

/// Both curves of every licence from the seats freed per day.
fn curves(
    index: &DirectoryIndex,
    now: Millis,
    horizon: u32,
    return_rate: Option<f64>,
    per_day: Vec<Vec<u64>>,
) -> Forecast {
    let rate = return_rate
        .filter(|r| r.is_finite())
        .map(|r| r.clamp(0.0, 1.0));
    let applications = per_day
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
    fn cumulative_sums() {
        assert_eq!(cumulative(&[1, 0, 2]), vec![1, 1, 3]);
    }
}
