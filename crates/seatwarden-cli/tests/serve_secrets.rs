//! The SMTP password at rest in `seatwarden serve` (issue 18): sealed in
//! `store.db` with a key kept apart from it (`secret.key`, 0600, or
//! `SEATWARDEN_SECRET_KEY`); a wrong key stops the start with the reason;
//! `--forget-smtp-password` is the way out.
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
use server::Server;

const PASSWORD: &str = "Sealed-at-rest-42";

fn mail(server: &Server, session: &server::Session) -> serde_json::Value {
    let r = server.call(session, "GET", "/api/settings/mail", None);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

/// Every byte SQLite holds for the store (the database and its WAL).
fn store_bytes(data: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["store.db", "store.db-wal"] {
        if let Ok(bytes) = std::fs::read(data.join(name)) {
            all.extend(bytes);
        }
    }
    all
}

/// Runs `serve` expecting it to refuse to start; its stderr.
fn refused_start(data: &Path, env_key: &str) -> String {
    let mut child = Command::new(server::binary())
        .args(["serve", "--port", "0", "--data"])
        .arg(data)
        .env("SEATWARDEN_SECRET_KEY", env_key)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve started with a key that does not open the stored password");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_stored_password_is_sealed_and_a_wrong_key_is_a_start_up_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut first = Server::start(
        &data,
        &["--demo", "--users", "20", "--ui-dir", "/nonexistent"],
    );
    let session = first.sign_in();
    let version = mail(&first, &session)["configVersion"].clone();
    let body = json!({"source": "own", "host": "smtp.corp.example", "port": 587,
                      "security": "start_tls", "username": "mailer", "password": PASSWORD,
                      "from": "sw@example.test", "configVersion": version});
    let r = first.call(&session, "PUT", "/api/settings/mail", Some(body));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(first.terminate().success());

    let key = data.join("secret.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let stored = store_bytes(&data);
    assert!(!stored.is_empty());
    assert!(
        !stored
            .windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes()),
        "the password is in store.db in plain text"
    );

    // Another key: the start stops and says why; nothing is changed.
    let wrong = "ab".repeat(32);
    let message = refused_start(&data, &wrong);
    assert!(
        message.contains("does not open with this secret key"),
        "{message}"
    );
    assert!(message.contains("--forget-smtp-password"), "{message}");
    assert!(!message.contains(PASSWORD));

    // The folder's own key opens it again.
    let mut again = Server::start(&data, &["--ui-dir", "/nonexistent"]);
    let session = again.sign_in();
    assert_eq!(mail(&again, &session)["mail"]["password_set"], json!(true));
    assert!(again.terminate().success());

    // The key is lost (a new one is made at the next start): without the
    // way out the start is refused, with it only the password goes.
    std::fs::remove_file(&key).unwrap();
    let mut recovered = Server::start(
        &data,
        &["--ui-dir", "/nonexistent", "--forget-smtp-password"],
    );
    let session = recovered.sign_in();
    let shown = mail(&recovered, &session);
    assert_eq!(shown["mail"]["password_set"], json!(false), "{shown}");
    assert_eq!(shown["mail"]["host"], json!("smtp.corp.example"), "{shown}");
    assert!(recovered.terminate().success());
}
