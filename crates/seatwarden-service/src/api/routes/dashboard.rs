//! The dashboard: count cards, seats, per-day series and the insights that
//! suggest a first policy.
//!
//! Kept apart because it is the one read that aggregates over the whole
//! index and the audit log at once; its figures come from
//! `seatwarden_core::dashboard`, this module only adds the store's counts
//! and the suggestions.

use serde_json::json;

use seatwarden_core::dashboard::{DEFAULT_WINDOW_DAYS, dashboard_counting};

use super::insight_policy::Insight;
use super::{now, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{Service, ServiceError};

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
    let mut figures =
        service.with_index(|index| dashboard_counting(index, now, days, &activity))?;
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
    // Counted by the policy "Take action" opens (`insight_policy`).
    insights.extend(super::insight_policy::idle_licensed(service, now)?);
    if reactivated > 0 {
        insights.push(Insight {
            kind: "reactivated",
            message: format!("{reactivated} users reactivated in the last {days} days"),
            users: reactivated,
            percent_of_seats: 0.0,
            matched: None,
            skipped: Default::default(),
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
    let waits = service.approval_waits(&recent.items)?;
    ApiResponse::json(&json!({
        "figures": figures,
        "insights": insights,
        "recentRuns": crate::api::wire::runs_with_waits(recent.items, &waits),
    }))
}
