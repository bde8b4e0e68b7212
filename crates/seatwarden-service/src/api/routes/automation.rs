//! Policies, runs, approvals, reverts and bulk actions.

use serde_json::{Value, json};

use seatwarden_audit::{
    Action as AuditAction, AuditEntry, Initiator, PolicyId, RunFilter, RunId, RunKind, RunQuery,
    RunStatus, Status, changed_paths,
};
use seatwarden_core::bulk::{BulkAction, BulkActionRequest, BulkTarget, plan_bulk_action};
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::policy::Mode;
use seatwarden_core::query::Query;
use seatwarden_core::{GroupName, UserKey};

use super::{
    accepted, actor, admin_key, body_object, client_ip, now, query_num, string_field, validation,
};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{ActionInfo, PendingPlan, RunPlan, Service, ServiceError, Settings};
use crate::store::{ConfigVersion, revert_from_store};

fn policy_id(params: &Params) -> Result<PolicyId, ApiError> {
    Ok(PolicyId(params.get("id")?.to_owned()))
}

fn run_id(params: &Params) -> Result<RunId, ApiError> {
    Ok(RunId(params.parse::<i64>("id")?))
}

/// The `configVersion` a change names, if any; a stale one is a conflict.
fn check_version(
    body: &serde_json::Map<String, Value>,
    current: ConfigVersion,
) -> Result<(), ApiError> {
    match body.get("configVersion") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Number(n)) if n.as_u64() == Some(current.0) => Ok(()),
        Some(Value::Number(n)) => Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!(
                "the configuration changed since it was read (version {n}, now {current}); reload and try again"
            ),
        )
        .with_details(json!({"expected": n, "actual": current}))),
        Some(_) => Err(ApiError::bad_request("field `configVersion` must be a number")),
    }
}

/// Validates a configuration given as JSON; issues of policy `at` are
/// reported relative to the policy when `relative` is set.
fn parse_config(value: Value, at: Option<usize>) -> Result<Config, ApiError> {
    Config::from_value(value).map_err(|e| {
        let mut issues = e.issues();
        if let Some(i) = at {
            let prefix = format!("policies[{i}]");
            for issue in &mut issues {
                if let Some(rest) = issue.path.strip_prefix(&prefix) {
                    issue.path = rest.trim_start_matches('.').to_owned();
                }
            }
        }
        validation(issues)
    })
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
        "lastRun": last,
        "nextRun": next,
        "configVersion": settings.version,
    }))
}

pub(super) fn list_policies(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.reload_settings()?;
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
    let settings = service.reload_settings()?;
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
    settings
        .saved_at
        .retain(|id, _| settings.config.policies.iter().any(|p| p.id.0 == *id));
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

pub(super) fn create_policy(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let mut body = body_object(req)?;
    let current = service.reload_settings()?;
    check_version(&body, current.version)?;
    body.remove("configVersion");
    body.entry("mode").or_insert_with(|| json!("safe"));
    body.entry("enabled").or_insert(json!(true));
    body.entry("priority").or_insert(json!(0));
    body.entry("scope").or_insert_with(|| json!({}));
    if !body.contains_key("id") {
        let base = slug(body.get("name").and_then(Value::as_str).unwrap_or("policy"));
        let mut id = base.clone();
        let mut n = 2;
        while current.config.policies.iter().any(|p| p.id.0 == id) {
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
    if current.config.policies.iter().any(|p| p.id.0 == id) {
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
    let config = parse_config(doc, Some(at))?;
    let mut settings = (*current).clone();
    settings.config = config;
    settings.saved_at.insert(id.clone(), now(req));
    let policy_id = PolicyId(id.clone());
    let entry = AuditEntry::new(
        now(req),
        actor(req),
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
    let current = service.reload_settings()?;
    check_version(&body, current.version)?;
    body.remove("configVersion");
    let at = current
        .config
        .policies
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(format!("policy `{id}`")))?;
    match body.get("id") {
        None => {
            body.insert("id".to_owned(), json!(id.0));
        }
        Some(Value::String(s)) if *s == id.0 => {}
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
    let config = parse_config(doc, Some(at))?;
    let mut settings = (*current).clone();
    settings.config = config;
    settings.saved_at.insert(id.0.clone(), now(req));
    let changed = changed_paths(&before, &after);
    let entry = AuditEntry::new(
        now(req),
        actor(req),
        AuditAction::PolicyChanged,
        Status::Success,
    )
    .with_policy(id.clone())
    .with_description(format!("policy `{id}` changed: {}", changed.join(", ")));
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
    let current = service.reload_settings()?;
    version_param(req, current.version)?;
    if current.config.policy(&id).is_none() {
        return Err(ApiError::not_found(format!("policy `{id}`")));
    }
    let mut settings = (*current).clone();
    settings.config.policies.retain(|p| p.id != id);
    let entry = AuditEntry::new(
        now(req),
        actor(req),
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
    let current = service.reload_settings()?;
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
        settings.saved_at.insert(id.0.clone(), now(req));
    }
    let (action, word) = if enabled {
        (AuditAction::PolicyEnabled, "resumed")
    } else {
        (AuditAction::PolicyDisabled, "paused")
    };
    let entry = AuditEntry::new(now(req), actor(req), action, Status::Success)
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

pub(super) fn preview_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = policy_id(params)?;
    let settings = service.reload_settings()?;
    if settings.config.policy(&id).is_none() {
        return Err(ApiError::not_found(format!("policy `{id}`")));
    }
    let now = now(req);
    service.rebuild_index()?;
    let (plan, hash) = service.with_index(|index| {
        let (_, plan, hash) = service.plan_policies(index, now, Some(vec![id.clone()]), true);
        (plan, hash)
    })?;
    ApiResponse::json(&json!({
        "planHash": hash,
        "status": plan.status,
        "document": plan.document,
        "actions": plan.actions,
    }))
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
    let settings = service.reload_settings()?;
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

fn parse_run_filter(req: &ApiRequest) -> Result<RunQuery, ApiError> {
    let mut filter = RunFilter::default();
    if let Some(k) = req.query_param("kind").filter(|s| !s.is_empty()) {
        filter.kinds = k
            .split(',')
            .map(|k| {
                RunKind::parse(k)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown run kind `{k}`")))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(s) = req.query_param("status").filter(|s| !s.is_empty()) {
        filter.statuses = s
            .split(',')
            .map(|s| {
                RunStatus::parse(s)
                    .ok_or_else(|| ApiError::bad_request(format!("unknown run status `{s}`")))
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(p) = req.query_param("policy").filter(|s| !s.is_empty()) {
        filter.policy = Some(PolicyId(p.to_owned()));
    }
    let after = match req.query_param("cursor").filter(|s| !s.is_empty()) {
        Some(c) => Some(
            c.parse()
                .map_err(|e: seatwarden_audit::CursorError| ApiError::bad_request(e.to_string()))?,
        ),
        None => None,
    };
    Ok(RunQuery {
        filter,
        after,
        limit: query_num(req, "limit", 0)?,
    })
}

pub(super) fn list_runs(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let query = parse_run_filter(req)?;
    let page = service
        .store()
        .query_runs(&query)
        .map_err(ServiceError::from)?;
    ApiResponse::json(&json!({
        "runs": page.items,
        "next": page.next.map(|c| c.to_string()),
    }))
}

fn stored_plan(
    service: &Service,
    run: RunId,
) -> Result<Option<(RunPlan, crate::store::RunJournal)>, ApiError> {
    let Some(journal) = service.store().journal(run).map_err(ServiceError::from)? else {
        return Ok(None);
    };
    let plan: RunPlan = serde_json::from_str(&journal.plan.json)
        .map_err(|_| ApiError::internal("the run's journaled plan does not parse"))?;
    Ok(Some((plan, journal)))
}

pub(super) fn get_run(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let run = service
        .store()
        .get_run(id)
        .map_err(ServiceError::from)?
        .ok_or_else(|| ApiError::not_found(format!("run `{id}`")))?;
    let plan = stored_plan(service, id)?;
    let (plan_status, document, planned) = match &plan {
        Some((p, _)) => (Some(p.status.clone()), p.document.clone(), p.actions.len()),
        None => (None, Value::Null, 0),
    };
    let document = match document {
        Value::Object(mut m) => {
            // The full action list is paged by `/actions`.
            m.remove("users");
            m.remove("actions");
            Value::Object(m)
        }
        other => other,
    };
    ApiResponse::json(&json!({
        "run": run,
        "planStatus": plan_status,
        "plannedActions": planned,
        "plan": document,
        "progress": service.progress(id)?,
    }))
}

pub(super) fn run_progress(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    ApiResponse::json(&service.progress(id)?)
}

pub(super) fn run_actions(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    if service
        .store()
        .get_run(id)
        .map_err(ServiceError::from)?
        .is_none()
    {
        return Err(ApiError::not_found(format!("run `{id}`")));
    }
    let offset: usize = query_num(req, "cursor", 0)?;
    let limit: usize = query_num(req, "limit", 100)?;
    let limit = limit.clamp(1, 1_000);
    let Some((plan, journal)) = stored_plan(service, id)? else {
        return ApiResponse::json(&json!({"actions": [], "next": null, "total": 0}));
    };
    let outcomes: std::collections::HashMap<_, _> = journal
        .outcomes
        .iter()
        .map(|o| ((o.user.clone(), o.action.clone()), o))
        .collect();
    let page: Vec<Value> = plan
        .actions
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| {
            let outcome = outcomes.get(&(a.user.clone(), a.action.clone()));
            json!({
                "action": a,
                "outcome": outcome.map(|o| json!({"status": o.status, "detail": o.detail, "at": o.at})),
            })
        })
        .collect();
    let end = offset + page.len();
    ApiResponse::json(&json!({
        "actions": page,
        "total": plan.actions.len(),
        "next": (end < plan.actions.len()).then(|| end.to_string()),
    }))
}

fn plan_hash(req: &ApiRequest) -> Result<String, ApiError> {
    let body = body_object(req)?;
    string_field(&body, "planHash")
}

pub(super) fn approve_run(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let hash = plan_hash(req)?;
    let run = service.approve(id, &hash, &actor(req), now(req))?;
    accepted(run)
}

fn revert_run_plan(
    service: &Service,
    req: &ApiRequest,
    id: RunId,
) -> Result<(PendingPlan, Value), ApiError> {
    let run = service
        .store()
        .get_run(id)
        .map_err(ServiceError::from)?
        .ok_or_else(|| ApiError::not_found(format!("run `{id}`")))?;
    if run.status == RunStatus::Reverted {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("run `{id}` was reverted already"),
        ));
    }
    if !run.status.is_terminal() {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("run `{id}` has not finished"),
        ));
    }
    let revert = revert_from_store(service.store(), id).map_err(ServiceError::from)?;
    let usernames = service.with_index(|index| {
        revert
            .steps
            .iter()
            .map(|s| {
                s.operation
                    .user()
                    .and_then(|u| index.index_of_key(u))
                    .map(|i| index.username(i).to_owned())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    })?;
    let plan = RunPlan {
        status: "ready".to_owned(),
        actor: actor(req),
        document: json!({"reverts": id, "irreversible": revert.irreversible}),
        actions: revert
            .steps
            .iter()
            .zip(usernames)
            .map(|(s, username)| ActionInfo {
                user: s
                    .operation
                    .user()
                    .cloned()
                    .unwrap_or_else(|| UserKey::from("")),
                username,
                action: crate::store::ActionKey::of(&s.operation),
                operation: s.operation.clone(),
                source: "revert".to_owned(),
                policy: None,
                live: true,
                reason: s.reason.clone(),
            })
            .collect(),
    };
    let hash = plan.writes_hash();
    let preview = json!({
        "planHash": hash,
        "reverts": id,
        "steps": revert.steps,
        "irreversible": revert.irreversible,
    });
    Ok((
        PendingPlan {
            id: service.next_plan_id(),
            kind: RunKind::Revert,
            name: format!("Revert of run {id}"),
            hash,
            plan,
            admin: admin_key(req),
            created: now(req),
            reverts: Some(id),
        },
        preview,
    ))
}

pub(super) fn plan_revert(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let (_, preview) = revert_run_plan(service, req, id)?;
    ApiResponse::json(&preview)
}

pub(super) fn revert_run(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let hash = plan_hash(req)?;
    let (pending, _) = revert_run_plan(service, req, id)?;
    if pending.hash != hash {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            "the plan hash does not match the current revert plan; preview it again",
        ));
    }
    let plan_id = pending.id.clone();
    service.keep_plan(pending);
    let run = service.run_pending(&plan_id, &hash, now(req))?;
    accepted(run)
}

fn groups_field(body: &serde_json::Map<String, Value>) -> Result<Vec<GroupName>, ApiError> {
    match body.get("groups") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(GroupName::from).ok_or_else(|| {
                    ApiError::bad_request(format!("field `groups[{i}]` must be a string"))
                })
            })
            .collect(),
        Some(_) => Err(ApiError::bad_request(
            "field `groups` must be an array of group names",
        )),
    }
}

pub(super) fn plan_bulk(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let action_name = string_field(&body, "action")?;
    let groups = groups_field(&body)?;
    let action = match action_name.as_str() {
        "activate" | "reactivate" => BulkAction::Activate,
        "deactivate" => BulkAction::Deactivate,
        "delete" => BulkAction::Delete,
        "add_to_groups" => BulkAction::AddToGroups(groups),
        "remove_from_groups" => BulkAction::RemoveFromGroups(groups),
        _ => {
            return Err(ApiError::bad_request(
                "field `action` must be one of `activate`, `deactivate`, `delete`, `add_to_groups`, `remove_from_groups`",
            ));
        }
    };
    let target = match (body.get("keys"), body.get("filter")) {
        (Some(Value::Array(keys)), None | Some(Value::Null)) => BulkTarget::Selected(
            keys.iter()
                .enumerate()
                .map(|(i, k)| {
                    k.as_str().map(UserKey::from).ok_or_else(|| {
                        ApiError::bad_request(format!("field `keys[{i}]` must be a string"))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        (None | Some(Value::Null), Some(filter)) => {
            let bytes = serde_json::to_vec(filter).map_err(|_| ApiError::internal("filter"))?;
            BulkTarget::Filter(Query::from_json(&bytes).map_err(|e| {
                ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                    .with_details(
                        json!({"problems": [{"path": "filter", "message": e.to_string()}]}),
                    )
            })?)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either `keys` or `filter`, not both",
            ));
        }
        _ => {
            return Err(ApiError::bad_request(
                "give the users as `keys` (an array) or `filter`",
            ));
        }
    };
    let plan_id = service.next_plan_id();
    let settings = service.reload_settings()?;
    let now = now(req);
    let admin = admin_key(req);
    let request = BulkActionRequest {
        id: plan_id.clone(),
        admin: admin.clone(),
        mode: Mode::Live,
        action,
        target,
    };
    let result = service.with_index(|index| {
        let plan = plan_bulk_action(
            &settings.config,
            index,
            now,
            &EvalContext::default(),
            &request,
        )?;
        let hash = plan.hash(index);
        let document = serde_json::to_value(plan.document(index)).unwrap_or_default();
        let actions: Vec<ActionInfo> = plan
            .actions(index)
            .into_iter()
            .map(|a| ActionInfo {
                user: a
                    .operation
                    .user()
                    .cloned()
                    .unwrap_or_else(|| UserKey::from("")),
                username: a
                    .operation
                    .user()
                    .and_then(|u| index.index_of_key(u))
                    .map(|i| index.username(i).to_owned())
                    .unwrap_or_default(),
                action: crate::store::ActionKey::of(&a.operation),
                operation: a.operation,
                source: a.source.label(),
                policy: None,
                live: true,
                reason: a.reason.to_string(),
            })
            .collect();
        let guard = plan
            .guard
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        Ok::<_, seatwarden_core::bulk::BulkError>((hash, document, actions, guard))
    })?;
    let (hash, document, actions, guard) = result.map_err(|e| {
        let kind = match e {
            seatwarden_core::bulk::BulkError::Filter(_) => ApiErrorKind::Validation,
            _ => ApiErrorKind::Validation,
        };
        ApiError::new(kind, e.to_string())
    })?;
    let plan = RunPlan {
        status: "ready".to_owned(),
        actor: actor(req),
        document: document.clone(),
        actions,
    };
    let count = plan.actions.len();
    let shown: Vec<&ActionInfo> = plan.actions.iter().take(500).collect();
    let response = json!({
        "planId": plan_id,
        "planHash": hash,
        "actionCount": count,
        "actions": shown,
        "guard": guard,
        "document": document,
    });
    service.keep_plan(PendingPlan {
        id: plan_id.clone(),
        kind: RunKind::ManualBulkAction,
        name: format!("Bulk {action_name}"),
        hash: hash.clone(),
        plan,
        admin,
        created: now,
        reverts: None,
    });
    ApiResponse::json(&response)
}

pub(super) fn run_bulk(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan_id = params.get("planId")?.to_owned();
    let hash = plan_hash(req)?;
    let run = service.run_pending(&plan_id, &hash, now(req))?;
    accepted(run)
}
