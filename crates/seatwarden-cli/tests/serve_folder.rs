//! The data folder under faults (issue 18, items 3, 4, 7, 8): one server
//! per folder, never a silent reset of a lost or damaged database, a
//! stable node id, private permissions, and `seatwarden backup`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/server.rs"]
mod server;

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use server::{Server, binary};

const ARGS: &[&str] = &["--demo", "--users", "60", "--ui-dir", "/nonexistent"];

/// Runs `seatwarden serve` expecting it to refuse to start: waits (with a
/// deadline) for it to exit; kills it and fails if it keeps running.
fn refused_start(data: &Path) -> Output {
    let mut child = Command::new(binary())
        .arg("serve")
        .arg("--data")
        .arg(data)
        .args(["--port", "0"])
        .args(ARGS)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "serve did not refuse to start: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Starts a server, saves a policy (so the store holds data), stops it.
fn folder_with_data(data: &Path) {
    let mut s = Server::start(data, ARGS);
    let session = s.sign_in();
    let r = s.create_policy(
        &session,
        json!({"name": "Idle", "mode": "safe", "condition": {"kind": "inactive", "days": 90},
                    "action": {"kind": "deactivate"}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert!(s.terminate().success());
}

fn truncate(path: &Path) {
    std::fs::File::create(path).unwrap();
    for companion in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(companion);
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn a_second_server_on_the_same_folder_is_refused_with_a_clear_message() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let first = Server::start(&data, ARGS);
    let out = refused_start(&data);
    let message = stderr(&out);
    assert!(
        message.contains("in use by another seatwarden server"),
        "{message}"
    );
    assert!(message.contains(&first.pid().to_string()), "{message}");
    // The first server is untouched and still answers.
    let session = first.sign_in();
    assert_eq!(first.call(&session, "GET", "/api/users", None).status, 200);
}

#[test]
fn a_truncated_store_is_refused_and_left_as_it_was() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    folder_with_data(&data);
    let store = data.join("store.db");
    truncate(&store);
    let message = stderr(&refused_start(&data));
    assert!(message.contains("store.db"), "{message}");
    assert!(message.contains("missing or empty"), "{message}");
    assert!(message.contains("seatwarden backup"), "{message}");
    assert_eq!(
        std::fs::metadata(&store).unwrap().len(),
        0,
        "nothing was written"
    );
}

#[test]
fn a_truncated_directory_is_not_reseeded_by_demo() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    folder_with_data(&data);
    let directory = data.join("directory.db");
    truncate(&directory);
    let message = stderr(&refused_start(&data));
    assert!(message.contains("directory.db"), "{message}");
    assert!(message.contains("seeded afresh"), "{message}");
    assert_eq!(std::fs::metadata(&directory).unwrap().len(), 0);
}

#[test]
fn garbage_in_the_middle_of_a_database_is_found_at_start() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    folder_with_data(&data);
    let directory = data.join("directory.db");
    let len = std::fs::metadata(&directory).unwrap().len();
    assert!(len > 64 * 1024, "the demo directory is large enough: {len}");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&directory)
        .unwrap();
    file.seek(SeekFrom::Start(len / 2 / 4096 * 4096)).unwrap();
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    file.write_all(&garbage).unwrap();
    drop(file);
    let message = stderr(&refused_start(&data));
    assert!(message.contains("directory.db"), "{message}");
    assert!(message.contains("damaged"), "{message}");
}

#[test]
fn the_node_id_survives_a_restart_and_the_folder_is_private() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let node_line = |s: &Server| {
        s.lines
            .lock()
            .unwrap()
            .iter()
            .find_map(|l| l.strip_prefix("Node id: ").map(str::to_owned))
            .unwrap()
    };
    let mut first = Server::start(&data, ARGS);
    let id = node_line(&first);
    assert!(first.terminate().success());
    let second = Server::start(&data, ARGS);
    assert_eq!(node_line(&second), id);
    assert_eq!(
        std::fs::read_to_string(data.join("node-id"))
            .unwrap()
            .trim(),
        id
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        for entry in std::fs::read_dir(&data).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
}

#[test]
fn a_backup_taken_while_serving_starts_a_server_with_the_same_data() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let copy = root.path().join("copy");
    let live = Server::start(&data, ARGS);
    let session = live.sign_in();
    let r = live.create_policy(
        &session,
        json!({"name": "Kept", "mode": "safe", "condition": {"kind": "inactive", "days": 90},
                    "action": {"kind": "deactivate"}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let out = Command::new(binary())
        .args(["backup", "--data"])
        .arg(&data)
        .arg("--to")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // A second backup into the same, now non-empty, folder is refused.
    let again = Command::new(binary())
        .args(["backup", "--data"])
        .arg(&data)
        .arg("--to")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{again:?}");

    let restored = Server::start(&copy, &["--ui-dir", "/nonexistent"]);
    let s2 = restored.sign_in();
    let policies = restored.call(&s2, "GET", "/api/policies", None);
    assert_eq!(policies.status, 200);
    assert!(policies.text().contains("Kept"), "{}", policies.text());
    let users = restored.call(&s2, "GET", "/api/users", None);
    assert_eq!(users.json()["total"], json!(60), "{}", users.text());
}
