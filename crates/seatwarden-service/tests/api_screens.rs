//! The admin screens' API through `Service::handle`, HTTP-shaped: the
//! directories and licences lists, groups (create, import, export, delete), users import
//! (validate → apply, memberships and welcome mail of new users), the
//! templates' send history, and precise errors for malformed requests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use serde_json::{Value, json};

use common::{DAY, DAY0, admin, call, drain, state};
use seatwarden_core::Millis;
use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_service::api::{ApiRequest, Method};
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MailStatus, MemoryStore, OutboxQuery, Store};
use seatwarden_service::{Service, ServiceOptions};

const NOW: i64 = DAY0 + DAY;

/// An internal directory with `internal` users and a read-only LDAP
/// directory with `ldap` users; an admin group, a licence group, a plain
/// group and an empty one.
fn snapshot(internal: usize, ldap: usize) -> SnapshotFile {
    let mut users = vec![json!({
        "key": "K-admin", "username": "admin", "displayName": "Admin", "email": "admin@example.test",
        "directoryId": 1, "active": true, "created": DAY0 - 900 * DAY, "lastLogin": DAY0 - DAY,
        "loginCount": 10, "groups": ["jira-administrators", "jira-software-users"]
    })];
    for i in 0..internal {
        users.push(json!({
            "key": format!("K-in{i:03}"), "username": format!("in{i:03}"), "displayName": format!("In {i}"),
            "email": format!("in{i:03}@example.test"), "directoryId": 1, "active": true,
            "created": DAY0 - 400 * DAY, "lastLogin": DAY0 - 2 * DAY, "loginCount": 3,
            "groups": ["jira-software-users", "staff"]
        }));
    }
    for i in 0..ldap {
        users.push(json!({
            "key": format!("K-ld{i:03}"), "username": format!("ld{i:03}"), "displayName": format!("Ld {i}"),
            "email": format!("ld{i:03}@example.test"), "directoryId": 2, "active": i % 2 == 0,
            "created": DAY0 - 400 * DAY, "lastLogin": DAY0 - 2 * DAY, "loginCount": 3,
            "groups": ["staff"]
        }));
    }
    serde_json::from_value(json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": DAY0,
            "directories": [
                {"id": 1, "name": "Internal", "kind": "internal",
                 "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                                  "createUser": true, "updateMembership": true}},
                {"id": 2, "name": "Corporate LDAP", "kind": "ldap", "capabilities": {}}
            ],
            "groups": [{"name": "jira-administrators", "admin": true},
                       {"name": "jira-software-users", "licence": true},
                       {"name": "staff"},
                       {"name": "empty"}],
            "licences": [{"application": "jira-software", "name": "Jira Software",
                          "limit": {"kind": "limited", "seats": 100}, "seatsUsed": 0,
                          "groups": ["jira-software-users"]}],
            "sysadmins": ["K-admin"]
        },
        "pages": [{"users": users}]
    }))
    .unwrap()
}

struct Fixture {
    host: Arc<MemoryDirectory>,
    store: Arc<dyn Store>,
    service: Service,
}

fn fixture(internal: usize, ldap: usize) -> Fixture {
    let host = Arc::new(MemoryDirectory::new(snapshot(internal, ldap)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let options = ServiceOptions {
        instance_name: "Example Jira".to_owned(),
        base_url: "https://jira.example.test".to_owned(),
        ..ServiceOptions::default()
    };
    let service = Service::new(host.clone(), store.clone(), options).unwrap();
    Fixture {
        host,
        store,
        service,
    }
}

/// A request with a raw (CSV) body and query parameters.
fn raw(method: Method, path: &str, query: &[(&str, &str)], body: &[u8]) -> ApiRequest {
    ApiRequest {
        method,
        path: path.to_owned(),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.to_vec().into(),
        context: admin(),
    }
}

fn send(service: &Service, req: &ApiRequest, now: i64) -> (u16, Value) {
    let response = service.handle(req, Millis(now));
    let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, value)
}

fn groups_of(host: &MemoryDirectory) -> Vec<String> {
    let mut names: Vec<String> = host
        .to_snapshot()
        .header
        .groups
        .iter()
        .map(|g| g.name.to_string())
        .collect();
    names.sort();
    names
}

// ---- directories ----

#[test]
fn directories_list_kind_capabilities_read_only_and_user_counts() {
    let f = fixture(3, 4);
    let (status, body) = call(&f.service, Method::Get, "/api/directories", None, NOW);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"directories": [
            {"id": 1, "name": "Internal", "kind": "internal", "readOnly": false,
             "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                              "createUser": true, "updateMembership": true},
             "users": 4, "loginVerification": "none", "confirmWindowMinutes": 10},
            {"id": 2, "name": "Corporate LDAP", "kind": "ldap", "readOnly": true,
             "capabilities": {"updateUser": false, "renameUser": false, "deleteUser": false,
                              "createUser": false, "updateMembership": false},
             "users": 4, "loginVerification": "proof", "confirmWindowMinutes": 10}
        ]})
    );
    // The users query accepts the ids this list hands out.
    let filter = r#"{"directories":[2]}"#;
    let (status, page) = send(
        &f.service,
        &raw(Method::Get, "/api/users", &[("filter", filter)], b""),
        NOW,
    );
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], json!(4), "{page}");
}

// ---- licences ----

#[test]
fn licences_list_seats_per_application_as_the_dashboard_counts_them() {
    // Seat holders: the admin and the three internal users (jira-software-users);
    // the LDAP users are in `staff` only. The in-memory directory reports its
    // own count in the header, so both figures agree here.
    let f = fixture(3, 4);
    let (status, body) = call(&f.service, Method::Get, "/api/licences", None, NOW);
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"applications": [
            {"application": "jira-software", "name": "Jira Software",
             "limit": {"kind": "limited", "seats": 100},
             "seatsUsed": 4, "hostSeatsUsed": 4, "seatsAvailable": 96}
        ]})
    );
    let (status, dashboard) = call(&f.service, Method::Get, "/api/dashboard", None, NOW);
    assert_eq!(status, 200, "{dashboard}");
    assert_eq!(
        dashboard["figures"]["applications"], body["applications"],
        "the settings screen and the dashboard must agree"
    );
}

// ---- groups ----

#[test]
fn groups_bulk_create_skips_existing_and_duplicates_and_rejects_bad_names() {
    let f = fixture(2, 0);
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/groups",
        Some(json!({"names": "content-team; product-strategy;;STAFF;content-team"})),
        NOW,
    );
    assert_eq!(status, 200, "{body}");
    let outcomes = body["outcomes"].as_array().unwrap();
    assert_eq!(
        outcomes[0],
        json!({"name": "content-team", "outcome": "created"})
    );
    assert_eq!(
        outcomes[1],
        json!({"name": "product-strategy", "outcome": "created"})
    );
    assert_eq!(outcomes.len(), 4, "{body}");
    assert!(
        outcomes[2]["outcome"]
            .as_str()
            .unwrap()
            .starts_with("skipped"),
        "{body}"
    );
    assert_eq!(
        groups_of(&f.host),
        [
            "content-team",
            "empty",
            "jira-administrators",
            "jira-software-users",
            "product-strategy",
            "staff"
        ]
    );
    // A control character rejects the whole list with its place in the
    // list (not "line 1, column 2" of a file the admin never had), and
    // creates nothing.
    let before = groups_of(&f.host);
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/groups",
        Some(json!({"names": "fine;bad\u{7}name"})),
        NOW,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["kind"], json!("validation"));
    let problem = &body["error"]["details"]["problems"][0];
    assert_eq!(problem["path"], json!("names"), "{body}");
    assert!(
        problem["message"].as_str().unwrap().starts_with("name 2: "),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("nothing was created: name 2: "),
        "{body}"
    );
    assert_eq!(groups_of(&f.host), before);
    // An empty list says what to type.
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/groups",
        Some(json!({"names": " ; "})),
        NOW,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["details"]["problems"][0]["message"],
        json!("enter at least one group name (separate several with ;)")
    );
    // Each creation is audited.
    let (_, audit) = call(
        &f.service,
        Method::Get,
        "/api/audit?action=group_created",
        None,
        NOW,
    );
    assert_eq!(audit["entries"].as_array().unwrap().len(), 2, "{audit}");
}

#[test]
fn groups_import_from_csv_then_export_with_member_counts() {
    let f = fixture(3, 2);
    let (status, body) = send(
        &f.service,
        &raw(
            Method::Post,
            "/api/groups/import",
            &[],
            b"group\r\nproject-x\r\n\r\nproject-y\r\nstaff\r\n",
        ),
        NOW,
    );
    assert_eq!(status, 200, "{body}");
    let created: Vec<&str> = body["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["outcome"] == json!("created"))
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(created, ["project-x", "project-y"]);

    let response = f.service.handle(
        &raw(
            Method::Get,
            "/api/groups/export",
            &[("counts", "true")],
            b"",
        ),
        Millis(NOW),
    );
    assert_eq!(response.status, 200);
    assert!(response.content_type.starts_with("text/csv"));
    let csv = String::from_utf8(response.body).unwrap();
    let mut rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.remove(0), "group,members");
    rows.sort_unstable();
    assert_eq!(
        rows,
        [
            "empty,0",
            "jira-administrators,1",
            "jira-software-users,4",
            "project-x,0",
            "project-y,0",
            "staff,5"
        ]
    );
    // Without counts: names only.
    let response = f.service.handle(
        &raw(Method::Get, "/api/groups/export", &[], b""),
        Millis(NOW),
    );
    let csv = String::from_utf8(response.body).unwrap();
    assert_eq!(csv.lines().next(), Some("group"));
    assert!(csv.lines().all(|l| !l.contains(',')), "{csv}");

    // A file with two columns is refused with its line and changes nothing.
    let before = groups_of(&f.host);
    let (status, body) = send(
        &f.service,
        &raw(
            Method::Post,
            "/api/groups/import",
            &[],
            b"group,extra\r\na,b\r\n",
        ),
        NOW,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["problems"][0]["line"], json!(1));
    assert_eq!(groups_of(&f.host), before);
}

#[test]
fn group_deletion_reports_each_group_and_refuses_admin_licence_and_policy_groups() {
    let f = fixture(2, 0);
    // A policy that names `staff` protects it.
    let (status, body) = common::post_policy(
        &f.service,
        json!({
            "name": "Staff idle", "trigger": {"kind": "scheduler"},
            "condition": {"kind": "inactive", "days": 90},
            "action": {"kind": "remove_groups", "groups": ["staff"]}
        }),
        NOW,
    );
    assert_eq!(status, 201, "{body}");
    call(
        &f.service,
        Method::Post,
        "/api/groups",
        Some(json!({"names": "old-project"})),
        NOW,
    );
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/groups/delete",
        Some(json!({"names": [
            "old-project", "jira-administrators", "jira-software-users", "Staff",
            "no-such-group", "empty", "OLD-PROJECT"
        ]})),
        NOW,
    );
    assert_eq!(status, 200, "{body}");
    let outcomes: Vec<(String, String, String)> = body["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap().to_owned(),
                o["status"].as_str().unwrap().to_owned(),
                o["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("old-project", "deleted", "deleted"),
        (
            "jira-administrators",
            "protected",
            "protected: has admin rights",
        ),
        (
            "jira-software-users",
            "protected",
            "protected: grants a product licence",
        ),
        ("staff", "protected", "protected: used by a policy"),
        ("no-such-group", "not_found", "not found"),
        ("empty", "deleted", "deleted"),
        ("OLD-PROJECT", "not_found", "listed twice"),
    ];
    assert_eq!(
        outcomes,
        expected
            .iter()
            .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        body["summary"],
        json!({"deleted": 2, "protected": 3, "notFound": 2, "failed": 0})
    );
    assert_eq!(
        groups_of(&f.host),
        ["jira-administrators", "jira-software-users", "staff"]
    );
    // Members of the kept groups kept their memberships.
    let admin = state(&f.host)
        .into_iter()
        .find(|(k, ..)| k == "K-admin")
        .unwrap();
    assert_eq!(admin.3, ["jira-administrators", "jira-software-users"]);
    // A group in the protected-groups setting is kept too.
    let (_, current) = call(&f.service, Method::Get, "/api/settings", None, NOW);
    let mut settings = current["settings"].clone();
    settings["protectedGroups"] = json!(["project-z"]);
    call(
        &f.service,
        Method::Post,
        "/api/groups",
        Some(json!({"names": "project-z"})),
        NOW,
    );
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"settings": settings, "configVersion": current["configVersion"]})),
        NOW,
    );
    assert_eq!(status, 200, "{body}");
    let (_, body) = call(
        &f.service,
        Method::Post,
        "/api/groups/delete",
        Some(json!({"names": ["project-z"]})),
        NOW,
    );
    assert_eq!(
        body["outcomes"][0]["outcome"],
        json!("protected: listed in the protected groups setting")
    );
    assert!(groups_of(&f.host).contains(&"project-z".to_owned()));
    // A malformed body names the field and deletes nothing.
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/groups/delete",
        Some(json!({"names": ["project-z", 7]})),
        NOW,
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        json!("field `names[1]` must be a string")
    );
    assert!(groups_of(&f.host).contains(&"project-z".to_owned()));
}

// ---- users import ----

fn validate(f: &Fixture, csv: &str, query: &[(&str, &str)]) -> (u16, Value) {
    send(
        &f.service,
        &raw(Method::Post, "/api/import/validate", query, csv.as_bytes()),
        NOW,
    )
}

#[test]
fn an_import_with_a_bad_row_names_its_line_and_field_and_changes_nothing() {
    let f = fixture(2, 1);
    let before = state(&f.host);
    let csv = "username,email,display name,groups\r\n\
               newbie,newbie@example.test,New Bie,staff\r\n\
               broken,not-an-address,Bro Ken,staff\r\n";
    let (status, body) = validate(&f, csv, &[]);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["kind"], json!("validation"));
    let problems = body["error"]["details"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body}");
    assert_eq!(problems[0]["line"], json!(3));
    assert_eq!(problems[0]["column"], json!(2));
    assert_eq!(problems[0]["header"], json!("email"));
    assert!(
        !body.to_string().contains("not-an-address"),
        "the error must not echo the cell: {body}"
    );
    // An unknown group and a user of the read-only directory: each problem
    // with its place.
    let csv = "username,email,display name,groups,active\r\n\
               newbie,newbie@example.test,New Bie,nope,\r\n\
               ld000,,,,false\r\n";
    let (status, body) = validate(&f, csv, &[]);
    assert_eq!(status, 422, "{body}");
    let places: Vec<(u64, String)> = body["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["line"].as_u64().unwrap(),
                p["header"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [(2, "groups".to_owned()), (3, "active".to_owned())],
        "{body}"
    );
    // A bad flag is a bad request.
    let (status, body) = validate(&f, "username\r\n", &[("welcome", "yes")]);
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        json!("query parameter `welcome` must be `true` or `false`")
    );
    assert_eq!(state(&f.host), before);
    let (_, runs) = call(&f.service, Method::Get, "/api/runs", None, NOW);
    assert_eq!(runs["runs"], json!([]));
}

/// The sorted field names of a JSON object.
fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn an_import_preview_lists_the_plan_like_a_bulk_plan_and_a_verdict_per_row() {
    let f = fixture(2, 0);
    let before = state(&f.host);
    let csv = "username,email,display name,groups\r\n\
               newbie,newbie@example.test,New Bie,staff\r\n\
               in000,,In Zero Renamed,\r\n\
               in001,,,\r\n";
    let (status, plan) = validate(&f, csv, &[]);
    assert_eq!(status, 200, "{plan}");
    // One verdict per row, by line.
    let rows: Vec<(u64, String, String)> = plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["username"].as_str().unwrap().to_owned(),
                r["plan"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (2, "newbie".to_owned(), "create".to_owned()),
            (3, "in000".to_owned(), "update".to_owned()),
            (4, "in001".to_owned(), "unchanged".to_owned()),
        ],
        "{plan}"
    );
    assert_eq!(plan["rows"][2]["actions"], json!(0));
    // The planned actions, in the shape the bulk plan answers them.
    let actions = plan["actions"].as_array().unwrap();
    assert_eq!(actions.len() as u64, plan["actionCount"].as_u64().unwrap());
    let (status, bulk) = call(
        &f.service,
        Method::Post,
        "/api/bulk/plan",
        Some(json!({"action": "deactivate", "keys": ["K-in001"]})),
        NOW,
    );
    assert_eq!(status, 200, "{bulk}");
    assert_eq!(keys(&actions[0]), keys(&bulk["actions"][0]));
    for field in [
        "planId",
        "planHash",
        "actionCount",
        "actions",
        "guard",
        "document",
    ] {
        assert!(plan.get(field).is_some(), "import preview lacks `{field}`");
    }
    let doc = &plan["document"];
    let bulk_doc = &bulk["document"];
    for field in [
        "status", "totals", "users", "skipped", "guard", "health", "warnings",
    ] {
        assert!(doc.get(field).is_some(), "import document lacks `{field}`");
        assert!(
            bulk_doc.get(field).is_some(),
            "bulk document lacks `{field}`"
        );
    }
    assert_eq!(keys(&doc["users"][0]), keys(&bulk_doc["users"][0]));
    let bulk_action = keys(&bulk_doc["users"][0]["actions"][0]);
    for k in keys(&doc["users"][0]["actions"][0]) {
        assert!(
            bulk_action.contains(&k),
            "`{k}` is not in a bulk plan action"
        );
    }
    // Who, what and why: the new user (by placeholder) is created and joins
    // `staff`, the renamed one is updated, each with its line.
    let users = doc["users"].as_array().unwrap();
    let newbie = users
        .iter()
        .find(|u| u["username"] == json!("newbie"))
        .unwrap();
    assert_eq!(newbie["user"], json!("new:newbie"), "{doc}");
    let ops = newbie["actions"].as_array().unwrap();
    assert_eq!(ops.len(), 2, "{doc}");
    assert_eq!(ops[0]["operation"]["op"], json!("create_user"), "{doc}");
    assert_eq!(
        ops[1]["operation"],
        json!({"op": "add_to_group", "user": "new:newbie", "group": "staff"}),
        "{doc}"
    );
    assert!(
        newbie["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["because"] == json!("import file line 2")),
        "{doc}"
    );
    let in000 = users
        .iter()
        .find(|u| u["user"] == json!("K-in000"))
        .unwrap();
    assert_eq!(in000["username"], json!("in000"));
    assert_eq!(in000["actions"][0]["because"], json!("import file line 3"));
    assert!(
        !users.iter().any(|u| u["user"] == json!("K-in001")),
        "an unchanged row planned writes: {doc}"
    );
    // The unchanged row is skipped, with why.
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{doc}");
    assert_eq!(skipped[0]["user"], json!("K-in001"));
    assert!(
        skipped[0]["because"].as_str().unwrap().contains("line 4"),
        "{doc}"
    );
    assert_eq!(doc["totals"]["users"], json!(2));
    assert_eq!(doc["totals"]["operations"], plan["actionCount"]);
    // A refused file marks its bad rows with their lines.
    let csv = "username,email,display name,groups\r\n\
               fine,fine@example.test,Fi Ne,staff\r\n\
               broken,not-an-address,Bro Ken,nope\r\n";
    let (status, body) = validate(&f, csv, &[]);
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["details"]["rows"],
        json!([{"line": 3, "plan": "error", "problems": 2}]),
        "{body}"
    );
    // Previewing changed nothing.
    assert_eq!(state(&f.host), before);
}

fn enable_template(f: &Fixture, id: &str) {
    let (status, template) = call(
        &f.service,
        Method::Get,
        &format!("/api/templates/{id}"),
        None,
        NOW,
    );
    assert_eq!(status, 200, "{template}");
    let mut template = template;
    template["enabled"] = json!(true);
    let (_, list) = call(&f.service, Method::Get, "/api/templates", None, NOW);
    template["configVersion"] = list["configVersion"].clone();
    let (status, body) = call(
        &f.service,
        Method::Put,
        &format!("/api/templates/{id}"),
        Some(template),
        NOW,
    );
    assert_eq!(status, 200, "{body}");
}

fn outbox(store: &dyn Store) -> Vec<seatwarden_service::store::OutboxMessage> {
    store.list_mail(&OutboxQuery::default()).unwrap().items
}

#[test]
fn a_good_import_creates_users_with_their_groups_and_queues_the_welcome_mail() {
    let f = fixture(2, 0);
    enable_template(&f, "welcome");
    let csv = "username,email,display name,groups,active\r\n\
               newbie,newbie@example.test,New Bie,staff;project-new,\r\n\
               later,later@example.test,Lat Er,,false\r\n\
               in000,,In Zero Renamed,empty,\r\n";
    let (status, plan) = validate(
        &f,
        csv,
        &[
            ("createGroups", "true"),
            ("welcome", "true"),
            ("passwordReset", "true"),
        ],
    );
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["summary"]["create"], json!(2), "{plan}");
    assert_eq!(plan["summary"]["update"], json!(1), "{plan}");
    assert_eq!(plan["summary"]["groupsToCreate"], json!(["project-new"]));
    assert_eq!(plan["userCreations"], json!(2));
    // Welcome is enabled; the password-reset template is not: said up front.
    assert_eq!(
        plan["summary"]["notices"],
        json!({"welcome": true, "passwordReset": true, "missingTemplates": ["password_reset"]})
    );
    // Validating changed nothing.
    assert!(
        !state(&f.host).iter().any(|(_, _, u, _)| u == "newbie"),
        "validation wrote"
    );
    let (status, accepted) = call(
        &f.service,
        Method::Post,
        &format!("/api/import/{}/apply", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        NOW,
    );
    assert_eq!(status, 202, "{accepted}");
    drain(&f.service, NOW);
    let run = accepted["runId"].as_i64().unwrap();
    let (_, detail) = call(
        &f.service,
        Method::Get,
        &format!("/api/runs/{run}"),
        None,
        NOW,
    );
    assert_eq!(detail["run"]["status"], json!("succeeded"), "{detail}");

    let users = state(&f.host);
    let newbie = users.iter().find(|(_, _, u, _)| u == "newbie").unwrap();
    assert!(newbie.1, "active by default");
    assert_eq!(newbie.3, ["project-new", "staff"]);
    let later = users.iter().find(|(_, _, u, _)| u == "later").unwrap();
    assert!(!later.1);
    assert!(later.3.is_empty());
    let in000 = users.iter().find(|(k, ..)| k == "K-in000").unwrap();
    assert_eq!(in000.3, ["empty", "jira-software-users", "staff"]);

    // One welcome mail per new user, addressed to the key the host chose;
    // none for the updated user, none of the disabled kind.
    let mail = outbox(f.store.as_ref());
    let mut welcomed: Vec<(String, String, Vec<String>)> = mail
        .iter()
        .map(|m| {
            (
                m.template_id.clone(),
                m.recipient_user.as_ref().unwrap().to_string(),
                m.to.clone(),
            )
        })
        .collect();
    welcomed.sort();
    let mut expected = vec![
        (
            "welcome".to_owned(),
            later.0.clone(),
            vec!["later@example.test".to_owned()],
        ),
        (
            "welcome".to_owned(),
            newbie.0.clone(),
            vec!["newbie@example.test".to_owned()],
        ),
    ];
    expected.sort();
    assert_eq!(welcomed, expected);
    let newbie_mail = mail
        .iter()
        .find(|m| m.to == ["newbie@example.test"])
        .unwrap();
    assert!(
        newbie_mail.html_body.contains("newbie"),
        "placeholders filled"
    );
    assert!(
        newbie_mail
            .html_body
            .contains("https://jira.example.test/secure/ForgotLoginDetails.jspa"),
        "{}",
        newbie_mail.html_body
    );
    // The audit log names the new users' memberships.
    let (_, audit) = call(
        &f.service,
        Method::Get,
        &format!("/api/audit?run={run}&action=added_to_group"),
        None,
        NOW,
    );
    assert_eq!(audit["entries"].as_array().unwrap().len(), 3, "{audit}");
}

#[test]
fn an_import_without_an_enabled_template_queues_no_mail() {
    let f = fixture(1, 0);
    let csv = "username,email,display name,groups\r\nnewbie,newbie@example.test,New Bie,staff\r\n";
    let (status, plan) = validate(&f, csv, &[("welcome", "true")]);
    assert_eq!(status, 200, "{plan}");
    assert_eq!(
        plan["summary"]["notices"]["missingTemplates"],
        json!(["welcome"])
    );
    let (status, _) = call(
        &f.service,
        Method::Post,
        &format!("/api/import/{}/apply", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        NOW,
    );
    assert_eq!(status, 202);
    drain(&f.service, NOW);
    let newbie = state(&f.host)
        .into_iter()
        .find(|(_, _, u, _)| u == "newbie")
        .unwrap();
    assert_eq!(newbie.3, ["staff"]);
    assert!(outbox(f.store.as_ref()).is_empty());
    // Confirming it again is refused (410: confirmed already) and applies
    // nothing twice.
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/import/{}/apply", plan["planId"].as_str().unwrap()),
        Some(json!({"planHash": plan["planHash"]})),
        NOW,
    );
    assert_eq!(status, 410, "{body}");
    assert_eq!(body["error"]["kind"], "gone", "{body}");
}

// ---- template validation ----

/// Every problem as `(path, message)`, after checking each is the one
/// validation shape (`path` and `message` strings, no kind-specific tags).
fn problem_paths(body: &Value) -> Vec<(String, String)> {
    assert_eq!(body["error"]["kind"], json!("validation"), "{body}");
    body["error"]["details"]["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems list: {body}"))
        .iter()
        .map(|p| {
            assert!(p.get("problem").is_none() && p.get("at").is_none(), "{p}");
            (
                p["path"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no path: {p}"))
                    .to_owned(),
                p["message"]
                    .as_str()
                    .unwrap_or_else(|| panic!("no message: {p}"))
                    .to_owned(),
            )
        })
        .collect()
}

#[test]
fn template_validation_errors_use_the_one_problems_shape_with_paths() {
    let f = fixture(1, 0);
    let (_, list) = call(&f.service, Method::Get, "/api/templates", None, NOW);
    let count = list["templates"].as_array().unwrap().len();
    let bad = json!({
        "id": "bad", "name": " ", "kind": "warning", "timing": {"type": "on_event"},
        "subject": "Hello\nthere", "htmlBody": "<p>Hi {{nope}}</p>",
        "bcc": ["ok@example.test", "not an address"], "enabled": true,
    });
    let (status, body) = call(&f.service, Method::Post, "/api/templates", Some(bad), NOW);
    assert_eq!(status, 422, "{body}");
    let problems = problem_paths(&body);
    let mut paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        ["bcc[1]", "htmlBody", "name", "subject", "timing"],
        "{body}"
    );
    let placeholder = &body["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == json!("htmlBody"))
        .cloned()
        .unwrap();
    assert_eq!(
        (placeholder["line"].clone(), placeholder["column"].clone()),
        (json!(1), json!(7))
    );
    assert!(placeholder["message"].as_str().unwrap().contains("nope"));
    assert!(
        problems.contains(&("name".to_owned(), "must not be empty".to_owned())),
        "{body}"
    );
    assert!(
        !body.to_string().contains("not an address"),
        "the error must not echo the address: {body}"
    );
    let (_, list) = call(&f.service, Method::Get, "/api/templates", None, NOW);
    assert_eq!(
        list["templates"].as_array().unwrap().len(),
        count,
        "a refused template was saved"
    );
    // Replacing: the same shape.
    let (_, mut welcome) = call(&f.service, Method::Get, "/api/templates/welcome", None, NOW);
    let before = welcome.clone();
    welcome["htmlBody"] = json!("");
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/templates/welcome",
        Some(welcome),
        NOW,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        problem_paths(&body),
        [("htmlBody".to_owned(), "must not be empty".to_owned())]
    );
    let (_, after) = call(&f.service, Method::Get, "/api/templates/welcome", None, NOW);
    assert_eq!(after, before, "a refused change was saved");
    // The preview names its own fields (`subject`, `body`).
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/templates/preview",
        Some(json!({"subject": "Hi {{nope}}", "body": "<p>{{display_name", "kind": "warning"})),
        NOW,
    );
    assert_eq!(status, 422, "{body}");
    let paths: Vec<String> = problem_paths(&body).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["subject", "body"], "{body}");
    // The same shape as any other validation error.
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 99_999, "configVersion": 0})),
        NOW,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(problem_paths(&body)[0].0, "days");
}

// ---- audit retention ----

fn retention_changes(service: &Service) -> usize {
    let (_, audit) = call(
        service,
        Method::Get,
        "/api/audit?action=retention_changed",
        None,
        NOW,
    );
    audit["entries"].as_array().unwrap().len()
}

#[test]
fn a_retention_change_naming_a_stale_config_version_is_a_conflict_and_changes_nothing() {
    let f = fixture(1, 0);
    let (status, read) = call(&f.service, Method::Get, "/api/audit/retention", None, NOW);
    assert_eq!(status, 200, "{read}");
    let v0 = read["configVersion"].clone();
    // Lowering retention deletes older entries: refused without the typed
    // number of days, saved with it.
    let (status, refused) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 60, "configVersion": v0})),
        NOW,
    );
    assert_eq!(status, 422, "{refused}");
    assert_eq!(problem_paths(&refused)[0].0, "confirmDays");
    let (status, saved) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 60, "configVersion": v0, "confirmDays": 60})),
        NOW,
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["days"], json!(60));
    let v1 = saved["configVersion"].clone();
    assert_ne!(v1, v0, "a save moves the version on");
    assert_eq!(retention_changes(&f.service), 1);
    // A second admin still holding the first read.
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 5, "configVersion": v0})),
        NOW,
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["kind"], json!("conflict"));
    assert_eq!(
        body["error"]["details"],
        json!({"expected": v0, "actual": v1})
    );
    // Another config save (settings) also makes the read stale.
    let (_, settings) = call(&f.service, Method::Get, "/api/settings", None, NOW);
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"settings": settings["settings"], "configVersion": settings["configVersion"]})),
        NOW,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 5, "configVersion": v1})),
        NOW,
    );
    assert_eq!(status, 409, "{body}");
    // Without a version: refused, as every configuration save.
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/audit/retention",
        Some(json!({"days": 5})),
        NOW,
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"]["message"],
        json!("missing field `configVersion`")
    );
    let (_, read) = call(&f.service, Method::Get, "/api/audit/retention", None, NOW);
    assert_eq!(
        read["days"],
        json!(60),
        "a refused save changed the retention"
    );
    assert_eq!(
        retention_changes(&f.service),
        1,
        "a refused save was audited"
    );
}

// ---- templates ----

struct Accepting;

impl seatwarden_mail::MailTransport for Accepting {
    fn send(
        &self,
        _: &seatwarden_mail::Outgoing<'_>,
    ) -> Result<seatwarden_mail::SmtpReply, seatwarden_mail::DeliveryError> {
        Ok(seatwarden_mail::SmtpReply {
            code: 250,
            text: "ok".to_owned(),
        })
    }
}

fn template_row(service: &Service, id: &str, now: i64) -> Value {
    let (status, list) = call(service, Method::Get, "/api/templates", None, now);
    assert_eq!(status, 200, "{list}");
    list["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == json!(id))
        .cloned()
        .unwrap()
}

fn last_sent(service: &Service, id: &str, now: i64) -> (Value, Value) {
    let row = template_row(service, id, now);
    (row["lastSent"].clone(), row["sentCount"].clone())
}

fn set_licence_alert(service: &Service, recipients: &[&str], now: i64) {
    let (_, current) = call(service, Method::Get, "/api/settings", None, now);
    let mut settings = current["settings"].clone();
    settings["licenceAlert"] = json!({"enabled": true, "percent": 1, "recipients": recipients});
    let (status, body) = call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"settings": settings, "configVersion": current["configVersion"]})),
        now,
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn templates_show_when_they_last_sent_and_to_how_many() {
    // 4 users idle for days get a warning; the licence alert (5 of 100
    // seats) goes to its recipients.
    let f = fixture(4, 0);
    let s = &f.service;
    assert_eq!(last_sent(s, "warning", NOW), (Value::Null, json!(0)));
    let mut policy = common::deactivation_policy("Idle 10", true);
    policy["condition"]["days"] = json!(10);
    policy["warning"] = json!({"daysBefore": 9});
    let (status, body) = common::post_policy(s, policy, NOW);
    assert_eq!(status, 201, "{body}");
    set_licence_alert(s, &["ops@example.test", "cfo@example.test"], NOW);

    // Day 1: warnings and two alerts queued; queued is not sent.
    let tick1 = DAY0 + DAY + 3 * 3_600_000;
    let report = s.tick(Millis(tick1)).unwrap();
    assert_eq!(report.mails_queued, 6, "{report:?}");
    assert_eq!(last_sent(s, "warning", tick1), (Value::Null, json!(0)));
    let delivered = s
        .deliver_mail(&Accepting, Millis(tick1 + 5_000), 50)
        .unwrap();
    assert_eq!(delivered.sent, 6);
    assert_eq!(
        last_sent(s, "warning", tick1 + 6_000),
        (json!(tick1 + 5_000), json!(4))
    );
    assert_eq!(
        last_sent(s, "licence-alert", tick1 + 6_000),
        (json!(tick1 + 5_000), json!(2))
    );

    // Day 2: the alert goes to one recipient only; the warnings are not
    // repeated. Each template's last send is its own latest one.
    set_licence_alert(s, &["ops@example.test"], tick1 + 7_000);
    let tick2 = tick1 + DAY;
    let report = s.tick(Millis(tick2)).unwrap();
    assert_eq!(report.mails_queued, 1, "{report:?}");
    s.deliver_mail(&Accepting, Millis(tick2 + 1_000), 50)
        .unwrap();
    assert_eq!(
        last_sent(s, "licence-alert", tick2 + 2_000),
        (json!(tick2 + 1_000), json!(1))
    );
    assert_eq!(
        last_sent(s, "warning", tick2 + 2_000),
        (json!(tick1 + 5_000), json!(4))
    );
    assert_eq!(last_sent(s, "welcome", tick2), (Value::Null, json!(0)));
    // The template object itself keeps its field names.
    let row = template_row(s, "warning", tick2);
    assert!(row.get("htmlBody").is_some(), "{row}");
    let sent_total = f
        .store
        .list_mail(&OutboxQuery {
            statuses: vec![MailStatus::Sent],
            ..OutboxQuery::default()
        })
        .unwrap()
        .items
        .len();
    assert_eq!(sent_total, 7);
}

// ---- malformed requests ----

#[test]
fn malformed_requests_get_precise_errors() {
    let f = fixture(1, 0);
    let before = state(&f.host);
    let cases: Vec<(ApiRequest, u16, &str)> = vec![
        (
            raw(Method::Post, "/api/groups", &[], b"{\"names\": "),
            400,
            "invalid request body at line 1, column 10: EOF while parsing a value",
        ),
        (
            raw(Method::Post, "/api/groups", &[], b"[1, 2]"),
            400,
            "the request body must be a JSON object",
        ),
        (
            raw(Method::Post, "/api/groups", &[], b"{\"names\": 3}"),
            400,
            "field `names` must be a string",
        ),
        (
            // Last-one-wins would create `b`; a repeated key is refused.
            raw(Method::Post, "/api/groups", &[], b"{\"names\": \"a\", \"names\": \"b\"}"),
            400,
            "invalid request body at line 1, column 22: duplicate key `names`",
        ),
        (
            raw(
                Method::Post,
                "/api/policies",
                &[],
                b"{\"name\": \"p\", \"condition\": {\"kind\": \"inactive\", \"days\": 1, \"days\": 2}}",
            ),
            400,
            "invalid request body at line 1, column 65: duplicate key `condition.days`",
        ),
        (
            raw(Method::Get, "/api/groups/export", &[("bom", "1")], b""),
            400,
            "query parameter `bom` must be `true` or `false`",
        ),
        (
            raw(Method::Get, "/api/groups", &[("withCounts", "no")], b""),
            400,
            "query parameter `withCounts` must be `true` or `false`",
        ),
        (
            raw(Method::Get, "/api/dashboard", &[("days", "many")], b""),
            400,
            "query parameter `days` must be a number",
        ),
        (
            raw(Method::Get, "/api/audit", &[("limit", "-1")], b""),
            400,
            "query parameter `limit` must be a number",
        ),
        (
            raw(Method::Get, "/api/runs/abc", &[], b""),
            400,
            "path parameter `id` is malformed",
        ),
        (
            raw(Method::Get, "/api/runs", &[("status", "sideways")], b""),
            400,
            "unknown run status `sideways`",
        ),
        (
            raw(Method::Get, "/api/users/export", &[("filtre", "{}")], b""),
            400,
            "unknown query parameter `filtre`; this path accepts `filter`, `columns`, `bom`, `keys`, `exempt`",
        ),
        (
            raw(
                Method::Post,
                "/api/groups/delete",
                &[("force", "true")],
                b"{\"names\": [\"staff\"]}",
            ),
            400,
            "unknown query parameter `force`; this path accepts none",
        ),
        (
            raw(
                Method::Get,
                "/api/groups",
                &[("withCounts", "true"), ("atl_token", "x")],
                b"",
            ),
            200,
            "",
        ),
    ];
    for (req, status, message) in cases {
        let (got, body) = send(&f.service, &req, NOW);
        assert_eq!(
            (got, body["error"]["message"].as_str().unwrap_or("")),
            (status, message),
            "{} {}: {body}",
            req.method.as_str(),
            req.path
        );
    }
    assert_eq!(state(&f.host), before);
}

#[test]
fn the_openapi_document_lists_each_routes_query_parameters() {
    let f = fixture(0, 0);
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    for route in f.service.router().routes() {
        let op = &doc["paths"][route.pattern][route.method.as_str().to_lowercase()];
        let documented: Vec<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == json!("query"))
                    .map(|p| p["name"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            documented,
            route.query,
            "{} {}",
            route.method.as_str(),
            route.pattern
        );
    }
}

#[test]
fn runs_can_be_limited_to_a_start_window() {
    // Two scheduled runs a day apart; the window keeps the one it covers.
    let f = fixture(4, 0);
    let s = &f.service;
    let mut policy = common::deactivation_policy("Idle 10", true);
    policy["condition"]["days"] = json!(10);
    let (status, body) = common::post_policy(s, policy, NOW);
    assert_eq!(status, 201, "{body}");
    let first = DAY0 + DAY + 3_600_000;
    let second = first + DAY;
    let id = body["policy"]["id"].as_str().unwrap().to_owned();
    for at in [first, second] {
        let (status, run) = call(
            s,
            Method::Post,
            &format!("/api/policies/{id}/run"),
            None,
            at,
        );
        assert!(status < 300, "{run}");
        while s.drive(Millis(at)).unwrap() {}
    }
    let runs = |query: &[(&str, &str)]| {
        let (status, body) = send(s, &raw(Method::Get, "/api/runs", query, b""), second);
        assert_eq!(status, 200, "{body}");
        body["runs"].as_array().map(Vec::len).unwrap_or_default()
    };
    let all = runs(&[]);
    assert!(all >= 2, "expected a run per tick, got {all}");
    let from = (second - 1).to_string();
    let until = second.to_string();
    assert_eq!(runs(&[("from", &from)]), all - runs(&[("to", &until)]));
    assert!(runs(&[("from", &from)]) >= 1);
    assert!(runs(&[("from", &from)]) < all);
    let (status, body) = send(
        s,
        &raw(Method::Get, "/api/runs", &[("from", "yesterday")], b""),
        second,
    );
    assert_eq!(status, 400, "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("`from`"), "{body}");
}
