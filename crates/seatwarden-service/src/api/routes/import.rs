//! The users import and export tab: the CSV template, validate → plan →
//! apply, and the filtered CSV export.
//!
//! Validation changes nothing: a bad row gets its line and column and the
//! whole file is refused. A valid file becomes a kept plan the admin
//! confirms by hash; applying it is a background run like any other, so
//! it is journaled, resumable and audited. A new user's memberships and
//! welcome mail need the key the host gives the account, so their actions
//! name the user by a placeholder that [`crate::service::import`] resolves
//! while the run applies.

use serde_json::{Value, json};

use seatwarden_audit::RunKind;
use seatwarden_core::query::Query;
use seatwarden_core::{Operation, UserKey};
use seatwarden_csv::{ImportOptions, NewUserNotices};
use seatwarden_mail::TemplateKind;

use super::{accepted, actor, admin_key, body_object, now, rejected, string_field};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::import as import_hook;
use crate::service::{ActionInfo, PendingPlan, RunPlan, Service};

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
    let (plan, usernames) = planned.map_err(|r| rejected_rows(&r))?;
    let mut actions = Vec::new();
    let mut creates = 0usize;
    for op in &plan.group_operations {
        actions.push(import_action(op, "", "group in the import file"));
    }
    let mut rows = Vec::with_capacity(plan.rows.len());
    let mut skipped = Vec::new();
    for row in &plan.rows {
        let reason = format!("import file line {}", row.line);
        let first = actions.len();
        let (verdict, user) = match &row.plan {
            seatwarden_csv::RowPlan::Create { .. } => {
                ("create", import_hook::placeholder(row.username.as_str()))
            }
            seatwarden_csv::RowPlan::Update { user, .. } => ("update", user.clone()),
            seatwarden_csv::RowPlan::Unchanged { user } => {
                skipped.push(json!({
                    "user": user,
                    "username": row.username.as_str(),
                    "source": "import",
                    "because": format!("{reason}: the row matches the directory"),
                }));
                ("unchanged", user.clone())
            }
        };
        match &row.plan {
            seatwarden_csv::RowPlan::Create { notices, .. } => {
                // The host chooses a new user's key: the creation and the
                // memberships name a placeholder the run resolves (see
                // `import_hook`), and the source carries the mails asked for.
                let key = import_hook::placeholder(row.username.as_str());
                let source = import_hook::Notices {
                    welcome: notices.welcome,
                    password_reset: notices.password_reset,
                }
                .source();
                for op in row.operations(Some(&key)) {
                    if matches!(op, Operation::CreateUser { .. }) {
                        creates += 1;
                    }
                    actions.push(
                        ActionInfo::new(op, row.username.to_string(), source.clone(), &reason)
                            .on(key.clone()),
                    );
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
        rows.push(json!({
            "line": row.line,
            "username": row.username.as_str(),
            "user": user,
            "plan": verdict,
            "actions": actions.len() - first,
        }));
    }
    let document = plan_document(&actions, skipped);
    let settings = service.reload_settings()?;
    let missing_templates: Vec<&str> = [
        (options.notices.welcome, TemplateKind::Welcome, "welcome"),
        (
            options.notices.password_reset,
            TemplateKind::PasswordReset,
            "password_reset",
        ),
    ]
    .into_iter()
    .filter(|(asked, kind, _)| {
        *asked
            && !settings
                .templates
                .iter()
                .any(|t| t.kind == *kind && t.enabled)
    })
    .map(|(_, _, name)| name)
    .collect();
    let summary = json!({
        "rows": plan.summary.rows,
        "create": plan.summary.create,
        "update": plan.summary.update,
        "unchanged": plan.summary.unchanged,
        "groupsToCreate": plan.summary.groups_to_create,
        "notes": plan.summary.notes.iter().map(|n| json!({"line": n.position.line, "message": n.kind.to_string()})).collect::<Vec<_>>(),
        "notices": {
            "welcome": options.notices.welcome,
            "passwordReset": options.notices.password_reset,
            "missingTemplates": missing_templates,
        },
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
    let shown: Vec<&ActionInfo> = run_plan.actions.iter().take(SHOWN_ACTIONS).collect();
    let response = json!({
        "planId": plan_id,
        "planHash": hash,
        "summary": summary,
        "actionCount": count,
        "userCreations": creates,
        "actions": shown,
        "guard": [],
        "document": document,
        "rows": rows,
    });
    service.keep_plan(PendingPlan {
        id: plan_id,
        kind: RunKind::Import,
        name: "Users import".to_owned(),
        hash,
        plan: run_plan,
        admin: admin_key(req),
        created: now(req),
        reverts: None,
    });
    ApiResponse::json(&response)
}

/// How many planned actions a preview lists (as `POST /api/bulk/plan`);
/// the counts and the per-row verdicts cover them all.
const SHOWN_ACTIONS: usize = 500;

/// The import's plan in the shape of the engine's plan document (what
/// `POST /api/bulk/plan` answers as `document`): each user's writes with
/// the file line that asks for them, and the users skipped with why (rows
/// that match the directory). An import is applied as a whole, so there is
/// no guard or health verdict.
fn plan_document(actions: &[ActionInfo], skipped: Vec<Value>) -> Value {
    let mut users: Vec<Value> = Vec::new();
    let mut last: Option<&UserKey> = None;
    for a in actions {
        let entry = json!({
            "source": a.source,
            "mode": "live",
            "operation": a.operation,
            "because": a.reason,
        });
        let same = last == Some(&a.user);
        match users.last_mut().and_then(|u| u.get_mut("actions")) {
            Some(Value::Array(list)) if same => list.push(entry),
            _ => users.push(json!({
                "user": a.user,
                "username": a.username,
                "actions": [entry],
            })),
        }
        last = Some(&a.user);
    }
    json!({
        "status": "ready",
        "totals": {"users": users.len(), "operations": actions.len(), "skipped": skipped.len()},
        "warnings": [],
        "guard": [],
        "health": [],
        "users": users,
        "skipped": skipped,
    })
}

/// A refused file: every problem with its place (as any CSV refusal),
/// plus one `rows` entry per line with a problem, `plan: "error"`, in the
/// shape a valid file's per-row verdicts take. Problems of the header
/// (line 1) belong to no row.
fn rejected_rows(r: &seatwarden_csv::Rejected) -> ApiError {
    let mut error = rejected(r);
    let mut lines: Vec<(u64, usize)> = Vec::new();
    for p in r.0.kept() {
        let line = p.position.line;
        if line <= 1 {
            continue;
        }
        match lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, n)) => *n += 1,
            None => lines.push((line, 1)),
        }
    }
    lines.sort_unstable();
    let rows: Vec<Value> = lines
        .into_iter()
        .map(|(line, problems)| json!({"line": line, "plan": "error", "problems": problems}))
        .collect();
    if let Some(Value::Object(details)) = error.details.as_mut() {
        details.insert("rows".to_owned(), Value::Array(rows));
    }
    error
}

fn import_action(op: &Operation, username: &str, reason: &str) -> ActionInfo {
    let user = op.user().cloned().unwrap_or_else(|| match op {
        Operation::CreateGroup { group } => UserKey::from(format!("group:{group}").as_str()),
        _ => import_hook::placeholder(username),
    });
    ActionInfo::new(op.clone(), username, "import", reason).on(user)
}

pub(super) fn apply_import(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan_id = params.get("planId")?.to_owned();
    let body = body_object(req)?;
    let hash = string_field(&body, "planHash")?;
    // The run queues the welcome mails from the templates in force: read
    // them fresh (another node may have enabled one since validation).
    service.reload_settings()?;
    let run = service.run_pending(&plan_id, &hash, now(req))?;
    accepted(run)
}
