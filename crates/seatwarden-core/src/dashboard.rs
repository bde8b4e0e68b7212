//! Dashboard figures: the counts and the bar chart of the admin's first page.
//!
//! All figures come from the index at an instant `now` over a window of
//! `window_days` days (30 by default, as the reference product). Definitions:
//! - `active` / `deactivated`: account status now;
//! - **last activity**: each user's latest date among the counted activity
//!   signals (`settings.activity`, `docs/activity.md`): the last login alone
//!   on a host that declares no other signal, as before issue 23;
//! - `activeInWindow`: active users whose last activity is ≥ `windowStart`
//!   (= now − window days), exactly the Users-tab filter `status: active,
//!   activity: within N`; `inactiveInWindow`: active users without such a
//!   date, never-logged-in included — together they make `active`;
//! - `neverLoggedIn`: active users with no date by any counted signal;
//!   `neverLoggedInLicensed`: those of them holding a seat;
//! - `licensed`: active users in a licence-granting group, and of them
//!   `licensedActiveInWindow` / `licensedInactiveInWindow`;
//! - `applications`: per licence, seats used **as the index counts them**
//!   (active members of its groups, current after in-place changes), the
//!   host's own figure from the snapshot, and seats available (`null` = unlimited);
//! - `lastSeenPerDay`: one bucket per UTC day from `windowStart`'s day to
//!   `now`'s day (window + 1 buckets, the first one partial), counting every
//!   user (any status) whose last activity falls in `[windowStart, now]` on
//!   that day. The buckets sum to `seenInWindow`. (Logins after `now` only occur
//!   when replaying an older instant; they count as "in window" but have no bar.)
//! - `reactivatedInWindow` needs the audit log, which the index does not
//!   have: it is always `null` here and the service fills it in.

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::activity::{ActivitySettings, SignalName};
use crate::index::{DirectoryIndex, NEVER};
use crate::model::{ApplicationKey, SeatLimit};
use crate::time::{DAY_MS, Millis};

/// The default window, in days.
pub const DEFAULT_WINDOW_DAYS: u32 = 30;

/// Seats of one application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSeats {
    /// Application key.
    pub application: ApplicationKey,
    /// Display name.
    pub name: String,
    /// The licence's limit.
    pub limit: SeatLimit,
    /// Seats in use, counted from the index.
    pub seats_used: u64,
    /// Seats in use as the host reported in the snapshot.
    pub host_seats_used: u32,
    /// Seats left (`limit − seatsUsed`, never negative); `None` when unlimited.
    pub seats_available: Option<u64>,
}

/// Users last seen on one UTC day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayCount {
    /// The day, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Midnight UTC starting the day.
    pub day_start: Millis,
    /// Users whose last activity falls on that day (within the window).
    pub users: u64,
}

/// The dashboard's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// The instant the figures are for.
    pub now: Millis,
    /// Window length in days.
    pub window_days: u32,
    /// `now` minus the window.
    pub window_start: Millis,
    /// Every user.
    pub total_users: u64,
    /// Active users.
    pub active: u64,
    /// Deactivated users.
    pub deactivated: u64,
    /// Active users active (by a counted signal) within the window.
    pub active_in_window: u64,
    /// Active users who did not (never-logged-in included).
    pub inactive_in_window: u64,
    /// Active users with no date by any counted signal.
    pub never_logged_in: u64,
    /// Licensed users with no date by any counted signal.
    pub never_logged_in_licensed: u64,
    /// Users holding a seat.
    pub licensed: u64,
    /// Licensed users active within the window.
    pub licensed_active_in_window: u64,
    /// Licensed users who did not.
    pub licensed_inactive_in_window: u64,
    /// Users (any status) whose last activity lies in the window.
    pub seen_in_window: u64,
    /// Users reactivated within the window: from the audit log, filled by
    /// the service; always `None` from the index alone.
    pub reactivated_in_window: Option<u64>,
    /// Seats per application.
    pub applications: Vec<ApplicationSeats>,
    /// The bar chart: users last seen per day, oldest day first.
    pub last_seen_per_day: Vec<DayCount>,
    /// Every activity signal the snapshot carries: counted or not, since when
    /// it records, how many users have a date (`docs/activity.md`). Counted
    /// per the default settings here; the service applies the installation's.
    #[serde(default)]
    pub signals: Vec<SignalStatus>,
}

/// One activity signal on the dashboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalStatus {
    /// Which signal.
    #[serde(flatten)]
    pub signal: SignalName,
    /// Whether inactivity counts it (`settings.activity`).
    pub enabled: bool,
    /// When it started recording; `None`: full history.
    pub since: Option<Millis>,
    /// Users with a date from it.
    pub users_with_value: u64,
    /// Periods since `since` it recorded nothing (plugin disabled): its
    /// covered days are the days since `since` minus these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<crate::activity::Gap>,
}

/// The signals of `index` and whether `settings` counts each (login first).
pub fn signal_status(index: &DirectoryIndex, settings: &ActivitySettings) -> Vec<SignalStatus> {
    let mut out = vec![SignalStatus {
        signal: SignalName::Login,
        enabled: settings.login,
        since: None,
        users_with_value: index.all_bitmap().len() - index.never_logged_in_bitmap().len(),
        gaps: Vec::new(),
    }];
    for (i, d) in index.signals().iter().enumerate() {
        let column = index.activity.get(i).map_or(&[][..], Vec::as_slice);
        out.push(SignalStatus {
            signal: SignalName::of(d),
            enabled: settings.counts(d.kind),
            since: d.since,
            users_with_value: column.iter().filter(|&&v| v != NEVER).count() as u64,
            gaps: d.gaps.clone(),
        });
    }
    out
}

/// Seats per licensed application, counted by the index (users holding a
/// seat through one of the licence's groups), beside the host's own figure.
/// The dashboard shows them; the settings screen lists the applications
/// from them without computing a whole dashboard.
pub fn application_seats(index: &DirectoryIndex) -> Vec<ApplicationSeats> {
    index
        .licences()
        .iter()
        .enumerate()
        .map(|(l, lic)| {
            let used = index.licence_seat_holders(l).len();
            ApplicationSeats {
                application: lic.application.clone(),
                name: lic.name.clone(),
                limit: lic.limit,
                seats_used: used,
                host_seats_used: lic.seats_used,
                seats_available: match lic.limit {
                    SeatLimit::Limited(n) => Some(u64::from(n).saturating_sub(used)),
                    SeatLimit::Unlimited => None,
                },
            }
        })
        .collect()
}

/// Active accounts whose last activity (the combined `column` of the counted
/// signals) is at or after `cutoff`: the dashboard's `activeInWindow` and the
/// recorded activity trend (`crate::activity_trend`) both count through
/// here, so the card and the trend's latest point cannot disagree.
pub(crate) fn active_since(index: &DirectoryIndex, column: &[i64], cutoff: i64) -> RoaringBitmap {
    let mut since = RoaringBitmap::from_lsb0_bytes(
        0,
        &crate::scan::interval_bytes(column, cutoff.max(NEVER + 1), i64::MAX),
    );
    since &= index.active_bitmap();
    since
}

/// Computes the dashboard figures at `now` for a window of `window_days`,
/// counting the default signals (all).
pub fn dashboard(index: &DirectoryIndex, now: Millis, window_days: u32) -> Dashboard {
    dashboard_counting(index, now, window_days, &ActivitySettings::default())
}

/// The dashboard figures with the signals `activity` counts: the window's
/// counts, the never-logged-in cards and the per-day chart read each user's
/// latest date among them (the column the Users tab's activity filter and
/// the engine read, `DirectoryIndex::signal_mask`), so a person who works
/// through a token or a remember-me cookie shows on the day they were last
/// seen, not on their last login months ago.
pub fn dashboard_counting(
    index: &DirectoryIndex,
    now: Millis,
    window_days: u32,
    activity: &ActivitySettings,
) -> Dashboard {
    let view = index.activity_view(index.signal_mask(activity));
    let window_start = now.minus_days(window_days);
    let cutoff = window_start.0;
    let active = index.active_bitmap();
    let licensed = index.licensed_bitmap();

    let first_day = window_start.day_number();
    let last_day = now.day_number();
    let buckets = usize::try_from((last_day - first_day + 1).max(0)).unwrap_or(0);
    let mut per_day = vec![0u64; buckets];

    // Who was seen since the window opened (a date past `now` counts too,
    // as it always did): one column scan into a bitmap, then two bitmap
    // intersections. A per-user `contains` on the active and licensed
    // bitmaps here cost ≈ 20 ms at a million users (issue 19).
    let active_since = active_since(index, view.column(), cutoff);
    let active_in_window = active_since.len();
    let licensed_active_in_window = active_since.intersection_len(licensed);
    let mut seen_in_window = 0u64;
    for &ll in view.column() {
        if ll == NEVER || ll < cutoff || ll > now.0 {
            continue;
        }
        seen_in_window += 1;
        let day = ll.div_euclid(DAY_MS) - first_day;
        if let Some(b) = usize::try_from(day).ok().and_then(|d| per_day.get_mut(d)) {
            *b += 1;
        }
    }
    let never = view.never();
    let active_count = active.len();
    let licensed_count = licensed.len();

    let applications = application_seats(index);

    let last_seen_per_day = (first_day..)
        .zip(per_day)
        .map(|(day, users)| {
            let day_start = Millis(day * DAY_MS);
            DayCount {
                date: day_start.date_string(),
                day_start,
                users,
            }
        })
        .collect();

    Dashboard {
        now,
        window_days,
        window_start,
        total_users: index.all_bitmap().len(),
        active: active_count,
        deactivated: index.all_bitmap().len() - active_count,
        active_in_window,
        inactive_in_window: active_count - active_in_window,
        never_logged_in: never.intersection_len(active),
        never_logged_in_licensed: never.intersection_len(licensed),
        licensed: licensed_count,
        licensed_active_in_window,
        licensed_inactive_in_window: licensed_count - licensed_active_in_window,
        seen_in_window,
        reactivated_in_window: None,
        applications,
        last_seen_per_day,
        signals: signal_status(index, activity),
    }
}
