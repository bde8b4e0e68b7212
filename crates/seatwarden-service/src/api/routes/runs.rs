//! Operation runs: list, detail, progress, the paged action list, approval
//! of a guarded plan, and revert (preview, then apply by hash).
//!
//! Runs are the store's record of every write Seatwarden made; this module
//! reads them and hands confirmations to the service, which owns applying.

use serde_json::{Value, json};

use super::{accepted, actor, admin_key, now, plan_hash, query_num};
use crate::api::wire::{self, RunWire};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{RunPlan, Service, ServiceError};
use seatwarden_audit::{PolicyId, RunFilter, RunId, RunKind, RunQuery, RunStatus};

fn run_id(params: &Params) -> Result<RunId, ApiError> {
    Ok(RunId(params.parse::<i64>("id")?))
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
        filter.policy = Some(PolicyId::from(p.to_owned()));
    }
    // Started within [from, to), UTC ms: the summary cards' 24 h window.
    if req.query_param("from").is_some_and(|s| !s.is_empty()) {
        filter.from = Some(seatwarden_core::Millis(query_num(req, "from", 0i64)?));
    }
    if req.query_param("to").is_some_and(|s| !s.is_empty()) {
        filter.until = Some(seatwarden_core::Millis(query_num(req, "to", 0i64)?));
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
    let waits = service.approval_waits(&page.items)?;
    ApiResponse::json(&json!({
        "runs": wire::runs_with_waits(page.items, &waits),
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
        Some((p, _)) => (Some(p.status), p.document.to_tree(), p.actions.len()),
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
    let waits = service.approval_waits(std::slice::from_ref(&run))?;
    ApiResponse::json(&json!({
        "run": RunWire::from(run).with_wait(waits.get(&id)),
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

/// The run named by the path, or 404 when there is none.
fn existing_run(service: &Service, params: &Params) -> Result<RunId, ApiError> {
    let id = run_id(params)?;
    if service
        .store()
        .get_run(id)
        .map_err(ServiceError::from)?
        .is_none()
    {
        return Err(ApiError::not_found(format!("run `{id}`")));
    }
    Ok(id)
}

/// A journal's outcomes by (user, action), to pair with the planned actions.
fn outcomes_by_action(
    journal: &crate::store::RunJournal,
) -> std::collections::HashMap<
    (seatwarden_core::UserKey, crate::store::ActionKey),
    &crate::store::ActionOutcome,
> {
    journal
        .outcomes
        .iter()
        .map(|o| ((o.user.clone(), o.action.clone()), o))
        .collect()
}

/// `GET /api/runs/{id}/actions/export`: every planned action of the run
/// as CSV, in plan order (the approval screen's "Export the plan"), with
/// its outcome once applied. A 20,000-user plan is reviewed in a
/// spreadsheet, not 200 rows at a time.
pub(super) fn export_run_actions(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = existing_run(service, params)?;
    let mut out = Vec::new();
    let header = [
        "user key", "username", "action", "group", "why", "mode", "outcome", "detail",
    ];
    let rows: Vec<Vec<String>> = match stored_plan(service, id)? {
        None => Vec::new(),
        Some((plan, journal)) => {
            let outcomes = outcomes_by_action(&journal);
            plan.actions
                .iter()
                .map(|a| {
                    let outcome = outcomes.get(&(a.user.clone(), a.action.clone()));
                    let op = serde_json::to_value(&a.operation).unwrap_or(Value::Null);
                    vec![
                        a.user.to_string(),
                        a.username.clone(),
                        a.operation.kind_name().replace('_', " "),
                        op.get("group")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        a.reason.clone(),
                        if a.live { "live" } else { "safe" }.to_owned(),
                        outcome.map_or_else(String::new, |o| {
                            serde_json::to_value(o.status)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_owned))
                                .unwrap_or_default()
                        }),
                        outcome.and_then(|o| o.detail.clone()).unwrap_or_default(),
                    ]
                })
                .collect()
        }
    };
    seatwarden_csv::rows::write_table(&mut out, &header, rows, false)
        .map_err(|_| ApiError::internal("the plan export could not be written"))?;
    Ok(ApiResponse::csv(&format!("run-{id}-plan.csv"), out))
}

pub(super) fn run_actions(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = existing_run(service, params)?;
    let offset: usize = query_num(req, "cursor", 0)?;
    let limit: usize = query_num(req, "limit", 100)?;
    let limit = limit.clamp(1, 1_000);
    let Some((plan, journal)) = stored_plan(service, id)? else {
        return ApiResponse::json(&json!({"actions": [], "next": null, "total": 0}));
    };
    let outcomes = outcomes_by_action(&journal);
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

pub(super) fn approve_run(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let hash = plan_hash(req)?;
    let run = service.approve(id, &hash, &actor(service, req), now(req))?;
    accepted(run)
}

pub(super) fn discard_run(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    service.discard(id, &actor(service, req), now(req))?;
    ApiResponse::json(&json!({"runId": id, "status": "discarded"}))
}

pub(super) fn plan_revert(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let (_, preview) = service.plan_revert(id, &admin_key(req), now(req))?;
    ApiResponse::json(&preview)
}

pub(super) fn revert_run(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = run_id(params)?;
    let hash = plan_hash(req)?;
    let run = service.revert(id, &hash, &admin_key(req), now(req))?;
    accepted(run)
}
