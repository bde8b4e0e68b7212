//! Bulk-action previews that stay small at a million users.
//!
//! Why not the whole plan: a preview of "deactivate every active user" at
//! 1M users used to render every write as an [`ActionInfo`], the engine's
//! document as a `serde_json::Value` tree, clone both into the kept plan and
//! send 205 MB: 18 s and 6.6 GB of server memory for one click (issue 19).
//! Now the service keeps the compact [`Plan`] (bitmaps) and its
//! [`PlanOrder`] (users in key order, 8 bytes a user), answers the totals,
//! the skip counts per reason and the first page, and renders any other
//! page from the kept plan when the admin pages on. Confirming plans the
//! request again at the preview's instant and applies it only if its hash
//! is still the one the admin saw, so a directory that changed in between
//! is refused (409), never applied half-stale.
//!
//! Positions in a kept plan are index positions: they stay valid while the
//! index generation does (writes update the index in place). After a
//! rebuild the plan is made again from the kept request; if it hashes the
//! same, it replaces the kept one and paging goes on.

use std::sync::Arc;

use serde::Serialize;

use seatwarden_audit::{Actor, RunKind};
use seatwarden_core::bulk::{BulkAction, BulkActionRequest, BulkTarget, plan_bulk_action};
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{Plan, PlanDocument, PlanOrder, SkipEntry, SkipReason};
use seatwarden_core::policy::Mode;
use seatwarden_core::{Millis, UserKey};

use super::{
    ActionInfo, KeptPlan, Missing, PendingPlan, PlanState, RunDocument, RunPlan, Service,
    ServiceError,
};

/// How many actions and skips a preview lists before the admin pages on
/// (as an import preview).
pub const PREVIEW_PAGE: usize = 500;

/// The most rows one page may ask for.
pub const MAX_PAGE: usize = 2_000;

/// A compact plan kept for paging (and, for a bulk action, confirmation).
#[derive(Debug)]
pub struct KeptBulk {
    /// Where the plan came from.
    source: KeptSource,
    /// The instant the preview was planned for.
    now: Millis,
    /// The compact plan, its order, and the index generation both belong to.
    planned: parking_lot::Mutex<Arc<(Plan, PlanOrder, u64)>>,
}

/// Where a kept compact plan came from.
#[derive(Debug)]
enum KeptSource {
    /// A bulk action: planned again from the request after an index
    /// rebuild, and applied when the admin confirms it.
    Bulk(Box<BulkActionRequest>),
    /// A policy's preview (`POST /api/policies/{id}/preview`), kept only
    /// to page and export it. Never confirmed here: a policy's plan is
    /// applied by running the policy, which plans it again. After an
    /// index rebuild (every preview rebuilds the index) it is planned
    /// again with the facts read at preview time; if its writes differ,
    /// it is stale (the admin previews again).
    PolicyPreview {
        /// The policy's mode: what its run does with each row.
        mode: Mode,
        /// The facts the preview was planned with (warnings, exemptions,
        /// review decisions, "only this policy", forced preview).
        ctx: Box<EvalContext>,
    },
}

impl KeptBulk {
    /// A policy preview's compact plan, kept for paging and export.
    pub(crate) fn policy_preview(
        mode: Mode,
        ctx: EvalContext,
        now: Millis,
        planned: (Plan, PlanOrder, u64),
    ) -> KeptBulk {
        KeptBulk {
            source: KeptSource::PolicyPreview {
                mode,
                ctx: Box::new(ctx),
            },
            now,
            planned: parking_lot::Mutex::new(Arc::new(planned)),
        }
    }

    /// Whether this is a policy preview (paged, never confirmed).
    pub(crate) fn is_policy_preview(&self) -> bool {
        matches!(self.source, KeptSource::PolicyPreview { .. })
    }

    /// Roughly the bytes kept: the plan's bitmaps, the order, the request.
    pub(crate) fn weight(&self) -> usize {
        let planned = self.planned.lock().clone();
        let keys = match &self.source {
            KeptSource::Bulk(request) => match &request.target {
                BulkTarget::Selected(keys) => keys.iter().map(|k| k.as_str().len() + 24).sum(),
                BulkTarget::Filter(_) => 256,
            },
            KeptSource::PolicyPreview { .. } => 0,
        };
        planned.0.approx_bytes() + planned.1.weight() + keys
    }
}

/// How many skip entries one reason accounts for.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkipCount {
    /// The typed reason.
    pub reason: SkipReason,
    /// The reason rendered.
    pub because: String,
    /// How many skip entries.
    pub users: u64,
}

/// A bulk plan as the admin previews it: totals, the first page of actions
/// and of skips, and what to confirm it by.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The id to confirm it by.
    pub plan_id: String,
    /// The hash the admin confirms (`planHash` on the wire).
    #[serde(rename = "planHash")]
    pub hash: String,
    /// How many writes the plan has.
    pub action_count: u64,
    /// The first [`PREVIEW_PAGE`] writes.
    pub actions: Vec<ActionInfo>,
    /// The mass-change guard's verdicts, as sentences.
    pub guard: Vec<String>,
    /// How many skip entries the plan has.
    pub skip_count: u64,
    /// Skip entries per reason.
    pub skips_by_reason: Vec<SkipCount>,
    /// The engine's document listing the first page of writes and skips;
    /// `totals` and `hash` describe the whole plan.
    pub document: PlanDocument,
}

/// A page of a kept bulk plan's writes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionsPage {
    /// The plan.
    pub plan_id: String,
    /// The first row's position.
    pub offset: u64,
    /// How many writes the plan has.
    pub total: u64,
    /// The rows.
    pub actions: Vec<ActionInfo>,
}

/// A page of a kept bulk plan's skipped users.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkipsPage {
    /// The plan.
    pub plan_id: String,
    /// The first row's position.
    pub offset: u64,
    /// How many skip entries the plan has.
    pub total: u64,
    /// The rows.
    pub skipped: Vec<SkipEntry>,
}

/// What every kept-plan preview answers: the whole plan's hash and
/// counts, the skip counts per reason, and the first [`PREVIEW_PAGE`]
/// writes and skips (rendered; `live_allowed` as [`ActionInfo::planned`]).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstPage {
    /// The whole plan's hash (`planHash` on the wire).
    #[serde(rename = "planHash")]
    pub hash: String,
    /// How many writes the plan has.
    pub action_count: u64,
    /// The first [`PREVIEW_PAGE`] writes.
    pub actions: Vec<ActionInfo>,
    /// How many skip entries the plan has.
    pub skip_count: u64,
    /// Skip entries per reason.
    pub skips_by_reason: Vec<SkipCount>,
    /// The engine's document listing the first page of writes and skips;
    /// `totals` and `hash` describe the whole plan.
    pub document: PlanDocument,
}

/// The [`FirstPage`] of `plan` in `order`.
pub(crate) fn first_page(
    plan: &Plan,
    index: &DirectoryIndex,
    order: &PlanOrder,
    live_allowed: bool,
) -> FirstPage {
    let actions = order.actions_page(plan, index, 0, PREVIEW_PAGE);
    let skips = order.skips_page(plan, index, 0, PREVIEW_PAGE);
    let document = plan.document_page(index, order, &actions, skips);
    FirstPage {
        hash: order.hash().to_owned(),
        action_count: order.action_count(),
        actions: actions
            .into_iter()
            .map(|a| ActionInfo::planned(index, a, live_allowed))
            .collect(),
        skip_count: order.skip_count() as u64,
        skips_by_reason: PlanOrder::skip_totals(plan)
            .into_iter()
            .map(|t| SkipCount {
                because: t.reason.describe(index),
                reason: t.reason,
                users: t.users,
            })
            .collect(),
        document,
    }
}

fn infos(
    index: &DirectoryIndex,
    plan: &Plan,
    order: &PlanOrder,
    offset: u64,
    limit: usize,
) -> Vec<ActionInfo> {
    order
        .actions_page(plan, index, offset, limit)
        .into_iter()
        .map(|a| ActionInfo::planned(index, a, true))
        .collect()
}

impl Service {
    /// Plans a bulk action of `admin` (named `name` in the run list) over
    /// `target`, keeps the compact plan for paging and for
    /// [`Service::run_pending`], and answers its first page.
    pub fn plan_bulk(
        &self,
        action: BulkAction,
        target: BulkTarget,
        name: String,
        admin: &UserKey,
        now: Millis,
    ) -> Result<Preview, ServiceError> {
        let plan_id = self.next_plan_id();
        let request = BulkActionRequest {
            id: plan_id.clone(),
            admin: admin.clone(),
            mode: Mode::Live,
            action,
            target,
        };
        let settings = self.reload_settings()?;
        let (preview, planned) = self.with_index_generation(|index, generation| {
            let plan = plan_bulk_action(
                &settings.config,
                index,
                now,
                &EvalContext::default(),
                &request,
            )?;
            let order = PlanOrder::new(&plan, index);
            let FirstPage {
                hash,
                action_count,
                actions,
                skip_count,
                skips_by_reason,
                document,
            } = first_page(&plan, index, &order, true);
            let preview = Preview {
                plan_id: plan_id.clone(),
                hash,
                action_count,
                actions,
                guard: plan.guard.iter().map(ToString::to_string).collect(),
                skip_count,
                skips_by_reason,
                document,
            };
            Ok::<_, seatwarden_core::bulk::BulkError>((preview, (plan, order, generation)))
        })??;
        self.keep_plan(PendingPlan {
            id: plan_id,
            kind: RunKind::ManualBulkAction,
            name,
            hash: preview.hash.clone(),
            plan: RunPlan {
                status: PlanState::Ready,
                actor: Actor::user(admin.clone(), self.username_of(admin)),
                document: serde_json::Value::Null.into(),
                actions: Vec::new(),
            },
            admin: admin.clone(),
            created: now,
            reverts: None,
            import: None,
            bulk: Some(Arc::new(KeptBulk {
                source: KeptSource::Bulk(Box::new(request)),
                now,
                planned: parking_lot::Mutex::new(Arc::new(planned)),
            })),
        });
        Ok(preview)
    }

    /// The kept bulk plan `plan_id`, current for `index` at `generation`:
    /// planned again from its request after an index rebuild, and refused
    /// as stale when that plan's writes differ from the previewed ones.
    pub(crate) fn current_bulk(
        &self,
        kept: &KeptBulk,
        hash: &str,
        index: &DirectoryIndex,
        generation: u64,
    ) -> Result<Arc<(Plan, PlanOrder, u64)>, ServiceError> {
        let planned = kept.planned.lock().clone();
        if planned.2 == generation {
            return Ok(planned);
        }
        let settings = self.reload_settings()?;
        let (plan, stale) = match &kept.source {
            KeptSource::Bulk(request) => (
                plan_bulk_action(
                    &settings.config,
                    index,
                    kept.now,
                    &EvalContext::default(),
                    request,
                )
                .map_err(|_| ServiceError::PlanHashMismatch(KeptPlan::StaleBulk))?,
                KeptPlan::StaleBulk,
            ),
            KeptSource::PolicyPreview { ctx, .. } => (
                seatwarden_core::evaluate::evaluate(&settings.config, index, kept.now, ctx),
                KeptPlan::StalePolicyPreview,
            ),
        };
        let order = PlanOrder::new(&plan, index);
        if order.hash() != hash {
            return Err(ServiceError::PlanHashMismatch(stale));
        }
        let fresh = Arc::new((plan, order, generation));
        *kept.planned.lock() = fresh.clone();
        Ok(fresh)
    }

    /// The kept bulk plan `plan_id` and its hash (not removed).
    pub(crate) fn kept_bulk(&self, plan_id: &str) -> Result<(Arc<KeptBulk>, String), ServiceError> {
        let pending = self.pending_plans().lock();
        match pending.get(plan_id) {
            Some(PendingPlan {
                bulk: Some(kept),
                hash,
                ..
            }) => Ok((kept.clone(), hash.clone())),
            Some(_) => Err(ServiceError::NotFound(Missing::Plan(plan_id.to_owned()))),
            None => Err(self.plan_missing(plan_id)),
        }
    }

    /// Writes `offset..offset + limit` of kept bulk plan `plan_id`.
    pub fn bulk_actions_page(
        &self,
        plan_id: &str,
        offset: u64,
        limit: usize,
    ) -> Result<ActionsPage, ServiceError> {
        let (kept, hash) = self.kept_bulk(plan_id)?;
        self.with_index_generation(|index, generation| {
            let planned = self.current_bulk(&kept, &hash, index, generation)?;
            let (plan, order, _) = &*planned;
            Ok(ActionsPage {
                plan_id: plan_id.to_owned(),
                offset,
                total: order.action_count(),
                actions: infos(index, plan, order, offset, limit.min(MAX_PAGE)),
            })
        })?
    }

    /// Skip entries `offset..offset + limit` of kept bulk plan `plan_id`.
    pub fn bulk_skips_page(
        &self,
        plan_id: &str,
        offset: u64,
        limit: usize,
    ) -> Result<SkipsPage, ServiceError> {
        let (kept, hash) = self.kept_bulk(plan_id)?;
        self.with_index_generation(|index, generation| {
            let planned = self.current_bulk(&kept, &hash, index, generation)?;
            let (plan, order, _) = &*planned;
            let from = usize::try_from(offset).unwrap_or(usize::MAX);
            let skips = order.skips_page(plan, index, from, limit.min(MAX_PAGE));
            Ok(SkipsPage {
                plan_id: plan_id.to_owned(),
                offset,
                total: order.skip_count() as u64,
                skipped: plan.document_page(index, order, &[], skips).skipped,
            })
        })?
    }

    /// Kept plan `plan_id` (a bulk or a policy preview) as CSV: one row
    /// per write, then one per skipped user with the reason, written page
    /// by page from the compact plan (no rendered copy of the whole plan).
    /// `mode` says what a run does with the row: `live` applies it,
    /// `review` puts the user on the review list, `safe` records it.
    pub fn export_kept_plan(&self, plan_id: &str) -> Result<Vec<u8>, ServiceError> {
        let (kept, hash) = self.kept_bulk(plan_id)?;
        let mode = match &kept.source {
            KeptSource::Bulk(_) => Mode::Live,
            KeptSource::PolicyPreview { mode, .. } => *mode,
        };
        let mode = match mode {
            Mode::Live => "live",
            Mode::Review => "review",
            Mode::Safe => "safe",
        };
        self.with_index_generation(|index, generation| {
            let planned = self.current_bulk(&kept, &hash, index, generation)?;
            let (plan, order, _) = &*planned;
            let header = ["user key", "username", "action", "group", "why", "mode"];
            let total = order.action_count();
            let writes = (0..total).step_by(MAX_PAGE).flat_map(|offset| {
                infos(index, plan, order, offset, MAX_PAGE)
                    .into_iter()
                    .map(|a| {
                        let op = serde_json::to_value(&a.operation).unwrap_or_default();
                        let group = op.get("group").and_then(|g| g.as_str()).map(str::to_owned);
                        vec![
                            a.user.to_string(),
                            a.username,
                            a.operation.kind_name().replace('_', " "),
                            group.unwrap_or_default(),
                            a.reason,
                            mode.to_owned(),
                        ]
                    })
                    .collect::<Vec<_>>()
            });
            let skipped = (0..order.skip_count()).step_by(MAX_PAGE).flat_map(|from| {
                let skips = order.skips_page(plan, index, from, MAX_PAGE);
                plan.document_page(index, order, &[], skips)
                    .skipped
                    .into_iter()
                    .map(|s| {
                        vec![
                            s.user,
                            s.username,
                            "skip".to_owned(),
                            String::new(),
                            s.because,
                            String::new(),
                        ]
                    })
                    .collect::<Vec<_>>()
            });
            let mut out = Vec::new();
            // Writing into memory cannot fail; the count of rows is not needed.
            let _ =
                seatwarden_csv::rows::write_table(&mut out, &header, writes.chain(skipped), false);
            Ok(out)
        })?
    }

    /// The full run plan of kept bulk plan `kept` (every write and the
    /// engine's document), if it still hashes to `hash`.
    pub(crate) fn render_bulk(
        &self,
        kept: &KeptBulk,
        plan: &mut RunPlan,
        hash: &str,
    ) -> Result<(), ServiceError> {
        let (actions, document) = self.with_index_generation(|index, generation| {
            let planned = self.current_bulk(kept, hash, index, generation)?;
            let (plan, _, _) = &*planned;
            // Rendered once, as a policy run is (`run/plan.rs`): the
            // journal's writes and the document come from the same
            // rendering. (Each used to render the whole plan: the writes
            // through the paged order, the document again through
            // `Plan::document`.) Same writes in the same order: the paged
            // order is tested against this one
            // (`paged_rendering_agrees_with_the_whole_sorted_list`).
            let rendered = plan.render(index);
            // Written straight from the typed document: no `Value` tree
            // (see `PlanDocument`).
            // (A typed document always serialises; `Null` as before if not.)
            let document =
                match serde_json::value::to_raw_value(&plan.document_of(index, &rendered)) {
                    Ok(json) => RunDocument::Json(json),
                    Err(_) => RunDocument::Tree(serde_json::Value::Null),
                };
            let actions = rendered
                .actions
                .into_iter()
                .map(|a| ActionInfo::planned(index, a, true))
                .collect();
            Ok::<_, ServiceError>((actions, document))
        })??;
        plan.actions = actions;
        plan.document = document;
        Ok(())
    }
}
