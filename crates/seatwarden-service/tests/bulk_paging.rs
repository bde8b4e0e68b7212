//! Bulk previews at size (issue 19): the answer carries totals and a first
//! page, the rest is paged from the kept compact plan, kept plans are
//! capped, and a dropped plan answers 410 with the reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::{DAY0, call, drain, fixture};
use seatwarden_core::{Operation, UserKey};
use seatwarden_service::api::Method;
use seatwarden_service::host::Host;
use seatwarden_service::service::Service;

fn preview(s: &Service, body: Value) -> Value {
    let (status, plan) = call(s, Method::Post, "/api/bulk/plan", Some(body), DAY0);
    assert_eq!(status, 200, "{plan}");
    plan
}

fn all_active() -> Value {
    json!({"action": "deactivate", "filter": {"status": "active"}})
}

/// Every page of `part` (`actions` or `skipped`) of plan `id`, `limit` at a time.
fn pages(s: &Service, id: &str, part: &str, limit: usize) -> Vec<Value> {
    let mut rows = Vec::new();
    loop {
        let path = format!("/api/bulk/{id}/{part}?offset={}&limit={limit}", rows.len());
        let (status, page) = call(s, Method::Get, &path, None, DAY0);
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(page["offset"].as_u64(), Some(rows.len() as u64));
        let got = page[part].as_array().unwrap().clone();
        if got.is_empty() {
            assert_eq!(page["total"].as_u64(), Some(rows.len() as u64), "{page}");
            return rows;
        }
        assert!(got.len() <= limit);
        rows.extend(got);
    }
}

#[test]
fn the_preview_answers_totals_and_a_first_page_and_the_rest_pages_in_key_order() {
    let f = fixture(1_203, 3, 2);
    let s = &f.service;
    let plan = preview(s, all_active());
    let id = plan["planId"].as_str().unwrap();
    // 1,203 idle + 3 fresh active users; the sysadmin is skipped.
    assert_eq!(plan["actionCount"], 1_206, "{}", plan["document"]["totals"]);
    assert_eq!(plan["actions"].as_array().unwrap().len(), 500);
    assert_eq!(plan["document"]["users"].as_array().unwrap().len(), 500);
    assert_eq!(
        plan["document"]["totals"]["byOperation"]["deactivate"],
        1_206
    );
    assert_eq!(plan["skipCount"], 1);
    assert_eq!(
        plan["skipsByReason"],
        json!([{"reason": {"kind": "sysadmin"}, "because": "system administrator (always protected)", "users": 1}])
    );

    let actions = pages(s, id, "actions", 499);
    assert_eq!(actions.len(), 1_206);
    assert_eq!(
        &actions[..500],
        plan["actions"].as_array().unwrap().as_slice()
    );
    let keys: Vec<&str> = actions
        .iter()
        .map(|a| a["user"].as_str().unwrap())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(keys, sorted, "one write per user, in key order");
    let skipped = pages(s, id, "skipped", 1);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["user"], "K-admin");

    // Confirming applies exactly the paged writes.
    let (status, ran) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{id}/run"),
        Some(json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 202, "{ran}");
    drain(s, DAY0);
    let run = ran["runId"].as_i64().unwrap();
    let (status, journal) = call(
        s,
        Method::Get,
        &format!("/api/runs/{run}/actions?limit=1000"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{journal}");
    assert_eq!(journal["total"], 1_206);
    let journaled: Vec<&Value> = journal["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["action"])
        .collect();
    assert_eq!(journaled, actions.iter().take(1_000).collect::<Vec<_>>());
    // The journal holds the whole document, written from the typed plan
    // without a `Value` tree: the preview's totals, every user, the skip.
    let stored = f
        .store
        .journal(seatwarden_audit::RunId(run))
        .unwrap()
        .unwrap();
    let stored: Value = serde_json::from_str(&stored.plan.json).unwrap();
    let document = &stored["document"];
    assert_eq!(document["totals"], plan["document"]["totals"]);
    let users = document["users"].as_array().unwrap();
    assert_eq!(users.len(), 1_206);
    assert_eq!(
        &users[..500],
        plan["document"]["users"].as_array().unwrap().as_slice()
    );
    assert_eq!(document["skipped"].as_array().unwrap().len(), 1);
    assert!(!common::active(&f.host, "K-idle1202"));
    assert!(common::active(&f.host, "K-admin"));

    // A confirmed plan is gone, and says so.
    let (status, gone) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{id}/actions"),
        None,
        DAY0,
    );
    assert_eq!(status, 410, "{gone}");
    assert_eq!(gone["error"]["kind"], "gone");
    assert!(
        gone["error"]["message"]
            .as_str()
            .unwrap()
            .contains("confirmed already"),
        "{gone}"
    );
}

#[test]
fn the_oldest_plans_are_dropped_past_the_cap_and_answer_410_with_the_reason() {
    let f = fixture(3, 0, 0);
    let s = &f.service;
    let first = preview(s, all_active());
    let first_id = first["planId"].as_str().unwrap();
    for _ in 0..16 {
        preview(s, all_active());
    }
    for (method, path, body) in [
        (Method::Get, format!("/api/bulk/{first_id}/actions"), None),
        (Method::Get, format!("/api/bulk/{first_id}/skipped"), None),
        (
            Method::Post,
            format!("/api/bulk/{first_id}/run"),
            Some(json!({"planHash": first["planHash"]})),
        ),
    ] {
        let (status, gone) = call(s, method, &path, body, DAY0);
        assert_eq!(status, 410, "{path}: {gone}");
        let message = gone["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("plan `{first_id}`")), "{message}");
        assert!(
            message.contains("make room for newer previews"),
            "{message}"
        );
    }
    // Nothing ran.
    assert!(common::active(&f.host, "K-idle0000"));
    // An id never handed out is simply not found.
    let (status, missing) = call(s, Method::Get, "/api/bulk/p999999/actions", None, DAY0);
    assert_eq!(status, 404, "{missing}");
}

#[test]
fn a_plan_is_paged_across_an_index_rebuild_until_the_directory_changes_its_writes() {
    let f = fixture(5, 0, 0);
    let s = &f.service;
    let plan = preview(s, all_active());
    let id = plan["planId"].as_str().unwrap();
    // A rebuild with nothing changed: planned again, same writes, same pages.
    s.rebuild_index().unwrap();
    assert_eq!(
        pages(s, id, "actions", 2),
        plan["actions"].as_array().unwrap().clone()
    );
    // Another admin deactivates one of the users: the previewed writes are
    // stale, so paging and confirming are refused and nothing is written.
    f.host
        .apply(&Operation::Deactivate {
            user: UserKey::from("K-idle0002"),
        })
        .unwrap();
    s.rebuild_index().unwrap();
    let (status, stale) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{id}/actions"),
        None,
        DAY0,
    );
    assert_eq!(status, 409, "{stale}");
    assert!(
        stale["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed since the preview"),
        "{stale}"
    );
    let (status, refused) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{id}/run"),
        Some(json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 409, "{refused}");
    drain(s, DAY0);
    assert!(common::active(&f.host, "K-idle0000"));
}

#[test]
fn page_limits_out_of_range_are_refused() {
    let f = fixture(2, 0, 0);
    let s = &f.service;
    let plan = preview(s, all_active());
    let id = plan["planId"].as_str().unwrap();
    for query in ["limit=0", "limit=2001", "offset=-1", "limit=x"] {
        let (status, err) = call(
            s,
            Method::Get,
            &format!("/api/bulk/{id}/actions?{query}"),
            None,
            DAY0,
        );
        assert_eq!(status, 400, "{query}: {err}");
    }
    // Past the end is an empty page, not an error.
    let (status, page) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{id}/actions?offset=99"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["actions"], json!([]));
    assert_eq!(page["total"], 2);
}
