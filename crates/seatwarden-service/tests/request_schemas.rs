//! Every request body the document describes is the one the server reads
//! (issue 18): a sample body per route passes its request schema in
//! `api/openapi.json` and is accepted, and each field the schema lists as
//! required is one the server refuses to do without (400, nothing
//! changed; 422 when the engine's validation names it). A schema that asked for less than the server would let
//! schemathesis's "valid requests are accepted" check fail; one that asked
//! for more would hide a field the UI may leave out.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::{DAY0, call, deactivation_policy, fixture};
use seatwarden_service::Service;
use seatwarden_service::api::Method;

/// Where `route`'s JSON request schema sits, as a JSON pointer.
fn request_pointer(doc: &Value, method: &str, path: &str) -> String {
    let op = &doc["paths"][path][method];
    assert!(
        op["requestBody"].is_object(),
        "{method} {path}: no request body in the document"
    );
    let escaped = path
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D");
    format!("#/paths/{escaped}/{method}/requestBody/content/application~1json/schema")
}

/// The schema's errors for `body` (empty when valid), and its required list.
fn against_schema(
    doc: &Value,
    method: &str,
    path: &str,
    body: &Value,
) -> (Vec<String>, Vec<String>) {
    let pointer = request_pointer(doc, method, path);
    let mut root = doc.clone();
    root["$ref"] = Value::String(pointer);
    let validator = jsonschema::draft202012::new(&root)
        .unwrap_or_else(|e| panic!("{method} {path}: the schema does not compile: {e}"));
    let errors = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    let schema =
        &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    let required = schema["required"]
        .as_array()
        .map(|r| r.iter().map(|f| f.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default();
    (errors, required)
}

/// Checks `body` for `route` (`METHOD /template`) sent to `concrete`:
/// valid by the schema; without each required field, invalid by the
/// schema and refused by the server (400 or 422) naming the field; then
/// accepted with `status`. Returns the accepted answer.
fn check(s: &Service, route: &str, concrete: &str, body: Value, status: u16) -> Value {
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    let (method, path) = route.split_once(' ').unwrap();
    let method_lc = method.to_lowercase();
    let verb = match method {
        "POST" => Method::Post,
        "PUT" => Method::Put,
        other => panic!("{other}"),
    };
    let (errors, required) = against_schema(&doc, &method_lc, path, &body);
    assert_eq!(
        errors,
        Vec::<String>::new(),
        "{route}: the sample body fails its schema"
    );
    for field in &required {
        let mut without = body.clone();
        without.as_object_mut().unwrap().remove(field);
        let (errors, _) = against_schema(&doc, &method_lc, path, &without);
        assert!(
            !errors.is_empty(),
            "{route}: the schema accepts a body without `{field}`"
        );
        let (got, answer) = call(s, verb, concrete, Some(without), DAY0);
        // 400 for a shape error, 422 for the engine's validation (which
        // names the field's path in its problems).
        assert!(
            matches!(got, 400 | 422),
            "{route} without `{field}`: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(field.as_str()),
            "{route} without `{field}`: {answer}"
        );
    }
    // Accepted as is: so none of the refusals above changed anything
    // (a changed configuration would make this body's version stale).
    let (got, answer) = call(s, verb, concrete, Some(body), DAY0);
    assert_eq!(got, status, "{route}: {answer}");
    answer
}

fn version(s: &Service) -> u64 {
    s.settings().version.0
}

#[test]
fn each_request_schema_accepts_the_bodies_sent_and_requires_what_the_server_needs() {
    let f = fixture(3, 2, 0);
    let s = &f.service;

    let mut policy = deactivation_policy("Idle", false);
    policy["configVersion"] = json!(version(s));
    let created = check(s, "POST /api/policies", "/api/policies", policy, 201);
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    let mut whole = created["policy"].clone();
    whole["name"] = json!("Idle for long");
    whole["configVersion"] = json!(version(s));
    check(
        s,
        "PUT /api/policies/{id}",
        &format!("/api/policies/{id}"),
        whole,
        200,
    );
    let paused = json!({"configVersion": version(s)});
    check(
        s,
        "POST /api/policies/{id}/pause",
        &format!("/api/policies/{id}/pause"),
        paused,
        200,
    );

    let plan = check(
        s,
        "POST /api/bulk/plan",
        "/api/bulk/plan",
        json!({"action": "deactivate", "keys": ["K-idle0000"]}),
        200,
    );
    // Keys and a filter together: refused by the schema and the server alike.
    let both = json!({"action": "deactivate", "keys": ["K-idle0000"], "filter": {}});
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    assert!(
        !against_schema(&doc, "post", "/api/bulk/plan", &both)
            .0
            .is_empty()
    );
    assert_eq!(
        call(s, Method::Post, "/api/bulk/plan", Some(both), DAY0).0,
        400
    );
    let plan_id = plan["planId"].as_str().unwrap();
    check(
        s,
        "POST /api/bulk/{planId}/run",
        &format!("/api/bulk/{plan_id}/run"),
        json!({"planHash": plan["planHash"]}),
        202,
    );

    check(
        s,
        "POST /api/groups",
        "/api/groups",
        json!({"names": "team-a; team-b"}),
        200,
    );
    check(
        s,
        "POST /api/groups/delete",
        "/api/groups/delete",
        json!({"names": ["team-b"]}),
        200,
    );

    check(
        s,
        "POST /api/templates/preview",
        "/api/templates/preview",
        json!({"subject": "Your account", "body": "<p>Hi</p>", "kind": "warning", "daysBefore": 11}),
        200,
    );

    let (_, listed) = call(s, Method::Get, "/api/templates", None, DAY0);
    let first = listed["templates"][0]["id"].as_str().unwrap().to_owned();
    let (_, got) = call(
        s,
        Method::Get,
        &format!("/api/templates/{first}"),
        None,
        DAY0,
    );
    let mut template = got;
    template.as_object_mut().unwrap().remove("lastSend");
    template["id"] = json!("custom-warning");
    template["name"] = json!("Custom warning");
    template["configVersion"] = json!(version(s));
    check(
        s,
        "POST /api/templates",
        "/api/templates",
        template.clone(),
        201,
    );
    template["subject"] = json!("Your account, again");
    template["configVersion"] = json!(version(s));
    check(
        s,
        "PUT /api/templates/{id}",
        "/api/templates/custom-warning",
        template,
        200,
    );

    // A test mail with no server to send through: the configuration's
    // state (409 with the reason), not a server error.
    let (status, answer) = call(
        s,
        Method::Post,
        "/api/templates/custom-warning/test",
        Some(json!({"to": "admin@example.test"})),
        DAY0,
    );
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["kind"], json!("conflict"), "{answer}");

    let (_, settings) = call(s, Method::Get, "/api/settings", None, DAY0);
    check(
        s,
        "PUT /api/settings",
        "/api/settings",
        json!({"configVersion": version(s), "settings": settings["settings"]}),
        200,
    );
    check(
        s,
        "PUT /api/audit/retention",
        "/api/audit/retention",
        json!({"days": 400, "configVersion": version(s)}),
        200,
    );
    check(
        s,
        "POST /api/audit/clear",
        "/api/audit/clear",
        json!({"confirm": "CLEAR ALL AUDIT LOGS"}),
        200,
    );
    check(
        s,
        "PUT /api/settings/mail",
        "/api/settings/mail",
        json!({"source": "off", "configVersion": version(s)}),
        200,
    );
}
