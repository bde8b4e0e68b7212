//! The memory of a users import preview in the service, as the standalone
//! server's `POST /api/import/validate` runs it.
//!
//! `import.preview_memory`: a file of `--users` new users (each joining two
//! existing groups) validated and previewed against a small directory
//! (1,000 users, so the figure is the import's, not the index's). Measured
//! as the peak resident memory above the resident size before the call,
//! with the file already in memory (the upload is held once, see
//! `docs/csv.md`); `null` off Linux. Budget (issue 18): ≤ 100 MB above the
//! index and the upload at 1M rows.

use std::fmt::Write as _;
use std::sync::Arc;

use seatwarden_core::UserKey;
use seatwarden_csv::ImportOptions;
use seatwarden_demo::DemoOptions;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use serde_json::json;

use crate::bench::Harness;
use crate::bench::csv::peak_extra;
use crate::cmd::support::CliError;

/// Runs the import preview benchmark at every size (rows of the file).
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let snapshot = seatwarden_demo::generate(&DemoOptions {
        users: 1000,
        seed: h.seed,
        ..DemoOptions::default()
    });
    let now = snapshot.header.taken_at;
    let groups: Vec<String> = snapshot
        .header
        .groups
        .iter()
        .take(2)
        .map(|g| g.name.to_string())
        .collect();
    let joined = groups.join(";");
    for &rows in &h.sizes.clone() {
        let host = Arc::new(MemoryDirectory::new(snapshot.clone()));
        let store = Arc::new(MemoryStore::new());
        let service = Service::new(host, store, ServiceOptions::default())
            .map_err(|e| CliError::Usage(format!("service: {e}")))?;
        service
            .ensure_index()
            .map_err(|e| CliError::Usage(format!("service: {e}")))?;
        let mut csv = String::with_capacity(rows * 80 + 64);
        csv.push_str("username,email,display name,groups,active\n");
        for i in 0..rows {
            let _ = writeln!(
                csv,
                "import.user{i},import.user{i}@example.test,Imported User {i},{joined},true"
            );
        }
        let csv = bytes::Bytes::from(csv.into_bytes());
        let mb = csv.len() as f64 / 1e6;
        let admin = UserKey::from("admin");
        let mut outcome = None;
        let start = std::time::Instant::now();
        let extra = peak_extra(|| {
            outcome =
                Some(service.plan_import(csv.clone(), &ImportOptions::default(), &admin, now));
        });
        let elapsed = start.elapsed();
        let preview = match outcome {
            Some(Ok(Ok(p))) => p,
            Some(Ok(Err(rejected))) => {
                return Err(CliError::Engine(format!("{rejected}\n{}", rejected.0)));
            }
            Some(Err(e)) => return Err(CliError::Usage(format!("service: {e}"))),
            None => return Err(CliError::Engine("no import ran".into())),
        };
        let answer = serde_json::to_vec(&preview).map(|v| v.len()).unwrap_or(0);
        let timing = crate::bench::Timing {
            median: elapsed,
            p99: elapsed,
            iterations: 1,
        };
        h.report(
            "import.preview_memory",
            rows,
            timing,
            json!({"rows": rows, "file_mb": mb, "actions": preview.action_count,
                   "answer_mb": answer as f64 / 1e6,
                   "preview_memory_mb": extra.map(|b| b as f64 / 1e6), "budget_mb": 100.0}),
        );
    }
    Ok(())
}
