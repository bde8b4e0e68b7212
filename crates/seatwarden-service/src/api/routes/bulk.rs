//! Bulk actions from the Users tab: plan (by selected keys or a filter),
//! then run exactly the previewed plan by its hash.
//!
//! The plan is the engine's (protected users, read-only directories and the
//! mass-change guard apply as for policies), made and kept by
//! [`Service::plan_bulk`]; this module only parses the request.

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use seatwarden_core::bulk::{BulkAction, BulkTarget};
use seatwarden_core::query::Query;
use seatwarden_core::{GroupName, UserKey};

use super::body::{opt_seq_of, typed};
use super::{accepted, admin_key, now, plan_hash};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{ActionInfo, Service};

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
    let shown: Vec<&ActionInfo> = preview.actions.iter().take(500).collect();
    ApiResponse::json(&json!({
        "planId": preview.plan_id,
        "planHash": preview.hash,
        "actionCount": preview.actions.len(),
        "actions": shown,
        "guard": preview.guard,
        "document": preview.document,
    }))
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
