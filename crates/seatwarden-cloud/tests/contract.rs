//! Contract tests: every request the connector sends and every answer the
//! fake gives stays inside the documented shapes (`tests/fixtures/`, each
//! with its source in the README there), and the documented shapes parse
//! into the connector's types.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{org, start, user};
use seatwarden_cloud::fake::{Credentials, KeyKind, Logged};
use seatwarden_cloud::wire::{
    AddMembership, ApiErrors, ApplicationRole, DisableRequest, GroupPage, GroupSearchRequest,
    JiraErrors, LastActiveDates, ManagePermissions, OrgAnswer, UserPage, UserSearchRequest,
};
use seatwarden_cloud::{CloudWrite, Credential};
use seatwarden_core::operation::Operation;
use seatwarden_service::host::Host;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Every field path of `value` (`data[].groups[].id`).
fn shape(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, at: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let here = if at.is_empty() {
                        k.clone()
                    } else {
                        format!("{at}.{k}")
                    };
                    out.insert(here.clone());
                    walk(v, &here, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{at}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(value, "", &mut out);
    out
}

fn within(actual: &Value, documented: &Value, what: &str) {
    let extra: Vec<_> = shape(actual)
        .difference(&shape(documented))
        .cloned()
        .collect();
    assert!(extra.is_empty(), "{what}: undocumented fields {extra:?}");
}

/// The documented calls: (method, path template, request fixture, answer
/// fixture). `*` matches one segment.
const CALLS: &[(&str, &str, Option<&str>, Option<&str>)] = &[
    ("GET", "/admin/v1/orgs/*", None, Some("org.json")),
    (
        "POST",
        "/admin/v2/orgs/*/directories/*/users/search",
        Some("users-search-request.json"),
        Some("users-search-response.json"),
    ),
    (
        "GET",
        "/admin/v2/orgs/*/directories/*/users/count",
        None,
        Some("users-count.json"),
    ),
    (
        "POST",
        "/admin/v2/orgs/*/directories/*/groups/search",
        Some("groups-search-request.json"),
        Some("groups-search-response.json"),
    ),
    (
        "POST",
        "/admin/v2/orgs/*/directories/*/users/*/suspend",
        None,
        None,
    ),
    (
        "POST",
        "/admin/v2/orgs/*/directories/*/users/*/restore",
        None,
        None,
    ),
    (
        "DELETE",
        "/admin/v2/orgs/*/directories/*/users/*",
        None,
        None,
    ),
    (
        "POST",
        "/admin/v2/orgs/*/directories/*/groups/*/memberships",
        Some("membership-request.json"),
        None,
    ),
    (
        "DELETE",
        "/admin/v2/orgs/*/directories/*/groups/*/memberships/*",
        None,
        None,
    ),
    (
        "GET",
        "/admin/v1/orgs/*/directory/users/*/last-active-dates",
        None,
        Some("last-active-dates.json"),
    ),
    (
        "GET",
        "/users/*/manage",
        None,
        Some("manage-permissions.json"),
    ),
    (
        "POST",
        "/users/*/manage/lifecycle/disable",
        Some("disable-request.json"),
        None,
    ),
    ("POST", "/users/*/manage/lifecycle/enable", None, None),
    ("POST", "/users/*/manage/lifecycle/delete", None, None),
    (
        "POST",
        "/users/*/manage/lifecycle/cancel-delete",
        None,
        None,
    ),
    (
        "GET",
        "/rest/api/3/applicationrole",
        None,
        Some("applicationrole.json"),
    ),
];

fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| *t == "*" || t == p)
}

fn check(logged: &Logged) {
    let Some((_, _, request, answer)) = CALLS
        .iter()
        .find(|(m, t, _, _)| *m == logged.method && matches(t, &logged.path))
    else {
        panic!("undocumented call {} {}", logged.method, logged.path);
    };
    if !logged.body.is_empty() {
        let documented = fixture(request.expect("a body where none is documented"));
        within(
            &serde_json::from_str(&logged.body).unwrap(),
            &documented,
            &logged.path,
        );
    }
    match (logged.status, answer) {
        (200, Some(answer)) => {
            within(
                &serde_json::from_str(&logged.answer).unwrap(),
                &fixture(answer),
                &logged.path,
            );
        }
        (200, None) => panic!("{}: an answer where none is documented", logged.path),
        (204, _) => assert!(logged.answer.is_empty()),
        (_, _) if logged.path.starts_with("/rest/") => {
            within(
                &serde_json::from_str(&logged.answer).unwrap(),
                &fixture("jira-errors.json"),
                &logged.path,
            );
        }
        (_, _) => {
            within(
                &serde_json::from_str(&logged.answer).unwrap(),
                &fixture("errors.json"),
                &logged.path,
            );
        }
    }
}

#[test]
fn the_documented_shapes_parse_into_the_connectors_types() {
    let page: UserPage = serde_json::from_value(fixture("users-search-response.json")).unwrap();
    let u = &page.data[0];
    assert_eq!(u.product_access[0].key.as_deref(), Some("jira-software"));
    assert_eq!(u.groups[0].name.as_deref(), Some("jira-software-users"));
    assert_eq!(page.links.next.as_deref(), Some("c1"));
    let _: UserSearchRequest =
        serde_json::from_value(fixture("users-search-request.json")).unwrap();
    let _: GroupSearchRequest =
        serde_json::from_value(fixture("groups-search-request.json")).unwrap();
    let _: GroupPage = serde_json::from_value(fixture("groups-search-response.json")).unwrap();
    let _: AddMembership = serde_json::from_value(fixture("membership-request.json")).unwrap();
    let _: DisableRequest = serde_json::from_value(fixture("disable-request.json")).unwrap();
    let dates: LastActiveDates = serde_json::from_value(fixture("last-active-dates.json")).unwrap();
    assert_eq!(
        dates.data.product_access[0].last_active.as_deref(),
        Some("2026-11-01")
    );
    let org: OrgAnswer = serde_json::from_value(fixture("org.json")).unwrap();
    assert_eq!(org.data.attributes.name, "Acme");
    let p: ManagePermissions = serde_json::from_value(fixture("manage-permissions.json")).unwrap();
    assert!(p.lifecycle_enablement.allowed);
    let roles: Vec<ApplicationRole> =
        serde_json::from_value(fixture("applicationrole.json")).unwrap();
    assert_eq!(roles[0].number_of_seats, Some(10));
    let e: ApiErrors = serde_json::from_value(fixture("errors.json")).unwrap();
    assert_eq!(e.errors[0].code.as_deref(), Some("FORBIDDEN"));
    let j: JiraErrors = serde_json::from_value(fixture("jira-errors.json")).unwrap();
    assert_eq!(j.error_messages.len(), 1);
    // Our typed bodies name no field the documentation does not.
    within(
        &serde_json::to_value(&page).unwrap(),
        &fixture("users-search-response.json"),
        "UserPage",
    );
}

#[test]
fn every_request_and_answer_of_a_session_is_documented() {
    let users = vec![
        user("m1", true, Some(200), &["jira-software-users", "staff"]),
        user("m2", true, Some(5), &["staff"]),
        user("x1", false, Some(200), &["staff"]),
    ];
    let (fake, host, _) = start(org(users, 10), Credentials::default());
    host.connect().unwrap();
    host.header().unwrap();
    host.user(&"m2".into()).unwrap();
    host.user_by_username("m2@acme.example").unwrap();
    for write in [
        CloudWrite::Suspend("x1".into()),
        CloudWrite::Restore("x1".into()),
        CloudWrite::Deactivate("m1".into()),
        CloudWrite::Enable("m1".into()),
        CloudWrite::AddToGroup("m2".into(), "jira-software-users".into()),
        CloudWrite::RemoveFromGroup("m2".into(), "jira-software-users".into()),
        CloudWrite::DeleteAccount("m2".into()),
        CloudWrite::CancelDeletion("m2".into()),
        CloudWrite::RemoveFromDirectory("x1".into()),
    ] {
        host.write(&write).unwrap();
    }
    host.apply(&Operation::Deactivate {
        user: "gone".into(),
    })
    .unwrap_err();
    // The v1 last-active dates (documented, served by the fake; the
    // connector reads the same data in bulk through the v2 search).
    let mut answer = ureq::get(format!(
        "{}/admin/v1/orgs/org-1/directory/users/m1/last-active-dates",
        fake.base_url()
    ))
    .header("Authorization", "Bearer fake-org-api-key")
    .call()
    .unwrap();
    let dates: LastActiveDates = answer.body_mut().read_json().unwrap();
    assert_eq!(
        dates.data.product_access[0].key.as_deref(),
        Some("jira-software")
    );
    // Refusals: a wrong key, a scoped key on the user management API, a
    // site account that is not a Jira admin.
    let (refusing, host, _) = start(
        org(vec![user("m1", true, None, &[])], 1),
        Credentials {
            key_kind: KeyKind::Scoped,
            site_admin: false,
            ..Credentials::default()
        },
    );
    assert!(host.connect().is_err());
    let mut log = fake.log();
    log.extend(refusing.log());
    let (_bad, host, _) = start(org(vec![], 1), Credentials::default());
    let mut config = host.client().config().clone();
    config.api_key = seatwarden_cloud::Secret::new("wrong");
    let error = seatwarden_cloud::CloudHost::new(seatwarden_cloud::CloudClient::new(config))
        .connect()
        .unwrap_err();
    assert!(matches!(
        error,
        seatwarden_cloud::CloudError::Unauthorized {
            credential: Credential::OrgApiKey,
            ..
        }
    ));
    log.extend(_bad.log());
    let statuses: BTreeSet<u16> = log.iter().map(|l| l.status).collect();
    assert_eq!(statuses, [200, 204, 401, 403].into_iter().collect());
    for logged in &log {
        check(logged);
    }
    // Every documented call was exercised.
    for (method, template, _, _) in CALLS {
        assert!(
            log.iter()
                .any(|l| l.method == *method && matches(template, &l.path)),
            "{method} {template} never called"
        );
    }
}
