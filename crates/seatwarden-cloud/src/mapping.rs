//! How a Cloud user becomes a user of the snapshot model: the one place.
//!
//! The engine knows a directory of users with a key, a login name, an
//! active flag, a created date, a last login and groups. Cloud has more and
//! different: an account status *and* a membership status, a claim status,
//! and last-active dates per product rather than logins. The choices, each
//! with its reason:
//!
//! - **key** = the Atlassian account id (stable across email changes).
//! - **username** = the email, the name Cloud users log in with; the
//!   account id when the email is hidden (Atlassian omits it for some
//!   external accounts), so the username stays unique.
//! - **directory**: managed accounts in directory [`MANAGED`], external
//!   ones in [`EXTERNAL`]. External accounts cannot be deactivated by the
//!   organization, so [`EXTERNAL`]'s capabilities say "no user updates"
//!   and its kind is [`DirectoryKind::CloudExternal`]: the planner skips
//!   those users with the typed reason "external account … can only be
//!   suspended" (`SkipReason::ExternalAccount`), and the host refuses too,
//!   before anything is sent ([`EXTERNAL_CANNOT_DEACTIVATE`]). Both
//!   directories can suspend and restore access (`suspend_user`).
//! - **active** = account active *and* membership active: a suspended user
//!   holds no seat and cannot use any product, which is what "inactive"
//!   means to every policy.
//! - **created** = `addedToOrg` (the account may be older; the
//!   organization's view is what "new user" rules mean).
//! - **last login** = the latest per-product last-active instant
//!   ([`global_last_active`]). Cloud has no login event; "active" means
//!   "viewed a product page for at least 2 seconds", reported up to 24 hours
//!   late. Until the engine's multi-signal activity model lands (being
//!   built in `seatwarden-core`), this global date stands in for the login
//!   date; the per-product dates are kept beside the user
//!   ([`CloudFacts::products`]) so that switching over changes this module
//!   only.
//! - **login count**: unknown (`None`): Cloud does not count logins.

use chrono::{DateTime, NaiveDate};
use seatwarden_core::activity::ActivityValues;
use seatwarden_core::model::{Directory, DirectoryCapabilities, DirectoryId, DirectoryKind};
use seatwarden_core::snapshot::SnapshotUser;

use crate::wire::{AccountStatus, ClaimStatus, CloudUser, MembershipStatus};

/// The directory id of managed accounts.
pub const MANAGED: i64 = 1;
/// The directory id of external (unmanaged) accounts.
pub const EXTERNAL: i64 = 2;

/// Why an external account is never sent a deactivation.
pub const EXTERNAL_CANNOT_DEACTIVATE: &str = "an external account (not managed by the \
     organization) cannot be deactivated or enabled in Atlassian Cloud; suspend its access instead";

/// Why an external account is never sent a deletion.
pub const EXTERNAL_CANNOT_DELETE: &str = "an external account (not managed by the \
     organization) cannot be deleted in Atlassian Cloud; remove it from the directory instead";

/// The role id that makes an organization admin (always protected).
pub const ORG_ADMIN_ROLE: &str = "atlassian/org-admin";

/// The two directories of a Cloud organization, as the engine sees them:
/// the same writes but one, account updates, which only managed accounts
/// take.
pub fn directories() -> Vec<Directory> {
    let directory = |id, name: &str, kind, update_user| Directory {
        id: DirectoryId(id),
        name: name.into(),
        kind,
        capabilities: DirectoryCapabilities {
            update_user,
            rename_user: false,
            delete_user: true,
            create_user: false,
            update_membership: true,
            suspend_user: true,
        },
        local_groups: vec![],
    };
    vec![
        directory(
            MANAGED,
            "Managed accounts",
            DirectoryKind::CloudManaged,
            true,
        ),
        directory(
            EXTERNAL,
            "External accounts",
            DirectoryKind::CloudExternal,
            false,
        ),
    ]
}

/// One product's last activity, kept per user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductActivity {
    /// Product key (`jira-software`, `confluence`, …).
    pub product: String,
    /// Last active, UTC ms.
    pub last_active: i64,
}

/// What Cloud says about a user beyond the snapshot model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudFacts {
    /// Managed by the organization.
    pub managed: bool,
    /// The account is deactivated.
    pub deactivated: bool,
    /// Access is suspended.
    pub suspended: bool,
    /// An organization admin.
    pub org_admin: bool,
    /// A managed account in Atlassian's 14-day deletion grace period.
    pub pending_deletion: bool,
    /// Last active per product, latest first.
    pub products: Vec<ProductActivity>,
    /// Group ids by name.
    pub group_ids: Vec<(String, String)>,
}

/// Parses an ISO-8601 instant or a `YYYY-MM-DD` date (midnight UTC).
pub fn instant(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc().timestamp_millis())
        })
}

/// The latest of the per-product dates: the stand-in for a login date.
pub fn global_last_active(products: &[ProductActivity]) -> Option<i64> {
    products.iter().map(|p| p.last_active).max()
}

/// `user` as the snapshot model has it, and the Cloud facts kept beside.
pub fn map_user(user: &CloudUser) -> (SnapshotUser, CloudFacts) {
    let mut products: Vec<ProductActivity> = user
        .product_access
        .iter()
        .filter_map(|p| {
            Some(ProductActivity {
                product: p.key.clone()?,
                last_active: instant(p.last_active_timestamp.as_deref()?)?,
            })
        })
        .collect();
    products.sort_by_key(|p| std::cmp::Reverse(p.last_active));
    let managed = user.claim_status == ClaimStatus::Managed;
    // Unknown statuses count as "not active": a policy then leaves the user
    // alone rather than acting on a state it does not understand.
    let deactivated = user.account_status != AccountStatus::Active;
    let suspended = user.membership_status != MembershipStatus::Active;
    let email = user.email.clone().unwrap_or_default();
    let username = if email.is_empty() {
        user.account_id.clone()
    } else {
        email.clone()
    };
    let groups: Vec<(String, String)> = user
        .groups
        .iter()
        .filter_map(|g| Some((g.name.clone()?, g.id.clone())))
        .collect();
    let snapshot = SnapshotUser {
        key: user.account_id.clone(),
        username,
        display_name: user.name.clone().unwrap_or_default(),
        email,
        directory_id: if managed { MANAGED } else { EXTERNAL },
        active: !deactivated && !suspended,
        created: user.added_to_org.as_deref().and_then(instant).unwrap_or(0),
        last_login: global_last_active(&products),
        login_count: None,
        deactivated_at: if deactivated {
            user.deactivated_on.as_deref().and_then(instant)
        } else {
            None
        },
        groups: groups.iter().map(|(name, _)| name.clone()).collect(),
        // Per-product dates stay in `CloudFacts` until they are declared as
        // `seen` signals per product (docs/activity.md §5, docs/cloud.md).
        activity: ActivityValues::EMPTY,
    };
    let facts = CloudFacts {
        managed,
        deactivated,
        suspended,
        org_admin: user.platform_roles.iter().any(|r| r == ORG_ADMIN_ROLE),
        pending_deletion: user.for_deletion,
        products,
        group_ids: groups,
    };
    (snapshot, facts)
}
