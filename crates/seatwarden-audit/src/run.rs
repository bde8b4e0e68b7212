//! Operation runs: one record per execution (a scheduled cleanup, a bulk
//! action, an import, a login automation, a revert, a purge) that groups the
//! audit entries it produced.
//!
//! A run carries the hash of the plan it executed, so an approval given for
//! one plan can never be spent on another, and its counts, so the Operation
//! Runs list and the summary cards need not re-read every entry.

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_core::{Millis, UserKey};

use crate::entry::PolicyId;

/// A run's identifier: "revert run N" names runs by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

macro_rules! named_enum {
    ($(#[$tdoc:meta])* $ty:ident { $($(#[$doc:meta])* $variant:ident => $name:literal, $label:literal;)* }) => {
        $(#[$tdoc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $ty {
            $($(#[$doc])* $variant,)*
        }

        impl $ty {
            /// Every value, in display order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// The stable snake_case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)*
                }
            }

            /// The human label.
            pub fn label(self) -> &'static str {
                match self {
                    $($ty::$variant => $label,)*
                }
            }

            /// Parses a stable name.
            pub fn parse(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// What sort of execution a run was.
    RunKind {
        /// A scheduled policy (deactivate, revoke, group assignment, delete).
        ScheduledCleanup => "scheduled_cleanup", "Scheduled cleanup";
        /// An admin's bulk action from the Users tab.
        ManualBulkAction => "manual_bulk_action", "Manual bulk action";
        /// A CSV import.
        Import => "import", "Import";
        /// A login policy (reactivate, floating licence).
        LoginAutomation => "login_automation", "Login automation";
        /// The inverse of an earlier run.
        Revert => "revert", "Revert";
        /// Audit retention or "clear all".
        Purge => "purge", "Purge";
    }
}

named_enum! {
    /// Where a run stands.
    RunStatus {
        /// Writing now.
        InProgress => "in_progress", "In progress";
        /// A safe-mode run: the plan was recorded, nothing changed.
        Previewed => "previewed", "Previewed";
        /// Held by the mass-change guard until an admin approves its plan.
        AwaitingApproval => "awaiting_approval", "Awaiting approval";
        /// Every action landed (or was skipped on purpose).
        Succeeded => "succeeded", "Succeeded";
        /// Some actions failed.
        PartiallyFailed => "partially_failed", "Partially failed";
        /// Nothing landed, or the run could not start.
        Failed => "failed", "Failed";
        /// The process stopped mid-run; the journal says what landed.
        Interrupted => "interrupted", "Interrupted";
        /// A later run undid this one.
        Reverted => "reverted", "Reverted";
        /// An admin discarded a plan the mass-change guard held; nothing
        /// changed.
        Discarded => "discarded", "Discarded";
    }
}

impl RunStatus {
    /// Whether the run will not change any more on its own (retention may
    /// delete it; a running or held run is never purged).
    pub fn is_terminal(self) -> bool {
        !matches!(self, RunStatus::InProgress | RunStatus::AwaitingApproval)
    }

    /// A small integer code for compact storage.
    pub fn code(self) -> i64 {
        match self {
            RunStatus::InProgress => 0,
            RunStatus::Previewed => 1,
            RunStatus::AwaitingApproval => 2,
            RunStatus::Succeeded => 3,
            RunStatus::PartiallyFailed => 4,
            RunStatus::Failed => 5,
            RunStatus::Interrupted => 6,
            RunStatus::Reverted => 7,
            RunStatus::Discarded => 8,
        }
    }

    /// The inverse of [`RunStatus::code`].
    pub fn from_code(code: i64) -> Option<RunStatus> {
        RunStatus::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// Who started a run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Initiator {
    /// An administrator.
    Manual {
        /// The admin's key.
        user: UserKey,
        /// The admin's username at the time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// The scheduler, a login event or housekeeping.
    Automated,
}

impl Initiator {
    /// What the runs list shows.
    pub fn label(&self) -> String {
        match self {
            Initiator::Manual {
                name: Some(name), ..
            } => name.clone(),
            Initiator::Manual { user, name: None } => user.to_string(),
            Initiator::Automated => "automated".to_owned(),
        }
    }
}

/// How many users a run touched and how it went for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RunCounts {
    /// Distinct users the plan addressed.
    pub users_affected: u64,
    /// Actions that landed.
    pub succeeded: u64,
    /// Actions the host refused.
    pub failed: u64,
    /// Actions not attempted.
    pub skipped: u64,
}

/// The SHA-256 of a plan's canonical JSON, in lowercase hex.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanHash(pub String);

impl fmt::Display for PlanHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A run as it is created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRun {
    /// What sort of run.
    pub kind: RunKind,
    /// The operation name shown (the policy's name, "Bulk deactivate", …).
    pub name: String,
    /// Who started it.
    pub initiator: Initiator,
    /// The policy it runs, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyId>,
    /// When it started.
    pub started_at: Millis,
    /// Its first status (usually in progress, or previewed for safe mode).
    pub status: RunStatus,
    /// The plan it executes, when known at creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_hash: Option<PlanHash>,
    /// For a revert run: the run it undoes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<RunId>,
}

impl NewRun {
    /// A run starting now in progress.
    pub fn new(kind: RunKind, name: impl Into<String>, initiator: Initiator, at: Millis) -> NewRun {
        NewRun {
            kind,
            name: name.into(),
            initiator,
            policy: None,
            started_at: at,
            status: RunStatus::InProgress,
            plan_hash: None,
            reverts: None,
        }
    }
}

/// A run as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationRun {
    /// Its identifier.
    pub id: RunId,
    /// What sort of run.
    pub kind: RunKind,
    /// The operation name shown.
    pub name: String,
    /// Who started it.
    pub initiator: Initiator,
    /// The policy it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyId>,
    /// When it started.
    pub started_at: Millis,
    /// When it finished, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Millis>,
    /// Where it stands.
    pub status: RunStatus,
    /// Its counts so far.
    pub counts: RunCounts,
    /// The plan it executed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_hash: Option<PlanHash>,
    /// For a revert run: the run it undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<RunId>,
}

impl OperationRun {
    /// A freshly created run.
    pub fn from_new(id: RunId, new: &NewRun) -> OperationRun {
        OperationRun {
            id,
            kind: new.kind,
            name: new.name.clone(),
            initiator: new.initiator.clone(),
            policy: new.policy.clone(),
            started_at: new.started_at,
            finished_at: None,
            status: new.status,
            counts: RunCounts::default(),
            plan_hash: new.plan_hash.clone(),
            reverts: new.reverts,
        }
    }

    /// How long it took (milliseconds), once finished.
    pub fn duration_ms(&self) -> Option<i64> {
        self.finished_at
            .map(|f| f.0.saturating_sub(self.started_at.0).max(0))
    }

    /// Applies an update in place (the one definition every store follows).
    pub fn apply(&mut self, update: &RunUpdate) {
        if let Some(status) = update.status {
            self.status = status;
        }
        if let Some(at) = update.finished_at {
            self.finished_at = Some(at);
        }
        if let Some(counts) = update.counts {
            self.counts = counts;
        }
        if let Some(hash) = &update.plan_hash {
            self.plan_hash = Some(hash.clone());
        }
    }
}

/// A change to a run; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunUpdate {
    /// A new status.
    #[serde(default)]
    pub status: Option<RunStatus>,
    /// The finish time.
    #[serde(default)]
    pub finished_at: Option<Millis>,
    /// New counts.
    #[serde(default)]
    pub counts: Option<RunCounts>,
    /// The plan hash.
    #[serde(default)]
    pub plan_hash: Option<PlanHash>,
}

impl RunUpdate {
    /// Finishes a run with a status and counts.
    pub fn finish(status: RunStatus, at: Millis, counts: RunCounts) -> RunUpdate {
        RunUpdate {
            status: Some(status),
            finished_at: Some(at),
            counts: Some(counts),
            plan_hash: None,
        }
    }

    /// Changes only the status.
    pub fn status(status: RunStatus) -> RunUpdate {
        RunUpdate {
            status: Some(status),
            ..RunUpdate::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_status_codes_and_names_round_trip() {
        for s in RunStatus::ALL {
            assert_eq!(RunStatus::from_code(s.code()), Some(*s));
            assert_eq!(RunStatus::parse(s.as_str()), Some(*s));
        }
        for k in RunKind::ALL {
            assert_eq!(RunKind::parse(k.as_str()), Some(*k));
        }
    }

    #[test]
    fn duration_is_finish_minus_start() {
        let new = NewRun::new(
            RunKind::Import,
            "import",
            Initiator::Automated,
            Millis(1_000),
        );
        let mut run = OperationRun::from_new(RunId(1), &new);
        assert_eq!(run.duration_ms(), None);
        run.apply(&RunUpdate::finish(
            RunStatus::Succeeded,
            Millis(4_500),
            RunCounts::default(),
        ));
        assert_eq!(run.duration_ms(), Some(3_500));
        assert!(run.status.is_terminal());
    }
}
