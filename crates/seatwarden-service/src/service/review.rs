//! The review list: what review-mode policies queue, what admins decide,
//! what timeouts decide, and how a run closes items.
//!
//! The engine does the deciding (`SkipReason::AwaitingReview` for users a
//! review-mode policy would act on without an approval; approved users are
//! acted on like a live policy's). This module is the bookkeeping around a
//! run of such a policy:
//!
//! 1. before planning, undecided items past the policy's `timeoutDays` get
//!    its `onTimeout` (nothing: stay open; act: approved; exempt: rejected
//!    with an exemption of `exemptDays`);
//! 2. the plan is made with the stored exemptions and the approved items;
//! 3. after planning (never for a preview), users awaiting review are
//!    queued with the plan's reasons; approved items the run acts on are
//!    closed as acted (naming the run); pending items whose user the run
//!    no longer matches are closed as "no longer applies" with the reason.
//!
//! A rejection is an exemption from the item's policy for the period the
//! reviewer chose, granted by "review decision by K (item N)".

use std::collections::{HashMap, HashSet};

use seatwarden_audit::{Action as AuditAction, Actor, AuditEntry, RunId, Status, Target};
use seatwarden_core::Millis;
use seatwarden_core::exemption::{Exemption, ExemptionScope, GrantedBy};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::model::UserKey;
use seatwarden_core::plan::{ActionSource, Plan, PlanStatus, SkipReason};
use seatwarden_core::policy::{Mode, OnTimeout, PolicyId, ReviewSettings};
use serde::{Deserialize, Serialize};

use super::exempt::{ExemptionError, describe};
use super::{Missing, Service, ServiceError};
use crate::store::{
    Decider, NewReviewItem, ReviewChange, ReviewFilter, ReviewId, ReviewItem, ReviewOrigin,
    ReviewState, ReviewStatus,
};

/// What the engine needs from the store besides the directory: the
/// exemptions and the approved review items.
#[derive(Clone, Debug, Default)]
pub struct People {
    /// Every stored exemption (evaluation ignores lapsed ones).
    pub exemptions: Vec<Exemption>,
    /// Approved (policy, user) review items.
    pub approved: Vec<(PolicyId, UserKey)>,
}

/// An admin's decision on review items.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    tag = "decision",
    rename_all_fields = "camelCase"
)]
pub enum ReviewDecision {
    /// Act on the users (the next run of the policy, or "act now").
    Approve,
    /// Spare the users: each gets an exemption from the item's policy.
    Reject {
        /// The exemption's end (`None`: indefinite, an explicit choice).
        until: Option<Millis>,
        /// Why (the exemption's reason); a default sentence when absent.
        #[serde(default)]
        note: Option<String>,
    },
}

/// What a decision did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionReport {
    /// The items decided now, as stored after.
    pub decided: Vec<ReviewItem>,
    /// Items that were no longer open (decided meanwhile by someone else, or
    /// closed by a run): left as they were.
    pub not_open: usize,
}

/// What a run must record on the review list (see [`Service::review_sync`]).
#[derive(Debug, Default)]
pub(crate) struct ReviewSync {
    queue: Vec<NewReviewItem>,
    changes: Vec<ReviewChange>,
}

/// The days a timeout "exempt" grants.
fn exempt_days(r: &ReviewSettings) -> u32 {
    r.exempt_days.unwrap_or(ReviewSettings::DEFAULT_EXEMPT_DAYS)
}

impl Service {
    /// The exemptions and approved items evaluation needs now.
    pub(crate) fn people(&self) -> Result<People, ServiceError> {
        let exemptions = self.store().list_exemptions()?;
        let approved = self
            .store()
            .list_review(&ReviewFilter {
                statuses: vec![ReviewStatus::Approved],
                policy: None,
            })?
            .into_iter()
            .map(|r| (r.item.policy, r.item.user))
            .collect();
        Ok(People {
            exemptions,
            approved,
        })
    }

    /// Puts items onto the review list (those without a pending item for
    /// the same policy and user) and audits each created one as queued by
    /// `actor`; answers the created items.
    pub fn enqueue_review(
        &self,
        items: &[NewReviewItem],
        actor: Actor,
        now: Millis,
    ) -> Result<Vec<ReviewItem>, ServiceError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let created = self.store().enqueue_review(items)?;
        let entries: Vec<AuditEntry> = created
            .iter()
            .map(|r| {
                let mut entry = self.review_entry(r, &actor, AuditAction::ReviewQueued, now);
                entry = entry.with_description(format!(
                    "review item {}: {} awaits a decision ({})",
                    r.id,
                    r.item.action,
                    r.item.reasons.join("; ")
                ));
                if let ReviewOrigin::Run { run } = r.item.origin {
                    entry = entry.with_run(run);
                }
                entry
            })
            .collect();
        self.store().append_audit(&entries)?;
        Ok(created)
    }

    /// The review items passing `filter`.
    pub fn review_items(&self, filter: &ReviewFilter) -> Result<Vec<ReviewItem>, ServiceError> {
        Ok(self.store().list_review(filter)?)
    }

    /// An admin's decision on `ids`. Every id must exist (else nothing
    /// changes: not found); items no longer open are left alone and counted.
    /// A rejection grants each user an exemption from the item's policy.
    pub fn decide_review(
        &self,
        ids: &[ReviewId],
        decision: &ReviewDecision,
        admin: &UserKey,
        actor: Actor,
        now: Millis,
    ) -> Result<DecisionReport, ServiceError> {
        if ids.is_empty() {
            return Err(ExemptionError::NoUsers.into());
        }
        let mut note = None;
        if let ReviewDecision::Reject { until, note: n } = decision {
            if until.is_some_and(|u| u <= now) {
                return Err(ExemptionError::EndInPast.into());
            }
            let text = n
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "rejected on the review list".to_owned());
            if let Some(problem) = seatwarden_core::exemption::reason_problem(&text) {
                return Err(ExemptionError::Reason(problem).into());
            }
            note = Some(text);
        }
        let all = self.store().list_review(&ReviewFilter::default())?;
        let by_id: HashMap<ReviewId, &ReviewItem> = all.iter().map(|r| (r.id, r)).collect();
        if let Some(missing) = ids.iter().find(|id| !by_id.contains_key(id)) {
            return Err(ServiceError::NotFound(Missing::ReviewItem(*missing)));
        }
        let by = Decider::Admin {
            admin: admin.clone(),
        };
        let wanted: HashSet<ReviewId> = ids.iter().copied().collect();
        let changes: Vec<ReviewChange> = wanted
            .iter()
            .map(|id| ReviewChange {
                id: *id,
                from: ReviewStatus::Open,
                to: match decision {
                    ReviewDecision::Approve => ReviewState::Approved {
                        by: by.clone(),
                        at: now,
                    },
                    ReviewDecision::Reject { until, .. } => ReviewState::Rejected {
                        by: by.clone(),
                        at: now,
                        exempt_until: *until,
                    },
                },
            })
            .collect();
        let mut decided = self.store().update_review(&changes)?;
        decided.sort_by_key(|r| r.id);
        let not_open = wanted.len() - decided.len();
        let mut entries = Vec::new();
        if let (ReviewDecision::Reject { until, .. }, Some(note)) = (decision, note) {
            let grants: Vec<Exemption> = decided
                .iter()
                .map(|r| Exemption {
                    user: r.item.user.clone(),
                    scope: ExemptionScope::Policy(r.item.policy.clone()),
                    until: *until,
                    reason: note.clone(),
                    granted_by: GrantedBy::ReviewDecision {
                        admin: admin.clone(),
                        item: r.id.0,
                    },
                    created_at: now,
                })
                .collect();
            let replaced = self.store().write_exemptions(&grants, &[])?;
            for (r, e) in decided.iter().zip(&grants) {
                let mut entry = self
                    .review_entry(r, &actor, AuditAction::ReviewRejected, now)
                    .with_description(format!("review item {} rejected: {}", r.id, describe(e)));
                if let Some(old) = replaced.iter().find(|o| o.key() == e.key()) {
                    entry = entry.with_reason(format!("replaces: {}", describe(old)));
                }
                entries.push(entry);
            }
        } else {
            for r in &decided {
                entries.push(
                    self.review_entry(r, &actor, AuditAction::ReviewApproved, now)
                        .with_description(format!(
                            "review item {} approved: {} on the next run",
                            r.id, r.item.action
                        )),
                );
            }
        }
        self.store().append_audit(&entries)?;
        Ok(DecisionReport { decided, not_open })
    }

    /// Applies the timeout of each review-mode policy in `policies` to its
    /// open items queued at least `timeoutDays` before `now`; answers how
    /// many items it decided.
    pub(crate) fn apply_review_timeouts(
        &self,
        policies: &[PolicyId],
        now: Millis,
    ) -> Result<usize, ServiceError> {
        let settings = self.settings();
        let mut decided = 0;
        for policy in settings
            .config
            .policies
            .iter()
            .filter(|p| p.mode == Mode::Review && policies.contains(&p.id))
        {
            let Some(review) = &policy.review else {
                continue;
            };
            let Some(days) = review.timeout_days else {
                continue;
            };
            if review.on_timeout == OnTimeout::Nothing {
                continue;
            }
            let due: Vec<ReviewItem> = self
                .store()
                .list_review(&ReviewFilter {
                    statuses: vec![ReviewStatus::Open],
                    policy: Some(policy.id.clone()),
                })?
                .into_iter()
                .filter(|r| r.item.queued_at.plus_days(days) <= now)
                .collect();
            if due.is_empty() {
                continue;
            }
            let until = now.plus_days(exempt_days(review));
            let changes: Vec<ReviewChange> = due
                .iter()
                .map(|r| ReviewChange {
                    id: r.id,
                    from: ReviewStatus::Open,
                    to: match review.on_timeout {
                        OnTimeout::Exempt => ReviewState::Rejected {
                            by: Decider::Timeout,
                            at: now,
                            exempt_until: Some(until),
                        },
                        _ => ReviewState::Approved {
                            by: Decider::Timeout,
                            at: now,
                        },
                    },
                })
                .collect();
            let changed = self.store().update_review(&changes)?;
            decided += changed.len();
            let actor = Actor::policy(policy.id.clone());
            let mut entries = Vec::new();
            if review.on_timeout == OnTimeout::Exempt {
                let grants: Vec<Exemption> = changed
                    .iter()
                    .map(|r| Exemption {
                        user: r.item.user.clone(),
                        scope: ExemptionScope::Policy(policy.id.clone()),
                        until: Some(until),
                        reason: format!("nobody decided within {days} days"),
                        granted_by: GrantedBy::ReviewTimeout { item: r.id.0 },
                        created_at: now,
                    })
                    .collect();
                self.store().write_exemptions(&grants, &[])?;
                for (r, e) in changed.iter().zip(&grants) {
                    entries.push(
                        self.review_entry(r, &actor, AuditAction::ReviewRejected, now)
                            .with_description(format!(
                                "review item {} timed out after {days} days: {}",
                                r.id,
                                describe(e)
                            )),
                    );
                }
            } else {
                for r in &changed {
                    entries.push(
                        self.review_entry(r, &actor, AuditAction::ReviewApproved, now)
                            .with_description(format!(
                                "review item {} timed out after {days} days: approved, {} on this run",
                                r.id, r.item.action
                            )),
                    );
                }
            }
            self.store().append_audit(&entries)?;
        }
        Ok(decided)
    }

    /// After planning a (non-preview) run, what the review list must
    /// record: the users review-mode policies wait on (to queue), approved
    /// items the run acts on (acted) and pending items it no longer matches
    /// ("no longer applies"). Reads the index, so it runs under its lock;
    /// [`Service::record_review`] writes the result once the lock is gone.
    pub(crate) fn review_sync(
        &self,
        run: RunId,
        plan: &Plan,
        index: &DirectoryIndex,
        now: Millis,
    ) -> Result<ReviewSync, ServiceError> {
        let review_outcomes: Vec<_> = plan
            .outcomes
            .iter()
            .filter(|o| o.mode == Mode::Review)
            .filter_map(|o| match &o.source {
                ActionSource::Policy { id } => Some((id, o)),
                ActionSource::Bulk { .. } => None,
            })
            .collect();
        if review_outcomes.is_empty() {
            return Ok(ReviewSync::default());
        }
        // Approved users are acted on by a run whose plan is journaled for
        // applying (ready, or held for the guard's approval).
        let acts = matches!(
            plan.status(),
            PlanStatus::Ready | PlanStatus::NeedsApproval { .. }
        );
        let mut queue = Vec::new();
        let mut changes = Vec::new();
        for (policy, outcome) in review_outcomes {
            let pending = self.store().list_review(&ReviewFilter {
                statuses: vec![ReviewStatus::Open, ReviewStatus::Approved],
                policy: Some(policy.clone()),
            })?;
            let acted = outcome.acted_on();
            let mut waiting = roaring::RoaringBitmap::new();
            for s in &outcome.skipped {
                if s.reason == SkipReason::AwaitingReview {
                    waiting |= &s.users;
                }
            }
            for idx in &waiting {
                let user = index.user(seatwarden_core::index::UserIdx(idx));
                queue.push(NewReviewItem {
                    policy: policy.clone(),
                    user: UserKey::from(index.key(seatwarden_core::index::UserIdx(idx))),
                    user_name: user.map(|u| u.to_user().username.to_string()),
                    action: outcome.action.kind_name().replace('_', " "),
                    reasons: vec![outcome.reason_of(index, now, idx).to_string()],
                    origin: ReviewOrigin::Run { run },
                    queued_at: now,
                });
            }
            for item in pending {
                let idx = index.index_of_key(&item.item.user).map(|i| i.0);
                let status = item.state.status();
                let is_acted = idx.is_some_and(|i| acted.contains(i));
                let is_waiting = idx.is_some_and(|i| waiting.contains(i));
                if status == ReviewStatus::Approved && is_acted {
                    if acts {
                        let (approved_by, approved_at) = match &item.state {
                            ReviewState::Approved { by, at } => (Some(by.clone()), Some(*at)),
                            _ => (None, None),
                        };
                        changes.push(ReviewChange {
                            id: item.id,
                            from: status,
                            to: ReviewState::Acted {
                                run,
                                at: now,
                                approved_by,
                                approved_at,
                            },
                        });
                    }
                } else if !is_acted && !is_waiting {
                    let reason = match idx.and_then(|i| outcome.skip_of(i)) {
                        Some(skip) => skip.to_string(),
                        None if idx.is_none() => "the user is no longer in the directory".into(),
                        None => "the user no longer matches the policy's condition".into(),
                    };
                    changes.push(ReviewChange {
                        id: item.id,
                        from: status,
                        to: ReviewState::NoLongerApplies { at: now, reason },
                    });
                }
            }
        }
        Ok(ReviewSync { queue, changes })
    }

    /// Writes what [`Service::review_sync`] found, auditing each change.
    pub(crate) fn record_review(
        &self,
        run: RunId,
        sync: ReviewSync,
        now: Millis,
    ) -> Result<(), ServiceError> {
        let ReviewSync { queue, changes } = sync;
        if queue.is_empty() && changes.is_empty() {
            return Ok(());
        }
        self.enqueue_review(&queue, Actor::system(), now)?;
        let closed = self.store().update_review(&changes)?;
        let entries: Vec<AuditEntry> = closed
            .iter()
            .map(|r| {
                let what = match &r.state {
                    ReviewState::Acted { run, .. } => format!("acted on by run {run}"),
                    ReviewState::NoLongerApplies { reason, .. } => {
                        format!("no longer applies: {reason}")
                    }
                    _ => "closed".to_owned(),
                };
                self.review_entry(
                    r,
                    &Actor::policy(r.item.policy.clone()),
                    AuditAction::ReviewClosed,
                    now,
                )
                .with_run(run)
                .with_description(format!("review item {}: {what}", r.id))
            })
            .collect();
        self.store().append_audit(&entries)?;
        Ok(())
    }

    /// A held run was discarded (`docs/exemptions-and-review.md`): the
    /// items it had closed as acted were never acted on, so each goes back
    /// to `approved` with its approval (the next run acts on the user). An
    /// item whose approval was not kept (closed before it was) goes back to
    /// `open` for a new decision; one whose user meanwhile got a newer
    /// open or approved item closes as "no longer applies", naming it (at
    /// most one such item per policy and user). Each change is audited.
    pub(crate) fn reopen_discarded(
        &self,
        run: RunId,
        admin: &Actor,
        now: Millis,
    ) -> Result<usize, ServiceError> {
        let held: Vec<ReviewItem> = self
            .store()
            .list_review(&ReviewFilter {
                statuses: vec![ReviewStatus::Acted],
                policy: None,
            })?
            .into_iter()
            .filter(|r| matches!(r.state, ReviewState::Acted { run: r2, .. } if r2 == run))
            .collect();
        if held.is_empty() {
            return Ok(0);
        }
        let pending = self.store().list_review(&ReviewFilter {
            statuses: vec![ReviewStatus::Open, ReviewStatus::Approved],
            policy: None,
        })?;
        let changes: Vec<ReviewChange> = held
            .iter()
            .map(|r| {
                let newer = pending
                    .iter()
                    .find(|p| p.item.policy == r.item.policy && p.item.user == r.item.user);
                let to = match (&r.state, newer) {
                    (_, Some(p)) => ReviewState::NoLongerApplies {
                        at: now,
                        reason: format!("run {run} was discarded; item {} waits instead", p.id),
                    },
                    (
                        ReviewState::Acted {
                            approved_by: Some(by),
                            approved_at: Some(at),
                            ..
                        },
                        None,
                    ) => ReviewState::Approved {
                        by: by.clone(),
                        at: *at,
                    },
                    _ => ReviewState::Open,
                };
                ReviewChange {
                    id: r.id,
                    from: ReviewStatus::Acted,
                    to,
                }
            })
            .collect();
        let changed = self.store().update_review(&changes)?;
        let entries: Vec<AuditEntry> = changed
            .iter()
            .map(|r| {
                let (action, what) = match &r.state {
                    ReviewState::Approved { by, .. } => (
                        AuditAction::ReviewApproved,
                        format!("approved again (by {by}): run {run} that would act was discarded"),
                    ),
                    ReviewState::Open => (
                        AuditAction::ReviewQueued,
                        format!("open again: run {run} that would act was discarded"),
                    ),
                    ReviewState::NoLongerApplies { reason, .. } => (
                        AuditAction::ReviewClosed,
                        format!("no longer applies: {reason}"),
                    ),
                    _ => (AuditAction::ReviewClosed, "changed".to_owned()),
                };
                self.review_entry(r, admin, action, now)
                    .with_run(run)
                    .with_description(format!("review item {}: {what}", r.id))
            })
            .collect();
        self.store().append_audit(&entries)?;
        Ok(changed.len())
    }

    fn review_entry(
        &self,
        r: &ReviewItem,
        actor: &Actor,
        action: AuditAction,
        now: Millis,
    ) -> AuditEntry {
        AuditEntry::new(now, actor.clone(), action, Status::Success)
            .with_target(Target::user(
                r.item.user.clone(),
                r.item
                    .user_name
                    .clone()
                    .or_else(|| self.username_of(&r.item.user)),
            ))
            .with_policy(r.item.policy.clone())
    }
}
