//! Crash test: a live run over a few thousand users is killed with SIGKILL
//! at random points; after a restart the run resumes, the directory ends
//! exactly as after an uninterrupted run, and no action or audit entry is
//! duplicated. Strict: every trial must converge, whatever the kill hit.
//!
//! The kill points cover every phase of a run, drawn at random within
//! each: a third of the trials kill while the run is being planned (run
//! record created, plan not yet journaled: the restart plans it again and
//! completes it under the same run id), a third once a random share of the
//! actions landed (mid-application, chosen by progress so it holds on any
//! machine), and a third at a random instant from launch to the end.
//!
//! Deterministic: the server's clock is a file pinned at one instant (the
//! demo organisation, the plan and every deactivation stamp depend on it).
//! Kill delays are drawn within the phase durations measured on an
//! uninterrupted reference run, so they scale with the machine;
//! `SEATWARDEN_CRASH_SLOW_MS` (default 0) passes `--slow-apply-ms` to
//! stretch each directory write if a machine is too fast. Trials:
//! `SEATWARDEN_CRASH_TRIALS` (default 21; the longer optional run sets more,
//! e.g. 200); users: `SEATWARDEN_CRASH_USERS` (default 2,000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/server.rs"]
mod server;

#[path = "serve_support/flow.rs"]
mod flow;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use flow::{all_audit, users, wait_for};
use seatwarden_audit::RunId;
use seatwarden_service::store::Store as _;
use seatwarden_store_sqlite::SqliteStore;
use serde_json::json;
use server::{Server, Session};

const NOW: i64 = 1_795_226_400_000;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn start(data: &Path, clock: &Path, users: usize) -> Server {
    let users = users.to_string();
    let slow = env_or("SEATWARDEN_CRASH_SLOW_MS", 0).to_string();
    Server::start(
        data,
        &[
            "--demo",
            "--users",
            &users,
            "--clock-file",
            clock.to_str().unwrap(),
            "--slow-apply-ms",
            &slow,
            "--slice-size",
            "25",
            "--node-id",
            "node-crash",
            "--tick-seconds",
            "0.5",
            "--ui-dir",
            "/nonexistent",
        ],
    )
}

/// Creates the live policy and starts it; returns the run id.
fn launch(server: &Server, session: &Session) -> i64 {
    let policy = json!({
        "name": "Idle 45 days",
        "mode": "live",
        "trigger": {"kind": "scheduler"},
        "condition": {"kind": "inactive", "days": 45},
        "action": {"kind": "deactivate"}
    });
    let r = server.create_policy(session, policy);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["policy"]["id"].as_str().unwrap().to_owned();
    let r = server.call(session, "POST", &format!("/api/policies/{id}/run"), None);
    assert_eq!(r.status, 202, "{}", r.text());
    r.json()["runId"].as_i64().unwrap()
}

/// Checks the finished run `run`: one outcome per planned action, one
/// audit entry per user, and returns how many users it deactivated.
fn check_no_duplicates(server: &Server, session: &Session, run: i64, trial: usize) {
    let progress = server
        .call(session, "GET", &format!("/api/runs/{run}/progress"), None)
        .json();
    assert_eq!(
        progress["done"], progress["total"],
        "trial {trial}: {progress}"
    );
    let actions = server
        .call(
            session,
            "GET",
            &format!("/api/runs/{run}/actions?limit=1000"),
            None,
        )
        .json();
    let total = actions["total"].as_u64().unwrap_or(0);
    assert_eq!(Some(total), progress["total"].as_u64(), "trial {trial}");
    let entries = all_audit(server, session, &format!("run={run}"));
    let mut seen = HashSet::new();
    for e in &entries {
        let key = format!("{}|{}", e["target"]["user"], e["action"]);
        assert!(seen.insert(key), "trial {trial}: duplicate audit entry {e}");
    }
    assert_eq!(
        entries.len() as u64,
        total,
        "trial {trial}: one audit entry per action"
    );
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Waits until `run`'s plan is journaled (its progress has a total);
/// returns the total.
fn wait_until_planned(server: &Server, session: &Session, run: i64) -> u64 {
    let started = Instant::now();
    loop {
        let p = server
            .call(session, "GET", &format!("/api/runs/{run}/progress"), None)
            .json();
        let total = p["total"].as_u64().unwrap_or(0);
        if total > 0 || p["phase"] == "done" {
            return total;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "run {run} was never planned: {p}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Whether the store in `data` holds a journaled plan for `run` (read
/// while no server runs).
fn journaled(data: &Path, run: i64) -> bool {
    let store = SqliteStore::open(data.join("store.db")).unwrap();
    store.journal(RunId(run)).unwrap().is_some()
}

#[test]
fn killed_live_runs_resume_to_the_same_directory_without_duplicates() {
    let trials = env_or("SEATWARDEN_CRASH_TRIALS", 21);
    let n_users = env_or("SEATWARDEN_CRASH_USERS", 2_000);
    let root = tempfile::tempdir().unwrap();
    let clock = root.path().join("clock");
    std::fs::write(&clock, NOW.to_string()).unwrap();

    // The reference: one uninterrupted run, timed per phase.
    let reference_data = root.path().join("reference");
    let (expected, planning, duration, original) = {
        let server = start(&reference_data, &clock, n_users);
        let session = server.sign_in();
        let original = users(&reference_data);
        let started = Instant::now();
        let run = launch(&server, &session);
        wait_until_planned(&server, &session, run);
        let planning = started.elapsed();
        wait_for(&server, &session, run);
        let duration = started.elapsed();
        check_no_duplicates(&server, &session, run, 0);
        (users(&reference_data), planning, duration, original)
    };
    eprintln!(
        "reference run: planned in {} ms, done in {} ms",
        planning.as_millis(),
        duration.as_millis()
    );
    let changed = expected
        .iter()
        .zip(&original)
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        changed > 100,
        "the run must change many users, changed {changed}"
    );

    let mut rng = Rng(0x5EED_CAFE);
    let mut mid_run = 0;
    let mut before_plan = 0;
    let started_trials = Instant::now();
    for trial in 1..=trials {
        let data = root.path().join(format!("trial-{trial}"));
        let mut server = start(&data, &clock, n_users);
        let session = server.sign_in();
        let run = launch(&server, &session);
        let wait = match trial % 3 {
            // While planning: the run record exists, the plan may not.
            0 => rng.below(planning.as_millis() as u64 + 1),
            // Mid-application: once a random share of the actions landed
            // (by progress, not time, so it holds on any machine).
            1 => {
                let total = wait_until_planned(&server, &session, run);
                let target = 1 + rng.below(total * 9 / 10);
                let started = Instant::now();
                loop {
                    let p = server
                        .call(&session, "GET", &format!("/api/runs/{run}/progress"), None)
                        .json();
                    if p["done"].as_u64().unwrap_or(0) >= target || p["phase"] == "done" {
                        break;
                    }
                    assert!(started.elapsed() < Duration::from_secs(120), "{p}");
                }
                0
            }
            // Anywhere from launch to the end.
            _ => rng.below(duration.as_millis() as u64 + 1),
        };
        std::thread::sleep(Duration::from_millis(wait));
        server.kill();
        let partial = users(&data)
            .iter()
            .zip(&original)
            .filter(|(a, b)| a != b)
            .count();
        if !journaled(&data, run) {
            assert_eq!(
                partial, 0,
                "trial {trial}: changes without a journaled plan"
            );
            before_plan += 1;
        } else if partial > 0 && partial < changed {
            mid_run += 1;
        }
        drop(server);

        // Restart: the first tick resumes the interrupted run, whatever
        // phase it was in.
        let server = start(&data, &clock, n_users);
        let session = server.sign_in();
        wait_for(&server, &session, run);
        let detail = server
            .call(&session, "GET", &format!("/api/runs/{run}"), None)
            .json();
        assert_eq!(
            detail["run"]["status"], "succeeded",
            "trial {trial} (killed after {wait} ms): {detail}"
        );
        let now = users(&data);
        let differing: Vec<&str> = now
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.key.as_str())
            .collect();
        if !differing.is_empty() || now.len() != expected.len() {
            panic!(
                "trial {trial} (killed after {wait} of {} ms, {partial} users changed then): \
                 {} users differ from the uninterrupted run (first {:?}); run: {detail}",
                duration.as_millis(),
                differing.len(),
                differing.first()
            );
        }
        check_no_duplicates(&server, &session, run, trial);
        // The resumed run is the policy's only run: nothing ran twice.
        let runs = server.call(&session, "GET", "/api/runs", None).json();
        let listed = runs["runs"].as_array().map_or(0, Vec::len);
        assert_eq!(listed, 1, "trial {trial}: {runs}");
        std::fs::remove_dir_all(&data).ok();
    }
    eprintln!(
        "{trials} trials in {} s: {mid_run} killed mid-application, {before_plan} before the plan was journaled",
        started_trials.elapsed().as_secs()
    );
    // The kill points really spread over the run's phases (every trial
    // above was checked strictly whatever it hit).
    assert!(
        mid_run * 4 >= trials,
        "only {mid_run} of {trials} kills landed mid-application"
    );
    assert!(
        before_plan >= 1,
        "no kill landed before the plan was journaled"
    );
}
