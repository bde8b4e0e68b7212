//! The admin API answers in one casing: every JSON key the UI reads is
//! camelCase, so the UI reads answers as they are (it no longer converts).
//!
//! The walk fills a service with one of everything a screen shows (a
//! policy and its preview, a bulk run, audit entries, a template) and
//! reads every JSON route. The mail settings section is the one documented
//! exception: it is the stored SMTP document sent back as it is
//! (`docs/api.md`), so its keys are the store's. One key is still open: the
//! engine's plan document writes an inactivity reason's `last_login`
//! (`seatwarden_core::plan::Reason`); the golden scenarios and the run
//! journal pin that document, so renaming it is its own change. The UI
//! reads the reason's `because` text, not that key.

mod common;

use serde_json::Value;

use common::{DAY0, call, deactivation_policy, drain, fixture};
use seatwarden_service::api::Method;

/// Every key containing `_`, with its path.
fn snake_keys(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if k.contains('_') {
                    out.push(here.clone());
                }
                snake_keys(v, &here, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| snake_keys(v, path, out)),
        _ => {}
    }
}

#[test]
fn every_json_answer_is_camel_case() {
    let f = fixture(3, 2, 0);
    let s = &f.service;
    let (status, created) = call(
        s,
        Method::Post,
        "/api/policies",
        Some(deactivation_policy("Idle", false)),
        DAY0,
    );
    assert_eq!(status, 201, "{created}");
    let policy = created["policy"]["id"].as_str().unwrap().to_owned();
    let (status, preview) = call(
        s,
        Method::Post,
        &format!("/api/policies/{policy}/preview"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{preview}");
    let (status, plan) = call(
        s,
        Method::Post,
        "/api/bulk/plan",
        Some(serde_json::json!({"action": "deactivate", "keys": ["K-idle0000"]})),
        DAY0,
    );
    assert_eq!(status, 200, "{plan}");
    let (status, ran) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(serde_json::json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 202, "{ran}");
    drain(s, DAY0);
    let run = ran["runId"].as_i64().unwrap();
    let (_, templates) = call(s, Method::Get, "/api/templates", None, DAY0);
    let template = templates["templates"][0]["id"]
        .as_str()
        .expect("the default configuration has templates")
        .to_owned();

    let mut answers = vec![
        ("POST /api/policies/{id}/preview".to_owned(), preview),
        ("POST /api/bulk/plan".to_owned(), plan),
    ];
    for path in [
        "/api/me".to_owned(),
        "/api/dashboard".to_owned(),
        "/api/users".to_owned(),
        "/api/users/K-idle0000".to_owned(),
        "/api/directories".to_owned(),
        "/api/licences".to_owned(),
        "/api/policies".to_owned(),
        format!("/api/policies/{policy}"),
        "/api/automation/summary".to_owned(),
        "/api/runs".to_owned(),
        format!("/api/runs/{run}"),
        format!("/api/runs/{run}/progress"),
        format!("/api/runs/{run}/actions"),
        "/api/audit".to_owned(),
        "/api/audit/summary".to_owned(),
        "/api/audit/retention".to_owned(),
        "/api/groups?withCounts=true".to_owned(),
        "/api/templates".to_owned(),
        format!("/api/templates/{template}"),
        "/api/settings".to_owned(),
        "/api/settings/mail".to_owned(),
    ] {
        let (status, body) = call(s, Method::Get, &path, None, DAY0);
        assert_eq!(status, 200, "{path}: {body}");
        answers.push((format!("GET {path}"), body));
    }
    let (_, runs) = call(s, Method::Get, "/api/runs", None, DAY0);
    assert!(
        runs["runs"].as_array().is_some_and(|r| !r.is_empty()),
        "the walk covers a run: {runs}"
    );
    let (_, audit) = call(s, Method::Get, "/api/audit", None, DAY0);
    assert!(
        audit["entries"].as_array().is_some_and(|e| !e.is_empty()),
        "the walk covers audit entries: {audit}"
    );

    let mut snake = Vec::new();
    for (route, body) in &answers {
        let body = if route == "GET /api/settings/mail" {
            // The stored SMTP document, sent back as it is.
            let mut b = body.clone();
            b.as_object_mut().map(|m| m.remove("mail"));
            b
        } else {
            body.clone()
        };
        snake_keys(&body, route, &mut snake);
    }
    snake.retain(|path| !path.ends_with(".document.users.actions.reason.last_login"));
    assert_eq!(snake, Vec::<String>::new());
}
