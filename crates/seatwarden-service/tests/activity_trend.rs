//! The activity trend (issue 24): the scheduler records the day's active
//! counts once a day beside the licence history, with the dashboard's own
//! counts (the counted signals, not the last login alone); a day an older
//! build recorded without them gets them on the next tick; the API answers
//! recorded days only and says which day the next record is for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use serde_json::{Value, json};

use seatwarden_core::Millis;
use seatwarden_core::activity::ActivitySettings;
use seatwarden_core::forecast::licence_days;
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions, testing};

/// 2025-11-21T00:00:00Z.
const DAY0: i64 = 1_763_683_200_000;
const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

/// key, last login (hours before DAY0), seen (hours before DAY0).
const USERS: [(&str, Option<i64>, Option<i64>); 5] = [
    // Works through a token: last login long ago, seen 2 hours ago.
    ("K-token", Some(150 * 24), Some(2)),
    ("K-week", Some(3 * 24), None),
    ("K-month", Some(20 * 24), None),
    ("K-idle", Some(150 * 24), None),
    ("K-never", None, None),
];

fn snapshot() -> SnapshotFile {
    let users: Vec<Value> = USERS
        .iter()
        .map(|(key, login, seen)| {
            json!({"key": key, "username": key.to_lowercase(), "directoryId": 1, "active": true,
                "created": DAY0 - 400 * DAY, "lastLogin": login.map(|h| DAY0 - h * HOUR),
                "groups": ["jira-software-users"],
                "activity": [seen.map(|h| DAY0 - h * HOUR)]})
        })
        .collect();
    serde_json::from_value(json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {"takenAt": DAY0,
            "directories": [{"id": 1, "name": "Internal", "kind": "internal", "capabilities": {}}],
            "groups": [{"name": "jira-software-users", "licence": true}],
            "licences": [{"application": "jira-software", "name": "Jira Software",
                "limit": {"kind": "limited", "seats": 10}, "seatsUsed": 5, "groups": ["jira-software-users"]}],
            "signals": [{"kind": "seen", "since": DAY0 - 200 * DAY}]},
        "pages": [{"users": users}]}))
    .unwrap()
}

fn service() -> Service {
    Service::new(
        Arc::new(MemoryDirectory::new(snapshot())),
        Arc::new(MemoryStore::new()),
        ServiceOptions {
            node_id: "node-a".to_owned(),
            ..ServiceOptions::default()
        },
    )
    .unwrap()
}

fn get(service: &Service, path: &str, at: i64) -> (u16, Value) {
    testing::call(
        service,
        testing::admin("K-week"),
        (Method::Get, path),
        None,
        Millis(at),
    )
}

fn trend(service: &Service, at: i64) -> Value {
    let (status, body) = get(service, "/api/activity/history?days=30", at);
    assert_eq!(status, 200, "{body}");
    body
}

fn active_in_window(service: &Service, days: u32, at: i64) -> Value {
    let (status, body) = get(service, &format!("/api/dashboard?days={days}"), at);
    assert_eq!(status, 200, "{body}");
    body["figures"]["activeInWindow"].clone()
}

#[test]
fn the_scheduler_records_the_days_counts_once_with_the_dashboards_definition() {
    let service = service();
    let empty = trend(&service, DAY0 + HOUR);
    assert_eq!(empty["records"], json!([]));
    assert_eq!(empty["todayRecorded"], false);
    assert_eq!(
        empty["nextRecord"], "2025-11-21",
        "today, at the next check"
    );
    assert_eq!(empty["windows"], json!([1, 7, 30]));

    let first = service.tick(Millis(DAY0 + HOUR)).unwrap();
    assert!(first.licence_history, "the first tick of the day records");
    let body = trend(&service, DAY0 + HOUR);
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{body}");
    let today = &records[0];
    assert_eq!(today["date"], "2025-11-21");
    // The token user counts through the `seen` signal, as on the dashboard.
    assert_eq!(today["activeAccounts"], 5);
    assert_eq!(today["active1d"], 1);
    assert_eq!(today["active7d"], 2);
    assert_eq!(today["active30d"], 3);
    assert_eq!(
        today["active30d"],
        active_in_window(&service, 30, DAY0 + HOUR)
    );
    assert_eq!(
        today["active7d"],
        active_in_window(&service, 7, DAY0 + HOUR)
    );
    assert!(
        today.get("demo").is_none(),
        "a real record is not demo data"
    );
    assert_eq!(body["todayRecorded"], true);
    assert_eq!(body["nextRecord"], "2025-11-22");
    assert_eq!(body["firstRecorded"], "2025-11-21");

    // Later ticks of the same day write nothing; the next day's first does.
    assert!(
        !service
            .tick(Millis(DAY0 + 5 * HOUR))
            .unwrap()
            .licence_history
    );
    assert_eq!(
        trend(&service, DAY0 + 5 * HOUR)["records"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        service
            .tick(Millis(DAY0 + DAY + HOUR))
            .unwrap()
            .licence_history
    );
    let body = trend(&service, DAY0 + DAY + HOUR);
    let days: Vec<&str> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["2025-11-21", "2025-11-22"]);
    // A day later the token user's `seen` (26 h ago) is outside one day.
    assert_eq!(body["records"][1]["active1d"], 0);
    assert_eq!(body["records"][1]["active7d"], 2);
}

#[test]
fn a_day_an_older_build_recorded_without_activity_reads_as_not_recorded_then_gets_it() {
    let service = service();
    // What a build before the trend wrote: today's licence records only.
    let index =
        DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot()).unwrap()).unwrap();
    let old = licence_days(&index, &ActivitySettings::default(), Millis(DAY0));
    service.store().put_licence_days(&old, 0).unwrap();
    let body = trend(&service, DAY0 + HOUR);
    assert_eq!(body["records"], json!([]), "not recorded, never zeros");
    assert_eq!(body["nextRecord"], "2025-11-21");
    let report = service.tick(Millis(DAY0 + HOUR)).unwrap();
    assert!(
        report.licence_history,
        "the missing activity record is written"
    );
    let body = trend(&service, DAY0 + HOUR);
    assert_eq!(body["records"][0]["active30d"], 3, "{body}");
    assert!(
        !service
            .tick(Millis(DAY0 + 2 * HOUR))
            .unwrap()
            .licence_history
    );
}

#[test]
fn a_range_out_of_bounds_is_refused_in_words() {
    let service = service();
    for bad in ["0", "3651", "-1"] {
        let (status, body) = get(&service, &format!("/api/activity/history?days={bad}"), DAY0);
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(body.to_string().contains("`days` must be"), "{bad}: {body}");
    }
    let (status, body) = get(&service, "/api/activity/history?days=ten", DAY0);
    assert_eq!(status, 400, "{body}");
}
