//! The pickers' routes (issue 24, item 6): `GET /api/pick/users` and
//! `GET /api/pick/groups` search the index best match first and resolve
//! saved keys and names, naming those that no longer exist; bad parameters
//! get a precise error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::Value;

use common::{DAY0, call, fixture};
use seatwarden_service::api::Method;

fn get(s: &seatwarden_service::Service, path: &str) -> (u16, Value) {
    call(s, Method::Get, path, None, DAY0)
}

fn field(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn users_are_searched_by_username_name_or_email_best_first() {
    let f = fixture(12, 3, 0);
    let s = &f.service;
    let (status, body) = get(s, "/api/pick/users?q=IDLE0003");
    assert_eq!(status, 200, "{body}");
    assert_eq!(field(&body["users"], "username"), ["idle0003"]);
    assert_eq!(body["users"][0]["displayName"], "Idle 3");
    assert_eq!(body["users"][0]["key"], "K-idle0003");
    assert_eq!(body["users"][0]["directory"], "Internal");
    assert_eq!(body["users"][0]["active"], true);
    // A prefix: 12 idle users match, the limit keeps 5, the total says 12.
    let (_, body) = get(s, "/api/pick/users?q=idle&limit=5");
    assert_eq!(
        field(&body["users"], "username"),
        ["idle0000", "idle0001", "idle0002", "idle0003", "idle0004"]
    );
    assert_eq!(body["total"], 12);
    // A display name (`Fresh 1`) and a pasted key find their user.
    let (_, body) = get(s, "/api/pick/users?q=Fresh 1");
    assert_eq!(field(&body["users"], "username"), ["fresh0001"]);
    let (_, body) = get(s, "/api/pick/users?q=K-fresh0002");
    assert_eq!(field(&body["users"], "username"), ["fresh0002"]);
}

#[test]
fn saved_keys_and_names_resolve_and_missing_ones_are_named() {
    let f = fixture(2, 1, 0);
    let s = &f.service;
    let (status, body) = get(s, "/api/pick/users?key=K-idle0001&key=K-nobody&key=K-admin");
    assert_eq!(status, 200, "{body}");
    assert_eq!(field(&body["users"], "username"), ["idle0001", "admin"]);
    assert_eq!(body["missing"], serde_json::json!(["K-nobody"]));
    let (_, body) = get(s, "/api/pick/groups?name=STAFF&name=jira-softwre-users");
    assert_eq!(field(&body["groups"], "name"), ["staff"]);
    assert_eq!(body["groups"][0]["members"], 3);
    assert_eq!(body["missing"], serde_json::json!(["jira-softwre-users"]));
}

#[test]
fn groups_come_with_member_counts_and_flags() {
    let f = fixture(2, 1, 0);
    let s = &f.service;
    let (status, body) = get(s, "/api/pick/groups?q=jira");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        field(&body["groups"], "name"),
        ["jira-administrators", "jira-software-users"]
    );
    assert_eq!(body["groups"][0]["admin"], true);
    assert_eq!(body["groups"][1]["licence"], true);
    assert_eq!(body["groups"][1]["members"], 4);
    let (_, body) = get(s, "/api/pick/groups?q=&limit=1");
    assert_eq!(body["total"], 3);
    assert_eq!(body["groups"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_parameters_are_refused_by_name() {
    let f = fixture(1, 0, 0);
    let s = &f.service;
    for path in [
        "/api/pick/users?limit=0",
        "/api/pick/users?limit=101",
        "/api/pick/users?limit=ten",
        "/api/pick/groups?limit=-5",
    ] {
        let (status, body) = get(s, path);
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(
            body["error"]["details"]["problems"][0]["path"], "query.limit",
            "{path}: {body}"
        );
        assert_eq!(
            body["error"]["message"],
            "query parameter `limit` must be a whole number from 1 to 100"
        );
    }
    let (status, body) = get(s, "/api/pick/users?q=a&key=K-admin");
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["details"]["problems"][0]["path"], "query.key");
    let (status, body) = get(s, "/api/pick/groups?query=a");
    assert_eq!(status, 400, "{body}");
}
