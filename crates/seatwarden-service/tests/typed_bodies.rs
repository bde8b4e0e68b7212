//! Request bodies are typed (`#[derive(Deserialize)]`), and a wrong one
//! still gets the precise, value-free message naming its field by path
//! (`names[1]`), and changes nothing.
//!
//! Each case is sent to a fresh service and the directory, configuration
//! and audit log are compared before and after.

mod common;

use serde_json::{Value, json};

use common::{DAY0, call, fixture, state};
use seatwarden_service::api::Method;

/// What a refused request must leave as it was.
fn snapshot(f: &common::Fixture) -> (Value, Value, usize) {
    let (_, settings) = call(&f.service, Method::Get, "/api/settings", None, DAY0);
    let (_, retention) = call(&f.service, Method::Get, "/api/audit/retention", None, DAY0);
    let (_, audit) = call(&f.service, Method::Get, "/api/audit", None, DAY0);
    let entries = audit
        .get("entries")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    (settings, retention, entries)
}

#[test]
fn wrong_bodies_name_the_field_and_change_nothing() {
    let version = {
        let f = fixture(2, 1, 0);
        call(&f.service, Method::Get, "/api/settings", None, DAY0).1["configVersion"].clone()
    };
    let cases: Vec<(Method, &str, Value, &str)> = vec![
        (
            Method::Post,
            "/api/groups/delete",
            json!({"names": ["a", 7]}),
            "field `names[1]` must be a string",
        ),
        (
            Method::Post,
            "/api/groups/delete",
            json!({"names": null}),
            "field `names` must be an array of group names",
        ),
        (
            Method::Post,
            "/api/groups/delete",
            json!({}),
            "missing field `names`",
        ),
        (
            Method::Post,
            "/api/groups",
            json!({"names": ["a"]}),
            "field `names` must be a string",
        ),
        (
            Method::Post,
            "/api/bulk/plan",
            json!({"action": "add_to_groups", "keys": ["K-idle0000"], "groups": ["g", 2]}),
            "field `groups[1]` must be a string",
        ),
        (
            Method::Post,
            "/api/bulk/plan",
            json!({"action": "deactivate", "keys": "K-idle0000"}),
            "field `keys` must be an array of user keys",
        ),
        (
            Method::Post,
            "/api/bulk/plan",
            json!({"action": 3, "keys": []}),
            "field `action` must be a string",
        ),
        (
            Method::Post,
            "/api/bulk/plan",
            json!({"action": "shred", "keys": []}),
            "field `action` must be one of `activate`, `deactivate`, `suspend`, `restore`, `delete`, `add_to_groups`, `remove_from_groups`",
        ),
        (
            Method::Post,
            "/api/bulk/plan",
            json!({"action": "delete", "keys": [], "filter": {}}),
            "give either `keys` or `filter`, not both",
        ),
        (
            Method::Post,
            "/api/bulk/plan",
            json!({"action": "delete", "keys": null}),
            "give the users as `keys` (an array) or `filter`",
        ),
        (
            Method::Post,
            "/api/bulk/p1/run",
            json!({"planHash": ["x"]}),
            "field `planHash` must be a string",
        ),
        (
            Method::Post,
            "/api/import/p1/apply",
            json!({}),
            "missing field `planHash`",
        ),
        (
            Method::Put,
            "/api/audit/retention",
            json!({"days": "ninety", "configVersion": version}),
            "field `days` must be a number",
        ),
        (
            Method::Put,
            "/api/audit/retention",
            json!({"days": 30, "configVersion": -1}),
            "field `configVersion` must be a whole number",
        ),
        (
            Method::Put,
            "/api/audit/retention",
            json!({"days": 30, "configVersion": "3"}),
            "field `configVersion` must be a number",
        ),
        (
            Method::Put,
            "/api/audit/retention",
            json!({"days": 30}),
            "missing field `configVersion`",
        ),
        (
            Method::Put,
            "/api/audit/retention",
            json!({"days": 0, "confirm": 1, "configVersion": version}),
            "field `confirm` must be a string",
        ),
        (
            Method::Post,
            "/api/audit/clear",
            json!({"confirm": null}),
            "field `confirm` must be a string",
        ),
        (
            Method::Post,
            "/api/templates/preview",
            json!({"subject": "s", "body": "b", "kind": "sonnet"}),
            "field `kind` must be a template kind",
        ),
        (
            Method::Post,
            "/api/templates/preview",
            json!({"subject": "s"}),
            "missing field `body`",
        ),
        (
            Method::Post,
            "/api/templates/any/test",
            json!({"to": false}),
            "field `to` must be a string",
        ),
        (
            Method::Put,
            "/api/settings",
            json!({"configVersion": version, "settings": {}, "automationAccount": 5}),
            "field `automationAccount` must be a user key",
        ),
        (
            Method::Put,
            "/api/settings",
            json!({"configVersion": version}),
            "missing field `settings`",
        ),
        (
            Method::Post,
            "/api/demo/logins",
            json!({"usernames": ["idle0", {"name": "x"}]}),
            "field `usernames[1]` must be a string",
        ),
        (
            Method::Post,
            "/api/demo/logins",
            json!({"usernames": "idle0"}),
            "field `usernames` must be an array of usernames",
        ),
        (
            Method::Post,
            "/api/demo/logins",
            json!({"usernames": ["idle0"], "at": 1.5}),
            "field `at` must be UTC milliseconds",
        ),
    ];
    for (method, path, body, message) in cases {
        let f = fixture(2, 1, 0);
        let before = (state(&f.host), snapshot(&f));
        let (status, answer) = call(&f.service, method, path, Some(body.clone()), DAY0);
        assert_eq!(
            (status, answer["error"]["message"].as_str()),
            (400, Some(message)),
            "{path} {body}: {answer}"
        );
        assert_eq!((state(&f.host), snapshot(&f)), before, "{path} {body}");
    }
}

#[test]
fn a_wrong_value_is_never_quoted_back() {
    let f = fixture(1, 0, 0);
    let secret = "alice@example.test";
    for (path, body) in [
        ("/api/groups/delete", json!({"names": secret})),
        (
            "/api/bulk/plan",
            json!({"action": "delete", "keys": secret}),
        ),
        (
            "/api/demo/logins",
            json!({"usernames": [secret], "at": secret}),
        ),
        (
            "/api/templates/preview",
            json!({"subject": "s", "body": "b", "kind": secret}),
        ),
    ] {
        let (status, answer) = call(&f.service, Method::Post, path, Some(body), DAY0);
        assert_eq!(status, 400, "{path}: {answer}");
        assert!(!answer.to_string().contains(secret), "{path}: {answer}");
    }
}

#[test]
fn typed_bodies_still_accept_what_they_accepted() {
    let f = fixture(2, 0, 0);
    // `null` and absent optional fields mean "not given", unknown fields
    // are ignored, as before the bodies were typed.
    let (status, plan) = call(
        &f.service,
        Method::Post,
        "/api/bulk/plan",
        Some(
            json!({"action": "deactivate", "keys": ["K-idle0000"], "filter": null, "groups": null, "note": 1}),
        ),
        DAY0,
    );
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["actionCount"], json!(1));
    let (status, logins) = call(
        &f.service,
        Method::Post,
        "/api/demo/logins",
        Some(json!({"usernames": ["idle0"], "at": null})),
        DAY0,
    );
    // The body is read; the memory host then says it records no logins.
    assert_eq!(
        (status, &logins["error"]["kind"]),
        (503, &json!("unavailable")),
        "{logins}"
    );
    let (_, read) = call(&f.service, Method::Get, "/api/audit/retention", None, DAY0);
    // Lowering retention (365 → 45) needs `confirmDays` naming the new
    // number; any other value, of any type, is that confirmation missing
    // (the precise sentence on `confirmDays`), not a malformed body.
    let (status, refused) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 45, "confirmDays": "45", "configVersion": read["configVersion"]})),
        DAY0,
    );
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["details"]["problems"][0]["path"],
        json!("confirmDays"),
        "{refused}"
    );
    let (status, saved) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        // Lowering retention names the new number of days again (issue 24).
        Some(json!({"days": 45, "confirmDays": 45, "configVersion": read["configVersion"]})),
        DAY0,
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["days"], json!(45));
}
