//! Benchmarks of CSV import and export over a demo organisation.
//!
//! Budgets (DESIGN.md §9, one core, medians): import (parse + validate)
//! ≥ 100 MB/s, export ≥ 200 MB/s, at 1M rows; import memory ≤ 64 MB beyond
//! the index. Measured:
//! - `csv.export`: every user, every column, into memory;
//! - `csv.import_existing`: that export validated against the same index
//!   (every row found, every membership checked: all unchanged);
//! - `csv.import_new`: the import columns only, validated against a
//!   directory with the groups but no users (every row a new user);
//! - `csv.import_memory`: peak resident memory while validating the export
//!   streamed from a temporary file, above the resident size before (Linux
//!   `/proc`; `null` elsewhere).

use std::io::BufReader;

use seatwarden_core::index::DirectoryIndex;
use seatwarden_csv::index::export_context;
use seatwarden_csv::{
    ExportOptions, ImportOptions, InMemoryDirectory, UserColumn, UsersWriter, validate_users,
};
use seatwarden_demo::DemoOptions;
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

fn export_all(
    index: &DirectoryIndex,
    columns: &[UserColumn],
    out: &mut Vec<u8>,
) -> Result<u64, CliError> {
    out.clear();
    let options = ExportOptions {
        columns: columns.to_vec(),
        bom: false,
    };
    let context = export_context(index);
    let mut w = UsersWriter::new(&mut *out, &options, &context).map_err(CliError::engine)?;
    for u in index.users() {
        w.write(&u).map_err(CliError::engine)?;
    }
    let n = w.rows();
    w.finish().map_err(CliError::engine)?;
    Ok(n)
}

fn status_kb(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident memory (bytes) `f` adds above the resident size before it.
pub(crate) fn peak_extra(f: impl FnOnce()) -> Option<u64> {
    // Writing 5 resets the peak ("high water mark") to the current size.
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let before = status_kb("VmRSS:")?;
    f();
    let peak = status_kb("VmHWM:")?;
    Some(peak.saturating_sub(before) * 1024)
}

/// Runs the CSV benchmarks at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    for &users in &h.sizes.clone() {
        let demo = seatwarden_demo::generate(&DemoOptions {
            users,
            seed: h.seed,
            ..DemoOptions::default()
        });
        let json = serde_json::to_vec(&demo)?;
        let groups = demo.header.groups.clone();
        let directories = demo.header.directories.clone();
        drop(demo);
        let index = DirectoryIndex::from_snapshot_json(&json).map_err(CliError::engine)?;
        drop(json);
        let iterations = if users > 200_000 { 3 } else { 7 };

        let mut buf = Vec::with_capacity(users * 200);
        let mut rows = 0;
        let mut err = None;
        let timing = h.time_n(iterations, || {
            match export_all(&index, &UserColumn::ALL, &mut buf) {
                Ok(n) => rows = n,
                Err(e) => err = Some(e),
            }
        });
        if let Some(e) = err {
            return Err(e);
        }
        let mb = buf.len() as f64 / 1e6;
        h.report(
            "csv.export",
            users,
            timing,
            json!({"rows": rows, "mb": mb, "mb_per_s": mb / timing.median.as_secs_f64(), "budget_mb_per_s": 200.0}),
        );

        let options = ImportOptions::default();
        let mut outcome = None;
        let timing = h.time_n(iterations, || {
            outcome = Some(validate_users(buf.as_slice(), &index, &options));
        });
        let summary = outcome
            .ok_or_else(|| CliError::Engine("no import ran".into()))?
            .map_err(|e| CliError::Engine(format!("{e}\n{}", e.0)))?;
        h.report(
            "csv.import_existing",
            users,
            timing,
            json!({"rows": summary.rows, "unchanged": summary.unchanged, "mb": mb,
                   "mb_per_s": mb / timing.median.as_secs_f64(), "budget_mb_per_s": 100.0}),
        );

        // Memory: the same import streamed from a file, the bytes not held.
        let path =
            std::env::temp_dir().join(format!("seatwarden-bench-{}.csv", std::process::id()));
        std::fs::write(&path, &buf).map_err(|e| CliError::io(&path, e))?;
        buf = Vec::new();
        let file = std::fs::File::open(&path).map_err(|e| CliError::io(&path, e))?;
        let mut streamed = None;
        let extra = peak_extra(|| {
            streamed = Some(validate_users(
                BufReader::with_capacity(1 << 20, file),
                &index,
                &options,
            ));
        });
        let _ = std::fs::remove_file(&path);
        let streamed_rows = match streamed {
            Some(Ok(s)) => s.rows,
            _ => 0,
        };
        h.report(
            "csv.import_memory",
            users,
            timing,
            json!({"rows": streamed_rows, "import_memory_mb": extra.map(|b| b as f64 / 1e6),
                   "index_memory_mb": index.memory_bytes() as f64 / 1e6, "budget_mb": 64.0}),
        );

        // Every row a new user: the import columns only, no directory column.
        let new_columns = [
            UserColumn::Username,
            UserColumn::Email,
            UserColumn::DisplayName,
            UserColumn::Groups,
            UserColumn::Active,
        ];
        export_all(&index, &new_columns, &mut buf)?;
        let mb = buf.len() as f64 / 1e6;
        let empty = InMemoryDirectory::new(Vec::new(), groups, directories, Vec::new());
        let mut outcome = None;
        let timing = h.time_n(iterations, || {
            outcome = Some(validate_users(buf.as_slice(), &empty, &options));
        });
        let summary = outcome
            .ok_or_else(|| CliError::Engine("no import ran".into()))?
            .map_err(|e| CliError::Engine(format!("{e}\n{}", e.0)))?;
        h.report(
            "csv.import_new",
            users,
            timing,
            json!({"rows": summary.rows, "create": summary.create, "mb": mb,
                   "mb_per_s": mb / timing.median.as_secs_f64(), "budget_mb_per_s": 100.0}),
        );
    }
    Ok(())
}
