//! Benchmarks of the forecast (issue 22): the 90-day forecast of the 20
//! benchmark policies, and the policy editor's what-if.
//!
//! Budgets (docs/forecast.md, one core): the 90-day forecast ≤ 0.5 s at 1M
//! users (median); a what-if (two single-policy 30-day forecasts) ≤ 50 ms at
//! 100k users, fast enough to follow a slider.
//!
//! The forecast is timed alternately with the crossing pass it replaced
//! (per-user loops, session 3), sample by sample, so the before/after rows
//! come from the same machine period; both must give the same curves.

use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::forecast::{HORIZON_DAYS, forecast, forecast_before_column_scans, what_if};
use seatwarden_core::policy::Condition;
use serde_json::json;

use crate::bench::Harness;
use crate::bench::policy::{bench_config, demo_index};
use crate::cmd::support::CliError;

/// Runs the forecast benchmarks at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let config = bench_config()?;
    for &users in &h.sizes.clone() {
        let (demo, index) = demo_index(h, users)?;
        drop(demo);
        let now = index.taken_at();
        let ctx = EvalContext::default();

        let runs = if users > 200_000 { 5 } else { h.iterations };
        let (timing, before) = h.time_ab(
            runs,
            || forecast(&config, &index, now, HORIZON_DAYS, &ctx, Some(0.1)),
            || forecast_before_column_scans(&config, &index, now, HORIZON_DAYS, &ctx, Some(0.1)),
        );
        let f = forecast(&config, &index, now, HORIZON_DAYS, &ctx, Some(0.1));
        if f != forecast_before_column_scans(&config, &index, now, HORIZON_DAYS, &ctx, Some(0.1)) {
            return Err(CliError::Usage(
                "the column-scan forecast disagrees with the per-user one".into(),
            ));
        }
        let budget = if users <= 100_000 { 50.0 } else { 500.0 };
        h.report(
            "forecast.days_90_20_policies.before_column_scans",
            users,
            before,
            json!({"budget_ms": budget, "days": HORIZON_DAYS, "policies": 20,
                   "note": "session 3's per-user crossing pass, timed alternately with the row below"}),
        );
        let freed: Vec<u64> = f
            .applications
            .iter()
            .map(|a| a.upper.last().copied().unwrap_or(0))
            .collect();
        h.report(
            "forecast.days_90_20_policies",
            users,
            timing,
            json!({"budget_ms": budget,
                   "days": HORIZON_DAYS, "policies": 20, "freed_by_day_90": freed}),
        );

        if users <= 100_000 {
            let Some(saved) = config
                .policies
                .iter()
                .find(|p| p.id.as_str() == "deactivate-90")
            else {
                return Err(CliError::Usage("bench config lost `deactivate-90`".into()));
            };
            let mut draft = saved.clone();
            if let Condition::Inactive(i) = &mut draft.condition {
                i.days = 60;
            }
            let timing = h.time(|| what_if(&config, &index, now, &ctx, &draft));
            let answer = what_if(&config, &index, now, &ctx, &draft);
            h.report(
                "forecast.what_if_60_instead_of_90",
                users,
                timing,
                json!({"budget_ms": 50.0, "delta_now": answer.delta_now,
                       "delta_in_30_days": answer.delta_later}),
            );
        }
    }
    Ok(())
}
