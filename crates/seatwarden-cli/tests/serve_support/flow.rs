//! Steps the serve tests share: read the embedded directory, wait for a
//! run, page through the audit log.

#![allow(dead_code, reason = "each test file uses a different part")]

use std::time::{Duration, Instant};

use seatwarden_core::snapshot::SnapshotUser;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::host::read_snapshot;
use serde_json::Value;

use super::server::{Server, Session};

/// Users as the embedded directory in `data` holds them, groups sorted.
pub(crate) fn users(data: &std::path::Path) -> Vec<SnapshotUser> {
    let directory = SqliteDirectory::open_in(data).unwrap();
    let snap = read_snapshot(&directory, 1_000).unwrap();
    snap.pages
        .into_iter()
        .flat_map(|p| p.users)
        .map(|mut u| {
            u.groups.sort();
            u
        })
        .collect()
}

/// Polls a run's progress until it is done; checks `done` never goes
/// backwards; returns the last progress.
pub(crate) fn wait_for(server: &Server, session: &Session, run: i64) -> Value {
    let started = Instant::now();
    let mut last_done = 0;
    loop {
        let r = server.call(session, "GET", &format!("/api/runs/{run}/progress"), None);
        assert_eq!(r.status, 200, "{}", r.text());
        let p = r.json();
        let done = p["done"].as_u64().unwrap();
        assert!(done >= last_done, "progress went backwards: {p}");
        last_done = done;
        if p["phase"] == "done" {
            return p;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "run {run} did not finish: {p}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every audit entry matching `query` (e.g. `run=3`), following cursors.
pub(crate) fn all_audit(server: &Server, session: &Session, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = server.call(
            session,
            "GET",
            &format!("/api/audit?{query}&limit=1000&cursor={cursor}"),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let page = r.json();
        out.extend(page["entries"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => return out,
        }
    }
}
