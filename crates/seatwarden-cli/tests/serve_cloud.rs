//! `seatwarden serve` on the Cloud connector (issue 20): `--demo --cloud`
//! on the fake Atlassian Cloud end to end through the admin API (managed and
//! external accounts as two directories, a live deactivation policy held by
//! the guard, approved, deactivating idle managed accounts only, audited),
//! and `--cloud-connection FILE` (its file's permissions, its credentials
//! checked before start, never echoed), and the server's own connection
//! keeper switching organizations on a saved connection.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/flow.rs"]
mod flow;
#[path = "serve_support/server.rs"]
mod server;

use flow::{all_audit, wait_for};
use serde_json::{Value, json};
use server::Server;

#[test]
fn the_cloud_demo_runs_a_live_policy_on_managed_accounts_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("data"),
        &[
            "--demo",
            "--cloud",
            "--users",
            "300",
            "--ui-dir",
            "/nonexistent",
        ],
    );
    assert!(
        server
            .lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("Cloud: connected to org")),
        "{:?}",
        server.lines.lock().unwrap()
    );
    let session = server.sign_in();

    let r = server.call(&session, "GET", "/api/directories", None);
    assert_eq!(r.status, 200, "{}", r.text());
    let dirs = r.json()["directories"].as_array().unwrap().clone();
    let by_name = |name: &str| {
        dirs.iter()
            .find(|d| d["name"] == json!(name))
            .unwrap()
            .clone()
    };
    let (managed, external) = (by_name("Managed accounts"), by_name("External accounts"));
    assert_eq!(managed["readOnly"], json!(false), "{managed}");
    assert_eq!(external["readOnly"], json!(true), "{external}");
    let total = managed["users"].as_u64().unwrap() + external["users"].as_u64().unwrap();
    assert_eq!(total, 300, "{dirs:?}");
    assert!(external["users"].as_u64().unwrap() > 0);

    let policy = json!({
        "name": "Idle 90 days",
        "mode": "live",
        "trigger": {"kind": "scheduler"},
        "condition": {"kind": "inactive", "days": 90},
        "action": {"kind": "deactivate"}
    });
    let r = server.create_policy(&session, policy);
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["policy"]["id"].as_str().unwrap().to_owned();
    let r = server.call(&session, "POST", &format!("/api/policies/{id}/run"), None);
    assert_eq!(r.status, 202, "{}", r.text());
    let run_id = r.json()["runId"].as_i64().unwrap();
    // Most of a demo organization is idle: the mass-change guard holds the
    // plan until the admin approves that exact plan.
    let started = std::time::Instant::now();
    loop {
        let p = server
            .call(
                &session,
                "GET",
                &format!("/api/runs/{run_id}/progress"),
                None,
            )
            .json();
        if p["status"] == json!("awaiting_approval") {
            break;
        }
        assert_ne!(p["phase"], json!("done"), "the guard did not hold: {p}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "{p}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let held = server
        .call(&session, "GET", &format!("/api/runs/{run_id}"), None)
        .json();
    let hash = held["plan"]["hash"].clone();
    assert!(hash.is_string(), "{held}");
    // External accounts matched the rule and were skipped by the plan with
    // their own typed reason: the organization does not manage them.
    let skipped = held["plan"]["skipped"].as_array().unwrap();
    let external: Vec<&Value> = skipped
        .iter()
        .filter(|s| s["reason"]["kind"] == json!("external_account"))
        .collect();
    assert!(!external.is_empty(), "{held}");
    for s in &external {
        assert!(
            s["username"]
                .as_str()
                .unwrap()
                .ends_with("@partner.example"),
            "{s}"
        );
        assert_eq!(
            s["because"],
            json!("external account (not managed by your organization): can only be suspended"),
            "{s}"
        );
    }
    assert!(
        !skipped
            .iter()
            .any(|s| s["reason"]["kind"] == json!("read_only_directory")),
        "{held}"
    );
    let r = server.call(
        &session,
        "POST",
        &format!("/api/runs/{run_id}/approve"),
        Some(json!({ "planHash": hash })),
    );
    assert_eq!(r.status, 202, "{}", r.text());
    wait_for(&server, &session, run_id);
    let run = server
        .call(&session, "GET", &format!("/api/runs/{run_id}"), None)
        .json();
    assert_eq!(run["run"]["status"], "succeeded", "{run}");
    let succeeded = run["run"]["counts"]["succeeded"].as_u64().unwrap();
    assert!(succeeded > 0, "{run}");
    assert_eq!(run["run"]["counts"]["failed"], json!(0), "{run}");

    // Every deactivation is of a managed account, and audited once.
    let actions = server
        .call(
            &session,
            "GET",
            &format!("/api/runs/{run_id}/actions?limit=1000"),
            None,
        )
        .json();
    // The demo's managed accounts are on the organization's domain.
    let mut deactivated = 0;
    for a in actions["actions"].as_array().unwrap() {
        if a["outcome"]["status"] == json!("succeeded") {
            deactivated += 1;
            let username = a["action"]["username"].as_str().unwrap_or_default();
            assert!(username.ends_with("@acme.example"), "{a}");
        }
    }
    assert_eq!(deactivated, succeeded, "{actions}");
    let audited = all_audit(&server, &session, &format!("run={run_id}"));
    assert!(audited.len() as u64 >= succeeded, "{}", audited.len());
}

#[test]
fn cloud_without_demo_is_refused_with_the_way_forward() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(server::binary())
        .args(["serve", "--cloud", "--port", "0", "--data"])
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("`--cloud` needs `--demo`"), "{text}");
}

fn connection_file(
    dir: &std::path::Path,
    fields: serde_json::Value,
    mode: u32,
) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("cloud.json");
    std::fs::write(&path, fields.to_string()).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// A fake Atlassian Cloud in the test process, over `users` generated users.
fn fake_org(users: usize) -> seatwarden_cloud::fake::FakeCloud {
    use seatwarden_cloud::fake::{self, Credentials, FakeCloud};
    FakeCloud::start(
        fake::generate(users, 7, 1_795_226_400_000),
        Credentials::default(),
    )
    .unwrap()
}

fn fields(fake: &seatwarden_cloud::fake::FakeCloud, api_key: &str) -> serde_json::Value {
    json!({
        "orgId": fake.config().org_id,
        "apiKey": api_key,
        "siteUrl": fake.base_url(),
        "siteEmail": fake.config().site_email,
        "siteToken": "fake-site-token",
        "apiBase": fake.base_url()
    })
}

/// `seatwarden serve` on the connection `file`, data under `dir`.
fn serve_on(dir: &std::path::Path, file: &std::path::Path) -> Server {
    Server::start(
        &dir.join("data"),
        &[
            "--cloud-connection",
            file.to_str().unwrap(),
            "--ui-dir",
            "/nonexistent",
        ],
    )
}

#[test]
fn a_connection_file_reaches_the_organization_it_names() {
    let fake = fake_org(120);
    let dir = tempfile::tempdir().unwrap();
    let file = connection_file(dir.path(), fields(&fake, "fake-org-api-key"), 0o600);
    let server = serve_on(dir.path(), &file);
    let session = server.sign_in();
    assert_eq!(directory_total(&server, &session), 120);
    assert!(fake.writes().is_empty(), "reading wrote nothing");
}

#[test]
fn a_connection_file_others_can_read_or_a_refused_key_stops_the_start() {
    let fake = fake_org(10);
    let dir = tempfile::tempdir().unwrap();
    let start = |file: &std::path::Path| {
        std::process::Command::new(server::binary())
            .args(["serve", "--port", "0", "--ui-dir", "/nonexistent", "--data"])
            .arg(dir.path().join("data"))
            .arg("--cloud-connection")
            .arg(file)
            .output()
            .unwrap()
    };
    let open = connection_file(dir.path(), fields(&fake, "fake-org-api-key"), 0o644);
    let out = start(&open);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("chmod 600"), "{text}");
    assert_eq!(fake.requests(), 0, "refused before any request");

    let wrong = connection_file(dir.path(), fields(&fake, "wrong-key-value"), 0o600);
    let out = start(&wrong);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("the organization API key was refused (401"),
        "{text}"
    );
    assert!(
        !text.contains("wrong-key-value"),
        "never the secret: {text}"
    );
    assert!(fake.write_attempts().is_empty());
}

/// `api.atlassian.com` for two fake organizations: one admin API base for
/// every organization, as Atlassian's is. Each connection goes to the fake
/// whose organization its first request names (`/orgs/{orgId}/…`); a
/// connector's requests all name its own organization, so one connection
/// never carries two.
fn admin_api_for(orgs: Vec<(String, std::net::SocketAddr)>) -> String {
    use std::io::Read as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let orgs = orgs.clone();
            std::thread::spawn(move || {
                // The request line arrives first; read up to its end.
                let mut head = Vec::new();
                let mut byte = [0_u8; 1];
                while !head.ends_with(b"\r\n") && head.len() < 8192 {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let line = String::from_utf8_lossy(&head).into_owned();
                let Some((_, upstream)) = orgs
                    .iter()
                    .find(|(org, _)| line.contains(&format!("/orgs/{org}")))
                else {
                    return;
                };
                let Ok(mut server) = std::net::TcpStream::connect(upstream) else {
                    return;
                };
                use std::io::Write as _;
                if server.write_all(&head).is_err() {
                    return;
                }
                let (Ok(mut from_client), Ok(mut to_client)) =
                    (client.try_clone(), server.try_clone())
                else {
                    return;
                };
                let up = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut from_client, &mut server);
                    let _ = server.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut to_client, &mut client);
                let _ = client.shutdown(std::net::Shutdown::Both);
                let _ = up.join();
            });
        }
    });
    format!("http://{address}")
}

fn named_org(users: usize, org_id: &str) -> seatwarden_cloud::fake::FakeCloud {
    use seatwarden_cloud::fake::{self, Credentials, FakeCloud};
    let mut org = fake::generate(users, 7, 1_795_226_400_000);
    org.org_id = org_id.to_owned();
    org.name = format!("Org {org_id}");
    FakeCloud::start(org, Credentials::default()).unwrap()
}

fn directory_total(server: &Server, session: &server::Session) -> u64 {
    let dirs = server.call(session, "GET", "/api/directories", None).json();
    dirs["directories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["users"].as_u64().unwrap())
        .sum()
}

/// The keeper `seatwarden serve` itself runs: org a connected from its
/// file, a connection to org b saved through the admin API, and the server
/// answers with org b's index, without a restart, having written nothing.
#[test]
fn the_servers_keeper_switches_to_a_saved_organization() {
    let a = named_org(120, "org-a");
    let b = named_org(75, "org-b");
    let api = admin_api_for(vec![
        (
            "org-a".to_owned(),
            a.base_url().trim_start_matches("http://").parse().unwrap(),
        ),
        (
            "org-b".to_owned(),
            b.base_url().trim_start_matches("http://").parse().unwrap(),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut on_a = fields(&a, "fake-org-api-key");
    on_a["apiBase"] = json!(api);
    let file = connection_file(dir.path(), on_a, 0o600);
    let server = serve_on(dir.path(), &file);
    let session = server.sign_in();
    assert_eq!(directory_total(&server, &session), 120);
    let b_reads_before = b.requests();

    let r = server.call(
        &session,
        "PUT",
        "/api/cloud/connection",
        Some(json!({
            "orgId": "org-b",
            "apiKey": "fake-org-api-key",
            "siteUrl": b.base_url(),
            "siteEmail": b.config().site_email,
            "siteToken": "fake-site-token"
        })),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["orgId"], "org-b", "{}", r.text());
    assert_eq!(
        directory_total(&server, &session),
        75,
        "the index is org b's"
    );
    assert!(b.requests() > b_reads_before, "org b was read");
    let view = server
        .call(&session, "GET", "/api/cloud/connection", None)
        .json();
    assert_eq!(view["orgId"], "org-b", "{view}");
    // The saved file names org b: a restart stays on it.
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("org-b"), "the file was saved");
    assert!(a.writes().is_empty() && b.writes().is_empty());
}
