//! Issue 24, "standalone preview on real data": a preview-only server
//! (`seatwarden serve --snapshot`) lets the admin write and preview
//! policies on their own users, and refuses every route that would apply,
//! schedule or mail, with the typed `preview_only` error and no change.
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
use seatwarden_core::Millis;
use seatwarden_service::api::Method;
use seatwarden_service::api::routes::APPLYING_OPERATIONS;
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{Service, ServiceOptions};

fn preview_fixture() -> Fixture {
    let host = Arc::new(MemoryDirectory::new(snapshot(5, 3, 1)));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let options = ServiceOptions {
        preview_only: true,
        ..options("node-a", 50)
    };
    let service = Service::new(host.clone(), store.clone(), options).unwrap();
    Fixture {
        host,
        store,
        service,
    }
}

/// The audit actions recorded so far, oldest first.
fn audited(service: &Service) -> Vec<String> {
    let (status, page) = call(service, Method::Get, "/api/audit?limit=500", None, DAY0);
    assert_eq!(status, 200, "{page}");
    let mut actions: Vec<String> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    actions.reverse();
    actions
}

fn upload(service: &Service, body: &str) -> (u16, Value) {
    let mut request = request(Method::Post, "/api/preview/directory", None, admin());
    request.body = body.as_bytes().to_vec().into();
    let response = service.handle(&request, Millis(DAY0));
    (
        response.status,
        serde_json::from_slice(&response.body).unwrap_or(Value::Null),
    )
}

#[test]
fn policies_are_written_and_previewed_but_every_applying_route_is_refused() {
    let f = preview_fixture();
    let service = &f.service;
    let (_, me) = call(service, Method::Get, "/api/me", None, DAY0);
    assert_eq!(me["previewOnly"], true);

    // What the admin came for: a live policy saved, and its preview.
    let id = create_policy(service, deactivation_policy("Idle", true), DAY0).0;
    let (status, preview) = call(
        service,
        Method::Post,
        &format!("/api/policies/{id}/preview"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["document"]["totals"]["users"], 5, "{preview}");

    let before = state(&f.host);
    let audited_before = audited(service);
    // Every applying route, whatever its body: the guard answers before the
    // handler reads anything.
    let router = service.router();
    for operation in APPLYING_OPERATIONS {
        let route = router
            .routes()
            .iter()
            .find(|r| r.operation_id == *operation)
            .unwrap_or_else(|| panic!("`{operation}` is not a route"));
        let path = route
            .pattern
            .replace("{id}", &id)
            .replace("{planId}", "p1")
            .replace("{key}", "K-idle0000");
        let (status, answer) = call(service, route.method, &path, Some(json!({})), DAY0);
        assert_eq!(status, 409, "{operation}: {answer}");
        assert_eq!(answer["error"]["kind"], "preview_only", "{operation}");
        assert_eq!(answer["error"]["details"]["operation"], *operation);
    }
    // A live policy that is due is not scheduled, and nobody is warned.
    let report = service.tick(Millis(DAY0 + 2 * DAY)).unwrap();
    assert!(report.runs.is_empty(), "{report:?}");
    assert_eq!(report.mails_queued, 0);
    drain(service, DAY0 + 2 * DAY);
    assert_eq!(state(&f.host), before, "the directory changed");
    // Only the tick's daily retention purge may have written (it applies
    // nothing to the directory).
    let after = audited(service);
    assert_eq!(after.get(..audited_before.len()), Some(&audited_before[..]));
    let new: Vec<&String> = after.get(audited_before.len()..).unwrap().iter().collect();
    assert!(new.iter().all(|a| a.as_str() == "logs_purged"), "{new:?}");
}

#[test]
fn the_same_routes_apply_on_a_server_that_is_not_a_preview() {
    let f = fixture(5, 3, 1);
    let id = create_policy(&f.service, deactivation_policy("Idle", true), DAY0).0;
    let (status, answer) = call(
        &f.service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        DAY0,
    );
    assert_eq!(status, 202, "{answer}");
    let (_, me) = call(&f.service, Method::Get, "/api/me", None, DAY0);
    assert_eq!(me["previewOnly"], false);
    // And a real directory is never replaced by a file.
    let (status, answer) = upload(&f.service, "key,username\nK1,ann\n");
    assert_eq!(status, 403, "{answer}");
}

#[test]
fn an_uploaded_users_export_replaces_the_previewed_users() {
    let f = preview_fixture();
    let csv = "key,username,display name,directory,active,last login,groups\n\
               K-a,ann,Ann,LDAP,true,2025-01-02T00:00:00Z,staff\n\
               K-b,bob,Bob,LDAP,true,,staff\n";
    let (status, loaded) = upload(&f.service, csv);
    assert_eq!(status, 200, "{loaded}");
    assert_eq!(
        loaded,
        json!({"kind": "usersExport", "users": 2, "groups": 1, "directories": 1})
    );
    let (status, page) = call(&f.service, Method::Get, "/api/users", None, DAY0);
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 2, "{page}");

    // A bad file is refused in words and leaves the loaded users.
    let (status, refused) = upload(&f.service, "email,active\na@example.test,true\n");
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("neither a key nor a username column"),
        "{refused}"
    );
    let (_, page) = call(&f.service, Method::Get, "/api/users", None, DAY0);
    assert_eq!(page["total"], 2, "{page}");
}

/// Issue 24: the older "Site administration" export of a cloud site is read
/// (users merged over their one-row-per-group lines, application access as
/// licences), and every load is audited with the kind and counts, never a
/// user's name.
#[test]
fn the_older_site_export_is_loaded_and_every_load_is_audited() {
    let f = preview_fixture();
    let csv = "group_name,username,full_name,email,active,last_login,last_session,Jira Software,Confluence\r\n\
               jira-users,fgambale,Frank Gambale,frank@example.test,Yes,14 Dec 2012 15:31:57,,Yes,Yes\r\n\
               staff,fgambale,Frank Gambale,frank@example.test,Yes,14 Dec 2012 15:31:57,,Yes,Yes\r\n\
               staff,dtrucks,Derek Trucks,derek@example.test,No,,23 Oct 2015 02:53:20,No,Yes\r\n";
    let (status, loaded) = upload(&f.service, csv);
    assert_eq!(status, 200, "{loaded}");
    assert_eq!(
        loaded,
        json!({"kind": "atlassianSiteExport", "users": 2, "groups": 4, "directories": 1})
    );
    let (_, page) = call(
        &f.service,
        Method::Get,
        r#"/api/users?filter={"licence":"licensed"}"#,
        None,
        DAY0,
    );
    // Derek is deactivated ("No"), so holds no seat; Frank has both applications.
    assert_eq!(page["total"], 1, "{page}");
    assert_eq!(
        page["rows"][0]["licensedApplications"],
        json!(["jira-software", "confluence"])
    );
    let (_, frank) = call(&f.service, Method::Get, "/api/users/fgambale", None, DAY0);
    assert_eq!(
        frank["row"]["groups"].as_array().unwrap().len(),
        4,
        "{frank}"
    );

    let (status, entries) = call(
        &f.service,
        Method::Get,
        "/api/audit?action=directory_loaded",
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{entries}");
    let entries = entries["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let description = entries[0]["description"].as_str().unwrap();
    assert_eq!(
        description,
        "Loaded 2 users and 4 groups from an Atlassian Cloud site administration user export \
         (the older export) (uploaded in the UI)"
    );
    assert_eq!(entries[0]["actor"]["key"], "K-admin", "{entries:?}");
    assert!(!description.contains("fgambale") && !description.contains("example.test"));

    // A refused file loads nothing and is not audited as a load.
    let (status, _) = upload(&f.service, "username,active\nann,Maybe\n");
    assert_eq!(status, 422);
    let (_, again) = call(
        &f.service,
        Method::Get,
        "/api/audit?action=directory_loaded",
        None,
        DAY0,
    );
    assert_eq!(again["entries"].as_array().unwrap().len(), 1);
}
