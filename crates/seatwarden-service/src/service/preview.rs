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
use seatwarden_core::{Millis, UserKey};
use seatwarden_csv::{ImportOptions, Rejected};
use seatwarden_mail::TemplateKind;

use super::import_plan::{
    ImportPage, ImportPageOf, KeptImport, PageSink, PreviewPage, SeatForecast, WithSeats,
    stream_actions,
};
use super::{
    ActionInfo, KeptPlan, Missing, PendingPlan, PlanState, RunPlan, Service, ServiceError,
};
use crate::store::RevertStep;

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
    /// The first actions (as many as a bulk preview shows, 500).
    pub actions: Vec<ActionInfo>,
    /// One sentence per licence the import would exhaust (then applying
    /// it waits for approval, like a run the mass-change guard holds).
    pub guard: Vec<String>,
    /// The shown part of the plan in the shape of the engine's plan
    /// document; `totals` count the whole plan, `shown` the listed part.
    pub document: Value,
    /// The first 500 rows' verdicts (`create`, `update`, `unchanged`); the
    /// summary counts every row.
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
    /// The steps as actions, each labelled with its user's username (issue
    /// 24: the preview's User column was empty, steps carry only keys).
    pub actions: Vec<ActionInfo>,
    /// Distinct users the revert changes (the steps are actions, not users).
    pub users: u64,
}

impl Service {
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
            actor: Actor::user(admin.clone(), self.username_of(admin)),
            document: json!({"reverts": run, "irreversible": revert.irreversible}).into(),
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
            actions: plan.actions.clone(),
            users: plan
                .actions
                .iter()
                .map(|a| &a.user)
                .collect::<std::collections::HashSet<_>>()
                .len() as u64,
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
            import: None,
            bulk: None,
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
    ///
    /// Memory is bounded (see [`super::import_plan`]): the file is streamed
    /// twice (validate, then plan and hash), the answer lists the first
    /// rows and actions with counts of all, and the kept plan is `csv`
    /// itself, shared, not copied.
    pub fn plan_import(
        &self,
        csv: bytes::Bytes,
        options: &ImportOptions,
        admin: &UserKey,
        now: Millis,
    ) -> Result<Result<ImportPreview, Rejected>, ServiceError> {
        self.rebuild_index()?;
        let planned = self.with_index(|index| {
            let summary = seatwarden_csv::validate_users(&csv[..], index, options)?;
            let mut sink = WithSeats {
                inner: PreviewPage::default(),
                seats: SeatForecast::new(index),
            };
            stream_actions(&csv, index, options, &summary.groups_to_create, &mut sink)?;
            let seats = (sink.seats.report(), sink.seats.guard());
            Ok::<_, Rejected>((summary, sink.inner, seats))
        })?;
        let (summary, page, (seats, guard)) = match planned {
            Ok(planned) => planned,
            Err(rejected) => return Ok(Err(rejected)),
        };
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
        let summary_json = json!({
            "rows": summary.rows,
            "create": summary.create,
            "update": summary.update,
            "unchanged": summary.unchanged,
            "groupsToCreate": summary.groups_to_create,
            "notes": summary.notes.iter().map(|n| json!({"line": n.position.line, "message": n.kind.to_string()})).collect::<Vec<_>>(),
            "notices": {
                "welcome": options.notices.welcome,
                "passwordReset": options.notices.password_reset,
                "missingTemplates": missing_templates,
            },
            "seats": seats,
            "irreversible": {
                "profileUpdates": page.profile_updates,
                "because": page.irreversible(),
            },
        });
        let document = page.document(summary.unchanged);
        let hash = page.hash.finish();
        let plan_id = self.next_plan_id();
        let preview = ImportPreview {
            plan_id: plan_id.clone(),
            plan_hash: hash.clone(),
            summary: summary_json.clone(),
            action_count: page.action_count,
            user_creations: page.creates,
            actions: page.actions,
            guard: guard.clone(),
            document,
            rows: page.rows,
        };
        self.keep_plan(PendingPlan {
            id: plan_id,
            kind: RunKind::Import,
            name: "Users import".to_owned(),
            hash,
            plan: RunPlan {
                // Rows that would find no licence seat hold the import for
                // approval, as the mass-change guard holds a run.
                status: if guard.is_empty() {
                    PlanState::Ready
                } else {
                    PlanState::NeedsApproval
                },
                actor: Actor::user(admin.clone(), self.username_of(admin)),
                document: summary_json.into(),
                actions: Vec::new(),
            },
            admin: admin.clone(),
            created: now,
            reverts: None,
            import: Some(KeptImport {
                csv,
                options: options.clone(),
                groups_to_create: summary.groups_to_create.clone(),
                rows: summary.rows,
                actions: preview.action_count,
            }),
            bulk: None,
        });
        Ok(Ok(preview))
    }

    /// The page `[offset, offset + limit)` of a kept import's rows or
    /// actions (the preview answers only the first 500 of each).
    ///
    /// Planned again from the kept file against the directory as it is
    /// now, reading it only up to the page's end: memory is one page, and
    /// the kept plan is not touched. If the directory moved since the
    /// preview, a page shows the plan as it would be now; applying still
    /// checks the previewed hash (409 when it moved).
    pub fn import_page(
        &self,
        plan_id: &str,
        of: ImportPageOf,
        offset: usize,
        limit: usize,
    ) -> Result<ImportPage, ServiceError> {
        let missing = || ServiceError::NotFound(Missing::Plan(plan_id.to_owned()));
        // Cloned out of the lock: the file is shared (`Arc`), not copied.
        let kept = self
            .pending_plans()
            .lock()
            .get(plan_id)
            .and_then(|p| p.import.clone())
            .ok_or_else(missing)?;
        let total = match of {
            ImportPageOf::Rows => kept.rows,
            ImportPageOf::Actions => kept.actions as u64,
        };
        let mut sink = PageSink::new(of, offset, limit, total);
        let streamed = self.with_index(|index| {
            stream_actions(
                &kept.csv,
                index,
                &kept.options,
                &kept.groups_to_create,
                &mut sink,
            )
        })?;
        // A file that no longer plans (a group deleted since) is as stale
        // as at apply time.
        if streamed.is_err() {
            return Err(ServiceError::PlanHashMismatch(KeptPlan::StaleImport));
        }
        Ok(sink.page)
    }

    /// The full run plan of a kept import, planned again against the
    /// directory as it is now, if its writes still hash to `hash` (what the
    /// admin previewed); a directory that moved since makes it stale.
    pub(crate) fn replan_import(
        &self,
        kept: &KeptImport,
        plan: &mut RunPlan,
        hash: &str,
    ) -> Result<(), ServiceError> {
        self.rebuild_index()?;
        let actions = self.with_index(|index| {
            let summary = seatwarden_csv::validate_users(&kept.csv[..], index, &kept.options)?;
            let mut actions = Vec::new();
            stream_actions(
                &kept.csv,
                index,
                &kept.options,
                &summary.groups_to_create,
                &mut actions,
            )?;
            Ok::<_, Rejected>(actions)
        })?;
        // A file that no longer validates (a group deleted, a username
        // taken) is as stale as one whose writes changed.
        let Ok(actions) = actions else {
            return Err(ServiceError::PlanHashMismatch(KeptPlan::StaleImport));
        };
        plan.actions = actions;
        if plan.writes_hash() != hash {
            return Err(ServiceError::PlanHashMismatch(KeptPlan::StaleImport));
        }
        Ok(())
    }
}
