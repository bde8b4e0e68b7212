//! Benchmarks of the service layer: the login hook as a host calls it.
//!
//! `service.on_login` is what the login listener calls on every login: a
//! username lookup in the index, the cached compiled login policies, the
//! per-user stripe lock, and (for live policies that act) host writes and
//! audit entries. Measured twice over the in-memory host and store: with
//! the benchmark's login policies in safe mode (engine + service overhead,
//! no writes — the figure DESIGN.md §9's login budget is about, JNI
//! excluded) and in live mode (writes to the in-memory host and store
//! included). The index records logins in batches when it is next read
//! (see `Service::note_login`); `service.login_flush_*` measures that
//! deferred part for the logins the run queued.

use std::sync::Arc;

use seatwarden_core::Millis;
use seatwarden_demo::DemoOptions;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::service::Settings;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use serde_json::json;

use crate::bench::Harness;
use crate::bench::policy::bench_config;
use crate::cmd::support::CliError;

fn service_error(e: seatwarden_service::ServiceError) -> CliError {
    CliError::Usage(format!("service: {e}"))
}

/// Runs the service benchmarks at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    for &users in &h.sizes.clone() {
        let options = DemoOptions {
            users,
            seed: h.seed,
            ..DemoOptions::default()
        };
        let snapshot = seatwarden_demo::generate(&options);
        let now = snapshot.header.taken_at;
        let usernames: Vec<String> = snapshot
            .pages
            .iter()
            .flat_map(|p| p.users.iter().map(|u| u.username.clone()))
            .collect();
        for live in [false, true] {
            let host = Arc::new(MemoryDirectory::new(snapshot.clone()));
            let store = Arc::new(MemoryStore::new());
            let service =
                Service::new(host, store, ServiceOptions::default()).map_err(service_error)?;
            let mut config = bench_config()?;
            for p in &mut config.policies {
                if p.action.is_login() && live {
                    p.mode = seatwarden_core::policy::Mode::Live;
                }
            }
            let settings = Settings {
                config,
                ..Settings::default()
            };
            service.save_settings(settings).map_err(service_error)?;
            service.ensure_index().map_err(service_error)?;
            let n = usernames.len().max(1);
            let mut next = 0usize;
            let mut failures = 0usize;
            let timing = h.time(|| {
                next = (next + 7919) % n;
                let name = usernames.get(next).map_or("", String::as_str);
                if service.on_login(name, Millis(now.0 + 1)).is_err() {
                    failures += 1;
                }
            });
            // The hook queues each login for the index; the next reader
            // (a query, a plan) records the queue in one pass. Measured
            // apart so the work moved off the login path stays visible.
            let queued = timing.iterations;
            let flush = h.time_n(1, || service.current_index(|_| ()));
            h.report(
                if live {
                    "service.login_flush_live"
                } else {
                    "service.login_flush_safe"
                },
                users,
                flush,
                json!({
                    "logins": queued,
                    "per_login_us": flush.median.as_secs_f64() * 1e6 / queued.max(1) as f64,
                    "note": "recording queued logins in the index, once per reader",
                }),
            );
            let name = if live {
                "service.on_login_live"
            } else {
                "service.on_login_safe"
            };
            h.report(
                name,
                users,
                timing,
                json!({
                    "p50_us": timing.median.as_secs_f64() * 1e6,
                    "p99_us": timing.p99.as_secs_f64() * 1e6,
                    "errors": failures,
                    "note": if live { "host writes and audit included (in-memory)" } else { "no writes: engine + service overhead" },
                }),
            );
        }
    }
    Ok(())
}
