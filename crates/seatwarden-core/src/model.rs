//! The domain model: users, groups, directories, licences.
//!
//! These are the engine's own types, independent of any wire format. The
//! snapshot module converts from its JSON shape into the index; hosts never
//! hand the engine anything else.
//!
//! Names follow Atlassian semantics where they matter:
//! - a user has a **stable key** (Jira's `JIRAUSER10100`, Confluence's user
//!   key) that survives renames; everything we store refers to the key;
//! - usernames and group names compare case-insensitively in both products,
//!   so lookups fold case while display keeps what the host sent;
//! - a directory may be read-only (LDAP, Crowd) yet allow membership changes
//!   in the groups that live locally in the product ("read-only with local
//!   groups"): see [`Directory::local_groups`].

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::time::Millis;

/// A newtype over text, its JSON the plain string.
///
/// Two storages, one shape: `Arc<str>` for the names every planned write
/// carries (user keys, usernames, policy ids, group names), so a clone is a
/// reference count, not an allocation: rendering a plan at a million users
/// makes 325k writes, and owning a `String` each made the allocator most of
/// the rendering's time (issue 19); `String` for the rest. The serde impls are
/// written here (serde's own for `Arc<str>` needs its `rc` feature) so the
/// format of both is in one visible place:
/// `operation::tests::shared_names_serialise_as_the_plain_string` checks the
/// bytes.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.into())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s.into())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <String as serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}
pub(crate) use text_id;

text_id! {
    /// A user's stable key. Survives renames; audit entries, journals and undo
    /// records refer to users by key, never by username. Not personal data on
    /// its own, so it is what errors and logs name.
    UserKey(Arc<str>)
}

text_id! {
    /// A login name. Case-insensitive for comparison (see [`Username::folded`]).
    Username(Arc<str>)
}

text_id! {
    /// A group name. Case-insensitive for comparison (see [`GroupName::folded`]).
    GroupName(Arc<str>)
}

text_id! {
    /// An application (licence) key, e.g. `jira-software`, `jira-servicedesk`, `confluence`.
    ApplicationKey(String)
}

impl Username {
    /// The lower-cased form both products use to compare usernames.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

impl GroupName {
    /// The lower-cased form both products use to compare group names.
    pub fn folded(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A user directory's identifier, as the host numbers them (Jira and Crowd use longs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DirectoryId(pub i64);

impl fmt::Display for DirectoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of user directory this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectoryKind {
    /// The product's own internal directory.
    Internal,
    /// Internal directory authenticating against LDAP (users live locally).
    InternalWithLdapAuth,
    /// An LDAP connector (Active Directory, OpenLDAP, …).
    Ldap,
    /// Atlassian Crowd or another Crowd-protocol server.
    Crowd,
    /// Another Jira acting as the user server.
    JiraServer,
    /// Atlassian Cloud: the accounts the organization manages (verified
    /// domains).
    CloudManaged,
    /// Atlassian Cloud: external accounts (not managed by the
    /// organization). Their access can be suspended, restored and removed,
    /// but the organization cannot deactivate, enable or delete them.
    CloudExternal,
    /// A custom or delegating directory the host cannot classify.
    Other,
}

/// Which writes a directory accepts. A read-only LDAP directory typically
/// allows none of these; "read-only with local groups" allows membership
/// changes in [`Directory::local_groups`] only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DirectoryCapabilities {
    /// Users can be activated and deactivated.
    pub update_user: bool,
    /// Users can be renamed.
    pub rename_user: bool,
    /// Users can be deleted.
    pub delete_user: bool,
    /// Users can be created (import).
    pub create_user: bool,
    /// Memberships of any group can be added and removed.
    pub update_membership: bool,
    /// Users' access can be suspended and restored while the account stays
    /// active (Atlassian Cloud). No Data Center directory has this state,
    /// so it is absent (false) in what their hosts report, and left out
    /// when false (a Data Center snapshot or API answer is unchanged).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub suspend_user: bool,
}

impl DirectoryCapabilities {
    /// Everything a Data Center product's internal directory allows (every
    /// write but suspension, which Data Center does not have).
    pub const ALL: DirectoryCapabilities = DirectoryCapabilities {
        update_user: true,
        rename_user: true,
        delete_user: true,
        create_user: true,
        update_membership: true,
        suspend_user: false,
    };

    /// Nothing allowed: a read-only directory.
    pub const NONE: DirectoryCapabilities = DirectoryCapabilities {
        update_user: false,
        rename_user: false,
        delete_user: false,
        create_user: false,
        update_membership: false,
        suspend_user: false,
    };

    /// True when no write at all is allowed.
    pub fn is_read_only(&self) -> bool {
        *self == Self::NONE
    }
}

/// A user directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    /// The host's identifier.
    pub id: DirectoryId,
    /// The name admins know it by.
    pub name: String,
    /// What kind of directory it is.
    pub kind: DirectoryKind,
    /// Which writes it accepts.
    pub capabilities: DirectoryCapabilities,
    /// Groups whose memberships can be changed for this directory's users
    /// even when [`DirectoryCapabilities::update_membership`] is false
    /// (groups kept locally in the product beside a read-only directory).
    #[serde(default)]
    pub local_groups: Vec<GroupName>,
}

impl Directory {
    /// True when the directory accepts no user or membership writes.
    pub fn is_read_only(&self) -> bool {
        self.capabilities.is_read_only()
    }

    /// True when `group`'s memberships can be changed for this directory's users.
    pub fn can_change_membership(&self, group: &GroupName) -> bool {
        self.capabilities.update_membership
            || self
                .local_groups
                .iter()
                .any(|g| g.folded() == group.folded())
    }
}

/// A group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group's name.
    pub name: GroupName,
    /// The group grants administration rights (global permission
    /// "administer" or "system administer"); protected from deletion.
    #[serde(default)]
    pub admin: bool,
    /// The group grants an application licence (a seat).
    #[serde(default)]
    pub licence: bool,
}

/// How many seats an application's licence allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "seats")]
pub enum SeatLimit {
    /// A fixed number of seats.
    Limited(u32),
    /// No limit (unlimited licence tiers).
    Unlimited,
}

/// An application licence: one per product application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Licence {
    /// The application key.
    pub application: ApplicationKey,
    /// The application's display name (e.g. "Jira Software").
    pub name: String,
    /// How many seats the licence allows.
    pub limit: SeatLimit,
    /// Seats in use as the host counts them.
    pub seats_used: u32,
    /// The groups that grant this application.
    pub groups: Vec<GroupName>,
}

impl Licence {
    /// Seats left, or `None` when unlimited. Never negative: an
    /// over-subscribed licence has zero seats left.
    pub fn seats_available(&self) -> Option<u32> {
        match self.limit {
            SeatLimit::Limited(n) => Some(n.saturating_sub(self.seats_used)),
            SeatLimit::Unlimited => None,
        }
    }
}

/// A user as the engine sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Stable key.
    pub key: UserKey,
    /// Login name.
    pub username: Username,
    /// Full name.
    pub display_name: String,
    /// Email address (may be empty).
    pub email: String,
    /// The directory the user lives in.
    pub directory: DirectoryId,
    /// Active (may log in, counts for licences) or deactivated.
    pub active: bool,
    /// When the account was created.
    pub created: Millis,
    /// Last successful login, or `None` if the user never logged in.
    pub last_login: Option<Millis>,
    /// Number of logins, or `None` where the product does not count them
    /// (Confluence).
    pub login_count: Option<u32>,
    /// When the host says the account was deactivated, if it knows.
    pub deactivated_at: Option<Millis>,
    /// Direct group memberships.
    pub groups: Vec<GroupName>,
}
