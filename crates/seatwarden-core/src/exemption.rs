//! Exemptions: "this user is not acted on by this policy (or any), until a
//! date, because of a reason, granted by whom".
//!
//! Why first class (and not "put them in a protected group"): a protected
//! group is forever, says nothing about why, and is a directory change the
//! product's own admins see and may undo. An exemption is Seatwarden's own
//! record with an end date, a reason and an author, so a plan can say
//! exactly why someone was spared ("exempt until 2027-03-01 (granted by
//! admin `K1`: on parental leave)") and an admin can review who is exempt.
//!
//! **Lapsing is evaluation's job.** An exemption holds while `now <
//! until`; evaluation at `now` simply ignores lapsed ones, so an exemption
//! ends on time even when nobody prunes the store. The store removes lapsed
//! ones later (the service audits each removal as "lapsed").
//!
//! **End date by default.** `until: None` (indefinite) exists because some
//! accounts must never be touched by one policy, but the API and the UI make
//! it an explicit choice: an instance of 20,000 users accumulates forgotten
//! indefinite exemptions otherwise.
//!
//! **Scheduled policies only.** Exemptions spare users from policies
//! (scheduled runs and review-mode queues). An admin's explicit bulk action
//! names its users itself, and login policies give access rather than take
//! it, so neither consults exemptions (documented in
//! `docs/exemptions-and-review.md`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::UserKey;
use crate::policy::PolicyId;
use crate::time::Millis;

/// Which policies an exemption covers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ExemptionScope {
    /// Every policy.
    All,
    /// One policy.
    Policy(PolicyId),
}

impl ExemptionScope {
    /// True when the exemption covers policy `id`.
    pub fn covers(&self, id: &PolicyId) -> bool {
        match self {
            ExemptionScope::All => true,
            ExemptionScope::Policy(p) => p == id,
        }
    }

    /// The stable text form: `*` for all policies, else the policy id (ids
    /// never contain `*`, see the configuration's id rule).
    pub fn key(&self) -> &str {
        match self {
            ExemptionScope::All => "*",
            ExemptionScope::Policy(p) => p.as_str(),
        }
    }
}

impl fmt::Display for ExemptionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExemptionScope::All => f.write_str("all policies"),
            ExemptionScope::Policy(p) => write!(f, "policy `{p}`"),
        }
    }
}

/// Who granted an exemption, typed so that a report can tell an admin's
/// choice from a reviewer's rejection, a timeout and a user's approved
/// request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    rename_all = "snake_case",
    tag = "kind",
    rename_all_fields = "camelCase"
)]
pub enum GrantedBy {
    /// An admin, directly (Users tab, API).
    Admin {
        /// The admin's user key.
        admin: UserKey,
    },
    /// An admin rejecting a review-list item.
    ReviewDecision {
        /// The reviewer's user key.
        admin: UserKey,
        /// The review item.
        item: i64,
    },
    /// A review item nobody decided in time, on a policy whose timeout
    /// outcome is "exempt".
    ReviewTimeout {
        /// The review item.
        item: i64,
    },
    /// A user's "I still need access" request, approved by an admin or by
    /// the policy's rule.
    Request {
        /// The request's identifier.
        request: String,
        /// The admin who approved it (`None`: the policy's rule did).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<UserKey>,
    },
}

impl fmt::Display for GrantedBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantedBy::Admin { admin } => write!(f, "admin `{admin}`"),
            GrantedBy::ReviewDecision { admin, item } => {
                write!(f, "review decision by `{admin}` (item {item})")
            }
            GrantedBy::ReviewTimeout { item } => {
                write!(f, "review timeout (item {item} undecided)")
            }
            GrantedBy::Request {
                request,
                approved_by: Some(admin),
            } => write!(f, "access request {request}, approved by `{admin}`"),
            GrantedBy::Request {
                request,
                approved_by: None,
            } => write!(f, "access request {request}, approved by the policy's rule"),
        }
    }
}

/// One exemption. At most one exists per (user, scope): granting again
/// replaces it (and the audit keeps the old one).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exemption {
    /// The exempt user.
    pub user: UserKey,
    /// The policies it covers.
    pub scope: ExemptionScope,
    /// The first instant it no longer holds (`None`: indefinite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Millis>,
    /// Why, in the granter's words (one line).
    pub reason: String,
    /// Who granted it.
    pub granted_by: GrantedBy,
    /// When it was granted.
    pub created_at: Millis,
}

impl Exemption {
    /// True while the exemption holds at `now`.
    pub fn is_active(&self, now: Millis) -> bool {
        self.until.is_none_or(|u| now < u)
    }

    /// The (user, scope) pair that identifies it.
    pub fn key(&self) -> (&UserKey, &ExemptionScope) {
        (&self.user, &self.scope)
    }

    /// The skip reason a plan gives for a user this exemption spares.
    pub fn skip_reason(&self) -> crate::plan::SkipReason {
        crate::plan::SkipReason::Exempt {
            until: self.until,
            granted_by: self.granted_by.clone(),
            reason: self.reason.clone(),
        }
    }
}

/// The last day an exemption ending at `until` holds, as `YYYY-MM-DD`
/// ("exempt until 2027-03-01" means: through that day, UTC).
pub fn last_day(until: Millis) -> String {
    Millis(until.0.saturating_sub(1)).date_string()
}

/// The instant an exemption "until `YYYY-MM-DD`" (inclusive, UTC) lapses:
/// the start of the next day. `None` for text that is not such a date.
pub fn until_from_date(date: &str) -> Option<Millis> {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
    Some(Millis(next.and_utc().timestamp_millis()))
}

/// Longest accepted reason, in characters (one line, shown in tables).
pub const MAX_REASON_CHARS: usize = 500;

/// Why a reason text is refused, if it is (empty, too long, several lines,
/// control or bidi characters). The message names no user.
pub fn reason_problem(reason: &str) -> Option<&'static str> {
    if reason.trim().is_empty() {
        Some("is required (say why the user is exempt)")
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Some("is longer than 500 characters")
    } else if reason.contains(['\n', '\r']) {
        Some("must be one line")
    } else if crate::text::has_control(reason) {
        Some("contains control characters")
    } else if crate::text::has_bidi_control(reason) {
        Some(crate::text::BIDI_REASON)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(until: Option<Millis>) -> Exemption {
        Exemption {
            user: UserKey::from("K1"),
            scope: ExemptionScope::All,
            until,
            reason: "parental leave".into(),
            granted_by: GrantedBy::Admin {
                admin: UserKey::from("admin"),
            },
            created_at: Millis(0),
        }
    }

    #[test]
    fn lapses_at_its_end_instant_and_indefinite_never_does() {
        let until = until_from_date("2027-03-01").unwrap();
        let e = ex(Some(until));
        assert!(e.is_active(Millis(until.0 - 1)));
        assert!(!e.is_active(until));
        assert_eq!(last_day(until), "2027-03-01");
        assert!(ex(None).is_active(Millis(i64::MAX)));
    }

    #[test]
    fn renders_until_granter_and_reason() {
        let e = ex(until_from_date("2027-03-01"));
        assert_eq!(
            e.skip_reason().to_string(),
            "exempt until 2027-03-01 (granted by admin `admin`: parental leave)"
        );
        assert_eq!(
            ex(None).skip_reason().to_string(),
            "exempt indefinitely (granted by admin `admin`: parental leave)"
        );
    }

    #[test]
    fn reasons_are_one_clean_line() {
        assert!(reason_problem("on leave").is_none());
        assert!(reason_problem("  ").is_some());
        assert!(reason_problem("a\nb").is_some());
        assert!(reason_problem("a\u{202e}b").is_some());
        assert!(reason_problem(&"x".repeat(501)).is_some());
        assert!(until_from_date("2027-02-30").is_none());
    }

    #[test]
    fn scope_covers_its_policy_or_all() {
        let p = PolicyId::from("p1");
        assert!(ExemptionScope::All.covers(&p));
        assert!(ExemptionScope::Policy(p.clone()).covers(&p));
        assert!(!ExemptionScope::Policy(PolicyId::from("p2")).covers(&p));
    }
}
