//! Audit, groups, import and export, templates, settings and demo logins.

use std::collections::HashSet;

use serde_json::{Value, json};

use seatwarden_audit::{
    Action as AuditAction, AuditEntry, AuditFilter, AuditQuery, ClearConfirmation, RunId, RunKind,
    Status, Target, changed_paths,
};
use seatwarden_core::query::Query;
use seatwarden_core::{GroupName, Operation, UserKey};
use seatwarden_csv::{ImportOptions, NewUserNotices, Rejected};
use seatwarden_mail::{MailServerChoice, Template, TemplateId};

use super::{
    accepted, actor, admin_key, body_object, client_ip, now, query_num, string_field, validation,
};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{ActionInfo, PendingPlan, RunPlan, Service, ServiceError, Settings};

fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(ServiceError::from(e))
}

fn audit(service: &Service, req: &ApiRequest, entries: Vec<AuditEntry>) -> Result<(), ApiError> {
    let ip = client_ip(req);
    let entries: Vec<AuditEntry> = entries
        .into_iter()
        .map(|e| match ip {
            Some(ip) => e.with_client_ip(ip),
            None => e,
        })
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    service.store().append_audit(&entries).map_err(store_err)?;
    Ok(())
}

/// CSV problems as a validation error with line and column per problem.
fn rejected(r: &Rejected) -> ApiError {
    let problems: Vec<Value> =
        r.0.kept()
            .iter()
            .map(|p| {
                json!({
                    "line": p.position.line,
                    "column": p.position.column,
                    "header": p.position.header,
                    "message": p.kind.to_string(),
                })
            })
            .collect();
    let first =
        r.0.kept()
            .first()
            .map(|p| format!("{}: {}", p.position, p.kind))
            .unwrap_or_default();
    ApiError::new(
        ApiErrorKind::Validation,
        format!(
            "the file has {} problem(s), the first at {first}",
            r.0.total()
        ),
    )
    .with_details(json!({"problems": problems, "total": r.0.total()}))
}

// ---- audit ----

fn audit_filter(req: &ApiRequest) -> Result<AuditFilter, ApiError> {
    let mut f = AuditFilter::default();
    let list = |name: &str| -> Vec<String> {
        req.query_param(name)
            .filter(|s| !s.is_empty())
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    for a in list("action") {
        f.actions.push(
            AuditAction::parse(&a)
                .ok_or_else(|| ApiError::bad_request(format!("unknown audit action `{a}`")))?,
        );
    }
    for s in list("status") {
        f.statuses.push(
            Status::parse(&s)
                .ok_or_else(|| ApiError::bad_request(format!("unknown status `{s}`")))?,
        );
    }
    for k in list("kind") {
        f.run_kinds.push(
            RunKind::parse(&k)
                .ok_or_else(|| ApiError::bad_request(format!("unknown run kind `{k}`")))?,
        );
    }
    f.text = req
        .query_param("text")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    f.actor = req
        .query_param("actor")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    f.target = req
        .query_param("target")
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if req.query_param("from").is_some_and(|s| !s.is_empty()) {
        f.from = Some(seatwarden_core::Millis(query_num(req, "from", 0i64)?));
    }
    if req.query_param("to").is_some_and(|s| !s.is_empty()) {
        f.until = Some(seatwarden_core::Millis(query_num(req, "to", 0i64)?));
    }
    if req.query_param("run").is_some_and(|s| !s.is_empty()) {
        f.run = Some(RunId(query_num(req, "run", 0i64)?));
    }
    Ok(f)
}

pub(super) fn list_audit(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let filter = audit_filter(req)?;
    let after = match req.query_param("cursor").filter(|s| !s.is_empty()) {
        Some(c) => Some(
            c.parse()
                .map_err(|e: seatwarden_audit::CursorError| ApiError::bad_request(e.to_string()))?,
        ),
        None => None,
    };
    let query = AuditQuery {
        filter,
        after,
        limit: query_num(req, "limit", 0)?,
    };
    let page = service.store().query_audit(&query).map_err(store_err)?;
    ApiResponse::json(&json!({
        "entries": page.items,
        "next": page.next.map(|c| c.to_string()),
    }))
}

pub(super) fn audit_summary(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let cards = service.store().summary(now(req)).map_err(store_err)?;
    ApiResponse::json(&cards)
}

pub(super) fn export_audit(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let filter = audit_filter(req)?;
    let mut out = Vec::new();
    service
        .store()
        .export_audit_csv(&filter, &mut out)
        .map_err(store_err)?;
    Ok(ApiResponse::csv("audit-log.csv", out))
}

pub(super) fn get_retention(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.reload_settings()?;
    ApiResponse::json(&json!({
        "days": settings.config.settings.audit_retention_days,
        "configVersion": settings.version,
    }))
}

pub(super) fn set_retention(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let days = match body.get("days") {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .filter(|d| *d <= 36_500)
            .ok_or_else(|| {
                validation(vec![issue(
                    "days",
                    "must be a whole number of days from 0 to 36500",
                )])
            })?,
        Some(_) => return Err(ApiError::bad_request("field `days` must be a number")),
        None => return Err(ApiError::bad_request("missing field `days`")),
    };
    let current = service.reload_settings()?;
    let mut settings = (*current).clone();
    let before = settings.config.settings.audit_retention_days;
    settings.config.settings.audit_retention_days = days;
    service.save_settings(settings)?;
    audit(
        service,
        req,
        vec![
            AuditEntry::new(
                now(req),
                actor(req),
                AuditAction::RetentionChanged,
                Status::Success,
            )
            .with_description(format!(
                "audit retention changed from {before} to {days} days"
            )),
        ],
    )?;
    ApiResponse::json(&json!({"days": days}))
}

fn issue(path: &str, message: &str) -> seatwarden_core::config::ConfigIssue {
    seatwarden_core::config::ConfigIssue {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

pub(super) fn clear_audit(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let confirm = string_field(&body, "confirm")?;
    let confirmation = ClearConfirmation::parse(&confirm).map_err(|_| {
        validation(vec![issue(
            "confirm",
            &format!("must be exactly `{}`", seatwarden_audit::CLEAR_CONFIRMATION),
        )])
    })?;
    let report = service
        .store()
        .clear_audit(confirmation, actor(req), now(req))
        .map_err(store_err)?;
    ApiResponse::json(&json!({"entries": report.entries, "runs": report.runs}))
}

// ---- groups ----

pub(super) fn list_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let counts = req.query_param("withCounts") != Some("false");
    let groups = service.with_index(|index| {
        index
            .groups()
            .iter()
            .map(|g| {
                let members = if counts {
                    index.group_bitmap(&g.name).map_or(0, |b| b.len())
                } else {
                    0
                };
                json!({"name": g.name, "admin": g.admin, "licence": g.licence, "members": counts.then_some(members)})
            })
            .collect::<Vec<_>>()
    })?;
    ApiResponse::json(&json!({"groups": groups}))
}

/// Creates the planned groups through the host, auditing each.
fn create_planned(
    service: &Service,
    req: &ApiRequest,
    plan: &seatwarden_csv::groups::GroupCreationPlan,
) -> Result<ApiResponse, ApiError> {
    let mut outcomes = Vec::new();
    let mut entries = Vec::new();
    for group in &plan.create {
        let op = Operation::CreateGroup {
            group: group.clone(),
        };
        let result = service.host().apply(&op);
        let (status, outcome) = match &result {
            Ok(_) => (Status::Success, "created".to_owned()),
            Err(e) => (Status::Failed, format!("failed: {e}")),
        };
        entries.push(
            AuditEntry::new(now(req), actor(req), AuditAction::GroupCreated, status)
                .with_target(Target::group(group.clone()))
                .with_description(format!("group `{group}` {outcome}")),
        );
        outcomes.push(json!({"name": group, "outcome": outcome}));
    }
    for skipped in &plan.skipped {
        outcomes.push(
            json!({"line": skipped.position.line, "outcome": format!("skipped: {}", skipped.kind)}),
        );
    }
    if !plan.create.is_empty() {
        service.index.write().stale = true;
    }
    audit(service, req, entries)?;
    ApiResponse::json(&json!({"outcomes": outcomes}))
}

pub(super) fn create_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let names = string_field(&body, "names")?;
    let plan = service
        .with_index(|index| seatwarden_csv::groups::plan_group_list(&names, index))?
        .map_err(|r| rejected(&r))?;
    create_planned(service, req, &plan)
}

pub(super) fn import_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan = service
        .with_index(|index| seatwarden_csv::groups::plan_group_file(req.body.as_slice(), index))?
        .map_err(|r| rejected(&r))?;
    create_planned(service, req, &plan)
}

pub(super) fn export_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let counts = req.query_param("counts") == Some("true");
    let bom = req.query_param("bom") == Some("true");
    let out = service.with_index(|index| {
        let rows: Vec<(&GroupName, u64)> = index
            .groups()
            .iter()
            .map(|g| (&g.name, index.group_bitmap(&g.name).map_or(0, |b| b.len())))
            .collect();
        let mut out = Vec::new();
        seatwarden_csv::groups::export_groups(&mut out, rows, counts, bom).map(|_| out)
    })?;
    let out = out.map_err(|_| ApiError::internal("the groups export failed"))?;
    Ok(ApiResponse::csv("groups.csv", out))
}

pub(super) fn delete_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let names: Vec<GroupName> = match body.get("names") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(GroupName::from).ok_or_else(|| {
                    ApiError::bad_request(format!("field `names[{i}]` must be a string"))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "field `names` must be an array of group names",
            ));
        }
        None => return Err(ApiError::bad_request("missing field `names`")),
    };
    let settings = service.reload_settings()?;
    let used: HashSet<String> = serde_json::to_value(&settings.config.policies)
        .ok()
        .map(|v| {
            let mut out = HashSet::new();
            collect_strings(&v, &mut out);
            out.into_iter().map(|s| s.to_lowercase()).collect()
        })
        .unwrap_or_default();
    let mut plan = service
        .with_index(|index| seatwarden_csv::groups::plan_group_deletion(&names, index, &used))?;
    let mut entries = Vec::new();
    for op in plan.operations() {
        let Operation::DeleteGroup { group } = &op else {
            continue;
        };
        let result = service.host().apply(&op).map(|_| ());
        let status = if result.is_ok() {
            Status::Success
        } else {
            Status::Failed
        };
        entries.push(
            AuditEntry::new(now(req), actor(req), AuditAction::GroupDeleted, status)
                .with_target(Target::group(group.clone()))
                .with_description(format!("group `{group}` deleted")),
        );
        plan.record(group, result);
    }
    if !entries.is_empty() {
        service.index.write().stale = true;
    }
    audit(service, req, entries)?;
    let outcomes: Vec<Value> = plan
        .groups
        .iter()
        .map(|(g, o)| json!({"name": g, "outcome": o.to_string()}))
        .collect();
    ApiResponse::json(&json!({"outcomes": outcomes}))
}

fn collect_strings(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}

// ---- users import and export ----

pub(super) fn export_users(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let query = match req.query_param("filter") {
        None | Some("") => Query::default(),
        Some(raw) => Query::from_json(raw.as_bytes())
            .map_err(|e| ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}")))?,
    };
    let mut options = seatwarden_csv::ExportOptions {
        bom: req.query_param("bom") == Some("true"),
        ..seatwarden_csv::ExportOptions::default()
    };
    if let Some(cols) = req.query_param("columns").filter(|s| !s.is_empty()) {
        options.columns = cols
            .split(',')
            .map(|c| {
                seatwarden_csv::UserColumn::from_header(&c.trim().to_lowercase())
                    .ok_or_else(|| ApiError::bad_request(format!("unknown column `{}`", c.trim())))
            })
            .collect::<Result<_, _>>()?;
    }
    let keys: Option<Vec<UserKey>> = req
        .query_param("keys")
        .filter(|s| !s.is_empty())
        .map(|k| k.split(',').map(UserKey::from).collect());
    let now = now(req);
    let out = service.with_index(|index| -> Result<Vec<u8>, ApiError> {
        let selected: Vec<u32> = match &keys {
            Some(keys) => {
                let (bitmap, unknown) = seatwarden_core::evaluate::select_keys(index, keys);
                if let Some(k) = unknown.first() {
                    return Err(ApiError::not_found(format!("user `{k}`")));
                }
                bitmap.iter().collect()
            }
            None => index
                .matching(&query, now)
                .map_err(|e| {
                    ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                })?
                .iter()
                .collect(),
        };
        let context = seatwarden_csv::ExportContext::new(index.directories(), index.licences());
        let users = selected
            .into_iter()
            .filter_map(|i| index.user(seatwarden_core::index::UserIdx(i)));
        let mut out = Vec::new();
        seatwarden_csv::export_users(&mut out, &options, &context, users)
            .map_err(|_| ApiError::internal("the users export failed"))?;
        Ok(out)
    })??;
    Ok(ApiResponse::csv("users.csv", out))
}

pub(super) fn import_template(
    _: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    Ok(ApiResponse::csv(
        "users-import-template.csv",
        seatwarden_csv::TEMPLATE.as_bytes().to_vec(),
    ))
}

fn flag(req: &ApiRequest, name: &str) -> Result<bool, ApiError> {
    match req.query_param(name) {
        None | Some("") | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::bad_request(format!(
            "query parameter `{name}` must be `true` or `false`"
        ))),
    }
}

pub(super) fn validate_import(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let options = ImportOptions {
        create_missing_groups: flag(req, "createGroups")?,
        remove_unlisted_groups: flag(req, "removeUnlisted")?,
        notices: NewUserNotices {
            welcome: flag(req, "welcome")?,
            password_reset: flag(req, "passwordReset")?,
        },
        ..ImportOptions::default()
    };
    service.rebuild_index()?;
    let planned = service.with_index(|index| {
        seatwarden_csv::plan_users(&req.body, index, &options).map(|plan| {
            let usernames: std::collections::HashMap<String, String> = plan
                .rows
                .iter()
                .filter_map(|r| match &r.plan {
                    seatwarden_csv::RowPlan::Update { user, .. } => {
                        Some((user.to_string(), r.username.to_string()))
                    }
                    _ => None,
                })
                .collect();
            (plan, usernames)
        })
    })?;
    let (plan, usernames) = planned.map_err(|r| rejected(&r))?;
    let mut actions = Vec::new();
    let mut creates = 0usize;
    for op in &plan.group_operations {
        actions.push(import_action(op, "", "group in the import file"));
    }
    for row in &plan.rows {
        let reason = format!("import file line {}", row.line);
        match &row.plan {
            seatwarden_csv::RowPlan::Create { .. } => {
                // Memberships of a new user need the key the host assigns;
                // the creation carries the row's data.
                for op in row.operations(None) {
                    creates += 1;
                    actions.push(import_action(&op, row.username.as_str(), &reason));
                }
            }
            _ => {
                for op in row.operations(None) {
                    let name = op
                        .user()
                        .and_then(|u| usernames.get(u.as_str()))
                        .cloned()
                        .unwrap_or_default();
                    actions.push(import_action(&op, &name, &reason));
                }
            }
        }
    }
    let summary = json!({
        "rows": plan.summary.rows,
        "create": plan.summary.create,
        "update": plan.summary.update,
        "unchanged": plan.summary.unchanged,
        "groupsToCreate": plan.summary.groups_to_create,
        "notes": plan.summary.notes.iter().map(|n| json!({"line": n.position.line, "message": n.kind.to_string()})).collect::<Vec<_>>(),
    });
    let run_plan = RunPlan {
        status: "ready".to_owned(),
        actor: actor(req),
        document: summary.clone(),
        actions,
    };
    let hash = run_plan.writes_hash();
    let plan_id = service.next_plan_id();
    let count = run_plan.actions.len();
    service.keep_plan(PendingPlan {
        id: plan_id.clone(),
        kind: RunKind::Import,
        name: "Users import".to_owned(),
        hash: hash.clone(),
        plan: run_plan,
        admin: admin_key(req),
        created: now(req),
        reverts: None,
    });
    ApiResponse::json(&json!({
        "planId": plan_id,
        "planHash": hash,
        "summary": summary,
        "actionCount": count,
        "userCreations": creates,
    }))
}

fn import_action(op: &Operation, username: &str, reason: &str) -> ActionInfo {
    let user = op.user().cloned().unwrap_or_else(|| match op {
        Operation::CreateGroup { group } => UserKey::from(format!("group:{group}").as_str()),
        _ => UserKey::from(format!("new:{username}").as_str()),
    });
    ActionInfo {
        user,
        username: username.to_owned(),
        action: crate::store::ActionKey::of(op),
        operation: op.clone(),
        source: "import".to_owned(),
        policy: None,
        live: true,
        reason: reason.to_owned(),
    }
}

pub(super) fn apply_import(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan_id = params.get("planId")?.to_owned();
    let body = body_object(req)?;
    let hash = string_field(&body, "planHash")?;
    let run = service.run_pending(&plan_id, &hash, now(req))?;
    accepted(run)
}

// ---- templates ----

pub(super) fn list_templates(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.reload_settings()?;
    ApiResponse::json(&json!({"templates": settings.templates, "configVersion": settings.version}))
}

fn template_body(req: &ApiRequest) -> Result<Template, ApiError> {
    let mut body = body_object(req)?;
    body.remove("configVersion");
    let template: Template = serde_json::from_value(Value::Object(body)).map_err(|e| {
        ApiError::bad_request(format!(
            "invalid template: {}",
            crate::api::error::describe_json_error(&e)
        ))
    })?;
    template.validate().map_err(|errors| {
        let problems = serde_json::to_value(&errors).unwrap_or(Value::Null);
        ApiError::new(ApiErrorKind::Validation, errors.to_string())
            .with_details(json!({"problems": problems}))
    })?;
    Ok(template)
}

fn save_templates(
    service: &Service,
    req: &ApiRequest,
    settings: Settings,
    description: String,
) -> Result<(), ApiError> {
    service.save_settings(settings)?;
    audit(
        service,
        req,
        vec![
            AuditEntry::new(
                now(req),
                actor(req),
                AuditAction::SettingsChanged,
                Status::Success,
            )
            .with_description(description),
        ],
    )
}

pub(super) fn create_template(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let template = template_body(req)?;
    let current = service.reload_settings()?;
    if current.templates.iter().any(|t| t.id == template.id) {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("a template with id `{}` exists already", template.id),
        ));
    }
    let mut settings = (*current).clone();
    settings.templates.push(template.clone());
    save_templates(
        service,
        req,
        settings,
        format!("template `{}` created", template.id),
    )?;
    ApiResponse::json_status(201, &template)
}

pub(super) fn get_template(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let settings = service.reload_settings()?;
    let t = settings
        .templates
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("template `{id}`")))?;
    ApiResponse::json(t)
}

pub(super) fn replace_template(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let template = template_body(req)?;
    if template.id != id {
        return Err(ApiError::bad_request(
            "field `id` must match the template in the path",
        ));
    }
    let current = service.reload_settings()?;
    let mut settings = (*current).clone();
    let slot = settings
        .templates
        .iter_mut()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("template `{id}`")))?;
    let before = serde_json::to_value(&*slot).unwrap_or(Value::Null);
    *slot = template.clone();
    let after = serde_json::to_value(&template).unwrap_or(Value::Null);
    let changed = changed_paths(&before, &after);
    save_templates(
        service,
        req,
        settings,
        format!("template `{id}` changed: {}", changed.join(", ")),
    )?;
    ApiResponse::json(&template)
}

pub(super) fn delete_template(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let current = service.reload_settings()?;
    if !current.templates.iter().any(|t| t.id == id) {
        return Err(ApiError::not_found(format!("template `{id}`")));
    }
    if current
        .config
        .policies
        .iter()
        .any(|p| p.warning.as_ref().and_then(|w| w.template.as_deref()) == Some(id.0.as_str()))
    {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("template `{id}` is used by a policy's warning"),
        ));
    }
    let mut settings = (*current).clone();
    settings.templates.retain(|t| t.id != id);
    save_templates(service, req, settings, format!("template `{id}` deleted"))?;
    ApiResponse::json(&json!({"deleted": id}))
}

pub(super) fn preview_template(
    _: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let subject = string_field(&body, "subject")?;
    let html = string_field(&body, "body")?;
    let kind = match body.get("kind") {
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| ApiError::bad_request("field `kind` is not a template kind"))?,
        None => seatwarden_mail::TemplateKind::Warning,
    };
    let mut template = Template::default_for(kind);
    template.subject = subject;
    template.html_body = html;
    let preview = seatwarden_mail::preview(&template).map_err(|errors| {
        let problems = serde_json::to_value(&errors).unwrap_or(Value::Null);
        ApiError::new(ApiErrorKind::Validation, errors.to_string())
            .with_details(json!({"problems": problems}))
    })?;
    ApiResponse::json(&json!({
        "subject": preview.rendered.subject,
        "html": preview.rendered.html,
        "text": preview.rendered.text,
        "substituted": preview.samples.iter().map(|(p, v)| json!({"placeholder": p.to_string(), "sample": v})).collect::<Vec<_>>(),
        "notice": preview.notice,
    }))
}

pub(super) fn test_template(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let body = body_object(req)?;
    let to = string_field(&body, "to")?;
    let settings = service.reload_settings()?;
    if !settings.templates.iter().any(|t| t.id == id) {
        return Err(ApiError::not_found(format!("template `{id}`")));
    }
    let mailer = seatwarden_mail::Mailer::from_choice(
        &settings.mail,
        &seatwarden_mail::ProductMail::default(),
    )
    .map_err(|e| ApiError::new(ApiErrorKind::Validation, e.to_string()))?;
    match mailer {
        seatwarden_mail::Mailer::Smtp(m) => {
            match m.send_test(&to, &service.options().instance_name) {
                Ok(reply) => ApiResponse::json(&json!({"ok": true, "reply": reply.to_string()})),
                Err(e) => ApiResponse::json(&json!({"ok": false, "reply": e.to_string()})),
            }
        }
        seatwarden_mail::Mailer::Unavailable(why) => {
            Err(ApiError::new(ApiErrorKind::Unavailable, why.to_string()))
        }
    }
}

// ---- settings ----

pub(super) fn get_settings(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.reload_settings()?;
    ApiResponse::json(&json!({
        "settings": settings.config.settings,
        "automationAccount": settings.automation_account,
        "configVersion": settings.version,
    }))
}

pub(super) fn replace_settings(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let current = service.reload_settings()?;
    let version = match body.get("configVersion") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| ApiError::bad_request("field `configVersion` must be a whole number"))?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "field `configVersion` must be a number",
            ));
        }
        None => return Err(ApiError::bad_request("missing field `configVersion`")),
    };
    if version != current.version.0 {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!(
                "the configuration changed since it was read (version {version}, now {})",
                current.version
            ),
        ));
    }
    let new_settings = body
        .get("settings")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("missing field `settings`"))?;
    let mut doc =
        serde_json::to_value(&current.config).map_err(|_| ApiError::internal("config"))?;
    let before = doc.get("settings").cloned().unwrap_or(Value::Null);
    if let Some(slot) = doc.get_mut("settings") {
        *slot = new_settings.clone();
    }
    let config =
        seatwarden_core::config::Config::from_value(doc).map_err(|e| validation(e.issues()))?;
    let mut settings = (*current).clone();
    settings.config = config;
    match body.get("automationAccount") {
        Some(Value::String(k)) if !k.is_empty() => {
            settings.automation_account = Some(UserKey::from(k.as_str()))
        }
        Some(Value::Null) | Some(Value::String(_)) => settings.automation_account = None,
        Some(_) => {
            return Err(ApiError::bad_request(
                "field `automationAccount` must be a user key",
            ));
        }
        None => {}
    }
    let changed = changed_paths(&before, &new_settings);
    let saved = service.save_settings(settings)?;
    audit(
        service,
        req,
        vec![
            AuditEntry::new(
                now(req),
                actor(req),
                AuditAction::SettingsChanged,
                Status::Success,
            )
            .with_description(format!("settings changed: {}", changed.join(", "))),
        ],
    )?;
    ApiResponse::json(&json!({
        "settings": saved.config.settings,
        "automationAccount": saved.automation_account,
        "configVersion": saved.version,
    }))
}

pub(super) fn get_mail_settings(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.reload_settings()?;
    // `SmtpSettings` serialises `password_set`, never the password.
    ApiResponse::json(&json!({"mail": settings.mail, "configVersion": settings.version}))
}

pub(super) fn replace_mail_settings(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let mut body = body_object(req)?;
    body.remove("configVersion");
    let mut choice: MailServerChoice =
        serde_json::from_value(Value::Object(body)).map_err(|e| {
            ApiError::bad_request(format!(
                "invalid mail settings: {}",
                crate::api::error::describe_json_error(&e)
            ))
        })?;
    let current = service.reload_settings()?;
    if let (MailServerChoice::Own(new), MailServerChoice::Own(old)) = (&mut choice, &current.mail) {
        new.keep_password_from(old);
    }
    if let MailServerChoice::Own(smtp) = &choice {
        seatwarden_mail::SmtpMailer::new(smtp.clone())
            .map_err(|e| ApiError::new(ApiErrorKind::Validation, e.to_string()))?;
    }
    let before = serde_json::to_value(&current.mail).unwrap_or(Value::Null);
    let after = serde_json::to_value(&choice).unwrap_or(Value::Null);
    let mut settings = (*current).clone();
    settings.mail = choice;
    let saved = service.save_settings(settings)?;
    audit(
        service,
        req,
        vec![
            AuditEntry::new(
                now(req),
                actor(req),
                AuditAction::SettingsChanged,
                Status::Success,
            )
            .with_description(format!(
                "mail settings changed: {}",
                changed_paths(&before, &after).join(", ")
            )),
        ],
    )?;
    ApiResponse::json(&json!({"mail": saved.mail, "configVersion": saved.version}))
}

// ---- demo ----

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
