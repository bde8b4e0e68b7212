//! Benchmarks of admin API routes as a screen calls them: the dashboard
//! (`GET /api/dashboard`), the users export (`GET /api/users/export`,
//! streamed and built whole) and the bulk-action preview (`POST
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
use std::time::{Duration, Instant};

use seatwarden_core::Millis;
use seatwarden_demo::DemoOptions;
use seatwarden_service::api::{ApiRequest, ApiResponse, BodySink, Method, RequestContext};
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

/// A `GET` of `path` as the bench's admin.
fn get(path: &str) -> ApiRequest {
    ApiRequest {
        method: Method::Get,
        path: path.to_owned(),
        query: Vec::new(),
        body: Vec::new().into(),
        context: admin(),
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
        let dashboard = get("/api/dashboard");
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
        export_rows(h, &service, users, now);
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

/// Peak resident set size of this process so far (`VmHWM`), in bytes.
fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// A sink that only counts, noting when the first chunk arrived.
struct Counting {
    started: Instant,
    first: Option<Duration>,
    bytes: u64,
}

impl BodySink for Counting {
    fn head(&mut self, _: &ApiResponse) -> std::io::Result<()> {
        Ok(())
    }
    fn chunk(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.first.get_or_insert_with(|| self.started.elapsed());
        self.bytes += bytes.len() as u64;
        std::hint::black_box(bytes);
        Ok(())
    }
}

/// The users export (`GET /api/users/export`, every user, every column):
/// streamed as `serve` sends it (time to the first chunk,
/// throughput, growth of the peak RSS), then built whole as before
/// streaming (its first byte is its last). Streamed first, so the peak the
/// whole file adds is not yet in the high-water mark.
fn export_rows(h: &Harness, service: &Service, users: usize, now: Millis) {
    let export = get("/api/users/export");
    let runs = 5;
    let peak_before = peak_rss_bytes();
    let mut firsts = Vec::with_capacity(runs);
    let mut bytes = 0u64;
    let timing = h.time_n(runs, || {
        let mut sink = Counting {
            started: Instant::now(),
            first: None,
            bytes: 0,
        };
        let outcome = service.handle_streamed(&export, now, &mut sink);
        firsts.push(sink.first.unwrap_or_default());
        bytes = sink.bytes;
        outcome
    });
    let peak_streamed = peak_rss_bytes();
    firsts.sort_unstable();
    let first_ms = firsts
        .get(firsts.len() / 2)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3);
    let mb_per_s = |t: &crate::bench::Timing, bytes: u64| {
        bytes as f64 / 1e6 / t.median.as_secs_f64().max(1e-9)
    };
    h.report(
        "service.users_export_streamed",
        users,
        timing,
        json!({
            "first_byte_ms": (first_ms * 1e3).round() / 1e3,
            "bytes": bytes,
            "mb_per_s": mb_per_s(&timing, bytes).round(),
            "peak_rss_growth_mb": (peak_streamed.saturating_sub(peak_before)) as f64 / 1e6,
            "budget_first_byte_ms": 50,
            "budget_mb_per_s": 200,
            "note": "GET /api/users/export through Service::handle_streamed, a sink that counts (no socket)",
        }),
    );
    let mut whole_bytes = 0usize;
    let timing = h.time_n(runs, || {
        let response = service.handle(&export, now);
        whole_bytes = response.body.len();
    });
    let peak_whole = peak_rss_bytes();
    h.report(
        "service.users_export_whole",
        users,
        timing,
        json!({
            "first_byte_ms": millis_of(timing.median),
            "bytes": whole_bytes,
            "mb_per_s": mb_per_s(&timing, whole_bytes as u64).round(),
            "peak_rss_growth_mb": (peak_whole.saturating_sub(peak_streamed)) as f64 / 1e6,
            "note": "the same export built whole (Service::handle), as before streaming: the first byte is the last",
        }),
    );
}

fn millis_of(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}
