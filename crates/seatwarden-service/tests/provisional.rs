//! Reactivation at login: the engine chooses how a credential is verified
//! (licence check, Crowd's proof, or the opt-in probe), gives access back only
//! for a check the journal holds as verified, and takes it back unless the
//! product completes that login within the confirm window.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::json;

use common::{DAY, DAY0, active, call, entries, fixture, reactivate_policy};
use seatwarden_audit::{Action, Status};
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::service::{
    AccountState, CheckId, CheckOutcome, InactiveRefusal, LoginFacts, LoginVerdict, NotNeeded,
    ServiceError, Verification,
};

const T: i64 = DAY0 + DAY;

/// The default confirm window (10 minutes).
const WINDOW: i64 = 10 * 60_000;

const fn facts(state: AccountState, inactive_refusal: InactiveRefusal) -> LoginFacts {
    LoginFacts {
        state,
        inactive_refusal,
    }
}

const PROOF: LoginFacts = facts(AccountState::Inactive, InactiveRefusal::AfterCredential);
const INTERNAL: LoginFacts = facts(AccountState::Inactive, InactiveRefusal::BeforeCredential);
const UNLICENSED: LoginFacts = facts(AccountState::Unlicensed, InactiveRefusal::BeforeCredential);

fn set_login_settings(service: &Service, login: serde_json::Value) -> (u16, serde_json::Value) {
    let (_, current) = call(service, Method::Get, "/api/settings", None, DAY0);
    let mut settings = current["settings"].clone();
    settings["login"] = login;
    call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"settings": settings, "configVersion": current["configVersion"]})),
        DAY0,
    )
}

fn verification(service: &Service, who: &str, facts: LoginFacts) -> LoginVerdict {
    service.login_check(who, facts, Millis(T)).unwrap().verdict
}

/// A check of `who` the way the filter makes it in proof mode, ended with
/// `outcome`.
fn checked(service: &Service, who: &str, outcome: CheckOutcome, at: i64) -> CheckId {
    let check = service
        .login_check_began(who, Verification::Proof, Millis(at))
        .unwrap();
    service
        .login_check_ended(check, outcome, Millis(at + 1))
        .unwrap();
    check
}

#[test]
fn the_engine_chooses_the_verification_from_what_the_filter_saw() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let method = |v: LoginVerdict| match v {
        LoginVerdict::Verify { verification, .. } => Some(verification),
        _ => None,
    };
    assert_eq!(
        method(verification(&f.service, "gone0000", PROOF)),
        Some(Verification::Proof)
    );
    assert_eq!(
        method(verification(&f.service, "gone0000", UNLICENSED)),
        Some(Verification::Licence)
    );
    // An internal directory refuses before the password: no probe unless an
    // admin opted the directory in.
    assert_eq!(
        verification(&f.service, "gone0000", INTERNAL),
        LoginVerdict::NotNeeded {
            why: NotNeeded::NoSafeVerification,
            skipped: Vec::new()
        }
    );
    let (status, body) = set_login_settings(
        &f.service,
        json!({"confirmWindowMinutes": 5, "probeDirectories": [1]}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        method(verification(&f.service, "gone0000", INTERNAL)),
        Some(Verification::Probe)
    );
    // The directory list says so too (the policy editor shows it).
    let (_, dirs) = call(&f.service, Method::Get, "/api/directories", None, DAY0);
    assert_eq!(
        dirs["directories"][0]["loginVerification"], "probe",
        "{dirs}"
    );
    assert_eq!(dirs["directories"][0]["confirmWindowMinutes"], 5, "{dirs}");
    // A host that reports nothing gets the strictest reading.
    assert_eq!(LoginFacts::UNKNOWN, INTERNAL);
}

#[test]
fn bad_login_settings_are_refused_precisely_and_change_nothing() {
    let f = fixture(1, 1, 1);
    let (status, body) = set_login_settings(
        &f.service,
        json!({"confirmWindowMinutes": 0, "probeDirectories": [1, 1, "x"], "other": true}),
    );
    assert_eq!(status, 422, "{body}");
    let text = body.to_string();
    for path in [
        "settings.login.confirmWindowMinutes",
        "settings.login.probeDirectories[1]",
        "settings.login.probeDirectories[2]",
        "settings.login.other",
    ] {
        assert!(text.contains(path), "{path} in {text}");
    }
    let (_, current) = call(&f.service, Method::Get, "/api/settings", None, DAY0);
    assert_eq!(
        current["settings"]["login"],
        json!({"confirmWindowMinutes": 10, "probeDirectories": []})
    );
}

#[test]
fn nothing_is_given_back_for_a_check_that_did_not_end_verified() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let open = f
        .service
        .login_check_began("gone0000", Verification::Proof, Millis(T))
        .unwrap();
    let refused = checked(&f.service, "gone0001", CheckOutcome::NotVerified, T);
    let failed = checked(&f.service, "gone0001", CheckOutcome::Failed, T + 10);
    for check in [open, refused, failed] {
        let err = f.service.login_verified(check, Millis(T + 20)).unwrap_err();
        assert!(
            matches!(err, ServiceError::CheckNotVerified(c) if c == check),
            "{err}"
        );
    }
    let err = f
        .service
        .login_verified(CheckId(987_654), Millis(T + 20))
        .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err}");
    assert!(!active(&f.host, "K-gone0000"));
    assert!(!active(&f.host, "K-gone0001"));
    assert!(entries(f.store.as_ref(), Action::LoginProvisional).is_empty());
}

#[test]
fn a_completed_login_keeps_the_access_given_back_exactly_once() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let check = checked(&f.service, "gone0000", CheckOutcome::Verified, T);
    let outcome = f.service.login_verified(check, Millis(T + 2)).unwrap();
    assert_eq!(outcome.applied.len(), 1, "{outcome:?}");
    assert!(active(&f.host, "K-gone0000"));
    // Once per verified check.
    let again = f.service.login_verified(check, Millis(T + 3)).unwrap_err();
    assert!(
        matches!(again, ServiceError::CheckAlreadyGranted(c) if c == check),
        "{again}"
    );

    f.service
        .login_completed("gone0000", Millis(T + 4))
        .unwrap();
    let confirmed = entries(f.store.as_ref(), Action::LoginConfirmed);
    assert_eq!(confirmed.len(), 1);
    assert!(
        confirmed[0]
            .entry
            .description
            .starts_with(&format!("check {}: ", check.0))
    );
    let report = f.service.tick(Millis(T + 2 + WINDOW + 1)).unwrap();
    assert_eq!(report.logins_not_completed, 0);
    assert!(active(&f.host, "K-gone0000"), "the grant stands");
    assert!(entries(f.store.as_ref(), Action::LoginNotCompleted).is_empty());
}

#[test]
fn a_login_the_product_never_completes_is_taken_back_once_by_the_tick() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let check = checked(&f.service, "gone0000", CheckOutcome::Verified, T);
    f.service.login_verified(check, Millis(T + 2)).unwrap();
    assert!(active(&f.host, "K-gone0000"));
    // Another login of that user (a token, a script) proves nothing about
    // the credentials the filter verified: it does not confirm.
    f.service.on_login("gone0000", Millis(T + 3)).unwrap();

    let early = f.service.tick(Millis(T + 2 + WINDOW - 1)).unwrap();
    assert_eq!(early.logins_not_completed, 0, "still inside the window");
    assert!(active(&f.host, "K-gone0000"));

    let report = f.service.tick(Millis(T + 2 + WINDOW + 1)).unwrap();
    assert_eq!(report.logins_not_completed, 1);
    assert!(!active(&f.host, "K-gone0000"), "access taken back");
    let taken = entries(f.store.as_ref(), Action::LoginNotCompleted);
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].entry.status, Status::Success);
    assert_eq!(
        taken[0].entry.target.user,
        Some(UserKey::from("K-gone0000"))
    );
    let deactivated = entries(f.store.as_ref(), Action::UserDeactivated);
    assert_eq!(deactivated.len(), 1);
    assert_eq!(
        deactivated[0].entry.reason.as_deref(),
        Some("login not completed")
    );

    // Idempotent.
    let again = f.service.tick(Millis(T + 4 * WINDOW)).unwrap();
    assert_eq!(again.logins_not_completed, 0);
    assert!(!active(&f.host, "K-gone0000"));
    assert_eq!(
        entries(f.store.as_ref(), Action::LoginNotCompleted).len(),
        1
    );
}

#[test]
fn the_node_that_gave_access_takes_it_back_when_it_next_drives() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let check = checked(&f.service, "gone0001", CheckOutcome::Verified, T);
    f.service.login_verified(check, Millis(T + 2)).unwrap();
    f.service.drive(Millis(T + 2 + WINDOW - 1)).unwrap();
    assert!(active(&f.host, "K-gone0001"), "still inside the window");
    f.service.drive(Millis(T + 2 + WINDOW)).unwrap();
    assert!(!active(&f.host, "K-gone0001"), "taken back without a tick");
    assert_eq!(
        entries(f.store.as_ref(), Action::LoginNotCompleted).len(),
        1
    );
    let report = f.service.tick(Millis(T + 2 * WINDOW)).unwrap();
    assert_eq!(report.logins_not_completed, 0, "already closed");
}

#[test]
fn a_grant_of_a_stopped_node_is_taken_back_by_another_node() {
    let f = fixture(1, 1, 2);
    reactivate_policy(&f.service);
    let check = checked(&f.service, "gone0000", CheckOutcome::Verified, T);
    f.service.login_verified(check, Millis(T + 2)).unwrap();
    // Node B shares the host and the store but never saw the grant.
    let node_b = Service::new(
        f.host.clone(),
        f.store.clone(),
        common::options("node-b", 50),
    )
    .unwrap();
    drop(f.service);
    let report = node_b.tick(Millis(T + 2 + WINDOW + 1)).unwrap();
    assert_eq!(report.logins_not_completed, 1);
    assert!(!active(&f.host, "K-gone0000"));
}
