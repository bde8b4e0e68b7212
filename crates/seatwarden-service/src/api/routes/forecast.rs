//! Licence history, forecast and what-if (issue 22, `docs/forecast.md`).
//!
//! The figures come from `seatwarden_core::forecast`; this module adds what
//! only the store knows: the recorded days, what runs freed per day (the
//! audit trail, which also reaches back before the first record), the
//! return rate of the last 90 days, and the warnings already sent.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use seatwarden_audit::{AuditFilter, PolicyId, Status};
use seatwarden_core::Millis;
use seatwarden_core::forecast::{
    GROWTH_WINDOW_DAYS, HORIZON_DAYS, LATER_DAYS, RunOut, forecast, run_out, what_if,
};
use seatwarden_core::policy::Condition;
use seatwarden_core::time::DAY_MS;

use super::policies::parse_config;
use super::{body_object, now, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{FREEING, Service, ServiceError};

/// What the upper-bound curve assumes, in the words the UI shows.
const UPPER_ASSUMPTION: &str = "Upper bound: nobody logs in again. Each enabled policy acts \
on the day a user crosses its threshold (and, when it warns first, not before the warning has \
been out its days); every seat those actions free is counted.";

/// What the likely curve assumes.
const LIKELY_ASSUMPTION: &str = "Likely: as many users come back as in the last 90 days. \
Of the accounts runs deactivated or suspended then, a share was reactivated or restored; a seat \
the policies would free in k days stays taken with that share spread over 90 days.";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FreedDay {
    date: String,
    day: i64,
    /// The run that freed them (`None`: by hand, outside a run).
    run: Option<i64>,
    accounts: u64,
}

pub(super) fn licence_history(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days: u32 = query_num(req, "days", 365)?;
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "query parameter `days` must be between 1 and 3650",
        ));
    }
    let now = now(req);
    let to = now.day_number();
    let from = to - i64::from(days) + 1;
    let records = service
        .store()
        .licence_history(from, to)
        .map_err(ServiceError::from)?;
    // What runs freed per day and run: from the audit trail, so it also
    // covers days before the first record (as far back as audit retention).
    let mut freed: BTreeMap<(i64, Option<i64>), u64> = BTreeMap::new();
    let filter = AuditFilter {
        actions: FREEING.to_vec(),
        statuses: vec![Status::Success],
        from: Some(Millis(from.saturating_mul(DAY_MS))),
        ..AuditFilter::default()
    };
    service
        .store()
        .scan_audit(&filter, &mut |e| {
            let key = (e.entry.at.day_number(), e.entry.run.map(|r| r.0));
            *freed.entry(key).or_default() += 1;
            Ok(())
        })
        .map_err(ServiceError::from)?;
    let freed: Vec<FreedDay> = freed
        .into_iter()
        .map(|((day, run), accounts)| FreedDay {
            date: Millis(day.saturating_mul(DAY_MS)).date_string(),
            day,
            run,
            accounts,
        })
        .collect();
    let first_recorded = records.first().map(|d| d.date.clone());
    ApiResponse::json(&json!({
        "from": Millis(from.saturating_mul(DAY_MS)).date_string(),
        "to": Millis(to.saturating_mul(DAY_MS)).date_string(),
        "firstRecorded": first_recorded,
        "records": records,
        "freed": freed,
    }))
}

pub(super) fn get_forecast(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days: u32 = query_num(req, "days", HORIZON_DAYS)?;
    if !(1..=HORIZON_DAYS).contains(&days) {
        return Err(ApiError::bad_request(format!(
            "query parameter `days` must be between 1 and {HORIZON_DAYS}"
        )));
    }
    let now = now(req);
    let observed = service.return_observation(now)?;
    let warned = service.warned_users()?;
    let ctx = service.eval_context(now, None, true, warned, service.people()?);
    let settings = service.settings();
    let f = service
        .with_index(|index| forecast(&settings.config, index, now, days, &ctx, observed.rate()))?;
    let today = now.day_number();
    let history = service
        .store()
        .licence_history(today - GROWTH_WINDOW_DAYS, today)
        .map_err(ServiceError::from)?;
    let run_outs: Vec<Value> = f
        .applications
        .iter()
        .map(|a| {
            let r: RunOut = run_out(&history, &a.application, a.seats_used, a.limit, now);
            json!({"application": a.application, "runOut": r})
        })
        .collect();
    ApiResponse::json(&json!({
        "forecast": f,
        "runOut": run_outs,
        "returns": observed,
        "assumptions": {
            "upper": UPPER_ASSUMPTION,
            "likely": if f.return_rate.is_some() {
                LIKELY_ASSUMPTION.to_owned()
            } else {
                "Likely: not enough history. No account was deactivated or suspended in the last \
    90 days, so no return rate can be observed; only the upper bound is shown.".to_owned()
            },
        },
    }))
}

/// The threshold of a condition, if it has one.
fn threshold(c: &Condition) -> Option<u32> {
    match c {
        Condition::Inactive(i) => Some(i.days),
        Condition::Deactivated { days } => Some(*days),
        Condition::Login => None,
    }
}

pub(super) fn what_if_policy(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = PolicyId::from(params.get("id")?.to_owned());
    let body = body_object(req)?;
    let settings = service.settings();
    let at = settings
        .config
        .policies
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found(format!("policy `{id}`")))?;
    let mut doc =
        serde_json::to_value(&settings.config).map_err(|_| ApiError::internal("config"))?;
    let mut draft = match body.get("policy") {
        None => doc
            .get("policies")
            .and_then(|p| p.get(at))
            .cloned()
            .unwrap_or(Value::Null),
        Some(Value::Object(p)) => {
            let mut p = p.clone();
            p.insert("id".to_owned(), json!(id.as_str()));
            Value::Object(p)
        }
        Some(_) => return Err(ApiError::bad_request("field `policy` must be an object")),
    };
    match body.get("days") {
        None => {}
        Some(v) => {
            let days = v
                .as_u64()
                .filter(|d| (1..=36_500).contains(d))
                .ok_or_else(|| {
                    ApiError::bad_request("field `days` must be a whole number from 1 to 36500")
                })?;
            match draft.get_mut("condition") {
                Some(Value::Object(c)) if c.contains_key("days") => {
                    c.insert("days".to_owned(), json!(days));
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "field `days`: the policy's condition has no threshold in days",
                    ));
                }
            }
        }
    }
    if let Some(slot) = doc.get_mut("policies").and_then(|p| p.get_mut(at)) {
        *slot = draft;
    }
    let edited = parse_config(doc, at)?;
    let Some(draft) = edited.policies.get(at).cloned() else {
        return Err(ApiError::internal("edited policy"));
    };
    let saved = settings.config.policies.get(at);
    let now = now(req);
    service.rebuild_index()?;
    let warned = service.warned_users()?;
    let ctx = service.eval_context(now, None, true, warned, service.people()?);
    let answer = service.with_index(|index| what_if(&settings.config, index, now, &ctx, &draft))?;
    let saved_days = saved.and_then(|p| threshold(&p.condition));
    let draft_days = threshold(&draft.condition);
    let sign = |n: i64| {
        if n >= 0 {
            format!("+{n}")
        } else {
            n.to_string()
        }
    };
    let summary = match (draft_days, saved_days) {
        (Some(d), Some(s)) if d != s => format!(
            "with {d} instead of {s} days: {} seats now, {} in {LATER_DAYS} days",
            sign(answer.delta_now),
            sign(answer.delta_later)
        ),
        _ => format!(
            "{} seats now, {} in {LATER_DAYS} days against the saved policy",
            sign(answer.delta_now),
            sign(answer.delta_later)
        ),
    };
    ApiResponse::json(&json!({
        "savedDays": saved_days,
        "draftDays": draft_days,
        "summary": summary,
        "whatIf": answer,
    }))
}
