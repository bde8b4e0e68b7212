//! Bulk actions from the Users tab: plan (by selected keys or a filter),
//! then run exactly the previewed plan by its hash.
//!
//! The plan is the engine's (protected users, read-only directories and the
//! mass-change guard apply as for policies), made and kept by
//! [`Service::plan_bulk`]; this module only parses the request.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use seatwarden_core::bulk::{BulkAction, BulkTarget};
use seatwarden_core::query::Query;
use seatwarden_core::{GroupName, UserKey};

use super::body::{opt_seq_of, typed};
use super::{accepted, admin_key, now, plan_hash, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{MAX_PAGE, PREVIEW_PAGE, Service};

/// `POST /api/bulk/plan`: what to do, to whom (selected keys or a filter).
#[derive(Debug, Deserialize)]
struct PlanBody {
    action: String,
    #[serde(default, deserialize_with = "group_names")]
    groups: Vec<GroupName>,
    #[serde(default, deserialize_with = "user_keys")]
    keys: Option<Vec<UserKey>>,
    /// Kept as JSON: [`Query::from_json`] reads it with its own messages.
    #[serde(default)]
    filter: Option<Value>,
}

/// `null` or absent is no groups.
fn group_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<GroupName>, D::Error> {
    let names: Option<Vec<String>> = opt_seq_of(d, "an array of group names")?;
    Ok(names
        .unwrap_or_default()
        .into_iter()
        .map(GroupName::from)
        .collect())
}

/// `null` or absent is "no keys given".
fn user_keys<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<UserKey>>, D::Error> {
    let keys: Option<Vec<String>> = opt_seq_of(d, "an array of user keys")?;
    Ok(keys.map(|k| k.into_iter().map(UserKey::from).collect()))
}

pub(super) fn plan_bulk(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: PlanBody = typed(req)?;
    let action_name = body.action;
    let action = match action_name.as_str() {
        "activate" | "reactivate" => BulkAction::Activate,
        "deactivate" => BulkAction::Deactivate,
        "suspend" => BulkAction::Suspend,
        "restore" => BulkAction::Restore,
        "delete" => BulkAction::Delete,
        "add_to_groups" => BulkAction::AddToGroups(body.groups),
        "remove_from_groups" => BulkAction::RemoveFromGroups(body.groups),
        _ => {
            return Err(ApiError::bad_request(
                "field `action` must be one of `activate`, `deactivate`, `suspend`, `restore`, `delete`, `add_to_groups`, `remove_from_groups`",
            ));
        }
    };
    let target = match (body.keys, body.filter) {
        (Some(keys), None) => BulkTarget::Selected(keys),
        (None, Some(filter)) => {
            let bytes = serde_json::to_vec(&filter).map_err(|_| ApiError::internal("filter"))?;
            BulkTarget::Filter(
                Query::from_json(&bytes).map_err(|e| super::users::filter_error(&e))?,
            )
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either `keys` or `filter`, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "give the users as `keys` (an array) or `filter`",
            ));
        }
    };
    let preview = service.plan_bulk(
        action,
        target,
        format!("Bulk {action_name}"),
        &admin_key(req),
        now(req),
    )?;
    // Serialised straight from the typed preview: no `Value` tree (at 1M
    // users that tree cost 184 MB of allocation for 20 MB of JSON).
    ApiResponse::json(&preview)
}

/// `offset` and `limit` of a page request (limit 1..=[`MAX_PAGE`]).
fn page_params(req: &ApiRequest) -> Result<(u64, usize), ApiError> {
    let offset: u64 = query_num(req, "offset", 0)?;
    let limit: usize = query_num(req, "limit", PREVIEW_PAGE)?;
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "query parameter `limit` must be between 1 and {MAX_PAGE}"
        )));
    }
    Ok((offset, limit))
}

/// `GET /api/bulk/{planId}/actions`: a page of a previewed plan's writes.
pub(super) fn bulk_actions(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let (offset, limit) = page_params(req)?;
    let page = service.bulk_actions_page(params.get("planId")?, offset, limit)?;
    ApiResponse::json(&page)
}

/// `GET /api/bulk/{planId}/skipped`: a page of a previewed plan's skipped
/// users, with the reason for each.
pub(super) fn bulk_skips(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let (offset, limit) = page_params(req)?;
    let page = service.bulk_skips_page(params.get("planId")?, offset, limit)?;
    ApiResponse::json(&page)
}

/// `GET /api/bulk/{planId}/export`: a kept plan (a bulk action's or a
/// policy's preview) as CSV, every write and every skipped user.
pub(super) fn export_plan(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan_id = params.get("planId")?;
    let csv = service.export_kept_plan(plan_id)?;
    // The id is ours (`p<number>`), safe in a file name.
    let name: String = plan_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Ok(ApiResponse::csv(&format!("plan-{name}.csv"), csv))
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
