//! Password checks at login: decided by the engine, journaled in the audit
//! log, repaired by the scheduler.
//!
//! The products refuse a deactivated account before they look at its
//! password, so the plugin's login filter verifies a returning user's
//! password by activating the account for the length of one check (a
//! "probe") and deactivating it again. Three things make that safe, and they
//! live here rather than in the plugin because only the engine knows the
//! policies and only the Store is shared by every cluster node:
//!
//! - [`login_check`] answers first whether a verified login would give this
//!   user anything at all (the same compiled login policies [`on_login`]
//!   uses, so the answers agree) and whether a recent wrong password means
//!   waiting. A "no" costs no host write and leaves no trace.
//! - [`check_began`] and [`check_ended`] journal each check as audit
//!   entries: durable in every Store, visible to admins, no new Store
//!   method. The `began` entry's id names the check.
//! - [`repair`], run by every tick, closes checks that began and never ended
//!   (the node died inside the window): it deactivates the account again
//!   unless the engine itself gave access back since. It undoes our own
//!   temporary change, so it runs in safe mode too.
//!
//! [`on_login`]: super::Service::on_login

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use seatwarden_audit::{
    Action as AuditAction, Actor, AuditEntry, AuditFilter, AuditQuery, PolicyId, Status,
    StoredEntry, Target,
};
use seatwarden_core::login::{LoginAction, LoginSkipEntry};
use seatwarden_core::policy::Mode;
use seatwarden_core::{Millis, Operation, UserKey};

use super::login::{locate, position};
use super::{Missing, Service, ServiceError};
use crate::store::StoreError;

/// After a password was not accepted, no new check for that user for this
/// long (5 minutes), on any node: with the product's own CAPTCHA threshold
/// this keeps the filter from guessing a deactivated user's password faster
/// than the login form allows.
pub const BACKOFF_MS: i64 = 5 * 60 * 1_000;

/// A check still open this long after it began is taken as abandoned (its
/// node died). Two minutes: far above one check (one password hash or one
/// LDAP bind) and below the few minutes between scheduler ticks.
pub const GRACE_MS: i64 = 2 * 60 * 1_000;

/// Checks older than this (7 days) are no longer looked at: the repair runs
/// every few minutes, so anything it could do it did long before.
pub const HORIZON_MS: i64 = 7 * 24 * 60 * 60 * 1_000;

/// The lease that keeps two nodes from repairing the same check at once.
const REPAIR_LEASE: &str = "_login-check-repair";

/// How long the repair lease lasts unless released (a repair takes a few
/// host calls).
const REPAIR_LEASE_TTL: Duration = Duration::from_secs(120);

/// Entries per page when reading the journal.
const PAGE: u32 = 500;

/// Identifies one password check: the id of the audit entry that began it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckId(pub i64);

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How a password check ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The product accepted the password.
    Verified,
    /// The product did not accept it: the user backs off for [`BACKOFF_MS`].
    NotVerified,
    /// The check could not be made (activation refused, directory down);
    /// the account is as it was.
    Failed,
}

impl CheckOutcome {
    fn status(self) -> Status {
        match self {
            CheckOutcome::Verified => Status::Success,
            CheckOutcome::NotVerified => Status::Failed,
            CheckOutcome::Failed => Status::Skipped,
        }
    }

    fn label(self) -> &'static str {
        match self {
            CheckOutcome::Verified => "password accepted",
            CheckOutcome::NotVerified => "password not accepted",
            CheckOutcome::Failed => "the check could not be made",
        }
    }
}

/// The account as the login filter found it (the product's view).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// Deactivated.
    Inactive,
    /// Active, but without a licence to log in (its licence groups were
    /// taken away): the product's own login verifies the password exactly.
    Unlicensed,
}

/// Where, in Crowd's order of checks, the account's directory refuses an
/// inactive account. The host reads it from the directory's configuration;
/// the sources are in `docs/login-reactivation.md` §1.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InactiveRefusal {
    /// Only after the credential was accepted (cached LDAP and Crowd
    /// connectors; delegated LDAP with create- or update-on-authentication):
    /// Crowd's "inactive account" refusal of the still-inactive account is
    /// itself the proof that the password was right.
    AfterCredential,
    /// Before any credential check (internal directories, plain delegated
    /// LDAP, anything the host cannot classify): nothing proves the password
    /// without activating the account first.
    BeforeCredential,
}

/// What the login filter reports with its question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginFacts {
    /// The account's state.
    pub state: AccountState,
    /// Its directory's order of checks.
    pub inactive_refusal: InactiveRefusal,
}

impl LoginFacts {
    /// What a host that says nothing gets: the strictest reading (a
    /// deactivated account whose directory refuses before the password).
    pub const UNKNOWN: LoginFacts = LoginFacts {
        state: AccountState::Inactive,
        inactive_refusal: InactiveRefusal::BeforeCredential,
    };
}

/// How the login filter verifies the credential; the engine chooses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// `authenticate` on the active, unlicensed account: exact, nothing
    /// changes before the answer.
    Licence,
    /// `authenticate` on the still-inactive account; Crowd's "inactive
    /// account" refusal proves the password (see [`InactiveRefusal`]).
    /// Nothing changes before the answer.
    Proof,
    /// The account is activated for the length of one `authenticate` and
    /// deactivated again: only for directories an admin opted in.
    Probe,
}

impl Verification {
    fn label(self) -> &'static str {
        match self {
            Verification::Licence => "licence check on the active account",
            Verification::Proof => "proof by the directory, account not changed",
            Verification::Probe => "probe",
        }
    }
}

/// Why no check is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotNeeded {
    /// The directory index does not know the user (created since the last
    /// read; the next rebuild picks them up).
    UnknownUser,
    /// No login policy is configured.
    NoLoginPolicy,
    /// The login policies would change nothing for this user (`skipped`
    /// says why, when a policy matched but did not act).
    NothingToDo,
    /// Only safe-mode login policies would act, and they change nothing.
    PreviewOnly,
    /// The account is deactivated in a directory that refuses it before
    /// looking at the password, and the probe is not enabled for that
    /// directory: nothing can verify the password without activating the
    /// account (use "release seats" there, or opt the directory in).
    NoSafeVerification,
}

/// The engine's answer before the login filter verifies a password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
pub enum LoginVerdict {
    /// A verified login would change these (live) things: check the
    /// password (for a deactivated account, by probing).
    Verify {
        /// What the login policies would do.
        actions: Vec<LoginAction>,
        /// How to verify the credential.
        verification: Verification,
    },
    /// A verified login would change nothing: do not check.
    NotNeeded {
        /// Why.
        why: NotNeeded,
        /// Policies that matched but did not act, and why.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skipped: Vec<LoginSkipEntry>,
    },
    /// A password was not accepted recently: no check before `until`.
    BackOff {
        /// When checking is allowed again.
        until: Millis,
    },
}

/// [`Service::login_check`]'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginCheck {
    /// The user, when the directory index knows them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserKey>,
    /// What to do.
    #[serde(flatten)]
    pub verdict: LoginVerdict,
}

impl LoginCheck {
    /// Whether the filter should verify the password.
    pub fn verify(&self) -> bool {
        matches!(self.verdict, LoginVerdict::Verify { .. })
    }
}

pub(super) fn login_check(
    service: &Service,
    who: &str,
    facts: LoginFacts,
    now: Millis,
) -> Result<LoginCheck, ServiceError> {
    let Some((key, idx, generation)) = locate(service, who)? else {
        return Ok(not_needed(None, NotNeeded::UnknownUser));
    };
    let directory;
    let document = {
        let slot = service.index.read();
        let Some(index) = slot.index.as_ref() else {
            return Ok(not_needed(None, NotNeeded::UnknownUser));
        };
        let Some(idx) = position(&slot, &key, idx, generation) else {
            return Ok(not_needed(None, NotNeeded::UnknownUser));
        };
        directory = index.directory_id_of(idx);
        service.with_login_evaluator(&slot, index, |evaluator| {
            (!evaluator.is_empty()).then(|| {
                let plan = evaluator.evaluate(index, idx, now);
                evaluator.document(index, &plan)
            })
        })
    };
    let Some(document) = document else {
        return Ok(not_needed(Some(key), NotNeeded::NoLoginPolicy));
    };
    let (live, preview): (Vec<LoginAction>, Vec<LoginAction>) = document
        .actions
        .into_iter()
        .partition(|a| a.mode == Mode::Live);
    if live.is_empty() {
        let why = if preview.is_empty() {
            NotNeeded::NothingToDo
        } else {
            NotNeeded::PreviewOnly
        };
        return Ok(LoginCheck {
            user: Some(key),
            verdict: LoginVerdict::NotNeeded {
                why,
                skipped: document.skipped,
            },
        });
    }
    let verification = match (facts.state, facts.inactive_refusal) {
        (AccountState::Unlicensed, _) => Verification::Licence,
        (AccountState::Inactive, InactiveRefusal::AfterCredential) => Verification::Proof,
        (AccountState::Inactive, InactiveRefusal::BeforeCredential) => {
            let settings = service.settings();
            if settings.config.settings.login.probes(directory) {
                Verification::Probe
            } else {
                return Ok(not_needed(Some(key), NotNeeded::NoSafeVerification));
            }
        }
    };
    if let Some(until) = backoff_until(service, &key, now)? {
        return Ok(LoginCheck {
            user: Some(key),
            verdict: LoginVerdict::BackOff { until },
        });
    }
    Ok(LoginCheck {
        user: Some(key),
        verdict: LoginVerdict::Verify {
            actions: live,
            verification,
        },
    })
}

fn not_needed(user: Option<UserKey>, why: NotNeeded) -> LoginCheck {
    LoginCheck {
        user,
        verdict: LoginVerdict::NotNeeded {
            why,
            skipped: Vec::new(),
        },
    }
}

/// The end of the back-off if the user's latest check within
/// [`BACKOFF_MS`] did not accept the password.
fn backoff_until(
    service: &Service,
    key: &UserKey,
    now: Millis,
) -> Result<Option<Millis>, ServiceError> {
    let filter = AuditFilter {
        actions: vec![AuditAction::LoginCheckEnded],
        target: Some(key.to_string()),
        from: Some(Millis(now.0.saturating_sub(BACKOFF_MS))),
        ..AuditFilter::default()
    };
    // Newest first: the user's latest check decides.
    let latest = first_match(service, filter, |e| {
        e.entry.target.user.as_ref() == Some(key)
    })?;
    Ok(latest
        .filter(|e| e.entry.status == CheckOutcome::NotVerified.status())
        .map(|e| Millis(e.entry.at.0.saturating_add(BACKOFF_MS)))
        .filter(|until| *until > now))
}

/// The newest entry passing `filter` and `accept`, paging as needed.
pub(super) fn first_match(
    service: &Service,
    filter: AuditFilter,
    accept: impl Fn(&StoredEntry) -> bool,
) -> Result<Option<StoredEntry>, ServiceError> {
    let mut query = AuditQuery::first(filter, PAGE);
    loop {
        let page = service.store().query_audit(&query)?;
        if let Some(hit) = page.items.into_iter().find(|e| accept(e)) {
            return Ok(Some(hit));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Ok(None),
        }
    }
}

pub(super) fn check_began(
    service: &Service,
    who: &str,
    verification: Verification,
    now: Millis,
) -> Result<CheckId, ServiceError> {
    let user = match service.host().user_by_username(who)? {
        Some(user) => user,
        None => service
            .host()
            .user(&UserKey::from(who))?
            .ok_or(ServiceError::NotFound(Missing::UserByName))?,
    };
    // Only a probe of an inactive account activates it for the check; a
    // licence check or a proof changes nothing, so the repair then has
    // nothing to undo.
    let (status, state) = match verification {
        Verification::Probe if !user.active => (Status::Success, "account activated for the check"),
        Verification::Probe => (Status::Skipped, "account already active, not changed"),
        Verification::Licence | Verification::Proof => {
            (Status::Skipped, "account not changed for the check")
        }
    };
    let entry = AuditEntry::new(now, Actor::system(), AuditAction::LoginCheckBegan, status)
        .with_target(Target::user(
            UserKey::from(user.key.as_str()),
            Some(user.username.clone()),
        ))
        .with_description(format!(
            "on node {}: {}, {state}",
            service.options().node_id,
            verification.label()
        ))
        .with_reason("credentials presented at login");
    let ids = service.store().append_audit(&[entry])?;
    ids.first()
        .map(|id| CheckId(id.0))
        .ok_or_else(|| StoreError::Backend("the store returned no id".to_owned()).into())
}

pub(super) fn check_ended(
    service: &Service,
    check: CheckId,
    outcome: CheckOutcome,
    now: Millis,
) -> Result<(), ServiceError> {
    let filter = AuditFilter {
        actions: vec![AuditAction::LoginCheckBegan],
        from: Some(Millis(now.0.saturating_sub(HORIZON_MS))),
        ..AuditFilter::default()
    };
    let began = first_match(service, filter, |e| e.id.0 == check.0)?
        .ok_or(ServiceError::NotFound(Missing::PasswordCheck(check)))?;
    let entry = AuditEntry::new(
        now,
        Actor::system(),
        AuditAction::LoginCheckEnded,
        outcome.status(),
    )
    .with_target(began.entry.target)
    .with_description(format!("{}{}", check_note(check), outcome.label()));
    service.store().append_audit(&[entry])?;
    Ok(())
}

/// The prefix naming a check in the entries that close it.
pub(super) fn check_note(check: CheckId) -> String {
    format!("check {check}: ")
}

/// The check an `ended` or `repaired` entry closes.
pub(super) fn closed_check(entry: &AuditEntry) -> Option<CheckId> {
    let rest = entry.description.strip_prefix("check ")?;
    let (id, _) = rest.split_once(": ")?;
    id.parse().ok().map(CheckId)
}

/// Closes every check that began between [`HORIZON_MS`] and [`GRACE_MS`]
/// ago and never ended; returns how many it closed. One node at a time
/// (a lease); idempotent.
pub(super) fn repair(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let horizon = Millis(now.0.saturating_sub(HORIZON_MS));
    let sweep = Sweep {
        action: AuditAction::LoginCheckBegan,
        from: horizon,
        until: Millis(now.0.saturating_sub(GRACE_MS)),
        lease: REPAIR_LEASE,
        lease_ttl: REPAIR_LEASE_TTL,
    };
    sweep.run(service, now, |began| {
        repair_leased(service, began, horizon, now)
    })
}

/// One journal sweep of the tick: the entries of `action` written between
/// `from` and `until`, handed to the repair under the `lease` so that two
/// nodes never repair the same thing. Nothing to repair takes no lease.
pub(super) struct Sweep {
    /// The journal entries that may need repair.
    pub(super) action: AuditAction,
    /// The oldest entry looked at (the journal horizon).
    pub(super) from: Millis,
    /// The newest entry looked at (younger ones are still in flight).
    pub(super) until: Millis,
    /// The lease's name: one per kind of repair.
    pub(super) lease: &'static str,
    /// How long the lease lasts unless released.
    pub(super) lease_ttl: Duration,
}

impl Sweep {
    /// How many entries `repair` repaired; 0 when none was due or another
    /// node holds the lease.
    pub(super) fn run(
        &self,
        service: &Service,
        now: Millis,
        repair: impl FnOnce(Vec<StoredEntry>) -> Result<u64, ServiceError>,
    ) -> Result<u64, ServiceError> {
        let mut due = Vec::new();
        service.store().scan_audit(
            &AuditFilter {
                actions: vec![self.action],
                from: Some(self.from),
                until: Some(self.until),
                ..AuditFilter::default()
            },
            &mut |e| {
                due.push(e.clone());
                Ok(())
            },
        )?;
        if due.is_empty() {
            return Ok(0);
        }
        let lease = PolicyId::from(self.lease);
        let owner = service.owner();
        if !service
            .store()
            .acquire_lease(&lease, owner, now, self.lease_ttl)?
            .is_acquired()
        {
            return Ok(0);
        }
        let repaired = repair(due);
        service.store().release_lease(&lease, owner)?;
        repaired
    }
}

fn repair_leased(
    service: &Service,
    began: Vec<StoredEntry>,
    horizon: Millis,
    now: Millis,
) -> Result<u64, ServiceError> {
    // Read under the lease: another node may have closed some meanwhile.
    let mut closed = HashSet::new();
    service.store().scan_audit(
        &AuditFilter {
            actions: vec![
                AuditAction::LoginCheckEnded,
                AuditAction::LoginCheckRepaired,
            ],
            from: Some(horizon),
            ..AuditFilter::default()
        },
        &mut |e| {
            // A repair that could not deactivate leaves the check open: the
            // next tick tries again.
            if e.entry.status != Status::Failed || e.entry.action == AuditAction::LoginCheckEnded {
                closed.extend(closed_check(&e.entry));
            }
            Ok(())
        },
    )?;
    let mut count = 0;
    for e in began {
        let check = CheckId(e.id.0);
        if closed.contains(&check) {
            continue;
        }
        let Some(key) = e.entry.target.user.clone() else {
            continue;
        };
        let (status, what) = repair_one(service, &key, &e.entry)?;
        let entry = AuditEntry::new(
            now,
            Actor::system(),
            AuditAction::LoginCheckRepaired,
            status,
        )
        .with_target(e.entry.target.clone())
        .with_description(format!("{}{what}", check_note(check)))
        .with_reason("the password check never ended (its node stopped)");
        service.store().append_audit(&[entry])?;
        if status != Status::Failed {
            count += 1;
        }
    }
    Ok(count)
}

/// Puts one abandoned check right; the status and what was done.
fn repair_one(
    service: &Service,
    key: &UserKey,
    began: &AuditEntry,
) -> Result<(Status, String), ServiceError> {
    if began.status != Status::Success {
        return Ok((
            Status::Skipped,
            "nothing to undo: the account was active before the check".to_owned(),
        ));
    }
    let _user = service.stripe(key.as_str()).lock();
    let Some(user) = service.host().user(key)? else {
        return Ok((Status::Skipped, "the account no longer exists".to_owned()));
    };
    if !user.active {
        return Ok((
            Status::Skipped,
            "the account was inactive already".to_owned(),
        ));
    }
    if engine_gave_access_since(service, key, began.at)? {
        return Ok((
            Status::Skipped,
            "left active: access was given back since the check began".to_owned(),
        ));
    }
    // The index never saw the check's activation (the plugin made it), so
    // it still holds the account as deactivated, since its original date:
    // nothing to note there.
    Ok(
        match service
            .host()
            .apply(&Operation::Deactivate { user: key.clone() })
        {
            Ok(_) => (Status::Success, "account deactivated again".to_owned()),
            Err(failure) => (
                Status::Failed,
                format!("could not deactivate the account again: {failure}"),
            ),
        },
    )
}

/// Whether Seatwarden activated or reactivated `key` at or after `since`
/// (a login policy after a verified check, or an admin).
fn engine_gave_access_since(
    service: &Service,
    key: &UserKey,
    since: Millis,
) -> Result<bool, ServiceError> {
    let filter = AuditFilter {
        actions: vec![AuditAction::UserReactivated, AuditAction::UserActivated],
        statuses: vec![Status::Success],
        target: Some(key.to_string()),
        from: Some(since),
        ..AuditFilter::default()
    };
    Ok(first_match(service, filter, |e| {
        e.entry.target.user.as_ref() == Some(key)
    })?
    .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closing_entry_names_its_check() {
        let entry = AuditEntry::new(
            Millis(1),
            Actor::system(),
            AuditAction::LoginCheckEnded,
            Status::Success,
        )
        .with_description(format!("{}password accepted", check_note(CheckId(42))));
        assert_eq!(closed_check(&entry), Some(CheckId(42)));
        let other = entry.clone().with_description("checked 42: x");
        assert_eq!(closed_check(&other), None);
        let garbage = entry.with_description("check x1: y");
        assert_eq!(closed_check(&garbage), None);
    }

    #[test]
    fn the_verdict_serialises_with_its_tag() {
        let check = LoginCheck {
            user: Some(UserKey::from("K1")),
            verdict: LoginVerdict::BackOff { until: Millis(5) },
        };
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"user": "K1", "verdict": "back_off", "until": 5})
        );
        let back: LoginCheck = serde_json::from_value(json).unwrap();
        assert_eq!(back, check);
    }
}
