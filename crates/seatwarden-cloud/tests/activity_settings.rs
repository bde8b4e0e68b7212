//! Atlassian Cloud refuses a choice of activity signals that counts none it
//! records (issue 23): its per-product last-active dates are the `seen`
//! signals and it has no login, so settings-wide `seen` off, or a policy
//! counting only `login` / `lastAuthenticated`, would judge every user by an
//! empty column. Through the API, over the Cloud host: refused with the
//! field at fault, nothing saved.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use common::{call, org, start, user};
use seatwarden_cloud::fake::{Credentials, FakeCloud};
use seatwarden_service::api::Method;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use serde_json::{Value, json};

/// The service over a Cloud host reading `users`, and the fake it talks to
/// (kept alive by the caller for as long as the service reads).
fn cloud_service(users: Vec<seatwarden_cloud::wire::CloudUser>) -> (FakeCloud, Service) {
    let (fake, host, _) = start(org(users, 10), Credentials::default());
    let service = Service::new(
        Arc::new(host),
        Arc::new(MemoryStore::new()),
        ServiceOptions {
            node_id: "node-a".to_owned(),
            demo: true,
            ..ServiceOptions::default()
        },
    )
    .unwrap();
    (fake, service)
}

fn put_settings(service: &Service, settings: Value) -> (u16, Value) {
    let version = service.settings().version.0;
    call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version, "settings": settings})),
    )
}

fn post_policy(service: &Service, signals: Value) -> (u16, Value) {
    call(
        service,
        Method::Post,
        "/api/policies",
        Some(json!({
            "name": "Idle 90 days",
            "condition": {"kind": "inactive", "days": 90, "neverLoggedInDays": 90},
            "signals": signals,
            "action": {"kind": "deactivate"},
            "configVersion": service.settings().version.0
        })),
    )
}

fn problem(body: &Value) -> (String, String) {
    let p = &body["error"]["details"]["problems"][0];
    (
        p["path"].as_str().unwrap_or_default().to_owned(),
        p["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn settings_wide_seen_off_is_refused_and_nothing_is_saved() {
    let (_fake, service) = cloud_service(vec![
        user("busy", true, Some(1), &["jira-software-users"]),
        user("idle", true, Some(200), &["jira-software-users"]),
    ]);
    let before = service.settings();
    assert!(before.config.settings.activity.seen);

    let (status, body) = put_settings(&service, json!({"activity": {"seen": false}}));
    assert_eq!(status, 422, "{body}");
    let (path, message) = problem(&body);
    assert_eq!(path, "settings.activity.seen", "{body}");
    assert!(
        message.contains("Atlassian Cloud has no login date")
            && message.contains("every user would look never active"),
        "{message}"
    );
    let after = service.settings();
    assert_eq!(after.version, before.version, "nothing saved");
    assert!(after.config.settings.activity.seen);

    // Turning off what Cloud never records is harmless and saved.
    let (status, body) = put_settings(
        &service,
        json!({"activity": {"login": false, "lastAuthenticated": false}}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["settings"]["activity"],
        json!({"login": false, "lastAuthenticated": false, "seen": true})
    );
}

#[test]
fn a_cloud_org_without_any_last_active_date_yet_still_refuses_seen_off() {
    // No user has a product date: the host declares no signal, but `seen`
    // is still the only kind Cloud can ever record.
    let (_fake, service) = cloud_service(vec![user("new", true, None, &["jira-software-users"])]);
    let (status, body) = put_settings(&service, json!({"activity": {"seen": false}}));
    assert_eq!(status, 422, "{body}");
    assert_eq!(problem(&body).0, "settings.activity.seen");
}

#[test]
fn a_policy_counting_only_signals_cloud_never_records_is_refused() {
    let (_fake, service) =
        cloud_service(vec![user("busy", true, Some(1), &["jira-software-users"])]);
    for signals in [
        json!(["login"]),
        json!(["lastAuthenticated"]),
        json!(["login", "lastAuthenticated"]),
    ] {
        let before = service.settings().version;
        let (status, body) = post_policy(&service, signals.clone());
        assert_eq!(status, 422, "{signals}: {body}");
        let (path, message) = problem(&body);
        assert_eq!(path, "signals", "{signals}: {body}");
        assert!(
            message.contains("names no signal this directory records (it records `seen`)")
                && message.contains("would match nobody"),
            "{message}"
        );
        assert_eq!(service.settings().version, before, "nothing saved");
    }
    // One recorded signal among them is enough; so is a product's own date.
    for signals in [json!(["login", "seen"]), json!(["seen:confluence"])] {
        let (status, body) = post_policy(&service, signals.clone());
        assert_eq!(status, 201, "{signals}: {body}");
    }
    // Replacing a policy is checked the same way.
    let id = service.settings().config.policies[0].id.0.clone();
    let (status, body) = call(
        &service,
        Method::Put,
        &format!("/api/policies/{id}"),
        Some(json!({
            "name": "Idle 90 days",
            "condition": {"kind": "inactive", "days": 90},
            "signals": ["login"],
            "action": {"kind": "deactivate"},
            "configVersion": service.settings().version.0
        })),
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(problem(&body).0, "signals", "{body}");
}
