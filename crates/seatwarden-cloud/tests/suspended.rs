//! "Suspended" as its own state, through the service over the fake Cloud
//! (issue 20): a bulk suspension skips the already suspended with a reason,
//! a bulk restore acts on suspended users only, and a "delete after N days
//! suspended" policy deletes managed accounts whose audited suspension is
//! old enough — never an external one, never one whose suspension time
//! nobody knows.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{DAY, NOW, call_at as call, keys, org, service, start, user};
use seatwarden_cloud::fake::{Credentials, FakeCloud};
use seatwarden_cloud::wire::{AccountStatus, MembershipStatus};
use seatwarden_core::bulk::{BulkAction, BulkTarget};
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use serde_json::json;

/// Plans and runs a bulk action at `now`; the preview's skips by user.
fn bulk(
    service: &Service,
    action: BulkAction,
    target: BulkTarget,
    now: i64,
) -> Vec<(String, String)> {
    let admin = UserKey::from("org-admin");
    let preview = service
        .plan_bulk(action, target, "bulk".into(), &admin, Millis(now))
        .unwrap();
    let skips = preview_skips(service, &preview.plan_id, now);
    service
        .run_pending(&preview.plan_id, &preview.hash, Millis(now))
        .unwrap();
    while service.drive(Millis(now)).unwrap() {}
    skips
}

fn preview_skips(service: &Service, plan_id: &str, now: i64) -> Vec<(String, String)> {
    let (status, body) = call(
        service,
        Method::Get,
        &format!("/api/bulk/{plan_id}/skipped"),
        None,
        now,
    );
    assert_eq!(status, 200, "{body}");
    let mut skips: Vec<(String, String)> = body["items"]
        .as_array()
        .or_else(|| body["skipped"].as_array())
        .unwrap_or_else(|| panic!("no skip list in {body}"))
        .iter()
        .map(|s| {
            (
                s["user"].as_str().unwrap_or_default().to_owned(),
                s["reason"]["kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    skips.sort();
    skips
}

fn paths(fake: &FakeCloud) -> Vec<String> {
    fake.write_attempts().into_iter().map(|w| w.path).collect()
}

#[test]
fn suspended_users_are_skipped_by_a_suspension_and_restored_alone() {
    let mut pre = user("pre-suspended", true, Some(200), &["staff"]);
    pre.membership_status = MembershipStatus::Suspended;
    let mut off = user("deactivated", true, Some(200), &["staff"]);
    off.account_status = AccountStatus::Inactive;
    let mut admin = user("org-admin", true, Some(1), &["staff"]);
    admin.platform_roles = vec!["atlassian/org-admin".to_owned()];
    let users = vec![admin, user("idle", true, Some(200), &["staff"]), pre, off];
    let (fake, _, _) = start(org(users, 100), Credentials::default());
    let service = service(&fake);

    let skips = bulk(
        &service,
        BulkAction::Suspend,
        keys(&["idle", "pre-suspended"]),
        NOW,
    );
    assert_eq!(
        skips,
        [("pre-suspended".to_owned(), "already_suspended".to_owned())]
    );
    let suspend = |id: &str| format!("/admin/v2/orgs/org-1/directories/-/users/{id}/suspend");
    assert_eq!(paths(&fake), [suspend("idle")]);

    // The Users tab lists the two suspended users apart from the deactivated one.
    let listed = |status: &str| {
        let filter = json!({"status": status}).to_string();
        // The test client passes the query as it is (the HTTP edge decodes it).
        common::listed_keys(&service, &format!("/api/users?filter={filter}"))
    };
    assert_eq!(listed("suspended"), ["idle", "pre-suspended"]);
    assert_eq!(listed("deactivated"), ["deactivated"]);

    let skips = bulk(
        &service,
        BulkAction::Restore,
        keys(&["idle", "pre-suspended", "deactivated"]),
        NOW,
    );
    assert_eq!(
        skips,
        [("deactivated".to_owned(), "not_suspended".to_owned())]
    );
    let restore = |id: &str| format!("/admin/v2/orgs/org-1/directories/-/users/{id}/restore");
    let mut sent = paths(&fake);
    sent.sort();
    assert_eq!(
        sent,
        [restore("idle"), suspend("idle"), restore("pre-suspended")]
    );
}

#[test]
fn a_policy_deletes_managed_accounts_suspended_for_n_days_from_the_audit_trail() {
    let mut pre = user("suspended-untimed", true, Some(200), &["staff"]);
    pre.membership_status = MembershipStatus::Suspended;
    let mut admin = user("org-admin", true, Some(1), &["staff"]);
    admin.platform_roles = vec!["atlassian/org-admin".to_owned()];
    let users = vec![
        admin,
        user("managed-idle", true, Some(200), &["staff"]),
        user("external-idle", false, Some(200), &["staff"]),
        user("busy", true, Some(1), &["staff"]),
        pre,
    ];
    let (fake, _, _) = start(org(users, 100), Credentials::default());
    let service = service(&fake);
    bulk(
        &service,
        BulkAction::Suspend,
        keys(&["managed-idle", "external-idle"]),
        NOW,
    );
    assert_eq!(fake.writes().len(), 2, "{:?}", paths(&fake));
    // The test's clock jumps a month with no new activity in the fake, which
    // the health check rightly calls a broken feed: off here.
    common::save_settings(&service, json!({"health": {"enabled": false}}), NOW);

    let id = common::live_policy(
        &service,
        "Delete after 30 days suspended",
        json!({"kind": "deactivated", "days": 30}),
        json!({"kind": "delete"}),
    );
    let run_at = |now: i64| {
        let (status, body) = call(
            &service,
            Method::Post,
            &format!("/api/policies/{id}/run"),
            None,
            now,
        );
        assert_eq!(status, 202, "{body}");
        while service.drive(Millis(now)).unwrap() {}
        let run = body["runId"].as_i64().unwrap();
        let (_, got) = call(
            &service,
            Method::Get,
            &format!("/api/runs/{run}"),
            None,
            now,
        );
        assert_eq!(got["run"]["status"], json!("succeeded"), "{got}");
    };

    // Ten days after the suspension: too recent, nothing is deleted.
    run_at(NOW + 10 * DAY);
    assert_eq!(fake.writes().len(), 2, "{:?}", paths(&fake));

    // Thirty-one days after: the managed account is deleted (Atlassian's
    // grace period follows); the external one never gets a deletion or a
    // removal, and the suspension nobody recorded is not guessed.
    run_at(NOW + 31 * DAY);
    let sent = paths(&fake);
    assert_eq!(
        sent.last().map(String::as_str),
        Some("/users/managed-idle/manage/lifecycle/delete"),
        "{sent:?}"
    );
    assert_eq!(fake.writes().len(), 3, "{sent:?}");
    // The external account got its suspension only; the untimed one nothing.
    let touched = |who: &str| sent.iter().filter(|p| p.contains(who)).count();
    assert_eq!(touched("external-idle"), 1, "{sent:?}");
    assert_eq!(touched("suspended-untimed"), 0, "{sent:?}");
}

/// The users export (the streamed one the route serves) over `service`:
/// its CSV text.
fn export(service: &Service, query: &[(&str, &str)]) -> String {
    let request = seatwarden_service::api::ApiRequest {
        method: Method::Get,
        path: "/api/users/export".to_owned(),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: Default::default(),
        context: seatwarden_service::testing::admin("org-admin"),
    };
    let response = service.handle(&request, Millis(NOW));
    assert_eq!(response.status, 200);
    String::from_utf8(response.body.to_vec()).unwrap()
}

#[test]
fn the_users_export_says_who_is_suspended_and_imports_back_unchanged() {
    let mut pre = user("pre-suspended", true, Some(200), &["staff"]);
    pre.membership_status = MembershipStatus::Suspended;
    let mut guest = user("guest-suspended", false, Some(200), &["staff"]);
    guest.membership_status = MembershipStatus::Suspended;
    let users = vec![
        pre,
        guest,
        user("working", true, Some(1), &["staff"]),
        user("visitor", false, Some(3), &["staff"]),
    ];
    let (fake, _, _) = start(org(users, 100), Credentials::default());
    let service = service(&fake);

    let csv = export(&service, &[("columns", "key,active,suspended")]);
    let mut rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.remove(0), "key,active,suspended");
    rows.sort_unstable();
    assert_eq!(
        rows,
        vec![
            "guest-suspended,false,true",
            "pre-suspended,false,true",
            "visitor,true,false",
            "working,true,false",
        ]
    );

    // The whole default export names the column and imports back with no
    // problem and no change (`suspended` is export-only, like `key`).
    let whole = export(&service, &[]);
    let header = whole.lines().next().unwrap();
    assert!(header.contains(",active,suspended,created,"), "{header}");
    let request = seatwarden_service::api::ApiRequest {
        method: Method::Post,
        path: "/api/import/validate".to_owned(),
        query: Vec::new(),
        body: whole.into_bytes().into(),
        context: seatwarden_service::testing::admin("org-admin"),
    };
    let response = service.handle(&request, Millis(NOW));
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(response.status, 200, "{body}");
    assert_eq!(body["summary"]["unchanged"], json!(4), "{body}");
    assert_eq!(body["actionCount"], json!(0), "{body}");
    assert!(fake.write_attempts().is_empty());
}
