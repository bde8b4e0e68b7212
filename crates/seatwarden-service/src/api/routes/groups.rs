//! Group administration: list, bulk create (`a;b;c` or a CSV file), export
//! with member counts, and bulk delete with a per-group summary.
//!
//! Writes go straight to the host one group at a time (they are few and
//! quick, so no background run), each audited. Deletion keeps what the
//! plan in `seatwarden_csv::groups` protects (groups with admin rights,
//! groups a policy names) and, beyond it, groups that grant a product
//! licence and groups in the protected-groups setting.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use seatwarden_audit::{Action as AuditAction, AuditEntry, Status, Target};
use seatwarden_core::config::ConfigIssue;
use seatwarden_core::{GroupName, Operation};
use seatwarden_csv::groups::GroupDeletion;

use super::body::{seq_of, typed};
use super::{actor, now, record_audit, rejected};
use crate::api::stream::Export;
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;

pub(super) fn list_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let counts = req.flag("withCounts", true)?;
    let groups = service.with_index(|index| {
        index
            .groups()
            .iter()
            .map(|g| {
                let members = if counts {
                    index.group_bitmap(&g.name).map_or(0, |b| b.len())
                } else {
                    0
                };
                json!({"name": g.name, "admin": g.admin, "licence": g.licence, "members": counts.then_some(members)})
            })
            .collect::<Vec<_>>()
    })?;
    ApiResponse::json(&json!({"groups": groups}))
}

/// Creates the planned groups through the host, auditing each.
fn create_planned(
    service: &Service,
    req: &ApiRequest,
    plan: &seatwarden_csv::groups::GroupCreationPlan,
) -> Result<ApiResponse, ApiError> {
    let mut outcomes = Vec::new();
    let mut entries = Vec::new();
    for group in &plan.create {
        let op = Operation::CreateGroup {
            group: group.clone(),
        };
        let result = service.host().apply(&op);
        let (status, outcome) = match &result {
            Ok(_) => (Status::Success, "created".to_owned()),
            Err(e) => (Status::Failed, format!("failed: {e}")),
        };
        entries.push(
            AuditEntry::new(
                now(req),
                actor(service, req),
                AuditAction::GroupCreated,
                status,
            )
            .with_target(Target::group(group.clone()))
            .with_description(format!("group `{group}` {outcome}")),
        );
        outcomes.push(json!({"name": group, "outcome": outcome}));
    }
    for skipped in &plan.skipped {
        outcomes.push(
            json!({"line": skipped.position.line, "outcome": format!("skipped: {}", skipped.kind)}),
        );
    }
    if !plan.create.is_empty() {
        service.index.write().stale = true;
    }
    record_audit(service, req, entries)?;
    ApiResponse::json(&json!({"outcomes": outcomes}))
}

/// `POST /api/groups`: one group name a line, as typed in the dialog.
#[derive(Debug, Deserialize)]
struct NamesText {
    names: String,
}

/// `POST /api/groups/delete`: the groups to delete.
#[derive(Debug, Deserialize)]
struct NamesList {
    #[serde(deserialize_with = "group_names")]
    names: Vec<String>,
}

fn group_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    seq_of(d, "an array of group names")
}

pub(super) fn create_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: NamesText = typed(req)?;
    let names = body.names;
    if names.split(';').all(|n| n.trim().is_empty()) {
        return Err(super::validation(vec![ConfigIssue {
            path: "names".to_owned(),
            message: "enter at least one group name (separate several with ;)".to_owned(),
        }]));
    }
    let plan = service
        .with_index(|index| seatwarden_csv::groups::plan_group_list(&names, index))?
        .map_err(|r| rejected_names(&r))?;
    create_planned(service, req, &plan)
}

/// A typed list's problems, named by the name's place in the list ("name
/// 2: …") under the `names` field: the list is not a file, so "line 1,
/// column 2" meant nothing to the admin who typed it.
fn rejected_names(r: &seatwarden_csv::Rejected) -> ApiError {
    let issues: Vec<ConfigIssue> =
        r.0.kept()
            .iter()
            .map(|p| ConfigIssue {
                path: "names".to_owned(),
                message: match p.position.column {
                    Some(n) => format!("name {n}: {}", p.kind),
                    None => p.kind.to_string(),
                },
            })
            .collect();
    let first = issues
        .first()
        .map(|i| i.message.clone())
        .unwrap_or_default();
    let message = match r.0.total() {
        1 => format!("nothing was created: {first}"),
        n => format!("nothing was created: {n} names have problems, the first: {first}"),
    };
    ApiError::new(ApiErrorKind::Validation, message).with_details(crate::service::problems(&issues))
}

pub(super) fn import_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan = service
        .with_index(|index| seatwarden_csv::groups::plan_group_file(&req.body[..], index))?
        .map_err(|r| rejected(&r))?;
    create_planned(service, req, &plan)
}

pub(super) fn export_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    groups_export(service, req)?.whole()
}

/// The groups export. Groups are few next to users (one row each), so the
/// file is rendered under the index lock as before and only its sending is
/// streamed: the lock is never held while a slow reader takes the bytes.
pub(super) fn groups_export<'s>(
    service: &'s Service,
    req: &ApiRequest,
) -> Result<Export<'s>, ApiError> {
    let counts = req.flag("counts", false)?;
    let bom = req.flag("bom", false)?;
    Ok(Export::new(
        "groups.csv",
        Box::new(move |out| {
            let file = service.with_index(|index| {
                let rows: Vec<(&GroupName, u64)> = index
                    .groups()
                    .iter()
                    .map(|g| (&g.name, index.group_bitmap(&g.name).map_or(0, |b| b.len())))
                    .collect();
                let mut file = Vec::new();
                seatwarden_csv::groups::export_groups(&mut file, rows, counts, bom).map(|_| file)
            })?;
            let file = file.map_err(|_| ApiError::internal("the groups export failed"))?;
            out.write_all(&file)
                .map_err(|_| ApiError::internal("the groups export could not be sent"))
        }),
    ))
}

pub(super) fn delete_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: NamesList = typed(req)?;
    let names: Vec<GroupName> = body.names.into_iter().map(GroupName::from).collect();
    let settings = service.settings();
    let used: HashSet<String> = serde_json::to_value(&settings.config.policies)
        .ok()
        .map(|v| {
            let mut out = HashSet::new();
            collect_strings(&v, &mut out);
            out.into_iter().map(|s| s.to_lowercase()).collect()
        })
        .unwrap_or_default();
    let protected_setting: HashSet<String> = settings
        .config
        .settings
        .protected_groups
        .iter()
        .map(GroupName::folded)
        .collect();
    let (mut plan, kept) = service.with_index(|index| {
        let plan = seatwarden_csv::groups::plan_group_deletion(&names, index, &used);
        // Beyond what the plan protects: a group that grants a product
        // licence (deleting it takes every member's seat at once) and a
        // group the settings protect (its members would lose protection).
        let kept: HashMap<String, &'static str> = plan
            .groups
            .iter()
            .filter(|(_, o)| *o == GroupDeletion::WillDelete)
            .filter_map(|(g, _)| {
                let folded = g.folded();
                let licence = index
                    .groups()
                    .iter()
                    .any(|known| known.licence && known.name.folded() == folded);
                if licence {
                    Some((folded, "protected: grants a product licence"))
                } else if protected_setting.contains(&folded) {
                    Some((folded, "protected: listed in the protected groups setting"))
                } else {
                    None
                }
            })
            .collect();
        (plan, kept)
    })?;
    let mut entries = Vec::new();
    for op in plan.operations() {
        let Operation::DeleteGroup { group } = &op else {
            continue;
        };
        if kept.contains_key(&group.folded()) {
            continue;
        }
        let result = service.host().apply(&op).map(|_| ());
        let (status, outcome) = match &result {
            Ok(()) => (Status::Success, "deleted".to_owned()),
            Err(e) => (Status::Failed, format!("not deleted: {e}")),
        };
        entries.push(
            AuditEntry::new(
                now(req),
                actor(service, req),
                AuditAction::GroupDeleted,
                status,
            )
            .with_target(Target::group(group.clone()))
            .with_description(format!("group `{group}` {outcome}")),
        );
        plan.record(group, result);
    }
    if !entries.is_empty() {
        service.index.write().stale = true;
    }
    record_audit(service, req, entries)?;
    let mut summary = DeletionSummary::default();
    let outcomes: Vec<Value> = plan
        .groups
        .iter()
        .map(|(g, o)| {
            let (status, text) = match kept.get(&g.folded()) {
                Some(why) if *o == GroupDeletion::WillDelete => ("protected", (*why).to_owned()),
                _ => (deletion_status(o), o.to_string()),
            };
            summary.count(status);
            json!({"name": g, "status": status, "outcome": text})
        })
        .collect();
    ApiResponse::json(&json!({"outcomes": outcomes, "summary": summary}))
}

/// Counts per outcome for the deletion summary window.
#[derive(Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletionSummary {
    deleted: u64,
    protected: u64,
    not_found: u64,
    failed: u64,
}

impl DeletionSummary {
    fn count(&mut self, status: &str) {
        match status {
            "deleted" => self.deleted += 1,
            "protected" => self.protected += 1,
            "not_found" => self.not_found += 1,
            _ => self.failed += 1,
        }
    }
}

/// A stable word for an outcome (the text beside it is for people).
fn deletion_status(outcome: &GroupDeletion) -> &'static str {
    match outcome {
        GroupDeletion::WillDelete | GroupDeletion::Deleted => "deleted",
        GroupDeletion::Protected(_) => "protected",
        GroupDeletion::NotFound | GroupDeletion::Duplicate => "not_found",
        GroupDeletion::Failed(_) => "failed",
    }
}

fn collect_strings(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}
