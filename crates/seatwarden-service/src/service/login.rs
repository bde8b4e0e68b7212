//! The login hook: reactivation, floating licences and groups after login.
//!
//! Runs on the product's login path, so it does as little as possible under
//! locks: the index read lock only while the (cached, compiled) login
//! evaluator decides, the user's stripe lock across "host write + index
//! update + audit entry" (only for a login that writes) so a concurrent run
//! or check repair cannot interleave with it, and the index
//! write lock only for the in-place update. It never waits for a run's
//! lease or for mail, and writes its audit entries directly (they are not
//! part of any run).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use seatwarden_audit::{Action as AuditAction, Actor, AuditEntry, Status, Target};
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_core::policy::Mode;
use seatwarden_core::{Millis, Operation, OperationFailure, UserKey};

use super::probe::{CheckId, check_note};
use super::{IndexSlot, Service, ServiceError};

/// The reason on the entries of access given back by a verified check at
/// login, before the product completed that login.
pub(super) const PROVISIONAL_REASON: &str =
    "credentials verified at login; provisional until the product completes the login";

/// What a login did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOutcome {
    /// The user, when known to the directory index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserKey>,
    /// Writes that landed.
    pub applied: Vec<Operation>,
    /// Writes the host refused, with its reason.
    pub failed: Vec<(Operation, String)>,
    /// Writes a safe-mode login policy would have made.
    pub previewed: Vec<Operation>,
    /// Writes not made, with why: a floating-licence grant that found no
    /// seat left (the host's `NoSeat`). A full licence is the state the
    /// rule exists for, not a failure: counting it failed raised the failure
    /// count on every login while the licence was full.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<(Operation, String)>,
}

/// Finds `who` (a username, or a key) in the current index: the key, its
/// position and the index generation the position belongs to. `None` when
/// there is no index yet; `Some(None)` when the index does not know `who`.
fn find(service: &Service, who: &str) -> Option<Option<(UserKey, UserIdx, u64)>> {
    let slot = service.index.read();
    let index = slot.index.as_ref()?;
    Some(
        index
            .index_of_username(who)
            .or_else(|| index.index_of_key_str(who))
            .map(|idx| (UserKey::from(index.key(idx)), idx, slot.generation)),
    )
}

/// The user's position in `slot`'s index: `idx` if the index is still the
/// generation it was found in (positions never move within one), else
/// looked up again.
pub(super) fn position(
    slot: &IndexSlot,
    key: &UserKey,
    idx: UserIdx,
    generation: u64,
) -> Option<UserIdx> {
    let index = slot.index.as_ref()?;
    if slot.generation == generation {
        Some(idx)
    } else {
        index.index_of_key(key)
    }
}

/// Finds `who` for the login path: builds the index if there is none yet
/// (only before the first snapshot: later logins never wait for a rebuild,
/// they act on the current index meanwhile). `None` for a user the index does
/// not know (created since the last snapshot): the index is marked stale so
/// the next rebuild picks them up.
pub(super) fn locate(
    service: &Service,
    who: &str,
) -> Result<Option<(UserKey, UserIdx, u64)>, ServiceError> {
    let found = match find(service, who) {
        Some(found) => found,
        None => {
            service.ensure_index()?;
            find(service, who).flatten()
        }
    };
    if found.is_none() {
        service.index.write().stale = true;
    }
    Ok(found)
}

pub(super) fn on_login(
    service: &Service,
    who: &str,
    now: Millis,
) -> Result<LoginOutcome, ServiceError> {
    apply_login(service, who, now, None)
}

/// The login policies for `who`. With `grant`, the login is the login
/// filter's verified check of that id: every entry names the check (so a
/// login that is never completed can be undone entry by entry, see
/// `provisional`) and says the access is provisional.
pub(super) fn apply_login(
    service: &Service,
    who: &str,
    now: Millis,
    grant: Option<CheckId>,
) -> Result<LoginOutcome, ServiceError> {
    let Some((key, idx, generation)) = locate(service, who)? else {
        return Ok(LoginOutcome::default());
    };
    let _user = service.stripe(key.as_str()).lock();
    let (ops, username) = {
        let slot = service.index.read();
        let Some(index) = slot.index.as_ref() else {
            return Ok(LoginOutcome::default());
        };
        let Some(idx) = position(&slot, &key, idx, generation) else {
            return Ok(LoginOutcome::default());
        };
        service.with_login_evaluator(&slot, index, |evaluator| {
            if evaluator.is_empty() {
                return (Vec::new(), String::new());
            }
            let plan = evaluator.evaluate(index, idx, now);
            if plan.steps.is_empty() {
                return (Vec::new(), String::new());
            }
            let ops = evaluator.operations(index, &plan);
            // The username labels audit entries: only live writes need it.
            let username = if ops.iter().any(|(_, _, mode)| *mode == Mode::Live) {
                index.username(idx).to_owned()
            } else {
                String::new()
            };
            (ops, username)
        })
    };
    let mut outcome = LoginOutcome {
        user: Some(key.clone()),
        ..LoginOutcome::default()
    };
    let mut entries = Vec::new();
    for (op, policy, mode) in ops {
        if mode == Mode::Safe {
            outcome.previewed.push(op);
            continue;
        }
        let result = service.host().apply(&op);
        let (status, detail) = match (&result, &op) {
            (Ok(_), _) => (Status::Success, None),
            (Err(OperationFailure::NoSeat), Operation::AddToGroup { group, .. }) => (
                Status::Skipped,
                Some(format!("no licence seat left for group {group}")),
            ),
            (Err(f), _) => (Status::Failed, Some(f.to_string())),
        };
        if result.is_ok() {
            service.note_applied(&op, now);
        }
        let group = match &op {
            Operation::AddToGroup { group, .. } | Operation::RemoveFromGroup { group, .. } => {
                Some(group.clone())
            }
            _ => None,
        };
        let mut description = match grant {
            Some(check) => format!("{}{op}", check_note(check)),
            None => op.to_string(),
        };
        if let Some(d) = &detail {
            description = format!("{description}: {d}");
        }
        entries.push(
            AuditEntry::new(
                now,
                Actor::policy(policy.clone()),
                AuditAction::of_operation(&op, true),
                status,
            )
            .with_target(Target {
                user: Some(key.clone()),
                user_name: (!username.is_empty()).then(|| username.clone()),
                group,
            })
            .with_description(description)
            .with_reason(if grant.is_some() {
                PROVISIONAL_REASON
            } else {
                "logged in"
            })
            .with_policy(policy),
        );
        match (detail, status) {
            (None, _) => outcome.applied.push(op),
            (Some(d), Status::Skipped) => outcome.skipped.push((op, d)),
            (Some(d), _) => outcome.failed.push((op, d)),
        }
    }
    // The host recorded the login; the index follows it (queued: see
    // `Service::note_login`).
    service.note_login(key, now);
    if !entries.is_empty() {
        // Still under the user's lock: the repair of an abandoned password
        // check (`probe::repair`) takes the same lock and then reads the log
        // for a reactivation, so it must never see the account reactivated
        // by this login without also seeing the entry that says so. Only a
        // login that wrote to the host gets here, so a no-op login still
        // releases the lock without touching the store.
        service.store().append_audit(&entries)?;
    }
    drop(_user);
    Ok(outcome)
}

/// Records queued logins in `index`, oldest first, in one batch
/// ([`DirectoryIndex::record_logins`]: one pass over the last-login order
/// for the whole queue instead of one move per login). After a rebuild
/// (`only_newer`), a login the index already has is skipped: the rebuild
/// may have read the user after the host recorded it, and it must not be
/// counted twice.
pub(super) fn record_logins(
    index: &mut DirectoryIndex,
    mut logins: Vec<(UserKey, Millis)>,
    only_newer: bool,
) {
    logins.sort_by_key(|(_, at)| *at);
    // With `only_newer`: each user's last login so far, the index's and
    // then the batch's, as logging in one by one would see it.
    let mut latest: HashMap<UserIdx, Option<Millis>> = HashMap::new();
    let mut batch = Vec::with_capacity(logins.len());
    for (user, at) in logins {
        let Some(idx) = index.index_of_key(&user) else {
            continue;
        };
        if only_newer {
            let last = latest.entry(idx).or_insert_with(|| index.last_login(idx));
            if last.is_some_and(|last| last >= at) {
                continue;
            }
            // Logins are oldest first, so this one becomes the last
            // (`i64::MIN` is the index's "never").
            *last = Some(at).filter(|at| at.0 != i64::MIN);
        }
        batch.push((idx, at));
    }
    // Every position came from this index: the batch cannot fail.
    let _ = index.record_logins(&batch);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use seatwarden_core::index::UserChange;
    use serde_json::json;

    use super::*;

    const T: i64 = 1_763_690_400_000;

    fn index(last: &[Option<i64>]) -> DirectoryIndex {
        let users: Vec<_> = last
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "key": format!("K{i}"), "username": format!("u{}", (i * 7) % 31),
                    "displayName": "U", "email": format!("u{i}@example.test"),
                    "directoryId": 1, "active": i % 3 != 0, "created": T,
                    "lastLogin": l.map(|d| T - d), "loginCount": 1, "groups": [],
                })
            })
            .collect();
        let snapshot = json!({
            "format": "seatwarden-snapshot", "version": 1,
            "header": {"takenAt": T, "groups": [], "licences": [], "sysadmins": [],
                "directories": [{"id": 1, "name": "I", "kind": "internal", "capabilities": {}}]},
            "pages": [{"users": users}]
        });
        DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot).unwrap()).unwrap()
    }

    /// The queue flush as it was: one `LoginRecorded` per login.
    fn one_by_one(
        index: &mut DirectoryIndex,
        mut logins: Vec<(UserKey, Millis)>,
        only_newer: bool,
    ) {
        logins.sort_by_key(|(_, at)| *at);
        for (user, at) in logins {
            if let Some(idx) = index.index_of_key(&user)
                && (!only_newer || index.last_login(idx).is_none_or(|last| last < at))
            {
                index.apply(idx, &UserChange::LoginRecorded { at }).unwrap();
            }
        }
    }

    proptest! {
        #[test]
        fn a_flushed_queue_equals_recording_logins_one_by_one(
            last in prop::collection::vec(prop::option::of(0i64..4), 1..25),
            queue in prop::collection::vec((0usize..30, 0i64..5), 0..40),
            only_newer in any::<bool>(),
        ) {
            let base = index(&last);
            // Keys past the directory stand for users created since the
            // snapshot: skipped either way.
            let logins: Vec<(UserKey, Millis)> = queue
                .iter()
                .map(|&(u, d)| (UserKey::from(format!("K{u}").as_str()), Millis(T - d)))
                .collect();
            let mut expected = base.clone();
            one_by_one(&mut expected, logins.clone(), only_newer);
            let mut batched = base;
            record_logins(&mut batched, logins, only_newer);
            let row = |ix: &DirectoryIndex| {
                ix.users()
                    .map(|u| (u.last_login(), u.login_count()))
                    .collect::<Vec<_>>()
            };
            prop_assert_eq!(row(&batched), row(&expected));
            prop_assert_eq!(batched.order_by_last_login(), expected.order_by_last_login());
            prop_assert_eq!(batched.never_logged_in_bitmap(), expected.never_logged_in_bitmap());
        }
    }
}
