//! `seatwarden serve --snapshot FILE` (issue 24, "standalone preview on
//! real data"): the whole admin API over a loaded file, preview only.
//! Policies are written and previewed; every applying route answers the
//! typed `preview_only` error and changes nothing; the folder is a preview
//! folder for good (never served as a real one, and a real one is never
//! used for a preview).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/server.rs"]
mod server;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use server::{Server, binary};

/// A users export (the Users tab's Export columns): 8 users idle since
/// 2020, 4 seen two days ago.
fn users_csv(dir: &Path) -> std::path::PathBuf {
    let mut csv =
        String::from("key,username,display name,email,directory,active,last login,groups\n");
    for i in 0..8 {
        csv.push_str(&format!(
            "K-old{i},old{i},Old {i},old{i}@example.test,LDAP,true,2020-01-01T00:00:00Z,staff\n"
        ));
    }
    // Seen two days ago (a date after "now" is refused as the file's error).
    let recent = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 2 * 86_400;
    for i in 0..4 {
        csv.push_str(&format!(
            "K-new{i},new{i},New {i},new{i}@example.test,LDAP,true,{},staff\n",
            seatwarden_core::Millis(i64::try_from(recent).unwrap() * 1000).date_string()
        ));
    }
    let path = dir.join("users.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

/// Runs `serve` expecting a refusal; its standard error.
fn refused(data: &Path, extra: &[&str]) -> String {
    let mut child = Command::new(binary())
        .arg("serve")
        .arg("--data")
        .arg(data)
        .args(["--port", "0", "--ui-dir", "/nonexistent"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("serve did not refuse to start");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_snapshot_server_previews_policies_and_refuses_every_apply() {
    let dir = tempfile::tempdir().unwrap();
    let csv = users_csv(dir.path());
    let data = dir.path().join("preview");
    let csv_arg = csv.to_str().unwrap();
    let mut s = Server::start(&data, &["--snapshot", csv_arg, "--ui-dir", "/nonexistent"]);
    let session = s.sign_in();
    let me = s.call(&session, "GET", "/api/me", None).json();
    assert_eq!(me["previewOnly"], true, "{me}");
    let users = s.call(&session, "GET", "/api/users", None).json();
    assert_eq!(users["total"], 12, "{users}");
    // The load at start is audited: the kind, counts and file name, never a user (issue 24).
    let loads = s
        .call(&session, "GET", "/api/audit?action=directory_loaded", None)
        .json();
    let loads = loads["entries"].as_array().unwrap();
    assert_eq!(loads.len(), 1, "{loads:?}");
    assert_eq!(
        loads[0]["description"],
        "Loaded 12 users and 1 group from a Seatwarden users export (`users.csv`, at start)"
    );
    assert_eq!(loads[0]["actor"]["kind"], "automation", "{loads:?}");

    let created = s.create_policy(
        &session,
        json!({"name": "Idle", "mode": "live", "condition": {"kind": "inactive", "days": 90},
               "action": {"kind": "deactivate"}}),
    );
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["policy"]["id"].as_str().unwrap().to_owned();
    let preview = s.call(
        &session,
        "POST",
        &format!("/api/policies/{id}/preview"),
        None,
    );
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert_eq!(preview.json()["document"]["totals"]["users"], 8);

    let run = s.call(&session, "POST", &format!("/api/policies/{id}/run"), None);
    assert_eq!(run.status, 409, "{}", run.text());
    assert_eq!(run.kind(), "preview_only");
    let bulk = s.call(
        &session,
        "POST",
        "/api/bulk/plan",
        Some(json!({"action": "deactivate", "keys": ["K-old0"]})),
    );
    assert_eq!(
        bulk.status,
        200,
        "a bulk plan is a preview: {}",
        bulk.text()
    );
    let plan = bulk.json();
    let apply = s.call(
        &session,
        "POST",
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
    );
    assert_eq!(apply.status, 409, "{}", apply.text());
    let active = s.call(&session, "GET", "/api/users", None).json();
    assert_eq!(active["rows"][0]["active"], true, "{active}");
    assert!(s.terminate().success());

    // The folder is a preview folder: never started as a real one.
    let err = refused(&data, &[]);
    assert!(err.contains("is a preview folder"), "{err}");
}

#[test]
fn a_folder_holding_a_real_directory_is_never_used_for_a_preview() {
    let dir = tempfile::tempdir().unwrap();
    let csv = users_csv(dir.path());
    let data = dir.path().join("real");
    let mut s = Server::start(
        &data,
        &["--demo", "--users", "30", "--ui-dir", "/nonexistent"],
    );
    assert!(s.terminate().success());
    let err = refused(&data, &["--snapshot", csv.to_str().unwrap()]);
    assert!(err.contains("needs a folder of its own"), "{err}");
    // A bad file is refused before any folder is touched.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "email,active\na@example.test,true\n").unwrap();
    let fresh = dir.path().join("fresh");
    let err = refused(&fresh, &["--snapshot", bad.to_str().unwrap()]);
    assert!(err.contains("neither a key nor a username column"), "{err}");
    assert!(!fresh.exists(), "the folder was created for a refused file");
}
