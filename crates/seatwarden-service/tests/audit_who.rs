//! Issue 24 item 7, "Audit shows who": an admin's entry names them by
//! username and key with the client's address, the automation account's
//! change is audited, and configuration changes say old → new per field
//! (a password only ever "changed").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_service::Service;
use seatwarden_service::api::Method;

fn version(service: &Service) -> Value {
    call(service, Method::Get, "/api/settings", None, DAY0).1["configVersion"].clone()
}

/// The newest audit entries with `action`, as the API answers them.
fn audit(service: &Service, action: &str) -> Vec<Value> {
    let (status, page) = call(
        service,
        Method::Get,
        &format!("/api/audit?action={action}"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{page}");
    page["entries"].as_array().cloned().unwrap_or_default()
}

/// Saves settings protecting `staff`, with automation acting as `account`.
fn protect_staff_acting_as(service: &Service, account: &str) {
    let (status, body) = call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version(service),
            "settings": {"protectedGroups": ["jira-administrators", "staff"]},
            "automationAccount": account})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn a_settings_change_names_the_admin_the_address_and_old_and_new_values() {
    let f = fixture(1, 1, 0);
    protect_staff_acting_as(&f.service, "K-admin");
    let entries = audit(&f.service, "settings_changed");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(
        e["actor"],
        json!({"kind": "user", "key": "K-admin", "name": "admin"})
    );
    assert_eq!(e["clientIp"], json!("127.0.0.1"));
    let text = e["description"].as_str().unwrap();
    assert!(
        text.contains("protectedGroups[1]: (none) → \"staff\""),
        "{text}"
    );
    assert!(
        text.contains("automation account: (none) → admin (K-admin)"),
        "{text}"
    );

    // Changing only the account is audited too, old and new named.
    protect_staff_acting_as(&f.service, "K-idle0000");
    let entries = audit(&f.service, "settings_changed");
    assert_eq!(entries.len(), 2, "{entries:?}");
    let newest = entries
        .iter()
        .map(|e| e["description"].as_str().unwrap().to_owned())
        .find(|d| d.contains("idle0000"))
        .expect("the account change is audited");
    assert!(
        newest.contains("automation account: admin (K-admin) → idle0000 (K-idle0000)"),
        "{newest}"
    );
}

#[test]
fn a_mail_password_change_is_audited_as_changed_and_never_written() {
    let f = fixture(1, 1, 0);
    let own = |password: &str, from: &str, v: Value| {
        json!({"source": "own", "host": "smtp.corp.example", "port": 587,
               "security": "start_tls", "username": "mailer", "password": password,
               "from": from, "configVersion": v})
    };
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(own("Old-S3cret!", "sw@example.test", version(&f.service))),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings/mail",
        Some(own(
            "New-S3cret!",
            "alerts@example.test",
            version(&f.service),
        )),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    let entries = audit(&f.service, "settings_changed");
    assert_eq!(entries.len(), 2, "{entries:?}");
    let all = serde_json::to_string(&entries).unwrap();
    assert!(!all.contains("S3cret"), "a password reached the log: {all}");
    let second = entries
        .iter()
        .map(|e| e["description"].as_str().unwrap().to_owned())
        .find(|d| d.contains("alerts@"))
        .expect("the second change is audited");
    assert!(
        second.contains("from: \"sw@example.test\" → \"alerts@example.test\""),
        "{second}"
    );
    assert!(second.contains("password changed"), "{second}");
}

#[test]
fn a_policy_change_records_old_and_new_values() {
    let f = fixture(1, 1, 0);
    let (id, _) = create_policy(&f.service, deactivation_policy("Idle", false), DAY0);
    let (_, policy) = call(
        &f.service,
        Method::Get,
        &format!("/api/policies/{id}"),
        None,
        DAY0,
    );
    let mut body = policy["policy"].clone();
    if body.is_null() {
        body = policy.clone();
    }
    body["condition"]["days"] = json!(60);
    body["configVersion"] = version(&f.service);
    let (status, answer) = call(
        &f.service,
        Method::Put,
        &format!("/api/policies/{id}"),
        Some(body),
        DAY0,
    );
    assert_eq!(status, 200, "{answer}");
    let entries = audit(&f.service, "policy_changed");
    assert_eq!(entries.len(), 1, "{entries:?}");
    let text = entries[0]["description"].as_str().unwrap();
    assert!(text.contains("condition.days: 90 → 60"), "{text}");
    assert_eq!(entries[0]["actor"]["name"], json!("admin"));
}
