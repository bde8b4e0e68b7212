//! The activity trend (issue 24): the recorded daily counts of active users
//! (`seatwarden_core::activity_trend`), for the dashboard's trend chart.
//!
//! Only recorded days are answered: a day without a record (before the first
//! record, a day the server was down, a store written before the trend) is
//! absent, never a zero, and the chart draws it as a gap. The answer also
//! says which day the next record is for, so an empty chart can say when its
//! first (or next) point appears.

use serde::Serialize;

use seatwarden_core::Millis;
use seatwarden_core::activity_trend::{ActivityDay, TREND_WINDOWS};
use seatwarden_core::time::DAY_MS;

use super::{now, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;

/// The longest range answered: the retention of the daily records.
const MAX_DAYS: u32 = seatwarden_core::forecast::RETENTION_DAYS;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ActivityHistory {
    /// First day of the range, `YYYY-MM-DD` (UTC).
    from: String,
    /// Last day of the range (today).
    to: String,
    /// The windows counted, in days, shortest first.
    windows: [u32; 3],
    /// The first recorded day in the range, if any.
    first_recorded: Option<String>,
    /// Whether today is recorded yet.
    today_recorded: bool,
    /// The day the next record is for: today until it is recorded, then
    /// tomorrow (written by the scheduler's first check of that UTC day).
    next_record: String,
    /// The recorded days, oldest first.
    records: Vec<ActivityDay>,
}

pub(super) fn activity_history(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days: u32 = query_num(req, "days", 90)?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::bad_request(format!(
            "query parameter `days` must be between 1 and {MAX_DAYS}"
        )));
    }
    let to = now(req).day_number();
    let from = to - i64::from(days) + 1;
    let records = service.activity_history(from, to)?;
    let date = |day: i64| Millis(day.saturating_mul(DAY_MS)).date_string();
    let today_recorded = records.last().is_some_and(|d| d.day == to);
    ApiResponse::json(&ActivityHistory {
        from: date(from),
        to: date(to),
        windows: TREND_WINDOWS,
        first_recorded: records.first().map(|d| d.date.clone()),
        today_recorded,
        next_record: date(if today_recorded { to + 1 } else { to }),
        records,
    })
}
