//! The licensed applications with their seats.
//!
//! The settings screen needs one row per licensed application for its
//! licence-alert thresholds; the figures are the dashboard's own
//! (`seatwarden_core::dashboard::application_seats`, counted on the index),
//! served apart so a form does not compute a whole dashboard to list them.

use seatwarden_core::dashboard::application_seats;

use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;

pub(super) fn list_licences(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = service.with_index(|index| {
        serde_json::to_vec(&serde_json::json!({ "applications": application_seats(index) }))
    })?;
    let body = body.map_err(|_| ApiError::internal("the licences could not be serialised"))?;
    Ok(ApiResponse {
        status: 200,
        content_type: "application/json".to_owned(),
        headers: Vec::new(),
        body,
    })
}
