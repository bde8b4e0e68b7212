//! `GET /api/insights/products`: per-product dashboard insights (issue 20),
//! "412 users inactive in Confluence ≥ 60 days", each with the rule "Take
//! action" opens.
//!
//! Kept apart from the dashboard route so that route's figures and speed
//! stay its own; the counts come from
//! `seatwarden_core::product_insights`, which runs the same Users query the
//! suggested rule's preview acts on. The suggested rule suspends (the one
//! write every Cloud account takes, and reversible) in safe mode, so "Take
//! action" never changes anything before an admin saves and runs it.

use serde::Serialize;
use serde_json::{Value, json};

use seatwarden_core::product_insights::{DEFAULT_PRODUCT_IDLE_DAYS, ProductIdle, product_idle};

use super::{now, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProductInsight {
    #[serde(flatten)]
    figure: ProductIdle,
    message: String,
    suggested_policy: Value,
}

pub(super) fn get_product_insights(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days: u32 = query_num(req, "days", DEFAULT_PRODUCT_IDLE_DAYS)?;
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "query parameter `days` must be between 1 and 3650",
        ));
    }
    let now = now(req);
    let figures = service.with_index(|index| product_idle(index, now, days))?;
    let insights: Vec<ProductInsight> = figures
        .into_iter()
        .map(|figure| ProductInsight {
            message: format!(
                "{} users inactive in {} ≥ {} days",
                figure.users, figure.name, figure.days
            ),
            suggested_policy: json!({
                "name": format!("Suspend users inactive in {} {}+ days", figure.name, figure.days),
                "enabled": true,
                "mode": "safe",
                "priority": 0,
                "trigger": {"kind": "scheduler"},
                "scope": {},
                "signals": [figure.signal],
                "condition": {"kind": "inactive", "days": figure.days},
                "action": {"kind": "suspend"}
            }),
            figure,
        })
        .collect();
    ApiResponse::json(&json!({"days": days, "insights": insights}))
}
