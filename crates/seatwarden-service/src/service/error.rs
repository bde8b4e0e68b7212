//! Why a service call failed, and the one decision of what kind of failure
//! the outside sees.
//!
//! Two edges report service errors: the admin API over HTTP
//! (`api::routes`, a status code) and the JNI boundary (`seatwarden-jni`, a
//! Java exception class). They used to decide the kind each on its own and
//! disagreed (an invalid host answer was "unavailable" over HTTP and
//! "internal" over JNI; a missing mail was "internal" over HTTP). Now
//! [`ServiceError::kind`] decides once, and both edges translate the
//! [`ErrorKind`] one-to-one.
//!
//! The rule, in the order it is checked:
//! - a dependency that did not answer (host down, store backend down, an
//!   export stream that broke) is [`ErrorKind::Unavailable`]: retrying later
//!   may work, and the scheduled job does;
//! - a request about something that does not exist is
//!   [`ErrorKind::NotFound`];
//! - a request that collides with the current state (a stale configuration
//!   version, a run not awaiting approval, a plan hash that does not match)
//!   is [`ErrorKind::Conflict`]: reload and try again;
//! - a configuration the engine refuses is [`ErrorKind::Validation`];
//! - everything else (a host or store answering nonsense, corrupt stored
//!   data, a broken journal invariant) is [`ErrorKind::Internal`]: a bug or
//!   damage to report, which retrying will not fix.
//!
//! Variants are typed (no `Conflict(String)` catch-all), so the kind follows
//! from the variant, never from reading a message.

use seatwarden_audit::{RunId, RunStatus};
use seatwarden_core::bulk::BulkError;
use seatwarden_core::config::ConfigIssue;
use seatwarden_core::policy::PolicyId;
use seatwarden_core::snapshot::SnapshotError;
use seatwarden_mail::OutboxError;
use serde_json::{Value, json};

use super::document::DocumentError;
use super::probe::CheckId;
use crate::host::HostError;
use crate::store::StoreError;

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The host could not be read.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The stored configuration is unreadable.
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// The directory snapshot from the host is invalid.
    #[error("the directory snapshot is invalid: {0}")]
    Snapshot(#[from] SnapshotError),
    /// The host's users cursor did not move on: reading would never end.
    #[error("the directory snapshot is invalid: the users cursor did not advance")]
    CursorStuck,
    /// No directory index could be built to answer from.
    #[error("the directory index is not built")]
    IndexNotBuilt,
    /// The thread that builds the index while the host's pages are read
    /// could not be started (the system is out of threads): nothing was
    /// read; a later attempt may succeed.
    #[error("the directory index could not be built: its thread did not start: {0}")]
    IndexThread(String),
    /// The index build stopped on a bug (a panic on its thread): nothing
    /// was changed, and the previous index, if any, is kept.
    #[error("the directory index could not be built: the build failed on an internal error")]
    IndexBuildPanicked,
    /// The mail outbox failed.
    #[error("the outbox failed: {0}")]
    Outbox(#[from] OutboxError),
    /// No such thing.
    #[error("{0} not found")]
    NotFound(Missing),
    /// The run asked to be approved is in another state.
    #[error("run `{run}` is not awaiting approval (it is {})", status.as_str())]
    NotAwaitingApproval {
        /// The run.
        run: RunId,
        /// Its status now.
        status: RunStatus,
    },
    /// The run was held for approval on another directory than the one
    /// connected now (a Cloud connection saved to another organization
    /// since): its plan names that directory's accounts.
    #[error(
        "run `{run}` was planned on {planned_on}, which is no longer connected (now: {current}); \
         its plan cannot be applied here: run the policy again"
    )]
    HeldOnAnotherHost {
        /// The run.
        run: RunId,
        /// The directory it was planned on.
        planned_on: String,
        /// The directory connected now.
        current: String,
    },
    /// A plan id that was handed out but is no longer kept.
    #[error("plan `{plan}` is no longer kept: {why}")]
    PlanGone {
        /// The plan id.
        plan: String,
        /// Why it is gone.
        why: super::PlanDropped,
    },
    /// The hash the admin confirmed is not the hash of the plan kept.
    #[error("the plan hash does not match the {0}")]
    PlanHashMismatch(KeptPlan),
    /// Another node holds the run's lease.
    #[error("run `{0}` is being approved elsewhere")]
    RunBusy(RunId),
    /// "Run now" for a policy that has a run queued, running or awaiting
    /// approval already: a second would only be refused when it starts.
    #[error("policy `{policy}` already has run `{run}` {}; wait for it to finish{}", if *.status == RunStatus::AwaitingApproval { "awaiting approval" } else { "queued or running" }, if *.status == RunStatus::AwaitingApproval { " or approve or reject it" } else { "" })]
    PolicyRunActive {
        /// The policy.
        policy: PolicyId,
        /// Its unfinished run.
        run: RunId,
        /// That run's status.
        status: RunStatus,
    },
    /// A policy preview's plan id was confirmed as if it were a bulk
    /// action: a policy's plan is applied only by running the policy.
    #[error(
        "plan `{0}` is a policy preview: it is applied by running the policy (Run now), which plans it again"
    )]
    PolicyPreviewNotConfirmable(String),
    /// The run to revert was reverted already.
    #[error("run `{0}` was reverted already")]
    AlreadyReverted(RunId),
    /// The run to revert is still running or held.
    #[error("run `{0}` has not finished")]
    RunNotFinished(RunId),
    /// The run changed nothing that a revert could undo (and listed nothing
    /// as irreversible): a revert would be an empty success.
    #[error("run `{0}` changed nothing that a revert could undo")]
    NothingToRevert(RunId),
    /// The bulk action cannot be planned as asked (unknown users or groups,
    /// no group, an invalid filter).
    #[error(transparent)]
    Bulk(#[from] BulkError),
    /// Access was asked back for a password check the journal does not hold
    /// as ended verified: only the engine decides that a password was right.
    #[error("password check `{0}` did not end verified")]
    CheckNotVerified(CheckId),
    /// The password check gave access back already (once per check).
    #[error("password check `{0}` already gave access back")]
    CheckAlreadyGranted(CheckId),
    /// An exemption grant, revoke or review decision was refused as asked
    /// (nothing changed).
    #[error(transparent)]
    Exemption(#[from] super::exempt::ExemptionError),
}

/// What a [`ServiceError::NotFound`] looked for. Users are never named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Missing {
    /// A run.
    Run(RunId),
    /// A plan kept for confirmation.
    Plan(String),
    /// A policy of the configuration.
    Policy(PolicyId),
    /// A user, looked up by a name the caller gave (not echoed).
    UserByName,
    /// A login password check.
    PasswordCheck(CheckId),
    /// The user a login password check was journaled for.
    PasswordCheckUser(CheckId),
    /// A review-list item.
    ReviewItem(crate::store::ReviewId),
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Missing::Run(run) => write!(f, "run `{run}`"),
            Missing::Plan(plan) => write!(f, "plan `{plan}`"),
            Missing::Policy(policy) => write!(f, "policy `{policy}`"),
            Missing::UserByName => f.write_str("a user by that name"),
            Missing::PasswordCheck(check) => write!(f, "password check `{check}`"),
            Missing::PasswordCheckUser(check) => {
                write!(f, "the user of password check `{check}`")
            }
            Missing::ReviewItem(id) => write!(f, "review item `{id}`"),
        }
    }
}

/// Which kept plan a confirmed hash was compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeptPlan {
    /// The plan of a run awaiting approval.
    AwaitingApproval,
    /// A previewed plan (bulk, import, revert).
    Previewed,
    /// The revert plan as it is now (the run's journal decides it).
    CurrentRevert,
    /// An import whose file plans other writes against the directory as it
    /// is now than when it was validated.
    StaleImport,
    /// A bulk action that plans other writes against the directory as it
    /// is now than when it was previewed.
    StaleBulk,
    /// A policy preview kept for paging, after the directory changed (a
    /// preview is not planned again: the admin previews again).
    StalePolicyPreview,
}

impl std::fmt::Display for KeptPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeptPlan::AwaitingApproval => "plan awaiting approval",
            KeptPlan::Previewed => "previewed plan",
            KeptPlan::CurrentRevert => "current revert plan; preview it again",
            KeptPlan::StaleImport => {
                "import as the directory is now (it changed since the file was validated); validate the file again"
            }
            KeptPlan::StaleBulk => {
                "bulk action as the directory is now (it changed since the preview); preview again"
            }
            KeptPlan::StalePolicyPreview => {
                "policy preview as the directory is now (it changed since the preview); preview the policy again"
            }
        })
    }
}

/// The kinds of failure the outside sees; each edge maps them one-to-one
/// (an HTTP status, a Java exception class). See the module docs for the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The configuration is refused by the engine; details list the problems.
    Validation,
    /// No such thing.
    NotFound,
    /// It existed and is no longer kept (a plan dropped by the cap or age).
    Gone,
    /// The request collides with the current state; reload and retry.
    Conflict,
    /// A dependency did not answer; retry later.
    Unavailable,
    /// A bug or damaged data; retrying will not help.
    Internal,
}

/// Which part failed, for the JNI edge's `details.source` (logs and support).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The product (or, standalone, the directory database).
    Host,
    /// Durable state.
    Store,
    /// The service's own rules.
    Service,
}

impl Origin {
    /// The lowercase name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Host => "host",
            Origin::Store => "store",
            Origin::Service => "service",
        }
    }
}

impl ServiceError {
    /// The one decision of what kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ServiceError::Host(HostError::Unavailable(_)) | ServiceError::IndexThread(_) => {
                ErrorKind::Unavailable
            }
            ServiceError::IndexBuildPanicked => ErrorKind::Internal,
            ServiceError::Host(HostError::Invalid(_))
            | ServiceError::Snapshot(_)
            | ServiceError::CursorStuck
            | ServiceError::IndexNotBuilt => ErrorKind::Internal,
            ServiceError::Store(store) => store_kind(store),
            ServiceError::Document(DocumentError::Config(_)) => ErrorKind::Validation,
            ServiceError::Document(
                DocumentError::Malformed(_) | DocumentError::SealedPassword { .. },
            ) => ErrorKind::Internal,
            ServiceError::Outbox(OutboxError::Store(_)) => ErrorKind::Unavailable,
            ServiceError::Outbox(OutboxError::UnknownMessage(_)) => ErrorKind::Internal,
            ServiceError::NotFound(_) => ErrorKind::NotFound,
            ServiceError::PlanGone { .. } => ErrorKind::Gone,
            ServiceError::NotAwaitingApproval { .. }
            | ServiceError::HeldOnAnotherHost { .. }
            | ServiceError::PlanHashMismatch(_)
            | ServiceError::RunBusy(_)
            | ServiceError::PolicyRunActive { .. }
            | ServiceError::PolicyPreviewNotConfirmable(_)
            | ServiceError::AlreadyReverted(_)
            | ServiceError::RunNotFinished(_)
            | ServiceError::NothingToRevert(_)
            | ServiceError::CheckNotVerified(_)
            | ServiceError::CheckAlreadyGranted(_) => ErrorKind::Conflict,
            ServiceError::Bulk(_) | ServiceError::Exemption(_) => ErrorKind::Validation,
        }
    }

    /// Which part failed.
    pub fn origin(&self) -> Origin {
        match self {
            ServiceError::Host(_)
            | ServiceError::Snapshot(_)
            | ServiceError::CursorStuck
            | ServiceError::IndexNotBuilt => Origin::Host,
            ServiceError::Store(_) | ServiceError::Document(_) | ServiceError::Outbox(_) => {
                Origin::Store
            }
            ServiceError::IndexThread(_)
            | ServiceError::IndexBuildPanicked
            | ServiceError::NotFound(_)
            | ServiceError::PlanGone { .. }
            | ServiceError::NotAwaitingApproval { .. }
            | ServiceError::HeldOnAnotherHost { .. }
            | ServiceError::PlanHashMismatch(_)
            | ServiceError::RunBusy(_)
            | ServiceError::PolicyRunActive { .. }
            | ServiceError::PolicyPreviewNotConfirmable(_)
            | ServiceError::AlreadyReverted(_)
            | ServiceError::RunNotFinished(_)
            | ServiceError::NothingToRevert(_)
            | ServiceError::Bulk(_)
            | ServiceError::CheckNotVerified(_)
            | ServiceError::CheckAlreadyGranted(_)
            | ServiceError::Exemption(_) => Origin::Service,
        }
    }

    /// Structured details both edges attach: the versions of a stale
    /// configuration, the problems of a refused one; `None` otherwise.
    pub fn details(&self) -> Option<Value> {
        match self {
            ServiceError::Store(StoreError::Conflict { expected, actual }) => {
                Some(json!({"expected": expected, "actual": actual}))
            }
            ServiceError::Document(DocumentError::Config(e)) => Some(problems(&e.issues())),
            _ => None,
        }
    }

    /// Every variant once, for the edges' tests that pin each kind.
    #[doc(hidden)]
    pub fn examples() -> Vec<ServiceError> {
        use crate::store::{ConfigVersion, MailId};
        let run = RunId(3);
        vec![
            ServiceError::Host(HostError::Unavailable("down".into())),
            ServiceError::Host(HostError::Invalid("bad".into())),
            ServiceError::Snapshot(SnapshotError::EmptyKey {
                at: seatwarden_core::snapshot::Position { page: 0, index: 0 },
            }),
            ServiceError::CursorStuck,
            ServiceError::IndexNotBuilt,
            ServiceError::Store(StoreError::Conflict {
                expected: ConfigVersion(1),
                actual: ConfigVersion(2),
            }),
            ServiceError::Store(StoreError::InvalidDocument { line: 1, column: 2 }),
            ServiceError::Store(StoreError::RunNotFound(run)),
            ServiceError::Store(StoreError::NoPlan(run)),
            ServiceError::Store(StoreError::PlanMismatch(run)),
            ServiceError::Store(StoreError::DuplicateAction {
                run,
                user: "k".into(),
                action: "a".into(),
            }),
            ServiceError::Store(StoreError::UnknownAction {
                run,
                user: "k".into(),
                action: "a".into(),
            }),
            ServiceError::Store(StoreError::MailNotFound(MailId(4))),
            ServiceError::Store(StoreError::Corrupt("x".into())),
            ServiceError::Store(StoreError::SchemaTooNew {
                found: 9,
                supported: 1,
            }),
            ServiceError::Store(StoreError::Backend("down".into())),
            ServiceError::Store(StoreError::Io(std::io::Error::other("broken pipe"))),
            ServiceError::Document(DocumentError::Malformed("line 1, column 1".into())),
            ServiceError::Document(DocumentError::Config(
                seatwarden_core::config::ConfigError::Json("x".into()),
            )),
            ServiceError::Outbox(OutboxError::Store("down".into())),
            ServiceError::Outbox(OutboxError::UnknownMessage(seatwarden_mail::MessageId(5))),
            ServiceError::NotFound(Missing::Run(run)),
            ServiceError::NotFound(Missing::Plan("p".into())),
            ServiceError::NotFound(Missing::Policy(PolicyId::from("p"))),
            ServiceError::NotFound(Missing::UserByName),
            ServiceError::NotFound(Missing::PasswordCheck(CheckId(6))),
            ServiceError::NotFound(Missing::PasswordCheckUser(CheckId(6))),
            ServiceError::NotAwaitingApproval {
                run,
                status: RunStatus::Succeeded,
            },
            ServiceError::HeldOnAnotherHost {
                run,
                planned_on: "organization org-a".into(),
                current: "organization org-b".into(),
            },
            ServiceError::PlanHashMismatch(KeptPlan::AwaitingApproval),
            ServiceError::PlanHashMismatch(KeptPlan::Previewed),
            ServiceError::PlanHashMismatch(KeptPlan::CurrentRevert),
            ServiceError::PlanHashMismatch(KeptPlan::StaleImport),
            ServiceError::PlanHashMismatch(KeptPlan::StaleBulk),
            ServiceError::PlanGone {
                plan: "p1".into(),
                why: super::PlanDropped::Evicted,
            },
            ServiceError::RunBusy(run),
            ServiceError::PolicyRunActive {
                policy: PolicyId::from("p"),
                run,
                status: RunStatus::InProgress,
            },
            ServiceError::AlreadyReverted(run),
            ServiceError::RunNotFinished(run),
            ServiceError::NothingToRevert(run),
            ServiceError::Bulk(BulkError::NoGroups),
            ServiceError::CheckNotVerified(CheckId(7)),
            ServiceError::CheckAlreadyGranted(CheckId(7)),
            ServiceError::Exemption(super::exempt::ExemptionError::NoUsers),
            ServiceError::NotFound(Missing::ReviewItem(crate::store::ReviewId(8))),
        ]
    }
}

/// The store's part of the decision.
fn store_kind(error: &StoreError) -> ErrorKind {
    match error {
        StoreError::Conflict { .. } => ErrorKind::Conflict,
        StoreError::RunNotFound(_) | StoreError::MailNotFound(_) => ErrorKind::NotFound,
        // An export stream that broke is a dependency, like the backend.
        StoreError::Backend(_) | StoreError::Io(_) => ErrorKind::Unavailable,
        StoreError::InvalidDocument { .. }
        | StoreError::NoPlan(_)
        | StoreError::PlanMismatch(_)
        | StoreError::DuplicateAction { .. }
        | StoreError::UnknownAction { .. }
        | StoreError::Corrupt(_)
        | StoreError::SchemaTooNew { .. } => ErrorKind::Internal,
    }
}

/// The configuration problems as details: each with its path.
pub fn problems(issues: &[ConfigIssue]) -> Value {
    let list: Vec<Value> = issues
        .iter()
        .map(|i| json!({"path": i.path, "message": i.message}))
        .collect();
    json!({ "problems": list })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_reach_every_kind() {
        // Each variant's kind is pinned at both edges (`api::routes` tests
        // as HTTP statuses, `seatwarden-jni`'s as exception kinds); here,
        // that the examples reach every kind, so those pins cover the rule.
        let kinds: std::collections::HashSet<ErrorKind> = ServiceError::examples()
            .iter()
            .map(ServiceError::kind)
            .collect();
        assert_eq!(kinds.len(), 6, "{kinds:?}");
    }

    #[test]
    fn messages_never_name_a_user() {
        for e in ServiceError::examples() {
            let text = e.to_string();
            assert!(!text.contains('@'), "{text}");
        }
        assert_eq!(
            ServiceError::NotFound(Missing::UserByName).to_string(),
            "a user by that name not found"
        );
    }
}
