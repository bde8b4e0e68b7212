//! Benchmark of `seatwarden serve`'s embedded SQLite directory: the first
//! Users page after a restart (issue 19, budget ≤ 1 s at 1M users).
//!
//! A restart opens the directory file, reads every user page by page into a
//! fresh index and answers the first page; that whole path is timed, over a
//! directory seeded once with the demo organisation in a temporary folder
//! (removed afterwards). The in-memory store stands in for the audit store,
//! which the first page does not read.

use std::sync::Arc;

use seatwarden_core::query::Query;
use seatwarden_demo::DemoOptions;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

/// Runs the directory benchmark at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    for &users in &h.sizes.clone() {
        let folder = std::env::temp_dir().join(format!(
            "seatwarden-bench-directory-{}-{users}",
            std::process::id()
        ));
        std::fs::create_dir_all(&folder).map_err(|e| CliError::io(&folder, e))?;
        let result = first_page(h, users, &folder);
        // The folder is this run's own (named by pid): always removed.
        let removed = std::fs::remove_dir_all(&folder);
        result?;
        removed.map_err(|e| CliError::io(&folder, e))?;
    }
    Ok(())
}

fn first_page(h: &Harness, users: usize, folder: &std::path::Path) -> Result<(), CliError> {
    let snapshot = seatwarden_demo::generate(&DemoOptions {
        users,
        seed: h.seed,
        ..DemoOptions::default()
    });
    let now = snapshot.header.taken_at;
    {
        let directory = SqliteDirectory::open_in(folder).map_err(CliError::engine)?;
        directory.seed(&snapshot).map_err(CliError::engine)?;
    }
    drop(snapshot);
    let mut total = 0u64;
    let mut failed = None;
    let timing = h.time_n(3, || {
        let answer = SqliteDirectory::open_in(folder)
            .map_err(CliError::engine)
            .and_then(|directory| {
                directory.set_time(now);
                Service::new(
                    Arc::new(directory),
                    Arc::new(MemoryStore::new()),
                    ServiceOptions::default(),
                )
                .map_err(|e| CliError::Usage(format!("service: {e}")))
            })
            .and_then(|service| {
                service
                    .with_index(|index| index.query(&Query::default(), now))
                    .map_err(|e| CliError::Usage(format!("service: {e}")))
            });
        match answer {
            Ok(Ok(page)) => total = page.total,
            Ok(Err(e)) => failed = Some(CliError::engine(e)),
            Err(e) => failed = Some(e),
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    h.report(
        "directory.first_page_after_restart",
        users,
        timing,
        json!({
            "budget_ms": 1000.0,
            "matches": total,
            "note": "open the SQLite directory, read every user into a fresh index, answer page 1",
        }),
    );
    Ok(())
}
