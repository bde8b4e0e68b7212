//! Plans an admin previews and then confirms by hash: bulk actions and
//! reverts (imports plan in [`super::import`]'s caller the same way).
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
use seatwarden_core::{Millis, UserKey};

use super::{ActionInfo, KeptPlan, Missing, PendingPlan, RunPlan, Service, ServiceError};
use crate::store::{RevertStep, revert_from_store};

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
                status: "ready".to_owned(),
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
        let revert = revert_from_store(self.store(), run)?;
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
            status: "ready".to_owned(),
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
}
