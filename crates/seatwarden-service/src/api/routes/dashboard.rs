//! The dashboard: count cards, seats, per-day series and the insights that
//! suggest a first policy.
//!
//! Kept apart because it is the one read that aggregates over the whole
//! index and the audit log at once; its figures come from
//! `seatwarden_core::dashboard`, this module only adds the store's counts
//! and the suggestions.

use serde::Serialize;
use serde_json::{Value, json};

use seatwarden_core::dashboard::{DEFAULT_WINDOW_DAYS, dashboard_counting, idle_licensed};

use super::{now, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{Service, ServiceError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Insight {
    kind: &'static str,
    message: String,
    users: u64,
    percent_of_seats: f64,
    /// A policy the UI can offer as "take action" (safe mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested_policy: Option<Value>,
}

pub(super) fn get_dashboard(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days: u32 = query_num(req, "days", DEFAULT_WINDOW_DAYS)?;
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "query parameter `days` must be between 1 and 3650",
        ));
    }
    let now = now(req);
    let activity = service.settings().config.settings.activity;
    let (mut figures, idle90, licensed) = service.with_index(|index| {
        let figures = dashboard_counting(index, now, days, &activity);
        let idle = idle_licensed(index, now.minus_days(90));
        let licensed = index.licensed_bitmap();
        (figures, idle, licensed.len())
    })?;
    let reactivated = service
        .store()
        .count_audit(&seatwarden_audit::AuditFilter {
            // Every account made active again: by a login policy
            // (`user_reactivated`), and by a revert or a bulk activate
            // (`user_activated`); the card stayed 0 after reverts
            // reactivated 325 accounts.
            actions: vec![
                seatwarden_audit::Action::UserReactivated,
                seatwarden_audit::Action::UserActivated,
            ],
            statuses: vec![seatwarden_audit::Status::Success],
            from: Some(figures.window_start),
            ..seatwarden_audit::AuditFilter::default()
        })
        .map_err(ServiceError::from)?;
    figures.reactivated_in_window = Some(reactivated);
    let mut insights = Vec::new();
    if idle90 > 0 {
        let pct = if licensed == 0 {
            0.0
        } else {
            (idle90 as f64) * 100.0 / (licensed as f64)
        };
        insights.push(Insight {
            kind: "idle_licensed",
            message: format!("{idle90} licensed users idle 90+ days — {pct:.1} % of seats"),
            users: idle90,
            percent_of_seats: pct,
            suggested_policy: Some(json!({
                "name": "Deactivate users idle 90+ days",
                "enabled": true,
                "mode": "safe",
                "priority": 0,
                "trigger": {"kind": "scheduler"},
                "scope": {},
                "condition": {"kind": "inactive", "days": 90},
                "action": {"kind": "deactivate"}
            })),
        });
    }
    if reactivated > 0 {
        insights.push(Insight {
            kind: "reactivated",
            message: format!("{reactivated} users reactivated in the last {days} days"),
            users: reactivated,
            percent_of_seats: 0.0,
            suggested_policy: None,
        });
    }
    let recent = service
        .store()
        .query_runs(&seatwarden_audit::RunQuery {
            limit: 5,
            ..seatwarden_audit::RunQuery::default()
        })
        .map_err(ServiceError::from)?;
    ApiResponse::json(&json!({
        "figures": figures,
        "insights": insights,
        "recentRuns": crate::api::wire::runs(recent.items),
    }))
}
