//! The SQLite store against the Store contract, across threads and across
//! processes, including a process killed with SIGKILL mid-append.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use seatwarden_audit::{
    Action, Actor, AuditEntry, AuditFilter, AuditQuery, PolicyId, Status, Target,
};
use seatwarden_core::Millis;
use seatwarden_service::store::{ConfigVersion, LeaseOwner, Store, StoreError, conformance};
use seatwarden_store_sqlite::{Options, SqliteStore};

const CHILD_ENV: &str = "SEATWARDEN_STORE_TEST_CHILD";
const PATH_ENV: &str = "SEATWARDEN_STORE_TEST_PATH";

fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seatwarden.db");
    (dir, path)
}

fn entry(i: u64, tag: &str) -> AuditEntry {
    AuditEntry::new(
        Millis(1_800_000_000_000 + i64::try_from(i).unwrap()),
        Actor::system(),
        Action::UserDeactivated,
        Status::Success,
    )
    .with_target(Target::user(format!("JIRAUSER{i}").into(), None))
    .with_description(format!("{tag}-{i}"))
}

#[test]
fn sqlite_store_meets_the_contract() {
    let dirs = std::sync::Mutex::new(Vec::new());
    conformance::run_all(&|| {
        let (dir, path) = temp_db();
        let store = SqliteStore::open(&path).unwrap();
        dirs.lock().unwrap().push(dir);
        Box::new(store)
    })
    .unwrap();
}

#[test]
fn streamed_export_writes_the_same_bytes_as_the_scan_path() {
    let (_dir, path) = temp_db();
    let s = SqliteStore::open(&path).unwrap();
    let now = Millis(1_800_000_000_000);
    let mut entries = conformance::sample_entries(2_000, now, 10, &[], 11);
    // Entries without a target, with an IPv6 address and with quotes,
    // line breaks and formula characters everywhere.
    for (i, e) in entries.iter_mut().enumerate().take(50) {
        e.client_ip = Some(std::net::IpAddr::from([
            0x2001, 0xdb8, 0, 0, 0, 0, 0, i as u16,
        ]));
        e.description = format!("=\"quoted\", line\nbreak {i}");
        e.reason = Some("\r-carriage".into());
    }
    s.append_audit(&entries).unwrap();
    for filter in [
        AuditFilter::all(),
        AuditFilter {
            actions: vec![Action::UserDeactivated, Action::MailSent],
            ..AuditFilter::default()
        },
        AuditFilter {
            target: Some("bob".into()),
            from: Some(now.minus_days(5)),
            ..AuditFilter::default()
        },
    ] {
        let mut streamed = Vec::new();
        let rows = s.export_audit_csv(&filter, &mut streamed).unwrap();
        let mut csv = seatwarden_audit::AuditCsv::new(Vec::new()).unwrap();
        let scanned = s
            .scan_audit(&filter, &mut |e| csv.write(e).map_err(StoreError::from))
            .unwrap();
        assert_eq!(rows, scanned);
        assert!(rows > 0, "{filter:?} selected nothing");
        let reference = csv.finish().unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(reference).unwrap(),
            "{filter:?}"
        );
    }
}

/// The export of `s` under `filter`, and what the scan path writes.
fn both_exports(s: &SqliteStore, filter: &AuditFilter) -> (String, String) {
    let mut streamed = Vec::new();
    let rows = s.export_audit_csv(filter, &mut streamed).unwrap();
    let mut csv = seatwarden_audit::AuditCsv::new(Vec::new()).unwrap();
    let scanned = s
        .scan_audit(filter, &mut |e| csv.write(e).map_err(StoreError::from))
        .unwrap();
    assert_eq!(rows, scanned);
    (
        String::from_utf8(streamed).unwrap(),
        String::from_utf8(csv.finish().unwrap()).unwrap(),
    )
}

/// A log appended in time order is exported by walking the table; an entry
/// older than the newest switches the export back to the time index, and
/// "clear all" makes the log in order again.
#[test]
fn export_follows_time_whether_or_not_ids_do() {
    let (_dir, path) = temp_db();
    let s = SqliteStore::open(&path).unwrap();
    let now = Millis(1_800_000_000_000);
    let mut entries = conformance::sample_entries(1_500, now, 10, &[], 5);
    entries.sort_by_key(|e| e.at);
    let (older, newer) = entries.split_at(700);
    s.append_audit(older).unwrap();
    s.append_audit(newer).unwrap();
    let order: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT out_of_order FROM audit_order", [], |r| r.get(0))
        .unwrap();
    assert_eq!(order, 0, "an in-order log was marked out of order");
    let (streamed, scanned) = both_exports(&s, &AuditFilter::all());
    assert_eq!(streamed, scanned);
    // One late entry, older than everything.
    let mut late = entry(1, "late");
    late.at = now.minus_days(30);
    s.append_audit(&[late]).unwrap();
    let order: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT out_of_order FROM audit_order", [], |r| r.get(0))
        .unwrap();
    assert_eq!(order, 1, "a late entry did not mark the log out of order");
    for filter in [
        AuditFilter::all(),
        AuditFilter {
            statuses: vec![Status::Success],
            ..AuditFilter::default()
        },
    ] {
        let (streamed, scanned) = both_exports(&s, &filter);
        assert_eq!(streamed, scanned, "{filter:?}");
    }
    let confirm = seatwarden_audit::ClearConfirmation::parse("CLEAR ALL AUDIT LOGS").unwrap();
    s.clear_audit(confirm, Actor::system(), now).unwrap();
    let order: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT out_of_order FROM audit_order", [], |r| r.get(0))
        .unwrap();
    assert_eq!(order, 0, "clear all did not reset the order flag");
}

/// A file written before the activity trend (schema 5: licence history
/// only) opens with its licence records intact and no activity record: its
/// days read as not recorded, never as zero users.
#[test]
fn a_store_from_before_the_activity_trend_reads_as_not_recorded() {
    use seatwarden_core::activity_trend::{ActivityDay, ActivityFigures};
    use seatwarden_core::forecast::{LicenceDay, SeatFigures};
    let (_dir, path) = temp_db();
    let day = 20_400;
    let licence = LicenceDay {
        date: Millis(day * 86_400_000).date_string(),
        day,
        application: "jira-software".into(),
        figures: SeatFigures {
            seats_used: 9,
            limit: Some(10),
            active: 8,
            idle30: 1,
            idle60: 0,
            idle90: 0,
            never_logged_in: 0,
        },
    };
    {
        let s = SqliteStore::open(&path).unwrap();
        s.put_licence_days(std::slice::from_ref(&licence), 0)
            .unwrap();
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TABLE activity_history; UPDATE schema_version SET version = 5;")
        .unwrap();
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.licence_history(day, day).unwrap(), vec![licence]);
    assert_eq!(s.activity_history(day - 400, day).unwrap(), vec![]);
    let figures = ActivityFigures {
        active_accounts: 10,
        active_1d: 2,
        active_7d: 5,
        active_30d: 8,
    };
    s.put_activity_days(&[ActivityDay::new(day, figures)], 0)
        .unwrap();
    assert_eq!(
        s.activity_history(day, day).unwrap(),
        vec![ActivityDay::new(day, figures)]
    );
}

/// Migration 2 looks at the rows a version-1 file already holds.
#[test]
fn migration_marks_an_existing_out_of_order_log() {
    let (_dir, path) = temp_db();
    {
        let s = SqliteStore::open(&path).unwrap();
        s.append_audit(&[entry(5, "a"), entry(6, "b"), entry(7, "c")])
            .unwrap();
    }
    {
        // Back to version 1 (without the later migrations' tables), with
        // the middle entry moved back in time.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE audit_order; DROP TABLE licence_history; DROP TABLE activity_history; DROP TABLE exemptions; DROP TABLE review_items; DROP TABLE markers; \
             UPDATE schema_version SET version = 1; \
             UPDATE audit SET at = 0 WHERE description = 'b-6';",
        )
        .unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(
        s.schema_version().unwrap(),
        seatwarden_store_sqlite::schema::latest()
    );
    let (streamed, scanned) = both_exports(&s, &AuditFilter::all());
    assert_eq!(streamed, scanned);
    let last = streamed.lines().last().unwrap();
    assert!(last.contains("b-6"), "the oldest entry is not last: {last}");
}

#[test]
fn reopen_keeps_everything_and_schema_is_versioned() {
    let (_dir, path) = temp_db();
    {
        let s = SqliteStore::open(&path).unwrap();
        s.save_config(ConfigVersion::NONE, r#"{"k":1}"#).unwrap();
        s.append_audit(&[entry(1, "a"), entry(2, "a")]).unwrap();
        assert_eq!(
            s.schema_version().unwrap(),
            seatwarden_store_sqlite::schema::latest()
        );
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.load_config().unwrap().unwrap().version, ConfigVersion(1));
    assert_eq!(s.count_audit(&AuditFilter::all()).unwrap(), 2);
    s.integrity_check().unwrap();
    let wal: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(wal, "wal");
}

#[test]
fn a_file_from_a_newer_build_is_refused() {
    let (_dir, path) = temp_db();
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE schema_version SET version = 999", [])
        .unwrap();
    drop(conn);
    match SqliteStore::open(&path) {
        Err(StoreError::SchemaTooNew { found: 999, .. }) => {}
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("newer schema accepted"),
    }
}

#[test]
fn stale_config_save_from_another_handle_is_refused() {
    let (_dir, path) = temp_db();
    let a = SqliteStore::open(&path).unwrap();
    let b = SqliteStore::open(&path).unwrap();
    let v1 = a.save_config(ConfigVersion::NONE, r#"{"v":1}"#).unwrap();
    let read_by_b = b.load_config().unwrap().unwrap();
    assert_eq!(read_by_b.version, v1);
    a.save_config(v1, r#"{"v":"a"}"#).unwrap();
    let err = b
        .save_config(read_by_b.version, r#"{"v":"b"}"#)
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(b.load_config().unwrap().unwrap().json, r#"{"v":"a"}"#);
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (_dir, path) = temp_db();
    let shared: Arc<dyn Store> = Arc::new(SqliteStore::open(&path).unwrap());
    let threads = 6_u64;
    let batches = 30_u64;
    let per_batch = 20_u64;
    let mut handles = Vec::new();
    for t in 0..threads {
        // Half share one handle; half open their own connection to the file.
        let store: Arc<dyn Store> = if t % 2 == 0 {
            Arc::clone(&shared)
        } else {
            Arc::new(SqliteStore::open(&path).unwrap())
        };
        handles.push(std::thread::spawn(move || {
            let mut ids = Vec::new();
            for b in 0..batches {
                let batch: Vec<AuditEntry> = (0..per_batch)
                    .map(|i| entry(b * per_batch + i, &format!("t{t}")))
                    .collect();
                ids.extend(store.append_audit(&batch).unwrap());
            }
            ids
        }));
    }
    let mut all = HashSet::new();
    for h in handles {
        for id in h.join().unwrap() {
            assert!(all.insert(id), "id {id} handed out twice");
        }
    }
    let total = threads * batches * per_batch;
    assert_eq!(all.len() as u64, total);
    assert_eq!(shared.count_audit(&AuditFilter::all()).unwrap(), total);
    let mut seen = HashSet::new();
    shared
        .scan_audit(&AuditFilter::all(), &mut |e| {
            seen.insert(e.entry.description.clone());
            Ok(())
        })
        .unwrap();
    for t in 0..threads {
        for i in 0..batches * per_batch {
            assert!(seen.contains(&format!("t{t}-{i}")), "lost t{t}-{i}");
        }
    }
}

/// Spawns this test binary running only `child_process_entry`, in `mode`.
fn spawn_child(mode: &str, path: &Path, extra: &[(&str, String)]) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "child_process_entry",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, mode)
    .env(PATH_ENV, path)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Not a test on its own: the body of the child processes the tests below
/// spawn. Without the environment variable it does nothing.
#[test]
fn child_process_entry() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(std::env::var(PATH_ENV).unwrap());
    let store = SqliteStore::open_with(&path, Options::default()).unwrap();
    let mut out = std::io::stdout().lock();
    match mode.as_str() {
        "append" => {
            let start = store.count_audit(&AuditFilter::all()).unwrap();
            let mut committed = start;
            loop {
                let batch: Vec<AuditEntry> =
                    (0..100).map(|i| entry(committed + i, "child")).collect();
                store.append_audit(&batch).unwrap();
                committed += 100;
                // Printed only after the commit returned.
                writeln!(out, "COMMITTED {committed}").unwrap();
                out.flush().unwrap();
            }
        }
        "lease" => {
            let start: i64 = std::env::var("START_AT").unwrap().parse().unwrap();
            while now_ms() < start {
                std::thread::sleep(Duration::from_millis(1));
            }
            let me = LeaseOwner(format!("pid-{}", std::process::id()));
            for p in 0..25 {
                let policy = PolicyId::from(format!("policy-{p}"));
                let outcome = store
                    .acquire_lease(
                        &policy,
                        &me,
                        Millis(1_800_000_000_000),
                        Duration::from_secs(600),
                    )
                    .unwrap();
                writeln!(
                    out,
                    "LEASE {p} {}",
                    if outcome.is_acquired() { "won" } else { "lost" }
                )
                .unwrap();
            }
            out.flush().unwrap();
        }
        other => panic!("unknown child mode {other}"),
    }
}

/// The text after `marker` on a line (the test harness may print its own
/// "test … " prefix on the child's first line).
fn after_marker<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|i| &line[i + marker.len()..])
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

#[test]
fn sigkill_while_appending_loses_no_committed_entry() {
    let (_dir, path) = temp_db();
    drop(SqliteStore::open(&path).unwrap());
    for round in 0..3 {
        let mut child = spawn_child("append", &path, &[]);
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut last = 0_u64;
        let mut seen_this_round = 0;
        // Let it commit a few batches, then kill it mid-loop.
        while let Some(Ok(line)) = lines.next() {
            if let Some(n) = after_marker(&line, "COMMITTED ") {
                last = n.parse().unwrap();
                seen_this_round += 1;
                if seen_this_round == 5 + round * 7 {
                    child.kill().unwrap(); // SIGKILL on Unix
                    break;
                }
            }
        }
        child.wait().unwrap();
        // Lines already in the pipe were committed too.
        for line in lines.map_while(Result::ok) {
            if let Some(n) = after_marker(&line, "COMMITTED ") {
                last = n.parse().unwrap();
            }
        }
        assert!(last > 0, "child never committed");
        let store = SqliteStore::open(&path).unwrap();
        store.integrity_check().unwrap();
        let count = store.count_audit(&AuditFilter::all()).unwrap();
        assert!(
            count >= last,
            "round {round}: {count} entries stored, {last} reported committed"
        );
        assert_eq!(count % 100, 0, "a batch was torn: {count}");
        // Ids are dense: nothing in the middle went missing.
        let newest = store
            .query_audit(&AuditQuery::first(AuditFilter::all(), 1))
            .unwrap();
        let max_id = newest.items.iter().map(|e| e.id.0).max().unwrap_or(0);
        assert_eq!(u64::try_from(max_id).unwrap(), count);
    }
}

#[test]
fn two_processes_competing_for_a_lease_exactly_one_wins() {
    let (_dir, path) = temp_db();
    drop(SqliteStore::open(&path).unwrap());
    let start = now_ms() + 700;
    let children: Vec<_> = (0..3)
        .map(|_| spawn_child("lease", &path, &[("START_AT", start.to_string())]))
        .collect();
    let mut wins = [0_u32; 25];
    let mut answers = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let Some(rest) = after_marker(line, "LEASE ") else {
                continue;
            };
            let mut parts = rest.split_whitespace();
            let p: usize = parts.next().unwrap().parse().unwrap();
            answers += 1;
            if parts.next() == Some("won") {
                wins[p] += 1;
            }
        }
    }
    assert_eq!(answers, 3 * 25, "children did not all answer");
    for (p, w) in wins.iter().enumerate() {
        assert_eq!(*w, 1, "policy {p} had {w} winners");
    }
}
