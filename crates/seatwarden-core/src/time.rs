//! Time as the engine sees it: UTC milliseconds since the Unix epoch.
//!
//! The engine never reads a clock. Hosts pass `now` in, which is what makes
//! plans reproducible and lets tests (and `seatwarden plan --now …`) replay
//! any moment.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds in one day; day arithmetic in the engine is in whole UTC days.
pub const DAY_MS: i64 = 86_400_000;

/// An instant: UTC milliseconds since 1970-01-01T00:00:00Z.
///
/// Serialised as a plain integer, the form Jira and Confluence report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    /// The earliest instant a directory can plausibly hold (1990-01-01).
    ///
    /// Anything before it in a snapshot is a host bug (a zero or a seconds
    /// value passed as milliseconds), not a real login.
    pub const PLAUSIBLE_MIN: Millis = Millis(631_152_000_000);

    /// Whole days from `self` to `later`, rounded down; negative if `later` is earlier.
    pub fn days_until(self, later: Millis) -> i64 {
        later.0.saturating_sub(self.0).div_euclid(DAY_MS)
    }

    /// This instant moved back by `days` whole days (saturating).
    pub fn minus_days(self, days: u32) -> Millis {
        Millis(
            self.0
                .saturating_sub(i64::from(days).saturating_mul(DAY_MS)),
        )
    }

    /// This instant moved forward by `days` whole days (saturating).
    pub fn plus_days(self, days: u32) -> Millis {
        Millis(
            self.0
                .saturating_add(i64::from(days).saturating_mul(DAY_MS)),
        )
    }

    /// The UTC day number (days since the epoch) this instant falls in.
    pub fn day_number(self) -> i64 {
        self.0.div_euclid(DAY_MS)
    }

    /// The instant as a `chrono` UTC date-time, if it is representable.
    pub fn to_datetime(self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_millis(self.0)
    }

    /// Parses an RFC 3339 / ISO 8601 instant such as `2026-11-21T02:00:00Z`.
    pub fn parse_rfc3339(text: &str) -> Option<Millis> {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Millis(t.timestamp_millis()))
    }

    /// The calendar date (`YYYY-MM-DD`, UTC) of this instant, for explanations.
    pub fn date_string(self) -> String {
        match self.to_datetime() {
            Some(t) => t.format("%Y-%m-%d").to_string(),
            None => format!("{}ms", self.0),
        }
    }
}

impl fmt::Display for Millis {
    /// ISO 8601 in UTC with millisecond precision, e.g. `2026-11-21T02:00:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime() {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(f, "{}ms", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_until_rounds_down_and_handles_negative() {
        let a = Millis(10 * DAY_MS);
        assert_eq!(a.days_until(Millis(12 * DAY_MS - 1)), 1);
        assert_eq!(a.days_until(Millis(12 * DAY_MS)), 2);
        assert_eq!(a.days_until(Millis(9 * DAY_MS)), -1);
    }

    #[test]
    fn formats_and_parses_iso() {
        let t = Millis::parse_rfc3339("2026-11-21T02:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-21T02:00:00.000Z");
        assert_eq!(t.date_string(), "2026-11-21");
    }
}
