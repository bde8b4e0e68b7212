//! The admin API's route table and its handlers (see `docs/api.md`).
//!
//! Each handler turns one request into calls on [`Service`] and one JSON (or
//! CSV) answer. Handlers validate everything before they change anything:
//! a bad body, parameter or configuration gets a precise error and leaves
//! the store and the directory as they were. Every configuration change is
//! audited with the paths it changed (never the values, so no secret can
//! reach the log).

mod admin;
mod automation;

use std::net::IpAddr;

use serde::Serialize;
use serde_json::{Value, json};

use seatwarden_audit::Actor;
use seatwarden_core::dashboard::{DEFAULT_WINDOW_DAYS, dashboard};
use seatwarden_core::query::{Query, QueryRow};
use seatwarden_core::{Millis, UserKey};

use super::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Method, Params, Route, Router};
use crate::service::{DocumentError, Service, ServiceError};
use crate::store::StoreError;

/// The OpenAPI document, maintained by hand beside the route table (a test
/// holds the two against each other).
pub const OPENAPI: &str = include_str!("openapi.json");

macro_rules! routes {
    ($($method:ident $pattern:literal $op:literal => $handler:path;)*) => {
        vec![$(Route {
            method: Method::$method,
            pattern: $pattern,
            operation_id: $op,
            handler: $handler,
        },)*]
    };
}

/// The admin API's routes. Order matters where a literal segment and a
/// parameter compete (`/api/users/export` before `/api/users/{key}`).
pub fn router() -> Router<Service> {
    Router::new(routes! {
        Get "/api/openapi.json" "getOpenApi" => openapi;
        Get "/api/me" "getMe" => me;
        Get "/api/dashboard" "getDashboard" => get_dashboard;
        Get "/api/users" "listUsers" => list_users;
        Get "/api/users/export" "exportUsers" => admin::export_users;
        Get "/api/users/{key}" "getUser" => get_user;
        Post "/api/bulk/plan" "planBulk" => automation::plan_bulk;
        Post "/api/bulk/{planId}/run" "runBulk" => automation::run_bulk;
        Get "/api/policies" "listPolicies" => automation::list_policies;
        Post "/api/policies" "createPolicy" => automation::create_policy;
        Get "/api/policies/{id}" "getPolicy" => automation::get_policy;
        Put "/api/policies/{id}" "replacePolicy" => automation::replace_policy;
        Delete "/api/policies/{id}" "deletePolicy" => automation::delete_policy;
        Post "/api/policies/{id}/pause" "pausePolicy" => automation::pause_policy;
        Post "/api/policies/{id}/resume" "resumePolicy" => automation::resume_policy;
        Post "/api/policies/{id}/preview" "previewPolicy" => automation::preview_policy;
        Post "/api/policies/{id}/run" "runPolicy" => automation::run_policy;
        Get "/api/automation/summary" "getAutomationSummary" => automation::summary;
        Get "/api/runs" "listRuns" => automation::list_runs;
        Get "/api/runs/{id}" "getRun" => automation::get_run;
        Get "/api/runs/{id}/progress" "getRunProgress" => automation::run_progress;
        Get "/api/runs/{id}/actions" "listRunActions" => automation::run_actions;
        Post "/api/runs/{id}/approve" "approveRun" => automation::approve_run;
        Post "/api/runs/{id}/revert/plan" "planRevert" => automation::plan_revert;
        Post "/api/runs/{id}/revert" "revertRun" => automation::revert_run;
        Get "/api/audit" "listAudit" => admin::list_audit;
        Get "/api/audit/summary" "getAuditSummary" => admin::audit_summary;
        Get "/api/audit/export" "exportAudit" => admin::export_audit;
        Get "/api/audit/retention" "getRetention" => admin::get_retention;
        Put "/api/audit/retention" "setRetention" => admin::set_retention;
        Post "/api/audit/clear" "clearAudit" => admin::clear_audit;
        Get "/api/groups" "listGroups" => admin::list_groups;
        Post "/api/groups" "createGroups" => admin::create_groups;
        Post "/api/groups/import" "importGroups" => admin::import_groups;
        Get "/api/groups/export" "exportGroups" => admin::export_groups;
        Post "/api/groups/delete" "deleteGroups" => admin::delete_groups;
        Get "/api/import/template" "getImportTemplate" => admin::import_template;
        Post "/api/import/validate" "validateImport" => admin::validate_import;
        Post "/api/import/{planId}/apply" "applyImport" => admin::apply_import;
        Get "/api/templates" "listTemplates" => admin::list_templates;
        Post "/api/templates" "createTemplate" => admin::create_template;
        Post "/api/templates/preview" "previewTemplate" => admin::preview_template;
        Get "/api/templates/{id}" "getTemplate" => admin::get_template;
        Put "/api/templates/{id}" "replaceTemplate" => admin::replace_template;
        Delete "/api/templates/{id}" "deleteTemplate" => admin::delete_template;
        Post "/api/templates/{id}/test" "testTemplate" => admin::test_template;
        Get "/api/settings" "getSettings" => admin::get_settings;
        Put "/api/settings" "replaceSettings" => admin::replace_settings;
        Get "/api/settings/mail" "getMailSettings" => admin::get_mail_settings;
        Put "/api/settings/mail" "replaceMailSettings" => admin::replace_mail_settings;
        Post "/api/demo/logins" "recordDemoLogins" => admin::demo_logins;
    })
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::Store(StoreError::Conflict { expected, actual }) => ApiError::new(
                ApiErrorKind::Conflict,
                format!(
                    "the configuration changed since it was read (version {expected}, now {actual}); reload and try again"
                ),
            )
            .with_details(json!({"expected": expected, "actual": actual})),
            ServiceError::Store(StoreError::RunNotFound(run)) => ApiError::not_found(format!("run `{run}`")),
            ServiceError::Store(StoreError::Backend(_)) => {
                ApiError::new(ApiErrorKind::Unavailable, "the store is unavailable")
            }
            ServiceError::Store(other) => ApiError::internal(format!("store: {other}")),
            ServiceError::Host(e) => ApiError::new(ApiErrorKind::Unavailable, e.to_string()),
            ServiceError::Document(DocumentError::Config(e)) => validation(e.issues()),
            ServiceError::Document(e) => ApiError::internal(e.to_string()),
            ServiceError::Snapshot(m) => ApiError::new(ApiErrorKind::Unavailable, m),
            ServiceError::NotFound(what) => ApiError::not_found(what),
            ServiceError::Conflict(m) => ApiError::new(ApiErrorKind::Conflict, m),
        }
    }
}

/// A validation error listing every configuration issue with its path.
pub(crate) fn validation(issues: Vec<seatwarden_core::config::ConfigIssue>) -> ApiError {
    let details: Vec<Value> = issues
        .iter()
        .map(|i| json!({"path": i.path, "message": i.message}))
        .collect();
    let message = match issues.as_slice() {
        [one] => one.to_string(),
        many => format!(
            "{} problems, the first: {}",
            many.len(),
            many.first().map(ToString::to_string).unwrap_or_default()
        ),
    };
    ApiError::new(ApiErrorKind::Validation, message).with_details(json!({"problems": details}))
}

/// The instant the request is handled at.
pub(crate) fn now(req: &ApiRequest) -> Millis {
    req.context.now
}

/// The signed-in admin as the audit log names them.
pub(crate) fn actor(req: &ApiRequest) -> Actor {
    Actor::user(admin_key(req), None)
}

/// The signed-in admin's key.
pub(crate) fn admin_key(req: &ApiRequest) -> UserKey {
    UserKey::from(req.context.actor.as_deref().unwrap_or(""))
}

/// The client's address, when the host gave a valid one.
pub(crate) fn client_ip(req: &ApiRequest) -> Option<IpAddr> {
    req.context
        .client_ip
        .as_deref()
        .and_then(|ip| ip.parse().ok())
}

/// A numeric query parameter, or `default` when absent.
pub(crate) fn query_num<T: std::str::FromStr>(
    req: &ApiRequest,
    name: &str,
    default: T,
) -> Result<T, ApiError> {
    match req.query_param(name) {
        None | Some("") => Ok(default),
        Some(raw) => raw.parse().map_err(|_| {
            ApiError::bad_request(format!("query parameter `{name}` must be a number"))
        }),
    }
}

/// `202 Accepted` with the run id.
pub(crate) fn accepted(run: seatwarden_audit::RunId) -> Result<ApiResponse, ApiError> {
    ApiResponse::json_status(202, &json!({"runId": run}))
}

/// The body as a JSON object, or a precise bad-request error.
pub(crate) fn body_object(req: &ApiRequest) -> Result<serde_json::Map<String, Value>, ApiError> {
    match req.json::<Value>()? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request(
            "the request body must be a JSON object",
        )),
    }
}

/// A required string field of a JSON body.
pub(crate) fn string_field(
    body: &serde_json::Map<String, Value>,
    name: &str,
) -> Result<String, ApiError> {
    match body.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::bad_request(format!(
            "field `{name}` must be a string"
        ))),
        None => Err(ApiError::bad_request(format!("missing field `{name}`"))),
    }
}

fn openapi(_: &Service, _: &ApiRequest, _: &Params) -> Result<ApiResponse, ApiError> {
    Ok(ApiResponse {
        status: 200,
        content_type: "application/json".to_owned(),
        headers: Vec::new(),
        body: OPENAPI.as_bytes().to_vec(),
    })
}

fn me(service: &Service, req: &ApiRequest, _: &Params) -> Result<ApiResponse, ApiError> {
    let options = service.options();
    ApiResponse::json(&json!({
        "user": req.context.actor,
        "sysadmin": req.context.sysadmin,
        "instanceName": options.instance_name,
        "product": options.product,
        "demo": options.demo,
        "now": now(req),
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Insight {
    kind: &'static str,
    message: String,
    users: u64,
    percent_of_seats: f64,
    /// A policy the UI can offer as "take action" (safe mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    suggested_policy: Option<Value>,
}

fn get_dashboard(service: &Service, req: &ApiRequest, _: &Params) -> Result<ApiResponse, ApiError> {
    let days: u32 = query_num(req, "days", DEFAULT_WINDOW_DAYS)?;
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "query parameter `days` must be between 1 and 3650",
        ));
    }
    let now = now(req);
    let (mut figures, idle90, licensed) = service.with_index(|index| {
        let figures = dashboard(index, now, days);
        let cutoff = now.minus_days(90).0;
        let licensed = index.licensed_bitmap();
        let mut idle = 0u64;
        for i in licensed {
            let idx = seatwarden_core::index::UserIdx(i);
            if !index.is_active(idx) {
                continue;
            }
            let since = index.last_login(idx).unwrap_or(index.created(idx)).0;
            if since <= cutoff {
                idle += 1;
            }
        }
        (figures, idle, licensed.len())
    })?;
    let reactivated = service
        .store()
        .count_audit(&seatwarden_audit::AuditFilter {
            actions: vec![seatwarden_audit::Action::UserReactivated],
            statuses: vec![seatwarden_audit::Status::Success],
            from: Some(figures.window_start),
            ..seatwarden_audit::AuditFilter::default()
        })
        .map_err(ServiceError::from)?;
    figures.reactivated_in_window = Some(reactivated);
    let mut insights = Vec::new();
    if idle90 > 0 {
        let pct = if licensed == 0 {
            0.0
        } else {
            (idle90 as f64) * 100.0 / (licensed as f64)
        };
        insights.push(Insight {
            kind: "idle_licensed",
            message: format!("{idle90} licensed users idle 90+ days — {pct:.1} % of seats"),
            users: idle90,
            percent_of_seats: pct,
            suggested_policy: Some(json!({
                "name": "Deactivate users idle 90+ days",
                "enabled": true,
                "mode": "safe",
                "priority": 0,
                "trigger": {"kind": "scheduler"},
                "scope": {},
                "condition": {"kind": "inactive", "days": 90},
                "action": {"kind": "deactivate"}
            })),
        });
    }
    if reactivated > 0 {
        insights.push(Insight {
            kind: "reactivated",
            message: format!("{reactivated} users reactivated in the last {days} days"),
            users: reactivated,
            percent_of_seats: 0.0,
            suggested_policy: None,
        });
    }
    let recent = service
        .store()
        .query_runs(&seatwarden_audit::RunQuery {
            limit: 5,
            ..seatwarden_audit::RunQuery::default()
        })
        .map_err(ServiceError::from)?;
    ApiResponse::json(&json!({
        "figures": figures,
        "insights": insights,
        "recentRuns": recent.items,
    }))
}

fn parse_filter(req: &ApiRequest) -> Result<Query, ApiError> {
    match req.query_param("filter") {
        None | Some("") => Ok(Query::default()),
        Some(raw) => Query::from_json(raw.as_bytes()).map_err(|e| {
            ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                .with_details(json!({"problems": [{"path": "filter", "message": e.to_string()}]}))
        }),
    }
}

fn list_users(service: &Service, req: &ApiRequest, _: &Params) -> Result<ApiResponse, ApiError> {
    let query = parse_filter(req)?;
    let now = now(req);
    let page = service
        .with_index(|index| index.query(&query, now))?
        .map_err(|e| {
            ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                .with_details(json!({"problems": [{"path": "filter", "message": e.to_string()}]}))
        })?;
    ApiResponse::json(&page)
}

fn get_user(service: &Service, req: &ApiRequest, params: &Params) -> Result<ApiResponse, ApiError> {
    let key = UserKey::from(params.get("key")?);
    let now = now(req);
    let found = service.with_index(|index| {
        let idx = index.index_of_key(&key)?;
        let row = QueryRow::of(index, idx, now);
        let user = index.user(idx).map(|v| v.to_user());
        Some((row, user))
    })?;
    let Some((row, user)) = found else {
        return Err(ApiError::not_found(format!("user `{key}`")));
    };
    // Which policies would act on this user now (a forced preview).
    let actions = service.with_index(|index| {
        let (_, plan, _) = service.plan_policies(index, now, None, true);
        plan.actions
            .into_iter()
            .filter(|a| a.user == key)
            .collect::<Vec<_>>()
    })?;
    ApiResponse::json(&json!({
        "row": row,
        "user": user,
        "policies": actions,
    }))
}
