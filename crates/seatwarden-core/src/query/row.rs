//! One row of the Users tab, with the idle explanation admins read first.

use serde::{Deserialize, Serialize};

use crate::activity::{ActivitySettings, SignalDate};
use crate::index::{DirectoryIndex, SignalMask, UserIdx};
use crate::model::{ApplicationKey, DirectoryId, GroupName, UserKey, Username};
use crate::time::Millis;

/// How long a user has been idle, and why we say so: from the latest date
/// among the counted signals, the date the engine's inactivity reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Idleness {
    /// True when no counted signal has a date for the user (never logged in,
    /// never seen): idleness counts from creation.
    pub never_logged_in: bool,
    /// The instant idleness counts from: last activity, or creation.
    pub since: Millis,
    /// Whole days from `since` to the query's `now` (0 if `since` is later).
    pub days: i64,
    /// A sentence for the UI naming the signal, e.g. `last login
    /// 2026-10-01, 51 days ago` or `last seen 2026-10-01 by the plugin, 51
    /// days ago`.
    pub text: String,
}

impl Idleness {
    /// Explains user `idx`'s idleness at `now` by the signals of `mask`.
    pub fn counted(
        index: &DirectoryIndex,
        idx: UserIdx,
        now: Millis,
        mask: SignalMask,
    ) -> Idleness {
        let dates = index.signal_dates(idx, mask);
        let (never, since) = match index.last_activity(idx, mask) {
            Some(t) => (false, t),
            None => (true, index.created(idx)),
        };
        Idleness {
            never_logged_in: never,
            since,
            days: since.days_until(now).max(0),
            text: Idleness::text_for_signals(since, now, never, &dates),
        }
    }

    /// The sentence for a last login (or, `never`, a creation) at `since`
    /// seen at `now`. "today" and "N days ago" count calendar days (UTC), as
    /// the date beside them does: a login at 23:00 yesterday read "today" at
    /// 01:00 when elapsed 24-hour periods were counted. [`Idleness::days`]
    /// stays the elapsed count, the one policy thresholds compare.
    pub fn text_for(since: Millis, now: Millis, never: bool) -> String {
        Idleness::text_for_signals::<SignalDate>(since, now, never, &[])
    }

    /// [`Idleness::text_for`] naming the counted signals' dates (latest
    /// first) when a user has more than the login.
    pub fn text_for_signals<D: std::fmt::Display>(
        since: Millis,
        now: Millis,
        never: bool,
        dates: &[D],
    ) -> String {
        let latest = dates.first();
        let ago = match (now.day_number() - since.day_number()).max(0) {
            0 => "today".to_owned(),
            1 => "1 day ago".to_owned(),
            n => format!("{n} days ago"),
        };
        match (never, latest) {
            (true, None) => format!("never logged in, created {}, {ago}", since.date_string()),
            // Name each counted signal, so "never active in Confluence" reads
            // as such when a query counts one product.
            (true, Some(_)) => format!(
                "never active by any counted signal ({}), created {}, {ago}",
                dates
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
                since.date_string()
            ),
            (false, None) => format!("last login {}, {ago}", since.date_string()),
            (false, Some(d)) => format!("{d}, {ago}"),
        }
    }
}

/// One user on a Users-tab page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryRow {
    /// Stable key.
    pub key: UserKey,
    /// Login name.
    pub username: Username,
    /// Full name.
    pub display_name: String,
    /// Email.
    pub email: String,
    /// Directory id.
    pub directory: DirectoryId,
    /// Directory name.
    pub directory_name: String,
    /// Active or deactivated.
    pub active: bool,
    /// Access suspended (Atlassian Cloud; never with `active`). Absent when
    /// false, so Data Center rows are unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
    /// Account creation.
    pub created: Millis,
    /// Last login, `null` if never.
    pub last_login: Option<Millis>,
    /// Last activity by the counted signals (what the policies read),
    /// `null` when none has a date; equal to `lastLogin` where login is the
    /// only signal.
    pub last_activity: Option<Millis>,
    /// Every counted signal's date, latest first; empty where login is the
    /// only signal (the host declares no other).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalDate>,
    /// Login count, `null` where unknown.
    pub login_count: Option<u32>,
    /// Direct group memberships.
    pub groups: Vec<GroupName>,
    /// Holds a seat.
    pub licensed: bool,
    /// Applications the user holds a seat of.
    pub licensed_applications: Vec<ApplicationKey>,
    /// Idle since when, and why.
    pub inactive_because: Idleness,
}

impl QueryRow {
    /// The row of user `idx` at `now`, every declared signal counting.
    pub fn of(index: &DirectoryIndex, idx: UserIdx, now: Millis) -> QueryRow {
        QueryRow::counted(
            index,
            idx,
            now,
            index.signal_mask(&ActivitySettings::default()),
        )
    }

    /// The row of user `idx` at `now`, activity by the signals of `mask`.
    pub fn counted(
        index: &DirectoryIndex,
        idx: UserIdx,
        now: Millis,
        mask: SignalMask,
    ) -> QueryRow {
        let directory = index.directory_id_of(idx);
        QueryRow {
            key: UserKey::from(index.key(idx)),
            username: Username::from(index.username(idx)),
            display_name: index.display_names.get(idx.as_usize()).to_owned(),
            email: index.emails.get(idx.as_usize()).to_owned(),
            directory,
            directory_name: index
                .directory(directory)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            active: index.is_active(idx),
            suspended: index.is_suspended(idx),
            created: index.created(idx),
            last_login: index.last_login(idx),
            last_activity: index.last_activity(idx, mask),
            signals: index.signal_dates(idx, mask),
            login_count: index.login_count(idx),
            groups: index.groups_of(idx).cloned().collect(),
            licensed: index.licensed_bitmap().contains(idx.0),
            licensed_applications: index
                .licensed_applications(idx)
                .into_iter()
                .cloned()
                .collect(),
            inactive_because: Idleness::counted(index, idx, now, mask),
        }
    }
}
