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

fn create_policy(service: &Service, body: Value, now: i64) -> String {
    let (status, created) = call(service, Method::Post, "/api/policies", Some(body), now);
    assert_eq!(status, 201, "{created}");
    created["policy"]["id"].as_str().unwrap().to_owned()
}

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
    let policy = create_policy(&f.service, deactivation_policy("Idle", false), DAY0);
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
    let other = create_policy(&f.service, deactivation_policy("Other", false), DAY0);
    assert_eq!(run_now(&f.service, &other, DAY0).0, 202);
    drain(&f.service, DAY0);
    let (_, runs) = call(&f.service, Method::Get, "/api/runs", None, DAY0);
    let items = runs["runs"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{runs}");
    assert_eq!(run_now(&f.service, &policy, DAY0 + 1).0, 202);
}
