//! A live policy run through the service over the Cloud connector: killed
//! midway, resumed by a new process, with no write sent twice.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{NOW, call, org, policy, start, user};
use seatwarden_audit::RunId;
use seatwarden_cloud::fake::{Credentials, FakeCloud};
use seatwarden_cloud::{CloudClient, CloudHost, CloudWrite};
use seatwarden_core::Millis;
use seatwarden_service::api::Method;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{Service, ServiceOptions};
use serde_json::json;

fn options(slice: usize) -> ServiceOptions {
    ServiceOptions {
        node_id: "node-a".to_owned(),
        slice_size: slice,
        demo: true,
        ..ServiceOptions::default()
    }
}

fn new_host(fake: &FakeCloud) -> Arc<CloudHost> {
    Arc::new(
        CloudHost::new(CloudClient::with_policy(
            fake.config(),
            policy(),
            Arc::new(common::RecordingPause::default()),
        ))
        .with_clock(|| Millis(NOW)),
    )
}

#[test]
fn a_run_killed_midway_resumes_without_repeating_a_write() {
    let mut users: Vec<_> = (0..12)
        .map(|i| user(&format!("idle-m{i:02}"), true, Some(200), &["staff"]))
        .collect();
    users.extend((0..3).map(|i| user(&format!("idle-x{i}"), false, Some(200), &["staff"])));
    users.extend((0..10).map(|i| user(&format!("fresh-{i}"), true, Some(1), &["staff"])));
    let mut admin = user("org-admin", true, Some(300), &["staff"]);
    admin.platform_roles = vec!["atlassian/org-admin".to_owned()];
    users.push(admin);
    let (fake, _, _) = start(org(users, 100), Credentials::default());
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());

    let first = Service::new(new_host(&fake), store.clone(), options(4)).unwrap();
    let id = common::live_policy(
        &first,
        "Idle 90 days",
        json!({"kind": "inactive", "days": 90}),
        json!({"kind": "deactivate"}),
    );
    let (status, body) = call(
        &first,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
    );
    assert_eq!(status, 202, "{body}");
    let run = RunId(body["runId"].as_i64().unwrap());
    // Plan, then two slices of 4.
    for _ in 0..3 {
        assert!(first.drive(Millis(NOW)).unwrap());
    }
    assert_eq!(store.journal(run).unwrap().unwrap().outcomes.len(), 8);
    // The process dies just after its next write reached Atlassian and
    // before the outcome was journaled.
    let next = store.pending_actions(run).unwrap()[0].user.clone();
    new_host(&fake)
        .write(&CloudWrite::Deactivate(next))
        .unwrap();
    drop(first);

    let second = Service::new(new_host(&fake), store.clone(), options(4)).unwrap();
    let report = second.tick(Millis(NOW + 60_000)).unwrap();
    assert_eq!(report.resumed, vec![run], "{report:?}");
    while second.drive(Millis(NOW + 60_000)).unwrap() {}

    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for w in fake.writes() {
        *sent.entry(w.path).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = (0..12)
        .map(|i| (format!("/users/idle-m{i:02}/manage/lifecycle/disable"), 1))
        .collect();
    assert_eq!(
        sent, expected,
        "each idle managed account once, nothing else"
    );
    assert!(
        fake.write_attempts()
            .iter()
            .all(|w| !w.path.contains("idle-x")),
        "external accounts are never sent a deactivate"
    );
    let journal = store.journal(run).unwrap().unwrap();
    assert!(
        journal
            .outcomes
            .iter()
            .all(|o| !o.user.as_str().starts_with("fresh"))
    );
    assert!(
        journal
            .outcomes
            .iter()
            .all(|o| o.user.as_str() != "org-admin")
    );
}
