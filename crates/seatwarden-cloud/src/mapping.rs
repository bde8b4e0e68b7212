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
//!   means to every policy. **suspended** = the membership status, kept
//!   apart so the Users tab can tell it from a deactivation and a restore
//!   acts on suspended users only.
//! - **created** = `addedToOrg` (the account may be older; the
//!   organization's view is what "new user" rules mean).
//! - **last login**: none. Cloud has no login event; what it has is a
//!   last-active date per product ("viewed a product page for at least 2
//!   seconds", reported up to 24 hours late). Each product present in the
//!   organization becomes a declared `seen` signal of that product
//!   ([`SignalLayout`]), each user carries its per-product dates in header
//!   order, and the engine's reasons then read "last active in Confluence
//!   2026-10-01" instead of an invented login. Putting the latest of those
//!   dates in `last_login` (the former stand-in) made every reason say
//!   "last login" and hid which product the person still used.
//! - **login count**: unknown (`None`): Cloud does not count logins.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};
use seatwarden_core::activity::{ActivityValues, MAX_SIGNALS, SignalDecl, SignalKind};
use seatwarden_core::model::ApplicationKey;
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

/// The product name of the signal that carries, when an organization has
/// more products than the engine takes signals, the latest date among the
/// products without a signal of their own.
pub const OTHER_PRODUCTS: &str = "other-products";

/// Which Cloud products the snapshot declares as `seen` signals, in header
/// order.
///
/// Why a layout and not a per-user list: the engine wants every user's
/// values aligned with one header. It is computed from the whole
/// organization at each full read ([`SignalLayout::of`]) and reused for
/// the single-user reads in between ([`SignalLayout::values`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignalLayout {
    /// Products with a signal of their own, by key.
    own: Vec<String>,
    /// Whether a last signal [`OTHER_PRODUCTS`] carries the rest.
    folded: bool,
}

impl SignalLayout {
    /// The layout for an organization whose users have `facts`: one signal
    /// per product that any user has a date in, by key. Past
    /// [`MAX_SIGNALS`] products, the `MAX_SIGNALS - 1` products with the
    /// most users (ties by key) keep their own signal and the last one,
    /// [`OTHER_PRODUCTS`], carries each user's latest date among the rest:
    /// no date is dropped (a dropped date could make a working person look
    /// idle), only the name of the rarest products is lost from reasons.
    pub fn of<'a>(facts: impl IntoIterator<Item = &'a CloudFacts>) -> SignalLayout {
        let mut users: BTreeMap<&str, usize> = BTreeMap::new();
        for f in facts {
            for p in &f.products {
                *users.entry(p.product.as_str()).or_default() += 1;
            }
        }
        let mut own: Vec<(&str, usize)> = users.into_iter().collect();
        let folded = own.len() > MAX_SIGNALS;
        if folded {
            own.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            own.truncate(MAX_SIGNALS - 1);
            own.sort_by(|a, b| a.0.cmp(b.0));
        }
        SignalLayout {
            own: own.into_iter().map(|(p, _)| p.to_owned()).collect(),
            folded,
        }
    }

    /// The header's signals: `seen` of each product, no `since` (Atlassian
    /// keeps the history).
    pub fn decls(&self) -> Vec<SignalDecl> {
        let seen = |p: &str| SignalDecl {
            kind: SignalKind::Seen,
            product: Some(ApplicationKey::from(p)),
            since: None,
            gaps: Vec::new(),
        };
        let mut out: Vec<SignalDecl> = self.own.iter().map(|p| seen(p)).collect();
        if self.folded {
            out.push(seen(OTHER_PRODUCTS));
        }
        out
    }

    /// A user's values in header order, and whether every product of theirs
    /// had a place. `false` only for a single-user read between full reads
    /// that finds a product the layout did not know: that date is not
    /// shown (no signal carries it) and the caller re-reads the organization
    /// at the next index build, which declares the new product.
    pub fn values(&self, products: &[ProductActivity]) -> (ActivityValues, bool) {
        let mut out = ActivityValues::EMPTY;
        for p in &self.own {
            out.push(
                products
                    .iter()
                    .filter(|a| &a.product == p)
                    .map(|a| a.last_active)
                    .max(),
            );
        }
        let rest = products.iter().filter(|a| !self.own.contains(&a.product));
        if self.folded {
            out.push(rest.map(|a| a.last_active).max());
            (out, true)
        } else {
            (out, rest.count() == 0)
        }
    }
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
        last_login: None,
        login_count: None,
        deactivated_at: if deactivated {
            user.deactivated_on.as_deref().and_then(instant)
        } else {
            None
        },
        // The membership status on its own: restorable, unlike a
        // deactivation. Atlassian reports no suspension time (the users
        // search has no such field), so "suspended for N days" comes from
        // Seatwarden's audit trail of its own suspensions.
        suspended,
        groups: groups.iter().map(|(name, _)| name.clone()).collect(),
        // Set by the host from the organization's [`SignalLayout`].
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

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    fn facts(products: &[(&str, i64)]) -> CloudFacts {
        CloudFacts {
            managed: true,
            deactivated: false,
            suspended: false,
            org_admin: false,
            pending_deletion: false,
            products: products
                .iter()
                .map(|(p, at)| ProductActivity {
                    product: (*p).to_owned(),
                    last_active: *at,
                })
                .collect(),
            group_ids: vec![],
        }
    }

    #[test]
    fn products_past_the_engine_limit_fold_into_the_last_signal_by_latest_date() {
        // Ten products; p0..p6 have two users each, p7..p9 one: the seven
        // most used keep their own signal, the rest share `other-products`.
        let all: Vec<(String, i64)> = (0..10).map(|i| (format!("p{i}"), 100 + i)).collect();
        let everyone = facts(
            &all.iter()
                .map(|(p, at)| (p.as_str(), *at))
                .collect::<Vec<_>>(),
        );
        let common = facts(
            &(0..7)
                .map(|i| (["p0", "p1", "p2", "p3", "p4", "p5", "p6"][i], 1))
                .collect::<Vec<_>>(),
        );
        let layout = SignalLayout::of([&everyone, &common]);
        let names: Vec<String> = layout
            .decls()
            .iter()
            .map(|d| {
                d.product
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(
            names,
            ["p0", "p1", "p2", "p3", "p4", "p5", "p6", OTHER_PRODUCTS]
        );
        assert_eq!(names.len(), MAX_SIGNALS);
        let (values, placed) = layout.values(&everyone.products);
        assert!(placed);
        assert_eq!(
            values.as_slice(),
            [100, 101, 102, 103, 104, 105, 106, 109].map(Some),
            "the fold carries the latest of p7..p9"
        );
        // A product never seen at the full read still lands in the fold.
        let (values, placed) = layout.values(&facts(&[("new", 500)]).products);
        assert!(placed);
        assert_eq!(values.as_slice()[7], Some(500));
    }

    #[test]
    fn an_unknown_product_without_a_fold_is_reported_unplaced() {
        let layout = SignalLayout::of([&facts(&[("confluence", 5)])]);
        let (values, placed) = layout.values(&facts(&[("confluence", 5), ("trello", 9)]).products);
        assert!(!placed, "the caller must re-read the organization");
        assert_eq!(values.as_slice(), [Some(5)]);
    }
}
