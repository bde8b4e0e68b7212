//! Policies: every automation tab of the product as one model.
//!
//! Admins know tabs (deactivate, revoke access, group assignment, delete,
//! floating licence, reactivate on login, Cloud-style cleanup rules); the
//! engine knows one thing, a [`Policy`]: a trigger (scheduled or at login), a
//! scope (which directories, which users, who is protected), a condition
//! (inactive, never logged in, logged in once, deactivated for long enough)
//! and an action. Each tab is a preset of these fields; a Cloud-style cleanup
//! rule is simply a scheduled policy with its own recurrence and mode.
//!
//! These are the validated engine types. They are built from JSON by
//! [`crate::config::Config::parse`], which checks every field and reports
//! every problem with its path; they serialise back to the same JSON.

use serde::{Deserialize, Serialize};

use crate::model::{ApplicationKey, DirectoryId, GroupName, text_id};
use crate::operation::Handover;
use crate::schedule::Schedule;

text_id! {
    /// A policy's identifier, unique within a configuration document. Shared
    /// text (see [`crate::model::text_id`]): every write a policy plans names
    /// it, and a clone is a reference count. Serialised as the plain string.
    PolicyId(std::sync::Arc<str>)
}

/// Whether a policy's runs change anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Preview: the run records the full plan and changes nothing (the default
    /// for every new policy).
    #[default]
    Safe,
    /// Between safe and live: the run puts each user it would act on onto
    /// the review list (nothing changes); users an admin approved (or whose
    /// item timed out with "act") are acted on like a live policy's, through
    /// the same guard, journal and undo.
    Review,
    /// The run applies its plan (subject to the guard and the health check).
    Live,
}

impl Mode {
    /// True when a run of this mode may write (live; review for the users
    /// it has approvals for). Safe never writes.
    pub fn writes(self) -> bool {
        matches!(self, Mode::Live | Mode::Review)
    }
}

/// What happens to a review item nobody decides within the timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    /// Nothing: the item stays open (marked overdue) until someone decides.
    #[default]
    Nothing,
    /// The item counts as approved: the next run acts on the user.
    Act,
    /// The item counts as rejected: the user is exempt from the policy for
    /// `exemptDays` days.
    Exempt,
}

/// Settings of a review-mode policy.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSettings {
    /// Days an item may stay undecided before `on_timeout` applies (`None`:
    /// never times out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_days: Option<u32>,
    /// What an undecided item becomes after `timeout_days`.
    #[serde(default)]
    pub on_timeout: OnTimeout,
    /// Length of the exemption a timeout with [`OnTimeout::Exempt`] grants
    /// (days; 90 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_days: Option<u32>,
    /// Email addresses that get a daily digest while items wait (none: no
    /// digest; see the service's `review_digest`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reviewers: Vec<String>,
}

impl ReviewSettings {
    /// The default exemption length of a timeout "exempt", in days.
    pub const DEFAULT_EXEMPT_DAYS: u32 = 90;
}

/// When a policy is evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Trigger {
    /// With the global daily scheduler run (settings `schedulerAt`, in the
    /// default timezone): the classic automation tabs.
    Scheduler,
    /// On its own recurrence: Cloud-style cleanup rules.
    Schedule {
        /// The recurrence.
        schedule: Schedule,
    },
    /// When a user logs in: floating licence and reactivation.
    Login,
}

/// Which directories' users a policy looks at.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ids")]
pub enum DirectorySelection {
    /// Every directory.
    #[default]
    All,
    /// Only these directories.
    Only(Vec<DirectoryId>),
}

impl DirectorySelection {
    /// True when users of directory `id` are in scope.
    pub fn includes(&self, id: DirectoryId) -> bool {
        match self {
            DirectorySelection::All => true,
            DirectorySelection::Only(ids) => ids.contains(&id),
        }
    }
}

/// What a policy does with users of a directory that refuses some writes
/// (read-only LDAP or Crowd directories).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadOnlyHandling {
    /// Skip such users, and say so in the plan.
    #[default]
    Skip,
    /// Do what the directory allows: membership changes in groups the host
    /// reports as changeable. Deactivating such a user becomes "remove every
    /// changeable licence group" (the seat is released, the account stays);
    /// anything the directory refuses is reported as skipped.
    MembershipOnly,
}

/// Which users a policy targets inside its directories.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "groups")]
pub enum Target {
    /// Everyone except members of protected groups (global and the policy's own).
    #[default]
    AllExceptProtected,
    /// Only members of at least one of these groups (protected groups still win).
    OnlyGroups(Vec<GroupName>),
}

/// Which users a policy considers.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Directory selection.
    #[serde(default)]
    pub directories: DirectorySelection,
    /// Read-only directory handling.
    #[serde(default)]
    pub read_only: ReadOnlyHandling,
    /// Target users.
    #[serde(default)]
    pub target: Target,
    /// This policy's protected (excluded) groups, on top of the global ones.
    #[serde(default)]
    pub exclude_groups: Vec<GroupName>,
}

/// The inactivity condition of a scheduled policy.
///
/// - A user who logged in is matched when their last login is at least
///   `days` whole days before `now`.
/// - A user who never logged in is matched only when
///   `never_logged_in_days` is set, counting from account creation.
/// - A user who logged in exactly once is matched, when
///   `once_logged_in_days` is set, by that threshold instead of `days`
///   (counting from that one login). Where the host does not count logins
///   (Confluence) "logged in once" means: the last login lies within the
///   settings' `onceLoggedInWindowHours` of account creation (see
///   `docs/policies.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inactivity {
    /// Days since last login (≥ 1; the tabs' default is 30).
    pub days: u32,
    /// Include never-logged-in users after this many days since creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub never_logged_in_days: Option<u32>,
    /// Judge once-logged-in users by this many days since their one login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub once_logged_in_days: Option<u32>,
}

/// What must hold for a user before a policy acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Condition {
    /// Active users idle long enough (see [`Inactivity`]).
    Inactive(Inactivity),
    /// Deactivated accounts, deactivated for at least `days` days (delete).
    Deactivated {
        /// Days since deactivation (≥ 1).
        days: u32,
    },
    /// The user is logging in (login policies).
    Login,
}

/// One floating-licence rule: members of any source group get the target
/// groups at login, if a seat is left.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FloatingRule {
    /// "If the user is in any of these groups".
    pub source_groups: Vec<GroupName>,
    /// "Then add them to these groups".
    pub target_groups: Vec<GroupName>,
}

/// What a policy does to the users it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum Action {
    /// Deactivate the account, optionally renaming it and handing its open
    /// issues over first.
    Deactivate {
        /// Suffix appended to the username (e.g. `_deactivated`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rename_suffix: Option<String>,
        /// Open-issue handover before deactivation (Jira).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        handover: Option<Handover>,
    },
    /// Suspend the user's access to every product, keeping the account and
    /// its groups (Atlassian Cloud; undone by restoring access). Users of a
    /// directory that cannot suspend (every Data Center directory) are
    /// skipped with that reason.
    Suspend,
    /// Restore the access of suspended users (the inverse of
    /// [`Action::Suspend`]): a bulk action and the undo of a suspension, not
    /// a policy (Cloud tells no app when someone comes back, so there is no
    /// condition to restore on; the configuration refuses it). The snapshot does not tell a suspended user from
    /// a deactivated one, so every inactive user it matches is planned; the
    /// host restores those suspended and reports the others as already done.
    Restore,
    /// Remove the user from these groups (revoke access).
    RemoveGroups {
        /// The groups.
        groups: Vec<GroupName>,
    },
    /// Remove every group that grants a licence of these applications (all
    /// applications when empty): Data Center's equivalent of "suspend".
    RemoveLicenceGroups {
        /// Applications; empty means every application.
        #[serde(default)]
        applications: Vec<ApplicationKey>,
    },
    /// Add the user to these groups (tagging; nothing else changes).
    AddGroups {
        /// The groups.
        groups: Vec<GroupName>,
    },
    /// Delete the account.
    Delete,
    /// Floating licence at login.
    FloatingLicence {
        /// The rules, in order. Every rule whose source groups the user is in
        /// applies (not only the first), top to bottom, while seats are left.
        rules: Vec<FloatingRule>,
    },
    /// Reactivate deactivated users at login, and adjust groups.
    Reactivate {
        /// Members of these groups are not reactivated.
        #[serde(default)]
        restricted_groups: Vec<GroupName>,
        /// Added to users this policy reactivates.
        #[serde(default)]
        add_groups: Vec<GroupName>,
        /// Removed at login, from reactivated and already-active users.
        #[serde(default)]
        remove_groups: Vec<GroupName>,
    },
}

impl Action {
    /// A short stable name of the action kind, as in the JSON.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Action::Deactivate { .. } => "deactivate",
            Action::Suspend => "suspend",
            Action::Restore => "restore",
            Action::RemoveGroups { .. } => "remove_groups",
            Action::RemoveLicenceGroups { .. } => "remove_licence_groups",
            Action::AddGroups { .. } => "add_groups",
            Action::Delete => "delete",
            Action::FloatingLicence { .. } => "floating_licence",
            Action::Reactivate { .. } => "reactivate",
        }
    }

    /// True for actions evaluated at login rather than on a schedule.
    pub fn is_login(&self) -> bool {
        matches!(
            self,
            Action::FloatingLicence { .. } | Action::Reactivate { .. }
        )
    }

    /// True for actions the mass-change guard counts (deactivate, suspend,
    /// delete, revoke): each takes products away from people.
    pub fn is_mass_change(&self) -> bool {
        matches!(
            self,
            Action::Deactivate { .. }
                | Action::Suspend
                | Action::Delete
                | Action::RemoveGroups { .. }
                | Action::RemoveLicenceGroups { .. }
        )
    }
}

/// Warning emails before a policy acts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WarningSettings {
    /// Send the warning this many days before the action would fire (≥ 1,
    /// and less than the condition's threshold).
    pub days_before: u32,
    /// Also warn never-logged-in users (separate switch). When off, they
    /// are neither warned nor waited for.
    #[serde(default)]
    pub never_logged_in: bool,
    /// Act at once on users who are already past the threshold and were
    /// never warned (off by default: they are warned first and acted on
    /// `days_before` days after the warning was delivered; see
    /// [`crate::warning`]). Written only when on, so documents saved
    /// before it existed read back unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub act_on_overdue_at_once: bool,
    /// The mail template to use; the mail module's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// "I still need access" links in the warning (issue 21): off when
    /// absent, and then the warning carries no link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_request: Option<AccessRequestSettings>,
}

/// What an "I still need access" link in a warning does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRequestSettings {
    /// What a submitted request does.
    pub on_request: OnRequest,
    /// How many days a link works after the mail is composed (1..=90).
    pub link_days: u32,
    /// Also send the "access removed" notice, with a link to ask for the
    /// access back, to each user this policy's live run deactivates,
    /// suspends or takes the licence from (once per user and run). Written
    /// only when on, so documents saved before it existed read back
    /// unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notice_on_removal: bool,
}

/// What a submitted "I still need access" request does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "kind"
)]
pub enum OnRequest {
    /// Exempt the user from this policy for `days` days at once.
    Exempt {
        /// How long the exemption lasts (1..=365).
        days: u32,
    },
    /// Put the request on the policy's review list for an admin.
    Review,
    /// After removal: give access back when an admin approves, or at once
    /// when `at_once` (the policy's own rule allows it).
    Restore {
        /// Restore without waiting for an admin.
        #[serde(default)]
        at_once: bool,
    },
}

/// One policy: a preset of one automation tab or a named cleanup rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    /// Unique identifier.
    pub id: PolicyId,
    /// Display name.
    pub name: String,
    /// Disabled policies are never evaluated.
    pub enabled: bool,
    /// Safe (preview), review or live.
    pub mode: Mode,
    /// Higher wins when two policies want conflicting things for one user;
    /// ties go to the policy listed first.
    pub priority: i32,
    /// When it runs.
    pub trigger: Trigger,
    /// Whom it considers.
    pub scope: Scope,
    /// What must hold.
    pub condition: Condition,
    /// The activity signals this policy counts, replacing
    /// `settings.activity` for it (inactivity conditions only): e.g.
    /// `["seen:confluence"]` is "inactive in Confluence", `["seen",
    /// "lastAuthenticated"]` ignores the login date. `None`: the settings'.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signals: Option<Vec<crate::activity::SignalRef>>,
    /// What it does.
    pub action: Action,
    /// Warning emails before acting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<WarningSettings>,
    /// Review-mode settings (timeout, digest); only for `mode: review`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewSettings>,
}
