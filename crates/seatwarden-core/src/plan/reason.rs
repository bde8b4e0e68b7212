//! Why an action is planned: the typed [`Reason`] every planned write
//! carries (the facts and the threshold that fired), and its words for
//! people. Kept apart from `plan.rs` so that file holds the plan's shape.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::TimeSource;
use crate::activity::SignalDate;
use crate::model::UserKey;
use crate::time::Millis;

/// Why an action is planned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Reason {
    /// Inactive long enough.
    Inactive {
        /// Last login (the epoch when the user never logged in but another
        /// signal has a date).
        last_login: Millis,
        /// Whole days since the latest activity by any counted signal.
        days: i64,
        /// The threshold.
        threshold: u32,
        /// Every counted signal's date, latest first; empty when login is the
        /// only signal (then `last_login` says it all).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        signals: Vec<SignalDate>,
    },
    /// Never logged in (nor active by any other counted signal), old enough.
    NeverLoggedIn {
        /// Account creation.
        created: Millis,
        /// Whole days since.
        days: i64,
        /// The threshold.
        threshold: u32,
        /// The counted signals (all without a date), as for `Inactive`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        signals: Vec<SignalDate>,
    },
    /// Logged in once, long enough ago.
    OnceLoggedIn {
        /// That one login.
        last_login: Millis,
        /// Whole days since the latest activity by any counted signal.
        days: i64,
        /// The threshold.
        threshold: u32,
        /// Every counted signal's date, as for `Inactive`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        signals: Vec<SignalDate>,
    },
    /// Deactivated long enough ago.
    Deactivated {
        /// When.
        since: Millis,
        /// Where that time came from.
        source: TimeSource,
        /// Whole days since.
        days: i64,
        /// The threshold.
        threshold: u32,
        /// The user is suspended rather than deactivated (Atlassian Cloud):
        /// the time is the suspension's, and the reason says so.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        suspended: bool,
    },
    /// Chosen by an admin.
    Selected {
        /// The admin.
        admin: UserKey,
    },
    /// A login.
    Login,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Inactive {
                last_login,
                days,
                threshold,
                signals,
            } => {
                if signals.is_empty() {
                    write!(f, "last login {}", last_login.date_string())?;
                } else {
                    write_signals(f, signals)?;
                }
                write!(f, ", {days} days ≥ {threshold}")
            }
            Reason::NeverLoggedIn {
                created,
                days,
                threshold,
                signals,
            } => {
                if signals.is_empty() {
                    f.write_str("never logged in")?;
                } else {
                    f.write_str("never active by any signal (")?;
                    write_signals(f, signals)?;
                    f.write_str(")")?;
                }
                write!(
                    f,
                    ", created {}, {days} days ≥ {threshold}",
                    created.date_string()
                )
            }
            Reason::OnceLoggedIn {
                last_login,
                days,
                threshold,
                signals,
            } => {
                write!(f, "logged in once, on {}", last_login.date_string())?;
                if !signals.is_empty() {
                    f.write_str(" (")?;
                    write_signals(f, signals)?;
                    f.write_str(")")?;
                }
                write!(f, ", {days} days ≥ {threshold}")
            }
            Reason::Deactivated {
                since,
                source,
                days,
                threshold,
                suspended,
            } => {
                let from = match source {
                    TimeSource::Host => "host",
                    TimeSource::Audit => "audit trail",
                };
                let state = if *suspended {
                    "suspended"
                } else {
                    "deactivated"
                };
                write!(
                    f,
                    "{state} {} ({from}), {days} days ≥ {threshold}",
                    since.date_string()
                )
            }
            Reason::Selected { admin } => write!(f, "bulk action by `{admin}`"),
            Reason::Login => f.write_str("logged in"),
        }
    }
}

/// "last seen 2026-11-30 by the plugin; last login 2026-06-01".
fn write_signals(f: &mut fmt::Formatter<'_>, signals: &[SignalDate]) -> fmt::Result {
    for (i, s) in signals.iter().enumerate() {
        if i > 0 {
            f.write_str("; ")?;
        }
        write!(f, "{s}")?;
    }
    Ok(())
}
