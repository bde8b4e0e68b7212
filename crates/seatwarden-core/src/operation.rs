//! The writes a host can perform, and how they can fail.
//!
//! Plans are lists of operations with reasons; hosts apply one operation at
//! a time and report success or a typed [`OperationFailure`]. A failure never
//! aborts the rest of a run.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{DirectoryId, GroupName, UserKey, Username};

/// Who takes over a deactivated user's open issues (Jira only).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "to", content = "user")]
pub enum Handover {
    /// Leave the issues unassigned.
    Unassigned,
    /// Assign each issue to its project's lead.
    ProjectLead,
    /// Assign every issue to this user.
    User(UserKey),
}

/// One write against the host's directory.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Operation {
    /// Reactivate a deactivated user.
    Activate {
        /// The user.
        user: UserKey,
    },
    /// Deactivate a user (keeps the account and its history).
    Deactivate {
        /// The user.
        user: UserKey,
    },
    /// Suspend a user's access to every product, keeping the account, its
    /// groups and its history (Atlassian Cloud: a suspended user is not
    /// billed). Data Center has no such state: its hosts refuse it.
    Suspend {
        /// The user.
        user: UserKey,
    },
    /// Restore a suspended user's access (the inverse of [`Operation::Suspend`]).
    Restore {
        /// The user.
        user: UserKey,
    },
    /// Change a user's username (e.g. add a `_deactivated` suffix).
    Rename {
        /// The user.
        user: UserKey,
        /// The new username.
        to: Username,
    },
    /// Delete a user's account.
    Delete {
        /// The user.
        user: UserKey,
    },
    /// Cancel a pending deletion: Atlassian Cloud keeps a deleted managed
    /// account for a 14-day grace period, within which the deletion can be
    /// cancelled (the account is restored and activated). The revert of a
    /// run that deleted Cloud accounts plans it; Data Center hosts refuse
    /// it (a deletion there is final).
    CancelDeletion {
        /// The user.
        user: UserKey,
    },
    /// Add a user to a group.
    AddToGroup {
        /// The user.
        user: UserKey,
        /// The group.
        group: GroupName,
    },
    /// Remove a user from a group.
    RemoveFromGroup {
        /// The user.
        user: UserKey,
        /// The group.
        group: GroupName,
    },
    /// Hand a user's open issues over.
    ReassignIssues {
        /// The user whose issues move.
        user: UserKey,
        /// Where they go.
        to: Handover,
    },
    /// Create a group.
    CreateGroup {
        /// The new group's name.
        group: GroupName,
    },
    /// Delete a group.
    DeleteGroup {
        /// The group.
        group: GroupName,
    },
    /// Create a user (import).
    CreateUser {
        /// The username.
        username: Username,
        /// Full name.
        display_name: String,
        /// Email address.
        email: String,
        /// Directory to create in; the host's default when absent.
        directory: Option<DirectoryId>,
        /// Whether the account starts active.
        active: bool,
    },
    /// Update a user's profile fields (import).
    UpdateUser {
        /// The user.
        user: UserKey,
        /// New full name, if it changes.
        display_name: Option<String>,
        /// New email, if it changes.
        email: Option<String>,
    },
}

impl Operation {
    /// The user this operation touches, if it touches one existing user.
    pub fn user(&self) -> Option<&UserKey> {
        match self {
            Operation::Activate { user }
            | Operation::Deactivate { user }
            | Operation::Suspend { user }
            | Operation::Restore { user }
            | Operation::Rename { user, .. }
            | Operation::Delete { user }
            | Operation::CancelDeletion { user }
            | Operation::AddToGroup { user, .. }
            | Operation::RemoveFromGroup { user, .. }
            | Operation::ReassignIssues { user, .. }
            | Operation::UpdateUser { user, .. } => Some(user),
            Operation::CreateGroup { .. }
            | Operation::DeleteGroup { .. }
            | Operation::CreateUser { .. } => None,
        }
    }

    /// A short, stable name of the operation's kind (`deactivate`, `add_to_group`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Operation::Activate { .. } => "activate",
            Operation::Deactivate { .. } => "deactivate",
            Operation::Suspend { .. } => "suspend",
            Operation::Restore { .. } => "restore",
            Operation::Rename { .. } => "rename",
            Operation::Delete { .. } => "delete",
            Operation::CancelDeletion { .. } => "cancel_deletion",
            Operation::AddToGroup { .. } => "add_to_group",
            Operation::RemoveFromGroup { .. } => "remove_from_group",
            Operation::ReassignIssues { .. } => "reassign_issues",
            Operation::CreateGroup { .. } => "create_group",
            Operation::DeleteGroup { .. } => "delete_group",
            Operation::CreateUser { .. } => "create_user",
            Operation::UpdateUser { .. } => "update_user",
        }
    }
}

/// Why the host could not apply an operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum OperationFailure {
    /// The user's directory does not allow this write.
    #[error("the directory is read-only for this operation")]
    ReadOnlyDirectory,
    /// The product or another app refused (e.g. a delete veto: the user has
    /// reported issues, is a project lead, …). The text is the host's reason.
    #[error("vetoed by the host: {0}")]
    Vetoed(String),
    /// The user or group no longer exists.
    #[error("not found")]
    NotFound,
    /// The acting account lacks the permission.
    #[error("permission denied")]
    PermissionDenied,
    /// No licence seat left (floating licences).
    #[error("no licence seat available")]
    NoSeat,
    /// The target already exists (create) or the new name is taken (rename).
    #[error("already exists")]
    AlreadyExists,
    /// The host has no such write at all (suspending access on Data Center,
    /// renaming an Atlassian Cloud account, …). The text says what is
    /// missing and, where there is one, what to use instead.
    #[error("not available: {0}")]
    Unsupported(String),
    /// Anything else the host reported; the text must carry no personal data.
    #[error("host error: {0}")]
    Host(String),
}

/// Why a Data Center host refuses [`Operation::CancelDeletion`].
pub const NO_DELETION_GRACE_IN_DATA_CENTER: &str =
    "a deletion in Data Center is final: there is no grace period to cancel it in";

/// Why a Data Center host refuses [`Operation::Suspend`] and
/// [`Operation::Restore`]: one text for every such host.
pub const NO_SUSPENSION_IN_DATA_CENTER: &str = "suspending and restoring access is an \
     Atlassian Cloud feature; a Data Center directory has no suspended state (deactivate the \
     account or remove its licence groups instead)";

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Activate { user } => write!(f, "activate `{user}`"),
            Operation::Deactivate { user } => write!(f, "deactivate `{user}`"),
            Operation::Suspend { user } => write!(f, "suspend access of `{user}`"),
            Operation::Restore { user } => write!(f, "restore access of `{user}`"),
            Operation::Rename { user, .. } => write!(f, "rename `{user}`"),
            Operation::Delete { user } => write!(f, "delete `{user}`"),
            Operation::CancelDeletion { user } => write!(f, "cancel the deletion of `{user}`"),
            Operation::AddToGroup { user, group } => write!(f, "add `{user}` to `{group}`"),
            Operation::RemoveFromGroup { user, group } => {
                write!(f, "remove `{user}` from `{group}`")
            }
            Operation::ReassignIssues { user, .. } => write!(f, "reassign issues of `{user}`"),
            Operation::CreateGroup { group } => write!(f, "create group `{group}`"),
            Operation::DeleteGroup { group } => write!(f, "delete group `{group}`"),
            Operation::CreateUser { .. } => write!(f, "create a user"),
            Operation::UpdateUser { user, .. } => write!(f, "update `{user}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::plan::ActionSource;
    use crate::policy::PolicyId;

    fn plain(s: &str) -> String {
        serde_json::to_string(s).unwrap_or_default()
    }

    proptest! {
        /// Keys, usernames and policy ids became shared text (`Arc<str>`,
        /// issue 19). Their JSON, in the journal, the API and the golden
        /// files, must stay the plain string byte for byte (the bytes
        /// written out by hand here, in field order), and read back to the
        /// same value, for any text: quotes, escapes, NUL, non-ASCII.
        #[test]
        fn shared_names_serialise_as_the_plain_string(
            user in "\\PC*|[\"\\\\\u{0}-\u{1f}]{0,4}",
            name in "\\PC*",
            policy in "\\PC*",
            group in "\\PC*",
        ) {
            let (u, n, p, g) = (plain(&user), plain(&name), plain(&policy), plain(&group));
            prop_assert_eq!(serde_json::to_string(&UserKey::from(user.as_str())).unwrap(), u.clone());
            prop_assert_eq!(serde_json::to_string(&Username::from(name.as_str())).unwrap(), n.clone());
            prop_assert_eq!(serde_json::to_string(&PolicyId::from(policy.as_str())).unwrap(), p.clone());
            let key = UserKey::from(user.as_str());
            let ops = [
                (
                    Operation::Rename { user: key.clone(), to: Username::from(name.as_str()) },
                    format!(r#"{{"op":"rename","user":{u},"to":{n}}}"#),
                ),
                (
                    Operation::AddToGroup { user: key.clone(), group: GroupName::from(group.as_str()) },
                    format!(r#"{{"op":"add_to_group","user":{u},"group":{g}}}"#),
                ),
                (
                    Operation::ReassignIssues { user: key, to: Handover::User(UserKey::from(name.as_str())) },
                    format!(r#"{{"op":"reassign_issues","user":{u},"to":{{"to":"user","user":{n}}}}}"#),
                ),
            ];
            for (op, want) in ops {
                let text = serde_json::to_string(&op).unwrap();
                prop_assert_eq!(&text, &want);
                prop_assert_eq!(serde_json::from_str::<Operation>(&text).unwrap(), op);
            }
            let source = ActionSource::Policy { id: PolicyId::from(policy.as_str()) };
            let text = serde_json::to_string(&source).unwrap();
            prop_assert_eq!(&text, &format!(r#"{{"kind":"policy","id":{p}}}"#));
            prop_assert_eq!(serde_json::from_str::<ActionSource>(&text).unwrap(), source);
        }
    }
}
