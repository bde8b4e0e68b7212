//! The service over the SQLite store: an interrupted run resumes from the
//! file, and two nodes sharing one database file run a due policy once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use common::*;
use seatwarden_audit::{AuditFilter, RunFilter, RunId, RunKind, RunQuery, RunStatus};
use seatwarden_core::Millis;
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::Store;
use seatwarden_store_sqlite::SqliteStore;

const TICK: i64 = DAY0 + DAY + 3 * 3_600_000;

fn open(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(dir.path().join("seatwarden.db")).unwrap())
}

#[test]
fn a_run_interrupted_midway_resumes_from_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(MemoryDirectory::new(snapshot(25, 5, 0)));
    let first = Service::new(host.clone(), open(&dir), options("node-a", 6)).unwrap();
    let (status, created) = common::post_policy(&first, deactivation_policy("Idle", true), DAY0);
    assert_eq!(status, 201, "{created}");
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &first,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        TICK,
    );
    assert_eq!(status, 202);
    let run = RunId(body["runId"].as_i64().unwrap());
    for _ in 0..3 {
        assert!(first.drive(Millis(TICK)).unwrap());
    }
    drop(first);

    let store = open(&dir);
    assert_eq!(store.journal(run).unwrap().unwrap().outcomes.len(), 12);
    let second = Service::new(host.clone(), store.clone(), options("node-a", 6)).unwrap();
    let report = second.tick(Millis(TICK + 60_000)).unwrap();
    assert_eq!(report.resumed, vec![run]);
    let done = store.get_run(run).unwrap().unwrap();
    assert_eq!(
        (done.status, done.counts.succeeded),
        (RunStatus::Succeeded, 25)
    );
    let mut users = HashSet::new();
    store
        .scan_audit(
            &AuditFilter {
                run: Some(run),
                ..AuditFilter::default()
            },
            &mut |e| {
                assert!(users.insert(e.entry.target.user.clone()), "duplicate {e:?}");
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(users.len(), 25);
}

#[test]
fn two_nodes_on_one_database_file_run_a_due_policy_once() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(MemoryDirectory::new(snapshot(10, 5, 0)));
    let a = Arc::new(Service::new(host.clone(), open(&dir), options("node-a", 5)).unwrap());
    let b = Arc::new(Service::new(host.clone(), open(&dir), options("node-b", 5)).unwrap());
    let (status, _) = common::post_policy(&a, deactivation_policy("Idle", false), DAY0);
    assert_eq!(status, 201);
    for round in 0..3 {
        let now = TICK + round * DAY;
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = [a.clone(), b.clone()]
            .into_iter()
            .map(|s| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    s.tick(Millis(now)).unwrap().runs.len()
                })
            })
            .collect();
        let started: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(started, 1, "round {round}");
    }
    let store = open(&dir);
    let runs = store
        .query_runs(&RunQuery {
            filter: RunFilter {
                kinds: vec![RunKind::ScheduledCleanup],
                ..RunFilter::default()
            },
            after: None,
            limit: 50,
        })
        .unwrap()
        .items;
    assert_eq!(runs.len(), 3);
    assert!(
        runs.iter().all(|r| r.status == RunStatus::Previewed),
        "{runs:?}"
    );
}

/// A configuration stored before control and bidi characters were refused
/// in policy names still loads from the database file (a server upgraded
/// over it must start, and its admin must be able to rename the policy),
/// while no write can store such a name: create and replace are refused
/// with the field named and nothing saved; a replace that renames it is
/// accepted.
#[test]
fn a_stored_legacy_policy_name_with_a_bidi_override_loads_but_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let host = Arc::new(MemoryDirectory::new(snapshot(3, 1, 0)));
    let first = Service::new(host.clone(), open(&dir), options("node-a", 6)).unwrap();
    let (status, created) = common::post_policy(&first, deactivation_policy("Idle", false), DAY0);
    assert_eq!(status, 201, "{created}");
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    drop(first);
    // What an older server stored: the same document, the name spoofed.
    let legacy = "Idle\u{202E}eteled";
    let store = open(&dir);
    let doc = store.load_config().unwrap().unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&doc.json).unwrap();
    json["automation"]["policies"][0]["name"] = serde_json::json!(legacy);
    store.save_config(doc.version, &json.to_string()).unwrap();
    drop(store);

    let service = Service::new(host, open(&dir), options("node-a", 6)).unwrap();
    let (status, list) = call(&service, Method::Get, "/api/policies", None, DAY0);
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["policies"][0]["policy"]["name"], legacy);
    let version = service.settings().version;

    let mut same = deactivation_policy(legacy, false);
    same["configVersion"] = serde_json::json!(version.0);
    let path = format!("/api/policies/{id}");
    let (status, refused) = call(&service, Method::Put, &path, Some(same), DAY0);
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused
            .to_string()
            .contains("bidirectional control character"),
        "{refused}"
    );
    assert_eq!(
        refused["error"]["details"]["problems"][0]["path"], "name",
        "{refused}"
    );
    let (status, refused) =
        common::post_policy(&service, deactivation_policy("New\u{2067}x", false), DAY0);
    assert_eq!(status, 422, "{refused}");
    assert_eq!(service.settings().version, version, "nothing was saved");

    let mut renamed = deactivation_policy("Idle", false);
    renamed["configVersion"] = serde_json::json!(version.0);
    let (status, saved) = call(&service, Method::Put, &path, Some(renamed), DAY0);
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["policy"]["name"], "Idle");
}

/// The audit trail's deactivation times over SQLite at a million users:
/// the first read walks the whole trail, later ones only what was appended
/// since. Prints the figures; `--ignored` because it writes a million
/// entries (about a minute in the dev profile).
#[test]
#[ignore = "measurement: cargo test -p seatwarden-service --test sqlite -- --ignored --nocapture"]
fn audited_deactivations_at_a_million_users() {
    use seatwarden_audit::{Action, Actor, AuditEntry, Status, Target};
    use seatwarden_core::UserKey;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("store.db")).unwrap());
    let users = 1_000_000u32;
    // One deactivation a minute: about two years of history.
    const BASE: i64 = 1_700_000_000_000;
    const MINUTE: i64 = 60_000;
    let entry = |i: u32, at: i64| {
        AuditEntry::new(
            Millis(at),
            Actor::system(),
            Action::UserDeactivated,
            Status::Success,
        )
        .with_target(Target::user(
            UserKey::from(format!("K{i:07}").as_str()),
            None,
        ))
    };
    let t = std::time::Instant::now();
    for chunk in (0..users).collect::<Vec<_>>().chunks(20_000) {
        let batch: Vec<AuditEntry> = chunk
            .iter()
            .map(|&i| entry(i, BASE + i64::from(i) * MINUTE))
            .collect();
        store.append_audit(&batch).unwrap();
    }
    println!("appended {users} entries in {:?}", t.elapsed());
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 1, 0)));
    let service = Service::new(host, store.clone(), options("node-a", 50)).unwrap();
    let now = Millis(BASE + i64::from(users) * MINUTE);
    let t = std::time::Instant::now();
    assert_eq!(service.refresh_audit_facts(now).unwrap(), users as usize);
    println!("first read: {:?}", t.elapsed());
    let batch: Vec<AuditEntry> = (0..1_000).map(|i| entry(users + i, now.0 + 1)).collect();
    store.append_audit(&batch).unwrap();
    let t = std::time::Instant::now();
    assert_eq!(
        service.refresh_audit_facts(Millis(now.0 + 2)).unwrap(),
        users as usize + 1_000
    );
    println!(
        "incremental read after 1,000 new entries: {:?}",
        t.elapsed()
    );
}
