//! The dashboard reads the counted activity signals (issue 23): its per-day
//! chart, window counts and never-active cards use each user's latest date
//! among the signals `settings.activity` counts, the date the engine and the
//! Users tab read, not the last login alone. Through the API over a Data
//! Center-like host that declares the plugin's `seen` signal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use serde_json::{Value, json};

use seatwarden_core::Millis;
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions, testing};

/// 2025-11-21T00:00:00Z.
const DAY0: i64 = 1_763_683_200_000;
const DAY: i64 = 86_400_000;

/// key, last login (days ago), seen (days ago).
const USERS: [(&str, Option<i64>, Option<i64>); 4] = [
    // Works through a remember-me cookie or a token: last login long ago.
    ("K-token", Some(150), Some(2)),
    // Only ever used a personal access token: never logged in.
    ("K-pat", None, Some(3)),
    ("K-form", Some(5), None),
    ("K-idle", Some(150), None),
];

fn service() -> Service {
    let users: Vec<Value> = USERS
        .iter()
        .map(|(key, login, seen)| {
            json!({"key": key, "username": key.to_lowercase(), "directoryId": 1, "active": true,
                "created": DAY0 - 400 * DAY, "lastLogin": login.map(|d| DAY0 - d * DAY),
                "groups": ["jira-software-users"],
                "activity": [seen.map(|d| DAY0 - d * DAY)]})
        })
        .collect();
    let snapshot: SnapshotFile = serde_json::from_value(json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {"takenAt": DAY0,
            "directories": [{"id": 1, "name": "Internal", "kind": "internal",
                "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                                 "createUser": true, "updateMembership": true}}],
            "groups": [{"name": "jira-software-users", "licence": true}],
            "signals": [{"kind": "seen", "since": DAY0 - 200 * DAY}]},
        "pages": [{"users": users}]}))
    .unwrap();
    Service::new(
        Arc::new(MemoryDirectory::new(snapshot)),
        Arc::new(MemoryStore::new()),
        ServiceOptions {
            node_id: "node-a".to_owned(),
            demo: true,
            ..ServiceOptions::default()
        },
    )
    .unwrap()
}

fn call(service: &Service, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    testing::call(
        service,
        testing::admin("K-form"),
        (method, path),
        body.as_ref(),
        Millis(DAY0),
    )
}

/// The chart's non-empty bars, as (days ago, users).
fn bars(figures: &Value) -> Vec<(i64, u64)> {
    figures["lastSeenPerDay"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["users"].as_u64().unwrap() > 0)
        .map(|b| {
            (
                (DAY0 - b["dayStart"].as_i64().unwrap()) / DAY,
                b["users"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn figures(service: &Service) -> Value {
    let (status, body) = call(service, Method::Get, "/api/dashboard?days=30", None);
    assert_eq!(status, 200, "{body}");
    body["figures"].clone()
}

#[test]
fn the_chart_and_cards_read_the_counted_signals_and_follow_the_settings() {
    let service = service();
    let f = figures(&service);
    // Seen 3 and 2 days ago, logged in 5 days ago: three bars, three
    // active in the window; the token-only user is not "never active".
    assert_eq!(bars(&f), [(5, 1), (3, 1), (2, 1)], "{f}");
    assert_eq!(f["seenInWindow"], 3);
    assert_eq!(
        (f["activeInWindow"].clone(), f["inactiveInWindow"].clone()),
        (json!(3), json!(1))
    );
    assert_eq!(f["licensedActiveInWindow"], 3);
    assert_eq!(
        (
            f["neverLoggedIn"].clone(),
            f["neverLoggedInLicensed"].clone()
        ),
        (json!(0), json!(0))
    );

    // The installation stops counting `seen`: the dashboard reads the login
    // alone again, as the engine then does.
    let version = service.settings().version.0;
    let (status, body) = call(
        &service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version, "settings": {"activity": {"seen": false}}})),
    );
    assert_eq!(status, 200, "{body}");
    let f = figures(&service);
    assert_eq!(bars(&f), [(5, 1)], "{f}");
    assert_eq!(f["seenInWindow"], 1);
    assert_eq!(f["activeInWindow"], 1);
    assert_eq!(f["neverLoggedIn"], 1);
    let seen = f["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["signal"] == "declared")
        .unwrap()
        .clone();
    assert_eq!(seen["enabled"], false, "{f}");
}
