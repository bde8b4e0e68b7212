//! Shared test support: a pause that records instead of sleeping, small
//! hand-made organizations, and a host over a running fake.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use seatwarden_cloud::fake::{Credentials, FakeCloud, FakeOrg};
use seatwarden_cloud::wire::{
    AccountStatus, ApplicationRole, ClaimStatus, CloudGroup, CloudUser, MembershipStatus,
    ProductAccess, UserGroup,
};
use seatwarden_cloud::{CloudClient, CloudHost, Pause, RetryPolicy};
use seatwarden_core::Millis;

/// 2026-11-21T02:00:00Z.
pub(crate) const NOW: i64 = 1_795_226_400_000;
pub(crate) const DAY: i64 = 86_400_000;

/// Records every wait instead of sleeping.
#[derive(Default)]
pub(crate) struct RecordingPause {
    pub(crate) waits: Mutex<Vec<Duration>>,
}

impl Pause for RecordingPause {
    fn pause(&self, duration: Duration) {
        self.waits.lock().push(duration);
    }
}

pub(crate) fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn group(id: &str, name: &str) -> CloudGroup {
    CloudGroup {
        id: id.to_owned(),
        name: name.to_owned(),
        description: None,
    }
}

/// A user in `groups` (ids `g-NAME`), last active in Jira `days` ago (never
/// when `None`).
pub(crate) fn user(id: &str, managed: bool, days: Option<i64>, groups: &[&str]) -> CloudUser {
    CloudUser {
        account_id: id.to_owned(),
        account_type: Some("atlassian".to_owned()),
        account_status: AccountStatus::Active,
        membership_status: MembershipStatus::Active,
        added_to_org: Some(iso(NOW - 400 * DAY)),
        name: Some(format!("User {id}")),
        email: Some(format!(
            "{id}@{}",
            if managed {
                "acme.example"
            } else {
                "partner.example"
            }
        )),
        claim_status: if managed {
            ClaimStatus::Managed
        } else {
            ClaimStatus::Unmanaged
        },
        platform_roles: vec![],
        product_access: days
            .map(|d| ProductAccess {
                key: Some("jira-software".to_owned()),
                id: Some("jira-site".to_owned()),
                last_active_timestamp: Some(iso(NOW - d * DAY)),
            })
            .into_iter()
            .collect(),
        groups: groups
            .iter()
            .map(|g| UserGroup {
                id: format!("g-{g}"),
                name: Some((*g).to_owned()),
            })
            .collect(),
        deactivated_on: None,
        for_deletion: false,
    }
}

/// An organization of `users` with groups `jira-software-users` (licence,
/// `seats` seats) and `staff`.
pub(crate) fn org(users: Vec<CloudUser>, seats: i64) -> FakeOrg {
    FakeOrg {
        org_id: "org-1".to_owned(),
        name: "Acme".to_owned(),
        users,
        groups: vec![
            group("g-jira-software-users", "jira-software-users"),
            group("g-staff", "staff"),
        ],
        roles: vec![ApplicationRole {
            key: "jira-software".to_owned(),
            name: "Jira Software".to_owned(),
            groups: vec!["jira-software-users".to_owned()],
            number_of_seats: Some(seats),
            ..ApplicationRole::default()
        }],
        now: iso(NOW),
    }
}

pub(crate) fn policy() -> RetryPolicy {
    RetryPolicy {
        max_rate_limited: 5,
        max_server_errors: 3,
        default_wait: Duration::from_secs(5),
        max_wait: Duration::from_secs(60),
        first_backoff: Duration::from_secs(1),
    }
}

/// A running fake over `org` and a host talking to it.
pub(crate) fn start(
    org: FakeOrg,
    credentials: Credentials,
) -> (FakeCloud, CloudHost, Arc<RecordingPause>) {
    let fake = FakeCloud::start(org, credentials).unwrap();
    let pause = Arc::new(RecordingPause::default());
    let host = CloudHost::new(CloudClient::with_policy(
        fake.config(),
        policy(),
        pause.clone(),
    ))
    .with_clock(|| Millis(NOW));
    (fake, host, pause)
}

/// Calls the service's admin API as admin `admin` at `NOW`: the status and
/// the JSON answer.
pub(crate) fn call(
    service: &seatwarden_service::Service,
    method: seatwarden_service::api::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    seatwarden_service::testing::call(
        service,
        seatwarden_service::testing::admin("admin"),
        (method, path),
        body.as_ref(),
        Millis(NOW),
    )
}

/// A service over a host talking to `fake` (memory store, demo options,
/// the host's clock at [`NOW`]).
pub(crate) fn service(fake: &FakeCloud) -> seatwarden_service::Service {
    use seatwarden_service::store::{MemoryStore, Store};
    let host = Arc::new(
        CloudHost::new(CloudClient::with_policy(
            fake.config(),
            policy(),
            Arc::new(RecordingPause::default()),
        ))
        .with_clock(|| Millis(NOW)),
    );
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let options = seatwarden_service::ServiceOptions {
        node_id: "node-a".to_owned(),
        demo: true,
        ..seatwarden_service::ServiceOptions::default()
    };
    seatwarden_service::Service::new(host, store, options).unwrap()
}

/// A bulk target naming users by key.
pub(crate) fn keys(list: &[&str]) -> seatwarden_core::bulk::BulkTarget {
    seatwarden_core::bulk::BulkTarget::Selected(
        list.iter()
            .map(|k| seatwarden_core::UserKey::from(*k))
            .collect(),
    )
}

/// An admin's API call (as `org-admin`) at instant `now`.
pub(crate) fn call_at(
    service: &seatwarden_service::Service,
    method: seatwarden_service::api::Method,
    path: &str,
    body: Option<serde_json::Value>,
    now: i64,
) -> (u16, serde_json::Value) {
    seatwarden_service::testing::call(
        service,
        seatwarden_service::testing::admin("org-admin"),
        (method, path),
        body.as_ref(),
        Millis(now),
    )
}

/// Saves `settings` (a whole or partial settings document) at the version
/// the service holds at `now`, as `org-admin`; the save must succeed.
pub(crate) fn save_settings(
    service: &seatwarden_service::Service,
    settings: serde_json::Value,
    now: i64,
) {
    use seatwarden_service::api::Method;
    let (_, current) = call_at(service, Method::Get, "/api/settings", None, now);
    let (status, body) = call_at(
        service,
        Method::Put,
        "/api/settings",
        Some(serde_json::json!({"configVersion": current["configVersion"], "settings": settings})),
        now,
    );
    assert_eq!(status, 200, "{body}");
}

/// Creates a live scheduler policy `name` with `condition` and `action`
/// (as the admin API takes them) at [`NOW`]; its id.
pub(crate) fn live_policy(
    service: &seatwarden_service::Service,
    name: &str,
    condition: serde_json::Value,
    action: serde_json::Value,
) -> String {
    let (status, created) = call_at(
        service,
        seatwarden_service::api::Method::Post,
        "/api/policies",
        Some(serde_json::json!({
            "name": name,
            "mode": "live",
            "trigger": {"kind": "scheduler"},
            "condition": condition,
            "action": action,
            // Every policy write names the configuration version it is based on.
            "configVersion": service.settings().version.0
        })),
        NOW,
    );
    assert_eq!(status, 201, "{created}");
    created["policy"]["id"].as_str().unwrap().to_owned()
}

/// The keys the Users API lists at `path` (`/api/users…`) at [`NOW`], sorted.
pub(crate) fn listed_keys(service: &seatwarden_service::Service, path: &str) -> Vec<String> {
    let (code, body) = call_at(
        service,
        seatwarden_service::api::Method::Get,
        path,
        None,
        NOW,
    );
    assert_eq!(code, 200, "{body}");
    let mut keys: Vec<String> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    keys
}
