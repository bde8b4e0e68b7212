//! Access given back at login is provisional until the product completes
//! that login.
//!
//! The login filter runs before the product's own login. A verified password
//! proves only the password: the product still checks things Seatwarden
//! cannot see (two-step verification, CAPTCHA, SSO-only login, its own
//! authorisation). Giving access back for good on the password alone would let
//! in a person the product refuses (a departed employee whose identity-provider
//! account is disabled but who still knows a local password), and from then on
//! their tokens and scripts too. So:
//!
//! - [`login_verified`] applies the login policies for a check the journal
//!   says was verified (never for any other), tags every entry with the check,
//!   journals one `login_provisional` entry and remembers the grant on this
//!   node with its deadline (`LoginSettings::confirm_window_minutes`).
//! - [`confirm`] is called for the product's login event *of that request*
//!   (the plugin correlates the event with the request the filter verified):
//!   it journals `login_confirmed` and the grant stands.
//! - [`expire_local`] (this node, on every drive and tick) and [`repair`] (the
//!   cluster tick, any node, also for grants a stopped node left behind) take
//!   back every grant past its deadline without a confirmation: the inverse of
//!   each operation the grant's entries record, journaled as
//!   `login_not_completed`. A take-back the host refuses is journaled as failed
//!   and tried again at the next tick.
//!
//! Everything lives in the audit log, like the password-check journal in
//! `probe`: durable in every Store, shared by all nodes, visible to admins.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use seatwarden_audit::{
    Action as AuditAction, Actor, AuditEntry, AuditFilter, Status, StoredEntry, Target,
};
use seatwarden_core::{Millis, Operation, UserKey};

use super::login::{LoginOutcome, apply_login, locate};
use super::probe::{CheckId, HORIZON_MS, Sweep, check_note, closed_check, first_match};
use super::{Missing, Service, ServiceError};

/// The lease that keeps two nodes from taking back the same grant at once.
const GRANT_LEASE: &str = "_login-grant-repair";

/// How long the take-back lease lasts unless released.
const GRANT_LEASE_TTL: Duration = Duration::from_secs(120);

/// One provisional grant this node made and has not seen confirmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The verified check the grant came from.
    pub(crate) check: CheckId,
    /// When the grant was made.
    pub(crate) at: Millis,
    /// When it is taken back unless confirmed.
    pub(crate) deadline: Millis,
}

/// Node-local grants waiting for the product's login event, by user.
pub(crate) type Grants = HashMap<UserKey, Grant>;

/// The entry that began `check` (within the journal horizon).
fn began_entry(
    service: &Service,
    check: CheckId,
    now: Millis,
) -> Result<StoredEntry, ServiceError> {
    let filter = AuditFilter {
        actions: vec![AuditAction::LoginCheckBegan],
        from: Some(Millis(now.0.saturating_sub(HORIZON_MS))),
        ..AuditFilter::default()
    };
    first_match(service, filter, |e| e.id.0 == check.0)?
        .ok_or(ServiceError::NotFound(Missing::PasswordCheck(check)))
}

/// The newest entry of `actions` that names `check`.
fn naming(
    service: &Service,
    actions: Vec<AuditAction>,
    check: CheckId,
    since: Millis,
) -> Result<Option<StoredEntry>, ServiceError> {
    let filter = AuditFilter {
        actions,
        from: Some(since),
        ..AuditFilter::default()
    };
    first_match(service, filter, |e| closed_check(&e.entry) == Some(check))
}

pub(super) fn login_verified(
    service: &Service,
    check: CheckId,
    now: Millis,
) -> Result<LoginOutcome, ServiceError> {
    let began = began_entry(service, check, now)?;
    let ended = naming(
        service,
        vec![AuditAction::LoginCheckEnded],
        check,
        began.entry.at,
    )?;
    // The engine, not the caller, decides that a password was verified: only
    // a check the journal closed as accepted gives anything back.
    if ended.is_none_or(|e| e.entry.status != Status::Success) {
        return Err(ServiceError::CheckNotVerified(check));
    }
    if naming(
        service,
        vec![AuditAction::LoginProvisional],
        check,
        began.entry.at,
    )?
    .is_some()
    {
        return Err(ServiceError::CheckAlreadyGranted(check));
    }
    let Some(key) = began.entry.target.user.clone() else {
        return Err(ServiceError::NotFound(Missing::PasswordCheckUser(check)));
    };
    let outcome = apply_login(service, key.as_str(), now, Some(check))?;
    if outcome.applied.is_empty() {
        return Ok(outcome);
    }
    let window = service.settings().config.settings.login.confirm_window_ms();
    let deadline = Millis(now.0.saturating_add(window));
    let entry = AuditEntry::new(
        now,
        Actor::system(),
        AuditAction::LoginProvisional,
        Status::Success,
    )
    .with_target(began.entry.target.clone())
    .with_description(format!(
        "{}{} change(s), taken back unless the product completes the login within {} minute(s)",
        check_note(check),
        outcome.applied.len(),
        window / 60_000
    ))
    .with_reason("credentials verified at login");
    service.store().append_audit(&[entry])?;
    service.grants().lock().insert(
        key,
        Grant {
            check,
            at: now,
            deadline,
        },
    );
    Ok(outcome)
}

/// The product completed the login of `who` on the request the filter
/// verified: the grant waiting for it stands. `false` when none waited.
pub(super) fn confirm(service: &Service, who: &str, now: Millis) -> Result<bool, ServiceError> {
    if service.grants().lock().is_empty() {
        return Ok(false);
    }
    let Some((key, _, _)) = locate(service, who)? else {
        return Ok(false);
    };
    let Some(grant) = service.grants().lock().remove(&key) else {
        return Ok(false);
    };
    let entry = AuditEntry::new(
        now,
        Actor::system(),
        AuditAction::LoginConfirmed,
        Status::Success,
    )
    .with_target(Target::user(key, None))
    .with_description(format!(
        "{}the product completed the login",
        check_note(grant.check)
    ));
    service.store().append_audit(&[entry])?;
    Ok(true)
}

/// Takes back this node's grants past their deadline; how many.
pub(super) fn expire_local(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let due: Vec<(UserKey, Grant)> = {
        let mut grants = service.grants().lock();
        let due: Vec<_> = grants
            .iter()
            .filter(|(_, g)| g.deadline <= now)
            .map(|(k, g)| (k.clone(), *g))
            .collect();
        for (k, _) in &due {
            grants.remove(k);
        }
        due
    };
    let mut count = 0;
    for (key, grant) in due {
        // Another node (or an earlier tick) may have closed it meanwhile.
        if naming(
            service,
            vec![AuditAction::LoginConfirmed, AuditAction::LoginNotCompleted],
            grant.check,
            grant.at,
        )?
        .is_some_and(|e| e.entry.status != Status::Failed)
        {
            continue;
        }
        if take_back(service, &key, grant.check, grant.at, now)? {
            count += 1;
        }
    }
    Ok(count)
}

/// Takes back every grant in the journal whose confirm window has passed
/// without a confirmation (grants of stopped nodes included); how many. One
/// node at a time (a lease); idempotent.
pub(super) fn repair(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let window = service.settings().config.settings.login.confirm_window_ms();
    let horizon = Millis(now.0.saturating_sub(HORIZON_MS));
    let sweep = Sweep {
        action: AuditAction::LoginProvisional,
        from: horizon,
        until: Millis(now.0.saturating_sub(window)),
        lease: GRANT_LEASE,
        lease_ttl: GRANT_LEASE_TTL,
    };
    sweep.run(service, now, |granted| {
        repair_leased(service, granted, horizon, now)
    })
}

fn repair_leased(
    service: &Service,
    granted: Vec<StoredEntry>,
    horizon: Millis,
    now: Millis,
) -> Result<u64, ServiceError> {
    let mut closed = HashSet::new();
    service.store().scan_audit(
        &AuditFilter {
            actions: vec![AuditAction::LoginConfirmed, AuditAction::LoginNotCompleted],
            from: Some(horizon),
            ..AuditFilter::default()
        },
        &mut |e| {
            // A take-back the host refused leaves the grant open: retried.
            if e.entry.status != Status::Failed {
                closed.extend(closed_check(&e.entry));
            }
            Ok(())
        },
    )?;
    let mut count = 0;
    for e in granted {
        let Some(check) = closed_check(&e.entry) else {
            continue;
        };
        if closed.contains(&check) {
            continue;
        }
        let Some(key) = e.entry.target.user.clone() else {
            continue;
        };
        service.grants().lock().remove(&key);
        if take_back(service, &key, check, e.entry.at, now)? {
            count += 1;
        }
    }
    Ok(count)
}

/// The operation that undoes one landed write of a grant, from its entry.
fn inverse(entry: &AuditEntry, key: &UserKey) -> Option<Operation> {
    let user = key.clone();
    match entry.action {
        AuditAction::UserReactivated | AuditAction::UserActivated => {
            Some(Operation::Deactivate { user })
        }
        AuditAction::AddedToGroup => entry
            .target
            .group
            .clone()
            .map(|group| Operation::RemoveFromGroup { user, group }),
        AuditAction::RemovedFromGroup => entry
            .target
            .group
            .clone()
            .map(|group| Operation::AddToGroup { user, group }),
        _ => None,
    }
}

/// Undoes the writes of `check`'s grant to `key`, newest first, and journals
/// `login_not_completed`; whether everything was undone.
fn take_back(
    service: &Service,
    key: &UserKey,
    check: CheckId,
    granted_at: Millis,
    now: Millis,
) -> Result<bool, ServiceError> {
    let _user = service.stripe(key.as_str()).lock();
    let note = check_note(check);
    let mut writes = Vec::new();
    service.store().scan_audit(
        &AuditFilter {
            actions: vec![
                AuditAction::UserReactivated,
                AuditAction::UserActivated,
                AuditAction::AddedToGroup,
                AuditAction::RemovedFromGroup,
            ],
            statuses: vec![Status::Success],
            target: Some(key.to_string()),
            from: Some(granted_at),
            until: Some(Millis(granted_at.0.saturating_add(1))),
            ..AuditFilter::default()
        },
        &mut |e| {
            if e.entry.target.user.as_ref() == Some(key) && e.entry.description.starts_with(&note) {
                writes.push(e.entry.clone());
            }
            Ok(())
        },
    )?;
    let mut entries = Vec::new();
    let mut undone = 0;
    let mut failures = Vec::new();
    for write in writes.iter().rev() {
        let Some(op) = inverse(write, key) else {
            continue;
        };
        let result = service.host().apply(&op);
        let (status, detail) = match &result {
            Ok(_) => {
                service.note_applied(&op, now);
                undone += 1;
                (Status::Success, None)
            }
            Err(failure) => (Status::Failed, Some(failure.to_string())),
        };
        let mut description = format!("{note}{op}");
        if let Some(d) = &detail {
            description = format!("{description}: {d}");
            failures.push(d.clone());
        }
        entries.push(
            AuditEntry::new(
                now,
                Actor::system(),
                AuditAction::of_operation(&op, false),
                status,
            )
            .with_target(write.target.clone())
            .with_description(description)
            .with_reason("login not completed"),
        );
    }
    let done = failures.is_empty();
    let summary = if done {
        format!("{note}access taken back ({undone} change(s) undone)")
    } else {
        format!(
            "{note}could not take access back ({}); tried again at the next tick",
            failures.join("; ")
        )
    };
    let target = writes
        .first()
        .map(|w| w.target.clone())
        .unwrap_or_else(|| Target::user(key.clone(), None));
    entries.push(
        AuditEntry::new(
            now,
            Actor::system(),
            AuditAction::LoginNotCompleted,
            if done {
                Status::Success
            } else {
                Status::Failed
            },
        )
        .with_target(target)
        .with_description(summary)
        .with_reason("the product did not complete the login within the confirm window"),
    );
    service.store().append_audit(&entries)?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use seatwarden_core::GroupName;

    use super::*;

    #[test]
    fn each_landed_write_has_its_inverse() {
        let key = UserKey::from("K1");
        let entry = |action| {
            AuditEntry::new(Millis(1), Actor::system(), action, Status::Success).with_target(
                Target {
                    user: Some(key.clone()),
                    user_name: None,
                    group: Some(GroupName::from("jira-users")),
                },
            )
        };
        assert_eq!(
            inverse(&entry(AuditAction::UserReactivated), &key),
            Some(Operation::Deactivate { user: key.clone() })
        );
        assert_eq!(
            inverse(&entry(AuditAction::AddedToGroup), &key),
            Some(Operation::RemoveFromGroup {
                user: key.clone(),
                group: GroupName::from("jira-users")
            })
        );
        assert_eq!(
            inverse(&entry(AuditAction::RemovedFromGroup), &key),
            Some(Operation::AddToGroup {
                user: key.clone(),
                group: GroupName::from("jira-users")
            })
        );
        assert_eq!(inverse(&entry(AuditAction::UserRenamed), &key), None);
    }
}
