//! Demo-only endpoints of the standalone host.
//!
//! Recording logins lets an evaluator watch reactivation and floating
//! licences work without a product; outside demo mode the path does not
//! exist (404), so no production host can fake a login.

use serde_json::{Value, json};

use super::{body_object, now};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{Service, ServiceError};

pub(super) fn demo_logins(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    if !service.options().demo {
        return Err(ApiError::not_found("this API path"));
    }
    let body = body_object(req)?;
    let names: Vec<String> = match body.get("usernames") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    ApiError::bad_request(format!("field `usernames[{i}]` must be a string"))
                })
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ApiError::bad_request(
                "field `usernames` must be an array of usernames",
            ));
        }
    };
    let at = match body.get("at") {
        None | Some(Value::Null) => now(req),
        Some(v) => seatwarden_core::Millis(
            v.as_i64()
                .ok_or_else(|| ApiError::bad_request("field `at` must be UTC milliseconds"))?,
        ),
    };
    let mut outcomes = Vec::new();
    for name in &names {
        // Login policies first (a deactivated user is reactivated), then
        // the login itself.
        let outcome = service.on_login(name, at)?;
        let recorded = service
            .host()
            .record_login(name, at)
            .map_err(ServiceError::from)?;
        outcomes.push(json!({
            "username": name,
            "recorded": recorded.is_some(),
            "applied": outcome.applied,
            "failed": outcome.failed.iter().map(|(op, why)| json!({"operation": op, "why": why})).collect::<Vec<_>>(),
        }));
    }
    ApiResponse::json(&json!({"logins": outcomes}))
}
