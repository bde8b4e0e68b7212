//! The activity trend: how many people were active, recorded once a day.
//!
//! Why recorded and not computed: the index keeps one date per user (their
//! latest activity), so a user seen today hides whether they were active a
//! month ago. Counting "users whose last activity fell on day D" (the
//! dashboard's old per-day bars) shrinks for older days by construction and
//! reads as falling adoption when nothing changed. The only way to show
//! adoption over time is to count today's figures today and keep them, as
//! the licence history does (`crate::forecast::LicenceDay`); the service
//! writes both in the same daily step.
//!
//! The windows: **30 days** is the dashboard's default window and the
//! reference products' "active user" (the Users tab's `activity: within 30`),
//! so the trend's last point equals the dashboard card; **7 days** smooths
//! the week (weekends, holidays) and is what "weekly active" means to most
//! admins; **1 day** shows the working-day rhythm. All three are one bitmap
//! scan of the column the dashboard reads (about a millisecond each at a
//! million users), so recording them costs nothing worth saving. Active
//! accounts are recorded beside them so a share ("62 % of active accounts")
//! can be drawn without a second source.
//!
//! One definition: a user counts in the N-day window when their account is
//! active and their latest date by the counted signals is at or after
//! `now − N days` — exactly the dashboard's `activeInWindow`
//! ([`crate::dashboard::dashboard_counting`]), through the same function.

use serde::{Deserialize, Serialize};

use crate::activity::ActivitySettings;
use crate::dashboard::active_since;
use crate::index::DirectoryIndex;
use crate::time::{DAY_MS, Millis};

/// The recorded windows, in days, shortest first.
pub const TREND_WINDOWS: [u32; 3] = [1, 7, 30];

/// What one day's record counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityFigures {
    /// Active accounts (the denominator of a share).
    pub active_accounts: u64,
    /// Active accounts active within the last day.
    #[serde(rename = "active1d")]
    pub active_1d: u64,
    /// Active accounts active within the last 7 days.
    #[serde(rename = "active7d")]
    pub active_7d: u64,
    /// Active accounts active within the last 30 days.
    #[serde(rename = "active30d")]
    pub active_30d: u64,
}

/// The activity record of one UTC day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDay {
    /// The UTC day, `YYYY-MM-DD`.
    pub date: String,
    /// Days since the epoch (the store's key and order).
    pub day: i64,
    /// The counts.
    #[serde(flatten)]
    pub figures: ActivityFigures,
    /// Made up by the demo organisation (`seatwarden serve --demo`) for the
    /// days before it existed, so the chart has a trend on first start; a
    /// real record is never marked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
}

impl ActivityDay {
    /// A record of `figures` for `day`.
    pub fn new(day: i64, figures: ActivityFigures) -> Self {
        Self {
            date: Millis(day.saturating_mul(DAY_MS)).date_string(),
            day,
            figures,
            demo: false,
        }
    }
}

/// Today's activity record from `index` at `now`, activity judged by the
/// signals `settings` counts.
pub fn activity_day(
    index: &DirectoryIndex,
    settings: &ActivitySettings,
    now: Millis,
) -> ActivityDay {
    let view = index.activity_view(index.signal_mask(settings));
    let count = |days: u32| active_since(index, view.column(), now.minus_days(days).0).len();
    let [d1, d7, d30] = TREND_WINDOWS;
    ActivityDay::new(
        now.day_number(),
        ActivityFigures {
            active_accounts: index.active_bitmap().len(),
            active_1d: count(d1),
            active_7d: count(d7),
            active_30d: count(d30),
        },
    )
}
