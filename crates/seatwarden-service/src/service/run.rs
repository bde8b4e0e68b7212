//! Runs: plan → health check and guard → journal → apply → audit → finish.
//!
//! Every run that writes follows one path, whatever started it (the
//! scheduler, "run now", an approval, a bulk action, an import, a revert):
//! its plan is journaled with the list of actions before the first write;
//! each action is applied through the host and its outcome recorded in the
//! journal as it lands, then audited; the run record gets counts and a
//! status at the end. A run holds the Store lease `run:<id>` (renewed every
//! slice) while it executes, so a run whose process died is found by the
//! next tick on any node (in progress, lease lapsed) and resumed from the
//! journal's pending actions: landed actions are never repeated, and audit
//! entries lost between "outcome recorded" and "audit written" are repaired
//! from the journal first (see `resume.rs` for every crash window).
//!
//! This file holds what the phases share: the admin-facing plan types, the
//! job queue's shape, run leases and the step loop. The phases live in
//! submodules, one concern each: `plan` (decide and journal), `apply`
//! (write, record, audit, finish), `resume` (pick up a stopped run),
//! `approval` (plans waiting for an admin) and `schedule` (the tick).

mod apply;
mod approval;
mod plan;
mod resume;
mod schedule;
mod stale;
mod wait;

pub use wait::ApprovalWait;

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use seatwarden_audit::{Actor, NewRun, PolicyId, RunId, RunKind, RunStatus};
use seatwarden_core::{Millis, Operation, UserKey};

use super::{Phase, Progress, Service, ServiceError};
use crate::store::{ActionKey, PlannedAction};

/// One action of a run's plan, with everything an admin needs to see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionInfo {
    /// The user.
    pub user: UserKey,
    /// Their username when planned (a label).
    pub username: String,
    /// The journal's key for this action.
    pub action: ActionKey,
    /// The write.
    pub operation: Operation,
    /// Who planned it (policy id, `bulk:<id>`, `revert`, `import`).
    pub source: String,
    /// The policy, for policy runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyId>,
    /// Whether it is applied (false for safe-mode sources).
    pub live: bool,
    /// Why.
    pub reason: String,
}

impl ActionInfo {
    /// A live action planned by `source` because of `reason`, on the
    /// operation's own user (no key for a group-only operation), whose
    /// username was `username`. The one constructor: every planner (policy
    /// runs, bulk actions, imports, reverts) builds its actions here.
    pub fn new(
        operation: Operation,
        username: impl Into<String>,
        source: impl Into<String>,
        reason: impl Into<String>,
    ) -> ActionInfo {
        ActionInfo {
            user: operation
                .user()
                .cloned()
                .unwrap_or_else(|| UserKey::from("")),
            username: username.into(),
            action: ActionKey::of(&operation),
            operation,
            source: source.into(),
            policy: None,
            live: true,
            reason: reason.into(),
        }
    }

    /// An action of the engine's plan, labelled with the username the index
    /// holds; live when `live_allowed` and its source is live. `action` is
    /// one `index` rendered, so its user is the one at `action.idx`: read
    /// there, not looked up by key (one hash lookup per write).
    pub fn planned(
        index: &seatwarden_core::index::DirectoryIndex,
        action: seatwarden_core::plan::PlannedAction,
        live_allowed: bool,
    ) -> ActionInfo {
        let user = seatwarden_core::index::UserIdx(action.idx);
        let username = action
            .operation
            .user()
            .map(|_| index.username(user).to_owned())
            .unwrap_or_default();
        let policy = match &action.source {
            seatwarden_core::plan::ActionSource::Policy { id } => Some(id.clone()),
            seatwarden_core::plan::ActionSource::Bulk { .. } => None,
        };
        let live = live_allowed && action.mode.writes();
        ActionInfo {
            policy,
            live,
            ..ActionInfo::new(
                action.operation,
                username,
                action.source.label(),
                action.reason.to_string(),
            )
        }
    }

    /// The same action on `user` (an import's placeholder key for a user
    /// not created yet, a group's pseudo-key).
    pub fn on(self, user: UserKey) -> ActionInfo {
        ActionInfo { user, ..self }
    }
}

/// The engine's verdict on a plan as the journal keeps it: the
/// [`seatwarden_core::plan::PlanStatus`] without its reasons (those are in the
/// plan document). Journaled as `preview`, `ready`, `needs_approval` or
/// `paused`, the strings the string field it replaces held, so journals
/// written before it still read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    /// A dry run: nothing is written.
    Preview,
    /// Apply it.
    Ready,
    /// Apply it once an admin approves the plan's hash.
    NeedsApproval,
    /// A guard or the health check stopped it; nothing is written.
    Paused,
}

impl From<&seatwarden_core::plan::PlanStatus> for PlanState {
    fn from(status: &seatwarden_core::plan::PlanStatus) -> PlanState {
        use seatwarden_core::plan::PlanStatus;
        match status {
            PlanStatus::Preview => PlanState::Preview,
            PlanStatus::Ready => PlanState::Ready,
            PlanStatus::NeedsApproval { .. } => PlanState::NeedsApproval,
            PlanStatus::Paused { .. } => PlanState::Paused,
        }
    }
}

/// A run plan's document: a JSON tree, or the same JSON already written.
///
/// Why two forms: a bulk plan at 1M users has a document of tens of MB
/// (every skipped user with the reason). Built as a `serde_json::Value`
/// tree only to be written into the journal, it cost about nine times its
/// size in allocations (`shared/reviews/performance-2026-12.md` §5.1), so
/// confirming a bulk action writes the typed document straight to JSON
/// ([`RunDocument::Json`]) and the journal copies those bytes. Both forms
/// serialise to the same JSON; read back from the journal, a document is
/// always a tree.
#[derive(Clone, Debug)]
pub enum RunDocument {
    /// A tree (small documents, and every document read back).
    Tree(serde_json::Value),
    /// JSON already serialised from the typed document.
    Json(Box<serde_json::value::RawValue>),
}

impl RunDocument {
    /// The document as a tree (parsing the written form).
    pub fn to_tree(&self) -> serde_json::Value {
        match self {
            RunDocument::Tree(v) => v.clone(),
            RunDocument::Json(raw) => serde_json::from_str(raw.get()).unwrap_or_default(),
        }
    }
}

impl Default for RunDocument {
    fn default() -> Self {
        RunDocument::Tree(serde_json::Value::Null)
    }
}

impl From<serde_json::Value> for RunDocument {
    fn from(value: serde_json::Value) -> Self {
        RunDocument::Tree(value)
    }
}

impl PartialEq for RunDocument {
    /// Equal when they mean the same JSON, whichever form each is in.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (RunDocument::Tree(a), RunDocument::Tree(b)) => a == b,
            (RunDocument::Json(a), RunDocument::Json(b)) if a.get() == b.get() => true,
            _ => self.to_tree() == other.to_tree(),
        }
    }
}

impl Serialize for RunDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            RunDocument::Tree(v) => v.serialize(serializer),
            RunDocument::Json(raw) => raw.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RunDocument {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(deserializer).map(RunDocument::Tree)
    }
}

/// What a run journals as its plan: the admin-facing document plus every
/// action with its reason, in applying order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    /// What the engine decided the run may do with the plan.
    pub status: PlanState,
    /// Who the run's audit entries name as actor.
    pub actor: Actor,
    /// The engine's plan document (totals, skips with reasons, guard and
    /// health verdicts), or another kind's preview.
    #[serde(default)]
    pub document: RunDocument,
    /// Every action with its reason.
    pub actions: Vec<ActionInfo>,
}

impl RunPlan {
    /// The live actions, de-duplicated by (user, action), as the journal
    /// lists them.
    pub fn journal_actions(&self) -> Vec<PlannedAction> {
        let mut seen = HashSet::new();
        self.actions
            .iter()
            .filter(|a| a.live)
            .filter(|a| seen.insert((a.user.clone(), a.action.clone())))
            .map(|a| PlannedAction {
                user: a.user.clone(),
                action: a.action.clone(),
                operation: Some(a.operation.clone()),
            })
            .collect()
    }

    /// A hash of the live writes (for plans the engine did not hash).
    pub fn writes_hash(&self) -> String {
        let mut h = Sha256::new();
        for a in self.actions.iter().filter(|a| a.live) {
            h.update(serde_json::to_vec(&(&a.source, &a.operation)).unwrap_or_default());
            h.update(b"\n");
        }
        hex::encode(h.finalize())
    }
}

/// A plan kept until an admin confirms it by hash (bulk, import, revert).
#[derive(Clone, Debug)]
pub struct PendingPlan {
    /// The plan id the API hands out.
    pub id: String,
    /// What kind of run it becomes.
    pub kind: RunKind,
    /// The run's name.
    pub name: String,
    /// The hash the admin must name.
    pub hash: String,
    /// The plan.
    pub plan: RunPlan,
    /// Who asked.
    pub admin: UserKey,
    /// When it was made.
    pub created: Millis,
    /// The run it reverts.
    pub reverts: Option<RunId>,
    /// For an import: the validated file, planned again when confirmed
    /// (`plan.actions` is then empty until it is).
    pub import: Option<super::import_plan::KeptImport>,
    /// For a bulk action: the compact plan, paged on demand and rendered
    /// in full when confirmed (`plan.actions` is empty until then).
    pub bulk: Option<Arc<super::bulk_preview::KeptBulk>>,
}

/// Why a plan id that was handed out is no longer kept. Confirming or
/// paging it answers 410 Gone with this reason, so an admin learns to
/// preview again instead of suspecting a typo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanDropped {
    /// Newer previews needed the room (the count or byte cap on kept plans).
    Evicted,
    /// It was older than a day.
    Expired,
    /// It was confirmed: it is a run now.
    Confirmed,
    /// The directory it was planned on was replaced (a Cloud connection
    /// was saved): its users are another organization's.
    HostReplaced,
}

impl std::fmt::Display for PlanDropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PlanDropped::Evicted => "it was dropped to make room for newer previews (at most 16 plans or 256 MiB are kept); preview again",
            PlanDropped::Expired => "it expired (plans are kept for a day); preview again",
            PlanDropped::Confirmed => "it was confirmed already; see the run list",
            PlanDropped::HostReplaced => "the directory it was planned on was replaced by a newly saved connection; preview again",
        })
    }
}

impl PendingPlan {
    /// Roughly what the plan holds in memory, for the cap on kept plans.
    pub(crate) fn weight(&self) -> usize {
        const PER_ACTION: usize = 256;
        self.import.as_ref().map_or(0, |i| i.csv.len())
            + self.bulk.as_ref().map_or(0, |b| b.weight())
            + self.plan.actions.len() * PER_ACTION
    }
}

/// Queued background work.
pub(crate) enum Job {
    /// Plan (and then apply) a policy run.
    Plan {
        run: RunId,
        policies: Vec<PolicyId>,
        preview: bool,
    },
    /// Apply a journaled run's pending actions.
    Apply {
        run: RunId,
        policy: Option<PolicyId>,
        plan: Option<Arc<RunPlan>>,
    },
}

pub(crate) use schedule::tick;

fn run_lease(run: RunId) -> PolicyId {
    PolicyId::from(format!("run:{run}"))
}

fn policy_lease(policy: &PolicyId) -> PolicyId {
    PolicyId::from(format!("policy:{policy}"))
}

impl Service {
    /// Creates a run record and takes its lease; the run is this node's.
    pub(crate) fn start_run(&self, new: &NewRun, now: Millis) -> Result<RunId, ServiceError> {
        let run = self.store().create_run(new)?;
        self.store()
            .acquire_lease(&run_lease(run), self.owner(), now, self.options().lease_ttl)?;
        self.active_runs().lock().insert(run);
        self.set_progress(
            run,
            Progress::new(0, 0, Phase::Queued, RunStatus::InProgress),
        );
        Ok(run)
    }

    fn release_policy(&self, policy: Option<&PolicyId>) {
        if let Some(p) = policy {
            // A failed release only delays the next run until the lease lapses.
            let _ = self.store().release_lease(&policy_lease(p), self.owner());
        }
    }

    /// Runs one job to completion (the scheduler's synchronous path).
    fn run_job_to_end(&self, mut job: Job, now: Millis) -> Result<(), ServiceError> {
        loop {
            match self.step(job, now)? {
                Some(next) => job = next,
                None => return Ok(()),
            }
        }
    }

    /// One slice of a job; the job to continue with, if any.
    fn step(&self, job: Job, now: Millis) -> Result<Option<Job>, ServiceError> {
        match job {
            Job::Plan {
                run,
                policies,
                preview,
            } => self.plan_run(run, &policies, preview, now),
            Job::Apply {
                run,
                policy,
                mut plan,
            } => {
                let more = self.apply_slice(
                    run,
                    policy.as_ref(),
                    &mut plan,
                    now,
                    self.options().slice_size,
                )?;
                Ok(more.then_some(Job::Apply { run, policy, plan }))
            }
        }
    }
}

/// One slice of background work; see [`Service::drive`].
pub(crate) fn drive(service: &Service, now: Millis) -> Result<bool, ServiceError> {
    // Held runs of an organization a swap left (`service::swap`); a swap
    // waiting for runs is installed by the last of them, within a drive.
    service.discard_held_after_swap(now)?;
    let job = service.jobs().lock().pop_front();
    let Some(job) = job else {
        return Ok(false);
    };
    let run = match &job {
        Job::Plan { run, .. } | Job::Apply { run, .. } => *run,
    };
    match service.step(job, now) {
        Ok(Some(next)) => service.jobs().lock().push_front(next),
        Ok(None) => {}
        Err(e) => {
            // The run stays in progress with its lease: the next tick resumes
            // it from the journal. Forget it here so that is possible.
            let _ = service
                .store()
                .release_lease(&run_lease(run), service.owner());
            service.active_runs().lock().remove(&run);
            return Err(e);
        }
    }
    service.discard_held_after_swap(now)?;
    Ok(!service.jobs().lock().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_state_is_journaled_as_the_strings_older_journals_hold() {
        for (state, text) in [
            (PlanState::Preview, "preview"),
            (PlanState::Ready, "ready"),
            (PlanState::NeedsApproval, "needs_approval"),
            (PlanState::Paused, "paused"),
        ] {
            let json = serde_json::to_value(state).unwrap();
            assert_eq!(json, serde_json::json!(text));
            let back: PlanState = serde_json::from_value(json).unwrap();
            assert_eq!(back, state);
        }
        assert!(serde_json::from_str::<PlanState>("\"approved\"").is_err());
    }
}
