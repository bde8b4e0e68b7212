//! The review list: list items (by policy and status), decide them one by
//! one or in batches ("select all N that match": the same filter as the
//! list), and "act now" (a run of the policy, which acts on the approved
//! users through the usual guard, journal and undo).

use serde::Deserialize;
use serde_json::{Value, json};

use seatwarden_audit::Initiator;
use seatwarden_core::Millis;
use seatwarden_core::policy::{Mode, PolicyId};

use super::body::{opt_seq_of, typed};
use super::exemptions::End;
use super::{accepted, actor, admin_key, now};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{ReviewDecision, Service};
use crate::store::{ReviewFilter, ReviewId, ReviewItem, ReviewStatus};

/// The list filter: `policy` and `status` (`pending` = open and approved,
/// the default; `all`; or one status name).
fn filter_of(policy: Option<&str>, status: Option<&str>) -> Result<ReviewFilter, ApiError> {
    let statuses = match status.unwrap_or("pending") {
        "pending" => vec![ReviewStatus::Open, ReviewStatus::Approved],
        "all" => Vec::new(),
        name => vec![ReviewStatus::parse(name).ok_or_else(|| {
            ApiError::bad_request(
                "`status` must be `pending`, `all`, `open`, `approved`, `rejected`, `acted` or `no_longer_applies`",
            )
        })?],
    };
    Ok(ReviewFilter {
        statuses,
        policy: policy.filter(|p| !p.is_empty()).map(PolicyId::from),
    })
}

fn item_json(service: &Service, r: &ReviewItem, now: Millis) -> Value {
    let settings = service.settings();
    let policy = settings.config.policy(&r.item.policy);
    let overdue = policy
        .and_then(|p| p.review.as_ref())
        .and_then(|rv| rv.timeout_days)
        .is_some_and(|d| {
            r.state.status() == ReviewStatus::Open && r.item.queued_at.plus_days(d) <= now
        });
    json!({
        "id": r.id,
        "policy": r.item.policy,
        "policyName": policy.map(|p| p.name.clone()),
        "user": r.item.user,
        "userName": r.item.user_name,
        "action": r.item.action,
        "reasons": r.item.reasons,
        "origin": r.item.origin,
        "queuedAt": r.item.queued_at,
        "state": r.state,
        "status": r.state.status(),
        "overdue": overdue,
    })
}

/// `GET /api/review`: items passing `policy` and `status`, at most `limit`
/// (default 500), with the total and counts per status.
pub(super) fn list(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let now = now(req);
    let filter = filter_of(req.query_param("policy"), req.query_param("status"))?;
    let limit = super::query_num(req, "limit", 500usize)?.clamp(1, 10_000);
    let items = service.review_items(&filter)?;
    ApiResponse::json(&json!({
        "total": items.len(),
        "items": items.iter().take(limit).map(|r| item_json(service, r, now)).collect::<Vec<_>>(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecideBody {
    /// `approve` or `reject`.
    decision: String,
    /// The items, by id; or `all: true` with `policy` for every open item
    /// of the list's filter.
    #[serde(default, deserialize_with = "ids")]
    ids: Option<Vec<ReviewId>>,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    policy: Option<String>,
    /// A rejection's exemption end: `until` (date), `days` or `indefinite`.
    #[serde(flatten)]
    end: End,
    #[serde(default)]
    note: Option<String>,
}

fn ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<ReviewId>>, D::Error> {
    let ids: Option<Vec<i64>> = opt_seq_of(d, "an array of review item ids")?;
    Ok(ids.map(|v| v.into_iter().map(ReviewId).collect()))
}

/// `POST /api/review/decide`: approve or reject items (by ids, or all open
/// items matching `policy`).
pub(super) fn decide(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: DecideBody = typed(req)?;
    let now = now(req);
    let decision = match body.decision.as_str() {
        "approve" => ReviewDecision::Approve,
        "reject" => ReviewDecision::Reject {
            until: body.end.at(now)?,
            note: body.note,
        },
        _ => {
            return Err(ApiError::bad_request(
                "field `decision` must be `approve` or `reject`",
            ));
        }
    };
    let ids = match (body.ids, body.all) {
        (Some(ids), false) => ids,
        (None, true) => service
            .review_items(&filter_of(body.policy.as_deref(), Some("open"))?)?
            .into_iter()
            .map(|r| r.id)
            .collect(),
        (Some(_), true) => {
            return Err(ApiError::bad_request(
                "give either `ids` or `all`, not both",
            ));
        }
        (None, false) => {
            return Err(ApiError::bad_request(
                "give the items as `ids` (an array) or `all: true`",
            ));
        }
    };
    if ids.is_empty() {
        return ApiResponse::json(&json!({"decided": 0, "notOpen": 0, "items": []}));
    }
    let report =
        service.decide_review(&ids, &decision, &admin_key(req), actor(service, req), now)?;
    ApiResponse::json(&json!({
        "decided": report.decided.len(),
        "notOpen": report.not_open,
        "items": report.decided.iter().take(500).map(|r| item_json(service, r, now)).collect::<Vec<_>>(),
    }))
}

#[derive(Debug, Deserialize)]
struct ActBody {
    policy: String,
}

/// `POST /api/review/act`: "act now": queues a run of a review-mode policy,
/// which acts on its approved users (guard, journal and undo as usual).
pub(super) fn act_now(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: ActBody = typed(req)?;
    let id = PolicyId::from(body.policy.as_str());
    let settings = service.settings();
    let Some(policy) = settings.config.policy(&id) else {
        return Err(ApiError::not_found(format!("policy `{id}`")));
    };
    if policy.mode != Mode::Review {
        return Err(ApiError::new(
            crate::api::ApiErrorKind::Conflict,
            format!("policy `{id}` is not in review mode"),
        ));
    }
    let key = admin_key(req);
    let initiator = Initiator::Manual {
        name: service.username_of(&key),
        user: key,
    };
    let run = service.queue_policy_run(&id, initiator, false, now(req))?;
    accepted(run)
}
