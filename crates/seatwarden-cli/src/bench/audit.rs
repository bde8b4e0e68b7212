//! Benchmarks of the audit log on the embedded SQLite store.
//!
//! Budgets (issue 4, medians): append ≥ 100k entries/s in batches; a
//! filtered query over 1M entries ≤ 100 ms for the first page; CSV export
//! ≥ 100 MB/s. Measured, on a fresh store file in the temp directory
//! (default durability: `synchronous = FULL`, one fsync per batch):
//! - `audit.append_batch`: one transaction of 10 000 entries
//!   (`entries_per_s`);
//! - `audit.query_first_page`: the first 50 rows of the UI's typical filter
//!   (two action types, success, last 30 days) over the whole log;
//! - `audit.query_selective`: the first page of a needle-in-a-haystack filter
//!   (one rare action, a target text search, a date range);
//! - `audit.export_csv`: the whole log as CSV into a discarding writer
//!   (`mb_per_s`; also `cpu_mb_per_s`, the same bytes over the CPU time the
//!   exporting thread got, which a loaded machine does not distort).
//!
//! Entries are synthetic (`conformance::sample_entries`), appended in time
//! order as a real log is.
//!
//! `users` in these lines is the number of entries in the log (the largest
//! `--users` size).

use std::io::{self, Write};
use std::time::Instant;

use seatwarden_audit::{Action, AuditFilter, AuditQuery, Status};
use seatwarden_core::Millis;
use seatwarden_service::store::Store;
use seatwarden_service::store::conformance::sample_entries;
use seatwarden_store_sqlite::SqliteStore;
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

const BATCH: usize = 10_000;
const NOW: Millis = Millis(1_800_000_000_000);

/// Counts bytes and throws them away.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// CPU time this thread has run so far (Linux: `/proc/thread-self/schedstat`,
/// nanoseconds on a CPU), so a measurement on a shared, loaded machine can
/// be read without the time spent waiting for a core. `None` elsewhere.
pub(crate) fn thread_cpu() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}

/// Removes the bench database (and its WAL files) when dropped.
struct TempDb(std::path::PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let entries = h
        .sizes
        .iter()
        .copied()
        .max()
        .unwrap_or(1_000_000)
        .max(BATCH);
    let db = TempDb(
        std::env::temp_dir().join(format!("seatwarden-bench-audit-{}.db", std::process::id())),
    );
    drop(TempDb(db.0.clone()));
    let store = SqliteStore::open(&db.0).map_err(CliError::engine)?;

    // Fill the log batch by batch, timing each batch: that is the append figure.
    let mut samples = Vec::new();
    let mut seed = h.seed;
    let mut total = 0;
    while total < entries {
        let n = BATCH.min(entries - total);
        seed = seed.wrapping_add(1);
        // An audit log is appended in time order: spread the entries evenly
        // over the last 90 days, oldest first.
        let mut batch = sample_entries(n, NOW, 90, &[], seed);
        for (i, e) in batch.iter_mut().enumerate() {
            let k = i64::try_from(total + i).unwrap_or(0);
            let span = 90 * seatwarden_core::time::DAY_MS;
            let step = span / i64::try_from(entries).unwrap_or(1).max(1);
            e.at = Millis(NOW.0 - span + k * step);
        }
        let t = Instant::now();
        store.append_audit(&batch).map_err(CliError::engine)?;
        samples.push(t.elapsed());
        total += n;
    }
    let timing = super::summarise(samples);
    let per_s = BATCH as f64 / timing.median.as_secs_f64().max(1e-9);
    h.report(
        "audit.append_batch",
        entries,
        timing,
        json!({"batch": BATCH, "entries_per_s": per_s.round(), "budget_entries_per_s": 100_000}),
    );

    let typical = AuditFilter {
        actions: vec![Action::UserDeactivated, Action::RemovedFromGroup],
        statuses: vec![Status::Success],
        from: Some(NOW.minus_days(30)),
        until: Some(NOW),
        ..AuditFilter::default()
    };
    let mut rows = 0;
    let timing = h.time(|| {
        let page = store
            .query_audit(&AuditQuery::first(typical.clone(), 50))
            .map(|p| p.items.len());
        rows = page.unwrap_or(0);
    });
    h.report(
        "audit.query_first_page",
        entries,
        timing,
        json!({"rows": rows, "budget_ms": 100}),
    );

    let selective = AuditFilter {
        actions: vec![Action::RunReverted],
        target: Some("bob".into()),
        from: Some(NOW.minus_days(60)),
        ..AuditFilter::default()
    };
    let timing = h.time(|| {
        rows = store
            .query_audit(&AuditQuery::first(selective.clone(), 50))
            .map(|p| p.items.len())
            .unwrap_or(0);
    });
    h.report(
        "audit.query_selective",
        entries,
        timing,
        json!({"rows": rows, "budget_ms": 100}),
    );

    let mut bytes = 0;
    let mut exported = 0;
    let mut cpu = Vec::new();
    let timing = h.time_n(3, || {
        let mut out = Counter(0);
        let started = thread_cpu();
        exported = store
            .export_audit_csv(&AuditFilter::all(), &mut out)
            .unwrap_or(0);
        if let (Some(a), Some(b)) = (started, thread_cpu()) {
            cpu.push(b.saturating_sub(a));
        }
        bytes = out.0;
    });
    let mb_per_s = bytes as f64 / 1e6 / timing.median.as_secs_f64().max(1e-9);
    cpu.sort_unstable();
    let cpu_mb_per_s = cpu
        .get(cpu.len() / 2)
        .map(|d| bytes as f64 / 1e6 / d.as_secs_f64().max(1e-9))
        .map(|v| (v * 10.0).round() / 10.0);
    h.report(
        "audit.export_csv",
        entries,
        timing,
        json!({"rows": exported, "bytes": bytes, "mb_per_s": (mb_per_s * 10.0).round() / 10.0,
               "cpu_mb_per_s": cpu_mb_per_s, "budget_mb_per_s": 100}),
    );
    Ok(())
}
