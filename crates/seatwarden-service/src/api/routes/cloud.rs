//! The Atlassian Cloud connection screen (issue 20): the stored connection
//! without its secrets, a check of every credential that writes nothing,
//! and a save that checks first.
//!
//! A refusal is a 422 whose problem names the form field of the credential
//! at fault (`apiKey`, `siteToken`, …) with what it lacks, so the screen
//! shows it beside that field. Saving is audited as a settings change that
//! names the fields that changed, never a secret's value (a new key reads
//! "organization API key changed"). A saved connection is live at once:
//! its host replaces the running one between runs (`service::swap`).

use serde_json::json;

use seatwarden_audit::Action as AuditAction;

use super::audit_success;
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::cloud::{CloudConnectionForm, CloudConnections, CloudRefusal};
use crate::service::Service;

fn connections(service: &Service) -> Result<std::sync::Arc<dyn CloudConnections>, ApiError> {
    service.cloud_connections().ok_or_else(|| {
        ApiError::new(
            ApiErrorKind::NotFound,
            "this server has no Cloud connector (Atlassian Cloud is connected by `seatwarden serve`)",
        )
    })
}

fn form(req: &ApiRequest) -> Result<CloudConnectionForm, ApiError> {
    // The parser's message never quotes the values (they may be secrets).
    req.json::<CloudConnectionForm>().map_err(|_| {
        ApiError::bad_request(
            "the body must be {orgId, apiKey?, siteUrl, siteEmail, siteToken?} (strings; a blank key or token keeps the stored one)",
        )
    })
}

fn refused(r: CloudRefusal) -> ApiError {
    ApiError::new(ApiErrorKind::Validation, r.message.clone())
        .with_details(json!({"problems": [{"path": r.field, "message": r.message}]}))
}

pub(super) fn get_connection(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    ApiResponse::json(&connections(service)?.current())
}

pub(super) fn test_connection(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let cloud = connections(service)?;
    let form = form(req)?;
    let connected = cloud.test(&form).map_err(refused)?;
    ApiResponse::json(&json!({"connected": connected}))
}

pub(super) fn replace_connection(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let cloud = connections(service)?;
    let form = form(req)?;
    let before = cloud.current();
    let saved = cloud.save(&form).map_err(refused)?;
    // Live now: the checked connection's host replaces the running one
    // between runs, and the index is rebuilt from it (`service::swap`).
    let swap = cloud
        .take_saved_host()
        .map(|host| service.replace_host(host));
    let mut changed: Vec<&str> = Vec::new();
    if before.org_id != saved.org_id {
        changed.push("organization id");
    }
    if before.site_url != saved.site_url {
        changed.push("site URL");
    }
    if before.site_email != saved.site_email {
        changed.push("site admin email");
    }
    if CloudConnectionForm::typed(&form.api_key).is_some() {
        changed.push("organization API key");
    }
    if CloudConnectionForm::typed(&form.site_token).is_some() {
        changed.push("site API token");
    }
    let mut description = if changed.is_empty() {
        "Cloud connection saved unchanged".to_owned()
    } else {
        format!("Cloud connection changed: {}", changed.join(", "))
    };
    match swap {
        Some(crate::service::HostSwap::Now) => description.push_str("; in use now"),
        Some(crate::service::HostSwap::AfterRuns) => {
            description.push_str("; in use when the run in progress ends")
        }
        None => {}
    }
    audit_success(service, req, AuditAction::SettingsChanged, description)?;
    // Runs held for approval on the organization just left are discarded
    // now, not at the next tick (`service::swap`).
    service.discard_held_after_swap(super::now(req))?;
    ApiResponse::json(&saved)
}
