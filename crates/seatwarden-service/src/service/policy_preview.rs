//! A policy's preview at any size, paged like a bulk action's (issue 24).
//!
//! Why: the editor's preview rendered the whole plan (every write and skip
//! as JSON) and the screen listed only its first 200 rows, so an admin of
//! a 20,000-user instance could neither see who came after row 200 nor
//! get the list out. Now the preview keeps the compact plan (bitmaps and
//! the key order, as [`Service::plan_bulk`] does) and answers the totals,
//! the counts per skip reason and the first page; the other pages come
//! from `GET /api/bulk/{planId}/actions|skipped` and the whole plan as CSV
//! from `GET /api/bulk/{planId}/export`, the routes bulk previews use.
//!
//! A kept policy preview is never confirmed: the policy's plan is applied
//! only by running the policy, which plans again
//! ([`ServiceError::PolicyPreviewNotConfirmable`]). After an index rebuild
//! (every preview rebuilds the index) it is planned again with the facts
//! read at preview time (warnings, exemptions, review decisions); only if
//! its writes changed do its pages answer 409 (preview again).

use std::sync::Arc;

use serde::Serialize;

use seatwarden_audit::{Actor, RunKind};
use seatwarden_core::evaluate::evaluate;
use seatwarden_core::plan::PlanOrder;
use seatwarden_core::policy::{Mode, PolicyId};
use seatwarden_core::warning::WarningNotice;
use seatwarden_core::{Millis, UserKey};

use super::bulk_preview::{FirstPage, KeptBulk, first_page};
use super::{Missing, PendingPlan, PlanState, RunPlan, Service, ServiceError};

/// A policy's plan as the editor previews it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyPreview {
    /// The id its pages and export are fetched by.
    pub plan_id: String,
    /// What a run now would do with it (safe mode: preview).
    pub status: PlanState,
    /// The policy's mode: what its run does with each row (`live`: applies
    /// it; `review`: puts the user on the review list; `safe`: records it).
    pub policy_mode: Mode,
    /// The warning rule's effect, in words.
    pub warning_notices: Vec<WarningNotice>,
    /// Hash, totals, skip counts per reason and the first page.
    #[serde(flatten)]
    pub page: FirstPage,
}

impl Service {
    /// Previews policy `id` at `now` for `admin`: plans it (forced
    /// preview: nothing is applied), keeps the compact plan for paging and
    /// export, and answers its first page.
    pub fn preview_policy(
        &self,
        id: &PolicyId,
        admin: &UserKey,
        now: Millis,
    ) -> Result<PolicyPreview, ServiceError> {
        let settings = self.settings();
        let Some(policy) = settings.config.policy(id) else {
            return Err(ServiceError::NotFound(Missing::Policy(id.clone())));
        };
        let (policy_mode, name) = (policy.mode, policy.name.clone());
        self.rebuild_index()?;
        let warned = self.warned_users()?;
        let people = self.people()?;
        let plan_id = self.next_plan_id();
        let (preview, ctx, planned) = self.with_index_generation(|index, generation| {
            let ctx = self.eval_context(now, Some(vec![id.clone()]), true, warned, people);
            let plan = evaluate(&settings.config, index, now, &ctx);
            let status = plan.status();
            let order = PlanOrder::new(&plan, index);
            let preview = PolicyPreview {
                plan_id: plan_id.clone(),
                status: PlanState::from(&status),
                policy_mode,
                warning_notices: seatwarden_core::warning::notices(&plan),
                // A preview applies nothing: no row is `live` (the policy's
                // mode says what its run would do).
                page: first_page(&plan, index, &order, false),
            };
            (preview, ctx, (plan, order, generation))
        })?;
        self.keep_plan(PendingPlan {
            id: plan_id,
            kind: RunKind::ScheduledCleanup,
            name: format!("Preview of {name}"),
            hash: preview.page.hash.clone(),
            plan: RunPlan {
                status: preview.status,
                actor: Actor::user(admin.clone(), self.username_of(admin)),
                document: super::run::RunDocument::Tree(serde_json::Value::Null),
                actions: Vec::new(),
            },
            admin: admin.clone(),
            created: now,
            reverts: None,
            import: None,
            bulk: Some(Arc::new(KeptBulk::policy_preview(
                policy_mode,
                ctx,
                now,
                planned,
            ))),
        });
        Ok(preview)
    }
}
