//! The admin API's route table and its handlers (see `docs/api.md`).
//!
//! Each handler turns one request into calls on [`Service`] and one JSON (or
//! CSV) answer. Handlers validate everything before they change anything:
//! a bad body, parameter or configuration gets a precise error and leaves
//! the store and the directory as they were. Every configuration change is
//! audited with the paths it changed (never the values, so no secret can
//! reach the log).
//!
//! The handlers live in one module per admin screen (dashboard, users,
//! directories, bulk, policies, runs, audit, groups, import, templates,
//! settings, demo), so a screen's rules read in one place; this module
//! keeps the table, the error mapping and the small helpers they share.

mod access;
mod activity_trend;
mod audit;
mod body;
mod bulk;
mod cloud;
mod dashboard;
mod demo;
mod directories;
mod exemptions;
mod export_name;
mod forecast;
mod groups;
mod import;
mod insight_policy;
mod licences;
mod mail_status;
mod migration;
mod outbox;
mod pick;
mod policies;
mod preview;
mod product_insights;
mod review;
mod runs;
mod savings;
mod settings;
mod templates;
mod users;

use std::net::IpAddr;

use serde_json::{Value, json};

use seatwarden_audit::{Action as AuditAction, Actor, AuditEntry, Status};
use seatwarden_core::{Millis, UserKey};
use seatwarden_csv::Rejected;

use super::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Method, Params, Route, Router};
use crate::service::{DocumentError, ErrorKind, Service, ServiceError};
use crate::store::{ConfigVersion, StoreError};
use seatwarden_mail::OutboxError;

/// The OpenAPI document, maintained by hand beside the route table (a test
/// holds the two against each other).
pub const OPENAPI: &str = include_str!("openapi.json");

macro_rules! routes {
    ($($method:ident $pattern:literal $op:literal $([$($q:literal),* $(,)?])? => $handler:path;)*) => {
        vec![$(Route {
            method: Method::$method,
            pattern: $pattern,
            operation_id: $op,
            query: &[$($($q),*)?],
            handler: $handler,
        },)*]
    };
}

/// The admin API's routes. Order matters where a literal segment and a
/// parameter compete (`/api/users/export` before `/api/users/{key}`).
///
/// Every admitted request first re-reads the configuration (another node
/// may have saved it), so handlers read [`Service::settings`] and none can
/// forget the reload. The cost is one configuration read per request, also
/// for routes that need no settings (a progress poll): one row read, parsed
/// again only when its version moved.
pub fn router() -> Router<Service> {
    Router::new(routes! {
        Get "/api/openapi.json" "getOpenApi" => openapi;
        Get "/api/me" "getMe" => me;
        Get "/api/dashboard" "getDashboard" ["days"] => dashboard::get_dashboard;
        Get "/api/insights/products" "getProductInsights" ["days"] => product_insights::get_product_insights;
        Get "/api/users" "listUsers" ["filter", "exempt"] => users::list_users;
        Get "/api/users/export" "exportUsers" ["filter", "columns", "bom", "keys", "exempt"] => import::export_users;
        Get "/api/users/{key}" "getUser" => users::get_user;
        Get "/api/directories" "listDirectories" => directories::list_directories;
        Get "/api/licences" "listLicences" => licences::list_licences;
        Get "/api/licences/history" "getLicenceHistory" ["days"] => forecast::licence_history;
        Get "/api/activity/history" "getActivityHistory" ["days"] => activity_trend::activity_history;
        Get "/api/forecast" "getForecast" ["days"] => forecast::get_forecast;
        Get "/api/savings" "getSavings" ["month"] => savings::get_savings;
        Get "/api/savings/export" "exportSavings" ["month"] => savings::export_savings;
        Get "/api/migration" "getMigrationPlan" ["idleDays"] => migration::get_migration;
        Get "/api/migration/export" "exportMigrationUsers" ["idleDays", "bom"] => migration::export_migration;
        Post "/api/bulk/plan" "planBulk" => bulk::plan_bulk;
        Post "/api/bulk/{planId}/run" "runBulk" => bulk::run_bulk;
        Get "/api/bulk/{planId}/actions" "listBulkActions" ["offset", "limit"] => bulk::bulk_actions;
        Get "/api/bulk/{planId}/skipped" "listBulkSkips" ["offset", "limit"] => bulk::bulk_skips;
        Get "/api/bulk/{planId}/export" "exportPlan" => bulk::export_plan;
        Get "/api/policies" "listPolicies" => policies::list_policies;
        Post "/api/policies" "createPolicy" => policies::create_policy;
        Get "/api/policies/{id}" "getPolicy" => policies::get_policy;
        Put "/api/policies/{id}" "replacePolicy" => policies::replace_policy;
        Delete "/api/policies/{id}" "deletePolicy" ["configVersion"] => policies::delete_policy;
        Post "/api/policies/{id}/pause" "pausePolicy" ["configVersion"] => policies::pause_policy;
        Post "/api/policies/{id}/resume" "resumePolicy" ["configVersion"] => policies::resume_policy;
        Post "/api/policies/{id}/preview" "previewPolicy" => policies::preview_policy;
        Post "/api/policies/{id}/whatif" "whatIfPolicy" => forecast::what_if_policy;
        Post "/api/policies/{id}/run" "runPolicy" => policies::run_policy;
        Get "/api/automation/summary" "getAutomationSummary" => policies::summary;
        Get "/api/runs" "listRuns" ["kind", "status", "policy", "from", "to", "cursor", "limit"] => runs::list_runs;
        Get "/api/runs/{id}" "getRun" => runs::get_run;
        Get "/api/runs/{id}/progress" "getRunProgress" => runs::run_progress;
        Get "/api/runs/{id}/actions" "listRunActions" ["cursor", "limit"] => runs::run_actions;
        Get "/api/runs/{id}/actions/export" "exportRunActions" => runs::export_run_actions;
        Post "/api/runs/{id}/approve" "approveRun" => runs::approve_run;
        Post "/api/runs/{id}/discard" "discardRun" => runs::discard_run;
        Post "/api/runs/{id}/revert/plan" "planRevert" => runs::plan_revert;
        Post "/api/runs/{id}/revert" "revertRun" => runs::revert_run;
        Get "/api/audit" "listAudit" ["action", "status", "kind", "text", "actor", "target", "from", "to", "run", "cursor", "limit"] => audit::list_audit;
        Get "/api/audit/summary" "getAuditSummary" => audit::audit_summary;
        Get "/api/audit/export" "exportAudit" ["action", "status", "kind", "text", "actor", "target", "from", "to", "run"] => audit::export_audit;
        Get "/api/audit/retention" "getRetention" => audit::get_retention;
        Put "/api/audit/retention" "setRetention" => audit::set_retention;
        Post "/api/audit/clear" "clearAudit" => audit::clear_audit;
        Get "/api/groups" "listGroups" ["withCounts"] => groups::list_groups;
        Get "/api/pick/users" "pickUsers" ["q", "limit", "key"] => pick::pick_users;
        Get "/api/pick/groups" "pickGroups" ["q", "limit", "name"] => pick::pick_groups;
        Post "/api/groups" "createGroups" => groups::create_groups;
        Post "/api/groups/import" "importGroups" => groups::import_groups;
        Get "/api/groups/export" "exportGroups" ["counts", "bom"] => groups::export_groups;
        Post "/api/groups/delete" "deleteGroups" => groups::delete_groups;
        Get "/api/import/template" "getImportTemplate" => import::import_template;
        Post "/api/import/validate" "validateImport" ["createGroups", "removeUnlisted", "welcome", "passwordReset"] => import::validate_import;
        Post "/api/import/{planId}/apply" "applyImport" => import::apply_import;
        Get "/api/import/{planId}/rows" "listImportRows" ["offset", "limit"] => import::import_rows;
        Get "/api/import/{planId}/actions" "listImportActions" ["offset", "limit"] => import::import_actions;
        Get "/api/templates" "listTemplates" => templates::list_templates;
        Post "/api/templates" "createTemplate" => templates::create_template;
        Post "/api/templates/preview" "previewTemplate" => templates::preview_template;
        Get "/api/templates/{id}" "getTemplate" => templates::get_template;
        Put "/api/templates/{id}" "replaceTemplate" => templates::replace_template;
        Delete "/api/templates/{id}" "deleteTemplate" ["configVersion"] => templates::delete_template;
        Post "/api/templates/{id}/test" "testTemplate" => templates::test_template;
        Get "/api/settings" "getSettings" => settings::get_settings;
        Put "/api/settings" "replaceSettings" => settings::replace_settings;
        Get "/api/mail/status" "getMailStatus" => mail_status::mail_status;
        Get "/api/mail/outbox" "listOutbox" ["status", "cursor", "limit"] => outbox::list_outbox;
        Get "/api/mail/outbox/{id}" "getOutboxMessage" => outbox::get_message;
        Post "/api/mail/outbox/{id}/retry" "retryOutboxMessage" => outbox::retry_message;
        Post "/api/mail/outbox/{id}/discard" "discardOutboxMessage" => outbox::discard_message;
        Get "/api/settings/mail" "getMailSettings" => settings::get_mail_settings;
        Put "/api/settings/mail" "replaceMailSettings" => settings::replace_mail_settings;
        Post "/api/demo/logins" "recordDemoLogins" => demo::demo_logins;
        Post "/api/preview/directory" "loadPreviewDirectory" => preview::load_directory;
        Get "/api/access/requests" "listAccessRequests" => access::list_requests;
        Post "/api/access/requests/{id}/decide" "decideAccessRequest" => access::decide_request;
        Post "/api/access/secret/rotate" "rotateAccessLinkSecret" => access::rotate_link_secret;
        Get "/api/hooks" "listHooks" => access::list_hooks;
        Post "/api/hooks" "createHook" => access::create_hook;
        Put "/api/hooks/{id}" "replaceHook" => access::replace_hook;
        Delete "/api/hooks/{id}" "deleteHook" => access::delete_hook;
        Post "/api/hooks/{id}/rotate" "rotateHookSecret" => access::rotate_hook;
        Post "/api/hooks/{id}/test" "testHook" => access::test_hook;
        Get "/api/exemptions" "listExemptions" ["policy", "user", "state", "limit"] => exemptions::list;
        Post "/api/exemptions" "grantExemptions" => exemptions::grant;
        Post "/api/exemptions/revoke" "revokeExemptions" => exemptions::revoke;
        Get "/api/exemptions/export" "exportExemptions" ["policy", "user", "state"] => exemptions::export;
        Get "/api/review" "listReviewItems" ["policy", "status", "limit"] => review::list;
        Post "/api/review/decide" "decideReviewItems" => review::decide;
        Post "/api/review/act" "actOnReviewed" => review::act_now;
        Get "/api/cloud/connection" "getCloudConnection" => cloud::get_connection;
        Put "/api/cloud/connection" "replaceCloudConnection" => cloud::replace_connection;
        Post "/api/cloud/connection/test" "testCloudConnection" => cloud::test_connection;
    })
    .guarded_by(preview_guard)
    .prepared_by(|service| service.reload_settings().map(drop).map_err(ApiError::from))
}

/// The operations a preview-only server refuses: everything that writes to
/// the directory (runs, approvals, reverts, bulk actions, group and user
/// imports, demo logins, which may reactivate) or sends mail (a test send, a
/// retried message). Policies, templates and settings stay writable: they
/// are what the admin came to try. A new applying route must be listed here;
/// `every_applying_route_is_refused_in_preview` names them all.
pub const APPLYING_OPERATIONS: &[&str] = &[
    "runBulk",
    "runPolicy",
    "approveRun",
    "revertRun",
    "createGroups",
    "importGroups",
    "deleteGroups",
    "applyImport",
    "testTemplate",
    "retryOutboxMessage",
    "recordDemoLogins",
    "actOnReviewed",
    "decideAccessRequest",
];

/// Refuses [`APPLYING_OPERATIONS`] on a preview-only server with the typed
/// [`ApiErrorKind::PreviewOnly`], before the handler runs (so nothing is
/// planned, queued or audited).
fn preview_guard(service: &Service, operation: &'static str) -> Result<(), ApiError> {
    if service.options().preview_only && APPLYING_OPERATIONS.contains(&operation) {
        return Err(ApiError::new(
            ApiErrorKind::PreviewOnly,
            "this server previews a snapshot of a directory: nothing can be applied here. \
             Try the policy on the real instance in safe mode to apply it",
        )
        .with_details(json!({ "operation": operation })));
    }
    Ok(())
}

impl From<ServiceError> for ApiError {
    /// The kind is [`ServiceError::kind`]'s (one decision for both edges);
    /// this only names its HTTP form.
    fn from(e: ServiceError) -> ApiError {
        let kind = match e.kind() {
            ErrorKind::Validation => ApiErrorKind::Validation,
            ErrorKind::NotFound => ApiErrorKind::NotFound,
            ErrorKind::Gone => ApiErrorKind::Gone,
            ErrorKind::Conflict => ApiErrorKind::Conflict,
            ErrorKind::Unavailable => ApiErrorKind::Unavailable,
            ErrorKind::Internal => ApiErrorKind::Internal,
        };
        let message = match &e {
            ServiceError::Document(DocumentError::Config(config)) => {
                validation_message(&config.issues())
            }
            // A backend's own text (a database message, a file path) is not
            // for the browser: it learns only that the store is down.
            ServiceError::Store(StoreError::Backend(_) | StoreError::Io(_))
            | ServiceError::Outbox(OutboxError::Store(_)) => {
                "the store is unavailable; try again later".to_owned()
            }
            other => other.to_string(),
        };
        let error = ApiError::new(kind, message);
        match e.details() {
            Some(details) => error.with_details(details),
            None => error,
        }
    }
}

/// A validation error listing every configuration issue with its path.
pub(crate) fn validation(issues: Vec<seatwarden_core::config::ConfigIssue>) -> ApiError {
    ApiError::new(ApiErrorKind::Validation, validation_message(&issues))
        .with_details(crate::service::problems(&issues))
}

/// Refuses a save that adds names the directory does not have; paths of
/// policy `at` are made relative to it (as the policy editor names fields).
pub(crate) fn check_names(
    service: &Service,
    before: &crate::service::Settings,
    after: &crate::service::Settings,
    at: Option<usize>,
) -> Result<(), ApiError> {
    let mut issues = service.unknown_names(before, after)?;
    if issues.is_empty() {
        return Ok(());
    }
    if let Some(i) = at {
        let prefix = format!("policies[{i}].");
        for issue in &mut issues {
            if let Some(rest) = issue.path.strip_prefix(&prefix) {
                issue.path = rest.to_owned();
            }
        }
    }
    Err(validation(issues))
}

/// One issue as it is; several counted, with the first.
fn validation_message(issues: &[seatwarden_core::config::ConfigIssue]) -> String {
    match issues {
        [one] => one.to_string(),
        many => format!(
            "{} problems, the first: {}",
            many.len(),
            many.first().map(ToString::to_string).unwrap_or_default()
        ),
    }
}

/// The `configVersion` a change says it was based on: `None` when the body
/// leaves it out (and `required` is false). One reading ([`body::version`])
/// for every route that saves the configuration, typed body or document.
pub(crate) fn config_version(
    body: &serde_json::Map<String, Value>,
    required: bool,
) -> Result<Option<ConfigVersion>, ApiError> {
    let mut only = serde_json::Map::new();
    if let Some(v) = body.get("configVersion") {
        only.insert("configVersion".to_owned(), v.clone());
    }
    let read: body::Versioned = body::from_value(Value::Object(only))?;
    if required {
        read.required().map(Some)
    } else {
        Ok(read.config_version)
    }
}

/// Refuses a change based on version `read` unless it is still `current`:
/// the same conflict (message and details) the store answers a stale save with.
pub(crate) fn ensure_current(read: ConfigVersion, current: ConfigVersion) -> Result<(), ApiError> {
    if read == current {
        Ok(())
    } else {
        Err(ServiceError::Store(StoreError::Conflict {
            expected: read,
            actual: current,
        })
        .into())
    }
}

/// The instant the request is handled at.
pub(crate) fn now(req: &ApiRequest) -> Millis {
    req.context.now
}

/// The signed-in admin as the audit log names them: the key, and the
/// username the directory gives it now (a log reader cannot tell who
/// `JIRAUSER10100` is; the key stays because usernames can be renamed).
pub(crate) fn actor(service: &Service, req: &ApiRequest) -> Actor {
    let key = admin_key(req);
    let name = service.username_of(&key);
    Actor::user(key, name)
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

/// A store failure as the API reports it.
pub(crate) fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(ServiceError::from(e))
}

/// One successful admin change, audited with `description` (the shape most
/// settings and configuration routes write).
pub(crate) fn audit_success(
    service: &Service,
    req: &ApiRequest,
    action: AuditAction,
    description: String,
) -> Result<(), ApiError> {
    record_audit(
        service,
        req,
        vec![
            AuditEntry::new(now(req), actor(service, req), action, Status::Success)
                .with_description(description),
        ],
    )
}

/// Appends audit entries for an admin's request, each with the client's
/// address when the host gave one.
pub(crate) fn record_audit(
    service: &Service,
    req: &ApiRequest,
    entries: Vec<AuditEntry>,
) -> Result<(), ApiError> {
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
pub(crate) fn rejected(r: &Rejected) -> ApiError {
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

/// The export a streaming host sends in chunks for route `operation_id`
/// (see `api::stream`), `None` for a route that answers whole. The same
/// builders back the ordinary handlers, so both ways give the same bytes.
pub(crate) fn export_of<'s>(
    operation_id: &str,
    service: &'s Service,
    req: &ApiRequest,
) -> Option<Result<super::stream::Export<'s>, ApiError>> {
    match operation_id {
        "exportUsers" => Some(import::users_export(service, req)),
        "exportGroups" => Some(groups::groups_export(service, req)),
        "exportAudit" => Some(audit::audit_export(service, req)),
        _ => None,
    }
}

/// The `planHash` a confirmation names (bulk, import, approval, revert).
pub(crate) fn plan_hash(req: &ApiRequest) -> Result<String, ApiError> {
    body::typed::<body::PlanHash>(req).map(|b| b.plan_hash)
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
    let (username, display_name) = service.names_of(&admin_key(req)).unzip();
    ApiResponse::json(&json!({
        "user": req.context.actor,
        "username": username,
        "displayName": display_name,
        "sysadmin": req.context.sysadmin,
        "instanceName": options.instance_name,
        "product": options.product,
        "demo": options.demo,
        "previewOnly": options.preview_only,
        "now": now(req),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_error_variant_has_its_status_at_the_http_edge() {
        // The same order as `ServiceError::examples`; the JNI edge pins the
        // same list as exception kinds (`seatwarden-jni` application tests).
        let expected: [u16; 45] = [
            503, 500, 500, 500, 500, // host side
            409, 500, 404, 500, 500, 500, 500, 404, 500, 500, 503, 503, // store
            500, 422, // document
            503, 500, // outbox
            404, 404, 404, 404, 404, 404, // missing
            409, 409, 409, 409, 409, 409, 409, 410, 409, 409, 409, 409, 409, // state
            422, // bulk
            409, 409, // provisional access at login
            422, 404, // exemptions and the review list
        ];
        let examples = ServiceError::examples();
        assert_eq!(examples.len(), expected.len());
        for (err, status) in examples.into_iter().zip(expected) {
            let what = format!("{err:?}");
            assert_eq!(ApiError::from(err).kind.status(), status, "{what}");
        }
    }

    #[test]
    fn a_store_outage_is_reported_without_the_backends_text() {
        for err in [
            ServiceError::Store(StoreError::Backend(
                "disk I/O error at /srv/x/store.db".into(),
            )),
            ServiceError::Store(StoreError::Io(std::io::Error::other("/srv/x: broken pipe"))),
            ServiceError::Outbox(OutboxError::Store("database is locked: /srv/x".into())),
        ] {
            let api = ApiError::from(err);
            assert_eq!(api.kind.status(), 503);
            assert_eq!(api.message, "the store is unavailable; try again later");
        }
    }

    #[test]
    fn a_stale_configuration_carries_its_versions_at_the_http_edge() {
        let err = ApiError::from(ServiceError::Store(StoreError::Conflict {
            expected: ConfigVersion(1),
            actual: ConfigVersion(2),
        }));
        assert_eq!(err.details, Some(json!({"expected": 1, "actual": 2})));
        assert_eq!(
            err.message,
            "the configuration changed since it was read (version 1, now 2); reload and try again"
        );
    }
}
