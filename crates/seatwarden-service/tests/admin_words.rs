//! Issue 24, "Also wrong": the approval screen reaches every action and
//! exports the plan; developer errors become field errors in words; a
//! policy name is neither empty nor 3,000 characters long.
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

fn problem(body: &Value) -> (String, String) {
    let p = &body["error"]["details"]["problems"][0];
    (
        p["path"].as_str().unwrap_or_default().to_owned(),
        p["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn a_held_plan_is_paged_through_and_exported_whole() {
    let f = fixture(450, 3, 0);
    let s = &f.service;
    create_policy(s, deactivation_policy("Idle", true), DAY0);
    let (_, current) = call(s, Method::Get, "/api/settings", None, DAY0);
    let mut settings = current["settings"].clone();
    settings["guard"] =
        json!({"enabled": true, "maxAccounts": 5, "maxPercent": 100, "minLicensed": 100000});
    let (status, saved) = call(
        s,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"], "settings": settings})),
        DAY0,
    );
    assert_eq!(status, 200, "{saved}");
    let run = s.tick(Millis(TICK)).unwrap().runs[0];
    let (_, detail) = call(s, Method::Get, &format!("/api/runs/{run}"), None, TICK);
    assert_eq!(detail["run"]["status"], "awaiting_approval", "{detail}");
    let total = detail["plannedActions"].as_u64().unwrap();
    assert_eq!(total, 450);

    // Every action, 200 at a time, each once.
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = 0;
    loop {
        let (status, page) = call(
            s,
            Method::Get,
            &format!("/api/runs/{run}/actions?limit=200&cursor={cursor}"),
            None,
            TICK,
        );
        assert_eq!(status, 200, "{page}");
        for a in page["actions"].as_array().unwrap() {
            assert!(seen.insert(a["action"]["user"].as_str().unwrap().to_owned()));
        }
        match page["next"].as_str() {
            Some(next) => cursor = next.parse().unwrap(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 450);

    // The export has them all, in plan order, with a header.
    let response = s.handle(
        &request(
            Method::Get,
            &format!("/api/runs/{run}/actions/export"),
            None,
            admin(),
        ),
        Millis(TICK),
    );
    assert_eq!(response.status, 200);
    assert!(response.content_type.starts_with("text/csv"));
    let text = String::from_utf8(response.body).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("user key,username,action,group,why,mode,outcome,detail")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 450);
    assert!(
        rows[0].starts_with("K-idle0000,idle0000,deactivate,,\"last login "),
        "{}",
        rows[0]
    );
    assert!(rows[0].ends_with(",live,,"), "not applied yet: {}", rows[0]);
    let exported: std::collections::BTreeSet<String> = rows
        .iter()
        .map(|r| r.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(exported, seen);
    // An unknown run is a 404, not an empty file.
    let (status, _) = call(s, Method::Get, "/api/runs/999/actions/export", None, TICK);
    assert_eq!(status, 404);
}

#[test]
fn a_bad_users_filter_is_a_field_error_in_words() {
    let f = fixture(2, 1, 0);
    let get = |filter: Value| {
        call(
            &f.service,
            Method::Get,
            // The test client passes the query as it is (the HTTP edge decodes it).
            &format!("/api/users?filter={filter}"),
            None,
            DAY0,
        )
    };
    for (days, words) in [
        (json!(-5), "must be a whole number from 0 to 4294967295"),
        (
            json!(99_999_999_999_i64),
            "must be a whole number from 0 to 4294967295",
        ),
        (json!(0), "enter a number of days from 1 to 36500"),
        (json!(36_501), "must be at most 36500 days (100 years)"),
        (json!("ten"), "must be a whole number from 0 to 4294967295"),
    ] {
        let (status, body) = get(json!({"activity": {"kind": "notWithin", "days": days}}));
        assert_eq!(status, 422, "{days}: {body}");
        assert_eq!(
            problem(&body),
            ("filter.activity.days".to_owned(), words.to_owned()),
            "{days}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            !message.contains("u32") && !message.contains("expected"),
            "{message}"
        );
    }
    let (status, _) = get(json!({"activity": {"kind": "notWithin", "days": 90}}));
    assert_eq!(status, 200);
}

#[test]
fn a_template_number_out_of_range_is_named_in_words() {
    let f = fixture(1, 0, 0);
    let bad = json!({
        "id": "warn2", "name": "Warn", "kind": "warning", "timing": {"type": "before_action", "days": -5},
        "subject": "Hello", "htmlBody": "<p>Hi</p>", "bcc": [], "enabled": true,
        "configVersion": f.service.settings().version.0,
    });
    let (status, body) = call(&f.service, Method::Post, "/api/templates", Some(bad), DAY0);
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        problem(&body),
        (
            // The tagged enum is named as a whole (serde reads it in one step).
            "timing".to_owned(),
            "must be a whole number from 0 to 4294967295".to_owned()
        )
    );
}

#[test]
fn a_policy_name_is_neither_empty_nor_overlong() {
    let f = fixture(1, 0, 0);
    for (name, words) in [
        (
            " ".to_owned(),
            "enter a name: it is what the policy list, the audit log and the mail show".to_owned(),
        ),
        (
            "x".repeat(3000),
            "must be at most 120 characters (it has 3000)".to_owned(),
        ),
    ] {
        let mut policy = deactivation_policy("x", false);
        policy["name"] = json!(name);
        let (status, body) = post_policy(&f.service, policy, DAY0);
        assert_eq!(status, 422, "{body}");
        assert_eq!(problem(&body), ("name".to_owned(), words));
    }
    assert!(
        f.service.settings().config.policies.is_empty(),
        "nothing was saved"
    );
    // A cron expression is explained by field, without the parser's caret.
    let mut policy = deactivation_policy("Cron", false);
    policy["trigger"] =
        json!({"kind": "schedule", "schedule": {"every": "cron", "expression": "0 2 * * MONX"}});
    let (status, body) = post_policy(&f.service, policy, DAY0);
    assert_eq!(status, 422, "{body}");
    let text = body.to_string();
    assert!(
        text.contains("the day of week field is not valid"),
        "{text}"
    );
    assert!(
        !text.contains('^') && !text.contains("does not support"),
        "{text}"
    );
}

#[test]
fn the_reactivated_card_counts_accounts_made_active_by_a_bulk_activate_or_revert() {
    let f = fixture(1, 0, 2);
    let s = &f.service;
    let card = |s: &seatwarden_service::Service| {
        let (status, d) = call(s, Method::Get, "/api/dashboard?days=30", None, DAY0);
        assert_eq!(status, 200, "{d}");
        d["figures"]["reactivatedInWindow"].clone()
    };
    assert_eq!(card(s), json!(0));
    let (status, plan) = call(
        s,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "activate", "keys": ["K-gone0000", "K-gone0001"]})),
        DAY0,
    );
    assert_eq!(status, 200, "{plan}");
    let (status, run) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 202, "{run}");
    drain(s, DAY0);
    assert_eq!(card(s), json!(2));
}
