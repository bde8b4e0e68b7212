//! Benchmark of `seatwarden serve`'s embedded SQLite directory: the first
//! Users page after a restart (issue 19, budget ≤ 1 s at 1M users).
//!
//! A restart opens the directory file, reads every user page by page into a
//! fresh index and answers the first page; that whole path is timed, over a
//! directory seeded once with the demo organisation in a temporary folder
//! (removed afterwards). The in-memory store stands in for the audit store,
//! which the first page does not read.
//!
//! `directory.first_page_while_indexing` is what `seatwarden serve` does
//! since issue 19: the same restart with the index built on a thread of its
//! own, timed until the default first page is answered from the directory
//! (`indexing: true`); `ready_ms` is when the index was ready, the build
//! competing with the page for the two cores as it does in `serve`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use seatwarden_core::Millis;
use seatwarden_core::query::Query;
use seatwarden_demo::DemoOptions;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::api::{ApiRequest, Method, RequestContext};
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use serde_json::{Value, json};

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
        let result = first_page(h, users, &folder)
            .and_then(|now| first_page_while_indexing(h, users, &folder, now));
        // The folder is this run's own (named by pid): always removed.
        let removed = std::fs::remove_dir_all(&folder);
        result?;
        removed.map_err(|e| CliError::io(&folder, e))?;
    }
    Ok(())
}

/// Seeds `folder` and times a restart answering the first page from the
/// index; answers the directory's "now".
fn first_page(h: &Harness, users: usize, folder: &std::path::Path) -> Result<Millis, CliError> {
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
    Ok(now)
}

/// A restart as `serve` makes it: the index built in the background, the
/// first page answered from the directory meanwhile.
fn first_page_while_indexing(
    h: &Harness,
    users: usize,
    folder: &std::path::Path,
    now: Millis,
) -> Result<(), CliError> {
    let mut failed = None;
    let mut rows = 0usize;
    let request = ApiRequest {
        method: Method::Get,
        path: "/api/users".to_owned(),
        query: Vec::new(),
        body: Vec::new().into(),
        context: RequestContext {
            actor: Some("K-bench-admin".into()),
            sysadmin: true,
            ..RequestContext::default()
        },
    };
    let (mut samples, mut ready) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let started = Instant::now();
        let directory = SqliteDirectory::open_in(folder).map_err(CliError::engine)?;
        directory.set_time(now);
        let service = Arc::new(
            Service::new(
                Arc::new(directory),
                Arc::new(MemoryStore::new()),
                ServiceOptions::default(),
            )
            .map_err(|e| CliError::Usage(format!("service: {e}")))?,
        );
        let build = service.build_index_in_background();
        let builder = std::thread::spawn(move || {
            let result = build.run();
            (result, started.elapsed())
        });
        let answer = service.handle(&request, now);
        samples.push(started.elapsed());
        let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        if answer.status != 200 || body.get("indexing") != Some(&Value::Bool(true)) {
            failed = Some(CliError::Usage(format!(
                "the first page was not answered while indexing: {} {body}",
                answer.status
            )));
        }
        rows = body
            .get("rows")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        // Awaited before the next sample: builds never overlap.
        let (built, took) = builder
            .join()
            .map_err(|_| CliError::Usage("the index build panicked".to_owned()))?;
        built.map_err(|e| CliError::Usage(format!("service: {e}")))?;
        ready.push(took);
    }
    let timing = Harness::timing_of(samples);
    ready.sort_unstable();
    let ready_ms = ready
        .get(ready.len() / 2)
        .map_or(0.0, Duration::as_secs_f64)
        * 1e3;
    if let Some(e) = failed {
        return Err(e);
    }
    h.report(
        "directory.first_page_while_indexing",
        users,
        timing,
        json!({
            "budget_ms": 1000.0,
            "rows": rows,
            "ready_ms": (ready_ms * 1e3).round() / 1e3,
            "note": "open the SQLite directory, start the index build on a thread, answer page 1 from the directory (indexing: true)",
        }),
    );
    Ok(())
}
