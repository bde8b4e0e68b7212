//! Golden scenarios: the reference handbooks' examples as JSON files under
//! `tests/golden/` at the repository root (format: `tests/golden/README.md`).
//! Each file holds the configuration, the snapshot, the instant and the
//! expected outcome; this test runs every file through the engine and
//! compares. The same files are meant to be read by the Java shim's tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::login::LoginEvaluator;
use seatwarden_core::operation::{Handover, Operation};
use seatwarden_core::plan::{PlanStatus, SkipReason};
use seatwarden_core::policy::PolicyId;
use seatwarden_core::schedule::Schedule;
use seatwarden_core::warning::due_warnings;
use seatwarden_core::{Millis, UserKey};
use serde_json::Value;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

/// `KEY kind [argument]`, the form the golden files list operations in.
pub fn op_line(op: &Operation) -> String {
    match op {
        Operation::Activate { user } => format!("{user} activate"),
        Operation::Deactivate { user } => format!("{user} deactivate"),
        Operation::Rename { user, to } => format!("{user} rename {to}"),
        Operation::Delete { user } => format!("{user} delete"),
        Operation::AddToGroup { user, group } => format!("{user} add_to_group {group}"),
        Operation::RemoveFromGroup { user, group } => format!("{user} remove_from_group {group}"),
        Operation::ReassignIssues { user, to } => match to {
            Handover::Unassigned => format!("{user} reassign_issues unassigned"),
            Handover::ProjectLead => format!("{user} reassign_issues project_lead"),
            Handover::User(k) => format!("{user} reassign_issues user:{k}"),
        },
        other => other.to_string(),
    }
}

/// `kind [detail]` of a skip reason.
fn reason_line(reason: &SkipReason) -> String {
    let detail = match reason {
        SkipReason::ProtectedGroup { group }
        | SkipReason::RestrictedGroup { group }
        | SkipReason::NoSeat { group } => Some(group.to_string()),
        SkipReason::ReadOnlyDirectory { directory } => Some(directory.to_string()),
        SkipReason::Conflict { winner, .. } => Some(winner.label()),
        _ => None,
    };
    let kind = serde_json::to_value(reason).unwrap()["kind"]
        .as_str()
        .unwrap()
        .to_owned();
    match detail {
        Some(d) => format!("{kind} {d}"),
        None => kind,
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn context(doc: &Value) -> EvalContext {
    let mut ctx = EvalContext::default();
    let Some(c) = doc.get("context") else {
        return ctx;
    };
    if let Some(a) = c.get("actingAdmin").and_then(Value::as_str) {
        ctx.acting_admin = Some(UserKey::from(a));
    }
    if let Some(m) = c.get("auditDeactivations").and_then(Value::as_object) {
        ctx.audit_deactivations = m
            .iter()
            .map(|(k, t)| {
                (
                    UserKey::from(k.as_str()),
                    Millis::parse_rfc3339(t.as_str().unwrap()).unwrap(),
                )
            })
            .collect();
    }
    if let Some(bp) = c.get("previousNeverLoggedInBp").and_then(Value::as_u64) {
        ctx.previous_never_logged_in_bp = Some(u32::try_from(bp).unwrap());
    }
    if let Some(only) = c.get("only") {
        ctx.only = Some(strings(only).into_iter().map(PolicyId).collect());
    }
    ctx.preview = c.get("preview").and_then(Value::as_bool).unwrap_or(false);
    ctx
}

fn load(doc: &Value) -> (Config, DirectoryIndex, Millis) {
    let config = Config::from_value(doc["config"].clone()).expect("golden config is valid");
    let snapshot = serde_json::to_vec(&doc["snapshot"]).unwrap();
    let index = DirectoryIndex::from_snapshot_json(&snapshot).expect("golden snapshot is valid");
    let now = Millis::parse_rfc3339(doc["now"].as_str().unwrap()).unwrap();
    (config, index, now)
}

fn compare(
    failures: &mut Vec<String>,
    name: &str,
    what: &str,
    expected: Vec<String>,
    actual: Vec<String>,
) {
    if expected != actual {
        failures.push(format!(
            "{name}: {what}\n  expected: {expected:#?}\n  actual:   {actual:#?}"
        ));
    }
}

fn run_plan(name: &str, doc: &Value, failures: &mut Vec<String>) {
    let (config, index, now) = load(doc);
    let ctx = context(doc);
    let plan = evaluate(&config, &index, now, &ctx);
    let expect = &doc["expect"];
    let document = plan.document(&index);
    let mode = serde_json::to_value(plan.mode()).unwrap();
    compare(
        failures,
        name,
        "mode",
        vec![expect["mode"].as_str().unwrap().to_owned()],
        vec![mode.as_str().unwrap().to_owned()],
    );
    let status = match plan.status() {
        PlanStatus::Preview => "preview",
        PlanStatus::Ready => "ready",
        PlanStatus::NeedsApproval { .. } => "needs_approval",
        PlanStatus::Paused { .. } => "paused",
    };
    compare(
        failures,
        name,
        "status",
        vec![expect["status"].as_str().unwrap().to_owned()],
        vec![status.to_owned()],
    );
    let actions = plan.actions(&index);
    let ops: Vec<String> = actions.iter().map(|a| op_line(&a.operation)).collect();
    if let Some(expected) = expect.get("operations") {
        compare(failures, name, "operations", strings(expected), ops.clone());
    }
    if let Some(count) = expect.get("operationCount").and_then(Value::as_u64) {
        compare(
            failures,
            name,
            "operation count",
            vec![count.to_string()],
            vec![ops.len().to_string()],
        );
    }
    let skipped: Vec<String> = plan
        .skips(&index)
        .iter()
        .map(|s| format!("{} {} {}", s.user, s.source.label(), reason_line(&s.reason)))
        .collect();
    compare(
        failures,
        name,
        "skipped",
        strings(&expect["skipped"]),
        skipped,
    );
    if let Some(reasons) = expect.get("reasons").and_then(Value::as_object) {
        for (user, text) in reasons {
            let actual: Vec<String> = document
                .users
                .iter()
                .filter(|u| &u.user == user)
                .flat_map(|u| u.actions.iter().map(|a| a.because.clone()))
                .take(1)
                .collect();
            compare(
                failures,
                name,
                &format!("reason of {user}"),
                vec![text.as_str().unwrap().to_owned()],
                actual,
            );
        }
    }
    let kind_of = |v: Value, field: &str| v[field].as_str().unwrap_or_default().to_owned();
    let warnings: Vec<String> = plan
        .warnings
        .iter()
        .map(|w| kind_of(serde_json::to_value(w).unwrap(), "kind"))
        .collect();
    compare(
        failures,
        name,
        "warnings",
        strings(&expect["warnings"]),
        warnings,
    );
    let guard: Vec<String> = plan
        .guard
        .iter()
        .map(|g| kind_of(serde_json::to_value(g).unwrap(), "threshold"))
        .collect();
    compare(failures, name, "guard", strings(&expect["guard"]), guard);
    let health: Vec<String> = plan
        .health
        .iter()
        .map(|h| kind_of(serde_json::to_value(h).unwrap(), "kind"))
        .collect();
    compare(failures, name, "health", strings(&expect["health"]), health);
    if let Some(due) = expect.get("due") {
        let actual: Vec<String> = due_warnings(&config, &index, now, &ctx)
            .iter()
            .map(|w| format!("{}/{}/{}/{}", w.policy, w.user, w.cycle, w.acts_at))
            .collect();
        compare(failures, name, "due warnings", strings(due), actual);
    }
    // The document must serialise (what the CLI prints).
    serde_json::to_string(&document).unwrap();
}

fn run_login(name: &str, doc: &Value, failures: &mut Vec<String>) {
    let (config, index, now) = load(doc);
    let evaluator = LoginEvaluator::new(&config, &index, None);
    for login in doc["logins"].as_array().unwrap() {
        let username = login["user"].as_str().unwrap();
        let user = index
            .index_of_username(username)
            .expect("golden login user exists");
        let plan = evaluator.evaluate(&index, user, now);
        let document = evaluator.document(&index, &plan);
        let ops: Vec<String> = document
            .actions
            .iter()
            .map(|a| op_line(&a.operation))
            .collect();
        let skipped: Vec<String> = document
            .skipped
            .iter()
            .map(|s| {
                let policy = s.policy.as_ref().map_or("*".to_owned(), |p| p.to_string());
                format!("{policy} {}", reason_line(&s.reason))
            })
            .collect();
        let what = format!("login of {username}");
        compare(
            failures,
            name,
            &format!("{what}: operations"),
            strings(&login["expect"]["operations"]),
            ops,
        );
        compare(
            failures,
            name,
            &format!("{what}: skipped"),
            strings(&login["expect"]["skipped"]),
            skipped,
        );
    }
}

fn run_schedule(name: &str, doc: &Value, failures: &mut Vec<String>) {
    let schedule: Schedule = serde_json::from_value(doc["schedule"].clone()).unwrap();
    let compiled = schedule
        .compile(doc["defaultTimezone"].as_str().unwrap_or("UTC"))
        .unwrap();
    let mut at = Millis::parse_rfc3339(doc["after"].as_str().unwrap()).unwrap();
    let expected = strings(&doc["expect"]["runs"]);
    let mut actual = Vec::new();
    for _ in 0..expected.len() {
        match compiled.next_after(at) {
            Some(next) => {
                actual.push(next.to_string());
                at = next;
            }
            None => break,
        }
    }
    compare(failures, name, "runs", expected, actual);
}

#[test]
fn golden_scenarios_match() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 12,
        "expected the golden scenarios, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let doc: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let name = doc["name"].as_str().unwrap().to_owned();
        assert_eq!(
            file.file_stem().unwrap().to_str().unwrap(),
            name,
            "a golden file's name matches its file name"
        );
        match doc["kind"].as_str().unwrap() {
            "plan" => run_plan(&name, &doc, &mut failures),
            "login" => run_login(&name, &doc, &mut failures),
            "schedule" => run_schedule(&name, &doc, &mut failures),
            other => panic!("{name}: unknown kind `{other}`"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
