//! Shared fixtures: a synthetic directory, services over memory ports, and
//! a tiny API client.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use serde_json::{Value, json};

use seatwarden_audit::{Action, AuditFilter, AuditQuery, StoredEntry};
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::api::{ApiRequest, Method, RequestContext};
use seatwarden_service::host::Host;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{Service, ServiceOptions};

/// 2025-11-21T00:00:00Z.
pub(crate) const DAY0: i64 = 1_763_683_200_000;
pub(crate) const DAY: i64 = 86_400_000;

/// `idle` users last seen 200 days ago, `fresh` users seen yesterday, one
/// sysadmin idle for long (protected), `gone` deactivated users, all in the
/// internal directory with a licence group.
pub(crate) fn snapshot(idle: usize, fresh: usize, gone: usize) -> SnapshotFile {
    let mut users = vec![json!({
        "key": "K-admin", "username": "admin", "displayName": "Admin", "email": "admin@example.test",
        "directoryId": 1, "active": true, "created": DAY0 - 900 * DAY, "lastLogin": DAY0 - 400 * DAY,
        "loginCount": 10, "groups": ["jira-administrators", "jira-software-users"]
    })];
    for i in 0..idle {
        users.push(json!({
            "key": format!("K-idle{i:04}"), "username": format!("idle{i:04}"), "displayName": format!("Idle {i}"),
            "email": format!("idle{i:04}@example.test"), "directoryId": 1, "active": true,
            "created": DAY0 - 900 * DAY, "lastLogin": DAY0 - 200 * DAY, "loginCount": 5,
            "groups": ["jira-software-users", "staff"]
        }));
    }
    for i in 0..fresh {
        users.push(json!({
            "key": format!("K-fresh{i:04}"), "username": format!("fresh{i:04}"), "displayName": format!("Fresh {i}"),
            "email": format!("fresh{i:04}@example.test"), "directoryId": 1, "active": true,
            "created": DAY0 - 900 * DAY, "lastLogin": DAY0 - DAY, "loginCount": 50,
            "groups": ["jira-software-users", "staff"]
        }));
    }
    for i in 0..gone {
        users.push(json!({
            "key": format!("K-gone{i:04}"), "username": format!("gone{i:04}"), "displayName": format!("Gone {i}"),
            "email": format!("gone{i:04}@example.test"), "directoryId": 1, "active": false,
            "created": DAY0 - 900 * DAY, "lastLogin": DAY0 - 300 * DAY, "loginCount": 5,
            "deactivatedAt": DAY0 - 250 * DAY, "groups": ["staff"]
        }));
    }
    let snap = json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": DAY0,
            "directories": [
                {"id": 1, "name": "Internal", "kind": "internal",
                 "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                                  "createUser": true, "updateMembership": true}}
            ],
            "groups": [{"name": "jira-administrators", "admin": true},
                       {"name": "jira-software-users", "licence": true},
                       {"name": "staff"}],
            "licences": [{"application": "jira-software", "name": "Jira Software",
                          "limit": {"kind": "limited", "seats": 100000}, "seatsUsed": 0,
                          "groups": ["jira-software-users"]}],
            "sysadmins": ["K-admin"]
        },
        "pages": [{"users": users}]
    });
    serde_json::from_value(snap).unwrap()
}

pub(crate) struct Fixture {
    pub host: Arc<MemoryDirectory>,
    pub store: Arc<dyn Store>,
    pub service: Service,
}

pub(crate) fn options(node: &str, slice: usize) -> ServiceOptions {
    ServiceOptions {
        node_id: node.to_owned(),
        slice_size: slice,
        demo: true,
        ..ServiceOptions::default()
    }
}

pub(crate) fn fixture(idle: usize, fresh: usize, gone: usize) -> Fixture {
    let host = Arc::new(MemoryDirectory::new(snapshot(idle, fresh, gone)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service = Service::new(host.clone(), store.clone(), options("node-a", 50)).unwrap();
    Fixture {
        host,
        store,
        service,
    }
}

pub(crate) fn admin() -> RequestContext {
    seatwarden_service::testing::admin("K-admin")
}

pub(crate) fn request(
    method: Method,
    path: &str,
    body: Option<Value>,
    context: RequestContext,
) -> ApiRequest {
    seatwarden_service::testing::request((method, path), body.as_ref(), context)
}

/// Calls the API as the admin; returns status and JSON body.
pub(crate) fn call(
    service: &Service,
    method: Method,
    path: &str,
    body: Option<Value>,
    now: i64,
) -> (u16, Value) {
    let response = service.handle(&request(method, path, body, admin()), Millis(now));
    let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, value)
}

/// `body` with the `configVersion` the service holds now: every policy write
/// must name the version it is based on (`docs/api.md`).
pub(crate) fn versioned(service: &Service, mut body: Value) -> Value {
    body["configVersion"] = serde_json::json!(service.settings().version.0);
    body
}

/// Posts a new policy naming the current configuration version: status and answer.
pub(crate) fn post_policy(service: &Service, body: Value, now: i64) -> (u16, Value) {
    call(
        service,
        Method::Post,
        "/api/policies",
        Some(versioned(service, body)),
        now,
    )
}

/// Drives queued work to the end.
pub(crate) fn drain(service: &Service, now: i64) {
    let mut guard = 0;
    while service.drive(Millis(now)).unwrap() {
        guard += 1;
        assert!(guard < 100_000, "drive never finished");
    }
}

/// Runs policy `id` now (`POST /api/policies/{id}/run`) and drives the run
/// to its end; answers the run's id.
#[allow(dead_code)]
pub(crate) fn run_policy_now(service: &Service, id: &str, now: i64) -> i64 {
    let (status, body) = call(
        service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        now,
    );
    assert_eq!(status, 202, "{body}");
    drain(service, now);
    body["runId"].as_i64().unwrap()
}

/// (key, active, username, groups) of every user, for exact comparisons.
pub(crate) fn state(host: &MemoryDirectory) -> Vec<(String, bool, String, Vec<String>)> {
    let snap = host.to_snapshot();
    let mut out: Vec<_> = snap
        .pages
        .into_iter()
        .flat_map(|p| p.users)
        .map(|u| {
            let mut groups = u.groups.clone();
            groups.sort();
            (u.key, u.active, u.username, groups)
        })
        .collect();
    out.sort();
    out
}

pub(crate) fn deactivation_policy(name: &str, live: bool) -> Value {
    json!({
        "name": name,
        "mode": if live { "live" } else { "safe" },
        "trigger": {"kind": "scheduler"},
        "condition": {"kind": "inactive", "days": 90},
        "action": {"kind": "deactivate"}
    })
}

/// A live login policy that reactivates returning users.
pub(crate) fn reactivate_policy(service: &Service) {
    let (status, body) = post_policy(
        service,
        json!({"name": "Back", "mode": "live", "action": {"kind": "reactivate"}}),
        DAY0,
    );
    assert_eq!(status, 201, "{body}");
}

/// Every audit entry of `action` (at most 1,000), newest first.
pub(crate) fn entries(store: &dyn Store, action: Action) -> Vec<StoredEntry> {
    let filter = AuditFilter {
        actions: vec![action],
        ..AuditFilter::default()
    };
    store
        .query_audit(&AuditQuery::first(filter, 1_000))
        .unwrap()
        .items
}

/// Whether the user `key` is active in `host`.
pub(crate) fn active(host: &MemoryDirectory, key: &str) -> bool {
    host.user(&UserKey::from(key)).unwrap().unwrap().active
}

/// Records (to, subject, html) of every message it is handed.
pub(crate) struct Recorder(std::sync::Mutex<Vec<(String, String, String)>>);

impl Recorder {
    pub(crate) fn new() -> Recorder {
        Recorder(std::sync::Mutex::new(Vec::new()))
    }

    pub(crate) fn sent(&self) -> Vec<(String, String, String)> {
        self.0.lock().unwrap().clone()
    }
}

impl seatwarden_mail::MailTransport for Recorder {
    fn send(
        &self,
        mail: &seatwarden_mail::Outgoing<'_>,
    ) -> Result<seatwarden_mail::SmtpReply, seatwarden_mail::DeliveryError> {
        self.0.lock().unwrap().push((
            mail.to.to_owned(),
            mail.subject.to_owned(),
            mail.html.to_owned(),
        ));
        Ok(seatwarden_mail::SmtpReply {
            code: 250,
            text: "ok".to_owned(),
        })
    }
}

/// The scheduler's default time is 02:00 UTC: 03:00 on the next day is due.
pub(crate) const TICK: i64 = DAY0 + DAY + 3 * 3_600_000;

/// Creates a policy through the API; its id and the new config version.
pub(crate) fn create_policy(service: &Service, body: Value, now: i64) -> (String, u64) {
    let (status, created) = post_policy(service, body, now);
    assert_eq!(status, 201, "{created}");
    (
        created["policy"]["id"].as_str().unwrap().to_owned(),
        created["configVersion"].as_u64().unwrap(),
    )
}

/// Validates a users CSV as the admin: status and JSON answer.
pub(crate) fn validate_import(service: &Service, csv: &str, now: i64) -> (u16, Value) {
    let request = ApiRequest {
        method: Method::Post,
        path: "/api/import/validate".to_owned(),
        query: Vec::new(),
        body: csv.as_bytes().to_vec().into(),
        context: admin(),
    };
    let response = service.handle(&request, Millis(now));
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap_or(Value::Null),
    )
}

/// Applies a validated import (`plan`: the validation's answer).
pub(crate) fn apply_import(service: &Service, plan: &Value, now: i64) -> (u16, Value) {
    call(
        service,
        Method::Post,
        &format!("/api/import/{}/apply", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        now,
    )
}

/// Turns the health check off: fixtures record no logins while days pass,
/// which the check would take for a broken login feed and hold every run.
pub(crate) fn disable_health(service: &Service) {
    put_settings(service, json!({"health": {"enabled": false}}));
}

/// Saves `settings` (a partial settings document) at the version the
/// service holds now; the save must succeed.
pub(crate) fn put_settings(service: &Service, settings: Value) {
    let (_, current) = call(service, Method::Get, "/api/settings", None, DAY0);
    let (status, body) = call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"], "settings": settings})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

/// Saves the settings with one change `edit` makes to the current ones.
#[allow(dead_code)]
pub(crate) fn edit_settings(service: &Service, edit: impl FnOnce(&mut Value)) {
    let (_, current) = call(service, Method::Get, "/api/settings", None, DAY0);
    let mut settings = current["settings"].clone();
    edit(&mut settings);
    let (status, body) = call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"], "settings": settings})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}
