//! Exemptions and the review list end to end through the admin API, over
//! the in-memory store and the SQLite store the standalone server uses:
//! the same calls give the same outcome.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::{Value, json};

use common::*;
use seatwarden_audit::Action;
use seatwarden_core::Millis;
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_store_sqlite::SqliteStore;

fn service(store: Arc<dyn Store>, idle: usize) -> (Arc<MemoryDirectory>, Service) {
    let host = Arc::new(MemoryDirectory::new(snapshot(idle, 2, 0)));
    let service = Service::new(host.clone(), store, options("node-a", 50)).unwrap();
    (host, service)
}

fn review_items(service: &Service, now: i64) -> Vec<Value> {
    let (status, body) = call(service, Method::Get, "/api/review?status=all", None, now);
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn item_of<'a>(items: &'a [Value], user: &str) -> &'a Value {
    items
        .iter()
        .rfind(|i| i["user"] == user)
        .unwrap_or_else(|| panic!("no item for {user}: {items:?}"))
}

/// The review scenario; answers (user, status) of every item and who is
/// active, for comparing stores.
/// (user, status) of every review item, and (user, active) of every user.
type Outcome = (Vec<(String, String)>, Vec<(String, bool)>);

fn review_scenario(store: Arc<dyn Store>) -> Outcome {
    let (host, service) = service(store.clone(), 5);
    let (id, _) = create_policy(
        &service,
        json!({"name": "Reviewed", "mode": "review", "trigger": {"kind": "scheduler"},
               "condition": {"kind": "inactive", "days": 90}, "action": {"kind": "deactivate"},
               "review": {"timeoutDays": 7, "onTimeout": "exempt", "exemptDays": 30}}),
        DAY0,
    );
    // A review-mode run changes nothing and queues everyone it would act on.
    let before = state(&host);
    run_policy_now(&service, &id, TICK);
    assert_eq!(state(&host), before, "a review run changed the directory");
    let items = review_items(&service, TICK);
    assert_eq!(items.len(), 5, "{items:?}");
    for i in &items {
        assert_eq!(i["status"], "open");
        assert!(
            i["reasons"][0].as_str().unwrap().contains("last login"),
            "{i}"
        );
    }
    // Queued again by the next run: no duplicates. One user came back
    // meanwhile: their item closes with the reason.
    host.set_time(Millis(TICK + 60_000));
    assert!(host.record_login("idle0004").is_some());
    run_policy_now(&service, &id, TICK + 120_000);
    let items = review_items(&service, TICK + 120_000);
    assert_eq!(items.len(), 5, "no duplicates: {items:?}");
    let back = item_of(&items, "K-idle0004");
    assert_eq!(back["status"], "no_longer_applies", "{back}");
    assert!(
        back["state"]["reason"]
            .as_str()
            .unwrap()
            .contains("no longer matches"),
        "{back}"
    );

    // Approve two, reject one for 30 days; a second decision on a decided
    // item changes nothing.
    let id_of = |items: &[Value], u: &str| item_of(items, u)["id"].as_i64().unwrap();
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/decide",
        Some(json!({"decision": "approve",
                    "ids": [id_of(&items, "K-idle0000"), id_of(&items, "K-idle0001")]})),
        TICK + DAY,
    );
    assert_eq!((status, body["decided"].as_u64()), (200, Some(2)), "{body}");
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/decide",
        Some(
            json!({"decision": "reject", "ids": [id_of(&items, "K-idle0002")],
                    "days": 30, "note": "still on the project"}),
        ),
        TICK + DAY,
    );
    assert_eq!((status, body["decided"].as_u64()), (200, Some(1)), "{body}");
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/decide",
        Some(json!({"decision": "reject", "ids": [id_of(&items, "K-idle0000")], "days": 5})),
        TICK + DAY,
    );
    assert_eq!(
        (status, body["decided"].as_u64(), body["notOpen"].as_u64()),
        (200, Some(0), Some(1)),
        "{body}"
    );
    // A rejection needs a chosen end.
    let (status, _) = call(
        &service,
        Method::Post,
        "/api/review/decide",
        Some(json!({"decision": "reject", "ids": [id_of(&items, "K-idle0003")]})),
        TICK + DAY,
    );
    assert_eq!(status, 422);

    // "Act now": the approved users are deactivated through a normal run.
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/act",
        Some(json!({"policy": id})),
        TICK + DAY,
    );
    assert_eq!(status, 202, "{body}");
    let run = body["runId"].as_i64().unwrap();
    drain(&service, TICK + DAY);
    assert!(!active(&host, "K-idle0000") && !active(&host, "K-idle0001"));
    assert!(active(&host, "K-idle0002") && active(&host, "K-idle0003"));
    let items = review_items(&service, TICK + DAY);
    let acted = item_of(&items, "K-idle0000");
    assert_eq!(
        (acted["status"].as_str(), acted["state"]["run"].as_i64()),
        (Some("acted"), Some(run)),
        "{acted}"
    );
    // The rejected user is exempt from the policy, granted by the review.
    let (_, ex) = call(&service, Method::Get, "/api/exemptions", None, TICK + DAY);
    assert_eq!(ex["total"], 1, "{ex}");
    assert_eq!(ex["items"][0]["user"], "K-idle0002");
    assert_eq!(ex["items"][0]["grantedBy"]["kind"], "review_decision");

    // Nobody decides K-idle0003 within 7 days: the timeout exempts them.
    let later = TICK + 9 * DAY;
    run_policy_now(&service, &id, later);
    assert!(active(&host, "K-idle0003"));
    let items = review_items(&service, later);
    let timed_out = item_of(&items, "K-idle0003");
    assert_eq!(timed_out["status"], "rejected", "{timed_out}");
    assert_eq!(timed_out["state"]["by"]["kind"], "timeout");
    let (_, ex) = call(&service, Method::Get, "/api/exemptions", None, later);
    assert_eq!(ex["total"], 2, "{ex}");
    // Audited: queued, decided, closed.
    for action in [
        Action::ReviewQueued,
        Action::ReviewApproved,
        Action::ReviewRejected,
        Action::ReviewClosed,
        Action::ExemptionGranted,
    ] {
        let n = entries(store.as_ref(), action).len();
        assert!(n > 0 || action == Action::ExemptionGranted, "{action:?}");
    }
    assert_eq!(entries(store.as_ref(), Action::ReviewRejected).len(), 2);
    let mut statuses: Vec<(String, String)> = items
        .iter()
        .map(|i| {
            (
                i["user"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    statuses.sort();
    let actives = state(&host)
        .into_iter()
        .map(|(k, a, _, _)| (k, a))
        .collect();
    (statuses, actives)
}

#[test]
fn review_mode_queues_decides_times_out_and_acts_the_same_over_memory_and_sqlite() {
    let memory = review_scenario(Arc::new(MemoryStore::new()));
    let dir = tempfile::tempdir().unwrap();
    let sqlite = review_scenario(Arc::new(
        SqliteStore::open(dir.path().join("seatwarden.db")).unwrap(),
    ));
    assert_eq!(memory, sqlite);
    // A new item for K-idle0004 (came back) is not created; the others.
    assert!(memory.0.contains(&("K-idle0003".into(), "rejected".into())));
}

fn exemption_scenario(store: Arc<dyn Store>) -> Vec<(String, bool)> {
    let (host, service) = service(store.clone(), 3);
    let (id, _) = create_policy(&service, deactivation_policy("Idle", true), DAY0);
    let grant = |body: Value| call(&service, Method::Post, "/api/exemptions", Some(body), TICK);
    // Refusals change nothing.
    let (status, body) = grant(json!({"users": ["K-idle0000"], "policy": id, "reason": "leave"}));
    assert_eq!(status, 422, "no end chosen: {body}");
    let (status, body) = grant(json!({"users": ["K-nobody"], "days": 30, "reason": "leave"}));
    assert_eq!(status, 422, "{body}");
    assert!(!body.to_string().contains("K-nobody"), "{body}");
    let (status, _) = grant(json!({"users": ["K-idle0000"], "days": 30, "reason": "a\nb"}));
    assert_eq!(status, 422);
    let (status, _) =
        grant(json!({"users": ["K-idle0000"], "policy": "nope", "days": 30, "reason": "x"}));
    assert_eq!(status, 422);
    let (_, listed) = call(&service, Method::Get, "/api/exemptions", None, TICK);
    assert_eq!(listed["total"], 0, "{listed}");

    // Grant, then grant again: the second replaces the first, audited.
    let (status, body) = grant(
        json!({"users": ["K-idle0000"], "policy": id, "until": "2031-01-31", "reason": "leave"}),
    );
    assert_eq!((status, body["granted"].as_u64()), (200, Some(1)), "{body}");
    let (status, body) = grant(
        json!({"users": ["K-idle0000"], "policy": id, "days": 60, "reason": "parental leave"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["replaced"][0]["reason"], "leave", "{body}");
    let granted = entries(store.as_ref(), Action::ExemptionGranted);
    assert_eq!(granted.len(), 2);
    assert!(
        granted[0]
            .entry
            .reason
            .as_deref()
            .unwrap_or("")
            .starts_with("replaces: exempt from policy"),
        "{granted:?}"
    );

    // The Users tab filters and shows them.
    let (_, page) = call(&service, Method::Get, "/api/users?exempt=yes", None, TICK);
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(page["rows"][0]["key"], "K-idle0000");
    assert_eq!(
        page["exemptions"]["K-idle0000"][0]["reason"],
        "parental leave"
    );
    let (_, page) = call(&service, Method::Get, "/api/users?exempt=no", None, TICK);
    assert_eq!(page["total"], 5, "{page}");
    let (_, detail) = call(&service, Method::Get, "/api/users/K-idle0000", None, TICK);
    assert_eq!(detail["exemptions"][0]["active"], true, "{detail}");

    // A live run spares the exempt user, with the reason in its plan.
    let run = run_policy_now(&service, &id, TICK);
    assert!(active(&host, "K-idle0000"));
    assert!(!active(&host, "K-idle0001") && !active(&host, "K-idle0002"));
    let (_, r) = call(
        &service,
        Method::Get,
        &format!("/api/runs/{run}"),
        None,
        TICK,
    );
    assert!(
        r.to_string().contains("exempt until") || r.to_string().contains("exempt"),
        "{r}"
    );

    // Export, revoke (audited), and a short one lapses on its own and is
    // pruned by the tick.
    let response = service.handle(
        &request(
            Method::Get,
            "/api/exemptions/export?state=all",
            None,
            admin(),
        ),
        Millis(TICK),
    );
    let csv = String::from_utf8(response.body).unwrap();
    assert!(
        csv.starts_with("user,username,policy,until,reason"),
        "{csv}"
    );
    assert!(csv.contains("K-idle0000,idle0000,"), "{csv}");
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/exemptions/revoke",
        Some(json!({"users": ["K-idle0000"]})),
        TICK,
    );
    assert_eq!((status, body["revoked"].as_u64()), (200, Some(1)), "{body}");
    assert_eq!(entries(store.as_ref(), Action::ExemptionRevoked).len(), 1);
    let (status, _) =
        grant(json!({"filter": {"search": {"text": "fresh0001"}}, "days": 1, "reason": "short"}));
    assert_eq!(status, 200);
    let report = service.tick(Millis(TICK + 3 * DAY)).unwrap();
    assert_eq!(report.exemptions_lapsed, 1, "{report:?}");
    assert_eq!(entries(store.as_ref(), Action::ExemptionLapsed).len(), 1);
    state(&host)
        .into_iter()
        .map(|(k, a, _, _)| (k, a))
        .collect()
}

#[test]
fn exemptions_are_granted_shown_honoured_exported_revoked_and_lapse_the_same_over_both_stores() {
    let memory = exemption_scenario(Arc::new(MemoryStore::new()));
    let dir = tempfile::tempdir().unwrap();
    let sqlite = exemption_scenario(Arc::new(
        SqliteStore::open(dir.path().join("seatwarden.db")).unwrap(),
    ));
    assert_eq!(memory, sqlite);
}

fn put_guard(service: &Service, max_accounts: u32) {
    put_settings(
        service,
        json!({"guard": {"enabled": true, "maxAccounts": max_accounts,
                         "maxPercent": 100, "minLicensed": 100000}}),
    );
}

/// (user, status, approver kind) of every item after a held run that would
/// act on the approved ones is discarded, then who is active after "Act
/// now" with the guard raised.
fn discard_scenario(store: Arc<dyn Store>) -> (Vec<(String, String, String)>, Vec<String>) {
    let (host, service) = service(store.clone(), 4);
    let (id, _) = create_policy(
        &service,
        json!({"name": "Reviewed", "mode": "review", "trigger": {"kind": "scheduler"},
               "condition": {"kind": "inactive", "days": 90}, "action": {"kind": "deactivate"}}),
        DAY0,
    );
    run_policy_now(&service, &id, TICK);
    let items = review_items(&service, TICK);
    let ids: Vec<i64> = ["K-idle0000", "K-idle0001", "K-idle0002"]
        .iter()
        .map(|u| item_of(&items, u)["id"].as_i64().unwrap())
        .collect();
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/decide",
        Some(json!({"decision": "approve", "ids": ids})),
        TICK,
    );
    assert_eq!((status, body["decided"].as_u64()), (200, Some(3)), "{body}");
    // The guard holds the run that would act on the three.
    put_guard(&service, 2);
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/act",
        Some(json!({"policy": id})),
        TICK + 1,
    );
    assert_eq!(status, 202, "{body}");
    let run = body["runId"].as_i64().unwrap();
    drain(&service, TICK + 1);
    let (_, r) = call(
        &service,
        Method::Get,
        &format!("/api/runs/{run}"),
        None,
        TICK + 1,
    );
    assert_eq!(r["run"]["status"], "awaiting_approval", "{r}");
    let acted = review_items(&service, TICK + 1)
        .iter()
        .filter(|i| i["status"] == "acted")
        .count();
    assert_eq!(acted, 3, "the held plan counts as acting");

    let before = state(&host);
    let (status, body) = call(
        &service,
        Method::Post,
        &format!("/api/runs/{run}/discard"),
        None,
        TICK + 2,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(state(&host), before, "a discard changes nobody");
    let items = review_items(&service, TICK + 2);
    let mut out: Vec<(String, String, String)> = items
        .iter()
        .map(|i| {
            (
                i["user"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
                i["state"]["by"]["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    out.sort();
    let reopened = entries(store.as_ref(), Action::ReviewApproved)
        .iter()
        .filter(|e| e.entry.description.contains("approved again"))
        .count();
    assert_eq!(reopened, 3, "each return to approved is audited");

    // The approvals stand: with the guard raised, "Act now" acts on them.
    put_guard(&service, 100);
    let (status, body) = call(
        &service,
        Method::Post,
        "/api/review/act",
        Some(json!({"policy": id})),
        TICK + 3,
    );
    assert_eq!(status, 202, "{body}");
    drain(&service, TICK + 3);
    let inactive = state(&host)
        .into_iter()
        .filter(|(_, a, _, _)| !a)
        .map(|(k, _, _, _)| k)
        .collect();
    (out, inactive)
}

#[test]
fn a_discarded_held_run_puts_its_approved_review_items_back_over_memory_and_sqlite() {
    let memory = discard_scenario(Arc::new(MemoryStore::new()));
    let dir = tempfile::tempdir().unwrap();
    let sqlite = discard_scenario(Arc::new(
        SqliteStore::open(dir.path().join("seatwarden.db")).unwrap(),
    ));
    assert_eq!(memory, sqlite);
    let approved: Vec<_> = memory
        .0
        .iter()
        .filter(|(_, s, by)| s == "approved" && by == "admin")
        .map(|(u, _, _)| u.as_str())
        .collect();
    assert_eq!(approved, ["K-idle0000", "K-idle0001", "K-idle0002"]);
    assert!(
        memory
            .0
            .iter()
            .any(|(u, s, _)| u == "K-idle0003" && s == "open")
    );
    assert_eq!(memory.1, ["K-idle0000", "K-idle0001", "K-idle0002"]);
}
