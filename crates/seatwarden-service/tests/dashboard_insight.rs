//! Issue 24, dashboard: the "licensed users idle 90+ days" insight counts
//! what its "Take action" policy would act on, and says why the rest would
//! not be (system administrators, exemptions, protected groups).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_service::api::Method;

fn idle_insight(service: &seatwarden_service::Service) -> Value {
    let (status, dash) = call(service, Method::Get, "/api/dashboard", None, DAY0);
    assert_eq!(status, 200, "{dash}");
    dash["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "idle_licensed")
        .cloned()
        .unwrap_or_else(|| panic!("no idle insight: {dash}"))
}

/// Saves the insight's suggested policy as the editor would and previews it.
fn preview_of(service: &seatwarden_service::Service, insight: &Value, name: &str) -> Value {
    let mut policy = insight["suggestedPolicy"].clone();
    policy["name"] = json!(name);
    let (status, created) = post_policy(service, policy, DAY0);
    assert_eq!(status, 201, "{created}");
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    let (status, preview) = call(
        service,
        Method::Post,
        &format!("/api/policies/{id}/preview"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{preview}");
    // Off again, so the next preview counts only its own policy.
    let (_, list) = call(service, Method::Get, "/api/policies", None, DAY0);
    let (status, _) = call(
        service,
        Method::Delete,
        &format!("/api/policies/{id}?configVersion={}", list["configVersion"]),
        None,
        DAY0,
    );
    assert!(status == 200 || status == 204, "{status}");
    preview
}

#[test]
fn the_idle_insight_counts_what_its_policy_would_act_on_and_says_why_not_the_rest() {
    let f = fixture(25, 10, 2);
    let s = &f.service;
    // One idle user exempt: matched by the policy, not acted on.
    let (status, body) = call(
        s,
        Method::Post,
        "/api/exemptions",
        Some(json!({"users": ["K-idle0003"], "indefinite": true, "reason": "on leave"})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");

    let insight = idle_insight(s);
    // 25 idle users and the idle sysadmin are licensed and idle 90+ days.
    assert_eq!(insight["matched"], 26, "{insight}");
    assert_eq!(insight["users"], 24, "{insight}");
    assert_eq!(
        insight["skipped"],
        json!({"exempt": 1, "system administrator (always protected)": 1}),
        "{insight}"
    );
    let message = insight["message"].as_str().unwrap();
    assert!(
        message.starts_with("26 licensed users idle 90+ days")
            && message.contains("the suggested policy would deactivate 24")
            && message.contains("1 system administrator (always protected)")
            && message.contains("1 exempt"),
        "{message}"
    );

    // The prefilled policy's preview acts on exactly the insight's users.
    let preview = preview_of(s, &insight, "From the insight");
    assert_eq!(
        preview["document"]["totals"]["users"], insight["users"],
        "{preview}"
    );

    // A protected group moves users from "acted on" to "skipped", in both.
    edit_settings(s, |settings| settings["protectedGroups"] = json!(["staff"]));
    let insight = idle_insight(s);
    assert_eq!(insight["users"], 0, "{insight}");
    assert!(
        insight["message"]
            .as_str()
            .unwrap()
            .contains("member of protected group `staff`"),
        "{insight}"
    );
    let preview = preview_of(s, &insight, "From the insight again");
    assert_eq!(preview["document"]["totals"]["users"], 0, "{preview}");
}
