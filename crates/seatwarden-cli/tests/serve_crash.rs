//! Crash test: a live run over a few thousand users is killed with SIGKILL
//! at random points; after a restart the run resumes, the directory ends
//! exactly as after an uninterrupted run, and no action or audit entry is
//! duplicated.
//!
//! Deterministic: the server's clock is a file pinned at one instant (the
//! demo organisation, the plan and every deactivation stamp depend on it),
//! and `--slow-apply-ms` stretches the run so kills land mid-run. Trials:
//! `SEATWARDEN_CRASH_TRIALS` (default 20); users: `SEATWARDEN_CRASH_USERS`
//! (default 2,000).
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
    Server::start(
        data,
        &[
            "--demo",
            "--users",
            &users,
            "--clock-file",
            clock.to_str().unwrap(),
            "--slow-apply-ms",
            "1",
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
    let r = server.call(session, "POST", "/api/policies", Some(policy));
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

#[test]
fn killed_live_runs_resume_to_the_same_directory_without_duplicates() {
    let trials = env_or("SEATWARDEN_CRASH_TRIALS", 20);
    let n_users = env_or("SEATWARDEN_CRASH_USERS", 2_000);
    let root = tempfile::tempdir().unwrap();
    let clock = root.path().join("clock");
    std::fs::write(&clock, NOW.to_string()).unwrap();

    // The reference: one uninterrupted run.
    let reference_data = root.path().join("reference");
    let (expected, duration, original) = {
        let server = start(&reference_data, &clock, n_users);
        let session = server.sign_in();
        let original = users(&reference_data);
        let started = Instant::now();
        let run = launch(&server, &session);
        wait_for(&server, &session, run);
        let duration = started.elapsed();
        check_no_duplicates(&server, &session, run, 0);
        (users(&reference_data), duration, original)
    };
    eprintln!("reference run: {} ms", duration.as_millis());
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
    for trial in 1..=trials {
        let data = root.path().join(format!("trial-{trial}"));
        let mut server = start(&data, &clock, n_users);
        let session = server.sign_in();
        let run = launch(&server, &session);
        if trial % 2 == 0 {
            // Half the trials kill only once the plan is journaled, so
            // most kills land mid-application.
            let planned = Instant::now();
            loop {
                let p = server
                    .call(&session, "GET", &format!("/api/runs/{run}/progress"), None)
                    .json();
                if p["total"].as_u64().unwrap_or(0) > 0
                    || planned.elapsed() > Duration::from_secs(60)
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let wait = rng.below(duration.as_millis() as u64 + 1);
        std::thread::sleep(Duration::from_millis(wait));
        server.kill();
        let partial = users(&data)
            .iter()
            .zip(&original)
            .filter(|(a, b)| a != b)
            .count();
        if partial > 0 && partial < changed {
            mid_run += 1;
        }
        drop(server);

        // Restart: the first tick resumes the interrupted run.
        let server = start(&data, &clock, n_users);
        let session = server.sign_in();
        wait_for(&server, &session, run);
        let detail = server
            .call(&session, "GET", &format!("/api/runs/{run}"), None)
            .json();
        if detail["plannedActions"] == 0 && detail["run"]["status"] == "interrupted" {
            // Killed before the plan was journaled: nothing may have
            // changed, and nothing is audited; the next scheduled run
            // plans afresh.
            assert_eq!(
                partial, 0,
                "trial {trial}: changes without a journaled plan"
            );
            assert!(users(&data) == original, "trial {trial}: directory changed");
            assert!(all_audit(&server, &session, &format!("run={run}")).is_empty());
            before_plan += 1;
            std::fs::remove_dir_all(&data).ok();
            continue;
        }
        let now = users(&data);
        let differing: Vec<&str> = now
            .iter()
            .zip(&expected)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.key.as_str())
            .collect();
        if !differing.is_empty() || now.len() != expected.len() {
            let run_json = server
                .call(&session, "GET", &format!("/api/runs/{run}"), None)
                .text();
            panic!(
                "trial {trial} (killed after {wait} of {} ms, {partial} users changed then): \
                 {} users differ from the uninterrupted run (first {:?}); run: {run_json}",
                duration.as_millis(),
                differing.len(),
                differing.first()
            );
        }
        check_no_duplicates(&server, &session, run, trial);
        let runs = server.call(&session, "GET", "/api/runs", None).json();
        let live_runs = runs["runs"]
            .as_array()
            .map(|r| r.iter().filter(|r| r["kind"] != "preview").count())
            .unwrap_or(1);
        assert!(live_runs >= 1, "trial {trial}: {runs}");
        std::fs::remove_dir_all(&data).ok();
    }
    eprintln!(
        "{trials} trials: {mid_run} killed mid-application, {before_plan} before the plan was journaled"
    );
    assert!(
        mid_run * 3 >= trials,
        "only {mid_run} of {trials} kills landed mid-run"
    );
}
