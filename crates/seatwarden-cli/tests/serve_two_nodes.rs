//! Two-node test: two `seatwarden serve` processes share one data folder
//! and tick together; every due policy runs exactly once per due time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/server.rs"]
mod server;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::{Server, Session};

const DAY: i64 = 86_400_000;
/// 2026-11-21T00:00:00Z.
const MIDNIGHT: i64 = 1_795_219_200_000;

fn start(data: &Path, clock: &Path, node: &str) -> Server {
    Server::start(
        data,
        &[
            "--demo",
            "--users",
            "300",
            "--clock-file",
            clock.to_str().unwrap(),
            "--node-id",
            node,
            // Two servers on one folder on purpose: this tests the leases.
            "--shared-data-folder",
            "--tick-seconds",
            "0.2",
            "--ui-dir",
            "/nonexistent",
        ],
    )
}

fn runs(server: &Server, session: &Session) -> Vec<Value> {
    let r = server.call(session, "GET", "/api/runs?limit=1000", None);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["runs"].as_array().cloned().unwrap_or_default()
}

#[test]
fn two_nodes_run_each_due_policy_once_per_due_time() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let clock = root.path().join("clock");
    // Before any policy is due.
    std::fs::write(&clock, (MIDNIGHT - DAY + 60_000).to_string()).unwrap();
    let a = start(&data, &clock, "node-a");
    let b = start(&data, &clock, "node-b");
    let (sa, sb) = (a.sign_in(), b.sign_in());

    for (n, days) in [(1, 30), (2, 60), (3, 90)] {
        let policy = json!({
            "name": format!("Idle {days}"),
            "mode": "safe",
            "trigger": {"kind": "scheduler"},
            "condition": {"kind": "inactive", "days": days},
            "action": {"kind": "deactivate"}
        });
        let server = if n % 2 == 0 { &a } else { &b };
        let session = if n % 2 == 0 { &sa } else { &sb };
        let r = server.create_policy(session, policy);
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let before = runs(&a, &sa).len();
    assert_eq!(before, 0, "nothing is due yet");

    // Three scheduler days; both nodes tick many times at each instant. Each
    // day waits for its state (one finished run per policy per due time, the
    // same on both nodes), never for a fixed time; a policy that ran twice for
    // one due time fails at once, whenever it shows.
    let mut due_times = Vec::new();
    for day in 0..3 {
        let at = MIDNIGHT + day * DAY + 12 * 3_600_000;
        due_times.push(at);
        std::fs::write(&clock, at.to_string()).unwrap();
        wait_for_one_run_per_due_time(&a, &sa, &b, &sb, &due_times);
    }
}

/// Polls both nodes until each of the three policies has exactly one
/// finished run started at each of `due_times` and both nodes list the same
/// runs. Panics at once on a second run for a (policy, due time), or with the
/// last listing when the state is not reached by the deadline (generous: the
/// machine may be loaded; the test does not measure speed).
fn wait_for_one_run_per_due_time(
    a: &Server,
    sa: &Session,
    b: &Server,
    sb: &Session,
    due_times: &[i64],
) {
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let listed = runs(a, sa);
        let mut per_due: HashMap<(String, i64), usize> = HashMap::new();
        for r in &listed {
            let policy = r["policy"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| r.to_string());
            let started = r["startedAt"].as_i64().unwrap_or(-1);
            let count = per_due.entry((policy.clone(), started)).or_default();
            *count += 1;
            assert_eq!(
                *count, 1,
                "policy {policy} ran twice for the due time {started}: {listed:?}"
            );
        }
        let policies: HashSet<&String> = per_due.keys().map(|(p, _)| p).collect();
        let complete = policies.len() == 3
            && policies.iter().all(|p| {
                due_times
                    .iter()
                    .all(|at| per_due.contains_key(&((*p).clone(), *at)))
            })
            && per_due.len() == 3 * due_times.len()
            && listed.iter().all(|r| {
                !matches!(
                    r["status"].as_str(),
                    Some("in_progress" | "awaiting_approval")
                )
            });
        if complete && runs(b, sb) == listed {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "due times {due_times:?} not each run once per policy: {listed:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
