//! Issue 21: a webhook's settings are saved by compare-and-set. Two nodes
//! (two services, each on its own connection to one SQLite file) saving the
//! same webhook against the same version at the same instant: one save
//! lands, the other is refused with 409 and changes nothing. The store's
//! half of the promise is the conformance check
//! `marker_replace_race_has_one_winner`; this is the route's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::{Arc, Barrier};

use serde_json::json;

use common::*;
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_store_sqlite::SqliteStore;

#[test]
fn two_nodes_saving_one_webhook_at_once_over_sqlite_end_with_one_409() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seatwarden.db");
    let host = Arc::new(MemoryDirectory::new(snapshot(1, 0, 0)));
    let node = |id: &str| {
        Service::new(
            host.clone(),
            Arc::new(SqliteStore::open(&file).unwrap()),
            options(id, 50),
        )
        .unwrap()
    };
    let nodes = [node("node-a"), node("node-b")];
    let (status, made) = call(
        &nodes[0],
        Method::Post,
        "/api/hooks",
        Some(json!({"name": "IT desk", "capPerDay": 5,
            "rules": [{"name": "staff", "emailDomains": ["example.test"], "activate": true}]})),
        DAY0,
    );
    assert_eq!(status, 201, "{made}");
    let path = format!("/api/hooks/{}", made["id"].as_str().unwrap());
    // Rounds, so the two saves meet inside the check more than once.
    for round in 0..10_u32 {
        // Both nodes' admins read the same version.
        let (_, list) = call(&nodes[1], Method::Get, "/api/hooks", None, DAY0);
        let item = &list["items"][0];
        let barrier = Barrier::new(2);
        let statuses: Vec<(u16, u32)> = std::thread::scope(|scope| {
            let saves: Vec<_> = nodes
                .iter()
                .enumerate()
                .map(|(n, service)| {
                    let mut body = item["settings"].clone();
                    let cap = 100 + round * 2 + u32::try_from(n).unwrap();
                    body["capPerDay"] = json!(cap);
                    body["version"] = item["version"].clone();
                    let (barrier, path) = (&barrier, path.as_str());
                    scope.spawn(move || {
                        barrier.wait();
                        (call(service, Method::Put, path, Some(body), DAY0).0, cap)
                    })
                })
                .collect();
            saves.into_iter().map(|s| s.join().unwrap()).collect()
        });
        let mut codes: Vec<u16> = statuses.iter().map(|(s, _)| *s).collect();
        codes.sort_unstable();
        assert_eq!(codes, [200, 409], "round {round}: {statuses:?}");
        let winner = statuses.iter().find(|(s, _)| *s == 200).unwrap().1;
        let (_, after) = call(&nodes[1], Method::Get, "/api/hooks", None, DAY0);
        assert_eq!(
            after["items"][0]["settings"]["capPerDay"],
            json!(winner),
            "round {round}: the refused save changed nothing"
        );
    }
}
