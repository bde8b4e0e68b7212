//! One audit entry: who did what to whom, when, from where, with what result
//! and why.
//!
//! Entries refer to users by their stable key (and keep the username shown at
//! the time as a label, because a log that only says `JIRAUSER10100` is of no
//! use to a compliance reviewer). Actions are a closed enum with stable
//! snake_case names, so filters, stores and exports agree on them.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use seatwarden_core::{GroupName, Millis, Operation, UserKey};

use crate::run::RunId;

pub use seatwarden_core::policy::PolicyId;

/// A stored entry's identifier: increases with every append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuditId(pub i64);

impl fmt::Display for AuditId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who caused an entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Actor {
    /// An administrator (or, for login automation, the user logging in).
    User {
        /// The user's stable key.
        key: UserKey,
        /// The username shown at the time, for people reading the log.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
    /// Seatwarden itself: a policy run, or the scheduler's housekeeping when
    /// no policy is involved (retention, outbox).
    Automation {
        /// The policy that acted, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        policy: Option<PolicyId>,
    },
}

impl Actor {
    /// An administrator acting by hand.
    pub fn user(key: impl Into<UserKey>, name: Option<String>) -> Actor {
        Actor::User {
            key: key.into(),
            name,
        }
    }

    /// A policy acting on its own.
    pub fn policy(policy: PolicyId) -> Actor {
        Actor::Automation {
            policy: Some(policy),
        }
    }

    /// The scheduler's housekeeping (no policy).
    pub fn system() -> Actor {
        Actor::Automation { policy: None }
    }

    /// What the log shows in its "performed by" column.
    pub fn label(&self) -> String {
        match self {
            Actor::User {
                name: Some(name), ..
            } => name.clone(),
            Actor::User { key, name: None } => key.to_string(),
            Actor::Automation { policy: Some(p) } => format!("automation ({p})"),
            Actor::Automation { policy: None } => "automation".to_owned(),
        }
    }

    /// The user key if a person acted.
    pub fn user_key(&self) -> Option<&UserKey> {
        match self {
            Actor::User { key, .. } => Some(key),
            Actor::Automation { .. } => None,
        }
    }
}

macro_rules! action_enum {
    ($($(#[$doc:meta])* $variant:ident => $name:literal, $label:literal;)*) => {
        /// What happened. The snake_case names are stable: they are stored,
        /// filtered on and exported.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $($(#[$doc])* $variant,)*
        }

        impl Action {
            /// Every action, in display order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The stable snake_case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// The human label for filters and exports.
            pub fn label(self) -> &'static str {
                match self {
                    $(Action::$variant => $label,)*
                }
            }

            /// Parses a stable name.
            pub fn parse(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

action_enum! {
    /// An account was deactivated.
    UserDeactivated => "user_deactivated", "User deactivated";
    /// An account was activated (by hand or by import).
    UserActivated => "user_activated", "User activated";
    /// A deactivated account was given access back (at login or by revert).
    UserReactivated => "user_reactivated", "User reactivated";
    /// A user's access was suspended (Atlassian Cloud; the account stays).
    UserSuspended => "user_suspended", "User suspended";
    /// A suspended user's access was restored (Atlassian Cloud).
    UserRestored => "user_restored", "User restored";
    /// An account was deleted.
    UserDeleted => "user_deleted", "User deleted";
    /// A pending deletion was cancelled within Atlassian Cloud's grace
    /// period (the account is back and active).
    UserDeletionCancelled => "user_deletion_cancelled", "User deletion cancelled";
    /// An account's username changed.
    UserRenamed => "user_renamed", "User renamed";
    /// An account was created (import).
    UserCreated => "user_created", "User created";
    /// An account's profile changed (import).
    UserUpdated => "user_updated", "User updated";
    /// A user's open issues were handed over.
    IssuesReassigned => "issues_reassigned", "Issues reassigned";
    /// A user was added to a group.
    AddedToGroup => "added_to_group", "Added to group";
    /// A user was removed from a group.
    RemovedFromGroup => "removed_from_group", "Removed from group";
    /// A group was created.
    GroupCreated => "group_created", "Group created";
    /// A group was deleted.
    GroupDeleted => "group_deleted", "Group deleted";
    /// A user import finished.
    UsersImported => "users_imported", "Users imported";
    /// A group import finished.
    GroupsImported => "groups_imported", "Groups imported";
    /// A policy was created.
    PolicyCreated => "policy_created", "Policy created";
    /// A policy's settings changed.
    PolicyChanged => "policy_changed", "Policy changed";
    /// A policy was switched on.
    PolicyEnabled => "policy_enabled", "Policy enabled";
    /// A policy was switched off.
    PolicyDisabled => "policy_disabled", "Policy disabled";
    /// A policy was deleted.
    PolicyDeleted => "policy_deleted", "Policy deleted";
    /// Global settings changed (names of the changed fields only).
    SettingsChanged => "settings_changed", "Settings changed";
    /// The audit retention setting changed.
    RetentionChanged => "retention_changed", "Retention changed";
    /// Audit entries were purged (by retention or "clear all").
    LogsPurged => "logs_purged", "Logs purged";
    /// A notification was delivered.
    MailSent => "mail_sent", "Mail sent";
    /// A notification could not be delivered.
    MailFailed => "mail_failed", "Mail failed";
    /// An administrator approved a run held by the mass-change guard.
    RunApproved => "run_approved", "Run approved";
    /// An administrator discarded a run held by the mass-change guard: its
    /// plan is never applied.
    RunDiscarded => "run_discarded", "Run discarded";
    /// A run was reverted.
    RunReverted => "run_reverted", "Run reverted";
    /// The login filter began checking a returning user's password (a
    /// deactivated account is active for the length of that check). The
    /// entry's id names the check; its status says whether the account is
    /// activated for it (success) or was active already (skipped).
    LoginCheckBegan => "login_check_began", "Password check began";
    /// A password check ended; the description names the check and the
    /// outcome (success: accepted, failed: not accepted, skipped: the check
    /// could not be made).
    LoginCheckEnded => "login_check_ended", "Password check ended";
    /// A password check that never ended (its node died) was closed by the
    /// scheduler, which deactivated the account again if needed.
    LoginCheckRepaired => "login_check_repaired", "Unfinished password check repaired";
    /// Access was given back at login after a verified check, provisionally:
    /// it stands only if the product's own login event for that request
    /// follows within the confirm window. The description names the check.
    LoginProvisional => "login_provisional", "Access given back provisionally";
    /// The product completed the login a provisional grant waited for.
    LoginConfirmed => "login_confirmed", "Login completed";
    /// The product never completed the login (a later check refused it, or
    /// the browser never followed): the provisional access was taken back.
    LoginNotCompleted => "login_not_completed", "Login not completed";
    /// A policy run changed nothing because it could not proceed: another
    /// node holds the policy's lease, or the health check or the
    /// mass-change guard paused it. The reason says which.
    RunRefused => "run_refused", "Run refused";
    /// Someone signed in to the standalone server with its admin token
    /// (success), or presented a wrong one (failed).
    SignIn => "sign_in", "Sign-in";
    /// A safe-mode (preview) policy run recorded its plan and changed
    /// nothing; the description gives how many actions it planned.
    RunPreviewed => "run_previewed", "Run previewed";
    /// The mass-change guard (or an import over a licence) held a run for
    /// an admin's approval. Its instant starts the approval wait, which a
    /// run's duration leaves out ("took 4 s" for a run approved 6 hours
    /// after it was held).
    RunHeld => "run_held", "Run held for approval";
    /// An administrator sent a queued or failed message again from the
    /// outbox list (the description names its id and template).
    MailRetried => "mail_retried", "Mail retried";
    /// An administrator discarded a queued or failed message from the
    /// outbox list: it is never sent.
    MailDiscarded => "mail_discarded", "Mail discarded";
    /// A user asked to keep (or get back) access through a signed link, or
    /// a link was refused (forged, expired, used); the description says
    /// which and what the request led to, the reason is the user's words.
    AccessRequested => "access_requested", "Access requested";
    /// An administrator approved or rejected an access request.
    AccessRequestDecided => "access_request_decided", "Access request decided";
    /// The access-link or a webhook secret was rotated (old links or
    /// signatures stop working); the value is never logged.
    SecretRotated => "secret_rotated", "Secret rotated";
    /// A service-desk webhook was called: the rule that matched and what it
    /// did, or why nothing happened (bad signature, no rule, cap reached).
    HookCalled => "hook_called", "Webhook called";
    /// A webhook was created, changed or removed.
    HookChanged => "hook_changed", "Webhook changed";
    /// An exemption was granted (the description names its scope, end and
    /// who granted it; a grant over an existing one records the old one).
    ExemptionGranted => "exemption_granted", "Exemption granted";
    /// An exemption was revoked by an admin (the description records it,
    /// so a revoke can be granted back).
    ExemptionRevoked => "exemption_revoked", "Exemption revoked";
    /// A lapsed exemption was pruned from the store (it had stopped
    /// holding at its end date already).
    ExemptionLapsed => "exemption_lapsed", "Exemption lapsed";
    /// A review-mode run put users onto the review list.
    ReviewQueued => "review_queued", "Review item queued";
    /// A review item was approved (by an admin, or by the policy's timeout).
    ReviewApproved => "review_approved", "Review item approved";
    /// A review item was rejected (the user is exempted for a period).
    ReviewRejected => "review_rejected", "Review item rejected";
    /// A review item was closed: acted on by a run, or no longer applying.
    ReviewClosed => "review_closed", "Review item closed";
    /// A preview-only server loaded its users from a file (`serve
    /// --snapshot FILE` at start, or an upload): the description names the
    /// kind of file and the counts, never a user.
    DirectoryLoaded => "directory_loaded", "Users loaded from a file";
}

impl Action {
    /// The action an operation records when it lands. `Activate` of a user
    /// who had been deactivated by Seatwarden is a reactivation; the caller
    /// knows which and says so.
    pub fn of_operation(op: &Operation, reactivation: bool) -> Action {
        match op {
            Operation::Activate { .. } if reactivation => Action::UserReactivated,
            Operation::Activate { .. } => Action::UserActivated,
            Operation::Deactivate { .. } => Action::UserDeactivated,
            Operation::Suspend { .. } => Action::UserSuspended,
            Operation::Restore { .. } => Action::UserRestored,
            Operation::Rename { .. } => Action::UserRenamed,
            Operation::Delete { .. } => Action::UserDeleted,
            Operation::CancelDeletion { .. } => Action::UserDeletionCancelled,
            Operation::AddToGroup { .. } => Action::AddedToGroup,
            Operation::RemoveFromGroup { .. } => Action::RemovedFromGroup,
            Operation::ReassignIssues { .. } => Action::IssuesReassigned,
            Operation::CreateGroup { .. } => Action::GroupCreated,
            Operation::DeleteGroup { .. } => Action::GroupDeleted,
            Operation::CreateUser { .. } => Action::UserCreated,
            Operation::UpdateUser { .. } => Action::UserUpdated,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The change happened.
    Success,
    /// The change was attempted and refused or broke.
    Failed,
    /// The change was not attempted (protected, read-only, already done, preview).
    Skipped,
}

impl Status {
    /// Every status.
    pub const ALL: &'static [Status] = &[Status::Success, Status::Failed, Status::Skipped];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.as_str() == name)
    }

    /// A small integer code for compact storage.
    pub fn code(self) -> i64 {
        match self {
            Status::Success => 0,
            Status::Failed => 1,
            Status::Skipped => 2,
        }
    }

    /// The inverse of [`Status::code`].
    pub fn from_code(code: i64) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// What an entry is about. All parts are optional: a settings change has no
/// user, a membership change has both a user and a group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    /// The user's stable key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserKey>,
    /// The username shown at the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupName>,
}

impl Target {
    /// No target (settings, policies, purges).
    pub fn none() -> Target {
        Target::default()
    }

    /// A user, with the username shown at the time.
    pub fn user(key: UserKey, name: Option<String>) -> Target {
        Target {
            user: Some(key),
            user_name: name,
            group: None,
        }
    }

    /// A group.
    pub fn group(group: GroupName) -> Target {
        Target {
            user: None,
            user_name: None,
            group: Some(group),
        }
    }

    /// What the log shows in its "target" column.
    pub fn label(&self) -> String {
        let user = self
            .user_name
            .clone()
            .or_else(|| self.user.as_ref().map(ToString::to_string));
        match (user, &self.group) {
            (Some(u), Some(g)) => format!("{u} / {g}"),
            (Some(u), None) => u,
            (None, Some(g)) => g.to_string(),
            (None, None) => String::new(),
        }
    }
}

/// An audit entry as it is appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When it happened (UTC).
    pub at: Millis,
    /// Who caused it.
    pub actor: Actor,
    /// Where the request came from, when a person acted through the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<IpAddr>,
    /// What happened.
    pub action: Action,
    /// To whom / what.
    #[serde(default)]
    pub target: Target,
    /// The result.
    pub status: Status,
    /// Details (the group, the directory, the failure). Never a secret: see [`crate::secret`].
    #[serde(default)]
    pub description: String,
    /// Why, as the plan explained it (the rule and facts that fired).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The operation run it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunId>,
    /// The policy involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyId>,
}

impl AuditEntry {
    /// A bare entry; add the rest with the `with_*` methods.
    pub fn new(at: Millis, actor: Actor, action: Action, status: Status) -> AuditEntry {
        AuditEntry {
            at,
            actor,
            client_ip: None,
            action,
            target: Target::none(),
            status,
            description: String::new(),
            reason: None,
            run: None,
            policy: None,
        }
    }

    /// Sets the target.
    #[must_use]
    pub fn with_target(mut self, target: Target) -> AuditEntry {
        self.target = target;
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> AuditEntry {
        self.description = description.into();
        self
    }

    /// Sets the reason.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<String>) -> AuditEntry {
        self.reason = Some(reason.into());
        self
    }

    /// Sets the run.
    #[must_use]
    pub fn with_run(mut self, run: RunId) -> AuditEntry {
        self.run = Some(run);
        self
    }

    /// Sets the policy.
    #[must_use]
    pub fn with_policy(mut self, policy: PolicyId) -> AuditEntry {
        self.policy = Some(policy);
        self
    }

    /// Sets the client address.
    #[must_use]
    pub fn with_client_ip(mut self, ip: IpAddr) -> AuditEntry {
        self.client_ip = Some(ip);
        self
    }
}

/// An entry as the store holds it: with its identifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEntry {
    /// The identifier the store gave it.
    pub id: AuditId,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert!(seen.insert(a.as_str()));
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
        }
        assert_eq!(Action::parse("nope"), None);
    }

    #[test]
    fn status_codes_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(*s));
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
    }

    #[test]
    fn activation_of_a_deactivated_user_is_a_reactivation() {
        let op = Operation::Activate { user: "K1".into() };
        assert_eq!(Action::of_operation(&op, true), Action::UserReactivated);
        assert_eq!(Action::of_operation(&op, false), Action::UserActivated);
    }
}
