//! Policies: list, create, edit, delete, pause and resume, preview and run
//! now, plus the automation summary (next run, which automations are on).
//!
//! Policies are part of the versioned configuration document: each change
//! is validated whole (issues reported relative to the policy), saved
//! optimistically and audited with the paths it changed.

use serde_json::{Value, json};

use seatwarden_audit::{
    Action as AuditAction, AuditEntry, Initiator, PolicyId, Status, describe_changes,
};
use seatwarden_core::config::{Config, ConfigIssue};

use super::{
    accepted, actor, admin_key, body_object, client_ip, config_version, ensure_current, now,
    validation,
};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{Service, ServiceError, Settings};
use crate::store::ConfigVersion;

fn policy_id(params: &Params) -> Result<PolicyId, ApiError> {
    Ok(PolicyId::from(params.get("id")?.to_owned()))
}

/// The `configVersion` a policy change must name: a missing one is `400`
/// (as for mail settings and templates, `docs/api.md`), a stale one `409`.
/// Without it two admins editing at once would silently overwrite each
/// other's policy (issue 18, item 6). `400` rather than `428`: the version is
/// a body field (or a query parameter for a body-less write), not an
/// `If-Match` precondition header, and every other missing field is `400`.
fn check_version(
    body: &serde_json::Map<String, Value>,
    current: ConfigVersion,
) -> Result<(), ApiError> {
    let read = super::body::required(config_version(body, false)?)?;
    ensure_current(read, current)
}

/// Validates a configuration given as JSON in which policy `at` is being
/// written; its issues are reported relative to the policy.
///
/// The written policy's name must also hold no control or bidi character
/// ([`seatwarden_core::text::name_problem`]): refused here, on the write,
/// rather than by the configuration reader, so that a document stored
/// before the rule still loads (and its policy can be renamed), while no
/// new write can store such a name.
pub(super) fn parse_config(value: Value, at: usize) -> Result<Config, ApiError> {
    let config = Config::from_value(value).map_err(|e| {
        let mut issues = e.issues();
        let prefix = format!("policies[{at}]");
        for issue in &mut issues {
            if let Some(rest) = issue.path.strip_prefix(&prefix) {
                issue.path = rest.trim_start_matches('.').to_owned();
            }
        }
        validation(issues)
    })?;
    let problem = config
        .policies
        .get(at)
        .and_then(|p| seatwarden_core::text::name_problem(&p.name));
    match problem {
        Some(message) => Err(validation(vec![ConfigIssue {
            path: "name".to_owned(),
            message: message.to_owned(),
        }])),
        None => Ok(config),
    }
}

fn policy_json(
    service: &Service,
    settings: &Settings,
    policy: &seatwarden_core::policy::Policy,
    now: seatwarden_core::Millis,
) -> Result<Value, ApiError> {
    let last = service.last_run(&policy.id)?;
    let anchor = service.schedule_anchor(&policy.id, now)?;
    let next = if policy.enabled {
        service.next_run(&policy.trigger, anchor)
    } else {
        None
    };
    Ok(json!({
        "policy": policy,
        "lastRun": last.map(crate::api::wire::RunWire::from),
        "nextRun": next,
        "configVersion": settings.version,
    }))
}

pub(super) fn list_policies(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.settings();
    let now = now(req);
    let items = settings
        .config
        .policies
        .iter()
        .map(|p| policy_json(service, &settings, p, now))
        .collect::<Result<Vec<_>, _>>()?;
    ApiResponse::json(&json!({"policies": items, "configVersion": settings.version}))
}

pub(super) fn get_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let settings = service.settings();
    let policy = settings
        .config
        .policy(&id)
        .ok_or_else(|| ApiError::not_found(format!("policy `{id}`")))?;
    ApiResponse::json(&policy_json(service, &settings, policy, now(req))?)
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "policy".to_owned()
    } else {
        s.chars().take(40).collect()
    }
}

fn save_with_audit(
    service: &Service,
    req: &ApiRequest,
    mut settings: Settings,
    entry: AuditEntry,
) -> Result<std::sync::Arc<Settings>, ApiError> {
    settings.saved_at.retain(|id, _| {
        settings
            .config
            .policies
            .iter()
            .any(|p| p.id.as_str() == id.as_str())
    });
    let saved = service.save_settings(settings)?;
    let mut entry = entry;
    if let Some(ip) = client_ip(req) {
        entry = entry.with_client_ip(ip);
    }
    service
        .store()
        .append_audit(&[entry])
        .map_err(ServiceError::from)?;
    Ok(saved)
}

/// The longest policy name a save accepts: it heads the policy list, the
/// audit log, run records and admin mail (a 3,000-character name stretched
/// the Automation page to 31,342 px).
const MAX_POLICY_NAME: usize = 120;

/// Refuses an empty (or blank) or overlong policy name beside the field.
/// Checked on save only, not when the stored configuration is read, so an
/// older instance that saved such a name still starts and can rename it.
fn check_name(body: &serde_json::Map<String, Value>) -> Result<(), ApiError> {
    let Some(Value::String(name)) = body.get("name") else {
        return Ok(());
    };
    let chars = name.chars().count();
    let message = if name.trim().is_empty() {
        "enter a name: it is what the policy list, the audit log and the mail show".to_owned()
    } else if chars > MAX_POLICY_NAME {
        format!("must be at most {MAX_POLICY_NAME} characters (it has {chars})")
    } else {
        return Ok(());
    };
    Err(super::validation(vec![ConfigIssue {
        path: "name".to_owned(),
        message,
    }]))
}

pub(super) fn create_policy(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let mut body = body_object(req)?;
    let current = service.settings();
    check_version(&body, current.version)?;
    check_name(&body)?;
    body.remove("configVersion");
    body.entry("mode").or_insert_with(|| json!("safe"));
    body.entry("enabled").or_insert(json!(true));
    body.entry("priority").or_insert(json!(0));
    body.entry("scope").or_insert_with(|| json!({}));
    if !body.contains_key("id") {
        let base = slug(body.get("name").and_then(Value::as_str).unwrap_or("policy"));
        let mut id = base.clone();
        let mut n = 2;
        while current
            .config
            .policies
            .iter()
            .any(|p| p.id.as_str() == id.as_str())
        {
            id = format!("{base}-{n}");
            n += 1;
        }
        body.insert("id".to_owned(), json!(id));
    }
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if current
        .config
        .policies
        .iter()
        .any(|p| p.id.as_str() == id.as_str())
    {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("a policy with id `{id}` exists already"),
        ));
    }
    let mut doc =
        serde_json::to_value(&current.config).map_err(|_| ApiError::internal("config"))?;
    let at = current.config.policies.len();
    if let Some(Value::Array(list)) = doc.get_mut("policies") {
        list.push(Value::Object(body));
    }
    let config = parse_config(doc, at)?;
    let mut settings = (*current).clone();
    settings.config = config;
    super::check_names(service, &current, &settings, Some(at))?;
    settings.saved_at.insert(id.clone(), now(req));
    let policy_id = PolicyId::from(id.clone());
    let entry = AuditEntry::new(
        now(req),
        actor(service, req),
        AuditAction::PolicyCreated,
        Status::Success,
    )
    .with_policy(policy_id.clone())
    .with_description(format!("policy `{id}` created"));
    let saved = save_with_audit(service, req, settings, entry)?;
    let policy = saved
        .config
        .policy(&policy_id)
        .ok_or_else(|| ApiError::internal("the saved policy is missing"))?;
    let value = policy_json(service, &saved, policy, now(req))?;
    ApiResponse::json_status(201, &value)
}

pub(super) fn replace_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let mut body = body_object(req)?;
    let current = service.settings();
    check_version(&body, current.version)?;
    check_name(&body)?;
    body.remove("configVersion");
    let at = current
        .config
        .policies
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(format!("policy `{id}`")))?;
    match body.get("id") {
        None => {
            body.insert("id".to_owned(), json!(id.as_str()));
        }
        Some(Value::String(s)) if s.as_str() == id.as_str() => {}
        Some(_) => {
            return Err(ApiError::bad_request(
                "field `id` must match the policy in the path",
            ));
        }
    }
    let mut doc =
        serde_json::to_value(&current.config).map_err(|_| ApiError::internal("config"))?;
    let before = doc
        .get("policies")
        .and_then(|p| p.get(at))
        .cloned()
        .unwrap_or(Value::Null);
    let after = Value::Object(body);
    if let Some(slot) = doc.get_mut("policies").and_then(|p| p.get_mut(at)) {
        *slot = after.clone();
    }
    let config = parse_config(doc, at)?;
    let mut settings = (*current).clone();
    settings.config = config;
    super::check_names(service, &current, &settings, Some(at))?;
    settings.saved_at.insert(id.0.to_string(), now(req));

    let entry = AuditEntry::new(
        now(req),
        actor(service, req),
        AuditAction::PolicyChanged,
        Status::Success,
    )
    .with_policy(id.clone())
    .with_description(describe_changes(
        &format!("policy `{id}` changed"),
        &before,
        &after,
    ));
    let saved = save_with_audit(service, req, settings, entry)?;
    let policy = saved
        .config
        .policy(&id)
        .ok_or_else(|| ApiError::internal("the saved policy is missing"))?;
    ApiResponse::json(&policy_json(service, &saved, policy, now(req))?)
}

fn version_param(req: &ApiRequest, current: ConfigVersion) -> Result<(), ApiError> {
    let mut map = serde_json::Map::new();
    if let Some(v) = req.query_param("configVersion") {
        let n: u64 = v.parse().map_err(|_| {
            ApiError::bad_request("query parameter `configVersion` must be a number")
        })?;
        map.insert("configVersion".to_owned(), json!(n));
    } else if !req.body.is_empty() {
        map = body_object(req)?;
    }
    check_version(&map, current)
}

pub(super) fn delete_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let current = service.settings();
    version_param(req, current.version)?;
    if current.config.policy(&id).is_none() {
        return Err(ApiError::not_found(format!("policy `{id}`")));
    }
    let mut settings = (*current).clone();
    settings.config.policies.retain(|p| p.id != id);
    let entry = AuditEntry::new(
        now(req),
        actor(service, req),
        AuditAction::PolicyDeleted,
        Status::Success,
    )
    .with_policy(id.clone())
    .with_description(format!("policy `{id}` deleted"));
    let saved = save_with_audit(service, req, settings, entry)?;
    ApiResponse::json(&json!({"deleted": id, "configVersion": saved.version}))
}

fn set_enabled(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
    enabled: bool,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let current = service.settings();
    version_param(req, current.version)?;
    let mut settings = (*current).clone();
    let policy = settings
        .config
        .policies
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(format!("policy `{id}`")))?;
    policy.enabled = enabled;
    if enabled {
        // Resuming starts the schedule afresh rather than catching up.
        settings.saved_at.insert(id.0.to_string(), now(req));
    }
    let (action, word) = if enabled {
        (AuditAction::PolicyEnabled, "resumed")
    } else {
        (AuditAction::PolicyDisabled, "paused")
    };
    let entry = AuditEntry::new(now(req), actor(service, req), action, Status::Success)
        .with_policy(id.clone())
        .with_description(format!("policy `{id}` {word}"));
    let saved = save_with_audit(service, req, settings, entry)?;
    let policy = saved
        .config
        .policy(&id)
        .ok_or_else(|| ApiError::internal("the saved policy is missing"))?;
    ApiResponse::json(&policy_json(service, &saved, policy, now(req))?)
}

pub(super) fn pause_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    set_enabled(service, req, params, false)
}

pub(super) fn resume_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    set_enabled(service, req, params, true)
}

/// `POST /api/policies/{id}/preview`: the plan the policy would make now,
/// first page and totals; `GET /api/bulk/{planId}/actions|skipped|export`
/// page and export the rest ([`Service::preview_policy`]).
pub(super) fn preview_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let preview = service.preview_policy(&id, &admin_key(req), now(req))?;
    ApiResponse::json(&preview)
}

pub(super) fn run_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let initiator = Initiator::Manual {
        user: admin_key(req),
        name: None,
    };
    let run = service.queue_policy_run(&id, initiator, false, now(req))?;
    accepted(run)
}

pub(super) fn summary(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.settings();
    let now = now(req);
    let mut next: Option<(seatwarden_core::Millis, PolicyId)> = None;
    let mut automations = Vec::new();
    for p in &settings.config.policies {
        let anchor = service.schedule_anchor(&p.id, now)?;
        let due = if p.enabled {
            service.next_run(&p.trigger, anchor)
        } else {
            None
        };
        if let Some(at) = due
            && next.as_ref().is_none_or(|(t, _)| at < *t)
        {
            next = Some((at, p.id.clone()));
        }
        automations.push(json!({
            "id": p.id, "name": p.name, "enabled": p.enabled, "mode": p.mode,
            "action": p.action.kind_name(), "nextRun": due,
        }));
    }
    let alerts = service.with_index(|index| {
        seatwarden_core::licence_alert::licence_alerts(
            &settings.config.settings.licence_alert,
            index,
            now,
        )
    })?;
    ApiResponse::json(&json!({
        "nextRun": next.as_ref().map(|(t, _)| t),
        "nextPolicy": next.as_ref().map(|(_, p)| p),
        "automations": automations,
        "licenceAlert": {
            "enabled": settings.config.settings.licence_alert.enabled,
            "over": alerts,
        },
    }))
}
