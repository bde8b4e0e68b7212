//! The admin API answers in one casing: every JSON key the UI reads is
//! camelCase, so the UI reads answers as they are (it no longer converts).
//!
//! The walk fills a service with one of everything a screen shows (a
//! policy and its preview, a bulk run, audit entries, a template) and
//! reads every JSON route. The mail settings section is the one documented
//! exception: it is the stored SMTP document sent back as it is
//! (`docs/api.md`), so its keys are the store's. One key is still open: the
//! engine's plan document writes an inactivity reason's `last_login`
//! (`seatwarden_core::plan::Reason`); the golden scenarios and the run
//! journal pin that document, so renaming it is its own change. The UI
//! reads the reason's `because` text, not that key.
//!
//! The same walk holds every answer against its response schema in
//! `api/openapi.json` (the `jsonschema` crate, draft 2020-12 as OpenAPI 3.1
//! uses): a renamed, dropped or retyped key fails here, not in the UI.

// The walk is a helper shared by the tests here; a wrong answer is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::Value;

use common::{DAY, DAY0, TICK, admin, call, deactivation_policy, drain, fixture, request};
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use serde_json::json;

/// Every key containing `_`, with its path.
fn snake_keys(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let here = format!("{path}.{k}");
                if k.contains('_') {
                    out.push(here.clone());
                }
                snake_keys(v, &here, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| snake_keys(v, path, out)),
        _ => {}
    }
}

/// A Cloud connection holder for the walk: accepts the key `good`, refuses
/// any other naming the key's field, as the standalone server's does.
struct TestCloud;

impl seatwarden_service::cloud::CloudConnections for TestCloud {
    fn current(&self) -> seatwarden_service::cloud::CloudConnectionView {
        seatwarden_service::cloud::CloudConnectionView {
            configured: true,
            org_id: "org-1".into(),
            site_url: "https://acme.atlassian.net".into(),
            site_email: "admin@acme.example".into(),
            api_key_set: true,
            site_token_set: true,
            stored_in: "the data folder".into(),
            in_use: true,
            demo: false,
            status: Some(connected()),
        }
    }
    fn test(
        &self,
        form: &seatwarden_service::cloud::CloudConnectionForm,
    ) -> Result<seatwarden_service::cloud::CloudConnected, seatwarden_service::cloud::CloudRefusal>
    {
        match seatwarden_service::cloud::CloudConnectionForm::typed(&form.api_key) {
            None | Some("good") => Ok(connected()),
            Some(_) => Err(seatwarden_service::cloud::CloudRefusal {
                field: "apiKey",
                message: "the organization API key was refused (401)".into(),
            }),
        }
    }
    fn save(
        &self,
        form: &seatwarden_service::cloud::CloudConnectionForm,
    ) -> Result<
        seatwarden_service::cloud::CloudConnectionView,
        seatwarden_service::cloud::CloudRefusal,
    > {
        self.test(form).map(|_| self.current())
    }
}

fn connected() -> seatwarden_service::cloud::CloudConnected {
    seatwarden_service::cloud::CloudConnected {
        org_name: "Acme".into(),
        users: 3,
        site_url: "https://acme.atlassian.net".into(),
        licences: 2,
    }
}

/// Every JSON route's answer in a service holding one of everything, each
/// named `METHOD /route/{template}` as the OpenAPI document names it.
fn walk() -> (common::Fixture, Vec<(String, Value)>) {
    let f = fixture(3, 2, 0);
    let s = &f.service;
    s.set_cloud_connections(std::sync::Arc::new(TestCloud));
    let cloud_form = json!({"orgId": "org-1", "apiKey": "good", "siteUrl": "https://acme.atlassian.net",
        "siteEmail": "admin@acme.example"});
    let (status, tested) = call(
        s,
        Method::Post,
        "/api/cloud/connection/test",
        Some(cloud_form.clone()),
        DAY0,
    );
    assert_eq!(status, 200, "{tested}");
    let (status, saved) = call(
        s,
        Method::Put,
        "/api/cloud/connection",
        Some(cloud_form),
        DAY0,
    );
    assert_eq!(status, 200, "{saved}");
    // A refused credential is a 422 naming its field, and its value is
    // nowhere in the answer.
    let (status, refused) = call(
        s,
        Method::Post,
        "/api/cloud/connection/test",
        Some(
            json!({"orgId": "org-1", "apiKey": "s3cret-wrong", "siteUrl": "https://acme.atlassian.net",
            "siteEmail": "admin@acme.example"}),
        ),
        DAY0,
    );
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["details"]["problems"][0]["path"], "apiKey",
        "{refused}"
    );
    assert!(!refused.to_string().contains("s3cret-wrong"), "{refused}");
    let (status, created) = common::post_policy(s, deactivation_policy("Idle", false), DAY0);
    assert_eq!(status, 201, "{created}");
    let policy = created["policy"]["id"].as_str().unwrap().to_owned();
    let (status, preview) = call(
        s,
        Method::Post,
        &format!("/api/policies/{policy}/preview"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{preview}");
    let (status, plan) = call(
        s,
        Method::Post,
        "/api/bulk/plan",
        Some(serde_json::json!({"action": "deactivate", "keys": ["K-idle0000"]})),
        DAY0,
    );
    assert_eq!(status, 200, "{plan}");
    let (status, ran) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(serde_json::json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 202, "{ran}");
    drain(s, DAY0);
    let run = ran["runId"].as_i64().unwrap();
    let (_, templates) = call(s, Method::Get, "/api/templates", None, DAY0);
    let template = templates["templates"][0]["id"]
        .as_str()
        .expect("the default configuration has templates")
        .to_owned();

    let (status, what_if) = call(
        s,
        Method::Post,
        &format!("/api/policies/{policy}/whatif"),
        Some(serde_json::json!({"days": 60})),
        DAY0,
    );
    assert_eq!(status, 200, "{what_if}");
    let mut answers = vec![
        ("POST /api/policies/{id}/whatif".to_owned(), what_if),
        ("POST /api/policies".to_owned(), created),
        ("POST /api/bulk/{planId}/run".to_owned(), ran.clone()),
        ("POST /api/policies/{id}/preview".to_owned(), preview),
        ("POST /api/bulk/plan".to_owned(), plan),
        ("POST /api/cloud/connection/test".to_owned(), tested),
        ("PUT /api/cloud/connection".to_owned(), saved),
    ];
    // Today's records and a demo day before them, so the records of the
    // licence history and the activity trend are checked too.
    s.record_licence_history(seatwarden_core::Millis(DAY0))
        .unwrap();
    let mut demo = s
        .activity_history(DAY0 / DAY, DAY0 / DAY)
        .unwrap()
        .remove(0);
    demo.day -= 1;
    demo.date = seatwarden_core::Millis(demo.day * DAY).date_string();
    demo.demo = true;
    s.store().put_activity_days(&[demo], 0).unwrap();
    for (route, path) in [
        ("/api/me", "/api/me".to_owned()),
        ("/api/dashboard", "/api/dashboard".to_owned()),
        (
            "/api/insights/products",
            "/api/insights/products".to_owned(),
        ),
        ("/api/users", "/api/users".to_owned()),
        ("/api/users/{key}", "/api/users/K-idle0000".to_owned()),
        ("/api/directories", "/api/directories".to_owned()),
        ("/api/licences", "/api/licences".to_owned()),
        ("/api/licences/history", "/api/licences/history".to_owned()),
        (
            "/api/activity/history",
            "/api/activity/history?days=30".to_owned(),
        ),
        ("/api/forecast", "/api/forecast".to_owned()),
        ("/api/savings", "/api/savings".to_owned()),
        ("/api/migration", "/api/migration".to_owned()),
        ("/api/policies", "/api/policies".to_owned()),
        ("/api/policies/{id}", format!("/api/policies/{policy}")),
        (
            "/api/automation/summary",
            "/api/automation/summary".to_owned(),
        ),
        ("/api/runs", "/api/runs".to_owned()),
        ("/api/runs/{id}", format!("/api/runs/{run}")),
        (
            "/api/runs/{id}/progress",
            format!("/api/runs/{run}/progress"),
        ),
        ("/api/runs/{id}/actions", format!("/api/runs/{run}/actions")),
        ("/api/audit", "/api/audit".to_owned()),
        ("/api/audit/summary", "/api/audit/summary".to_owned()),
        ("/api/audit/retention", "/api/audit/retention".to_owned()),
        ("/api/groups", "/api/groups?withCounts=true".to_owned()),
        // Uncounted: `members` is null (schemathesis found the schema said
        // integer only).
        ("/api/groups", "/api/groups?withCounts=false".to_owned()),
        (
            "/api/pick/users",
            "/api/pick/users?q=idle&limit=2".to_owned(),
        ),
        (
            "/api/pick/groups",
            "/api/pick/groups?name=staff&name=gone".to_owned(),
        ),
        ("/api/templates", "/api/templates".to_owned()),
        ("/api/templates/{id}", format!("/api/templates/{template}")),
        ("/api/settings", "/api/settings".to_owned()),
        ("/api/settings/mail", "/api/settings/mail".to_owned()),
        ("/api/mail/status", "/api/mail/status".to_owned()),
        ("/api/cloud/connection", "/api/cloud/connection".to_owned()),
    ] {
        let (status, body) = call(s, Method::Get, &path, None, DAY0);
        assert_eq!(status, 200, "{path}: {body}");
        answers.push((format!("GET {route}"), body));
    }
    // A second bulk preview, kept (the first was confirmed), for its pages:
    // the sysadmin among the keys is skipped, so both pages have a row.
    let (status, kept) = call(
        s,
        Method::Post,
        "/api/bulk/plan",
        Some(serde_json::json!({"action": "deactivate", "keys": ["K-idle0001", "K-admin"]})),
        DAY0,
    );
    assert_eq!(status, 200, "{kept}");
    let kept_id = kept["planId"].as_str().unwrap().to_owned();
    for part in ["actions", "skipped"] {
        let path = format!("/api/bulk/{kept_id}/{part}?offset=0&limit=10");
        let (status, body) = call(s, Method::Get, &path, None, DAY0);
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body[part].as_array().map(Vec::len), Some(1), "{body}");
        answers.push((format!("GET /api/bulk/{{planId}}/{part}"), body));
    }
    (f, answers)
}

#[test]
fn every_json_answer_is_camel_case() {
    let (f, answers) = walk();
    let s = &f.service;
    let (_, runs) = call(s, Method::Get, "/api/runs", None, DAY0);
    assert!(
        runs["runs"].as_array().is_some_and(|r| !r.is_empty()),
        "the walk covers a run: {runs}"
    );
    let (_, audit) = call(s, Method::Get, "/api/audit", None, DAY0);
    assert!(
        audit["entries"].as_array().is_some_and(|e| !e.is_empty()),
        "the walk covers audit entries: {audit}"
    );

    let mut snake = Vec::new();
    for (route, body) in &answers {
        let body = if route == "GET /api/settings/mail" {
            // The stored SMTP document, sent back as it is.
            let mut b = body.clone();
            b.as_object_mut().map(|m| m.remove("mail"));
            b
        } else {
            body.clone()
        };
        snake_keys(&body, route, &mut snake);
    }
    snake.retain(|path| !path.ends_with(".document.users.actions.reason.last_login"));
    assert_eq!(snake, Vec::<String>::new());
}

/// Where the JSON schema of `route`'s success answer sits in the document,
/// as a JSON pointer: its 2xx response (or the shared response it refers
/// to), `content."application/json".schema`.
fn schema_pointer(doc: &Value, route: &str) -> String {
    let (method, path) = route.split_once(' ').expect("METHOD /path");
    // JSON pointer escapes, then the braces a URI fragment may not hold.
    let escape = |s: &str| {
        s.replace('~', "~0")
            .replace('/', "~1")
            .replace('{', "%7B")
            .replace('}', "%7D")
    };
    let op = &doc["paths"][path][method.to_lowercase()];
    let (code, response) = op["responses"]
        .as_object()
        .and_then(|r| r.iter().find(|(code, _)| code.starts_with('2')))
        .unwrap_or_else(|| panic!("{route}: no success response in the document"));
    let base = match response.get("$ref").and_then(Value::as_str) {
        Some(shared) => shared.trim_start_matches('#').to_owned(),
        None => format!(
            "/paths/{}/{}/responses/{code}",
            escape(path),
            method.to_lowercase()
        ),
    };
    format!("#{base}/content/application~1json/schema")
}

/// Every way `answers` drift from their routes' schemas in the document.
fn drift(answers: &[(String, Value)]) -> Vec<String> {
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    let mut drift = Vec::new();
    for (route, answer) in answers {
        let pointer = schema_pointer(&doc, route);
        // The generic `Json` response (any object) would let any answer
        // pass: a walked route must name its own schema.
        assert_ne!(
            pointer, "#/components/responses/Json/content/application~1json/schema",
            "{route} has no schema of its own"
        );
        // The whole document is the root, so `$ref`s into components resolve.
        let mut root = doc.clone();
        root["$ref"] = Value::String(pointer);
        let validator = jsonschema::draft202012::new(&root)
            .unwrap_or_else(|e| panic!("{route}: the schema does not compile: {e}"));
        for error in validator.iter_errors(answer) {
            drift.push(format!("{route}: {} at {}", error, error.instance_path()));
        }
    }
    drift
}

#[test]
fn every_json_answer_matches_its_openapi_schema() {
    let (_f, answers) = walk();
    assert_eq!(drift(&answers), Vec::<String>::new());
}

/// Calls `path` as `route` names it, expecting `status`, and keeps the answer.
fn keep(
    s: &Service,
    answers: &mut Vec<(String, Value)>,
    (method, route, path): (Method, &str, &str),
    body: Option<Value>,
    status: u16,
) -> Value {
    let (got, answer) = call(s, method, path, body, DAY0);
    assert_eq!(got, status, "{route}: {answer}");
    let verb = format!("{method:?}").to_uppercase();
    answers.push((format!("{verb} {route}"), answer.clone()));
    answer
}

/// The answer of every write route, on a fresh service: each policy,
/// run, audit, group, import, template and settings write once.
fn write_walk() -> Vec<(String, Value)> {
    let f = fixture(3, 2, 0);
    let s = &f.service;
    let mut answers = Vec::new();
    let a = &mut answers;

    // Policies: edit, pause, resume, run, delete.
    let created = keep(
        s,
        a,
        (Method::Post, "/api/policies", "/api/policies"),
        Some(common::versioned(s, deactivation_policy("Idle", false))),
        201,
    );
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    let one = format!("/api/policies/{id}");
    let mut edited = deactivation_policy("Idle renamed", false);
    edited["configVersion"] = created["configVersion"].clone();
    keep(
        s,
        a,
        (Method::Put, "/api/policies/{id}", &one),
        Some(edited),
        200,
    );
    for verb in ["pause", "resume"] {
        let route = format!("/api/policies/{{id}}/{verb}");
        keep(
            s,
            a,
            (Method::Post, &route, &format!("{one}/{verb}")),
            Some(common::versioned(s, json!({}))),
            200,
        );
    }
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/policies/{id}/run",
            &format!("{one}/run"),
        ),
        None,
        202,
    );
    drain(s, DAY0);
    keep(
        s,
        a,
        (Method::Delete, "/api/policies/{id}", &one),
        Some(common::versioned(s, json!({}))),
        200,
    );

    // A live bulk run, then its revert planned and started.
    let (_, plan) = call(
        s,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "deactivate", "keys": ["K-idle0000"]})),
        DAY0,
    );
    let (status, ran) = call(
        s,
        Method::Post,
        &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        DAY0,
    );
    assert_eq!(status, 202, "{ran}");
    drain(s, DAY0);
    let run = format!("/api/runs/{}", ran["runId"]);
    let revert = keep(
        s,
        a,
        (
            Method::Post,
            "/api/runs/{id}/revert/plan",
            &format!("{run}/revert/plan"),
        ),
        None,
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/runs/{id}/revert",
            &format!("{run}/revert"),
        ),
        Some(json!({"planHash": revert["planHash"]})),
        202,
    );
    drain(s, DAY0);

    // Groups: create, import, delete.
    keep(
        s,
        a,
        (Method::Post, "/api/groups", "/api/groups"),
        Some(json!({"names": "walk-a; walk-b"})),
        200,
    );
    let (status, imported) = s_csv(s, "/api/groups/import", b"group\r\nwalk-c\r\n");
    assert_eq!(status, 200, "{imported}");
    a.push(("POST /api/groups/import".to_owned(), imported));
    keep(
        s,
        a,
        (Method::Post, "/api/groups/delete", "/api/groups/delete"),
        Some(json!({"names": ["walk-a", "walk-none"]})),
        200,
    );

    // Users import: validate, apply.
    let (status, validated) = s_csv(
        s,
        "/api/import/validate",
        b"username,email,display name,groups\r\nnewbie,newbie@example.test,New Bie,\r\n",
    );
    assert_eq!(status, 200, "{validated}");
    a.push(("POST /api/import/validate".to_owned(), validated.clone()));
    let plan_id = validated["planId"].as_str().unwrap();
    for of in ["rows", "actions"] {
        keep(
            s,
            a,
            (
                Method::Get,
                &format!("/api/import/{{planId}}/{of}"),
                &format!("/api/import/{plan_id}/{of}?offset=0&limit=10"),
            ),
            None,
            200,
        );
    }
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/import/{planId}/apply",
            &format!(
                "/api/import/{}/apply",
                validated["planId"].as_str().unwrap()
            ),
        ),
        Some(json!({"planHash": validated["planHash"]})),
        202,
    );
    drain(s, DAY0);

    // Mail: our own server on a loopback port nothing listens on (a port
    // just freed), so the test send below answers `ok: false` with the
    // refusal rather than needing a mail server.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let (_, mail) = call(s, Method::Get, "/api/settings/mail", None, DAY0);
    let (got, saved) = call(
        s,
        Method::Put,
        "/api/settings/mail",
        Some(
            json!({"source": "own", "host": "127.0.0.1", "port": closed, "security": "none",
                    "from": "sw@example.test", "configVersion": mail["configVersion"]}),
        ),
        DAY0,
    );
    assert_eq!(got, 200, "{saved}");
    a.push(("PUT /api/settings/mail".to_owned(), saved));

    // Templates: create, edit, preview, test, delete.
    let (_, list) = call(s, Method::Get, "/api/templates", None, DAY0);
    let mut copy = list["templates"][0].clone();
    let fields = copy.as_object_mut().unwrap();
    fields.remove("lastSend");
    fields.insert("id".to_owned(), json!("walk-copy"));
    fields.insert("name".to_owned(), json!("Walk copy"));
    fields.insert("configVersion".to_owned(), list["configVersion"].clone());
    let made = keep(
        s,
        a,
        (Method::Post, "/api/templates", "/api/templates"),
        Some(copy.clone()),
        201,
    );
    let (_, list) = call(s, Method::Get, "/api/templates", None, DAY0);
    copy["enabled"] = json!(false);
    copy["configVersion"] = list["configVersion"].clone();
    let tid = made["id"].as_str().unwrap().to_owned();
    let template = format!("/api/templates/{tid}");
    keep(
        s,
        a,
        (Method::Put, "/api/templates/{id}", &template),
        Some(copy),
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/templates/preview",
            "/api/templates/preview",
        ),
        Some(json!({"subject": "Hello {{display_name}}", "body": "<p>Hi</p>", "kind": "warning"})),
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/templates/{id}/test",
            &format!("{template}/test"),
        ),
        Some(json!({"to": "admin@example.test"})),
        200,
    );
    let (_, list) = call(s, Method::Get, "/api/templates", None, DAY0);
    keep(
        s,
        a,
        (
            Method::Delete,
            "/api/templates/{id}",
            &format!("{template}?configVersion={}", list["configVersion"]),
        ),
        None,
        200,
    );

    // Settings, mail, audit retention and clear.
    let (_, settings) = call(s, Method::Get, "/api/settings", None, DAY0);
    keep(
        s,
        a,
        (Method::Put, "/api/settings", "/api/settings"),
        Some(json!({"settings": settings["settings"], "configVersion": settings["configVersion"]})),
        200,
    );
    let (_, retention) = call(s, Method::Get, "/api/audit/retention", None, DAY0);
    keep(
        s,
        a,
        (Method::Put, "/api/audit/retention", "/api/audit/retention"),
        Some(json!({"days": 365, "configVersion": retention["configVersion"]})),
        200,
    );
    keep(
        s,
        a,
        (Method::Post, "/api/audit/clear", "/api/audit/clear"),
        Some(json!({"confirm": seatwarden_audit::CLEAR_CONFIRMATION})),
        200,
    );

    // The outbox: list, open, retry, discard (two queued warnings).
    let mut ids = Vec::new();
    for i in 0..2 {
        let queued = f
            .store
            .enqueue_mail(&seatwarden_service::store::NewOutboxMessage {
                dedup_key: format!("K-idle000{i}:warning:1"),
                template_id: "warning".into(),
                recipient_user: Some(format!("K-idle000{i}").as_str().into()),
                to: vec![format!("idle000{i}@example.test")],
                bcc: vec![],
                subject: "Your account".into(),
                html_body: "<p>Hello</p>".into(),
                text_body: "Hello".into(),
                created_at: seatwarden_core::Millis(DAY0),
            })
            .unwrap();
        ids.push(queued.id);
    }
    keep(
        s,
        a,
        (Method::Get, "/api/mail/outbox", "/api/mail/outbox"),
        None,
        200,
    );
    let first = format!("/api/mail/outbox/{}", ids[0]);
    keep(
        s,
        a,
        (Method::Get, "/api/mail/outbox/{id}", &first),
        None,
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/mail/outbox/{id}/retry",
            &format!("{first}/retry"),
        ),
        None,
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/mail/outbox/{id}/discard",
            &format!("/api/mail/outbox/{}/discard", ids[1]),
        ),
        None,
        200,
    );
    answers
}

/// The answers of the exemption and review-list routes, on a fresh service
/// with a review-mode policy that queued three users.
fn people_walk() -> Vec<(String, Value)> {
    let f = fixture(3, 2, 0);
    let s = &f.service;
    let mut answers = Vec::new();
    let a = &mut answers;
    let mut policy = deactivation_policy("Reviewed", false);
    policy["mode"] = json!("review");
    policy["review"] = json!({"timeoutDays": 7, "onTimeout": "act"});
    let created = keep(
        s,
        a,
        (Method::Post, "/api/policies", "/api/policies"),
        Some(common::versioned(s, policy)),
        201,
    );
    let id = created["policy"]["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        s,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        DAY0,
    );
    assert_eq!(status, 202);
    common::drain(s, DAY0);
    let listed = keep(s, a, (Method::Get, "/api/review", "/api/review"), None, 200);
    let first = listed["items"][0]["id"].clone();
    keep(
        s,
        a,
        (Method::Post, "/api/review/decide", "/api/review/decide"),
        Some(json!({"decision": "reject", "ids": [first], "days": 30, "note": "on leave"})),
        200,
    );
    keep(
        s,
        a,
        (Method::Post, "/api/review/decide", "/api/review/decide"),
        Some(json!({"decision": "approve", "all": true, "policy": id})),
        200,
    );
    keep(
        s,
        a,
        (Method::Post, "/api/exemptions", "/api/exemptions"),
        Some(json!({"users": ["K-fresh0000"], "indefinite": true, "reason": "executive"})),
        200,
    );
    keep(
        s,
        a,
        (Method::Get, "/api/exemptions", "/api/exemptions?state=all"),
        None,
        200,
    );
    keep(
        s,
        a,
        (Method::Get, "/api/users", "/api/users?exempt=yes"),
        None,
        200,
    );
    keep(
        s,
        a,
        (Method::Get, "/api/users/{key}", "/api/users/K-fresh0000"),
        None,
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/exemptions/revoke",
            "/api/exemptions/revoke",
        ),
        Some(json!({"users": ["K-fresh0000"], "policy": "*"})),
        200,
    );
    keep(
        s,
        a,
        (Method::Post, "/api/review/act", "/api/review/act"),
        Some(json!({"policy": id})),
        202,
    );
    answers
}

/// The access-request and webhook routes (issue 21 items 3-4): a warning
/// link used after removal leaves a pending request to decide; a webhook
/// is created, listed, changed, tested, rotated and removed.
fn access_walk() -> Vec<(String, Value)> {
    use seatwarden_core::Millis;
    use seatwarden_service::access::PublicRequest;
    let f = fixture(2, 0, 0);
    let s = &f.service;
    let mut answers = Vec::new();
    let a = &mut answers;
    let mut policy = deactivation_policy("Idle", true);
    policy["warning"] = json!({"daysBefore": 7,
        "accessRequest": {"onRequest": {"kind": "restore"}, "linkDays": 30}});
    common::create_policy(s, policy, DAY0);
    common::disable_health(s);
    s.tick(Millis(TICK)).unwrap();
    let transport = common::Recorder::new();
    s.deliver_mail(&transport, Millis(TICK), 10).unwrap();
    s.tick(Millis(TICK + 8 * DAY)).unwrap();
    let html = transport.sent()[0].2.clone();
    let at = html.find("?t=").expect("the warning carries a link") + 3;
    let token: String = html[at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
        .collect();
    let done = s.handle_public(
        &PublicRequest {
            method: "POST".into(),
            path: "/access/request".into(),
            body: format!("t={token}&reason=need+it").into_bytes(),
            ..PublicRequest::default()
        },
        Millis(DAY0),
    );
    assert_eq!(done.status, 200);
    let listed = keep(
        s,
        a,
        (Method::Get, "/api/access/requests", "/api/access/requests"),
        None,
        200,
    );
    let id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/access/requests/{id}/decide",
            &format!("/api/access/requests/{id}/decide"),
        ),
        Some(json!({"approve": false})),
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/access/secret/rotate",
            "/api/access/secret/rotate",
        ),
        None,
        200,
    );
    let hook = json!({"name": "IT desk", "rules": [{"name": "staff",
        "emailDomains": ["example.test"], "activate": true}]});
    let created = keep(
        s,
        a,
        (Method::Post, "/api/hooks", "/api/hooks"),
        Some(hook.clone()),
        201,
    );
    let one = format!("/api/hooks/{}", created["id"].as_str().unwrap());
    keep(s, a, (Method::Get, "/api/hooks", "/api/hooks"), None, 200);
    let mut replace = hook;
    replace["version"] = created["version"].clone();
    keep(
        s,
        a,
        (Method::Put, "/api/hooks/{id}", &one),
        Some(replace),
        200,
    );
    keep(
        s,
        a,
        (Method::Post, "/api/hooks/{id}/test", &format!("{one}/test")),
        Some(json!({"eventId": "T-1", "requester": {"username": "idle0000"}})),
        200,
    );
    keep(
        s,
        a,
        (
            Method::Post,
            "/api/hooks/{id}/rotate",
            &format!("{one}/rotate"),
        ),
        None,
        200,
    );
    keep(s, a, (Method::Delete, "/api/hooks/{id}", &one), None, 200);
    answers
}

/// The answers about runs the mass-change guard holds: one discarded, one
/// approved, on a fresh service whose guard allows 5 accounts and whose
/// policy would deactivate 12.
fn held_walk() -> Vec<(String, Value)> {
    let f = fixture(12, 3, 0);
    let s = &f.service;
    let mut answers = Vec::new();
    let (status, created) = call(
        s,
        Method::Post,
        "/api/policies",
        Some(common::versioned(s, deactivation_policy("Idle", true))),
        DAY0,
    );
    assert_eq!(status, 201, "{created}");
    let (_, current) = call(s, Method::Get, "/api/settings", None, DAY0);
    let mut settings = current["settings"].clone();
    settings["guard"] =
        json!({"enabled": true, "maxAccounts": 5, "maxPercent": 100, "minLicensed": 100000});
    settings["adminMail"] = json!({"recipients": ["ops@example.test"]});
    let (status, saved) = call(
        s,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"], "settings": settings})),
        DAY0,
    );
    assert_eq!(status, 200, "{saved}");
    // One scheduler run a day: the second is held on the next day.
    for (day, verb) in [(0, "discard"), (1, "approve")] {
        let at = TICK + day * DAY;
        let report = s.tick(seatwarden_core::Millis(at)).unwrap();
        let run = report.runs[0];
        let (status, got) = call(s, Method::Get, &format!("/api/runs/{run}"), None, at);
        assert_eq!(status, 200, "{got}");
        let body = (verb == "approve").then(|| json!({"planHash": got["run"]["planHash"]}));
        let (status, answer) = call(
            s,
            Method::Post,
            &format!("/api/runs/{run}/{verb}"),
            body,
            at,
        );
        let expected = if verb == "approve" { 202 } else { 200 };
        assert_eq!(status, expected, "{verb}: {answer}");
        answers.push((format!("POST /api/runs/{{id}}/{verb}"), answer));
        drain(s, at);
    }
    answers
}

/// Posts a CSV body as the admin.
fn s_csv(s: &Service, path: &str, csv: &[u8]) -> (u16, Value) {
    let mut req = request(Method::Post, path, None, admin());
    req.body = csv.to_vec().into();
    let response = s.handle(&req, seatwarden_core::Millis(DAY0));
    let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, value)
}

/// A preview-only server (`serve --snapshot`): loading another users file.
fn preview_walk() -> Vec<(String, Value)> {
    let host = std::sync::Arc::new(seatwarden_service::host::memory::MemoryDirectory::new(
        common::snapshot(2, 1, 0),
    ));
    let store: std::sync::Arc<dyn seatwarden_service::store::Store> =
        std::sync::Arc::new(seatwarden_service::store::MemoryStore::new());
    let options = seatwarden_service::ServiceOptions {
        preview_only: true,
        ..common::options("node-a", 50)
    };
    let s = Service::new(host, store, options).unwrap();
    let (status, loaded) = s_csv(
        &s,
        "/api/preview/directory",
        b"key,username,active,groups\nK1,ann,true,staff\n",
    );
    assert_eq!(status, 200, "{loaded}");
    vec![("POST /api/preview/directory".to_owned(), loaded)]
}

#[test]
fn every_write_answer_matches_its_openapi_schema() {
    let answers = write_walk();
    let preview = preview_walk();
    assert_eq!(drift(&preview), Vec::<String>::new());
    // Every route of the document that answers JSON is walked here or in `walk`.
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    let (_f, reads) = walk();
    let held = held_walk();
    let people = people_walk();
    let access = access_walk();
    let walked: std::collections::BTreeSet<&str> = answers
        .iter()
        .chain(&reads)
        .chain(&held)
        .chain(&preview)
        .chain(&people)
        .chain(&access)
        .map(|(route, _)| route.as_str())
        .collect();
    let mut unwalked = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let json = op["responses"]
                .as_object()
                .unwrap()
                .iter()
                .any(|(code, r)| {
                    code.starts_with('2')
                        && (r.get("$ref").is_some()
                            || r["content"].get("application/json").is_some())
                });
            let route = format!("{} {path}", method.to_uppercase());
            if json && !walked.contains(route.as_str()) {
                unwalked.push(route);
            }
        }
    }
    assert_eq!(drift(&answers), Vec::<String>::new());
    assert_eq!(drift(&held), Vec::<String>::new());
    assert_eq!(drift(&people), Vec::<String>::new());
    assert_eq!(drift(&access), Vec::<String>::new());
    unwalked.sort();
    assert_eq!(
        unwalked,
        // The document itself is served as it is; demo logins need a host
        // that records logins (the standalone server's SQLite directory),
        // which the in-memory host is not. Sign-in is `seatwarden serve`'s
        // own route (serve_sign_in::sign_in_answers_match_the_openapi_document).
        [
            "GET /api/openapi.json",
            "POST /api/demo/logins",
            "POST /session"
        ]
    );
}

#[test]
fn a_drifted_answer_fails_its_schema() {
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    let (_f, answers) = walk();
    let (route, answer) = answers
        .iter()
        .find(|(route, _)| route == "GET /api/runs")
        .expect("the walk reads the runs");
    let mut root = doc.clone();
    root["$ref"] = Value::String(schema_pointer(&doc, route));
    let validator = jsonschema::draft202012::new(&root).unwrap();
    assert!(validator.is_valid(answer));
    // A run's key renamed back to snake_case, as before the wire DTOs.
    let mut drifted = answer.clone();
    let run = drifted["runs"][0].as_object_mut().unwrap();
    let started = run.remove("startedAt").expect("a run has startedAt");
    run.insert("started_at".to_owned(), started);
    assert!(!validator.is_valid(&drifted));
}

/// The answers whose schemas allow null or an absent key, in the states
/// that produce them: a user who never logged in (lastLogin and loginCount
/// null, a host record without deactivatedAt), a run still in progress (no
/// finishedAt, actions without an outcome yet). The walk above only sees
/// users who logged in and finished runs, so without this a schema could
/// drop its null and still pass.
#[test]
fn nullable_states_match_their_schemas() {
    let mut snap = serde_json::to_value(common::snapshot(2, 0, 0)).unwrap();
    snap["pages"][0]["users"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "key": "K-never", "username": "never", "displayName": "Never",
            "email": "never@example.test", "directoryId": 1, "active": true,
            "created": DAY0 - 100 * common::DAY, "groups": ["jira-software-users"]
        }));
    let host = std::sync::Arc::new(seatwarden_service::host::memory::MemoryDirectory::new(
        serde_json::from_value(snap).unwrap(),
    ));
    let store = std::sync::Arc::new(seatwarden_service::store::MemoryStore::new());
    let s = Service::new(host, store, common::options("node-a", 1)).unwrap();

    let mut answers = Vec::new();
    let user = keep(
        &s,
        &mut answers,
        (Method::Get, "/api/users/{key}", "/api/users/K-never"),
        None,
        200,
    );
    assert_eq!(user["row"]["lastLogin"], Value::Null, "{user}");
    assert_eq!(user["row"]["loginCount"], Value::Null, "{user}");
    assert_eq!(user["user"]["deactivatedAt"], Value::Null, "{user}");
    let rows = keep(
        &s,
        &mut answers,
        (Method::Get, "/api/users", "/api/users"),
        None,
        200,
    );
    let never = rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "K-never");
    assert_eq!(never.map(|r| &r["lastLogin"]), Some(&Value::Null), "{rows}");

    // A bulk run over three users, one slice per drive: queued, not run.
    let plan = keep(
        &s,
        &mut answers,
        (Method::Post, "/api/bulk/plan", "/api/bulk/plan"),
        Some(json!({"action": "deactivate", "keys": ["K-idle0000", "K-idle0001", "K-never"]})),
        200,
    );
    let ran = keep(
        &s,
        &mut answers,
        (
            Method::Post,
            "/api/bulk/{planId}/run",
            &format!("/api/bulk/{}/run", plan["planId"].as_str().unwrap()),
        ),
        Some(json!({"planHash": plan["planHash"]})),
        202,
    );
    let run = ran["runId"].as_i64().unwrap();
    let detail = keep(
        &s,
        &mut answers,
        (Method::Get, "/api/runs/{id}", &format!("/api/runs/{run}")),
        None,
        200,
    );
    assert_eq!(detail["run"]["status"], "in_progress", "{detail}");
    assert!(detail["run"].get("finishedAt").is_none(), "{detail}");
    let actions = keep(
        &s,
        &mut answers,
        (
            Method::Get,
            "/api/runs/{id}/actions",
            &format!("/api/runs/{run}/actions?limit=1"),
        ),
        None,
        200,
    );
    assert_eq!(actions["actions"][0]["outcome"], Value::Null, "{actions}");
    assert!(actions["next"].is_string(), "{actions}");
    assert_eq!(drift(&answers), Vec::<String>::new());
}

/// Every policy shape the editor writes comes back matching `Policy`: each
/// trigger, scope, condition and action variant (and a warning) once, so a
/// variant the schema spells differently from the core's serde fails here.
#[test]
fn every_policy_shape_matches_its_schema() {
    let f = fixture(1, 1, 1);
    let weekly = json!({"kind": "schedule", "schedule": {"every": "weekly", "days": ["mon", "thu"], "at": "02:30", "timezone": "Europe/Berlin"}});
    let policies = [
        json!({"name": "Weekly", "trigger": weekly, "condition": {"kind": "inactive", "days": 90, "neverLoggedInDays": 30, "onceLoggedInDays": 60},
               "scope": {"directories": {"kind": "only", "ids": [1]}, "readOnly": "membership_only", "target": {"kind": "only_groups", "groups": ["staff"]}, "excludeGroups": ["jira-administrators"]},
               "action": {"kind": "deactivate", "renameSuffix": "-gone", "handover": {"to": "user", "user": "K-admin"}},
               "warning": {"daysBefore": 7, "neverLoggedIn": true}}),
        json!({"name": "Monthly", "trigger": {"kind": "schedule", "schedule": {"every": "monthly", "day": 1, "at": "03:00"}},
               "condition": {"kind": "deactivated", "days": 30}, "action": {"kind": "delete"}}),
        json!({"name": "Cron", "trigger": {"kind": "schedule", "schedule": {"every": "cron", "expression": "0 4 * * *"}},
               "condition": {"kind": "inactive", "days": 60}, "action": {"kind": "remove_groups", "groups": ["staff"]}}),
        json!({"name": "Daily", "trigger": {"kind": "schedule", "schedule": {"every": "daily", "at": "05:00"}},
               "condition": {"kind": "inactive", "days": 60}, "action": {"kind": "remove_licence_groups", "applications": ["jira-software"]}}),
        json!({"name": "Add", "trigger": {"kind": "scheduler"}, "condition": {"kind": "inactive", "days": 60},
               "action": {"kind": "add_groups", "groups": ["staff"]}}),
        json!({"name": "Floating", "trigger": {"kind": "login"}, "condition": {"kind": "login"},
               "action": {"kind": "floating_licence", "rules": [{"sourceGroups": ["jira-software-users"], "targetGroups": ["staff"]}]}}),
        json!({"name": "Back", "mode": "live", "trigger": {"kind": "login"}, "condition": {"kind": "login"},
               "action": {"kind": "reactivate", "restrictedGroups": ["jira-administrators"], "addGroups": ["staff"], "removeGroups": []}}),
    ];
    let mut answers = Vec::new();
    for policy in policies {
        keep(
            &f.service,
            &mut answers,
            (Method::Post, "/api/policies", "/api/policies"),
            Some(common::versioned(&f.service, policy)),
            201,
        );
    }
    keep(
        &f.service,
        &mut answers,
        (Method::Get, "/api/policies", "/api/policies"),
        None,
        200,
    );
    assert_eq!(drift(&answers), Vec::<String>::new());
}

/// The reference directory, offering its first users in username order
/// the simple way (every page read, sorted), as the SQLite directory does
/// from its username index.
struct FirstUsersHost(seatwarden_service::host::memory::MemoryDirectory);

impl seatwarden_service::host::Host for FirstUsersHost {
    fn header(
        &self,
    ) -> Result<seatwarden_core::snapshot::SnapshotHeader, seatwarden_service::host::HostError>
    {
        self.0.header()
    }
    fn users_page(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<seatwarden_service::host::UsersPage, seatwarden_service::host::HostError> {
        self.0.users_page(cursor, limit)
    }
    fn first_users_by_username(
        &self,
        limit: usize,
    ) -> Option<Result<seatwarden_service::host::FirstUsers, seatwarden_service::host::HostError>>
    {
        let snapshot = seatwarden_service::host::read_snapshot(&self.0, 100).unwrap();
        let mut users: Vec<_> = snapshot.pages.into_iter().flat_map(|p| p.users).collect();
        let total = users.len() as u64;
        users.sort_by(|a, b| {
            (a.username.to_lowercase(), &a.key).cmp(&(b.username.to_lowercase(), &b.key))
        });
        users.truncate(limit);
        Some(Ok(seatwarden_service::host::FirstUsers {
            header: snapshot.header,
            total,
            users,
        }))
    }
    fn user(
        &self,
        key: &seatwarden_core::UserKey,
    ) -> Result<Option<seatwarden_core::snapshot::SnapshotUser>, seatwarden_service::host::HostError>
    {
        self.0.user(key)
    }
    fn user_by_username(
        &self,
        username: &str,
    ) -> Result<Option<seatwarden_core::snapshot::SnapshotUser>, seatwarden_service::host::HostError>
    {
        self.0.user_by_username(username)
    }
    fn apply(
        &self,
        operation: &seatwarden_core::Operation,
    ) -> Result<seatwarden_service::host::Applied, seatwarden_core::operation::OperationFailure>
    {
        self.0.apply(operation)
    }
}

/// A Users page answered while the index is built after a start
/// (`indexing: true`, `service::early_page`) has the ready page's schema,
/// and the flag is in the document; the ready page carries no flag.
#[test]
fn an_early_users_page_matches_its_openapi_schema() {
    let host = FirstUsersHost(seatwarden_service::host::memory::MemoryDirectory::new(
        common::snapshot(3, 2, 1),
    ));
    let s = std::sync::Arc::new(
        Service::new(
            std::sync::Arc::new(host),
            std::sync::Arc::new(seatwarden_service::store::MemoryStore::new()),
            common::options("node-a", 50),
        )
        .unwrap(),
    );
    let build = s.build_index_in_background();
    let (status, early) = call(&s, Method::Get, "/api/users", None, DAY0);
    assert_eq!(status, 200, "{early}");
    assert_eq!(early["indexing"], Value::Bool(true), "{early}");
    build.run().unwrap();
    let (_, ready) = call(&s, Method::Get, "/api/users", None, DAY0);
    assert_eq!(ready.get("indexing"), None, "{ready}");
    let mut flagless = early.clone();
    flagless.as_object_mut().unwrap().remove("indexing");
    assert_eq!(flagless, ready);
    assert_eq!(
        drift(&[
            ("GET /api/users".to_owned(), early),
            ("GET /api/users".to_owned(), ready)
        ]),
        Vec::<String>::new()
    );
    // The document names the flag: an answer with it false would drift.
    let mut wrong = flagless;
    wrong["indexing"] = Value::Bool(false);
    assert_eq!(drift(&[("GET /api/users".to_owned(), wrong)]).len(), 1);
}
