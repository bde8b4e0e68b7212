//! Issue 18, what remained after its first pass: "run now" refused up
//! front, licence seats an import would exhaust, policy writes without a
//! configuration version, policy names with bidi controls.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_service::Service;
use seatwarden_service::api::Method;

fn run_now(service: &Service, id: &str, now: i64) -> (u16, Value) {
    call(
        service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        now,
    )
}

/// "Run now" while the policy's run is still queued answers 409 naming that
/// run (it used to answer 202 and create a run that failed later); once the
/// run finished, a new one starts.
#[test]
fn run_now_is_refused_up_front_while_the_policy_has_an_unfinished_run() {
    let f = fixture(3, 1, 0);
    let policy = create_policy(&f.service, deactivation_policy("Idle", false), DAY0).0;
    let (status, first) = run_now(&f.service, &policy, DAY0);
    assert_eq!(status, 202, "{first}");
    let (status, second) = run_now(&f.service, &policy, DAY0);
    assert_eq!(status, 409, "{second}");
    let message = second["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("run `{}`", first["runId"])),
        "{second}"
    );
    assert!(message.contains("queued or running"), "{second}");
    // Another policy is not held up.
    let other = create_policy(&f.service, deactivation_policy("Other", false), DAY0).0;
    assert_eq!(run_now(&f.service, &other, DAY0).0, 202);
    drain(&f.service, DAY0);
    let (_, runs) = call(&f.service, Method::Get, "/api/runs", None, DAY0);
    let items = runs["runs"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{runs}");
    assert_eq!(run_now(&f.service, &policy, DAY0 + 1).0, 202);
}

/// A fixture whose licence (`jira-software-users`) has 5 seats, 2 used
/// (the admin and `fresh0000`): 3 left.
fn three_seats_left() -> Fixture {
    let mut snap = serde_json::to_value(snapshot(0, 1, 0)).unwrap();
    snap["header"]["licences"][0]["limit"] = json!({"kind": "limited", "seats": 5});
    snap["header"]["licences"][0]["seatsUsed"] = json!(2);
    let host = std::sync::Arc::new(seatwarden_service::host::memory::MemoryDirectory::new(
        serde_json::from_value(snap).unwrap(),
    ));
    let store: std::sync::Arc<dyn seatwarden_service::store::Store> =
        std::sync::Arc::new(seatwarden_service::store::MemoryStore::new());
    let service = Service::new(host.clone(), store.clone(), options("node-a", 50)).unwrap();
    Fixture {
        host,
        store,
        service,
    }
}

/// An import that gives more users a licence seat than are left says so in
/// the preview (how many, seats left, which rows) and, applied, waits for
/// approval like a run the mass-change guard holds; nothing is written
/// until it is approved. (It used to run and end "no licence seat" for the
/// rows past the seats left.)
#[test]
fn an_import_that_would_exhaust_a_licence_says_so_and_waits_for_approval() {
    let f = three_seats_left();
    // Lines 2–6 give 5 users a Jira Software seat; `fresh0000` (line 7)
    // holds one already, and a row in `staff` only takes none.
    let csv = "username,email,display name,groups\n\
               n1,n1@example.test,N 1,jira-software-users\n\
               n2,n2@example.test,N 2,jira-software-users;staff\n\
               n3,n3@example.test,N 3,jira-software-users\n\
               n4,n4@example.test,N 4,jira-software-users\n\
               n5,n5@example.test,N 5,jira-software-users\n\
               fresh0000,,,jira-software-users;staff\n\
               n6,n6@example.test,N 6,staff\n";
    let (status, plan) = validate_import(&f.service, csv, DAY0);
    assert_eq!(status, 200, "{plan}");
    assert_eq!(
        plan["summary"]["seats"],
        json!([{"application": "jira-software", "name": "Jira Software", "seatsLeft": 3,
                "seatsTaken": 5, "short": 2, "shortLines": [5, 6]}])
    );
    let guard = plan["guard"].as_array().unwrap();
    assert_eq!(guard.len(), 1, "{plan}");
    let sentence = guard[0].as_str().unwrap();
    assert!(sentence.contains("3 seat(s) left"), "{sentence}");
    assert!(sentence.contains("2 row(s)"), "{sentence}");
    assert!(sentence.contains("line 5"), "{sentence}");
    assert_eq!(
        plan["document"]["guard"],
        json!([]),
        "shown once, as `guard`"
    );

    let before = state(&f.host);
    let (status, started) = apply_import(&f.service, &plan, DAY0);
    assert_eq!(status, 202, "{started}");
    drain(&f.service, DAY0);
    let run = started["runId"].as_i64().unwrap();
    let (_, stored) = call(
        &f.service,
        Method::Get,
        &format!("/api/runs/{run}"),
        None,
        DAY0,
    );
    assert!(stored.to_string().contains("awaiting_approval"), "{stored}");
    assert_eq!(state(&f.host), before);

    let (status, approved) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/approve"),
        Some(json!({"planHash": plan["planHash"]})),
        DAY0 + 1,
    );
    assert_eq!(status, 202, "{approved}");
    drain(&f.service, DAY0 + 1);
    let created = state(&f.host)
        .into_iter()
        .filter(|(_, _, name, _)| name.starts_with('n'))
        .count();
    assert_eq!(created, 6);
}

/// An import within the seats left is not held.
#[test]
fn an_import_within_the_seats_left_applies_at_once() {
    let f = three_seats_left();
    let csv = "username,email,display name,groups\n\
               n1,n1@example.test,N 1,jira-software-users\n\
               n2,n2@example.test,N 2,jira-software-users\n\
               n3,n3@example.test,N 3,jira-software-users\n";
    let (status, plan) = validate_import(&f.service, csv, DAY0);
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["guard"], json!([]));
    assert_eq!(plan["summary"]["seats"][0]["short"], json!(0));
    let (status, _) = apply_import(&f.service, &plan, DAY0);
    assert_eq!(status, 202);
    drain(&f.service, DAY0);
    assert_eq!(
        state(&f.host)
            .into_iter()
            .filter(|(_, _, name, _)| name.starts_with('n'))
            .count(),
        3
    );
}

/// Policy names are shown in the UI, the audit log, exports and mail: a
/// control or bidi-override character is refused as in user and group
/// names (`Idle\u{202E}eteled` displayed as another name), and nothing is
/// saved.
#[test]
fn control_and_bidi_characters_are_refused_in_policy_names() {
    let f = fixture(1, 1, 0);
    for (name, reason) in [
        ("Idle\u{202E}eteled", "bidirectional control character"),
        ("Idle\u{2066}x", "bidirectional control character"),
        ("Idle\u{0007}", "control characters"),
        ("Idle\u{0085}", "control characters"),
    ] {
        let mut body = deactivation_policy("x", false);
        body["name"] = json!(name);
        let (status, refused) = common::post_policy(&f.service, body, DAY0);
        assert_eq!(status, 422, "{refused}");
        assert!(refused.to_string().contains(reason), "{refused}");
        assert!(refused.to_string().contains("name"), "{refused}");
    }
    let (_, list) = call(&f.service, Method::Get, "/api/policies", None, DAY0);
    assert_eq!(list["policies"], json!([]));
    // Right-to-left text itself is a name like any other.
    let mut body = deactivation_policy("x", false);
    body["name"] = json!("משתמשים לא פעילים");
    let (status, created) = common::post_policy(&f.service, body, DAY0);
    assert_eq!(status, 201, "{created}");
}

/// A revert cannot restore earlier display names and emails (the undo
/// records keep status, username and groups only): the preview says so
/// before the import runs, with the count (it used to say nothing until
/// the revert listed them).
#[test]
fn an_import_preview_says_plainly_that_profile_updates_cannot_be_undone() {
    let f = fixture(0, 2, 0);
    let csv = "username,email,display name,groups\n\
               fresh0000,renamed@example.test,Fresh Renamed,jira-software-users;staff\n\
               fresh0001,,Also Renamed,jira-software-users;staff\n\
               n1,n1@example.test,N 1,staff\n";
    let (status, plan) = validate_import(&f.service, csv, DAY0);
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["summary"]["irreversible"]["profileUpdates"], json!(2));
    let because = plan["summary"]["irreversible"]["because"].as_str().unwrap();
    assert!(because.contains("2 profile update(s)"), "{because}");
    assert!(because.contains("cannot be undone"), "{because}");
    assert_eq!(plan["document"]["warnings"], json!([{"message": because}]));

    // Only new users: nothing to warn about.
    let (_, plan) = validate_import(
        &f.service,
        "username,email,display name,groups\nn2,n2@example.test,N 2,staff\n",
        DAY0,
    );
    assert_eq!(plan["summary"]["irreversible"]["profileUpdates"], json!(0));
    assert_eq!(plan["summary"]["irreversible"]["because"], Value::Null);
    assert_eq!(plan["document"]["warnings"], json!([]));
}

/// Issue 18, item 6: a policy write that does not name the configuration
/// version it was based on is refused (`400`, as for mail settings and
/// templates), a stale one is a conflict (`409`); neither changes anything.
/// Create, replace, delete, pause and resume alike.
#[test]
fn policy_writes_refuse_missing_or_stale_config_versions() {
    let f = fixture(1, 1, 0);
    let s = &f.service;
    let (id, v1) = create_policy(s, versioned(s, deactivation_policy("Idle", false)), DAY0);
    let one = format!("/api/policies/{id}");
    let stale = json!(v1 - 1);
    let writes: [(Method, String, Value); 5] = [
        (
            Method::Post,
            "/api/policies".to_owned(),
            deactivation_policy("New", false),
        ),
        (
            Method::Put,
            one.clone(),
            deactivation_policy("Renamed", false),
        ),
        (Method::Post, format!("{one}/pause"), json!({})),
        (Method::Post, format!("{one}/resume"), json!({})),
        (Method::Delete, one.clone(), json!({})),
    ];
    let config = || f.store.load_config().unwrap();
    let before = config();
    for (method, path, body) in &writes {
        let (status, answer) = call(s, *method, path, Some(body.clone()), DAY0);
        assert_eq!(status, 400, "{method:?} {path} without a version: {answer}");
        assert_eq!(
            answer["error"]["message"],
            json!("missing field `configVersion`"),
            "{method:?} {path}"
        );
        let mut old = body.clone();
        old["configVersion"] = stale.clone();
        let (status, answer) = call(s, *method, path, Some(old), DAY0);
        assert_eq!(
            status, 409,
            "{method:?} {path} with a stale version: {answer}"
        );
    }
    // A body-less delete, pause or resume names it in the query, or is refused.
    for (method, path) in [
        (Method::Delete, one.clone()),
        (Method::Post, format!("{one}/pause")),
    ] {
        let (status, answer) = call(s, method, &path, None, DAY0);
        assert_eq!(status, 400, "{method:?} {path}: {answer}");
    }
    assert_eq!(config(), before, "nothing was saved");
    assert_eq!(s.settings().version.0, v1);
    // The current version passes: pause names it in the query, like the UI.
    let (status, paused) = call(
        s,
        Method::Post,
        &format!("{one}/pause?configVersion={v1}"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{paused}");
    assert_eq!(paused["policy"]["enabled"], json!(false));
}
