//! The audit log tab: query, summary cards, CSV export, retention and
//! clearing.
//!
//! Everything here reads or trims the store's audit entries; nothing writes
//! to the host. Clearing needs a typed confirmation phrase and retention a
//! bounded number of days, so a slip of the mouse cannot erase the trail.

use serde::{Deserialize, Deserializer};
use serde_json::json;

use seatwarden_audit::{
    Action as AuditAction, AuditFilter, AuditQuery, ClearConfirmation, RunId, RunKind, Status,
};

use super::body::{expecting, required, typed, version};
use super::{actor, audit_success, ensure_current, now, query_num, store_err, validation};
use crate::api::stream::Export;
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;
use crate::store::ConfigVersion;

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
        "entries": crate::api::wire::audit_entries(page.items),
        "next": page.next.map(|c| c.to_string()),
    }))
}

pub(super) fn audit_summary(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let cards = service.store().summary(now(req)).map_err(store_err)?;
    ApiResponse::json(&crate::api::wire::SummaryWire::from(cards))
}

pub(super) fn export_audit(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    audit_export(service, req)?.whole()
}

/// The audit export: the store writes the CSV as it reads the entries
/// (one read transaction), so a streamed export holds one chunk at a time.
pub(super) fn audit_export<'s>(
    service: &'s Service,
    req: &ApiRequest,
) -> Result<Export<'s>, ApiError> {
    let filter = audit_filter(req)?;
    Ok(Export::new(
        "audit-log.csv",
        Box::new(move |out| {
            service
                .store()
                .export_audit_csv(&filter, out)
                .map(drop)
                .map_err(store_err)
        }),
    ))
}

pub(super) fn get_retention(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.settings();
    ApiResponse::json(&json!({
        "days": settings.config.settings.audit_retention_days,
        "configVersion": settings.version,
    }))
}

/// `PUT /api/audit/retention`.
#[derive(Debug, Deserialize)]
struct RetentionBody {
    /// Any number here; the range is a validation error naming the bounds.
    #[serde(deserialize_with = "number")]
    days: serde_json::Number,
    /// The clear phrase, needed only for 0 days.
    #[serde(default)]
    confirm: Option<String>,
    #[serde(rename = "configVersion", default, deserialize_with = "version")]
    config_version: Option<ConfigVersion>,
    /// The new number of days again, needed only when lowering retention.
    /// Kept as any JSON value: a wrong type is the same "send
    /// `confirmDays: N`" answer as a wrong number, not a shape error.
    #[serde(rename = "confirmDays", default)]
    confirm_days: Option<serde_json::Value>,
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<serde_json::Number, D::Error> {
    expecting(d, "a number")
}

/// `POST /api/audit/clear`.
#[derive(Debug, Deserialize)]
struct ClearBody {
    confirm: String,
}

pub(super) fn set_retention(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: RetentionBody = typed(req)?;
    let days = body
        .days
        .as_u64()
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| *d <= 36_500)
        .ok_or_else(|| {
            validation(vec![issue(
                "days",
                "must be a whole number of days from 0 to 36500",
            )])
        })?;
    // Zero days purges every entry older than a day at the next tick: as
    // destructive as "clear all", so it needs the same typed phrase.
    if days == 0 {
        let typed = body.confirm.as_deref().unwrap_or_default();
        if ClearConfirmation::parse(typed).is_err() {
            return Err(validation(vec![issue(
                "confirm",
                &format!(
                    "a retention of 0 days needs `confirm` to be exactly `{}`",
                    seatwarden_audit::CLEAR_CONFIRMATION
                ),
            )]));
        }
    }
    let version = required(body.config_version)?;
    let current = service.settings();
    ensure_current(version, current.version)?;
    let mut settings = (*current).clone();
    let before = settings.config.settings.audit_retention_days;
    // Lowering retention deletes entries at the next tick, like "clear"
    // deletes them now (issue 24: 365 → 1 took one click): the admin
    // confirms by naming the new number of days.
    let lowering = days > 0 && (before == 0 || days < before);
    if lowering
        && body
            .confirm_days
            .as_ref()
            .and_then(serde_json::Value::as_u64)
            != Some(u64::from(days))
    {
        let kept = if before == 0 {
            "kept forever".to_owned()
        } else {
            format!("kept for {before} days")
        };
        return Err(validation(vec![issue(
            "confirmDays",
            &format!(
                "entries are {kept}; keeping them for {days} days deletes every older entry at the next scheduler run: send `confirmDays: {days}` to confirm"
            ),
        )]));
    }
    settings.config.settings.audit_retention_days = days;
    // The store compares versions again as it saves, so a change landing
    // between the check above and the save is refused too.
    let saved = service.save_settings(settings)?;
    audit_success(
        service,
        req,
        AuditAction::RetentionChanged,
        format!("audit retention changed from {before} to {days} days"),
    )?;
    ApiResponse::json(&json!({"days": days, "configVersion": saved.version}))
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
    let body: ClearBody = typed(req)?;
    let confirmation = ClearConfirmation::parse(&body.confirm).map_err(|_| {
        validation(vec![issue(
            "confirm",
            &format!("must be exactly `{}`", seatwarden_audit::CLEAR_CONFIRMATION),
        )])
    })?;
    let report = service
        .store()
        .clear_audit(confirmation, actor(service, req), now(req))
        .map_err(store_err)?;
    ApiResponse::json(&json!({"entries": report.entries, "runs": report.runs}))
}
