//! Granting, revoking, listing and pruning exemptions (see
//! `seatwarden_core::exemption` for what one is, and
//! `docs/exemptions-and-review.md`).
//!
//! Every change is audited per user with its actor, and written so it can be
//! undone: a grant over an existing exemption records the one it replaced
//! (its reason field), a revoke records what it removed. Validation comes
//! first and is complete: a refused request changes nothing.

use seatwarden_audit::{Action as AuditAction, Actor, AuditEntry, Status, Target};
use seatwarden_core::Millis;
use seatwarden_core::exemption::{Exemption, ExemptionScope, GrantedBy, last_day, reason_problem};
use seatwarden_core::model::UserKey;
use serde::{Deserialize, Serialize};

use super::{Service, ServiceError};
use crate::store::ExemptionKey;

/// Most users one grant or revoke may name (a whole large instance; beyond
/// this it is not an exemption but a policy change).
pub const MAX_USERS_PER_CHANGE: usize = 100_000;

/// Why an exemption request was refused. Messages name no user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExemptionError {
    /// The request names no user.
    #[error("no users: name at least one user")]
    NoUsers,
    /// The request names more users than one change may.
    #[error("{0} users in one change; at most 100000")]
    TooManyUsers(usize),
    /// Some users are not in the directory (how many; never which).
    #[error("{0} of the users are not in the directory")]
    UnknownUsers(usize),
    /// The reason text is refused.
    #[error("reason {0}")]
    Reason(&'static str),
    /// Neither an end date nor "indefinite" was chosen.
    #[error("choose an end date (`until` or `days`), or `indefinite: true`")]
    NoEnd,
    /// The end date is not after now.
    #[error("the end date must lie in the future")]
    EndInPast,
    /// The scope names a policy the configuration does not have.
    #[error("policy `{0}` does not exist")]
    UnknownPolicy(String),
    /// A review decision was asked for items not open.
    #[error("{0} of the items are not open for a decision")]
    NotOpen(usize),
}

/// A grant: the same exemption for each of `users`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExemptionGrant {
    /// The users.
    pub users: Vec<UserKey>,
    /// Which policies.
    pub scope: ExemptionScope,
    /// The first instant it no longer holds (`None`: indefinite, which the
    /// API makes an explicit choice).
    pub until: Option<Millis>,
    /// Why (one line, required).
    pub reason: String,
    /// Who grants it.
    pub granted_by: GrantedBy,
}

/// What a grant did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GrantReport {
    /// The exemptions now stored.
    pub granted: Vec<Exemption>,
    /// The exemptions they replaced (same user and scope), for undo.
    pub replaced: Vec<Exemption>,
}

/// One line describing an exemption (audit descriptions, CSV).
pub fn describe(e: &Exemption) -> String {
    let end = match e.until {
        Some(u) => format!("until {}", last_day(u)),
        None => "indefinitely".to_owned(),
    };
    format!(
        "exempt from {} {end} (granted by {}: {})",
        e.scope, e.granted_by, e.reason
    )
}

impl Service {
    /// Refuses a scope naming a policy the configuration lacks.
    fn check_scope(&self, scope: &ExemptionScope) -> Result<(), ServiceError> {
        if let ExemptionScope::Policy(id) = scope
            && !self.settings().config.policies.iter().any(|p| p.id == *id)
        {
            return Err(ExemptionError::UnknownPolicy(id.0.to_string()).into());
        }
        Ok(())
    }

    /// Refuses users the directory does not have (when an index is built;
    /// the count only, never the keys).
    fn check_users(&self, users: &[UserKey]) -> Result<(), ServiceError> {
        if users.is_empty() {
            return Err(ExemptionError::NoUsers.into());
        }
        if users.len() > MAX_USERS_PER_CHANGE {
            return Err(ExemptionError::TooManyUsers(users.len()).into());
        }
        let unknown = self
            .current_index(|index| {
                users
                    .iter()
                    .filter(|k| index.index_of_key(k).is_none())
                    .count()
            })
            .unwrap_or(0);
        if unknown > 0 {
            return Err(ExemptionError::UnknownUsers(unknown).into());
        }
        Ok(())
    }

    /// Grants `grant` to each of its users (replacing an exemption of the
    /// same user and scope) and audits each, naming `actor`. Validation is
    /// complete before anything is written.
    pub fn grant_exemption(
        &self,
        grant: &ExemptionGrant,
        actor: Actor,
        now: Millis,
    ) -> Result<GrantReport, ServiceError> {
        if let Some(problem) = reason_problem(&grant.reason) {
            return Err(ExemptionError::Reason(problem).into());
        }
        if grant.until.is_some_and(|u| u <= now) {
            return Err(ExemptionError::EndInPast.into());
        }
        self.check_scope(&grant.scope)?;
        let mut users = grant.users.clone();
        users.sort();
        users.dedup();
        self.check_users(&users)?;
        let granted: Vec<Exemption> = users
            .iter()
            .map(|u| Exemption {
                user: u.clone(),
                scope: grant.scope.clone(),
                until: grant.until,
                reason: grant.reason.trim().to_owned(),
                granted_by: grant.granted_by.clone(),
                created_at: now,
            })
            .collect();
        let replaced = self.store().write_exemptions(&granted, &[])?;
        let entries: Vec<AuditEntry> = granted
            .iter()
            .map(|e| {
                let old = replaced.iter().find(|r| r.key() == e.key());
                let mut entry = self.exemption_entry(e, &actor, AuditAction::ExemptionGranted, now);
                if let Some(old) = old {
                    entry = entry.with_reason(format!("replaces: {}", describe(old)));
                }
                entry
            })
            .collect();
        self.store().append_audit(&entries)?;
        Ok(GrantReport { granted, replaced })
    }

    /// Revokes the exemptions of `keys` that exist; audits each removed one
    /// (its description records it, so it can be granted back) and answers
    /// them. Keys without an exemption are ignored.
    pub fn revoke_exemptions(
        &self,
        keys: &[ExemptionKey],
        actor: Actor,
        now: Millis,
    ) -> Result<Vec<Exemption>, ServiceError> {
        if keys.is_empty() {
            return Err(ExemptionError::NoUsers.into());
        }
        if keys.len() > MAX_USERS_PER_CHANGE {
            return Err(ExemptionError::TooManyUsers(keys.len()).into());
        }
        let removed = self.store().write_exemptions(&[], keys)?;
        let entries: Vec<AuditEntry> = removed
            .iter()
            .map(|e| self.exemption_entry(e, &actor, AuditAction::ExemptionRevoked, now))
            .collect();
        self.store().append_audit(&entries)?;
        Ok(removed)
    }

    /// Every stored exemption (lapsed ones too, until pruned).
    pub fn exemptions(&self) -> Result<Vec<Exemption>, ServiceError> {
        Ok(self.store().list_exemptions()?)
    }

    /// Removes the exemptions lapsed at `now`, auditing each as lapsed (by
    /// automation); answers how many. Evaluation already ignores them, so
    /// pruning is housekeeping: the scheduler does it on its tick.
    pub fn prune_exemptions(&self, now: Millis) -> Result<usize, ServiceError> {
        let lapsed: Vec<ExemptionKey> = self
            .store()
            .list_exemptions()?
            .iter()
            .filter(|e| !e.is_active(now))
            .map(ExemptionKey::of)
            .collect();
        if lapsed.is_empty() {
            return Ok(0);
        }
        let removed = self.store().write_exemptions(&[], &lapsed)?;
        // Re-granted between the read and the write: that one is active, so
        // put it back (the write answered what it removed).
        let regranted: Vec<Exemption> = removed
            .iter()
            .filter(|e| e.is_active(now))
            .cloned()
            .collect();
        if !regranted.is_empty() {
            self.store().write_exemptions(&regranted, &[])?;
        }
        let entries: Vec<AuditEntry> = removed
            .iter()
            .filter(|e| !e.is_active(now))
            .map(|e| self.exemption_entry(e, &Actor::system(), AuditAction::ExemptionLapsed, now))
            .collect();
        let n = entries.len();
        self.store().append_audit(&entries)?;
        Ok(n)
    }

    fn exemption_entry(
        &self,
        e: &Exemption,
        actor: &Actor,
        action: AuditAction,
        now: Millis,
    ) -> AuditEntry {
        let mut entry = AuditEntry::new(now, actor.clone(), action, Status::Success)
            .with_target(Target::user(e.user.clone(), self.username_of(&e.user)))
            .with_description(describe(e));
        if let ExemptionScope::Policy(p) = &e.scope {
            entry = entry.with_policy(p.clone());
        }
        entry
    }
}
