//! The end-to-end story over HTTP against the real server: sign in,
//! create a deactivation policy in safe mode, run it, read the preview with
//! reasons, switch it to live, run it, watch progress to completion, read
//! the audit entries, revert, and find the directory as it was.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/server.rs"]
mod server;

#[path = "serve_support/flow.rs"]
mod flow;

use flow::{all_audit, users, wait_for};
use seatwarden_core::snapshot::SnapshotUser;
use serde_json::{Value, json};
use server::Server;

#[test]
fn safe_then_live_then_revert_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ui = dir.path().join("ui");
    let server = Server::start(
        &data,
        &[
            "--demo",
            "--users",
            "400",
            "--ui-dir",
            ui.to_str().unwrap(),
            "--tick-seconds",
            "3600",
        ],
    );
    let session = server.sign_in();
    let original = users(&data);
    assert_eq!(original.len(), 400);

    // The directories the Users tab filters by: every user in one of them,
    // the demo's LDAP directory read-only.
    let r = server.call(&session, "GET", "/api/directories", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let dirs = r.json()["directories"].as_array().unwrap().clone();
    let total: u64 = dirs.iter().map(|d| d["users"].as_u64().unwrap()).sum();
    assert_eq!(total, 400, "{dirs:?}");
    for d in &dirs {
        let counted = original
            .iter()
            .filter(|u| Some(u.directory_id) == d["id"].as_i64())
            .count() as u64;
        assert_eq!(d["users"].as_u64(), Some(counted), "{d}");
        assert_eq!(
            d["readOnly"],
            json!(!d["capabilities"]["updateUser"].as_bool().unwrap())
        );
    }
    assert!(
        dirs.iter()
            .any(|d| d["kind"] == json!("ldap") && d["readOnly"] == json!(true)),
        "{dirs:?}"
    );

    // Create in safe mode (the default).
    let policy = json!({
        "name": "Idle 60 days",
        "trigger": {"kind": "scheduler"},
        "condition": {"kind": "inactive", "days": 60},
        "action": {"kind": "deactivate"}
    });
    let r = server.create_policy(&session, policy.clone());
    assert_eq!(r.status, 201, "{}", r.text());
    let created = r.json();
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["policy"]["mode"], "safe");
    let version = created["configVersion"].as_u64().unwrap();

    // Run it: a preview, with reasons, and nothing changed.
    let r = server.call(&session, "POST", &format!("/api/policies/{id}/run"), None);
    assert_eq!(r.status, 202, "{}", r.text());
    let preview_run = r.json()["runId"].as_i64().unwrap();
    wait_for(&server, &session, preview_run);
    let run = server
        .call(&session, "GET", &format!("/api/runs/{preview_run}"), None)
        .json();
    assert_eq!(run["run"]["status"], "previewed", "{run}");
    let actions = server
        .call(
            &session,
            "GET",
            &format!("/api/runs/{preview_run}/actions?limit=1000"),
            None,
        )
        .json();
    let listed = actions["actions"].as_array().unwrap();
    assert!(
        !listed.is_empty(),
        "the demo organisation has idle users: {actions}"
    );
    for a in listed {
        assert!(
            !a["action"]["reason"].as_str().unwrap_or("").is_empty(),
            "{a}"
        );
        assert!(a["outcome"].is_null(), "{a}");
    }
    let planned: Vec<String> = listed
        .iter()
        .map(|a| a["action"]["user"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        users(&data),
        original,
        "a safe-mode run changed the directory"
    );

    // Switch to live and run.
    let mut live = policy;
    live["mode"] = json!("live");
    live["configVersion"] = json!(version);
    let r = server.call(&session, "PUT", &format!("/api/policies/{id}"), Some(live));
    assert_eq!(r.status, 200, "{}", r.text());
    let r = server.call(&session, "POST", &format!("/api/policies/{id}/run"), None);
    assert_eq!(r.status, 202, "{}", r.text());
    let live_run = r.json()["runId"].as_i64().unwrap();
    let progress = wait_for(&server, &session, live_run);
    assert_eq!(progress["done"], progress["total"], "{progress}");
    let run = server
        .call(&session, "GET", &format!("/api/runs/{live_run}"), None)
        .json();
    let status = run["run"]["status"].as_str().unwrap().to_owned();
    assert!(
        status == "succeeded" || status == "partially_failed",
        "{run}"
    );

    // The directory changed exactly for the planned users that could change.
    let after = users(&data);
    let deactivated: Vec<&SnapshotUser> = after
        .iter()
        .zip(&original)
        .filter(|(a, o)| o.active && !a.active)
        .map(|(a, _)| a)
        .collect();
    assert!(!deactivated.is_empty());
    for u in &deactivated {
        assert!(planned.contains(&u.key), "{} was not planned", u.key);
        assert!(u.deactivated_at.is_some());
    }

    // Audit entries for the run, one per landed action.
    let entries = all_audit(&server, &session, &format!("run={live_run}"));
    let succeeded: Vec<&Value> = entries
        .iter()
        .filter(|e| e["status"] == "success")
        .collect();
    assert_eq!(succeeded.len(), deactivated.len(), "{entries:?}");

    // Revert: preview the inverse plan, apply it by hash, wait.
    let plan = server.call(
        &session,
        "POST",
        &format!("/api/runs/{live_run}/revert/plan"),
        None,
    );
    assert_eq!(plan.status, 200, "{}", plan.text());
    let hash = plan.json()["planHash"].clone();
    let r = server.call(
        &session,
        "POST",
        &format!("/api/runs/{live_run}/revert"),
        Some(json!({"planHash": hash})),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    let revert_run = r.json()["runId"].as_i64().unwrap();
    wait_for(&server, &session, revert_run);
    assert_eq!(
        users(&data),
        original,
        "the revert did not restore the directory"
    );
    let run = server
        .call(&session, "GET", &format!("/api/runs/{live_run}"), None)
        .json();
    assert_eq!(run["run"]["status"], "reverted", "{run}");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn demo_logins_reach_the_directory_and_the_login_policies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ui = dir.path().join("ui");
    let server = Server::start(
        &data,
        &[
            "--demo",
            "--users",
            "200",
            "--ui-dir",
            ui.to_str().unwrap(),
            "--tick-seconds",
            "3600",
        ],
    );
    let session = server.sign_in();
    let before = users(&data);
    let someone = before.iter().find(|u| u.active).unwrap();
    let at = now_ms() - 60_000;
    let r = server.call(
        &session,
        "POST",
        "/api/demo/logins",
        Some(json!({"usernames": [someone.username, "no-such-user"], "at": at})),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let logins = r.json()["logins"].as_array().unwrap().clone();
    assert_eq!(logins[0]["recorded"], true);
    assert_eq!(logins[1]["recorded"], false);
    let after = users(&data);
    let me = after.iter().find(|u| u.key == someone.key).unwrap();
    assert_eq!(me.last_login, Some(at));

    // The CLI records logins in the same folder while the server runs.
    drop(server);
    let other = before.iter().filter(|u| u.active).nth(1).unwrap();
    let started = now_ms();
    let out = std::process::Command::new(server::binary())
        .args([
            "simulate-logins",
            "--data",
            data.to_str().unwrap(),
            "--users",
            &other.username,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(lines.contains("\"recorded\":true"), "{lines}");
    let after = users(&data);
    let them = after.iter().find(|u| u.key == other.key).unwrap();
    let stamped = them.last_login.unwrap();
    assert!(stamped >= started && stamped <= now_ms(), "{stamped}");
}
