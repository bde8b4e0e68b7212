//! Bulk actions from the Users tab: plan (by selected keys or a filter),
//! then run exactly the previewed plan by its hash.
//!
//! The plan is the engine's (protected users, read-only directories and the
//! mass-change guard apply as for policies), made and kept by
//! [`Service::plan_bulk`]; this module only parses the request.

use serde_json::{Value, json};

use seatwarden_core::bulk::{BulkAction, BulkTarget};
use seatwarden_core::query::Query;
use seatwarden_core::{GroupName, UserKey};

use super::{accepted, admin_key, body_object, now, plan_hash, string_field};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{ActionInfo, Service};

fn groups_field(body: &serde_json::Map<String, Value>) -> Result<Vec<GroupName>, ApiError> {
    match body.get("groups") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(GroupName::from).ok_or_else(|| {
                    ApiError::bad_request(format!("field `groups[{i}]` must be a string"))
                })
            })
            .collect(),
        Some(_) => Err(ApiError::bad_request(
            "field `groups` must be an array of group names",
        )),
    }
}

pub(super) fn plan_bulk(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = body_object(req)?;
    let action_name = string_field(&body, "action")?;
    let groups = groups_field(&body)?;
    let action = match action_name.as_str() {
        "activate" | "reactivate" => BulkAction::Activate,
        "deactivate" => BulkAction::Deactivate,
        "suspend" => BulkAction::Suspend,
        "restore" => BulkAction::Restore,
        "delete" => BulkAction::Delete,
        "add_to_groups" => BulkAction::AddToGroups(groups),
        "remove_from_groups" => BulkAction::RemoveFromGroups(groups),
        _ => {
            return Err(ApiError::bad_request(
                "field `action` must be one of `activate`, `deactivate`, `suspend`, `restore`, `delete`, `add_to_groups`, `remove_from_groups`",
            ));
        }
    };
    let target = match (body.get("keys"), body.get("filter")) {
        (Some(Value::Array(keys)), None | Some(Value::Null)) => BulkTarget::Selected(
            keys.iter()
                .enumerate()
                .map(|(i, k)| {
                    k.as_str().map(UserKey::from).ok_or_else(|| {
                        ApiError::bad_request(format!("field `keys[{i}]` must be a string"))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        (None | Some(Value::Null), Some(filter)) => {
            let bytes = serde_json::to_vec(filter).map_err(|_| ApiError::internal("filter"))?;
            BulkTarget::Filter(Query::from_json(&bytes).map_err(|e| {
                ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
                    .with_details(
                        json!({"problems": [{"path": "filter", "message": e.to_string()}]}),
                    )
            })?)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "give either `keys` or `filter`, not both",
            ));
        }
        _ => {
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
