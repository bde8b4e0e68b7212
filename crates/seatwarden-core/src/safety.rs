//! Safety rails: the mass-change guard and the login-data health check.
//!
//! Automation that deactivates people is only trusted if it cannot do
//! something catastrophic on a bad day. Two checks stand between a live plan
//! and its first write (DESIGN.md §5):
//!
//! - the **guard** counts the distinct accounts a live plan would deactivate,
//!   delete or revoke; past an absolute number or a share of the licensed
//!   users the plan needs an admin's approval of exactly that plan (its hash);
//! - the **health check** looks at the login data itself: when no login was
//!   recorded anywhere for days although users are active, or the share of
//!   never-logged-in users among licensed users jumped since the previous run,
//!   the data is more likely broken (a failed LDAP sync, a host bug) than the
//!   whole company idle, so live runs pause and say why.
//!
//! Both are pure functions of their inputs; the previous run's share is
//! passed in by the service, which stores the share each run reports.

use std::fmt;

use serde::{Deserialize, Serialize};

use roaring::RoaringBitmap;

use crate::activity::WarmingSignal;
use crate::config::{GuardSettings, HealthSettings};
use crate::index::DirectoryIndex;
use crate::plan::{ActionSource, Plan};
use crate::time::Millis;

/// A guard threshold a plan exceeds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "threshold")]
pub enum GuardTrip {
    /// More accounts than the absolute limit.
    Accounts {
        /// Accounts the plan changes.
        count: u64,
        /// The limit.
        max: u32,
    },
    /// More than the allowed share of licensed users.
    Share {
        /// Accounts the plan changes.
        count: u64,
        /// Licensed users.
        licensed: u64,
        /// The limit in percent.
        max_percent: u32,
    },
    /// A policy acts on users an activity signal never recorded, while that
    /// signal covers less than the policy's threshold (it started recording
    /// after the cutoff): they may work by a route only that signal sees.
    WarmingUp {
        /// The policy (or bulk action).
        source: ActionSource,
        /// The signal and its coverage.
        #[serde(flatten)]
        signal: WarmingSignal,
        /// Users acted on whom the signal never recorded.
        users: u64,
    },
}

impl fmt::Display for GuardTrip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardTrip::Accounts { count, max } => write!(
                f,
                "{count} accounts would be deactivated, deleted or revoked, more than the limit of {max}"
            ),
            GuardTrip::Share {
                count,
                licensed,
                max_percent,
            } => write!(
                f,
                "{count} of {licensed} licensed users would be deactivated, deleted or revoked, more than {max_percent} %"
            ),
            GuardTrip::WarmingUp {
                source,
                signal,
                users,
            } => write!(
                f,
                "{source} would act on {users} user(s) chosen by the other signals alone: {signal}"
            ),
        }
    }
}

/// Checks a count of mass-changed accounts against the guard.
pub fn guard(settings: &GuardSettings, count: u64, licensed: u64) -> Vec<GuardTrip> {
    let mut trips = Vec::new();
    if !settings.enabled {
        return trips;
    }
    if count > u64::from(settings.max_accounts) {
        trips.push(GuardTrip::Accounts {
            count,
            max: settings.max_accounts,
        });
    }
    if licensed > u64::from(settings.min_licensed)
        && count.saturating_mul(100) > u64::from(settings.max_percent).saturating_mul(licensed)
    {
        trips.push(GuardTrip::Share {
            count,
            licensed,
            max_percent: settings.max_percent,
        });
    }
    trips
}

/// One trip per (outcome, warming signal) whose unconfirmed users the live
/// run would deactivate, delete or revoke (`counted`: the guarded accounts).
///
/// Independent of the guard's `enabled` switch: this is about whether the
/// data can prove inactivity at all, not about the size of a change (an admin
/// who does not want it turns the signal off in `settings.activity`).
pub fn warming_trips(plan: &Plan, counted: &RoaringBitmap) -> Vec<GuardTrip> {
    let mut trips = Vec::new();
    for o in &plan.outcomes {
        for w in &o.warming {
            let users = (&w.users & counted).len();
            if users > 0 {
                trips.push(GuardTrip::WarmingUp {
                    source: o.source.clone(),
                    signal: w.signal.clone(),
                    users,
                });
            }
        }
    }
    trips
}

/// A reason to distrust the login data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum HealthProblem {
    /// No login recorded anywhere for too long although users are active.
    NoRecentLogin {
        /// The most recent login of anyone, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latest: Option<Millis>,
        /// The limit in days.
        max_days: u32,
        /// Active users.
        active_users: u64,
    },
    /// The never-logged-in share among licensed users jumped.
    NeverLoggedInJump {
        /// The previous run's share, in basis points (1/100 %).
        previous_bp: u32,
        /// The share now, in basis points.
        current_bp: u32,
        /// The allowed rise in percentage points.
        max_points: u32,
    },
}

impl fmt::Display for HealthProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HealthProblem::NoRecentLogin {
                latest: Some(t),
                max_days,
                active_users,
            } => write!(
                f,
                "no activity recorded since {} (more than {max_days} days) although {active_users} users are active",
                t.date_string()
            ),
            HealthProblem::NoRecentLogin {
                latest: None,
                active_users,
                ..
            } => write!(
                f,
                "no activity recorded at all although {active_users} users are active"
            ),
            HealthProblem::NeverLoggedInJump {
                previous_bp,
                current_bp,
                max_points,
            } => write!(
                f,
                "never-logged-in licensed users rose from {}.{:02} % to {}.{:02} % (more than {max_points} points)",
                previous_bp / 100,
                previous_bp % 100,
                current_bp / 100,
                current_bp % 100
            ),
        }
    }
}

/// The health check's verdict and the figure to remember for next time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    /// Problems found (empty when healthy or disabled).
    pub problems: Vec<HealthProblem>,
    /// The never-logged-in share among licensed users, in basis points; the
    /// service stores it and passes it back as the previous value next run.
    pub never_logged_in_bp: u32,
}

/// The share of licensed users with no date by any signal of `mask` (the
/// counted ones, [`DirectoryIndex::signal_mask`]; "never logged in" in the
/// engine's sense), in basis points.
///
/// Why the counted signals and not the login column: the check compares
/// this share between runs to catch broken data, so it must read the data
/// the engine judges by. Someone who only works through a token has a
/// `seen` date and no login, and in Atlassian Cloud nobody has a login: the
/// login column's share would call them never active. With login alone
/// counted it is the login column's share, exactly as before.
pub fn never_logged_in_share_bp(index: &DirectoryIndex, mask: crate::index::SignalMask) -> u32 {
    let licensed = index.licensed_bitmap().len();
    if licensed == 0 {
        return 0;
    }
    let view = index.activity_view(mask);
    let never = index.licensed_bitmap().intersection_len(view.never());
    u32::try_from(never.saturating_mul(10_000) / licensed).unwrap_or(10_000)
}

/// Checks the activity data: the latest date among the signals of `mask`
/// (the counted ones, [`DirectoryIndex::signal_mask`]), so a host without
/// login dates (Atlassian Cloud) is judged by what it does record.
/// `previous_bp` is the share the previous run reported.
pub fn health_check(
    settings: &HealthSettings,
    index: &DirectoryIndex,
    mask: crate::index::SignalMask,
    now: Millis,
    previous_bp: Option<u32>,
) -> HealthReport {
    let current_bp = never_logged_in_share_bp(index, mask);
    let mut problems = Vec::new();
    if settings.enabled {
        let active_users = index.active_bitmap().len();
        if active_users > 0 {
            let latest = index.latest_activity(mask);
            let stale = match latest {
                Some(t) => t.days_until(now) > i64::from(settings.max_days_without_login),
                None => true,
            };
            if stale {
                problems.push(HealthProblem::NoRecentLogin {
                    latest,
                    max_days: settings.max_days_without_login,
                    active_users,
                });
            }
        }
        if let Some(previous_bp) = previous_bp
            && current_bp > previous_bp
            && current_bp - previous_bp > settings.max_never_logged_in_jump_points * 100
        {
            problems.push(HealthProblem::NeverLoggedInJump {
                previous_bp,
                current_bp,
                max_points: settings.max_never_logged_in_jump_points,
            });
        }
    }
    HealthReport {
        problems,
        never_logged_in_bp: current_bp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_absolute_and_share() {
        let s = GuardSettings::default();
        assert!(guard(&s, 500, 10_000).is_empty());
        assert_eq!(
            guard(&s, 501, 100_000),
            vec![GuardTrip::Accounts {
                count: 501,
                max: 500
            }]
        );
        // 21 of 101 licensed: share trips, absolute does not.
        assert_eq!(
            guard(&s, 21, 101),
            vec![GuardTrip::Share {
                count: 21,
                licensed: 101,
                max_percent: 20
            }]
        );
        // Exactly 100 licensed: the share rule needs more than 100.
        assert!(guard(&s, 90, 100).is_empty());
        // Disabled guard never trips.
        let off = GuardSettings {
            enabled: false,
            ..s
        };
        assert!(guard(&off, 10_000, 10_000).is_empty());
    }

    #[test]
    fn guard_trip_names_its_threshold() {
        let t = GuardTrip::Share {
            count: 30,
            licensed: 120,
            max_percent: 20,
        };
        assert!(t.to_string().contains("20 %"));
    }
}
