//! The admin side of issue 21 items 3-4: the access requests users sent
//! through their links (list, approve, reject), the link secret's
//! rotation, and the service-desk webhooks (list, create with the secret
//! shown once, rotate, remove, send a test event).

use serde::Deserialize;
use serde_json::json;

use seatwarden_audit::{Action as AuditAction, AuditEntry, Status, Target};

use super::{actor, audit_success, now, record_audit, store_err};
use crate::access::hook::{HookEvent, HookSettings, problems};
use crate::access::{RequestStatus, secret};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;

fn hook_view(service: &Service, id: &str, s: &HookSettings) -> serde_json::Value {
    let base = service.options().base_url.trim_end_matches('/').to_owned();
    let url = match service.options().product.as_str() {
        "jira" | "confluence" => {
            format!("{base}/plugins/servlet/seatwarden-public/hooks/access/{id}")
        }
        _ => format!("{base}/hooks/access/{id}"),
    };
    json!({"id": id, "url": url, "settings": s, "version": version_of(s)})
}

/// The version a save must name: a digest of the stored settings, so a
/// save over settings changed since they were read is refused (409).
fn version_of(s: &HookSettings) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(s).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes).get(..8).unwrap_or_default())
}

/// Settings that cannot be saved: 422 naming every problem by field.
fn check(settings: &HookSettings) -> Result<(), ApiError> {
    let problems = problems(settings);
    if problems.is_empty() {
        return Ok(());
    }
    let message = problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Err(ApiError::new(ApiErrorKind::Validation, message)
        .with_details(json!({"problems": problems})))
}

/// `GET /api/access/requests`: newest first.
pub(super) fn list_requests(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let items = crate::access::request_list(service, now(req)).map_err(ApiError::internal)?;
    ApiResponse::json(&json!({"items": items, "pageUrl": crate::access::page_url(service)}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Decision {
    approve: bool,
}

/// `POST /api/access/requests/{id}/decide` `{"approve": bool}`.
pub(super) fn decide_request(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = params.get("id")?;
    let decision: Decision = req.json()?;
    let at = now(req);
    let mut record = crate::access::request_list(service, at)
        .map_err(ApiError::internal)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ApiError::not_found(format!("access request `{id}`")))?;
    if record.status != RequestStatus::Pending {
        return Err(ApiError::new(
            crate::api::ApiErrorKind::Conflict,
            format!("access request `{id}` was decided already"),
        ));
    }
    let name = record.user_name.clone().unwrap_or_default();
    // Only requests of users whose access is gone wait here (a kept user's
    // request is exempted or queued on the review list at once), so
    // approving one gives the access back.
    let (status, outcome) = if decision.approve {
        match crate::access::restore_user(
            service,
            &record.user,
            &name,
            &record.policy,
            "access request approved by an administrator",
            at,
        ) {
            Ok(()) => (
                RequestStatus::Restored,
                "approved: access restored".to_owned(),
            ),
            Err(e) => (
                RequestStatus::Failed,
                format!("approved, but access could not be restored: {e}"),
            ),
        }
    } else {
        (
            RequestStatus::Rejected,
            "rejected by an administrator".to_owned(),
        )
    };
    record.status = status;
    record.outcome = outcome.clone();
    crate::access::request_save(service, &record, at).map_err(ApiError::internal)?;
    record_audit(
        service,
        req,
        vec![
            AuditEntry::new(
                at,
                actor(service, req),
                AuditAction::AccessRequestDecided,
                if status == RequestStatus::Failed {
                    Status::Failed
                } else {
                    Status::Success
                },
            )
            .with_target(Target::user(record.user.clone(), record.user_name.clone()))
            .with_policy(record.policy.clone())
            .with_description(format!(
                "access request {}: {outcome}",
                id.get(..12).unwrap_or(id)
            )),
        ],
    )?;
    ApiResponse::json(&record)
}

/// `POST /api/access/secret/rotate`: every link sent so far stops working.
pub(super) fn rotate_link_secret(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    secret::rotate(service.store(), secret::LINKS).map_err(store_err)?;
    audit_success(
        service,
        req,
        AuditAction::SecretRotated,
        "the access-link secret was rotated: links sent before no longer work".to_owned(),
    )?;
    ApiResponse::json(&json!({"rotated": true}))
}

/// `GET /api/hooks`.
pub(super) fn list_hooks(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let hooks = crate::access::hook_list(service, now(req)).map_err(ApiError::internal)?;
    let items: Vec<_> = hooks
        .iter()
        .map(|(id, s)| hook_view(service, id, s))
        .collect();
    ApiResponse::json(&json!({"items": items}))
}

/// `POST /api/hooks`: answers the hook and its secret, shown this once.
pub(super) fn create_hook(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings: HookSettings = req.json()?;
    check(&settings)?;
    let id = secret::random_hex(8);
    crate::access::hook_save(service, &id, &settings).map_err(ApiError::internal)?;
    let secret = secret::rotate(service.store(), &crate::access::hook_secret_name(&id))
        .map_err(store_err)?;
    audit_success(
        service,
        req,
        AuditAction::HookChanged,
        format!("webhook `{}` created", settings.name),
    )?;
    let mut view = hook_view(service, &id, &settings);
    if let Some(fields) = view.as_object_mut() {
        fields.insert("secret".to_owned(), json!(secret));
    }
    ApiResponse::json_status(201, &view)
}

fn existing(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<(String, HookSettings), ApiError> {
    let id = params.get("id")?.to_owned();
    let s = crate::access::hook_load(service, &id, now(req))
        .ok_or_else(|| ApiError::not_found(format!("webhook `{id}`")))?;
    Ok((id, s))
}

/// `PUT /api/hooks/{id}`: replaces the settings (the secret stays).
pub(super) fn replace_hook(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = params.get("id")?.to_owned();
    let (read, current) = crate::access::hook_load_stored(service, &id, now(req))
        .ok_or_else(|| ApiError::not_found(format!("webhook `{id}`")))?;
    let mut body: serde_json::Map<String, serde_json::Value> = req.json()?;
    let version = match body.remove("version") {
        Some(serde_json::Value::String(v)) => v,
        _ => {
            return Err(ApiError::new(
                ApiErrorKind::Validation,
                "`version` is required: the webhook's `version` as read (saves are version-checked)",
            )
            .with_details(json!({"problems": [{"path": "version",
                "message": "the version as read is required"}]})));
        }
    };
    let settings: HookSettings = serde_json::from_value(serde_json::Value::Object(body))
        .map_err(|e| ApiError::bad_request(format!("invalid webhook settings: {e}")))?;
    check(&settings)?;
    let stale = || {
        ApiError::new(
            ApiErrorKind::Conflict,
            format!(
                "webhook `{id}` was changed since you read it: reload it, then make your change again"
            ),
        )
    };
    if version != version_of(&current) {
        return Err(stale().with_details(json!({"current": version_of(&current)})));
    }
    // The version matched what this request read; the store writes only if
    // that is still what is stored (compare-and-set), so of two saves of
    // the same version on two nodes exactly one lands and the other gets
    // this 409.
    if !crate::access::hook_replace(service, &id, &read, &settings, now(req))
        .map_err(ApiError::internal)?
    {
        let now_stored = crate::access::hook_load(service, &id, now(req));
        return Err(match now_stored {
            Some(s) => stale().with_details(json!({"current": version_of(&s)})),
            None => ApiError::not_found(format!("webhook `{id}`")),
        });
    }
    audit_success(
        service,
        req,
        AuditAction::HookChanged,
        format!("webhook `{}` changed", settings.name),
    )?;
    ApiResponse::json(&hook_view(service, &id, &settings))
}

/// `DELETE /api/hooks/{id}`.
pub(super) fn delete_hook(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let (id, s) = existing(service, req, params)?;
    crate::access::hook_remove(service, &id, now(req)).map_err(ApiError::internal)?;
    audit_success(
        service,
        req,
        AuditAction::HookChanged,
        format!("webhook `{}` removed", s.name),
    )?;
    ApiResponse::json(&json!({"deleted": true}))
}

/// `POST /api/hooks/{id}/rotate`: a new secret, shown this once.
pub(super) fn rotate_hook(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let (id, s) = existing(service, req, params)?;
    let secret = secret::rotate(service.store(), &crate::access::hook_secret_name(&id))
        .map_err(store_err)?;
    audit_success(
        service,
        req,
        AuditAction::SecretRotated,
        format!("the secret of webhook `{}` was rotated", s.name),
    )?;
    ApiResponse::json(&json!({"id": id, "secret": secret}))
}

/// `POST /api/hooks/{id}/test`: a dry run of an event (nothing changes).
pub(super) fn test_hook(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let (id, s) = existing(service, req, params)?;
    let event: HookEvent = req.json()?;
    let result = crate::access::hook_dry_run(service, &id, &s, &event, now(req));
    ApiResponse::json(&result)
}
