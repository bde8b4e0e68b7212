//! The Users tab: a filtered, sorted page of users and one user's detail.
//!
//! Both answer from the in-memory directory index (never the host), which
//! is what keeps a five-filter query over a million users within the
//! millisecond budget; a user's detail adds a forced preview of the
//! policies that would act on them now. Activity (the "inactive for N days"
//! filter, the "last active" sort, each row's idle sentence and per-signal
//! dates) is read from the signals the settings count, the same date the
//! policies decide on (issue 23).

use serde_json::json;

use seatwarden_core::UserKey;
use seatwarden_core::query::{Query, QueryRow};

use super::now;
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;

fn parse_filter(req: &ApiRequest) -> Result<Query, ApiError> {
    match req.query_param("filter") {
        None | Some("") => Ok(Query::default()),
        Some(raw) => Query::from_json(raw.as_bytes()).map_err(|e| {
            ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                .with_details(json!({"problems": [{"path": "filter", "message": e.to_string()}]}))
        }),
    }
}

pub(super) fn list_users(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let query = parse_filter(req)?;
    let now = now(req);
    // Activity as the policies read it: the signals the settings count.
    let activity = service.settings().config.settings.activity;
    let page = service
        .with_index(|index| index.query_counted(&query, now, &activity))?
        .map_err(|e| {
            ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                .with_details(json!({"problems": [{"path": "filter", "message": e.to_string()}]}))
        })?;
    ApiResponse::json(&page)
}

pub(super) fn get_user(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let key = UserKey::from(params.get("key")?);
    let now = now(req);
    let activity = service.settings().config.settings.activity;
    let found = service.with_index(|index| {
        let idx = index.index_of_key(&key)?;
        let row = QueryRow::counted(index, idx, now, index.signal_mask(&activity));
        let user = index.user(idx).map(|v| v.to_user());
        Some((row, user))
    })?;
    let Some((row, user)) = found else {
        return Err(ApiError::not_found(format!("user `{key}`")));
    };
    // Which policies would act on this user now (a forced preview).
    let warned = service.warned_users()?;
    let actions = service.with_index(|index| {
        let (_, plan, _) = service.plan_policies(index, now, None, true, warned);
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
