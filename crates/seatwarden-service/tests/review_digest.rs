//! Issue 21 item 2, the reviewers' digest: one mail per reviewer, policy
//! and UTC day while items wait, through the outbox and the editable
//! `review_digest` template; the same over the memory and SQLite stores.
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
use seatwarden_core::Millis;
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, OutboxMessage, OutboxQuery, Store};
use seatwarden_store_sqlite::SqliteStore;

fn node(store: Arc<dyn Store>, name: &str) -> Service {
    let host = Arc::new(MemoryDirectory::new(snapshot(5, 2, 0)));
    Service::new(host, store, options(name, 50)).unwrap()
}

/// The digests in the outbox, oldest first.
fn digests(store: &dyn Store) -> Vec<OutboxMessage> {
    let mut mails: Vec<OutboxMessage> = store
        .list_mail(&OutboxQuery {
            limit: 1_000,
            ..OutboxQuery::default()
        })
        .unwrap()
        .items
        .into_iter()
        .filter(|m| m.template_id == "review-digest")
        .collect();
    mails.sort_by_key(|m| m.id);
    mails
}

/// (recipient, subject) of every digest, for comparing stores.
fn digest_scenario(store: Arc<dyn Store>) -> Vec<(String, String)> {
    let a = node(store.clone(), "node-a");
    let (id, _) = create_policy(
        &a,
        json!({"name": "Reviewed", "mode": "review", "trigger": {"kind": "scheduler"},
               "condition": {"kind": "inactive", "days": 90}, "action": {"kind": "deactivate"},
               "review": {"reviewers": ["lead@example.test", "it@example.test"]}}),
        DAY0,
    );
    // Nothing waits yet: no digest.
    a.tick(Millis(DAY0 + 60_000)).unwrap();
    assert!(digests(&*store).is_empty(), "{:?}", digests(&*store));

    run_policy_now(&a, &id, TICK);
    a.tick(Millis(TICK)).unwrap();
    let first = digests(&*store);
    assert_eq!(first.len(), 2, "one per reviewer: {first:?}");
    let to: Vec<&str> = first.iter().map(|m| m.to[0].as_str()).collect();
    assert!(to.contains(&"lead@example.test") && to.contains(&"it@example.test"));
    for m in &first {
        assert!(m.subject.contains("5 users"), "{}", m.subject);
        assert!(m.subject.contains("Reviewed"), "{}", m.subject);
        assert!(m.html_body.contains("#/review"), "{}", m.html_body);
        assert!(m.text_body.contains("5 users"), "{}", m.text_body);
    }

    // Later the same day, on this node and on another one sharing the
    // store: the day's key is taken, nothing more is queued.
    a.tick(Millis(TICK + 3_600_000)).unwrap();
    let b = node(store.clone(), "node-b");
    b.tick(Millis(TICK + 7_200_000)).unwrap();
    assert_eq!(digests(&*store).len(), 2, "{:?}", digests(&*store));

    // The next day the items still wait: a new digest each.
    a.tick(Millis(TICK + DAY)).unwrap();
    assert_eq!(digests(&*store).len(), 4);

    // All decided: no digest the day after.
    let (_, body) = call(&a, Method::Get, "/api/review?status=open", None, TICK + DAY);
    let ids: Vec<i64> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 5, "{body}");
    let (status, body) = call(
        &a,
        Method::Post,
        "/api/review/decide",
        Some(json!({"decision": "reject", "ids": ids, "days": 30})),
        TICK + DAY,
    );
    assert_eq!(status, 200, "{body}");
    a.tick(Millis(TICK + 2 * DAY)).unwrap();
    b.tick(Millis(TICK + 2 * DAY)).unwrap();
    digests(&*store)
        .into_iter()
        .map(|m| (m.to[0].clone(), m.subject))
        .collect()
}

#[test]
fn reviewers_get_one_digest_a_day_while_items_wait_over_memory_and_sqlite() {
    let memory = digest_scenario(Arc::new(MemoryStore::new()));
    let dir = tempfile::tempdir().unwrap();
    let sqlite = digest_scenario(Arc::new(
        SqliteStore::open(dir.path().join("seatwarden.db")).unwrap(),
    ));
    assert_eq!(memory.len(), 4, "{memory:?}");
    assert_eq!(memory, sqlite);
}

#[test]
fn the_digest_template_is_editable_switchable_previewable_and_kept() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service = node(store.clone(), "node-a");
    let (status, body) = call(&service, Method::Get, "/api/templates", None, DAY0);
    assert_eq!(status, 200, "{body}");
    assert!(body.to_string().contains("review_digest"), "{body}");

    // The preview fills the digest's own placeholders with samples.
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/templates/preview",
        Some(
            json!({"kind": "review_digest", "subject": "{{review_count}} in {{policy_name}}",
                    "body": "<a href=\"{{review_url}}\">list</a>"}),
        ),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["subject"], "14 users in Inactive for 90 days",
        "{body}"
    );
    // A warning cannot use them: refused when saved, with the name.
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/templates/preview",
        Some(json!({"kind": "warning", "subject": "{{review_count}}", "body": "x"})),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("review_count"), "{body}");

    let (id, _) = create_policy(
        &service,
        json!({"name": "Reviewed", "mode": "review", "trigger": {"kind": "scheduler"},
               "condition": {"kind": "inactive", "days": 90}, "action": {"kind": "deactivate"},
               "review": {"reviewers": ["lead@example.test"]}}),
        DAY0,
    );
    // The last digest template cannot be deleted while a policy names
    // reviewers (it would come back on the next load): switch it off.
    let version = service.settings().version.0;
    let (status, body) = call(
        &service,
        Method::Delete,
        &format!("/api/templates/review-digest?configVersion={version}"),
        None,
        DAY0,
    );
    assert_eq!(status, 409, "{body}");
    let (status, mut template) = call(
        &service,
        Method::Get,
        "/api/templates/review-digest",
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{template}");
    template["enabled"] = json!(false);
    template["configVersion"] = json!(version);
    let (status, body) = call(
        &service,
        Method::Put,
        "/api/templates/review-digest",
        Some(template),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    run_policy_now(&service, &id, TICK);
    service.tick(Millis(TICK)).unwrap();
    assert!(digests(&*store).is_empty(), "switched off");
}
