//! Password checks at login: the engine's pre-decision, the journal, the
//! cluster-wide back-off and the tick's repair of checks a stopped node left
//! open, over the memory host and store.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::{Value, json};

use common::{DAY, DAY0, active, entries, fixture, options, reactivate_policy, snapshot};
use seatwarden_audit::{Action, AuditFilter, Status};
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_core::{Millis, Operation, UserKey};
use seatwarden_service::host::Host;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::service::probe::{BACKOFF_MS, GRACE_MS};
use seatwarden_service::service::{
    AccountState, CheckOutcome, InactiveRefusal, LoginFacts, LoginVerdict, NotNeeded, Verification,
};
use seatwarden_service::store::{ConfigVersion, MemoryStore, Store};
use seatwarden_service::{Service, ServiceOptions};

const T: i64 = DAY0 + DAY;

/// A deactivated account in a directory whose "inactive" refusal proves the
/// password (a cached connector).
const PROOF: LoginFacts = LoginFacts {
    state: AccountState::Inactive,
    inactive_refusal: InactiveRefusal::AfterCredential,
};

fn activate(host: &MemoryDirectory, key: &str) {
    host.apply(&Operation::Activate {
        user: UserKey::from(key),
    })
    .unwrap();
}

fn deactivate(host: &MemoryDirectory, key: &str) {
    host.apply(&Operation::Deactivate {
        user: UserKey::from(key),
    })
    .unwrap();
}

#[test]
fn an_abandoned_check_is_repaired_on_the_next_tick_after_the_grace() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    assert!(
        f.service
            .login_check("gone0000", PROOF, Millis(T))
            .unwrap()
            .verify()
    );
    // The filter journals the check, activates the account… and its node dies.
    let check = f
        .service
        .login_check_began("gone0000", Verification::Probe, Millis(T))
        .unwrap();
    activate(&f.host, "K-gone0000");

    let early = f.service.tick(Millis(T + GRACE_MS - 1)).unwrap();
    assert_eq!(
        early.login_checks_repaired, 0,
        "a check may still be running"
    );
    assert!(active(&f.host, "K-gone0000"));

    let report = f.service.tick(Millis(T + GRACE_MS + 1)).unwrap();
    assert_eq!(report.login_checks_repaired, 1);
    assert!(!active(&f.host, "K-gone0000"), "deactivated again");
    let repaired = entries(f.store.as_ref(), Action::LoginCheckRepaired);
    assert_eq!(repaired.len(), 1);
    assert_eq!(repaired[0].entry.status, Status::Success);
    assert_eq!(
        repaired[0].entry.target.user,
        Some(UserKey::from("K-gone0000"))
    );
    assert!(
        repaired[0]
            .entry
            .description
            .starts_with(&format!("check {}: ", check.0)),
        "{}",
        repaired[0].entry.description
    );

    // Idempotent: the next tick finds nothing open.
    let again = f.service.tick(Millis(T + GRACE_MS + 60_000)).unwrap();
    assert_eq!(again.login_checks_repaired, 0);
    assert_eq!(
        entries(f.store.as_ref(), Action::LoginCheckRepaired).len(),
        1
    );
}

#[test]
fn a_finished_check_is_left_alone() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let check = f
        .service
        .login_check_began("gone0001", Verification::Probe, Millis(T))
        .unwrap();
    activate(&f.host, "K-gone0001");
    deactivate(&f.host, "K-gone0001");
    f.service
        .login_check_ended(check, CheckOutcome::Verified, Millis(T + 5))
        .unwrap();
    // Someone activates the account in the product afterwards: not ours to undo.
    activate(&f.host, "K-gone0001");
    let report = f.service.tick(Millis(T + 10 * GRACE_MS)).unwrap();
    assert_eq!(report.login_checks_repaired, 0);
    assert!(active(&f.host, "K-gone0001"));
    assert!(entries(f.store.as_ref(), Action::LoginCheckRepaired).is_empty());
    let ended = entries(f.store.as_ref(), Action::LoginCheckEnded);
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].entry.status, Status::Success);
    assert_eq!(
        ended[0].entry.target.user,
        Some(UserKey::from("K-gone0001"))
    );
}

#[test]
fn a_user_the_engine_reactivated_after_the_check_began_stays_active() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    assert!(
        f.service
            .login_check("gone0000", PROOF, Millis(T))
            .unwrap()
            .verify()
    );
    f.service
        .login_check_began("gone0000", Verification::Probe, Millis(T))
        .unwrap();
    activate(&f.host, "K-gone0000");
    // The node died; later the engine gives access back at a login.
    let outcome = f.service.on_login("gone0000", Millis(T + 1_000)).unwrap();
    assert_eq!(outcome.applied.len(), 1, "{outcome:?}");
    let report = f.service.tick(Millis(T + 10 * GRACE_MS)).unwrap();
    assert!(
        active(&f.host, "K-gone0000"),
        "the engine's reactivation stands"
    );
    assert_eq!(report.login_checks_repaired, 1, "the check is closed");
    let repaired = entries(f.store.as_ref(), Action::LoginCheckRepaired);
    assert_eq!(repaired.len(), 1);
    assert_eq!(repaired[0].entry.status, Status::Skipped);
}

#[test]
fn a_check_of_an_active_account_has_nothing_to_undo() {
    let f = fixture(1, 1, 2);
    f.service
        .login_check_began("fresh0000", Verification::Probe, Millis(T))
        .unwrap();
    let began = entries(f.store.as_ref(), Action::LoginCheckBegan);
    assert_eq!(began[0].entry.status, Status::Skipped, "not activated");
    let report = f.service.tick(Millis(T + 10 * GRACE_MS)).unwrap();
    assert_eq!(report.login_checks_repaired, 1);
    assert!(
        active(&f.host, "K-fresh0000"),
        "an active account stays active"
    );
}

#[test]
fn an_unknown_user_cannot_begin_a_check_and_nothing_is_written() {
    let f = fixture(1, 1, 2);
    let err = f
        .service
        .login_check_began("no-such-person", Verification::Probe, Millis(T))
        .unwrap_err();
    assert!(!err.to_string().contains("no-such-person"), "{err}");
    assert!(entries(f.store.as_ref(), Action::LoginCheckBegan).is_empty());
    let ended = f.service.login_check_ended(
        seatwarden_service::service::CheckId(999),
        CheckOutcome::Verified,
        Millis(T),
    );
    assert!(ended.is_err());
    assert!(entries(f.store.as_ref(), Action::LoginCheckEnded).is_empty());
}

#[test]
fn a_wrong_password_backs_the_user_off_on_every_node() {
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 1, 2)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let node_a = Service::new(host.clone(), store.clone(), options("node-a", 10)).unwrap();
    reactivate_policy(&node_a);
    let node_b = Service::new(host.clone(), store.clone(), options("node-b", 10)).unwrap();
    node_b.reload_settings().unwrap();

    let check = node_a
        .login_check_began("gone0000", Verification::Probe, Millis(T))
        .unwrap();
    node_a
        .login_check_ended(check, CheckOutcome::NotVerified, Millis(T + 10))
        .unwrap();

    let on_b = node_b
        .login_check("GONE0000", PROOF, Millis(T + 20))
        .unwrap();
    assert_eq!(
        on_b.verdict,
        LoginVerdict::BackOff {
            until: Millis(T + 10 + BACKOFF_MS)
        }
    );
    // Another user is not affected.
    assert!(
        node_b
            .login_check("gone0001", PROOF, Millis(T + 20))
            .unwrap()
            .verify()
    );
    // The back-off ends.
    assert!(
        node_b
            .login_check("gone0000", PROOF, Millis(T + 10 + BACKOFF_MS))
            .unwrap()
            .verify()
    );
    // A check that could not be made (directory down) does not back off.
    let check = node_b
        .login_check_began("gone0001", Verification::Probe, Millis(T + 30))
        .unwrap();
    node_b
        .login_check_ended(check, CheckOutcome::Failed, Millis(T + 40))
        .unwrap();
    assert!(
        node_a
            .login_check("gone0001", PROOF, Millis(T + 50))
            .unwrap()
            .verify()
    );
}

#[test]
fn no_check_when_no_login_policy_would_act_and_the_check_writes_nothing() {
    let f = fixture(1, 1, 2);
    let verdict = |who: &str| {
        f.service
            .login_check(who, PROOF, Millis(T))
            .unwrap()
            .verdict
    };
    assert!(matches!(
        verdict("gone0000"),
        LoginVerdict::NotNeeded {
            why: NotNeeded::NoLoginPolicy,
            ..
        }
    ));
    reactivate_policy(&f.service);
    assert!(matches!(
        verdict("fresh0000"),
        LoginVerdict::NotNeeded {
            why: NotNeeded::NothingToDo,
            ..
        }
    ));
    assert!(matches!(
        verdict("nobody-known"),
        LoginVerdict::NotNeeded {
            why: NotNeeded::UnknownUser,
            ..
        }
    ));
    match verdict("gone0000") {
        LoginVerdict::Verify { actions, .. } => {
            assert_eq!(
                actions[0].operation,
                Operation::Activate {
                    user: UserKey::from("K-gone0000")
                }
            );
        }
        other => panic!("{other:?}"),
    }
    // Only the policy's own creation is in the log: checking wrote nothing.
    let count = f.store.count_audit(&AuditFilter::all()).unwrap();
    assert_eq!(count, 1);
    assert!(!active(&f.host, "K-gone0000"));
}

#[test]
fn a_safe_mode_login_policy_needs_no_check() {
    let f = fixture(1, 1, 2);
    let (status, body) = common::post_policy(
        &f.service,
        json!({"name": "Preview", "mode": "safe", "action": {"kind": "reactivate"}}),
        DAY0,
    );
    assert_eq!(status, 201, "{body}");
    assert!(matches!(
        f.service
            .login_check("gone0000", PROOF, Millis(T))
            .unwrap()
            .verdict,
        LoginVerdict::NotNeeded {
            why: NotNeeded::PreviewOnly,
            ..
        }
    ));
}

#[test]
fn two_nodes_repairing_at_once_repair_each_check_once() {
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 1, 3)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let node_a = Service::new(host.clone(), store.clone(), options("node-a", 10)).unwrap();
    let node_b = Service::new(host.clone(), store.clone(), options("node-b", 10)).unwrap();
    for i in 0..3 {
        node_a
            .login_check_began(&format!("gone{i:04}"), Verification::Probe, Millis(T))
            .unwrap();
        activate(&host, &format!("K-gone{i:04}"));
    }
    let later = Millis(T + 10 * GRACE_MS);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| node_a.tick(later).unwrap().login_checks_repaired);
        let b = s.spawn(|| node_b.tick(later).unwrap().login_checks_repaired);
        (a.join().unwrap(), b.join().unwrap())
    });
    // Whichever ran second found the lease held or the checks closed.
    assert_eq!(a + b, 3);
    assert_eq!(entries(store.as_ref(), Action::LoginCheckRepaired).len(), 3);
    for i in 0..3 {
        assert!(!active(&host, &format!("K-gone{i:04}")));
    }
    // A later tick on either node finds nothing.
    assert_eq!(
        node_b
            .tick(Millis(later.0 + 1))
            .unwrap()
            .login_checks_repaired,
        0
    );
}

/// The golden scenarios (every kind: scheduled-only configurations must say
/// "no login policy"): for every user, in order, the check's answer is
/// what the login then does.
#[test]
fn login_check_agrees_with_on_login_over_the_golden_scenarios() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut verified, mut not_needed) = (0, 0);
    for file in &files {
        let golden: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        if golden["snapshot"].is_null() {
            continue; // schedule arithmetic only
        }
        let snap: SnapshotFile = serde_json::from_value(golden["snapshot"].clone()).unwrap();
        let now = snap.header.taken_at;
        let usernames: Vec<String> = snap
            .pages
            .iter()
            .flat_map(|p| p.users.iter().map(|u| u.username.clone()))
            .collect();
        let host = Arc::new(MemoryDirectory::new(snap));
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        store
            .save_config(
                ConfigVersion::NONE,
                &json!({"automation": golden["config"]}).to_string(),
            )
            .unwrap();
        let service = Service::new(host, store, ServiceOptions::default()).unwrap();
        for name in &usernames {
            let check = service.login_check(name, PROOF, now).unwrap();
            let outcome = service.on_login(name, now).unwrap();
            // A grant the host refused for want of a seat was tried too
            // (recorded as skipped, not failed).
            let wrote = !outcome.applied.is_empty()
                || !outcome.failed.is_empty()
                || !outcome.skipped.is_empty();
            let at = format!("{} / {name}: {check:?} vs {outcome:?}", file.display());
            match &check.verdict {
                LoginVerdict::Verify { actions, .. } => {
                    verified += 1;
                    assert!(wrote, "{at}");
                    let done: Vec<_> = outcome
                        .applied
                        .iter()
                        .chain(outcome.failed.iter().map(|(op, _)| op))
                        .chain(outcome.skipped.iter().map(|(op, _)| op))
                        .collect();
                    let said: Vec<_> = actions.iter().map(|a| &a.operation).collect();
                    assert_eq!(done, said, "{at}");
                }
                LoginVerdict::NotNeeded { why, .. } => {
                    not_needed += 1;
                    assert!(!wrote, "{at}");
                    assert_eq!(
                        *why == NotNeeded::PreviewOnly,
                        !outcome.previewed.is_empty(),
                        "{at}"
                    );
                }
                LoginVerdict::BackOff { .. } => panic!("no check ever failed: {at}"),
            }
        }
    }
    assert!(
        verified > 0 && not_needed > 0,
        "both answers covered: {verified} / {not_needed}"
    );
}

#[test]
fn a_check_begun_by_a_process_that_died_is_repaired_from_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seatwarden.db");
    let open = || -> Arc<dyn Store> {
        Arc::new(seatwarden_store_sqlite::SqliteStore::open(&file).unwrap())
    };
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 1, 2)));
    {
        let dying = Service::new(host.clone(), open(), options("node-a", 10)).unwrap();
        dying
            .login_check_began("gone0001", Verification::Probe, Millis(T))
            .unwrap();
        activate(&host, "K-gone0001");
        // The process ends here, between "activate" and "deactivate again".
    }
    let survivor = Service::new(host.clone(), open(), options("node-b", 10)).unwrap();
    let report = survivor.tick(Millis(T + 10 * GRACE_MS)).unwrap();
    assert_eq!(report.login_checks_repaired, 1);
    assert!(!active(&host, "K-gone0001"));
    let repaired = entries(survivor.store(), Action::LoginCheckRepaired);
    assert_eq!(repaired.len(), 1);
    assert_eq!(repaired[0].entry.status, Status::Success);
}

#[test]
fn the_repair_runs_when_every_policy_is_in_safe_mode() {
    let f = fixture(1, 1, 2);
    for body in [
        json!({"name": "Preview back", "mode": "safe", "action": {"kind": "reactivate"}}),
        common::deactivation_policy("Preview idle", false),
    ] {
        let (status, created) = common::post_policy(&f.service, body, DAY0);
        assert_eq!(status, 201, "{created}");
    }
    f.service
        .login_check_began("gone0000", Verification::Probe, Millis(T))
        .unwrap();
    activate(&f.host, "K-gone0000");
    let report = f.service.tick(Millis(T + 10 * GRACE_MS)).unwrap();
    assert_eq!(report.login_checks_repaired, 1);
    assert!(
        !active(&f.host, "K-gone0000"),
        "our own temporary change is undone"
    );
}
