//! Benchmarks of admin API routes as a screen calls them: the dashboard
//! (`GET /api/dashboard`) and the bulk-action preview (`POST
//! /api/bulk/plan`, the Users tab's "deactivate everyone matching this
//! filter") at full size.
//!
//! Why through the API router and not the engine: the engine's part (the
//! dashboard figures, the bitmap plan) is measured elsewhere; what an admin
//! waits for is that plus the route's own work (audit and run queries,
//! rendering, hashing, serialising), and what a server pays is what it
//! keeps. So each sample is one in-process `Service::handle` call (no
//! socket: HTTP framing adds little next to the routes' work), and the
//! preview row reports the answer's size and how much the process grew
//! while keeping the previews (RSS, from `/proc/self/statm`; 0 where that
//! file does not exist).

use std::sync::Arc;

use seatwarden_core::Millis;
use seatwarden_demo::DemoOptions;
use seatwarden_service::api::{ApiRequest, Method, RequestContext};
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

/// Previews timed per size: each is expensive at a million users, and each
/// may be kept by the service until the cap drops it.
const PREVIEWS: usize = 5;

/// The resident set size of this process, in bytes.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn admin() -> RequestContext {
    RequestContext {
        actor: Some("K-bench-admin".into()),
        sysadmin: true,
        xsrf_verified: true,
        websudo_verified: true,
        ..RequestContext::default()
    }
}

/// Runs the API route benchmarks at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    for &users in &h.sizes.clone() {
        let options = DemoOptions {
            users,
            seed: h.seed,
            ..DemoOptions::default()
        };
        let snapshot = seatwarden_demo::generate(&options);
        let now = Millis(snapshot.header.taken_at.0 + 1);
        let host = Arc::new(MemoryDirectory::new(snapshot));
        let service = Service::new(
            host,
            Arc::new(MemoryStore::new()),
            ServiceOptions::default(),
        )
        .map_err(|e| CliError::Usage(format!("service: {e}")))?;
        service
            .ensure_index()
            .map_err(|e| CliError::Usage(format!("service: {e}")))?;
        let dashboard = ApiRequest {
            method: Method::Get,
            path: "/api/dashboard".to_owned(),
            query: Vec::new(),
            body: Vec::new().into(),
            context: admin(),
        };
        let mut status = 0u16;
        let timing = h.time(|| status = service.handle(&dashboard, now).status);
        h.report(
            "service.dashboard_route",
            users,
            timing,
            json!({
                "status": status,
                "budget_ms": 15,
                "note": "GET /api/dashboard, in-process API call",
            }),
        );
        let request = ApiRequest {
            method: Method::Post,
            path: "/api/bulk/plan".to_owned(),
            query: Vec::new(),
            body: serde_json::to_vec(
                &json!({"action": "deactivate", "filter": {"status": "active"}}),
            )
            .unwrap_or_default()
            .into(),
            context: admin(),
        };
        let rss_before = rss_bytes();
        let mut answer_bytes = 0usize;
        let timing = h.time_n(PREVIEWS, || {
            let response = service.handle(&request, now);
            answer_bytes = response.body.len();
            status = response.status;
        });
        let rss_after = rss_bytes();
        h.report(
            "service.bulk_preview",
            users,
            timing,
            json!({
                "status": status,
                "answer_bytes": answer_bytes,
                "rss_growth_mb": (rss_after.saturating_sub(rss_before)) as f64 / 1e6,
                "previews_kept": PREVIEWS,
                "budget_ms": 1000,
                "budget_answer_bytes": 1_000_000,
                "note": "deactivate every active user, in-process API call; RSS growth over the previews",
            }),
        );
    }
    Ok(())
}
