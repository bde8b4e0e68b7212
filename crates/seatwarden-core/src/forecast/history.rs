//! Licence history: one small record per application and UTC day, and what it
//! says about growth.
//!
//! Why a daily record and not the audit trail: the audit knows what runs did,
//! never how many seats were in use, what the limit was or how many holders were
//! idle, and the products keep no such history either. A record is a handful of
//! integers (about 60 bytes of JSON), so years of history for a few applications
//! stay in the kilobytes; the service writes it once a day and after every live
//! run, the last write of a day replacing the earlier ones.

use serde::{Deserialize, Serialize};

use crate::activity::ActivitySettings;
use crate::index::{DirectoryIndex, UserIdx};
use crate::model::{ApplicationKey, SeatLimit};
use crate::time::{DAY_MS, Millis};

/// How long records are kept: ten years, far longer than any renewal cycle.
pub const RETENTION_DAYS: u32 = 3_650;

/// Fewer recorded days than this in the growth window: no growth rate.
pub const MIN_HISTORY_DAYS: usize = 14;

/// The window the growth rate is fitted over, in days.
pub const GROWTH_WINDOW_DAYS: i64 = 90;

/// One application's figures on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatFigures {
    /// Seats in use (active holders, as the index counts them).
    pub seats_used: u64,
    /// The licence's seats; `None`: unlimited.
    pub limit: Option<u64>,
    /// Holders active within the last 30 days by the counted signals.
    pub active: u64,
    /// Holders idle 30 days or more (they logged in at some time).
    pub idle30: u64,
    /// Holders idle 60 days or more.
    pub idle60: u64,
    /// Holders idle 90 days or more.
    pub idle90: u64,
    /// Holders with no activity by any counted signal.
    pub never_logged_in: u64,
}

/// The record of one application on one UTC day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenceDay {
    /// The UTC day, `YYYY-MM-DD`.
    pub date: String,
    /// Days since the epoch (the store's key and order).
    pub day: i64,
    /// Application key.
    pub application: ApplicationKey,
    /// The figures.
    #[serde(flatten)]
    pub figures: SeatFigures,
}

/// Today's record of every licence of `index` at `now`, activity judged by
/// the counted signals of `activity`.
pub fn licence_days(
    index: &DirectoryIndex,
    activity: &ActivitySettings,
    now: Millis,
) -> Vec<LicenceDay> {
    let mask = index.signal_mask(activity);
    let day = now.day_number();
    let cut = |days: u32| now.minus_days(days);
    let (c30, c60, c90) = (cut(30), cut(60), cut(90));
    index
        .licences()
        .iter()
        .enumerate()
        .map(|(l, lic)| {
            let holders = index.licence_seat_holders(l);
            let mut f = SeatFigures {
                seats_used: holders.len(),
                limit: match lic.limit {
                    SeatLimit::Limited(n) => Some(u64::from(n)),
                    SeatLimit::Unlimited => None,
                },
                active: 0,
                idle30: 0,
                idle60: 0,
                idle90: 0,
                never_logged_in: 0,
            };
            for u in &holders {
                match index.last_activity(UserIdx(u), mask) {
                    None => f.never_logged_in += 1,
                    Some(t) => {
                        f.idle30 += u64::from(t <= c30);
                        f.idle60 += u64::from(t <= c60);
                        f.idle90 += u64::from(t <= c90);
                    }
                }
            }
            f.active = f.seats_used - f.idle30 - f.never_logged_in;
            LicenceDay {
                date: Millis(day * DAY_MS).date_string(),
                day,
                application: lic.application.clone(),
                figures: f,
            }
        })
        .collect()
}

/// When an application's seats run out at the current growth rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum RunOut {
    /// The licence has no limit.
    Unlimited,
    /// Every seat is taken already.
    Full,
    /// Too few recorded days in the last 90 to fit a growth rate.
    NotEnoughHistory {
        /// Days recorded in the window.
        days_recorded: usize,
        /// Days needed.
        days_needed: usize,
    },
    /// Seats used are flat or shrinking: they do not run out.
    NotGrowing {
        /// Seats per day (≤ 0).
        seats_per_day: f64,
    },
    /// They run out on this day.
    On {
        /// The day, `YYYY-MM-DD`.
        date: String,
        /// Days from today.
        in_days: i64,
        /// Seats per day (> 0), least squares over the window.
        seats_per_day: f64,
    },
}

/// When `application` runs out of seats, from its records in `history` (any
/// order, other applications ignored) and today's `used` of `limit`.
pub fn run_out(
    history: &[LicenceDay],
    application: &ApplicationKey,
    used: u64,
    limit: SeatLimit,
    now: Millis,
) -> RunOut {
    let SeatLimit::Limited(limit) = limit else {
        return RunOut::Unlimited;
    };
    let limit = u64::from(limit);
    if used >= limit {
        return RunOut::Full;
    }
    let today = now.day_number();
    let points: Vec<(f64, f64)> = history
        .iter()
        .filter(|d| &d.application == application)
        .filter(|d| d.day <= today && today - d.day <= GROWTH_WINDOW_DAYS)
        .map(|d| ((d.day - today) as f64, d.figures.seats_used as f64))
        .collect();
    if points.len() < MIN_HISTORY_DAYS {
        return RunOut::NotEnoughHistory {
            days_recorded: points.len(),
            days_needed: MIN_HISTORY_DAYS,
        };
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let rounded = (slope * 1000.0).round() / 1000.0;
    if slope <= 0.0 || rounded <= 0.0 {
        return RunOut::NotGrowing {
            seats_per_day: rounded.min(0.0),
        };
    }
    let in_days = ((limit - used) as f64 / slope).ceil() as i64;
    RunOut::On {
        date: Millis((today + in_days).saturating_mul(DAY_MS)).date_string(),
        in_days,
        seats_per_day: rounded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: i64, used: u64) -> LicenceDay {
        LicenceDay {
            date: String::new(),
            day: d,
            application: ApplicationKey("jira-software".into()),
            figures: SeatFigures {
                seats_used: used,
                limit: Some(1000),
                active: 0,
                idle30: 0,
                idle60: 0,
                idle90: 0,
                never_logged_in: 0,
            },
        }
    }

    #[test]
    fn growth_of_two_seats_a_day_runs_out_on_the_right_day() {
        let now = Millis(1000 * DAY_MS);
        let history: Vec<_> = (0..30)
            .map(|i| day(1000 - 29 + i, 800 + 2 * i as u64))
            .collect();
        let app = ApplicationKey("jira-software".into());
        match run_out(&history, &app, 858, SeatLimit::Limited(1000), now) {
            RunOut::On {
                in_days,
                seats_per_day,
                ..
            } => {
                assert_eq!(seats_per_day, 2.0);
                assert_eq!(in_days, 71);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_little_history_says_so() {
        let now = Millis(1000 * DAY_MS);
        let history: Vec<_> = (0..5).map(|i| day(1000 - i, 800)).collect();
        let app = ApplicationKey("jira-software".into());
        assert_eq!(
            run_out(&history, &app, 800, SeatLimit::Limited(1000), now),
            RunOut::NotEnoughHistory {
                days_recorded: 5,
                days_needed: MIN_HISTORY_DAYS
            }
        );
        assert_eq!(
            run_out(&history, &app, 1000, SeatLimit::Limited(1000), now),
            RunOut::Full
        );
        assert_eq!(
            run_out(&history, &app, 10, SeatLimit::Unlimited, now),
            RunOut::Unlimited
        );
    }

    #[test]
    fn flat_use_does_not_run_out() {
        let now = Millis(1000 * DAY_MS);
        let history: Vec<_> = (0..20).map(|i| day(1000 - i, 800)).collect();
        let app = ApplicationKey("jira-software".into());
        assert!(matches!(
            run_out(&history, &app, 800, SeatLimit::Limited(1000), now),
            RunOut::NotGrowing { .. }
        ));
    }
}
