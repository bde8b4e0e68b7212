//! The CLI's output writes fail loudly (issue 18 hardening): a final write
//! that does not reach the file is an error, never "wrote N user(s)".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

#[test]
#[cfg(target_os = "linux")]
fn a_failed_final_write_of_an_atlassian_import_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("export.csv");
    std::fs::write(
        &csv,
        "User id,User name,email,User status,Added to org\r\n\
         u1,Ann,ann@example.test,Active,2024-01-02\r\n\
         u2,Bob,bob@example.test,Inactive,2024-01-03\r\n",
    )
    .unwrap();
    let ok = Command::new(env!("CARGO_BIN_EXE_seatwarden"))
        .args(["import-atlassian-export", "--csv"])
        .arg(&csv)
        .arg("--out")
        .arg(dir.path().join("snap.json"))
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    // /dev/full accepts the open and fails every write with ENOSPC: the
    // small snapshot sits in the buffer until the flush.
    let full = Command::new(env!("CARGO_BIN_EXE_seatwarden"))
        .args(["import-atlassian-export", "--csv"])
        .arg(&csv)
        .args(["--out", "/dev/full"])
        .output()
        .unwrap();
    assert!(!full.status.success(), "{full:?}");
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert!(stderr.contains("/dev/full"), "{stderr}");
    assert!(!stderr.contains("wrote"), "{stderr}");
    assert!(!stderr.contains("invalid JSON"), "{stderr}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_stdout_is_one_error_line_and_a_closed_one_ends_quietly() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_seatwarden"))
        .args(["import-users", "--template"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    // A reader that stops early (`| head -c 100`): the rest of a large
    // output finds the pipe closed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_seatwarden"))
        .args(["demo-data", "--users", "3000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?} {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
