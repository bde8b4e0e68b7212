//! The service end to end over the in-memory host and store: scheduled
//! runs, safe mode, approval, resume, revert, two nodes, concurrency, and
//! the API's refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use serde_json::{Value, json};

use common::*;
use seatwarden_audit::{AuditFilter, RunFilter, RunId, RunKind, RunQuery, RunStatus};
use seatwarden_core::Millis;
use seatwarden_service::api::{Method, RequestContext};
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{Service, ServiceOptions};

fn run(store: &dyn Store, id: i64) -> seatwarden_audit::OperationRun {
    store.get_run(RunId(id)).unwrap().unwrap()
}

#[test]
fn scheduled_run_safe_then_live_then_reverted_restores_the_directory() {
    let f = fixture(8, 5, 0);
    let original = state(&f.host);
    let (id, version) = create_policy(&f.service, deactivation_policy("Idle 90", false), DAY0);

    // Safe mode: a preview run with reasons, nothing changed.
    let report = f.service.tick(Millis(TICK)).unwrap();
    assert_eq!(report.runs.len(), 1, "{report:?}");
    let preview = run(f.store.as_ref(), report.runs[0].0);
    assert_eq!(preview.status, RunStatus::Previewed);
    assert_eq!(
        state(&f.host),
        original,
        "a safe-mode run changed the directory"
    );
    let (status, actions) = call(
        &f.service,
        Method::Get,
        &format!("/api/runs/{}/actions", preview.id),
        None,
        TICK,
    );
    assert_eq!(status, 200);
    let listed = actions["actions"].as_array().unwrap();
    assert_eq!(listed.len(), 8, "{actions}");
    for a in listed {
        assert!(
            a["action"]["reason"]
                .as_str()
                .unwrap()
                .contains("last login"),
            "{a}"
        );
        assert!(a["outcome"].is_null());
        assert!(a["action"]["user"].as_str().unwrap().starts_with("K-idle"));
    }
    // The same tick again does not run the policy twice.
    assert!(
        f.service
            .tick(Millis(TICK + 60_000))
            .unwrap()
            .runs
            .is_empty()
    );

    // Live: switch mode, run now, drive to the end.
    let mut live = deactivation_policy("Idle 90", true);
    live["configVersion"] = json!(version);
    let (status, body) = call(
        &f.service,
        Method::Put,
        &format!("/api/policies/{id}"),
        Some(live),
        TICK,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        TICK,
    );
    assert_eq!(status, 202, "{body}");
    let run_id = body["runId"].as_i64().unwrap();
    drain(&f.service, TICK);
    let applied = run(f.store.as_ref(), run_id);
    assert_eq!(applied.status, RunStatus::Succeeded, "{applied:?}");
    assert_eq!(applied.counts.succeeded, 8);
    let (status, progress) = call(
        &f.service,
        Method::Get,
        &format!("/api/runs/{run_id}/progress"),
        None,
        TICK,
    );
    assert_eq!(status, 200);
    assert_eq!(
        (progress["done"].as_u64(), progress["total"].as_u64()),
        (Some(8), Some(8))
    );
    let after = state(&f.host);
    for (key, active, _, _) in &after {
        assert_eq!(*active, !key.starts_with("K-idle"), "{key}");
    }
    // Audited with reasons; undo recorded.
    let filter = AuditFilter {
        run: Some(RunId(run_id)),
        ..AuditFilter::default()
    };
    assert_eq!(f.store.count_audit(&filter).unwrap(), 8);
    let mut reasons = 0;
    f.store
        .scan_audit(&filter, &mut |e| {
            assert!(
                e.entry.reason.as_deref().unwrap_or("").contains("days"),
                "{e:?}"
            );
            reasons += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(reasons, 8);
    assert_eq!(f.store.before_states(RunId(run_id)).unwrap().len(), 8);
    // The service's index followed the writes in place.
    let (_, users) = call(&f.service, Method::Get, "/api/users/K-idle0001", None, TICK);
    assert_eq!(users["user"]["active"], json!(false), "{users}");

    // Revert: preview, then apply by hash; the directory is as before.
    let (status, plan) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run_id}/revert/plan"),
        None,
        TICK,
    );
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["steps"].as_array().unwrap().len(), 8);
    let (status, refused) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run_id}/revert"),
        Some(json!({"planHash": "0000"})),
        TICK,
    );
    assert_eq!(status, 409, "{refused}");
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run_id}/revert"),
        Some(json!({"planHash": plan["planHash"]})),
        TICK,
    );
    assert_eq!(status, 202, "{body}");
    drain(&f.service, TICK);
    assert_eq!(
        state(&f.host),
        original,
        "the revert did not restore the directory"
    );
    assert_eq!(run(f.store.as_ref(), run_id).status, RunStatus::Reverted);
}

#[test]
fn a_guard_trip_waits_for_approval_of_that_exact_plan() {
    let f = fixture(12, 3, 0);
    let (_, version) = create_policy(&f.service, deactivation_policy("Idle", true), DAY0);
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version, "settings": {
            "guard": {"enabled": true, "maxAccounts": 5, "maxPercent": 100, "minLicensed": 100000}
        }})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    let original = state(&f.host);
    let report = f.service.tick(Millis(TICK)).unwrap();
    let id = report.runs[0];
    let waiting = run(f.store.as_ref(), id.0);
    assert_eq!(waiting.status, RunStatus::AwaitingApproval);
    assert_eq!(
        state(&f.host),
        original,
        "a guarded run wrote before approval"
    );

    let (status, refused) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{id}/approve"),
        Some(json!({"planHash": "not-the-hash"})),
        TICK,
    );
    assert_eq!(
        (status, refused["error"]["kind"].as_str()),
        (409, Some("conflict"))
    );
    assert_eq!(
        run(f.store.as_ref(), id.0).status,
        RunStatus::AwaitingApproval
    );

    let hash = waiting.plan_hash.unwrap().0;
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{id}/approve"),
        Some(json!({"planHash": hash})),
        TICK,
    );
    assert_eq!(status, 202, "{body}");
    drain(&f.service, TICK);
    let done = run(f.store.as_ref(), id.0);
    assert_eq!(done.status, RunStatus::Succeeded);
    assert_eq!(done.counts.succeeded, 12);
    // Approving again is refused: the run is no longer waiting.
    let (status, _) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{id}/approve"),
        Some(json!({"planHash": hash})),
        TICK,
    );
    assert_eq!(status, 409);
}

#[test]
fn an_interrupted_run_resumes_without_repeating_anything() {
    let host = Arc::new(MemoryDirectory::new(snapshot(30, 5, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = Service::new(host.clone(), store.clone(), options("node-a", 7)).unwrap();
    let (id, _) = create_policy(&first, deactivation_policy("Idle", true), DAY0);
    let (status, body) = call(
        &first,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        TICK,
    );
    assert_eq!(status, 202);
    let run_id = RunId(body["runId"].as_i64().unwrap());
    // Plan, then two slices of 7: 14 of 30 landed when the process "dies".
    assert!(first.drive(Millis(TICK)).unwrap());
    assert!(first.drive(Millis(TICK)).unwrap());
    assert!(first.drive(Millis(TICK)).unwrap());
    let journal = store.journal(run_id).unwrap().unwrap();
    assert_eq!(journal.outcomes.len(), 14);
    drop(first);

    // A new process (same node identity) ticks: the run resumes.
    let second = Service::new(host.clone(), store.clone(), options("node-a", 7)).unwrap();
    let report = second.tick(Millis(TICK + 60_000)).unwrap();
    assert_eq!(report.resumed, vec![run_id], "{report:?}");
    let done = run(store.as_ref(), run_id.0);
    assert_eq!(done.status, RunStatus::Succeeded);
    assert_eq!(done.counts.succeeded, 30);
    let journal = store.journal(run_id).unwrap().unwrap();
    assert_eq!(journal.outcomes.len(), 30);
    let filter = AuditFilter {
        run: Some(run_id),
        ..AuditFilter::default()
    };
    let mut seen = HashSet::new();
    store
        .scan_audit(&filter, &mut |e| {
            assert!(
                seen.insert(e.entry.target.user.clone()),
                "duplicate audit entry {e:?}"
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(seen.len(), 30);
    assert!(
        state(&host)
            .iter()
            .all(|(k, active, _, _)| *active != k.starts_with("K-idle"))
    );
}

#[test]
fn an_interrupted_run_on_another_node_waits_for_its_lease() {
    let host = Arc::new(MemoryDirectory::new(snapshot(10, 2, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let a = Service::new(host.clone(), store.clone(), options("node-a", 3)).unwrap();
    let b = Service::new(host.clone(), store.clone(), options("node-b", 3)).unwrap();
    let (id, _) = create_policy(&a, deactivation_policy("Idle", true), DAY0);
    let (_, body) = call(
        &a,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        TICK,
    );
    let run_id = RunId(body["runId"].as_i64().unwrap());
    assert!(a.drive(Millis(TICK)).unwrap());
    assert!(a.drive(Millis(TICK)).unwrap());
    drop(a);
    // Within the lease, node b leaves it alone…
    assert!(b.tick(Millis(TICK + 60_000)).unwrap().resumed.is_empty());
    // …after it lapses, b resumes it.
    let later = TICK + 11 * 60_000;
    assert_eq!(b.tick(Millis(later)).unwrap().resumed, vec![run_id]);
    assert_eq!(run(store.as_ref(), run_id.0).counts.succeeded, 10);
}

#[test]
fn two_nodes_ticking_at_the_same_instant_run_each_due_policy_once() {
    let host = Arc::new(MemoryDirectory::new(snapshot(20, 5, 3)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let a = Arc::new(Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap());
    let b = Arc::new(Service::new(host.clone(), store.clone(), options("node-b", 5)).unwrap());
    create_policy(&a, deactivation_policy("Idle", true), DAY0);
    create_policy(&a, deactivation_policy("Idle preview", false), DAY0);
    create_policy(
        &a,
        json!({"name": "Delete old", "mode": "live", "action": {"kind": "delete"},
               "condition": {"kind": "deactivated", "days": 100}}),
        DAY0,
    );
    for round in 0..3 {
        let now = TICK + round * DAY;
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = [a.clone(), b.clone()]
            .into_iter()
            .map(|s| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    s.tick(Millis(now)).unwrap()
                })
            })
            .collect();
        let reports: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let started: usize = reports.iter().map(|r| r.runs.len()).sum();
        assert_eq!(started, 3, "round {round}: {reports:?}");
    }
    let runs = store
        .query_runs(&RunQuery {
            filter: RunFilter {
                kinds: vec![RunKind::ScheduledCleanup],
                ..RunFilter::default()
            },
            after: None,
            limit: 100,
        })
        .unwrap()
        .items;
    assert_eq!(runs.len(), 9, "three policies, three days, once each");
    let mut per_day = HashSet::new();
    for r in &runs {
        assert!(
            per_day.insert((r.policy.clone(), r.started_at)),
            "policy ran twice: {r:?}"
        );
    }
}

#[test]
fn logins_during_a_live_run_and_concurrent_queries_stay_consistent() {
    let host = Arc::new(MemoryDirectory::new(snapshot(300, 200, 100)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service =
        Arc::new(Service::new(host.clone(), store.clone(), options("node-a", 20)).unwrap());
    create_policy(&service, deactivation_policy("Idle", true), DAY0);
    create_policy(
        &service,
        json!({"name": "Come back", "mode": "live",
               "action": {"kind": "reactivate", "removeGroups": ["staff"]}}),
        DAY0,
    );
    let (_, listed) = call(&service, Method::Get, "/api/policies", None, TICK);
    let version = listed["configVersion"].clone();
    let (status, body) = call(
        &service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version, "settings": {"guard": {"enabled": false}}})),
        TICK,
    );
    assert_eq!(status, 200, "{body}");
    let id = listed["policies"][0]["policy"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call(
        &service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        TICK,
    );
    assert_eq!(status, 202);

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut threads = Vec::new();
    {
        let service = service.clone();
        let stop = stop.clone();
        threads.push(std::thread::spawn(move || {
            while service.drive(Millis(TICK)).unwrap() {}
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }));
    }
    for t in 0..16 {
        let service = service.clone();
        threads.push(std::thread::spawn(move || {
            for i in 0..400 {
                let n = (t * 37 + i * 11) % 600;
                let name = if n < 300 {
                    format!("idle{n:04}")
                } else if n < 500 {
                    format!("fresh{:04}", n - 300)
                } else {
                    format!("gone{:04}", n - 500)
                };
                service.on_login(&name, Millis(TICK + 1)).unwrap();
            }
        }));
    }
    for _ in 0..2 {
        let service = service.clone();
        let stop = stop.clone();
        threads.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) || n < 5 {
                let (s1, _) = call(&service, Method::Get, "/api/users", None, TICK);
                let (s2, _) = call(&service, Method::Get, "/api/dashboard", None, TICK);
                assert_eq!((s1, s2), (200, 200));
                n += 1;
            }
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    // Every gone user logged in and came back without `staff`.
    for (key, active, _, groups) in state(&host) {
        if key.starts_with("K-gone") {
            assert!(active, "{key} was not reactivated");
            assert!(!groups.contains(&"staff".to_owned()), "{key}");
        }
    }
    // The service's in-place index agrees with the host on every account.
    let host_state: Vec<(String, bool, Vec<String>)> = state(&host)
        .into_iter()
        .map(|(k, a, _, g)| (k, a, g))
        .collect();
    let index_state = service
        .current_index(|index| {
            let mut v: Vec<(String, bool, Vec<String>)> = index
                .users()
                .map(|u| {
                    let mut g: Vec<String> = u.groups().map(|g| g.to_string()).collect();
                    g.sort();
                    (u.key().to_owned(), u.active(), g)
                })
                .collect();
            v.sort();
            v
        })
        .expect("index present");
    assert_eq!(index_state, host_state);
    let runs = store.query_runs(&RunQuery::default()).unwrap().items;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Succeeded, "{runs:?}");
    assert!(runs[0].counts.succeeded > 0);
}

fn context(actor: bool, sysadmin: bool, xsrf: bool) -> RequestContext {
    RequestContext {
        actor: actor.then(|| "K-someone".to_owned()),
        sysadmin,
        xsrf_verified: xsrf,
        websudo_verified: true,
        ..RequestContext::default()
    }
}

#[test]
fn unauthenticated_non_admin_and_xsrf_less_requests_are_refused() {
    let f = fixture(3, 3, 0);
    let before = f.store.load_config().unwrap();
    let sample = [
        (Method::Get, "/api/dashboard", None),
        (Method::Get, "/api/users", None),
        (
            Method::Post,
            "/api/policies",
            Some(deactivation_policy("x", true)),
        ),
        (
            Method::Put,
            "/api/settings",
            Some(json!({"configVersion": 0, "settings": {}})),
        ),
        (
            Method::Post,
            "/api/audit/clear",
            Some(json!({"confirm": "DELETE ALL AUDIT ENTRIES"})),
        ),
        (Method::Delete, "/api/policies/anything", None),
        (
            Method::Post,
            "/api/groups",
            Some(json!({"names": "new-group"})),
        ),
    ];
    for (method, path, body) in sample {
        let cases = [
            (context(false, false, false), 401, "unauthenticated"),
            (context(true, false, true), 403, "forbidden"),
        ];
        for (ctx, status, kind) in cases {
            let r = f
                .service
                .handle(&request(method, path, body.clone(), ctx), Millis(TICK));
            let v: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(
                (r.status, v["error"]["kind"].as_str()),
                (status, Some(kind)),
                "{path}"
            );
        }
        if method.changes_state() {
            let r = f.service.handle(
                &request(method, path, body.clone(), context(true, true, false)),
                Millis(TICK),
            );
            let v: Value = serde_json::from_slice(&r.body).unwrap();
            assert_eq!(
                (r.status, v["error"]["kind"].as_str()),
                (403, Some("xsrf_required")),
                "{path}"
            );
        }
    }
    assert_eq!(
        f.store.load_config().unwrap(),
        before,
        "a refused request changed the config"
    );
    assert_eq!(f.store.count_audit(&AuditFilter::default()).unwrap(), 0);
    assert!(
        f.host
            .to_snapshot()
            .header
            .groups
            .iter()
            .all(|g| g.name.as_str() != "new-group")
    );
}

#[test]
fn invalid_bodies_get_precise_errors_and_change_nothing() {
    let f = fixture(3, 3, 0);
    let (_, version) = create_policy(&f.service, deactivation_policy("Idle", false), DAY0);
    let before = f.store.load_config().unwrap();
    let audit_before = f.store.count_audit(&AuditFilter::default()).unwrap();

    let mut bad = deactivation_policy("Bad", true);
    bad["condition"]["days"] = json!(0);
    let (status, body) = common::post_policy(&f.service, bad, DAY0);
    assert_eq!(
        (status, body["error"]["kind"].as_str()),
        (422, Some("validation")),
        "{body}"
    );
    let problems = body["error"]["details"]["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["path"] == json!("condition.days")),
        "{body}"
    );

    let r = f.service.handle(
        &seatwarden_service::api::ApiRequest {
            body: b"{\"name\": ".to_vec().into(),
            ..request(Method::Post, "/api/policies", None, admin())
        },
        Millis(DAY0),
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(r.status, 400);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("line 1"),
        "{v}"
    );

    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version + 5, "settings": {}})),
        DAY0,
    );
    assert_eq!(
        (status, body["error"]["kind"].as_str()),
        (409, Some("conflict"))
    );

    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version, "settings": {"guard": {"maxPercent": "many"}}})),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["details"]["problems"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("settings.guard"),
        "{body}"
    );

    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/audit/clear",
        Some(json!({"confirm": "yes"})),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    let (status, _) = call(
        &f.service,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "explode", "keys": []})),
        DAY0,
    );
    assert_eq!(status, 400);
    let (status, _) = call(
        &f.service,
        Method::Post,
        "/api/runs/99/approve",
        Some(json!({})),
        DAY0,
    );
    assert_eq!(status, 400);
    let (status, _) = call(
        &f.service,
        Method::Get,
        "/api/runs/not-a-number",
        None,
        DAY0,
    );
    assert_eq!(status, 400);
    let (status, _) = call(&f.service, Method::Post, "/api/import/validate", None, DAY0);
    assert!(status == 422 || status == 400);

    assert_eq!(f.store.load_config().unwrap(), before);
    assert_eq!(
        f.store.count_audit(&AuditFilter::default()).unwrap(),
        audit_before
    );
}

#[test]
fn bulk_actions_apply_exactly_the_previewed_plan() {
    let f = fixture(4, 4, 0);
    let (status, plan) = call(
        &f.service,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "deactivate", "keys": ["K-fresh0000", "K-fresh0001", "K-admin"]})),
        TICK,
    );
    assert_eq!(status, 200, "{plan}");
    assert_eq!(
        plan["actionCount"],
        json!(2),
        "the sysadmin is protected: {plan}"
    );
    let url = format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap());
    let (status, _) = call(
        &f.service,
        Method::Post,
        &url,
        Some(json!({"planHash": "nope"})),
        TICK,
    );
    assert_eq!(status, 409);
    let (status, body) = call(
        &f.service,
        Method::Post,
        &url,
        Some(json!({"planHash": plan["planHash"]})),
        TICK,
    );
    assert_eq!(status, 202, "{body}");
    drain(&f.service, TICK);
    let deactivated: Vec<String> = state(&f.host)
        .into_iter()
        .filter(|(_, a, _, _)| !a)
        .map(|(k, _, _, _)| k)
        .collect();
    assert_eq!(
        deactivated,
        vec!["K-fresh0000".to_owned(), "K-fresh0001".to_owned()]
    );
}

#[test]
fn the_openapi_document_matches_the_route_table() {
    let f = fixture(1, 1, 0);
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    assert_eq!(doc["openapi"], json!("3.1.0"));
    let mut documented = HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // Sign-in is served by `seatwarden serve`'s edge, not the router.
            if op["x-seatwarden-edge"] == json!(true) {
                continue;
            }
            documented.insert((
                method.to_uppercase(),
                path.clone(),
                op["operationId"].as_str().unwrap().to_owned(),
            ));
        }
    }
    let routed: HashSet<(String, String, String)> = f
        .service
        .router()
        .routes()
        .iter()
        .map(|r| {
            (
                r.method.as_str().to_owned(),
                r.pattern.to_owned(),
                r.operation_id.to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = routed.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&routed).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "undocumented {missing:?}, unrouted {extra:?}"
    );
    let (status, served) = call(&f.service, Method::Get, "/api/openapi.json", None, TICK);
    assert_eq!((status, served), (200, doc));
}

#[test]
fn demo_logins_need_the_demo_flag_and_reactivate() {
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 1, 2)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let plain = Service::new(host.clone(), store.clone(), ServiceOptions::default()).unwrap();
    let (status, _) = call(
        &plain,
        Method::Post,
        "/api/demo/logins",
        Some(json!({"usernames": ["gone0000"]})),
        TICK,
    );
    assert_eq!(status, 404);
    let service = Service::new(host.clone(), store.clone(), options("n", 10)).unwrap();
    create_policy(
        &service,
        json!({"name": "Back", "mode": "live", "action": {"kind": "reactivate"}}),
        DAY0,
    );
    let outcome = service.on_login("gone0001", Millis(TICK)).unwrap();
    assert_eq!(outcome.applied.len(), 1, "{outcome:?}");
    assert!(
        state(&host)
            .iter()
            .any(|(k, a, _, _)| k == "K-gone0001" && *a)
    );
    let (status, dash) = call(&service, Method::Get, "/api/dashboard?days=30", None, TICK);
    assert_eq!(status, 200);
    assert_eq!(dash["figures"]["reactivatedInWindow"], json!(1), "{dash}");
}

#[test]
fn warnings_are_queued_once_and_delivered_from_the_outbox() {
    let f = fixture(4, 2, 0);
    let mut policy = deactivation_policy("Idle 205", true);
    policy["condition"]["days"] = json!(205);
    policy["warning"] = json!({"daysBefore": 10});
    create_policy(&f.service, policy, DAY0);
    let report = f.service.tick(Millis(TICK)).unwrap();
    assert_eq!(report.mails_queued, 4, "{report:?}");
    // The next tick finds the same warnings due and queues none again.
    assert_eq!(
        f.service.tick(Millis(TICK + 600_000)).unwrap().mails_queued,
        0
    );
    let transport = Recorder::new();
    let sent = f
        .service
        .deliver_mail(&transport, Millis(TICK + 1), 10)
        .unwrap();
    assert_eq!(sent.sent, 4, "{sent:?}");
    let mut to: Vec<String> = transport.sent().into_iter().map(|m| m.0).collect();
    to.sort();
    assert_eq!(to[0], "idle0000@example.test");
    let sent_entries = f
        .store
        .count_audit(&AuditFilter {
            actions: vec![seatwarden_audit::Action::MailSent],
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(sent_entries, 4);
    assert_eq!(
        f.service
            .deliver_mail(&transport, Millis(TICK + 2), 10)
            .unwrap()
            .sent,
        0
    );
}

/// Queues a live "run now" of a new deactivation policy on `service` and
/// returns the run id, without driving it: the process "dies" before the
/// plan is journaled.
fn queue_without_planning(service: &Service, live: bool) -> RunId {
    let (id, _) = create_policy(service, deactivation_policy("Idle", live), DAY0);
    let (status, body) = call(
        service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        TICK,
    );
    assert_eq!(status, 202, "{body}");
    RunId(body["runId"].as_i64().unwrap())
}

fn audit_of(store: &dyn Store, run: RunId) -> Vec<seatwarden_audit::AuditEntry> {
    let mut out = Vec::new();
    store
        .scan_audit(
            &AuditFilter {
                run: Some(run),
                ..AuditFilter::default()
            },
            &mut |e| {
                out.push(e.entry.clone());
                Ok(())
            },
        )
        .unwrap();
    out
}

#[test]
fn a_run_killed_before_its_plan_was_journaled_is_planned_again_and_completed() {
    // The reference: the same policy run without interruption.
    let reference = fixture(12, 4, 0);
    let run = queue_without_planning(&reference.service, true);
    drain(&reference.service, TICK);
    assert_eq!(run_of(&reference.store, run).status, RunStatus::Succeeded);
    let expected = state(&reference.host);

    let host = Arc::new(MemoryDirectory::new(snapshot(12, 4, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap();
    let run = queue_without_planning(&first, true);
    assert!(store.journal(run).unwrap().is_none());
    drop(first);

    let second = Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap();
    let report = second.tick(Millis(TICK + 60_000)).unwrap();
    assert_eq!(report.resumed, vec![run], "{report:?}");
    assert!(report.runs.is_empty(), "the policy ran once: {report:?}");
    let done = run_of(&store, run);
    assert_eq!(
        (done.status, done.counts.succeeded),
        (RunStatus::Succeeded, 12),
        "{done:?}"
    );
    assert_eq!(state(&host), expected);
    let entries = audit_of(store.as_ref(), run);
    assert_eq!(entries.len(), 12, "one audit entry per action");
    let users: HashSet<_> = entries.iter().map(|e| e.target.user.clone()).collect();
    assert_eq!(users.len(), 12, "no duplicate audit entry");
    assert_eq!(store.before_states(run).unwrap().len(), 12, "undo recorded");
    // Nothing left to resume, and the next tick does not run it again.
    let again = second.tick(Millis(TICK + 120_000)).unwrap();
    assert!(
        again.resumed.is_empty() && again.runs.is_empty(),
        "{again:?}"
    );
    assert_eq!(audit_of(store.as_ref(), run).len(), 12);
}

#[test]
fn a_queued_preview_killed_before_planning_is_resumed_as_a_preview() {
    let host = Arc::new(MemoryDirectory::new(snapshot(6, 2, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let first = Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap();
    let original = state(&host);
    let (id, _) = create_policy(&first, deactivation_policy("Idle", true), DAY0);
    let run = first
        .queue_policy_run(
            &seatwarden_audit::PolicyId::from(id),
            seatwarden_audit::Initiator::Automated,
            true,
            Millis(TICK),
        )
        .unwrap();
    drop(first);
    let second = Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap();
    assert_eq!(
        second.tick(Millis(TICK + 60_000)).unwrap().resumed,
        vec![run]
    );
    let done = run_of(&store, run);
    assert_eq!(done.status, RunStatus::Previewed, "{done:?}");
    assert_ne!(
        done.plan_hash.as_ref().map(|h| h.0.as_str()),
        Some("preview-requested"),
        "the journaled plan's hash replaced the marker"
    );
    assert_eq!(state(&host), original, "a preview never writes");
    // Its only audit entry says it was a preview (issue 18: previews are
    // logged), once.
    let entries = audit_of(store.as_ref(), run);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, seatwarden_audit::Action::RunPreviewed);
}

#[test]
fn a_confirmed_plan_lost_before_journaling_ends_interrupted_and_changed_nothing() {
    let host = Arc::new(MemoryDirectory::new(snapshot(3, 1, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let original = state(&host);
    let run = store
        .create_run(&seatwarden_audit::NewRun::new(
            RunKind::ManualBulkAction,
            "Bulk deactivate",
            seatwarden_audit::Initiator::Automated,
            Millis(TICK),
        ))
        .unwrap();
    let service = Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap();
    let report = service.tick(Millis(TICK + 60_000)).unwrap();
    assert!(report.resumed.is_empty(), "{report:?}");
    assert_eq!(run_of(&store, run).status, RunStatus::Interrupted);
    assert_eq!(state(&host), original);
}

/// Journals `status` plan deactivating every idle user for a new policy
/// run, as a process would have just before it died.
fn journal_by_hand(
    store: &dyn Store,
    status: seatwarden_service::service::PlanState,
    idle: usize,
) -> RunId {
    use seatwarden_core::Operation;
    use seatwarden_service::service::{ActionInfo, RunPlan};
    use seatwarden_service::store::{ActionKey, JournaledPlan};
    let mut new = seatwarden_audit::NewRun::new(
        RunKind::ScheduledCleanup,
        "Idle",
        seatwarden_audit::Initiator::Automated,
        Millis(TICK),
    );
    new.policy = Some(seatwarden_audit::PolicyId::from("idle"));
    let run = store.create_run(&new).unwrap();
    let actions: Vec<ActionInfo> = (0..idle)
        .map(|i| {
            let user = seatwarden_core::UserKey::from(format!("K-idle{i:04}").as_str());
            let operation = Operation::Deactivate { user: user.clone() };
            ActionInfo {
                user,
                username: format!("idle{i:04}"),
                action: ActionKey::of(&operation),
                operation,
                source: "policy:idle".into(),
                policy: None,
                live: true,
                reason: "idle".into(),
            }
        })
        .collect();
    let plan = RunPlan {
        status,
        actor: seatwarden_audit::Actor::system(),
        document: Value::Null.into(),
        actions,
    };
    let journaled = JournaledPlan {
        hash: seatwarden_audit::PlanHash(plan.writes_hash()),
        json: serde_json::to_string(&plan).unwrap(),
        actions: plan.journal_actions(),
    };
    store.journal_plan(run, &journaled).unwrap();
    run
}

#[test]
fn a_guard_held_plan_killed_before_its_hold_was_recorded_waits_for_approval() {
    let host = Arc::new(MemoryDirectory::new(snapshot(5, 1, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let original = state(&host);
    let run = journal_by_hand(
        store.as_ref(),
        seatwarden_service::service::PlanState::NeedsApproval,
        5,
    );
    let service = Service::new(host.clone(), store.clone(), options("node-a", 5)).unwrap();
    let report = service.tick(Millis(TICK + 60_000)).unwrap();
    assert!(report.resumed.is_empty(), "{report:?}");
    assert_eq!(run_of(&store, run).status, RunStatus::AwaitingApproval);
    assert_eq!(state(&host), original, "no approval, no write");
    // The admin approves that exact plan: it applies once.
    let hash = run_of(&store, run).plan_hash.unwrap().0;
    let (status, body) = call(
        &service,
        Method::Post,
        &format!("/api/runs/{}/approve", run.0),
        Some(json!({"planHash": hash})),
        TICK + 60_000,
    );
    assert_eq!(status, 202, "{body}");
    drain(&service, TICK + 60_000);
    assert_eq!(run_of(&store, run).counts.succeeded, 5);
}

#[test]
fn a_ready_plan_killed_before_its_before_states_records_them_on_resume() {
    let host = Arc::new(MemoryDirectory::new(snapshot(4, 1, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let run = journal_by_hand(
        store.as_ref(),
        seatwarden_service::service::PlanState::Ready,
        4,
    );
    assert!(store.before_states(run).unwrap().is_empty());
    let service = Service::new(host.clone(), store.clone(), options("node-a", 3)).unwrap();
    assert_eq!(
        service.tick(Millis(TICK + 60_000)).unwrap().resumed,
        vec![run]
    );
    let states = store.before_states(run).unwrap();
    assert_eq!(states.len(), 4);
    assert!(
        states.iter().all(|s| s.active),
        "recorded before the writes"
    );
    assert_eq!(run_of(&store, run).counts.succeeded, 4);
}

#[test]
fn a_preview_plan_journaled_just_before_a_crash_finishes_as_a_preview() {
    let host = Arc::new(MemoryDirectory::new(snapshot(4, 1, 0)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let original = state(&host);
    let run = journal_by_hand(
        store.as_ref(),
        seatwarden_service::service::PlanState::Preview,
        0,
    );
    let service = Service::new(host.clone(), store.clone(), options("node-a", 3)).unwrap();
    service.tick(Millis(TICK + 60_000)).unwrap();
    assert_eq!(run_of(&store, run).status, RunStatus::Previewed);
    assert_eq!(state(&host), original);
}

fn run_of(store: &Arc<dyn Store>, id: RunId) -> seatwarden_audit::OperationRun {
    store.get_run(id).unwrap().unwrap()
}

#[test]
fn queued_logins_reach_the_index_when_it_is_read_and_a_long_queue_rebuilds() {
    let f = fixture(3, 2, 0);
    f.service.ensure_index().unwrap();
    let last_login = |s: &Service| {
        s.current_index(|index| {
            let idx = index.index_of_username("fresh0001").unwrap();
            (index.last_login(idx), index.login_count(idx))
        })
    };
    let before = last_login(&f.service).unwrap();
    f.service.on_login("fresh0001", Millis(TICK)).unwrap();
    f.service.on_login("fresh0001", Millis(TICK)).unwrap();
    let after = last_login(&f.service).unwrap();
    assert_eq!(after.0, Some(Millis(TICK)));
    assert_eq!(
        after.1,
        before.1.map(|c| c + 2),
        "both logins counted, once each"
    );
    // A queue nobody reads is bounded: past it the index is re-read from
    // the directory (the authority on logins) instead of replayed.
    for i in 0..9_000 {
        f.service.on_login("fresh0000", Millis(TICK + i)).unwrap();
    }
    assert!(last_login(&f.service).is_none(), "marked for a rebuild");
    assert!(f.service.with_index(|index| index.users().count()).unwrap() > 0);
    assert!(last_login(&f.service).is_some());
}
