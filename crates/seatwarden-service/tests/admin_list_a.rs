//! Issue 24, session 4 list A: the smaller defects of the admin
//! walkthrough that the service decides (test sends, the import template,
//! directory names, run durations, paged policy previews).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_core::Millis;
use seatwarden_service::api::Method;

fn problems(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["path"].as_str().unwrap_or_default().to_owned(),
                        p["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Sets the mass-change guard to hold any run over `max` accounts.
fn hold_runs_over(s: &seatwarden_service::Service, max: u64) {
    let (_, current) = call(s, Method::Get, "/api/settings", None, DAY0);
    let mut settings = current["settings"].clone();
    settings["guard"] =
        json!({"enabled": true, "maxAccounts": max, "maxPercent": 100, "minLicensed": 100000});
    let (status, saved) = call(
        s,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"], "settings": settings})),
        DAY0,
    );
    assert_eq!(status, 200, "{saved}");
}

/// `POST /api/policies/{id}/preview` at `now` (200 expected).
fn preview_of(s: &seatwarden_service::Service, id: &str, now: i64) -> Value {
    let (status, body) = call(
        s,
        Method::Post,
        &format!("/api/policies/{id}/preview"),
        None,
        now,
    );
    assert_eq!(status, 200, "{body}");
    body
}

/// `GET /api/bulk/{planId}/export` as text (a CSV answer expected).
fn export_of(s: &seatwarden_service::Service, plan_id: &str) -> String {
    let response = s.handle(
        &request(
            Method::Get,
            &format!("/api/bulk/{plan_id}/export"),
            None,
            admin(),
        ),
        Millis(DAY0),
    );
    assert_eq!(response.status, 200);
    assert!(response.content_type.starts_with("text/csv"));
    String::from_utf8(response.body.to_vec()).unwrap()
}

fn first_template(s: &seatwarden_service::Service) -> String {
    let (status, list) = call(s, Method::Get, "/api/templates", None, DAY0);
    assert_eq!(status, 200, "{list}");
    list["templates"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_test_send_to_something_that_is_no_address_is_a_field_error_in_words() {
    let f = fixture(3, 1, 0);
    let s = &f.service;
    let id = first_template(s);
    for to in ["nope", "two@@example.com", "a b@example.com", "  "] {
        let (status, body) = call(
            s,
            Method::Post,
            &format!("/api/templates/{id}/test"),
            Some(json!({ "to": to })),
            DAY0,
        );
        assert_eq!(status, 422, "{to:?}: {body}");
        let ps = problems(&body);
        assert_eq!(ps.len(), 1, "{body}");
        assert_eq!(ps[0].0, "to");
        let words = &ps[0].1;
        assert!(
            words.contains("email address") || words.contains("enter the address"),
            "{words}"
        );
        // The message never repeats what was typed (it may be personal data).
        if !to.trim().is_empty() {
            assert!(!body.to_string().contains(to.trim()), "{body}");
        }
    }
    // A well-formed address passes the check and reaches the mail server
    // choice (here: none configured, the 409 that says so).
    let (status, body) = call(
        s,
        Method::Post,
        &format!("/api/templates/{id}/test"),
        Some(json!({ "to": "admin@example.com" })),
        DAY0,
    );
    assert_eq!(status, 409, "{body}");
    assert!(problems(&body).is_empty(), "{body}");
}

fn template_csv(s: &seatwarden_service::Service) -> String {
    let response = s.handle(
        &request(Method::Get, "/api/import/template", None, admin()),
        Millis(DAY0),
    );
    assert_eq!(response.status, 200);
    String::from_utf8(response.body.to_vec()).unwrap()
}

#[test]
fn the_import_template_names_groups_that_exist_and_validates_as_downloaded() {
    let f = fixture(3, 1, 0);
    let s = &f.service;
    let csv = template_csv(s);
    let row = csv.lines().nth(1).unwrap();
    let groups = row.split(',').nth(3).unwrap();
    // The licence group and the largest other group; never the administrators.
    assert_eq!(groups, "jira-software-users;staff", "{csv}");
    let (status, plan) = validate_import(s, &csv, DAY0);
    assert_eq!(
        status, 200,
        "the example row must validate as downloaded: {plan}"
    );
}

/// The common fixture with a second, read-only directory ("Corporate
/// LDAP", id 10000) holding the first two idle users.
fn with_ldap(idle: usize) -> Fixture {
    use std::sync::Arc;

    use seatwarden_service::host::memory::MemoryDirectory;
    use seatwarden_service::store::{MemoryStore, Store};

    let mut snap = serde_json::to_value(snapshot(idle, 1, 0)).unwrap();
    snap["header"]["directories"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": 10000, "name": "Corporate LDAP", "kind": "ldap", "capabilities": {}}));
    for user in snap["pages"][0]["users"].as_array_mut().unwrap() {
        if user["key"] == "K-idle0000" || user["key"] == "K-idle0001" {
            user["directoryId"] = json!(10000);
        }
    }
    let host = Arc::new(MemoryDirectory::new(serde_json::from_value(snap).unwrap()));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service =
        seatwarden_service::Service::new(host.clone(), store.clone(), options("node-a", 50))
            .unwrap();
    Fixture {
        host,
        store,
        service,
    }
}

#[test]
fn skip_reasons_name_a_directory_as_admins_know_it_not_by_its_id() {
    let f = with_ldap(4);
    let s = &f.service;
    let (id, _) = create_policy(s, deactivation_policy("Idle", false), DAY0);
    let preview = preview_of(s, &id, DAY0);
    let skipped = preview["document"]["skipped"].as_array().unwrap();
    let ldap: Vec<&Value> = skipped
        .iter()
        .filter(|s| s["reason"]["kind"] == "read_only_directory")
        .collect();
    assert_eq!(ldap.len(), 2, "{preview}");
    for s in ldap {
        assert_eq!(
            s["because"], "directory Corporate LDAP does not allow this change",
            "{s}"
        );
        // The typed reason keeps the id for programs.
        assert_eq!(s["reason"]["directory"], 10000);
    }

    // The bulk preview's totals by reason say the same.
    let (status, plan) = call(
        s,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "deactivate", "keys": ["K-idle0000", "K-idle0001", "K-idle0002"]})),
        DAY0,
    );
    assert_eq!(status, 200, "{plan}");
    let reasons: Vec<&str> = plan["skipsByReason"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["because"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["directory Corporate LDAP does not allow this change"],
        "{plan}"
    );
    assert!(!plan.to_string().contains("directory 10000"), "{plan}");
}

#[test]
fn a_held_run_reports_the_time_it_worked_and_its_approval_wait_apart() {
    const HOUR: i64 = 3_600_000;
    let f = fixture(30, 2, 0);
    let s = &f.service;
    create_policy(s, deactivation_policy("Idle", true), DAY0);
    hold_runs_over(s, 5);
    let run = s.tick(Millis(TICK)).unwrap().runs[0];
    drain(s, TICK);
    let (_, detail) = call(s, Method::Get, &format!("/api/runs/{run}"), None, TICK);
    assert_eq!(detail["run"]["status"], "awaiting_approval", "{detail}");
    // Still waiting: neither a duration nor a wait yet.
    assert!(detail["run"].get("durationMs").is_none(), "{detail}");
    assert!(detail["run"].get("approvalWaitMs").is_none(), "{detail}");
    // The hold is in the audit log.
    assert_eq!(
        entries(&*f.store, seatwarden_audit::Action::RunHeld).len(),
        1,
        "one run_held entry"
    );

    // Approved six hours later; applying takes four seconds.
    let approved = TICK + 6 * HOUR;
    let (status, body) = call(
        s,
        Method::Post,
        &format!("/api/runs/{run}/approve"),
        Some(json!({"planHash": detail["run"]["planHash"]})),
        approved,
    );
    assert!(status == 200 || status == 202, "{body}");
    drain(s, approved + 4_000);
    let (_, detail) = call(s, Method::Get, &format!("/api/runs/{run}"), None, approved);
    let r = &detail["run"];
    assert_eq!(r["status"], "succeeded", "{detail}");
    assert_eq!(
        r["finishedAt"].as_i64().unwrap() - r["startedAt"].as_i64().unwrap(),
        6 * HOUR + 4_000
    );
    assert_eq!(r["approvalWaitMs"], 6 * HOUR, "{r}");
    assert_eq!(r["durationMs"], 4_000, "{r}");

    // The run list and the dashboard's recent runs say the same.
    let (_, list) = call(s, Method::Get, "/api/runs", None, approved);
    let listed = list["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == json!(run))
        .unwrap();
    assert_eq!(listed["durationMs"], 4_000, "{listed}");
    assert_eq!(listed["approvalWaitMs"], 6 * HOUR, "{listed}");
    let (_, dash) = call(s, Method::Get, "/api/dashboard", None, approved);
    let recent = dash["recentRuns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == json!(run))
        .unwrap();
    assert_eq!(recent["durationMs"], 4_000, "{recent}");

    // A run never held has a duration and no wait.
    let other = run_policy_now(
        s,
        list["runs"][0]["policy"].as_str().unwrap(),
        approved + HOUR,
    );
    let (_, detail) = call(
        s,
        Method::Get,
        &format!("/api/runs/{other}"),
        None,
        approved + HOUR,
    );
    assert!(detail["run"].get("approvalWaitMs").is_none(), "{detail}");
    assert!(detail["run"]["durationMs"].is_i64(), "{detail}");
}

#[test]
fn a_policy_preview_is_paged_counted_by_reason_exported_whole_and_never_confirmed() {
    // 1,234 idle users: more than a page (500) and more than the old 200 rows.
    let f = fixture(1_234, 3, 0);
    let s = &f.service;
    let (id, _) = create_policy(s, deactivation_policy("Idle", true), DAY0);
    let preview = preview_of(s, &id, DAY0);
    assert_eq!(preview["policyMode"], "live", "{preview}");
    assert_eq!(preview["actionCount"], 1_234);
    assert_eq!(preview["actions"].as_array().unwrap().len(), 500);
    assert_eq!(preview["document"]["totals"]["users"], 1_234);
    // The sysadmin is skipped, counted by reason.
    assert_eq!(preview["skipCount"], 1);
    assert_eq!(
        preview["skipsByReason"][0]["because"],
        "system administrator (always protected)"
    );
    let plan_id = preview["planId"].as_str().unwrap().to_owned();

    // Every write, page by page, each once.
    let mut seen = std::collections::BTreeSet::new();
    let mut offset = 0;
    while offset < 1_234 {
        let (status, page) = call(
            s,
            Method::Get,
            &format!("/api/bulk/{plan_id}/actions?offset={offset}&limit=500"),
            None,
            DAY0,
        );
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 1_234);
        let rows = page["actions"].as_array().unwrap();
        assert!(!rows.is_empty());
        for a in rows {
            assert!(seen.insert(a["user"].as_str().unwrap().to_owned()), "{a}");
        }
        offset += rows.len();
    }
    assert_eq!(seen.len(), 1_234);
    let (status, skips) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{plan_id}/skipped"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{skips}");
    assert_eq!(skips["skipped"][0]["user"], "K-admin");

    // The export has every write and the skip, with the policy's mode.
    let text = export_of(s, &plan_id);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("user key,username,action,group,why,mode")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1_235, "1,234 writes and 1 skip");
    let writes: std::collections::BTreeSet<String> = rows[..1_234]
        .iter()
        .map(|r| {
            assert!(r.ends_with(",live"), "{r}");
            r.split(',').next().unwrap().to_owned()
        })
        .collect();
    assert_eq!(writes, seen);
    assert!(
        rows[1_234].starts_with("K-admin,admin,skip,,system administrator"),
        "{}",
        rows[1_234]
    );

    // A preview is never applied through the bulk confirmation, and stays kept.
    let (status, body) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{plan_id}/run"),
        Some(json!({"planHash": preview["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("policy preview"),
        "{body}"
    );
    assert!(active(&f.host, "K-idle0000"), "nothing was applied");
    let (status, _) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{plan_id}/actions?limit=1"),
        None,
        DAY0,
    );
    assert_eq!(status, 200);
}

#[test]
fn a_safe_policy_preview_says_safe_and_exports_safe_rows() {
    let f = fixture(3, 1, 0);
    let s = &f.service;
    let (id, _) = create_policy(s, deactivation_policy("Idle", false), DAY0);
    let preview = preview_of(s, &id, DAY0);
    assert_eq!(preview["policyMode"], "safe", "{preview}");
    let plan_id = preview["planId"].as_str().unwrap();
    let text = export_of(s, plan_id);
    assert_eq!(
        text.lines().filter(|l| l.ends_with(",safe")).count(),
        3,
        "{text}"
    );
}

#[test]
fn a_policy_preview_pages_on_after_another_preview_rebuilt_the_index() {
    let f = fixture(600, 2, 0);
    let s = &f.service;
    let (id, _) = create_policy(s, deactivation_policy("Idle", false), DAY0);
    let preview = |now| preview_of(s, &id, now);
    let first = preview(DAY0);
    // A second preview rebuilds the index; the first one still pages,
    // planned again with the facts it was previewed with.
    let _second = preview(DAY0 + 1);
    let plan_id = first["planId"].as_str().unwrap();
    let (status, page) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{plan_id}/actions?offset=500&limit=500"),
        None,
        DAY0 + 2,
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["actions"].as_array().unwrap().len(), 100);

    // Once the directory changed what the policy would do, the old preview
    // is stale: 409, preview again.
    f.host.record_login("idle0000").unwrap();
    let _third = preview(DAY0 + 3);
    let (status, body) = call(
        s,
        Method::Get,
        &format!("/api/bulk/{plan_id}/actions?offset=0&limit=5"),
        None,
        DAY0 + 4,
    );
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("preview the policy again"),
        "{body}"
    );
}
