//! Defects found under faults and review (issue 18), each pinned by a test
//! that failed before its fix: audited deactivation times reach the engine,
//! the health check's jump test can trip.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::{Value, json};

use common::*;
use seatwarden_audit::{Action, AuditEntry, AuditFilter, AuditQuery, PolicyId, RunId, RunStatus};
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{LeaseOwner, MemoryStore, Store};

/// Moves the host's clock to `now` with a fresh login, so the health
/// check's "no recent login" test stays quiet in long scenarios.
fn at(host: &MemoryDirectory, now: i64) {
    host.set_time(seatwarden_core::Millis(now));
    host.record_login("fresh0000").unwrap();
}

/// Runs a policy now and drives it to the end; returns the run.
fn run_now(
    service: &Service,
    store: &dyn Store,
    id: &str,
    now: i64,
) -> seatwarden_audit::OperationRun {
    store
        .get_run(RunId(run_policy_now(service, id, now)))
        .unwrap()
        .unwrap()
}

fn delete_policy(days: u32) -> Value {
    json!({"name": "Delete deactivated", "mode": "live", "action": {"kind": "delete"},
           "condition": {"kind": "deactivated", "days": days}})
}

fn keys(host: &MemoryDirectory) -> Vec<String> {
    state(host).into_iter().map(|(k, ..)| k).collect()
}

/// Inside Jira and Confluence the host knows no deactivation time: the
/// engine must get Seatwarden's own audited times, or delete never acts.
#[test]
fn users_seatwarden_deactivated_are_deleted_from_the_audited_time_when_the_host_has_none() {
    let f = fixture(4, 2, 0);
    f.host.untimed_deactivations();
    let deactivate = create_policy(&f.service, deactivation_policy("Idle", true), DAY0).0;
    let delete = create_policy(&f.service, delete_policy(30), DAY0).0;

    let t0 = DAY0 + DAY;
    let run = run_now(&f.service, f.store.as_ref(), &deactivate, t0);
    assert_eq!(run.counts.succeeded, 4, "{run:?}");
    assert!(
        f.host
            .to_snapshot()
            .pages
            .iter()
            .flat_map(|p| &p.users)
            .all(|u| u.deactivated_at.is_none()),
        "the host must not know deactivation times for this test to mean anything"
    );

    // 10 days later: deactivated too recently, nobody is deleted.
    at(&f.host, t0 + 10 * DAY);
    let early = run_now(&f.service, f.store.as_ref(), &delete, t0 + 10 * DAY);
    assert_eq!(early.counts.succeeded, 0, "{early:?}");
    assert_eq!(keys(&f.host).len(), 7);

    // 31 days later: the four users Seatwarden deactivated are deleted.
    at(&f.host, t0 + 31 * DAY);
    let due = run_now(&f.service, f.store.as_ref(), &delete, t0 + 31 * DAY);
    assert_eq!(due.status, RunStatus::Succeeded, "{due:?}");
    assert_eq!(due.counts.succeeded, 4, "{due:?}");
    let left = keys(&f.host);
    assert!(left.iter().all(|k| !k.starts_with("K-idle")), "{left:?}");
    assert_eq!(left.len(), 3, "{left:?}");
}

/// A user reactivated after Seatwarden deactivated them has no valid
/// audited deactivation time: the product's later deactivation is unknown.
#[test]
fn a_reactivation_after_the_audited_deactivation_voids_its_time() {
    let f = fixture(1, 1, 0);
    f.host.untimed_deactivations();
    let deactivate = create_policy(&f.service, deactivation_policy("Idle", true), DAY0).0;
    let delete = create_policy(&f.service, delete_policy(30), DAY0).0;
    let t0 = DAY0 + DAY;
    assert_eq!(
        run_now(&f.service, f.store.as_ref(), &deactivate, t0)
            .counts
            .succeeded,
        1
    );
    // Reactivated by an admin through the bulk API, then (say) the product
    // deactivated the user again: the host's state is inactive, time unknown.
    let (status, plan) = call(
        &f.service,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "activate", "keys": ["K-idle0000"]})),
        t0 + DAY,
    );
    assert_eq!(status, 200, "{plan}");
    let (status, started) = call(
        &f.service,
        Method::Post,
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        t0 + DAY,
    );
    assert_eq!(status, 202, "{started}");
    drain(&f.service, t0 + DAY);
    let reactivated = state(&f.host);
    assert!(
        reactivated
            .iter()
            .any(|(k, active, ..)| k == "K-idle0000" && *active),
        "{reactivated:?}"
    );
    at(&f.host, t0 + 2 * DAY);
    assert_eq!(
        run_now(&f.service, f.store.as_ref(), &deactivate, t0 + 2 * DAY)
            .counts
            .succeeded,
        1
    );
    // 29 days after the second deactivation but 30 after the first: kept.
    at(&f.host, t0 + 31 * DAY);
    let run = run_now(&f.service, f.store.as_ref(), &delete, t0 + 31 * DAY);
    assert_eq!(run.counts.succeeded, 0, "{run:?}");
    assert!(keys(&f.host).contains(&"K-idle0000".to_owned()));
    at(&f.host, t0 + 33 * DAY);
    let run = run_now(&f.service, f.store.as_ref(), &delete, t0 + 33 * DAY);
    assert_eq!(run.counts.succeeded, 1, "{run:?}");
    assert!(!keys(&f.host).contains(&"K-idle0000".to_owned()));
}

/// `fresh` users who logged in yesterday and `never` licensed users who
/// never logged in.
fn with_never_logged_in(fresh: usize, never: usize) -> SnapshotFile {
    let mut snap = serde_json::to_value(snapshot(0, fresh, 0)).unwrap();
    let users = snap["pages"][0]["users"].as_array_mut().unwrap();
    for i in 0..never {
        users.push(json!({
            "key": format!("K-new{i:04}"), "username": format!("new{i:04}"),
            "displayName": format!("New {i}"), "email": format!("new{i:04}@example.test"),
            "directoryId": 1, "active": true, "created": DAY0 - DAY, "loginCount": 0,
            "groups": ["jira-software-users"]
        }));
    }
    serde_json::from_value(snap).unwrap()
}

/// The health check compares the never-logged-in share with the one the
/// previous run reported, so a host that suddenly reports most users as
/// never logged in (lost login data) pauses automation.
#[test]
fn a_jump_in_the_never_logged_in_share_since_the_previous_run_pauses_the_run() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let healthy = Arc::new(MemoryDirectory::new(with_never_logged_in(10, 0)));
    let service = Service::new(healthy, store.clone(), options("node-a", 50)).unwrap();
    let policy = create_policy(&service, deactivation_policy("Idle", true), DAY0).0;
    let first = run_now(&service, store.as_ref(), &policy, DAY0);
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");

    // The same store, a host whose login data now says 10 of 21 licensed
    // users never logged in (0 % → 47 %, more than the 20 points allowed).
    let broken = Arc::new(MemoryDirectory::new(with_never_logged_in(10, 10)));
    let service = Service::new(broken, store.clone(), options("node-a", 50)).unwrap();
    let second = run_now(&service, store.as_ref(), &policy, DAY0 + DAY);
    assert_eq!(second.status, RunStatus::Failed, "{second:?}");
    let journal = store.journal(second.id).unwrap().unwrap();
    let plan: Value = serde_json::from_str(&journal.plan.json).unwrap();
    assert_eq!(plan["status"], "paused", "{plan}");
    let text = plan["document"].to_string();
    assert!(text.contains("never"), "{text}");
    // The refusal says why in the audit log.
    let refused = refusals(store.as_ref(), second.id);
    assert_eq!(refused.len(), 1, "{refused:?}");
    let reason = refused[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("never-logged-in"), "{reason}");

    // A third run compares with the second's figure: no further jump.
    let third = run_now(&service, store.as_ref(), &policy, DAY0 + 2 * DAY);
    assert_eq!(third.status, RunStatus::Succeeded, "{third:?}");
}

/// The `run_refused` entries of a run.
fn refusals(store: &dyn Store, run: RunId) -> Vec<AuditEntry> {
    let query = AuditQuery {
        filter: AuditFilter {
            run: Some(run),
            actions: vec![Action::RunRefused],
            ..AuditFilter::default()
        },
        ..AuditQuery::default()
    };
    store
        .query_audit(&query)
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.entry)
        .collect()
}

/// "Run now" while another node holds the policy's lease: the run fails
/// with an audit entry naming the holder and when its lease lapses, and
/// changes nothing (it used to fail with no reason and no entry).
#[test]
fn a_run_refused_for_a_held_lease_says_why_in_the_audit_log() {
    let f = fixture(3, 1, 0);
    let before = state(&f.host);
    let policy = create_policy(&f.service, deactivation_policy("Idle", true), DAY0).0;
    let held = f
        .store
        .acquire_lease(
            &PolicyId::from(format!("policy:{policy}")),
            &LeaseOwner("node-b".to_owned()),
            seatwarden_core::Millis(DAY0),
            std::time::Duration::from_secs(600),
        )
        .unwrap();
    assert!(held.is_acquired());
    let run = run_now(&f.service, f.store.as_ref(), &policy, DAY0 + 1_000);
    assert_eq!(run.status, RunStatus::Failed, "{run:?}");
    assert_eq!(state(&f.host), before);
    let refused = refusals(f.store.as_ref(), run.id);
    assert_eq!(refused.len(), 1, "{refused:?}");
    let reason = refused[0].reason.clone().unwrap_or_default();
    assert!(reason.contains("node-b"), "{reason}");
    assert!(reason.contains("2025-11-21T00:10:00"), "{reason}");
}

fn plan_bulk(service: &Service, action: &str, keys: &[&str], now: i64) -> Value {
    let (status, plan) = call(
        service,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": action, "keys": keys})),
        now,
    );
    assert_eq!(status, 200, "{plan}");
    plan
}

fn run_bulk(
    service: &Service,
    store: &dyn Store,
    plan: &Value,
    now: i64,
) -> seatwarden_audit::OperationRun {
    let (status, started) = call(
        service,
        Method::Post,
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        now,
    );
    assert_eq!(status, 202, "{started}");
    drain(service, now);
    store
        .get_run(RunId(started["runId"].as_i64().unwrap()))
        .unwrap()
        .unwrap()
}

/// Two admins plan the same bulk deactivation; the second plan is applied
/// after the first: its action is skipped with the reason instead of a
/// phantom second deactivation, and reverting it can never reactivate the
/// user the first admin deactivated.
#[test]
fn a_stale_bulk_plan_skips_with_a_reason_and_its_revert_undoes_nothing() {
    let f = fixture(2, 1, 0);
    let first = plan_bulk(&f.service, "deactivate", &["K-idle0000"], DAY0);
    let second = plan_bulk(&f.service, "deactivate", &["K-idle0000"], DAY0);
    let a = run_bulk(&f.service, f.store.as_ref(), &first, DAY0);
    assert_eq!(a.counts.succeeded, 1, "{a:?}");
    let b = run_bulk(&f.service, f.store.as_ref(), &second, DAY0 + 1);
    assert_eq!((b.counts.succeeded, b.counts.skipped), (0, 1), "{b:?}");

    let deactivations = AuditQuery {
        filter: AuditFilter {
            actions: vec![Action::UserDeactivated],
            ..AuditFilter::default()
        },
        ..AuditQuery::default()
    };
    let entries = f.store.query_audit(&deactivations).unwrap().items;
    let succeeded: Vec<_> = entries
        .iter()
        .filter(|e| e.entry.status == seatwarden_audit::Status::Success)
        .collect();
    assert_eq!(succeeded.len(), 1, "{entries:?}");
    let skipped = entries
        .iter()
        .find(|e| e.entry.run == Some(b.id))
        .expect("the skip is audited");
    assert!(
        skipped.entry.description.contains("already deactivated"),
        "{skipped:?}"
    );

    // Reverting the second run plans no reactivation.
    let (status, revert) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{}/revert/plan", b.id),
        None,
        DAY0 + 2,
    );
    let text = revert.to_string();
    assert!(!text.contains("\"activate\""), "{status} {text}");
    let still = state(&f.host);
    assert!(
        still
            .iter()
            .any(|(k, active, ..)| k == "K-idle0000" && !*active),
        "{still:?}"
    );
}

fn version(service: &Service) -> Value {
    let (status, mail) = call(service, Method::Get, "/api/settings/mail", None, DAY0);
    assert_eq!(status, 200, "{mail}");
    mail["configVersion"].clone()
}

/// The stored SMTP password must not follow a changed host, port or
/// security (pointing the host at one's own listener with TLS off and
/// pressing "test" used to send it there in clear), and AUTH without TLS
/// is refused unless explicitly allowed.
#[test]
fn a_changed_smtp_destination_does_not_keep_the_stored_password() {
    let f = fixture(1, 1, 0);
    let own = json!({"source": "own", "host": "smtp.corp.example", "port": 587,
                     "security": "start_tls", "username": "mailer", "password": "S3cret!",
                     "from": "sw@example.test", "configVersion": version(&f.service)});
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(own),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mail"]["password_set"], json!(true));

    // Same destination, no password sent: kept (the form never has it).
    let same = json!({"source": "own", "host": "smtp.corp.example", "port": 587,
                      "security": "start_tls", "username": "mailer", "from": "other@example.test",
                      "configVersion": version(&f.service)});
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(same),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mail"]["password_set"], json!(true));

    // Another host without TLS, no password sent: the password is not
    // carried over, so the half credentials are refused and nothing changes.
    let moved = json!({"source": "own", "host": "127.0.0.1", "port": 2526, "security": "none",
                       "username": "mailer", "from": "sw@example.test",
                       "configVersion": version(&f.service)});
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(moved),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    let (_, now) = call(&f.service, Method::Get, "/api/settings/mail", None, DAY0);
    assert_eq!(now["mail"]["host"], json!("smtp.corp.example"), "{now}");

    // Even with the password typed again, AUTH without TLS is refused…
    let clear = json!({"source": "own", "host": "127.0.0.1", "port": 2526, "security": "none",
                       "username": "mailer", "password": "S3cret!", "from": "sw@example.test",
                       "configVersion": version(&f.service)});
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(clear.clone()),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("without TLS"), "{body}");
    // …unless explicitly allowed (loopback relays only).
    let mut allowed = clear;
    allowed["allow_auth_without_tls"] = json!(true);
    allowed["configVersion"] = version(&f.service);
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(allowed),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

/// Mail settings and templates name the configuration version they were
/// read at: a stale one is a conflict (409) and a missing one a bad
/// request (400); neither changes anything.
#[test]
fn mail_settings_and_templates_refuse_stale_or_missing_config_versions() {
    let f = fixture(1, 1, 0);
    let v0 = version(&f.service);
    let off = |v: Option<Value>| {
        let mut b = json!({"source": "off"});
        if let Some(v) = v {
            b["configVersion"] = v;
        }
        b
    };
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(off(None)),
        DAY0,
    );
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(off(Some(json!(999_999)))),
        DAY0,
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(version(&f.service), v0, "nothing was saved");

    let (_, list) = call(&f.service, Method::Get, "/api/templates", None, DAY0);
    let mut template = list["templates"][0].clone();
    let id = template["id"].as_str().unwrap().to_owned();
    template["subject"] = json!("Changed subject");
    let put = |t: &Value| {
        call(
            &f.service,
            Method::Put,
            &format!("/api/templates/{id}"),
            Some(t.clone()),
            DAY0,
        )
    };
    let (status, body) = put(&template);
    assert_eq!(status, 400, "missing version: {body}");
    template["configVersion"] = json!(999_999);
    let (status, body) = put(&template);
    assert_eq!(status, 409, "stale version: {body}");
    // Another admin saves first; the edit based on the older version loses.
    template["configVersion"] = v0.clone();
    let (status, body) = put(&template);
    assert_eq!(status, 200, "{body}");
    template["subject"] = json!("Second admin");
    let (status, body) = put(&template);
    assert_eq!(status, 409, "{body}");

    let mut created = template.clone();
    created["id"] = json!("copy");
    created.as_object_mut().unwrap().remove("configVersion");
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/templates",
        Some(created),
        DAY0,
    );
    assert_eq!(status, 400, "{body}");

    let (status, body) = call(
        &f.service,
        Method::Delete,
        &format!("/api/templates/{id}"),
        None,
        DAY0,
    );
    assert_eq!(status, 400, "{body}");
    let (status, body) = call(
        &f.service,
        Method::Delete,
        &format!("/api/templates/{id}?configVersion={v0}"),
        None,
        DAY0,
    );
    assert_eq!(status, 409, "{body}");
    let current = version(&f.service);
    let (status, body) = call(
        &f.service,
        Method::Delete,
        &format!("/api/templates/{id}?configVersion={current}"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

/// Reverting an import used to plan nothing and succeed: now the accounts
/// it created are deactivated and their new memberships removed, a
/// profile change is listed as irreversible, and a run with nothing to
/// undo is refused with the reason.
#[test]
fn reverting_an_import_deactivates_what_it_created_and_lists_what_it_cannot_undo() {
    let f = fixture(1, 1, 0);
    let csv = "username,email,display name,groups\r\n\
               newbie,newbie@example.test,New Bie,staff\r\n\
               newer,newer@example.test,New Er,staff\r\n\
               fresh0000,,Fresh Renamed,\r\n";
    let request = seatwarden_service::api::ApiRequest {
        method: Method::Post,
        path: "/api/import/validate".to_owned(),
        query: Vec::new(),
        body: csv.as_bytes().to_vec().into(),
        context: admin(),
    };
    let response = f.service.handle(&request, seatwarden_core::Millis(DAY0));
    let plan: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(response.status, 200, "{plan}");
    let (status, started) = call(
        &f.service,
        Method::Post,
        &format!("/api/import/{}/apply", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 202, "{started}");
    drain(&f.service, DAY0);
    let import = started["runId"].as_i64().unwrap();
    let created = |host: &MemoryDirectory| -> Vec<(String, bool, Vec<String>)> {
        state(host)
            .into_iter()
            .filter(|(_, _, name, _)| name.starts_with("new"))
            .map(|(_, active, name, groups)| (name, active, groups))
            .collect()
    };
    assert_eq!(
        created(&f.host),
        [
            ("newbie".to_owned(), true, vec!["staff".to_owned()]),
            ("newer".to_owned(), true, vec!["staff".to_owned()]),
        ]
    );

    let (status, revert) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{import}/revert/plan"),
        None,
        DAY0 + 1,
    );
    assert_eq!(status, 200, "{revert}");
    let steps = revert["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4, "{revert}");
    let irreversible = revert["irreversible"].to_string();
    assert!(irreversible.contains("K-fresh0000"), "{irreversible}");
    assert!(irreversible.contains("not recorded"), "{irreversible}");
    let (status, run) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{import}/revert"),
        Some(json!({"planHash": revert["planHash"]})),
        DAY0 + 1,
    );
    assert_eq!(status, 202, "{run}");
    drain(&f.service, DAY0 + 1);
    assert_eq!(
        created(&f.host),
        [
            ("newbie".to_owned(), false, vec![]),
            ("newer".to_owned(), false, vec![]),
        ]
    );

    // A run that changed nothing revertible is refused, not run empty.
    let policy = create_policy(&f.service, deactivation_policy("Safe", false), DAY0).0;
    let preview = run_now(&f.service, f.store.as_ref(), &policy, DAY0 + 2);
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{}/revert/plan", preview.id),
        None,
        DAY0 + 2,
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.to_string().contains("nothing"), "{body}");
}

/// A safe-mode run leaves one `run_previewed` entry, so the log and its
/// export show previews too.
#[test]
fn a_preview_run_leaves_an_audit_entry() {
    let f = fixture(3, 1, 0);
    let policy = create_policy(&f.service, deactivation_policy("Preview", false), DAY0).0;
    let run = run_now(&f.service, f.store.as_ref(), &policy, DAY0 + 1);
    assert_eq!(run.status, RunStatus::Previewed, "{run:?}");
    let query = AuditQuery {
        filter: AuditFilter {
            run: Some(run.id),
            ..AuditFilter::default()
        },
        ..AuditQuery::default()
    };
    let entries = f.store.query_audit(&query).unwrap().items;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].entry.action, Action::RunPreviewed);
    assert!(
        entries[0].entry.description.contains("3 action(s)"),
        "{entries:?}"
    );
}

/// Retention of 0 days is as destructive as "clear all": it needs the same
/// typed phrase, which the API and the docs now agree on.
#[test]
fn a_zero_day_retention_needs_the_clear_all_phrase() {
    let f = fixture(1, 1, 0);
    let (_, r) = call(&f.service, Method::Get, "/api/audit/retention", None, DAY0);
    let v = r["configVersion"].clone();
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 0, "configVersion": v})),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("CLEAR ALL AUDIT LOGS"), "{body}");
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 0, "configVersion": v, "confirm": "CLEAR ALL AUDIT LOGS"})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    let docs = include_str!("../../../docs/api.md");
    assert!(docs.contains(seatwarden_audit::CLEAR_CONFIRMATION));
    assert!(!docs.contains("DELETE ALL AUDIT ENTRIES"));
}

/// A subject no mail server accepts (over 998 characters) is refused when
/// the template is saved, not on every send.
#[test]
fn a_template_subject_over_998_characters_is_refused_at_save() {
    let f = fixture(1, 1, 0);
    let (_, list) = call(&f.service, Method::Get, "/api/templates", None, DAY0);
    let mut template = list["templates"][0].clone();
    let id = template["id"].as_str().unwrap().to_owned();
    template["configVersion"] = list["configVersion"].clone();
    template["subject"] = json!("x".repeat(999));
    let (status, body) = call(
        &f.service,
        Method::Put,
        &format!("/api/templates/{id}"),
        Some(template.clone()),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["details"]["problems"][0]["path"],
        json!("subject")
    );
    template["subject"] = json!("x".repeat(998));
    let (status, body) = call(
        &f.service,
        Method::Put,
        &format!("/api/templates/{id}"),
        Some(template),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}
