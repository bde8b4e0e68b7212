//! Benchmarks of the Store over the record backend (`RecordStore` over
//! `MemoryBackend`): what the plugin's Store costs in Rust, before any JNI
//! upcall or database round trip. For reference, no budget: inside a
//! product every backend call is an upcall to Java and a query on the
//! product database, which dominate.
//!
//! - `records.append_batch`: one append of 1 000 entries (`entries_per_s`);
//! - `records.query_first_page`: the first 50 rows of the UI's typical filter
//!   (two action types, success, last 30 days);
//! - `records.query_selective`: the first page of a needle-in-a-haystack
//!   filter (one rare action, a target text search, a date range), which
//!   reads most of the log.
//!
//! Entries are synthetic (`conformance::sample_entries`), appended in time
//! order over 90 days; `users` is the number of entries (the smallest
//! `--users` size, at most 100 000).

use std::time::Instant;

use seatwarden_audit::{Action, AuditFilter, AuditQuery, Status};
use seatwarden_core::Millis;
use seatwarden_service::store::Store;
use seatwarden_service::store::conformance::sample_entries;
use seatwarden_store_records::{MemoryBackend, RecordStore};
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

const BATCH: usize = 1_000;
const NOW: Millis = Millis(1_800_000_000_000);

pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let entries = h
        .sizes
        .iter()
        .copied()
        .min()
        .unwrap_or(100_000)
        .clamp(BATCH, 100_000);
    let store = RecordStore::new(MemoryBackend::new());
    let span = 90 * seatwarden_core::time::DAY_MS;
    let step = span / i64::try_from(entries).unwrap_or(1).max(1);
    let mut samples = Vec::new();
    let mut total = 0;
    let mut seed = h.seed;
    while total < entries {
        let n = BATCH.min(entries - total);
        seed = seed.wrapping_add(1);
        let mut batch = sample_entries(n, NOW, 90, &[], seed);
        for (i, e) in batch.iter_mut().enumerate() {
            let k = i64::try_from(total + i).unwrap_or(0);
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
        "records.append_batch",
        entries,
        timing,
        json!({"batch": BATCH, "entries_per_s": per_s.round()}),
    );

    let typical = AuditFilter {
        actions: vec![Action::UserDeactivated, Action::RemovedFromGroup],
        statuses: vec![Status::Success],
        from: Some(NOW.minus_days(30)),
        until: Some(NOW),
        ..AuditFilter::default()
    };
    let selective = AuditFilter {
        actions: vec![Action::RunReverted],
        target: Some("bob".into()),
        from: Some(NOW.minus_days(60)),
        ..AuditFilter::default()
    };
    for (name, filter) in [
        ("records.query_first_page", typical),
        ("records.query_selective", selective),
    ] {
        let mut rows = 0;
        let timing = h.time(|| {
            rows = store
                .query_audit(&AuditQuery::first(filter.clone(), 50))
                .map(|p| p.items.len())
                .unwrap_or(0);
        });
        h.report(name, entries, timing, json!({"rows": rows}));
    }
    Ok(())
}
