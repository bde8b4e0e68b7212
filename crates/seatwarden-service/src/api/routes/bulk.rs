//! Bulk actions from the Users tab: plan (by selected keys or a filter),
//! then run exactly the previewed plan by its hash.
//!
//! The plan is the engine's (protected users, read-only directories and the
//! mass-change guard apply as for policies); this module only parses the
//! request and keeps the plan until the admin confirms it.

use serde_json::{Value, json};

use seatwarden_audit::RunKind;
use seatwarden_core::bulk::{BulkAction, BulkActionRequest, BulkTarget, plan_bulk_action};
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::policy::Mode;
use seatwarden_core::query::Query;
use seatwarden_core::{GroupName, UserKey};

use super::{accepted, actor, admin_key, body_object, now, plan_hash, string_field};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{ActionInfo, PendingPlan, RunPlan, Service};

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
        "delete" => BulkAction::Delete,
        "add_to_groups" => BulkAction::AddToGroups(groups),
        "remove_from_groups" => BulkAction::RemoveFromGroups(groups),
        _ => {
            return Err(ApiError::bad_request(
                "field `action` must be one of `activate`, `deactivate`, `delete`, `add_to_groups`, `remove_from_groups`",
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
    let plan_id = service.next_plan_id();
    let settings = service.reload_settings()?;
    let now = now(req);
    let admin = admin_key(req);
    let request = BulkActionRequest {
        id: plan_id.clone(),
        admin: admin.clone(),
        mode: Mode::Live,
        action,
        target,
    };
    let result = service.with_index(|index| {
        let plan = plan_bulk_action(
            &settings.config,
            index,
            now,
            &EvalContext::default(),
            &request,
        )?;
        let hash = plan.hash(index);
        let document = serde_json::to_value(plan.document(index)).unwrap_or_default();
        let actions: Vec<ActionInfo> = plan
            .actions(index)
            .into_iter()
            .map(|a| ActionInfo {
                user: a
                    .operation
                    .user()
                    .cloned()
                    .unwrap_or_else(|| UserKey::from("")),
                username: a
                    .operation
                    .user()
                    .and_then(|u| index.index_of_key(u))
                    .map(|i| index.username(i).to_owned())
                    .unwrap_or_default(),
                action: crate::store::ActionKey::of(&a.operation),
                operation: a.operation,
                source: a.source.label(),
                policy: None,
                live: true,
                reason: a.reason.to_string(),
            })
            .collect();
        let guard = plan
            .guard
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>();
        Ok::<_, seatwarden_core::bulk::BulkError>((hash, document, actions, guard))
    })?;
    let (hash, document, actions, guard) = result.map_err(|e| {
        let kind = match e {
            seatwarden_core::bulk::BulkError::Filter(_) => ApiErrorKind::Validation,
            _ => ApiErrorKind::Validation,
        };
        ApiError::new(kind, e.to_string())
    })?;
    let plan = RunPlan {
        status: "ready".to_owned(),
        actor: actor(req),
        document: document.clone(),
        actions,
    };
    let count = plan.actions.len();
    let shown: Vec<&ActionInfo> = plan.actions.iter().take(500).collect();
    let response = json!({
        "planId": plan_id,
        "planHash": hash,
        "actionCount": count,
        "actions": shown,
        "guard": guard,
        "document": document,
    });
    service.keep_plan(PendingPlan {
        id: plan_id.clone(),
        kind: RunKind::ManualBulkAction,
        name: format!("Bulk {action_name}"),
        hash: hash.clone(),
        plan,
        admin,
        created: now,
        reverts: None,
    });
    ApiResponse::json(&response)
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
