//! Licence history, the activity trend, and the facts the forecast takes
//! from the audit trail.
//!
//! Written by the scheduler's first tick of each UTC day (any node: the store
//! already holding today's records is the cluster-wide "done") and after
//! every live run that changed something, so the chart shows the drop on the
//! day it happened; the last write of a day wins. A failed write after a run
//! does not fail the run: the next tick of the day writes again.
//!
//! The activity trend (`seatwarden_core::activity_trend`) is counted from the
//! same index in the same step, so both records of a day describe the same
//! directory. A day is done when both are there: after an upgrade from a
//! build without the trend, the first tick records today's activity even
//! though today's licence records exist.

use seatwarden_audit::{Action, AuditFilter, Status};
use seatwarden_core::Millis;
use seatwarden_core::activity_trend::{ActivityDay, activity_day};
use seatwarden_core::forecast::{LicenceDay, RETENTION_DAYS, RETURN_WINDOW_DAYS, licence_days};
use serde::Serialize;

use super::{Service, ServiceError};

/// The accounts freed and given back over the return window: the likely
/// curve's return rate is `returned / freed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnObservation {
    /// Window length in days.
    pub window_days: u32,
    /// Accounts deactivated or suspended (successfully) in the window.
    pub freed: u64,
    /// Accounts reactivated or restored in the window.
    pub returned: u64,
}

impl ReturnObservation {
    /// `returned / freed` (at most 1); `None` when nothing was freed.
    pub fn rate(&self) -> Option<f64> {
        (self.freed > 0).then(|| (self.returned as f64 / self.freed as f64).min(1.0))
    }
}

/// The audit actions that free a seat by account (group removals name no
/// application in the audit, so they are not counted).
pub const FREEING: [Action; 3] = [
    Action::UserDeactivated,
    Action::UserSuspended,
    Action::UserDeleted,
];

impl Service {
    /// Writes today's licence records and activity record from the current
    /// index.
    pub fn record_licence_history(&self, now: Millis) -> Result<Vec<LicenceDay>, ServiceError> {
        let activity = self.settings().config.settings.activity;
        let (days, trend) = self.with_index(|index| {
            (
                licence_days(index, &activity, now),
                activity_day(index, &activity, now),
            )
        })?;
        let keep = now.day_number() - i64::from(RETENTION_DAYS);
        self.store().put_licence_days(&days, keep)?;
        self.store().put_activity_days(&[trend], keep)?;
        Ok(days)
    }

    /// The scheduler's daily write: only when today's licence records or
    /// today's activity record are missing.
    pub(crate) fn daily_licence_history(&self, now: Millis) -> Result<bool, ServiceError> {
        let today = now.day_number();
        if !self.store().licence_history(today, today)?.is_empty()
            && !self.store().activity_history(today, today)?.is_empty()
        {
            return Ok(false);
        }
        self.record_licence_history(now)?;
        Ok(true)
    }

    /// The recorded activity of days `from_day..=to_day`, oldest first.
    pub fn activity_history(
        &self,
        from_day: i64,
        to_day: i64,
    ) -> Result<Vec<ActivityDay>, ServiceError> {
        Ok(self.store().activity_history(from_day, to_day)?)
    }

    /// Accounts freed and given back over the last [`RETURN_WINDOW_DAYS`].
    pub fn return_observation(&self, now: Millis) -> Result<ReturnObservation, ServiceError> {
        let from = Some(now.minus_days(RETURN_WINDOW_DAYS));
        let count = |actions: Vec<Action>| {
            self.store().count_audit(&AuditFilter {
                actions,
                statuses: vec![Status::Success],
                from,
                ..AuditFilter::default()
            })
        };
        Ok(ReturnObservation {
            window_days: RETURN_WINDOW_DAYS,
            freed: count(vec![Action::UserDeactivated, Action::UserSuspended])?,
            returned: count(vec![Action::UserReactivated, Action::UserRestored])?,
        })
    }
}
