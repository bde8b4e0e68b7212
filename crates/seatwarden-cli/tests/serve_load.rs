//! Load test: 16 threads of logins (at least 50,000 in all) during a live
//! run over a few thousand users, while admins query users, runs, the run's
//! progress and the audit log — over the pieces `seatwarden serve` wires
//! together: the real [`Service`], the SQLite store and the embedded SQLite
//! directory, in one data folder.
//!
//! What must hold: no call fails, nothing deadlocks (a generous watchdog
//! aborts the process instead of hanging the suite; it is not a timing
//! assertion), and the end state is consistent: the run's counts add up and
//! match its journal and audit, every login-policy write is audited once,
//! every login the directory accepted was recorded (none lost), the
//! service's in-place index agrees with the directory on every account, and
//! after one more login every user a login reactivated is active again
//! unless the directory refused a seat (and then it said so).
//!
//! The login-hook latency (p50, p99, max over every login) is printed, never
//! asserted. `SEATWARDEN_LOAD_LOGINS` (default 51,200) and
//! `SEATWARDEN_LOAD_USERS` (default 3,000) scale it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::{Duration, Instant};

use seatwarden_audit::{Action, AuditFilter, PolicyId, RunId, RunStatus};
use seatwarden_core::Millis;
use seatwarden_core::operation::Operation;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::api::Method;
use seatwarden_service::host::{Host as _, read_snapshot};
use seatwarden_service::store::Store;
use seatwarden_service::{Service, ServiceOptions, testing};
use seatwarden_store_sqlite::SqliteStore;
use serde_json::{Value, json};

/// 2026-11-21T02:00:00Z, the demo organisation's instant.
const NOW: i64 = 1_795_226_400_000;
const THREADS: usize = 16;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn call(service: &Service, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    testing::call(
        service,
        testing::admin("load-admin"),
        (method, path),
        body.as_ref(),
        Millis(NOW),
    )
}

fn create_policy(service: &Service, mut body: Value) -> String {
    body["configVersion"] = serde_json::json!(service.settings().version.0);
    let (status, created) = call(service, Method::Post, "/api/policies", Some(body));
    assert_eq!(status, 201, "{created}");
    created["policy"]["id"].as_str().unwrap().to_owned()
}

/// What one login thread saw.
#[derive(Default)]
struct LoginTally {
    latencies_ns: Vec<u64>,
    /// Login-policy writes that landed or were refused (each audited once).
    writes: u64,
    /// Logins the directory recorded.
    recorded: u64,
    /// Users a login reactivated at least once.
    reactivated: HashSet<String>,
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[test]
fn sixteen_login_threads_during_a_live_run_and_admin_queries_stay_consistent() {
    let total_logins = env_or("SEATWARDEN_LOAD_LOGINS", 51_200);
    let n_users = env_or("SEATWARDEN_LOAD_USERS", 3_000);
    let per_thread = total_logins.div_ceil(THREADS);

    // The watchdog: a deadlock aborts the run with a message instead of
    // hanging the suite. Generous on purpose; it measures nothing.
    let (done_tx, done_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if done_rx.recv_timeout(Duration::from_secs(600)) == Err(mpsc::RecvTimeoutError::Timeout) {
            eprintln!("serve_load: not finished after 10 minutes: deadlock");
            std::process::abort();
        }
    });

    let data = tempfile::tempdir().unwrap();
    let directory = Arc::new(SqliteDirectory::open_in(data.path()).unwrap());
    directory.set_time(Millis(NOW));
    let snapshot = seatwarden_demo::generate(&seatwarden_demo::DemoOptions {
        users: n_users,
        taken_at: Millis(NOW),
        ..seatwarden_demo::DemoOptions::default()
    });
    assert!(directory.seed(&snapshot).unwrap());
    let store = Arc::new(SqliteStore::open(data.path().join("store.db")).unwrap());
    let service = Arc::new(
        Service::new(
            directory.clone(),
            store.clone(),
            ServiceOptions {
                node_id: "load".into(),
                slice_size: 20,
                demo: true,
                ..ServiceOptions::default()
            },
        )
        .unwrap(),
    );

    // A live deactivation run (the guard off so it applies at once) and a
    // live reactivate-on-login policy.
    let deactivate = create_policy(
        &service,
        json!({"name": "Idle 10 days", "mode": "live", "trigger": {"kind": "scheduler"},
               "condition": {"kind": "inactive", "days": 10}, "action": {"kind": "deactivate"}}),
    );
    let reactivate = create_policy(
        &service,
        json!({"name": "Come back", "mode": "live", "action": {"kind": "reactivate"}}),
    );
    let (_, listed) = call(&service, Method::Get, "/api/policies", None);
    let (status, body) = call(
        &service,
        Method::Put,
        "/api/settings",
        Some(
            json!({"configVersion": listed["configVersion"], "settings": {"guard": {"enabled": false}}}),
        ),
    );
    assert_eq!(status, 200, "{body}");

    // Who logs in: every user, and more often those who were deactivated
    // before the run (they come back, so the login policy writes).
    let users: Vec<_> = snapshot.pages.iter().flat_map(|p| &p.users).collect();
    let all: Arc<Vec<String>> = Arc::new(users.iter().map(|u| u.username.clone()).collect());
    let returning: Arc<Vec<String>> = Arc::new(
        users
            .iter()
            .filter(|u| !u.active)
            .map(|u| u.username.clone())
            .collect(),
    );
    assert!(!returning.is_empty(), "the demo has deactivated users");
    let logins_before = directory.logins_recorded().unwrap();

    let (status, started) = call(
        &service,
        Method::Post,
        &format!("/api/policies/{deactivate}/run"),
        None,
    );
    assert_eq!(status, 202, "{started}");
    let run = RunId(started["runId"].as_i64().unwrap());

    let begin = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    // The login threads, the driver, two admins and this thread.
    let barrier = Arc::new(Barrier::new(THREADS + 4));
    let queries = Arc::new(AtomicU64::new(0));

    // The host's worker drains the run, one slice per call.
    let driver = {
        let (service, barrier) = (service.clone(), barrier.clone());
        std::thread::spawn(move || {
            barrier.wait();
            let mut slices = 0u64;
            while service.drive(Millis(NOW)).unwrap() {
                slices += 1;
            }
            slices
        })
    };
    // Admins querying meanwhile.
    let admins: Vec<_> = (0..2)
        .map(|a| {
            let (service, barrier, stop, queries) = (
                service.clone(),
                barrier.clone(),
                stop.clone(),
                queries.clone(),
            );
            std::thread::spawn(move || {
                barrier.wait();
                let paths = [
                    "/api/users".to_owned(),
                    "/api/runs".to_owned(),
                    format!("/api/runs/{}/progress", run.0),
                    "/api/audit?limit=50".to_owned(),
                ];
                let mut i = a;
                while !stop.load(Ordering::SeqCst) {
                    let path = &paths[i % paths.len()];
                    let (status, body) = call(&service, Method::Get, path, None);
                    assert_eq!(status, 200, "{path}: {body}");
                    queries.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    // The login threads.
    let logins: Vec<_> = (0..THREADS)
        .map(|t| {
            let (service, directory, barrier, all, returning) = (
                service.clone(),
                directory.clone(),
                barrier.clone(),
                all.clone(),
                returning.clone(),
            );
            std::thread::spawn(move || {
                let mut tally = LoginTally {
                    latencies_ns: Vec::with_capacity(per_thread),
                    ..LoginTally::default()
                };
                barrier.wait();
                let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ (t as u64 + 1);
                for i in 0..per_thread {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let name = if i % 8 == 0 {
                        &returning[(x as usize) % returning.len()]
                    } else {
                        &all[(x as usize) % all.len()]
                    };
                    let at = Millis(NOW + 1 + i as i64);
                    let started = Instant::now();
                    let outcome = service.on_login(name, at).unwrap();
                    tally.latencies_ns.push(started.elapsed().as_nanos() as u64);
                    assert!(outcome.user.is_some(), "login of an unknown user `{name}`");
                    tally.writes += (outcome.applied.len() + outcome.failed.len()) as u64;
                    if outcome
                        .applied
                        .iter()
                        .any(|op| matches!(op, Operation::Activate { .. }))
                    {
                        tally.reactivated.insert(name.clone());
                    }
                    // The product records the login once the hook let the
                    // user in (as the demo endpoint does).
                    if directory.record_login(name, at).unwrap().is_some() {
                        tally.recorded += 1;
                    }
                }
                tally
            })
        })
        .collect();
    barrier.wait();
    let tallies: Vec<LoginTally> = logins.into_iter().map(|h| h.join().unwrap()).collect();
    let slices = driver.join().unwrap();
    stop.store(true, Ordering::SeqCst);
    for a in admins {
        a.join().unwrap();
    }
    let elapsed = begin.elapsed();

    let mut latencies: Vec<u64> = tallies
        .iter()
        .flat_map(|t| t.latencies_ns.iter().copied())
        .collect();
    latencies.sort_unstable();
    let logins_done = latencies.len();
    assert!(logins_done >= 50_000 || total_logins < 50_000);
    eprintln!(
        "serve_load: {logins_done} logins on {THREADS} threads, {} admin queries, {slices} run slices in {:.1} s; \
         on_login latency p50 {:.1} us, p99 {:.1} us, max {:.1} us",
        queries.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        percentile(&latencies, 0.50) as f64 / 1e3,
        percentile(&latencies, 0.99) as f64 / 1e3,
        latencies.last().copied().unwrap_or(0) as f64 / 1e3,
    );

    // The run: finished, counts add up and match its journal and audit.
    let stored = store.get_run(run).unwrap().unwrap();
    assert!(
        matches!(
            stored.status,
            RunStatus::Succeeded | RunStatus::PartiallyFailed
        ),
        "{stored:?}"
    );
    let journal = store.journal(run).unwrap().unwrap();
    let c = stored.counts;
    assert_eq!(
        (c.succeeded + c.failed + c.skipped) as usize,
        journal.plan.actions.len(),
        "{stored:?}"
    );
    assert_eq!(journal.outcomes.len(), journal.plan.actions.len());
    assert!(c.succeeded > 100, "the run must act on many users: {c:?}");
    let run_audit = store
        .count_audit(&AuditFilter {
            run: Some(run),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        run_audit as usize,
        journal.outcomes.len(),
        "one entry per action"
    );

    // The login policy's writes: each audited exactly once.
    let login_audit = store
        .count_audit(&AuditFilter {
            policy: Some(PolicyId::from(reactivate.clone())),
            // The policy's own writes (not "policy created").
            actions: vec![
                Action::UserReactivated,
                Action::AddedToGroup,
                Action::RemovedFromGroup,
            ],
            ..AuditFilter::default()
        })
        .unwrap();
    let writes: u64 = tallies.iter().map(|t| t.writes).sum();
    assert!(writes > 0, "returning users were reactivated");
    assert_eq!(login_audit, writes, "login writes audited once each");

    // No login lost: every login the directory accepted is recorded.
    let recorded: u64 = tallies.iter().map(|t| t.recorded).sum();
    assert_eq!(
        directory.logins_recorded().unwrap() - logins_before,
        recorded
    );

    // The service's in-place index agrees with the directory.
    let host_state: HashMap<String, (bool, Vec<String>)> = read_snapshot(&*directory, 1_000)
        .unwrap()
        .pages
        .into_iter()
        .flat_map(|p| p.users)
        .map(|mut u| {
            u.groups.sort();
            (u.key, (u.active, u.groups))
        })
        .collect();
    let index_state: HashMap<String, (bool, Vec<String>)> = service
        .with_index(|index| {
            index
                .users()
                .map(|u| {
                    let mut g: Vec<String> = u.groups().map(|g| g.to_string()).collect();
                    g.sort();
                    (u.key().to_owned(), (u.active(), g))
                })
                .collect()
        })
        .unwrap();
    let drift: Vec<&String> = host_state
        .iter()
        .filter(|(k, v)| index_state.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        drift.is_empty() && index_state.len() == host_state.len(),
        "{} accounts differ between index and directory, e.g. {:?}",
        drift.len(),
        drift.first()
    );

    // One more login each: every user a login reactivated is active again
    // (the run may have deactivated them since), unless the directory
    // refused (no seat left), and then the outcome says so.
    let reactivated: HashSet<String> = tallies
        .iter()
        .flat_map(|t| t.reactivated.iter().cloned())
        .collect();
    assert!(!reactivated.is_empty(), "returning users were reactivated");
    let mut refused = HashSet::new();
    for name in &reactivated {
        let outcome = service.on_login(name, Millis(NOW + 1_000_000)).unwrap();
        let user = directory.user_by_username(name).unwrap().unwrap();
        if !user.active {
            assert!(
                outcome
                    .failed
                    .iter()
                    .any(|(op, _)| matches!(op, Operation::Activate { .. })),
                "`{name}` logged in, is inactive, and nothing says why: {outcome:?}"
            );
            refused.insert(name.clone());
        }
    }
    eprintln!(
        "serve_load: run {run}: {c:?}; {writes} login writes; {} users reactivated, {} refused a seat at the last login",
        reactivated.len(),
        refused.len()
    );
    let _ = done_tx.send(());
}
