//! Plans an admin previews and then confirms by hash: bulk actions,
//! reverts and users imports (whose run-time half is [`super::import`]).
//!
//! Why here and not in the route handlers: planning reads the index under
//! its lock, hashes the plan and keeps it for confirmation, which is the
//! application's work. The handlers only translate a request into these
//! calls and the answer into JSON, so a second edge (or a split-out API
//! crate) needs no access to the service's internals (`keep_plan`,
//! `next_plan_id`).

use serde::Serialize;
use serde_json::{Value, json};

use seatwarden_audit::{Actor, RunId, RunKind, RunStatus};
use seatwarden_core::bulk::{BulkAction, BulkActionRequest, BulkTarget, plan_bulk_action};
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::policy::Mode;
use seatwarden_core::{Millis, Operation, UserKey};
use seatwarden_csv::{ImportOptions, Rejected};
use seatwarden_mail::TemplateKind;

use super::import::placeholder;
use super::{
    ActionInfo, KeptPlan, Missing, PendingPlan, PlanState, RunPlan, Service, ServiceError,
};
use crate::store::RevertStep;

/// A plan kept for confirmation, as the admin previews it.
#[derive(Clone, Debug)]
pub struct Preview {
    /// The id to confirm it by.
    pub plan_id: String,
    /// The hash the admin confirms.
    pub hash: String,
    /// Every action with its reason.
    pub actions: Vec<ActionInfo>,
    /// The mass-change guard's verdicts, as sentences.
    pub guard: Vec<String>,
    /// The engine's plan document.
    pub document: Value,
}

/// An import as the admin previews it (the answer of `POST /api/import/validate`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPreview {
    /// The id to confirm it by.
    pub plan_id: String,
    /// The hash the admin confirms.
    pub plan_hash: String,
    /// Counts, notes and the mails asked for (with templates missing).
    pub summary: Value,
    /// How many actions the plan has.
    pub action_count: usize,
    /// How many users it creates.
    pub user_creations: usize,
    /// The first actions (as many as a bulk preview shows).
    pub actions: Vec<ActionInfo>,
    /// Always empty: an import is applied as a whole, without the guard.
    pub guard: Vec<String>,
    /// The plan in the shape of the engine's plan document.
    pub document: Value,
    /// Each row's verdict (`create`, `update`, `unchanged`).
    pub rows: Vec<Value>,
}

/// A revert as the admin previews it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevertPreview {
    /// The hash to confirm.
    pub plan_hash: String,
    /// The run it reverts.
    pub reverts: RunId,
    /// The inverse steps, in applying order.
    pub steps: Vec<RevertStep>,
    /// What cannot be undone, and why.
    pub irreversible: Vec<crate::store::Irreversible>,
}

impl Service {
    /// Plans a bulk action of `admin` (named `name` in the run list) over
    /// `target` and keeps it for [`Service::run_pending`].
    pub fn plan_bulk(
        &self,
        action: BulkAction,
        target: BulkTarget,
        name: String,
        admin: &UserKey,
        now: Millis,
    ) -> Result<Preview, ServiceError> {
        let plan_id = self.next_plan_id();
        let settings = self.reload_settings()?;
        let request = BulkActionRequest {
            id: plan_id.clone(),
            admin: admin.clone(),
            mode: Mode::Live,
            action,
            target,
        };
        let planned = self.with_index(|index| {
            let plan = plan_bulk_action(
                &settings.config,
                index,
                now,
                &EvalContext::default(),
                &request,
            )?;
            let actions: Vec<ActionInfo> = plan
                .actions(index)
                .into_iter()
                .map(|a| ActionInfo::planned(index, a, true))
                .collect();
            Ok::<_, seatwarden_core::bulk::BulkError>(Preview {
                plan_id: plan_id.clone(),
                hash: plan.hash(index),
                actions,
                guard: plan.guard.iter().map(ToString::to_string).collect(),
                document: serde_json::to_value(plan.document(index)).unwrap_or_default(),
            })
        })??;
        self.keep_plan(PendingPlan {
            id: plan_id,
            kind: RunKind::ManualBulkAction,
            name,
            hash: planned.hash.clone(),
            plan: RunPlan {
                status: PlanState::Ready,
                actor: Actor::user(admin.clone(), None),
                document: planned.document.clone(),
                actions: planned.actions.clone(),
            },
            admin: admin.clone(),
            created: now,
            reverts: None,
        });
        Ok(planned)
    }

    /// The revert of finished run `run`, as `admin` would run it now.
    pub fn plan_revert(
        &self,
        run: RunId,
        admin: &UserKey,
        now: Millis,
    ) -> Result<(PendingPlan, RevertPreview), ServiceError> {
        let stored = self
            .store()
            .get_run(run)?
            .ok_or(ServiceError::NotFound(Missing::Run(run)))?;
        if stored.status == RunStatus::Reverted {
            return Err(ServiceError::AlreadyReverted(run));
        }
        if !stored.status.is_terminal() {
            return Err(ServiceError::RunNotFinished(run));
        }
        // Import-aware: created users, memberships and updates of an import
        // are reverted too (see `revert`); an empty plan is refused, never
        // an empty success.
        let revert = self.revert_plan(run)?;
        if revert.steps.is_empty() && revert.irreversible.is_empty() {
            return Err(ServiceError::NothingToRevert(run));
        }
        let usernames = self.with_index(|index| {
            revert
                .steps
                .iter()
                .map(|s| {
                    s.operation
                        .user()
                        .and_then(|u| index.index_of_key(u))
                        .map(|i| index.username(i).to_owned())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
        })?;
        let plan = RunPlan {
            status: PlanState::Ready,
            actor: Actor::user(admin.clone(), None),
            document: json!({"reverts": run, "irreversible": revert.irreversible}),
            actions: revert
                .steps
                .iter()
                .zip(usernames)
                .map(|(s, username)| {
                    ActionInfo::new(s.operation.clone(), username, "revert", s.reason.clone())
                })
                .collect(),
        };
        let hash = plan.writes_hash();
        let preview = RevertPreview {
            plan_hash: hash.clone(),
            reverts: run,
            steps: revert.steps,
            irreversible: revert.irreversible,
        };
        let pending = PendingPlan {
            id: self.next_plan_id(),
            kind: RunKind::Revert,
            name: format!("Revert of run {run}"),
            hash,
            plan,
            admin: admin.clone(),
            created: now,
            reverts: Some(run),
        };
        Ok((pending, preview))
    }

    /// Reverts finished run `run` if `hash` is still the hash of its revert
    /// plan (the admin previewed what will happen); returns the new run.
    pub fn revert(
        &self,
        run: RunId,
        hash: &str,
        admin: &UserKey,
        now: Millis,
    ) -> Result<RunId, ServiceError> {
        let (pending, _) = self.plan_revert(run, admin, now)?;
        if pending.hash != hash {
            return Err(ServiceError::PlanHashMismatch(KeptPlan::CurrentRevert));
        }
        let plan_id = pending.id.clone();
        self.keep_plan(pending);
        self.run_pending(&plan_id, hash, now)
    }

    /// Validates a users CSV against the directory and keeps the import
    /// plan for [`Service::run_pending`]; `Ok(Err(_))` is a refused file
    /// (every problem with its place), which changes nothing.
    pub fn plan_import(
        &self,
        csv: &[u8],
        options: &ImportOptions,
        admin: &UserKey,
        now: Millis,
    ) -> Result<Result<ImportPreview, Rejected>, ServiceError> {
        self.rebuild_index()?;
        let planned = self.with_index(|index| {
            seatwarden_csv::plan_users(csv, index, options).map(|plan| {
                let usernames: std::collections::HashMap<String, String> = plan
                    .rows
                    .iter()
                    .filter_map(|r| match &r.plan {
                        seatwarden_csv::RowPlan::Update { user, .. } => {
                            Some((user.to_string(), r.username.to_string()))
                        }
                        _ => None,
                    })
                    .collect();
                (plan, usernames)
            })
        })?;
        let (plan, usernames) = match planned {
            Ok(planned) => planned,
            Err(rejected) => return Ok(Err(rejected)),
        };
        let mut actions = Vec::new();
        let mut creates = 0usize;
        for op in &plan.group_operations {
            actions.push(import_action(op, "", "group in the import file"));
        }
        let mut rows = Vec::with_capacity(plan.rows.len());
        let mut skipped = Vec::new();
        for row in &plan.rows {
            let reason = format!("import file line {}", row.line);
            let first = actions.len();
            let (verdict, user) = match &row.plan {
                seatwarden_csv::RowPlan::Create { .. } => {
                    ("create", placeholder(row.username.as_str()))
                }
                seatwarden_csv::RowPlan::Update { user, .. } => ("update", user.clone()),
                seatwarden_csv::RowPlan::Unchanged { user } => {
                    skipped.push(json!({
                        "user": user,
                        "username": row.username.as_str(),
                        "source": "import",
                        "because": format!("{reason}: the row matches the directory"),
                    }));
                    ("unchanged", user.clone())
                }
            };
            match &row.plan {
                seatwarden_csv::RowPlan::Create { notices, .. } => {
                    // The host chooses a new user's key: the creation and the
                    // memberships name a placeholder the run resolves (see
                    // `import_hook`), and the source carries the mails asked for.
                    let key = placeholder(row.username.as_str());
                    let source = super::import::Notices {
                        welcome: notices.welcome,
                        password_reset: notices.password_reset,
                    }
                    .source();
                    for op in row.operations(Some(&key)) {
                        if matches!(op, Operation::CreateUser { .. }) {
                            creates += 1;
                        }
                        actions.push(
                            ActionInfo::new(op, row.username.to_string(), source.clone(), &reason)
                                .on(key.clone()),
                        );
                    }
                }
                _ => {
                    for op in row.operations(None) {
                        let name = op
                            .user()
                            .and_then(|u| usernames.get(u.as_str()))
                            .cloned()
                            .unwrap_or_default();
                        actions.push(import_action(&op, &name, &reason));
                    }
                }
            }
            rows.push(json!({
                "line": row.line,
                "username": row.username.as_str(),
                "user": user,
                "plan": verdict,
                "actions": actions.len() - first,
            }));
        }
        let document = plan_document(&actions, skipped);
        let settings = self.reload_settings()?;
        let missing_templates: Vec<&str> = [
            (options.notices.welcome, TemplateKind::Welcome, "welcome"),
            (
                options.notices.password_reset,
                TemplateKind::PasswordReset,
                "password_reset",
            ),
        ]
        .into_iter()
        .filter(|(asked, kind, _)| {
            *asked
                && !settings
                    .templates
                    .iter()
                    .any(|t| t.kind == *kind && t.enabled)
        })
        .map(|(_, _, name)| name)
        .collect();
        let summary = json!({
            "rows": plan.summary.rows,
            "create": plan.summary.create,
            "update": plan.summary.update,
            "unchanged": plan.summary.unchanged,
            "groupsToCreate": plan.summary.groups_to_create,
            "notes": plan.summary.notes.iter().map(|n| json!({"line": n.position.line, "message": n.kind.to_string()})).collect::<Vec<_>>(),
            "notices": {
                "welcome": options.notices.welcome,
                "passwordReset": options.notices.password_reset,
                "missingTemplates": missing_templates,
            },
        });
        let run_plan = RunPlan {
            status: PlanState::Ready,
            actor: Actor::user(admin.clone(), None),
            document: summary.clone(),
            actions,
        };
        let hash = run_plan.writes_hash();
        let plan_id = self.next_plan_id();
        let count = run_plan.actions.len();
        let preview = ImportPreview {
            plan_id: plan_id.clone(),
            plan_hash: hash.clone(),
            summary,
            action_count: count,
            user_creations: creates,
            actions: run_plan
                .actions
                .iter()
                .take(SHOWN_ACTIONS)
                .cloned()
                .collect(),
            guard: Vec::new(),
            document,
            rows,
        };
        self.keep_plan(PendingPlan {
            id: plan_id,
            kind: RunKind::Import,
            name: "Users import".to_owned(),
            hash,
            plan: run_plan,
            admin: admin.clone(),
            created: now,
            reverts: None,
        });
        Ok(Ok(preview))
    }
}

/// How many planned actions a preview lists (as `POST /api/bulk/plan`);
/// the counts and the per-row verdicts cover them all.
const SHOWN_ACTIONS: usize = 500;

/// The import's plan in the shape of the engine's plan document (what
/// `POST /api/bulk/plan` answers as `document`): each user's writes with
/// the file line that asks for them, and the users skipped with why (rows
/// that match the directory). An import is applied as a whole, so there is
/// no guard or health verdict.
fn plan_document(actions: &[ActionInfo], skipped: Vec<Value>) -> Value {
    let mut users: Vec<Value> = Vec::new();
    let mut last: Option<&UserKey> = None;
    for a in actions {
        let entry = json!({
            "source": a.source,
            "mode": "live",
            "operation": a.operation,
            "because": a.reason,
        });
        let same = last == Some(&a.user);
        match users.last_mut().and_then(|u| u.get_mut("actions")) {
            Some(Value::Array(list)) if same => list.push(entry),
            _ => users.push(json!({
                "user": a.user,
                "username": a.username,
                "actions": [entry],
            })),
        }
        last = Some(&a.user);
    }
    json!({
        "status": "ready",
        "totals": {"users": users.len(), "operations": actions.len(), "skipped": skipped.len()},
        "warnings": [],
        "guard": [],
        "health": [],
        "users": users,
        "skipped": skipped,
    })
}

fn import_action(op: &Operation, username: &str, reason: &str) -> ActionInfo {
    let user = op.user().cloned().unwrap_or_else(|| match op {
        Operation::CreateGroup { group } => UserKey::from(format!("group:{group}").as_str()),
        _ => placeholder(username),
    });
    ActionInfo::new(op.clone(), username, "import", reason).on(user)
}
