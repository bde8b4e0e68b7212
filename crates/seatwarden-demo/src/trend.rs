//! Made-up past days of the activity trend for the demo organisation.
//!
//! Why: the trend is recorded once a day from the first start on (it cannot
//! be rebuilt from last-activity dates, `seatwarden_core::activity_trend`),
//! so a fresh demo would show one lone point for its first days. The demo is
//! there to show what the product does, so `serve --demo` writes these days
//! before its first real record, each marked `demo` (the API says so and the
//! dashboard labels them); a real installation never gets them.
//!
//! The shape is what an admin of a growing instance sees: accounts and
//! monthly actives rising slowly (about 10 % over the period), weekly actives
//! following them, and daily actives dropping at weekends. Anchored on the
//! first real record, so the made-up line meets it; deterministic per seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seatwarden_core::activity_trend::{ActivityDay, ActivityFigures};

/// Daily actives on a Saturday or Sunday, as a share of a working day's.
const WEEKEND_SHARE: f64 = 0.2;

/// Growth of monthly actives over `days` (0.10: 10 % fewer at the start).
const GROWTH: f64 = 0.10;

fn weekend(day: i64) -> bool {
    // 1970-01-01 (day 0) was a Thursday: +3 makes Monday 0.
    (day + 3).rem_euclid(7) >= 5
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The `days` days before `today`, oldest first, each marked `demo`.
pub fn past_activity(today: &ActivityDay, days: u32, seed: u64) -> Vec<ActivityDay> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7e4d);
    let now = today.figures;
    // A working day's share of the monthly actives, from today's.
    let daily_share = if weekend(today.day) {
        share(now.active_1d, now.active_30d) / WEEKEND_SHARE
    } else {
        share(now.active_1d, now.active_30d)
    }
    .min(1.0);
    let weekly_share = share(now.active_7d, now.active_30d);
    let span = f64::from(days.max(1));
    (1..=i64::from(days))
        .rev()
        .map(|back| {
            let day = today.day - back;
            let age = back as f64 / span;
            let mut noise = |spread: f64| 1.0 + rng.gen_range(-spread..=spread);
            let accounts = (now.active_accounts as f64 * (1.0 - 0.4 * GROWTH * age)).round();
            let monthly = (now.active_30d as f64 * (1.0 - GROWTH * age) * noise(0.01))
                .round()
                .min(accounts);
            let weekly = (monthly * weekly_share * noise(0.02)).round().min(monthly);
            let day_share = if weekend(day) {
                daily_share * WEEKEND_SHARE
            } else {
                daily_share
            };
            let daily = (monthly * day_share * noise(0.05)).round().min(weekly);
            ActivityDay {
                demo: true,
                ..ActivityDay::new(
                    day,
                    ActivityFigures {
                        active_accounts: accounts as u64,
                        active_1d: daily as u64,
                        active_7d: weekly as u64,
                        active_30d: monthly as u64,
                    },
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn the_made_up_days_are_ordered_marked_consistent_and_lead_up_to_today() {
        // 2026-12-07, a Monday.
        let today = ActivityDay::new(
            20_794,
            ActivityFigures {
                active_accounts: 4_600,
                active_1d: 2_100,
                active_7d: 3_000,
                active_30d: 3_600,
            },
        );
        let past = past_activity(&today, 90, 7);
        assert_eq!(past.len(), 90);
        assert_eq!(past[0].day, today.day - 90);
        assert_eq!(past[89].day, today.day - 1);
        assert!(past.iter().all(|d| d.demo));
        for d in &past {
            let f = d.figures;
            assert!(
                f.active_1d <= f.active_7d && f.active_7d <= f.active_30d,
                "{d:?}"
            );
            assert!(f.active_30d <= f.active_accounts, "{d:?}");
        }
        // Rising: the first week's monthly actives below the last week's.
        let mean = |s: &[ActivityDay]| s.iter().map(|d| d.figures.active_30d).sum::<u64>() / 7;
        assert!(mean(&past[..7]) < mean(&past[83..]));
        // Weekends are quieter than the weekdays around them.
        let (sat, fri) = (&past[88], &past[87]);
        assert!(weekend(sat.day) && !weekend(fri.day));
        assert!(
            sat.figures.active_1d * 2 < fri.figures.active_1d,
            "{sat:?} {fri:?}"
        );
        assert_eq!(past_activity(&today, 90, 7), past, "deterministic per seed");
    }
}
