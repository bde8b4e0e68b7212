//! Stored exemptions and review-list items: the types the Store port keeps.
//!
//! Why both in one module: a review decision *is* an exemption grant (a
//! rejected item exempts the user for a chosen period), and both are small
//! per-user records whose rules (one exemption per user and scope; one
//! undecided item per policy and user; decisions are compare-and-set so two
//! reviewers cannot both decide one item) every store must keep alike. The
//! rules are written once here ([`ExemptionTable`], [`ReviewTable`]) and the
//! stores keep rows; the conformance suite checks each store against them.

use std::collections::BTreeMap;
use std::fmt;

use seatwarden_audit::RunId;
use seatwarden_core::Millis;
use seatwarden_core::exemption::{Exemption, ExemptionScope};
use seatwarden_core::model::UserKey;
use seatwarden_core::policy::PolicyId;
use serde::{Deserialize, Serialize};

/// Identifies an exemption: one per (user, scope).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExemptionKey {
    /// The user.
    pub user: UserKey,
    /// The policies covered.
    pub scope: ExemptionScope,
}

impl ExemptionKey {
    /// The key of an exemption.
    pub fn of(e: &Exemption) -> ExemptionKey {
        ExemptionKey {
            user: e.user.clone(),
            scope: e.scope.clone(),
        }
    }

    /// A stable text form for stores that key rows by one string:
    /// `scope` + U+001F + `user` (neither may hold that control character:
    /// policy ids are `[A-Za-z0-9._-]`, user keys are refused with control
    /// characters at ingest).
    pub fn text(&self) -> String {
        format!("{}\u{1f}{}", self.scope.key(), self.user)
    }
}

/// A review item's identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReviewId(pub i64);

impl fmt::Display for ReviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a review item came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    tag = "kind",
    rename_all_fields = "camelCase"
)]
pub enum ReviewOrigin {
    /// A run of a review-mode policy would have acted on the user.
    Run {
        /// The run.
        run: RunId,
    },
    /// A user's "I still need access" request, sent to the review list by
    /// its policy.
    Request {
        /// The request's identifier.
        request: String,
    },
}

/// Who decided an item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Decider {
    /// An admin.
    Admin {
        /// The admin's key.
        admin: UserKey,
    },
    /// Nobody within the policy's `review.timeoutDays`: its `onTimeout`
    /// decided.
    Timeout,
}

impl fmt::Display for Decider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decider::Admin { admin } => write!(f, "`{admin}`"),
            Decider::Timeout => f.write_str("the review timeout"),
        }
    }
}

/// Where an item stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    tag = "state",
    rename_all_fields = "camelCase"
)]
pub enum ReviewState {
    /// Waiting for a decision.
    Open,
    /// Approved: the next run of the policy acts on the user.
    Approved {
        /// Who approved.
        by: Decider,
        /// When.
        at: Millis,
    },
    /// Rejected: the user is exempt from the policy (until `exempt_until`).
    Rejected {
        /// Who rejected.
        by: Decider,
        /// When.
        at: Millis,
        /// The exemption's end (`None`: indefinite).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exempt_until: Option<Millis>,
    },
    /// A run acted on the approved user (or holds a plan that will, when
    /// the mass-change guard stopped it: discarding that run puts the item
    /// back to [`ReviewState::Approved`] with the approval kept here).
    Acted {
        /// The run.
        run: RunId,
        /// When.
        at: Millis,
        /// Who had approved it (absent on items closed before this was
        /// kept).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<Decider>,
        /// When it had been approved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_at: Option<Millis>,
    },
    /// The user no longer matches (came back, left scope, got protected…).
    NoLongerApplies {
        /// When it was closed.
        at: Millis,
        /// Why, as the plan says it.
        reason: String,
    },
}

/// The stable status names of [`ReviewState`] (filters, stores' kind column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// [`ReviewState::Open`].
    Open,
    /// [`ReviewState::Approved`].
    Approved,
    /// [`ReviewState::Rejected`].
    Rejected,
    /// [`ReviewState::Acted`].
    Acted,
    /// [`ReviewState::NoLongerApplies`].
    NoLongerApplies,
}

impl ReviewStatus {
    /// Every status.
    pub const ALL: [ReviewStatus; 5] = [
        ReviewStatus::Open,
        ReviewStatus::Approved,
        ReviewStatus::Rejected,
        ReviewStatus::Acted,
        ReviewStatus::NoLongerApplies,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Open => "open",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Rejected => "rejected",
            ReviewStatus::Acted => "acted",
            ReviewStatus::NoLongerApplies => "no_longer_applies",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<ReviewStatus> {
        ReviewStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// True while the item still waits for something (a decision or a
    /// run): at most one such item exists per (policy, user).
    pub fn is_pending(self) -> bool {
        matches!(self, ReviewStatus::Open | ReviewStatus::Approved)
    }
}

impl ReviewState {
    /// The state's status name.
    pub fn status(&self) -> ReviewStatus {
        match self {
            ReviewState::Open => ReviewStatus::Open,
            ReviewState::Approved { .. } => ReviewStatus::Approved,
            ReviewState::Rejected { .. } => ReviewStatus::Rejected,
            ReviewState::Acted { .. } => ReviewStatus::Acted,
            ReviewState::NoLongerApplies { .. } => ReviewStatus::NoLongerApplies,
        }
    }
}

/// An item to put on the review list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewReviewItem {
    /// The policy that would act.
    pub policy: PolicyId,
    /// The user it would act on.
    pub user: UserKey,
    /// The username at the time (for people reading the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// What the policy would do, in words ("deactivate").
    pub action: String,
    /// Why, as the plan says it ("last login 2026-06-01, 173 days ≥ 90").
    pub reasons: Vec<String>,
    /// Where it came from.
    pub origin: ReviewOrigin,
    /// When it was queued.
    pub queued_at: Millis,
}

/// A stored review item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    /// The id.
    pub id: ReviewId,
    /// What was queued.
    #[serde(flatten)]
    pub item: NewReviewItem,
    /// Where it stands.
    pub state: ReviewState,
}

/// One compare-and-set change of an item: applied only while the item's
/// status is still `from` (a second reviewer deciding the same item, or a
/// run closing it meanwhile, changes nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewChange {
    /// The item.
    pub id: ReviewId,
    /// The status it must still have.
    pub from: ReviewStatus,
    /// The new state.
    pub to: ReviewState,
}

/// Which items a listing returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    /// Only these statuses (empty: all).
    pub statuses: Vec<ReviewStatus>,
    /// Only this policy's items.
    pub policy: Option<PolicyId>,
}

impl ReviewFilter {
    /// True when `item` passes.
    pub fn matches(&self, item: &ReviewItem) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&item.state.status()))
            && self.policy.as_ref().is_none_or(|p| *p == item.item.policy)
    }

    /// Items still waiting (open or approved).
    pub fn pending() -> ReviewFilter {
        ReviewFilter {
            statuses: vec![ReviewStatus::Open, ReviewStatus::Approved],
            policy: None,
        }
    }
}

/// The exemption rules over an in-memory map (the memory store, and the
/// reference the conformance suite compares the others with).
#[derive(Clone, Debug, Default)]
pub struct ExemptionTable {
    rows: BTreeMap<ExemptionKey, Exemption>,
}

impl ExemptionTable {
    /// Every exemption, by user then scope.
    pub fn list(&self) -> Vec<Exemption> {
        let mut out: Vec<Exemption> = self.rows.values().cloned().collect();
        out.sort_by(|a, b| (&a.user, &a.scope).cmp(&(&b.user, &b.scope)));
        out
    }

    /// See [`crate::store::Store::write_exemptions`].
    pub fn write(&mut self, grant: &[Exemption], revoke: &[ExemptionKey]) -> Vec<Exemption> {
        let mut previous = Vec::new();
        for e in grant {
            if let Some(old) = self.rows.insert(ExemptionKey::of(e), e.clone()) {
                previous.push(old);
            }
        }
        for k in revoke {
            if let Some(old) = self.rows.remove(k) {
                previous.push(old);
            }
        }
        previous
    }
}

/// The review-list rules over an in-memory map.
#[derive(Clone, Debug, Default)]
pub struct ReviewTable {
    rows: BTreeMap<i64, ReviewItem>,
    next: i64,
}

impl ReviewTable {
    /// See [`crate::store::Store::enqueue_review`].
    pub fn enqueue(&mut self, items: &[NewReviewItem]) -> Vec<ReviewItem> {
        let mut created = Vec::new();
        for item in items {
            let pending = self.rows.values().any(|r| {
                r.state.status().is_pending()
                    && r.item.policy == item.policy
                    && r.item.user == item.user
            });
            if pending {
                continue;
            }
            self.next += 1;
            let row = ReviewItem {
                id: ReviewId(self.next),
                item: item.clone(),
                state: ReviewState::Open,
            };
            self.rows.insert(self.next, row.clone());
            created.push(row);
        }
        created
    }

    /// See [`crate::store::Store::list_review`].
    pub fn list(&self, filter: &ReviewFilter) -> Vec<ReviewItem> {
        self.rows
            .values()
            .filter(|r| filter.matches(r))
            .cloned()
            .collect()
    }

    /// See [`crate::store::Store::update_review`].
    pub fn update(&mut self, changes: &[ReviewChange]) -> Vec<ReviewItem> {
        let mut changed = Vec::new();
        for c in changes {
            if let Some(row) = self.rows.get_mut(&c.id.0)
                && row.state.status() == c.from
            {
                row.state = c.to.clone();
                changed.push(row.clone());
            }
        }
        changed
    }
}
