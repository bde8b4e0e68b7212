//! Demo-only endpoints of the standalone host.
//!
//! Recording logins lets an evaluator watch reactivation and floating
//! licences work without a product; outside demo mode the path does not
//! exist (404), so no production host can fake a login.

use serde::{Deserialize, Deserializer};
use serde_json::json;

use super::body::{expecting, seq_of, typed};
use super::now;
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{Service, ServiceError};

/// `POST /api/demo/logins`: who logged in, and when (default: now).
#[derive(Debug, Deserialize)]
struct LoginsBody {
    #[serde(deserialize_with = "usernames")]
    usernames: Vec<String>,
    #[serde(default, deserialize_with = "millis")]
    at: Option<i64>,
}

fn usernames<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    seq_of(d, "an array of usernames")
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    expecting(d, "UTC milliseconds")
}

pub(super) fn demo_logins(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    if !service.options().demo {
        return Err(ApiError::not_found("this API path"));
    }
    let body: LoginsBody = typed(req)?;
    let at = body.at.map_or_else(|| now(req), seatwarden_core::Millis);
    let names = body.usernames;
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
