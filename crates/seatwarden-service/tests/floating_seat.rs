//! Issue 24, "Also wrong": a floating-licence grant that finds no seat left
//! at the host is a skip with its reason, not a failure (the failure count
//! used to rise on every login while the licence was full).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::json;

use common::*;
use seatwarden_core::operation::Operation;
use seatwarden_core::{GroupName, Millis, UserKey};
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::host::Host;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};

#[test]
fn a_grant_the_host_refuses_for_want_of_a_seat_is_skipped_with_its_reason() {
    // Admin and two fresh users hold 3 of 4 seats; ann and bob are staff only.
    let mut snap = serde_json::to_value(snapshot(0, 2, 0)).unwrap();
    snap["header"]["licences"][0]["limit"] = json!({"kind": "limited", "seats": 4});
    for who in ["ann", "bob"] {
        snap["pages"][0]["users"].as_array_mut().unwrap().push(json!({
            "key": format!("K-{who}"), "username": who, "displayName": who, "email": format!("{who}@example.test"),
            "directoryId": 1, "active": true, "created": DAY0 - 900 * DAY, "lastLogin": DAY0 - DAY,
            "loginCount": 3, "groups": ["staff"]
        }));
    }
    let host = Arc::new(MemoryDirectory::new(serde_json::from_value(snap).unwrap()));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service = Service::new(host.clone(), store, options("node-a", 50)).unwrap();
    let (status, body) = post_policy(
        &service,
        json!({"name": "Float", "mode": "live", "trigger": {"kind": "login"}, "condition": {"kind": "login"},
               "action": {"kind": "floating_licence",
                          "rules": [{"sourceGroups": ["staff"], "targetGroups": ["jira-software-users"]}]}}),
        DAY0,
    );
    assert_eq!(status, 201, "{body}");
    service.rebuild_index().unwrap();

    // Bob takes the last seat behind the service's back (another node, the
    // product's own admin screen): the index still counts one seat left.
    host.apply(&Operation::AddToGroup {
        user: UserKey::from("K-bob"),
        group: GroupName::from("jira-software-users"),
    })
    .unwrap();

    let outcome = service.on_login("ann", Millis(DAY0)).unwrap();
    assert!(outcome.failed.is_empty(), "{outcome:?}");
    assert_eq!(outcome.skipped.len(), 1, "{outcome:?}");
    assert_eq!(
        outcome.skipped[0].1,
        "no licence seat left for group jira-software-users"
    );
    let (_, audit) = call(&service, Method::Get, "/api/audit?limit=50", None, DAY0);
    let entry = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["target"]["user"] == "K-ann")
        .unwrap_or_else(|| panic!("no entry for ann: {audit}"));
    assert_eq!(entry["status"], "skipped", "{entry}");
    let (_, summary) = call(&service, Method::Get, "/api/audit/summary", None, DAY0);
    assert!(
        !summary.to_string().contains("\"failed\":1"),
        "a full licence is not a failure: {summary}"
    );
}
