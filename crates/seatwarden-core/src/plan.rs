//! Plans: what a run would do, to whom, and why — and whom it spared, and why.
//!
//! A plan is the one artefact every run produces, in safe mode and in live
//! mode alike: the preview an admin reads, the thing the guard inspects, the
//! exact set of writes an approval refers to (by its [`Plan::hash`]), and
//! what the service journals before its first write.
//!
//! **Compact inside, explicit on demand.** At a million users a plan may
//! touch hundreds of thousands of accounts; building a struct with strings
//! per action would blow the evaluation budget. So a plan holds, per source
//! (a policy or an admin's bulk action), *bitmaps*: who gets the account
//! operation, who gets which group operation, which condition fired for whom
//! (with its threshold), and who was skipped for which reason. Per-user
//! [`PlannedAction`]s with typed [`Reason`]s, [`PlannedSkip`]s, totals, the
//! hash and the JSON document are all derived from those bitmaps and the
//! index when asked for.
//!
//! **Sources.** A plan's actions come from [`ActionSource`]s: a policy, or a
//! bulk action by an admin (the Users tab's "deactivate these 300 users", a
//! CSV import's changes). Bulk actions go through the very same machinery
//! (protection, read-only directories, the guard) via
//! [`crate::evaluate::evaluate_bulk`]; see `docs/policies.md`.

pub(crate) mod key_order;
mod page;
mod reason;
mod render;

use std::fmt;

use roaring::RoaringBitmap;

use crate::activity::WarmingSignal;
use crate::index::SignalMask;
use serde::{Deserialize, Serialize};

use crate::index::{DirectoryIndex, GroupOrd, UserIdx};
use crate::model::{DirectoryId, GroupName, UserKey};
use crate::policy::{Action, Mode, PolicyId};
use crate::safety::{GuardTrip, HealthProblem};
use crate::time::Millis;

pub use page::{PlanOrder, SkipTotal};
pub use reason::Reason;
pub use render::{PlanDocument, PlanTotals, PolicyTotals, RenderedPlan, SkipEntry, reference};

/// Where a planned action comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ActionSource {
    /// A configured policy.
    Policy {
        /// The policy.
        id: PolicyId,
    },
    /// A bulk action an admin asked for (Users tab, CSV import).
    Bulk {
        /// The request's identifier (e.g. an operation-run id).
        id: String,
        /// The admin who asked.
        admin: UserKey,
    },
}

impl ActionSource {
    /// A short label: the policy id, or `bulk:<id>`.
    pub fn label(&self) -> String {
        match self {
            ActionSource::Policy { id } => id.0.to_string(),
            ActionSource::Bulk { id, .. } => format!("bulk:{id}"),
        }
    }
}

impl fmt::Display for ActionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionSource::Policy { id } => write!(f, "policy `{id}`"),
            ActionSource::Bulk { id, admin } => write!(f, "bulk action `{id}` by `{admin}`"),
        }
    }
}

/// Which fact made a user match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Last login at least the threshold ago.
    Inactive,
    /// Never logged in, created at least the threshold ago.
    NeverLoggedIn,
    /// Logged in once, that login at least the threshold ago.
    OnceLoggedIn,
    /// Deactivated at least the threshold ago.
    Deactivated,
    /// Chosen by an admin (bulk action).
    Selected,
}

/// Users who matched on one basis, with the threshold that applied.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchSet {
    /// The fact.
    pub basis: Basis,
    /// The threshold in days (0 for [`Basis::Selected`]).
    pub threshold_days: u32,
    /// The users (disjoint from the other match sets of the same outcome).
    pub users: RoaringBitmap,
}

/// Where a deactivation time came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeSource {
    /// The host reported it.
    Host,
    /// Our audit trail recorded it.
    Audit,
}

/// Why a user who matched a policy gets no action from it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SkipReason {
    /// System administrators are always protected.
    Sysadmin,
    /// The admin account automation acts as is always protected.
    ActingAdmin,
    /// Member of a protected group (global or the policy's own).
    ProtectedGroup {
        /// The group.
        group: GroupName,
    },
    /// The user's directory does not allow the write (or not the one needed).
    ReadOnlyDirectory {
        /// The directory.
        directory: DirectoryId,
    },
    /// An external account (not managed by the organization, Atlassian
    /// Cloud): the organization cannot deactivate, enable or delete it;
    /// it can only suspend its access. Typed rather than a read-only
    /// directory so the plan says why, not just where.
    ExternalAccount {
        /// The directory holding external accounts.
        directory: DirectoryId,
    },
    /// A higher-priority source already plans something incompatible.
    Conflict {
        /// The winner.
        winner: ActionSource,
        /// The contested group, for group operations.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<GroupName>,
    },
    /// A delete policy needs the deactivation time; neither the host nor the
    /// audit trail knows it.
    DeactivationTimeUnknown,
    /// A login policy: no licence seat left for the target group.
    NoSeat {
        /// The group that was not added.
        group: GroupName,
    },
    /// A reactivation policy: member of a restricted group.
    RestrictedGroup {
        /// The group.
        group: GroupName,
    },
    /// A deactivation that renames (adds a suffix): another account already
    /// has the new username, so the rename, and with it the deactivation,
    /// cannot happen. The plan never promises it.
    RenameTargetTaken {
        /// The account holding the username (its key, not its name).
        holder: UserKey,
    },
    /// A policy with warnings: this user's warning for the current idle
    /// cycle was not delivered at least `days_before` days ago (see
    /// [`crate::warning`]). Nobody is acted on without the promised notice.
    NotWarnedYet {
        /// The policy's warning lead time.
        days_before: u32,
        /// The first day the policy may act (the warning's delivery day plus
        /// `days_before`); `None` while the warning is not delivered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        acts_from: Option<Millis>,
    },
    /// An exemption spares the user from this policy (see
    /// [`crate::exemption`]).
    Exempt {
        /// The first instant it no longer holds (`None`: indefinite).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Millis>,
        /// Who granted it.
        granted_by: crate::exemption::GrantedBy,
        /// Why.
        reason: String,
    },
    /// A review-mode policy: the user goes onto the review list and is acted
    /// on only once an admin approves (or the policy's timeout says so).
    AwaitingReview,
    /// A suspension of a user whose access is already suspended (Atlassian
    /// Cloud): nothing to do.
    AlreadySuspended,
    /// A restore of a user who is deactivated, not suspended (Atlassian
    /// Cloud): restoring access would not bring them back; enabling the
    /// account (bulk "Activate") does.
    NotSuspended,
}

impl SkipReason {
    /// The reason in words for people, with the directory named as admins
    /// know it ("directory Corporate LDAP does not allow this change"),
    /// not by the host's id, which no admin screen shows. The `Display`
    /// form (id only) stays for contexts without the directory, such as
    /// the journal's typed reason; a directory `index` does not know is
    /// named by its id.
    pub fn describe(&self, index: &DirectoryIndex) -> String {
        match self {
            SkipReason::ReadOnlyDirectory { directory } => match index.directory(*directory) {
                Some(d) if !d.name.trim().is_empty() => {
                    format!("directory {} does not allow this change", d.name.trim())
                }
                _ => self.to_string(),
            },
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Sysadmin => f.write_str("system administrator (always protected)"),
            SkipReason::ActingAdmin => f.write_str("the acting admin account (always protected)"),
            SkipReason::ProtectedGroup { group } => {
                write!(f, "member of protected group `{group}`")
            }
            SkipReason::ReadOnlyDirectory { directory } => {
                write!(f, "directory {directory} does not allow this change")
            }
            SkipReason::ExternalAccount { .. } => f.write_str(
                "external account (not managed by your organization): can only be suspended",
            ),
            SkipReason::Conflict {
                winner,
                group: Some(g),
            } => write!(f, "{winner} has priority for group `{g}`"),
            SkipReason::Conflict {
                winner,
                group: None,
            } => write!(f, "{winner} has priority"),
            SkipReason::DeactivationTimeUnknown => {
                f.write_str("deactivation time unknown (neither host nor audit trail has it)")
            }
            SkipReason::NoSeat { group } => write!(f, "no licence seat left for group `{group}`"),
            SkipReason::RestrictedGroup { group } => {
                write!(f, "member of restricted group `{group}`")
            }
            SkipReason::RenameTargetTaken { holder } => write!(
                f,
                "the renamed username is already held by account `{holder}`"
            ),
            SkipReason::NotWarnedYet {
                days_before,
                acts_from: Some(at),
            } => write!(
                f,
                "warned {days_before} days ahead: acted on from {}",
                at.date_string()
            ),
            SkipReason::NotWarnedYet {
                days_before,
                acts_from: None,
            } => write!(
                f,
                "not warned yet: warned first, acted on {days_before} days after the warning is delivered"
            ),
            SkipReason::Exempt {
                until,
                granted_by,
                reason,
            } => {
                match until {
                    Some(u) => write!(f, "exempt until {}", crate::exemption::last_day(*u))?,
                    None => f.write_str("exempt indefinitely")?,
                }
                write!(f, " (granted by {granted_by}: {reason})")
            }
            SkipReason::AwaitingReview => {
                f.write_str("review mode: on the review list, acted on once approved")
            }
            SkipReason::AlreadySuspended => f.write_str("access already suspended"),
            SkipReason::NotSuspended => f.write_str(
                "deactivated, not suspended: activate the account instead of restoring access",
            ),
        }
    }
}

/// Users skipped for one reason.
#[derive(Clone, Debug, PartialEq)]
pub struct SkipSet {
    /// Why.
    pub reason: SkipReason,
    /// Who.
    pub users: RoaringBitmap,
}

/// The account-level operation of an outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountOp {
    /// Deactivate (after optional handover and rename).
    Deactivate {
        /// Rename suffix.
        rename_suffix: Option<String>,
        /// Open-issue handover.
        handover: Option<crate::operation::Handover>,
    },
    /// Suspend access (the account and its groups stay).
    Suspend,
    /// Restore suspended access.
    Restore,
    /// Delete.
    Delete,
    /// Reactivate.
    Activate,
}

/// One group operation for a set of users.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupOp {
    /// The group (ordinal in the index).
    pub group: GroupOrd,
    /// Add (true) or remove (false).
    pub add: bool,
    /// Who.
    pub users: RoaringBitmap,
}

/// Everything one source plans.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The policy or bulk action.
    pub source: ActionSource,
    /// Display name.
    pub name: String,
    /// The source's mode (a safe policy's actions are never applied).
    pub mode: Mode,
    /// The action as configured.
    pub action: Action,
    /// Who matched on which basis (before skips).
    pub matched: Vec<MatchSet>,
    /// The account operation and who gets it.
    pub account_op: Option<AccountOp>,
    /// Users who get [`Outcome::account_op`].
    pub account_users: RoaringBitmap,
    /// Group operations.
    pub group_ops: Vec<GroupOp>,
    /// Who was skipped, by reason.
    pub skipped: Vec<SkipSet>,
    /// For delete outcomes: the users whose deactivation time came from the
    /// audit trail, with that time, by user (others use the host's column).
    pub deactivation_times: Vec<(u32, Millis, TimeSource)>,
    /// The activity signals that counted (for reasons and warnings).
    pub signals: SignalMask,
    /// Signals still warming up for this policy's thresholds, each with the
    /// users it acts on that the signal never recorded (unconfirmed).
    pub warming: Vec<Warming>,
}

/// A signal that started recording after a threshold's cutoff, and the users
/// an outcome acts on whom it never recorded: they were chosen by the other
/// signals alone, so acting on them live needs an admin's approval.
#[derive(Clone, Debug, PartialEq)]
pub struct Warming {
    /// The signal and how much of the threshold it covers.
    pub signal: WarmingSignal,
    /// The unconfirmed users.
    pub users: RoaringBitmap,
}

impl Outcome {
    /// Every user this outcome acts on.
    pub fn acted_on(&self) -> RoaringBitmap {
        let mut all = self.account_users.clone();
        for op in &self.group_ops {
            all |= &op.users;
        }
        all
    }

    /// Users the mass-change guard counts: deactivated, suspended, deleted or
    /// losing a group.
    pub fn mass_changed(&self) -> RoaringBitmap {
        let mut all = match self.account_op {
            Some(AccountOp::Deactivate { .. } | AccountOp::Suspend | AccountOp::Delete) => {
                self.account_users.clone()
            }
            _ => RoaringBitmap::new(),
        };
        for op in self.group_ops.iter().filter(|op| !op.add) {
            all |= &op.users;
        }
        all
    }

    /// The deactivation time used for user `idx` of a delete outcome, and
    /// where it came from.
    pub fn deactivation_time(
        &self,
        index: &DirectoryIndex,
        idx: u32,
    ) -> Option<(Millis, TimeSource)> {
        match self
            .deactivation_times
            .binary_search_by_key(&idx, |(i, _, _)| *i)
        {
            Ok(pos) => self.deactivation_times.get(pos).map(|(_, t, s)| (*t, *s)),
            Err(_) => index
                .deactivated_at(UserIdx(idx))
                .map(|t| (t, TimeSource::Host)),
        }
    }

    /// Why user `idx` matched (the reason a planned action would carry),
    /// also for users this outcome skipped: a review item shows it.
    pub fn reason_of(&self, index: &DirectoryIndex, now: Millis, idx: u32) -> Reason {
        render::reason_for(self, index, now, idx)
    }

    /// The skip reason of user `idx`, if this outcome skipped them.
    pub fn skip_of(&self, idx: u32) -> Option<&SkipReason> {
        self.skipped
            .iter()
            .find(|s| s.users.contains(idx))
            .map(|s| &s.reason)
    }

    /// The basis and threshold user `idx` matched on.
    pub fn basis_of(&self, idx: u32) -> Option<(Basis, u32)> {
        self.matched
            .iter()
            .find(|m| m.users.contains(idx))
            .map(|m| (m.basis, m.threshold_days))
    }
}

/// Something the admin should know about the plan as a whole.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PlanWarning {
    /// Two sources wanted incompatible things for some users; the higher
    /// priority won.
    Conflict {
        /// Who won.
        winner: ActionSource,
        /// Who lost.
        loser: ActionSource,
        /// The contested group, if a group operation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<GroupName>,
        /// How many users.
        users: u64,
    },
    /// A group named in a policy does not exist in the directory.
    UnknownGroup {
        /// The source.
        source: ActionSource,
        /// The group.
        group: GroupName,
    },
    /// A protected group of the settings does not exist (any more): it
    /// protects nobody. Saving refuses new such names
    /// ([`crate::names`]); this is the one deleted after it was configured.
    UnknownProtectedGroup {
        /// The group.
        group: GroupName,
    },
    /// A directory named in a policy does not exist.
    UnknownDirectory {
        /// The source.
        source: ActionSource,
        /// The directory.
        directory: DirectoryId,
    },
    /// A policy counts a signal this directory does not record (its own
    /// `signals` choice): that signal can show nobody active or idle.
    UnrecordedSignal {
        /// The source.
        source: ActionSource,
        /// The signal as the policy names it.
        signal: crate::activity::SignalRef,
        /// True when none of the policy's signals is recorded: it matches
        /// nobody.
        matches_nobody: bool,
    },
    /// The handover user does not exist or is not active.
    HandoverUserMissing {
        /// The source.
        source: ActionSource,
        /// The user's key.
        user: UserKey,
    },
}

impl fmt::Display for PlanWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanWarning::Conflict {
                winner,
                loser,
                group,
                users,
            } => {
                write!(f, "{users} user(s) matched both {winner} and {loser}; ")?;
                match group {
                    Some(g) => write!(f, "for group `{g}` {winner} wins by priority"),
                    None => write!(f, "{winner} wins by priority"),
                }
            }
            PlanWarning::UnknownProtectedGroup { group } => write!(
                f,
                "protected group `{group}` (Settings) does not exist: it protects nobody"
            ),
            PlanWarning::UnknownGroup { source, group } => {
                write!(f, "{source} names group `{group}`, which does not exist")
            }
            PlanWarning::UnknownDirectory { source, directory } => {
                write!(
                    f,
                    "{source} names directory {directory}, which does not exist"
                )
            }
            PlanWarning::UnrecordedSignal {
                source,
                signal,
                matches_nobody,
            } => {
                write!(
                    f,
                    "{source} counts signal `{signal}`, which this directory does not record"
                )?;
                if *matches_nobody {
                    f.write_str(": none of its signals is recorded, so it matches nobody")?;
                }
                Ok(())
            }
            PlanWarning::HandoverUserMissing { source, user } => write!(
                f,
                "{source} hands issues over to `{user}`, who does not exist or is not active"
            ),
        }
    }
}

/// Preview or live, for the plan as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanMode {
    /// Nothing will be applied (every source is safe, or preview was asked for).
    Preview,
    /// Live sources' actions will be applied (subject to the status).
    Live,
}

/// What may happen to a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum PlanStatus {
    /// Preview: nothing is applied.
    Preview,
    /// Live and clear to apply.
    Ready,
    /// Live, but the guard tripped: an admin must approve this exact plan (by hash).
    NeedsApproval {
        /// Which thresholds.
        trips: Vec<GuardTrip>,
    },
    /// Live, but the login data looks broken: the run pauses.
    Paused {
        /// Why.
        problems: Vec<HealthProblem>,
    },
}

/// One planned write, with its source and reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedAction {
    /// The user's position in the index (not serialised meaningfully across snapshots).
    #[serde(skip)]
    pub idx: u32,
    /// The write.
    pub operation: crate::operation::Operation,
    /// Who planned it.
    pub source: ActionSource,
    /// The source's mode.
    pub mode: Mode,
    /// Why.
    pub reason: Reason,
}

/// One skipped user, with the source that matched them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedSkip {
    /// The user.
    pub user: UserKey,
    /// Which source matched them.
    pub source: ActionSource,
    /// Why nothing happens.
    pub reason: SkipReason,
}

/// A plan: every source's outcome plus the safety verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The instant the plan was computed for.
    pub now: Millis,
    /// Per source, in priority order.
    pub outcomes: Vec<Outcome>,
    /// Plan-level warnings (conflicts, unknown groups…).
    pub warnings: Vec<PlanWarning>,
    /// Guard thresholds exceeded by the live part of the plan.
    pub guard: Vec<GuardTrip>,
    /// Login-data health problems.
    pub health: Vec<HealthProblem>,
    /// An admin approved exactly this plan (its hash) despite the guard.
    pub approved: bool,
    /// Preview was asked for: nothing is applied whatever the sources' modes.
    pub forced_preview: bool,
}

impl Plan {
    /// Preview unless some source is live and preview was not forced.
    pub fn mode(&self) -> PlanMode {
        if !self.forced_preview && self.outcomes.iter().any(|o| o.mode.writes()) {
            PlanMode::Live
        } else {
            PlanMode::Preview
        }
    }

    /// What may happen: preview, ready, needs approval (guard) or paused (health).
    pub fn status(&self) -> PlanStatus {
        if self.mode() == PlanMode::Preview {
            PlanStatus::Preview
        } else if !self.health.is_empty() {
            PlanStatus::Paused {
                problems: self.health.clone(),
            }
        } else if !self.guard.is_empty() && !self.approved {
            PlanStatus::NeedsApproval {
                trips: self.guard.clone(),
            }
        } else {
            PlanStatus::Ready
        }
    }

    /// The accounts the mass-change guard counts: those the live sources
    /// would deactivate, delete or revoke — or, in a plan with no live
    /// source, those every source would (so a preview shows what a live run
    /// of the same policies would trip).
    pub fn guarded_accounts(&self) -> RoaringBitmap {
        let any_live = self.outcomes.iter().any(|o| o.mode.writes());
        let mut all = RoaringBitmap::new();
        for o in self
            .outcomes
            .iter()
            .filter(|o| !any_live || o.mode.writes())
        {
            all |= o.mass_changed();
        }
        all
    }

    /// True when nothing at all is planned.
    pub fn is_empty(&self) -> bool {
        self.outcomes
            .iter()
            .all(|o| o.account_users.is_empty() && o.group_ops.iter().all(|g| g.users.is_empty()))
    }

    /// Every planned write with its reason, grouped by user (users in key
    /// order), each user's writes in source priority order.
    pub fn actions(&self, index: &DirectoryIndex) -> Vec<PlannedAction> {
        render::reference::actions(self, index)
    }

    /// The writes a host should apply: those of live sources, unless the plan
    /// is a preview, paused, or awaiting approval (then none).
    pub fn operations_to_apply(&self, index: &DirectoryIndex) -> Vec<crate::operation::Operation> {
        if self.status() != PlanStatus::Ready {
            return Vec::new();
        }
        self.actions(index)
            .into_iter()
            .filter(|a| a.mode.writes())
            .map(|a| a.operation)
            .collect()
    }

    /// Every skipped user with source and reason (users in key order).
    pub fn skips(&self, index: &DirectoryIndex) -> Vec<PlannedSkip> {
        render::reference::skips(self, index)
    }

    /// The stable plan hash: SHA-256 (hex) over the canonical list of planned
    /// writes (source, user key, operation), independent of `now`, modes,
    /// reasons and snapshot order. Two plans with the same writes have the
    /// same hash; any change in the writes changes it.
    pub fn hash(&self, index: &DirectoryIndex) -> String {
        render::reference::hash(&self.actions(index))
    }

    /// Totals per source and per operation kind.
    pub fn totals(&self, index: &DirectoryIndex) -> PlanTotals {
        render::reference::totals(self, &self.actions(index))
    }

    /// The writes, hash and totals, rendered once. A caller that needs more
    /// than one of [`Plan::actions`], [`Plan::hash`], [`Plan::totals`] and
    /// [`Plan::document`] takes this instead: each of those renders every
    /// write, and a policy run used to ask for three (325k writes each at a
    /// million users, issue 19).
    pub fn render(&self, index: &DirectoryIndex) -> RenderedPlan {
        let actions = self.actions(index);
        RenderedPlan {
            hash: render::reference::hash(&actions),
            totals: render::reference::totals(self, &actions),
            actions,
        }
    }

    /// The whole plan as a serialisable document (CLI, journal, admin UI).
    pub fn document(&self, index: &DirectoryIndex) -> PlanDocument {
        self.document_of(index, &self.render(index))
    }

    /// [`Plan::document`] of a plan already rendered (`rendered` must be
    /// this plan's [`Plan::render`] over `index`).
    pub fn document_of(&self, index: &DirectoryIndex, rendered: &RenderedPlan) -> PlanDocument {
        render::document(
            self,
            index,
            rendered.hash.clone(),
            rendered.totals.clone(),
            &rendered.actions,
            self.skips(index),
        )
    }

    /// The document listing only writes `actions` (a range of the flat
    /// list) and the first `skips` skip entries; `hash` and `totals` are the
    /// whole plan's. What a preview shows before the admin pages on.
    pub fn document_page(
        &self,
        index: &DirectoryIndex,
        order: &PlanOrder,
        actions: &[PlannedAction],
        skips: Vec<PlannedSkip>,
    ) -> PlanDocument {
        let (hash, totals) = (order.hash().to_owned(), order.totals().clone());
        render::document(self, index, hash, totals, actions, skips)
    }
}

/// Convenience: the key of user `idx`.
pub(crate) fn key_of(index: &DirectoryIndex, idx: u32) -> UserKey {
    UserKey::from(index.key(UserIdx(idx)))
}
